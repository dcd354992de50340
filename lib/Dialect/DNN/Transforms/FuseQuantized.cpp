//===- FuseQuantized.cpp - dequantize -> conv/matmul -> quantize in integers =//
//
// QDQ models express a quantized convolution as float ops between quant
// casts: conv(dcast(x), dcast(w), b) followed by qcast. Here that becomes an
// i32 convolution of the codes minus their zero points; the scales, the bias
// and the output's zero point apply once per output element, and the result
// goes straight to the output's codes. See the pass description in
// Passes.td.
//
// The rewrite walks the function instead of using the greedy driver: the
// quant dialect folds dcast(qcast(x)) to x, which would drop the rounding a
// QDQ model asks for.
//
//===----------------------------------------------------------------------===//
#include "QuantUtils.h"
#include "dnnc/Dialect/DNN/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include <algorithm>
#include <cmath>

#define DEBUG_TYPE "dnn-fuse-quantized"

namespace dnnc::dnn {
#define GEN_PASS_DEF_DNNFUSEQUANTIZED
#define GEN_PASS_DEF_DNNFUSEINTEGER
#include "dnnc/Dialect/DNN/Transforms/Passes.h.inc"
} // namespace dnnc::dnn

using namespace mlir;
using namespace dnnc::dnn;

namespace {
/// A quantized value and its type's parameters.
struct Quantized {
  Value value;
  QuantParams params;
};

/// The quantized value `v` is the dcast of, if any.
std::optional<Quantized> dequantized(Value v) {
  auto d = v ? v.getDefiningOp<quant::DequantizeCastOp>() : nullptr;
  if (!d)
    return std::nullopt;
  auto p = QuantParams::of(d.getInput().getType());
  if (!p)
    return std::nullopt;
  return Quantized{d.getInput(), *p};
}

/// The codes of a constant quantized tensor (quant.scast of a constant).
DenseIntElementsAttr constantCodes(Value q) {
  auto s = q.getDefiningOp<quant::StorageCastOp>();
  DenseIntElementsAttr a;
  if (!s || !matchPattern(s.getInput(), m_Constant(&a)))
    return {};
  return a;
}

/// Index of element `i` along dim `axis` of `shape`.
int64_t indexAlong(ArrayRef<int64_t> shape, int64_t axis, int64_t i) {
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < (int64_t)shape.size(); ++d)
    inner *= shape[d];
  return (i / inner) % shape[axis];
}

/// The parameter of channel `c` (a per-tensor parameter for every channel).
template <typename T> T at(ArrayRef<T> values, int64_t c) {
  return values.size() == 1 ? values[0] : values[c];
}

/// The real values of a constant quantized tensor of rank 1 and `n` elements
/// (a dequantized int32 bias), or of a float constant; none for no `v`
/// (an absent bias); nullopt when `v` is not constant.
std::optional<SmallVector<double>> constantReals(Value v, int64_t n) {
  DenseFPElementsAttr f;
  SmallVector<double> out;
  if (!v)
    return out;
  if (matchPattern(v, m_Constant(&f))) {
    for (const APFloat &x : f.getValues<APFloat>())
      out.push_back(x.convertToDouble());
  } else if (auto q = dequantized(v)) {
    DenseIntElementsAttr codes = constantCodes(q->value);
    if (!codes)
      return std::nullopt;
    int64_t i = 0;
    for (const APInt &c : codes.getValues<APInt>()) {
      int64_t code = q->params.isSigned ? c.getSExtValue() : c.getZExtValue();
      out.push_back((code - at<int64_t>(q->params.zeroPoints, i)) *
                    at<double>(q->params.scales, i));
      ++i;
    }
  } else {
    return std::nullopt;
  }
  if ((int64_t)out.size() != n)
    return std::nullopt;
  return out;
}

/// The activation operand of an integer op: its codes widened to i32 minus
/// the zero point.
Value centeredActivation(OpBuilder &b, Location loc, const Quantized &x) {
  auto t = cast<RankedTensorType>(x.value.getType());
  Value codes = quant::StorageCastOp::create(
      b, loc, t.clone(x.params.type.getStorageType()), x.value);
  Value v = widenToI32(b, loc, codes, x.params.isSigned);
  if (x.params.zeroPoints[0] == 0)
    return v;
  return SubOp::create(b, loc, v,
                       broadcastConstant(b, loc, b.getI32Type(),
                                         {double(x.params.zeroPoints[0])}, -1,
                                         0));
}

