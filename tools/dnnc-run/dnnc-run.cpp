//===- dnnc-run.cpp - Load, run and time a compiled model -----------------===//
//
//   dnnc-run MODEL.so [--input NAME=FILE(.npy|.pb)]... [--seed N]
//            [--print] [--output-dir DIR] [--expect NAME=FILE]...
//            [--rtol R --atol A] [--iterations N] [--warmup N] [--num-threads
//            N]
//            [--input-shape NAME=DxD...]...
//
// Inputs not given are seeded random values (floats in [-1, 1), integers in
// [0, 10), booleans) of the advertised shape, or of --input-shape where the
// model has run-time dims. Models with run-time dims run through
// dnnc_run_tensors, static ones write into preallocated buffers (dnnc_run).
// Exit code 1 on any error or on a failed --expect check.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Runtime/TensorIO.h"
#include "dnnc/Runtime/Loader.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <sstream>

using namespace llvm;
using namespace dnnc;

static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<MODEL.so>"),
                                      cl::Required);
static cl::list<std::string> inputs("input",
                                    cl::desc("NAME=FILE input (.npy or .pb)"));
static cl::list<std::string> expects("expect",
                                     cl::desc("NAME=FILE expected output"));
static cl::opt<unsigned> seed("seed", cl::desc("Random input seed"),
                              cl::init(0));
static cl::opt<bool> print("print", cl::desc("Print the outputs"));
static cl::opt<std::string> outputDir("output-dir",
                                      cl::desc("Write outputs as .npy here"));
static cl::opt<double> relTol("rtol", cl::desc("Relative tolerance"),
                              cl::init(1e-3));
static cl::opt<double> absTol("atol", cl::desc("Absolute tolerance"),
                              cl::init(1e-4));
static cl::opt<unsigned> iterations("iterations",
                                    cl::desc("Timed runs (0: one untimed)"),
                                    cl::init(0));
static cl::opt<unsigned> warmup("warmup", cl::init(2));
static cl::opt<unsigned>
    threads("num-threads",
            cl::desc("Threads for parallel loops (0: OMP_NUM_THREADS or one "
                     "per core)"),
            cl::init(0));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("NAME=DxD... shape of a random input with run-time "
                         "dims"));

static bool splitSpec(const std::string &s, std::string &name,
                      std::string &file) {
  size_t eq = s.find('=');
  if (eq == std::string::npos)
    return false;
  name = s.substr(0, eq);
  file = s.substr(eq + 1);
  return true;
}

static std::string shapeStr(const std::vector<int64_t> &s) {
  return shapeString(s);
}

/// ONNX test data stores bfloat16 tensors as uint16 bit patterns.
static void bf16AsUint16(HostTensor &t, int32_t expected) {
  if (expected == 16 && t.dtype == 4)
    t.dtype = 16;
}

