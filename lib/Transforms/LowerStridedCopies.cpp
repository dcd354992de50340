//===- LowerStridedCopies.cpp - memref.copy without runtime calls ---------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "dnnc-lower-strided-copies"

namespace dnnc {
#define GEN_PASS_DEF_DNNCLOWERSTRIDEDCOPIES
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

static bool contiguous(Value v) {
  auto t = cast<MemRefType>(v.getType());
  return t.getLayout().isIdentity() ||
         (t.hasStaticShape() && memref::isStaticShapeAndContiguousRowMajor(t));
}

namespace {
struct DNNCLowerStridedCopiesPass
    : dnnc::impl::DNNCLowerStridedCopiesBase<DNNCLowerStridedCopiesPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](memref::CopyOp copy) {
      if (contiguous(copy.getSource()) && contiguous(copy.getTarget()))
        return;
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    });
  }
};
} // namespace