/// The weight's codes minus their zero points, row-major.
SmallVector<int64_t> centeredCodes(const Quantized &w,
                                   DenseIntElementsAttr codes) {
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(w.value.getType()).getShape();
  SmallVector<int64_t> vals;
  int64_t i = 0;
  for (const APInt &c : codes.getValues<APInt>()) {
    int64_t code = w.params.isSigned ? c.getSExtValue() : c.getZExtValue();
    int64_t ch = w.params.perTensor() ? 0 : indexAlong(shape, w.params.axis, i);
    vals.push_back(code - at<int64_t>(w.params.zeroPoints, ch));
    ++i;
  }
  return vals;
}

/// The weight operand: constant codes minus their zero points, as i32, with
/// the last two dims swapped when `transpose` (Gemm's transB).
Value centeredWeight(OpBuilder &b, Location loc, const Quantized &w,
                     DenseIntElementsAttr codes, bool transpose = false) {
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(w.value.getType()).getShape();
  SmallVector<int64_t> centered = centeredCodes(w, codes);
  SmallVector<int32_t> vals(centered.begin(), centered.end());
  SmallVector<int64_t> outShape(shape);
  if (transpose) {
    int64_t rows = shape[0], cols = shape[1];
    SmallVector<int32_t> tv(vals.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        tv[c * rows + r] = vals[r * cols + c];
    vals = std::move(tv);
    std::swap(outShape[0], outShape[1]);
  }
  auto it = RankedTensorType::get(outShape, b.getI32Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(it, ArrayRef<int32_t>(vals)));
}

/// The float output of `root` (a conv or matmul computed as `acc`), scaled
/// per output channel along `axis`: the quantized result when its only use
/// is a qcast (through an optional relu), else the dequantized one. Replaces
/// and erases what it absorbs.
void finish(IRRewriter &rewriter, Operation *root, Value acc,
            ArrayRef<double> accScale, ArrayRef<double> bias, int64_t axis,
            double accBound) {
  Location loc = root->getLoc();
  Value result = root->getResult(0);
  auto rt = cast<RankedTensorType>(result.getType());
  Type ft = rt.getElementType();
  int64_t rank = rt.getRank(), n = accScale.size();
  Value accF =
      acc.getType() == rt ? acc : CastOp::create(rewriter, loc, rt, acc);

  // A relu or clip between the op and the qcast: its bounds in real values.
  Operation *relu = nullptr;
  std::optional<double> realMin, realMax;
  Value out = result;
  if (result.hasOneUse()) {
    Operation *user = *result.getUsers().begin();
    if (isa<ReluOp>(user)) {
      relu = user;
      realMin = 0.0;
    } else if (auto clip = dyn_cast<ClipOp>(user)) {
      relu = user;
      if (auto a = clip.getMinAttr())
        realMin = a.getValueAsDouble();
      if (auto a = clip.getMaxAttr())
        realMax = a.getValueAsDouble();
    }
    if (relu)
      out = relu->getResult(0);
  }
  quant::QuantizeCastOp qcast;
  if (out.hasOneUse())
    qcast = dyn_cast<quant::QuantizeCastOp>(*out.getUsers().begin());
  std::optional<QuantParams> yq;
  if (qcast)
    yq = QuantParams::of(qcast.getType());
  if (!yq || !yq->perTensor()) {
    // Dequantized: acc * sx * sw + b.
    Value y = MulOp::create(rewriter, loc, accF,
                            broadcastConstant(rewriter, loc, ft, accScale,
                                              n > 1 ? axis : -1, rank));
    if (!bias.empty())
      y = AddOp::create(rewriter, loc, y,
                        broadcastConstant(rewriter, loc, ft, bias, axis, rank));
    rewriter.replaceOp(root, y);
    return;
  }
  // Requantized: round(acc * sx * sw / sy + b / sy) + zy, saturated.
  double sy = yq->scales[0];
  SmallVector<double> m, c;
  for (double s : accScale)
    m.push_back(s / sy);
  for (double v : bias)
    c.push_back(v / sy);
  rewriter.setInsertionPoint(qcast);
  Value t = MulOp::create(
      rewriter, loc, accF,
      broadcastConstant(rewriter, loc, ft, m, m.size() > 1 ? axis : -1, rank));
  if (!c.empty())
    t = AddOp::create(rewriter, loc, t,
                      broadcastConstant(rewriter, loc, ft, c, axis, rank));
  int64_t zy = yq->zeroPoints[0];
  // clip(y, a, b) quantizes to clamp(q(y), q(a), q(b)): quantization is
  // monotonic (relu: a = 0, q(0) = zy).
  auto code = [&](double v) {
    return (int64_t)std::clamp(std::nearbyint(v / sy) + zy, -1e18, 1e18);
  };
  int64_t lo = yq->qmin, hi = yq->qmax;
  if (realMin)
    lo = std::clamp(code(*realMin), yq->qmin, yq->qmax);
  if (realMax)
    hi = std::clamp(code(*realMax), lo, yq->qmax);
  // |t| <= |acc| * m + |c|: when that bound fits in i32, the rounded value
  // converts exactly and the zero point and the saturation apply to
  // integers (no NaN can occur, nor the float clamps that order NaNs).
  double tmax = 0;
  for (size_t i = 0; i < std::max(m.size(), c.size()); ++i)
    tmax = std::max(tmax, accBound * at<double>(m, m.size() > 1 ? i : 0) +
                              (c.empty() ? 0.0 : std::abs(c[i % c.size()])));
  Value codes;
  if (std::isfinite(tmax) && tmax + std::abs(double(zy)) + 1 < 2147483648.0) {
    Type i32 = rewriter.getI32Type();
    Value r = RoundOp::create(rewriter, loc, t.getType(), t);
    Value ri = CastOp::create(rewriter, loc, rt.clone(i32), r);
    if (zy)
      ri = AddOp::create(
          rewriter, loc, ri,
          broadcastConstant(rewriter, loc, i32, {double(zy)}, -1, 0));
    ri = ClipOp::create(rewriter, loc, ri.getType(), ri,
                        rewriter.getF64FloatAttr(lo),
                        rewriter.getF64FloatAttr(hi));
    codes =
        yq->width == 32
            ? ri
            : CastOp::create(rewriter, loc,
                             rt.clone(rewriter.getIntegerType(yq->width)), ri);
  } else {
    Value zero = zy ? broadcastConstant(rewriter, loc, ft, {double(zy)}, -1, 0)
                    : Value();
    codes = roundToStorage(rewriter, loc, t, zero, lo, hi, yq->width);
  }
  rewriter.replaceOpWithNewOp<quant::StorageCastOp>(qcast, qcast.getType(),
                                                    codes);
  if (relu)
    rewriter.eraseOp(relu);
  rewriter.eraseOp(root);
}

/// Erases the ops behind `v` (quant casts, widenings, constants) that
/// nothing uses any more.
void eraseDeadCasts(IRRewriter &rewriter, Value v) {
  Operation *op = v ? v.getDefiningOp() : nullptr;
  if (!op || !isOpTriviallyDead(op))
    return;
  SmallVector<Value> operands(op->getOperands());
  rewriter.eraseOp(op);
  for (Value o : operands)
    eraseDeadCasts(rewriter, o);
}

/// The NHWC form of the NCHW type `t`, with element type `et`.
RankedTensorType nhwcType(RankedTensorType t, Type et) {
  return RankedTensorType::get(
      {t.getDimSize(0), t.getDimSize(2), t.getDimSize(3), t.getDimSize(1)}, et);
}

/// A 2-D convolution of 8-bit codes whose centered weights fit in 8 bits:
/// dnn.qconv2d_nhwc on the raw input codes, between the transposes that
/// dnn-channels-last then cancels against its neighbours'. The weight goes
/// to [KH, KW, C, F] i8 at compile time. The input's zero point is `zp`, or
/// the run-time 0-d i32 `zpValue` when given.
Value qconvNhwc(OpBuilder &b, Location loc, ConvOp conv, Value codes,
                int64_t zp, Value zpValue, bool isUnsigned,
                ArrayRef<int64_t> w) {
  auto inT = cast<RankedTensorType>(conv.getInput().getType());
  auto wT = cast<RankedTensorType>(conv.getWeight().getType());
  auto rT = cast<RankedTensorType>(conv.getType());
  int64_t f = wT.getDimSize(0), c = wT.getDimSize(1), kh = wT.getDimSize(2),
          kw = wT.getDimSize(3);
  SmallVector<int8_t> hwcf(w.size());
  for (int64_t o = 0; o < f; ++o)
    for (int64_t i = 0; i < c; ++i)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t z = 0; z < kw; ++z)
          hwcf[((y * kw + z) * c + i) * f + o] =
              w[((o * c + i) * kh + y) * kw + z];
  auto i8 = b.getIntegerType(8);
  auto hwcfT = RankedTensorType::get({kh, kw, c, f}, i8);
  Value weight = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(hwcfT, ArrayRef<int8_t>(hwcf)));
  Value xt = TransposeOp::create(b, loc, nhwcType(inT, i8), codes,
                                 b.getDenseI64ArrayAttr({0, 2, 3, 1}));
  Value y = QConv2DNhwcOp::create(
      b, loc, nhwcType(rT, b.getI32Type()), xt, weight, zpValue,
      conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(),
      b.getI64IntegerAttr(zp), isUnsigned ? b.getUnitAttr() : UnitAttr());
  return TransposeOp::create(b, loc, rT.clone(b.getI32Type()), y,
                             b.getDenseI64ArrayAttr({0, 3, 1, 2}));
}

