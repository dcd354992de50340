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

} // namespace dnnc::onnximport

#endif // DNNC_LIB_TARGET_ONNX_COMPOSITION_H
