// RUN: dnnc-opt %s --split-input-file --dnnc-row-reductions --canonicalize --cse | FileCheck %s
// Reductions over the innermost dim become a loop over the rows and, per
// row, vector chunks combined into a vector accumulator, a masked chunk for
// the rest, and one horizontal reduction.

#in = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>

// sum(exp(x - m)) over rows of 37: two full chunks of 16, a masked one of
// 5 (its other lanes replaced by 0 before they are added); m is one scalar
// per row, broadcast. 2 x 3 rows x 37 x 3 ops is too little work for
// several threads.
// CHECK-LABEL: func @exp_sum
// CHECK-SAME: %[[X:.*]]: tensor<2x3x37xf32>, %[[M:.*]]: tensor<2x3x1xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: scf.for %[[R:.*]] = %c0 to %c6 step %c1 iter_args(%[[O:.*]] = %{{.*}}) -> (tensor<2x3xf32>)
// CHECK: %[[J:.*]] = arith.remui %[[R]], %c3
// CHECK: %[[I:.*]] = arith.divui %[[R]], %c3
// CHECK: %[[ACC:.*]] = scf.for %[[K:.*]] = %c0 to %c32 step %c16 iter_args(%[[A:.*]] = %[[Z]]) -> (vector<16xf32>)
// CHECK: %[[V:.*]] = vector.transfer_read %[[X]][%[[I]], %[[J]], %[[K]]], %{{.*}} {in_bounds = [true]} : tensor<2x3x37xf32>, vector<16xf32>
// CHECK: %[[S:.*]] = tensor.extract %[[M]][%[[I]], %[[J]], %c0]
// CHECK: %[[SB:.*]] = vector.broadcast %[[S]] : f32 to vector<16xf32>
// CHECK: %[[D:.*]] = arith.subf %[[V]], %[[SB]] : vector<16xf32>
// CHECK: %[[E:.*]] = math.exp %[[D]] : vector<16xf32>
// CHECK: %[[N:.*]] = arith.addf %[[A]], %[[E]] : vector<16xf32>
// CHECK: scf.yield %[[N]]
// CHECK: %[[T:.*]] = vector.transfer_read %[[X]][%[[I]], %[[J]], %c32], %{{[^ ]*}} : tensor<2x3x37xf32>, vector<16xf32>
// CHECK: %[[MASK:.*]] = vector.constant_mask [5] : vector<16xi1>
// CHECK: %[[TS:.*]] = arith.select %[[MASK]], %{{.*}}, %[[Z]]
// CHECK: %[[ALL:.*]] = arith.addf %[[ACC]], %[[TS]] : vector<16xf32>
// CHECK: %[[H:.*]] = vector.reduction <add>, %[[ALL]] : vector<16xf32> into f32
// CHECK: %[[P:.*]] = tensor.extract %[[O]][%[[I]], %[[J]]]
// CHECK: %[[Y:.*]] = arith.addf %[[P]], %[[H]] : f32
// CHECK: tensor.insert %[[Y]] into %[[O]][%[[I]], %[[J]]]
// CHECK-NOT: dnnc.parallel
// CHECK-NOT: linalg.generic
func.func @exp_sum(%x: tensor<2x3x37xf32>, %m: tensor<2x3x1xf32>) -> tensor<2x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [#in, #row, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %m : tensor<2x3x37xf32>, tensor<2x3x1xf32>) outs(%init : tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %x1 = math.exp %d : f32
    %s = arith.addf %o, %x1 : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>

// Max over 768 (48 full chunks, no masked one) of 4096 rows: the row loop
// runs on several threads. The neutral value is -inf.
// CHECK-LABEL: func @row_max
// CHECK-DAG: %[[NINF:.*]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c4096 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c768 step %c16 iter_args(%{{.*}} = %[[NINF]])
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NOT: vector.constant_mask
// CHECK: vector.reduction <maximumf>
// CHECK: } {dnnc.parallel}
func.func @row_max(%x: tensor<4096x768xf32>, %init: tensor<4096xf32>) -> tensor<4096xf32> {
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4096x768xf32>) outs(%init : tensor<4096xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %o, %a : f32
    linalg.yield %m : f32
  } -> tensor<4096xf32>
  return %r : tensor<4096xf32>
}

// -----

// Left alone: a reduction over an outer dim (a column sum), and one whose
// body reads the output elsewhere than in the combiner.
// CHECK-LABEL: func @kept
// CHECK: linalg.generic
// CHECK: linalg.generic
func.func @kept(%x: tensor<8x32xf32>, %init: tensor<32xf32>, %init8: tensor<8xf32>) -> (tensor<32xf32>, tensor<8xf32>) {
  %c = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x32xf32>) outs(%init : tensor<32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<32xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x32xf32>) outs(%init8 : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %p = arith.mulf %o, %a : f32
    %s = arith.addf %p, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %c, %d : tensor<32xf32>, tensor<8xf32>
}
