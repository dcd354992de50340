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
#include "mlir/Dialect/Utils/IndexingUtils.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

/// Broadcasts `v` to `type` (no-op when equal); `dims` as buildElementwise.
static Value broadcastTo(OpBuilder &b, Location loc, Value v,
                         RankedTensorType type, ValueRange dims = {}) {
  // Equal types mean equal shapes only when static.
  if (v.getType() == type && type.hasStaticShape())
    return v;
  return buildElementwise(
      b, loc, type, v, [](OpBuilder &, Location, ValueRange a) { return a[0]; },
      dims);
}

/// Zeros of `type`; `dims` gives its run-time dims (one per dim) if any.
static Value zeros(OpBuilder &b, Location loc, RankedTensorType type,
                   ValueRange dims = {}) {
  return buildFilled(
      b, loc, type, cast<TypedAttr>(b.getZeroAttr(type.getElementType())),
      dims.empty() ? SmallVector<Value>() : dynamicDims(type, dims));
}

/// MatMul with run-time dims: a rank-2 rhs folds the lhs batch dims into
/// rows; otherwise both operands broadcast to the common batch shape, which
/// collapses into one batch dim of a linalg.batch_matmul.
static Value lowerDynamicMatMul(OpBuilder &b, Location loc, MatMulOp op) {
  auto lt0 = cast<RankedTensorType>(op.getLhs().getType());
  auto rt0 = cast<RankedTensorType>(op.getRhs().getType());
  auto resT = cast<RankedTensorType>(op.getType());
  Type et = resT.getElementType();
  Value lhs = op.getLhs(), rhs = op.getRhs();
  auto dyn = ShapedType::kDynamic;
  if (lt0.getRank() == 1)
    lhs = buildReshape(b, loc, lhs,
                       RankedTensorType::get({1, lt0.getDimSize(0)}, et));
  if (rt0.getRank() == 1)
    rhs = buildReshape(b, loc, rhs,
                       RankedTensorType::get({rt0.getDimSize(0), 1}, et));
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  int64_t lr = lt.getRank(), rr = rt.getRank();
  Value m = dimValue(b, loc, lhs, lr - 2), k = dimValue(b, loc, lhs, lr - 1);
  Value n = dimValue(b, loc, rhs, rr - 1);
  int64_t ms = lt.getDimSize(lr - 2), ks = lt.getDimSize(lr - 1),
          ns = rt.getDimSize(rr - 1);
  SmallVector<Value> outDims;
  SmallVector<int64_t> outShape;
  Value result;
  if (rr == 2) {
    // [b..., m, k] x [k, n]: rows = b... * m.
    SmallVector<ReassociationIndices> re = {
        llvm::to_vector(llvm::seq<int64_t>(0, lr - 1)), {lr - 1}};
    Value l2 = lr == 2 ? lhs : tensor::CollapseShapeOp::create(b, loc, lhs, re);
    auto l2t = cast<RankedTensorType>(l2.getType());
    auto o2 = RankedTensorType::get({l2t.getDimSize(0), ns}, et);
    Value rows = dimValue(b, loc, l2, 0);
    result =
        linalg::MatmulOp::create(b, loc, TypeRange{o2}, ValueRange{l2, rhs},
                                 ValueRange{zeros(b, loc, o2, {rows, n})})
            .getResult(0);
    for (int64_t d = 0; d < lr - 1; ++d) {
      outDims.push_back(dimValue(b, loc, lhs, d));
      outShape.push_back(lt.getDimSize(d));
    }
    outDims.push_back(n);
    outShape.push_back(ns);
    if (lr > 2)
      result = buildReshapeTo(b, loc, result,
                              RankedTensorType::get(outShape, et), outDims);
  } else {
    int64_t br = std::max(lr, rr) - 2;
    SmallVector<Value> batch;
    SmallVector<int64_t> batchShape;
    for (int64_t i = 0; i < br; ++i) {
      int64_t li = i - (br - (lr - 2)), ri = i - (br - (rr - 2));
      int64_t ls = li >= 0 ? lt.getDimSize(li) : 1;
      int64_t rs = ri >= 0 ? rt.getDimSize(ri) : 1;
      int64_t s = ls == 1 ? rs : rs == 1 ? ls : ls == dyn ? rs : ls;
      batchShape.push_back(s);
      if (s != dyn) {
        batch.push_back(arith::ConstantIndexOp::create(b, loc, s));
        continue;
      }
      Value v;
      for (auto [idx, t, val] : {std::tuple(li, lt, lhs), {ri, rt, rhs}}) {
        if (idx < 0 || t.getDimSize(idx) == 1)
          continue;
        Value d = dimValue(b, loc, val, idx);
        v = v ? (Value)arith::MaxUIOp::create(b, loc, v, d) : d;
      }
      batch.push_back(v);
    }
    auto full = [&](int64_t a, int64_t bs, Value av, Value bv,
                    SmallVector<Value> &dims) {
      SmallVector<int64_t> shape(batchShape);
      shape.append({a, bs});
      dims.assign(batch.begin(), batch.end());
      dims.append({av, bv});
      return RankedTensorType::get(shape, et);
    };
    SmallVector<Value> ld, rd;
    auto lft = full(ms, ks, m, k, ld), rft = full(ks, ns, k, n, rd);
    Value l = broadcastTo(b, loc, lhs, lft, ld);
    Value r = broadcastTo(b, loc, rhs, rft, rd);
    SmallVector<ReassociationIndices> re = {
        llvm::to_vector(llvm::seq<int64_t>(0, br)), {br}, {br + 1}};
    // rr > 2 here, so there is at least one batch dim.
    if (br > 1) {
      l = tensor::CollapseShapeOp::create(b, loc, l, re);
      r = tensor::CollapseShapeOp::create(b, loc, r, re);
    }
    auto l3 = cast<RankedTensorType>(l.getType());
    Value nb = dimValue(b, loc, l, 0);
    auto o3 = RankedTensorType::get({l3.getDimSize(0), ms, ns}, et);
    result =
        linalg::BatchMatmulOp::create(b, loc, TypeRange{o3}, ValueRange{l, r},
                                      ValueRange{zeros(b, loc, o3, {nb, m, n})})
            .getResult(0);
    outDims.assign(batch.begin(), batch.end());
    outDims.append({m, n});
    outShape.assign(batchShape.begin(), batchShape.end());
    outShape.append({ms, ns});
    if (br > 1)
      result = buildReshapeTo(b, loc, result,
                              RankedTensorType::get(outShape, et), outDims);
  }
  // Drop the unit dims of promoted vectors.
  auto cur = cast<RankedTensorType>(result.getType());
  if (cur.getRank() != resT.getRank()) {
    SmallVector<bool> unit(cur.getRank(), false);
    if (rt0.getRank() == 1)
      unit[cur.getRank() - 1] = true;
    if (lt0.getRank() == 1)
      unit[cur.getRank() - 2] = true;
    result = tensor::CollapseShapeOp::create(b, loc, resT, result,
                                             unitDimGroups(unit));
  }
  if (result.getType() != resT)
    result = tensor::CastOp::create(b, loc, resT, result);
  return result;
}

