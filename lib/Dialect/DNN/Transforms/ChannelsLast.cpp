//===- ChannelsLast.cpp - NCHW convolutions to NHWC -----------------------===//
//
// Each 2-D convolution with constant weights becomes
//   transpose(conv2d_nhwc(transpose(x), transpose(W)), NHWC -> NCHW)
// and the transposes are then moved toward the uses, through elementwise
// ops, concatenations and global pools, until they meet the inverse
// transpose of the next convolution and cancel. What is left is a graph that
// stays channels-last from the first convolution to the last, with a
// transpose where a value leaves that region (the graph output, an op the
// sinking does not cross). The weight transposes fold at compile time.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Dialect/DNN/Transforms/Passes.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dnn-channels-last"

namespace dnnc::dnn {
#define GEN_PASS_DEF_DNNCHANNELSLAST
#include "dnnc/Dialect/DNN/Transforms/Passes.h.inc"
} // namespace dnnc::dnn

using namespace mlir;
using namespace dnnc::dnn;

static constexpr int64_t kToNhwc[] = {0, 2, 3, 1};
static constexpr int64_t kToNchw[] = {0, 3, 1, 2};

/// Result dim i of transpose(x, perm) is dim perm[i] of x.
static RankedTensorType permuted(RankedTensorType t, ArrayRef<int64_t> perm) {
  return t.clone(applyPermutation(t.getShape(), perm));
}

static Value transpose(OpBuilder &b, Location loc, Value v,
                       ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(v.getType());
  return TransposeOp::create(b, loc, permuted(t, perm), v,
                             b.getDenseI64ArrayAttr(perm));
}

namespace {
/// conv(x, W, b) -> transpose(conv2d_nhwc(transpose(x), transpose(W), b)).
struct ConvToNhwc : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto wT = cast<RankedTensorType>(op.getWeight().getType());
    if (inT.getRank() != 4 || !inT.hasStaticShape() || !wT.hasStaticShape() ||
        !inT.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not a static 2-D f32 conv");
    if (!matchPattern(op.getWeight(), m_Constant()))
      return rewriter.notifyMatchFailure(op, "weights are not constant");
    Location loc = op.getLoc();
    Value x = transpose(rewriter, loc, op.getInput(), kToNhwc);
    // [F, C/g, KH, KW] -> [KH, KW, C/g, F].
    Value w = transpose(rewriter, loc, op.getWeight(), {2, 3, 1, 0});
    auto resT = cast<RankedTensorType>(op.getType());
    Value y = Conv2DNhwcOp::create(rewriter, loc, permuted(resT, kToNhwc), x, w,
                                   op.getBias(), op.getStridesAttr(),
                                   op.getPadsAttr(), op.getDilationsAttr(),
                                   op.getGroupAttr());
    rewriter.replaceOp(op, transpose(rewriter, loc, y, kToNchw));
    return success();
  }
};

/// transpose(transpose(x, p), q) -> transpose(x, p o q); the identity folds.
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> perm = applyPermutation(inner.getPerm(), op.getPerm());
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, op.getType(), inner.getInput(),
        rewriter.getDenseI64ArrayAttr(perm));
    return success();
  }
};

/// elementwise(transpose(a, p), v...) -> transpose(elementwise(a, v'...), p)
/// where v' is v brought to the pre-transpose layout: the input of a
/// transpose with the same perm, or v (ranked up to the result's rank) under
/// the inverse transpose, which folds for constants.
struct SinkThroughElementwise : RewritePattern {
  SinkThroughElementwise(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!op->hasTrait<Elementwise>() || op->getNumResults() != 1)
      return failure();
    auto resT = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!resT || !resT.hasStaticShape())
      return failure();
    // Only NHWC -> NCHW transposes move down; the inverse ones this creates
    // for other operands stay, so nothing moves back and forth.
    TransposeOp t;
    for (Value v : op->getOperands())
      if (auto d = v.getDefiningOp<TransposeOp>();
          d && !t && d.getPerm() == ArrayRef<int64_t>(kToNchw) &&
          d.getType().getShape() == resT.getShape())
        t = d;
    if (!t)
      return failure();
    ArrayRef<int64_t> perm = t.getPerm();
    SmallVector<int64_t> inv = invertPermutationVector(perm);
    int64_t rank = resT.getRank();
    Location loc = op->getLoc();
    SmallVector<Value> operands;
    for (Value v : op->getOperands()) {
      auto vt = cast<RankedTensorType>(v.getType());
      if (!vt.hasStaticShape() || vt.getRank() > rank)
        return failure();
      if (auto d = v.getDefiningOp<TransposeOp>(); d && d.getPerm() == perm) {
        operands.push_back(d.getInput());
        continue;
      }
      if (vt.getRank() < rank) {
        SmallVector<int64_t> shape(rank - vt.getRank(), 1);
        llvm::append_range(shape, vt.getShape());
        v = ReshapeOp::create(rewriter, loc, vt.clone(shape), v);
      }
      operands.push_back(transpose(rewriter, loc, v, inv));
    }
    OperationState state(loc, op->getName());
    state.addOperands(operands);
    state.addAttributes(op->getAttrs());
    state.addTypes(permuted(resT, inv));
    Operation *moved = rewriter.create(state);
    rewriter.replaceOp(op, transpose(rewriter, loc, moved->getResult(0), perm));
    return success();
  }
};

