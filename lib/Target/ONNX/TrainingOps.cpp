//===- TrainingOps.cpp - ai.onnx.preview.training optimizers
//---------------===//
//
// The optimizer ops of the ai.onnx.preview.training domain (Adagrad,
// Momentum, Adam) are elementwise update rules over groups of tensors:
// inputs R (learning rate), T (update count), then n tensors X, n gradients
// G and n (or 2n) optimizer states; outputs the n new tensors, then the new
// states. They are expanded at import into dnn elementwise ops. Gradient
// (automatic differentiation of a subgraph) is not supported.
//
//===----------------------------------------------------------------------===//
#include "Composition.h"
#include "onnx/onnx_pb.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {
/// Binds R, T and the groups of an optimizer node with `numStates` state
/// tensors per updated tensor; fails unless the input count fits.
struct OptimizerInputs {
  Value r, t;
  int64_t count = 0;
  Type et;
  Value x(NodeImporter &n, int64_t i) const { return n.input(2 + i); }
  Value g(NodeImporter &n, int64_t i) const { return n.input(2 + count + i); }
  Value state(NodeImporter &n, int64_t s, int64_t i) const {
    return n.input(2 + (2 + s) * count + i);
  }
};

FailureOr<OptimizerInputs> bindOptimizer(NodeImporter &n, int64_t numStates) {
  int64_t groups = (int64_t)n.numInputs() - 2;
  if (groups <= 0 || groups % (2 + numStates))
    return n.fail("expected R, T and " + std::to_string(2 + numStates) +
                  " inputs per optimized tensor");
  OptimizerInputs in;
  in.count = groups / (2 + numStates);
  if ((int64_t)n.numOutputs() != (1 + numStates) * in.count)
    return n.fail("expected " + std::to_string(1 + numStates) +
                  " outputs per optimized tensor");
  in.et = n.inputType(2).getElementType();
  if (!isa<FloatType>(in.et))
    return n.fail("non-float tensors to optimize");
  // R and T as scalars of the tensors' element type.
  auto scalarOf = [&](Value v) -> Value {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 0)
      v = n.create<dnn::ReshapeOp>(
          RankedTensorType::get({}, t.getElementType()), v);
    if (t.getElementType() != in.et)
      v = n.create<dnn::CastOp>(RankedTensorType::get({}, in.et), v);
    return v;
  };
  in.r = scalarOf(n.input(0));
  in.t = scalarOf(n.input(1));
  return in;
}

/// norm_coefficient * X + G.
Value regularized(NodeImporter &n, const OptimizerInputs &in, int64_t i) {
  Value g = in.g(n, i);
  double norm = n.attrFloat("norm_coefficient", 0.0f);
  if (norm == 0)
    return g;
  return n.create<dnn::AddOp>(
      n.create<dnn::MulOp>(scalar(n, in.et, norm), in.x(n, i)), g);
}

LogicalResult importAdagrad(NodeImporter &n) {
  auto in = bindOptimizer(n, 1);
  if (failed(in))
    return failure();
  Type et = in->et;
  double decay = n.attrFloat("decay_factor", 0.0f);
  double eps = n.attrFloat("epsilon", 0.0f);
  // r = R / (1 + T * decay_factor)
  Value r = n.create<dnn::DivOp>(
      in->r,
      n.create<dnn::AddOp>(scalar(n, et, 1),
                           n.create<dnn::MulOp>(in->t, scalar(n, et, decay))));
  for (int64_t i = 0; i < in->count; ++i) {
    Value g = regularized(n, *in, i);
    Value h =
        n.create<dnn::AddOp>(in->state(n, 0, i), n.create<dnn::MulOp>(g, g));
    Value hs =
        n.create<dnn::AddOp>(unary<dnn::SqrtOp>(n, h), scalar(n, et, eps));
    Value step = n.create<dnn::DivOp>(n.create<dnn::MulOp>(r, g), hs);
    n.setOutput(i, n.create<dnn::SubOp>(in->x(n, i), step));
    n.setOutput(in->count + i, h);
  }
  return success();
}

