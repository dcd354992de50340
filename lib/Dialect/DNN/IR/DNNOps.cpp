//===- DNNOps.cpp - dnn op verifiers and type inference -------------------===//
//
// Verifiers and result type inference. Folders and canonicalizations live in
// DNNFolds.cpp; the shape rules themselves in DNNShapes.cpp.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Dialect/DNN/IR/DNNOps.h"
#include "dnnc/Dialect/DNN/IR/DNNShapes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

static RankedTensorType rankedType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Checks that `op`'s result type has `expected` shape (dynamic dims in either
/// side are accepted).
static LogicalResult checkResultShape(Operation *op, Type resultType,
                                      ArrayRef<int64_t> expected) {
  auto type = cast<RankedTensorType>(resultType);
  bool ok = type.getRank() == (int64_t)expected.size();
  for (size_t i = 0; ok && i < expected.size(); ++i)
    ok = ShapedType::isDynamic(expected[i]) || type.isDynamicDim(i) ||
         type.getDimSize(i) == expected[i];
  if (ok)
    return success();
  std::string exp;
  llvm::raw_string_ostream os(exp);
  llvm::interleave(expected, os, "x");
  return op->emitOpError("result type ")
         << type << " does not match the expected shape " << exp;
}

//===----------------------------------------------------------------------===//
// Broadcasting ops
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcast(std::optional<Location> loc,
                                    ArrayRef<Value> operands, Type elementType,
                                    SmallVectorImpl<Type> &results) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : operands) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t)
      return emitOptionalError(loc, "operands must be ranked tensors");
    shapes.push_back(t.getShape());
  }
  Shape shape;
  std::string err;
  if (failed(broadcastShapes(shapes, shape, err)))
    return emitOptionalError(loc, err);
  results.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

#define DNN_ARITH_INFER(OP)                                                    \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> l, \
                                     Adaptor a,                                \
                                     SmallVectorImpl<Type> &results) {         \
    auto lt = rankedType(a.getLhs()), rt = rankedType(a.getRhs());             \
    if (lt.getElementType() != rt.getElementType())                            \
      return emitOptionalError(l, "operand element types differ: ", lt,        \
                               " vs ", rt);                                    \
    return inferBroadcast(l, {a.getLhs(), a.getRhs()}, lt.getElementType(),    \
                          results);                                            \
  }
DNN_ARITH_INFER(AddOp)
DNN_ARITH_INFER(SubOp)
DNN_ARITH_INFER(MulOp)
DNN_ARITH_INFER(DivOp)
DNN_ARITH_INFER(MaxOp)
DNN_ARITH_INFER(MinOp)
DNN_ARITH_INFER(ModOp)
DNN_ARITH_INFER(PReluOp)
DNN_ARITH_INFER(ShiftLeftOp)
DNN_ARITH_INFER(ShiftRightOp)
DNN_ARITH_INFER(AndOp)
DNN_ARITH_INFER(OrOp)
DNN_ARITH_INFER(XorOp)
#undef DNN_ARITH_INFER

// Pow allows a different exponent element type (ONNX Pow-12+).
LogicalResult PowOp::inferReturnTypes(MLIRContext *, std::optional<Location> l,
                                      Adaptor a,
                                      SmallVectorImpl<Type> &results) {
  return inferBroadcast(l, {a.getLhs(), a.getRhs()},
                        rankedType(a.getLhs()).getElementType(), results);
}

#define DNN_COMPARE_INFER(OP)                                                  \
  LogicalResult OP::inferReturnTypes(MLIRContext *ctx,                         \
                                     std::optional<Location> l, Adaptor a,     \
                                     SmallVectorImpl<Type> &results) {         \
    auto lt = rankedType(a.getLhs()), rt = rankedType(a.getRhs());             \
    if (lt.getElementType() != rt.getElementType())                            \
      return emitOptionalError(l, "operand element types differ: ", lt,        \
                               " vs ", rt);                                    \
    return inferBroadcast(l, {a.getLhs(), a.getRhs()},                         \
                          IntegerType::get(ctx, 1), results);                  \
  }
DNN_COMPARE_INFER(EqualOp)
DNN_COMPARE_INFER(LessOp)
DNN_COMPARE_INFER(LessEqualOp)
DNN_COMPARE_INFER(GreaterOp)
DNN_COMPARE_INFER(GreaterEqualOp)
#undef DNN_COMPARE_INFER

