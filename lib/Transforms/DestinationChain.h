//===- DestinationChain.h - Where a chain of DPS ops starts -----*- C++ -*-===//
//
// A value computed in destination-passing style, op_k(... op_1(tensor.empty)
// ...), each op writing into the previous one's result, can be computed
// anywhere else of its type: replacing the tensor.empty at the root of the
// chain by a slice of a bigger buffer makes every op of the chain write
// there once bufferized (dnnc-fuse-pads: the interior of a padded tensor;
// dnnc-conv-kernels: rows padded against cache-set conflicts).
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_LIB_TRANSFORMS_DESTINATIONCHAIN_H
#define DNNC_LIB_TRANSFORMS_DESTINATIONCHAIN_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace dnnc {

/// The init operand at the root of the destination chain of `v` (each
/// destination-style op's tied init, back to the first): a tensor.empty, or
/// a bufferization.alloc_tensor without contents (a buffer that another
/// such rewrite set up); null when `v` is not computed that way on tensors.
mlir::OpOperand *chainRoot(mlir::Value v);

/// chainRoot(v) when it is a tensor.empty, else null.
mlir::OpOperand *rootEmpty(mlir::Value v);

/// Makes the chain that starts at `root` compute its value in `buffer`, at
/// `offsets` (unit strides): `root` becomes a tensor.extract_slice of it,
/// built right before the chain's first op, which `buffer` must dominate.
void computeChainIn(mlir::OpBuilder &b, mlir::OpOperand *root,
                    mlir::Value buffer, llvm::ArrayRef<int64_t> offsets);

} // namespace dnnc

#endif // DNNC_LIB_TRANSFORMS_DESTINATIONCHAIN_H
