//===- UnshareEmptyTensors.cpp - One tensor.empty per use -----------------===//
//
// CSE merges identical tensor.empty ops, and identical linalg.fill ops of
// them (the zeros a matmul accumulates into, the -inf a max starts from), so
// that one of them often serves as the destination of many unrelated ops.
// One-shot bufferization gives such a value one buffer; when several ops
// write into it, all but one are bufferized out of place, each into a new
// buffer that first receives a copy of the shared one; and the shared buffer
// is allocated where CSE left the op, often the top of the function, so it
// lives through the whole run. Giving every writer its own tensor.empty (or
// fill of one), right before it, removes the copies (an empty tensor needs
// no copy at all, a fill only writes) and allocates each buffer when it is
// first needed.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#define DEBUG_TYPE "dnnc-unshare-empty-tensors"

namespace dnnc {
#define GEN_PASS_DEF_DNNCUNSHAREEMPTYTENSORS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

/// True when the user of `use` only reads the tensor (an input of a
/// destination-style op, an extract, a vector read); others write into it
/// (a destination-style op's init, a loop's iteration argument).
static bool isReadOnly(OpOperand &use) {
  Operation *user = use.getOwner();
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(user))
    return dps.isDpsInput(&use);
  return isa<tensor::ExtractOp, tensor::ExtractSliceOp, vector::TransferReadOp>(
      user);
}

/// Where a clone of `op` for `use` goes: right before the user, or the op
/// that contains it in `op`'s block (not inside a loop), so that the buffer
/// is allocated when needed and not from the first use of the shared one.
static Operation *beforeUser(Operation *op, OpOperand &use) {
  Operation *at = op->getBlock()->findAncestorOpInBlock(*use.getOwner());
  return at ? at : op;
}

namespace {
struct DNNCUnshareEmptyTensorsPass
    : dnnc::impl::DNNCUnshareEmptyTensorsBase<DNNCUnshareEmptyTensorsPass> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    // Fills of an empty tensor: each writer gets its own fill of its own
    // empty tensor, built right before it.
    SmallVector<linalg::FillOp> fills;
    getOperation().walk([&](linalg::FillOp f) {
      if (f.hasPureTensorSemantics() &&
          f.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
        fills.push_back(f);
    });
    for (linalg::FillOp f : fills) {
      SmallVector<OpOperand *> written;
      for (OpOperand &use : f->getResult(0).getUses())
        if (!isReadOnly(use))
          written.push_back(&use);
      for (OpOperand *use : written) {
        b.setInsertionPoint(beforeUser(f, *use));
        Operation *empty = b.clone(*f.getOutputs()[0].getDefiningOp());
        IRMapping map;
        map.map(f.getOutputs()[0], empty->getResult(0));
        use->set(b.clone(*f, map)->getResult(0));
      }
      if (f->use_empty())
        f->erase();
    }
    // Empty tensors: each use gets its own, right before it.
    SmallVector<tensor::EmptyOp> empties;
    getOperation().walk([&](tensor::EmptyOp e) { empties.push_back(e); });
    for (tensor::EmptyOp e : empties) {
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : e->getUses())
        uses.push_back(&use);
      for (OpOperand *use : uses) {
        b.setInsertionPoint(beforeUser(e, *use));
        use->set(b.clone(*e)->getResult(0));
      }
      e->erase();
    }
  }
};
} // namespace
