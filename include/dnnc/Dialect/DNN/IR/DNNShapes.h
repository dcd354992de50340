//===- DNNShapes.h - Shape rules of dnn ops ---------------------*- C++ -*-===//
//
// Shape rules written once and shared by verifiers, type inference, the ONNX
// importer and the lowering to linalg. Each returns failure() with a message
// in `err` when the operands are inconsistent.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_DIALECT_DNN_IR_DNNSHAPES_H
#define DNNC_DIALECT_DNN_IR_DNNSHAPES_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <string>

namespace dnnc {
using Shape = llvm::SmallVector<int64_t, 6>;

/// NumPy broadcast of several shapes.
mlir::LogicalResult
broadcastShapes(llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes, Shape &result,
                std::string &err);
/// NumPy matmul result shape.
mlir::LogicalResult matmulShape(llvm::ArrayRef<int64_t> lhs,
                                llvm::ArrayRef<int64_t> rhs, Shape &result,
                                std::string &err);
/// Output size of one windowed dim (conv/pool), floor or ceil mode.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode);
/// Convolution result shape (NCHW / FCHW).
mlir::LogicalResult convShape(llvm::ArrayRef<int64_t> input,
                              llvm::ArrayRef<int64_t> weight,
                              llvm::ArrayRef<int64_t> strides,
                              llvm::ArrayRef<int64_t> pads,
                              llvm::ArrayRef<int64_t> dilations, int64_t group,
                              Shape &result, std::string &err);
/// Reduction result shape; `axes` normalized, empty = all.
Shape reduceShape(llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> axes,
                  bool keepdims);
/// Normalizes a possibly negative axis; failure when out of range.
mlir::LogicalResult normalizeAxis(int64_t &axis, int64_t rank);
} // namespace dnnc

#endif // DNNC_DIALECT_DNN_IR_DNNSHAPES_H
