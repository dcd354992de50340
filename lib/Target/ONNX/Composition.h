//===- Composition.h - Helpers for ops imported as compositions -*- C++ -*-===//
//
// Small builders shared by the importer files that expand ONNX ops into
// existing dnn ops (Composed*Ops.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_LIB_TARGET_ONNX_COMPOSITION_H
#define DNNC_LIB_TARGET_ONNX_COMPOSITION_H

#include "NodeImporter.h"
#include "dnnc/Dialect/DNN/IR/DNNShapes.h"

namespace dnnc::onnximport {
using namespace mlir;

/// A rank-0 constant of `et` holding `v`.
inline Value scalar(NodeImporter &n, Type et, double v) {
  auto t = RankedTensorType::get({}, et);
  if (isa<FloatType>(et))
    return n.constant(DenseElementsAttr::get(t, n.b.getFloatAttr(et, v)));
  return n.constant(
      DenseElementsAttr::get(t, n.b.getIntegerAttr(et, (int64_t)v)));
}

template <typename OpTy> inline Value unary(NodeImporter &n, Value x) {
  return n.create<OpTy>(x.getType(), x);
}

inline RankedTensorType boolLike(NodeImporter &n, Value v) {
  return RankedTensorType::get(cast<RankedTensorType>(v.getType()).getShape(),
                               n.b.getI1Type());
}

/// An i64 tensor holding 0..size-1 along `axis` of a rank-`rank` shape of
/// ones elsewhere.
inline Value iota(NodeImporter &n, int64_t rank, int64_t axis, int64_t size) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = size;
  SmallVector<int64_t> vals(size);
  for (int64_t i = 0; i < size; ++i)
    vals[i] = i;
  return n.constant(DenseElementsAttr::get(
      RankedTensorType::get(shape, n.b.getI64Type()), ArrayRef(vals)));
}

/// 0..n-1 along `axis` of a rank-`rank` i64 tensor of ones elsewhere, where
/// n is dim `xDim` of `x`: a constant for a static dim, else a dnn.range of
/// the run-time dim.
inline Value iotaOf(NodeImporter &n, Value x, int64_t xDim, int64_t rank,
                    int64_t axis) {
  auto xt = cast<RankedTensorType>(x.getType());
  if (!xt.isDynamicDim(xDim))
    return iota(n, rank, axis, xt.getDimSize(xDim));
  Type i64 = n.b.getI64Type();
  Value d = n.create<dnn::ShapeOp>(RankedTensorType::get({1}, i64), x,
                                   n.b.getI64IntegerAttr(xDim),
                                   n.b.getI64IntegerAttr(xDim + 1));
  d = n.create<dnn::ReshapeOp>(RankedTensorType::get({}, i64), d);
  Value r =
      n.create<dnn::RangeOp>(RankedTensorType::get({ShapedType::kDynamic}, i64),
                             scalar(n, i64, 0), d, scalar(n, i64, 1));
  SmallVector<int64_t> axes, shape(rank, 1);
  shape[axis] = ShapedType::kDynamic;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      axes.push_back(i);
  if (axes.empty())
    return r;
  return n.create<dnn::UnsqueezeOp>(RankedTensorType::get(shape, i64), r,
                                    n.b.getDenseI64ArrayAttr(axes));
}

/// A dnn.conv of `x` and `weight` (+ `bias`) with the node's Conv attributes
/// (kernel_shape, strides, pads/auto_pad, dilations, group); also used by
/// ConvInteger and QLinearConv.
FailureOr<Value> convFromAttrs(NodeImporter &n, Value x, Value weight,
                               Value bias);

} // namespace dnnc::onnximport

#endif // DNNC_LIB_TARGET_ONNX_COMPOSITION_H
