//===- LowerQuant.cpp - Quant casts to dnn arithmetic on storage ----------===//
//
// Every value of `!quant.uniform` element type is replaced by its integer
// storage: quant.qcast becomes round(x / scale) + zero point, saturated
// (ONNX QuantizeLinear), quant.dcast becomes (q - zero point) * scale, and
// quant.scast disappears (a ReLU before a qcast becomes its lower bound).
// Codes that dnn-fuse-quantized computed on integers
// (round, convert, add the zero point, saturate) dequantize from the rounded
// float directly. Quantized values may only flow between these casts;
// any other use is an error.
//
//===----------------------------------------------------------------------===//
#include "QuantUtils.h"
#include "dnnc/Dialect/DNN/Transforms/Passes.h"

#define DEBUG_TYPE "dnn-lower-quant"

namespace dnnc::dnn {
#define GEN_PASS_DEF_DNNLOWERQUANT
#include "dnnc/Dialect/DNN/Transforms/Passes.h.inc"
} // namespace dnnc::dnn

using namespace mlir;
using namespace dnnc::dnn;

static bool isQuantized(Type t) {
  return isa<quant::QuantizedType>(getElementTypeOrSelf(t));
}

/// The single integer of a splat constant.
static std::optional<int64_t> splatInt(Value v) {
  DenseIntElementsAttr a;
  if (!matchPattern(v, m_Constant(&a)) || !a.isSplat())
    return std::nullopt;
  return a.getSplatValue<APInt>().getSExtValue();
}

/// Codes that dnn-fuse-quantized computed on integers,
/// cast(clip(cast_i32(round(t)) [+ zp], lo, hi)) (per tensor): round(t) and
/// the clip's bounds less the zero point.
struct Requantized {
  Value rounded;
  double lo, hi;
};

static std::optional<Requantized>
matchRequantized(Value storage, const QuantParams &q, Type floatType) {
  auto narrow = storage.getDefiningOp<CastOp>();
  auto clip = narrow ? narrow.getInput().getDefiningOp<ClipOp>() : ClipOp();
  if (!q.perTensor() || !clip || !clip.getMinAttr() || !clip.getMaxAttr() ||
      !getElementTypeOrSelf(clip.getType()).isInteger(32))
    return std::nullopt;
  Value v = clip.getInput();
  int64_t zp = 0;
  if (auto add = v.getDefiningOp<AddOp>()) {
    std::optional<int64_t> c = splatInt(add.getRhs());
    if (!c)
      return std::nullopt;
    zp = *c;
    v = add.getLhs();
  }
  auto toInt = v.getDefiningOp<CastOp>();
  auto round = toInt ? toInt.getInput().getDefiningOp<RoundOp>() : RoundOp();
  if (!round || zp != q.zeroPoints[0] ||
      getElementTypeOrSelf(round.getType()) != floatType)
    return std::nullopt;
  return Requantized{round.getResult(),
                     clip.getMinAttr().getValueAsDouble() - zp,
                     clip.getMaxAttr().getValueAsDouble() - zp};
}

/// The dequantized value of requantized codes in float, without the round
/// trip through the codes:
///   (clamp(int(round t) + zp, lo, hi) - zp) * s
///     = clamp(round t, lo - zp, hi - zp) * s,
/// the same integers (|v| <= 383, exact in f32), then the same product.
static Value dequantizeRequantized(OpBuilder &b, Location loc,
                                   const Requantized &r, const QuantParams &q,
                                   Type floatType) {
  auto rt = cast<RankedTensorType>(r.rounded.getType());
  Value c = ClipOp::create(b, loc, rt, r.rounded, b.getF64FloatAttr(r.lo),
                           b.getF64FloatAttr(r.hi));
  return MulOp::create(
      b, loc, c,
      broadcastConstant(b, loc, floatType, q.scales, q.axis, rt.getRank()));
}

/// The requantized codes behind `v` = dcast(scast(...(codes))), if any.
static std::optional<Requantized> requantizedOperand(Value v) {
  auto d = v.getDefiningOp<quant::DequantizeCastOp>();
  auto p = d ? QuantParams::of(d.getInput().getType()) : std::nullopt;
  if (!p)
    return std::nullopt;
  Value codes = d.getInput();
  while (auto s = codes.getDefiningOp<quant::StorageCastOp>())
    codes = s.getInput();
  return matchRequantized(codes, *p, getElementTypeOrSelf(v.getType()));
}

