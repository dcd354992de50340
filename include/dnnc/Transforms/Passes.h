//===- Passes.h - dnnc codegen transforms -----------------------*- C++ -*-===//
#ifndef DNNC_TRANSFORMS_PASSES_H
#define DNNC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace dnnc {
/// Unit attribute on an scf.for whose iterations write disjoint parts of the
/// loop-carried tensor and read nothing another iteration writes: once
/// bufferized, dnnc-parallel-loops runs it as a parallel loop.
inline constexpr llvm::StringLiteral kParallelAttr = "dnnc.parallel";
/// The least work (FLOPs, or elements times ops) of a loop worth the fork
/// and join of a parallel region (a few microseconds).
inline constexpr int64_t kMinParallelWork = 1 << 19;

#define GEN_PASS_DECL
#include "dnnc/Transforms/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

#endif // DNNC_TRANSFORMS_PASSES_H