/// concat(transpose(a_i, p), axis) -> transpose(concat(a_i, p[axis]), p)
/// for p = NHWC -> NCHW.
struct SinkThroughConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> inputs;
    ArrayRef<int64_t> perm(kToNchw);
    for (Value v : op.getInputs()) {
      auto t = v.getDefiningOp<TransposeOp>();
      if (!t || t.getPerm() != ArrayRef<int64_t>(kToNchw))
        return failure();
      inputs.push_back(t.getInput());
    }
    int64_t rank = perm.size();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    auto resT = cast<RankedTensorType>(op.getType());
    Value c = ConcatOp::create(rewriter, op.getLoc(),
                               permuted(resT, invertPermutationVector(perm)),
                               inputs, rewriter.getI64IntegerAttr(perm[axis]));
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), c, perm));
    return success();
  }
};

/// global_average_pool(transpose(x, NHWC -> NCHW)) ->
/// transpose(reduce_mean(x, [1, 2], keepdims)), likewise for the maximum.
template <typename GlobalOp, typename ReduceOp>
struct SinkThroughGlobalPool : OpRewritePattern<GlobalOp> {
  using OpRewritePattern<GlobalOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getInput().template getDefiningOp<TransposeOp>();
    if (!t || t.getPerm() != ArrayRef<int64_t>(kToNchw))
      return failure();
    auto resT = cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    Value r = ReduceOp::create(
        rewriter, loc, permuted(resT, kToNhwc), t.getInput(),
        rewriter.getDenseI64ArrayAttr({1, 2}), rewriter.getBoolAttr(true));
    rewriter.replaceOp(op, transpose(rewriter, loc, r, kToNchw));
    return success();
  }
};

/// pool(transpose(x, NHWC -> NCHW)) -> transpose(pool(x) channels_last) for
/// static 2-D f32 max and average pooling.
template <typename PoolOp> struct SinkThroughPool : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getInput().template getDefiningOp<TransposeOp>();
    auto resT = cast<RankedTensorType>(op.getType());
    if (!t || t.getPerm() != ArrayRef<int64_t>(kToNchw) ||
        op.getChannelsLast() || !resT.hasStaticShape() ||
        !(resT.getElementType().isF32() ||
          (std::is_same_v<PoolOp, MaxPoolOp> &&
           resT.getElementType().isInteger(8))))
      return failure();
    Location loc = op.getLoc();
    auto pool = PoolOp::create(rewriter, loc, permuted(resT, kToNhwc),
                               t.getInput(), op->getAttrs());
    pool.setChannelsLast(true);
    rewriter.replaceOp(op, transpose(rewriter, loc, pool, kToNchw));
    return success();
  }
};

struct DNNChannelsLastPass
    : dnnc::dnn::impl::DNNChannelsLastBase<DNNChannelsLastPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    {
      RewritePatternSet patterns(ctx);
      patterns.add<ConvToNhwc>(ctx);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    RewritePatternSet patterns(ctx);
    patterns.add<ComposeTransposes, SinkThroughElementwise, SinkThroughConcat,
                 SinkThroughGlobalPool<GlobalAveragePoolOp, ReduceMeanOp>,
                 SinkThroughGlobalPool<GlobalMaxPoolOp, ReduceMaxOp>,
                 SinkThroughPool<MaxPoolOp>, SinkThroughPool<AveragePoolOp>>(
        ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
