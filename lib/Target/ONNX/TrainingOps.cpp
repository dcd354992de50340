//===- TrainingOps.cpp - ai.onnx.preview.training optimizers
//---------------===//
//
// The optimizer ops of the ai.onnx.preview.training domain (Adagrad,
// Momentum, Adam) are elementwise update rules over groups of tensors:
// inputs R (learning rate), T (update count), then n tensors X, n gradients
// G and n (or 2n) optimizer states; outputs the n new tensors, then the new
// states. They are expanded at import into dnn elementwise ops. Gradient
// differentiates the imported forward graph in reverse mode: from y's
// adjoint (ones) back through the nodes between xs and y, summing
// broadcast dims away; the adjoints of xs are its outputs.
//
//===----------------------------------------------------------------------===//
#include "Composition.h"
#include "onnx/onnx_pb.h"
#include <set>

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

/// Reverse-mode automatic differentiation of the imported nodes between
/// `xs` and `y` (Gradient of ai.onnx.preview.training).
LogicalResult importGradient(NodeImporter &n) {
  auto *xsAttr = n.attr("xs");
  auto *yAttr = n.attr("y");
  if (!xsAttr || !yAttr)
    return n.fail("Gradient needs the xs and y attributes");
  std::vector<std::string> xs(xsAttr->strings().begin(),
                              xsAttr->strings().end());
  std::string y = yAttr->s();
  if ((int64_t)xs.size() != (int64_t)n.numOutputs())
    return n.fail("Gradient has one output per entry of xs");
  GraphState &st = n.state;
  if (!st.values.count(y))
    return n.fail("y '" + y + "' is not defined");
  // The nodes on a path from xs to y, in import (topological) order.
  std::set<std::string> fromX(xs.begin(), xs.end());
  std::vector<size_t> path;
  {
    std::set<size_t> needed;
    std::vector<std::string> work = {y};
    while (!work.empty()) {
      std::string v = work.back();
      work.pop_back();
      auto it = st.producer.find(v);
      if (fromX.count(v) || it == st.producer.end() ||
          !needed.insert(it->second).second)
        continue;
      for (const std::string &in : st.nodes[it->second].inputs)
        if (!in.empty())
          work.push_back(in);
    }
    // Keep the nodes that also depend on some x.
    std::set<std::string> reached(xs.begin(), xs.end());
    std::vector<size_t> order(needed.begin(), needed.end());
    llvm::sort(order);
    for (size_t i : order) {
      const ImportedNode &node = st.nodes[i];
      if (llvm::any_of(node.inputs, [&](const std::string &s) {
            return reached.count(s);
          })) {
        path.push_back(i);
        reached.insert(node.outputs.begin(), node.outputs.end());
      }
    }
  }
  auto typeOf = [](Value v) { return cast<RankedTensorType>(v.getType()); };
  // `g` summed down to the shape of `like` (undoing broadcasting).
  auto unbroadcast = [&](Value g, Value like) -> FailureOr<Value> {
    auto gt = typeOf(g), lt = typeOf(like);
    if (gt.getShape() == lt.getShape())
      return g;
    if (!gt.hasStaticShape() || !lt.hasStaticShape())
      return n.fail("Gradient through a broadcast with run-time dims is not "
                    "supported");
    int64_t off = gt.getRank() - lt.getRank();
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < gt.getRank(); ++i)
      if (i < off || (lt.getDimSize(i - off) == 1 && gt.getDimSize(i) != 1))
        axes.push_back(i);
    Value r = n.create<dnn::ReduceSumOp>(
        RankedTensorType::get(reduceShape(gt.getShape(), axes, true),
                              gt.getElementType()),
        g, n.b.getDenseI64ArrayAttr(axes), n.b.getBoolAttr(true));
    return (Value)n.create<dnn::ReshapeOp>(lt, r);
  };
  std::map<std::string, Value> adj;
  auto accumulate = [&](const std::string &name, Value g) -> LogicalResult {
    auto u = unbroadcast(g, st.values.at(name));
    if (failed(u))
      return failure();
    auto it = adj.find(name);
    adj[name] = it == adj.end() ? *u : n.create<dnn::AddOp>(it->second, *u);
    return success();
  };
  auto ones = [&](Value like) {
    auto t = typeOf(like);
    Value shape = dimsOf(n, like, 0, t.getRank());
    return n.create<dnn::ConstantOfShapeOp>(
        t, shape, n.b.getFloatAttr(t.getElementType(), 1.0));
  };
  Value yv = st.values.at(y);
  if (!isa<FloatType>(typeOf(yv).getElementType()))
    return n.fail("y must be a float tensor");
  adj[y] = ones(yv);
  for (size_t i : llvm::reverse(path)) {
    const ImportedNode &node = st.nodes[i];
    if (node.outputs.size() != 1)
      return n.fail("Gradient through " + node.opType + " is not supported");
    auto git = adj.find(node.outputs[0]);
    if (git == adj.end())
      continue;
    Value g = git->second;
    auto in = [&](size_t k) { return st.values.at(node.inputs[k]); };
    Value out = st.values.at(node.outputs[0]);
    const std::string &op = node.opType;
    auto mul = [&](Value a, Value b) { return n.create<dnn::MulOp>(a, b); };
    auto neg = [&](Value a) { return n.create<dnn::NegOp>(a.getType(), a); };
    auto et = typeOf(out).getElementType();
    LogicalResult ok = success();
    auto acc = [&](size_t k, Value v) {
      if (succeeded(ok))
        ok = accumulate(node.inputs[k], v);
    };
    if (op == "Add" || op == "Sub") {
      acc(0, g);
      acc(1, op == "Add" ? g : neg(g));
    } else if (op == "Mul") {
      acc(0, mul(g, in(1)));
      acc(1, mul(g, in(0)));
    } else if (op == "Div") {
      acc(0, n.create<dnn::DivOp>(g, in(1)));
      acc(1, neg(mul(g, n.create<dnn::DivOp>(out, in(1)))));
    } else if (op == "Neg") {
      acc(0, neg(g));
    } else if (op == "Identity") {
      acc(0, g);
    } else if (op == "Relu") {
      Value pos = n.create<dnn::GreaterOp>(in(0), scalar(n, et, 0));
      acc(0, n.create<dnn::WhereOp>(pos, g, scalar(n, et, 0)));
    } else if (op == "Sigmoid") {
      acc(0, mul(g, mul(out, n.create<dnn::SubOp>(scalar(n, et, 1), out))));
    } else if (op == "Tanh") {
      acc(0, mul(g, n.create<dnn::SubOp>(scalar(n, et, 1), mul(out, out))));
    } else if (op == "Exp") {
      acc(0, mul(g, out));
    } else if (op == "Log") {
      acc(0, n.create<dnn::DivOp>(g, in(0)));
    } else if (op == "Sqrt") {
      acc(0, n.create<dnn::DivOp>(g, mul(out, scalar(n, et, 2))));
    } else if (op == "MatMul" && typeOf(in(0)).getRank() == 2 &&
               typeOf(in(1)).getRank() == 2) {
      auto tr = [&](Value v) {
        auto t = typeOf(v);
        return n.create<dnn::TransposeOp>(
            RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)},
                                  t.getElementType()),
            v, n.b.getDenseI64ArrayAttr({1, 0}));
      };
      acc(0, n.create<dnn::MatMulOp>(g, tr(in(1))));
      acc(1, n.create<dnn::MatMulOp>(tr(in(0)), g));
    } else {
      return n.fail("Gradient through " + op + " is not supported");
    }
    if (failed(ok))
      return failure();
  }
  for (auto [i, x] : llvm::enumerate(xs)) {
    auto it = adj.find(x);
    Value xv = st.values.count(x) ? st.values.at(x) : Value();
    if (!xv)
      return n.fail("x '" + x + "' is not defined");
    // y does not depend on x: a zero gradient.
    n.setOutput(i,
                it != adj.end()
                    ? it->second
                    : n.create<dnn::MulOp>(
                          ones(xv), scalar(n, typeOf(xv).getElementType(), 0)));
  }
  return success();
}

void onnximport::registerTrainingHandlers(HandlerRegistry &r) {
  r.add("ai.onnx.preview.training.Adagrad", 1, importAdagrad);
  r.add("ai.onnx.preview.training.Momentum", 1, importMomentum);
  r.add("ai.onnx.preview.training.Adam", 1, importAdam);
  r.add("ai.onnx.preview.training.Gradient", 1, importGradient);
  r.allowRuntimeDims(
      {"ai.onnx.preview.training.Adagrad", "ai.onnx.preview.training.Momentum",
       "ai.onnx.preview.training.Adam", "ai.onnx.preview.training.Gradient"});
}