/// Depthwise/pooling windows up to this many taps become elementwise ops.
static constexpr int64_t kMaxWindow = 64;

static bool isFloatTensor(Value v) {
  return isa<FloatType>(cast<RankedTensorType>(v.getType()).getElementType());
}

/// Ungrouped 2-D/3-D convolution with run-time dims (image sizes, channels,
/// kernel): zero padding, output dims (in + pads - dilated kernel) / stride
/// + 1 at run time, and the linalg convolution named op, which later passes
/// lower to loops. Null when the convolution has another form.
static Value lowerDynamicConv(OpBuilder &b, Location loc, ConvOp op) {
  auto inT = cast<RankedTensorType>(op.getInput().getType());
  auto resT = cast<RankedTensorType>(op.getType());
  int64_t nsp = inT.getRank() - 2;
  if (op.getGroup() != 1 || (nsp != 2 && nsp != 3))
    return {};
  Type et = inT.getElementType();
  ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations(),
                    pads = op.getPads();
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value input = op.getInput(), weight = op.getWeight();
  if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
    SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> hi(lo);
    SmallVector<int64_t> padded(inT.getShape());
    for (int64_t i = 0; i < nsp; ++i) {
      lo.push_back(b.getIndexAttr(pads[i]));
      hi.push_back(b.getIndexAttr(pads[nsp + i]));
      if (!ShapedType::isDynamic(padded[2 + i]))
        padded[2 + i] += pads[i] + pads[nsp + i];
    }
    input = tensor::PadOp::create(b, loc, RankedTensorType::get(padded, et),
                                  input, lo, hi, scalarConst(b, loc, et, 0));
  }
  SmallVector<Value> dims = {dimValue(b, loc, input, 0),
                             dimValue(b, loc, weight, 0)};
  for (int64_t i = 0; i < nsp; ++i) {
    Value k = dimValue(b, loc, weight, 2 + i);
    Value eff = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, arith::SubIOp::create(b, loc, k, c(1)),
                              c(dil[i])),
        c(1));
    Value span =
        arith::SubIOp::create(b, loc, dimValue(b, loc, input, 2 + i), eff);
    dims.push_back(arith::AddIOp::create(
        b, loc, arith::FloorDivSIOp::create(b, loc, span, c(strides[i])),
        c(1)));
  }
  Value init;
  if (Value bias = op.getBias()) {
    auto bt = cast<RankedTensorType>(bias.getType());
    SmallVector<int64_t> bs(nsp + 1, 1);
    bs[0] = bt.getDimSize(0);
    Value bv = buildReshape(b, loc, bias, RankedTensorType::get(bs, et));
    init = broadcastTo(b, loc, bv, resT, dims);
  } else {
    init = zeros(b, loc, resT, dims);
  }
  auto stridesAttr = b.getI64TensorAttr(strides);
  auto dilAttr = b.getI64TensorAttr(dil);
  if (nsp == 2)
    return linalg::Conv2DNchwFchwOp::create(
               b, loc, TypeRange{resT}, ValueRange{input, weight},
               ValueRange{init}, stridesAttr, dilAttr)
        .getResult(0);
  return linalg::Conv3DNcdhwFcdhwOp::create(
             b, loc, TypeRange{resT}, ValueRange{input, weight},
             ValueRange{init}, stridesAttr, dilAttr)
      .getResult(0);
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
    if (!lt.hasStaticShape() || !rt.hasStaticShape() ||
        !resT.hasStaticShape()) {
      rewriter.replaceOp(op, lowerDynamicMatMul(rewriter, loc, op));
      return success();
    }
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
    if (!isFloatTensor(op.getA()))
      return rewriter.notifyMatchFailure(op, "integer gemm");
    Type et = resT.getElementType();
    // Result dims: rows of op(A), columns of op(B).
    SmallVector<Value> dims = {
        dimValue(rewriter, loc, op.getA(), op.getTransA() ? 1 : 0),
        dimValue(rewriter, loc, op.getB(), op.getTransB() ? 0 : 1)};
    auto transpose = [&](Value v) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      auto tt = RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)}, et);
      Value init = buildEmpty(
          rewriter, loc, tt,
          {dimValue(rewriter, loc, v, 1), dimValue(rewriter, loc, v, 0)});
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
    Value init = biasInit ? broadcastTo(rewriter, loc, c, resT, dims)
                          : zeros(rewriter, loc, resT, dims);
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
          },
          dims);
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
    Type elemT = inT.getElementType();
    if (!isa<FloatType>(elemT) && !elemT.isInteger(32))
      return rewriter.notifyMatchFailure(
          op, "convolution of other than float or i32 elements");
    if (!inT.hasStaticShape() || !wT.hasStaticShape() ||
        !resT.hasStaticShape()) {
      Value r = lowerDynamicConv(rewriter, loc, op);
      if (!r)
        return rewriter.notifyMatchFailure(
            op, "run-time dims need an ungrouped 2-D or 3-D convolution");
      rewriter.replaceOp(op, r);
      return success();
    }
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
            bool fp = isa<FloatType>(et);
            for (int64_t i = 0; i < taps; ++i) {
              Value p = fp ? arith::MulFOp::create(b, l, a[taps + i], a[i])
                                 .getResult()
                           : arith::MulIOp::create(b, l, a[taps + i], a[i])
                                 .getResult();
              acc = fp ? arith::AddFOp::create(b, l, acc, p).getResult()
                       : arith::AddIOp::create(b, l, acc, p).getResult();
            }
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

