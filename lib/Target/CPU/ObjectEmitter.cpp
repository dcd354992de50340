//===- ObjectEmitter.cpp - LLVM dialect -> object -> MODEL.so -------------===//
//
// The compiled graph becomes an LLVM module with three additions: the tensor
// tables of the C ABI, the model name, and __dnnc_entry(void **buffers),
// which unpacks the buffer array into the bare-pointer entry function. The
// module is optimized at O3 for the host CPU (AVX-512 where present), emitted
// in-process and linked with the C runtime into MODEL.so.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Target/CPU/ObjectEmitter.h"
#include "dnnc/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

namespace dnnc {

FailureOr<ModelSignature> getModelSignature(ModuleOp module, StringRef entry) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func)
    return failure();
  ModelSignature sig;
  sig.entry = entry.str();
  if (auto src = module->getAttrOfType<StringAttr>("dnn.source"))
    sig.name = src.str();
  auto inCodes = func->getAttrOfType<DenseI64ArrayAttr>("dnn.input_dtypes");
  auto outCodes = func->getAttrOfType<DenseI64ArrayAttr>("dnn.output_dtypes");
  auto code = [](Type t) -> int32_t {
    if (t.isF32())
      return 1;
    if (t.isF64())
      return 11;
    if (t.isF16())
      return 10;
    if (t.isBF16())
      return 16;
    if (t.isInteger(1))
      return 9;
    if (t.isInteger(8))
      return 3;
    if (t.isInteger(16))
      return 5;
    if (t.isInteger(32))
      return 6;
    if (t.isInteger(64))
      return 7;
    return 0;
  };
  auto add = [&](std::vector<ModelSignature::Tensor> &list, Type t,
                 StringAttr name, DenseI64ArrayAttr codes, size_t i) {
    ModelSignature::Tensor tensor;
    if (auto opt = dyn_cast<dnn::OptionalType>(t)) {
      tensor.optional = true;
      sig.dynamic = sig.descriptors = true;
      t = opt.getElementType();
    }
    if (auto seq = dyn_cast<dnn::SequenceType>(t)) {
      tensor.sequence = true;
      sig.dynamic = sig.descriptors = true;
      t = seq.getElementType();
    }
    auto rt = cast<RankedTensorType>(t);
    tensor.name = name ? name.str() : ("t" + std::to_string(i));
    tensor.dtype = codes && (int64_t)i < codes.size()
                       ? (int32_t)codes[i]
                       : code(rt.getElementType());
    for (int64_t d : rt.getShape()) {
      tensor.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
      sig.dynamic |= ShapedType::isDynamic(d);
      // Zero-sized memrefs have no bare-pointer form.
      sig.descriptors |= ShapedType::isDynamic(d) || d == 0;
    }
    list.push_back(tensor);
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    add(sig.inputs, func.getArgument(i).getType(),
        func.getArgAttrOfType<StringAttr>(i, "dnn.name"), inCodes, i);
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    add(sig.outputs, func.getResultTypes()[i],
        func.getResultAttrOfType<StringAttr>(i, "dnn.name"), outCodes, i);
  return sig;
}

/// A private constant global holding `init`.
static llvm::GlobalVariable *privateConst(llvm::Module &m, llvm::Constant *init,
                                          const llvm::Twine &name) {
  return new llvm::GlobalVariable(m, init->getType(), /*isConstant=*/true,
                                  llvm::GlobalValue::PrivateLinkage, init,
                                  name);
}

static void addTensorTable(llvm::Module &m, StringRef name,
                           const std::vector<ModelSignature::Tensor> &list) {
  llvm::LLVMContext &c = m.getContext();
  auto *ptrT = llvm::PointerType::getUnqual(c);
  auto *i32 = llvm::Type::getInt32Ty(c);
  auto *i64 = llvm::Type::getInt64Ty(c);
  auto *infoT = llvm::StructType::get(c, {ptrT, i32, i32, ptrT, i32});
  std::vector<llvm::Constant *> entries;
  for (auto [i, t] : llvm::enumerate(list)) {
    llvm::Constant *str = llvm::ConstantDataArray::getString(c, t.name);
    auto *strG = privateConst(m, str, name + ".name." + llvm::Twine(i));
    std::vector<uint64_t> dims(t.shape.begin(), t.shape.end());
    llvm::Constant *shapeC =
        dims.empty() ? (llvm::Constant *)llvm::ConstantPointerNull::get(ptrT)
                     : privateConst(m, llvm::ConstantDataArray::get(c, dims),
                                    name + ".shape." + llvm::Twine(i));
    (void)i64;
    entries.push_back(llvm::ConstantStruct::get(
        infoT, {strG, llvm::ConstantInt::get(i32, t.dtype),
                llvm::ConstantInt::get(i32, t.shape.size()), shapeC,
                llvm::ConstantInt::get(i32, t.kind())}));
  }
  auto *arrT = llvm::ArrayType::get(infoT, entries.size());
  auto *g = new llvm::GlobalVariable(
      m, arrT, true, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantArray::get(arrT, entries), name);
  g->setVisibility(llvm::GlobalValue::HiddenVisibility);
}

