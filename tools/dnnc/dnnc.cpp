//===- dnnc.cpp - The dnnc ahead-of-time compiler CLI ---------------------===//
//
//   dnnc MODEL.onnx -o MODEL.so            (also writes MODEL.h)
//   dnnc MODEL.onnx --emit=dnn|linalg|llvm-mlir|llvm|obj -o OUT
//
//===----------------------------------------------------------------------===//
#include "dnnc/Compiler/Compiler.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required);
static cl::opt<std::string> outputFile("o", cl::desc("Output file"));
static cl::opt<std::string>
    emit("emit",
         cl::desc("Stop after a phase: dnn, linalg, llvm-mlir, llvm, obj, so"),
         cl::init("so"));
static cl::list<std::string>
    inputShapes("input-shape", cl::desc("name=DxDx... static input shape"));
static cl::opt<bool> noVectorize("no-vectorize",
                                 cl::desc("Do not tile and vectorize"));
static cl::opt<bool> noWinograd(
    "no-winograd",
    cl::desc("Compute 3x3 convolutions directly, not in the Winograd form"));
static cl::opt<bool> timing("time-phases",
                            cl::desc("Print the time of each phase"));

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "dnnc ahead-of-time compiler\n");
  dnnc::CompileOptions opts;
  auto kind = dnnc::parseEmitKind(emit);
  if (!kind) {
    errs() << "dnnc: error: unknown --emit=" << emit << "\n";
    return 1;
  }
  opts.emit = *kind;
  opts.vectorize = !noVectorize;
  opts.winograd = !noWinograd;
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
  if (opts.output.empty()) {
    static const char *exts[] = {".dnn.mlir", ".linalg.mlir", ".llvm.mlir",
                                 ".ll",       ".o",           ".so"};
    SmallString<256> p(inputFile);
    sys::path::replace_extension(p, "");
    opts.output = (p + exts[(int)*kind]).str();
  }
  std::string err;
  if (!dnnc::compileModel(inputFile, opts, err)) {
    errs() << "dnnc: error: " << err << "\n";
    return 1;
  }
  return 0;
}
