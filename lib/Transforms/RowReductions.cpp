//===- RowReductions.cpp - Vector loops for innermost reductions ----------===//
//
// A linalg.generic whose loops are all parallel but the innermost, a
// reduction (sum, max, min or product over the last dim: softmax's max and
// sum, layer norm's mean and variance, ReduceSum/Mean/Max over the last
// axis), becomes one loop over the rows (the parallel iteration space,
// linearized) and, per row, a loop over 16-lane chunks of the reduced dim
// that applies the body to vectors and combines them into a vector
// accumulator; a masked chunk takes the rest, one horizontal reduction ends
// the row. Tiling such an op to 1 x .. x 16 vectors instead reduces every
// 16 values sequentially, one scalar add at a time.
//
// The body may compute anything elementwise from its inputs before the
// combining op (exp(x - max), (x - mean)^2); an input indexed by the reduced
// dim is read as a vector, others as one scalar per row.
//
//===----------------------------------------------------------------------===//
#include "VectorBody.h"
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#define DEBUG_TYPE "dnnc-row-reductions"

namespace dnnc {
#define GEN_PASS_DEF_DNNCROWREDUCTIONS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

static constexpr int64_t kLanes = 16;

namespace {
/// A reduction generic this pass lowers.
struct RowReduction {
  linalg::GenericOp op;
  Operation *combiner;   // the op of the body that folds into the output
  unsigned chainOperand; // the combiner's operand that is not the output
  vector::CombiningKind kind;
  SmallVector<int64_t> rows; // the parallel loop ranges
  int64_t k = 0;             // the reduced range
};
} // namespace

static std::optional<vector::CombiningKind> combiningKind(Operation *op) {
  if (isa<arith::AddFOp>(op))
    return vector::CombiningKind::ADD;
  if (isa<arith::MulFOp>(op))
    return vector::CombiningKind::MUL;
  if (isa<arith::MaximumFOp>(op))
    return vector::CombiningKind::MAXIMUMF;
  if (isa<arith::MinimumFOp>(op))
    return vector::CombiningKind::MINIMUMF;
  if (isa<arith::MaxNumFOp>(op))
    return vector::CombiningKind::MAXNUMF;
  if (isa<arith::MinNumFOp>(op))
    return vector::CombiningKind::MINNUMF;
  return std::nullopt;
}

/// The value that leaves the combination unchanged.
static TypedAttr neutral(Builder &b, vector::CombiningKind kind, FloatType t) {
  const llvm::fltSemantics &sem = t.getFloatSemantics();
  switch (kind) {
  case vector::CombiningKind::ADD:
    return b.getFloatAttr(t, 0.0);
  case vector::CombiningKind::MUL:
    return b.getFloatAttr(t, 1.0);
  case vector::CombiningKind::MAXIMUMF:
    return b.getFloatAttr(t, APFloat::getInf(sem, /*Negative=*/true));
  case vector::CombiningKind::MINIMUMF:
    return b.getFloatAttr(t, APFloat::getInf(sem, /*Negative=*/false));
  default: // MAXNUMF, MINNUMF: maxnum(NaN, x) = minnum(NaN, x) = x.
    return b.getFloatAttr(t, APFloat::getNaN(sem));
  }
}

static std::optional<RowReduction> analyze(linalg::GenericOp op) {
  unsigned n = op.getNumLoops();
  if (n < 1 || op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
      !op.hasPureTensorSemantics() || op.getNumReductionLoops() != 1 ||
      op.getIteratorTypesArray()[n - 1] != utils::IteratorType::reduction)
    return std::nullopt;
  for (Value v : op->getOperands()) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !t.hasStaticShape() || !t.getElementType().isIntOrFloat() ||
        t.getElementType().isInteger(1))
      return std::nullopt;
  }
  OpOperand *init = op.getDpsInitOperand(0);
  auto outT = cast<RankedTensorType>(init->get().getType());
  auto ft = dyn_cast<FloatType>(outT.getElementType());
  if (!ft || !ft.isF32())
    return std::nullopt;
  // The output is indexed by the parallel dims, in order.
  AffineMap outMap = op.getMatchingIndexingMap(init);
  if (outMap != AffineMap::getMultiDimIdentityMap(n, op.getContext())
                    .getMajorSubMap(n - 1))
    return std::nullopt;
  // Inputs: dims and zeros, the reduced dim (if at all) last.
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    for (auto [i, e] : llvm::enumerate(m.getResults())) {
      if (auto c = dyn_cast<AffineConstantExpr>(e)) {
        if (c.getValue() != 0)
          return std::nullopt;
        continue;
      }
      auto d = dyn_cast<AffineDimExpr>(e);
      if (!d || (d.getPosition() == n - 1 && i + 1 != m.getNumResults()))
        return std::nullopt;
    }
  }
  // Body: elementwise ops, then out = combine(out, value).
  Block *body = op.getBody();
  Value outArg = body->getArgument(init->getOperandNumber());
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Operation *comb = yield.getOperand(0).getDefiningOp();
  if (!comb || comb->getBlock() != body || !outArg.hasOneUse() ||
      *outArg.getUsers().begin() != comb || comb->getNumOperands() != 2)
    return std::nullopt;
  std::optional<vector::CombiningKind> kind = combiningKind(comb);
  if (!kind)
    return std::nullopt;
  for (Operation &o : body->without_terminator())
    if (&o != comb && !dnnc::isScalarElementwise(o))
      return std::nullopt;
  RowReduction r;
  r.op = op;
  r.combiner = comb;
  r.chainOperand = comb->getOperand(0) == outArg ? 1 : 0;
  r.kind = *kind;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  r.rows.assign(ranges.begin(), ranges.end() - 1);
  r.k = ranges.back();
  if (r.k < 2)
    return std::nullopt;
  return r;
}

