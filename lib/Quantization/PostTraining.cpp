//===- PostTraining.cpp - Calibrate, rewrite to QDQ, report ---------------===//
//
// The calibration and report runs compile instrumented copies of the model
// with dnnc itself (direct convolutions: they compile faster and their
// float rounding does not matter to a range) and run them in process.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Quantization/PostTraining.h"
#include "CalibrationData.h"
#include "QDQRewrite.h"
#include "RangeObserver.h"
#include "dnnc/Compiler/Compiler.h"
#include "dnnc/Runtime/Loader.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

using namespace dnnc;
namespace fs = llvm::sys::fs;

std::optional<CalibrationMethod>
dnnc::parseCalibrationMethod(llvm::StringRef s) {
  if (s == "minmax" || s == "min-max")
    return CalibrationMethod::MinMax;
  if (s == "percentile")
    return CalibrationMethod::Percentile;
  return std::nullopt;
}

static std::string jsonNumber(double v) {
  if (!std::isfinite(v))
    return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

namespace {
/// A temporary directory, removed with everything in it.
struct TempDir {
  std::string path;
  ~TempDir() {
    if (!path.empty())
      fs::remove_directories(path);
  }
};

bool writeModel(const onnx::ModelProto &m, const std::string &path,
                std::string &err) {
  std::string tmp = path + ".tmp-dnnc";
  {
    std::ofstream os(tmp, std::ios::binary);
    if (!os || !m.SerializeToOstream(&os)) {
      err = "cannot write '" + path + "'";
      fs::remove(tmp);
      return false;
    }
  }
  if (auto ec = fs::rename(tmp, path)) {
    err = "cannot write '" + path + "': " + ec.message();
    fs::remove(tmp);
    return false;
  }
  return true;
}

/// Compiles `model` (written as DIR/NAME.onnx) and loads it.
std::unique_ptr<LoadedModel> compileAndLoad(const onnx::ModelProto &model,
                                            const std::string &dir,
                                            const std::string &name,
                                            const QuantizeOptions &options,
                                            std::string &err) {
  std::string onnxPath = dir + "/" + name + ".onnx";
  if (!writeModel(model, onnxPath, err))
    return nullptr;
  CompileOptions co;
  co.output = dir + "/" + name + ".so";
  co.writeHeader = false;
  co.winograd = false;
  co.import.inputShapes = options.inputShapes;
  if (!compileModel(onnxPath, co, err))
    return nullptr;
  return LoadedModel::load(co.output, err);
}

/// Runs `m` on `set` (named inputs); outputs by name.
bool runSet(const LoadedModel &m, const CalibrationSet &set,
            std::map<std::string, OutputTensor> &outs, std::string &err) {
  std::vector<InputTensor> ins;
  for (const TensorInfo &info : m.inputs()) {
    for (const HostTensor &t : set.inputs)
      if (t.name == info.name) {
        InputTensor it;
        it.data = t.data.data();
        it.shape = t.shape;
        ins.push_back(std::move(it));
      }
  }
  std::vector<OutputTensor> results;
  if (!m.runTensors(ins, results, err)) {
    err = "calibration set " + set.label + ": " + err;
    return false;
  }
  outs.clear();
  for (size_t i = 0; i < results.size(); ++i)
    outs[m.outputs()[i].name] = std::move(results[i]);
  return true;
}

size_t numElements(const std::vector<int64_t> &shape) {
  size_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Sums of squares of a reference and of its difference from an estimate.
struct ErrorStats {
  double signal = 0, noise = 0, maxAbs = 0;
  bool seen = false;
  void add(const float *ref, const float *est, size_t n) {
    seen = true;
    for (size_t i = 0; i < n; ++i) {
      double d = (double)ref[i] - est[i];
      signal += (double)ref[i] * ref[i];
      noise += d * d;
      maxAbs = std::max(maxAbs, std::fabs(d));
    }
  }
  double sqnrDb() const {
    if (!seen)
      return NAN;
    if (noise == 0)
      return INFINITY;
    return 10 * std::log10(signal / noise);
  }
};

const float *floatData(const OutputTensor &t) {
  return t.dtype() == 1 && t.hasValue() && !t.isSequence()
             ? static_cast<const float *>(t.data())
             : nullptr;
}
} // namespace

bool dnnc::quantizeModel(const std::string &input,
                         const std::vector<CalibrationSet> &calibration,
                         const QuantizeOptions &options,
                         const std::string &output, QuantizationReport &report,
                         std::string &err) {
  onnx::ModelProto model;
  {
    std::ifstream is(input, std::ios::binary);
    if (!is) {
      err = input + ": cannot open the model";
      return false;
    }
    if (!model.ParseFromIstream(&is)) {
      err = input + ": not an ONNX model";
      return false;
    }
  }
  int64_t opset = defaultOpset(model);
  if (opset < 10) {
    err = input +
          ": quantization needs opset 10 or later (QuantizeLinear); "
          "the model has opset " +
          std::to_string(opset);
    return false;
  }

  // The calibration sets must fit the graph inputs.
  const onnx::GraphProto &g = model.graph();
  std::set<std::string> initNames;
  for (const auto &t : g.initializer())
    initNames.insert(t.name());
  std::vector<ModelInput> inputs;
  for (const auto &in : g.input()) {
    if (initNames.count(in.name()))
      continue;
    ModelInput mi;
    mi.name = in.name();
    mi.dtype = in.type().tensor_type().elem_type();
    auto shape = options.inputShapes.find(in.name());
    if (shape != options.inputShapes.end()) {
      mi.shape = shape->second;
    } else {
      for (const auto &d : in.type().tensor_type().shape().dim())
        mi.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
    }
    inputs.push_back(mi);
  }
  std::vector<CalibrationSet> sets = calibration;
  if (!checkCalibration(input, inputs, sets, err))
    return false;

  std::map<std::string, TensorKind> kinds = inferTensorKinds(model);
  std::vector<QuantLayer> layers = findQuantLayers(model, kinds, options);

  // The tensors to observe: quantized layers' inputs and results.
  std::set<std::string> graphInputs;
  for (const ModelInput &in : inputs)
    graphInputs.insert(in.name);
  std::map<std::string, RangeObserver> observers;
  for (const QuantLayer &l : layers) {
    if (!l.quantized)
      continue;
    observers.try_emplace(l.activation);
    if (l.quantizeResult)
      observers.try_emplace(l.result);
  }
  std::vector<std::string> exposed;
  for (const auto &[name, obs] : observers)
    if (!graphInputs.count(name))
      exposed.push_back(name);
  for (const QuantLayer &l : layers)
    exposed.push_back(l.result);

  TempDir tmp;
  llvm::SmallString<128> dir;
  if (auto ec = fs::createUniqueDirectory("dnnc-quantize", dir)) {
    err = "cannot create a temporary directory: " + ec.message();
    return false;
  }
  tmp.path = dir.str().str();
  std::string stem = llvm::sys::path::stem(input).str();
  fs::create_directory(tmp.path + "/float");
  fs::create_directory(tmp.path + "/quantized");

  // 1. Calibrate.
  onnx::ModelProto instrumented = model;
  addOutputs(instrumented, exposed, kinds);
  auto floatModel =
      compileAndLoad(instrumented, tmp.path + "/float", stem, options, err);
  if (!floatModel) {
    err = "compiling the float model for calibration: " + err;
    return false;
  }
  std::map<std::string, OutputTensor> outs;
  for (const CalibrationSet &set : sets) {
    if (!runSet(*floatModel, set, outs, err))
      return false;
    for (auto &[name, obs] : observers) {
      if (graphInputs.count(name)) {
        for (const HostTensor &t : set.inputs)
          if (t.name == name)
            obs.add(reinterpret_cast<const float *>(t.data.data()),
                    numElements(t.shape));
        continue;
      }
      auto it = outs.find(name);
      const float *data = it == outs.end() ? nullptr : floatData(it->second);
      if (!data) {
        err = input + ": tensor '" + name + "' could not be observed";
        return false;
      }
      obs.add(data, numElements(it->second.shape()));
    }
  }

  // 2. Rewrite.
  std::map<std::string, ActivationParams> params;
  for (const auto &[name, obs] : observers) {
    auto [lo, hi] = obs.range(options.method, options.percentile);
    params[name] = activationParams(lo, hi);
  }
  shareReshapeParams(model, params);
  onnx::ModelProto quantized = model;
  std::map<std::string, std::string> dequantized;
  if (!insertQDQ(quantized, layers, params, dequantized, err)) {
    err = input + ": " + err;
    return false;
  }
  // Keep the producer's name beside ONNX's; say what changed the model.
  auto *prop = quantized.add_metadata_props();
  prop->set_key("dnnc.quantization");
  prop->set_value(std::string("int8 QDQ, ") +
                  (options.method == CalibrationMethod::MinMax
                       ? "min-max"
                       : "percentile " + jsonNumber(options.percentile)) +
                  " calibration on " + std::to_string(sets.size()) +
                  " input sets");

  // 3. Report.
  report = QuantizationReport();
  report.method = options.method == CalibrationMethod::MinMax
                      ? "min-max"
                      : "percentile " + jsonNumber(options.percentile);
  report.sets = (int)sets.size();
  for (const QuantLayer &l : layers) {
    LayerReport r;
    r.node = l.name;
    r.op = l.op;
    r.tensor = l.result;
    r.quantized = l.quantized;
    r.reason = l.reason;
    r.sqnrDb = NAN;
    report.layers.push_back(r);
  }
  if (options.report) {
    onnx::ModelProto probe = quantized;
    std::vector<std::string> names;
    auto quantName = [&](const std::string &t) {
      auto it = dequantized.find(t);
      return it == dequantized.end() ? t : it->second;
    };
    std::map<std::string, TensorKind> probeKinds = kinds;
    for (const QuantLayer &l : layers) {
      names.push_back(quantName(l.result));
      probeKinds[names.back()] = kinds[l.result];
    }
    addOutputs(probe, names, probeKinds);
    auto qModel =
        compileAndLoad(probe, tmp.path + "/quantized", stem, options, err);
    if (!qModel) {
      err = "compiling the quantized model for its report: " + err;
      return false;
    }
    std::vector<ErrorStats> layerStats(layers.size()),
        outStats(g.output_size());
    std::map<std::string, OutputTensor> qOuts;
    for (const CalibrationSet &set : sets) {
      if (!runSet(*floatModel, set, outs, err) ||
          !runSet(*qModel, set, qOuts, err))
        return false;
      auto compare = [&](const std::string &f, const std::string &q,
                         ErrorStats &st) {
        auto a = outs.find(f), b = qOuts.find(q);
        if (a == outs.end() || b == qOuts.end())
          return;
        const float *x = floatData(a->second), *y = floatData(b->second);
        size_t n = numElements(a->second.shape());
        if (x && y && a->second.shape() == b->second.shape())
          st.add(x, y, n);
      };
      for (size_t i = 0; i < layers.size(); ++i)
        compare(layers[i].result, quantName(layers[i].result), layerStats[i]);
      for (int i = 0; i < g.output_size(); ++i)
        compare(g.output(i).name(), g.output(i).name(), outStats[i]);
    }
    for (size_t i = 0; i < layers.size(); ++i)
      report.layers[i].sqnrDb = layerStats[i].sqnrDb();
    for (int i = 0; i < g.output_size(); ++i)
      if (outStats[i].seen)
        report.outputs.push_back(
            {g.output(i).name(), outStats[i].sqnrDb(), outStats[i].maxAbs});
  }

  if (!writeModel(quantized, output, err))
    return false;
  return true;
}

static std::string dbText(double db) {
  if (std::isnan(db))
    return "-";
  if (std::isinf(db))
    return "inf";
  return llvm::formatv("{0:f1}", db).str();
}

std::string QuantizationReport::table() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  int q = 0;
  size_t width = 6;
  for (const LayerReport &l : layers) {
    q += l.quantized;
    width = std::max(width, l.node.size());
  }
  for (const OutputReport &o : outputs)
    width = std::max(width, o.name.size());
  os << "dnnc quantization: " << q << " of " << layers.size()
     << " layers int8 (" << method << " calibration on " << sets << " input set"
     << (sets == 1 ? "" : "s") << ")\n";
  os << llvm::left_justify("layer", width) << "  op      int8  SQNR dB\n";
  for (const LayerReport &l : layers) {
    os << llvm::left_justify(l.node, width) << "  "
       << llvm::left_justify(l.op, 6) << "  "
       << llvm::left_justify(l.quantized ? "yes" : "no", 4) << "  "
       << llvm::right_justify(dbText(l.sqnrDb), 7);
    if (!l.quantized)
      os << "  (" << l.reason << ")";
    os << "\n";
  }
  os << llvm::left_justify("output", width) << "  SQNR dB  max abs error\n";
  for (const OutputReport &o : outputs)
    os << llvm::left_justify(o.name, width) << "  "
       << llvm::right_justify(dbText(o.sqnrDb), 7) << "  "
       << llvm::formatv("{0:e3}", o.maxAbsError) << "\n";
  return s;
}

static std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if ((unsigned char)c < 0x20)
      out += llvm::formatv("\\u{0:x4}", (int)c).str();
    else
      out += c;
  }
  return out + "\"";
}

std::string QuantizationReport::json() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "{\"method\": " << jsonString(method) << ", \"sets\": " << sets
     << ", \"layers\": [";
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerReport &l = layers[i];
    os << (i ? ", " : "") << "{\"node\": " << jsonString(l.node)
       << ", \"op\": " << jsonString(l.op)
       << ", \"tensor\": " << jsonString(l.tensor)
       << ", \"quantized\": " << (l.quantized ? "true" : "false")
       << ", \"reason\": " << jsonString(l.reason)
       << ", \"sqnr_db\": " << jsonNumber(l.sqnrDb) << "}";
  }
  os << "], \"outputs\": [";
  for (size_t i = 0; i < outputs.size(); ++i)
    os << (i ? ", " : "") << "{\"name\": " << jsonString(outputs[i].name)
       << ", \"sqnr_db\": " << jsonNumber(outputs[i].sqnrDb)
       << ", \"max_abs_error\": " << jsonNumber(outputs[i].maxAbsError) << "}";
  os << "]}";
  return s;
}
