//===- DNNFolds.cpp - dnn folders and canonicalizations -------------------===//
//
// Folders evaluate the integer shape arithmetic exported graphs are full of
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) and remove identities;
// canonicalizations turn the reshape family into dnn.reshape.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Dialect/DNN/IR/DNNOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace dnnc::dnn;

/// Returns the constant as an elements attribute with int values, or null.
static DenseIntElementsAttr intConst(Attribute a) {
  return dyn_cast_or_null<DenseIntElementsAttr>(a);
}

/// Folds an elementwise integer op on constants whose shapes equal the result
/// shape or are splats.
template <typename Fn>
static Attribute foldIntBinary(Attribute lhs, Attribute rhs, Type resultType,
                               Fn fn) {
  auto l = intConst(lhs), r = intConst(rhs);
  auto rt = dyn_cast<RankedTensorType>(resultType);
  if (!l || !r || !rt || !rt.hasStaticShape())
    return {};
  auto fits = [&](DenseIntElementsAttr a) {
    return a.isSplat() || a.getType().getShape() == rt.getShape();
  };
  if (!fits(l) || !fits(r))
    return {};
  SmallVector<APInt> out;
  auto lv = l.getValues<APInt>(), rv = r.getValues<APInt>();
  for (int64_t i = 0, e = rt.getNumElements(); i < e; ++i) {
    APInt a = l.isSplat() ? l.getSplatValue<APInt>() : lv[i];
    APInt b = r.isSplat() ? r.getSplatValue<APInt>() : rv[i];
    std::optional<APInt> v = fn(a, b);
    if (!v)
      return {};
    out.push_back(*v);
  }
  return DenseIntElementsAttr::get(rt, out);
}

static bool isSplatOf(Attribute a, double v) {
  auto e = dyn_cast_or_null<DenseElementsAttr>(a);
  if (!e || !e.isSplat())
    return false;
  if (auto f = dyn_cast<FloatType>(e.getElementType()))
    return e.getSplatValue<APFloat>().convertToDouble() == v;
  if (isa<IntegerType>(e.getElementType()))
    return e.getSplatValue<APInt>().getSExtValue() == (int64_t)v;
  return false;
}

OpFoldResult AddOp::fold(FoldAdaptor a) {
  if (isSplatOf(a.getRhs(), 0) && getLhs().getType() == getType())
    return getLhs();
  return foldIntBinary(
      a.getLhs(), a.getRhs(), getType(),
      [](APInt x, APInt y) -> std::optional<APInt> { return x + y; });
}
/// Negation of integer constants (shape arithmetic: -axis counts).
OpFoldResult NegOp::fold(FoldAdaptor a) {
  auto c = dyn_cast_or_null<DenseIntElementsAttr>(a.getInput());
  if (!c || c.getElementType().isInteger(1))
    return {};
  return c.mapValues(c.getElementType(), [](const APInt &v) { return -v; });
}

OpFoldResult SubOp::fold(FoldAdaptor a) {
  if (isSplatOf(a.getRhs(), 0) && getLhs().getType() == getType())
    return getLhs();
  return foldIntBinary(
      a.getLhs(), a.getRhs(), getType(),
      [](APInt x, APInt y) -> std::optional<APInt> { return x - y; });
}
OpFoldResult MulOp::fold(FoldAdaptor a) {
  if (isSplatOf(a.getRhs(), 1) && getLhs().getType() == getType())
    return getLhs();
  return foldIntBinary(
      a.getLhs(), a.getRhs(), getType(),
      [](APInt x, APInt y) -> std::optional<APInt> { return x * y; });
}
OpFoldResult DivOp::fold(FoldAdaptor a) {
  if (isSplatOf(a.getRhs(), 1) && getLhs().getType() == getType())
    return getLhs();
  return foldIntBinary(a.getLhs(), a.getRhs(), getType(),
                       [](APInt x, APInt y) -> std::optional<APInt> {
                         if (y.isZero())
                           return std::nullopt;
                         return x.sdiv(y);
                       });
}