/// The depthwise `conv` (group = C = F) of the 8-bit `codes` [N, C, H, W] as
/// dnn.qdepthwise_conv2d_nhwc between transposes, with the centered weights
/// `w` (row-major [F, 1, KH, KW]) as f32 [KH, KW, C]; f32 result.
Value qdepthwiseNhwc(OpBuilder &b, Location loc, ConvOp conv, Value codes,
                     int64_t zp, bool isUnsigned, ArrayRef<int64_t> w) {
  auto inT = cast<RankedTensorType>(conv.getInput().getType());
  auto wT = cast<RankedTensorType>(conv.getWeight().getType());
  auto rT = cast<RankedTensorType>(conv.getType());
  int64_t c = wT.getDimSize(0), kh = wT.getDimSize(2), kw = wT.getDimSize(3);
  SmallVector<float> hwc(w.size());
  for (int64_t o = 0; o < c; ++o)
    for (int64_t i = 0; i < kh * kw; ++i)
      hwc[i * c + o] = float(w[o * kh * kw + i]);
  Type f32 = b.getF32Type();
  Value weight = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({kh, kw, c}, f32),
                             ArrayRef<float>(hwc)));
  Value xt = TransposeOp::create(b, loc, nhwcType(inT, b.getIntegerType(8)),
                                 codes, b.getDenseI64ArrayAttr({0, 2, 3, 1}));
  Value y = QDepthwiseConv2DNhwcOp::create(
      b, loc, nhwcType(rT, f32), xt, weight, conv.getStridesAttr(),
      conv.getPadsAttr(), conv.getDilationsAttr(), b.getI64IntegerAttr(zp),
      isUnsigned ? b.getUnitAttr() : UnitAttr());
  return TransposeOp::create(b, loc, rT.clone(f32), y,
                             b.getDenseI64ArrayAttr({0, 3, 1, 2}));
}

