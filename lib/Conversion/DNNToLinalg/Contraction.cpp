//===- Contraction.cpp - MatMul, Gemm and Conv -> linalg ------------------===//
//
// MatMul becomes linalg.matmul (rank 2, or a rank-N lhs with a rank-2 rhs
// folded into rows) or linalg.batch_matmul on broadcast, collapsed batch
// dims. Gemm becomes a matmul accumulating into the broadcast bias.
// Convolutions pad their input and become linalg convolution named ops
// (plain or grouped) accumulating into the broadcast bias; the CPU pipeline
// later rewrites them into matmuls (dnnc-conv-to-matmul). Depthwise
// convolutions become a sum of shifted input windows times per-channel
// weights: one elementwise op that vectorizes.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

/// Broadcasts `v` to `type` (no-op when equal).
static Value broadcastTo(OpBuilder &b, Location loc, Value v,
                         RankedTensorType type) {
  if (v.getType() == type)
    return v;
  return buildElementwise(
      b, loc, type, v,
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

static Value zeros(OpBuilder &b, Location loc, RankedTensorType type) {
  return buildFilled(b, loc, type,
                     cast<TypedAttr>(b.getZeroAttr(type.getElementType())));
}

/// Depthwise/pooling windows up to this many taps become elementwise ops.
static constexpr int64_t kMaxWindow = 64;

static bool isFloatTensor(Value v) {
  return isa<FloatType>(cast<RankedTensorType>(v.getType()).getElementType());
}

namespace {
struct MatMulLowering : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto lt = cast<RankedTensorType>(op.getLhs().getType());
    auto rt = cast<RankedTensorType>(op.getRhs().getType());
    auto resT = cast<RankedTensorType>(op.getType());
    if (!lt.hasStaticShape() || !rt.hasStaticShape() || !resT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Type et = resT.getElementType();
    Value lhs = op.getLhs(), rhs = op.getRhs();
    // Promote vectors to matrices.
    if (lt.getRank() == 1) {
      lt = RankedTensorType::get({1, lt.getDimSize(0)}, et);
      lhs = buildReshape(rewriter, loc, lhs, lt);
    }
    if (rt.getRank() == 1) {
      rt = RankedTensorType::get({rt.getDimSize(0), 1}, et);
      rhs = buildReshape(rewriter, loc, rhs, rt);
    }
    int64_t m = lt.getDimSize(lt.getRank() - 2),
            k = lt.getDimSize(lt.getRank() - 1);
    int64_t n = rt.getDimSize(rt.getRank() - 1);
    int64_t lb = lt.getNumElements() / (m * k),
            rb = rt.getNumElements() / (k * n);
    Value result;
    if (rb == 1 && (rt.getRank() == 2 || lb >= 1)) {
      // All lhs batches share one rhs: fold batches into rows.
      int64_t rows = lb * m;
      auto l2 = RankedTensorType::get({rows, k}, et);
      auto r2 = RankedTensorType::get({k, n}, et);
      auto o2 = RankedTensorType::get({rows, n}, et);
      Value l = buildReshape(rewriter, loc, lhs, l2);
      Value r = buildReshape(rewriter, loc, rhs, r2);
      result = linalg::MatmulOp::create(rewriter, loc, TypeRange{o2},
                                        ValueRange{l, r},
                                        ValueRange{zeros(rewriter, loc, o2)})
                   .getResult(0);
    } else {
      // Broadcast both operands to the full batch shape, collapse it.
      // Batch shape: the result's, without the promoted matrix dims.
      SmallVector<int64_t> batch(resT.getShape());
      if (cast<RankedTensorType>(op.getLhs().getType()).getRank() != 1)
        batch.pop_back();
      if (cast<RankedTensorType>(op.getRhs().getType()).getRank() != 1)
        batch.pop_back();
      int64_t nb = 1;
      for (int64_t d : batch)
        nb *= d;
      SmallVector<int64_t> lfull(batch), rfull(batch);
      lfull.append({m, k});
      rfull.append({k, n});
      Value l =
          broadcastTo(rewriter, loc, lhs, RankedTensorType::get(lfull, et));
      Value r =
          broadcastTo(rewriter, loc, rhs, RankedTensorType::get(rfull, et));
      auto l3 = RankedTensorType::get({nb, m, k}, et);
      auto r3 = RankedTensorType::get({nb, k, n}, et);
      auto o3 = RankedTensorType::get({nb, m, n}, et);
      l = buildReshape(rewriter, loc, l, l3);
      r = buildReshape(rewriter, loc, r, r3);
      result = linalg::BatchMatmulOp::create(
                   rewriter, loc, TypeRange{o3}, ValueRange{l, r},
                   ValueRange{zeros(rewriter, loc, o3)})
                   .getResult(0);
    }
    rewriter.replaceOp(op, buildReshape(rewriter, loc, result, resT));
    return success();
  }
};

struct GemmLowering : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resT = cast<RankedTensorType>(op.getType());
    if (!resT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    if (!isFloatTensor(op.getA()))
      return rewriter.notifyMatchFailure(op, "integer gemm");
    Type et = resT.getElementType();
    auto transpose = [&](Value v) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      auto tt = RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)}, et);
      Value init = tensor::EmptyOp::create(rewriter, loc, tt.getShape(), et);
      return linalg::TransposeOp::create(rewriter, loc, v, init,
                                         ArrayRef<int64_t>{1, 0})
          .getResult()[0];
    };
    Value a = op.getTransA() ? transpose(op.getA()) : op.getA();
    Value b = op.getTransB() ? transpose(op.getB()) : op.getB();
    float alpha = op.getAlpha().convertToFloat();
    float beta = op.getBeta().convertToFloat();
    Value c = op.getC();
    bool biasInit = c && alpha == 1.0f && beta == 1.0f;
    Value init = biasInit ? broadcastTo(rewriter, loc, c, resT)
                          : zeros(rewriter, loc, resT);
    Value prod = linalg::MatmulOp::create(rewriter, loc, TypeRange{resT},
                                          ValueRange{a, b}, ValueRange{init})
                     .getResult(0);
    if (!biasInit && (alpha != 1.0f || (c && beta != 0.0f))) {
      SmallVector<Value> ins = {prod};
      if (c && beta != 0.0f)
        ins.push_back(c);
      prod = buildElementwise(
          rewriter, loc, resT, ins,
          [&](OpBuilder &nb, Location nl, ValueRange x) {
            Value v = arith::MulFOp::create(nb, nl, x[0],
                                            scalarConst(nb, nl, et, alpha));
            if (x.size() > 1)
              v = arith::AddFOp::create(
                  nb, nl, v,
                  arith::MulFOp::create(nb, nl, x[1],
                                        scalarConst(nb, nl, et, beta)));
            return v;
          });
    }
    rewriter.replaceOp(op, prod);
    return success();
  }
};