LogicalResult WhereOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> l, Adaptor a,
                                        SmallVectorImpl<Type> &results) {
  auto xt = rankedType(a.getX()), yt = rankedType(a.getY());
  if (xt.getElementType() != yt.getElementType())
    return emitOptionalError(l, "x and y element types differ");
  return inferBroadcast(l, {a.getCondition(), a.getX(), a.getY()},
                        xt.getElementType(), results);
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> l, Adaptor a,
                                         SmallVectorImpl<Type> &results) {
  auto lt = rankedType(a.getLhs()), rt = rankedType(a.getRhs());
  if (lt.getElementType() != rt.getElementType())
    return emitOptionalError(l, "matmul operand element types differ");
  Shape shape;
  std::string err;
  if (failed(matmulShape(lt.getShape(), rt.getShape(), shape, err)))
    return emitOptionalError(l, err);
  results.push_back(RankedTensorType::get(shape, lt.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

LogicalResult CastOp::verify() {
  if (rankedType(getInput()).getShape() != rankedType(getOutput()).getShape())
    return emitOpError("input and result shapes differ");
  return success();
}

LogicalResult GemmOp::verify() {
  auto at = rankedType(getA()), bt = rankedType(getB());
  if (at.getRank() != 2 || bt.getRank() != 2)
    return emitOpError("A and B must be rank 2");
  int64_t m = getTransA() ? at.getDimSize(1) : at.getDimSize(0);
  int64_t k = getTransA() ? at.getDimSize(0) : at.getDimSize(1);
  int64_t k2 = getTransB() ? bt.getDimSize(1) : bt.getDimSize(0);
  int64_t n = getTransB() ? bt.getDimSize(0) : bt.getDimSize(1);
  if (k != k2 && !ShapedType::isDynamic(k) && !ShapedType::isDynamic(k2))
    return emitOpError("contraction dims differ: ") << k << " vs " << k2;
  Shape shape{m, n};
  if (Value c = getC()) {
    Shape b;
    std::string err;
    bool ok = succeeded(
        broadcastShapes({rankedType(c).getShape(), ArrayRef(shape)}, b, err));
    for (size_t i = 0; ok && i < b.size(); ++i)
      ok = b[i] == shape[i] || ShapedType::isDynamic(shape[i]);
    if (!ok)
      return emitOpError("C does not broadcast to the result shape");
  }
  return checkResultShape(*this, getType(), shape);
}

LogicalResult ConvOp::verify() {
  Shape shape;
  std::string err;
  if (failed(convShape(rankedType(getInput()).getShape(),
                       rankedType(getWeight()).getShape(), getStrides(),
                       getPads(), getDilations(), getGroup(), shape, err)))
    return emitOpError(err);
  if (Value b = getBias()) {
    auto bt = rankedType(b);
    if (bt.getRank() != 1 || bt.getDimSize(0) != shape[1])
      return emitOpError("bias must be a vector of the output channel count");
  }
  return checkResultShape(*this, getType(), shape);
}

LogicalResult Conv2DNhwcOp::verify() {
  auto in = rankedType(getInput()), w = rankedType(getWeight());
  if (in.getRank() != 4 || w.getRank() != 4)
    return emitOpError("input and weight must have rank 4");
  if (getStrides().size() != 2 || getDilations().size() != 2 ||
      getPads().size() != 4)
    return emitOpError("strides/dilations need 2 values and pads 4");
  int64_t c = in.getDimSize(3), f = w.getDimSize(3), group = getGroup();
  if (group < 1 || (!ShapedType::isDynamic(f) && f % group) ||
      (!ShapedType::isDynamic(c) &&
       (c % group || c / group != w.getDimSize(2))))
    return emitOpError("group must divide C and F, with weight "
                       "[KH, KW, C / group, F]");
  Shape shape = {in.getDimSize(0)};
  for (int i = 0; i < 2; ++i)
    shape.push_back(windowOutputSize(
        in.getDimSize(1 + i), w.getDimSize(i), getStrides()[i], getPads()[i],
        getPads()[2 + i], getDilations()[i], false));
  shape.push_back(f);
  if (Value b = getBias()) {
    auto bt = rankedType(b);
    if (bt.getRank() != 1 || bt.getDimSize(0) != f)
      return emitOpError("bias must be a vector of the output channel count");
  }
  return checkResultShape(*this, getType(), shape);
}

/// The window attributes and input zero point of an 8-bit convolution
/// (dnn.qconv2d_nhwc, dnn.qdepthwise_conv2d_nhwc).
template <typename OpTy> static LogicalResult verifyCodesWindow(OpTy op) {
  if (op.getStrides().size() != 2 || op.getDilations().size() != 2 ||
      op.getPads().size() != 4)
    return op.emitOpError("strides/dilations need 2 values and pads 4");
  int64_t zp = op.getInputZeroPoint();
  if (op.getInputUnsigned() ? (zp < 0 || zp > 255) : (zp < -128 || zp > 127))
    return op.emitOpError("input zero point out of the 8-bit range");
  return success();
}

/// The result shape of an 8-bit convolution: [N, OH, OW, channels], its
/// weight [KH, KW, ..].
template <typename OpTy>
static Shape codesWindowShape(OpTy op, int64_t channels) {
  auto in = rankedType(op.getInput()), w = rankedType(op.getWeight());
  Shape shape = {in.getDimSize(0)};
  for (int i = 0; i < 2; ++i)
    shape.push_back(windowOutputSize(
        in.getDimSize(1 + i), w.getDimSize(i), op.getStrides()[i],
        op.getPads()[i], op.getPads()[2 + i], op.getDilations()[i], false));
  shape.push_back(channels);
  return shape;
}

LogicalResult QConv2DNhwcOp::verify() {
  auto in = rankedType(getInput()), w = rankedType(getWeight());
  if (in.getRank() != 4 || w.getRank() != 4)
    return emitOpError("input and weight must have rank 4");
  if (!in.getElementType().isInteger(8) || !w.getElementType().isInteger(8) ||
      !getElementTypeOrSelf(getType()).isInteger(32))
    return emitOpError("takes 8-bit input and weight codes to an i32 result");
  if (failed(verifyCodesWindow(*this)))
    return failure();
  int64_t zp = getInputZeroPoint();
  if (Value z = getZeroPoint()) {
    auto zt = rankedType(z);
    if (zt.getRank() != 0 || !zt.getElementType().isInteger(32) || zp)
      return emitOpError("a run-time zero point is a 0-d i32 tensor, with "
                         "input_zero_point 0");
  }
  int64_t c = in.getDimSize(3);
  if (!ShapedType::isDynamic(c) && c != w.getDimSize(2))
    return emitOpError("weight must be [KH, KW, C, F]");
  return checkResultShape(*this, getType(),
                          codesWindowShape(*this, w.getDimSize(3)));
}

LogicalResult QDepthwiseConv2DNhwcOp::verify() {
  auto in = rankedType(getInput()), w = rankedType(getWeight());
  if (in.getRank() != 4 || w.getRank() != 3)
    return emitOpError("takes input [N, H, W, C] and weight [KH, KW, C]");
  if (!in.getElementType().isInteger(8) || !w.getElementType().isF32() ||
      !getElementTypeOrSelf(getType()).isF32())
    return emitOpError("takes 8-bit input codes and an f32 weight to an f32 "
                       "result");
  if (failed(verifyCodesWindow(*this)))
    return failure();
  int64_t c = in.getDimSize(3);
  if (!ShapedType::isDynamic(c) && c != w.getDimSize(2))
    return emitOpError("weight must be [KH, KW, C]");
  return checkResultShape(*this, getType(), codesWindowShape(*this, c));
}

LogicalResult WeightQuantMatMulOp::verify() {
  auto in = rankedType(getInput()), w = rankedType(getWeight());
  auto s = rankedType(getScales()), z = rankedType(getZeroPoints());
  int64_t bits = getBits(), g = getGroupSize();
  if (bits != 4 && bits != 8)
    return emitOpError("bits must be 4 or 8");
  if (in.getRank() < 1 || w.getRank() != 2 || s.getRank() != 2 ||
      s.getShape() != z.getShape())
    return emitOpError("takes input [.., K], weight [N, K * bits / 8] and "
                       "scales and zero points [N, K / group_size]");
  if (!w.getElementType().isInteger(8) ||
      !isa<FloatType>(in.getElementType()) ||
      s.getElementType() != in.getElementType() ||
      z.getElementType() != in.getElementType())
    return emitOpError("takes float input, scales and zero points and i8 "
                       "weight codes");
  int64_t k = in.getShape().back(), n = w.getDimSize(0);
  if (!ShapedType::isDynamic(k) &&
      (g < 1 || k % g || w.getDimSize(1) * 8 != k * bits ||
       s.getDimSize(1) != k / g || s.getDimSize(0) != n))
    return emitOpError("shapes do not agree: K = ")
           << k << ", group size " << g;
  Shape shape(in.getShape().drop_back());
  shape.push_back(n);
  return checkResultShape(*this, getType(), shape);
}

template <typename PoolOp> static LogicalResult verifyPool(PoolOp op) {
  auto in = rankedType(op.getInput());
  int64_t nsp = in.getRank() - 2;
  if (nsp < 1 || (int64_t)op.getKernelShape().size() != nsp ||
      (int64_t)op.getStrides().size() != nsp ||
      (int64_t)op.getDilations().size() != nsp ||
      (int64_t)op.getPads().size() != 2 * nsp)
    return op.emitOpError("kernel_shape/strides/dilations need one value per "
                          "spatial dim and pads two");
  auto out = rankedType(op.getOutput());
  bool last = op.getChannelsLast();
  bool floatOrMax =
      isa<FloatType>(in.getElementType()) || isa<MaxPoolOp>(op.getOperation());
  if (last && (!in.hasStaticShape() || !floatOrMax ||
               isa<MaxPoolIndicesOp>(op.getOperation())))
    return op.emitOpError("channels_last needs a static input, float unless "
                          "max pooling, and max or average pooling");
  int64_t ch = last ? in.getRank() - 1 : 1, sp0 = last ? 1 : 2;
  if (out.getRank() != in.getRank() || out.getDimSize(0) != in.getDimSize(0) ||
      out.getDimSize(ch) != in.getDimSize(ch))
    return op.emitOpError("result must keep the batch and channel dims");
  for (int64_t i = 0; i < nsp; ++i) {
    int64_t lo = windowOutputSize(
        in.getDimSize(sp0 + i), op.getKernelShape()[i], op.getStrides()[i],
        op.getPads()[i], op.getPads()[nsp + i], op.getDilations()[i], false);
    int64_t hi = windowOutputSize(
        in.getDimSize(sp0 + i), op.getKernelShape()[i], op.getStrides()[i],
        op.getPads()[i], op.getPads()[nsp + i], op.getDilations()[i], true);
    int64_t d = out.getDimSize(sp0 + i);
    if (!ShapedType::isDynamic(d) && !ShapedType::isDynamic(lo) &&
        (d < lo || d > hi))
      return op.emitOpError("spatial dim ")
             << i << " of the result is " << d << ", expected " << lo;
  }
  return success();
}
LogicalResult MaxPoolOp::verify() {
  if (getInputUnsigned() && !getType().getElementType().isInteger())
    return emitOpError("input_unsigned needs integer elements");
  return verifyPool(*this);
}
LogicalResult MaxPoolIndicesOp::verify() {
  if (!getType().getElementType().isInteger(64))
    return emitOpError("result must be i64");
  return verifyPool(*this);
}
LogicalResult AveragePoolOp::verify() { return verifyPool(*this); }

template <typename GlobalOp>
static LogicalResult verifyGlobalPool(GlobalOp op) {
  auto in = rankedType(op.getInput());
  if (in.getRank() < 3)
    return op.emitOpError("input must have rank >= 3");
  Shape expected(in.getShape().take_front(2));
  expected.append(in.getRank() - 2, 1);
  return checkResultShape(op, op.getType(), expected);
}
LogicalResult GlobalAveragePoolOp::verify() { return verifyGlobalPool(*this); }
LogicalResult GlobalMaxPoolOp::verify() { return verifyGlobalPool(*this); }

LogicalResult BatchNormOp::verify() {
  auto in = rankedType(getInput());
  if (in.getRank() < 2)
    return emitOpError("input must have rank >= 2");
  for (Value v : {getScale(), getBias(), getMean(), getVariance()}) {
    auto t = rankedType(v);
    if (t.getRank() != 1 || t.getDimSize(0) != in.getDimSize(1))
      return emitOpError("scale, bias, mean and variance must be vectors of ")
             << in.getDimSize(1) << " channels";
  }
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto in = rankedType(getInput());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= in.getRank())
    return emitOpError("axis ") << axis << " out of range";
  Shape b;
  std::string err;
  ArrayRef<int64_t> norm = in.getShape().drop_front(axis);
  for (Value v : {getScale(), getBias()}) {
    if (!v)
      continue;
    if (failed(broadcastShapes({rankedType(v).getShape(), norm}, b, err)) ||
        ArrayRef(b) != norm)
      return emitOpError("scale/bias must broadcast to the normalized dims");
  }
  return checkResultShape(*this, getType(), in.getShape());
}

LogicalResult SoftmaxOp::verify() {
  if ((int64_t)getAxis() < 0 ||
      (int64_t)getAxis() >= rankedType(getInput()).getRank())
    return emitOpError("axis ") << getAxis() << " out of range";
  return success();
}
LogicalResult LogSoftmaxOp::verify() {
  if ((int64_t)getAxis() < 0 ||
      (int64_t)getAxis() >= rankedType(getInput()).getRank())
    return emitOpError("axis ") << getAxis() << " out of range";
  return success();
}

template <typename ReduceOp> static LogicalResult verifyReduce(ReduceOp op) {
  auto in = rankedType(op.getInput());
  int64_t prev = -1;
  for (int64_t a : op.getAxes()) {
    if (a <= prev || a >= in.getRank())
      return op.emitOpError("axes must be sorted, unique and in [0, rank)");
    prev = a;
  }
  return checkResultShape(
      op, op.getType(),
      reduceShape(in.getShape(), op.getAxes(), op.getKeepdims()));
}
LogicalResult ReduceSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMinOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceProdOp::verify() { return verifyReduce(*this); }

template <typename ArgOp> static LogicalResult verifyArg(ArgOp op) {
  auto in = rankedType(op.getInput());
  if ((int64_t)op.getAxis() < 0 || (int64_t)op.getAxis() >= in.getRank())
    return op.emitOpError("axis out of range");
  if (!rankedType(op.getOutput()).getElementType().isInteger(64))
    return op.emitOpError("result must be i64");
  return checkResultShape(
      op, op.getType(),
      reduceShape(in.getShape(), {(int64_t)op.getAxis()}, op.getKeepdims()));
}
LogicalResult ArgMaxOp::verify() { return verifyArg(*this); }
LogicalResult ArgMinOp::verify() { return verifyArg(*this); }

static LogicalResult verifySameElements(Operation *op, Value in, Value out) {
  auto it = rankedType(in), ot = rankedType(out);
  if (it.getElementType() != ot.getElementType())
    return op->emitOpError("element types differ");
  if (it.hasStaticShape() && ot.hasStaticShape() &&
      it.getNumElements() != ot.getNumElements())
    return op->emitOpError("element counts differ: ")
           << it.getNumElements() << " vs " << ot.getNumElements();
  return success();
}
LogicalResult ReshapeOp::verify() {
  if (Value shape = getShape()) {
    auto st = rankedType(shape);
    if (st.getRank() != 1 || st.isDynamicDim(0) ||
        st.getDimSize(0) != rankedType(getOutput()).getRank())
      return emitOpError("shape must be a 1-D tensor with one entry per "
                         "result dim");
  }
  return verifySameElements(*this, getInput(), getOutput());
}
LogicalResult FlattenOp::verify() {
  if ((int64_t)getAxis() < 0 ||
      (int64_t)getAxis() > rankedType(getInput()).getRank())
    return emitOpError("axis out of range");
  if (rankedType(getOutput()).getRank() != 2)
    return emitOpError("result must be rank 2");
  return verifySameElements(*this, getInput(), getOutput());
}
LogicalResult SqueezeOp::verify() {
  auto in = rankedType(getInput());
  for (int64_t a : getAxes())
    if (a < 0 || a >= in.getRank() ||
        (!in.isDynamicDim(a) && in.getDimSize(a) != 1))
      return emitOpError("axis ") << a << " is not a unit dim";
  return verifySameElements(*this, getInput(), getOutput());
}
LogicalResult UnsqueezeOp::verify() {
  auto out = rankedType(getOutput());
  for (int64_t a : getAxes())
    if (a < 0 || a >= out.getRank() || out.getDimSize(a) != 1)
      return emitOpError("axis ") << a << " is not a unit dim of the result";
  return verifySameElements(*this, getInput(), getOutput());
}

LogicalResult TransposeOp::verify() {
  auto in = rankedType(getInput());
  ArrayRef<int64_t> perm = getPerm();
  if ((int64_t)perm.size() != in.getRank())
    return emitOpError("perm must have one entry per dim");
  Shape expected;
  llvm::SmallVector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOpError("perm is not a permutation");
    seen[p] = true;
    expected.push_back(in.getDimSize(p));
  }
  return checkResultShape(*this, getType(), expected);
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  auto first = rankedType(getInputs()[0]);
  int64_t axis = getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOpError("axis out of range");
  Shape expected(first.getShape());
  expected[axis] = 0;
  for (Value v : getInputs()) {
    auto t = rankedType(v);
    if (t.getRank() != first.getRank() ||
        t.getElementType() != first.getElementType())
      return emitOpError("inputs must agree in rank and element type");
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (i != axis && !t.isDynamicDim(i) && !first.isDynamicDim(i) &&
          t.getDimSize(i) != first.getDimSize(i))
        return emitOpError("inputs differ in dim ") << i;
    if (ShapedType::isDynamic(t.getDimSize(axis)) ||
        ShapedType::isDynamic(expected[axis]))
      expected[axis] = ShapedType::kDynamic;
    else
      expected[axis] += t.getDimSize(axis);
  }
  return checkResultShape(*this, getType(), expected);
}

LogicalResult SplitOp::verify() {
  auto in = rankedType(getInput());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= in.getRank())
    return emitOpError("axis out of range");
  int64_t total = 0;
  for (Value r : getOutputs()) {
    auto t = rankedType(r);
    for (int64_t i = 0; i < in.getRank(); ++i)
      if (i != axis && t.getDimSize(i) != in.getDimSize(i))
        return emitOpError("results must keep every dim but the split axis");
    total = t.isDynamicDim(axis) || ShapedType::isDynamic(total)
                ? ShapedType::kDynamic
                : total + t.getDimSize(axis);
  }
  if (in.hasStaticShape() && !ShapedType::isDynamic(total) &&
      total != in.getDimSize(axis))
    return emitOpError("result sizes sum to ")
           << total << ", not " << in.getDimSize(axis);
  return success();
}

