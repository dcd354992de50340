//===- HoistAllocas.cpp - Static allocas to the function entry ------------===//
#include "dnnc/Transforms/Passes.h"

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
    Block &entry = func.getBody().front();
    SmallVector<memref::AllocaOp> allocas;
    func.walk([&](memref::AllocaOp a) {
      if (a->getBlock() != &entry && a.getType().hasStaticShape() &&
          a->getNumOperands() == 0 &&
          a->getParentOfType<memref::AllocaScopeOp>() == nullptr)
        allocas.push_back(a);
    });
    for (memref::AllocaOp a : allocas)
      a->moveBefore(&entry, entry.begin());
  }
};
} // namespace
