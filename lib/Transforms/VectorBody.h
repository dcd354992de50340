//===- VectorBody.h - Scalar linalg bodies applied to vectors ---*- C++ -*-===//
//
// The hand-written kernels (dnnc-conv-kernels' epilogues, dnnc-row-reductions)
// apply the scalar body of a linalg.generic to vectors of W lanes: each
// arith/math op is re-created with vector types, scalar operands broadcast.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_LIB_TRANSFORMS_VECTORBODY_H
#define DNNC_LIB_TRANSFORMS_VECTORBODY_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace dnnc {

/// True for the ops such a body may hold: scalar arith and math ops without
/// regions, of int, index or float types.
bool isScalarElementwise(mlir::Operation &op);

/// Re-creates the scalar op `op` on vectors of `width` lanes: operands are
/// looked up in `map` (scalars are broadcast), the result is mapped there
/// too and returned.
mlir::Value cloneOnVectors(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Operation &op, mlir::IRMapping &map,
                           int64_t width);

} // namespace dnnc

#endif // DNNC_LIB_TRANSFORMS_VECTORBODY_H