/// The body of `r` on one chunk: the value to combine, a vector of `width`
/// lanes for the chunk of the reduced dim at `k0` in row `idx`.
static Value chunkValue(OpBuilder &b, Location loc, RowReduction &r,
                        ValueRange idx, Value k0, int64_t width,
                        bool inBounds) {
  linalg::GenericOp op = r.op;
  unsigned n = op.getNumLoops();
  Block *body = op.getBody();
  IRMapping map;
  Value zeroIdx = arith::ConstantIndexOp::create(b, loc, 0);
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    SmallVector<Value> at;
    bool alongK = false;
    for (AffineExpr e : m.getResults()) {
      if (isa<AffineConstantExpr>(e)) {
        at.push_back(zeroIdx);
        continue;
      }
      unsigned p = cast<AffineDimExpr>(e).getPosition();
      if (p == n - 1) {
        at.push_back(k0);
        alongK = true;
      } else {
        at.push_back(idx[p]);
      }
    }
    Type et = cast<RankedTensorType>(in->get().getType()).getElementType();
    auto vt = VectorType::get({width}, et);
    Value v;
    if (alongK) {
      Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(et));
      v = vector::TransferReadOp::create(b, loc, vt, in->get(), at, pad,
                                         ArrayRef<bool>{inBounds});
    } else {
      Value s = tensor::ExtractOp::create(b, loc, in->get(), at);
      v = vector::BroadcastOp::create(b, loc, vt, s);
    }
    map.map(body->getArgument(in->getOperandNumber()), v);
  }
  for (Operation &o : body->without_terminator()) {
    if (&o == r.combiner)
      break;
    dnnc::cloneOnVectors(b, loc, o, map, width);
  }
  Value v = map.lookupOrDefault(r.combiner->getOperand(r.chainOperand));
  if (!isa<VectorType>(v.getType()))
    v = vector::BroadcastOp::create(b, loc,
                                    VectorType::get({width}, v.getType()), v);
  return v;
}

