//===- QuantizedOps.cpp - ONNX quantization ops --------------------------===//
//
// QuantizeLinear/DequantizeLinear (per-tensor and per-axis): with constant
// scales and zero points, as upstream quant casts (`quant.qcast` and
// `quant.dcast` on `!quant.uniform` types, with `quant.scast` to and from the
// integer storage the graph passes around), which dnn-fuse-quantized turns
// into integer arithmetic and dnn-lower-quant lowers; with run-time scales,
// as float compositions. QLinearConv and QLinearMatMul with constant
// scales, zero points and weights import in that same QDQ form (dequantize,
// float op, quantize; the int32 bias dequantized with scale x_scale *
// w_scale), so that they run as the integer kernels of QDQ models. The
// integer ops otherwise (MatMulInteger, ConvInteger, and the QLinear ops
// with run-time parameters or weights) as i32 arithmetic: 8-bit operands are
// widened to i32 (zero-extended when the ONNX type is unsigned), zero points
// are subtracted, and the matmul/conv accumulates in i32. The QLinear ops then
// requantize: round(acc * (in_scale * w_scale / out_scale)) + out_zero_point,
// saturated to the output type.
//
//===----------------------------------------------------------------------===//
#include "Composition.h"
#include "dnnc/Dialect/DNN/IR/DNNShapes.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "onnx/onnx_pb.h"
#include <cmath>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {
/// Reshapes a per-axis quantization parameter [C] to broadcast along `axis`
/// of a rank-`rank` tensor (scalars stay as they are).
Value alongAxis(NodeImporter &n, Value p, int64_t axis, int64_t rank) {
  auto t = cast<RankedTensorType>(p.getType());
  if (t.getRank() == 0 || t.getNumElements() == 1)
    return n.create<dnn::ReshapeOp>(
        RankedTensorType::get({}, t.getElementType()), p);
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = t.getDimSize(0);
  return n.create<dnn::ReshapeOp>(
      RankedTensorType::get(shape, t.getElementType()), p);
}

/// Normalizes the quantization axis; it only matters (and is only checked)
/// for per-axis scales.
LogicalResult quantAxis(NodeImporter &n, int64_t &axis, int64_t rank) {
  auto st = n.inputType(1);
  if (st.getRank() == 0 || st.getNumElements() == 1)
    return success();
  if (failed(normalizeAxis(axis, rank)))
    return n.fail("axis out of range");
  if (st.getRank() != 1 || st.getDimSize(0) != n.inputType(0).getDimSize(axis))
    return n.fail("per-axis scales must be a vector of the axis size (blocked "
                  "quantization is not supported)");
  return success();
}

/// An integer tensor as i32, zero-extending unsigned 8/16-bit codes (the
/// IR's integers are signless: the ONNX type says how to read them).
Value intToI32(NodeImporter &n, Value v, int32_t onnxType) {
  auto t = cast<RankedTensorType>(v.getType());
  Type i32 = n.b.getI32Type();
  auto t32 = RankedTensorType::get(t.getShape(), i32);
  Value w =
      t.getElementType().isInteger(32) ? v : n.create<dnn::CastOp>(t32, v);
  if (onnxType == onnx::TensorProto::UINT8 ||
      onnxType == onnx::TensorProto::UINT16) {
    int64_t mask = onnxType == onnx::TensorProto::UINT8 ? 0xff : 0xffff;
    w = n.create<dnn::AndOp>(w, scalar(n, i32, mask));
  }
  return w;
}

/// An integer tensor as float (see intToI32).
Value intToFloat(NodeImporter &n, Value v, int32_t onnxType, Type ft) {
  auto t = cast<RankedTensorType>(v.getType());
  return n.create<dnn::CastOp>(RankedTensorType::get(t.getShape(), ft),
                               intToI32(n, v, onnxType));
}

