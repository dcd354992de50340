// RUN: dnnc-opt %s --split-input-file --dnnc-parallel-loops | FileCheck %s
// RUN: dnnc-opt %s --split-input-file --dnnc-parallel-loops --convert-scf-to-openmp | FileCheck %s --check-prefix=OMP
// Bufferized loops marked dnnc.parallel that carry nothing become
// scf.parallel (and then an OpenMP worksharing loop); the mark is dropped.

// CHECK-LABEL: func @marked
// CHECK: scf.parallel (%[[I:.*]]) = (%c0) to (%c8) step (%c1) {
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[I]]]
// CHECK-NOT: dnnc.parallel
// OMP-LABEL: func @marked
// OMP: omp.parallel {
// OMP: omp.wsloop {
// OMP: omp.loop_nest (%[[J:.*]]) : index = (%c0) to (%c8) step (%c1) {
// OMP: memref.store %{{.*}}, %{{.*}}[%[[J]]]
func.func @marked(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %v = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %v, %out[%i] : memref<8xf32>
  } {dnnc.parallel}
  return
}

// -----

// Unmarked loops, loops that still carry a value and marked loops nested in
// a parallel one stay sequential.
// CHECK-LABEL: func @stays
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK-NOT: dnnc.parallel
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.for
// CHECK-NOT: scf.parallel
// CHECK-NOT: dnnc.parallel
func.func @stays(%out: memref<8x8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %v = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      memref.store %v, %out[%i, %j] : memref<8x8xf32>
    } {dnnc.parallel}
  } {dnnc.parallel}
  %s = scf.for %i = %c0 to %c8 step %c1 iter_args(%a = %v) -> f32 {
    %x = memref.load %out[%i, %i] : memref<8x8xf32>
    %y = arith.addf %a, %x : f32
    scf.yield %y : f32
  } {dnnc.parallel}
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %v, %out[%i, %c0] : memref<8x8xf32>
  }
  return %s : f32
}