OpFoldResult EqualOp::fold(FoldAdaptor a) {
  auto l = intConst(a.getLhs()), r = intConst(a.getRhs());
  auto rt = dyn_cast<RankedTensorType>(getType());
  if (!l || !r || !rt || !rt.hasStaticShape() ||
      l.getElementType() != r.getElementType())
    return {};
  auto fits = [&](DenseIntElementsAttr c) {
    return c.isSplat() || c.getType().getShape() == rt.getShape();
  };
  if (!fits(l) || !fits(r))
    return {};
  SmallVector<bool> out;
  auto lv = l.getValues<APInt>(), rv = r.getValues<APInt>();
  for (int64_t i = 0, e = rt.getNumElements(); i < e; ++i)
    out.push_back((l.isSplat() ? l.getSplatValue<APInt>() : lv[i]) ==
                  (r.isSplat() ? r.getSplatValue<APInt>() : rv[i]));
  return DenseElementsAttr::get(rt, out);
}

OpFoldResult WhereOp::fold(FoldAdaptor a) {
  auto c = dyn_cast_or_null<DenseElementsAttr>(a.getCondition());
  auto x = dyn_cast_or_null<DenseElementsAttr>(a.getX());
  auto y = dyn_cast_or_null<DenseElementsAttr>(a.getY());
  auto rt = dyn_cast<RankedTensorType>(getType());
  if (!c || !rt || !rt.hasStaticShape())
    return {};
  if (c.isSplat() && getX().getType() == rt && getY().getType() == rt)
    return c.getSplatValue<bool>() ? getX() : getY();
  if (!x || !y)
    return {};
  auto fits = [&](DenseElementsAttr e) {
    return e.isSplat() || e.getType().getShape() == rt.getShape();
  };
  if (!fits(c) || !fits(x) || !fits(y))
    return {};
  auto cv = llvm::to_vector(c.getValues<bool>());
  auto xv = llvm::to_vector(x.getValues<Attribute>());
  auto yv = llvm::to_vector(y.getValues<Attribute>());
  SmallVector<Attribute> out;
  for (int64_t i = 0, e = rt.getNumElements(); i < e; ++i) {
    bool ci = c.isSplat() ? cv[0] : cv[i];
    out.push_back(ci ? (x.isSplat() ? xv[0] : xv[i])
                     : (y.isSplat() ? yv[0] : yv[i]));
  }
  return DenseElementsAttr::get(rt, out);
}

OpFoldResult ClipOp::fold(FoldAdaptor) {
  if (!getMin() && !getMax())
    return getInput();
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor a) {
  if (getInput().getType() == getType())
    return getInput();
  // Casts of constants (shape arithmetic, sizes turned into floats).
  auto rt = cast<RankedTensorType>(getType());
  Type to = rt.getElementType();
  if (auto c = intConst(a.getInput())) {
    if (c.getElementType().isInteger(1))
      return {};
    if (auto it = dyn_cast<IntegerType>(to)) {
      if (it.getWidth() == 1)
        return {};
      return c.mapValues(
          it, [&](const APInt &v) { return v.sextOrTrunc(it.getWidth()); });
    }
    if (auto ft = dyn_cast<FloatType>(to)) {
      SmallVector<APFloat> vals;
      for (APInt v : c.getValues<APInt>()) {
        APFloat f(ft.getFloatSemantics());
        f.convertFromAPInt(v, /*isSigned=*/true, APFloat::rmNearestTiesToEven);
        vals.push_back(f);
      }
      return DenseElementsAttr::get(rt, vals);
    }
    return {};
  }
  auto fc = dyn_cast_or_null<DenseFPElementsAttr>(a.getInput());
  auto ft = dyn_cast<FloatType>(to);
  if (!fc || !ft)
    return {};
  SmallVector<APFloat> vals;
  for (APFloat v : fc.getValues<APFloat>()) {
    bool lost;
    v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    vals.push_back(v);
  }
  return DenseElementsAttr::get(rt, vals);
}

/// Equal types mean an identity reshape only when they are static.
static bool sameStaticType(Type a, Type b) {
  return a == b && cast<RankedTensorType>(a).hasStaticShape();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor a) {
  if (sameStaticType(getInput().getType(), getType()))
    return getInput();
  if (auto c = dyn_cast_or_null<DenseElementsAttr>(a.getInput()))
    return c.reshape(cast<ShapedType>(getType()));
  return {};
}

/// Folds a reshape-like op on a constant into the reshaped constant.
static OpFoldResult foldReshapeLike(Operation *op, Attribute input) {
  if (sameStaticType(op->getOperand(0).getType(), op->getResult(0).getType()))
    return op->getOperand(0);
  if (auto c = dyn_cast_or_null<DenseElementsAttr>(input))
    return c.reshape(cast<ShapedType>(op->getResult(0).getType()));
  return {};
}
OpFoldResult FlattenOp::fold(FoldAdaptor a) {
  return foldReshapeLike(*this, a.getInput());
}
OpFoldResult SqueezeOp::fold(FoldAdaptor a) {
  return foldReshapeLike(*this, a.getInput());
}
OpFoldResult UnsqueezeOp::fold(FoldAdaptor a) {
  return foldReshapeLike(*this, a.getInput());
}

