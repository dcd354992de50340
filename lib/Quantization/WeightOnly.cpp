//===- WeightOnly.cpp - Weight-only quantization to MatMulNBits -----------===//
//
// MatMul and Gemm weights to 4- or 8-bit codes in blocks along K, written
// as ONNX Runtime's com.microsoft MatMulNBits: B [N, K / block, block *
// bits / 8] bytes (the first element of a byte in its low nibble), scales
// [N * K / block], zero points packed the same way. Per block, the range
// [min(w, 0), max(w, 0)] maps onto [0, 2^bits - 1].
//
//===----------------------------------------------------------------------===//
#include "QDQRewrite.h"
#include "dnnc/Quantization/PostTraining.h"
#include "onnx/onnx_pb.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

using namespace dnnc;

namespace {
/// Packs `vals` (each < 2^bits) into bytes, the first of a pair in the low
/// nibble for 4 bits.
void pack(const std::vector<uint8_t> &vals, int bits, std::string &out) {
  if (bits == 8) {
    out.append(vals.begin(), vals.end());
    return;
  }
  for (size_t i = 0; i < vals.size(); i += 2)
    out.push_back(
        char(vals[i] | ((i + 1 < vals.size() ? vals[i + 1] : 0) << 4)));
}

} // namespace

std::string WeightOnlyReport::table() const {
  std::string s = "weight-only int" + std::to_string(bits) + ", blocks of " +
                  std::to_string(groupSize) + " along K\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-32s %-7s %6s %6s  %s\n", "layer", "op",
                "K", "N", "weight SQNR");
  s += line;
  int q = 0;
  for (const auto &l : layers) {
    std::snprintf(line, sizeof line, "  %-32s %-7s %6lld %6lld  %s\n",
                  l.node.c_str(), l.op.c_str(), (long long)l.k, (long long)l.n,
                  l.quantized ? (dbText(l.sqnrDb) + " dB").c_str()
                              : ("float: " + l.reason).c_str());
    s += line;
    q += l.quantized;
  }
  std::snprintf(line, sizeof line,
                "  %d of %zu layers quantized; their weights %.1f MB -> %.1f "
                "MB\n",
                q, layers.size(), floatBytes / 1e6, quantizedBytes / 1e6);
  return s + line;
}

std::string WeightOnlyReport::json() const {
  std::string s = "{\"mode\": \"weights\", \"bits\": " + std::to_string(bits) +
                  ", \"group_size\": " + std::to_string(groupSize) +
                  ", \"float_bytes\": " + std::to_string(floatBytes) +
                  ", \"quantized_bytes\": " + std::to_string(quantizedBytes) +
                  ", \"layers\": [";
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto &l = layers[i];
    char db[32];
    if (std::isinf(l.sqnrDb) || !l.quantized)
      std::snprintf(db, sizeof db, "null");
    else
      std::snprintf(db, sizeof db, "%.6g", l.sqnrDb);
    s += std::string(i ? ", " : "") + "{\"node\": \"" + l.node +
         "\", \"op\": \"" + l.op + "\", \"k\": " + std::to_string(l.k) +
         ", \"n\": " + std::to_string(l.n) +
         ", \"quantized\": " + (l.quantized ? "true" : "false") +
         ", \"reason\": \"" + l.reason + "\", \"weight_sqnr_db\": " + db + "}";
  }
  return s + "]}";
}

