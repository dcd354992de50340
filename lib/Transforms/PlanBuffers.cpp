//===- PlanBuffers.cpp - One arena for a function's static buffers --------===//
//
// After dnnc-early-dealloc, each intermediate buffer of a function's body is
// a memref.alloc and a memref.dealloc after its last use, in the same block.
// With static sizes, their lifetimes (the ops of the block between the two)
// and sizes are known at compile time: this pass places them all in one
// arena, allocated once at the start of the block and freed at its end,
// each at an offset where no buffer live at the same time lies (greedy by
// size: the largest first, each at the lowest 64-byte aligned offset that
// does not overlap the buffers already placed whose lifetimes meet its own).
// The arena is about the largest set of buffers live at once, so a run
// holds no more than that, where a run-time allocator caching freed blocks
// holds more (blocks of one size cannot serve requests of another).
//
//===----------------------------------------------------------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#define DEBUG_TYPE "dnnc-plan-buffers"

namespace dnnc {
#define GEN_PASS_DEF_DNNCPLANBUFFERS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

static constexpr int64_t kAlign = 64;

namespace {
/// A buffer of the block: its alloc and dealloc, the ops' positions in the
/// block, its size in bytes and the offset it gets.
struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t start, end, bytes, offset = -1;
};
} // namespace

/// The buffers of `block` that can be planned: a static, identity-layout
/// alloc freed by the one dealloc of the same block.
static SmallVector<Buffer> plannable(Block &block) {
  DenseMap<Operation *, int64_t> position;
  int64_t i = 0;
  for (Operation &op : block)
    position[&op] = i++;
  SmallVector<Buffer> buffers;
  for (Operation &op : block) {
    auto alloc = dyn_cast<memref::AllocOp>(op);
    if (!alloc)
      continue;
    MemRefType t = alloc.getType();
    if (!t.hasStaticShape() || !t.getLayout().isIdentity() ||
        t.getMemorySpace() || !t.getElementType().isIntOrFloat() ||
        t.getElementTypeBitWidth() % 8)
      continue;
    memref::DeallocOp dealloc;
    int deallocs = 0;
    for (Operation *user : alloc->getUsers())
      if (auto d = dyn_cast<memref::DeallocOp>(user)) {
        dealloc = d;
        ++deallocs;
      }
    if (deallocs != 1 || dealloc->getBlock() != &block)
      continue;
    int64_t bytes = t.getNumElements() * t.getElementTypeBitWidth() / 8;
    buffers.push_back({alloc, dealloc, position[alloc], position[dealloc],
                       static_cast<int64_t>(llvm::alignTo(
                           std::max<int64_t>(bytes, 1), kAlign))});
  }
  return buffers;
}

/// Greedy by size: the largest buffers first, each at the lowest offset
/// free of the placed buffers whose lifetimes meet its own. Returns the
/// arena's size.
static int64_t assignOffsets(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  // Largest first; equal sizes in program order (positions are unique).
  llvm::sort(order, [](Buffer *x, Buffer *y) {
    return std::make_pair(-x->bytes, x->start) <
           std::make_pair(-y->bytes, y->start);
  });
  SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *b : order) {
    // The ranges taken by placed buffers live at the same time, by offset.
    SmallVector<std::pair<int64_t, int64_t>> taken;
    for (Buffer *p : placed)
      if (p->start <= b->end && b->start <= p->end)
        taken.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [lo, hi] : taken) {
      if (offset + b->bytes <= lo)
        break;
      offset = std::max(offset, hi);
    }
    b->offset = offset;
    total = std::max(total, offset + b->bytes);
    placed.push_back(b);
  }
  return total;
}

namespace {
struct DNNCPlanBuffersPass
    : dnnc::impl::DNNCPlanBuffersBase<DNNCPlanBuffersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &block = func.getBody().front();
    SmallVector<Buffer> buffers = plannable(block);
    if (buffers.size() < 2)
      return;
    int64_t total = assignOffsets(buffers);
    OpBuilder b(&block, block.begin());
    Location loc = func.getLoc();
    auto arenaT = MemRefType::get({total}, b.getI8Type());
    Value arena = memref::AllocOp::create(b, loc, arenaT, ValueRange{},
                                          b.getI64IntegerAttr(kAlign));
    for (Buffer &buf : buffers) {
      b.setInsertionPoint(buf.alloc);
      Value offset = arith::ConstantIndexOp::create(b, loc, buf.offset);
      Value view =
          memref::ViewOp::create(b, buf.alloc.getLoc(), buf.alloc.getType(),
                                 arena, offset, ValueRange{});
      buf.alloc.replaceAllUsesWith(view);
      buf.dealloc->erase();
      buf.alloc->erase();
    }
    b.setInsertionPoint(block.getTerminator());
    memref::DeallocOp::create(b, loc, arena);
  }
};
} // namespace
