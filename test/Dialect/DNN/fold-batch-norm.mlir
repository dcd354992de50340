// RUN: dnnc-opt %s --split-input-file --dnn-fold-batch-norm | FileCheck %s
// batch_norm(conv(x, W, b)) with constant parameters becomes one conv whose
// weights are W * s and bias (b - mean) * s + beta, s = scale/sqrt(var+eps).

// CHECK-LABEL: func @fold
func.func @fold(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  // s = scale / sqrt(var + eps) = [2, 3] / sqrt(3 + 1) = [1, 1.5].
  // W' = W * [1, 1.5]; b' = ([1, 2] - [1, 0]) * [1, 1.5] + [0.5, -1] = [0.5, 2].
  // CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>
  // CHECK-DAG: %[[B:.*]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
  // CHECK: %[[C:.*]] = dnn.conv %{{.*}}, %[[W]], %[[B]]
  // CHECK-NOT: dnn.batch_norm
  // CHECK: return %[[C]]
  %w = arith.constant dense<[[[[2.0]]], [[[4.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %scale = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %0 = dnn.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = dnn.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f32} : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func @conv_with_two_uses_is_kept
func.func @conv_with_two_uses_is_kept(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>, %p: tensor<1xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  // CHECK: dnn.conv
  // CHECK: dnn.batch_norm
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %1 = dnn.batch_norm %0, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : tensor<1x1x4x4xf32>, tensor<1xf32>
  return %0, %1 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// CHECK-LABEL: func @non_constant_weights_are_kept
func.func @non_constant_weights_are_kept(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32> {
  // CHECK: dnn.batch_norm
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %1 = dnn.batch_norm %0, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : tensor<1x1x4x4xf32>, tensor<1xf32>
  return %1 : tensor<1x1x4x4xf32>
}