/// `input` [N, H, W, C] padded by `pads` [top, left, bottom, right] with the
/// value `padValue` builds; `input` itself when they are all 0.
static Value padSpatial(OpBuilder &b, Location loc, Value input,
                        ArrayRef<int64_t> pads,
                        llvm::function_ref<Value()> padValue) {
  if (llvm::none_of(pads, [](int64_t p) { return p; }))
    return input;
  auto inT = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> lo(4, b.getIndexAttr(0)), hi(lo);
  SmallVector<int64_t> padded(inT.getShape());
  for (int i = 0; i < 2; ++i) {
    lo[1 + i] = b.getIndexAttr(pads[i]);
    hi[1 + i] = b.getIndexAttr(pads[2 + i]);
    padded[1 + i] += pads[i] + pads[2 + i];
  }
  return tensor::PadOp::create(b, loc, inT.clone(padded), input, lo, hi,
                               padValue());
}

/// Channels-last 2-D convolution: the padded input and the bias broadcast
/// over the output go to linalg.conv_2d_nhwc_hwcf, depthwise to
/// linalg.depthwise_conv_2d_nhwc_hwc, and otherwise grouped to
/// linalg.conv_2d_nhwgc_gfhwc (whose weight transpose folds away in the CPU
/// kernels, which read the [KH, KW, C/G, F] weight directly).
struct Conv2DNhwcLowering : OpRewritePattern<Conv2DNhwcOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DNhwcOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto resT = cast<RankedTensorType>(op.getType());
    if (!inT.hasStaticShape() || !resT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "run-time dims");
    Type et = inT.getElementType();
    Value input = padSpatial(rewriter, loc, op.getInput(), op.getPads(),
                             [&] { return scalarConst(rewriter, loc, et, 0); });
    Value init = op.getBias() ? broadcastTo(rewriter, loc, op.getBias(), resT)
                              : zeros(rewriter, loc, resT);
    auto strides = rewriter.getI64TensorAttr(op.getStrides());
    auto dilations = rewriter.getI64TensorAttr(op.getDilations());
    Value result;
    if (op.isDepthwise()) {
      auto wT = cast<RankedTensorType>(op.getWeight().getType());
      Value w = buildReshape(
          rewriter, loc, op.getWeight(),
          wT.clone({wT.getDimSize(0), wT.getDimSize(1), wT.getDimSize(3)}));
      result = linalg::DepthwiseConv2DNhwcHwcOp::create(
                   rewriter, loc, TypeRange{resT}, ValueRange{input, w},
                   ValueRange{init}, strides, dilations)
                   .getResult(0);
    } else if (op.getGroup() == 1) {
      result =
          linalg::Conv2DNhwcHwcfOp::create(rewriter, loc, TypeRange{resT},
                                           ValueRange{input, op.getWeight()},
                                           ValueRange{init}, strides, dilations)
              .getResult(0);
    } else {
      // Grouped: the channel dims split into [G, C/G] and [G, F/G], the
      // weight [KH, KW, C/G, F] goes to [G, F/G, KH, KW, C/G].
      int64_t g = op.getGroup();
      auto split = [&](Value v, int64_t dim) {
        auto t = cast<RankedTensorType>(v.getType());
        SmallVector<int64_t> shape(t.getShape());
        shape[dim] /= g;
        shape.insert(shape.begin() + dim, g);
        return buildReshape(rewriter, loc, v, t.clone(shape));
      };
      Value w = split(op.getWeight(), 3);
      auto wT = cast<RankedTensorType>(w.getType());
      SmallVector<int64_t> perm = {3, 4, 0, 1, 2};
      Value wEmpty = tensor::EmptyOp::create(
          rewriter, loc, applyPermutation(wT.getShape(), perm), et);
      w = linalg::TransposeOp::create(rewriter, loc, w, wEmpty, perm)
              .getResult()[0];
      Value acc = split(init, 3);
      Value r = linalg::Conv2DNhwgcGfhwcOp::create(
                    rewriter, loc, TypeRange{acc.getType()},
                    ValueRange{split(input, 3), w}, ValueRange{acc}, strides,
                    dilations)
                    .getResult(0);
      result = buildReshape(rewriter, loc, r, resT);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};