/// [.., M, K] codes times the centered constant `w` [K, N] (row-major) as
/// the 1x1 dnn.qconv2d_nhwc of an image of one row of M x .. pixels with K
/// channels; the i32 result has type `resultType` [.., M, N].
Value qconvMatMul(OpBuilder &b, Location loc, Value codes, int64_t zp,
                  Value zpValue, bool isUnsigned, ArrayRef<int64_t> w,
                  RankedTensorType resultType) {
  auto aT = cast<RankedTensorType>(codes.getType());
  int64_t k = aT.getShape().back(), n = resultType.getShape().back();
  int64_t pixels = aT.getNumElements() / k;
  auto i8 = b.getIntegerType(8);
  SmallVector<int8_t> kn(w.begin(), w.end());
  auto wT = RankedTensorType::get({1, 1, k, n}, i8);
  Value weight = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(wT, ArrayRef<int8_t>(kn)));
  Value image = ReshapeOp::create(
      b, loc, RankedTensorType::get({1, 1, pixels, k}, i8), codes);
  auto ones = b.getDenseI64ArrayAttr({1, 1});
  Value y = QConv2DNhwcOp::create(
      b, loc, RankedTensorType::get({1, 1, pixels, n}, b.getI32Type()), image,
      weight, zpValue, ones, b.getDenseI64ArrayAttr({0, 0, 0, 0}), ones,
      b.getI64IntegerAttr(zp), isUnsigned ? b.getUnitAttr() : UnitAttr());
  return ReshapeOp::create(b, loc, resultType.clone(b.getI32Type()), y);
}

/// The storage (8-bit codes) of a quantized value.
Value storageOf(OpBuilder &b, Location loc, const Quantized &x) {
  auto t = cast<RankedTensorType>(x.value.getType());
  return quant::StorageCastOp::create(
      b, loc, t.clone(x.params.type.getStorageType()), x.value);
}

/// The largest |sum (x - zx) * w| over the output channels, for `w` the
/// centered weights, row-major with the `f` output channels outermost
/// (`channelInner`: innermost, [K, F]).
double accumulatorBound(const Quantized &x, ArrayRef<int64_t> w, int64_t f,
                        bool channelInner = false) {
  int64_t zx = x.params.zeroPoints[0];
  double xmax = std::max(zx - x.params.qmin, x.params.qmax - zx);
  SmallVector<double> sums(f, 0.0);
  for (size_t i = 0; i < w.size(); ++i)
    sums[channelInner ? i % f : i / (w.size() / f)] += std::abs(double(w[i]));
  return *llvm::max_element(sums) * xmax;
}