namespace {
/// reshape(reshape(x)) -> reshape(x).
struct ReshapeOfReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    // A shape operand's 0 entries refer to this op's input dims.
    if (op.getShape())
      return rewriter.notifyMatchFailure(op, "run-time target shape");
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput());
    return success();
  }
};

/// Flatten/Squeeze/Unsqueeze are reshapes to their (static) result type.
/// Static reshape-like ops become dnn.reshape; with run-time dims they keep
/// their structure (which dims merge or are unit), which the lowering needs.
template <typename OpTy> struct ToReshape : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!cast<RankedTensorType>(op.getInput().getType()).hasStaticShape() ||
        !cast<RankedTensorType>(op.getType()).hasStaticShape())
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput());
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *ctx) {
  results.add<ReshapeOfReshape>(ctx);
}
void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *ctx) {
  results.add<ToReshape<FlattenOp>>(ctx);
}
void SqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *ctx) {
  results.add<ToReshape<SqueezeOp>>(ctx);
}
void UnsqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *ctx) {
  results.add<ToReshape<UnsqueezeOp>>(ctx);
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if ((int64_t)i != p)
      return {};
  return getInput();
}

OpFoldResult ConcatOp::fold(FoldAdaptor a) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  // Rank-1 integer constants (shape vectors).
  auto rt = cast<RankedTensorType>(getType());
  if (rt.getRank() != 1 || !isa<IntegerType>(rt.getElementType()))
    return {};
  SmallVector<APInt> vals;
  for (Attribute in : a.getInputs()) {
    auto c = intConst(in);
    if (!c)
      return {};
    llvm::append_range(vals, c.getValues<APInt>());
  }
  return DenseIntElementsAttr::get(rt, vals);
}

OpFoldResult SliceOp::fold(FoldAdaptor a) {
  if (isRuntime()) // resolved at run time
    return {};
  auto in = cast<RankedTensorType>(getInput().getType());
  if (in == getType() &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  auto c = dyn_cast_or_null<DenseElementsAttr>(a.getInput());
  auto rt = cast<RankedTensorType>(getType());
  if (!c || in.getRank() != 1 || !rt.hasStaticShape())
    return {};
  SmallVector<Attribute> vals;
  auto all = llvm::to_vector(c.getValues<Attribute>());
  for (int64_t i = 0; i < rt.getDimSize(0); ++i)
    vals.push_back(all[getStarts()[0] + i * getSteps()[0]]);
  return DenseElementsAttr::get(rt, vals);
}

OpFoldResult GatherOp::fold(FoldAdaptor a) {
  auto data = dyn_cast_or_null<DenseElementsAttr>(a.getData());
  auto idx = intConst(a.getIndices());
  auto rt = cast<RankedTensorType>(getType());
  if (!data || !idx || data.getType().getRank() != 1 || !rt.hasStaticShape())
    return {};
  auto all = llvm::to_vector(data.getValues<Attribute>());
  int64_t n = all.size();
  SmallVector<Attribute> vals;
  for (APInt i : idx.getValues<APInt>()) {
    int64_t k = i.getSExtValue();
    if (k < 0)
      k += n;
    if (k < 0 || k >= n)
      return {};
    vals.push_back(all[k]);
  }
  return DenseElementsAttr::get(rt, vals);
}

OpFoldResult ExpandOp::fold(FoldAdaptor a) {
  if (getInput().getType() == getType())
    return getInput();
  auto c = dyn_cast_or_null<DenseElementsAttr>(a.getInput());
  if (c && c.isSplat() && cast<ShapedType>(getType()).hasStaticShape())
    return DenseElementsAttr::get(cast<ShapedType>(getType()),
                                  c.getSplatValue<Attribute>());
  return {};
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto in = cast<RankedTensorType>(getInput().getType());
  ArrayRef<int64_t> dims =
      in.getShape().slice(getStart(), getEnd() - getStart());
  if (llvm::any_of(dims, ShapedType::isDynamic))
    return {};
  return DenseIntElementsAttr::get(cast<ShapedType>(getType()), dims);
}
