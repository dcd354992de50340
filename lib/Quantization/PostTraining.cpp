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
  if (s == "entropy" || s == "kl")
    return CalibrationMethod::Entropy;
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

bool dnnc::writeModel(const onnx::ModelProto &m, const std::string &path,
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

bool dnnc::readModel(const std::string &path, onnx::ModelProto &model,
                     std::string &err) {
  std::ifstream is(path, std::ios::binary);
  if (!is) {
    err = path + ": cannot open the model";
    return false;
  }
  if (!model.ParseFromIstream(&is)) {
    err = path + ": not an ONNX model";
    return false;
  }
  return true;
}

bool dnnc::quantizeModel(const std::string &input,
                         const std::vector<CalibrationSet> &calibration,
                         const QuantizeOptions &options,
                         const std::string &output, QuantizationReport &report,
                         std::string &err) {
  onnx::ModelProto model;
  if (!readModel(input, model, err))
    return false;
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

  // 2. Rewrite, and 3. measure what it cost; with an SQNR budget, keep the
  // layers that add the most noise float until the outputs meet it.
  std::map<std::string, ActivationParams> params;
  for (const auto &[name, obs] : observers) {
    auto [lo, hi] = obs.range(options.method, options.percentile);
    params[name] = activationParams(lo, hi);
  }
  shareReshapeParams(model, params);
  std::string method = options.method == CalibrationMethod::MinMax ? "min-max"
                       : options.method == CalibrationMethod::Entropy
                           ? "entropy"
                           : "percentile " + jsonNumber(options.percentile);
  int probes = 0;
  auto evaluate = [&](const std::set<std::string> &budgetFloat,
                      onnx::ModelProto &quantized, QuantizationReport &rep,
                      bool measure) -> bool {
    QuantizeOptions o = options;
    o.keepFloat.insert(budgetFloat.begin(), budgetFloat.end());
    std::vector<QuantLayer> ls = findQuantLayers(model, kinds, o);
    std::map<std::string, ActivationParams> used;
    for (const QuantLayer &l : ls) {
      if (!l.quantized)
        continue;
      used[l.activation] = params.at(l.activation);
      if (l.quantizeResult)
        used[l.result] = params.at(l.result);
    }
    quantized = model;
    std::map<std::string, std::string> dequantized;
    if (!insertQDQ(quantized, ls, used, dequantized, err)) {
      err = input + ": " + err;
      return false;
    }
    auto *prop = quantized.add_metadata_props();
    prop->set_key("dnnc.quantization");
    prop->set_value("int8 QDQ, " + method + " calibration on " +
                    std::to_string(sets.size()) + " input sets");
    rep = QuantizationReport();
    rep.method = method;
    rep.sets = (int)sets.size();
    for (const QuantLayer &l : ls) {
      LayerReport r;
      r.node = l.name;
      r.op = l.op;
      r.tensor = l.result;
      r.quantized = l.quantized;
      r.reason = budgetFloat.count(l.name) ? "kept float for the SQNR budget"
                                           : l.reason;
      r.sqnrDb = r.inputSqnrDb = NAN;
      rep.layers.push_back(r);
    }
    if (!measure)
      return true;
    // Every layer's result, and each quantized layer's input, as the
    // quantized model computes them.
    auto quantName = [&](const std::string &t) {
      auto it = dequantized.find(t);
      return it == dequantized.end() ? t : it->second;
    };
    onnx::ModelProto probe = quantized;
    std::vector<std::string> names;
    std::map<std::string, TensorKind> probeKinds = kinds;
    for (const QuantLayer &l : ls)
      for (const std::string &t : {l.result, l.activation}) {
        names.push_back(quantName(t));
        probeKinds[names.back()] = kinds[t];
      }
    addOutputs(probe, names, probeKinds);
    std::string dir = tmp.path + "/quantized" + std::to_string(probes++);
    fs::create_directory(dir);
    auto qModel = compileAndLoad(probe, dir, stem, options, err);
    if (!qModel) {
      err = "compiling the quantized model for its report: " + err;
      return false;
    }
    std::vector<ErrorStats> resultStats(ls.size()), inputStats(ls.size()),
        outStats(g.output_size());
    std::map<std::string, OutputTensor> qOuts;
    for (const CalibrationSet &set : sets) {
      if (!runSet(*floatModel, set, outs, err) ||
          !runSet(*qModel, set, qOuts, err))
        return false;
      auto compare = [&](const std::string &f, const std::string &q,
                         ErrorStats &st) {
        auto b = qOuts.find(q);
        if (b == qOuts.end() || !floatData(b->second))
          return;
        const float *x = nullptr;
        if (auto a = outs.find(f); a != outs.end()) {
          if (a->second.shape() == b->second.shape())
            x = floatData(a->second);
        } else {
          for (const HostTensor &t : set.inputs)
            if (t.name == f && t.shape == b->second.shape())
              x = reinterpret_cast<const float *>(t.data.data());
        }
        if (x)
          st.add(x, floatData(b->second), numElements(b->second.shape()));
      };
      for (size_t i = 0; i < ls.size(); ++i) {
        compare(ls[i].result, quantName(ls[i].result), resultStats[i]);
        compare(ls[i].activation, quantName(ls[i].activation), inputStats[i]);
      }
      for (int i = 0; i < g.output_size(); ++i)
        compare(g.output(i).name(), g.output(i).name(), outStats[i]);
    }
    for (size_t i = 0; i < ls.size(); ++i) {
      rep.layers[i].sqnrDb = resultStats[i].sqnrDb();
      rep.layers[i].inputSqnrDb = inputStats[i].sqnrDb();
    }
    for (int i = 0; i < g.output_size(); ++i)
      if (outStats[i].seen)
        rep.outputs.push_back(
            {g.output(i).name(), outStats[i].sqnrDb(), outStats[i].maxAbs});
    return true;
  };
  auto worstOutput = [](const QuantizationReport &r) {
    double worst = INFINITY;
    for (const OutputReport &o : r.outputs)
      worst = std::min(worst, o.sqnrDb);
    return worst;
  };

  onnx::ModelProto quantized;
  bool measure = options.report || options.minSqnrDb;
  if (!evaluate({}, quantized, report, measure))
    return false;
  if (options.minSqnrDb && worstOutput(report) < *options.minSqnrDb) {
    // Sensitivity: the noise a layer adds, as the noise-to-signal ratio of
    // its result less that of its input (each against the float model).
    std::vector<std::pair<double, std::string>> order;
    for (const LayerReport &l : report.layers) {
      if (!l.quantized)
        continue;
      auto nsr = [](double db) {
        return std::isnan(db) ? 0.0 : std::pow(10.0, -db / 10);
      };
      order.push_back({nsr(l.sqnrDb) - nsr(l.inputSqnrDb), l.node});
    }
    std::stable_sort(order.begin(), order.end(),
                     [](auto &a, auto &b) { return a.first > b.first; });
    // The output SQNR grows (nearly) monotonically with the number of the
    // most sensitive layers kept float: the fewest that meet the budget, by
    // bisection (all of them float certainly does).
    // Keeping `lo` of them float fails the budget, keeping `hi` meets it
    // (with every layer float the model is the float model).
    size_t lo = 0, hi = order.size();
    bool haveBest = false;
    auto tryKeeping = [&](size_t k, bool &pass) {
      std::set<std::string> keep;
      for (size_t i = 0; i < k; ++i)
        keep.insert(order[i].second);
      onnx::ModelProto q;
      QuantizationReport r;
      if (!evaluate(keep, q, r, /*measure=*/true))
        return false;
      pass = worstOutput(r) >= *options.minSqnrDb;
      if (pass) {
        quantized = std::move(q);
        report = std::move(r);
        haveBest = true;
      }
      return true;
    };
    while (hi - lo > 1) {
      size_t mid = (lo + hi) / 2;
      bool pass;
      if (!tryKeeping(mid, pass))
        return false;
      (pass ? hi : lo) = mid;
    }
    bool pass;
    if (!haveBest && !tryKeeping(hi, pass))
      return false;
  }
  report.minSqnrDb = options.minSqnrDb;

  if (!writeModel(quantized, output, err))
    return false;
  return true;
}

std::string dnnc::dbText(double db) {
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
     << (sets == 1 ? "" : "s");
  if (minSqnrDb)
    os << ", output SQNR budget " << dbText(*minSqnrDb) << " dB";
  os << ")\n";
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
     << ", \"min_sqnr_db\": " << (minSqnrDb ? jsonNumber(*minSqnrDb) : "null")
     << ", \"layers\": [";
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerReport &l = layers[i];
    os << (i ? ", " : "") << "{\"node\": " << jsonString(l.node)
       << ", \"op\": " << jsonString(l.op)
       << ", \"tensor\": " << jsonString(l.tensor)
       << ", \"quantized\": " << (l.quantized ? "true" : "false")
       << ", \"reason\": " << jsonString(l.reason)
       << ", \"sqnr_db\": " << jsonNumber(l.sqnrDb)
       << ", \"input_sqnr_db\": " << jsonNumber(l.inputSqnrDb) << "}";
  }
  os << "], \"outputs\": [";
  for (size_t i = 0; i < outputs.size(); ++i)
    os << (i ? ", " : "") << "{\"name\": " << jsonString(outputs[i].name)
       << ", \"sqnr_db\": " << jsonNumber(outputs[i].sqnrDb)
       << ", \"max_abs_error\": " << jsonNumber(outputs[i].maxAbsError) << "}";
  os << "]}";
  return s;
}
