// RUN: dnnc-opt %s --dnnc-plan-buffers | FileCheck %s
// Static buffers freed in the function's body share one arena: a buffer
// allocated after another was freed takes its place, buffers live at the
// same time do not overlap.

// CHECK-LABEL: func @plan
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<6144xi8>
// x (4 KB) at 0; y (2 KB) at 4096, while x lives; z (4 KB) at 0 again,
// after x was freed.
// CHECK: %[[X:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<6144xi8> to memref<1024xf32>
// CHECK: linalg.fill {{.*}} outs(%[[X]] : memref<1024xf32>)
// CHECK: %[[Y:.*]] = memref.view %[[ARENA]][%c4096{{.*}}][] : memref<6144xi8> to memref<512xf32>
// CHECK: %[[Z:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<6144xi8> to memref<1024xf32>
// The run-time sized buffer and the returned one stay allocations.
// CHECK: %[[D:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.dealloc %[[D]]
// CHECK: %[[R:.*]] = memref.alloc() : memref<8xf32>
// CHECK-NOT: memref.dealloc %[[R]]
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return %[[R]]
func.func @plan(%n: index, %out: memref<512xf32>) -> memref<8xf32> {
  %c = arith.constant 1.0 : f32
  %x = memref.alloc() : memref<1024xf32>
  linalg.fill ins(%c : f32) outs(%x : memref<1024xf32>)
  %y = memref.alloc() : memref<512xf32>
  %xs = memref.subview %x[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
  memref.copy %xs, %y : memref<512xf32, strided<[1]>> to memref<512xf32>
  memref.dealloc %x : memref<1024xf32>
  %z = memref.alloc() : memref<1024xf32>
  %zs = memref.subview %z[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
  memref.copy %y, %zs : memref<512xf32> to memref<512xf32, strided<[1]>>
  memref.dealloc %y : memref<512xf32>
  memref.copy %zs, %out : memref<512xf32, strided<[1]>> to memref<512xf32>
  memref.dealloc %z : memref<1024xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%c : f32) outs(%d : memref<?xf32>)
  memref.dealloc %d : memref<?xf32>
  %r = memref.alloc() : memref<8xf32>
  linalg.fill ins(%c : f32) outs(%r : memref<8xf32>)
  return %r : memref<8xf32>
}
