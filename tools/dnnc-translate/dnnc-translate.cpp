//===- dnnc-translate.cpp - ONNX -> dnn IR --------------------------------===//
//
//   dnnc-translate --import-onnx model.onnx [-o out.mlir]
//                  [--input-shape name=1x3x224x224]
//
//===----------------------------------------------------------------------===//
#include "dnnc/Compiler/Diagnostics.h"
#include "dnnc/Compiler/Pipelines.h"
#include "dnnc/Target/ONNX/Importer.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required);
static cl::opt<bool> importOnnx("import-onnx",
                                cl::desc("Import an ONNX model to dnn IR"),
                                cl::init(true));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::init("-"));
static cl::list<std::string>
    inputShapes("input-shape", cl::desc("name=DxDx... static input shape"));
static cl::opt<bool> debugInfo("mlir-print-debuginfo",
                               cl::desc("Print locations"), cl::init(false));

/// Parses "name=1x3x224x224" entries.
static bool parseInputShapes(ArrayRef<std::string> specs,
                             dnnc::ImportOptions &opts) {
  for (const std::string &s : specs) {
    size_t eq = s.rfind('=');
    if (eq == std::string::npos) {
      errs() << "dnnc-translate: error: bad --input-shape '" << s << "'\n";
      return false;
    }
    std::vector<int64_t> dims;
    SmallVector<StringRef> parts;
    if (eq + 1 < s.size()) // an empty list is a rank-0 tensor
      StringRef(s).substr(eq + 1).split(parts, 'x');
    for (StringRef p : parts) {
      int64_t d;
      if (p.getAsInteger(10, d) || d < 0) {
        errs() << "dnnc-translate: error: bad dim in '" << s << "'\n";
        return false;
      }
      dims.push_back(d);
    }
    opts.inputShapes[s.substr(0, eq)] = dims;
  }
  return true;
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "dnnc ONNX translator\n");
  mlir::DialectRegistry registry;
  dnnc::registerAllDNNC(registry);
  dnnc::registerImporterDialects(registry);
  mlir::MLIRContext ctx(registry);
  dnnc::ImportOptions opts;
  if (!parseInputShapes(inputShapes, opts))
    return 1;
  dnnc::ErrorCollector errors(&ctx);
  auto module = dnnc::importONNXFile(ctx, inputFile, opts);
  if (!module || mlir::failed(mlir::verify(*module))) {
    errs() << "dnnc-translate: error: "
           << (errors.hasError() ? errors.message() : "import failed") << "\n";
    return 1;
  }
  std::string err;
  auto out = mlir::openOutputFile(outputFile, &err);
  if (!out) {
    errs() << "dnnc-translate: error: " << err << "\n";
    return 1;
  }
  mlir::OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo();
  module->print(out->os(), flags);
  out->keep();
  return 0;
}