LogicalResult SliceOp::verify() {
  auto in = rankedType(getInput()), out = rankedType(getOutput());
  if ((int64_t)getStarts().size() != in.getRank() ||
      (int64_t)getSteps().size() != in.getRank() ||
      out.getRank() != in.getRank())
    return emitOpError("starts and steps need one entry per dim");
  if (isRuntime()) {
    for (Value v : {getStartValues(), getEndValues()}) {
      auto t = v ? rankedType(v) : RankedTensorType();
      if (!t || t.getRank() != 1 || t.getDimSize(0) != in.getRank())
        return emitOpError("start and end values need one entry per dim");
    }
    for (int64_t s : getSteps())
      if (s == 0)
        return emitOpError("step must not be 0");
    return success();
  }
  for (int64_t i = 0; i < in.getRank(); ++i) {
    int64_t st = getStarts()[i], step = getSteps()[i], n = out.getDimSize(i);
    if (step == 0)
      return emitOpError("step must not be 0");
    if (n == 0 || in.isDynamicDim(i) || ShapedType::isDynamic(n))
      continue;
    int64_t last = st + (n - 1) * step;
    if (st < 0 || st >= in.getDimSize(i) || last < 0 ||
        last >= in.getDimSize(i))
      return emitOpError("slice of dim ") << i << " runs out of bounds";
  }
  return success();
}

