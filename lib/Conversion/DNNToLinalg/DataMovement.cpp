//===- DataMovement.cpp - Reshapes, slices, gathers, pads -> tensor/linalg ===//
//
// Reshapes become collapse/expand_shape, transposes linalg.transpose, concat
// and split insert/extract_slice, positive-step slices extract_slice, and the
// index-computing ops (negative-step slices, gather, edge/reflect pads, tile)
// linalg.generic with tensor.extract.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

/// linalg.generic over `resultType` whose body computes the source indices
/// from the output indices and extracts from `source`.
static Value buildIndexedCopy(
    OpBuilder &b, Location loc, RankedTensorType resultType, Value source,
    ValueRange extraInputs, ArrayRef<AffineMap> extraMaps,
    const std::function<SmallVector<Value>(OpBuilder &, Location,
                                           ArrayRef<Value> outIdx,
                                           ValueRange extras)> &indexFn) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps(extraMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, extraInputs, ValueRange{init}, maps,
             iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               SmallVector<Value> outIdx;
               for (int64_t i = 0; i < rank; ++i)
                 outIdx.push_back(linalg::IndexOp::create(nb, nl, i));
               SmallVector<Value> srcIdx =
                   indexFn(nb, nl, outIdx, args.drop_back());
               Value v = tensor::ExtractOp::create(nb, nl, source, srcIdx);
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

static Value idx(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}

/// An ONNX index (negative counts from the end) as an index value, clamped
/// to [0, n) so that a bad index cannot read out of bounds.
static Value normalizeIndex(OpBuilder &b, Location l, Value i, int64_t n) {
  Value k = arith::IndexCastOp::create(b, l, b.getIndexType(), i);
  Value neg =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, k, idx(b, l, 0));
  k = arith::SelectOp::create(b, l, neg,
                              arith::AddIOp::create(b, l, k, idx(b, l, n)), k);
  return arith::MaxSIOp::create(
      b, l, arith::MinSIOp::create(b, l, k, idx(b, l, n - 1)), idx(b, l, 0));
}

namespace {
template <typename OpTy> struct ReshapeLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto t = cast<RankedTensorType>(op.getType());
    if (!inT.hasStaticShape() || !t.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    rewriter.replaceOp(op,
                       buildReshape(rewriter, op.getLoc(), op.getInput(), t));
    return success();
  }
};

struct TransposeLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    if (!t.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), t.getShape(),
                                         t.getElementType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       op.getInput(), init,
                                                       op.getPerm())
                               .getResult()[0]);
    return success();
  }
};

struct ConcatLowering : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    if (!t.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Location loc = op.getLoc();
    Value acc = tensor::EmptyOp::create(rewriter, loc, t.getShape(),
                                        t.getElementType());
    int64_t off = 0, axis = op.getAxis();
    for (Value in : op.getInputs()) {
      auto it = cast<RankedTensorType>(in.getType());
      SmallVector<int64_t> offs(t.getRank(), 0), strides(t.getRank(), 1);
      offs[axis] = off;
      off += it.getDimSize(axis);
      if (it.getNumElements() == 0)
        continue;
      acc = tensor::InsertSliceOp::create(rewriter, loc, in, acc, ValueRange{},
                                          ValueRange{}, ValueRange{}, offs,
                                          it.getShape(), strides);
    }
    rewriter.replaceOp(op, acc);
    return success();
  }
};

