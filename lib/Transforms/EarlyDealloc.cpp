//===- EarlyDealloc.cpp - Free buffers right after their last use ---------===//
//
// After ownership-based deallocation a buffer is freed at the end of the
// block that allocated it. Moving each such dealloc up to the buffer's last
// use lets the runtime allocator (BufferCache.c) reuse its memory for the
// buffers of later layers, so that a run's peak is the largest live set of
// buffers rather than the sum of all of them.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#define DEBUG_TYPE "dnnc-early-dealloc"

namespace dnnc {
#define GEN_PASS_DEF_DNNCEARLYDEALLOC
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

/// The last op of `block` that uses `alloc` or a view of it, other than
/// `dealloc`; null if some use may let the buffer outlive that op.
static Operation *lastUse(memref::AllocOp alloc, memref::DeallocOp dealloc) {
  Block *block = alloc->getBlock();
  Operation *last = alloc;
  SmallVector<Value> worklist = {alloc.getResult()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (user == dealloc)
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == v) {
        for (Value r : user->getResults())
          worklist.push_back(r);
      } else if (isa<RegionBranchTerminatorOpInterface, CallOpInterface,
                     memref::DeallocOp>(user) ||
                 user->hasTrait<OpTrait::ReturnLike>() ||
                 llvm::any_of(user->getResultTypes(),
                              llvm::IsaPred<BaseMemRefType>)) {
        return nullptr;
      }
      Operation *inBlock = block->findAncestorOpInBlock(*user);
      if (!inBlock)
        return nullptr;
      if (last->isBeforeInBlock(inBlock))
        last = inBlock;
    }
  }
  return last;
}

namespace {
struct DNNCEarlyDeallocPass
    : dnnc::impl::DNNCEarlyDeallocBase<DNNCEarlyDeallocPass> {
  void runOnOperation() override {
    SmallVector<memref::DeallocOp> deallocs;
    getOperation().walk([&](memref::DeallocOp d) { deallocs.push_back(d); });
    for (memref::DeallocOp d : deallocs) {
      auto alloc = d.getMemref().getDefiningOp<memref::AllocOp>();
      if (!alloc || alloc->getBlock() != d->getBlock())
        continue;
      Operation *last = lastUse(alloc, d);
      if (last && last->isBeforeInBlock(d))
        d->moveAfter(last);
    }
  }
};
} // namespace
