//===- ConvToMatmul.cpp - linalg convolutions as matmuls ------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "dnnc-conv-to-matmul"

namespace dnnc {
#define GEN_PASS_DEF_DNNCCONVTOMATMUL
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

/// Collapses/expands between static shapes when the reassociation is simple.
static Value reshape(OpBuilder &b, Location loc, Value v, RankedTensorType to) {
  auto from = cast<RankedTensorType>(v.getType());
  auto re = getReassociationIndicesForReshape(from, to);
  assert(re && "expected a simple reshape");
  if (from.getRank() > to.getRank())
    return tensor::CollapseShapeOp::create(b, loc, to, v, *re);
  return tensor::ExpandShapeOp::create(b, loc, to, v, *re);
}

/// 1x1, stride 1, batch 1 convolution: out[F, HW] = W[F, C] x in[C, HW].
static LogicalResult rewritePointwise(RewriterBase &rewriter,
                                      linalg::Conv2DNchwFchwOp conv) {
  auto inT = cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto wT = cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto outT = cast<RankedTensorType>(conv.getOutputs()[0].getType());
  if (!inT.hasStaticShape() || !wT.hasStaticShape() || inT.getDimSize(0) != 1 ||
      wT.getDimSize(2) != 1 || wT.getDimSize(3) != 1 ||
      !llvm::all_of(conv.getStrides().getValues<int64_t>(),
                    [](int64_t s) { return s == 1; }))
    return failure();
  Location loc = conv.getLoc();
  Type et = outT.getElementType();
  int64_t c = inT.getDimSize(1), f = wT.getDimSize(0);
  int64_t hw = inT.getDimSize(2) * inT.getDimSize(3);
  rewriter.setInsertionPoint(conv);
  Value w = reshape(rewriter, loc, conv.getInputs()[1],
                    RankedTensorType::get({f, c}, et));
  Value x = reshape(rewriter, loc, conv.getInputs()[0],
                    RankedTensorType::get({c, hw}, et));
  Value init = reshape(rewriter, loc, conv.getOutputs()[0],
                       RankedTensorType::get({f, hw}, et));
  Value mm = linalg::MatmulOp::create(rewriter, loc, TypeRange{init.getType()},
                                      ValueRange{w, x}, ValueRange{init})
                 .getResult(0);
  rewriter.replaceOp(conv, reshape(rewriter, loc, mm, outT));
  return success();
}

namespace {
struct DNNCConvToMatmulPass
    : dnnc::impl::DNNCConvToMatmulBase<DNNCConvToMatmulPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    getOperation().walk(
        [&](linalg::Conv2DNchwFchwOp c) { convs.push_back(c); });
    for (auto conv : convs) {
      if (succeeded(rewritePointwise(rewriter, conv)))
        continue;
      rewriter.setInsertionPoint(conv);
      (void)linalg::rewriteInIm2Col(rewriter, conv);
    }
  }
};
} // namespace
