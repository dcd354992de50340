//===- Elementwise.cpp - dnn elementwise ops -> linalg.generic ------------===//
//
// Unary, binary (NumPy broadcasting), comparison, logical, where and cast ops
// become one all-parallel linalg.generic each; the scalar body is chosen by
// op and element type. Also holds the shared generic builders.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

//===----------------------------------------------------------------------===//
// Shared builders
//===----------------------------------------------------------------------===//

AffineMap dnnc::broadcastMap(RankedTensorType operandType,
                             RankedTensorType resultType) {
  MLIRContext *ctx = resultType.getContext();
  int64_t rank = resultType.getRank(), off = rank - operandType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operandType.getRank(); ++i) {
    if (operandType.getDimSize(i) == 1 && resultType.getDimSize(off + i) != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(off + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value dnnc::dimValue(OpBuilder &b, Location loc, Value v, int64_t d) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.isDynamicDim(d))
    return arith::ConstantIndexOp::create(b, loc, t.getDimSize(d));
  return tensor::DimOp::create(b, loc, v, d);
}

SmallVector<Value> dnnc::dynamicDims(RankedTensorType type, ValueRange dims) {
  SmallVector<Value> out;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      out.push_back(dims[d]);
  return out;
}

Value dnnc::buildEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                       ValueRange dims) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicDims(type, dims));
}

SmallVector<Value> dnnc::broadcastDims(OpBuilder &b, Location loc,
                                       ValueRange inputs,
                                       RankedTensorType resultType) {
  int64_t rank = resultType.getRank();
  SmallVector<Value> dims;
  for (int64_t d = 0; d < rank; ++d) {
    if (!resultType.isDynamicDim(d)) {
      dims.push_back(
          arith::ConstantIndexOp::create(b, loc, resultType.getDimSize(d)));
      continue;
    }
    Value size;
    for (Value in : inputs) {
      auto t = cast<RankedTensorType>(in.getType());
      int64_t id = d - (rank - t.getRank());
      if (id < 0 || t.getDimSize(id) == 1)
        continue;
      Value s = dimValue(b, loc, in, id);
      size = size ? (Value)arith::MaxUIOp::create(b, loc, size, s) : s;
    }
    dims.push_back(size ? size : arith::ConstantIndexOp::create(b, loc, 1));
  }
  return dims;
}

/// Input `in` of a broadcast may need broadcasting along a dynamic dim that
/// only the run time knows is 1: true when some dynamic dim of `in` meets a
/// static result dim, or a dim that another input also sizes.
static bool mayBroadcastAtRunTime(Value in, ValueRange inputs,
                                  RankedTensorType resultType) {
  auto t = cast<RankedTensorType>(in.getType());
  int64_t rank = resultType.getRank();
  for (int64_t id = 0; id < t.getRank(); ++id) {
    if (!t.isDynamicDim(id))
      continue;
    int64_t d = id + rank - t.getRank();
    if (!resultType.isDynamicDim(d))
      return true;
    for (Value other : inputs) {
      if (other == in)
        continue;
      auto ot = cast<RankedTensorType>(other.getType());
      int64_t od = d - (rank - ot.getRank());
      if (od >= 0 && ot.getDimSize(od) != 1)
        return true;
    }
  }
  return false;
}