/// The 8-bit codes `input` [N, H, W, C] padded with their zero point (the
/// constant `zp`, or the i32 scalar `zpValue` when set), so that the padding
/// adds nothing to a sum of (x - zp) * w.
static Value padCodes(OpBuilder &b, Location loc, Value input,
                      ArrayRef<int64_t> pads, int64_t zp, Value zpValue) {
  return padSpatial(b, loc, input, pads, [&]() -> Value {
    Type i8 = getElementTypeOrSelf(input.getType());
    if (zpValue)
      return arith::TruncIOp::create(b, loc, i8, zpValue);
    return arith::ConstantOp::create(b, loc,
                                     b.getIntegerAttr(i8, (int8_t)(uint8_t)zp));
  });
}

/// The linalg.generic of a channels-last convolution of the padded `input`
/// by `weight` into zeros of `resT`: loops (n, oh, ow, f, kh, kw, c) with
/// weight (kh, kw, c, f), or, `depthwise`, (n, oh, ow, c, kh, kw) with weight
/// (kh, kw, c); `body` computes the payload from (x, w, acc).
static Value
windowGeneric(OpBuilder &b, Location loc, Value input, Value weight,
              RankedTensorType resT, ArrayRef<int64_t> s, ArrayRef<int64_t> d,
              bool depthwise,
              function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  unsigned loops = depthwise ? 6 : 7;
  AffineExpr n = b.getAffineDimExpr(0), oh = b.getAffineDimExpr(1),
             ow = b.getAffineDimExpr(2), f = b.getAffineDimExpr(3),
             kh = b.getAffineDimExpr(4), kw = b.getAffineDimExpr(5),
             c = depthwise ? f : b.getAffineDimExpr(6);
  SmallVector<AffineExpr> w = {kh, kw, c};
  if (!depthwise)
    w.push_back(f);
  SmallVector<AffineMap> maps = {
      AffineMap::get(loops, 0,
                     {n, oh * s[0] + kh * d[0], ow * s[1] + kw * d[1], c}, ctx),
      AffineMap::get(loops, 0, w, ctx),
      AffineMap::get(loops, 0, {n, oh, ow, f}, ctx)};
  SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
  iters.append(loops - 4, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resT}, ValueRange{input, weight},
             ValueRange{zeros(b, loc, resT)}, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, ValueRange{body(nb, l, a)});
             })
      .getResult(0);
}

