//===- Pipelines.h - dnnc pass pipelines ------------------------*- C++ -*-===//
//
// Every stage of the flow ONNX -> dnn -> linalg -> LLVM is a library function
// building a pass pipeline, registered under a name so that dnnc-opt can run
// it alone:
//   dnnc-optimize      dnn -> dnn (folding, BatchNorm folding)
//   dnnc-to-linalg     dnn -> linalg on tensors
//   dnnc-cpu-codegen   linalg on tensors -> LLVM dialect (CPU)
//   dnnc-cpu           all of the above
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_COMPILER_PIPELINES_H
#define DNNC_COMPILER_PIPELINES_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace dnnc {

struct CPUCodegenOptions : mlir::PassPipelineOptions<CPUCodegenOptions> {
  Option<int64_t> tileM{*this, "tile-m", llvm::cl::desc("register tile rows"),
                        llvm::cl::init(8)};
  Option<int64_t> tileN{*this, "tile-n",
                        llvm::cl::desc("register tile columns"),
                        llvm::cl::init(32)};
  Option<bool> vectorize{*this, "vectorize",
                         llvm::cl::desc("tile and vectorize linalg ops"),
                         llvm::cl::init(true)};
  Option<bool> winograd{
      *this, "winograd",
      llvm::cl::desc("compute eligible 3x3 convolutions in the Winograd "
                     "F(4x4, 3x3) form"),
      llvm::cl::init(true)};
  Option<bool> vnni{
      *this, "vnni",
      llvm::cl::desc("compute 8-bit convolutions with AVX-512 VNNI dot "
                     "products (the target must have avx512vnni)"),
      llvm::cl::init(false)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("run the loops kernels mark parallel on OpenMP threads"),
      llvm::cl::init(true)};
  Option<bool> returnBuffers{
      *this, "return-buffers",
      llvm::cl::desc("return results as caller-owned memrefs (models with "
                     "run-time dims) instead of writing out-parameters"),
      llvm::cl::init(false)};
};

void buildDNNOptimizePipeline(mlir::OpPassManager &pm);
void buildDNNToLinalgPipeline(mlir::OpPassManager &pm);
void buildCPUCodegenPipeline(mlir::OpPassManager &pm,
                             const CPUCodegenOptions &options);
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUCodegenOptions &options);

/// Registers the dnn dialect, every dnnc pass and the named pipelines.
void registerAllDNNC(mlir::DialectRegistry &registry);

} // namespace dnnc

#endif // DNNC_COMPILER_PIPELINES_H
