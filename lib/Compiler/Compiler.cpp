//===- Compiler.cpp - ONNX model -> MODEL.so, as a library ----------------===//
#include "dnnc/Compiler/Compiler.h"
#include "dnnc/Compiler/Diagnostics.h"
#include "dnnc/Target/CPU/ObjectEmitter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include <chrono>

using namespace mlir;

namespace dnnc {

bool hostHasVnni() {
  return llvm::sys::getHostCPUFeatures().lookup("avx512vnni");
}

std::optional<EmitKind> parseEmitKind(StringRef s) {
  return llvm::StringSwitch<std::optional<EmitKind>>(s)
      .Case("dnn", EmitKind::DNN)
      .Case("linalg", EmitKind::Linalg)
      .Case("llvm-mlir", EmitKind::LLVMMLIR)
      .Case("llvm", EmitKind::LLVMIR)
      .Case("obj", EmitKind::Object)
      .Case("so", EmitKind::SharedLib)
      .Default(std::nullopt);
}

namespace {
/// A file written under a temporary name and renamed into place only on
/// success, so that a failed compile never leaves a partial output.
class AtomicOutput {
public:
  explicit AtomicOutput(std::string path)
      : path(std::move(path)), tmp(this->path + ".tmp-dnnc") {}
  ~AtomicOutput() {
    if (!committed)
      llvm::sys::fs::remove(tmp);
  }
  const std::string &tempPath() const { return tmp; }
  bool commit(std::string &err) {
    if (auto ec = llvm::sys::fs::rename(tmp, path)) {
      err = "cannot write '" + path + "': " + ec.message();
      return false;
    }
    committed = true;
    return true;
  }

private:
  std::string path, tmp;
  bool committed = false;
};

bool writeText(const std::string &path, const std::string &text,
               std::string &err) {
  AtomicOutput out(path);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(out.tempPath(), ec);
    if (ec) {
      err = "cannot write '" + path + "': " + ec.message();
      return false;
    }
    os << text;
  }
  return out.commit(err);
}

std::string printModule(ModuleOp m) {
  std::string s;
  llvm::raw_string_ostream os(s);
  m.print(os);
  return s;
}

void stripDNNAttributes(ModuleOp module) {
  module->walk([](Operation *op) {
    for (NamedAttribute a : llvm::to_vector(op->getDiscardableAttrs()))
      if (a.getName().strref().starts_with("dnn."))
        op->removeDiscardableAttr(a.getName());
    if (auto f = dyn_cast<FunctionOpInterface>(op)) {
      for (unsigned i = 0; i < f.getNumArguments(); ++i)
        f.removeArgAttr(i, "dnn.name");
      for (unsigned i = 0; i < f.getNumResults(); ++i)
        f.removeResultAttr(i, StringAttr::get(op->getContext(), "dnn.name"));
    }
  });
}

struct PhaseTimer {
  bool on;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  void lap(const char *name) {
    auto t1 = std::chrono::steady_clock::now();
    if (on)
      llvm::errs() << "dnnc: " << name << ": "
                   << std::chrono::duration<double>(t1 - t0).count() << " s\n";
    t0 = t1;
  }
};
} // namespace

bool compileModel(const std::string &input, const CompileOptions &options,
                  std::string &error) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registerAllDNNC(registry);
  registerImporterDialects(registry);
  MLIRContext ctx(registry);
  ctx.disableMultithreading();
  ErrorCollector errors(&ctx);
  auto fail = [&](const std::string &fallback) {
    error = errors.hasError() ? errors.message() : input + ": " + fallback;
    return false;
  };
  PhaseTimer timer{options.timing};

  OwningOpRef<ModuleOp> module = importONNXFile(ctx, input, options.import);
  if (!module || failed(verify(*module)))
    return fail("import failed");
  timer.lap("import");

  PassManager opt(&ctx, ModuleOp::getOperationName());
  buildDNNOptimizePipeline(opt);
  if (failed(opt.run(*module)))
    return fail("dnn optimization failed");
  timer.lap("optimize");
  if (options.emit == EmitKind::DNN)
    return writeText(options.output, printModule(*module), error);

  auto sig = getModelSignature(*module, options.import.entryName);
  if (failed(sig))
    return fail("no entry function");
  sig->name = llvm::sys::path::stem(input).str();
  // The signature is recorded; the dnn.* attributes have no LLVM meaning.
  stripDNNAttributes(*module);
  // With run-time dims (or zero-sized tensors) the entry returns memref
  // descriptors through its C interface (_mlir_ciface_<entry>).
  if (sig->descriptors)
    if (auto f = module->lookupSymbol<func::FuncOp>(sig->entry))
      f->setAttr("llvm.emit_c_interface", UnitAttr::get(&ctx));

  PassManager lower(&ctx, ModuleOp::getOperationName());
  buildDNNToLinalgPipeline(lower);
  if (failed(lower.run(*module)))
    return fail("lowering to linalg failed");
  timer.lap("to-linalg");
  if (options.emit == EmitKind::Linalg)
    return writeText(options.output, printModule(*module), error);

  PassManager cg(&ctx, ModuleOp::getOperationName());
  CPUCodegenOptions cgo;
  cgo.vectorize = options.vectorize;
  cgo.winograd = options.winograd;
  cgo.vnni = options.vnni;
  cgo.returnBuffers = sig->descriptors;
  buildCPUCodegenPipeline(cg, cgo);
  if (failed(cg.run(*module)))
    return fail("CPU code generation failed");
  timer.lap("codegen");
  if (options.emit == EmitKind::LLVMMLIR)
    return writeText(options.output, printModule(*module), error);

  llvm::LLVMContext llvmCtx;
  std::string err;
  auto llvmModule = translateModel(*module, llvmCtx, *sig, err);
  if (!llvmModule)
    return fail(err);
  timer.lap("translate");
  if (options.emit == EmitKind::LLVMIR) {
    std::string s;
    llvm::raw_string_ostream os(s);
    llvmModule->print(os, nullptr);
    return writeText(options.output, s, error);
  }

  AtomicOutput obj(options.emit == EmitKind::Object ? options.output
                                                    : options.output + ".o");
  if (!emitObject(*llvmModule, obj.tempPath(), err)) {
    error = input + ": " + err;
    return false;
  }
  timer.lap("llvm");
  if (options.emit == EmitKind::Object)
    return obj.commit(error);

  AtomicOutput so(options.output);
  if (!linkSharedLibrary(obj.tempPath(), so.tempPath(), err)) {
    error = input + ": " + err;
    return false;
  }
  timer.lap("link");
  if (options.writeHeader) {
    std::string header = options.output;
    StringRef ext = llvm::sys::path::extension(header);
    header = header.substr(0, header.size() - ext.size()) + ".h";
    if (!writeText(header, generateHeader(*sig), error))
      return false;
  }
  return so.commit(error);
}

} // namespace dnnc
