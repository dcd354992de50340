// RUN: dnnc-opt %s --dnnc-return-owned-buffers | FileCheck %s
// Each returned memref must be a distinct allocation of the function (the
// caller frees it): arguments, views and repeated results are copied.

// CHECK-LABEL: func @owned
// CHECK-SAME: (%[[X:.*]]: memref<?xf32>)
func.func @owned(%x: memref<?xf32>) -> (memref<?xf32>, memref<?xf32>, memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  // CHECK: %[[A:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
  %a = memref.alloc(%n) : memref<?xf32>
  // The argument and the second use of %a get fresh copies.
  // CHECK: %[[C1:.*]] = memref.alloc
  // CHECK: memref.copy %[[X]], %[[C1]]
  // CHECK: %[[C2:.*]] = memref.alloc
  // CHECK: memref.copy %[[A]], %[[C2]]
  // CHECK: return %[[A]], %[[C1]], %[[C2]]
  return %a, %x, %a : memref<?xf32>, memref<?xf32>, memref<?xf32>
}
