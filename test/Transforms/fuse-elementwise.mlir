// RUN: dnnc-opt %s --dnnc-fuse-elementwise | FileCheck %s
// Elementwise generics whose result has one elementwise user fuse into it;
// the value both read is then read once.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Hard-swish, x * HardSigmoid(x), as ONNX exporters write it: one generic
// reading %x once.
// CHECK-LABEL: func @hard_swish
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<4x32xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[H:.*]] = arith.minimumf
// CHECK: arith.mulf %[[IN]], %[[H]]
// CHECK-NOT: linalg.generic
func.func @hard_swish(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %a = arith.constant 0.1666 : f32
  %b = arith.constant 0.5 : f32
  %z = arith.constant 0.0 : f32
  %o = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4x32xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %a : f32
    %1 = arith.addf %0, %b : f32
    %2 = arith.maximumf %1, %z : f32
    %3 = arith.minimumf %2, %o : f32
    linalg.yield %3 : f32
  } -> tensor<4x32xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %h : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%in: f32, %in1: f32, %out: f32):
    %0 = arith.mulf %in, %in1 : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}


// A producer with a second user, and a reduction consumer, stay apart.
// CHECK-LABEL: func @not_fused
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<4x32xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<4x32xf32>)
// CHECK: math.sqrt
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<4x32xf32>)
// CHECK: math.tanh
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<4x32xf32>)
func.func @not_fused(%x: tensor<4x32xf32>) -> (tensor<4x32xf32>, tensor<4x32xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4x32xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.exp %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.sqrt %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.tanh %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%t : tensor<4x32xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<4xf32>
  return %s, %r, %sum : tensor<4x32xf32>, tensor<4x32xf32>, tensor<4xf32>
}

// A squeeze-and-excitation gate: the sigmoid of [1, 1, 1, C] is broadcast
// by the multiply over [1, H, W, C]. Fused, it would run once per pixel;
// it stays a generic of its own, computed once per channel.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bc4 = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
// CHECK-LABEL: func @broadcast_gate_not_fused
// CHECK: math.exp {{.*}} : f32
// CHECK: linalg.yield
// CHECK-NEXT: } -> tensor<1x1x1x32xf32>
// CHECK: linalg.generic
// CHECK-NOT: math.exp
// CHECK: arith.mulf
// CHECK: } -> tensor<1x8x8x32xf32>
func.func @broadcast_gate_not_fused(%s: tensor<1x1x1x32xf32>, %x: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %one = arith.constant 1.0 : f32
  %es = tensor.empty() : tensor<1x1x1x32xf32>
  %g = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x1x1x32xf32>) outs(%es : tensor<1x1x1x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<1x1x1x32xf32>
  %ex = tensor.empty() : tensor<1x8x8x32xf32>
  %m = linalg.generic {indexing_maps = [#bc4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g, %x : tensor<1x1x1x32xf32>, tensor<1x8x8x32xf32>) outs(%ex : tensor<1x8x8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<1x8x8x32xf32>
  return %m : tensor<1x8x8x32xf32>
}

// A residual Add of two requantized contractions: the requantization of %a
// (i32 -> i8 codes) stays its own generic, for %a's kernel to store as
// bytes; everything else, %b's dequantization included, fuses into one
// generic that reads the codes of %a and the sums of %b.
#mm0 = affine_map<(d0, d1, d2) -> (d0, d2)>
#mm1 = affine_map<(d0, d1, d2) -> (d2, d1)>
#mm2 = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @residual_of_two_contractions
// CHECK: %[[A:.*]] = linalg.generic {{.*}}"reduction"
// CHECK: %[[QA:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<4x32xi32>) outs(%{{.*}} : tensor<4x32xi8>)
// CHECK: %[[B:.*]] = linalg.generic {{.*}}"reduction"
// CHECK: linalg.generic {{.*}} ins(%[[QA]], %[[B]] : tensor<4x32xi8>, tensor<4x32xi32>)
// CHECK-NOT: linalg.generic
func.func @residual_of_two_contractions(%x: tensor<4x8xi32>, %wa: tensor<8x32xi32>, %wb: tensor<8x32xi32>) -> tensor<4x32xf32> {
  %c0 = arith.constant 0 : i32
  %e32 = tensor.empty() : tensor<4x32xi32>
  %e8 = tensor.empty() : tensor<4x32xi8>
  %ef = tensor.empty() : tensor<4x32xf32>
  %init = linalg.fill ins(%c0 : i32) outs(%e32 : tensor<4x32xi32>) -> tensor<4x32xi32>
  %a = linalg.generic {indexing_maps = [#mm0, #mm1, #mm2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wa : tensor<4x8xi32>, tensor<8x32xi32>) outs(%init : tensor<4x32xi32>) {
  ^bb0(%p: i32, %q: i32, %o: i32):
    %0 = arith.muli %p, %q : i32
    %1 = arith.addi %o, %0 : i32
    linalg.yield %1 : i32
  } -> tensor<4x32xi32>
  // Requantize %a: float, then the codes (a step each, as lowered).
  %af = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x32xi32>) outs(%ef : tensor<4x32xf32>) {
  ^bb0(%in: i32, %out: f32):
    %0 = arith.sitofp %in : i32 to f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %qa = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%af : tensor<4x32xf32>) outs(%e8 : tensor<4x32xi8>) {
  ^bb0(%in: f32, %out: i8):
    %0 = arith.fptosi %in : f32 to i8
    linalg.yield %0 : i8
  } -> tensor<4x32xi8>
  // Dequantize the codes of %a (widen, convert).
  %da = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%qa : tensor<4x32xi8>) outs(%ef : tensor<4x32xf32>) {
  ^bb0(%in: i8, %out: f32):
    %0 = arith.uitofp %in : i8 to f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %b = linalg.generic {indexing_maps = [#mm0, #mm1, #mm2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wb : tensor<4x8xi32>, tensor<8x32xi32>) outs(%init : tensor<4x32xi32>) {
  ^bb0(%p: i32, %q: i32, %o: i32):
    %0 = arith.muli %p, %q : i32
    %1 = arith.addi %o, %0 : i32
    linalg.yield %1 : i32
  } -> tensor<4x32xi32>
  %db = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<4x32xi32>) outs(%ef : tensor<4x32xf32>) {
  ^bb0(%in: i32, %out: f32):
    %0 = arith.sitofp %in : i32 to f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%da, %db : tensor<4x32xf32>, tensor<4x32xf32>) outs(%ef : tensor<4x32xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %0 = arith.addf %p, %q : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  return %s : tensor<4x32xf32>
}