Value dnnc::buildElementwise(OpBuilder &b, Location loc,
                             RankedTensorType resultType, ValueRange inputs,
                             const ScalarBodyFn &body, ValueRange givenDims) {
  int64_t rank = resultType.getRank();
  SmallVector<Value> dims = givenDims.empty()
                                ? broadcastDims(b, loc, inputs, resultType)
                                : SmallVector<Value>(givenDims);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  // `general` inputs are read through tensor.extract with index 0 where
  // their run-time dim is 1; the others through affine maps.
  auto build = [&](OpBuilder &bb, Location l, ArrayRef<bool> general) -> Value {
    SmallVector<Value> mapped;
    SmallVector<AffineMap> maps;
    for (auto [i, in] : llvm::enumerate(inputs)) {
      if (general[i])
        continue;
      mapped.push_back(in);
      maps.push_back(
          broadcastMap(cast<RankedTensorType>(in.getType()), resultType));
    }
    maps.push_back(bb.getMultiDimIdentityMap(rank));
    Value init = buildEmpty(bb, l, resultType, dims);
    auto generic = linalg::GenericOp::create(
        bb, l, TypeRange{resultType}, mapped, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          SmallVector<Value> scalars;
          size_t next = 0;
          for (auto [i, in] : llvm::enumerate(inputs)) {
            if (!general[i]) {
              scalars.push_back(args[next++]);
              continue;
            }
            auto t = cast<RankedTensorType>(in.getType());
            SmallVector<Value> idx;
            for (int64_t id = 0; id < t.getRank(); ++id) {
              int64_t d = id + rank - t.getRank();
              if (t.getDimSize(id) == 1 && resultType.getDimSize(d) != 1) {
                idx.push_back(arith::ConstantIndexOp::create(nb, nl, 0));
                continue;
              }
              Value iv = linalg::IndexOp::create(nb, nl, d);
              if (t.isDynamicDim(id)) {
                Value one = arith::ConstantIndexOp::create(nb, nl, 1);
                Value isOne = arith::CmpIOp::create(
                    nb, nl, arith::CmpIPredicate::eq,
                    tensor::DimOp::create(nb, nl, in, id), one);
                iv = arith::SelectOp::create(
                    nb, nl, isOne, arith::ConstantIndexOp::create(nb, nl, 0),
                    iv);
              }
              idx.push_back(iv);
            }
            scalars.push_back(tensor::ExtractOp::create(nb, nl, in, idx));
          }
          Value v = body(nb, nl, scalars);
          linalg::YieldOp::create(nb, nl, v);
        });
    return generic.getResult(0);
  };
  SmallVector<bool> general, none(inputs.size(), false);
  bool any = false;
  for (Value in : inputs) {
    // With given result dims, any run-time input dim may broadcast.
    general.push_back(
        givenDims.empty()
            ? mayBroadcastAtRunTime(in, inputs, resultType)
            : !cast<RankedTensorType>(in.getType()).hasStaticShape());
    any |= general.back();
  }
  if (!any)
    return build(b, loc, none);
  // Fast path when no dynamic dim broadcasts at run time (the common case:
  // equal sizes); the general path reads the broadcast inputs by index.
  Value noBroadcast = arith::ConstantIntOp::create(b, loc, 1, 1);
  for (auto [i, in] : llvm::enumerate(inputs)) {
    if (!general[i])
      continue;
    auto t = cast<RankedTensorType>(in.getType());
    for (int64_t id = 0; id < t.getRank(); ++id) {
      if (!t.isDynamicDim(id))
        continue;
      Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       tensor::DimOp::create(b, loc, in, id),
                                       dims[id + rank - t.getRank()]);
      noBroadcast = arith::AndIOp::create(b, loc, noBroadcast, eq);
    }
  }
  auto ifOp = scf::IfOp::create(
      b, loc, noBroadcast,
      [&](OpBuilder &tb, Location l) {
        scf::YieldOp::create(tb, l, build(tb, l, none));
      },
      [&](OpBuilder &eb, Location l) {
        scf::YieldOp::create(eb, l, build(eb, l, general));
      });
  return ifOp.getResult(0);
}

Value dnnc::elementCount(OpBuilder &b, Location loc, Value v,
                         ArrayRef<int64_t> dims) {
  Value n = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d : dims)
    n = arith::MulIOp::create(b, loc, n, dimValue(b, loc, v, d));
  return n;
}

Value dnnc::indexAsScalar(OpBuilder &b, Location loc, Value n, Type type) {
  Value i = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
  if (isa<FloatType>(type))
    return arith::SIToFPOp::create(b, loc, type, i);
  if (type.getIntOrFloatBitWidth() < 64)
    return arith::TruncIOp::create(b, loc, type, i);
  return i;
}

