//===- HoistAllocas.cpp - Static allocas to the function entry ------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

#define DEBUG_TYPE "dnnc-hoist-allocas"

namespace dnnc {
#define GEN_PASS_DEF_DNNCHOISTALLOCAS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

namespace {
struct DNNCHoistAllocasPass
    : dnnc::impl::DNNCHoistAllocasBase<DNNCHoistAllocasPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    // Each alloca goes to the function's entry or, inside an OpenMP parallel
    // region, to the entry of the region's body (one copy per thread).
    // Allocas under a memref.alloca_scope stay where they are.
    SmallVector<std::pair<memref::AllocaOp, Block *>> allocas;
    func.walk([&](memref::AllocaOp a) {
      Operation *scope = a->getParentOp();
      while (scope &&
             !isa<func::FuncOp, omp::ParallelOp, memref::AllocaScopeOp>(scope))
        scope = scope->getParentOp();
      if (!scope || isa<memref::AllocaScopeOp>(scope) ||
          !a.getType().hasStaticShape() || a->getNumOperands() != 0)
        return;
      Block *entry = &scope->getRegion(0).front();
      if (a->getBlock() != entry)
        allocas.push_back({a, entry});
    });
    for (auto [a, entry] : allocas)
      a->moveBefore(entry, entry->begin());
  }
};
} // namespace