/// A hidden constant integer global of `bits` bits.
static void addInt(llvm::Module &m, StringRef name, unsigned bits, int64_t v) {
  auto *t = llvm::Type::getIntNTy(m.getContext(), bits);
  auto *g =
      new llvm::GlobalVariable(m, t, true, llvm::GlobalValue::ExternalLinkage,
                               llvm::ConstantInt::get(t, v), name);
  g->setVisibility(llvm::GlobalValue::HiddenVisibility);
}

std::unique_ptr<llvm::Module> translateModel(ModuleOp module,
                                             llvm::LLVMContext &llvmCtx,
                                             const ModelSignature &sig,
                                             std::string &err) {
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  registerOpenMPDialectTranslation(*module.getContext());
  auto m = translateModuleToLLVMIR(module, llvmCtx, "dnnc_model");
  if (!m) {
    err = "translation to LLVM IR failed";
    return nullptr;
  }
  llvm::LLVMContext &c = *&llvmCtx;
  auto *ptrT = llvm::PointerType::getUnqual(c);
  // Static models: the bare-pointer entry takes inputs then outputs.
  // Dynamic models: the C interface takes a pointer to the result
  // descriptors, then a pointer to each input descriptor.
  size_t numArgs = 0;
  for (const ModelSignature::Tensor &t : sig.inputs)
    numArgs += (t.sequence ? 2 : 1) + (t.optional ? 1 : 0);
  size_t n =
      sig.descriptors ? 1 + numArgs : sig.inputs.size() + sig.outputs.size();
  std::string calleeName =
      sig.descriptors ? "_mlir_ciface_" + sig.entry : sig.entry;
  llvm::Function *main = m->getFunction(calleeName);
  if (!main || main->arg_size() != n) {
    err = "the lowered entry function '" + calleeName + "' does not take " +
          std::to_string(n) + " pointers";
    return nullptr;
  }
  main->setLinkage(llvm::GlobalValue::InternalLinkage);
  if (llvm::Function *inner = m->getFunction(sig.entry))
    inner->setLinkage(llvm::GlobalValue::InternalLinkage);
  auto *entryT =
      llvm::FunctionType::get(llvm::Type::getVoidTy(c), {ptrT}, false);
  auto *entry = llvm::Function::Create(
      entryT, llvm::GlobalValue::ExternalLinkage, "__dnnc_entry", *m);
  entry->setVisibility(llvm::GlobalValue::HiddenVisibility);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(c, "entry", entry));
  std::vector<llvm::Value *> args;
  for (size_t i = 0; i < n; ++i) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptrT, entry->getArg(0), i);
    args.push_back(b.CreateLoad(ptrT, slot));
  }
  b.CreateCall(main, args);
  b.CreateRetVoid();
  // The weights: the model's constant data.
  int64_t weightBytes = 0;
  for (llvm::GlobalVariable &g : m->globals())
    if (g.isConstant() && g.hasInitializer())
      weightBytes += m->getDataLayout().getTypeAllocSize(g.getValueType());
  addInt(*m, "__dnnc_weight_bytes", 64, weightBytes);
  addInt(*m, "__dnnc_descriptors", 32, sig.descriptors ? 1 : 0);
  addInt(*m, "__dnnc_num_inputs", 32, sig.inputs.size());
  addInt(*m, "__dnnc_num_outputs", 32, sig.outputs.size());
  addTensorTable(*m, "__dnnc_inputs", sig.inputs);
  addTensorTable(*m, "__dnnc_outputs", sig.outputs);
  auto *nameG = new llvm::GlobalVariable(
      *m, llvm::ConstantDataArray::getString(c, sig.name)->getType(), true,
      llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantDataArray::getString(c, sig.name), "__dnnc_name");
  nameG->setVisibility(llvm::GlobalValue::HiddenVisibility);
  return m;
}

