//===- Pooling.cpp - Pooling ops -> linalg pooling named ops --------------===//
//
// MaxPool and AveragePool (any number of spatial dims) pad their input
// (the lowest value / 0) and combine its shifted, strided windows, one per
// kernel position, with one elementwise op that vectorizes along the innermost
// output dim. ceil_mode windows that run past the end padding get extra
// padding that never wins (max) or is not counted (average); average pooling
// divides by a compile-time tensor of window counts. Global pools are
// reductions over the spatial dims.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

namespace {
/// How a pool combines its window: a maximum (of floats, or of integers
/// compared signed or, for max_pool's `input_unsigned`, unsigned) or a sum.
struct WindowCombine {
  bool isMax;
  bool isUnsigned;
  Type et;

  /// The value padding and the accumulator start from: the lowest value
  /// (-inf, the signed minimum, 0 unsigned) or 0.
  TypedAttr init(Builder &b) const {
    if (!isMax || isUnsigned)
      return cast<TypedAttr>(b.getZeroAttr(et));
    return lowestValue(et);
  }
  Value operator()(OpBuilder &b, Location l, Value acc, Value v) const {
    if (!isMax)
      return arith::AddFOp::create(b, l, acc, v);
    if (isa<FloatType>(et))
      return arith::MaximumFOp::create(b, l, acc, v);
    if (isUnsigned)
      return arith::MaxUIOp::create(b, l, acc, v);
    return arith::MaxSIOp::create(b, l, acc, v);
  }
};

template <typename PoolOp> WindowCombine windowCombine(PoolOp op, Type et) {
  if constexpr (std::is_same_v<PoolOp, MaxPoolOp>)
    return {true, op.getInputUnsigned(), et};
  return {false, false, et};
}
} // namespace

/// A reduction generic over (n, c, out..., k...) reading the padded input at
/// out*stride + k*dilation, for windows too large to unroll into views. An
/// empty `window` tensor operand gives the k loops their bounds.
static Value buildPoolingGeneric(OpBuilder &b, Location loc, Value input,
                                 RankedTensorType outT, ArrayRef<int64_t> k,
                                 ArrayRef<int64_t> s, ArrayRef<int64_t> d,
                                 const WindowCombine &combine) {
  int64_t nsp = k.size(), loops = 2 + 2 * nsp;
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> inExprs = {getAffineDimExpr(0, ctx),
                                     getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> outExprs(inExprs), winExprs;
  for (int64_t i = 0; i < nsp; ++i) {
    AffineExpr o = getAffineDimExpr(2 + i, ctx);
    AffineExpr w = getAffineDimExpr(2 + nsp + i, ctx);
    inExprs.push_back(o * s[i] + w * d[i]);
    outExprs.push_back(o);
    winExprs.push_back(w);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inExprs, ctx),
                                 AffineMap::get(loops, 0, winExprs, ctx),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iters(2 + nsp,
                                         utils::IteratorType::parallel);
  iters.append(nsp, utils::IteratorType::reduction);
  Type et = outT.getElementType();
  Value window = tensor::EmptyOp::create(b, loc, k, et);
  Value acc = buildFilled(b, loc, outT, combine.init(b));
  return linalg::GenericOp::create(
             b, loc, TypeRange{outT}, ValueRange{input, window},
             ValueRange{acc}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, combine(nb, nl, a[2], a[0]));
             })
      .getResult(0);
}

/// The output size of a window op along one spatial dim of run-time size
/// `in` (ONNX semantics, as windowOutputSize).
static Value windowOutDim(OpBuilder &b, Location l, Value in, int64_t k,
                          int64_t s, int64_t lo, int64_t hi, int64_t d,
                          bool ceil) {
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, l, v); };
  Value span = arith::SubIOp::create(
      b, l, arith::AddIOp::create(b, l, in, c(lo + hi)), c((k - 1) * d + 1));
  Value out = ceil ? (Value)arith::CeilDivSIOp::create(b, l, span, c(s))
                   : arith::FloorDivSIOp::create(b, l, span, c(s));
  out = arith::AddIOp::create(b, l, out, c(1));
  if (ceil) {
    // The last window must start inside the input or the begin padding.
    Value last = arith::MulIOp::create(
        b, l, arith::SubIOp::create(b, l, out, c(1)), c(s));
    Value past = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, last,
                                       arith::AddIOp::create(b, l, in, c(lo)));
    out = arith::SelectOp::create(b, l, past,
                                  arith::SubIOp::create(b, l, out, c(1)), out);
  }
  return arith::MaxSIOp::create(b, l, out, c(0));
}

