//===- BatchLoop.cpp - Run-time batch -> a loop over static images --------===//
//
// Convolutions and pooling whose only run-time dim is the batch (dim 0 of
// the activation and the result) become an scf.for over the batch; the body
// applies the same op to one image, with static shapes, and the static
// lowering (im2col + register-tiled matmuls, vectorized windows) handles it.
// This keeps CNNs with a symbolic batch as fast per image as static ones.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

/// Only dim 0 is dynamic.
static bool batchOnlyDynamic(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  if (!rt || rt.getRank() == 0 || !rt.isDynamicDim(0))
    return false;
  return llvm::all_of(rt.getShape().drop_front(),
                      [](int64_t d) { return !ShapedType::isDynamic(d); });
}

/// `t` with dim 0 set to `n`.
static RankedTensorType withBatch(Type t, int64_t n) {
  auto rt = cast<RankedTensorType>(t);
  SmallVector<int64_t> s(rt.getShape());
  s[0] = n;
  return RankedTensorType::get(s, rt.getElementType());
}

namespace {
/// Rewrites a single-result op whose first operand and result have a
/// run-time batch (and every other operand is static) into a batch loop.
struct BatchLoop : RewritePattern {
  BatchLoop(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/2, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<ConvOp, MaxPoolOp, AveragePoolOp>(op) || op->getNumResults() != 1)
      return failure();
    Value x = op->getOperand(0);
    if (!batchOnlyDynamic(x.getType()) ||
        !batchOnlyDynamic(op->getResult(0).getType()))
      return failure();
    for (Value v : op->getOperands().drop_front())
      if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
        return failure();
    Location loc = op->getLoc();
    auto resT = cast<RankedTensorType>(op->getResult(0).getType());
    auto xT = cast<RankedTensorType>(x.getType());
    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value n = tensor::DimOp::create(rewriter, loc, x, 0);
    Value init = tensor::EmptyOp::create(rewriter, loc, resT.getShape(),
                                         resT.getElementType(), ValueRange{n});
    auto loop = scf::ForOp::create(
        rewriter, loc, c0, n, c1, ValueRange{init},
        [&](OpBuilder &b, Location l, Value i, ValueRange acc) {
          auto unit = [&](RankedTensorType t) {
            SmallVector<OpFoldResult> offs(t.getRank(), b.getIndexAttr(0)),
                sizes, strides(t.getRank(), b.getIndexAttr(1));
            offs[0] = i;
            sizes.push_back(b.getIndexAttr(1));
            for (int64_t d : t.getShape().drop_front())
              sizes.push_back(b.getIndexAttr(d));
            return std::make_tuple(offs, sizes, strides);
          };
          auto [xo, xs, xst] = unit(xT);
          Value xi = tensor::ExtractSliceOp::create(b, l, withBatch(xT, 1), x,
                                                    xo, xs, xst);
          IRMapping map;
          map.map(x, xi);
          Operation *one = b.clone(*op, map);
          one->getResult(0).setType(withBatch(resT, 1));
          auto [ro, rs, rst] = unit(resT);
          Value upd = tensor::InsertSliceOp::create(b, l, one->getResult(0),
                                                    acc[0], ro, rs, rst);
          scf::YieldOp::create(b, l, upd);
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};
} // namespace

void dnnc::populateBatchLoopPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchLoop>(patterns.getContext());
}