LogicalResult GatherOp::verify() {
  auto dt = rankedType(getData()), it = rankedType(getIndices());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= dt.getRank())
    return emitOpError("axis out of range");
  Shape expected(dt.getShape().take_front(axis));
  llvm::append_range(expected, it.getShape());
  llvm::append_range(expected, dt.getShape().drop_front(axis + 1));
  return checkResultShape(*this, getType(), expected);
}

LogicalResult GatherElementsOp::verify() {
  auto dt = rankedType(getData()), it = rankedType(getIndices());
  if ((int64_t)getAxis() < 0 || (int64_t)getAxis() >= dt.getRank())
    return emitOpError("axis out of range");
  if (it.getRank() != dt.getRank())
    return emitOpError("indices must have the rank of data");
  return checkResultShape(*this, getType(), it.getShape());
}

LogicalResult GatherNDOp::verify() {
  auto dt = rankedType(getData()), it = rankedType(getIndices());
  int64_t b = getBatchDims(), m = getTupleSize(), q = it.getRank();
  int64_t last = q ? it.getDimSize(q - 1) : 0;
  if (b < 0 || m < 1 || q < 1 || b + m > dt.getRank() || b > q - 1 ||
      (!ShapedType::isDynamic(last) && last != m))
    return emitOpError("indices must be [b..., g..., tuple_size] with "
                       "batch_dims + tuple_size <= the data rank");
  if (failed(verifyCompatibleShape(dt.getShape().take_front(b),
                                   it.getShape().take_front(b))))
    return emitOpError("batch dims of data and indices differ");
  Shape expected(it.getShape().drop_back());
  llvm::append_range(expected, dt.getShape().drop_front(b + m));
  return checkResultShape(*this, getType(), expected);
}

