//===- DNNOps.td - dnn dialect operations ------------------*- tablegen -*-===//
//
// Operations of the dnn dialect, grouped by family. Each family shares a base
// class; shape rules live once in DNNShapes.cpp and are reused by verifiers,
// type inference and the lowering to linalg.
//
//===----------------------------------------------------------------------===//

#ifndef DNNC_DIALECT_DNN_IR_DNNOPS_TD
#define DNNC_DIALECT_DNN_IR_DNNOPS_TD

include "dnnc/Dialect/DNN/IR/DNNDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/BuiltinAttributes.td"

def DNN_Tensor : RankedTensorOf<[AnyType]>;
def DNN_FloatTensor : RankedTensorOf<[AnyFloat]>;
def DNN_IndexTensor : RankedTensorOf<[I32, I64]>;
def DNN_BoolTensor : RankedTensorOf<[I1]>;

// Each result element depends only on the operand elements at the same
// (NumPy-broadcast) position: layout changes commute with the op.
def DNN_Elementwise : NativeOpTrait<"Elementwise"> {
  let cppNamespace = "::dnnc::dnn";
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class DNN_UnaryOp<string mnemonic, string desc, list<Trait> traits = []>
    : DNN_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType,
                                           DNN_Elementwise])> {
  let summary = "elementwise " # mnemonic;
  let description = desc # [{

    Example:
    ```mlir
    %y = dnn.}] # mnemonic # [{ %x : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DNN_ReluOp : DNN_UnaryOp<"relu", "max(x, 0).">;
def DNN_SigmoidOp : DNN_UnaryOp<"sigmoid", "1 / (1 + exp(-x)).">;
def DNN_TanhOp : DNN_UnaryOp<"tanh", "Hyperbolic tangent.">;
def DNN_ErfOp : DNN_UnaryOp<"erf", "Gauss error function.">;
def DNN_ExpOp : DNN_UnaryOp<"exp", "Natural exponential.">;
def DNN_LogOp : DNN_UnaryOp<"log", "Natural logarithm.">;
def DNN_SqrtOp : DNN_UnaryOp<"sqrt", "Square root.">;
def DNN_NegOp : DNN_UnaryOp<"neg", "Negation."> { let hasFolder = 1; }
def DNN_AbsOp : DNN_UnaryOp<"abs", "Absolute value.">;
def DNN_ReciprocalOp : DNN_UnaryOp<"reciprocal", "1 / x.">;
def DNN_FloorOp : DNN_UnaryOp<"floor", "Round toward negative infinity.">;
def DNN_CeilOp : DNN_UnaryOp<"ceil", "Round toward positive infinity.">;
def DNN_RoundOp : DNN_UnaryOp<"round", "Round half to even.">;
def DNN_SignOp : DNN_UnaryOp<"sign", "-1, 0 or 1.">;
def DNN_SinOp : DNN_UnaryOp<"sin", "Sine.">;
def DNN_CosOp : DNN_UnaryOp<"cos", "Cosine.">;
def DNN_TanOp : DNN_UnaryOp<"tan", "Tangent.">;
def DNN_NotOp : DNN_UnaryOp<"not", "Logical not of i1 tensors.">;
def DNN_AcosOp : DNN_UnaryOp<"acos", "Arc cosine.">;
def DNN_AsinOp : DNN_UnaryOp<"asin", "Arc sine.">;
def DNN_AtanOp : DNN_UnaryOp<"atan", "Arc tangent.">;
def DNN_SinhOp : DNN_UnaryOp<"sinh", "Hyperbolic sine.">;
def DNN_CoshOp : DNN_UnaryOp<"cosh", "Hyperbolic cosine.">;
def DNN_AsinhOp : DNN_UnaryOp<"asinh", "Inverse hyperbolic sine.">;
def DNN_AcoshOp : DNN_UnaryOp<"acosh", "Inverse hyperbolic cosine.">;
def DNN_AtanhOp : DNN_UnaryOp<"atanh", "Inverse hyperbolic tangent.">;
def DNN_SoftplusOp : DNN_UnaryOp<"softplus", "log(1 + exp(x)).">;
def DNN_SoftsignOp : DNN_UnaryOp<"softsign", "x / (1 + |x|).">;
def DNN_HardSwishOp : DNN_UnaryOp<"hard_swish", "x * max(0, min(1, x/6 + 1/2)).">;
def DNN_GeluOp : DNN_UnaryOp<"gelu", "0.5 x (1 + erf(x / sqrt(2))).">;

class DNN_UnaryAttrOp<string mnemonic, string desc, dag attrs>
    : DNN_UnaryOp<mnemonic, desc> {
  let arguments = !con((ins DNN_Tensor:$input), attrs);
}

def DNN_LeakyReluOp : DNN_UnaryAttrOp<"leaky_relu", "x < 0 ? alpha * x : x.",
    (ins F32Attr:$alpha)>;
def DNN_EluOp : DNN_UnaryAttrOp<"elu", "x < 0 ? alpha * (exp(x) - 1) : x.",
    (ins F32Attr:$alpha)>;
def DNN_SeluOp : DNN_UnaryAttrOp<"selu",
    "gamma * (x <= 0 ? alpha * (exp(x) - 1) : x).",
    (ins F32Attr:$alpha, F32Attr:$gamma)>;
def DNN_HardSigmoidOp : DNN_UnaryAttrOp<"hard_sigmoid",
    "max(0, min(1, alpha * x + beta)).", (ins F32Attr:$alpha, F32Attr:$beta)>;
def DNN_ClipOp : DNN_UnaryAttrOp<"clip",
    "min(max(x, min), max); a missing bound is no bound.",
    (ins OptionalAttr<F64Attr>:$min, OptionalAttr<F64Attr>:$max)> {
  let hasFolder = 1;
}

def DNN_CastOp : DNN_Op<"cast", [Pure, DNN_Elementwise]> {
  let summary = "elementwise conversion to another element type";
  let description = [{
    Converts each element to the result element type (float<->int truncates
    toward zero, like ONNX Cast). Shapes must match.

    ```mlir
    %y = dnn.cast %x : tensor<4xf32> -> tensor<4xi64>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops with NumPy broadcasting
//===----------------------------------------------------------------------===//

class DNN_BinaryOp<string mnemonic, string desc, list<Trait> traits = []>
    : DNN_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor,
                                           DNN_Elementwise])> {
  let summary = "elementwise " # mnemonic # " with NumPy broadcasting";
  let description = desc # [{

    The result shape is the NumPy broadcast of the operand shapes.

    ```mlir
    %z = dnn.}] # mnemonic # [{ %x, %y : tensor<2x3xf32>, tensor<3xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$lhs, DNN_Tensor:$rhs);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
}

def DNN_AddOp : DNN_BinaryOp<"add", "lhs + rhs.", [Commutative]> {
  let hasFolder = 1;
}
def DNN_SubOp : DNN_BinaryOp<"sub", "lhs - rhs."> { let hasFolder = 1; }
def DNN_MulOp : DNN_BinaryOp<"mul", "lhs * rhs.", [Commutative]> {
  let hasFolder = 1;
}
def DNN_DivOp : DNN_BinaryOp<"div", "lhs / rhs (integer division truncates).">
{
  let hasFolder = 1;
}
def DNN_PowOp : DNN_BinaryOp<"pow", "lhs ** rhs.">;
def DNN_MaxOp : DNN_BinaryOp<"max", "max(lhs, rhs).", [Commutative]>;
def DNN_MinOp : DNN_BinaryOp<"min", "min(lhs, rhs).", [Commutative]>;
def DNN_ModOp : DNN_BinaryOp<"mod", "Remainder; fmod selects C fmod semantics."> {
  let arguments = (ins DNN_Tensor:$lhs, DNN_Tensor:$rhs, BoolAttr:$fmod);
}
def DNN_PReluOp : DNN_BinaryOp<"prelu", "lhs < 0 ? rhs * lhs : lhs.">;
def DNN_ShiftLeftOp : DNN_BinaryOp<"shift_left", "lhs << rhs (integers).">;
def DNN_ShiftRightOp
    : DNN_BinaryOp<"shift_right", "lhs >> rhs, logical (unsigned integers).">;
def DNN_EqualOp : DNN_BinaryOp<"equal", "lhs == rhs, an i1 tensor."> {
  let hasFolder = 1;
}
def DNN_LessOp : DNN_BinaryOp<"less", "lhs < rhs, an i1 tensor.">;
def DNN_LessEqualOp : DNN_BinaryOp<"less_equal", "lhs <= rhs, an i1 tensor.">;
def DNN_GreaterOp : DNN_BinaryOp<"greater", "lhs > rhs, an i1 tensor.">;
def DNN_GreaterEqualOp
    : DNN_BinaryOp<"greater_equal", "lhs >= rhs, an i1 tensor.">;
def DNN_AndOp : DNN_BinaryOp<"and", "Logical and.", [Commutative]>;
def DNN_OrOp : DNN_BinaryOp<"or", "Logical or.", [Commutative]>;
def DNN_XorOp : DNN_BinaryOp<"xor", "Logical xor.", [Commutative]>;

def DNN_WhereOp : DNN_Op<"where", [Pure, InferTypeOpAdaptor]> {
  let summary = "elementwise select with NumPy broadcasting";
  let description = [{
    `cond ? x : y` elementwise, all three operands broadcast together.

    ```mlir
    %r = dnn.where %c, %x, %y : tensor<4xi1>, tensor<4xf32>, tensor<1xf32>
    ```
  }];
  let arguments = (ins DNN_BoolTensor:$condition, DNN_Tensor:$x, DNN_Tensor:$y);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $x `,` $y attr-dict `:` type($condition) `,` type($x) `,`
    type($y)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def DNN_MatMulOp : DNN_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "NumPy matmul (batched, broadcast batch dims)";
  let description = [{
    Matrix product of the last two dims; leading dims broadcast. A rank-1
    operand is promoted as in NumPy and the promoted dim removed.

    ```mlir
    %c = dnn.matmul %a, %b : tensor<2x4x8xf32>, tensor<8x16xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$lhs, DNN_Tensor:$rhs);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
}

