// RUN: dnnc-opt %s --split-input-file --convert-dnn-to-linalg | FileCheck %s
// Norms and softmax are reductions followed by elementwise generics.

// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func @batch_norm
func.func @batch_norm(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  // One generic; the channel parameters broadcast along dim 1.
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #[[CH]], #[[CH]], #{{.*}}]
  // CHECK: math.sqrt
  %0 = dnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : tensor<1x4x2x2xf32>, tensor<4xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

// CHECK-LABEL: func @softmax
func.func @softmax(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  // max-reduce, subtract, exp-sum, divide.
  // CHECK: arith.maximumf
  // CHECK: arith.subf
  // CHECK: math.exp
  // CHECK: arith.addf
  // CHECK: math.exp
  // CHECK: arith.divf
  %0 = dnn.softmax %x {axis = 1 : i64} : tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

// CHECK-LABEL: func @layer_norm
func.func @layer_norm(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  // CHECK: iterator_types = ["parallel", "reduction"]
  // CHECK: math.rsqrt
  %0 = dnn.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func @reduce_mean_keepdims
func.func @reduce_mean_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x1xf32> {
  // CHECK: %[[N:.*]] = arith.constant 1.200000e+01 : f32
  // CHECK: iterator_types = ["parallel", "reduction", "reduction"]
  // CHECK: arith.divf %{{.*}}, %[[N]]
  // CHECK: tensor.expand_shape {{.*}} into tensor<2x1x1xf32>
  %0 = dnn.reduce_mean %x {axes = array<i64: 1, 2>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

// CHECK-LABEL: func @arg_max
func.func @arg_max(%x: tensor<2x5xf32>) -> tensor<2xi64> {
  // A two-output reduction carrying (value, index); strict > keeps the first.
  // CHECK: linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xi64>)
  // CHECK: linalg.index 1
  // CHECK: arith.cmpf ogt
  %0 = dnn.arg_max %x {axis = 1 : i64, keepdims = false, select_last_index = false} : tensor<2x5xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