/// Combines `a` and `x` (vectors or scalars) with the reduction's op.
static Value combine(OpBuilder &b, Location loc, RowReduction &r, Value a,
                     Value x) {
  OperationState st(loc, r.combiner->getName());
  st.addOperands({a, x});
  st.addAttributes(r.combiner->getAttrs());
  st.addTypes(a.getType());
  return b.create(st)->getResult(0);
}

static void lower(RewriterBase &rewriter, RowReduction &r) {
  linalg::GenericOp op = r.op;
  Location loc = op.getLoc();
  OpBuilder &b = rewriter;
  b.setInsertionPoint(op);
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value out = op.getDpsInits()[0];
  auto f32 = b.getF32Type();
  auto vt = VectorType::get({kLanes}, f32);
  Value neutralV = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vt, neutral(b, r.kind, f32)));
  int64_t rows = 1;
  for (int64_t d : r.rows)
    rows *= d;
  int64_t full = r.k / kLanes * kLanes, rest = r.k % kLanes;

  auto loop =
      scf::ForOp::create(b, loc, cst(0), cst(rows), cst(1), ValueRange{out});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    // Row index -> the parallel dims' indices.
    SmallVector<Value> idx(r.rows.size());
    Value lin = loop.getInductionVar();
    for (int64_t d = r.rows.size() - 1; d >= 0; --d) {
      if (d == 0) {
        idx[d] = lin;
        break;
      }
      idx[d] = arith::RemUIOp::create(b, loc, lin, cst(r.rows[d]));
      lin = arith::DivUIOp::create(b, loc, lin, cst(r.rows[d]));
    }
    Value acc = neutralV;
    if (full) {
      auto chunks = scf::ForOp::create(b, loc, cst(0), cst(full), cst(kLanes),
                                       ValueRange{acc});
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(chunks.getBody());
      Value v = chunkValue(b, loc, r, idx, chunks.getInductionVar(), kLanes,
                           /*inBounds=*/true);
      scf::YieldOp::create(
          b, loc, combine(b, loc, r, chunks.getRegionIterArgs()[0], v));
      acc = chunks.getResult(0);
    }
    if (rest) {
      // The last chunk, read masked; lanes past the end take the neutral
      // value before they are combined.
      Value v = chunkValue(b, loc, r, idx, cst(full), kLanes,
                           /*inBounds=*/false);
      auto maskT = VectorType::get({kLanes}, b.getI1Type());
      Value mask = vector::ConstantMaskOp::create(b, loc, maskT,
                                                  ArrayRef<int64_t>{rest});
      v = arith::SelectOp::create(b, loc, mask, v, neutralV);
      acc = combine(b, loc, r, acc, v);
    }
    Value red = vector::ReductionOp::create(b, loc, r.kind, acc);
    Value iter = loop.getRegionIterArgs()[0];
    Value prev = tensor::ExtractOp::create(b, loc, iter, idx);
    // out = combine(out, value): the output's start comes first.
    Value res = r.chainOperand == 1 ? combine(b, loc, r, prev, red)
                                    : combine(b, loc, r, red, prev);
    Value next = tensor::InsertOp::create(b, loc, res, iter, idx);
    scf::YieldOp::create(b, loc, next);
  }
  int64_t work = rows * r.k *
                 std::max<int64_t>(
                     1, llvm::range_size(op.getBody()->without_terminator()));
  if (rows > 1 && work >= dnnc::kMinParallelWork)
    loop->setAttr(dnnc::kParallelAttr, b.getUnitAttr());
  rewriter.replaceOp(op, loop.getResults());
}

namespace {
struct DNNCRowReductionsPass
    : dnnc::impl::DNNCRowReductionsBase<DNNCRowReductionsPass> {
  void runOnOperation() override {
    SmallVector<RowReduction> todo;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<RowReduction> r = analyze(op))
        todo.push_back(*r);
    });
    IRRewriter rewriter(&getContext());
    for (RowReduction &r : todo)
      lower(rewriter, r);
  }
};
} // namespace