Value dnnc::scalarConst(OpBuilder &b, Location loc, Type type, double v) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, v));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, (int64_t)v));
}

Value dnnc::buildFilled(OpBuilder &b, Location loc, RankedTensorType type,
                        TypedAttr value, ValueRange dynSizes) {
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType(), dynSizes);
  Value v = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, v, init).getResult(0);
}

TypedAttr dnnc::lowestValue(Type type) {
  if (auto ft = dyn_cast<FloatType>(type))
    return FloatAttr::get(
        ft, APFloat::getInf(ft.getFloatSemantics(), /*Negative=*/true));
  auto it = cast<IntegerType>(type);
  return IntegerAttr::get(it, it.getWidth() == 1
                                  ? APInt(1, 0)
                                  : APInt::getSignedMinValue(it.getWidth()));
}

TypedAttr dnnc::highestValue(Type type) {
  if (auto ft = dyn_cast<FloatType>(type))
    return FloatAttr::get(ft, APFloat::getInf(ft.getFloatSemantics()));
  auto it = cast<IntegerType>(type);
  return IntegerAttr::get(it, it.getWidth() == 1
                                  ? APInt(1, 1)
                                  : APInt::getSignedMaxValue(it.getWidth()));
}

Value dnnc::buildReshape(OpBuilder &b, Location loc, Value input,
                         RankedTensorType resultType) {
  auto inType = cast<RankedTensorType>(input.getType());
  if (inType == resultType)
    return input;
  if (auto re = getReassociationIndicesForReshape(inType, resultType)) {
    if (inType.getRank() > resultType.getRank())
      return tensor::CollapseShapeOp::create(b, loc, resultType, input, *re);
    if (inType.getRank() < resultType.getRank())
      return tensor::ExpandShapeOp::create(b, loc, resultType, input, *re);
  }
  if (!inType.hasStaticShape() || !resultType.hasStaticShape()) {
    // Run-time sizes: a tensor.reshape with the result dims as a shape
    // tensor; a dynamic result dim takes the element count left over.
    int64_t known = 1, dynamicDim = -1;
    for (int64_t d = 0; d < resultType.getRank(); ++d) {
      if (resultType.isDynamicDim(d))
        dynamicDim = dynamicDim < 0 ? d : -2;
      else
        known *= resultType.getDimSize(d);
    }
    assert(dynamicDim != -2 && "buildReshape: several run-time result dims");
    SmallVector<Value> dims;
    for (int64_t d = 0; d < resultType.getRank(); ++d) {
      if (d != dynamicDim) {
        dims.push_back(
            arith::ConstantIndexOp::create(b, loc, resultType.getDimSize(d)));
        continue;
      }
      Value n = arith::ConstantIndexOp::create(b, loc, 1);
      for (int64_t i = 0; i < inType.getRank(); ++i)
        n = arith::MulIOp::create(b, loc, n, dimValue(b, loc, input, i));
      dims.push_back(arith::DivUIOp::create(
          b, loc, n, arith::ConstantIndexOp::create(b, loc, known)));
    }
    return buildReshapeTo(b, loc, input, resultType, dims);
  }
  // General case: through a rank-1 (or rank-0) tensor.
  int64_t n = inType.getNumElements();
  Value flat = input;
  if (inType.getRank() != 1) {
    auto flatType = RankedTensorType::get({n}, inType.getElementType());
    SmallVector<ReassociationIndices> re;
    if (inType.getRank() > 0)
      re.push_back(llvm::to_vector(llvm::seq<int64_t>(0, inType.getRank())));
    flat =
        inType.getRank() == 0
            ? (Value)tensor::ExpandShapeOp::create(b, loc, flatType, input, re)
            : (Value)tensor::CollapseShapeOp::create(b, loc, flatType, input,
                                                     re);
  }
  if (resultType.getRank() == 1)
    return flat;
  SmallVector<ReassociationIndices> re;
  if (resultType.getRank() > 0)
    re.push_back(llvm::to_vector(llvm::seq<int64_t>(0, resultType.getRank())));
  if (resultType.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, resultType, flat, re);
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat, re);
}

