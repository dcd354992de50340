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

def DNNFuseQuantized : Pass<"dnn-fuse-quantized", "mlir::func::FuncOp"> {
  let summary = "Runs dequantize -> conv/matmul -> quantize as integer arithmetic";
  let description = [{
    A `dnn.conv` or `dnn.matmul` whose input is a `quant.dcast` of a
    per-tensor quantized activation and whose weight is a `quant.dcast` of a
    constant quantized tensor (per tensor, or per output channel) becomes an
    i32 convolution or matmul of the integer codes minus their zero points.
    A float bias (or a dequantized int32 bias) and the scales then apply once
    per output: when the result's only use is a `quant.qcast` (through an
    optional `dnn.relu`), the accumulator is requantized straight to the
    output's codes, round(acc * sx * sw / sy + b / sy) + zy, saturated (a ReLU
    raises the lower bound to zy); otherwise it is dequantized,
    acc * sx * sw + b. A `dnn.max_pool` of a `quant.dcast` pools the codes
    (dequantization is monotonic) and dequantizes the result; a `quant.qcast`
    of that back to the input's type is the pooled codes. Other ops keep
    their quant casts.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::quant::QuantDialect",
                           "::dnnc::dnn::DNNDialect"];
}

def DNNFuseInteger : Pass<"dnn-fuse-integer", "mlir::func::FuncOp"> {
  let summary = "i32 convolutions of widened 8-bit codes as dnn.qconv2d_nhwc";
  let description = [{
    An i32 `dnn.conv` (2-D, ungrouped, static) or `dnn.matmul` (constant
    2-D right operand, static left operand) whose input is 8-bit codes
    widened to i32 (sign-extended, or zero-extended: `and 255`) minus a
    constant zero point, and whose weight is a constant that fits in 8
    bits, becomes `dnn.qconv2d_nhwc` on the codes (between transposes, or
    reshapes for the matmul: a 1x1 convolution of a one-row image). This is
    how ONNX ConvInteger and MatMulInteger import (and QLinear ops whose
    parameters are inputs folded to constants); run after
    dnn-fold-constants, which folds their zero points and centered weights.
  }];
}

def DNNLowerQuant : Pass<"dnn-lower-quant", "mlir::func::FuncOp"> {
  let summary = "Lowers quant casts to dnn arithmetic on integer storage";
  let description = [{
    Replaces every `!quant.uniform` value by its integer storage (i8 for
    int8 and uint8, i32 for int32): `quant.qcast` becomes
    round(x / scale) + zero point, rounded half to even and saturated to the
    storage range (ONNX QuantizeLinear); `quant.dcast` becomes
    (q - zero point) * scale, with uint8 codes zero-extended; `quant.scast`
    goes away. Scales and zero points are per tensor or per axis. A
    quantized value used by any other op is an error.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::quant::QuantDialect",
                           "::dnnc::dnn::DNNDialect"];
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
