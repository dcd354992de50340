//===- Sequential.cpp - Inherently sequential ops -> scalar scf loops -----===//
//
// Ops whose steps depend on the previous ones, or whose result sizes depend
// on the data, lower to scalar scf loops over tensors:
// - NonMaxSuppression: per (batch, class), repeatedly pick the best
//   remaining box and remove those overlapping it, writing rows into a
//   buffer sized for the worst case, of which the filled prefix is the
//   result.
// - Det: LU elimination with partial pivoting per matrix.
// - Unique: first occurrences by pairwise row comparison, optionally sorted
//   by rank, with the inverse map and counts.
// - TfIdfVectorizer: per row and pool n-gram, a count over start positions
//   and skips, read from constant gram tables.
// - RoiAlign: per (roi, channel, bin), a grid of bilinear samples whose size
//   may depend on the box.
// - StringNormalizer: a count of the strings that are not stop words, then a
//   compacting copy that changes their case.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include <limits>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

namespace {
/// Loop and index helpers shared by the lowerings below.
struct LoopBuilder {
  OpBuilder &b;
  Location loc;
  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  /// scf.for [lo, hi) carrying `init`; `body(i, args)` returns the next
  /// values.
  ValueRange loop(Value lo, Value hi, ValueRange init,
                  function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    return scf::ForOp::create(
               b, loc, lo, hi, c(1), init,
               [&](OpBuilder &, Location, Value i, ValueRange args) {
                 scf::YieldOp::create(b, loc, body(i, args));
               })
        .getResults();
  }
  Value at(Value t, ValueRange idx) {
    return tensor::ExtractOp::create(b, loc, t, idx);
  }
  Value put(Value v, Value t, ValueRange idx) {
    return tensor::InsertOp::create(b, loc, v, t, idx);
  }
  Value toI64(Value i) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
  }
  Value toIndex(Value i) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
  }
  Value eq(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
};

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

    LoopBuilder lb{b, loc};
    Value yes = arith::ConstantIntOp::create(b, loc, i1, 1);
    auto isNot = [&](Value v) { return arith::XOrIOp::create(b, loc, v, yes); };
    ValueRange done = lb.loop(
        c(0), nb, ValueRange{rows0, c(0)}, [&](Value bi, ValueRange bargs) {
          return llvm::to_vector(
              lb.loop(c(0), nc, bargs, [&](Value ci, ValueRange cargs) {
                // Boxes not above the score threshold are out from the start.
                Value removed0 = tensor::GenerateOp::create(
                    b, loc, RankedTensorType::get({ShapedType::kDynamic}, i1),
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
                ValueRange picked = lb.loop(
                    c(0), perClass, ValueRange{cargs[0], cargs[1], removed0},
                    [&](Value, ValueRange pargs) -> SmallVector<Value> {
                      Value removed = pargs[2];
                      // The best remaining box (lowest index on ties).
                      Value k = lb.loop(
                          c(0), ns, ValueRange{c(-1), f(0)},
                          [&](Value i, ValueRange acc) {
                            Value s = lb.at(scores, {bi, ci, i});
                            Value none = arith::CmpIOp::create(
                                b, loc, arith::CmpIPredicate::slt, acc[0],
                                c(0));
                            Value better = arith::OrIOp::create(
                                b, loc, none,
                                arith::CmpFOp::create(b, loc,
                                                      arith::CmpFPredicate::OGT,
                                                      s, acc[1]));
                            Value take = arith::AndIOp::create(
                                b, loc, better, isNot(lb.at(removed, {i})));
                            return SmallVector<Value>{
                                lb.select(take, i, acc[0]),
                                lb.select(take, s, acc[1])};
                          })[0];
                      Value found = arith::CmpIOp::create(
                          b, loc, arith::CmpIPredicate::sge, k, c(0));
                      auto ifOp = scf::IfOp::create(
                          b, loc, found,
                          [&](OpBuilder &, Location) {
                            // Write the row, then remove k and its overlaps.
                            Value rows = pargs[0], n = pargs[1];
                            SmallVector<Value> cols = {bi, ci, k};
                            for (auto [col, v] : llvm::enumerate(cols))
                              rows = lb.put(lb.toI64(v), rows, {n, c(col)});
                            Value r = lb.loop(
                                c(0), ns, ValueRange{lb.put(yes, removed, {k})},
                                [&](Value j, ValueRange sargs) {
                                  Value now = arith::OrIOp::create(
                                      b, loc, lb.at(sargs[0], {j}),
                                      suppresses(b, loc, bi, k, j));
                                  return SmallVector<Value>{
                                      lb.put(now, sargs[0], {j})};
                                })[0];
                            scf::YieldOp::create(
                                b, loc,
                                ValueRange{
                                    rows,
                                    arith::AddIOp::create(b, loc, n, c(1)), r});
                          },
                          [&](OpBuilder &, Location) {
                            scf::YieldOp::create(b, loc, pargs);
                          });
                      return SmallVector<Value>(ifOp.getResults());
                    });
                return SmallVector<Value>{picked[0], picked[1]};
              }));
        });
    Value count = done[1];
    SmallVector<OpFoldResult> offs = {b.getIndexAttr(0), b.getIndexAttr(0)},
                              sizes = {count, b.getIndexAttr(3)},
                              strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    Value r = tensor::ExtractSliceOp::create(b, loc, rowsT, done[0], offs,
                                             sizes, strides);
    if (r.getType() != op.getType())
      r = tensor::CastOp::create(b, loc, op.getType(), r);
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct DetLowering : OpRewritePattern<DetOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DetOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LoopBuilder lb{rewriter, loc};
    OpBuilder &b = rewriter;
    Value x = op.getInput();
    auto t = cast<RankedTensorType>(op.getType());
    Type et = t.getElementType();
    Value nb = dimValue(b, loc, x, 0), m = dimValue(b, loc, x, 1);
    auto mt =
        RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic}, et);
    Value one = scalarConst(b, loc, et, 1), zero = scalarConst(b, loc, et, 0);
    Value out = buildEmpty(b, loc, t, {nb});
    Value r = lb.loop(lb.c(0), nb, out, [&](Value bi, ValueRange args) {
      SmallVector<OpFoldResult> offs = {bi, b.getIndexAttr(0),
                                        b.getIndexAttr(0)},
                                sizes = {b.getIndexAttr(1), m, m},
                                strides(3, b.getIndexAttr(1));
      Value a0 =
          tensor::ExtractSliceOp::create(b, loc, mt, x, offs, sizes, strides);
      ValueRange lu =
          lb.loop(lb.c(0), m, ValueRange{a0, one}, [&](Value k, ValueRange st) {
            Value a = st[0], det = st[1];
            // Partial pivoting: the row p >= k with the largest |a[p, k]|.
            auto absAt = [&](Value i) {
              return math::AbsFOp::create(b, loc, lb.at(a, {i, k}));
            };
            Value p = lb.loop(
                k, m, ValueRange{k, absAt(k)}, [&](Value i, ValueRange acc) {
                  Value v = absAt(i);
                  Value better = arith::CmpFOp::create(
                      b, loc, arith::CmpFPredicate::OGT, v, acc[1]);
                  return SmallVector<Value>{lb.select(better, i, acc[0]),
                                            lb.select(better, v, acc[1])};
                })[0];
            // Swap rows k and p (a no-op when p == k; the sign flips
            // otherwise).
            a = lb.loop(lb.c(0), m, ValueRange{a}, [&](Value j, ValueRange s) {
              Value vk = lb.at(s[0], {k, j}), vp = lb.at(s[0], {p, j});
              Value r = lb.put(vp, s[0], {k, j});
              return SmallVector<Value>{lb.put(vk, r, {p, j})};
            })[0];
            det =
                lb.select(lb.eq(p, k), det, arith::NegFOp::create(b, loc, det));
            Value pv = lb.at(a, {k, k});
            det = arith::MulFOp::create(b, loc, det, pv);
            // Eliminate below the pivot (nothing to do for a zero pivot:
            // the determinant is zero already).
            Value singular = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::OEQ, pv, zero);
            Value k1 = arith::AddIOp::create(b, loc, k, lb.c(1));
            a = lb.loop(k1, m, ValueRange{a}, [&](Value i, ValueRange rs) {
              Value f = arith::DivFOp::create(b, loc, lb.at(rs[0], {i, k}), pv);
              f = lb.select(singular, zero, f);
              return SmallVector<Value>{
                  lb.loop(k, m, ValueRange{rs[0]}, [&](Value j, ValueRange cs) {
                    Value v = arith::SubFOp::create(
                        b, loc, lb.at(cs[0], {i, j}),
                        arith::MulFOp::create(b, loc, f, lb.at(cs[0], {k, j})));
                    return SmallVector<Value>{lb.put(v, cs[0], {i, j})};
                  })[0]};
            })[0];
            return SmallVector<Value>{a, det};
          });
      return SmallVector<Value>{lb.put(lu[1], args[0], {bi})};
    })[0];
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct UniqueLowering : OpRewritePattern<UniqueOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(UniqueOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LoopBuilder lb{rewriter, loc};
    OpBuilder &b = rewriter;
    Value x = op.getInput();
    Type et = cast<RankedTensorType>(x.getType()).getElementType();
    bool isFloat = isa<FloatType>(et);
    Type i64 = b.getI64Type(), i1 = b.getI1Type();
    Value n = dimValue(b, loc, x, 0), r = dimValue(b, loc, x, 1);
    auto vec = [&](Value size) {
      return tensor::EmptyOp::create(b, loc,
                                     ArrayRef<int64_t>{ShapedType::kDynamic},
                                     i64, ValueRange{size})
          .getResult();
    };
    auto boolConst = [&](bool v) {
      return arith::ConstantIntOp::create(b, loc, i1, v);
    };
    auto cmp = [&](arith::CmpFPredicate fp, arith::CmpIPredicate ip, Value u,
                   Value v) -> Value {
      if (isFloat)
        return arith::CmpFOp::create(b, loc, fp, u, v);
      return arith::CmpIOp::create(b, loc, ip, u, v);
    };
    // Rows i and j hold the same values.
    auto same = [&](Value i, Value j) {
      return lb.loop(
          lb.c(0), r, ValueRange{boolConst(true)},
          [&](Value k, ValueRange acc) {
            Value e = cmp(arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq,
                          lb.at(x, {i, k}), lb.at(x, {j, k}));
            return SmallVector<Value>{arith::AndIOp::create(b, loc, acc[0], e)};
          })[0];
    };
    // Row i sorts before row j (lexicographically).
    auto less = [&](Value i, Value j) {
      ValueRange res = lb.loop(
          lb.c(0), r, ValueRange{boolConst(false), boolConst(false)},
          [&](Value k, ValueRange acc) {
            Value u = lb.at(x, {i, k}), v = lb.at(x, {j, k});
            Value lt =
                cmp(arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt, u, v);
            Value gt =
                cmp(arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt, u, v);
            Value open = arith::XOrIOp::create(b, loc, acc[0], boolConst(true));
            Value decides = arith::OrIOp::create(b, loc, lt, gt);
            return SmallVector<Value>{
                arith::OrIOp::create(b, loc, acc[0], decides),
                lb.select(open, lt, acc[1])};
          });
      return res[1];
    };
    // 1. The first occurrence of each row's value.
    Value firstOf =
        lb.loop(lb.c(0), n, ValueRange{vec(n)}, [&](Value i, ValueRange acc) {
          Value f =
              lb.loop(lb.c(0), i, ValueRange{i}, [&](Value j, ValueRange fa) {
                Value unset = lb.eq(fa[0], i);
                Value hit = arith::AndIOp::create(b, loc, unset, same(j, i));
                return SmallVector<Value>{lb.select(hit, j, fa[0])};
              })[0];
          return SmallVector<Value>{lb.put(lb.toI64(f), acc[0], {i})};
        })[0];
    auto isFirst = [&](Value i) {
      return lb.eq(lb.toIndex(lb.at(firstOf, {i})), i);
    };
    // 2. Output positions of the first occurrences: order of appearance, or
    // the rank among the distinct rows when sorted.
    ValueRange pk = lb.loop(
        lb.c(0), n, ValueRange{vec(n), lb.c(0)}, [&](Value i, ValueRange acc) {
          Value first = isFirst(i);
          Value pos = acc[1];
          if (op.getSorted())
            pos = lb.loop(
                lb.c(0), n, ValueRange{lb.c(0)}, [&](Value j, ValueRange ra) {
                  Value before =
                      arith::AndIOp::create(b, loc, isFirst(j), less(j, i));
                  Value add = lb.select(before, lb.c(1), lb.c(0));
                  return SmallVector<Value>{
                      arith::AddIOp::create(b, loc, ra[0], add)};
                })[0];
          Value next = arith::AddIOp::create(
              b, loc, acc[1], lb.select(first, lb.c(1), lb.c(0)));
          return SmallVector<Value>{lb.put(lb.toI64(pos), acc[0], {i}), next};
        });
    Value posOf = pk[0], k = pk[1];
    // 3. first, inverse and counts.
    Value zeros =
        buildFilled(b, loc, RankedTensorType::get({ShapedType::kDynamic}, i64),
                    b.getI64IntegerAttr(0), ValueRange{k});
    ValueRange res = lb.loop(
        lb.c(0), n, ValueRange{vec(k), vec(n), zeros},
        [&](Value i, ValueRange acc) {
          Value p = lb.toIndex(lb.at(posOf, {lb.toIndex(lb.at(firstOf, {i}))}));
          Value inv = lb.put(lb.toI64(p), acc[1], {i});
          Value cnt = arith::AddIOp::create(
              b, loc, lb.at(acc[2], {p}),
              arith::ConstantIntOp::create(b, loc, i64, 1));
          Value counts = lb.put(cnt, acc[2], {p});
          Value firsts =
              scf::IfOp::create(
                  b, loc, isFirst(i),
                  [&](OpBuilder &, Location) {
                    scf::YieldOp::create(
                        b, loc, ValueRange{lb.put(lb.toI64(i), acc[0], {p})});
                  },
                  [&](OpBuilder &, Location) {
                    scf::YieldOp::create(b, loc, acc[0]);
                  })
                  .getResult(0);
          return SmallVector<Value>{firsts, inv, counts};
        });
    SmallVector<Value> outs;
    for (auto [v, t] : llvm::zip(res, op.getResultTypes()))
      outs.push_back(v.getType() == t
                         ? v
                         : tensor::CastOp::create(b, loc, t, v).getResult());
    rewriter.replaceOp(op, outs);
    return success();
  }
};