bool dnnc::quantizeWeights(const std::string &input,
                           const WeightOnlyOptions &options,
                           const std::string &output, WeightOnlyReport &report,
                           std::string &err) {
  int bits = options.bits, block = options.groupSize;
  if (bits != 4 && bits != 8) {
    err = "weight-only quantization takes 4 or 8 bits (got " +
          std::to_string(bits) + ")";
    return false;
  }
  if (block < 16 || (block & (block - 1))) {
    err = "the group size must be a power of 2 >= 16 (got " +
          std::to_string(block) + ")";
    return false;
  }
  onnx::ModelProto model;
  if (!readModel(input, model, err))
    return false;
  report = WeightOnlyReport();
  report.bits = bits;
  report.groupSize = block;
  onnx::GraphProto *g = model.mutable_graph();
  auto inits = constantTensors(*g);
  int qmax = (1 << bits) - 1;
  std::set<std::string> replaced;
  for (int ni = 0; ni < g->node_size(); ++ni) {
    onnx::NodeProto &node = *g->mutable_node(ni);
    if (!node.domain().empty() ||
        (node.op_type() != "MatMul" && node.op_type() != "Gemm"))
      continue;
    WeightLayerReport l;
    l.node = node.name().empty() ? node.output(0) : node.name();
    l.op = node.op_type();
    bool gemm = l.op == "Gemm";
    bool transB = gemm && intAttr(node, "transB", 0);
    auto it = node.input_size() > 1 ? inits.find(node.input(1)) : inits.end();
    const onnx::TensorProto *wt = it == inits.end() ? nullptr : it->second;
    if (wt && wt->dims_size() == 2) {
      l.k = wt->dims(transB ? 1 : 0);
      l.n = wt->dims(transB ? 0 : 1);
    }
    auto skip = [&](const std::string &why) {
      l.reason = why;
      report.layers.push_back(l);
    };
    if (options.keepFloat.count(l.node) ||
        options.keepFloat.count(node.output(0))) {
      skip("kept float");
      continue;
    }
    if (!wt || wt->dims_size() != 2 ||
        wt->data_type() != onnx::TensorProto::FLOAT) {
      skip("weight not a constant 2-D float");
      continue;
    }
    if (gemm &&
        (intAttr(node, "transA", 0) || floatAttr(node, "alpha", 1) != 1 ||
         floatAttr(node, "beta", 1) != 1)) {
      skip("Gemm with transA, alpha or beta");
      continue;
    }
    if (l.k % block) {
      skip("K not a multiple of the group size");
      continue;
    }
    std::vector<float> w;
    if (!floatValues(*wt, w, err)) {
      err = input + ": " + err;
      return false;
    }
    int64_t k = l.k, n = l.n, blocks = k / block;
    auto at = [&](int64_t kk, int64_t col) {
      return transB ? w[col * k + kk] : w[kk * n + col];
    };
    std::string packedB, packedZ;
    std::vector<float> scales;
    double signal = 0, noise = 0;
    for (int64_t col = 0; col < n; ++col) {
      std::vector<uint8_t> codes, zeros;
      for (int64_t b = 0; b < blocks; ++b) {
        float lo = 0, hi = 0;
        for (int64_t kk = b * block; kk < (b + 1) * block; ++kk) {
          lo = std::min(lo, at(kk, col));
          hi = std::max(hi, at(kk, col));
        }
        float scale = hi > lo ? (hi - lo) / qmax : 1.0f;
        int zp = (int)std::clamp<float>(std::nearbyint(-lo / scale), 0, qmax);
        scales.push_back(scale);
        zeros.push_back(uint8_t(zp));
        for (int64_t kk = b * block; kk < (b + 1) * block; ++kk) {
          float v = at(kk, col);
          int q =
              (int)std::clamp<float>(std::nearbyint(v / scale) + zp, 0, qmax);
          codes.push_back(uint8_t(q));
          double d = double(q - zp) * scale;
          signal += double(v) * v;
          noise += (d - v) * (d - v);
        }
      }
      pack(codes, bits, packedB);
      pack(zeros, bits, packedZ);
    }
    l.sqnrDb = noise == 0 ? std::numeric_limits<double>::infinity()
                          : 10 * std::log10(signal / noise);
    report.floatBytes += k * n * 4;
    report.quantizedBytes +=
        packedB.size() + scales.size() * 4 + packedZ.size();
    // The node becomes MatMulNBits(A, B, scales, zero_points[, "", bias]).
    std::string base = l.node + "_q" + std::to_string(bits);
    onnx::TensorProto *tb = g->add_initializer();
    tb->set_name(base + "_B");
    tb->set_data_type(onnx::TensorProto::UINT8);
    for (int64_t d : {n, blocks, int64_t(block * bits / 8)})
      tb->add_dims(d);
    tb->set_raw_data(packedB);
    onnx::TensorProto *ts = g->add_initializer();
    ts->set_name(base + "_scales");
    ts->set_data_type(onnx::TensorProto::FLOAT);
    ts->add_dims(n * blocks);
    ts->set_raw_data(std::string(reinterpret_cast<const char *>(scales.data()),
                                 scales.size() * sizeof(float)));
    onnx::TensorProto *tz = g->add_initializer();
    tz->set_name(base + "_zero_points");
    tz->set_data_type(onnx::TensorProto::UINT8);
    tz->add_dims(packedZ.size());
    tz->set_raw_data(packedZ);
    std::string a = node.input(0), bias = gemm && node.input_size() > 2
                                              ? node.input(2)
                                              : std::string();
    replaced.insert(node.input(1));
    onnx::NodeProto q;
    q.set_name(node.name());
    q.set_op_type("MatMulNBits");
    q.set_domain("com.microsoft");
    for (const std::string &i : {a, tb->name(), ts->name(), tz->name()})
      q.add_input(i);
    if (!bias.empty()) {
      q.add_input("");
      q.add_input(bias);
    }
    q.add_output(node.output(0));
    auto attr = [&](const char *name, int64_t v) {
      onnx::AttributeProto *p = q.add_attribute();
      p->set_name(name);
      p->set_type(onnx::AttributeProto::INT);
      p->set_i(v);
    };
    attr("K", k);
    attr("N", n);
    attr("bits", bits);
    attr("block_size", block);
    node = q;
    l.quantized = true;
    report.layers.push_back(l);
  }
  if (report.layers.empty() ||
      std::none_of(report.layers.begin(), report.layers.end(),
                   [](const WeightLayerReport &l) { return l.quantized; })) {
    err = input + ": no MatMul or Gemm with constant float weights to "
                  "quantize";
    return false;
  }
  // Drop float weights nothing reads any more.
  std::map<std::string, int> stillRead;
  for (const auto &n : g->node())
    for (const auto &i : n.input())
      ++stillRead[i];
  std::set<std::string> outputs;
  for (const auto &o : g->output())
    outputs.insert(o.name());
  auto *ini = g->mutable_initializer();
  for (int i = ini->size() - 1; i >= 0; --i)
    if (replaced.count(ini->Get(i).name()) && !stillRead[ini->Get(i).name()] &&
        !outputs.count(ini->Get(i).name()))
      ini->DeleteSubrange(i, 1);
  bool hasDomain = false;
  for (const auto &o : model.opset_import())
    hasDomain |= o.domain() == "com.microsoft";
  if (!hasDomain) {
    auto *o = model.add_opset_import();
    o->set_domain("com.microsoft");
    o->set_version(1);
  }
  return writeModel(model, output, err);
}
