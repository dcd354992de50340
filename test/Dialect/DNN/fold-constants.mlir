// RUN: dnnc-opt %s --split-input-file --dnn-fold-constants | FileCheck %s
// Weights are laid out for their consumer at compile time.

// CHECK-LABEL: func @gemm_pretranspose
func.func @gemm_pretranspose(%a: tensor<1x3xf32>) -> tensor<1x2xf32> {
  // transB with constant B: B is stored transposed, transB cleared.
  // CHECK: %[[B:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
  // CHECK: dnn.gemm %{{.*}}, %[[B]] {{{.*}}transB = false}
  // CHECK-NOT: dnn.transpose
  %b = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = dnn.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = true} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func @transpose_constant_3d
func.func @transpose_constant_3d() -> tensor<2x1x2xi32> {
  // CHECK: arith.constant dense<{{\[\[\[}}1, 3]], {{\[\[}}2, 4]]]> : tensor<2x1x2xi32>
  // CHECK-NOT: dnn.transpose
  %c = arith.constant dense<[[[1, 2]], [[3, 4]]]> : tensor<2x1x2xi32>
  %0 = dnn.transpose %c {perm = array<i64: 2, 1, 0>} : tensor<2x1x2xi32> -> tensor<2x1x2xi32>
  return %0 : tensor<2x1x2xi32>
}

// -----

// CHECK-LABEL: func @gemm_runtime_b_kept
func.func @gemm_runtime_b_kept(%a: tensor<1x3xf32>, %b: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // CHECK: transB = true
  %0 = dnn.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = true} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func @flip_constant
func.func @flip_constant() -> tensor<2x2xf32> {
  // A negative-step slice of a constant (a flipped kernel) is evaluated.
  // CHECK: arith.constant dense<{{\[\[}}2.000000e+00, 1.000000e+00], [4.000000e+00, 3.000000e+00]]> : tensor<2x2xf32>
  // CHECK-NOT: dnn.slice
  %c = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = dnn.slice %c {starts = array<i64: 0, 1>, steps = array<i64: 1, -1>} : tensor<2x2xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Integer arithmetic on constants (the zero points and centered weights of
// ConvInteger/MatMulInteger): casts sign-extend (booleans give 1), and,
// sub, add and mul with a single value broadcast.
// CHECK-LABEL: func @integer_constants
// CHECK-DAG: %[[W:.*]] = arith.constant dense<[-128, 0, 127]> : tensor<3xi32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<1> : tensor<2xi32>
// CHECK-NOT: dnn.
// CHECK: return %[[W]], %[[B]]
func.func @integer_constants() -> (tensor<3xi32>, tensor<2xi32>) {
  %codes = arith.constant dense<[0, -128, -1]> : tensor<3xi8>
  %mask = arith.constant dense<255> : tensor<i32>
  %zp = arith.constant dense<128> : tensor<i32>
  %0 = dnn.cast %codes : tensor<3xi8> -> tensor<3xi32>
  %1 = dnn.and %0, %mask : tensor<3xi32>, tensor<i32>
  %2 = dnn.sub %1, %zp : tensor<3xi32>, tensor<i32>
  %t = arith.constant dense<true> : tensor<2xi1>
  %3 = dnn.cast %t : tensor<2xi1> -> tensor<2xi32>
  return %2, %3 : tensor<3xi32>, tensor<2xi32>
}
