//===- dnnc.cpp - The dnnc ahead-of-time compiler CLI ---------------------===//
//
//   dnnc MODEL.onnx -o MODEL.so            (also writes MODEL.h)
//   dnnc MODEL.onnx --emit=dnn|linalg|llvm-mlir|llvm|obj -o OUT
//   dnnc MODEL.onnx --quantize=int8 --calibration-data DIR -o MODEL.so
//   dnnc MODEL.onnx --quantize=int4-weights [--group-size 32] -o MODEL.so
//   dnnc MODEL.onnx --quantize=int8 --calibration-data DIR --emit=onnx
//        -o MODEL.int8.onnx                (the QDQ model, for any runtime)
//
//===----------------------------------------------------------------------===//
#include "dnnc/Compiler/Compiler.h"
#include "dnnc/Quantization/PostTraining.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required);
static cl::opt<std::string> outputFile("o", cl::desc("Output file"));
static cl::opt<std::string>
    emit("emit",
         cl::desc("Stop after a phase: onnx (the quantized model), dnn, "
                  "linalg, llvm-mlir, llvm, obj, so"),
         cl::init("so"));
static cl::list<std::string>
    inputShapes("input-shape", cl::desc("name=DxDx... static input shape"));
static cl::opt<bool> noVectorize("no-vectorize",
                                 cl::desc("Do not tile and vectorize"));
static cl::opt<bool>
    noVnni("no-vnni",
           cl::desc("Compute 8-bit convolutions without AVX-512 VNNI dot "
                    "products (portable vector code)"));
static cl::opt<bool> noWinograd(
    "no-winograd",
    cl::desc("Compute 3x3 convolutions directly, not in the Winograd form"));
static cl::opt<bool> timing("time-phases",
                            cl::desc("Print the time of each phase"));

static cl::OptionCategory quantCat("Post-training quantization");
static cl::opt<std::string>
    quantize("quantize",
             cl::desc("Quantize before compiling: int8 (QDQ: int8 weights per "
                      "output channel, uint8 activations per tensor), or "
                      "int4-weights / int8-weights (weight-only MatMul/Gemm, "
                      "MatMulNBits; no calibration)"),
             cl::cat(quantCat));
static cl::opt<std::string> calibrationData(
    "calibration-data",
    cl::desc("Directory of calibration input sets: one subdirectory per set "
             "holding NAME.npy or input_K.pb (TensorProto) files"),
    cl::cat(quantCat));
static cl::opt<std::string>
    calibrationMethod("calibration-method",
                      cl::desc("minmax (default), percentile or entropy"),
                      cl::init("minmax"), cl::cat(quantCat));
static cl::opt<double> percentile(
    "percentile",
    cl::desc("Percentile calibration: % of the values inside the range"),
    cl::init(99.999), cl::cat(quantCat));
static cl::list<std::string>
    keepFloat("keep-float",
              cl::desc("Layers (ONNX node or output names) kept float"),
              cl::CommaSeparated, cl::cat(quantCat));
static cl::opt<double> minSqnr(
    "min-sqnr",
    cl::desc("Mixed precision: keep float the fewest most sensitive layers "
             "that bring the output SQNR (dB, vs float) to this"),
    cl::cat(quantCat));
static cl::opt<int> groupSize(
    "group-size",
    cl::desc("Weight-only quantization: weights per scale along K (a power "
             "of 2 >= 16)"),
    cl::init(32), cl::cat(quantCat));
static cl::opt<std::string>
    quantReport("quant-report",
                cl::desc("Write the quantization report as JSON to FILE"),
                cl::cat(quantCat));