static LogicalResult verifyReduction(Operation *op, StringRef r) {
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return op->emitOpError("unknown reduction '") << r << "'";
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  auto dt = rankedType(getData()), it = rankedType(getIndices()),
       ut = rankedType(getUpdates());
  if ((int64_t)getAxis() < 0 || (int64_t)getAxis() >= dt.getRank())
    return emitOpError("axis out of range");
  if (it.getShape() != ut.getShape() || it.getRank() != dt.getRank())
    return emitOpError("indices and updates must have the same shape and the "
                       "rank of data");
  if (failed(verifyReduction(*this, getReduction())))
    return failure();
  return checkResultShape(*this, getType(), dt.getShape());
}

LogicalResult ScatterNDOp::verify() {
  auto dt = rankedType(getData()), it = rankedType(getIndices()),
       ut = rankedType(getUpdates());
  if (it.getRank() < 1)
    return emitOpError("indices must have rank >= 1");
  // The tuple length k follows from the ranks: updates has rank q - 1 + r - k.
  int64_t k = it.getRank() - 1 + dt.getRank() - ut.getRank();
  int64_t last = it.getDimSize(it.getRank() - 1);
  if (k < 0 || k > dt.getRank() || (!ShapedType::isDynamic(last) && last != k))
    return emitOpError("updates must have shape indices.shape[:-1] + "
                       "data.shape[k:]");
  Shape expected(it.getShape().drop_back());
  llvm::append_range(expected, dt.getShape().drop_front(k));
  if (failed(verifyCompatibleShape(ut.getShape(), expected)))
    return emitOpError("updates must have shape indices.shape[:-1] + "
                       "data.shape[k:]");
  if (failed(verifyReduction(*this, getReduction())))
    return failure();
  return checkResultShape(*this, getType(), dt.getShape());
}

