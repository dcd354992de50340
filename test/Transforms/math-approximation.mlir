// RUN: dnnc-opt %s --dnnc-math-approximation | FileCheck %s
// f32 transcendental ops become polynomials (no libm calls, vectorizable).

// CHECK-LABEL: func @approx
func.func @approx(%x: vector<16xf32>, %y: f32) -> (vector<16xf32>, f32) {
  // CHECK-NOT: math.tanh
  // CHECK-NOT: math.exp
  // CHECK: math.fma
  %0 = math.tanh %x : vector<16xf32>
  %1 = math.exp %y : f32
  return %0, %1 : vector<16xf32>, f32
}
