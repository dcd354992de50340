// RUN: dnnc-opt %s --split-input-file --dnnc-tile-and-vectorize | FileCheck %s
// Contractions get an 8x32x1 register tile (peeled so every tile is static)
// and become vector.contract; elementwise ops become 16-wide vector ops.

// CHECK-LABEL: func @matmul
func.func @matmul(%a: tensor<20x8xf32>, %b: tensor<8x64xf32>, %c: tensor<20x64xf32>) -> tensor<20x64xf32> {
  // 20 rows = 2 full tiles of 8 + a peeled remainder of 4.
  // CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
  // CHECK: scf.for
  // CHECK: scf.for
  // CHECK: vector.contract {{.*}} vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
  // CHECK: vector.contract {{.*}} vector<4x1xf32>, vector<1x32xf32> into vector<4x32xf32>
  // CHECK-NOT: linalg.matmul
  %0 = linalg.matmul ins(%a, %b : tensor<20x8xf32>, tensor<8x64xf32>) outs(%c : tensor<20x64xf32>) -> tensor<20x64xf32>
  return %0 : tensor<20x64xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<4x40xf32>) -> tensor<4x40xf32> {
  // 40 = 2 x 16 + 8: full vectors and one peeled vector of 8.
  // Leading unit dims are cast away: 1-D vectors.
  // CHECK: arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
  // CHECK: arith.maximumf %{{.*}}, %{{.*}} : vector<8xf32>
  // CHECK-NOT: dnnc.parallel
  %e = tensor.empty() : tensor<4x40xf32>
  %z = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
       ins(%a : tensor<4x40xf32>) outs(%e : tensor<4x40xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %z : f32
    linalg.yield %m : f32
  } -> tensor<4x40xf32>
  return %0 : tensor<4x40xf32>
}

// -----

#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// Big elementwise ops run on several threads: the outermost tile loop over
// a dim of more than one tile (dim 1: dim 0 has one) is marked; the small
// op above is not.
// CHECK-LABEL: func @big_elementwise
// CHECK: scf.for %{{.*}} = %c0 to %c256 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c1024 step %c16
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: } {dnnc.parallel}
func.func @big_elementwise(%a: tensor<1x256x1024xf32>) -> tensor<1x256x1024xf32> {
  %e = tensor.empty() : tensor<1x256x1024xf32>
  %z = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]}
       ins(%a : tensor<1x256x1024xf32>) outs(%e : tensor<1x256x1024xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x256x1024xf32>
  return %0 : tensor<1x256x1024xf32>
}

// -----

#map = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func @bool_stays_scalar
func.func @bool_stays_scalar(%a: tensor<64xi1>, %b: tensor<64xi1>) -> tensor<64xi1> {
  // i1 tensors are stored a byte per element, i1 vectors bit-packed.
  // CHECK: linalg.generic
  // CHECK-NOT: vector<
  %e = tensor.empty() : tensor<64xi1>
  %0 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]}
       ins(%a, %b : tensor<64xi1>, tensor<64xi1>) outs(%e : tensor<64xi1>) {
  ^bb0(%x: i1, %y: i1, %out: i1):
    %r = arith.andi %x, %y : i1
    linalg.yield %r : i1
  } -> tensor<64xi1>
  return %0 : tensor<64xi1>
}

// -----

// CHECK-LABEL: func @transpose_stays_scalar
func.func @transpose_stays_scalar(%a: tensor<32x48xf32>) -> tensor<48x32xf32> {
  // A permuted read is not contiguous along the innermost loop: no vectors.
  // CHECK: linalg.transpose
  // CHECK-NOT: vector.transfer_read
  %e = tensor.empty() : tensor<48x32xf32>
  %0 = linalg.transpose ins(%a : tensor<32x48xf32>) outs(%e : tensor<48x32xf32>) permutation = [1, 0]
  return %0 : tensor<48x32xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @row_reduction
func.func @row_reduction(%a: tensor<4x64xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  // Reducing along the innermost dim vectorizes (the output is broadcast
  // along it).
  // CHECK: vector.multi_reduction <add>
  %0 = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["parallel", "reduction"]}
       ins(%a : tensor<4x64xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

#lhs = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#rhs = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#out = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @im2col_contraction
func.func @im2col_contraction(%w: tensor<16x27xf32>, %col: tensor<1x27x64xf32>, %init: tensor<1x16x64xf32>) -> tensor<1x16x64xf32> {
  // The conv-as-matmul generic keeps the outer-product form (rows of the
  // weights times a row of the im2col tensor), not a dot product.
  // CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
  // CHECK-NOT: vector<8x32x1xf32>
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
       ins(%w, %col : tensor<16x27xf32>, tensor<1x27x64xf32>) outs(%init : tensor<1x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x16x64xf32>
  return %0 : tensor<1x16x64xf32>
}

// -----

// A run-time row count: the row loop is peeled at the last full tile; full
// tiles are static and vectorize, the remainder stays scalar.
// CHECK-LABEL: func @dynamic_rows
// CHECK: %[[FULL:.*]] = affine.apply
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[FULL]] step %c8
// CHECK:   vector.contract {{.*}} vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: scf.for %{{.*}} = %[[FULL]] to %{{.*}} step %c8
// CHECK:   linalg.matmul
func.func @dynamic_rows(%a: tensor<?x64xf32>, %b: tensor<64x64xf32>, %c: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x64xf32>) outs(%c : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
