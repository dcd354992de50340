// RUN: dnnc-opt %s --split-input-file --dnn-fuse-quantized | FileCheck %s
// dequantize -> conv/matmul/gemm -> quantize becomes integer arithmetic: a
// 2-D convolution of the 8-bit codes into i32 (dnn.qconv2d_nhwc, channels
// last), or an i32 op on the codes minus their zero points, then one scale
// (and bias) per output channel.

!qx = !quant.uniform<u8:f32, 0.5:128>
!qw = !quant.uniform<i8:f32:0, {0.25, 0.125}>
!qy = !quant.uniform<u8:f32, 2.0:10>

// CHECK-LABEL: func @conv_relu_requantized
func.func @conv_relu_requantized(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xi8> {
  // The activation's raw codes (unsigned, zero point 128) and the weights'
  // codes as [KH, KW, C, F] i8 (their zero points are 0), channels last.
  // CHECK: %[[XQ:.*]] = quant.qcast %arg0
  // CHECK: %[[CODES:.*]] = quant.scast %[[XQ]] : tensor<1x1x4x4x!quant.uniform<u8:f32, 5.000000e-01:128>> to tensor<1x1x4x4xi8>
  // CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}4, -8]]]]> : tensor<1x1x1x2xi8>
  // CHECK: %[[XT:.*]] = dnn.transpose %[[CODES]] {perm = array<i64: 0, 2, 3, 1>} : tensor<1x1x4x4xi8> -> tensor<1x4x4x1xi8>
  // CHECK: %[[Q:.*]] = dnn.qconv2d_nhwc %[[XT]], %[[W]] {dilations = array<i64: 1, 1>, input_unsigned, input_zero_point = 128 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x1xi8>, tensor<1x1x1x2xi8>) -> tensor<1x4x4x2xi32>
  // CHECK: %[[ACC:.*]] = dnn.transpose %[[Q]] {perm = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x2xi32> -> tensor<1x2x4x4xi32>
  // CHECK: %[[F:.*]] = dnn.cast %[[ACC]] : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xf32>
  // sx * sw / sy = [0.0625, 0.03125]; bias / sy = [0.5, -1].
  // CHECK: %[[M:.*]] = arith.constant dense<{{\[\[\[}}6.250000e-02]], {{\[\[}}3.125000e-02]]]> : tensor<2x1x1xf32>
  // CHECK: %[[S:.*]] = dnn.mul %[[F]], %[[M]]
  // CHECK: %[[B:.*]] = arith.constant dense<{{\[\[\[}}5.000000e-01]], {{\[\[}}-1.000000e+00]]]> : tensor<2x1x1xf32>
  // CHECK: %[[SB:.*]] = dnn.add %[[S]], %[[B]]
  // CHECK: %[[R:.*]] = dnn.round %[[SB]]
  // |acc| <= 255 * 8, so the rounded value converts to i32 exactly; the zero
  // point and the saturation apply to integers.
  // CHECK: %[[I32:.*]] = dnn.cast %[[R]] : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xi32>
  // CHECK: %[[Z:.*]] = dnn.add %[[I32]], %{{.*}} : tensor<1x2x4x4xi32>, tensor<i32>
  // The ReLU raises the lower bound to the output's zero point.
  // CHECK: %[[C:.*]] = dnn.clip %[[Z]] {max = 2.550000e+02 : f64, min = 1.000000e+01 : f64} : tensor<1x2x4x4xi32>
  // CHECK: %[[I8:.*]] = dnn.cast %[[C]] : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi8>
  // CHECK: %[[YQ:.*]] = quant.scast %[[I8]] : tensor<1x2x4x4xi8> to tensor<1x2x4x4x!quant.uniform<u8:f32, 2.000000e+00:10>>
  // CHECK: %[[Y:.*]] = quant.scast %[[YQ]]
  // CHECK-NOT: quant.dcast
  // CHECK-NOT: quant.qcast
  // CHECK-NOT: dnn.relu
  // CHECK: return %[[Y]]
  %wcodes = arith.constant dense<[[[[4]]], [[[-8]]]]> : tensor<2x1x1x1xi8>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %0 = quant.qcast %x : tensor<1x1x4x4xf32> to tensor<1x1x4x4x!qx>
  %1 = quant.dcast %0 : tensor<1x1x4x4x!qx> to tensor<1x1x4x4xf32>
  %2 = quant.scast %wcodes : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!qw>
  %3 = quant.dcast %2 : tensor<2x1x1x1x!qw> to tensor<2x1x1x1xf32>
  %4 = dnn.conv %1, %3, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %5 = dnn.relu %4 : tensor<1x2x4x4xf32>
  %6 = quant.qcast %5 : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!qy>
  %7 = quant.scast %6 : tensor<1x2x4x4x!qy> to tensor<1x2x4x4xi8>
  return %7 : tensor<1x2x4x4xi8>
}

// -----

!qx = !quant.uniform<u8:f32, 0.5:128>
!qw = !quant.uniform<i8:f32, 0.25>
!qy = !quant.uniform<u8:f32, 0.05:3>

// A clip between the conv and the quantize (ReLU6) becomes the bounds of
// the saturation: q(0) = 3 and q(6) = 6 / 0.05 + 3 = 123.
// CHECK-LABEL: func @conv_clip_requantized
func.func @conv_clip_requantized(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xi8> {
  // CHECK: dnn.qconv2d_nhwc {{.*}} -> tensor<1x4x4x1xi32>
  // CHECK: dnn.round
  // CHECK: dnn.clip %{{.*}} {max = 1.230000e+02 : f64, min = 3.000000e+00 : f64}
  // CHECK-NOT: dnn.clip
  // CHECK: return
  %wcodes = arith.constant dense<[[[[4]]]]> : tensor<1x1x1x1xi8>
  %0 = quant.qcast %x : tensor<1x1x4x4xf32> to tensor<1x1x4x4x!qx>
  %1 = quant.dcast %0 : tensor<1x1x4x4x!qx> to tensor<1x1x4x4xf32>
  %2 = quant.scast %wcodes : tensor<1x1x1x1xi8> to tensor<1x1x1x1x!qw>
  %3 = quant.dcast %2 : tensor<1x1x1x1x!qw> to tensor<1x1x1x1xf32>
  %4 = dnn.conv %1, %3 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %5 = dnn.clip %4 {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x1x4x4xf32>
  %6 = quant.qcast %5 : tensor<1x1x4x4xf32> to tensor<1x1x4x4x!qy>
  %7 = quant.scast %6 : tensor<1x1x4x4x!qy> to tensor<1x1x4x4xi8>
  return %7 : tensor<1x1x4x4xi8>
}

// -----

!qx = !quant.uniform<i8:f32, 0.5>
!qw = !quant.uniform<i8:f32, 0.25:1>

// Without a quantize after it, the accumulator is dequantized:
// acc * sx * sw + b. Weight zero points are subtracted at compile time.
// CHECK-LABEL: func @conv_float_output
func.func @conv_float_output(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  // CHECK: %[[W:.*]] = arith.constant dense<2> : tensor<1x1x1x1xi8>
  // CHECK: %[[Q:.*]] = dnn.qconv2d_nhwc %{{.*}}, %[[W]] {{{.*}}input_zero_point = 0 : i64{{.*}}} : (tensor<1x4x4x1xi8>, tensor<1x1x1x1xi8>)
  // CHECK-NOT: input_unsigned
  // CHECK: %[[ACC:.*]] = dnn.transpose %[[Q]]
  // CHECK: %[[F:.*]] = dnn.cast %[[ACC]]
  // CHECK: %[[S:.*]] = arith.constant dense<1.250000e-01> : tensor<f32>
  // CHECK: %[[M:.*]] = dnn.mul %[[F]], %[[S]]
  // CHECK: %[[B:.*]] = arith.constant dense<3.000000e+00> : tensor<1x1x1xf32>
  // CHECK: %[[Y:.*]] = dnn.add %[[M]], %[[B]]
  // CHECK: %[[R:.*]] = dnn.relu %[[Y]]
  // CHECK: return %[[R]]
  %wcodes = arith.constant dense<3> : tensor<1x1x1x1xi8>
  %b = arith.constant dense<3.0> : tensor<1xf32>
  %0 = quant.qcast %x : tensor<1x1x4x4xf32> to tensor<1x1x4x4x!qx>
  %1 = quant.dcast %0 : tensor<1x1x4x4x!qx> to tensor<1x1x4x4xf32>
  %2 = quant.scast %wcodes : tensor<1x1x1x1xi8> to tensor<1x1x1x1x!qw>
  %3 = quant.dcast %2 : tensor<1x1x1x1x!qw> to tensor<1x1x1x1xf32>
  %4 = dnn.conv %1, %3, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  %5 = dnn.relu %4 : tensor<1x1x4x4xf32>
  return %5 : tensor<1x1x4x4xf32>
}

// -----

!qa = !quant.uniform<i8:f32, 0.5:-3>
!qb = !quant.uniform<i8:f32:1, {0.5, 0.25, 1.0}>
!qy = !quant.uniform<i8:f32, 0.125>

// A matmul with weights quantized per output column: the 1x1 convolution
// of a one-row image of 4 pixels with 2 channels, on the 8-bit codes.
// CHECK-LABEL: func @matmul_per_column
func.func @matmul_per_column(%a: tensor<4x2xf32>) -> tensor<4x3xi8> {
  // CHECK: %[[CODES:.*]] = quant.scast
  // CHECK: %[[B:.*]] = arith.constant dense<{{\[\[\[\[}}1, 2, 3], [4, 5, 6]]]]> : tensor<1x1x2x3xi8>
  // CHECK: %[[IMG:.*]] = dnn.reshape %[[CODES]] : tensor<4x2xi8> -> tensor<1x1x4x2xi8>
  // The zero point -3 goes with the signed codes.
  // CHECK: %[[Q:.*]] = dnn.qconv2d_nhwc %[[IMG]], %[[B]] {{{.*}}input_zero_point = -3 : i64{{.*}}} : (tensor<1x1x4x2xi8>, tensor<1x1x2x3xi8>) -> tensor<1x1x4x3xi32>
  // CHECK: %[[ACC:.*]] = dnn.reshape %[[Q]] : tensor<1x1x4x3xi32> -> tensor<4x3xi32>
  // CHECK: %[[F:.*]] = dnn.cast %[[ACC]]
  // sa * sb / sy = [2, 1, 4] along the last dim.
  // CHECK: %[[M:.*]] = arith.constant dense<[2.000000e+00, 1.000000e+00, 4.000000e+00]> : tensor<3xf32>
  // CHECK: dnn.mul %[[F]], %[[M]]
  // CHECK: dnn.clip %{{.*}} {max = 1.270000e+02 : f64, min = -1.280000e+02 : f64}
  // CHECK-NOT: quant.dcast
  %bcodes = arith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>
  %0 = quant.qcast %a : tensor<4x2xf32> to tensor<4x2x!qa>
  %1 = quant.dcast %0 : tensor<4x2x!qa> to tensor<4x2xf32>
  %2 = quant.scast %bcodes : tensor<2x3xi8> to tensor<2x3x!qb>
  %3 = quant.dcast %2 : tensor<2x3x!qb> to tensor<2x3xf32>
  %4 = dnn.matmul %1, %3 : tensor<4x2xf32>, tensor<2x3xf32>
  %5 = quant.qcast %4 : tensor<4x3xf32> to tensor<4x3x!qy>
  %6 = quant.scast %5 : tensor<4x3x!qy> to tensor<4x3xi8>
  return %6 : tensor<4x3xi8>
}

// -----

!qa = !quant.uniform<u8:f32, 0.5:128>
!qb = !quant.uniform<i8:f32, 0.25>
!qc = !quant.uniform<i32:f32, 0.125>

// Gemm with transB: the codes are transposed at compile time; the int32 bias
// (dequantized: code * 0.125) is added in float.
// CHECK-LABEL: func @gemm_trans_b
func.func @gemm_trans_b(%a: tensor<1x2xf32>) -> tensor<1x3xf32> {
  // CHECK: %[[B:.*]] = arith.constant dense<{{\[\[\[\[}}1, 3, 5], [2, 4, 6]]]]> : tensor<1x1x2x3xi8>
  // CHECK: %[[Q:.*]] = dnn.qconv2d_nhwc %{{.*}}, %[[B]] {{.*}} -> tensor<1x1x1x3xi32>
  // CHECK: %[[ACC:.*]] = dnn.reshape %[[Q]]
  // CHECK: %[[F:.*]] = dnn.cast %[[ACC]]
  // CHECK: %[[M:.*]] = dnn.mul %[[F]]
  // CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, -1.000000e+00]> : tensor<3xf32>
  // CHECK: %[[Y:.*]] = dnn.add %[[M]], %[[C]]
  // CHECK: return %[[Y]]
  %bcodes = arith.constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %ccodes = arith.constant dense<[8, 16, -8]> : tensor<3xi32>
  %0 = quant.qcast %a : tensor<1x2xf32> to tensor<1x2x!qa>
  %1 = quant.dcast %0 : tensor<1x2x!qa> to tensor<1x2xf32>
  %2 = quant.scast %bcodes : tensor<3x2xi8> to tensor<3x2x!qb>
  %3 = quant.dcast %2 : tensor<3x2x!qb> to tensor<3x2xf32>
  %4 = quant.scast %ccodes : tensor<3xi32> to tensor<3x!qc>
  %5 = quant.dcast %4 : tensor<3x!qc> to tensor<3xf32>
  %6 = dnn.gemm %1, %3, %5 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = true} : (tensor<1x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %6 : tensor<1x3xf32>
}

// -----

!qx = !quant.uniform<u8:f32, 0.5:128>

// Weights that are not constant codes keep the float conv and its casts.
// CHECK-LABEL: func @float_weights_stay
func.func @float_weights_stay(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32> {
  // CHECK: quant.dcast
  // CHECK: dnn.conv {{.*}} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %0 = quant.qcast %x : tensor<1x1x4x4xf32> to tensor<1x1x4x4x!qx>
  %1 = quant.dcast %0 : tensor<1x1x4x4x!qx> to tensor<1x1x4x4xf32>
  %2 = dnn.conv %1, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %2 : tensor<1x1x4x4xf32>
}

// -----

!qx = !quant.uniform<u8:f32, 0.5:10>
!qw = !quant.uniform<i8:f32:0, {0.25, 0.5}>
!qy = !quant.uniform<u8:f32, 1.0:0>

// A depthwise convolution sums few products: it reads the codes
// (dnn.qdepthwise_conv2d_nhwc, between transposes that dnn-channels-last
// cancels), its weights centered as integral floats [KH, KW, C]; every
// partial sum is an integer below 2^24, so the f32 sums are exact.
// CHECK-LABEL: func @depthwise_on_codes
func.func @depthwise_on_codes(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xi8> {
  // CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00, -2.000000e+00]]]> : tensor<1x1x2xf32>
  // CHECK: %[[XT:.*]] = dnn.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : tensor<1x2x4x4xi8> -> tensor<1x4x4x2xi8>
  // CHECK: %[[ACC:.*]] = dnn.qdepthwise_conv2d_nhwc %[[XT]], %[[W]] {{{.*}}input_unsigned, input_zero_point = 10 : i64{{.*}}} : (tensor<1x4x4x2xi8>, tensor<1x1x2xf32>) -> tensor<1x4x4x2xf32>
  // CHECK: %[[Y:.*]] = dnn.transpose %[[ACC]]
  // CHECK: dnn.mul %[[Y]]
  // CHECK-NOT: dnn.qconv2d_nhwc
  %wcodes = arith.constant dense<[[[[1]]], [[[-2]]]]> : tensor<2x1x1x1xi8>
  %0 = quant.qcast %x : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!qx>
  %1 = quant.dcast %0 : tensor<1x2x4x4x!qx> to tensor<1x2x4x4xf32>
  %2 = quant.scast %wcodes : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!qw>
  %3 = quant.dcast %2 : tensor<2x1x1x1x!qw> to tensor<2x1x1x1xf32>
  %4 = dnn.conv %1, %3 {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %5 = quant.qcast %4 : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!qy>
  %6 = quant.scast %5 : tensor<1x2x4x4x!qy> to tensor<1x2x4x4xi8>
  return %6 : tensor<1x2x4x4xi8>
}

// -----

!qx = !quant.uniform<u8:f32, 0.5:10>
!qw = !quant.uniform<i8:f32:0, {0.25, 0.5}>
!qy = !quant.uniform<u8:f32, 1.0:0>

// Other grouped convolutions: the centered codes go through the f32
// convolution, which sums them exactly, and the weights become integral
// floats.
// CHECK-LABEL: func @grouped_exact_in_f32
func.func @grouped_exact_in_f32(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x4x4xi8> {
  // CHECK: %[[XI:.*]] = dnn.sub
  // CHECK: %[[XF:.*]] = dnn.cast %[[XI]] : tensor<1x4x4x4xi32> -> tensor<1x4x4x4xf32>
  // CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}3.000000e+00]]], {{\[\[\[}}-2.000000e+00]], {{\[\[}}4.000000e+00]]]]> : tensor<2x2x1x1xf32>
  // CHECK: %[[ACC:.*]] = dnn.conv %[[XF]], %[[W]] {{.*}}group = 2{{.*}} -> tensor<1x2x4x4xf32>
  // CHECK: dnn.mul %[[ACC]]
  // CHECK-NOT: dnn.qdepthwise_conv2d_nhwc
  %wcodes = arith.constant dense<[[[[1]], [[3]]], [[[-2]], [[4]]]]> : tensor<2x2x1x1xi8>
  %0 = quant.qcast %x : tensor<1x4x4x4xf32> to tensor<1x4x4x4x!qx>
  %1 = quant.dcast %0 : tensor<1x4x4x4x!qx> to tensor<1x4x4x4xf32>
  %2 = quant.scast %wcodes : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!qw>
  %3 = quant.dcast %2 : tensor<2x2x1x1x!qw> to tensor<2x2x1x1xf32>
  %4 = dnn.conv %1, %3 {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %5 = quant.qcast %4 : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!qy>
  %6 = quant.scast %5 : tensor<1x2x4x4x!qy> to tensor<1x2x4x4xi8>
  return %6 : tensor<1x2x4x4xi8>
}

// -----

!qx = !quant.uniform<u8:f32, 0.5:10>
!qw = !quant.uniform<i8:f32, 0.25:-100>

// Centered weights outside [-128, 127] (codes 100 with zero point -100)
// keep the i32 convolution of centered codes.
// CHECK-LABEL: func @wide_weights_stay_i32
func.func @wide_weights_stay_i32(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  // CHECK: %[[W:.*]] = arith.constant dense<200> : tensor<1x1x1x1xi32>
  // CHECK: dnn.conv %{{.*}}, %[[W]] {{.*}} : (tensor<1x1x4x4xi32>, tensor<1x1x1x1xi32>) -> tensor<1x1x4x4xi32>
  // CHECK-NOT: dnn.qconv2d_nhwc
  %wcodes = arith.constant dense<100> : tensor<1x1x1x1xi8>
  %0 = quant.qcast %x : tensor<1x1x4x4xf32> to tensor<1x1x4x4x!qx>
  %1 = quant.dcast %0 : tensor<1x1x4x4x!qx> to tensor<1x1x4x4xf32>
  %2 = quant.scast %wcodes : tensor<1x1x1x1xi8> to tensor<1x1x1x1x!qw>
  %3 = quant.dcast %2 : tensor<1x1x1x1x!qw> to tensor<1x1x1x1xf32>
  %4 = dnn.conv %1, %3 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %4 : tensor<1x1x4x4xf32>
}

// -----

!qx = !quant.uniform<u8:f32, 1.0e+06:128>
!qw = !quant.uniform<i8:f32, 1.0>
!qy = !quant.uniform<u8:f32, 1.0e-06:0>

// acc * sx * sw / sy can reach 127 * 128 * 1e12, far beyond i32: the
// saturation stays in float, before the conversion.
// CHECK-LABEL: func @huge_requant_scale_stays_float
func.func @huge_requant_scale_stays_float(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xi8> {
  // CHECK: %[[R:.*]] = dnn.round
  // CHECK: %[[C:.*]] = dnn.clip %[[R]] {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64} : tensor<1x1x4x4xf32>
  // CHECK: dnn.cast %[[C]] : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xi32>
  %wcodes = arith.constant dense<127> : tensor<1x1x1x1xi8>
  %0 = quant.qcast %x : tensor<1x1x4x4xf32> to tensor<1x1x4x4x!qx>
  %1 = quant.dcast %0 : tensor<1x1x4x4x!qx> to tensor<1x1x4x4xf32>
  %2 = quant.scast %wcodes : tensor<1x1x1x1xi8> to tensor<1x1x1x1x!qw>
  %3 = quant.dcast %2 : tensor<1x1x1x1x!qw> to tensor<1x1x1x1xf32>
  %4 = dnn.conv %1, %3 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %5 = quant.qcast %4 : tensor<1x1x4x4xf32> to tensor<1x1x4x4x!qy>
  %6 = quant.scast %5 : tensor<1x1x4x4x!qy> to tensor<1x1x4x4xi8>
  return %6 : tensor<1x1x4x4xi8>
}

// -----

!qw = !quant.uniform<i8:f32:1, {0.5, 0.25}>

// Float activations and dequantized constant weights: weight-only
// quantization. The signed codes become unsigned [N, K] (+128, zero points
// too), one block of K per column.
// CHECK-LABEL: func @weight_only
func.func @weight_only(%a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // CHECK: %[[W:.*]] = arith.constant dense<{{\[\[}}-127, -125], [-126, 124]]> : tensor<2x2xi8>
  // CHECK: %[[S:.*]] = arith.constant dense<{{\[\[}}5.000000e-01], [2.500000e-01]]> : tensor<2x1xf32>
  // CHECK: %[[Z:.*]] = arith.constant dense<1.280000e+02> : tensor<2x1xf32>
  // CHECK: %[[Y:.*]] = dnn.weight_quant_matmul %arg0, %[[W]], %[[S]], %[[Z]] {bits = 8 : i64, group_size = 2 : i64} : (tensor<3x2xf32>, tensor<2x2xi8>, tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<3x2xf32>
  // CHECK-NOT: quant.dcast
  // CHECK: return %[[Y]]
  %codes = arith.constant dense<[[1, 2], [3, -4]]> : tensor<2x2xi8>
  %0 = quant.scast %codes : tensor<2x2xi8> to tensor<2x2x!qw>
  %1 = quant.dcast %0 : tensor<2x2x!qw> to tensor<2x2xf32>
  %2 = dnn.matmul %a, %1 : tensor<3x2xf32>, tensor<2x2xf32>
  return %2 : tensor<3x2xf32>
}

// -----

// Max pooling of dequantized codes pools the codes (unsigned for u8): the
// qcast back to the same type is the pooled codes, and the float result,
// where something reads it, is their dcast.
!u = !quant.uniform<u8:f32, 0.05:3>
// CHECK-LABEL: func @max_pool_on_codes
func.func @max_pool_on_codes(%x: tensor<1x4x8x8x!u>) -> (tensor<1x4x4x4x!u>, tensor<1x4x4x4xf32>) {
  // CHECK: %[[C:.*]] = quant.scast %arg0 : tensor<1x4x8x8x!quant.uniform<u8:f32, 5.000000e-02:3>> to tensor<1x4x8x8xi8>
  // CHECK: %[[P:.*]] = dnn.max_pool %[[C]] {{{.*}}input_unsigned{{.*}}} : tensor<1x4x8x8xi8> -> tensor<1x4x4x4xi8>
  // CHECK: %[[Q:.*]] = quant.scast %[[P]] : tensor<1x4x4x4xi8> to tensor<1x4x4x4x!quant.uniform<u8:f32, 5.000000e-02:3>>
  // CHECK: %[[D:.*]] = quant.dcast %[[Q]]
  // CHECK-NOT: quant.qcast
  // CHECK: return %[[Q]], %[[D]]
  %d = quant.dcast %x : tensor<1x4x8x8x!u> to tensor<1x4x8x8xf32>
  %p = dnn.max_pool %d {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %q = quant.qcast %p : tensor<1x4x4x4xf32> to tensor<1x4x4x4x!u>
  return %q, %p : tensor<1x4x4x4x!u>, tensor<1x4x4x4xf32>
}

// -----

// A qcast to other parameters stays (it requantizes the pooled values);
// signed codes pool signed. Per-axis parameters along the channels pool
// too; along a spatial dim they do not.
!s = !quant.uniform<i8:f32, 0.05:-2>
!t = !quant.uniform<i8:f32, 0.1:0>
!c = !quant.uniform<i8:f32:1, {0.05, 0.1}>
!h = !quant.uniform<i8:f32:2, {0.05, 0.1, 0.2, 0.4}>
// CHECK-LABEL: func @max_pool_requantized
func.func @max_pool_requantized(%x: tensor<1x4x8x8x!s>, %y: tensor<1x2x4x4x!c>, %z: tensor<1x2x4x4x!h>) -> (tensor<1x4x4x4x!t>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  // CHECK: dnn.max_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = {{.*}} : tensor<1x4x8x8xi8> -> tensor<1x4x4x4xi8>
  // CHECK: %[[D:.*]] = quant.dcast
  // CHECK: quant.qcast %[[D]] : tensor<1x4x4x4xf32> to tensor<1x4x4x4x!quant.uniform<i8:f32, 1.000000e-01>>
  // CHECK: dnn.max_pool %{{.*}} : tensor<1x2x4x4xi8> -> tensor<1x2x2x2xi8>
  // CHECK: dnn.max_pool %{{.*}} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %d = quant.dcast %x : tensor<1x4x8x8x!s> to tensor<1x4x8x8xf32>
  %p = dnn.max_pool %d {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %q = quant.qcast %p : tensor<1x4x4x4xf32> to tensor<1x4x4x4x!t>
  %dy = quant.dcast %y : tensor<1x2x4x4x!c> to tensor<1x2x4x4xf32>
  %py = dnn.max_pool %dy {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %dz = quant.dcast %z : tensor<1x2x4x4x!h> to tensor<1x2x4x4xf32>
  %pz = dnn.max_pool %dz {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %q, %py, %pz : tensor<1x4x4x4x!t>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}
