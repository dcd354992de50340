// RUN: dnnc-opt %s --dnnc-hoist-allocas | FileCheck %s
// Static allocas inside loops move to the entry block (an alloca in a loop
// grows the stack on every iteration); inside an OpenMP parallel region, to
// the region's entry, so that each thread has its own.

// CHECK-LABEL: func @in_loop
func.func @in_loop(%n: index, %out: memref<16xf32>) {
  // CHECK-NEXT: memref.alloca() : memref<vector<16xf32>>
  // CHECK: scf.for
  // CHECK-NOT: memref.alloca
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %a = memref.alloca() : memref<vector<16xf32>>
    %v = memref.load %a[] : memref<vector<16xf32>>
    vector.store %v, %out[%c0] : memref<16xf32>, vector<16xf32>
  }
  return
}

// CHECK-LABEL: func @dynamic_stays
func.func @dynamic_stays(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // CHECK: scf.for
  // CHECK: memref.alloca(%{{.*}}) : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %a = memref.alloca(%i) : memref<?xf32>
  }
  return
}

// CHECK-LABEL: func @in_parallel_region
// CHECK-NOT: memref.alloca
// CHECK: omp.parallel {
// CHECK-NEXT: memref.alloca() : memref<vector<16xf32>>
// CHECK: omp.wsloop
// CHECK-NOT: memref.alloca
func.func @in_parallel_region(%n: index, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        %a = memref.alloca() : memref<vector<16xf32>>
        %v = memref.load %a[] : memref<vector<16xf32>>
        vector.store %v, %out[%c0] : memref<16xf32>, vector<16xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