static std::unique_ptr<llvm::TargetMachine>
hostTargetMachine(std::string &err) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return nullptr;
  llvm::SubtargetFeatures features;
  for (auto &f : llvm::sys::getHostCPUFeatures())
    features.AddFeature(f.first(), f.second);
  llvm::TargetOptions opts;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), features.getString(), opts,
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

bool emitObject(llvm::Module &m, StringRef path, std::string &err) {
  auto tm = hostTargetMachine(err);
  if (!tm)
    return false;
  m.setDataLayout(tm->createDataLayout());
  m.setTargetTriple(tm->getTargetTriple());
  auto opt = makeOptimizingTransformer(3, 0, tm.get());
  if (auto e = opt(&m)) {
    err = llvm::toString(std::move(e));
    return false;
  }
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    err = "cannot write '" + path.str() + "': " + ec.message();
    return false;
  }
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, out.os(), nullptr,
                              llvm::CodeGenFileType::ObjectFile)) {
    err = "the target cannot emit object files";
    return false;
  }
  pm.run(m);
  out.os().flush();
  out.keep();
  return true;
}

bool linkSharedLibrary(StringRef objPath, StringRef outPath, std::string &err) {
  std::string runtime;
  if (const char *env = std::getenv("DNNC_RUNTIME_LIB"))
    runtime = env;
  else
    runtime = DNNC_RUNTIME_LIB_PATH;
  if (!llvm::sys::fs::exists(runtime)) {
    err = "model runtime library '" + runtime +
          "' not found (set DNNC_RUNTIME_LIB)";
    return false;
  }
  std::string clang = DNNC_CLANG_PATH;
  // Parallel loops call the OpenMP runtime (LLVM's libomp); the model
  // records where it lives and needs it only if it uses it.
  std::string ompDir = DNNC_OPENMP_LIB_DIR;
  std::string ompPath = "-L" + ompDir, ompRpath = "-Wl,-rpath," + ompDir;
  std::vector<StringRef> args = {clang,
                                 "-shared",
                                 "-fuse-ld=lld",
                                 "-Wl,--gc-sections",
                                 "-o",
                                 outPath,
                                 objPath,
                                 "-Wl,--whole-archive",
                                 runtime,
                                 "-Wl,--no-whole-archive",
                                 "-Wl,--as-needed",
                                 ompPath,
                                 ompRpath,
                                 "-lomp",
                                 "-lm"};
  std::string msg;
  int rc = llvm::sys::ExecuteAndWait(clang, args, std::nullopt, {}, 0, 0, &msg);
  if (rc != 0) {
    err =
        "linking with '" + clang + "' failed" + (msg.empty() ? "" : ": " + msg);
    return false;
  }
  return true;
}

std::string generateHeader(const ModelSignature &sig) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "/* Generated by dnnc for " << sig.name << ". */\n"
     << "#ifndef DNNC_MODEL_GENERATED_H\n#define DNNC_MODEL_GENERATED_H\n\n"
     << "/* The C ABI (identical in every model; dnnc_model.h). */\n"
     <<
#include "DNNCModelHeader.inc"
     << "\n"
     << "/* This model's tensors (dtype codes are ONNX TensorProto codes). "
        "*/\n";
  auto emit = [&](const char *kind, size_t i, const ModelSignature::Tensor &t) {
    os << "/* " << kind << " " << i << ": \"" << t.name << "\" "
       << (t.optional ? "optional " : "")
       << (t.sequence ? "sequence of tensors of " : "") << "dtype " << t.dtype
       << " shape [";
    llvm::interleave(t.shape, os, ", ");
    os << "] */\n";
  };
  for (auto [i, t] : llvm::enumerate(sig.inputs))
    emit("input", i, t);
  for (auto [i, t] : llvm::enumerate(sig.outputs))
    emit("output", i, t);
  os << "#define DNNC_MODEL_IS_DYNAMIC " << (sig.dynamic ? 1 : 0) << "\n"
     << "#define DNNC_MODEL_NUM_INPUTS " << sig.inputs.size() << "\n"
     << "#define DNNC_MODEL_NUM_OUTPUTS " << sig.outputs.size() << "\n"
     << "\n#endif /* DNNC_MODEL_GENERATED_H */\n";
  return s;
}

} // namespace dnnc
