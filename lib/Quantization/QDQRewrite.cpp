//===- QDQRewrite.cpp - Quantizing an ONNX graph with Q/DQ pairs ----------===//
//
// The QDQ form is the one ONNX Runtime's quantizer writes: activations are
// QuantizeLinear -> DequantizeLinear pairs on the tensor (every consumer
// reads the dequantized value), weights are int8 initializers under a
// DequantizeLinear, biases int32 with scale = input scale * weight scale.
//
//===----------------------------------------------------------------------===//
#include "QDQRewrite.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

using namespace dnnc;

int64_t dnnc::defaultOpset(const onnx::ModelProto &model) {
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      return o.version();
  return 1;
}

std::map<std::string, TensorKind>
dnnc::inferTensorKinds(const onnx::ModelProto &model) {
  onnx::ModelProto copy = model;
  try {
    onnx::ShapeInferenceOptions sio(/*check_type=*/false, /*error_mode=*/0,
                                    /*data_prop=*/true);
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(),
                                       sio);
  } catch (const std::exception &) {
    // What was inferred before the failure stands.
  }
  std::map<std::string, TensorKind> types;
  const onnx::GraphProto &g = copy.graph();
  for (const auto &t : g.initializer())
    types[t.name()] = {t.data_type(), t.dims_size()};
  auto record = [&](const auto &list) {
    for (const onnx::ValueInfoProto &vi : list) {
      if (!vi.type().has_tensor_type() || !vi.type().tensor_type().elem_type())
        continue;
      const auto &tt = vi.type().tensor_type();
      types[vi.name()] = {tt.elem_type(),
                          tt.has_shape() ? tt.shape().dim_size() : -1};
    }
  };
  record(g.value_info());
  record(g.input());
  record(g.output());
  return types;
}

namespace {
const onnx::AttributeProto *attr(const onnx::NodeProto &n,
                                 const std::string &name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

/// Every tensor name any node of `g` (or of its subgraphs) reads.
void collectReads(const onnx::GraphProto &g, std::multiset<std::string> &out) {
  for (const auto &n : g.node()) {
    for (const auto &i : n.input())
      if (!i.empty())
        out.insert(i);
    for (const auto &a : n.attribute()) {
      if (a.has_g())
        collectReads(a.g(), out);
      for (const auto &sg : a.graphs())
        collectReads(sg, out);
    }
  }
}

} // namespace

int64_t dnnc::intAttr(const onnx::NodeProto &n, const std::string &name,
                      int64_t dflt) {
  const auto *a = attr(n, name);
  return a ? a->i() : dflt;
}

float dnnc::floatAttr(const onnx::NodeProto &n, const std::string &name,
                      float dflt) {
  const auto *a = attr(n, name);
  return a ? a->f() : dflt;
}

/// The initializers by name, and the Identity copies of them (exporters
/// share equal initializers so).
std::map<std::string, const onnx::TensorProto *>
dnnc::constantTensors(const onnx::GraphProto &g) {
  std::map<std::string, const onnx::TensorProto *> inits;
  for (const auto &t : g.initializer())
    inits[t.name()] = &t;
  for (const auto &n : g.node())
    if (n.op_type() == "Identity" && n.domain().empty() &&
        inits.count(n.input(0)))
      inits[n.output(0)] = inits[n.input(0)];
  return inits;
}

/// The values of a float initializer.
bool dnnc::floatValues(const onnx::TensorProto &t, std::vector<float> &out,
                       std::string &err) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    err = "initializer '" + t.name() +
          "' holds external data, which quantization does not read yet";
    return false;
  }
  size_t n = 1;
  for (int64_t d : t.dims())
    n *= d;
  out.resize(n);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != n * sizeof(float)) {
      err = "initializer '" + t.name() + "' has " +
            std::to_string(t.raw_data().size()) + " bytes for " +
            std::to_string(n) + " floats";
      return false;
    }
    std::memcpy(out.data(), t.raw_data().data(), n * sizeof(float));
    return true;
  }
  if ((size_t)t.float_data_size() != n) {
    err = "initializer '" + t.name() + "' has " +
          std::to_string(t.float_data_size()) + " values for " +
          std::to_string(n) + " elements";
    return false;
  }
  std::copy(t.float_data().begin(), t.float_data().end(), out.begin());
  return true;
}