/// A rounded float tensor clipped to the range of the 8-bit ONNX type `code`
/// and stored as i8.
Value saturateTo8Bit(NodeImporter &n, Value q, int32_t code) {
  bool u = code == onnx::TensorProto::UINT8;
  q = n.create<dnn::ClipOp>(q.getType(), q, n.b.getF64FloatAttr(u ? 0 : -128),
                            n.b.getF64FloatAttr(u ? 255 : 127));
  auto qt = cast<RankedTensorType>(q.getType());
  // Through i32: the 8-bit pattern of 128..255 is what uint8 stores.
  Value i = n.create<dnn::CastOp>(
      RankedTensorType::get(qt.getShape(), n.b.getI32Type()), q);
  return n.create<dnn::CastOp>(
      RankedTensorType::get(qt.getShape(), n.b.getIntegerType(8)), i);
}

/// The `!quant.uniform` type of ONNX integer type `code` with `scales` and
/// zero points `zps` (one each: per tensor; else per axis along `axis`);
/// null when the types have no quant form or a value is out of range.
quant::QuantizedType makeQuantType(OpBuilder &b, int32_t code,
                                   ArrayRef<double> scales,
                                   ArrayRef<int64_t> zps, int64_t axis,
                                   Type floatType) {
  bool isSigned = code != onnx::TensorProto::UINT8 && code != kOnnxUInt4;
  // 4-bit codes are stored one per byte: i8 storage with the 4-bit range.
  bool fourBit = code == kOnnxInt4 || code == kOnnxUInt4;
  unsigned width = code == onnx::TensorProto::INT32 ? 32 : 8;
  if ((code != onnx::TensorProto::INT8 && code != onnx::TensorProto::UINT8 &&
       code != onnx::TensorProto::INT32 && !fourBit) ||
      !floatType.isF32() || scales.empty() || zps.size() != scales.size())
    return {};
  int64_t lo = quant::QuantizedType::getDefaultMinimumForInteger(
      isSigned, fourBit ? 4 : width);
  int64_t hi = quant::QuantizedType::getDefaultMaximumForInteger(
      isSigned, fourBit ? 4 : width);
  for (size_t i = 0; i < scales.size(); ++i)
    if (!(scales[i] > 0) || !std::isfinite(scales[i]) || zps[i] < lo ||
        zps[i] > hi)
      return {};
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type storage = b.getIntegerType(width);
  if (scales.size() == 1)
    return quant::UniformQuantizedType::get(flags, storage, floatType,
                                            scales[0], zps[0], lo, hi);
  return quant::UniformQuantizedPerAxisType::get(flags, storage, floatType,
                                                 scales, zps, axis, lo, hi);
}

/// The constant scales of input `scaleIdx`, empty when not constant.
SmallVector<double> constScales(NodeImporter &n, size_t scaleIdx) {
  SmallVector<double> scales;
  if (auto a = dyn_cast_or_null<DenseFPElementsAttr>(n.constInput(scaleIdx)))
    for (const APFloat &v : a.getValues<APFloat>())
      scales.push_back(v.convertToDouble());
  return scales;
}

/// The quant type of a value whose scale is input `scaleIdx` and zero point
/// input `zpIdx` (optional: 0), both constants; null otherwise (see
/// makeQuantType).
quant::QuantizedType constQuantType(NodeImporter &n, int32_t code,
                                    size_t scaleIdx, size_t zpIdx, int64_t axis,
                                    Type floatType) {
  SmallVector<double> scales = constScales(n, scaleIdx);
  SmallVector<int64_t> zps(scales.size(), 0);
  if (n.hasInput(zpIdx)) {
    auto zpAttr = dyn_cast_or_null<DenseIntElementsAttr>(n.constInput(zpIdx));
    if (!zpAttr || zpAttr.getNumElements() != (int64_t)scales.size())
      return {};
    size_t i = 0;
    for (const APInt &v : zpAttr.getValues<APInt>())
      zps[i++] = code == onnx::TensorProto::UINT8 ? v.getZExtValue()
                                                  : v.getSExtValue();
    // 4-bit zero points must have the codes' type (makeQuantType checks
    // their range).
    if ((code == kOnnxInt4 || code == kOnnxUInt4) &&
        n.onnxElemType(zpIdx) != code)
      return {};
  }
  return makeQuantType(n.b, code, scales, zps, axis, floatType);
}