/// Inside a generic over (n, c, out..., k...): the input position read by
/// the current window tap (clamped into the input) and whether it lies
/// inside the input (`valid`) rather than in the padding.
static SmallVector<Value> windowTap(OpBuilder &nb, Location nl,
                                    ArrayRef<Value> in, ArrayRef<int64_t> s,
                                    ArrayRef<int64_t> d, ArrayRef<int64_t> lo,
                                    Value &valid) {
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nb, nl, v);
  };
  int64_t nsp = s.size();
  SmallVector<Value> idx = {linalg::IndexOp::create(nb, nl, 0),
                            linalg::IndexOp::create(nb, nl, 1)};
  valid = arith::ConstantIntOp::create(nb, nl, 1, 1);
  for (int64_t i = 0; i < nsp; ++i) {
    Value o = linalg::IndexOp::create(nb, nl, 2 + i);
    Value w = linalg::IndexOp::create(nb, nl, 2 + nsp + i);
    Value x = arith::SubIOp::create(
        nb, nl,
        arith::AddIOp::create(nb, nl,
                              arith::MulIOp::create(nb, nl, o, cst(s[i])),
                              arith::MulIOp::create(nb, nl, w, cst(d[i]))),
        cst(lo[i]));
    Value ge =
        arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, x, cst(0));
    Value lt =
        arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, x, in[2 + i]);
    valid = arith::AndIOp::create(nb, nl, valid,
                                  arith::AndIOp::create(nb, nl, ge, lt));
    Value last = arith::SubIOp::create(nb, nl, in[2 + i], cst(1));
    idx.push_back(arith::MaxSIOp::create(
        nb, nl, arith::MinSIOp::create(nb, nl, x, last), cst(0)));
  }
  return idx;
}

/// The loop nest of a window reduction with run-time dims: a generic over
/// (n, c, out..., k...) whose k loops take their bounds from an empty tensor
/// of the kernel shape.
struct WindowNest {
  SmallVector<Value> in, out; // input and output sizes
  Value window;
  AffineMap windowMap, outMap;
  SmallVector<utils::IteratorType> iters;
};

