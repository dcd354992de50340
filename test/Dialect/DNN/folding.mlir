// RUN: dnnc-opt %s --split-input-file --canonicalize | FileCheck %s
// Folders evaluate integer shape arithmetic and remove identities;
// canonicalization turns the reshape family into dnn.reshape.

// CHECK-LABEL: func @shape_arithmetic
func.func @shape_arithmetic(%x: tensor<2x3x4xf32>) -> tensor<2xi64> {
  // shape -> gather -> concat folds to a constant vector.
  // CHECK: %[[C:.*]] = arith.constant dense<[3, -1]> : tensor<2xi64>
  // CHECK-NOT: dnn.
  // CHECK: return %[[C]]
  %s = dnn.shape %x {start = 0 : i64, end = 3 : i64} : tensor<2x3x4xf32> -> tensor<3xi64>
  %i = arith.constant dense<[1]> : tensor<1xi64>
  %g = dnn.gather %s, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %m = arith.constant dense<[-1]> : tensor<1xi64>
  %c = dnn.concat %g, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %c : tensor<2xi64>
}

// -----

// CHECK-LABEL: func @integer_arith
func.func @integer_arith() -> tensor<2xi64> {
  // CHECK: arith.constant dense<[7, 2]> : tensor<2xi64>
  %a = arith.constant dense<[6, 9]> : tensor<2xi64>
  %b = arith.constant dense<[2, 3]> : tensor<2xi64>
  %c = arith.constant dense<1> : tensor<2xi64>
  %d = dnn.div %a, %b : tensor<2xi64>, tensor<2xi64>
  %m = dnn.mul %d, %c : tensor<2xi64>, tensor<2xi64>
  %s = dnn.sub %m, %c : tensor<2xi64>, tensor<2xi64>
  %e = arith.constant dense<[5, 0]> : tensor<2xi64>
  %r = dnn.add %s, %e : tensor<2xi64>, tensor<2xi64>
  return %r : tensor<2xi64>
}

// -----

// CHECK-LABEL: func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @identities(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // x + 0, x * 1, identity transpose, same-type cast/reshape and an
  // unbounded clip all fold to x.
  // CHECK-NOT: dnn.
  // CHECK: return %[[X]]
  %z = arith.constant dense<0.0> : tensor<3xf32>
  %o = arith.constant dense<1.0> : tensor<2x3xf32>
  %0 = dnn.add %x, %z : tensor<2x3xf32>, tensor<3xf32>
  %1 = dnn.mul %0, %o : tensor<2x3xf32>, tensor<2x3xf32>
  %2 = dnn.transpose %1 {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = dnn.cast %2 : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = dnn.reshape %3 : tensor<2x3xf32> -> tensor<2x3xf32>
  %5 = dnn.clip %4 : tensor<2x3xf32>
  return %5 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @broadcasting_add_of_zero_is_kept
func.func @broadcasting_add_of_zero_is_kept(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  // x + 0 changes the shape here: not an identity.
  // CHECK: dnn.add
  %z = arith.constant dense<0.0> : tensor<2x3xf32>
  %0 = dnn.add %x, %z : tensor<3xf32>, tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reshape_family
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x1x1xf32>)
func.func @reshape_family(%x: tensor<1x8x1x1xf32>) -> tensor<8x1xf32> {
  // flatten/squeeze/unsqueeze become reshapes, and reshape chains collapse.
  // CHECK: %[[R:.*]] = dnn.reshape %[[X]] : tensor<1x8x1x1xf32> -> tensor<8x1xf32>
  // CHECK-NEXT: return %[[R]]
  %0 = dnn.flatten %x {axis = 1 : i64} : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
  %1 = dnn.squeeze %0 {axes = array<i64: 0>} : tensor<1x8xf32> -> tensor<8xf32>
  %2 = dnn.unsqueeze %1 {axes = array<i64: 1>} : tensor<8xf32> -> tensor<8x1xf32>
  return %2 : tensor<8x1xf32>
}

// -----

// CHECK-LABEL: func @constant_reshapes
func.func @constant_reshapes() -> (tensor<2x2xf32>, tensor<2xi64>, tensor<3x2xi32>) {
  // CHECK-DAG: arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  // CHECK-DAG: arith.constant dense<[2, 0]> : tensor<2xi64>
  // CHECK-DAG: arith.constant dense<7> : tensor<3x2xi32>
  // CHECK-NOT: dnn.
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = dnn.reshape %c : tensor<4xf32> -> tensor<2x2xf32>
  %v = arith.constant dense<[0, 1, 2]> : tensor<3xi64>
  %1 = dnn.slice %v {starts = array<i64: 2>, steps = array<i64: -2>} : tensor<3xi64> -> tensor<2xi64>
  %s = arith.constant dense<7> : tensor<2xi32>
  %2 = dnn.expand %s : tensor<2xi32> -> tensor<3x2xi32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<2xi64>, tensor<3x2xi32>
}

// -----

// CHECK-LABEL: func @cast_constants
func.func @cast_constants() -> (tensor<2xf32>, tensor<2xf64>) {
  // Integer sizes become floats at compile time (e.g. window functions).
  // CHECK-DAG: arith.constant dense<[4.000000e+00, -1.000000e+00]> : tensor<2xf32>
  // CHECK-DAG: arith.constant dense<[1.500000e+00, 2.500000e+00]> : tensor<2xf64>
  // CHECK-NOT: dnn.cast
  %i = arith.constant dense<[4, -1]> : tensor<2xi64>
  %0 = dnn.cast %i : tensor<2xi64> -> tensor<2xf32>
  %f = arith.constant dense<[1.5, 2.5]> : tensor<2xf32>
  %1 = dnn.cast %f : tensor<2xf32> -> tensor<2xf64>
  return %0, %1 : tensor<2xf32>, tensor<2xf64>
}
