//===- Importer.h - ONNX -> dnn importer ------------------------*- C++ -*-===//
#ifndef DNNC_TARGET_ONNX_IMPORTER_H
#define DNNC_TARGET_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include <map>
#include <string>
#include <vector>

namespace dnnc {

struct ImportOptions {
  /// Static shapes for graph inputs whose dims are symbolic or unknown.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Name of the entry function.
  std::string entryName = "main_graph";
};

/// Imports the ONNX model at `path` into a module holding one func.func in
/// the dnn dialect. Errors are emitted as diagnostics located at the ONNX
/// node (see Diagnostics.h); returns null on failure.
mlir::OwningOpRef<mlir::ModuleOp> importONNXFile(mlir::MLIRContext &ctx,
                                                 const std::string &path,
                                                 const ImportOptions &options);

/// Registers the dialects the importer produces.
void registerImporterDialects(mlir::DialectRegistry &registry);

} // namespace dnnc

#endif // DNNC_TARGET_ONNX_IMPORTER_H
