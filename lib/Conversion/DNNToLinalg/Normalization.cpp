//===- Normalization.cpp - Norms, softmax and reductions -> linalg --------===//
//
// BatchNorm is one elementwise generic (channel parameters broadcast along
// dim 1); LayerNorm and (Log)Softmax are reductions followed by elementwise
// generics; Reduce* are reduction generics reshaped for keepdims; ArgMax/Min
// are two-output reduction generics carrying (value, index).
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

using CombineFn = std::function<Value(OpBuilder &, Location, Value, Value)>;

static Value addF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}
static Value maxF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MaximumFOp::create(b, l, x, y);
}

/// Shape `reduced` (non-keepdims over `axes`) back to rank `rank` with ones.
static RankedTensorType keepDimsType(RankedTensorType in,
                                     ArrayRef<int64_t> axes) {
  SmallVector<int64_t> s(in.getShape());
  for (int64_t a : axes)
    s[a] = 1;
  return RankedTensorType::get(s, in.getElementType());
}

/// Reduction over `axes` returned with the input's rank (keepdims).
static Value reduceKeep(OpBuilder &b, Location loc, Value in,
                        ArrayRef<int64_t> axes, TypedAttr init,
                        const CombineFn &fn) {
  Value r = buildReduction(b, loc, in, axes, init, fn);
  return buildReshape(b, loc, r,
                      keepDimsType(cast<RankedTensorType>(in.getType()), axes));
}

namespace {
struct BatchNormLowering : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    if (!isa<FloatType>(t.getElementType()))
      return rewriter.notifyMatchFailure(op, "non-float");
    Location loc = op.getLoc();
    Type et = t.getElementType();
    // Parameters as [C, 1, ..., 1] so they broadcast along dim 1.
    SmallVector<int64_t> ps(t.getRank() - 1, 1);
    ps[0] = cast<RankedTensorType>(op.getScale().getType()).getDimSize(0);
    auto pt = RankedTensorType::get(ps, et);
    SmallVector<Value> ins = {op.getInput()};
    for (Value v :
         {op.getScale(), op.getBias(), op.getMean(), op.getVariance()})
      ins.push_back(buildReshape(rewriter, loc, v, pt));
    float eps = op.getEpsilon().convertToFloat();
    Value r = buildElementwise(
        rewriter, loc, t, ins, [&](OpBuilder &b, Location l, ValueRange a) {
          Value den = math::SqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, a[4], scalarConst(b, l, et, eps)));
          Value s = arith::DivFOp::create(b, l, a[1], den);
          Value c = arith::SubFOp::create(b, l, a[0], a[3]);
          return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, c, s),
                                       a[2]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct LayerNormLowering : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    if (!isa<FloatType>(t.getElementType()))
      return rewriter.notifyMatchFailure(op, "non-float");
    Location loc = op.getLoc();
    Type et = t.getElementType();
    SmallVector<int64_t> axes =
        llvm::to_vector(llvm::seq<int64_t>(op.getAxis(), t.getRank()));
    Value n = elementCount(rewriter, loc, op.getInput(), axes);
    TypedAttr zero = cast<TypedAttr>(rewriter.getZeroAttr(et));
    Value sum = reduceKeep(rewriter, loc, op.getInput(), axes, zero, addF);
    auto kt = cast<RankedTensorType>(sum.getType());
    Value centered =
        buildElementwise(rewriter, loc, t, {op.getInput(), sum},
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                           Value mean = arith::DivFOp::create(
                               b, l, a[1], indexAsScalar(b, l, n, et));
                           return arith::SubFOp::create(b, l, a[0], mean);
                         });
    Value sq = reduceKeep(rewriter, loc, centered, axes, zero,
                          [](OpBuilder &b, Location l, Value acc, Value x) {
                            return arith::AddFOp::create(
                                b, l, acc, arith::MulFOp::create(b, l, x, x));
                          });
    float eps = op.getEpsilon().convertToFloat();
    Value rstd = buildElementwise(
        rewriter, loc, kt, sq, [&](OpBuilder &b, Location l, ValueRange a) {
          Value var =
              arith::DivFOp::create(b, l, a[0], indexAsScalar(b, l, n, et));
          return math::RsqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, var, scalarConst(b, l, et, eps)));
        });
    SmallVector<Value> ins = {centered, rstd, op.getScale()};
    if (op.getBias())
      ins.push_back(op.getBias());
    Value r = buildElementwise(
        rewriter, loc, t, ins, [&](OpBuilder &b, Location l, ValueRange a) {
          Value v = arith::MulFOp::create(
              b, l, arith::MulFOp::create(b, l, a[0], a[1]), a[2]);
          if (a.size() > 3)
            v = arith::AddFOp::create(b, l, v, a[3]);
          return v;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

template <typename SoftOp> struct SoftmaxLowering : OpRewritePattern<SoftOp> {
  using OpRewritePattern<SoftOp>::OpRewritePattern;
  static constexpr bool isLog = std::is_same_v<SoftOp, LogSoftmaxOp>;
  LogicalResult matchAndRewrite(SoftOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    if (!isa<FloatType>(t.getElementType()))
      return rewriter.notifyMatchFailure(op, "non-float");
    Location loc = op.getLoc();
    Type et = t.getElementType();
    int64_t axis = op.getAxis();
    Value mx =
        reduceKeep(rewriter, loc, op.getInput(), {axis}, lowestValue(et), maxF);
    Value shifted =
        buildElementwise(rewriter, loc, t, {op.getInput(), mx},
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::SubFOp::create(b, l, a[0], a[1]);
                         });
    Value sum = reduceKeep(rewriter, loc, shifted, {axis},
                           cast<TypedAttr>(rewriter.getZeroAttr(et)),
                           [](OpBuilder &b, Location l, Value acc, Value x) {
                             return arith::AddFOp::create(
                                 b, l, acc, math::ExpOp::create(b, l, x));
                           });
    Value r =
        buildElementwise(rewriter, loc, t, {shifted, sum},
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                           if (isLog)
                             return arith::SubFOp::create(
                                 b, l, a[0], math::LogOp::create(b, l, a[1]));
                           return arith::DivFOp::create(
                               b, l, math::ExpOp::create(b, l, a[0]), a[1]);
                         });
    rewriter.replaceOp(op, r);
    return success();
  }
};