/// QuantizeLinear/DequantizeLinear: scale input 1, zero point input 2.
quant::QuantizedType constQuantType(NodeImporter &n, int32_t code, int64_t axis,
                                    Type floatType) {
  return constQuantType(n, code, 1, 2, axis, floatType);
}

/// `v` (8-bit or int32 storage) read as the quantized type `qt` and
/// dequantized to f32: scast then dcast.
Value dequantized(NodeImporter &n, Value v, quant::QuantizedType qt) {
  auto t = cast<RankedTensorType>(v.getType());
  auto q = quant::StorageCastOp::create(n.b, n.loc, t.clone(qt), v);
  return quant::DequantizeCastOp::create(n.b, n.loc,
                                         t.clone(qt.getExpressedType()), q);
}

/// `y` (f32) quantized to `qt` and stored: qcast then scast.
Value quantized(NodeImporter &n, Value y, quant::QuantizedType qt) {
  auto t = cast<RankedTensorType>(y.getType());
  auto q = quant::QuantizeCastOp::create(n.b, n.loc, t.clone(qt), y);
  return quant::StorageCastOp::create(n.b, n.loc, t.clone(qt.getStorageType()),
                                      q);
}

LogicalResult importDequantizeLinear(NodeImporter &n) {
  auto xt = n.inputType(0);
  int32_t code = n.onnxElemType(0);
  bool fourBit = code == kOnnxInt4 || code == kOnnxUInt4;
  if (code != onnx::TensorProto::UINT8 && code != onnx::TensorProto::INT8 &&
      code != onnx::TensorProto::INT32 && !fourBit)
    return n.fail("only uint8, int8, int32, uint4 and int4 inputs are "
                  "supported (got " +
                  onnxTypeName(code) + ")");
  if (fourBit && n.attrInt("block_size", 0) != 0)
    return n.fail("blocked (block_size) 4-bit dequantization is not "
                  "supported yet");
  Type ft = n.inputType(1).getElementType();
  int64_t axis = n.attrInt("axis", 1);
  if (failed(quantAxis(n, axis, xt.getRank())))
    return failure();
  if (auto qt = constQuantType(n, code, axis, ft)) {
    // Built directly, not folded: dcast(qcast(x)) must not fold to x.
    auto q = quant::StorageCastOp::create(
        n.b, n.loc, RankedTensorType::get(xt.getShape(), qt), n.input(0));
    n.setOutput(0,
                quant::DequantizeCastOp::create(
                    n.b, n.loc, RankedTensorType::get(xt.getShape(), ft), q));
    return success();
  }
  if (fourBit)
    return n.fail("4-bit dequantization needs constant scales and zero "
                  "points of the codes' type");
  Value x = intToFloat(n, n.input(0), code, ft);
  if (n.hasInput(2))
    x = n.create<dnn::SubOp>(
        x, alongAxis(n, intToFloat(n, n.input(2), n.onnxElemType(2), ft), axis,
                     xt.getRank()));
  n.setOutput(
      0, n.create<dnn::MulOp>(x, alongAxis(n, n.input(1), axis, xt.getRank())));
  return success();
}

LogicalResult importQuantizeLinear(NodeImporter &n) {
  auto xt = n.inputType(0);
  int32_t code = n.hasInput(2) ? n.onnxElemType(2) : onnx::TensorProto::UINT8;
  if (code != onnx::TensorProto::UINT8 && code != onnx::TensorProto::INT8)
    return n.fail("only uint8 and int8 outputs are supported (got " +
                  onnxTypeName(code) + ")");
  if (n.attrInt("saturate", 1) != 1)
    return n.fail("saturate=0 is not supported");
  Type ft = xt.getElementType();
  int64_t axis = n.attrInt("axis", 1);
  if (failed(quantAxis(n, axis, xt.getRank())))
    return failure();
  if (auto qt = constQuantType(n, code, axis, ft)) {
    auto q = quant::QuantizeCastOp::create(
        n.b, n.loc, RankedTensorType::get(xt.getShape(), qt), n.input(0));
    n.setOutput(
        0, quant::StorageCastOp::create(
               n.b, n.loc,
               RankedTensorType::get(xt.getShape(), qt.getStorageType()), q));
    return success();
  }
  Value q = n.create<dnn::DivOp>(n.input(0),
                                 alongAxis(n, n.input(1), axis, xt.getRank()));
  q = n.create<dnn::RoundOp>(q.getType(), q); // half to even
  if (n.hasInput(2))
    q = n.create<dnn::AddOp>(
        q,
        alongAxis(n, intToFloat(n, n.input(2), code, ft), axis, xt.getRank()));
  n.setOutput(0, saturateTo8Bit(n, q, code));
  return success();
}