template <typename PoolOp>
static WindowNest buildWindowNest(OpBuilder &b, Location loc, PoolOp op) {
  WindowNest w;
  Value input = op.getInput();
  auto inT = cast<RankedTensorType>(input.getType());
  int64_t nsp = inT.getRank() - 2, loops = 2 + 2 * nsp;
  ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                    d = op.getDilations(), pads = op.getPads();
  for (int64_t i = 0; i < inT.getRank(); ++i)
    w.in.push_back(dimValue(b, loc, input, i));
  w.out = {w.in[0], w.in[1]};
  for (int64_t i = 0; i < nsp; ++i)
    w.out.push_back(windowOutDim(b, loc, w.in[2 + i], k[i], s[i], pads[i],
                                 pads[nsp + i], d[i], op.getCeilMode()));
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> outExprs = {getAffineDimExpr(0, ctx),
                                      getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> winExprs;
  for (int64_t i = 0; i < nsp; ++i) {
    outExprs.push_back(getAffineDimExpr(2 + i, ctx));
    winExprs.push_back(getAffineDimExpr(2 + nsp + i, ctx));
  }
  w.windowMap = AffineMap::get(loops, 0, winExprs, ctx);
  w.outMap = AffineMap::get(loops, 0, outExprs, ctx);
  w.iters.assign(2 + nsp, utils::IteratorType::parallel);
  w.iters.append(nsp, utils::IteratorType::reduction);
  w.window = tensor::EmptyOp::create(b, loc, k, inT.getElementType());
  return w;
}

/// Pooling with run-time spatial dims: one reduction generic over (n, c,
/// out..., k...) that reads the unpadded input by index and skips positions
/// outside it; average pooling then divides by the window counts, computed
/// per output position from the same bounds.
template <typename PoolOp>
static Value lowerDynamicPool(OpBuilder &b, Location loc, PoolOp op,
                              const WindowCombine &combine, bool includePad) {
  Value input = op.getInput();
  auto inT = cast<RankedTensorType>(input.getType());
  auto resT = cast<RankedTensorType>(op.getType());
  Type et = inT.getElementType();
  int64_t nsp = inT.getRank() - 2;
  ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                    d = op.getDilations(), pads = op.getPads();
  WindowNest nest = buildWindowNest(b, loc, op);
  ArrayRef<Value> in = nest.in, out = nest.out;
  TypedAttr init = combine.init(b);
  Value acc = buildFilled(b, loc, resT, init, dynamicDims(resT, out));
  auto cst = [](OpBuilder &nb, Location nl, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nb, nl, v);
  };
  Value r =
      linalg::GenericOp::create(
          b, loc, TypeRange{resT}, ValueRange{nest.window}, ValueRange{acc},
          ArrayRef<AffineMap>{nest.windowMap, nest.outMap}, nest.iters,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value valid;
            SmallVector<Value> idx =
                windowTap(nb, nl, in, s, d, pads.take_front(nsp), valid);
            Value v = tensor::ExtractOp::create(nb, nl, input, idx);
            v = arith::SelectOp::create(
                nb, nl, valid, v, arith::ConstantOp::create(nb, nl, init));
            linalg::YieldOp::create(nb, nl, combine(nb, nl, a[1], v));
          })
          .getResult(0);
  if (combine.isMax)
    return r;
  // Divide by the number of window positions inside [0, in) (or, counting
  // padding, inside [-pad_begin, in + pad_end)).
  return buildElementwise(
      b, loc, resT, r,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value count = cst(nb, nl, 1);
        for (int64_t i = 0; i < nsp; ++i) {
          Value o = linalg::IndexOp::create(nb, nl, 2 + i);
          Value base = arith::SubIOp::create(
              nb, nl, arith::MulIOp::create(nb, nl, o, cst(nb, nl, s[i])),
              cst(nb, nl, pads[i]));
          Value lo = includePad ? cst(nb, nl, -pads[i]) : cst(nb, nl, 0);
          Value hi = includePad
                         ? (Value)arith::AddIOp::create(
                               nb, nl, in[2 + i], cst(nb, nl, pads[nsp + i]))
                         : in[2 + i];
          Value n = cst(nb, nl, 0);
          for (int64_t w = 0; w < k[i]; ++w) {
            Value x =
                arith::AddIOp::create(nb, nl, base, cst(nb, nl, w * d[i]));
            Value inside = arith::AndIOp::create(
                nb, nl,
                arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, x, lo),
                arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, x,
                                      hi));
            n = arith::AddIOp::create(nb, nl, n,
                                      arith::SelectOp::create(nb, nl, inside,
                                                              cst(nb, nl, 1),
                                                              cst(nb, nl, 0)));
          }
          count = arith::MulIOp::create(nb, nl, count, n);
        }
        return arith::DivFOp::create(nb, nl, a[0],
                                     indexAsScalar(nb, nl, count, et));
      },
      out);
}

namespace {
/// MaxPool's Indices: a reduction generic over (n, c, out..., k...) carrying
/// the best value and its flat input position; a tap replaces them only when
/// strictly greater, so ties keep the first tap.
struct MaxPoolIndicesLowering : OpRewritePattern<MaxPoolIndicesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolIndicesOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value input = op.getInput();
    auto inT = cast<RankedTensorType>(input.getType());
    auto resT = cast<RankedTensorType>(op.getType());
    Type et = inT.getElementType();
    int64_t rank = inT.getRank(), nsp = rank - 2;
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(),
                      pads = op.getPads();
    WindowNest nest = buildWindowNest(b, loc, op);
    ArrayRef<Value> in = nest.in, out = nest.out;
    auto valT = RankedTensorType::get(resT.getShape(), et);
    Value bestV =
        buildFilled(b, loc, valT, lowestValue(et), dynamicDims(valT, out));
    Value bestI = buildFilled(b, loc, resT, b.getI64IntegerAttr(-1),
                              dynamicDims(resT, out));
    // Flat position: row-major over (n, c, spatial...), or with the spatial
    // dims in reverse order (column-major storage).
    SmallVector<int64_t> order = {0, 1};
    for (int64_t i = 0; i < nsp; ++i)
      order.push_back(op.getColumnMajor() ? rank - 1 - i : 2 + i);
    bool f = isa<FloatType>(et);
    auto g = linalg::GenericOp::create(
        b, loc, TypeRange{valT, resT}, ValueRange{nest.window},
        ValueRange{bestV, bestI},
        ArrayRef<AffineMap>{nest.windowMap, nest.outMap, nest.outMap},
        nest.iters, [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value valid;
          SmallVector<Value> idx =
              windowTap(nb, nl, in, s, d, pads.take_front(nsp), valid);
          Value v = tensor::ExtractOp::create(nb, nl, input, idx);
          Value flat = arith::ConstantIndexOp::create(nb, nl, 0);
          for (int64_t dim : order)
            flat = arith::AddIOp::create(
                nb, nl, arith::MulIOp::create(nb, nl, flat, in[dim]), idx[dim]);
          Value gt = f ? (Value)arith::CmpFOp::create(
                             nb, nl, arith::CmpFPredicate::OGT, v, a[1])
                       : arith::CmpIOp::create(
                             nb, nl, arith::CmpIPredicate::sgt, v, a[1]);
          // The first valid tap always counts (the initial value may equal
          // the input's lowest value).
          Value none = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::slt, a[2],
              arith::ConstantIntOp::create(nb, nl, nb.getI64Type(), 0));
          Value take = arith::AndIOp::create(
              nb, nl, valid, arith::OrIOp::create(nb, nl, gt, none));
          Value pos = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), flat);
          linalg::YieldOp::create(
              nb, nl,
              ValueRange{arith::SelectOp::create(nb, nl, take, v, a[1]),
                         arith::SelectOp::create(nb, nl, take, pos, a[2])});
        });
    rewriter.replaceOp(op, g.getResult(1));
    return success();
  }
};

