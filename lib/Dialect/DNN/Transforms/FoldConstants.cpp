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

/// Builds `outType` from the raw data of `attr`: output element at
/// multi-index `idx` is input element `srcIndex(idx)` (a row-major flat
/// index). Returns null for sub-byte element types.
static DenseElementsAttr
gatherConstant(DenseElementsAttr attr, RankedTensorType outType,
               llvm::function_ref<int64_t(ArrayRef<int64_t>)> srcIndex) {
  auto inType = cast<RankedTensorType>(attr.getType());
  if (attr.isSplat())
    return DenseElementsAttr::get(outType, attr.getSplatValue<Attribute>());
  if (inType.getElementTypeBitWidth() % 8)
    return {};
  size_t bytes = inType.getElementTypeBitWidth() / 8;
  int64_t rank = outType.getRank(), n = outType.getNumElements();
  ArrayRef<char> raw = attr.getRawData();
  std::vector<char> out(n * bytes);
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t o = 0; o < n; ++o) {
    std::memcpy(&out[o * bytes], &raw[srcIndex(idx) * bytes], bytes);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < outType.getDimSize(d))
        break;
      idx[d] = 0;
    }
  }
  return DenseElementsAttr::getFromRawBuffer(outType, out);
}

/// Row-major strides of a static shape.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

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
    SmallVector<int64_t> inStrides = stridesOf(inType.getShape());
    ArrayRef<int64_t> perm = op.getPerm();
    DenseElementsAttr folded =
        gatherConstant(attr, outType, [&](ArrayRef<int64_t> idx) {
          int64_t src = 0;
          for (size_t d = 0; d < idx.size(); ++d)
            src += idx[d] * inStrides[perm[d]];
          return src;
        });
    if (!folded)
      return rewriter.notifyMatchFailure(op, "sub-byte elements");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, folded);
    return success();
  }
};

/// slice(constant) -> constant (e.g. kernels flipped for ConvTranspose).
struct SliceConstant : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    if (op.isRuntime())
      return failure();
    DenseElementsAttr attr;
    if (!matchPattern(op.getInput(), m_Constant(&attr)))
      return rewriter.notifyMatchFailure(op, "input is not a constant");
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    if (!outType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    SmallVector<int64_t> inStrides = stridesOf(inType.getShape());
    DenseElementsAttr folded =
        gatherConstant(attr, outType, [&](ArrayRef<int64_t> idx) {
          int64_t src = 0;
          for (size_t d = 0; d < idx.size(); ++d)
            src +=
                (op.getStarts()[d] + idx[d] * op.getSteps()[d]) * inStrides[d];
          return src;
        });
    if (!folded)
      return rewriter.notifyMatchFailure(op, "sub-byte elements");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, folded);
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

/// and/sub/add/mul of integer constants (each of the result's shape, or a
/// single value) and integer casts of integer constants, evaluated at
/// compile time: the zero points and centered weights of the integer ops
/// (ConvInteger, MatMulInteger, QLinear*) become constants.
struct IntegerConstantArith : RewritePattern {
  IntegerConstantArith(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<AndOp, SubOp, AddOp, MulOp, CastOp>(op) ||
        op->getNumResults() != 1)
      return failure();
    auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!outType || !outType.hasStaticShape() ||
        !isa<IntegerType>(outType.getElementType()) ||
        outType.getNumElements() > (1 << 24))
      return failure();
    SmallVector<DenseIntElementsAttr> in;
    for (Value v : op->getOperands()) {
      DenseIntElementsAttr a;
      if (!matchPattern(v, m_Constant(&a)) ||
          (a.getNumElements() != 1 &&
           cast<ShapedType>(a.getType()).getShape() != outType.getShape()))
        return failure();
      in.push_back(a);
    }
    unsigned width = outType.getElementTypeBitWidth();
    int64_t n = outType.getNumElements();
    auto at = [&](unsigned i, int64_t k) {
      APInt v = in[i].getNumElements() == 1 ? *in[i].getValues<APInt>().begin()
                                            : in[i].getValues<APInt>()[k];
      // Booleans cast to 1, other integers sign-extend (signless storage
      // read as signed, as dnn.cast does).
      return v.getBitWidth() == 1 ? v.zextOrTrunc(width) : v.sextOrTrunc(width);
    };
    if (in.front().isSplat() && (in.size() == 1 || in.back().isSplat()))
      n = 1;
    SmallVector<APInt> out;
    out.reserve(n);
    for (int64_t k = 0; k < n; ++k) {
      APInt a = at(0, k);
      if (isa<CastOp>(op))
        out.push_back(a);
      else if (isa<AndOp>(op))
        out.push_back(a & at(1, k));
      else if (isa<SubOp>(op))
        out.push_back(a - at(1, k));
      else if (isa<AddOp>(op))
        out.push_back(a + at(1, k));
      else
        out.push_back(a * at(1, k));
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, n == 1 ? DenseElementsAttr::get(outType, out.front())
                   : DenseElementsAttr::get(outType, out));
    return success();
  }
};

struct DNNFoldConstantsPass
    : dnnc::dnn::impl::DNNFoldConstantsBase<DNNFoldConstantsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<TransposeConstant, SliceConstant, GemmPretransposeB,
                 IntegerConstantArith>(ctx);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      if (op.getDialectNamespace() == "dnn")
        op.getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