LogicalResult PadOp::verify() {
  auto in = rankedType(getInput());
  if ((int64_t)getPads().size() != 2 * in.getRank())
    return emitOpError("pads need two entries per dim");
  if (getMode() != "constant" && getMode() != "edge" && getMode() != "reflect")
    return emitOpError("unknown mode '") << getMode() << "'";
  Shape expected;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (getPads()[i] < 0 || getPads()[in.getRank() + i] < 0)
      return emitOpError("negative pads are not supported");
    expected.push_back(in.isDynamicDim(i) ? ShapedType::kDynamic
                                          : in.getDimSize(i) + getPads()[i] +
                                                getPads()[in.getRank() + i]);
  }
  return checkResultShape(*this, getType(), expected);
}

LogicalResult ExpandOp::verify() {
  auto in = rankedType(getInput()), out = rankedType(getOutput());
  Shape b;
  std::string err;
  if (failed(broadcastShapes({in.getShape(), out.getShape()}, b, err)) ||
      ArrayRef(b) != out.getShape())
    return emitOpError("input ") << in << " does not broadcast to " << out;
  return success();
}

LogicalResult TileOp::verify() {
  auto in = rankedType(getInput());
  if ((int64_t)getRepeats().size() != in.getRank())
    return emitOpError("repeats need one entry per dim");
  Shape expected;
  for (int64_t i = 0; i < in.getRank(); ++i)
    expected.push_back(in.isDynamicDim(i) ? ShapedType::kDynamic
                                          : in.getDimSize(i) * getRepeats()[i]);
  return checkResultShape(*this, getType(), expected);
}