struct TfIdfVectorizerLowering : OpRewritePattern<TfIdfVectorizerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TfIdfVectorizerOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LoopBuilder lb{rewriter, loc};
    OpBuilder &b = rewriter;
    Value x = op.getInput();
    auto t = cast<RankedTensorType>(op.getType());
    Type f32 = b.getF32Type(), i1 = b.getI1Type();
    // The grams as constant tables: token offset, length, column, weight.
    SmallVector<int64_t> offsets;
    int64_t off = 0;
    for (int64_t len : op.getGramLengths()) {
      offsets.push_back(off);
      off += len;
    }
    int64_t grams = offsets.size();
    auto table = [&](ArrayRef<int64_t> v) -> Value {
      return arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()), v));
    };
    Value pool = table(op.getPool()), gOff = table(offsets),
          gLen = table(op.getGramLengths()), gIdx = table(op.getGramIndexes());
    Value gW = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({grams}, f32),
                               op.getWeights()));
    Value nb = dimValue(b, loc, x, 0), n = dimValue(b, loc, x, 1);
    int64_t cols = 0;
    for (int64_t idx : op.getGramIndexes())
      cols = std::max(cols, idx + 1);
    if (!t.isDynamicDim(1))
      cols = t.getDimSize(1);
    Value out = buildFilled(b, loc, t, b.getF32FloatAttr(0),
                            dynamicDims(t, {nb, lb.c(cols)}));
    Value skips = lb.c(op.getMaxSkipCount() + 1);
    StringRef mode = op.getMode();
    Value r = lb.loop(lb.c(0), nb, out, [&](Value bi, ValueRange acc) {
      Value res =
          lb.loop(lb.c(0), lb.c(grams), acc, [&](Value g, ValueRange gacc) {
            Value len = lb.toIndex(lb.at(gLen, {g}));
            Value start = lb.toIndex(lb.at(gOff, {g}));
            // A unigram counts once per position, whatever the skip.
            Value kinds = lb.select(lb.eq(len, lb.c(1)), lb.c(1), skips);
            Value count = lb.loop(
                lb.c(0), kinds, ValueRange{lb.c(0)},
                [&](Value s, ValueRange sacc) {
                  Value stride = arith::AddIOp::create(b, loc, s, lb.c(1));
                  return SmallVector<Value>{
                      lb.loop(lb.c(0), n, sacc, [&](Value i, ValueRange iacc) {
                        Value ok = lb.loop(
                            lb.c(0), len,
                            ValueRange{
                                arith::ConstantIntOp::create(b, loc, i1, 1)},
                            [&](Value k, ValueRange kacc) {
                              Value pos = arith::AddIOp::create(
                                  b, loc, i,
                                  arith::MulIOp::create(b, loc, k, stride));
                              Value inside = arith::CmpIOp::create(
                                  b, loc, arith::CmpIPredicate::slt, pos, n);
                              Value safe = arith::MinSIOp::create(
                                  b, loc, pos,
                                  arith::SubIOp::create(b, loc, n, lb.c(1)));
                              Value tok = lb.at(x, {bi, safe});
                              Value want = lb.at(pool, {arith::AddIOp::create(
                                                           b, loc, start, k)});
                              Value m = arith::AndIOp::create(b, loc, inside,
                                                              lb.eq(tok, want));
                              return SmallVector<Value>{
                                  arith::AndIOp::create(b, loc, kacc[0], m)};
                            })[0];
                        return SmallVector<Value>{arith::AddIOp::create(
                            b, loc, iacc[0], lb.select(ok, lb.c(1), lb.c(0)))};
                      })[0]};
                })[0];
            Value c = indexAsScalar(b, loc, count, f32);
            Value w = lb.at(gW, {g});
            Value v = c;
            if (mode == "IDF")
              v = lb.select(arith::CmpFOp::create(b, loc,
                                                  arith::CmpFPredicate::OGT, c,
                                                  scalarConst(b, loc, f32, 0)),
                            w, scalarConst(b, loc, f32, 0));
            else if (mode == "TFIDF")
              v = arith::MulFOp::create(b, loc, c, w);
            Value col = lb.toIndex(lb.at(gIdx, {g}));
            Value old = lb.at(gacc[0], {bi, col});
            return SmallVector<Value>{lb.put(
                arith::AddFOp::create(b, loc, old, v), gacc[0], {bi, col})};
          })[0];
      return SmallVector<Value>{res};
    })[0];
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// RoiAlign: scalar loops over (roi, channel, bin) and the bin's sample grid,
/// whose size may depend on the box (sampling_ratio 0).
struct RoiAlignLowering : OpRewritePattern<RoiAlignOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RoiAlignOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LoopBuilder lb{rewriter, loc};
    OpBuilder &b = rewriter;
    Value x = op.getInput(), rois = op.getRois();
    auto t = cast<RankedTensorType>(op.getType());
    Type et = t.getElementType();
    auto f = [&](double v) { return scalarConst(b, loc, et, v); };
    auto add = [&](Value p, Value q) {
      return arith::AddFOp::create(b, loc, p, q);
    };
    auto sub = [&](Value p, Value q) {
      return arith::SubFOp::create(b, loc, p, q);
    };
    auto mul = [&](Value p, Value q) {
      return arith::MulFOp::create(b, loc, p, q);
    };
    auto div = [&](Value p, Value q) {
      return arith::DivFOp::create(b, loc, p, q);
    };
    auto fmax = [&](Value p, Value q) {
      return arith::MaximumFOp::create(b, loc, p, q);
    };
    auto lt = [&](Value p, Value q) {
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, p, q);
    };
    auto toF = [&](Value i) { return indexAsScalar(b, loc, i, et); };
    int64_t oh = op.getOutputHeight(), ow = op.getOutputWidth();
    bool isMax = op.getMax();
    Value nr = dimValue(b, loc, rois, 0), nc = dimValue(b, loc, x, 1),
          h = dimValue(b, loc, x, 2), w = dimValue(b, loc, x, 3);
    Value hf = toF(h), wf = toF(w);
    Value out = buildEmpty(b, loc, t, {nr, nc, lb.c(oh), lb.c(ow)});
    Value res = lb.loop(lb.c(0), nr, out, [&](Value r, ValueRange racc) {
      Value bi = lb.toIndex(lb.at(op.getBatchIndices(), {r}));
      auto coord = [&](int64_t k) {
        Value v = mul(lb.at(rois, {r, lb.c(k)}),
                      f(op.getSpatialScale().convertToDouble()));
        return op.getHalfPixel() ? sub(v, f(0.5)) : v;
      };
      Value x1 = coord(0), y1 = coord(1), x2 = coord(2), y2 = coord(3);
      Value rw = sub(x2, x1), rh = sub(y2, y1);
      if (!op.getHalfPixel()) {
        rw = fmax(rw, f(1));
        rh = fmax(rh, f(1));
      }
      Value binH = div(rh, f(oh)), binW = div(rw, f(ow));
      auto gridOf = [&](Value size, int64_t bins) -> Value {
        if (op.getSamplingRatio() > 0)
          return lb.c(op.getSamplingRatio());
        Value g = math::CeilOp::create(b, loc, div(size, f(bins)));
        return arith::MaxSIOp::create(
            b, loc,
            arith::IndexCastOp::create(
                b, loc, b.getIndexType(),
                arith::FPToSIOp::create(b, loc, b.getI64Type(), g)),
            lb.c(1));
      };
      Value gh = gridOf(rh, oh), gw = gridOf(rw, ow);
      Value count = toF(arith::MulIOp::create(b, loc, gh, gw));
      // The bilinear sample at (y, x) of channel c: the four corner terms.
      auto sample = [&](Value c, Value y, Value xx) -> SmallVector<Value> {
        Value outside = arith::OrIOp::create(
            b, loc, arith::OrIOp::create(b, loc, lt(y, f(-1)), lt(hf, y)),
            arith::OrIOp::create(b, loc, lt(xx, f(-1)), lt(wf, xx)));
        y = fmax(y, f(0));
        xx = fmax(xx, f(0));
        auto corner = [&](Value v, Value size, Value sizeF, Value &lo,
                          Value &hi, Value &frac) {
          Value fl = math::FloorOp::create(b, loc, v);
          Value last = sub(sizeF, f(1));
          Value atEnd = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE,
                                              fl, last);
          Value loF = lb.select(atEnd, last, fl);
          v = lb.select(atEnd, last, v);
          lo = arith::IndexCastOp::create(
              b, loc, b.getIndexType(),
              arith::FPToSIOp::create(b, loc, b.getI64Type(), loF));
          lo = arith::MaxSIOp::create(b, loc, lo, lb.c(0));
          hi = arith::MinSIOp::create(
              b, loc, arith::AddIOp::create(b, loc, lo, lb.c(1)),
              arith::SubIOp::create(b, loc, size, lb.c(1)));
          frac = sub(v, loF);
        };
        Value yl, yh, ly, xl, xh, lx;
        corner(y, h, hf, yl, yh, ly);
        corner(xx, w, wf, xl, xh, lx);
        Value hy = sub(f(1), ly), hx = sub(f(1), lx);
        SmallVector<Value> terms = {
            mul(mul(hy, hx), lb.at(x, {bi, c, yl, xl})),
            mul(mul(hy, lx), lb.at(x, {bi, c, yl, xh})),
            mul(mul(ly, hx), lb.at(x, {bi, c, yh, xl})),
            mul(mul(ly, lx), lb.at(x, {bi, c, yh, xh}))};
        for (Value &v : terms)
          v = lb.select(outside, f(0), v);
        return terms;
      };
      Value rres = lb.loop(lb.c(0), nc, racc, [&](Value c, ValueRange cacc) {
        Value acc = cacc[0];
        for (int64_t ph = 0; ph < oh; ++ph)
          for (int64_t pw = 0; pw < ow; ++pw) {
            Value y0 = add(y1, mul(f(ph), binH)),
                  x0 = add(x1, mul(f(pw), binW));
            Value init =
                isMax ? f(-std::numeric_limits<double>::infinity()) : f(0);
            Value v = lb.loop(
                lb.c(0), gh, ValueRange{init}, [&](Value iy, ValueRange ya) {
                  Value y =
                      add(y0, div(mul(add(toF(iy), f(0.5)), binH), toF(gh)));
                  return SmallVector<Value>{
                      lb.loop(lb.c(0), gw, ya, [&](Value ix, ValueRange xa) {
                        Value xx = add(
                            x0, div(mul(add(toF(ix), f(0.5)), binW), toF(gw)));
                        SmallVector<Value> t4 = sample(c, y, xx);
                        Value s;
                        if (isMax)
                          s = fmax(xa[0], fmax(fmax(t4[0], t4[1]),
                                               fmax(t4[2], t4[3])));
                        else
                          s = add(xa[0],
                                  add(add(t4[0], t4[1]), add(t4[2], t4[3])));
                        return SmallVector<Value>{s};
                      })[0]};
                })[0];
            if (!isMax)
              v = div(v, count);
            acc = lb.put(v, acc, {r, c, lb.c(ph), lb.c(pw)});
          }
        return SmallVector<Value>{acc};
      })[0];
      return SmallVector<Value>{rres};
    })[0];
    rewriter.replaceOp(op, res);
    return success();
  }
};