/// conv(dcast(x), dcast(w), b?) with a per-tensor x and a constant w
/// quantized per tensor or per output channel.
LogicalResult fuseConv(IRRewriter &rewriter, ConvOp conv) {
  auto x = dequantized(conv.getInput());
  auto w = dequantized(conv.getWeight());
  if (!x || !w || !x->params.perTensor() ||
      !(w->params.perTensor() || w->params.axis == 0))
    return failure();
  DenseIntElementsAttr codes = constantCodes(w->value);
  if (!codes)
    return failure();
  auto wT = cast<RankedTensorType>(conv.getWeight().getType());
  int64_t f = wT.getDimSize(0);
  std::optional<SmallVector<double>> bias = constantReals(conv.getBias(), f);
  if (!bias)
    return failure();
  rewriter.setInsertionPoint(conv);
  Location loc = conv.getLoc();
  auto rt = cast<RankedTensorType>(conv.getType());
  SmallVector<int64_t> centered = centeredCodes(*w, codes);
  bool is2d =
      rt.getRank() == 4 && rt.hasStaticShape() &&
      cast<RankedTensorType>(conv.getInput().getType()).hasStaticShape() &&
      x->params.width == 8;
  bool fitsI8 =
      llvm::all_of(centered, [](int64_t v) { return v >= -128 && v <= 127; });
  Value acc;
  if (is2d && conv.getGroup() == 1 && fitsI8) {
    // Ungrouped: 8-bit codes, i32 accumulation (VNNI on the CPU).
    acc = qconvNhwc(rewriter, loc, conv, storageOf(rewriter, loc, *x),
                    x->params.zeroPoints[0], Value(), !x->params.isSigned,
                    centered);
  } else if (is2d && conv.getGroup() > 1 && conv.getGroup() == f &&
             wT.getDimSize(1) == 1 &&
             accumulatorBound(*x, centered, f) < double(1 << 24)) {
    // Depthwise: few products per output, summed exactly in f32 from the
    // codes (widened in registers by the kernels).
    acc =
        qdepthwiseNhwc(rewriter, loc, conv, storageOf(rewriter, loc, *x),
                       x->params.zeroPoints[0], !x->params.isSigned, centered);
  } else if (is2d && conv.getGroup() > 1 &&
             accumulatorBound(*x, centered, f) < double(1 << 24)) {
    // Grouped: few products per output, summed exactly in f32 by the float
    // kernels.
    Type f32 = rewriter.getF32Type();
    Value xf = CastOp::create(
        rewriter, loc,
        cast<RankedTensorType>(conv.getInput().getType()).clone(f32),
        centeredActivation(rewriter, loc, *x));
    SmallVector<float> wf(centered.begin(), centered.end());
    Value wc = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(wT.clone(f32), ArrayRef<float>(wf)));
    acc = ConvOp::create(rewriter, loc, rt, xf, wc, Value(),
                         conv.getStridesAttr(), conv.getPadsAttr(),
                         conv.getDilationsAttr(), conv.getGroupAttr());
  } else {
    Value xi = centeredActivation(rewriter, loc, *x);
    Value wi = centeredWeight(rewriter, loc, *w, codes);
    acc = ConvOp::create(rewriter, loc, rt.clone(rewriter.getI32Type()), xi, wi,
                         Value(), conv.getStridesAttr(), conv.getPadsAttr(),
                         conv.getDilationsAttr(), conv.getGroupAttr());
  }
  SmallVector<double> scale;
  for (int64_t o = 0; o < (w->params.perTensor() ? 1 : f); ++o)
    scale.push_back(x->params.scales[0] * at<double>(w->params.scales, o));
  Value input = conv.getInput(), weight = conv.getWeight(), b = conv.getBias();
  finish(rewriter, conv, acc, scale, *bias, 1,
         accumulatorBound(*x, centered, f));
  for (Value v : {input, weight, b})
    eraseDeadCasts(rewriter, v);
  return success();
}

/// matmul(dcast(a), dcast(b)) or gemm(dcast(a), dcast(b), c?) with a
/// per-tensor a and a constant rank-2 b quantized per tensor or per output
/// column.
/// The constant codes of a matmul's weight `w` (quantized per tensor or
/// along its output axis `nAxis`) and the real values of its bias `c` (none
/// when absent); nullopt when either is not constant or the axis differs.
std::optional<std::pair<DenseIntElementsAttr, SmallVector<double>>>
matmulConstants(const Quantized &w, Value c, int64_t nAxis, int64_t n) {
  if (!w.params.perTensor() && w.params.axis != nAxis)
    return std::nullopt;
  DenseIntElementsAttr codes = constantCodes(w.value);
  std::optional<SmallVector<double>> bias = constantReals(c, n);
  if (!codes || !bias)
    return std::nullopt;
  return std::make_pair(codes, *bias);
}