SmallVector<ReassociationIndices> dnnc::unitDimGroups(ArrayRef<bool> unit) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices cur;
  for (int64_t i = 0; i < (int64_t)unit.size(); ++i) {
    cur.push_back(i);
    if (!unit[i]) {
      groups.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty() && !groups.empty())
    groups.back().append(cur.begin(), cur.end());
  return groups;
}

Value dnnc::buildReshapeTo(OpBuilder &b, Location loc, Value input,
                           RankedTensorType resultType, ValueRange dims) {
  SmallVector<Value> i64Dims;
  for (Value d : dims)
    i64Dims.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(), d));
  Value shape = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({(int64_t)dims.size()}, b.getI64Type()),
      i64Dims);
  return tensor::ReshapeOp::create(b, loc, resultType, input, shape);
}

Value dnnc::buildReduction(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
    TypedAttr init,
    const std::function<Value(OpBuilder &, Location, Value, Value)> &combine) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t rank = inType.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < rank; ++i) {
    bool red = llvm::is_contained(axes, i);
    iters.push_back(red ? utils::IteratorType::reduction
                        : utils::IteratorType::parallel);
    if (!red) {
      outShape.push_back(inType.getDimSize(i));
      outExprs.push_back(b.getAffineDimExpr(i));
    }
  }
  auto outType = RankedTensorType::get(outShape, inType.getElementType());
  SmallVector<Value> dynSizes;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(axes, i) && inType.isDynamicDim(i))
      dynSizes.push_back(tensor::DimOp::create(b, loc, input, i));
  Value acc = buildFilled(b, loc, outType, init, dynSizes);
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, outExprs, b.getContext())};
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{input}, ValueRange{acc},
             maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl,
                                       combine(nb, nl, args[1], args[0]));
             })
      .getResult(0);
}

SmallVector<Value>
dnnc::buildWindowSlices(OpBuilder &b, Location loc, Value input,
                        ArrayRef<int64_t> outShape, ArrayRef<int64_t> kernel,
                        ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                        bool channelsLast) {
  auto inT = cast<RankedTensorType>(input.getType());
  auto sliceT = RankedTensorType::get(outShape, inT.getElementType());
  size_t nsp = kernel.size();
  SmallVector<int64_t> st = {1};
  if (!channelsLast)
    st.push_back(1);
  st.append(strides.begin(), strides.end());
  if (channelsLast)
    st.push_back(1);
  SmallVector<Value> slices;
  // Iterate over every kernel position, row-major.
  SmallVector<int64_t> pos(nsp, 0);
  while (true) {
    SmallVector<int64_t> offs = {0};
    if (!channelsLast)
      offs.push_back(0);
    for (size_t i = 0; i < nsp; ++i)
      offs.push_back(pos[i] * dilations[i]);
    if (channelsLast)
      offs.push_back(0);
    slices.push_back(tensor::ExtractSliceOp::create(
        b, loc, sliceT, input, ValueRange{}, ValueRange{}, ValueRange{}, offs,
        outShape, st));
    int64_t d = nsp - 1;
    while (d >= 0 && ++pos[d] == kernel[d])
      pos[d--] = 0;
    if (d < 0)
      break;
  }
  return slices;
}

//===----------------------------------------------------------------------===//
// Scalar bodies
//===----------------------------------------------------------------------===//

static bool isFloat(Type t) { return isa<FloatType>(t); }