std::vector<QuantLayer>
dnnc::findQuantLayers(const onnx::ModelProto &model,
                      std::map<std::string, TensorKind> &kinds,
                      const QuantizeOptions &options) {
  const onnx::GraphProto &g = model.graph();
  auto inits = constantTensors(g);
  std::set<std::string> graphOutputs;
  for (const auto &o : g.output())
    graphOutputs.insert(o.name());
  std::multiset<std::string> reads;
  collectReads(g, reads);
  std::map<std::string, int> consumer; // tensor -> the node reading it
  for (int i = 0; i < g.node_size(); ++i)
    for (const auto &in : g.node(i).input())
      consumer[in] = i;
  auto isFloat = [&](const std::string &name) {
    auto it = kinds.find(name);
    return it != kinds.end() &&
           it->second.elemType == onnx::TensorProto::FLOAT &&
           it->second.rank >= 0;
  };

  std::vector<QuantLayer> layers;
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto &n = g.node(i);
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      continue;
    const std::string &op = n.op_type();
    if (op != "Conv" && op != "MatMul" && op != "Gemm")
      continue;
    QuantLayer l;
    l.node = i;
    l.op = op;
    l.name = n.name().empty() ? op + "_" + std::to_string(i) : n.name();
    l.activation = n.input_size() > 0 ? n.input(0) : "";
    l.weight = n.input_size() > 1 ? n.input(1) : "";
    l.bias = n.input_size() > 2 ? n.input(2) : "";
    l.output = n.output(0);
    l.result = l.output;
    // A Relu or Clip that alone reads the output is part of the layer.
    if (reads.count(l.output) == 1 && !graphOutputs.count(l.output)) {
      const onnx::NodeProto &c = g.node(consumer[l.output]);
      if ((c.op_type() == "Relu" || c.op_type() == "Clip") &&
          c.domain().empty())
        l.result = c.output(0);
    }
    auto fail = [&](const std::string &why) {
      l.reason = why;
      layers.push_back(l);
    };
    auto w = inits.find(l.weight);
    if (options.keepFloat.count(l.name) || options.keepFloat.count(l.output) ||
        options.keepFloat.count(l.result)) {
      fail("kept float");
      continue;
    }
    if (inits.count(l.activation)) {
      fail("the input is a constant");
      continue;
    }
    if (w != inits.end() &&
        w->second->data_type() == onnx::TensorProto::FLOAT &&
        (op == "Conv" || op == "Gemm")) {
      // X, W and Y share their element type; Conv's X and Y have W's rank,
      // Gemm's rank 2.
      TensorKind k{onnx::TensorProto::FLOAT,
                   op == "Conv" ? w->second->dims_size() : 2};
      for (const std::string &t : {l.activation, l.output, l.result})
        if (TensorKind &known = kinds[t]; known.rank < 0 || !known.elemType)
          known = k;
    }
    if (!isFloat(l.activation) || !isFloat(l.output)) {
      fail("not float32");
      continue;
    }
    if (w == inits.end()) {
      fail("the weight is not a constant");
      continue;
    }
    if (w->second->data_type() != onnx::TensorProto::FLOAT) {
      fail("the weight is not float32");
      continue;
    }
    int rank = w->second->dims_size();
    if (op == "Conv") {
      if (rank < 3) {
        fail("the weight has rank " + std::to_string(rank));
        continue;
      }
      l.weightAxis = 0;
    } else if (op == "MatMul") {
      if (rank != 2) {
        fail("the weight has rank " + std::to_string(rank));
        continue;
      }
      l.weightAxis = 1;
    } else {
      if (intAttr(n, "transA", 0) || floatAttr(n, "alpha", 1) != 1 ||
          (!l.bias.empty() && floatAttr(n, "beta", 1) != 1)) {
        fail("Gemm with transA, alpha or beta");
        continue;
      }
      l.weightAxis = intAttr(n, "transB", 0) ? 0 : 1;
    }
    if (!l.bias.empty()) {
      auto b = inits.find(l.bias);
      int64_t channels = w->second->dims(l.weightAxis);
      if (b == inits.end() ||
          b->second->data_type() != onnx::TensorProto::FLOAT ||
          b->second->dims_size() != 1 || b->second->dims(0) != channels) {
        fail("the bias is not a constant vector");
        continue;
      }
    }
    l.quantized = true;
    l.quantizeResult = !graphOutputs.count(l.result);
    layers.push_back(l);
  }
  return layers;
}