struct SplitLowering : OpRewritePattern<SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SplitOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t off = 0, axis = op.getAxis();
    SmallVector<Value> results;
    for (Value r : op.getOutputs()) {
      auto rt = cast<RankedTensorType>(r.getType());
      if (!rt.hasStaticShape())
        return rewriter.notifyMatchFailure(op, "dynamic shapes");
      SmallVector<int64_t> offs(rt.getRank(), 0), strides(rt.getRank(), 1);
      offs[axis] = off;
      off += rt.getDimSize(axis);
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, rt, op.getInput(), ValueRange{}, ValueRange{},
          ValueRange{}, offs, rt.getShape(), strides));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct SliceLowering : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    if (!t.hasStaticShape() || !inT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Location loc = op.getLoc();
    SmallVector<int64_t> starts(op.getStarts()), steps(op.getSteps());
    if (t.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, t.getShape(),
                                                   t.getElementType());
      return success();
    }
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, t, op.getInput(), ValueRange{}, ValueRange{}, ValueRange{},
          starts, t.getShape(), steps);
      return success();
    }
    Value r = buildIndexedCopy(
        rewriter, loc, t, op.getInput(), {}, {},
        [&](OpBuilder &b, Location l, ArrayRef<Value> out, ValueRange) {
          SmallVector<Value> src;
          for (size_t i = 0; i < out.size(); ++i)
            src.push_back(arith::AddIOp::create(
                b, l, idx(b, l, starts[i]),
                arith::MulIOp::create(b, l, out[i], idx(b, l, steps[i]))));
          return src;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct GatherLowering : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    auto dT = cast<RankedTensorType>(op.getData().getType());
    auto iT = cast<RankedTensorType>(op.getIndices().getType());
    if (!t.hasStaticShape() || !dT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Location loc = op.getLoc();
    int64_t axis = op.getAxis(), ir = iT.getRank(), rank = t.getRank();
    // Indices are read at output dims [axis, axis + ir).
    SmallVector<AffineExpr> ie;
    for (int64_t i = 0; i < ir; ++i)
      ie.push_back(rewriter.getAffineDimExpr(axis + i));
    AffineMap imap = AffineMap::get(rank, 0, ie, rewriter.getContext());
    int64_t n = dT.getDimSize(axis);
    Value r = buildIndexedCopy(
        rewriter, loc, t, op.getData(), op.getIndices(), imap,
        [&](OpBuilder &b, Location l, ArrayRef<Value> out, ValueRange ex) {
          Value k = normalizeIndex(b, l, ex[0], n);
          SmallVector<Value> src(out.begin(), out.begin() + axis);
          src.push_back(k);
          src.append(out.begin() + axis + ir, out.end());
          return src;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct GatherElementsLowering : OpRewritePattern<GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherElementsOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    auto dT = cast<RankedTensorType>(op.getData().getType());
    if (!t.hasStaticShape() || !dT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t axis = op.getAxis(), n = dT.getDimSize(axis);
    Value r = buildIndexedCopy(
        rewriter, op.getLoc(), t, op.getData(), op.getIndices(),
        rewriter.getMultiDimIdentityMap(t.getRank()),
        [&](OpBuilder &b, Location l, ArrayRef<Value> out, ValueRange ex) {
          Value k = normalizeIndex(b, l, ex[0], n);
          SmallVector<Value> src(out.begin(), out.end());
          src[axis] = k;
          return src;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Combines an existing element with an update per the scatter reduction.
static Value combine(OpBuilder &b, Location l, StringRef reduction, Value old,
                     Value upd) {
  bool f = isa<FloatType>(upd.getType());
  if (reduction == "add")
    return f ? (Value)arith::AddFOp::create(b, l, old, upd)
             : arith::AddIOp::create(b, l, old, upd);
  if (reduction == "mul")
    return f ? (Value)arith::MulFOp::create(b, l, old, upd)
             : arith::MulIOp::create(b, l, old, upd);
  if (reduction == "max")
    return f ? (Value)arith::MaximumFOp::create(b, l, old, upd)
             : arith::MaxSIOp::create(b, l, old, upd);
  if (reduction == "min")
    return f ? (Value)arith::MinimumFOp::create(b, l, old, upd)
             : arith::MinSIOp::create(b, l, old, upd);
  return upd;
}

/// Row-major multi-index of flat position `flat` in `shape`.
static SmallVector<Value> delinearize(OpBuilder &b, Location l, Value flat,
                                      ArrayRef<int64_t> shape) {
  SmallVector<Value> idxs(shape.size());
  Value rem = flat;
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    Value n = idx(b, l, shape[d]);
    idxs[d] = arith::RemUIOp::create(b, l, rem, n);
    rem = arith::DivUIOp::create(b, l, rem, n);
  }
  return idxs;
}

/// A sequential loop over the `count` updates, threading the result tensor:
/// `body(b, loc, i, acc)` returns the updated tensor. Scatters are inherently
/// ordered (later updates win), so they stay scalar loops.
static Value scatterLoop(
    OpBuilder &b, Location loc, Value init, int64_t count,
    const std::function<Value(OpBuilder &, Location, Value, Value)> &body) {
  auto loop = scf::ForOp::create(
      b, loc, idx(b, loc, 0), idx(b, loc, count), idx(b, loc, 1),
      ValueRange{init},
      [&](OpBuilder &nb, Location nl, Value i, ValueRange args) {
        scf::YieldOp::create(nb, nl, body(nb, nl, i, args[0]));
      });
  return loop.getResult(0);
}

struct ScatterElementsLowering : OpRewritePattern<ScatterElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScatterElementsOp op,
                                PatternRewriter &rewriter) const override {
    auto dt = cast<RankedTensorType>(op.getData().getType());
    auto it = cast<RankedTensorType>(op.getIndices().getType());
    if (!dt.hasStaticShape() || !it.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t axis = op.getAxis(), n = dt.getDimSize(axis);
    StringRef red = op.getReduction();
    Value r = scatterLoop(
        rewriter, op.getLoc(), op.getData(), it.getNumElements(),
        [&](OpBuilder &b, Location l, Value i, Value acc) -> Value {
          SmallVector<Value> pos = delinearize(b, l, i, it.getShape());
          Value k = tensor::ExtractOp::create(b, l, op.getIndices(), pos);
          Value u = tensor::ExtractOp::create(b, l, op.getUpdates(), pos);
          SmallVector<Value> dst(pos);
          dst[axis] = normalizeIndex(b, l, k, n);
          Value old = tensor::ExtractOp::create(b, l, acc, dst);
          return tensor::InsertOp::create(b, l, combine(b, l, red, old, u), acc,
                                          dst);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ScatterNDLowering : OpRewritePattern<ScatterNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScatterNDOp op,
                                PatternRewriter &rewriter) const override {
    auto dt = cast<RankedTensorType>(op.getData().getType());
    auto it = cast<RankedTensorType>(op.getIndices().getType());
    auto ut = cast<RankedTensorType>(op.getUpdates().getType());
    if (!dt.hasStaticShape() || !it.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t k = it.getDimSize(it.getRank() - 1);
    StringRef red = op.getReduction();
    // One iteration per updates element: tuple = flat / slice size.
    Value r = scatterLoop(
        rewriter, op.getLoc(), op.getData(), ut.getNumElements(),
        [&](OpBuilder &b, Location l, Value i, Value acc) -> Value {
          SmallVector<Value> upos = delinearize(b, l, i, ut.getShape());
          int64_t lead = it.getRank() - 1;
          SmallVector<Value> dst;
          for (int64_t j = 0; j < k; ++j) {
            SmallVector<Value> ipos(upos.begin(), upos.begin() + lead);
            ipos.push_back(idx(b, l, j));
            Value c = tensor::ExtractOp::create(b, l, op.getIndices(), ipos);
            dst.push_back(normalizeIndex(b, l, c, dt.getDimSize(j)));
          }
          dst.append(upos.begin() + lead, upos.end());
          Value u = tensor::ExtractOp::create(b, l, op.getUpdates(), upos);
          Value old = tensor::ExtractOp::create(b, l, acc, dst);
          return tensor::InsertOp::create(b, l, combine(b, l, red, old, u), acc,
                                          dst);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct PadLowering : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    if (!t.hasStaticShape() || !inT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Location loc = op.getLoc();
    int64_t rank = t.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    Type et = t.getElementType();
    if (op.getMode() == "constant") {
      SmallVector<OpFoldResult> lo, hi;
      for (int64_t i = 0; i < rank; ++i) {
        lo.push_back(rewriter.getIndexAttr(pads[i]));
        hi.push_back(rewriter.getIndexAttr(pads[rank + i]));
      }
      Value v = scalarConst(rewriter, loc, et, op.getValue().convertToDouble());
      rewriter.replaceOpWithNewOp<tensor::PadOp>(op, t, op.getInput(), lo, hi,
                                                 v);
      return success();
    }
    if (inT.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "edge/reflect pad of empty input");
    bool reflect = op.getMode() == "reflect";
    Value r = buildIndexedCopy(
        rewriter, loc, t, op.getInput(), {}, {},
        [&](OpBuilder &b, Location l, ArrayRef<Value> out, ValueRange) {
          SmallVector<Value> src;
          for (int64_t i = 0; i < rank; ++i) {
            int64_t n = inT.getDimSize(i);
            Value p = arith::SubIOp::create(b, l, out[i], idx(b, l, pads[i]));
            if (reflect && n > 1) {
              // Reflect without repeating the edge: period 2(n-1).
              Value period = idx(b, l, 2 * (n - 1));
              Value m = arith::RemSIOp::create(
                  b, l,
                  arith::AddIOp::create(
                      b, l, arith::RemSIOp::create(b, l, p, period), period),
                  period);
              Value over = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::sge, m, idx(b, l, n));
              p = arith::SelectOp::create(
                  b, l, over, arith::SubIOp::create(b, l, period, m), m);
            } else {
              p = arith::MaxSIOp::create(
                  b, l, arith::MinSIOp::create(b, l, p, idx(b, l, n - 1)),
                  idx(b, l, 0));
            }
            src.push_back(p);
          }
          return src;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct TileLowering : OpRewritePattern<TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TileOp op,
                                PatternRewriter &rewriter) const override {
    auto t = cast<RankedTensorType>(op.getType());
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    if (!t.hasStaticShape() || !inT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    if (t.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, t.getShape(),
                                                   t.getElementType());
      return success();
    }
    Value r = buildIndexedCopy(
        rewriter, op.getLoc(), t, op.getInput(), {}, {},
        [&](OpBuilder &b, Location l, ArrayRef<Value> out, ValueRange) {
          SmallVector<Value> src;
          for (size_t i = 0; i < out.size(); ++i)
            src.push_back(arith::RemUIOp::create(b, l, out[i],
                                                 idx(b, l, inT.getDimSize(i))));
          return src;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ShapeLowering : OpRewritePattern<ShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ShapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    SmallVector<int64_t> dims(
        inT.getShape().slice(op.getStart(), op.getEnd() - op.getStart()));
    if (llvm::any_of(dims, ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseIntElementsAttr::get(cast<ShapedType>(op.getType()), dims));
    return success();
  }
};
} // namespace

void dnnc::populateDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering<ReshapeOp>, ReshapeLowering<FlattenOp>,
               ReshapeLowering<SqueezeOp>, ReshapeLowering<UnsqueezeOp>,
               TransposeLowering, ConcatLowering, SplitLowering, SliceLowering,
               GatherLowering, GatherElementsLowering, ScatterElementsLowering,
               ScatterNDLowering, PadLowering, TileLowering, ShapeLowering>(
      patterns.getContext());
}
