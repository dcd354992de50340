//===- Patterns.h - dnn -> linalg pattern families --------------*- C++ -*-===//
//
// Each op family exports one populate function; the pass in DNNToLinalg.cpp
// gathers them. Shared builders for broadcasting generics live here too.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_LIB_CONVERSION_DNNTOLINALG_PATTERNS_H
#define DNNC_LIB_CONVERSION_DNNTOLINALG_PATTERNS_H

#include "dnnc/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include <functional>

namespace dnnc {

void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateContractionPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);

using ScalarBodyFn = std::function<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// Indexing map reading `operandType` broadcast (NumPy, right-aligned) into
/// an iteration space of `resultType`'s rank.
mlir::AffineMap broadcastMap(mlir::RankedTensorType operandType,
                             mlir::RankedTensorType resultType);

/// linalg.generic over `resultType` (all parallel) reading `inputs` with
/// NumPy broadcasting; `body` gets the input scalars.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, const ScalarBodyFn &body);

/// A tensor of `type` filled with `value`.
mlir::Value buildFilled(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::TypedAttr value);

/// A scalar constant of `type` (float or integer) with value `v`.
mlir::Value scalarConst(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                        double v);

/// Reshape between static shapes via collapse/expand_shape.
mlir::Value buildReshape(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input, mlir::RankedTensorType resultType);

/// Reduces `input` over `axes` (sorted) into a non-keepdims tensor, combining
/// with `combine(acc, x)` from `init`.
mlir::Value buildReduction(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
    llvm::ArrayRef<int64_t> axes, mlir::TypedAttr init,
    const std::function<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                    mlir::Value, mlir::Value)> &combine);

/// The strided windows of a padded N x C x spatial... `input`, one per kernel
/// position, as views of the output shape: window (k0, k1, ...) starts at
/// (k0*d0, k1*d1, ...) and steps by the strides. Elementwise ops over them
/// implement depthwise convolution and pooling with plain, vectorizable maps.
llvm::SmallVector<mlir::Value> buildWindowSlices(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
    llvm::ArrayRef<int64_t> outShape, llvm::ArrayRef<int64_t> kernel,
    llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations);

/// Lowest/highest finite-or-infinite value of a float or integer type.
mlir::TypedAttr lowestValue(mlir::Type type);
mlir::TypedAttr highestValue(mlir::Type type);

} // namespace dnnc

#endif // DNNC_LIB_CONVERSION_DNNTOLINALG_PATTERNS_H
