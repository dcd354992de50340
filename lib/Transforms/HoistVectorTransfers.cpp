//===- HoistVectorTransfers.cpp - Accumulators stay in registers ----------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dnnc-hoist-vector-transfers"

namespace dnnc {
#define GEN_PASS_DEF_DNNCHOISTVECTORTRANSFERS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

namespace {
struct DNNCHoistVectorTransfersPass
    : dnnc::impl::DNNCHoistVectorTransfersBase<DNNCHoistVectorTransfersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
    linalg::hoistRedundantVectorTransfers(getOperation());
  }
};
} // namespace
