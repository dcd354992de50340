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

// Round half to even, then convert: one rounding conversion.
// CHECK-LABEL: func @round_convert
func.func @round_convert(%x: vector<16xf32>, %y: f32, %z: vector<16xf32>)
    -> (vector<16xi32>, i32, vector<16xi32>) {
  // CHECK: llvm.intr.lrint(%{{.*}}) : (vector<16xf32>) -> vector<16xi32>
  // CHECK: llvm.intr.lrint(%{{.*}}) : (f32) -> i32
  // Truncating conversions of other roundings stay.
  // CHECK: math.round
  // CHECK: arith.fptosi
  %0 = math.roundeven %x : vector<16xf32>
  %1 = arith.fptosi %0 : vector<16xf32> to vector<16xi32>
  %2 = math.roundeven %y : f32
  %3 = arith.fptosi %2 : f32 to i32
  %4 = math.round %z : vector<16xf32>
  %5 = arith.fptosi %4 : vector<16xf32> to vector<16xi32>
  return %1, %3, %5 : vector<16xi32>, i32, vector<16xi32>
}

// A clamp to integer bounds between the rounding and the conversion (a
// requantization): the rounding moves after the clamp, then joins the
// conversion. A bound that is not an integer keeps the order.
// CHECK-LABEL: func @round_clamp_convert
func.func @round_clamp_convert(%x: vector<16xf32>, %y: vector<16xf32>)
    -> (vector<16xi32>, vector<16xi32>) {
  // CHECK: %[[LO:.*]] = arith.maximumf %arg0, %{{.*}} fastmath<nnan,nsz>
  // CHECK: %[[HI:.*]] = arith.minimumf %[[LO]], %{{.*}} fastmath<nnan,nsz>
  // CHECK: llvm.intr.lrint(%[[HI]]) : (vector<16xf32>) -> vector<16xi32>
  // CHECK: math.roundeven %arg1
  // CHECK: arith.maximumf
  // CHECK: arith.fptosi
  %lo = arith.constant dense<0.0> : vector<16xf32>
  %hi = arith.constant dense<255.0> : vector<16xf32>
  %half = arith.constant dense<0.5> : vector<16xf32>
  %0 = math.roundeven %x : vector<16xf32>
  %1 = arith.maximumf %0, %lo fastmath<nnan,nsz> : vector<16xf32>
  %2 = arith.minimumf %1, %hi fastmath<nnan,nsz> : vector<16xf32>
  %3 = arith.fptosi %2 : vector<16xf32> to vector<16xi32>
  %4 = math.roundeven %y : vector<16xf32>
  %5 = arith.maximumf %4, %half : vector<16xf32>
  %6 = arith.fptosi %5 : vector<16xf32> to vector<16xi32>
  return %3, %6 : vector<16xi32>, vector<16xi32>
}