bool is8Bit(int32_t code) {
  return code == onnx::TensorProto::UINT8 || code == onnx::TensorProto::INT8;
}

/// A quantization parameter `p` (input `i`: a scale or zero point) made to
/// broadcast against a rank-`rank` result: a scalar or one-element vector
/// becomes rank 0; a vector along dim `axis` (of `size` elements) becomes
/// [size, 1, ...]. With `axis` < 0 only a scalar is allowed. A vector of
/// run-time length is taken as one element where a scalar is expected.
FailureOr<Value> quantParam(NodeImporter &n, Value p, size_t i, int64_t axis,
                            int64_t size, int64_t rank) {
  auto t = cast<RankedTensorType>(p.getType());
  if (t.hasStaticShape() && t.getNumElements() == 1)
    return alongAxis(n, p, 0, 0);
  bool scalarOnly = axis < 0 || size == 1;
  if (t.getRank() == 1 && t.isDynamicDim(0) && scalarOnly)
    return n.create<dnn::GatherOp>(
        RankedTensorType::get({}, t.getElementType()), p,
        n.constant(DenseElementsAttr::get(
            RankedTensorType::get({}, n.b.getI64Type()), int64_t(0))),
        n.b.getI64IntegerAttr(0));
  if (!scalarOnly && t.getRank() == 1 &&
      (t.isDynamicDim(0) || ShapedType::isDynamic(size) ||
       t.getDimSize(0) == size))
    return alongAxis(n, p, axis, rank);
  if (scalarOnly)
    return n.fail("input " + std::to_string(i) + " must be a scalar");
  return n.fail("input " + std::to_string(i) +
                " must be a scalar or a vector along dim " +
                std::to_string(axis) + " (" + std::to_string(size) +
                " elements)");
}

/// Input `i` as i32 minus the zero point input `zp` (if given), which is a
/// scalar or a vector along dim `axis` of the input.
FailureOr<Value> centered(NodeImporter &n, size_t i, size_t zp, int64_t axis) {
  int32_t code = n.onnxElemType(i);
  if (!is8Bit(code))
    return n.fail("input " + std::to_string(i) +
                  " must be uint8 or int8 (got " + onnxTypeName(code) + ")");
  Value v = intToI32(n, n.input(i), code);
  if (!n.hasInput(zp))
    return v;
  auto it = n.inputType(i);
  auto z = quantParam(n, intToI32(n, n.input(zp), n.onnxElemType(zp)), zp, axis,
                      axis < 0 ? 1 : it.getDimSize(axis), it.getRank());
  if (failed(z))
    return failure();
  return n.create<dnn::SubOp>(v, *z);
}

/// The i32 matmul of the centered operands A (input a, zero point aZp: per
/// row) and B (input b, zero point bZp: per column).
FailureOr<Value> integerMatMul(NodeImporter &n, size_t a, size_t aZp, size_t b,
                               size_t bZp) {
  auto at = n.inputType(a), bt = n.inputType(b);
  if (at.getRank() < 1 || bt.getRank() < 1)
    return n.fail("operands must have rank >= 1");
  Shape s;
  std::string err;
  if (failed(matmulShape(at.getShape(), bt.getShape(), s, err)))
    return n.fail(err);
  auto l = centered(n, a, aZp, at.getRank() >= 2 ? at.getRank() - 2 : -1);
  if (failed(l))
    return failure();
  auto r = centered(n, b, bZp, bt.getRank() - 1);
  if (failed(r))
    return failure();
  return n.create<dnn::MatMulOp>(*l, *r);
}

