//===- ReturnOwnedBuffers.cpp - Returned memrefs become fresh allocations -===//
//
// The dynamic-shape ABI hands each output buffer to the caller, who frees it
// (dnnc_release_tensor). That is only sound when every returned memref is a
// distinct heap allocation made by the function; anything else is copied
// into one here.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/DenseSet.h"

#define DEBUG_TYPE "dnnc-return-owned-buffers"

namespace dnnc {
#define GEN_PASS_DEF_DNNCRETURNOWNEDBUFFERS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

namespace {
struct DNNCReturnOwnedBuffersPass
    : dnnc::impl::DNNCReturnOwnedBuffersBase<DNNCReturnOwnedBuffersPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder b(ret);
      llvm::DenseSet<Value> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<MemRefType>(v.getType());
        if (!type)
          continue;
        auto alloc = v.getDefiningOp<memref::AllocOp>();
        bool owned = alloc && alloc->getBlock() == ret->getBlock() &&
                     type.getLayout().isIdentity();
        if (owned && seen.insert(v).second)
          continue;
        Location loc = ret.getLoc();
        SmallVector<Value> dynSizes;
        for (int64_t d = 0; d < type.getRank(); ++d)
          if (type.isDynamicDim(d))
            dynSizes.push_back(memref::DimOp::create(b, loc, v, d));
        auto freshType =
            MemRefType::get(type.getShape(), type.getElementType(),
                            MemRefLayoutAttrInterface(), type.getMemorySpace());
        Value fresh = memref::AllocOp::create(b, loc, freshType, dynSizes);
        memref::CopyOp::create(b, loc, v, fresh);
        if (freshType != type)
          fresh = memref::CastOp::create(b, loc, type, fresh);
        operand.set(fresh);
        seen.insert(fresh);
      }
    });
  }
};
} // namespace
