//===- WeightQuantKernels.cpp - Matmuls on packed 4/8-bit weights ---------===//
//
// The weight-only quantized matmul that dnn.weight_quant_matmul lowers to
// (a linalg.generic over (m, n, k), recognized by its maps and payload)
// becomes vector loops that read the codes packed and unpack
// them in registers; no float copy of the weights exists anywhere.
//
// The weights are repacked at compile time into panels of 16 output
// columns. 4-bit: one i32 lane holds the 8 codes k = 8j .. 8j + 7 of its
// column, [panels, K / 8, 16] i32; code i is (lane >> 4i) & 15. 8-bit:
// [panels, K, 16] bytes. Per block of `group` k, each column's products
// x * q accumulate in f32, then
//   acc += scale * sum(x * q) - scale * zp * sum(x)
// (the zero point's share needs the block's sum of x, shared by all
// columns). NP panels and up to 4 rows advance together, so that each
// unpacked code vector feeds rows x NP products and each broadcast of x NP.
// The loop over panel groups runs in parallel.
//
//===----------------------------------------------------------------------===//
#include "ConvKernels.h"
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace {
constexpr int64_t kLanes = 16;

/// Builds the loops of one weight-only matmul.
struct WeightQuantKernel {
  OpBuilder &b;
  Location loc;
  int64_t m, n, k, bits, group, panels, np;
  Value x, packed, scales, scaledZeros, init;

  Value cst(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  template <typename Fn>
  ValueRange loop(Value lb, Value ub, int64_t step, ValueRange inits, Fn fn) {
    auto f = scf::ForOp::create(b, loc, lb, ub, cst(step), inits);
    OpBuilder::InsertionGuard g(b);
    Block *body = f.getBody();
    if (!body->empty())
      body->getTerminator()->erase();
    b.setInsertionPointToEnd(body);
    SmallVector<Value> res = fn(f.getInductionVar(), f.getRegionIterArgs());
    scf::YieldOp::create(b, loc, res);
    return f.getResults();
  }

  Value emit();
};
} // namespace

Value WeightQuantKernel::emit() {
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto vf = VectorType::get({kLanes}, f32);
  auto vi = VectorType::get({kLanes}, i32);
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value zeroVec = arith::ConstantOp::create(
      b, loc, vf, SplatElementsAttr::get(vf, b.getF32FloatAttr(0)));
  Value fifteen = arith::ConstantOp::create(
      b, loc, vi, SplatElementsAttr::get(vi, b.getI32IntegerAttr(15)));
  int64_t perWord = bits == 4 ? 8 : 1;
  // Rows in blocks of mb (a divisor of M, at most 4): each unpacked code
  // vector feeds mb x np products.
  int64_t mb = m % 4 == 0 ? 4 : m % 3 == 0 ? 3 : m % 2 == 0 ? 2 : 1;
  // Accumulators carried per (row, panel): the block's products, then the
  // row's sum of x over the block.
  auto idx = [&](int64_t r, int64_t pp) { return r * np + pp; };
  auto panelLoop =
      loop(cst(0), cst(panels), np, init, [&](Value p0, ValueRange pArgs) {
        Value out =
            loop(cst(0), cst(m), mb, pArgs[0], [&](Value m0, ValueRange mArgs) {
              SmallVector<Value> rows;
              for (int64_t r = 0; r < mb; ++r)
                rows.push_back(arith::AddIOp::create(b, loc, m0, cst(r)));
              SmallVector<Value> acc(mb * np, zeroVec);
              ValueRange accs = loop(
                  cst(0), cst(k / group), 1, acc,
                  [&](Value g, ValueRange gArgs) {
                    SmallVector<Value> gacc(mb * np, zeroVec);
                    gacc.append(mb, zeroF); // per row: sum of x
                    Value k0 = arith::MulIOp::create(b, loc, g, cst(group));
                    ValueRange inner = loop(
                        cst(0), cst(group / perWord), 1, gacc,
                        [&](Value j, ValueRange jArgs) {
                          SmallVector<Value> next(jArgs);
                          Value kw = arith::AddIOp::create(
                              b, loc,
                              arith::DivUIOp::create(b, loc, k0, cst(perWord)),
                              j);
                          SmallVector<Value> words;
                          for (int64_t pp = 0; pp < np; ++pp) {
                            Value p =
                                arith::AddIOp::create(b, loc, p0, cst(pp));
                            if (bits == 4) {
                              words.push_back(vector::TransferReadOp::create(
                                  b, loc, vi, packed, ValueRange{p, kw, cst(0)},
                                  arith::ConstantOp::create(
                                      b, loc, b.getI32IntegerAttr(0)),
                                  ArrayRef<bool>{true}));
                            } else {
                              auto vb = VectorType::get({kLanes},
                                                        b.getIntegerType(8));
                              Value bytes = vector::TransferReadOp::create(
                                  b, loc, vb, packed, ValueRange{p, kw, cst(0)},
                                  arith::ConstantOp::create(
                                      b, loc,
                                      b.getIntegerAttr(b.getIntegerType(8), 0)),
                                  ArrayRef<bool>{true});
                              words.push_back(
                                  arith::ExtUIOp::create(b, loc, vi, bytes));
                            }
                          }
                          for (int64_t i = 0; i < perWord; ++i) {
                            SmallVector<Value> qf;
                            for (int64_t pp = 0; pp < np; ++pp) {
                              Value q = words[pp];
                              if (bits == 4) {
                                if (i)
                                  q = arith::ShRUIOp::create(
                                      b, loc, q,
                                      arith::ConstantOp::create(
                                          b, loc, vi,
                                          SplatElementsAttr::get(
                                              vi, b.getI32IntegerAttr(4 * i))));
                                q = arith::AndIOp::create(b, loc, q, fifteen);
                              }
                              qf.push_back(
                                  arith::UIToFPOp::create(b, loc, vf, q));
                            }
                            Value kk = arith::AddIOp::create(
                                b, loc,
                                arith::MulIOp::create(b, loc, kw, cst(perWord)),
                                cst(i));
                            for (int64_t r = 0; r < mb; ++r) {
                              Value xs = tensor::ExtractOp::create(
                                  b, loc, x, ValueRange{rows[r], kk});
                              next[mb * np + r] = arith::AddFOp::create(
                                  b, loc, next[mb * np + r], xs);
                              Value xb =
                                  vector::BroadcastOp::create(b, loc, vf, xs);
                              for (int64_t pp = 0; pp < np; ++pp)
                                next[idx(r, pp)] = vector::FMAOp::create(
                                    b, loc, xb, qf[pp], next[idx(r, pp)]);
                            }
                          }
                          return next;
                        });
                    SmallVector<Value> out(gArgs);
                    for (int64_t pp = 0; pp < np; ++pp) {
                      Value p = arith::AddIOp::create(b, loc, p0, cst(pp));
                      auto read = [&](Value t) {
                        return vector::TransferReadOp::create(
                            b, loc, vf, t, ValueRange{p, g, cst(0)}, zeroF,
                            ArrayRef<bool>{true});
                      };
                      Value sc = read(scales), zs = read(scaledZeros);
                      for (int64_t r = 0; r < mb; ++r) {
                        Value xsum = vector::BroadcastOp::create(
                            b, loc, vf,
                            arith::NegFOp::create(b, loc, inner[mb * np + r]));
                        out[idx(r, pp)] = vector::FMAOp::create(
                            b, loc, inner[idx(r, pp)], sc, out[idx(r, pp)]);
                        out[idx(r, pp)] = vector::FMAOp::create(
                            b, loc, xsum, zs, out[idx(r, pp)]);
                      }
                    }
                    return out;
                  });
              Value o = mArgs[0];
              for (int64_t r = 0; r < mb; ++r)
                for (int64_t pp = 0; pp < np; ++pp) {
                  Value col = arith::MulIOp::create(
                      b, loc, arith::AddIOp::create(b, loc, p0, cst(pp)),
                      cst(kLanes));
                  o = vector::TransferWriteOp::create(
                          b, loc, accs[idx(r, pp)], o, ValueRange{rows[r], col},
                          ArrayRef<bool>{false})
                          .getResult();
                }
              return SmallVector<Value>{o};
            })[0];
        return SmallVector<Value>{out};
      });
  if (panels / np > 1 && 2 * m * n * k >= dnnc::kMinParallelWork)
    panelLoop[0].getDefiningOp()->setAttr(dnnc::kParallelAttr, b.getUnitAttr());
  return panelLoop[0];
}

/// A generic in the form dnn.weight_quant_matmul lowers to: maps x (m, k),
/// codes (n, k) or (n, k floordiv 2), scales and zero points (n, k floordiv
/// group), out (m, n), and the payload out + x * ((uitofp(q) - zp) *
/// scale), q = ext(code) or its nibble. Canonicalization may have folded a
/// uniform zero point into the payload as a scalar constant.
struct WeightQuantForm {
  int64_t bits = 0, group = 0;
  Value x, codes, scales, zeroPoints; // zeroPoints null: `zeroPoint` for all
  double zeroPoint = 0;
};

static std::optional<WeightQuantForm> weightQuantForm(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumLoops() != 3 ||
      op.getNumReductionLoops() != 1 || !op.hasPureTensorSemantics())
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  AffineExpr dm = getAffineDimExpr(0, ctx), dn = getAffineDimExpr(1, ctx),
             dk = getAffineDimExpr(2, ctx);
  auto is = [&](AffineMap map, ArrayRef<AffineExpr> r) {
    return map == AffineMap::get(3, 0, r, ctx);
  };
  // The payload, from the yield up.
  Block *body = op.getBody();
  auto add = dyn_cast_or_null<arith::AddFOp>(
      body->getTerminator()->getOperand(0).getDefiningOp());
  auto mx = add ? add.getRhs().getDefiningOp<arith::MulFOp>() : nullptr;
  auto ms = mx ? mx.getRhs().getDefiningOp<arith::MulFOp>() : nullptr;
  auto sub = ms ? ms.getLhs().getDefiningOp<arith::SubFOp>() : nullptr;
  auto cvt = sub ? sub.getLhs().getDefiningOp<arith::UIToFPOp>() : nullptr;
  if (!cvt)
    return std::nullopt;
  auto operandOf = [&](Value v) -> OpOperand * {
    auto a = dyn_cast<BlockArgument>(v);
    if (!a || a.getOwner() != body)
      return nullptr;
    return &op->getOpOperand(a.getArgNumber());
  };
  WeightQuantForm f;
  Value q = cvt.getIn();
  if (auto a = q.getDefiningOp<arith::AndIOp>()) {
    auto sh = a.getLhs().getDefiningOp<arith::ShRUIOp>();
    if (!sh)
      return std::nullopt;
    q = sh.getLhs();
    f.bits = 4;
  } else {
    f.bits = 8;
  }
  auto ext = q.getDefiningOp<arith::ExtUIOp>();
  OpOperand *out = operandOf(add.getLhs()), *x = operandOf(mx.getLhs()),
            *sc = operandOf(ms.getRhs()),
            *codes = ext ? operandOf(ext.getIn()) : nullptr;
  if (!out || !x || !sc || !codes || out != op.getDpsInitOperand(0) ||
      !is(op.getMatchingIndexingMap(out), {dm, dn}) ||
      !is(op.getMatchingIndexingMap(x), {dm, dk}) ||
      !is(op.getMatchingIndexingMap(codes),
          {dn, f.bits == 4 ? dk.floorDiv(2) : dk}))
    return std::nullopt;
  AffineMap groupMap = op.getMatchingIndexingMap(sc);
  auto g = groupMap.getNumResults() == 2 && groupMap.getResult(0) == dn
               ? dyn_cast<AffineBinaryOpExpr>(groupMap.getResult(1))
               : nullptr;
  auto gc = g ? dyn_cast<AffineConstantExpr>(g.getRHS()) : nullptr;
  if (!gc || g.getKind() != AffineExprKind::FloorDiv || g.getLHS() != dk)
    return std::nullopt;
  f.group = gc.getValue();
  f.x = x->get();
  f.codes = codes->get();
  f.scales = sc->get();
  if (OpOperand *z = operandOf(sub.getRhs())) {
    if (op.getMatchingIndexingMap(z) != groupMap)
      return std::nullopt;
    f.zeroPoints = z->get();
  } else {
    FloatAttr c;
    if (!matchPattern(sub.getRhs(), m_Constant(&c)))
      return std::nullopt;
    f.zeroPoint = c.getValueAsDouble();
  }
  return f;
}