struct ConvLowering : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto wT = cast<RankedTensorType>(op.getWeight().getType());
    auto resT = cast<RankedTensorType>(op.getType());
    if (!inT.hasStaticShape() || !wT.hasStaticShape() || !resT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    if (!isFloatTensor(op.getInput()))
      return rewriter.notifyMatchFailure(op, "integer convolution");
    int64_t nsp = inT.getRank() - 2;
    Type et = inT.getElementType();
    Value input = op.getInput(), weight = op.getWeight();
    SmallVector<int64_t> strides(op.getStrides()), dil(op.getDilations());
    SmallVector<int64_t> padLo(op.getPads().take_front(nsp));
    SmallVector<int64_t> padHi(op.getPads().drop_front(nsp));
    int64_t group = op.getGroup(), c = inT.getDimSize(1), f = wT.getDimSize(0);
    int64_t taps = 1;
    for (int64_t k : wT.getShape().drop_front(2))
      taps *= k;
    bool depthwise = group == c && f == c && taps <= kMaxWindow;
    RankedTensorType res2 = resT;
    // 1-D convolutions run as 2-D ones with a unit height.
    if (nsp == 1 && !depthwise) {
      auto up = [&](Value v, RankedTensorType t) {
        SmallVector<int64_t> s(t.getShape());
        s.insert(s.begin() + 2, 1);
        return buildReshape(rewriter, loc, v, RankedTensorType::get(s, et));
      };
      input = up(input, inT);
      weight = up(weight, wT);
      SmallVector<int64_t> rs(resT.getShape());
      rs.insert(rs.begin() + 2, 1);
      res2 = RankedTensorType::get(rs, et);
      strides.insert(strides.begin(), 1);
      dil.insert(dil.begin(), 1);
      padLo.insert(padLo.begin(), 0);
      padHi.insert(padHi.begin(), 0);
      inT = cast<RankedTensorType>(input.getType());
      wT = cast<RankedTensorType>(weight.getType());
      nsp = 2;
    }
    // Explicit zero padding.
    if (llvm::any_of(padLo, [](int64_t p) { return p; }) ||
        llvm::any_of(padHi, [](int64_t p) { return p; })) {
      SmallVector<OpFoldResult> lo = {rewriter.getIndexAttr(0),
                                      rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> hi(lo);
      SmallVector<int64_t> padded(inT.getShape());
      for (int64_t i = 0; i < nsp; ++i) {
        lo.push_back(rewriter.getIndexAttr(padLo[i]));
        hi.push_back(rewriter.getIndexAttr(padHi[i]));
        padded[2 + i] += padLo[i] + padHi[i];
      }
      Value zero = scalarConst(rewriter, loc, et, 0);
      input = tensor::PadOp::create(rewriter, loc,
                                    RankedTensorType::get(padded, et), input,
                                    lo, hi, zero);
    }
    // Init: bias broadcast over channels, or zeros.
    Value init;
    if (Value bias = op.getBias()) {
      SmallVector<int64_t> bs(nsp + 1, 1);
      bs[0] = res2.getDimSize(1);
      Value b =
          buildReshape(rewriter, loc, bias, RankedTensorType::get(bs, et));
      init = broadcastTo(rewriter, loc, b, res2);
    } else {
      init = zeros(rewriter, loc, res2);
    }
    auto stridesAttr = rewriter.getI64TensorAttr(strides);
    auto dilAttr = rewriter.getI64TensorAttr(dil);
    Value result;
    if (depthwise) {
      // Depthwise as a sum of shifted, strided input windows, each scaled by
      // its per-channel weight: one elementwise generic that vectorizes
      // along the innermost output dim.
      SmallVector<int64_t> kernel(wT.getShape().drop_front(2));
      SmallVector<Value> ins = buildWindowSlices(
          rewriter, loc, input, res2.getShape(), kernel, strides, dil);
      SmallVector<int64_t> wShape = {c};
      wShape.append(kernel);
      Value w = buildReshape(rewriter, loc, weight,
                             RankedTensorType::get(wShape, et));
      SmallVector<int64_t> one(nsp + 1, 1);
      one[0] = c;
      auto tapT = RankedTensorType::get(one, et);
      SmallVector<int64_t> pos(nsp, 0);
      for (int64_t t = 0; t < taps; ++t) {
        SmallVector<int64_t> offs = {0};
        offs.append(pos);
        ins.push_back(tensor::ExtractSliceOp::create(
            rewriter, loc, tapT, w, ValueRange{}, ValueRange{}, ValueRange{},
            offs, one, SmallVector<int64_t>(nsp + 1, 1)));
        for (int64_t d = nsp - 1; d >= 0 && ++pos[d] == kernel[d]; --d)
          pos[d] = 0;
      }
      ins.push_back(init);
      result = buildElementwise(
          rewriter, loc, res2, ins,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value acc = a[2 * taps];
            for (int64_t i = 0; i < taps; ++i)
              acc = arith::AddFOp::create(
                  b, l, acc, arith::MulFOp::create(b, l, a[taps + i], a[i]));
            return acc;
          });
    } else if (group == 1 && nsp == 2) {
      result = linalg::Conv2DNchwFchwOp::create(
                   rewriter, loc, TypeRange{res2}, ValueRange{input, weight},
                   ValueRange{init}, stridesAttr, dilAttr)
                   .getResult(0);
    } else if (group == 1 && nsp == 3) {
      result = linalg::Conv3DNcdhwFcdhwOp::create(
                   rewriter, loc, TypeRange{res2}, ValueRange{input, weight},
                   ValueRange{init}, stridesAttr, dilAttr)
                   .getResult(0);
    } else if (nsp == 2) {
      auto pinT = cast<RankedTensorType>(input.getType());
      auto gin = RankedTensorType::get({pinT.getDimSize(0), group, c / group,
                                        pinT.getDimSize(2), pinT.getDimSize(3)},
                                       et);
      auto gw = RankedTensorType::get({group, f / group, wT.getDimSize(1),
                                       wT.getDimSize(2), wT.getDimSize(3)},
                                      et);
      auto gout =
          RankedTensorType::get({res2.getDimSize(0), group, f / group,
                                 res2.getDimSize(2), res2.getDimSize(3)},
                                et);
      Value gi = buildReshape(rewriter, loc, input, gin);
      Value gwv = buildReshape(rewriter, loc, weight, gw);
      Value go = buildReshape(rewriter, loc, init, gout);
      Value r = linalg::Conv2DNgchwGfchwOp::create(
                    rewriter, loc, TypeRange{gout}, ValueRange{gi, gwv},
                    ValueRange{go}, stridesAttr, dilAttr)
                    .getResult(0);
      result = buildReshape(rewriter, loc, r, res2);
    } else if (nsp == 3) {
      // Grouped 3-D: one convolution per group on channel slices.
      int64_t cg = c / group, fg = f / group;
      // Slices `size` channels at `offset` along `dim` (1 for activations,
      // 0 for the weights' output channels).
      auto slice = [&](Value v, int64_t dim, int64_t offset,
                       int64_t size) -> Value {
        auto t = cast<RankedTensorType>(v.getType());
        SmallVector<int64_t> offs(t.getRank(), 0), sizes(t.getShape()),
            ones(t.getRank(), 1);
        offs[dim] = offset;
        sizes[dim] = size;
        return tensor::ExtractSliceOp::create(
            rewriter, loc, RankedTensorType::get(sizes, et), v, ValueRange{},
            ValueRange{}, ValueRange{}, offs, sizes, ones);
      };
      result = init;
      for (int64_t g = 0; g < group; ++g) {
        Value x = slice(input, 1, g * cg, cg);
        Value w = slice(weight, 0, g * fg, fg);
        Value acc = slice(init, 1, g * fg, fg);
        Value r = linalg::Conv3DNcdhwFcdhwOp::create(
                      rewriter, loc, TypeRange{acc.getType()}, ValueRange{x, w},
                      ValueRange{acc}, stridesAttr, dilAttr)
                      .getResult(0);
        auto rt = cast<RankedTensorType>(r.getType());
        SmallVector<int64_t> offs(rt.getRank(), 0), ones(rt.getRank(), 1);
        offs[1] = g * fg;
        result = tensor::InsertSliceOp::create(
            rewriter, loc, r, result, ValueRange{}, ValueRange{}, ValueRange{},
            offs, rt.getShape(), ones);
      }
    } else {
      return rewriter.notifyMatchFailure(
          op, "convolutions with more than 3 spatial dims");
    }
    rewriter.replaceOp(op, buildReshape(rewriter, loc, result, resT));
    return success();
  }
};
} // namespace

void dnnc::populateContractionPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering, ConvLowering>(
      patterns.getContext());
}