/// matmul(a, dcast(b)) with a float `a` (no quantize before it) and
/// constant 8-bit codes `b` [K, N] (or [N, K] with transB) quantized per
/// tensor or per output column: weight-only quantization, as
/// dnn.weight_quant_matmul on unsigned codes [N, K] (signed ones + 128,
/// their zero points too) with one block of K per column.
LogicalResult fuseWeightOnly(IRRewriter &rewriter, Operation *op, Value a,
                             Value b, Value c, bool transB) {
  auto w = dequantized(b);
  auto aT = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(b.getType());
  if (!w || w->params.width != 8 || bt.getRank() != 2 || !bt.hasStaticShape() ||
      aT.getRank() < 1 || !aT.hasStaticShape() || !aT.getElementType().isF32())
    return failure();
  int64_t nAxis = transB ? 0 : 1, n = bt.getDimSize(nAxis),
          k = bt.getDimSize(1 - nAxis);
  auto consts = matmulConstants(*w, c, nAxis, n);
  if (!consts)
    return failure();
  auto &[codes, bias] = *consts;
  int64_t shift = w->params.isSigned ? 128 : 0;
  SmallVector<int8_t> nk(n * k);
  int64_t i = 0;
  for (const APInt &v : codes.getValues<APInt>()) {
    int64_t code = w->params.isSigned ? v.getSExtValue() : v.getZExtValue();
    int64_t row = i / bt.getDimSize(1), col = i % bt.getDimSize(1);
    int64_t nn = transB ? row : col, kk = transB ? col : row;
    nk[nn * k + kk] = (int8_t)(uint8_t)(code + shift);
    ++i;
  }
  SmallVector<float> scales, zeros;
  for (int64_t o = 0; o < n; ++o) {
    scales.push_back(at<double>(w->params.scales, o));
    zeros.push_back(at<int64_t>(w->params.zeroPoints, o) + shift);
  }
  rewriter.setInsertionPoint(op);
  Location loc = op->getLoc();
  Type f32 = rewriter.getF32Type();
  auto colT = RankedTensorType::get({n, 1}, f32);
  auto wT = RankedTensorType::get({n, k}, rewriter.getIntegerType(8));
  Value y = WeightQuantMatMulOp::create(
      rewriter, loc, op->getResult(0).getType(), a,
      arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(wT, ArrayRef<int8_t>(nk))),
      arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(colT, ArrayRef<float>(scales))),
      arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(colT, ArrayRef<float>(zeros))),
      rewriter.getI64IntegerAttr(8), rewriter.getI64IntegerAttr(k));
  if (!bias.empty())
    y = AddOp::create(rewriter, loc, y,
                      broadcastConstant(rewriter, loc, f32, bias, 0, 1));
  rewriter.replaceOp(op, y);
  for (Value v : {b, c})
    eraseDeadCasts(rewriter, v);
  return success();
}

LogicalResult fuseMatMul(IRRewriter &rewriter, Operation *op, Value a, Value b,
                         Value c, bool transB) {
  auto x = dequantized(a);
  if (!x)
    return fuseWeightOnly(rewriter, op, a, b, c, transB);
  auto w = dequantized(b);
  auto bt = cast<RankedTensorType>(b.getType());
  if (!x || !w || !x->params.perTensor() || bt.getRank() != 2 ||
      cast<RankedTensorType>(a.getType()).getRank() < 2)
    return failure();
  int64_t nAxis = transB ? 0 : 1, n = bt.getDimSize(nAxis);
  auto consts = matmulConstants(*w, c, nAxis, n);
  if (!consts)
    return failure();
  auto &[codes, bias] = *consts;
  rewriter.setInsertionPoint(op);
  Location loc = op->getLoc();
  auto aT = cast<RankedTensorType>(a.getType());
  auto rt = cast<RankedTensorType>(op->getResult(0).getType());
  SmallVector<int64_t> centered = centeredCodes(*w, codes);
  bool fitsI8 =
      llvm::all_of(centered, [](int64_t v) { return v >= -128 && v <= 127; });
  Value acc;
  if (aT.hasStaticShape() && rt.hasStaticShape() && x->params.width == 8 &&
      fitsI8) {
    // [.., M, K] x [K, N]: the 1x1 convolution of an image of one row of
    // M x .. pixels with K channels, on the 8-bit codes.
    int64_t k = aT.getShape().back();
    SmallVector<int64_t> kn(k * n);
    for (int64_t r = 0; r < k; ++r)
      for (int64_t col = 0; col < n; ++col)
        kn[r * n + col] =
            transB ? centered[col * k + r] : centered[r * n + col];
    acc = qconvMatMul(rewriter, loc, storageOf(rewriter, loc, *x),
                      x->params.zeroPoints[0], Value(), !x->params.isSigned, kn,
                      rt);
  } else {
    Value ai = centeredActivation(rewriter, loc, *x);
    Value bi = centeredWeight(rewriter, loc, *w, codes, transB);
    acc = MatMulOp::create(rewriter, loc, ai, bi);
  }
  SmallVector<double> scale;
  for (int64_t o = 0; o < (w->params.perTensor() ? 1 : n); ++o)
    scale.push_back(x->params.scales[0] * at<double>(w->params.scales, o));
  finish(rewriter, op, acc, scale, bias, rt.getRank() - 1,
         accumulatorBound(*x, centered, n, /*channelInner=*/!transB));
  for (Value v : {a, b, c})
    eraseDeadCasts(rewriter, v);
  return success();
}

