// RUN: dnnc-opt %s --split-input-file --dnn-fuse-integer | FileCheck %s
// i32 convolutions and matmuls of widened 8-bit codes (ConvInteger,
// MatMulInteger) become dnn.qconv2d_nhwc on the codes.

// CHECK-LABEL: func @conv_integer
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xi8>)
// CHECK-NOT: dnn.and
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1], [-3]]]]> : tensor<1x1x2x1xi8>
// CHECK: %[[XT:.*]] = dnn.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[Q:.*]] = dnn.qconv2d_nhwc %[[XT]], %[[W]] {dilations = array<i64: 1, 1>, input_unsigned, input_zero_point = 9 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<1x1x2x1xi8>) -> tensor<1x4x4x1xi32>
// CHECK: %[[Y:.*]] = dnn.transpose %[[Q]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NOT: dnn.conv
// CHECK: return %[[Y]]
func.func @conv_integer(%x: tensor<1x2x4x4xi8>) -> tensor<1x1x4x4xi32> {
  %mask = arith.constant dense<255> : tensor<i32>
  %zp = arith.constant dense<9> : tensor<i32>
  %w = arith.constant dense<[[[[1]], [[-3]]]]> : tensor<1x2x1x1xi32>
  %0 = dnn.cast %x : tensor<1x2x4x4xi8> -> tensor<1x2x4x4xi32>
  %1 = dnn.and %0, %mask : tensor<1x2x4x4xi32>, tensor<i32>
  %2 = dnn.sub %1, %zp : tensor<1x2x4x4xi32>, tensor<i32>
  %3 = dnn.conv %2, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi32>, tensor<1x2x1x1xi32>) -> tensor<1x1x4x4xi32>
  return %3 : tensor<1x1x4x4xi32>
}

// -----

// Signed codes without a zero point; a [K, N] weight: a 1x1 convolution of
// a one-row image.
// CHECK-LABEL: func @matmul_integer
// CHECK: %[[IMG:.*]] = dnn.reshape %arg0 : tensor<2x3x4xi8> -> tensor<1x1x6x4xi8>
// CHECK: %[[Q:.*]] = dnn.qconv2d_nhwc %[[IMG]], %{{.*}} {{{.*}}input_zero_point = 0 : i64{{.*}}} : (tensor<1x1x6x4xi8>, tensor<1x1x4x5xi8>) -> tensor<1x1x6x5xi32>
// CHECK: %[[Y:.*]] = dnn.reshape %[[Q]] : tensor<1x1x6x5xi32> -> tensor<2x3x5xi32>
// CHECK: return %[[Y]]
func.func @matmul_integer(%a: tensor<2x3x4xi8>) -> tensor<2x3x5xi32> {
  %w = arith.constant dense<-7> : tensor<4x5xi32>
  %0 = dnn.cast %a : tensor<2x3x4xi8> -> tensor<2x3x4xi32>
  %1 = dnn.matmul %0, %w : tensor<2x3x4xi32>, tensor<4x5xi32>
  return %1 : tensor<2x3x5xi32>
}

// -----

// A weight outside 8 bits, or an input not widened from 8-bit codes, stays.
// CHECK-LABEL: func @stays_i32
// CHECK-NOT: dnn.qconv2d_nhwc
// CHECK: dnn.matmul
// CHECK: dnn.matmul
func.func @stays_i32(%a: tensor<2x4xi8>, %b: tensor<2x4xi32>) -> (tensor<2x5xi32>, tensor<2x5xi32>) {
  %wide = arith.constant dense<200> : tensor<4x5xi32>
  %w = arith.constant dense<3> : tensor<4x5xi32>
  %0 = dnn.cast %a : tensor<2x4xi8> -> tensor<2x4xi32>
  %1 = dnn.matmul %0, %wide : tensor<2x4xi32>, tensor<4x5xi32>
  %2 = dnn.matmul %b, %w : tensor<2x4xi32>, tensor<4x5xi32>
  return %1, %2 : tensor<2x5xi32>, tensor<2x5xi32>
}

// -----

// A zero point known at run time (DynamicQuantizeLinear): one 8-bit value
// widened to i32 becomes the operand `zero_point`.
// CHECK-LABEL: func @runtime_zero_point
// CHECK-SAME: (%[[A:.*]]: tensor<2x4xi8>, %[[Z:.*]]: tensor<i8>)
// CHECK: %[[ZC:.*]] = dnn.cast %[[Z]] : tensor<i8> -> tensor<i32>
// CHECK: %[[ZI:.*]] = dnn.and %[[ZC]]
// CHECK: dnn.qconv2d_nhwc %{{.*}}, %{{.*}} zero_point %[[ZI]] {{{.*}}input_unsigned, input_zero_point = 0 : i64{{.*}}} : (tensor<1x1x2x4xi8>, tensor<1x1x4x5xi8>, tensor<i32>) -> tensor<1x1x2x5xi32>
func.func @runtime_zero_point(%a: tensor<2x4xi8>, %z: tensor<i8>) -> tensor<2x5xi32> {
  %mask = arith.constant dense<255> : tensor<i32>
  %w = arith.constant dense<3> : tensor<4x5xi32>
  %0 = dnn.cast %a : tensor<2x4xi8> -> tensor<2x4xi32>
  %1 = dnn.and %0, %mask : tensor<2x4xi32>, tensor<i32>
  %2 = dnn.cast %z : tensor<i8> -> tensor<i32>
  %3 = dnn.and %2, %mask : tensor<i32>, tensor<i32>
  %4 = dnn.sub %1, %3 : tensor<2x4xi32>, tensor<i32>
  %5 = dnn.matmul %4, %w : tensor<2x4xi32>, tensor<4x5xi32>
  return %5 : tensor<2x5xi32>
}
