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
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/PatternMatch.h"
#include <functional>

namespace dnnc {

void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateContractionPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);
void populateBatchLoopPatterns(mlir::RewritePatternSet &patterns);
void populateSequentialPatterns(mlir::RewritePatternSet &patterns);

using ScalarBodyFn = std::function<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// Indexing map reading `operandType` broadcast (NumPy, right-aligned) into
/// an iteration space of `resultType`'s rank.
mlir::AffineMap broadcastMap(mlir::RankedTensorType operandType,
                             mlir::RankedTensorType resultType);

/// linalg.generic over `resultType` (all parallel) reading `inputs` with
/// NumPy broadcasting; `body` gets the input scalars. The result dims are
/// `dims` (one index value per dim) when given, else broadcastDims(inputs).
/// Run-time dims that may broadcast get a fast path (no broadcast) and a
/// general path reading by index, chosen at run time.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, const ScalarBodyFn &body,
                             mlir::ValueRange dims = {});

/// A tensor of `type` filled with `value`; `dynSizes` gives its dynamic dims
/// in order.
mlir::Value buildFilled(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::TypedAttr value,
                        mlir::ValueRange dynSizes = {});

/// The size of dim `d` of tensor `v` as an index value (a constant when
/// static).
mlir::Value dimValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                     int64_t d);

/// The dynamic dims of `type`, in order, taken from `dims` (one index value
/// per dim of `type`).
llvm::SmallVector<mlir::Value> dynamicDims(mlir::RankedTensorType type,
                                           mlir::ValueRange dims);

/// tensor.empty of `type`; `dims` has one index value per dim (only the
/// dynamic ones are used).
mlir::Value buildEmpty(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::RankedTensorType type, mlir::ValueRange dims);

/// The sizes of the result of NumPy-broadcasting `inputs` to `resultType`,
/// one index value per result dim (at run time: the maximum of the operand
/// dims, which are 1 or that size).
llvm::SmallVector<mlir::Value> broadcastDims(mlir::OpBuilder &b,
                                             mlir::Location loc,
                                             mlir::ValueRange inputs,
                                             mlir::RankedTensorType resultType);

/// A scalar constant of `type` (float or integer) with value `v`.
mlir::Value scalarConst(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                        double v);

/// Reshape via collapse/expand_shape where the dims regroup, else through a
/// flat tensor; with run-time sizes, at most one result dim may be dynamic
/// (it takes the remaining element count).
mlir::Value buildReshape(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input, mlir::RankedTensorType resultType);

/// Reassociation that drops (or, expanding, inserts) the dims marked `unit`
/// of the higher-rank shape: each unit dim joins the next kept dim, trailing
/// ones the last group (no groups when every dim is a unit dim).
llvm::SmallVector<mlir::ReassociationIndices>
unitDimGroups(llvm::ArrayRef<bool> unit);

/// tensor.reshape of `input` to `resultType` whose dims are `dims` (index
/// values, one per result dim).
mlir::Value buildReshapeTo(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, mlir::RankedTensorType resultType,
                           mlir::ValueRange dims);

/// The product of dims `dims` of tensor `v` as an index value.
mlir::Value elementCount(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                         llvm::ArrayRef<int64_t> dims);

/// Index value `n` as a scalar of float or integer `type`.
mlir::Value indexAsScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value n,
                          mlir::Type type);

/// Reduces `input` over `axes` (sorted) into a non-keepdims tensor, combining
/// with `combine(acc, x)` from `init`.
mlir::Value buildReduction(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
    llvm::ArrayRef<int64_t> axes, mlir::TypedAttr init,
    const std::function<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                    mlir::Value, mlir::Value)> &combine);

/// The strided windows of a padded N x C x spatial... `input` (with
/// `channelsLast`, N x spatial... x C), one per kernel position, as views of
/// the output shape: window (k0, k1, ...) starts at (k0*d0, k1*d1, ...) and
/// steps by the strides. Elementwise ops over them implement depthwise
/// convolution and pooling with plain, vectorizable maps.
llvm::SmallVector<mlir::Value>
buildWindowSlices(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                  llvm::ArrayRef<int64_t> outShape,
                  llvm::ArrayRef<int64_t> kernel,
                  llvm::ArrayRef<int64_t> strides,
                  llvm::ArrayRef<int64_t> dilations, bool channelsLast = false);

/// Lowest/highest finite-or-infinite value of a float or integer type.
mlir::TypedAttr lowestValue(mlir::Type type);
mlir::TypedAttr highestValue(mlir::Type type);

} // namespace dnnc

#endif // DNNC_LIB_CONVERSION_DNNTOLINALG_PATTERNS_H