/// round(acc * scale) + zero point (input zp), saturated to the 8-bit type
/// of the zero point (uint8 when absent).
FailureOr<Value> requantize(NodeImporter &n, Value acc, Value scale,
                            size_t zp) {
  auto at = cast<RankedTensorType>(acc.getType());
  Type ft = cast<RankedTensorType>(scale.getType()).getElementType();
  Value q = n.create<dnn::MulOp>(
      n.create<dnn::CastOp>(RankedTensorType::get(at.getShape(), ft), acc),
      scale);
  q = n.create<dnn::RoundOp>(q.getType(), q); // half to even
  int32_t code = onnx::TensorProto::UINT8;
  if (n.hasInput(zp)) {
    code = n.onnxElemType(zp);
    auto z = quantParam(n, intToFloat(n, n.input(zp), code, ft), zp, -1, 1, 0);
    if (failed(z))
      return failure();
    q = n.create<dnn::AddOp>(q, *z);
  }
  return saturateTo8Bit(n, q, code);
}

LogicalResult importMatMulInteger(NodeImporter &n) {
  auto r = integerMatMul(n, 0, 2, 1, 3);
  if (failed(r))
    return failure();
  n.setOutput(0, *r);
  return success();
}

/// The quant types of a QLinear op's input (scale `xs`, zero point
/// `xs + 1`), constant weight (`ws`, `ws + 1`, per tensor or along
/// `wAxis`) and output (`ys`, `ys + 1`), all constant; nullopt otherwise.
struct QLinearTypes {
  quant::UniformQuantizedType x, y;
  quant::QuantizedType w;
};
std::optional<QLinearTypes> qlinearTypes(NodeImporter &n, size_t xs, size_t ws,
                                         int64_t wAxis, int64_t wChannels,
                                         size_t ys) {
  int32_t xc = n.onnxElemType(xs - 1), wc = n.onnxElemType(ws - 1);
  int32_t yc = n.hasInput(ys + 1) ? n.onnxElemType(ys + 1)
                                  : int32_t(onnx::TensorProto::UINT8);
  if (!is8Bit(xc) || !is8Bit(wc) || !is8Bit(yc) || !n.constInput(ws - 1))
    return std::nullopt;
  Type f32 = n.b.getF32Type();
  auto x = dyn_cast_or_null<quant::UniformQuantizedType>(
      constQuantType(n, xc, xs, xs + 1, 0, f32));
  auto y = dyn_cast_or_null<quant::UniformQuantizedType>(
      constQuantType(n, yc, ys, ys + 1, 0, f32));
  quant::QuantizedType w = constQuantType(n, wc, ws, ws + 1, wAxis, f32);
  auto perAxis = dyn_cast_or_null<quant::UniformQuantizedPerAxisType>(w);
  if (!x || !y || !w ||
      (perAxis && (int64_t)perAxis.getScales().size() != wChannels))
    return std::nullopt;
  return QLinearTypes{x, y, w};
}

/// The scales of a per-tensor or per-axis quant type.
SmallVector<double> scalesOf(quant::QuantizedType t) {
  if (auto u = dyn_cast<quant::UniformQuantizedType>(t))
    return {u.getScale()};
  return llvm::to_vector(
      cast<quant::UniformQuantizedPerAxisType>(t).getScales());
}

