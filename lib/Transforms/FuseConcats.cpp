//===- FuseConcats.cpp - Producers write into their concatenation ---------===//
//
// A concatenation lowers to a chain of tensor.insert_slice ops into a
// tensor.empty, each copying one part. When a part x is computed in
// destination-passing style, x = op_k(... op_1(tensor.empty) ...), it can be
// computed directly in its place:
//
//   %c  = bufferization.alloc_tensor (the concatenation's type)
//   %in = tensor.extract_slice %c (x's place)   replaces x's tensor.empty
//   ... op_1 .. op_k now compute x in %in ...
//   tensor.insert_slice x into %c (the same place), in place once bufferized
//
// as dnnc-fuse-pads does for padded tensors (squeezenet's fire modules
// concatenate the outputs of two convolutions, whose kernels then write
// their tiles into the concatenated tensor).
//
//===----------------------------------------------------------------------===//
#include "DestinationChain.h"
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#define DEBUG_TYPE "dnnc-fuse-concats"

namespace dnnc {
#define GEN_PASS_DEF_DNNCFUSECONCATS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

/// Rewrites the chain of insert_slice ops ending at `last` (its first one
/// writing into a tensor.empty); false when it does not have that form or
/// no part is computed in destination-passing style.
static bool fuseConcat(tensor::InsertSliceOp last) {
  // The chain, first insert first; each writes into the previous one.
  SmallVector<tensor::InsertSliceOp> chain;
  for (auto op = last; op;
       op = op.getDest().getDefiningOp<tensor::InsertSliceOp>()) {
    if (!op.getResult().hasOneUse() && op != last)
      return false;
    chain.insert(chain.begin(), op);
  }
  auto empty = chain.front().getDest().getDefiningOp<tensor::EmptyOp>();
  if (!empty || chain.size() < 2 || !empty.getType().hasStaticShape())
    return false;
  // The parts computed in destination-passing style, and the earliest op
  // that starts one of their chains.
  Block *block = last->getBlock();
  DenseMap<Operation *, OpOperand *> roots;
  Operation *first = nullptr;
  for (tensor::InsertSliceOp ins : chain) {
    if (ins->getBlock() != block || !ins.hasUnitStride() ||
        ShapedType::isDynamicShape(ins.getStaticOffsets()) ||
        ShapedType::isDynamicShape(ins.getStaticSizes()))
      continue;
    // (A part that other ops read too stays apart: bufferization could
    // not tell that the later inserts leave its slice alone, and would
    // copy it out and back.)
    if (!ins.getSource().hasOneUse())
      continue;
    OpOperand *root = dnnc::rootEmpty(ins.getSource());
    if (!root || root->getOwner()->getBlock() != block ||
        root->get().getType() != ins.getSourceType())
      continue;
    roots[ins] = root;
    if (!first || root->getOwner()->isBeforeInBlock(first))
      first = root->getOwner();
  }
  if (roots.empty())
    return false;
  // The concatenated tensor is threaded through the parts in order: each
  // insert moves up to right after its part (and the previous insert), and
  // the next part, when its chain starts after that, is computed in a slice
  // of the previous insert's result. Each extract/insert pair then matches
  // on one buffer, which bufferization keeps in place.
  // (An alloc_tensor, not a tensor.empty: canonicalization would turn a
  // slice of an empty tensor into a new empty tensor, unrelated to it.)
  OpBuilder b(first);
  Location loc = last.getLoc();
  Value cur = bufferization::AllocTensorOp::create(b, loc, empty.getType(),
                                                   ValueRange{});
  bool fused = false;
  for (tensor::InsertSliceOp ins : chain) {
    OpOperand *root = roots.lookup(ins);
    Operation *curDef = cur.getDefiningOp();
    if (root && curDef->isBeforeInBlock(root->getOwner())) {
      dnnc::computeChainIn(b, root, cur, ins.getStaticOffsets());
      fused = true;
    }
    ins.getDestMutable().set(cur);
    Operation *after = curDef;
    if (Operation *src = ins.getSource().getDefiningOp();
        src && src->getBlock() == block && after->isBeforeInBlock(src))
      after = src;
    ins->moveAfter(after);
    cur = ins.getResult();
  }
  return fused;
}

namespace {
struct DNNCFuseConcatsPass
    : dnnc::impl::DNNCFuseConcatsBase<DNNCFuseConcatsPass> {
  void runOnOperation() override {
    // The last insert of each chain: one whose result no insert continues.
    SmallVector<tensor::InsertSliceOp> lasts;
    getOperation().walk([&](tensor::InsertSliceOp op) {
      bool continued = llvm::any_of(op->getUsers(), [&](Operation *u) {
        auto next = dyn_cast<tensor::InsertSliceOp>(u);
        return next && next.getDest() == op.getResult();
      });
      if (!continued)
        lasts.push_back(op);
    });
    for (tensor::InsertSliceOp op : lasts)
      fuseConcat(op);
  }
};
} // namespace