LogicalResult importMomentum(NodeImporter &n) {
  auto in = bindOptimizer(n, 1);
  if (failed(in))
    return failure();
  Type et = in->et;
  double alpha = n.attrFloat("alpha", 0.0f), beta = n.attrFloat("beta", 0.0f);
  std::string mode = n.attrString("mode", "standard");
  if (mode != "standard" && mode != "nesterov")
    return n.fail("unknown mode '" + mode + "'");
  // beta_adjusted = T > 0 ? beta : 1
  Value first = n.create<dnn::GreaterOp>(in->t, scalar(n, et, 0));
  Value betaAdj =
      n.create<dnn::WhereOp>(first, scalar(n, et, beta), scalar(n, et, 1));
  Value a = scalar(n, et, alpha);
  for (int64_t i = 0; i < in->count; ++i) {
    Value g = regularized(n, *in, i);
    Value v = n.create<dnn::AddOp>(n.create<dnn::MulOp>(a, in->state(n, 0, i)),
                                   n.create<dnn::MulOp>(betaAdj, g));
    Value dir = mode == "standard"
                    ? v
                    : n.create<dnn::AddOp>(g, n.create<dnn::MulOp>(a, v));
    n.setOutput(
        i, n.create<dnn::SubOp>(in->x(n, i), n.create<dnn::MulOp>(in->r, dir)));
    n.setOutput(in->count + i, v);
  }
  return success();
}

LogicalResult importAdam(NodeImporter &n) {
  auto in = bindOptimizer(n, 2);
  if (failed(in))
    return failure();
  Type et = in->et;
  double alpha = n.attrFloat("alpha", 0.9f), beta = n.attrFloat("beta", 0.999f);
  double eps = n.attrFloat("epsilon", 1e-6f);
  double post = n.attrFloat("norm_coefficient_post", 0.0f);
  Value one = scalar(n, et, 1);
  // R_adjusted = T > 0 ? R * sqrt(1 - beta^T) / (1 - alpha^T) : R
  Value bt = n.create<dnn::PowOp>(scalar(n, et, beta), in->t);
  Value at = n.create<dnn::PowOp>(scalar(n, et, alpha), in->t);
  Value adj = n.create<dnn::DivOp>(
      n.create<dnn::MulOp>(
          in->r, unary<dnn::SqrtOp>(n, n.create<dnn::SubOp>(one, bt))),
      n.create<dnn::SubOp>(one, at));
  Value first = n.create<dnn::GreaterOp>(in->t, scalar(n, et, 0));
  Value r = n.create<dnn::WhereOp>(first, adj, in->r);
  for (int64_t i = 0; i < in->count; ++i) {
    Value g = regularized(n, *in, i);
    Value v = n.create<dnn::AddOp>(
        n.create<dnn::MulOp>(scalar(n, et, alpha), in->state(n, 0, i)),
        n.create<dnn::MulOp>(scalar(n, et, 1 - alpha), g));
    Value h = n.create<dnn::AddOp>(
        n.create<dnn::MulOp>(scalar(n, et, beta), in->state(n, 1, i)),
        n.create<dnn::MulOp>(scalar(n, et, 1 - beta),
                             n.create<dnn::MulOp>(g, g)));
    Value hs =
        n.create<dnn::AddOp>(unary<dnn::SqrtOp>(n, h), scalar(n, et, eps));
    Value x = n.create<dnn::SubOp>(
        in->x(n, i), n.create<dnn::MulOp>(r, n.create<dnn::DivOp>(v, hs)));
    if (post != 0)
      x = n.create<dnn::MulOp>(scalar(n, et, 1 - post), x);
    n.setOutput(i, x);
    n.setOutput(in->count + i, v);
    n.setOutput(2 * in->count + i, h);
  }
  return success();
}
} // namespace

void onnximport::registerTrainingHandlers(HandlerRegistry &r) {
  r.add("ai.onnx.preview.training.Adagrad", 1, importAdagrad);
  r.add("ai.onnx.preview.training.Momentum", 1, importMomentum);
  r.add("ai.onnx.preview.training.Adam", 1, importAdam);
  r.allowRuntimeDims({"ai.onnx.preview.training.Adagrad",
                      "ai.onnx.preview.training.Momentum",
                      "ai.onnx.preview.training.Adam"});
}