/// Quantizes `input` into `qdqPath` and prints the report; false on error.
static bool runQuantization(const std::string &input,
                            const std::string &qdqPath,
                            const dnnc::CompileOptions &opts) {
  std::string err;
  auto writeReport = [&](const std::string &json) {
    if (quantReport.empty())
      return true;
    std::error_code ec;
    raw_fd_ostream os(quantReport, ec);
    if (ec) {
      errs() << "dnnc: error: cannot write '" << quantReport
             << "': " << ec.message() << "\n";
      return false;
    }
    os << json << "\n";
    return true;
  };
  if (quantize == "int4-weights" || quantize == "int8-weights") {
    dnnc::WeightOnlyOptions wo;
    wo.bits = quantize == "int4-weights" ? 4 : 8;
    wo.groupSize = groupSize;
    wo.keepFloat.insert(keepFloat.begin(), keepFloat.end());
    dnnc::WeightOnlyReport report;
    if (!dnnc::quantizeWeights(input, wo, qdqPath, report, err)) {
      errs() << "dnnc: error: " << err << "\n";
      return false;
    }
    outs() << report.table();
    return writeReport(report.json());
  }
  if (quantize != "int8") {
    errs() << "dnnc: error: --quantize=" << quantize
           << " is not supported (int8, int4-weights, int8-weights are)\n";
    return false;
  }
  if (calibrationData.empty()) {
    errs() << "dnnc: error: --quantize needs --calibration-data DIR\n";
    return false;
  }
  dnnc::QuantizeOptions qo;
  auto method = dnnc::parseCalibrationMethod(calibrationMethod);
  if (!method) {
    errs() << "dnnc: error: unknown --calibration-method=" << calibrationMethod
           << " (minmax, percentile, entropy)\n";
    return false;
  }
  if (!(percentile > 0 && percentile <= 100)) {
    errs() << "dnnc: error: --percentile must be in (0, 100]\n";
    return false;
  }
  qo.method = *method;
  qo.percentile = percentile;
  qo.keepFloat.insert(keepFloat.begin(), keepFloat.end());
  qo.inputShapes = opts.import.inputShapes;
  if (minSqnr.getNumOccurrences())
    qo.minSqnrDb = minSqnr;
  std::vector<dnnc::CalibrationSet> sets;
  dnnc::QuantizationReport report;
  if (!dnnc::readCalibrationDir(calibrationData, sets, err) ||
      !dnnc::quantizeModel(input, sets, qo, qdqPath, report, err)) {
    errs() << "dnnc: error: " << err << "\n";
    return false;
  }
  outs() << report.table();
  return writeReport(report.json());
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "dnnc ahead-of-time compiler\n");
  dnnc::CompileOptions opts;
  bool emitONNX = emit == "onnx";
  if (emitONNX && quantize.empty()) {
    errs() << "dnnc: error: --emit=onnx writes the quantized model: give "
              "--quantize\n";
    return 1;
  }
  auto kind = emitONNX ? std::optional(dnnc::EmitKind::SharedLib)
                       : dnnc::parseEmitKind(emit);
  if (!kind) {
    errs() << "dnnc: error: unknown --emit=" << emit << "\n";
    return 1;
  }
  opts.emit = *kind;
  opts.vectorize = !noVectorize;
  opts.winograd = !noWinograd;
  if (noVnni)
    opts.vnni = false;
  opts.timing = timing;
  for (const std::string &s : inputShapes) {
    size_t eq = s.rfind('=');
    std::vector<int64_t> dims;
    SmallVector<StringRef> parts;
    bool ok = eq != std::string::npos;
    if (ok && eq + 1 < s.size()) // an empty list is a rank-0 tensor
      StringRef(s).substr(eq + 1).split(parts, 'x');
    for (StringRef p : parts) {
      int64_t d;
      ok &= !p.getAsInteger(10, d) && d >= 0;
      dims.push_back(d);
    }
    if (!ok) {
      errs() << "dnnc: error: bad --input-shape '" << s << "'\n";
      return 1;
    }
    opts.import.inputShapes[s.substr(0, eq)] = dims;
  }
  opts.output = outputFile;
  if (opts.output.empty() && emitONNX) {
    SmallString<256> p(inputFile);
    sys::path::replace_extension(p, ".int8.onnx");
    opts.output = p.str().str();
  }
  if (opts.output.empty()) {
    static const char *exts[] = {".dnn.mlir", ".linalg.mlir", ".llvm.mlir",
                                 ".ll",       ".o",           ".so"};
    SmallString<256> p(inputFile);
    sys::path::replace_extension(p, "");
    opts.output = (p + exts[(int)*kind]).str();
  }
  std::string model = inputFile;
  SmallString<128> tmpDir;
  if (!quantize.empty()) {
    if (emitONNX)
      return runQuantization(inputFile, opts.output, opts) ? 0 : 1;
    // The QDQ model goes to a temporary directory under the input's name
    // (which names the compiled model's entry points).
    if (auto ec = sys::fs::createUniqueDirectory("dnnc", tmpDir)) {
      errs() << "dnnc: error: cannot create a temporary directory: "
             << ec.message() << "\n";
      return 1;
    }
    model = (tmpDir + "/" + sys::path::filename(inputFile)).str();
    bool ok = runQuantization(inputFile, model, opts);
    if (!ok) {
      sys::fs::remove_directories(tmpDir);
      return 1;
    }
  }
  std::string err;
  bool ok = dnnc::compileModel(model, opts, err);
  if (!tmpDir.empty())
    sys::fs::remove_directories(tmpDir);
  if (!ok) {
    // Name the user's file, not the temporary QDQ copy.
    if (model != inputFile && StringRef(err).starts_with(model))
      err = inputFile + " (quantized)" + err.substr(model.size());
    errs() << "dnnc: error: " << err << "\n";
    return 1;
  }
  return 0;
}
