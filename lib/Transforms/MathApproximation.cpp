//===- MathApproximation.cpp - Polynomial math for f32 --------------------===//
//
// Transcendental f32 math becomes polynomials (upstream patterns), and a
// float rounded to the nearest even integer then converted to an integer
// becomes one rounding conversion (llvm.lrint: cvtps2dq on x86 instead of
// vrndscaleps + vcvttps2dq), also when a clamp to integer bounds sits
// between the rounding and the conversion (a requantization).
//
//===----------------------------------------------------------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dnnc-math-approximation"

namespace dnnc {
#define GEN_PASS_DEF_DNNCMATHAPPROXIMATION
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

namespace {
/// fptosi(roundeven(x)) -> llvm.lrint(x). lrint rounds in the current mode,
/// which is to nearest even (nothing in a dnnc model changes it); both forms
/// leave values outside the integer type undefined.
struct RoundToIntegerConversion : OpRewritePattern<arith::FPToSIOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::FPToSIOp op,
                                PatternRewriter &rewriter) const override {
    auto round = op.getIn().getDefiningOp<math::RoundEvenOp>();
    Type to = getElementTypeOrSelf(op.getType());
    Type from = getElementTypeOrSelf(op.getIn().getType());
    if (!round || !from.isF32() || !(to.isInteger(32) || to.isInteger(64)))
      return failure();
    rewriter.replaceOpWithNewOp<LLVM::LrintOp>(op, op.getType(),
                                               round.getOperand());
    return success();
  }
};

/// max|min(roundeven(x), c) -> roundeven(max|min(x, c)) for an integral
/// constant c: rounding is monotonic and keeps integers, so both are c when
/// x falls beyond c and roundeven(x) otherwise (NaN stays NaN). It moves the
/// rounding of a clamped requantization next to its conversion.
template <typename ClampOp> struct RoundAfterClamp : OpRewritePattern<ClampOp> {
  using OpRewritePattern<ClampOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ClampOp op,
                                PatternRewriter &rewriter) const override {
    for (unsigned i : {0u, 1u}) {
      auto round =
          op->getOperand(i).template getDefiningOp<math::RoundEvenOp>();
      Value bound = op->getOperand(1 - i);
      FloatAttr c;
      SplatElementsAttr splat;
      if (matchPattern(bound, m_Constant(&splat)) &&
          isa<FloatType>(splat.getElementType()))
        c = FloatAttr::get(splat.getElementType(),
                           splat.getSplatValue<APFloat>());
      else
        (void)matchPattern(bound, m_Constant(&c));
      if (!round || !round->hasOneUse() || !c || !c.getValue().isInteger())
        continue;
      auto clamp = ClampOp::create(rewriter, op.getLoc(), round.getOperand(),
                                   bound, op.getFastmathAttr());
      rewriter.replaceOpWithNewOp<math::RoundEvenOp>(op, clamp);
      return success();
    }
    return failure();
  }
};

struct DNNCMathApproximationPass
    : dnnc::impl::DNNCMathApproximationBase<DNNCMathApproximationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    patterns.add<RoundToIntegerConversion, RoundAfterClamp<arith::MaximumFOp>,
                 RoundAfterClamp<arith::MinimumFOp>,
                 RoundAfterClamp<arith::MaxNumFOp>,
                 RoundAfterClamp<arith::MinNumFOp>>(&getContext());
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
  }
};
} // namespace