LogicalResult importQLinearMatMul(NodeImporter &n) {
  // a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zp.
  auto bt = n.inputType(3);
  if (bt.getRank() == 2 && n.inputType(0).getRank() >= 2) {
    // Constant parameters and weights: the QDQ form, which
    // dnn-fuse-quantized computes on the codes.
    if (auto q = qlinearTypes(n, 1, 4, 1, bt.getDimSize(1), 6)) {
      Value y = n.create<dnn::MatMulOp>(dequantized(n, n.input(0), q->x),
                                        dequantized(n, n.input(3), q->w));
      n.setOutput(0, quantized(n, y, q->y));
      return success();
    }
  }
  auto acc = integerMatMul(n, 0, 2, 3, 5);
  if (failed(acc))
    return failure();
  auto at = n.inputType(0);
  int64_t rank = cast<RankedTensorType>(acc->getType()).getRank();
  // Per-row A scales along the result's rows, per-column B scales along its
  // columns.
  auto as = at.getRank() >= 2
                ? quantParam(n, n.input(1), 1, rank - 2,
                             at.getDimSize(at.getRank() - 2), rank)
                : quantParam(n, n.input(1), 1, -1, 1, 0);
  auto bs = quantParam(n, n.input(4), 4, rank - 1,
                       bt.getDimSize(bt.getRank() - 1), rank);
  auto ys = quantParam(n, n.input(6), 6, -1, 1, 0);
  if (failed(as) || failed(bs) || failed(ys))
    return failure();
  Value scale = n.create<dnn::DivOp>(n.create<dnn::MulOp>(*as, *bs), *ys);
  auto y = requantize(n, *acc, scale, 7);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult importConvInteger(NodeImporter &n) {
  // x, w, x_zero_point (per tensor), w_zero_point (per output channel).
  auto x = centered(n, 0, 2, -1);
  if (failed(x))
    return failure();
  auto w = centered(n, 1, 3, 0);
  if (failed(w))
    return failure();
  auto r = convFromAttrs(n, *x, *w, Value());
  if (failed(r))
    return failure();
  n.setOutput(0, *r);
  return success();
}

LogicalResult importQLinearConv(NodeImporter &n) {
  // x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B (int32).
  if (auto q = qlinearTypes(n, 1, 4, 0, n.inputType(3).getDimSize(0), 6)) {
    // Constant parameters and weights: the QDQ form (the int32 bias has
    // scale x_scale * w_scale), which dnn-fuse-quantized computes on the
    // codes.
    Value bias;
    if (n.hasInput(8)) {
      if (!n.inputType(8).getElementType().isInteger(32))
        return n.fail("the bias must be int32");
      SmallVector<double> bs;
      for (double s : scalesOf(q->w))
        bs.push_back(q->x.getScale() * s);
      SmallVector<int64_t> zeros(bs.size(), 0);
      auto bq = makeQuantType(n.b, onnx::TensorProto::INT32, bs, zeros, 0,
                              n.b.getF32Type());
      if (!bq)
        return n.fail("bias scales out of range");
      bias = dequantized(n, n.input(8), bq);
    }
    auto y = convFromAttrs(n, dequantized(n, n.input(0), q->x),
                           dequantized(n, n.input(3), q->w), bias);
    if (failed(y))
      return failure();
    n.setOutput(0, quantized(n, *y, q->y));
    return success();
  }
  auto x = centered(n, 0, 2, -1);
  if (failed(x))
    return failure();
  auto w = centered(n, 3, 5, 0);
  if (failed(w))
    return failure();
  Value bias = n.hasInput(8) ? n.input(8) : Value();
  if (bias && !n.inputType(8).getElementType().isInteger(32))
    return n.fail("the bias must be int32");
  auto acc = convFromAttrs(n, *x, *w, bias);
  if (failed(acc))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  auto xs = quantParam(n, n.input(1), 1, -1, 1, 0);
  auto ws = quantParam(n, n.input(4), 4, 1, n.inputType(3).getDimSize(0), rank);
  auto ys = quantParam(n, n.input(6), 6, -1, 1, 0);
  if (failed(xs) || failed(ws) || failed(ys))
    return failure();
  Value scale = n.create<dnn::DivOp>(n.create<dnn::MulOp>(*xs, *ws), *ys);
  auto y = requantize(n, *acc, scale, 7);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}
/// com.microsoft MatMulNBits (ONNX Runtime's weight-only format): A [.., K]
/// float times B, 4- or 8-bit unsigned codes in blocks of `block_size`
/// along K ([N, K / block_size, block_size * bits / 8] bytes, the first
/// element of a byte in its low nibble), scales [N, K / block_size] and
/// zero points (packed like B, as floats, or by default 2^(bits - 1)), plus
/// an optional bias [N]. The codes stay packed: dnn.weight_quant_matmul.
LogicalResult importMatMulNBits(NodeImporter &n) {
  int64_t k = n.attrInt("K", 0), cols = n.attrInt("N", 0);
  int64_t bits = n.attrInt("bits", 4), block = n.attrInt("block_size", 0);
  auto at = n.inputType(0);
  if (bits != 4 && bits != 8)
    return n.fail("bits=" + std::to_string(bits) +
                  " is not supported (4 and 8 are)");
  if (block < 16 || (block & (block - 1)) || k <= 0 || cols <= 0 || k % block)
    return n.fail("needs K a multiple of block_size, a power of 2 >= 16");
  if (!at.getElementType().isF32() || at.getRank() < 1 ||
      at.getShape().back() != k)
    return n.fail("A must be float32 [.., K]");
  if (n.hasInput(4))
    return n.fail("g_idx (act-order) is not supported");
  int64_t blocks = k / block;
  auto w = dyn_cast_or_null<DenseIntElementsAttr>(n.constInput(1));
  auto sc = dyn_cast_or_null<DenseFPElementsAttr>(n.constInput(2));
  if (!w || !sc || w.getNumElements() != cols * k * bits / 8 ||
      sc.getNumElements() != cols * blocks)
    return n.fail("B and scales must be constants of [N, K / block_size] "
                  "blocks");
  // Zero points as floats [N, blocks].
  SmallVector<float> zps(cols * blocks, float(1 << (bits - 1)));
  if (n.hasInput(3)) {
    DenseElementsAttr z = n.constInput(3);
    if (auto zf = dyn_cast_or_null<DenseFPElementsAttr>(z)) {
      if (zf.getNumElements() != cols * blocks)
        return n.fail("float zero points must be [N, K / block_size]");
      int64_t i = 0;
      for (const APFloat &v : zf.getValues<APFloat>())
        zps[i++] = v.convertToFloat();
    } else if (auto zi = dyn_cast_or_null<DenseIntElementsAttr>(z)) {
      int64_t perRow = (blocks * bits + 7) / 8;
      if (zi.getNumElements() != cols * perRow)
        return n.fail("packed zero points must be [N, ceil(K / block_size * "
                      "bits / 8)]");
      SmallVector<uint8_t> bytes;
      for (const APInt &v : zi.getValues<APInt>())
        bytes.push_back(v.getZExtValue());
      for (int64_t r = 0; r < cols; ++r)
        for (int64_t b = 0; b < blocks; ++b) {
          uint8_t byte = bytes[r * perRow + b * bits / 8];
          zps[r * blocks + b] =
              bits == 8 ? byte : (b % 2 ? byte >> 4 : byte & 15);
        }
    } else {
      return n.fail("zero points must be constants");
    }
  }
  Type f32 = n.b.getF32Type();
  auto wType =
      RankedTensorType::get({cols, k * bits / 8}, n.b.getIntegerType(8));
  auto sType = RankedTensorType::get({cols, blocks}, f32);
  Value weight = n.constant(w.reshape(wType));
  Value scales = n.constant(sc.reshape(sType));
  Value zeros = n.constant(DenseElementsAttr::get(sType, ArrayRef<float>(zps)));
  SmallVector<int64_t> shape(at.getShape().drop_back());
  shape.push_back(cols);
  Value y = n.create<dnn::WeightQuantMatMulOp>(
      RankedTensorType::get(shape, f32), n.input(0), weight, scales, zeros,
      n.b.getI64IntegerAttr(bits), n.b.getI64IntegerAttr(block));
  if (n.hasInput(5))
    y = n.create<dnn::AddOp>(y, n.input(5));
  n.setOutput(0, y);
  return success();
}
} // namespace

void onnximport::registerQuantizedHandlers(HandlerRegistry &r) {
  for (int v : {10, 13, 19}) {
    r.add("QuantizeLinear", v, importQuantizeLinear);
    r.add("DequantizeLinear", v, importDequantizeLinear);
  }
  r.add("MatMulInteger", 10, importMatMulInteger);
  r.add("QLinearMatMul", 10, importQLinearMatMul);
  r.add("ConvInteger", 10, importConvInteger);
  r.add("QLinearConv", 10, importQLinearConv);
  r.add("com.microsoft.MatMulNBits", 1, importMatMulNBits);
  r.allowRuntimeDims({"QuantizeLinear", "DequantizeLinear", "MatMulInteger",
                      "QLinearMatMul", "ConvInteger", "QLinearConv"});
}
