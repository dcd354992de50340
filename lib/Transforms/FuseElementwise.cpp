//===- FuseElementwise.cpp - One generic per elementwise chain ------------===//
//
// Upstream linalg elementwise fusion, restricted to elementwise producers
// and consumers (all loops parallel, the producer's result used once) that
// read the producer's result element for element: a reduction consumer, a
// broadcast into a convolution's init or a value that other ops read stay as
// they are, and so does a producer that the consumer broadcasts (a
// squeeze-and-excitation block's sigmoid over [N, 1, 1, C], which fused into
// the [N, H, W, C] multiply would run once per pixel instead of once per
// channel). Canonicalization of the fused generics merges the operands they
// read twice.
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

static bool isParallelGeneric(Operation *op) {
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
          auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
          return isParallelGeneric(producer) && producer->hasOneUse() &&
                 isParallelGeneric(consumer) &&
                 consumer.getMatchingIndexingMap(operand).isPermutation();
        });
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
