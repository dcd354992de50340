//===- Passes.h - dnn dialect passes ----------------------------*- C++ -*-===//
#ifndef DNNC_DIALECT_DNN_TRANSFORMS_PASSES_H
#define DNNC_DIALECT_DNN_TRANSFORMS_PASSES_H

#include "dnnc/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace dnnc::dnn {
#define GEN_PASS_DECL
#include "dnnc/Dialect/DNN/Transforms/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "dnnc/Dialect/DNN/Transforms/Passes.h.inc"
} // namespace dnnc::dnn

#endif // DNNC_DIALECT_DNN_TRANSFORMS_PASSES_H