/// max_pool(dcast(x)) pools the codes of x and dequantizes the result:
/// dequantization is non-decreasing (its scales are not negative; per axis,
/// along the channels, which a window never mixes), so the maximum of a
/// window dequantizes to the maximum of its dequantized values, and padding
/// with the lowest code never wins (every window holds an input element).
/// The result is exact, and a qcast of it to x's own type is the pooled
/// codes themselves: Q(maxpool(DQ(x))) = maxpool(x).
LogicalResult fusePool(IRRewriter &rewriter, MaxPoolOp pool) {
  std::optional<Quantized> x = dequantized(pool.getInput());
  int64_t channel = pool.getChannelsLast() ? pool.getType().getRank() - 1 : 1;
  if (!x || (!x->params.perTensor() && x->params.axis != channel) ||
      llvm::any_of(x->params.scales, [](double s) { return !(s >= 0); }))
    return failure();
  Location loc = pool.getLoc();
  rewriter.setInsertionPoint(pool);
  Value codes = storageOf(rewriter, loc, *x);
  auto pooled = MaxPoolOp::create(
      rewriter, loc,
      pool.getType().clone(getElementTypeOrSelf(codes.getType())), codes,
      pool->getAttrs());
  pooled.setInputUnsigned(!x->params.isSigned);
  Value q = quant::StorageCastOp::create(
      rewriter, loc, pool.getType().clone(x->params.type), pooled);
  for (OpOperand &use : llvm::make_early_inc_range(pool->getUses()))
    if (auto qcast = dyn_cast<quant::QuantizeCastOp>(use.getOwner());
        qcast && qcast.getType() == q.getType())
      rewriter.replaceOp(qcast, q);
  Value input = pool.getInput();
  if (pool->use_empty())
    rewriter.eraseOp(pool);
  else
    rewriter.replaceOpWithNewOp<quant::DequantizeCastOp>(pool, pool.getType(),
                                                         q);
  eraseDeadCasts(rewriter, input);
  return success();
}