static int error(const std::string &msg) {
  errs() << "dnnc-run: error: " << msg << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "dnnc model runner\n");
  std::string err;
  auto model = LoadedModel::load(modelPath, err);
  if (!model || !model->setNumThreads(threads, err))
    return error(err);

  std::map<std::string, std::string> inputFiles, expectFiles;
  for (const std::string &s : inputs) {
    std::string n, f;
    if (!splitSpec(s, n, f))
      return error("bad --input '" + s + "' (want NAME=FILE)");
    inputFiles[n] = f;
  }
  for (const std::string &s : expects) {
    std::string n, f;
    if (!splitSpec(s, n, f))
      return error("bad --expect '" + s + "' (want NAME=FILE)");
    expectFiles[n] = f;
  }
  for (auto &[n, f] : inputFiles)
    if (std::none_of(model->inputs().begin(), model->inputs().end(),
                     [&](const TensorInfo &t) { return t.name == n; }))
      return error(modelPath + ": the model has no input '" + n + "'");

  std::map<std::string, std::vector<int64_t>> randomShapes;
  for (const std::string &s : inputShapes) {
    std::string n, dims;
    if (!splitSpec(s, n, dims))
      return error("bad --input-shape '" + s + "' (want NAME=DxD...)");
    std::vector<int64_t> shape;
    std::stringstream ss(dims);
    std::string item;
    while (std::getline(ss, item, 'x'))
      shape.push_back(std::atoll(item.c_str()));
    randomShapes[n] = shape;
  }

  std::mt19937 rng(seed);
  std::vector<HostTensor> ins;
  for (const TensorInfo &info : model->inputs()) {
    HostTensor t;
    auto it = inputFiles.find(info.name);
    if (info.optional) {
      if (it == inputFiles.end())
        return error(modelPath + ": optional input '" + info.name +
                     "' needs --input (an ONNX OptionalProto file)");
      if (!readOptionalFile(it->second, t, err))
        return error(err);
      if (!t.none && t.sequence != info.sequence)
        return error(modelPath + ": input '" + info.name + "' holds " +
                     (info.sequence ? "a sequence" : "a tensor") + " but " +
                     it->second + " does not");
      for (HostTensor &e : t.elements)
        bf16AsUint16(e, info.dtype);
      if (!t.sequence)
        bf16AsUint16(t, info.dtype);
    } else if (info.sequence) {
      if (it == inputFiles.end())
        return error(modelPath + ": sequence input '" + info.name +
                     "' needs --input (an ONNX SequenceProto file)");
      if (!readSequenceFile(it->second, t, err))
        return error(err);
      for (HostTensor &e : t.elements) {
        bf16AsUint16(e, info.dtype);
        if (e.dtype != info.dtype || !info.accepts(e.shape))
          return error(modelPath + ": input '" + info.name +
                       "' holds tensors of " + dtypeName(info.dtype) +
                       shapeStr(info.shape) + " but " + it->second +
                       " has one of " + dtypeName(e.dtype) + shapeStr(e.shape));
      }
    } else if (it != inputFiles.end()) {
      if (!readTensorFile(it->second, t, err))
        return error(err);
      bf16AsUint16(t, info.dtype);
      if (t.dtype != info.dtype)
        return error(modelPath + ": input '" + info.name + "' expects " +
                     dtypeName(info.dtype) + " but " + it->second + " holds " +
                     dtypeName(t.dtype));
      if (!info.accepts(t.shape))
        return error(modelPath + ": input '" + info.name + "' expects shape " +
                     shapeStr(info.shape) + " but " + it->second + " has " +
                     shapeStr(t.shape));
    } else if (info.dtype == 8) {
      return error(modelPath + ": string input '" + info.name +
                   "' needs --input (an ONNX TensorProto file)");
    } else {
      t.dtype = info.dtype;
      t.shape = info.shape;
      auto given = randomShapes.find(info.name);
      if (given != randomShapes.end())
        t.shape = given->second;
      if (!info.accepts(t.shape))
        return error(modelPath + ": input '" + info.name + "' has shape " +
                     shapeStr(info.shape) +
                     "; give a fitting --input-shape or --input");
      int64_t count = 1;
      for (int64_t d : t.shape)
        count *= d;
      t.data.resize(count * dtypeSize(t.dtype));
      std::uniform_real_distribution<float> uf(-1.0f, 1.0f);
      std::uniform_int_distribution<int> ui(0, 9);
      for (int64_t i = 0; i < count; ++i) {
        char *p = t.data.data() + i * dtypeSize(t.dtype);
        switch (t.dtype) {
        case 1: {
          float v = uf(rng);
          std::memcpy(p, &v, 4);
          break;
        }
        case 11: {
          double v = uf(rng);
          std::memcpy(p, &v, 8);
          break;
        }
        case 7: {
          int64_t v = ui(rng);
          std::memcpy(p, &v, 8);
          break;
        }
        case 6: {
          int32_t v = ui(rng);
          std::memcpy(p, &v, 4);
          break;
        }
        case 9:
          *p = ui(rng) & 1;
          break;
        default:
          *p = (char)ui(rng);
        }
      }
    }
    ins.push_back(std::move(t));
  }
  std::vector<HostTensor> results;
  std::vector<const void *> inPtrs;
  std::vector<void *> outPtrs;
  std::vector<InputTensor> inTensors;
  // Zero-sized tensors still get a valid (1-byte) buffer.
  for (auto &t : ins) {
    pointStrings(t);
    for (HostTensor &e : t.elements)
      pointStrings(e);
    if (t.data.empty())
      t.data.resize(1);
    inPtrs.push_back(t.data.data());
    InputTensor in;
    in.data = t.data.data();
    in.shape = t.shape;
    in.sequence = t.sequence;
    in.none = t.none;
    for (HostTensor &e : t.elements) {
      if (e.data.empty())
        e.data.resize(1);
      InputTensor elem;
      elem.data = e.data.data();
      elem.shape = e.shape;
      in.elements.push_back(std::move(elem));
    }
    inTensors.push_back(std::move(in));
  }
  // Models with run-time dims or string outputs allocate their outputs.
  bool allocating =
      model->isDynamic() ||
      std::any_of(model->outputs().begin(), model->outputs().end(),
                  [](const TensorInfo &t) { return t.dtype == 8; });
  if (!allocating) {
    for (const TensorInfo &info : model->outputs()) {
      HostTensor t;
      t.dtype = info.dtype;
      t.shape = info.shape;
      t.data.resize(std::max<size_t>(info.byteSize(), 1));
      results.push_back(std::move(t));
    }
    for (auto &t : results)
      outPtrs.push_back(t.data.data());
  }
  // One run; dynamic models copy the outputs they allocate into `results`.
  auto runOnce = [&](bool keep) {
    if (!allocating)
      return model->run(inPtrs, outPtrs, err);
    std::vector<OutputTensor> outs;
    if (!model->runTensors(inTensors, outs, err))
      return false;
    if (keep) {
      results.clear();
      auto copy = [](const OutputTensor &o) {
        HostTensor t;
        t.dtype = o.dtype();
        t.shape = o.shape();
        const char *p = (const char *)o.data();
        t.data.assign(p, p + o.byteSize());
        if (t.dtype == 8)
          for (size_t i = 0; i < t.data.size() / sizeof(char *); ++i)
            t.strings.push_back(((const char *const *)o.data())[i]);
        return t;
      };
      for (const OutputTensor &o : outs) {
        HostTensor t;
        if (!o.hasValue()) {
          t.none = true;
          results.push_back(std::move(t));
          continue;
        }
        if (!o.isSequence())
          t = copy(o);
        t.sequence = o.isSequence();
        for (const OutputTensor &e : o.elements())
          t.elements.push_back(copy(e));
        results.push_back(std::move(t));
      }
    }
    return true;
  };

  if (!runOnce(true))
    return error(err);
  if (iterations > 0) {
    for (unsigned i = 0; i < warmup; ++i)
      runOnce(false);
    std::vector<double> ms;
    for (unsigned i = 0; i < iterations; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      runOnce(false);
      auto t1 = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    outs() << format("latency: median %.3f ms, min %.3f ms, max %.3f ms over "
                     "%u runs\n",
                     ms[ms.size() / 2], ms.front(), ms.back(),
                     iterations.getValue());
    dnnc_memory_info mem = model->memoryInfo();
    outs() << format("memory: weights %.2f MB, buffers at peak %.2f MB in "
                     "use, %.2f MB held\n",
                     mem.weight_bytes / 1e6, mem.peak_live_bytes / 1e6,
                     mem.peak_held_bytes / 1e6);
  }

  int rc = 0;
  for (size_t o = 0; o < results.size(); ++o) {
    const TensorInfo &info = model->outputs()[o];
    const HostTensor &result = results[o];
    if (result.none && print)
      outs() << info.name << ": no value\n";
    if (result.none && !expectFiles.count(info.name))
      continue;
    // A tensor is checked as itself; a sequence tensor by tensor.
    std::vector<std::pair<std::string, const HostTensor *>> parts;
    if (result.sequence) {
      for (size_t e = 0; e < result.elements.size(); ++e)
        parts.push_back(
            {info.name + "[" + std::to_string(e) + "]", &result.elements[e]});
      if (print)
        outs() << info.name << ": sequence of " << parts.size() << " tensors\n";
    } else {
      parts.push_back({info.name, &result});
    }
    HostTensor reference;
    auto it = expectFiles.find(info.name);
    if (it != expectFiles.end()) {
      if (!(info.optional   ? readOptionalFile(it->second, reference, err)
            : info.sequence ? readSequenceFile(it->second, reference, err)
                            : readTensorFile(it->second, reference, err)))
        return error(err);
      // Optionals: both hold nothing, or both hold a value (checked below).
      if (reference.none || result.none) {
        bool same = reference.none && result.none;
        outs() << "check " << info.name << ": " << (same ? "ok" : "MISMATCH")
               << " (" << (result.none ? "no value" : "a value") << ", "
               << (reference.none ? "no value" : "a value") << " expected)\n";
        if (!same)
          rc = 1;
        continue;
      }
      if (info.sequence && reference.elements.size() != parts.size())
        return error("output '" + info.name + "' has " +
                     std::to_string(parts.size()) +
                     " tensors but the reference has " +
                     std::to_string(reference.elements.size()));
    }
    for (size_t k = 0; k < parts.size(); ++k) {
      const std::string &name = parts[k].first;
      const HostTensor &t = *parts[k].second;
      if (print) {
        outs() << name << ": " << dtypeName(t.dtype) << shapeStr(t.shape)
               << " =";
        size_t n = 1;
        for (int64_t d : t.shape)
          n *= d;
        for (size_t i = 0; i < std::min<size_t>(n, 8); ++i) {
          if (t.dtype == 8)
            outs() << " \"" << t.strings[i] << "\"";
          else
            outs() << " " << format("%g", elementAsDouble(t, i));
        }
        if (n > 8)
          outs() << " ...";
        outs() << "\n";
      }
      if (!outputDir.empty()) {
        std::string file = name;
        std::replace(file.begin(), file.end(), '/', '_');
        if (!writeNpy(outputDir + "/" + file + ".npy", t, err))
          return error(err);
      }
      if (it == expectFiles.end())
        continue;
      HostTensor ref =
          info.sequence ? reference.elements[k] : std::move(reference);
      bf16AsUint16(ref, info.dtype);
      if (ref.shape != t.shape)
        return error("output '" + name + "' has shape " + shapeStr(t.shape) +
                     " but the reference has " + shapeStr(ref.shape));
      double maxAbs = 0;
      size_t bad = 0, n = 1;
      for (int64_t d : t.shape)
        n *= d;
      if (t.dtype == 8 || ref.dtype == 8) {
        // Strings must be equal.
        size_t firstBad = n;
        for (size_t i = 0; i < n; ++i)
          if (t.dtype != ref.dtype || t.strings[i] != ref.strings[i]) {
            firstBad = std::min(firstBad, i);
            ++bad;
          }
        outs() << "check " << name << ": " << (bad ? "MISMATCH" : "ok") << " ("
               << bad << " of " << n << " strings differ";
        if (bad && t.dtype == ref.dtype)
          outs() << "; element " << firstBad << " is \"" << t.strings[firstBad]
                 << "\", expected \"" << ref.strings[firstBad] << "\"";
        outs() << ")\n";
        if (bad)
          rc = 1;
        continue;
      }
      for (size_t i = 0; i < n; ++i) {
        double a = elementAsDouble(t, i), b = elementAsDouble(ref, i);
        double d = std::fabs(a - b);
        bool same = (std::isnan(a) && std::isnan(b)) || a == b;
        if (!same && !(d <= absTol + relTol * std::fabs(b)))
          ++bad;
        if (!std::isnan(d))
          maxAbs = std::max(maxAbs, d);
      }
      outs() << "check " << name << ": " << (bad ? "MISMATCH" : "ok")
             << format(
                    " (max abs error %.3g, %zu of %zu outside rtol %g atol %g)",
                    maxAbs, bad, n, relTol.getValue(), absTol.getValue())
             << "\n";
      if (bad)
        rc = 1;
    }
  }
  return rc;
}
