//===- Detection.cpp - Object-detection ops -> scf loops ------------------===//
//
// NonMaxSuppression is inherently sequential (each pick depends on the
// previous ones) and data-dependent in size, so it lowers to scalar scf
// loops over tensors: per (batch, class), repeatedly pick the best remaining
// box and remove those overlapping it, writing rows into a buffer sized for
// the worst case, of which the filled prefix is the result.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

namespace {
struct NonMaxSuppressionLowering : OpRewritePattern<NonMaxSuppressionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NonMaxSuppressionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value boxes = op.getBoxes(), scores = op.getScores();
    Type ft = cast<RankedTensorType>(scores.getType()).getElementType();
    Type i64 = b.getI64Type(), i1 = b.getI1Type();
    bool center = op.getCenterPointBox();
    auto c = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto f = [&](double v) { return scalarConst(b, loc, ft, v); };
    auto scalarOf = [&](Value t) -> Value {
      return tensor::ExtractOp::create(b, loc, t, ValueRange{});
    };
    Value nb = dimValue(b, loc, scores, 0), nc = dimValue(b, loc, scores, 1),
          ns = dimValue(b, loc, scores, 2);
    // Picks per class: max_output clamped to [0, S].
    Value maxOut = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                              scalarOf(op.getMaxOutput()));
    Value perClass = arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, maxOut, c(0)), ns);
    Value iouThr = scalarOf(op.getIouThreshold());
    Value scoreThr = scalarOf(op.getScoreThreshold());
    auto rowsT = RankedTensorType::get({ShapedType::kDynamic, 3}, i64);
    Value cap = arith::MulIOp::create(
        b, loc, arith::MulIOp::create(b, loc, nb, nc), perClass);
    Value rows0 =
        tensor::EmptyOp::create(b, loc, rowsT.getShape(), i64, ValueRange{cap});

    // Box i of batch bi as (y1, x1, y2, x2) with y1 <= y2, x1 <= x2.
    auto corners = [&](OpBuilder &nb2, Location l, Value bi, Value i) {
      SmallVector<Value> v;
      for (int64_t k = 0; k < 4; ++k)
        v.push_back(
            tensor::ExtractOp::create(nb2, l, boxes, ValueRange{bi, i, c(k)}));
      if (center) {
        // [xc, yc, w, h]
        Value hw = arith::MulFOp::create(nb2, l, v[2], f(0.5));
        Value hh = arith::MulFOp::create(nb2, l, v[3], f(0.5));
        return SmallVector<Value>{arith::SubFOp::create(nb2, l, v[1], hh),
                                  arith::SubFOp::create(nb2, l, v[0], hw),
                                  arith::AddFOp::create(nb2, l, v[1], hh),
                                  arith::AddFOp::create(nb2, l, v[0], hw)};
      }
      return SmallVector<Value>{arith::MinimumFOp::create(nb2, l, v[0], v[2]),
                                arith::MinimumFOp::create(nb2, l, v[1], v[3]),
                                arith::MaximumFOp::create(nb2, l, v[0], v[2]),
                                arith::MaximumFOp::create(nb2, l, v[1], v[3])};
    };
    // Whether boxes i and j overlap with IoU > the threshold (boxes with
    // no area never suppress).
    auto suppresses = [&](OpBuilder &ob, Location l, Value bi, Value i,
                          Value j) -> Value {
      SmallVector<Value> a = corners(ob, l, bi, i), d = corners(ob, l, bi, j);
      auto area = [&](ArrayRef<Value> q) {
        return arith::MulFOp::create(ob, l,
                                     arith::SubFOp::create(ob, l, q[2], q[0]),
                                     arith::SubFOp::create(ob, l, q[3], q[1]));
      };
      auto overlap = [&](int64_t lo, int64_t hi) -> Value {
        Value e = arith::SubFOp::create(
            ob, l, arith::MinimumFOp::create(ob, l, a[hi], d[hi]),
            arith::MaximumFOp::create(ob, l, a[lo], d[lo]));
        return arith::MaximumFOp::create(ob, l, e, f(0));
      };
      Value areaA = area(a), areaD = area(d);
      Value inter = arith::MulFOp::create(ob, l, overlap(0, 2), overlap(1, 3));
      Value uni = arith::SubFOp::create(
          ob, l, arith::AddFOp::create(ob, l, areaA, areaD), inter);
      auto gt = [&](Value x, Value y) {
        return arith::CmpFOp::create(ob, l, arith::CmpFPredicate::OGT, x, y);
      };
      Value iou = arith::DivFOp::create(ob, l, inter, uni);
      Value ok = arith::AndIOp::create(ob, l, gt(areaA, f(0)), gt(areaD, f(0)));
      ok = arith::AndIOp::create(ob, l, ok, gt(inter, f(0)));
      return arith::AndIOp::create(ob, l, ok, gt(iou, iouThr));
    };

    auto batchLoop = scf::ForOp::create(
        b, loc, c(0), nb, c(1), ValueRange{rows0, c(0)},
        [&](OpBuilder &, Location l, Value bi, ValueRange bargs) {
          auto classLoop = scf::ForOp::create(
              b, l, c(0), nc, c(1), bargs,
              [&](OpBuilder &, Location l2, Value ci, ValueRange cargs) {
                // Boxes not above the score threshold are out from the start.
                Value removed0 = tensor::GenerateOp::create(
                    b, l2, RankedTensorType::get({ShapedType::kDynamic}, i1),
                    ValueRange{ns},
                    [&](OpBuilder &gb, Location gl, ValueRange idx) {
                      Value s = tensor::ExtractOp::create(
                          gb, gl, scores, ValueRange{bi, ci, idx[0]});
                      Value keep = arith::CmpFOp::create(
                          gb, gl, arith::CmpFPredicate::OGT, s, scoreThr);
                      Value out = arith::XOrIOp::create(
                          gb, gl, keep,
                          arith::ConstantIntOp::create(gb, gl, i1, 1));
                      tensor::YieldOp::create(gb, gl, out);
                    });
                auto pickLoop = scf::ForOp::create(
                    b, l2, c(0), perClass, c(1),
                    ValueRange{cargs[0], cargs[1], removed0},
                    [&](OpBuilder &, Location l3, Value, ValueRange pargs) {
                      Value removed = pargs[2];
                      // The best remaining box (lowest index on ties).
                      auto best = scf::ForOp::create(
                          b, l3, c(0), ns, c(1), ValueRange{c(-1), f(0)},
                          [&](OpBuilder &, Location l4, Value i,
                              ValueRange acc) {
                            Value gone = tensor::ExtractOp::create(
                                b, l4, removed, ValueRange{i});
                            Value s = tensor::ExtractOp::create(
                                b, l4, scores, ValueRange{bi, ci, i});
                            Value none = arith::CmpIOp::create(
                                b, l4, arith::CmpIPredicate::slt, acc[0], c(0));
                            Value better = arith::OrIOp::create(
                                b, l4, none,
                                arith::CmpFOp::create(b, l4,
                                                      arith::CmpFPredicate::OGT,
                                                      s, acc[1]));
                            Value take = arith::AndIOp::create(
                                b, l4, better,
                                arith::XOrIOp::create(
                                    b, l4, gone,
                                    arith::ConstantIntOp::create(b, l4, i1,
                                                                 1)));
                            scf::YieldOp::create(
                                b, l4,
                                ValueRange{arith::SelectOp::create(b, l4, take,
                                                                   i, acc[0]),
                                           arith::SelectOp::create(b, l4, take,
                                                                   s, acc[1])});
                          });
                      Value k = best.getResult(0);
                      Value found = arith::CmpIOp::create(
                          b, l3, arith::CmpIPredicate::sge, k, c(0));
                      auto ifOp = scf::IfOp::create(
                          b, l3, found,
                          [&](OpBuilder &, Location l5) {
                            // Write the row, then remove k and its overlaps.
                            Value rows = pargs[0], n = pargs[1];
                            SmallVector<Value> cols = {bi, ci, k};
                            for (auto [col, v] : llvm::enumerate(cols))
                              rows = tensor::InsertOp::create(
                                  b, l5,
                                  arith::IndexCastOp::create(b, l5, i64, v),
                                  rows, ValueRange{n, c(col)});
                            Value r = tensor::InsertOp::create(
                                b, l5,
                                arith::ConstantIntOp::create(b, l5, i1, 1),
                                removed, ValueRange{k});
                            auto sweep = scf::ForOp::create(
                                b, l5, c(0), ns, c(1), ValueRange{r},
                                [&](OpBuilder &, Location l6, Value j,
                                    ValueRange sargs) {
                                  Value hit = suppresses(b, l6, bi, k, j);
                                  Value old = tensor::ExtractOp::create(
                                      b, l6, sargs[0], ValueRange{j});
                                  Value now =
                                      arith::OrIOp::create(b, l6, old, hit);
                                  scf::YieldOp::create(
                                      b, l6,
                                      ValueRange{tensor::InsertOp::create(
                                          b, l6, now, sargs[0],
                                          ValueRange{j})});
                                });
                            scf::YieldOp::create(
                                b, l5,
                                ValueRange{
                                    rows, arith::AddIOp::create(b, l5, n, c(1)),
                                    sweep.getResult(0)});
                          },
                          [&](OpBuilder &, Location l5) {
                            scf::YieldOp::create(b, l5, pargs);
                          });
                      scf::YieldOp::create(b, l3, ifOp.getResults());
                    });
                scf::YieldOp::create(
                    b, l2,
                    ValueRange{pickLoop.getResult(0), pickLoop.getResult(1)});
              });
          scf::YieldOp::create(b, l, classLoop.getResults());
        });
    Value count = batchLoop.getResult(1);
    SmallVector<OpFoldResult> offs = {b.getIndexAttr(0), b.getIndexAttr(0)},
                              sizes = {count, b.getIndexAttr(3)},
                              strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    Value r = tensor::ExtractSliceOp::create(
        b, loc, rowsT, batchLoop.getResult(0), offs, sizes, strides);
    if (r.getType() != op.getType())
      r = tensor::CastOp::create(b, loc, op.getType(), r);
    rewriter.replaceOp(op, r);
    return success();
  }
};
} // namespace

void dnnc::populateDetectionPatterns(RewritePatternSet &patterns) {
  patterns.add<NonMaxSuppressionLowering>(patterns.getContext());
}
