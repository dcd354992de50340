//===- QuantUtils.cpp - Quantized types as dnn arithmetic -----------------===//
#include "QuantUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace dnnc::dnn;

std::optional<QuantParams> QuantParams::of(Type t) {
  if (auto shaped = dyn_cast<ShapedType>(t))
    t = shaped.getElementType();
  QuantParams p;
  if (auto u = dyn_cast<quant::UniformQuantizedType>(t)) {
    p.scales = {u.getScale()};
    p.zeroPoints = {u.getZeroPoint()};
  } else if (auto a = dyn_cast<quant::UniformQuantizedPerAxisType>(t)) {
    p.scales.assign(a.getScales().begin(), a.getScales().end());
    p.zeroPoints.assign(a.getZeroPoints().begin(), a.getZeroPoints().end());
    p.axis = a.getQuantizedDimension();
  } else {
    return std::nullopt;
  }
  auto q = cast<quant::QuantizedType>(t);
  p.type = q;
  p.isSigned = q.isSigned();
  p.width = q.getStorageTypeIntegralWidth();
  p.qmin = q.getStorageTypeMin();
  p.qmax = q.getStorageTypeMax();
  return p;
}

Value dnnc::dnn::broadcastConstant(OpBuilder &b, Location loc, Type elemType,
                                   ArrayRef<double> values, int64_t axis,
                                   int64_t rank) {
  SmallVector<int64_t> shape;
  if (values.size() > 1 || axis >= 0) {
    shape.assign(rank - axis, 1);
    shape[0] = values.size();
  }
  auto t = RankedTensorType::get(shape, elemType);
  SmallVector<Attribute> attrs;
  for (double v : values)
    attrs.push_back(isa<FloatType>(elemType)
                        ? Attribute(b.getFloatAttr(elemType, v))
                        : Attribute(b.getIntegerAttr(elemType, (int64_t)v)));
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(t, attrs));
}

static RankedTensorType withElement(Value v, Type e) {
  return cast<RankedTensorType>(v.getType()).clone(e);
}

Value dnnc::dnn::widenToI32(OpBuilder &b, Location loc, Value storage,
                            bool isSigned) {
  auto t = cast<RankedTensorType>(storage.getType());
  Type i32 = b.getI32Type();
  if (t.getElementType() == i32)
    return storage;
  Value w = CastOp::create(b, loc, t.clone(i32), storage);
  if (isSigned)
    return w;
  int64_t mask = (int64_t(1) << t.getElementTypeBitWidth()) - 1;
  return AndOp::create(b, loc, w,
                       broadcastConstant(b, loc, i32, {double(mask)}, -1, 0));
}

Value dnnc::dnn::roundToStorage(OpBuilder &b, Location loc, Value x,
                                Value offset, int64_t lo, int64_t hi,
                                unsigned width) {
  x = RoundOp::create(b, loc, x.getType(), x); // half to even
  if (offset)
    x = AddOp::create(b, loc, x, offset);
  x = ClipOp::create(b, loc, x.getType(), x, b.getF64FloatAttr(lo),
                     b.getF64FloatAttr(hi));
  // Through i32: the 8-bit pattern of 128..255 is what uint8 stores.
  Value i = CastOp::create(b, loc, withElement(x, b.getI32Type()), x);
  if (width == 32)
    return i;
  return CastOp::create(b, loc, withElement(x, b.getIntegerType(width)), i);
}

Value dnnc::dnn::quantizeToStorage(OpBuilder &b, Location loc, Value x,
                                   const QuantParams &q) {
  auto t = cast<RankedTensorType>(x.getType());
  Type ft = t.getElementType();
  Value v = DivOp::create(
      b, loc, x, broadcastConstant(b, loc, ft, q.scales, q.axis, t.getRank()));
  Value zp;
  if (!q.zeroPointsAreZero()) {
    SmallVector<double> zps(q.zeroPoints.begin(), q.zeroPoints.end());
    zp = broadcastConstant(b, loc, ft, zps, q.axis, t.getRank());
  }
  return roundToStorage(b, loc, v, zp, q.qmin, q.qmax, q.width);
}

Value dnnc::dnn::dequantizeStorage(OpBuilder &b, Location loc, Value storage,
                                   const QuantParams &q, Type floatType) {
  auto t = cast<RankedTensorType>(storage.getType());
  Value v = CastOp::create(b, loc, t.clone(floatType),
                           widenToI32(b, loc, storage, q.isSigned));
  if (!q.zeroPointsAreZero()) {
    SmallVector<double> zps(q.zeroPoints.begin(), q.zeroPoints.end());
    v = SubOp::create(
        b, loc, v,
        broadcastConstant(b, loc, floatType, zps, q.axis, t.getRank()));
  }
  return MulOp::create(
      b, loc, v,
      broadcastConstant(b, loc, floatType, q.scales, q.axis, t.getRank()));
}