/// The dcasts that keep the codes path although their codes are
/// requantized: when one op reads several (a residual Add of two
/// convolutions), only the codes computed last dequantize from the rounded
/// float. The float chain fuses into that op, and the op into the last
/// convolution's kernel; the other convolutions then store their codes,
/// one byte per element, instead of their i32 accumulators.
static DenseSet<Operation *> dcastsKeepingCodes(Operation *root) {
  DenseSet<Operation *> keep;
  root->walk([&](Operation *op) {
    if (isa<quant::DequantizeCastOp, quant::QuantizeCastOp,
            quant::StorageCastOp>(op))
      return;
    SmallVector<std::pair<Operation *, Operation *>> found; // dcast, round
    for (Value v : op->getOperands())
      if (std::optional<Requantized> r = requantizedOperand(v))
        found.push_back({v.getDefiningOp(), r->rounded.getDefiningOp()});
    if (found.size() < 2)
      return;
    auto last = llvm::max_element(found, [](auto &a, auto &b) {
      return a.second->getBlock() == b.second->getBlock() &&
             a.second->isBeforeInBlock(b.second);
    });
    for (auto &f : found)
      if (f.first != last->first)
        keep.insert(f.first);
  });
  return keep;
}

namespace {
struct DNNLowerQuantPass
    : dnnc::dnn::impl::DNNLowerQuantBase<DNNLowerQuantPass> {
  void runOnOperation() override {
    DenseSet<Operation *> keepCodes = dcastsKeepingCodes(getOperation());
    // The storage value of each quantized value, in program order.
    DenseMap<Value, Value> storage;
    SmallVector<Operation *> dead;
    OpBuilder b(&getContext());
    auto storageOf = [&](Operation *op, Value q) -> Value {
      Value s = storage.lookup(q);
      if (!s)
        op->emitOpError("quantized operand without integer storage (only "
                        "quant casts may produce quantized values)");
      return s;
    };
    auto fail = [](Operation *op, const Twine &message) {
      op->emitOpError(message);
      return WalkResult::interrupt();
    };
    WalkResult r = getOperation().walk([&](Operation *op) -> WalkResult {
      b.setInsertionPoint(op);
      Location loc = op->getLoc();
      if (auto q = dyn_cast<quant::QuantizeCastOp>(op)) {
        auto p = QuantParams::of(q.getType());
        if (!p)
          return fail(op, "unsupported quantized type");
        // A ReLU before a per-tensor qcast only raises the lower bound:
        //   clamp(round(max(x, 0) / s) + zp, lo, hi)
        //     = clamp(round(x / s) + zp, max(lo, zp), hi).
        Value x = q.getInput();
        auto relu = x.getDefiningOp<ReluOp>();
        if (relu && p->perTensor() && relu->hasOneUse()) {
          x = relu.getInput();
          p->qmin = std::max(p->qmin, p->zeroPoints[0]);
          dead.push_back(relu); // erased after the qcast
        }
        storage[q.getResult()] = quantizeToStorage(b, loc, x, *p);
      } else if (auto d = dyn_cast<quant::DequantizeCastOp>(op)) {
        auto p = QuantParams::of(d.getInput().getType());
        if (!p)
          return fail(op, "unsupported quantized type");
        Value s = storageOf(op, d.getInput());
        if (!s)
          return WalkResult::interrupt();
        Type ft = getElementTypeOrSelf(d.getType());
        std::optional<Requantized> r;
        if (!keepCodes.contains(op))
          r = matchRequantized(s, *p, ft);
        d.replaceAllUsesWith(r ? dequantizeRequantized(b, loc, *r, *p, ft)
                               : dequantizeStorage(b, loc, s, *p, ft));
      } else if (auto c = dyn_cast<quant::StorageCastOp>(op)) {
        if (isQuantized(c.getType())) {
          storage[c.getResult()] = c.getInput();
        } else {
          Value s = storageOf(op, c.getInput());
          if (!s)
            return WalkResult::interrupt();
          c.replaceAllUsesWith(s);
        }
      } else {
        for (Value v : op->getOperands())
          if (isQuantized(v.getType()))
            return fail(op, "cannot take a quantized operand; only quant "
                            "casts can");
        return WalkResult::advance();
      }
      dead.push_back(op);
      return WalkResult::advance();
    });
    if (r.wasInterrupted())
      return signalPassFailure();
    for (Operation *op : llvm::reverse(dead))
      op->erase();
  }
};
} // namespace
