// RUN: dnnc-opt %s --split-input-file --dnnc-unshare-empty-tensors | FileCheck %s
// Every use of a tensor.empty, and every writer of a fill of one, gets its
// own clone right before it: no two ops write into one shared tensor (which
// one-shot bufferization would resolve with copies), and each buffer starts
// where it is first needed.

// CHECK-LABEL: func @shared_zeros
// CHECK-NOT: linalg.fill
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[Z1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4x8xf32>)
// CHECK: %[[M1:.*]] = linalg.matmul ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x8xf32>) outs(%[[Z1]] : tensor<4x8xf32>)
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[Z2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<4x8xf32>)
// CHECK: linalg.matmul ins(%[[M1]], %arg1 : tensor<4x8xf32>, tensor<8x8xf32>) outs(%[[Z2]] : tensor<4x8xf32>)
func.func @shared_zeros(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m1 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m2 = linalg.matmul ins(%m1, %b : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m2 : tensor<4x8xf32>
}

// -----

// A fill that is also read keeps the read; a loop that carries it is a
// writer. The empty tensor of two generics splits in two.
// CHECK-LABEL: func @read_and_loop
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<16xf32>
// CHECK: %[[Z0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] : tensor<16xf32>)
// CHECK: %[[EA:.*]] = tensor.empty() : tensor<16xf32>
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%[[Z0]] : tensor<16xf32>) outs(%[[EA]] : tensor<16xf32>)
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<16xf32>
// CHECK: %[[Z1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<16xf32>)
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[Z1]])
// CHECK: %[[EB:.*]] = tensor.empty() : tensor<16xf32>
// CHECK: linalg.generic {{.*}} outs(%[[EB]] : tensor<16xf32>)
#id = affine_map<(d0) -> (d0)>
func.func @read_and_loop(%x: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%z : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<16xf32>
  %l = scf.for %i = %c0 to %c4 step %c1 iter_args(%t = %z) -> (tensor<16xf32>) {
    %v = tensor.insert %zero into %t[%i] : tensor<16xf32>
    scf.yield %v : tensor<16xf32>
  }
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<16xf32>
  return %g, %l, %h : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
}
