//===- Diagnostics.h - One-line user-facing errors --------------*- C++ -*-===//
//
// Errors reach users as one line naming the file, the ONNX node and the op:
//   model.onnx: node 'conv1' (Conv): pads must have 4 values
// The importer locates every op at fused<"OpType">[NameLoc(node), file]; this
// collector turns diagnostics at such locations into that form.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_COMPILER_DIAGNOSTICS_H
#define DNNC_COMPILER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include <string>

namespace dnnc {

/// Formats a diagnostic as one line (file, node, op, message).
std::string formatDiagnostic(mlir::Diagnostic &diag);

/// Captures errors emitted in its scope; keeps the first one formatted.
class ErrorCollector {
public:
  explicit ErrorCollector(mlir::MLIRContext *ctx);
  ~ErrorCollector();
  bool hasError() const { return !first.empty(); }
  const std::string &message() const { return first; }

private:
  mlir::MLIRContext *ctx;
  mlir::DiagnosticEngine::HandlerID id;
  std::string first;
};

} // namespace dnnc

#endif // DNNC_COMPILER_DIAGNOSTICS_H
