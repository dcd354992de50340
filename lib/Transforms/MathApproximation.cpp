//===- MathApproximation.cpp - Polynomial math for f32 --------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dnnc-math-approximation"

namespace dnnc {
#define GEN_PASS_DEF_DNNCMATHAPPROXIMATION
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

namespace {
struct DNNCMathApproximationPass
    : dnnc::impl::DNNCMathApproximationBase<DNNCMathApproximationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
  }
};
} // namespace