template <typename ReduceOp>
struct ReduceLowering : OpRewritePattern<ReduceOp> {
  using OpRewritePattern<ReduceOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp op,
                                PatternRewriter &rewriter) const override {
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto t = cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    Type et = t.getElementType();
    bool f = isa<FloatType>(et);
    SmallVector<int64_t> axes(op.getAxes());
    if (axes.empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, inT.getRank()));
    TypedAttr init;
    CombineFn fn;
    if constexpr (std::is_same_v<ReduceOp, ReduceMaxOp>) {
      init = lowestValue(et);
      fn = [f](OpBuilder &b, Location l, Value x, Value y) -> Value {
        return f ? (Value)arith::MaximumFOp::create(b, l, x, y)
                 : arith::MaxSIOp::create(b, l, x, y);
      };
    } else if constexpr (std::is_same_v<ReduceOp, ReduceMinOp>) {
      init = highestValue(et);
      fn = [f](OpBuilder &b, Location l, Value x, Value y) -> Value {
        return f ? (Value)arith::MinimumFOp::create(b, l, x, y)
                 : arith::MinSIOp::create(b, l, x, y);
      };
    } else if constexpr (std::is_same_v<ReduceOp, ReduceProdOp>) {
      init = f ? (TypedAttr)rewriter.getFloatAttr(et, 1.0)
               : (TypedAttr)rewriter.getIntegerAttr(et, 1);
      fn = [f](OpBuilder &b, Location l, Value x, Value y) -> Value {
        return f ? (Value)arith::MulFOp::create(b, l, x, y)
                 : arith::MulIOp::create(b, l, x, y);
      };
    } else {
      init = cast<TypedAttr>(rewriter.getZeroAttr(et));
      fn = [f](OpBuilder &b, Location l, Value x, Value y) -> Value {
        return f ? (Value)arith::AddFOp::create(b, l, x, y)
                 : arith::AddIOp::create(b, l, x, y);
      };
    }
    Value r = buildReduction(rewriter, loc, op.getInput(), axes, init, fn);
    if constexpr (std::is_same_v<ReduceOp, ReduceMeanOp>) {
      Value n = elementCount(rewriter, loc, op.getInput(), axes);
      auto rt = cast<RankedTensorType>(r.getType());
      r = buildElementwise(
          rewriter, loc, rt, r,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            if (f)
              return arith::DivFOp::create(b, l, a[0],
                                           indexAsScalar(b, l, n, et));
            return arith::DivSIOp::create(b, l, a[0],
                                          indexAsScalar(b, l, n, et));
          });
    }
    rewriter.replaceOp(op, buildReshape(rewriter, loc, r, t));
    return success();
  }
};

