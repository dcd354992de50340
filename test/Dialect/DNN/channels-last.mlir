// RUN: dnnc-opt %s --split-input-file --dnn-channels-last --dnn-fold-constants --cse | FileCheck %s
// Convolutions with constant weights run channels-last; the NHWC -> NCHW
// transposes move down through elementwise ops, concatenations and global
// pools and cancel against the next convolution's NCHW -> NHWC transpose.

// Two convs with a relu between: one transpose in, one out, weights
// re-laid out [KH, KW, C, F] at compile time.
// CHECK-LABEL: func @chain
// CHECK-DAG: %[[W1:.*]] = arith.constant dense<{{.*}}> : tensor<1x1x2x3xf32>
// CHECK-DAG: %[[W2:.*]] = arith.constant dense<{{.*}}> : tensor<3x3x3x4xf32>
// CHECK: %[[X:.*]] = dnn.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : tensor<1x2x5x5xf32> -> tensor<1x5x5x2xf32>
// CHECK: %[[C1:.*]] = dnn.conv2d_nhwc %[[X]], %[[W1]]
// CHECK-SAME: -> tensor<1x5x5x3xf32>
// CHECK: %[[R:.*]] = dnn.relu %[[C1]] : tensor<1x5x5x3xf32>
// CHECK: %[[C2:.*]] = dnn.conv2d_nhwc %[[R]], %[[W2]]
// CHECK-SAME: pads = array<i64: 1, 1, 1, 1>
// CHECK: %[[Y:.*]] = dnn.transpose %[[C2]] {perm = array<i64: 0, 3, 1, 2>} : tensor<1x5x5x4xf32> -> tensor<1x4x5x5xf32>
// CHECK: return %[[Y]]
func.func @chain(%x: tensor<1x2x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %w1 = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]]]> : tensor<3x2x1x1xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = dnn.conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x5x5xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x5x5xf32>
  %1 = dnn.relu %0 : tensor<1x3x5x5xf32>
  %2 = dnn.conv %1, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %2 : tensor<1x4x5x5xf32>
}

// -----

// The weight transpose folds: W[f, c, kh, kw] lands at [kh, kw, c, f].
// CHECK-LABEL: func @weight_layout
// CHECK: arith.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]]]> : tensor<1x1x2x2xf32>
func.func @weight_layout(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// A residual add of a channels-first value: the value takes the inverse
// transpose (once, shared with the conv that reads it) and the add runs
// channels-last; a per-channel constant [C, 1, 1] becomes [1, 1, 1, C].
// CHECK-LABEL: func @residual
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{.*}}> : tensor<1x1x1x2xf32>
// CHECK: %[[X:.*]] = dnn.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NOT: dnn.transpose
// CHECK: %[[C:.*]] = dnn.conv2d_nhwc %[[X]]
// CHECK: %[[A:.*]] = dnn.add %[[C]], %[[X]] : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>
// CHECK: %[[M:.*]] = dnn.mul %[[A]], %[[S]] : tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>
// CHECK: %[[Y:.*]] = dnn.transpose %[[M]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[Y]]
func.func @residual(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x3x3xf32>
  %s = arith.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %1 = dnn.add %0, %x : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  %2 = dnn.mul %1, %s : tensor<1x2x4x4xf32>, tensor<2x1x1xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// Depthwise convs keep their group; concat moves to the channel axis 3;
// the global pool becomes a mean over H and W.
// CHECK-LABEL: func @depthwise_concat_pool
// CHECK: dnn.conv2d_nhwc %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64
// CHECK-SAME: tensor<3x3x1x2xf32>
// CHECK: %[[CAT:.*]] = dnn.concat %{{.*}}, %{{.*}} {axis = 3 : i64} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32>
// CHECK: %[[P:.*]] = dnn.reduce_mean %[[CAT]] {axes = array<i64: 1, 2>, keepdims = true} : tensor<1x4x4x4xf32> -> tensor<1x1x1x4xf32>
// CHECK: dnn.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>} : tensor<1x1x1x4xf32> -> tensor<1x4x1x1xf32>
func.func @depthwise_concat_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x1x1xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x3x3xf32>
  %w2 = arith.constant dense<2.0> : tensor<2x2x1x1xf32>
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x4x4xf32>
  %1 = dnn.conv %x, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %2 = dnn.concat %0, %1 {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %3 = dnn.global_average_pool %2 : tensor<1x4x4x4xf32> -> tensor<1x4x1x1xf32>
  return %3 : tensor<1x4x1x1xf32>
}

// -----

// Left channels-first: run-time weights, and ops the layout does not cross
// (softmax over the channels) keep their transposes at the edge. Pooling
// runs channels-last.
// CHECK-LABEL: func @kept
// CHECK: dnn.conv %arg0, %arg1
// CHECK: %[[C:.*]] = dnn.conv2d_nhwc
// CHECK: %[[P:.*]] = dnn.max_pool %[[C]] {{{.*}}channels_last = true{{.*}}} : tensor<1x4x4x4xf32> -> tensor<1x2x2x4xf32>
// CHECK: %[[T:.*]] = dnn.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: dnn.softmax %[[T]]
func.func @kept(%x: tensor<1x4x4x4xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32> {
  %w1 = arith.constant dense<1.0> : tensor<4x4x1x1xf32>
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %2 = dnn.conv %0, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %3 = dnn.max_pool %2 {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, ceil_mode = false} : tensor<1x4x4x4xf32> -> tensor<1x4x2x2xf32>
  %4 = dnn.softmax %3 {axis = 1 : i64} : tensor<1x4x2x2xf32>
  return %4 : tensor<1x4x2x2xf32>
}

// -----

// A grouped (not depthwise) conv goes channels-last too, keeping its group;
// W[f, c, kh, kw] (c counting the group's channels) lands at [kh, kw, c, f],
// and the layout runs on into the next conv without a transpose.
// CHECK-LABEL: func @grouped
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00]]]]> : tensor<1x1x2x4xf32>
// CHECK: %[[X:.*]] = dnn.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[G:.*]] = dnn.conv2d_nhwc %[[X]], %[[W]] {{{.*}}group = 2 : i64{{.*}}} : (tensor<1x4x4x4xf32>, tensor<1x1x2x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NOT: dnn.transpose
// CHECK: dnn.conv2d_nhwc %[[G]]
func.func @grouped(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %wg = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]], [[[7.0]], [[8.0]]]]> : tensor<4x2x1x1xf32>
  %w1 = arith.constant dense<1.0> : tensor<4x4x1x1xf32>
  %0 = dnn.conv %x, %wg {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32>
  %1 = dnn.conv %0, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  return %1 : tensor<1x4x4x4xf32>
}
