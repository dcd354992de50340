//===- ParallelLoops.cpp - Marked loops to scf.parallel -------------------===//
//
// Kernel generators (dnnc-conv-kernels) know which of their loops have
// independent iterations and mark them `dnnc.parallel` while still on
// tensors. Bufferization writes the loop-carried tensor in place, and the
// canonicalizer then drops the loop-carried buffer; the loop is left with no
// results and becomes an scf.parallel here.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Transforms/Passes.h"

#define DEBUG_TYPE "dnnc-parallel-loops"

namespace dnnc {
#define GEN_PASS_DEF_DNNCPARALLELLOOPS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

namespace {
struct DNNCParallelLoopsPass
    : dnnc::impl::DNNCParallelLoopsBase<DNNCParallelLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk<WalkOrder::PreOrder>([&](scf::ForOp f) {
      if (f->hasAttr(dnnc::kParallelAttr))
        loops.push_back(f);
    });
    IRRewriter rewriter(&getContext());
    for (scf::ForOp f : loops) {
      f->removeAttr(dnnc::kParallelAttr);
      if (f.getNumResults() != 0 || f->getParentOfType<scf::ParallelOp>())
        continue;
      rewriter.setInsertionPoint(f);
      auto par = scf::ParallelOp::create(
          rewriter, f.getLoc(), ValueRange{f.getLowerBound()},
          ValueRange{f.getUpperBound()}, ValueRange{f.getStep()});
      Block *body = par.getBody();
      // Move the loop body in front of scf.parallel's own terminator.
      rewriter.eraseOp(f.getBody()->getTerminator());
      rewriter.inlineBlockBefore(f.getBody(), body->getTerminator(),
                                 ValueRange{par.getInductionVars()[0]});
      rewriter.eraseOp(f);
    }
  }
};
} // namespace
