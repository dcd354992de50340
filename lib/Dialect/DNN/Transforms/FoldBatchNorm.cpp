//===- FoldBatchNorm.cpp - Fold BatchNorm into Conv -----------------------===//
#include "dnnc/Dialect/DNN/Transforms/Passes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include <cmath>

#define DEBUG_TYPE "dnn-fold-batch-norm"

namespace dnnc::dnn {
#define GEN_PASS_DEF_DNNFOLDBATCHNORM
#include "dnnc/Dialect/DNN/Transforms/Passes.h.inc"
} // namespace dnnc::dnn

using namespace mlir;
using namespace dnnc::dnn;

static std::optional<SmallVector<float>> f32Values(Value v) {
  DenseFPElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.getElementType().isF32())
    return std::nullopt;
  return llvm::to_vector(attr.getValues<float>());
}

namespace {
/// batch_norm(conv(x, W, b)) -> conv(x, W', b') for constant parameters.
struct FoldIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use conv");
    auto w = f32Values(conv.getWeight());
    auto scale = f32Values(bn.getScale()), beta = f32Values(bn.getBias());
    auto mean = f32Values(bn.getMean()), var = f32Values(bn.getVariance());
    if (!w || !scale || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "non-constant f32 parameters");
    std::optional<SmallVector<float>> b;
    if (conv.getBias() && !(b = f32Values(conv.getBias())))
      return rewriter.notifyMatchFailure(bn, "non-constant conv bias");
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    int64_t f = wType.getDimSize(0), per = wType.getNumElements() / f;
    SmallVector<float> newW(*w), newB(f);
    for (int64_t o = 0; o < f; ++o) {
      float s =
          (*scale)[o] / std::sqrt((*var)[o] + bn.getEpsilon().convertToFloat());
      for (int64_t i = 0; i < per; ++i)
        newW[o * per + i] *= s;
      newB[o] = ((b ? (*b)[o] : 0.0f) - (*mean)[o]) * s + (*beta)[o];
    }
    Location loc = conv.getLoc();
    auto bType = RankedTensorType::get({f}, rewriter.getF32Type());
    Value wc = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(wType, ArrayRef<float>(newW)));
    Value bc = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(bType, ArrayRef<float>(newB)));
    auto fused = ConvOp::create(
        rewriter, rewriter.getFusedLoc({loc, bn.getLoc()}), bn.getType(),
        conv.getInput(), wc, bc, conv.getStridesAttr(), conv.getPadsAttr(),
        conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(bn, fused.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct DNNFoldBatchNormPass
    : dnnc::dnn::impl::DNNFoldBatchNormBase<DNNFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