/// Body of a unary op; null when the element type is unsupported.
static Value unaryBody(Operation *op, OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  auto c = [&](double v) { return scalarConst(b, loc, t, v); };
  if (!isFloat(t)) {
    return llvm::TypeSwitch<Operation *, Value>(op)
        .Case([&](ReluOp) { return arith::MaxSIOp::create(b, loc, x, c(0)); })
        .Case([&](NegOp) { return arith::SubIOp::create(b, loc, c(0), x); })
        .Case([&](AbsOp) { return math::AbsIOp::create(b, loc, x); })
        .Case([&](NotOp) { return arith::XOrIOp::create(b, loc, x, c(1)); })
        .Case([&](SignOp) -> Value {
          Value pos =
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, c(0));
          Value neg =
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, c(0));
          return arith::SelectOp::create(
              b, loc, pos, c(1),
              arith::SelectOp::create(b, loc, neg, c(-1), c(0)));
        })
        .Case([&](ClipOp o) -> Value {
          Value v = x;
          if (auto mn = o.getMin())
            v = arith::MaxSIOp::create(b, loc, v, c(mn->convertToDouble()));
          if (auto mx = o.getMax())
            v = arith::MinSIOp::create(b, loc, v, c(mx->convertToDouble()));
          return v;
        })
        .Default([](Operation *) { return Value(); });
  }
  auto exp = [&](Value v) { return math::ExpOp::create(b, loc, v); };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](ReluOp) { return arith::MaximumFOp::create(b, loc, x, c(0)); })
      .Case([&](SigmoidOp) -> Value {
        if (t.isF32()) {
          Value h = math::TanhOp::create(
              b, loc, arith::MulFOp::create(b, loc, x, c(0.5)));
          return math::FmaOp::create(b, loc, h, c(0.5), c(0.5));
        }
        Value e = exp(arith::NegFOp::create(b, loc, x));
        return arith::DivFOp::create(b, loc, c(1),
                                     arith::AddFOp::create(b, loc, c(1), e));
      })
      .Case([&](TanhOp) { return math::TanhOp::create(b, loc, x); })
      .Case([&](ErfOp) { return math::ErfOp::create(b, loc, x); })
      .Case([&](ExpOp) { return exp(x); })
      .Case([&](LogOp) { return math::LogOp::create(b, loc, x); })
      .Case([&](SqrtOp) { return math::SqrtOp::create(b, loc, x); })
      .Case([&](NegOp) { return arith::NegFOp::create(b, loc, x); })
      .Case([&](AbsOp) { return math::AbsFOp::create(b, loc, x); })
      .Case(
          [&](ReciprocalOp) { return arith::DivFOp::create(b, loc, c(1), x); })
      .Case([&](FloorOp) { return math::FloorOp::create(b, loc, x); })
      .Case([&](CeilOp) { return math::CeilOp::create(b, loc, x); })
      .Case([&](RoundOp) { return math::RoundEvenOp::create(b, loc, x); })
      .Case([&](SinOp) { return math::SinOp::create(b, loc, x); })
      .Case([&](CosOp) { return math::CosOp::create(b, loc, x); })
      .Case([&](TanOp) { return math::TanOp::create(b, loc, x); })
      .Case([&](AcosOp) { return math::AcosOp::create(b, loc, x); })
      .Case([&](AsinOp) { return math::AsinOp::create(b, loc, x); })
      .Case([&](AtanOp) { return math::AtanOp::create(b, loc, x); })
      .Case([&](SinhOp) { return math::SinhOp::create(b, loc, x); })
      .Case([&](CoshOp) { return math::CoshOp::create(b, loc, x); })
      .Case([&](AsinhOp) { return math::AsinhOp::create(b, loc, x); })
      .Case([&](AcoshOp) { return math::AcoshOp::create(b, loc, x); })
      .Case([&](AtanhOp) { return math::AtanhOp::create(b, loc, x); })
      .Case([&](SignOp) -> Value {
        Value pos =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, c(0));
        Value neg =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, c(0));
        return arith::SelectOp::create(
            b, loc, pos, c(1),
            arith::SelectOp::create(b, loc, neg, c(-1), c(0)));
      })
      .Case([&](SoftplusOp) -> Value {
        // max(x, 0) + log1p(exp(-|x|)): no overflow for large |x|.
        Value ax = math::AbsFOp::create(b, loc, x);
        Value l = math::Log1pOp::create(b, loc,
                                        exp(arith::NegFOp::create(b, loc, ax)));
        return arith::AddFOp::create(
            b, loc, arith::MaximumFOp::create(b, loc, x, c(0)), l);
      })
      .Case([&](SoftsignOp) -> Value {
        Value d = arith::AddFOp::create(b, loc, c(1),
                                        math::AbsFOp::create(b, loc, x));
        return arith::DivFOp::create(b, loc, x, d);
      })
      .Case([&](HardSwishOp) -> Value {
        Value t = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, x, c(1.0 / 6.0)), c(0.5));
        t = arith::MinimumFOp::create(
            b, loc, arith::MaximumFOp::create(b, loc, t, c(0)), c(1));
        return arith::MulFOp::create(b, loc, x, t);
      })
      .Case([&](GeluOp) -> Value {
        Value e = math::ErfOp::create(
            b, loc, arith::MulFOp::create(b, loc, x, c(M_SQRT1_2)));
        Value h = arith::MulFOp::create(b, loc, x, c(0.5));
        return arith::MulFOp::create(b, loc, h,
                                     arith::AddFOp::create(b, loc, c(1), e));
      })
      .Case([&](LeakyReluOp o) -> Value {
        Value neg =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, c(0));
        Value s =
            arith::MulFOp::create(b, loc, x, c(o.getAlpha().convertToFloat()));
        return arith::SelectOp::create(b, loc, neg, s, x);
      })
      .Case([&](EluOp o) -> Value {
        Value neg =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, c(0));
        Value e =
            arith::MulFOp::create(b, loc, c(o.getAlpha().convertToFloat()),
                                  math::ExpM1Op::create(b, loc, x));
        return arith::SelectOp::create(b, loc, neg, e, x);
      })
      .Case([&](SeluOp o) -> Value {
        Value neg =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, x, c(0));
        Value e =
            arith::MulFOp::create(b, loc, c(o.getAlpha().convertToFloat()),
                                  math::ExpM1Op::create(b, loc, x));
        return arith::MulFOp::create(
            b, loc, c(o.getGamma().convertToFloat()),
            arith::SelectOp::create(b, loc, neg, e, x));
      })
      .Case([&](HardSigmoidOp o) -> Value {
        Value t = arith::AddFOp::create(
            b, loc,
            arith::MulFOp::create(b, loc, x, c(o.getAlpha().convertToFloat())),
            c(o.getBeta().convertToFloat()));
        return arith::MinimumFOp::create(
            b, loc, arith::MaximumFOp::create(b, loc, t, c(0)), c(1));
      })
      .Case([&](ClipOp o) -> Value {
        Value v = x;
        if (auto mn = o.getMin())
          v = arith::MaximumFOp::create(b, loc, v, c(mn->convertToDouble()));
        if (auto mx = o.getMax())
          v = arith::MinimumFOp::create(b, loc, v, c(mx->convertToDouble()));
        return v;
      })
      .Default([](Operation *) { return Value(); });
}

