//===- LowerQuant.cpp - Quant casts to dnn arithmetic on storage ----------===//
//
// Every value of `!quant.uniform` element type is replaced by its integer
// storage: quant.qcast becomes round(x / scale) + zero point, saturated
// (ONNX QuantizeLinear), quant.dcast becomes (q - zero point) * scale, and
// quant.scast disappears. Codes that dnn-fuse-quantized computed on integers
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

/// The dequantized value of codes that dnn-fuse-quantized computed on
/// integers, cast(clip(cast_i32(round(t)) [+ zp], lo, hi)) (per tensor), in
/// float without the round trip through the codes:
///   (clamp(int(round t) + zp, lo, hi) - zp) * s
///     = clamp(round t, lo - zp, hi - zp) * s,
/// the same integers (|v| <= 383, exact in f32), then the same product.
/// Null when `storage` is not of that form.
static Value dequantizeRequantized(OpBuilder &b, Location loc, Value storage,
                                   const QuantParams &q, Type floatType) {
  auto narrow = storage.getDefiningOp<CastOp>();
  auto clip = narrow ? narrow.getInput().getDefiningOp<ClipOp>() : ClipOp();
  if (!q.perTensor() || !clip || !clip.getMinAttr() || !clip.getMaxAttr() ||
      !getElementTypeOrSelf(clip.getType()).isInteger(32))
    return {};
  Value v = clip.getInput();
  int64_t zp = 0;
  if (auto add = v.getDefiningOp<AddOp>()) {
    std::optional<int64_t> c = splatInt(add.getRhs());
    if (!c)
      return {};
    zp = *c;
    v = add.getLhs();
  }
  auto toInt = v.getDefiningOp<CastOp>();
  auto round = toInt ? toInt.getInput().getDefiningOp<RoundOp>() : RoundOp();
  if (!round || zp != q.zeroPoints[0] ||
      getElementTypeOrSelf(round.getType()) != floatType)
    return {};
  Value r = round.getResult();
  auto rt = cast<RankedTensorType>(r.getType());
  double lo = clip.getMinAttr().getValueAsDouble() - zp;
  double hi = clip.getMaxAttr().getValueAsDouble() - zp;
  Value c = ClipOp::create(b, loc, rt, r, b.getF64FloatAttr(lo),
                           b.getF64FloatAttr(hi));
  return MulOp::create(
      b, loc, c,
      broadcastConstant(b, loc, floatType, q.scales, q.axis, rt.getRank()));
}

namespace {
struct DNNLowerQuantPass
    : dnnc::dnn::impl::DNNLowerQuantBase<DNNLowerQuantPass> {
  void runOnOperation() override {
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
        storage[q.getResult()] = quantizeToStorage(b, loc, q.getInput(), *p);
      } else if (auto d = dyn_cast<quant::DequantizeCastOp>(op)) {
        auto p = QuantParams::of(d.getInput().getType());
        if (!p)
          return fail(op, "unsupported quantized type");
        Value s = storageOf(op, d.getInput());
        if (!s)
          return WalkResult::interrupt();
        Type ft = getElementTypeOrSelf(d.getType());
        Value v = dequantizeRequantized(b, loc, s, *p, ft);
        d.replaceAllUsesWith(v ? v : dequantizeStorage(b, loc, s, *p, ft));
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
