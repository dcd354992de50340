//===- LowerQuant.cpp - Quant casts to dnn arithmetic on storage ----------===//
//
// Every value of `!quant.uniform` element type is replaced by its integer
// storage: quant.qcast becomes round(x / scale) + zero point, saturated
// (ONNX QuantizeLinear), quant.dcast becomes (q - zero point) * scale, and
// quant.scast disappears. Quantized values may only flow between these casts;
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
        d.replaceAllUsesWith(dequantizeStorage(
            b, loc, s, *p, getElementTypeOrSelf(d.getType())));
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
