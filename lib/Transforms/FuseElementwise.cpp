//===- FuseElementwise.cpp - One generic per elementwise chain ------------===//
//
// Upstream linalg elementwise fusion, restricted to elementwise producers
// and consumers (all loops parallel, the producer's result used once): a
// reduction consumer, a broadcast into a convolution's init or a value that
// other ops read stay as they are. Canonicalization of the fused generics
// merges the operands they read twice.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dnnc-fuse-elementwise"

namespace dnnc {
#define GEN_PASS_DEF_DNNCFUSEELEMENTWISE
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

static bool isElementwise(Operation *op) {
  auto gen = dyn_cast_or_null<linalg::GenericOp>(op);
  return gen && gen.hasPureTensorSemantics() &&
         gen.getNumLoops() == gen.getNumParallelLoops() &&
         gen->getNumResults() == 1;
}

namespace {
struct DNNCFuseElementwisePass
    : dnnc::impl::DNNCFuseElementwiseBase<DNNCFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          Operation *producer = operand->get().getDefiningOp();
          return isElementwise(producer) && producer->hasOneUse() &&
                 isElementwise(operand->getOwner());
        });
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