def DNN_GemmOp : DNN_Op<"gemm", [Pure]> {
  let summary = "alpha * op(A) * op(B) + beta * C";
  let description = [{
    ONNX Gemm on rank-2 operands; C (optional) broadcasts to the result.

    ```mlir
    %y = dnn.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32,
           transA = false, transB = true}
         : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xf32>)
           -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$a, DNN_Tensor:$b,
                   Optional<DNN_Tensor>:$c, F32Attr:$alpha, F32Attr:$beta,
                   BoolAttr:$transA, BoolAttr:$transB);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_ConvOp : DNN_Op<"conv", [Pure]> {
  let summary = "N-d grouped convolution (NCHW, weights FCHW)";
  let description = [{
    ONNX Conv with explicit pads ([begin..., end...]), strides, dilations and
    group count. Depthwise convolution is `group == C == F`. Bias is optional.

    ```mlir
    %y = dnn.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64,
           pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
         : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
           -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DNN_Tensor:$weight,
                   Optional<DNN_Tensor>:$bias, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                   I64Attr:$group);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_Conv2DNhwcOp : DNN_Op<"conv2d_nhwc", [Pure]> {
  let summary = "2-D convolution in channels-last layout (NHWC, weights HWCF)";
  let description = [{
    The convolution of `dnn.conv` with the channels innermost: the input is
    [N, H, W, C], the weight [KH, KW, C / group, F] and the result
    [N, OH, OW, F]. Pads are [top, left, bottom, right]. `group` divides C
    and F: output channel f reads input channels g * C / group ..
    (g + 1) * C / group - 1 with g = f / (F / group). group == C == F is a
    depthwise convolution (weight [KH, KW, 1, C]).
    `dnn-channels-last` introduces it; it is what the CPU kernels take.

    ```mlir
    %y = dnn.conv2d_nhwc %x, %w, %b {dilations = array<i64: 1, 1>,
           group = 1 : i64, pads = array<i64: 1, 1, 1, 1>,
           strides = array<i64: 1, 1>}
         : (tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>, tensor<4xf32>)
           -> tensor<1x8x8x4xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DNN_Tensor:$weight,
                   Optional<DNN_Tensor>:$bias, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                   I64Attr:$group);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    bool isDepthwise() {
      auto w = ::llvm::cast<::mlir::RankedTensorType>(getWeight().getType());
      return getGroup() != 1 && w.getDimSize(2) == 1 &&
             w.getDimSize(3) == static_cast<int64_t>(getGroup());
    }
  }];
}

def DNN_QConv2DNhwcOp : DNN_Op<"qconv2d_nhwc", [Pure]> {
  let summary = "8-bit integer 2-D convolution, channels-last, i32 result";
  let description = [{
    The ungrouped convolution of `dnn.conv2d_nhwc` on quantized codes:
    `output[n, y, x, f] = sum (input - input_zero_point) * weight` over the
    window and the input channels, accumulated exactly in i32. The input
    holds 8-bit codes, unsigned when `input_unsigned` is set, else signed;
    the weight holds signed 8-bit values (already centered on their zero
    point). Pads are [top, left, bottom, right] and pad with the zero point,
    so that they add nothing. A zero point known only at run time (dynamic
    quantization: DynamicQuantizeLinear before MatMulInteger) is the
    optional 0-d i32 operand `zero_point` instead (then
    `input_zero_point` is 0); it must lie in the input's 8-bit range.
    `dnn-fuse-quantized` introduces it for QDQ convolutions; the scales and
    the requantization stay with the ops that read the result.

    ```mlir
    %y = dnn.qconv2d_nhwc %x, %w {dilations = array<i64: 1, 1>,
           input_unsigned, input_zero_point = 3 : i64,
           pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
         : (tensor<1x8x8x16xi8>, tensor<3x3x16x32xi8>) -> tensor<1x8x8x32xi32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DNN_Tensor:$weight,
                   Optional<DNN_Tensor>:$zero_point,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$input_zero_point,
                   UnitAttr:$input_unsigned);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`zero_point` $zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_QDepthwiseConv2DNhwcOp : DNN_Op<"qdepthwise_conv2d_nhwc", [Pure]> {
  let summary = "depthwise 2-D convolution of 8-bit codes, channels-last, "
                "f32 result";
  let description = [{
    `output[n, y, x, c] = sum (input - input_zero_point) * weight[kh, kw, c]`
    over the window: one filter per channel. The input holds 8-bit codes
    (unsigned when `input_unsigned` is set), the weight f32 values that are
    integers (weight codes centered on their zero point). Every product and
    partial sum is an integer, so the f32 result is exact when the sums stay
    below 2^24 in magnitude; `dnn-fuse-quantized` emits the op only after
    checking that bound from the weights. Pads are [top, left, bottom, right]
    and hold the zero point. Kernels read the codes (a quarter of the bytes
    of a float input) and widen them in registers.

    ```mlir
    %y = dnn.qdepthwise_conv2d_nhwc %x, %w {dilations = array<i64: 1, 1>,
           input_unsigned, input_zero_point = 0 : i64,
           pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
         : (tensor<1x8x8x32xi8>, tensor<3x3x32xf32>) -> tensor<1x8x8x32xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DNN_Tensor:$weight,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$input_zero_point,
                   UnitAttr:$input_unsigned);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_WeightQuantMatMulOp : DNN_Op<"weight_quant_matmul", [Pure]> {
  let summary = "matmul with float activations and 4- or 8-bit weights";
  let description = [{
    Weight-only quantization (the transformer and LLM case):
    `output[.., n] = sum_k input[.., k] * (q(n, k) - zero_points[n, g]) *
    scales[n, g]` with `g = k / group_size`. The weight codes `q` are
    unsigned: `bits` = 8 stores one per byte, `weight` [N, K]; `bits` = 4
    two per byte, `weight` [N, K / 2], the even k in the low nibble. Scales
    and zero points (as floats) are [N, K / group_size]. The codes stay
    packed in memory; kernels unpack them in registers.

    ```mlir
    %y = dnn.weight_quant_matmul %x, %w, %s, %z {bits = 4 : i64,
           group_size = 32 : i64}
         : (tensor<1x64xf32>, tensor<16x32xi8>, tensor<16x2xf32>,
            tensor<16x2xf32>) -> tensor<1x16xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DNN_Tensor:$weight,
                   DNN_Tensor:$scales, DNN_Tensor:$zero_points,
                   I64Attr:$bits, I64Attr:$group_size);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $scales `,` $zero_points attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class DNN_PoolOp<string mnemonic, string desc, dag extra = (ins)>
    : DNN_Op<mnemonic, [Pure]> {
  let summary = mnemonic # " over NC... spatial windows";
  let description = desc # [{

    Pads are [begin..., end...]. With `ceil_mode` the output size rounds up
    (the last window may run past the end padding; it is dropped when it
    would start in the end padding). Static result shapes already include
    it; the lowering needs it for run-time spatial dims. With `channels_last`
    (static max and average pooling only) input and result are laid out
    N x spatial... x C.

    ```mlir
    %y = dnn.}] # mnemonic # [{ %x {kernel_shape = array<i64: 3, 3>,
           pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>,
           dilations = array<i64: 1, 1>}
         : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = !con((ins DNN_Tensor:$input,
                        DenseI64ArrayAttr:$kernel_shape,
                        DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                        DenseI64ArrayAttr:$dilations), extra,
                       (ins DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                            DefaultValuedAttr<BoolAttr, "false">:$channels_last));
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DNN_MaxPoolOp : DNN_PoolOp<"max_pool",
    "Maximum over each window. Integers compare signed, or unsigned with "
    "`input_unsigned` (ONNX's uint8 and the codes of uint8 quantized "
    "tensors).",
    (ins UnitAttr:$input_unsigned)>;
def DNN_MaxPoolIndicesOp : DNN_PoolOp<"max_pool_indices",
    "Position of each window's maximum (ONNX MaxPool's Indices output): the "
    "flat index into the whole input, row-major or, with column_major, with "
    "the spatial dims in reverse order; ties take the first position in the "
    "window's row-major order. The result is i64.",
    (ins DefaultValuedAttr<BoolAttr, "false">:$column_major)>;
def DNN_AveragePoolOp : DNN_PoolOp<"average_pool",
    "Mean over each window; count_include_pad counts padded elements.",
    (ins BoolAttr:$count_include_pad)>;

class DNN_GlobalPoolOp<string mnemonic>
    : DNN_Op<mnemonic, [Pure]> {
  let summary = mnemonic # " over all spatial dims";
  let description = [{
    Reduces every spatial dim to 1.

    ```mlir
    %y = dnn.}] # mnemonic # [{ %x : tensor<1x8x7x7xf32> -> tensor<1x8x1x1xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}
def DNN_GlobalAveragePoolOp : DNN_GlobalPoolOp<"global_average_pool">;
def DNN_GlobalMaxPoolOp : DNN_GlobalPoolOp<"global_max_pool">;

//===----------------------------------------------------------------------===//
// Normalization and softmax
//===----------------------------------------------------------------------===//

def DNN_BatchNormOp : DNN_Op<"batch_norm", [Pure, AllTypesMatch<["input", "output"]>,
    AllTypesMatch<["scale", "bias", "mean", "variance"]>]> {
  let summary = "inference-mode batch normalization over dim 1";
  let description = [{
    `scale * (x - mean) / sqrt(var + epsilon) + bias`, per channel (dim 1).
    `dnn-fold-batch-norm` folds it into a preceding convolution.

    ```mlir
    %y = dnn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
         : tensor<1x4x8x8xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DNN_Tensor:$scale, DNN_Tensor:$bias,
                   DNN_Tensor:$mean, DNN_Tensor:$variance, F32Attr:$epsilon);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$scale,
      "::mlir::Value":$bias, "::mlir::Value":$mean, "::mlir::Value":$variance,
      "float":$epsilon), [{
    build($_builder, $_state, input.getType(), input, scale, bias, mean,
          variance, $_builder.getF32FloatAttr(epsilon));
  }]>];
}

def DNN_LayerNormOp : DNN_Op<"layer_norm", [Pure]> {
  let summary = "layer normalization over dims [axis, rank)";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias` with statistics over the
    trailing dims from `axis`; scale and bias broadcast over those dims.

    ```mlir
    %y = dnn.layer_norm %x, %s, %b {axis = 2 : i64, epsilon = 1.0e-05 : f32}
         : (tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DNN_Tensor:$scale,
                   Optional<DNN_Tensor>:$bias, I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

class DNN_SoftmaxBase<string mnemonic, string desc>
    : DNN_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = mnemonic # " along one axis";
  let description = desc # [{

    ```mlir
    %y = dnn.}] # mnemonic # [{ %x {axis = 1 : i64} : tensor<2x10xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, I64Attr:$axis);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}
def DNN_SoftmaxOp : DNN_SoftmaxBase<"softmax",
    "exp(x - max) / sum(exp(x - max)) along `axis`.">;
def DNN_LogSoftmaxOp : DNN_SoftmaxBase<"log_softmax",
    "x - max - log(sum(exp(x - max))) along `axis`.">;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class DNN_ReduceOp<string mnemonic, string desc>
    : DNN_Op<mnemonic, [Pure]> {
  let summary = mnemonic # " over a set of axes";
  let description = desc # [{

    `axes` are normalized (non-negative, sorted); an empty list reduces all
    dims. With keepdims the reduced dims stay as 1.

    ```mlir
    %y = dnn.}] # mnemonic # [{ %x {axes = array<i64: 1>, keepdims = true}
         : tensor<2x8xf32> -> tensor<2x1xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DenseI64ArrayAttr:$axes,
                   BoolAttr:$keepdims);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}
def DNN_ReduceSumOp : DNN_ReduceOp<"reduce_sum", "Sum.">;
def DNN_ReduceMeanOp : DNN_ReduceOp<"reduce_mean", "Arithmetic mean.">;
def DNN_ReduceMaxOp : DNN_ReduceOp<"reduce_max", "Maximum.">;
def DNN_ReduceMinOp : DNN_ReduceOp<"reduce_min", "Minimum.">;
def DNN_ReduceProdOp : DNN_ReduceOp<"reduce_prod", "Product.">;

class DNN_ArgReduceOp<string mnemonic, string desc> : DNN_Op<mnemonic, [Pure]> {
  let summary = mnemonic # " along one axis (i64 indices)";
  let description = desc # [{

    ```mlir
    %i = dnn.}] # mnemonic # [{ %x {axis = 1 : i64, keepdims = true,
           select_last_index = false} : tensor<2x8xf32> -> tensor<2x1xi64>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, I64Attr:$axis, BoolAttr:$keepdims,
                   BoolAttr:$select_last_index);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}
def DNN_ArgMaxOp : DNN_ArgReduceOp<"arg_max", "Index of the maximum.">;
def DNN_ArgMinOp : DNN_ArgReduceOp<"arg_min", "Index of the minimum.">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def DNN_ReshapeOp : DNN_Op<"reshape", [Pure]> {
  let summary = "row-major reshape";
  let description = [{
    Row-major reshape; element counts must agree. Static Flatten, Squeeze
    and Unsqueeze canonicalize to it. With run-time dims, the optional
    `shape` operand (1-D i64, one entry per result dim) gives the target as
    ONNX Reshape does: 0 copies the input dim at that position, -1 takes the
    remaining element count.

    ```mlir
    %y = dnn.reshape %x : tensor<1x512x1x1xf32> -> tensor<1x512xf32>
    %z = dnn.reshape %x, %s : tensor<?x8xf32>, tensor<3xi64> -> tensor<?x2x4xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input,
                   Optional<RankedTensorOf<[I64]>>:$shape);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $input (`,` $shape^)? attr-dict `:` type(operands) `->` type($output)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$type, "::mlir::Value":$input), [{
      build($_builder, $_state, type, input, ::mlir::Value());
    }]>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

class DNN_ReshapeLikeOp<string mnemonic, string desc, dag attrs>
    : DNN_Op<mnemonic, [Pure]> {
  let summary = mnemonic;
  let description = desc # [{

    Canonicalizes to `dnn.reshape`.

    ```mlir
    %y = dnn.}] # mnemonic # [{ %x {...} : tensor<1x8x1xf32> -> tensor<...>
    ```
  }];
  let arguments = !con((ins DNN_Tensor:$input), attrs);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}
def DNN_FlattenOp : DNN_ReshapeLikeOp<"flatten",
    "Collapses dims [0, axis) and [axis, rank) into a 2-D tensor.",
    (ins I64Attr:$axis)>;
def DNN_SqueezeOp : DNN_ReshapeLikeOp<"squeeze", "Removes unit dims `axes`.",
    (ins DenseI64ArrayAttr:$axes)>;
def DNN_UnsqueezeOp : DNN_ReshapeLikeOp<"unsqueeze",
    "Inserts unit dims at `axes` (positions in the result).",
    (ins DenseI64ArrayAttr:$axes)>;

def DNN_TransposeOp : DNN_Op<"transpose", [Pure]> {
  let summary = "permutes dims";
  let description = [{
    Result dim i is input dim perm[i].

    ```mlir
    %y = dnn.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DNN_ConcatOp : DNN_Op<"concat", [Pure]> {
  let summary = "concatenation along an axis";
  let description = [{
    ```mlir
    %y = dnn.concat %a, %b {axis = 1 : i64}
         : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
    ```
  }];
  let arguments = (ins Variadic<DNN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DNN_SplitOp : DNN_Op<"split", [Pure]> {
  let summary = "splits a tensor along an axis";
  let description = [{
    Result i takes the next result-dim-size slice along `axis`.

    ```mlir
    %a, %b = dnn.split %x {axis = 1 : i64}
             : tensor<1x5xf32> -> (tensor<1x2xf32>, tensor<1x3xf32>)
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, I64Attr:$axis);
  let results = (outs Variadic<DNN_Tensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($outputs)";
  let hasVerifier = 1;
}

def DNN_SliceOp : DNN_Op<"slice", [Pure, AttrSizedOperandSegments]> {
  let summary = "strided slice with one (start, step) per dim";
  let description = [{
    Normalized ONNX Slice: `starts` and `steps` have one entry per dim; the
    result shape gives the count. Negative steps walk backwards.

    With run-time dims or bounds, the `start_values` and `end_values`
    operands (1-D i64, one entry per dim) replace `starts`: they are ONNX's
    raw bounds (negative counts from the end, out of range clamps), resolved
    against the input dims at run time.

    ```mlir
    %y = dnn.slice %x {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>}
         : tensor<2x8xf32> -> tensor<2x4xf32>
    %z = dnn.slice %x bounds %s, %e {starts = array<i64: 0, 0>,
           steps = array<i64: 1, 1>} : tensor<?x8xf32>, tensor<2xi64>,
           tensor<2xi64> -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$steps,
                   Optional<RankedTensorOf<[I64]>>:$start_values,
                   Optional<RankedTensorOf<[I64]>>:$end_values);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $input (`bounds` $start_values^ `,` $end_values)? attr-dict `:`
    type(operands) `->` type($output)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$type, "::mlir::Value":$input,
                   "::mlir::DenseI64ArrayAttr":$starts,
                   "::mlir::DenseI64ArrayAttr":$steps), [{
      build($_builder, $_state, type, input, starts, steps, ::mlir::Value(),
            ::mlir::Value());
    }]>
  ];
  let extraClassDeclaration = [{
    /// Bounds are resolved at run time.
    bool isRuntime() { return static_cast<bool>(getStartValues()); }
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DNN_GatherOp : DNN_Op<"gather", [Pure]> {
  let summary = "gathers slices along an axis (ONNX Gather)";
  let description = [{
    Result shape: data.shape[:axis] + indices.shape + data.shape[axis+1:].
    Negative indices count from the end.

    ```mlir
    %y = dnn.gather %x, %i {axis = 0 : i64}
         : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$data, DNN_IndexTensor:$indices,
                   I64Attr:$axis);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DNN_GatherElementsOp : DNN_Op<"gather_elements", [Pure]> {
  let summary = "gathers elements along an axis (ONNX GatherElements)";
  let description = [{
    `out[i0, .., ik, ..] = data[i0, .., indices[i0, .., ik, ..], ..]` with
    the index replacing dim `axis`; the result has the shape of `indices`.
    Negative indices count from the end.

    ```mlir
    %y = dnn.gather_elements %x, %i {axis = 1 : i64}
         : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$data, DNN_IndexTensor:$indices,
                   I64Attr:$axis);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class DNN_ScatterOp<string mnemonic, string desc> : DNN_Op<mnemonic, [Pure]> {
  let summary = mnemonic # " (ONNX scatter family)";
  let description = desc # [{

    `reduction` is one of none, add, mul, max, min; with none, later updates
    to the same element win.

    ```mlir
    %y = dnn.}] # mnemonic # [{ %data, %indices, %updates {...}
         : (tensor<3x3xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<3x3xf32>
    ```
  }];
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_GatherNDOp : DNN_Op<"gather_nd", [Pure]> {
  let summary = "gathers slices at index tuples (ONNX GatherND)";
  let description = [{
    `indices` [b..., g..., m] (i64) hold tuples of m indices into the dims
    after the `batch_dims` leading dims of `data`; the result is
    [b..., g..., rest...] with rest the data dims after b + m. `m` is given
    (it may be a run-time dim of `indices`). Negative indices count from the
    end.

    ```mlir
    %y = dnn.gather_nd %d, %i {batch_dims = 0 : i64, tuple_size = 2 : i64}
         : (tensor<2x2xf32>, tensor<3x2xi64>) -> tensor<3xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$data, RankedTensorOf<[I64]>:$indices,
                   I64Attr:$batch_dims, I64Attr:$tuple_size);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_ScatterElementsOp : DNN_ScatterOp<"scatter_elements",
    "Writes `updates[i...]` to `data` at the position of `i...` with dim `axis` replaced by `indices[i...]`."> {
  let arguments = (ins DNN_Tensor:$data, DNN_IndexTensor:$indices,
                   DNN_Tensor:$updates, I64Attr:$axis, StrAttr:$reduction);
}

def DNN_ScatterNDOp : DNN_ScatterOp<"scatter_nd",
    "Writes the slice `updates[i]` to `data[indices[i]]` for every index tuple `indices[i]` (last dim of `indices`)."> {
  let arguments = (ins DNN_Tensor:$data, DNN_IndexTensor:$indices,
                   DNN_Tensor:$updates, StrAttr:$reduction);
}

def DNN_PadOp : DNN_Op<"pad", [Pure]> {
  let summary = "pads with a constant, edge or reflect values";
  let description = [{
    Pads are [begin..., end...] and non-negative.

    ```mlir
    %y = dnn.pad %x {mode = "constant", pads = array<i64: 0, 1, 0, 1>,
           value = 0.0 : f64} : tensor<2x2xf32> -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DenseI64ArrayAttr:$pads,
                   StrAttr:$mode, F64Attr:$value);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DNN_ExpandOp : DNN_Op<"expand", [Pure]> {
  let summary = "broadcasts to the result shape";
  let description = [{
    ```mlir
    %y = dnn.expand %x : tensor<1x4xf32> -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DNN_TileOp : DNN_Op<"tile", [Pure]> {
  let summary = "repeats the input along each dim";
  let description = [{
    ```mlir
    %y = dnn.tile %x {repeats = array<i64: 2, 1>} : tensor<2x3xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DNN_ConstantOfShapeOp : DNN_Op<"constant_of_shape", [Pure]> {
  let summary = "a tensor of a run-time shape filled with one value";
  let description = [{
    ONNX ConstantOfShape when the shape is only known at run time (a
    constant shape folds to an `arith.constant`). The result has one dim per
    entry of `shape`; dims static in the result type must agree.

    ```mlir
    %y = dnn.constant_of_shape %s {value = 0.0 : f32}
         : tensor<2xi64> -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I64]>:$shape, TypedAttrInterface:$value);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = "$shape attr-dict `:` type($shape) `->` type($output)";
  let hasVerifier = 1;
}

def DNN_RangeOp : DNN_Op<"range", [Pure]> {
  let summary = "start, start + delta, ... up to limit (run-time bounds)";
  let description = [{
    ONNX Range on run-time scalars: max(ceil((limit - start) / delta), 0)
    elements `start + i * delta` (constant bounds fold at import).

    ```mlir
    %y = dnn.range %start, %limit, %delta
         : tensor<f32>, tensor<f32>, tensor<f32> -> tensor<?xf32>
    ```
  }];
  let arguments = (ins DNN_Tensor:$start, DNN_Tensor:$limit, DNN_Tensor:$delta);
  let results = (outs DNN_Tensor:$output);
  let assemblyFormat = [{
    $start `,` $limit `,` $delta attr-dict `:` type($start) `,` type($limit)
    `,` type($delta) `->` type($output)
  }];
  let hasVerifier = 1;
}

def DNN_NonZeroOp : DNN_Op<"non_zero", [Pure]> {
  let summary = "indices of the non-zero elements (ONNX NonZero)";
  let description = [{
    A [rank, count] i64 tensor of the row-major positions of the non-zero
    elements; count is known only at run time.

    ```mlir
    %y = dnn.non_zero %x : tensor<2x3xi1> -> tensor<2x?xi64>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DNN_NonMaxSuppressionOp : DNN_Op<"non_max_suppression", [Pure]> {
  let summary = "greedy non-maximum suppression per batch and class";
  let description = [{
    ONNX NonMaxSuppression: `boxes` [B, S, 4] (corners [y1, x1, y2, x2] in
    either order, or with `center_point_box` [xc, yc, w, h]), `scores`
    [B, C, S]. Per (batch, class), boxes scoring above `score_threshold`
    are taken greedily by descending score (ties: lower index first), each
    suppressing the remaining boxes whose IoU with it exceeds
    `iou_threshold`, until `max_output` boxes are taken. The thresholds and
    `max_output` are rank-0 tensors (run-time values). The result is
    [count, 3] i64 rows (batch, class, box), count known at run time.

    ```mlir
    %y = dnn.non_max_suppression %b, %s, %m, %iou, %st {center_point_box = false}
         : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<i64>, tensor<f32>,
            tensor<f32>) -> tensor<?x3xi64>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$boxes,
                   RankedTensorOf<[AnyFloat]>:$scores,
                   0DTensorOf<[I64]>:$max_output,
                   0DTensorOf<[AnyFloat]>:$iou_threshold,
                   0DTensorOf<[AnyFloat]>:$score_threshold,
                   BoolAttr:$center_point_box);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = [{
    $boxes `,` $scores `,` $max_output `,` $iou_threshold `,` $score_threshold
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_DetOp : DNN_Op<"det", [Pure]> {
  let summary = "determinants of a batch of square matrices";
  let description = [{
    [B, M, M] -> [B] (ONNX Det with the batch dims flattened), by LU
    elimination with partial pivoting.

    ```mlir
    %y = dnn.det %x : tensor<3x2x2xf32> -> tensor<3xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$input);
  let results = (outs RankedTensorOf<[AnyFloat]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DNN_UniqueOp : DNN_Op<"unique", [Pure]> {
  let summary = "the distinct rows of a matrix (ONNX Unique's index maps)";
  let description = [{
    For an [N, R] input (ONNX Unique's slices along its axis, flattened):
    `first` [K] i64 holds the index of the first occurrence of each distinct
    row, in order of first occurrence or, with `sorted`, ascending
    (lexicographically); `inverse` [N] i64 the position in `first` of each
    row's value; `counts` [K] i64 how often each value occurs. K is known at
    run time.

    ```mlir
    %f, %i, %c = dnn.unique %x {sorted = true}
        : tensor<6x1xf32> -> (tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, BoolAttr:$sorted);
  let results = (outs RankedTensorOf<[I64]>:$first,
                      RankedTensorOf<[I64]>:$inverse,
                      RankedTensorOf<[I64]>:$counts);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` `(` type($first) `,` type($inverse)
    `,` type($counts) `)`
  }];
  let hasVerifier = 1;
}

def DNN_TfIdfVectorizerOp : DNN_Op<"tfidf_vectorizer", [Pure]> {
  let summary = "n-gram counts of integer token rows (ONNX TfIdfVectorizer)";
  let description = [{
    For each row of the [B, N] i64 input, counts the occurrences of each
    n-gram of the pool: gram g is `gram_lengths[g]` tokens of `pool` (the
    grams' tokens concatenated in order); an n-gram with n > 1 matches
    tokens i, i + k, i + 2k, ... for each k = 1 .. max_skip_count + 1 (a
    unigram counts once per position). Column `gram_indexes[g]` of the
    [B, K] f32 result gets the count (TF), `weights[g]` when the count is
    non-zero (IDF), or their product (TFIDF).

    ```mlir
    %y = dnn.tfidf_vectorizer %x {pool = array<i64: 5, 6, 7>,
           gram_lengths = array<i64: 1, 2>, gram_indexes = array<i64: 0, 1>,
           weights = array<f32: 1.0, 1.0>, max_skip_count = 0 : i64,
           mode = "TF"} : tensor<2x6xi64> -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I64]>:$input, DenseI64ArrayAttr:$pool,
                   DenseI64ArrayAttr:$gram_lengths,
                   DenseI64ArrayAttr:$gram_indexes, DenseF32ArrayAttr:$weights,
                   I64Attr:$max_skip_count, StrAttr:$mode);
  let results = (outs RankedTensorOf<[F32]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DNN_RoiAlignOp : DNN_Op<"roi_align", [Pure]> {
  let summary = "bilinear pooling of regions of interest (ONNX RoiAlign)";
  let description = [{
    `input` [N, C, H, W], `rois` [R, 4] boxes (x1, y1, x2, y2) in input
    coordinates times `spatial_scale`, `batch_indices` [R] i64. Each of the
    [output_height, output_width] bins of a box averages (or, `max`, takes
    the largest weighted corner of) a grid of bilinear samples:
    `sampling_ratio` per bin side, or ceil(box size / bins) when 0.
    `half_pixel` shifts the box by -0.5 pixel; otherwise boxes are at least
    one pixel wide and high (legacy `output_half_pixel`).

    ```mlir
    %y = dnn.roi_align %x, %rois, %idx {half_pixel = true, max = false,
           output_height = 5 : i64, output_width = 5 : i64,
           sampling_ratio = 2 : i64, spatial_scale = 1.0 : f64}
         : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>)
           -> tensor<3x1x5x5xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$input,
                   RankedTensorOf<[AnyFloat]>:$rois,
                   RankedTensorOf<[I64]>:$batch_indices,
                   I64Attr:$output_height, I64Attr:$output_width,
                   I64Attr:$sampling_ratio, F64Attr:$spatial_scale,
                   BoolAttr:$half_pixel, BoolAttr:$max);
  let results = (outs RankedTensorOf<[AnyFloat]>:$output);
  let assemblyFormat = [{
    $input `,` $rois `,` $batch_indices attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_ShapeOp : DNN_Op<"shape", [Pure]> {
  let summary = "the shape of a tensor as an i64 tensor";
  let description = [{
    Dims [start, end) of the input's shape; folds to a constant for static
    shapes.

    ```mlir
    %s = dnn.shape %x {start = 0 : i64, end = 2 : i64}
         : tensor<1x3x4xf32> -> tensor<2xi64>
    ```
  }];
  let arguments = (ins DNN_Tensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

include "dnnc/Dialect/DNN/IR/DNNSequenceOps.td"
include "dnnc/Dialect/DNN/IR/DNNStringOps.td"

#endif // DNNC_DIALECT_DNN_IR_DNNOPS_TD