LogicalResult ConstantOfShapeOp::verify() {
  auto st = rankedType(getShape()), out = rankedType(getOutput());
  if (st.getRank() != 1 || st.isDynamicDim(0) ||
      st.getDimSize(0) != out.getRank())
    return emitOpError("shape must be 1-D with one entry per result dim");
  if (getValue().getType() != out.getElementType())
    return emitOpError("value must have the result element type");
  return success();
}

LogicalResult NonMaxSuppressionOp::verify() {
  auto bt = rankedType(getBoxes()), st = rankedType(getScores()),
       out = rankedType(getOutput());
  if (bt.getRank() != 3 || st.getRank() != 3 ||
      failed(verifyCompatibleShape(bt.getShape().drop_back(),
                                   {st.getDimSize(0), st.getDimSize(2)})) ||
      (!bt.isDynamicDim(2) && bt.getDimSize(2) != 4))
    return emitOpError("boxes must be [B, S, 4] and scores [B, C, S]");
  if (bt.getElementType() != st.getElementType())
    return emitOpError("boxes and scores must have one element type");
  if (out.getRank() != 2 || out.getDimSize(1) != 3)
    return emitOpError("result must be [count, 3]");
  return success();
}

LogicalResult DetOp::verify() {
  auto in = rankedType(getInput());
  if (in.getRank() != 3 ||
      failed(verifyCompatibleShape({in.getDimSize(1)}, {in.getDimSize(2)})))
    return emitOpError("input must be [B, M, M]");
  if (in.getElementType() != getType().getElementType())
    return emitOpError("result must have the input element type");
  return checkResultShape(*this, getType(), {in.getDimSize(0)});
}