template <typename PoolOp> struct PoolLowering : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  static constexpr bool isMax = std::is_same_v<PoolOp, MaxPoolOp>;
  static constexpr int64_t kMaxTaps = 64;

  LogicalResult matchAndRewrite(PoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto resT = cast<RankedTensorType>(op.getType());
    Type et = inT.getElementType();
    if (!isa<FloatType>(et) && !isMax)
      return rewriter.notifyMatchFailure(op, "integer average pooling");
    WindowCombine combine = windowCombine(op, et);
    bool last = op.getChannelsLast();
    if (!inT.hasStaticShape() || !resT.hasStaticShape()) {
      if (last)
        return rewriter.notifyMatchFailure(op, "dynamic channels-last pool");
      bool includePad = false;
      if constexpr (!isMax)
        includePad = op.getCountIncludePad();
      rewriter.replaceOp(
          op, lowerDynamicPool(rewriter, loc, op, combine, includePad));
      return success();
    }
    int64_t nsp = inT.getRank() - 2;
    // The first spatial dim.
    int64_t sp0 = last ? 1 : 2;
    SmallVector<int64_t> k(op.getKernelShape()), s(op.getStrides()),
        d(op.getDilations()), lo(op.getPads().take_front(nsp)),
        hi(op.getPads().drop_front(nsp));
    SmallVector<int64_t> inShape(inT.getShape()), outShape(resT.getShape());
    int64_t taps = 1;
    for (int64_t x : k)
      taps *= x;
    // Extra end padding so every (ceil-mode) window fits.
    SmallVector<int64_t> extra(nsp, 0), padded(inShape);
    bool anyPad = false;
    for (int64_t i = 0; i < nsp; ++i) {
      int64_t need = (outShape[sp0 + i] - 1) * s[i] + (k[i] - 1) * d[i] + 1;
      int64_t have = inShape[sp0 + i] + lo[i] + hi[i];
      extra[i] = std::max<int64_t>(0, need - have);
      padded[sp0 + i] = have + extra[i];
      anyPad |= lo[i] || hi[i] || extra[i];
    }
    Value input = op.getInput();
    if (anyPad) {
      SmallVector<OpFoldResult> l(inT.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> h(l);
      for (int64_t i = 0; i < nsp; ++i) {
        l[sp0 + i] = rewriter.getIndexAttr(lo[i]);
        h[sp0 + i] = rewriter.getIndexAttr(hi[i] + extra[i]);
      }
      Value padVal =
          arith::ConstantOp::create(rewriter, loc, combine.init(rewriter));
      input = tensor::PadOp::create(rewriter, loc,
                                    RankedTensorType::get(padded, et), input, l,
                                    h, padVal);
    }
    // Combine the shifted, strided windows with one elementwise op; large
    // windows use a reduction generic.
    SmallVector<Value> slices;
    if (taps <= kMaxTaps)
      slices = buildWindowSlices(rewriter, loc, input, outShape, k, s, d, last);
    else if (last)
      return rewriter.notifyMatchFailure(op, "large channels-last window");
    else
      slices.push_back(
          buildPoolingGeneric(rewriter, loc, input, resT, k, s, d, combine));
    if constexpr (isMax) {
      if (slices.size() == 1) {
        rewriter.replaceOp(op, slices[0]);
        return success();
      }
      Value result = buildElementwise(
          rewriter, loc, resT, slices,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value m = a[0];
            for (Value v : a.drop_front())
              m = combine(b, l, m, v);
            return m;
          });
      rewriter.replaceOp(op, result);
      return success();
    }
    // Average: divide by the window element counts, computed at compile
    // time per spatial dim and multiplied (they are independent per dim).
    bool includePad = false;
    if constexpr (!isMax)
      includePad = op.getCountIncludePad();
    SmallVector<SmallVector<float>> perDim(nsp);
    for (int64_t i = 0; i < nsp; ++i) {
      int64_t start = includePad ? 0 : lo[i];
      int64_t lim = includePad ? inShape[sp0 + i] + lo[i] + hi[i]
                               : inShape[sp0 + i] + lo[i];
      for (int64_t p = 0; p < outShape[sp0 + i]; ++p) {
        int64_t cnt = 0;
        for (int64_t t = 0; t < k[i]; ++t) {
          int64_t x = p * s[i] + t * d[i];
          cnt += x >= start && x < lim;
        }
        perDim[i].push_back((float)cnt);
      }
    }
    SmallVector<int64_t> cshape(outShape.begin() + sp0,
                                outShape.begin() + sp0 + nsp);
    int64_t total = 1;
    for (int64_t x : cshape)
      total *= x;
    SmallVector<float> counts(total);
    for (int64_t flat = 0; flat < total; ++flat) {
      int64_t rem = flat;
      float c = 1;
      for (int64_t i = nsp - 1; i >= 0; --i) {
        c *= perDim[i][rem % cshape[i]];
        rem /= cshape[i];
      }
      counts[flat] = c;
    }
    // Channels last: [spatial..., 1] broadcasts over the channels.
    if (last)
      cshape.push_back(1);
    auto cT = RankedTensorType::get(cshape, rewriter.getF32Type());
    Value cnt = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(cT, ArrayRef<float>(counts)));
    slices.push_back(cnt);
    Value result =
        buildElementwise(rewriter, loc, resT, slices,
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                           Value acc = a[0];
                           for (Value v : a.drop_front().drop_back())
                             acc = arith::AddFOp::create(b, l, acc, v);
                           Value c = a.back();
                           if (c.getType() != et)
                             c = et.getIntOrFloatBitWidth() > 32
                                     ? (Value)arith::ExtFOp::create(b, l, et, c)
                                     : arith::TruncFOp::create(b, l, et, c);
                           return arith::DivFOp::create(b, l, acc, c);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename GlobalOp>
struct GlobalPoolLowering : OpRewritePattern<GlobalOp> {
  using OpRewritePattern<GlobalOp>::OpRewritePattern;
  static constexpr bool isMax = std::is_same_v<GlobalOp, GlobalMaxPoolOp>;
  LogicalResult matchAndRewrite(GlobalOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    Type et = inT.getElementType();
    if (!isa<FloatType>(et))
      return rewriter.notifyMatchFailure(op, "integer global pooling");
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i < inT.getRank(); ++i)
      axes.push_back(i);
    Value count = elementCount(rewriter, loc, op.getInput(), axes);
    Value r;
    if constexpr (isMax) {
      r = buildReduction(rewriter, loc, op.getInput(), axes, lowestValue(et),
                         [](OpBuilder &b, Location l, Value acc, Value x) {
                           return arith::MaximumFOp::create(b, l, acc, x);
                         });
    } else {
      r = buildReduction(rewriter, loc, op.getInput(), axes,
                         cast<TypedAttr>(rewriter.getZeroAttr(et)),
                         [](OpBuilder &b, Location l, Value acc, Value x) {
                           return arith::AddFOp::create(b, l, acc, x);
                         });
      auto rt = cast<RankedTensorType>(r.getType());
      r = buildElementwise(
          rewriter, loc, rt, r,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::DivFOp::create(b, l, a[0],
                                         indexAsScalar(b, l, count, et));
          });
    }
    rewriter.replaceOp(op, buildReshape(rewriter, loc, r,
                                        cast<RankedTensorType>(op.getType())));
    return success();
  }
};
} // namespace

void dnnc::populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<PoolLowering<MaxPoolOp>, PoolLowering<AveragePoolOp>,
               GlobalPoolLowering<GlobalAveragePoolOp>,
               GlobalPoolLowering<GlobalMaxPoolOp>, MaxPoolIndicesLowering>(
      patterns.getContext());
}
