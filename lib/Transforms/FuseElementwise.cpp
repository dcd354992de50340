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
// A producer that narrows a contraction's result to 8-bit codes (a
// requantization) stays out of a consumer that reads another contraction's
// result (a residual Add of two quantized convolutions): the consumer
// becomes the other contraction's epilogue, and this contraction writes its
// codes, a byte per element, instead of its i32 accumulators. So fusion runs
// twice: first without such producers, which lets each consumer gather the
// whole chain it will read (the widening of the codes included), then with
// them, into the consumers that read no other contraction.
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

/// The contraction (a linalg op with reduction loops) that computes `v`,
/// directly or through elementwise generics; null if there is none among
/// the first `budget` generics looked at (depth first; an unfused
/// requantization chain is 8 deep).
static Operation *contractionBehind(Value v, int &budget) {
  auto op = dyn_cast_or_null<linalg::LinalgOp>(v.getDefiningOp());
  if (!op || budget-- <= 0)
    return nullptr;
  if (op.getNumReductionLoops() > 0)
    return op;
  if (!isParallelGeneric(op))
    return nullptr;
  for (Value in : op.getDpsInputs())
    if (Operation *c = contractionBehind(in, budget))
      return c;
  return nullptr;
}

static Operation *contractionBehind(Value v) {
  int budget = 32;
  return contractionBehind(v, budget);
}

/// The contraction whose result `producer` narrows to 8-bit codes; null
/// if it is not such a requantization.
static Operation *requantized(Operation *producer) {
  auto it = dyn_cast<IntegerType>(
      getElementTypeOrSelf(producer->getResult(0).getType()));
  if (!it || it.getWidth() > 8)
    return nullptr;
  for (Value in : cast<linalg::GenericOp>(producer).getDpsInputs())
    if (Operation *c = contractionBehind(in))
      return c;
  return nullptr;
}

/// Whether fusing `producer` into the consumer of `operand` would take a
/// contraction's requantization away from it (see the file comment).
static bool takesRequantization(Operation *producer, OpOperand *operand) {
  Operation *mine = requantized(producer);
  if (!mine)
    return false;
  for (OpOperand &other : operand->getOwner()->getOpOperands())
    if (&other != operand) {
      Operation *c = contractionBehind(other.get());
      if (c && c != mine)
        return true;
    }
  return false;
}

namespace {
struct DNNCFuseElementwisePass
    : dnnc::impl::DNNCFuseElementwiseBase<DNNCFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    for (bool requantizations : {false, true}) {
      RewritePatternSet patterns(ctx);
      linalg::populateElementwiseOpsFusionPatterns(
          patterns, [=](OpOperand *operand) {
            Operation *producer = operand->get().getDefiningOp();
            auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
            if (!isParallelGeneric(producer) || !producer->hasOneUse() ||
                !isParallelGeneric(consumer) ||
                !consumer.getMatchingIndexingMap(operand).isPermutation())
              return false;
            return requantizations ? !takesRequantization(producer, operand)
                                   : !requantized(producer);
          });
      linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
  }
};
} // namespace
