// RUN: dnnc-opt %s --dnnc-lower-strided-copies | FileCheck %s
// Copies between contiguous buffers stay memref.copy (memcpy); strided ones
// become linalg.copy so that no runtime library call is needed.

// CHECK-LABEL: func @copies
func.func @copies(%a: memref<4x8xf32>, %b: memref<4x8xf32>, %c: memref<4x4xf32>) {
  // CHECK: memref.copy %{{.*}}, %{{.*}} : memref<4x8xf32> to memref<4x8xf32>
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  // CHECK: linalg.copy ins(%{{.*}} : memref<4x4xf32, strided<[8, 1]>>) outs(%{{.*}} : memref<4x4xf32>)
  %s = memref.subview %a[0, 0] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1]>>
  memref.copy %s, %c : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
  return
}
