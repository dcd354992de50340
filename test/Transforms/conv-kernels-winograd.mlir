// RUN: dnnc-opt %s --split-input-file --dnnc-conv-kernels --canonicalize --cse --mlir-print-elementsattrs-with-hex-if-larger=-1 | FileCheck %s
// RUN: dnnc-opt %s --split-input-file --dnnc-conv-kernels=winograd=false --canonicalize --cse | FileCheck %s --check-prefix=DIRECT
// An ungrouped 3x3 stride-1 convolution with constant weights becomes the
// Winograd F(4x4, 3x3) form: an input transform into [36, tiles, C], the
// filter transform as a constant [36, C, F], a loop of 36 matmuls (the
// register-blocked kernel) and an output transform that adds the bias and
// applies the epilogue before its store.

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>

// CHECK-LABEL: func @winograd_bias_relu
// CHECK-SAME: %[[X:.*]]: tensor<1x12x12x16xf32>, %[[B:.*]]: tensor<32xf32>
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.batch_matmul
// The filter transform of an all-ones weight: U[a, b] = (G 1)[a] (G 1)[b],
// (G 1) = (1/4, -1/2, -1/6, 7/24, 1/8, 1); U[0, 0] = 1/16.
// CHECK-DAG: %[[U:.*]] = arith.constant dense<{{\[\[\[}}6.250000e-02, 6.250000e-02,{{.*}}> : tensor<36x16x32xf32>
// 10x10 output pixels: 3x3 tiles of 4x4 (the last row and column of tiles
// overhang), 36 transformed values of each.
// CHECK-DAG: %[[V0:.*]] = tensor.empty() : tensor<36x9x16xf32>
// Input transform: two full rows of two full tiles, 6x6 input vectors each
// (the overhanging tiles read fewer, and zeros for the rest).
// CHECK: %[[V:.*]] = scf.for {{.*}} = %c0 to %c2 step %c1 iter_args(%[[VA:.*]] = %[[V0]])
// CHECK: scf.for {{.*}} = %c0 to %c2 step %c1
// CHECK-COUNT-36: vector.transfer_read %[[X]]
// CHECK-COUNT-36: vector.transfer_write {{.*}} : vector<16xf32>, tensor<36x9x16xf32>
// The products: a loop over the 36 points of matmuls [9, 16] x [16, 32]
// on the register-blocked kernel, reading U's slice.
// CHECK: tensor.empty() : tensor<36x9x32xf32>
// CHECK: scf.for %[[P:.*]] = %c0 to %c36 step %c1
// CHECK: tensor.extract_slice %[[U]][%[[P]], 0, 0] [1, 16, 32]
// CHECK: vector.fma
// Output transform: 36 products in, the bias added, the relu, 16 stores.
// CHECK: scf.for
// CHECK: scf.for
// CHECK-COUNT-36: vector.transfer_read {{.*}} : tensor<36x9x32xf32>, vector<16xf32>
// CHECK: vector.transfer_read %[[B]]
// CHECK: arith.maximumf
// CHECK-COUNT-16: vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x10x10x32xf32>
// DIRECT-LABEL: func @winograd_bias_relu
// DIRECT-NOT: tensor<36x
// DIRECT: vector.fma
// DIRECT-NOT: tensor<36x
func.func @winograd_bias_relu(%x: tensor<1x12x12x16xf32>, %b: tensor<32xf32>) -> tensor<1x10x10x32xf32> {
  %w = arith.constant dense<1.0> : tensor<3x3x16x32xf32>
  %e = tensor.empty() : tensor<1x10x10x32xf32>
  %init = linalg.generic {indexing_maps = [#ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<32xf32>) outs(%e : tensor<1x10x10x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x10x10x32xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x12x12x16xf32>, tensor<3x3x16x32xf32>) outs(%init : tensor<1x10x10x32xf32>) -> tensor<1x10x10x32xf32>
  %zero = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x10x10x32xf32>) outs(%e : tensor<1x10x10x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x10x10x32xf32>
  return %r : tensor<1x10x10x32xf32>
}

// -----

// More output channels than one panel of the matmul kernel (2 x 16): the
// transformed weights of all 36 points are packed panel by panel, [36 x 2,
// 1, 1, C, 32], and each matmul reads its point's panels.
// CHECK-LABEL: func @winograd_packed_points
// CHECK-NOT: tensor<36x16x64xf32>
// CHECK: %[[PK:.*]] = arith.constant dense<{{.*}}> : tensor<72x1x1x16x32xf32>
// CHECK: scf.for %[[P:.*]] = %c0 to %c36 step %c1
// CHECK: %[[P2:.*]] = arith.muli %[[P]], %c2
// CHECK: %[[PANEL:.*]] = arith.addi %[[P2]],
// CHECK: vector.transfer_read %[[PK]][%[[PANEL]],
// CHECK: return
func.func @winograd_packed_points(%x: tensor<1x18x18x16xf32>) -> tensor<1x16x16x64xf32> {
  %w = arith.constant dense<0.5> : tensor<3x3x16x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x16x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x16x16x64xf32>) -> tensor<1x16x16x64xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x18x18x16xf32>, tensor<3x3x16x64xf32>) outs(%init : tensor<1x16x16x64xf32>) -> tensor<1x16x16x64xf32>
  return %c : tensor<1x16x16x64xf32>
}

// -----

// Not in the Winograd form: a strided convolution, a run-time weight, and an
// image smaller than 8x8 pixels.
// CHECK-LABEL: func @direct_only
// CHECK-NOT: tensor<36x
// CHECK: return
func.func @direct_only(%x: tensor<1x17x17x16xf32>, %x7: tensor<1x9x9x16xf32>, %wr: tensor<3x3x16x32xf32>) -> (tensor<1x8x8x32xf32>, tensor<1x15x15x32xf32>, tensor<1x7x7x32xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x16x32xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %i = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %s2 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x17x17x16xf32>, tensor<3x3x16x32xf32>) outs(%i : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %e15 = tensor.empty() : tensor<1x15x15x32xf32>
  %i15 = linalg.fill ins(%zero : f32) outs(%e15 : tensor<1x15x15x32xf32>) -> tensor<1x15x15x32xf32>
  %rt = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %wr : tensor<1x17x17x16xf32>, tensor<3x3x16x32xf32>) outs(%i15 : tensor<1x15x15x32xf32>) -> tensor<1x15x15x32xf32>
  %e7 = tensor.empty() : tensor<1x7x7x32xf32>
  %i7 = linalg.fill ins(%zero : f32) outs(%e7 : tensor<1x7x7x32xf32>) -> tensor<1x7x7x32xf32>
  %sm = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x7, %w : tensor<1x9x9x16xf32>, tensor<3x3x16x32xf32>) outs(%i7 : tensor<1x7x7x32xf32>) -> tensor<1x7x7x32xf32>
  return %s2, %rt, %sm : tensor<1x8x8x32xf32>, tensor<1x15x15x32xf32>, tensor<1x7x7x32xf32>
}
