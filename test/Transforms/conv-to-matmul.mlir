// RUN: dnnc-opt %s --split-input-file --dnnc-conv-to-matmul | FileCheck %s
// Convolutions become matmuls: 1x1 stride-1 batch-1 ones directly on the
// reshaped input, others through an im2col tensor.

// CHECK-LABEL: func @pointwise
func.func @pointwise(%x: tensor<1x8x4x4xf32>, %w: tensor<16x8x1x1xf32>, %init: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  // CHECK-DAG: %[[W:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<16x8x1x1xf32> into tensor<16x8xf32>
  // CHECK-DAG: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<1x8x4x4xf32> into tensor<8x16xf32>
  // CHECK: %[[MM:.*]] = linalg.matmul ins(%[[W]], %[[X]] : tensor<16x8xf32>, tensor<8x16xf32>)
  // CHECK: tensor.expand_shape %[[MM]]
  // CHECK-NOT: linalg.conv
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// CHECK-LABEL: func @im2col
func.func @im2col(%x: tensor<1x3x6x6xf32>, %w: tensor<4x3x3x3xf32>, %init: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  // The im2col copy gathers [C*KH*KW, OH*OW] columns; the contraction is a
  // generic matmul over it.
  // CHECK: %[[COL:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x3x6x6xf32>) outs(%{{.*}} : tensor<1x27x16xf32>)
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[COL]] : tensor<4x27xf32>, tensor<1x27x16xf32>)
  // CHECK: arith.mulf
  // CHECK: arith.addf
  // CHECK-NOT: linalg.conv
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<1x3x6x6xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func @strided_pointwise_uses_im2col
func.func @strided_pointwise_uses_im2col(%x: tensor<1x8x4x4xf32>, %w: tensor<16x8x1x1xf32>, %init: tensor<1x16x2x2xf32>) -> tensor<1x16x2x2xf32> {
  // CHECK: tensor<1x8x4xf32>
  // CHECK-NOT: linalg.conv
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
       ins(%x, %w : tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x2x2xf32>) -> tensor<1x16x2x2xf32>
  return %0 : tensor<1x16x2x2xf32>
}