/// Body of a binary op on (possibly differently typed, for pow) scalars.
static Value binaryBody(Operation *op, OpBuilder &b, Location loc, Value x,
                        Value y) {
  Type t = x.getType();
  bool f = isFloat(t);
  auto cmp = [&](arith::CmpFPredicate fp, arith::CmpIPredicate ip) -> Value {
    if (f)
      return arith::CmpFOp::create(b, loc, fp, x, y);
    return arith::CmpIOp::create(b, loc, ip, x, y);
  };
  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](AddOp) -> Value {
        return f ? (Value)arith::AddFOp::create(b, loc, x, y)
                 : arith::AddIOp::create(b, loc, x, y);
      })
      .Case([&](SubOp) -> Value {
        return f ? (Value)arith::SubFOp::create(b, loc, x, y)
                 : arith::SubIOp::create(b, loc, x, y);
      })
      .Case([&](MulOp) -> Value {
        return f ? (Value)arith::MulFOp::create(b, loc, x, y)
                 : arith::MulIOp::create(b, loc, x, y);
      })
      .Case([&](DivOp) -> Value {
        return f ? (Value)arith::DivFOp::create(b, loc, x, y)
                 : arith::DivSIOp::create(b, loc, x, y);
      })
      .Case([&](MaxOp) -> Value {
        return f ? (Value)arith::MaximumFOp::create(b, loc, x, y)
                 : arith::MaxSIOp::create(b, loc, x, y);
      })
      .Case([&](MinOp) -> Value {
        return f ? (Value)arith::MinimumFOp::create(b, loc, x, y)
                 : arith::MinSIOp::create(b, loc, x, y);
      })
      .Case([&](PowOp) -> Value {
        Type yt = y.getType();
        if (f) {
          Value ey = y;
          if (!isFloat(yt))
            ey = arith::SIToFPOp::create(b, loc, t, y);
          else if (yt != t)
            ey = arith::TruncFOp::create(b, loc, t, y);
          return math::PowFOp::create(b, loc, x, ey);
        }
        Value ey = y;
        if (isFloat(yt))
          ey = arith::FPToSIOp::create(b, loc, t, y);
        else if (yt != t)
          ey = arith::TruncIOp::create(b, loc, t, y);
        return math::IPowIOp::create(b, loc, x, ey);
      })
      .Case([&](ModOp o) -> Value {
        if (f)
          return arith::RemFOp::create(b, loc, x, y);
        Value r = arith::RemSIOp::create(b, loc, x, y);
        if (o.getFmod())
          return r;
        // Python semantics: the result takes the divisor's sign.
        Value zero = scalarConst(b, loc, t, 0);
        Value nz = arith::CmpIOp::create(b, loc, IP::ne, r, zero);
        Value rneg = arith::CmpIOp::create(b, loc, IP::slt, r, zero);
        Value yneg = arith::CmpIOp::create(b, loc, IP::slt, y, zero);
        Value diff = arith::XOrIOp::create(b, loc, rneg, yneg);
        Value fix = arith::AndIOp::create(b, loc, nz, diff);
        return arith::SelectOp::create(b, loc, fix,
                                       arith::AddIOp::create(b, loc, r, y), r);
      })
      .Case([&](PReluOp) -> Value {
        Value zero = scalarConst(b, loc, t, 0);
        Value neg = f ? (Value)arith::CmpFOp::create(b, loc, FP::OLT, x, zero)
                      : arith::CmpIOp::create(b, loc, IP::slt, x, zero);
        Value s = f ? (Value)arith::MulFOp::create(b, loc, x, y)
                    : arith::MulIOp::create(b, loc, x, y);
        return arith::SelectOp::create(b, loc, neg, s, x);
      })
      .Case([&](EqualOp) { return cmp(FP::OEQ, IP::eq); })
      .Case([&](LessOp) { return cmp(FP::OLT, IP::slt); })
      .Case([&](LessEqualOp) { return cmp(FP::OLE, IP::sle); })
      .Case([&](GreaterOp) { return cmp(FP::OGT, IP::sgt); })
      .Case([&](GreaterEqualOp) { return cmp(FP::OGE, IP::sge); })
      .Case([&](ShiftLeftOp) -> Value {
        if (f)
          return {};
        return arith::ShLIOp::create(b, loc, x, y);
      })
      .Case([&](ShiftRightOp) -> Value {
        if (f)
          return {};
        return arith::ShRUIOp::create(b, loc, x, y);
      })
      .Case([&](AndOp) { return arith::AndIOp::create(b, loc, x, y); })
      .Case([&](OrOp) { return arith::OrIOp::create(b, loc, x, y); })
      .Case([&](XorOp) { return arith::XOrIOp::create(b, loc, x, y); })
      .Default([](Operation *) { return Value(); });
}

