//===- Passes.td - dnn dialect passes ----------------------*- tablegen -*-===//
#ifndef DNNC_DIALECT_DNN_TRANSFORMS_PASSES_TD
#define DNNC_DIALECT_DNN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DNNFoldBatchNorm : Pass<"dnn-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "Folds inference BatchNormalization into the preceding conv";
  let description = [{
    `batch_norm(conv(x, W, b))` with constant W, b and constant BN parameters
    becomes `conv(x, W * s, (b - mean) * s + beta)` with
    `s = scale / sqrt(var + eps)` per output channel. Batch norms that do not
    follow a single-use constant-weight conv are left for the lowering.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def DNNFoldConstants : Pass<"dnn-fold-constants", "mlir::func::FuncOp"> {
  let summary = "Evaluates dnn ops on constant operands";
  let description = [{
    Applies the dnn folders (shape arithmetic, reshapes and transposes of
    constant weights) and removes dead ops, leaving weights pre-transformed
    at compile time: transposes and slices of constant tensors are evaluated
    here, and
    Gemm weights stored as [N, K] (transB) are re-laid out as [K, N].
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def DNNChannelsLast : Pass<"dnn-channels-last", "mlir::func::FuncOp"> {
  let summary = "Runs 2-D convolutions channels-last and propagates the layout";
  let description = [{
    Every static f32 2-D `dnn.conv` with constant weights, ungrouped or
    depthwise, becomes `dnn.conv2d_nhwc` between two transposes (the weight
    transpose folds). The NHWC -> NCHW transposes then move down through
    elementwise ops (other operands take the inverse transpose, which folds
    for constants), concatenations and global pools, and cancel against the
    NCHW -> NHWC transpose of the next convolution. A chain of convolutions
    thus runs channels-last throughout, with one transpose at each edge.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def DNNExpandSequences : Pass<"dnn-expand-sequences", "mlir::ModuleOp"> {
  let summary = "Lowers sequence values to (data, shapes) tensor pairs";
  let description = [{
    Every `!dnn.seq<tensor<...xT>>` of element rank R becomes two tensors:
    `tensor<?xT>`, the elements' data one after the other (each dense,
    row-major), and `tensor<?xRxi64>`, one row of dims per element. The
    sequence ops become tensor/arith/scf code on that pair; function
    signatures, `scf.if`/`scf.for`/`scf.while` and returns are converted
    one-to-two. A function argument or result of sequence type therefore
    becomes two (data, then shapes), which is how the C ABI passes them.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // DNNC_DIALECT_DNN_TRANSFORMS_PASSES_TD