struct StringNormalizerLowering : OpRewritePattern<StringNormalizerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(StringNormalizerOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LoopBuilder lb{rewriter, loc};
    OpBuilder &b = rewriter;
    Value x = op.getInput();
    auto inT = cast<RankedTensorType>(x.getType());
    Type str = inT.getElementType();
    int64_t rank = inT.getRank();
    Value n = dimValue(b, loc, x, rank - 1);
    auto elem = [&](Value i) {
      return rank == 1 ? lb.at(x, {i}) : lb.at(x, {lb.c(0), i});
    };
    // Whether element i survives (is not a stop word).
    auto kept = [&](Value s) -> Value {
      Value t = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
      if (op.getStopwords().empty())
        return t;
      Value stop = StringMatchAnyOp::create(b, loc, s, op.getStopwords(),
                                            op.getCaseSensitive());
      return arith::XOrIOp::create(b, loc, stop, t);
    };
    Value count =
        lb.loop(lb.c(0), n, ValueRange{lb.c(0)}, [&](Value i, ValueRange acc) {
          Value k = arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                                 kept(elem(i)));
          return SmallVector<Value>{arith::AddIOp::create(b, loc, acc[0], k)};
        })[0];
    // Nothing kept: the result is one empty string.
    Value len = arith::MaxSIOp::create(b, loc, count, lb.c(1));
    SmallVector<int64_t> shape(rank, 1);
    shape.back() = ShapedType::kDynamic;
    auto at = [&](Value j) {
      return rank == 1 ? SmallVector<Value>{j} : SmallVector<Value>{lb.c(0), j};
    };
    Value out = tensor::EmptyOp::create(b, loc, shape, str, ValueRange{len});
    out = lb.put(StringLiteralOp::create(b, loc, ""), out, at(lb.c(0)));
    StringRef action = op.getCaseChange();
    out = lb.loop(
        lb.c(0), n, ValueRange{out, lb.c(0)}, [&](Value i, ValueRange acc) {
          Value s = elem(i);
          return scf::IfOp::create(
                     b, loc, kept(s),
                     [&](OpBuilder &, Location) {
                       Value t = s;
                       if (action != "NONE")
                         t = StringChangeCaseOp::create(b, loc, s,
                                                        action == "UPPER");
                       Value next =
                           arith::AddIOp::create(b, loc, acc[1], lb.c(1));
                       scf::YieldOp::create(
                           b, loc,
                           ValueRange{lb.put(t, acc[0], at(acc[1])), next});
                     },
                     [&](OpBuilder &, Location) {
                       scf::YieldOp::create(b, loc, acc);
                     })
              .getResults();
        })[0];
    if (out.getType() != op.getType())
      out = tensor::CastOp::create(b, loc, op.getType(), out);
    rewriter.replaceOp(op, out);
    return success();
  }
};
} // namespace

void dnnc::populateSequentialPatterns(RewritePatternSet &patterns) {
  patterns
      .add<NonMaxSuppressionLowering, DetLowering, UniqueLowering,
           TfIdfVectorizerLowering, RoiAlignLowering, StringNormalizerLowering>(
          patterns.getContext());
}