LogicalResult UniqueOp::verify() {
  auto in = rankedType(getInput());
  if (in.getRank() != 2)
    return emitOpError("input must be [N, R]");
  auto f = rankedType(getFirst()), c = rankedType(getCounts());
  if (f.getRank() != 1 || c.getRank() != 1 ||
      failed(verifyCompatibleShape(f.getShape(), c.getShape())))
    return emitOpError("first and counts must be 1-D of one size");
  return checkResultShape(*this, getInverse().getType(), {in.getDimSize(0)});
}

LogicalResult TfIdfVectorizerOp::verify() {
  auto in = rankedType(getInput()), out = rankedType(getOutput());
  size_t grams = getGramLengths().size();
  if (getGramIndexes().size() != grams || getWeights().size() != grams)
    return emitOpError("gram_indexes and weights need one entry per gram");
  int64_t tokens = 0, cols = 0;
  for (auto [len, idx] : llvm::zip(getGramLengths(), getGramIndexes())) {
    if (len < 1 || idx < 0)
      return emitOpError("gram lengths must be positive, indexes non-negative");
    tokens += len;
    cols = std::max(cols, idx + 1);
  }
  if (tokens != (int64_t)getPool().size())
    return emitOpError("the pool must hold the grams' tokens");
  if (getMode() != "TF" && getMode() != "IDF" && getMode() != "TFIDF")
    return emitOpError("mode must be TF, IDF or TFIDF");
  if ((int64_t)getMaxSkipCount() < 0)
    return emitOpError("max_skip_count must be non-negative");
  if (in.getRank() != 2 || out.getRank() != 2)
    return emitOpError("input and result must be [B, N] and [B, K]");
  if (!out.isDynamicDim(1) && out.getDimSize(1) < cols)
    return emitOpError("the result has fewer columns than the gram indexes");
  return checkResultShape(*this, getType(),
                          {in.getDimSize(0), out.getDimSize(1)});
}

LogicalResult RoiAlignOp::verify() {
  auto in = rankedType(getInput()), rois = rankedType(getRois()),
       idx = rankedType(getBatchIndices());
  if (in.getRank() != 4 || rois.getRank() != 2 || idx.getRank() != 1 ||
      (!rois.isDynamicDim(1) && rois.getDimSize(1) != 4) ||
      failed(verifyCompatibleShape({rois.getDimSize(0)}, idx.getShape())))
    return emitOpError("input must be [N, C, H, W], rois [R, 4] and "
                       "batch_indices [R]");
  int64_t oh = getOutputHeight(), ow = getOutputWidth();
  if (oh < 1 || ow < 1 || (int64_t)getSamplingRatio() < 0)
    return emitOpError("output sizes must be positive, sampling_ratio >= 0");
  if (rois.getElementType() != in.getElementType() ||
      getType().getElementType() != in.getElementType())
    return emitOpError("input, rois and result must have one element type");
  return checkResultShape(*this, getType(),
                          {rois.getDimSize(0), in.getDimSize(1), oh, ow});
}

LogicalResult NonZeroOp::verify() {
  auto in = rankedType(getInput()), out = rankedType(getOutput());
  if (out.getRank() != 2 ||
      out.getDimSize(0) != std::max<int64_t>(in.getRank(), 1))
    return emitOpError("result must be [rank, count]");
  return success();
}

LogicalResult RangeOp::verify() {
  Type et = rankedType(getOutput()).getElementType();
  for (Value v : {getStart(), getLimit(), getDelta()}) {
    auto t = rankedType(v);
    if (t.getNumElements() != 1 || t.getElementType() != et)
      return emitOpError("start, limit and delta must be scalars of the "
                         "result element type");
  }
  if (rankedType(getOutput()).getRank() != 1)
    return emitOpError("result must be 1-D");
  return success();
}

LogicalResult ShapeOp::verify() {
  int64_t rank = rankedType(getInput()).getRank();
  if ((int64_t)getStart() < 0 || (int64_t)getEnd() > rank ||
      (int64_t)getStart() > (int64_t)getEnd())
    return emitOpError("start/end out of range");
  return checkResultShape(*this, getType(), {(int64_t)(getEnd() - getStart())});
}

#define GET_OP_CLASSES
#include "dnnc/Dialect/DNN/IR/DNNOps.cpp.inc"