bool dnnc::conv::lowerWeightQuantMatmul(linalg::GenericOp op) {
  std::optional<WeightQuantForm> form = weightQuantForm(op);
  if (!form)
    return false;
  int64_t bits = form->bits, group = form->group;
  auto xT = dyn_cast<RankedTensorType>(form->x.getType());
  auto outT = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  DenseElementsAttr w = constantData(form->codes, true);
  DenseElementsAttr s = constantData(form->scales, true);
  DenseElementsAttr z =
      form->zeroPoints ? constantData(form->zeroPoints, true) : nullptr;
  if (!xT || !outT || !xT.hasStaticShape() || xT.getRank() != 2 || !w || !s ||
      (form->zeroPoints && !z) || !xT.getElementType().isF32())
    return false;
  int64_t m = xT.getDimSize(0), k = xT.getDimSize(1), n = outT.getDimSize(1);
  int64_t perWord = bits == 4 ? 8 : 1;
  if (group % perWord || k % group)
    return false;
  int64_t groups = k / group;
  // Panels advancing together: 4 for one row, 2 when rows come in blocks
  // (2 x np x rows accumulators must stay in registers).
  int64_t np =
      std::min<int64_t>(m % 2 && m % 3 ? 4 : 2, llvm::divideCeil(n, kLanes));
  int64_t panels = llvm::alignTo(llvm::divideCeil(n, kLanes), np);
  // Unpacked codes q[n][k], scales and zero points [n][g].
  SmallVector<uint8_t> bytes;
  for (const APInt &v : w.getValues<APInt>())
    bytes.push_back(v.getZExtValue());
  auto code = [&](int64_t col, int64_t kk) -> uint32_t {
    if (bits == 8)
      return bytes[col * k + kk];
    uint8_t byte = bytes[col * (k / 2) + kk / 2];
    return kk % 2 ? byte >> 4 : byte & 15;
  };
  SmallVector<float> sv = llvm::to_vector(s.getValues<float>());
  if (s.isSplat())
    sv.assign(n * (k / group), s.getSplatValue<float>());
  SmallVector<float> zv(n * (k / group), float(form->zeroPoint));
  if (z)
    zv = z.isSplat() ? SmallVector<float>(zv.size(), z.getSplatValue<float>())
                     : llvm::to_vector(z.getValues<float>());
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value packed;
  if (bits == 4) {
    SmallVector<int32_t> words(panels * (k / 8) * kLanes, 0);
    for (int64_t col = 0; col < n; ++col)
      for (int64_t kk = 0; kk < k; ++kk)
        words[((col / kLanes) * (k / 8) + kk / 8) * kLanes + col % kLanes] |=
            int32_t(code(col, kk) << (4 * (kk % 8)));
    auto t = RankedTensorType::get({panels, k / 8, kLanes}, b.getI32Type());
    packed = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(t, ArrayRef<int32_t>(words)));
  } else {
    SmallVector<int8_t> out(panels * k * kLanes, 0);
    for (int64_t col = 0; col < n; ++col)
      for (int64_t kk = 0; kk < k; ++kk)
        out[((col / kLanes) * k + kk) * kLanes + col % kLanes] =
            int8_t(code(col, kk));
    auto t = RankedTensorType::get({panels, k, kLanes}, b.getIntegerType(8));
    packed = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(t, ArrayRef<int8_t>(out)));
  }
  SmallVector<float> sc(panels * groups * kLanes, 0.0f), zs(sc);
  for (int64_t col = 0; col < n; ++col)
    for (int64_t g = 0; g < groups; ++g) {
      int64_t at = ((col / kLanes) * groups + g) * kLanes + col % kLanes;
      sc[at] = sv[col * groups + g];
      zs[at] = sv[col * groups + g] * zv[col * groups + g];
    }
  auto st = RankedTensorType::get({panels, groups, kLanes}, b.getF32Type());
  WeightQuantKernel kernel{
      b,
      loc,
      m,
      n,
      k,
      bits,
      group,
      panels,
      np,
      form->x,
      packed,
      arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(st, ArrayRef<float>(sc))),
      arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(st, ArrayRef<float>(zs))),
      op.getDpsInits()[0]};
  Value result = kernel.emit();
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return true;
}