void dnnc::addOutputs(onnx::ModelProto &model,
                      const std::vector<std::string> &names,
                      const std::map<std::string, TensorKind> &kinds) {
  onnx::GraphProto *g = model.mutable_graph();
  std::set<std::string> have;
  for (const auto &o : g->output())
    have.insert(o.name());
  for (const auto &i : g->input())
    have.insert(i.name());
  for (const auto &name : names) {
    auto kind = kinds.find(name);
    if (kind == kinds.end() || kind->second.rank < 0 ||
        !have.insert(name).second)
      continue;
    onnx::ValueInfoProto *vi = g->add_output();
    vi->set_name(name);
    auto *tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(kind->second.elemType);
    auto *shape = tt->mutable_shape();
    for (int d = 0; d < kind->second.rank; ++d)
      shape->add_dim();
  }
}

ActivationParams dnnc::activationParams(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  ActivationParams p;
  if (!(hi - lo > 0) || !std::isfinite(hi - lo))
    return p; // all zeros (or unusable): scale 1, zero point 0
  p.scale = (float)((hi - lo) / 255.0);
  double zp = std::nearbyint(-lo / p.scale);
  p.zeroPoint = (uint8_t)std::clamp(zp, 0.0, 255.0);
  return p;
}

void dnnc::shareReshapeParams(const onnx::ModelProto &model,
                              std::map<std::string, ActivationParams> &params) {
  // Nodes are in topological order: chains of such ops resolve in one pass.
  for (const auto &n : model.graph().node()) {
    const std::string &op = n.op_type();
    if (!n.domain().empty() || n.input_size() < 1 || n.output_size() != 1 ||
        (op != "Flatten" && op != "Reshape" && op != "Squeeze" &&
         op != "Unsqueeze" && op != "Transpose"))
      continue;
    auto in = params.find(n.input(0));
    auto out = params.find(n.output(0));
    if (in != params.end() && out != params.end())
      out->second = in->second;
  }
}

namespace {
/// Builds the new initializers and nodes of the rewrite.
struct Rewriter {
  onnx::GraphProto &g;
  std::set<std::string> names;

  explicit Rewriter(onnx::GraphProto &g) : g(g) {
    for (const auto &t : g.initializer())
      names.insert(t.name());
    for (const auto &i : g.input())
      names.insert(i.name());
    for (const auto &n : g.node())
      for (const auto &o : n.output())
        names.insert(o);
  }

  std::string fresh(const std::string &base) {
    std::string name = base;
    for (int k = 1; !names.insert(name).second; ++k)
      name = base + "_" + std::to_string(k);
    return name;
  }

  template <typename T>
  std::string initializer(const std::string &base, int dtype,
                          const std::vector<T> &values,
                          std::vector<int64_t> dims) {
    onnx::TensorProto *t = g.add_initializer();
    std::string name = fresh(base);
    t->set_name(name);
    t->set_data_type(dtype);
    for (int64_t d : dims)
      t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char *>(values.data()),
                                values.size() * sizeof(T)));
    return name;
  }

  onnx::NodeProto node(const std::string &op, const std::string &name,
                       std::vector<std::string> inputs,
                       const std::string &output, int64_t axis = -1) {
    onnx::NodeProto n;
    n.set_op_type(op);
    n.set_name(fresh(name));
    for (auto &i : inputs)
      n.add_input(i);
    n.add_output(output);
    if (axis >= 0) {
      onnx::AttributeProto *a = n.add_attribute();
      a->set_name("axis");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(axis);
    }
    return n;
  }
};
} // namespace

