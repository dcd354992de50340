// RUN: dnnc-opt %s --dnnc-hoist-vector-transfers | FileCheck %s
// The accumulator tile read/written at loop-invariant indices moves out of
// the reduction loop and is carried in registers (iter_args).

// CHECK-LABEL: func @accumulate
func.func @accumulate(%a: memref<8x16xf32>, %c: memref<8x32xf32>, %b: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %f0 = arith.constant 0.0 : f32
  // The subview folds into the transfers, which then hoist.
  // CHECK: %[[INIT:.*]] = vector.transfer_read %arg1[%c0, %c0]{{.*}} : memref<8x32xf32>, vector<8x32xf32>
  // CHECK: %[[ACC:.*]] = scf.for {{.*}} iter_args(%[[V:.*]] = %[[INIT]]) -> (vector<8x32xf32>)
  // CHECK-NOT: vector.transfer_write
  // CHECK: scf.yield
  // CHECK: vector.transfer_write %[[ACC]], %arg1[%c0, %c0]
  %sub = memref.subview %c[0, 0] [8, 32] [1, 1] : memref<8x32xf32> to memref<8x32xf32, strided<[32, 1]>>
  scf.for %k = %c0 to %c16 step %c1 {
    %acc = vector.transfer_read %sub[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<8x32xf32, strided<[32, 1]>>, vector<8x32xf32>
    %bv = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true]} : memref<16x32xf32>, vector<32xf32>
    %bb = vector.broadcast %bv : vector<32xf32> to vector<8x32xf32>
    %r = arith.addf %acc, %bb : vector<8x32xf32>
    vector.transfer_write %r, %sub[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32, strided<[32, 1]>>
  }
  return
}

// Scalar loads keep their views: folded through the collapse_shape, the
// index would become a div/mod delinearization (a conv kernel's input
// broadcasts, in its innermost loop).
// CHECK-LABEL: func @scalar_load_keeps_view
// CHECK: %[[V:.*]] = memref.collapse_shape %arg0
// CHECK: memref.load %[[V]][%c1, %arg1] : memref<4x768xf32>
// CHECK-NOT: affine.delinearize_index
func.func @scalar_load_keeps_view(%a: memref<4x12x64xf32>, %i: index) -> f32 {
  %c1 = arith.constant 1 : index
  %v = memref.collapse_shape %a [[0], [1, 2]] : memref<4x12x64xf32> into memref<4x768xf32>
  %x = memref.load %v[%c1, %i] : memref<4x768xf32>
  return %x : f32
}
