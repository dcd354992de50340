//===- FoldConstants.cpp - Evaluate dnn ops on constants ------------------===//
#include "dnnc/Dialect/DNN/Transforms/Passes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dnn-fold-constants"

namespace dnnc::dnn {
#define GEN_PASS_DEF_DNNFOLDCONSTANTS
#include "dnnc/Dialect/DNN/Transforms/Passes.h.inc"
} // namespace dnnc::dnn

using namespace mlir;
using namespace dnnc::dnn;

namespace {
/// transpose(constant) -> constant, so that weights stored transposed are
/// laid out for the consumer at compile time.
struct TransposeConstant : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr attr;
    if (!matchPattern(op.getInput(), m_Constant(&attr)))
      return rewriter.notifyMatchFailure(op, "input is not a constant");
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    if (!outType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    if (attr.isSplat()) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, DenseElementsAttr::get(outType, attr.getSplatValue<Attribute>()));
      return success();
    }
    int64_t rank = inType.getRank(), n = inType.getNumElements();
    size_t elemBytes =
        (inType.getElementTypeBitWidth() + 7) / 8;
    if (inType.getElementTypeBitWidth() % 8 != 0)
      return rewriter.notifyMatchFailure(op, "sub-byte elements");
    ArrayRef<char> raw = attr.getRawData();
    std::vector<char> out(raw.size());
    SmallVector<int64_t> inStrides(rank, 1), outIdx(rank, 0);
    for (int64_t i = rank - 2; i >= 0; --i)
      inStrides[i] = inStrides[i + 1] * inType.getDimSize(i + 1);
    ArrayRef<int64_t> perm = op.getPerm();
    for (int64_t o = 0; o < n; ++o) {
      int64_t src = 0;
      for (int64_t d = 0; d < rank; ++d)
        src += outIdx[d] * inStrides[perm[d]];
      std::memcpy(&out[o * elemBytes], &raw[src * elemBytes], elemBytes);
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++outIdx[d] < outType.getDimSize(d))
          break;
        outIdx[d] = 0;
      }
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseElementsAttr::getFromRawBuffer(outType, out));
    return success();
  }
};

/// slice(constant) -> constant (e.g. kernels flipped for ConvTranspose).
struct SliceConstant : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr attr;
    if (!matchPattern(op.getInput(), m_Constant(&attr)))
      return rewriter.notifyMatchFailure(op, "input is not a constant");
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    if (!outType.hasStaticShape() || inType.getElementTypeBitWidth() % 8)
      return rewriter.notifyMatchFailure(op, "dynamic or sub-byte");
    if (attr.isSplat()) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, DenseElementsAttr::get(outType, attr.getSplatValue<Attribute>()));
      return success();
    }
    int64_t rank = inType.getRank(), n = outType.getNumElements();
    size_t bytes = inType.getElementTypeBitWidth() / 8;
    ArrayRef<char> raw = attr.getRawData();
    std::vector<char> out(n * bytes);
    SmallVector<int64_t> inStrides(rank, 1), idx(rank, 0);
    for (int64_t i = rank - 2; i >= 0; --i)
      inStrides[i] = inStrides[i + 1] * inType.getDimSize(i + 1);
    for (int64_t o = 0; o < n; ++o) {
      int64_t src = 0;
      for (int64_t d = 0; d < rank; ++d)
        src += (op.getStarts()[d] + idx[d] * op.getSteps()[d]) * inStrides[d];
      std::memcpy(&out[o * bytes], &raw[src * bytes], bytes);
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++idx[d] < outType.getDimSize(d))
          break;
        idx[d] = 0;
      }
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseElementsAttr::getFromRawBuffer(outType, out));
    return success();
  }
};

/// gemm(a, constant B, transB) -> gemm(a, transpose(B)): the weights are
/// stored [K, N] at compile time instead of being transposed at run time.
struct GemmPretransposeB : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getTransB() || !matchPattern(op.getB(), m_Constant()))
      return rewriter.notifyMatchFailure(op, "B is not a transposed constant");
    auto bt = cast<RankedTensorType>(op.getB().getType());
    auto tt = RankedTensorType::get({bt.getDimSize(1), bt.getDimSize(0)},
                                    bt.getElementType());
    Value t = TransposeOp::create(rewriter, op.getLoc(), tt, op.getB(),
                                  rewriter.getDenseI64ArrayAttr({1, 0}));
    rewriter.modifyOpInPlace(op, [&] {
      op.getBMutable().assign(t);
      op.setTransB(false);
    });
    return success();
  }
};

struct DNNFoldConstantsPass
    : dnnc::dnn::impl::DNNFoldConstantsBase<DNNFoldConstantsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<TransposeConstant, SliceConstant, GemmPretransposeB>(ctx);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      if (op.getDialectNamespace() == "dnn")
        op.getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
