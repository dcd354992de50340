//===- Compiler.h - ONNX model -> MODEL.so, as a library --------*- C++ -*-===//
//
// The whole ahead-of-time flow behind the dnnc CLI and the Python module:
// import, optimize, lower, emit. Stops after any phase with `emit`.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_COMPILER_COMPILER_H
#define DNNC_COMPILER_COMPILER_H

#include "dnnc/Compiler/Pipelines.h"
#include "dnnc/Target/ONNX/Importer.h"
#include <string>

namespace dnnc {

enum class EmitKind { DNN, Linalg, LLVMMLIR, LLVMIR, Object, SharedLib };

/// Parses "dnn", "linalg", "llvm-mlir", "llvm", "obj", "so".
std::optional<EmitKind> parseEmitKind(llvm::StringRef s);

/// True when the host CPU has AVX-512 VNNI.
bool hostHasVnni();

struct CompileOptions {
  ImportOptions import;
  EmitKind emit = EmitKind::SharedLib;
  /// Output path; for SharedLib a header is written beside it (MODEL.h).
  std::string output;
  bool writeHeader = true;
  bool vectorize = true;
  /// 3x3 convolutions in the Winograd form where that is faster.
  bool winograd = true;
  /// 8-bit convolutions with AVX-512 VNNI dot products (the default where
  /// the host CPU, which the code is compiled for, has them).
  bool vnni = hostHasVnni();
  /// Print the time spent in each phase to stderr.
  bool timing = false;
};

/// Compiles `input` (an .onnx file). On failure returns false and sets
/// `error` to one line naming the file, node and op; no output file is left.
bool compileModel(const std::string &input, const CompileOptions &options,
                  std::string &error);

} // namespace dnnc

#endif // DNNC_COMPILER_COMPILER_H