bool dnnc::insertQDQ(onnx::ModelProto &model,
                     const std::vector<QuantLayer> &layers,
                     const std::map<std::string, ActivationParams> &activations,
                     std::map<std::string, std::string> &dequantized,
                     std::string &err) {
  onnx::GraphProto &g = *model.mutable_graph();
  Rewriter rw(g);
  bool perChannel = defaultOpset(model) >= 13;
  auto inits = constantTensors(g);

  // Activations: scale and zero point, then Q -> DQ after the producer.
  std::map<std::string, std::vector<onnx::NodeProto>> after;
  std::vector<onnx::NodeProto> front;
  std::set<std::string> produced;
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      produced.insert(o);
  for (const auto &[tensor, p] : activations) {
    std::string s = rw.initializer(tensor + "_scale", onnx::TensorProto::FLOAT,
                                   std::vector<float>{p.scale}, {});
    std::string z =
        rw.initializer(tensor + "_zero_point", onnx::TensorProto::UINT8,
                       std::vector<uint8_t>{p.zeroPoint}, {});
    std::string q = rw.fresh(tensor + "_quantized");
    std::string dq = rw.fresh(tensor + "_dequantized");
    auto &list = produced.count(tensor) ? after[tensor] : front;
    list.push_back(rw.node("QuantizeLinear", tensor + "_QuantizeLinear",
                           {tensor, s, z}, q));
    list.push_back(rw.node("DequantizeLinear", tensor + "_DequantizeLinear",
                           {q, s, z}, dq));
    dequantized[tensor] = dq;
  }

  // Weights (int8, symmetric) and biases (int32), shared where layers share
  // them.
  std::map<std::string, std::string> weightDQ, biasDQ;
  std::map<std::string, std::vector<float>> weightScales;
  std::vector<std::pair<int, std::pair<std::string, std::string>>> operands;
  for (const QuantLayer &l : layers) {
    if (!l.quantized)
      continue;
    const onnx::TensorProto &wt = *inits.at(l.weight);
    std::string wKey = l.weight + "@" + std::to_string(l.weightAxis);
    if (!weightDQ.count(wKey)) {
      std::vector<float> w;
      if (!floatValues(wt, w, err))
        return false;
      std::vector<int64_t> dims(wt.dims().begin(), wt.dims().end());
      int64_t channels = perChannel ? dims[l.weightAxis] : 1, inner = 1;
      for (size_t d = l.weightAxis + 1; d < dims.size(); ++d)
        inner *= dims[d];
      auto channelOf = [&](size_t i) {
        return perChannel ? (int64_t)(i / inner) % channels : 0;
      };
      std::vector<float> absMax(channels, 0.0f);
      for (size_t i = 0; i < w.size(); ++i)
        absMax[channelOf(i)] = std::max(absMax[channelOf(i)], std::fabs(w[i]));
      std::vector<float> scales(channels);
      for (int64_t c = 0; c < channels; ++c)
        scales[c] = absMax[c] > 0 && std::isfinite(absMax[c])
                        ? absMax[c] / 127.0f
                        : 1.0f;
      std::vector<int8_t> codes(w.size());
      for (size_t i = 0; i < w.size(); ++i)
        codes[i] = (int8_t)std::clamp(
            std::nearbyint(w[i] / scales[channelOf(i)]), -127.0f, 127.0f);
      std::vector<int64_t> pdims;
      if (perChannel)
        pdims.push_back(channels);
      std::string q = rw.initializer(l.weight + "_quantized",
                                     onnx::TensorProto::INT8, codes, dims);
      std::string s = rw.initializer(l.weight + "_scale",
                                     onnx::TensorProto::FLOAT, scales, pdims);
      std::string z =
          rw.initializer(l.weight + "_zero_point", onnx::TensorProto::INT8,
                         std::vector<int8_t>(channels, 0), pdims);
      std::string dq = rw.fresh(l.weight + "_dequantized");
      front.push_back(rw.node("DequantizeLinear",
                              l.weight + "_DequantizeLinear", {q, s, z}, dq,
                              perChannel ? l.weightAxis : -1));
      weightDQ[wKey] = dq;
      weightScales[wKey] = scales;
    }
    std::string b;
    if (!l.bias.empty()) {
      float sx = activations.at(l.activation).scale;
      const std::vector<float> &sw = weightScales[wKey];
      std::string bKey = l.bias + "@" + std::to_string(sx) + "@" + wKey;
      if (!biasDQ.count(bKey)) {
        std::vector<float> bv;
        if (!floatValues(*inits.at(l.bias), bv, err))
          return false;
        std::vector<float> scales(sw.size());
        for (size_t c = 0; c < sw.size(); ++c)
          scales[c] = sx * sw[c];
        std::vector<int32_t> codes(bv.size());
        for (size_t i = 0; i < bv.size(); ++i) {
          double v = std::nearbyint((double)bv[i] / scales[perChannel ? i : 0]);
          codes[i] = (int32_t)std::clamp(
              v, (double)std::numeric_limits<int32_t>::min(),
              (double)std::numeric_limits<int32_t>::max());
        }
        std::vector<int64_t> pdims;
        if (perChannel)
          pdims.push_back((int64_t)scales.size());
        std::string q =
            rw.initializer(l.bias + "_quantized", onnx::TensorProto::INT32,
                           codes, {(int64_t)bv.size()});
        std::string s = rw.initializer(l.bias + "_scale",
                                       onnx::TensorProto::FLOAT, scales, pdims);
        std::string dq = rw.fresh(l.bias + "_dequantized");
        front.push_back(rw.node("DequantizeLinear",
                                l.bias + "_DequantizeLinear", {q, s}, dq,
                                perChannel ? 0 : -1));
        biasDQ[bKey] = dq;
      }
      b = biasDQ[bKey];
    }
    operands.push_back({l.node, {weightDQ[wKey], b}});
  }

  // Consumers read the dequantized values; the layers their quantized
  // weights and biases.
  for (int i = 0; i < g.node_size(); ++i)
    for (auto &in : *g.mutable_node(i)->mutable_input())
      if (auto it = dequantized.find(in); it != dequantized.end())
        in = it->second;
  for (auto &[node, wb] : operands) {
    onnx::NodeProto *n = g.mutable_node(node);
    n->set_input(1, wb.first);
    if (!wb.second.empty())
      n->set_input(2, wb.second);
  }

  // Node order: weight and input DQs, then each node and its outputs' QDQ.
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (auto &n : front)
    *nodes.Add() = std::move(n);
  for (auto &n : *g.mutable_node()) {
    std::vector<std::string> outs(n.output().begin(), n.output().end());
    *nodes.Add() = std::move(n);
    for (const auto &o : outs)
      if (auto it = after.find(o); it != after.end())
        for (auto &qn : it->second)
          *nodes.Add() = std::move(qn);
  }
  g.mutable_node()->Swap(&nodes);

  // Drop the float weights nothing reads any more.
  std::multiset<std::string> reads;
  collectReads(g, reads);
  for (const auto &o : g.output())
    reads.insert(o.name());
  auto dead = [&](const std::string &name) { return !reads.count(name); };
  auto *initList = g.mutable_initializer();
  initList->erase(std::remove_if(initList->begin(), initList->end(),
                                 [&](const onnx::TensorProto &t) {
                                   return dead(t.name());
                                 }),
                  initList->end());
  std::set<std::string> kept;
  for (const auto &t : g.initializer())
    kept.insert(t.name());
  // Old IR versions list initializers among the graph inputs too.
  auto *inputs = g.mutable_input();
  inputs->erase(std::remove_if(inputs->begin(), inputs->end(),
                               [&](const onnx::ValueInfoProto &vi) {
                                 return inits.count(vi.name()) &&
                                        !kept.count(vi.name());
                               }),
                inputs->end());
  return true;
}