template <typename ArgOp> struct ArgReduceLowering : OpRewritePattern<ArgOp> {
  using OpRewritePattern<ArgOp>::OpRewritePattern;
  static constexpr bool isMax = std::is_same_v<ArgOp, ArgMaxOp>;
  LogicalResult matchAndRewrite(ArgOp op,
                                PatternRewriter &rewriter) const override {
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    Location loc = op.getLoc();
    Type et = inT.getElementType();
    bool f = isa<FloatType>(et);
    int64_t axis = op.getAxis(), rank = inT.getRank();
    SmallVector<Value> dynSizes;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis && inT.isDynamicDim(i))
        dynSizes.push_back(
            tensor::DimOp::create(rewriter, loc, op.getInput(), i));
    SmallVector<int64_t> outShape;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iters;
    for (int64_t i = 0; i < rank; ++i) {
      iters.push_back(i == axis ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
      if (i != axis) {
        outShape.push_back(inT.getDimSize(i));
        outExprs.push_back(rewriter.getAffineDimExpr(i));
      }
    }
    auto vT = RankedTensorType::get(outShape, et);
    auto iT = RankedTensorType::get(outShape, rewriter.getI64Type());
    Value vInit =
        buildFilled(rewriter, loc, vT,
                    isMax ? lowestValue(et) : highestValue(et), dynSizes);
    Value iInit =
        buildFilled(rewriter, loc, iT, rewriter.getI64IntegerAttr(0), dynSizes);
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, rewriter.getContext());
    bool last = op.getSelectLastIndex();
    auto g = linalg::GenericOp::create(
        rewriter, loc, TypeRange{vT, iT}, ValueRange{op.getInput()},
        ValueRange{vInit, iInit},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), outMap,
                            outMap},
        iters, [&](OpBuilder &b, Location l, ValueRange a) {
          Value idx = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          Value better;
          if (f) {
            auto p = isMax ? (last ? arith::CmpFPredicate::OGE
                                   : arith::CmpFPredicate::OGT)
                           : (last ? arith::CmpFPredicate::OLE
                                   : arith::CmpFPredicate::OLT);
            better = arith::CmpFOp::create(b, l, p, a[0], a[1]);
          } else {
            auto p = isMax ? (last ? arith::CmpIPredicate::sge
                                   : arith::CmpIPredicate::sgt)
                           : (last ? arith::CmpIPredicate::sle
                                   : arith::CmpIPredicate::slt);
            better = arith::CmpIOp::create(b, l, p, a[0], a[1]);
          }
          Value nv = arith::SelectOp::create(b, l, better, a[0], a[1]);
          Value ni = arith::SelectOp::create(b, l, better, idx, a[2]);
          linalg::YieldOp::create(b, l, ValueRange{nv, ni});
        });
    rewriter.replaceOp(op, buildReshape(rewriter, loc, g.getResult(1),
                                        cast<RankedTensorType>(op.getType())));
    return success();
  }
};
} // namespace

void dnnc::populateNormalizationPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, LayerNormLowering, SoftmaxLowering<SoftmaxOp>,
               SoftmaxLowering<LogSoftmaxOp>, ReduceLowering<ReduceSumOp>,
               ReduceLowering<ReduceMeanOp>, ReduceLowering<ReduceMaxOp>,
               ReduceLowering<ReduceMinOp>, ReduceLowering<ReduceProdOp>,
               ArgReduceLowering<ArgMaxOp>, ArgReduceLowering<ArgMinOp>>(
      patterns.getContext());
}