struct DNNFuseQuantizedPass
    : dnnc::dnn::impl::DNNFuseQuantizedBase<DNNFuseQuantizedPass> {
  void runOnOperation() override {
    SmallVector<Operation *> roots;
    getOperation().walk([&](Operation *op) {
      if (isa<ConvOp, MatMulOp, GemmOp, MaxPoolOp>(op) &&
          getElementTypeOrSelf(op->getResult(0).getType()).isF32())
        roots.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : roots) {
      if (auto pool = dyn_cast<MaxPoolOp>(op)) {
        (void)fusePool(rewriter, pool);
      } else if (auto conv = dyn_cast<ConvOp>(op)) {
        (void)fuseConv(rewriter, conv);
      } else if (auto mm = dyn_cast<MatMulOp>(op)) {
        (void)fuseMatMul(rewriter, op, mm.getLhs(), mm.getRhs(), Value(),
                         false);
      } else if (auto g = cast<GemmOp>(op);
                 !g.getTransA() && g.getAlpha().convertToFloat() == 1.0f &&
                 (!g.getC() || g.getBeta().convertToFloat() == 1.0f)) {
        (void)fuseMatMul(rewriter, op, g.getA(), g.getB(), g.getC(),
                         g.getTransB());
      }
    }
  }
};

/// 8-bit codes widened to i32 minus a constant zero point:
/// [sub](and(cast(codes), 255) | cast(codes), zp).
struct WidenedCodes {
  Value codes;
  int64_t zeroPoint = 0;
  /// A zero point known at run time: a 0-d i32 widened from 8 bits.
  Value zeroPointValue;
  bool isUnsigned = false;
};

/// `v` when it is one 8-bit value widened to i32 (through reshapes): a
/// run-time zero point, which then lies in the 8-bit range.
Value widenedByte(Value v) {
  Value w = v;
  while (auto r = w.getDefiningOp<ReshapeOp>())
    w = r.getInput();
  auto t = dyn_cast<RankedTensorType>(w.getType());
  if (!t || t.getNumElements() != 1)
    return {};
  if (auto a = w.getDefiningOp<AndOp>())
    w = a.getLhs();
  auto c = w.getDefiningOp<CastOp>();
  if (!c || !getElementTypeOrSelf(c.getInput().getType()).isInteger(8))
    return {};
  return v;
}

std::optional<int64_t> singleConstant(Value v) {
  DenseIntElementsAttr a;
  if (!matchPattern(v, m_Constant(&a)) || a.getNumElements() != 1)
    return std::nullopt;
  return (*a.getValues<APInt>().begin()).getSExtValue();
}

std::optional<WidenedCodes> widenedCodes(Value v) {
  WidenedCodes w;
  if (auto sub = v.getDefiningOp<SubOp>()) {
    if (std::optional<int64_t> zp = singleConstant(sub.getRhs()))
      w.zeroPoint = *zp;
    else if (!(w.zeroPointValue = widenedByte(sub.getRhs())))
      return std::nullopt;
    v = sub.getLhs();
  }
  if (auto a = v.getDefiningOp<AndOp>()) {
    std::optional<int64_t> mask = singleConstant(a.getRhs());
    if (mask != 255)
      return std::nullopt;
    w.isUnsigned = true;
    v = a.getLhs();
  }
  auto c = v.getDefiningOp<CastOp>();
  if (!c || !getElementTypeOrSelf(c.getInput().getType()).isInteger(8))
    return std::nullopt;
  w.codes = c.getInput();
  if (w.isUnsigned ? (w.zeroPoint < 0 || w.zeroPoint > 255)
                   : (w.zeroPoint < -128 || w.zeroPoint > 127))
    return std::nullopt;
  return w;
}

/// The run-time zero point of `x` as a 0-d i32, or null.
Value zeroPointScalar(OpBuilder &b, Location loc, const WidenedCodes &x) {
  if (!x.zeroPointValue)
    return {};
  auto t = cast<RankedTensorType>(x.zeroPointValue.getType());
  if (t.getRank() == 0)
    return x.zeroPointValue;
  return ReshapeOp::create(
      b, loc, RankedTensorType::get({}, t.getElementType()), x.zeroPointValue);
}

/// The values of a constant integer weight when they all fit in 8 bits.
std::optional<SmallVector<int64_t>> weightBytes(Value v) {
  DenseIntElementsAttr a;
  if (!matchPattern(v, m_Constant(&a)))
    return std::nullopt;
  SmallVector<int64_t> out;
  out.reserve(a.getNumElements());
  for (const APInt &x : a.getValues<APInt>()) {
    int64_t i = x.getSExtValue();
    if (i < -128 || i > 127)
      return std::nullopt;
    out.push_back(i);
  }
  return out;
}

struct DNNFuseIntegerPass
    : dnnc::dnn::impl::DNNFuseIntegerBase<DNNFuseIntegerPass> {
  void runOnOperation() override {
    SmallVector<Operation *> roots;
    getOperation().walk([&](Operation *op) {
      if (isa<ConvOp, MatMulOp>(op) &&
          getElementTypeOrSelf(op->getResult(0).getType()).isInteger(32))
        roots.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : roots) {
      auto rt = cast<RankedTensorType>(op->getResult(0).getType());
      if (!rt.hasStaticShape())
        continue;
      std::optional<WidenedCodes> x = widenedCodes(op->getOperand(0));
      std::optional<SmallVector<int64_t>> w = weightBytes(op->getOperand(1));
      if (!x || !w ||
          !cast<RankedTensorType>(x->codes.getType()).hasStaticShape())
        continue;
      rewriter.setInsertionPoint(op);
      Value y;
      if (auto conv = dyn_cast<ConvOp>(op)) {
        if (rt.getRank() != 4 || conv.getGroup() != 1 || conv.getBias())
          continue;
        y = qconvNhwc(rewriter, op->getLoc(), conv, x->codes, x->zeroPoint,
                      zeroPointScalar(rewriter, op->getLoc(), *x),
                      x->isUnsigned, *w);
      } else {
        auto bt = cast<RankedTensorType>(op->getOperand(1).getType());
        if (bt.getRank() != 2 || rt.getRank() < 2)
          continue;
        y = qconvMatMul(rewriter, op->getLoc(), x->codes, x->zeroPoint,
                        zeroPointScalar(rewriter, op->getLoc(), *x),
                        x->isUnsigned, *w, rt);
      }
      Value in = op->getOperand(0), weight = op->getOperand(1);
      rewriter.replaceOp(op, y);
      for (Value v : {in, weight})
        eraseDeadCasts(rewriter, v);
    }
  }
};
} // namespace
