//===- HoistVectorTransfers.cpp - Accumulators stay in registers ----------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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
    // Vector transfers read and write their views' sources, so that the
    // read and write of one accumulator are seen to be the same place.
    // Scalar loads (the input broadcasts of the conv kernels) keep their
    // views: folded through a collapse_shape, every index would become a
    // div/mod delinearization inside the hottest loops.
    SmallVector<Operation *> transfers;
    getOperation().walk([&](Operation *op) {
      if (isa<vector::TransferReadOp, vector::TransferWriteOp, vector::LoadOp,
              vector::StoreOp>(op))
        transfers.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    (void)applyOpPatternsGreedily(
        transfers, std::move(patterns),
        GreedyRewriteConfig().setStrictness(
            GreedyRewriteStrictness::ExistingAndNewOps));
    // The folded indices' constants, one of each value again (hoisting
    // pairs a read with a write at the same index values).
    (void)applyPatternsGreedily(getOperation(),
                                RewritePatternSet(&getContext()));
    linalg::hoistRedundantVectorTransfers(getOperation());
  }
};
} // namespace