/// 8-bit channels-last convolution: the input padded with its zero point,
/// then a linalg.generic over (n, oh, ow, f, kh, kw, c) that accumulates
/// (ext(x) - zp) * sext(w) in i32. dnnc-conv-kernels recognizes this form
/// and gives it VNNI dot products.
struct QConv2DNhwcLowering : OpRewritePattern<QConv2DNhwcOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QConv2DNhwcOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto resT = cast<RankedTensorType>(op.getType());
    if (!inT.hasStaticShape() || !resT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "run-time dims");
    int64_t zp = op.getInputZeroPoint();
    bool isUnsigned = op.getInputUnsigned();
    // A run-time zero point: its scalar, used by the padding and the body.
    Value zpValue;
    if (Value z = op.getZeroPoint())
      zpValue = tensor::ExtractOp::create(rewriter, loc, z, ValueRange{});
    Value input =
        padCodes(rewriter, loc, op.getInput(), op.getPads(), zp, zpValue);
    Type i32 = rewriter.getI32Type();
    Value result = windowGeneric(
        rewriter, loc, input, op.getWeight(), resT, op.getStrides(),
        op.getDilations(), /*depthwise=*/false,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = isUnsigned
                        ? arith::ExtUIOp::create(b, l, i32, a[0]).getResult()
                        : arith::ExtSIOp::create(b, l, i32, a[0]).getResult();
          if (zpValue)
            x = arith::SubIOp::create(b, l, x, zpValue);
          else if (zp)
            x = arith::SubIOp::create(
                b, l, x,
                arith::ConstantOp::create(b, l, b.getI32IntegerAttr(zp)));
          Value w = arith::ExtSIOp::create(b, l, i32, a[1]);
          Value p = arith::MulIOp::create(b, l, x, w);
          return arith::AddIOp::create(b, l, a[2], p);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
/// Depthwise convolution of 8-bit codes: the input padded with its zero
/// point, then a linalg.generic over (n, oh, ow, c, kh, kw) that accumulates
/// (tofp(x) - zp) * w in f32 (exact: integers below 2^24).
/// dnnc-conv-kernels recognizes this form (its maps and payload) and runs it
/// on the depthwise kernel, widening the codes in registers.
struct QDepthwiseConv2DNhwcLowering : OpRewritePattern<QDepthwiseConv2DNhwcOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QDepthwiseConv2DNhwcOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto resT = cast<RankedTensorType>(op.getType());
    if (!inT.hasStaticShape() || !resT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "run-time dims");
    int64_t zp = op.getInputZeroPoint();
    bool isUnsigned = op.getInputUnsigned();
    Value input =
        padCodes(rewriter, loc, op.getInput(), op.getPads(), zp, Value());
    Type f32 = rewriter.getF32Type();
    Value result = windowGeneric(
        rewriter, loc, input, op.getWeight(), resT, op.getStrides(),
        op.getDilations(), /*depthwise=*/true,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = isUnsigned
                        ? arith::UIToFPOp::create(b, l, f32, a[0]).getResult()
                        : arith::SIToFPOp::create(b, l, f32, a[0]).getResult();
          if (zp)
            x = arith::SubFOp::create(
                b, l, x,
                arith::ConstantOp::create(b, l, b.getF32FloatAttr(float(zp))));
          Value p = arith::MulFOp::create(b, l, x, a[1]);
          return arith::AddFOp::create(b, l, a[2], p);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Weight-only quantized matmul: a linalg.generic over (m, n, k) that
/// unpacks each code (the nibble of k's parity for 4 bits), dequantizes it
/// with its group's scale and zero point and accumulates x * w in f32.
/// dnnc-conv-kernels recognizes this form (its maps and payload) and gives
/// it a kernel that keeps the codes packed.
struct WeightQuantMatMulLowering : OpRewritePattern<WeightQuantMatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WeightQuantMatMulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto resT = cast<RankedTensorType>(op.getType());
    if (!inT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "run-time dims");
    int64_t k = inT.getShape().back(), m = inT.getNumElements() / k;
    int64_t n = resT.getShape().back(), bits = op.getBits(),
            g = op.getGroupSize();
    Type f32 = inT.getElementType();
    Value x = buildReshape(rewriter, loc, op.getInput(),
                           RankedTensorType::get({m, k}, f32));
    auto outT = RankedTensorType::get({m, n}, f32);
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr dm, dn, dk;
    bindDims(ctx, dm, dn, dk);
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0, {dm, dk}, ctx),
        AffineMap::get(3, 0, {dn, bits == 4 ? dk.floorDiv(2) : dk}, ctx),
        AffineMap::get(3, 0, {dn, dk.floorDiv(g)}, ctx),
        AffineMap::get(3, 0, {dn, dk.floorDiv(g)}, ctx),
        AffineMap::get(3, 0, {dm, dn}, ctx)};
    SmallVector<utils::IteratorType> iters = {utils::IteratorType::parallel,
                                              utils::IteratorType::parallel,
                                              utils::IteratorType::reduction};
    Type i32 = rewriter.getI32Type();
    auto gen = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outT},
        ValueRange{x, op.getWeight(), op.getScales(), op.getZeroPoints()},
        ValueRange{zeros(rewriter, loc, outT)}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value q = arith::ExtUIOp::create(b, l, i32, a[1]);
          if (bits == 4) {
            Value kk = linalg::IndexOp::create(b, l, 2);
            Value odd = arith::IndexCastOp::create(
                b, l, i32,
                arith::RemUIOp::create(
                    b, l, kk, arith::ConstantIndexOp::create(b, l, 2)));
            Value shift = arith::MulIOp::create(
                b, l, odd,
                arith::ConstantOp::create(b, l, b.getI32IntegerAttr(4)));
            q = arith::AndIOp::create(
                b, l, arith::ShRUIOp::create(b, l, q, shift),
                arith::ConstantOp::create(b, l, b.getI32IntegerAttr(15)));
          }
          Value w = arith::MulFOp::create(
              b, l,
              arith::SubFOp::create(b, l, arith::UIToFPOp::create(b, l, f32, q),
                                    a[3]),
              a[2]);
          Value p = arith::MulFOp::create(b, l, a[0], w);
          linalg::YieldOp::create(
              b, l, ValueRange{arith::AddFOp::create(b, l, a[4], p)});
        });
    rewriter.replaceOp(op, buildReshape(rewriter, loc, gen.getResult(0), resT));
    return success();
  }
};
} // namespace

void dnnc::populateContractionPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering, ConvLowering, Conv2DNhwcLowering,
               QConv2DNhwcLowering, QDepthwiseConv2DNhwcLowering,
               WeightQuantMatMulLowering>(patterns.getContext());
}