/// Converts scalar `x` to `to` with ONNX Cast semantics.
static Value castScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  // Strings: the runtime prints and parses numbers.
  if (isa<StringType>(to))
    return StringFormatOp::create(b, loc, x);
  if (isa<StringType>(from))
    return StringParseOp::create(b, loc, to, x);
  auto fi = dyn_cast<IntegerType>(from), ti = dyn_cast<IntegerType>(to);
  if (isFloat(from) && isFloat(to))
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? (Value)arith::ExtFOp::create(b, loc, to, x)
               : arith::TruncFOp::create(b, loc, to, x);
  if (fi && isFloat(to))
    return fi.getWidth() == 1 ? (Value)arith::UIToFPOp::create(b, loc, to, x)
                              : arith::SIToFPOp::create(b, loc, to, x);
  if (isFloat(from) && ti) {
    if (ti.getWidth() == 1)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   scalarConst(b, loc, from, 0));
    return arith::FPToSIOp::create(b, loc, to, x);
  }
  if (fi && ti) {
    if (ti.getWidth() == 1)
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                   scalarConst(b, loc, from, 0));
    if (fi.getWidth() < ti.getWidth())
      return fi.getWidth() == 1 ? (Value)arith::ExtUIOp::create(b, loc, to, x)
                                : arith::ExtSIOp::create(b, loc, to, x);
    return arith::TruncIOp::create(b, loc, to, x);
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {
/// Any single-result elementwise dnn op whose body `bodyFn` can build.
struct ElementwiseLowering : RewritePattern {
  ElementwiseLowering(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getDialect()->getNamespace() != "dnn" || op->getNumResults() != 1)
      return failure();
    bool unary = op->hasTrait<OpTrait::SameOperandsAndResultType>() &&
                 !isa<SoftmaxOp, LogSoftmaxOp>(op);
    bool binary =
        isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, ModOp, PReluOp,
            ShiftLeftOp, ShiftRightOp, EqualOp, LessOp, LessEqualOp, GreaterOp,
            GreaterEqualOp, AndOp, OrOp, XorOp>(op);
    bool other = isa<WhereOp, CastOp, ExpandOp>(op);
    if (!unary && !binary && !other)
      return failure();
    auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "unranked result");
    // Expand's run-time result dims must come from run-time input dims.
    if (isa<ExpandOp>(op)) {
      auto inT = cast<RankedTensorType>(op->getOperand(0).getType());
      int64_t off = resultType.getRank() - inT.getRank();
      for (int64_t d = 0; d < resultType.getRank(); ++d)
        if (resultType.isDynamicDim(d) &&
            (d < off || !inT.isDynamicDim(d - off)))
          return rewriter.notifyMatchFailure(op, "expand to a run-time shape");
    }
    // Validate the body on a scratch block first: no partial rewrite when the
    // element type is unsupported.
    Type elemType = resultType.getElementType();
    Operation *opPtr = op;
    bool ok = true;
    ScalarBodyFn body = [&](OpBuilder &b, Location loc,
                            ValueRange args) -> Value {
      Value v;
      if (unary)
        v = unaryBody(opPtr, b, loc, args[0]);
      else if (binary)
        v = binaryBody(opPtr, b, loc, args[0], args[1]);
      else if (isa<WhereOp>(opPtr))
        v = arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
      else if (isa<CastOp>(opPtr))
        v = castScalar(b, loc, args[0], elemType);
      else
        v = args[0];
      if (!v) {
        ok = false;
        v = ub::PoisonOp::create(b, loc, elemType);
      }
      return v;
    };
    Value result = buildElementwise(rewriter, op->getLoc(), resultType,
                                    op->getOperands(), body);
    if (!ok) {
      rewriter.eraseOp(result.getDefiningOp());
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void dnnc::populateElementwisePatterns(RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering>(patterns.getContext());
}
