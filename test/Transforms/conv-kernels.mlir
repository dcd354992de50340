// RUN: dnnc-opt %s --split-input-file --dnnc-conv-kernels --canonicalize --cse --mlir-print-elementsattrs-with-hex-if-larger=-1 | FileCheck %s
// Channels-last convolutions become register-tiled vector loops: MR pixels x
// NV vectors of 16 channels, accumulators carried through the reduction
// loops, the bias read as the accumulators' start, elementwise consumers
// applied before the store.

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>

// CHECK-LABEL: func @conv_bias_relu
// CHECK-SAME: %[[X:.*]]: tensor<1x9x9x8xf32>, %[[W:.*]]: tensor<3x3x8x32xf32>, %[[B:.*]]: tensor<32xf32>
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.generic
// Rows of 7 pixels are half a tile: the tiles run across rows over the 49
// pixels in row-major order, 3 runs of 14 pixels x 2 vectors, then one of
// 7; pixel p is at row p / 7, column p % 7.
// CHECK: scf.for %[[U:.*]] = %c0 to %c4 step %c1
// CHECK: %[[P0:.*]] = arith.muli %[[U]], %c14
// CHECK: %[[FULL:.*]] = arith.cmpi ult, %[[U]], %c3
// CHECK: scf.if %[[FULL]]
// CHECK: arith.divui %[[P0]], %c7
// CHECK: arith.remui %[[P0]], %c7
// CHECK: vector.transfer_read %[[B]][%c0]
// CHECK: vector.transfer_read %[[B]][%c16]
// Filter rows, then columns, then input channels, carrying 28 accumulators.
// CHECK: scf.for {{.*}} = %c0 to %c3 step %c1 iter_args({{.*}}) -> ({{(vector<16xf32>, ){27}vector<16xf32>}})
// CHECK: scf.for {{.*}} = %c0 to %c3 step %c1
// CHECK: scf.for {{.*}} = %c0 to %c8 step %c1
// CHECK: %[[WV:.*]] = vector.transfer_read %[[W]]{{.*}} {in_bounds = [true]} : tensor<3x3x8x32xf32>, vector<16xf32>
// CHECK: %[[A:.*]] = tensor.extract %[[X]]
// CHECK: %[[AB:.*]] = vector.broadcast %[[A]] : f32 to vector<16xf32>
// CHECK: vector.fma %[[AB]], %[[WV]], %{{.*}} : vector<16xf32>
// The relu on the accumulators, then one store per vector.
// CHECK-COUNT-28: arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: vector.transfer_write %{{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<1x7x7x32xf32>
// The last run: 7 pixels, 14 accumulators.
// CHECK: } else {
// CHECK: scf.for {{.*}} = %c0 to %c3 step %c1 iter_args({{.*}}) -> ({{(vector<16xf32>, ){13}vector<16xf32>}})
// CHECK-COUNT-14: arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
// Too little work (0.2 MFLOP) to run on several threads.
// CHECK-NOT: dnnc.parallel
func.func @conv_bias_relu(%x: tensor<1x9x9x8xf32>, %w: tensor<3x3x8x32xf32>, %b: tensor<32xf32>) -> tensor<1x7x7x32xf32> {
  %e = tensor.empty() : tensor<1x7x7x32xf32>
  %init = linalg.generic {indexing_maps = [#ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<32xf32>) outs(%e : tensor<1x7x7x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x7x7x32xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x9x9x8xf32>, tensor<3x3x8x32xf32>) outs(%init : tensor<1x7x7x32xf32>) -> tensor<1x7x7x32xf32>
  %zero = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x7x7x32xf32>) outs(%e : tensor<1x7x7x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x7x7x32xf32>
  return %r : tensor<1x7x7x32xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// Depthwise, 24 channels: one full vector and a masked one (no in_bounds,
// so lanes past the 24th are not touched) for the 8 left; the residual input
// is read at each tile.
// CHECK-LABEL: func @depthwise_residual
// CHECK-SAME: %[[X:.*]]: tensor<1x6x6x24xf32>, %[[W:.*]]: tensor<3x3x24xf32>, %[[R:.*]]: tensor<1x4x4x24xf32>
// CHECK-NOT: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK: vector.transfer_read %[[W]]{{.*}} {in_bounds = [true]} : tensor<3x3x24xf32>, vector<16xf32>
// CHECK: vector.transfer_read %[[W]][%{{.*}}, %c0, %c16], %{{[^ ]*}} : tensor<3x3x24xf32>, vector<16xf32>
// CHECK: vector.transfer_read %[[X]]{{.*}} : tensor<1x6x6x24xf32>, vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.transfer_read %[[R]]{{.*}} {in_bounds = [true]} : tensor<1x4x4x24xf32>, vector<16xf32>
// CHECK: arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: vector.transfer_read %[[R]][%c0, %{{.*}}, %c0, %c16], %{{[^ ]*}} : tensor<1x4x4x24xf32>, vector<16xf32>
// CHECK: arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%c0, %{{.*}}, %c0, %c16] : vector<16xf32>, tensor<1x4x4x24xf32>
func.func @depthwise_residual(%x: tensor<1x6x6x24xf32>, %w: tensor<3x3x24xf32>, %res: tensor<1x4x4x24xf32>) -> tensor<1x4x4x24xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x24xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x24xf32>) -> tensor<1x4x4x24xf32>
  %c = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x6x6x24xf32>, tensor<3x3x24xf32>) outs(%init : tensor<1x4x4x24xf32>) -> tensor<1x4x4x24xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %res : tensor<1x4x4x24xf32>, tensor<1x4x4x24xf32>) outs(%e : tensor<1x4x4x24xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x24xf32>
  return %r : tensor<1x4x4x24xf32>
}

// -----

// Run-time dims and other element types are left to the generic path.
// CHECK-LABEL: func @left_alone
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x?x?x8xf32>
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x4x4x8xf64>
func.func @left_alone(%x: tensor<1x?x?x4xf32>, %w: tensor<3x3x4x8xf32>, %o: tensor<1x?x?x8xf32>,
                      %x2: tensor<1x6x6x4xf64>, %w2: tensor<3x3x4x8xf64>, %o2: tensor<1x4x4x8xf64>) -> (tensor<1x?x?x8xf32>, tensor<1x4x4x8xf64>) {
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x?x?x4xf32>, tensor<3x3x4x8xf32>) outs(%o : tensor<1x?x?x8xf32>) -> tensor<1x?x?x8xf32>
  %d = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x2, %w2 : tensor<1x6x6x4xf64>, tensor<3x3x4x8xf64>) outs(%o2 : tensor<1x4x4x8xf64>) -> tensor<1x4x4x8xf64>
  return %c, %d : tensor<1x?x?x8xf32>, tensor<1x4x4x8xf64>
}

// -----

// A static matmul runs as the 1x1 convolution of a one-row image: M pixels
// with K channels; the zero fill is the accumulators' start.
// CHECK-LABEL: func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: %[[A:.*]] = tensor.expand_shape %arg0 {{\[\[}}0, 1, 2], [3]] output_shape [1, 1, 20, 8]
// CHECK: %[[B:.*]] = tensor.expand_shape %arg1 {{\[\[}}0, 1, 2], [3]] output_shape [1, 1, 8, 24]
// CHECK: scf.for
// CHECK: tensor.extract %[[A]]
// CHECK: vector.transfer_read %[[B]]
// CHECK: vector.fma
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2], [3]] : tensor<1x1x20x24xf32> into tensor<20x24xf32>
func.func @matmul(%a: tensor<20x8xf32>, %b: tensor<8x24xf32>) -> tensor<20x24xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<20x24xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<20x24xf32>) -> tensor<20x24xf32>
  %c = linalg.matmul ins(%a, %b : tensor<20x8xf32>, tensor<8x24xf32>) outs(%init : tensor<20x24xf32>) -> tensor<20x24xf32>
  return %c : tensor<20x24xf32>
}

// -----

// Enough work (14 MFLOP) for threads: one loop over the 2 channel panels x
// 14 rows, panel-major, marked parallel.
// CHECK-LABEL: func @parallel_panels_rows
// CHECK: scf.for %[[I:.*]] = %c0 to %c28 step %c1
// CHECK-DAG: %[[R:.*]] = arith.remui %[[I]], %c14
// CHECK-DAG: %[[P:.*]] = arith.divui %[[I]], %c14
// CHECK: %[[F:.*]] = arith.muli %[[P]], %c32
// CHECK: vector.transfer_read %arg1[%{{.*}}, %{{.*}}, %{{.*}}, %[[F]]]
// CHECK: } {dnnc.parallel}
func.func @parallel_panels_rows(%x: tensor<1x16x16x64xf32>, %w: tensor<3x3x64x64xf32>) -> tensor<1x14x14x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x14x14x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x16x16x64xf32>, tensor<3x3x64x64xf32>) outs(%init : tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32>
  return %c : tensor<1x14x14x64xf32>
}

// -----

// A 1x1 convolution with small weights runs unit-major: the 2 panels of a
// row one after the other, so the row's input stays in L1.
// CHECK-LABEL: func @unit_major_1x1
// CHECK: scf.for %[[I:.*]] = %c0 to %c28 step %c1
// CHECK-DAG: %[[R:.*]] = arith.divui %[[I]], %c2
// CHECK-DAG: %[[P:.*]] = arith.remui %[[I]], %c2
// CHECK: %[[F:.*]] = arith.muli %[[P]], %c32
// CHECK: vector.transfer_read %arg1[%{{.*}}, %{{.*}}, %{{.*}}, %[[F]]]
// CHECK: vector.transfer_write {{.*}}[%c0, %[[R]],
func.func @unit_major_1x1(%x: tensor<1x14x14x64xf32>, %w: tensor<1x1x64x64xf32>) -> tensor<1x14x14x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x14x14x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x14x14x64xf32>, tensor<1x1x64x64xf32>) outs(%init : tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32>
  return %c : tensor<1x14x14x64xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// Grouped, 4 groups of 8 channels (as the DNN lowering builds it: split
// operands, transposed weight, merged result): 8-lane vectors, one group
// each; the kernel reads the [KH, KW, C/G, F] weight and the channels-last
// input directly, each vector broadcasting input channels of its own group
// (base (f / 8) * 8). The zero fill is the accumulators' start and the relu
// is applied before the store.
// CHECK-LABEL: func @grouped_relu
// CHECK-SAME: %[[X:.*]]: tensor<1x6x6x32xf32>, %[[W:.*]]: tensor<3x3x8x32xf32>
// CHECK-NOT: linalg.conv_2d_nhwgc_gfhwc
// CHECK-NOT: linalg.transpose
// CHECK: scf.for %[[I:.*]] = %c0 to %c8 step %c1
// CHECK: %[[F0:.*]] = arith.muli %{{.*}}, %c16 : index
// CHECK: %[[G0:.*]] = arith.divui %[[F0]], %c8 : index
// CHECK: %[[B0:.*]] = arith.muli %[[G0]], %c8 : index
// CHECK: %[[F1:.*]] = arith.addi %[[F0]], %c8 : index
// CHECK: %[[G1:.*]] = arith.divui %[[F1]], %c8 : index
// CHECK: %[[B1:.*]] = arith.muli %[[G1]], %c8 : index
// CHECK: scf.for {{.*}} = %c0 to %c3 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: scf.for {{.*}} = %c0 to %c3 step %c1
// CHECK: scf.for %[[CI:.*]] = %c0 to %c8 step %c1
// CHECK: %[[W0:.*]] = vector.transfer_read %[[W]][%{{.*}}, %{{.*}}, %[[CI]], %[[F0]]]{{.*}} : tensor<3x3x8x32xf32>, vector<8xf32>
// CHECK: %[[W1:.*]] = vector.transfer_read %[[W]][%{{.*}}, %{{.*}}, %[[CI]], %[[F1]]]{{.*}} : tensor<3x3x8x32xf32>, vector<8xf32>
// CHECK: %[[C0:.*]] = arith.addi %[[B0]], %[[CI]] : index
// CHECK: %[[C1:.*]] = arith.addi %[[B1]], %[[CI]] : index
// CHECK: %[[A0:.*]] = tensor.extract %[[X]][%c0, %{{.*}}, %{{.*}}, %[[C0]]]
// CHECK: %[[AB0:.*]] = vector.broadcast %[[A0]] : f32 to vector<8xf32>
// CHECK: %[[A1:.*]] = tensor.extract %[[X]][%c0, %{{.*}}, %{{.*}}, %[[C1]]]
// CHECK: %[[AB1:.*]] = vector.broadcast %[[A1]] : f32 to vector<8xf32>
// CHECK: vector.fma %[[AB0]], %[[W0]], %{{.*}} : vector<8xf32>
// CHECK: vector.fma %[[AB1]], %[[W1]], %{{.*}} : vector<8xf32>
// CHECK-COUNT-8: arith.maximumf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NOT: linalg.generic
func.func @grouped_relu(%x: tensor<1x6x6x32xf32>, %w: tensor<3x3x8x32xf32>) -> tensor<1x4x4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e5 = tensor.empty() : tensor<1x4x4x4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e5 : tensor<1x4x4x4x8xf32>) -> tensor<1x4x4x4x8xf32>
  %xs = tensor.expand_shape %x [[0], [1], [2], [3, 4]] output_shape [1, 6, 6, 4, 8] : tensor<1x6x6x32xf32> into tensor<1x6x6x4x8xf32>
  %ws = tensor.expand_shape %w [[0], [1], [2], [3, 4]] output_shape [3, 3, 8, 4, 8] : tensor<3x3x8x32xf32> into tensor<3x3x8x4x8xf32>
  %et = tensor.empty() : tensor<4x8x3x3x8xf32>
  %wt = linalg.transpose ins(%ws : tensor<3x3x8x4x8xf32>) outs(%et : tensor<4x8x3x3x8xf32>) permutation = [3, 4, 0, 1, 2]
  %c = linalg.conv_2d_nhwgc_gfhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%xs, %wt : tensor<1x6x6x4x8xf32>, tensor<4x8x3x3x8xf32>) outs(%init : tensor<1x4x4x4x8xf32>) -> tensor<1x4x4x4x8xf32>
  %y = tensor.collapse_shape %c [[0], [1], [2], [3, 4]] : tensor<1x4x4x4x8xf32> into tensor<1x4x4x32xf32>
  %e = tensor.empty() : tensor<1x4x4x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y : tensor<1x4x4x32xf32>) outs(%e : tensor<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x32xf32>
  return %r : tensor<1x4x4x32xf32>
}

// -----

// A matrix-vector product (one pixel, as the fully connected layers of a
// squeeze-and-excitation block): 24 / 1 vectors capped at 16, so 16
// independent accumulators per channel panel of 256 and a masked rest.
// CHECK-LABEL: func @matvec
// CHECK: scf.for {{.*}} = %c0 to %c64 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-16: vector.fma
// CHECK-NOT: linalg.matmul
func.func @matvec(%a: tensor<1x64xf32>, %b: tensor<64x300xf32>) -> tensor<1x300xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x300xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x300xf32>) -> tensor<1x300xf32>
  %m = linalg.matmul ins(%a, %b : tensor<1x64xf32>, tensor<64x300xf32>) outs(%z : tensor<1x300xf32>) -> tensor<1x300xf32>
  return %m : tensor<1x300xf32>
}

// -----

// A constant weight is packed at compile time into panels of the tile's 32
// output channels, [ceil(F / 32), KH, KW, C, 32], the last panel padded with
// zeros (w[c][f] = 100 c + f here): every weight read is one contiguous
// in-bounds vector at (panel, kh, kw, c, j * 16).
// CHECK-LABEL: func @packed_weight
// CHECK: arith.constant dense<{{\[\[\[\[\[}}0.000000e+00, 1.000000e+00,
// CHECK-SAME: 3.100000e+01], [1.000000e+02, 1.010000e+02,
// CHECK-SAME: 1.310000e+02]]]], {{\[\[\[\[}}3.200000e+01,
// CHECK-SAME: 3.900000e+01, 0.000000e+00,
// CHECK-SAME: tensor<2x1x1x2x32xf32>
// CHECK: vector.transfer_read %[[PW:.*]][%c0, %c0, %c0, %[[CI:.*]], %c0], {{.*}} {in_bounds = [true]} : tensor<2x1x1x2x32xf32>
// CHECK: vector.transfer_read %[[PW]][%c0, %c0, %c0, %[[CI]], %c16], {{.*}} {in_bounds = [true]}
// CHECK: vector.transfer_read %[[PW]][%c1, %c0, %c0, %{{.*}}, %c0], {{.*}} {in_bounds = [true]}
// CHECK-NOT: linalg.conv
func.func @packed_weight(%x: tensor<1x6x8x2xf32>) -> tensor<1x6x8x40xf32> {
  %w = arith.constant dense<[[[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0], [100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0, 129.0, 130.0, 131.0, 132.0, 133.0, 134.0, 135.0, 136.0, 137.0, 138.0, 139.0]]]]> : tensor<1x1x2x40xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x8x40xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x8x40xf32>) -> tensor<1x6x8x40xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x6x8x2xf32>, tensor<1x1x2x40xf32>) outs(%z : tensor<1x6x8x40xf32>) -> tensor<1x6x8x40xf32>
  return %c : tensor<1x6x8x40xf32>
}

// -----

// A batch matmul (attention) is a loop over its batch, parallel above some
// work, of matmuls on slices, which get the kernel: the accumulators start
// from the fill's constant (no fill of the whole result), the tiles are
// written into the result's slice in place, and the kernel's own loops stay
// sequential inside the parallel one.
// CHECK-LABEL: func @batch_matmul
// CHECK-NOT: linalg.fill
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x64x48xf32>
// CHECK: scf.for %[[B:.*]] = %c0 to %c4 step %c1 iter_args(%[[ACC:.*]] = %[[E]])
// CHECK: %[[OUT:.*]] = tensor.extract_slice %[[ACC]][%[[B]], 0, 0] [1, 64, 48] [1, 1, 1] : tensor<4x64x48xf32> to tensor<64x48xf32>
// CHECK: tensor.extract_slice %arg0[%[[B]], 0, 0] [1, 64, 32]
// CHECK: tensor.extract_slice %arg1[%[[B]], 0, 0] [1, 32, 48]
// CHECK: %[[OUT4:.*]] = tensor.expand_shape %[[OUT]] {{\[}}
// CHECK-NOT: dnnc.parallel
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[OUT4]])
// CHECK-NOT: dnnc.parallel
// CHECK: vector.transfer_write
// CHECK: tensor.insert_slice %{{.*}} into %[[ACC]][%[[B]], 0, 0] [1, 64, 48] [1, 1, 1]
// CHECK: } {dnnc.parallel}
// CHECK-NOT: linalg.batch_matmul
func.func @batch_matmul(%a: tensor<4x64x32xf32>, %b: tensor<4x32x48xf32>) -> tensor<4x64x48xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64x48xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64x48xf32>) -> tensor<4x64x48xf32>
  %m = linalg.batch_matmul ins(%a, %b : tensor<4x64x32xf32>, tensor<4x32x48xf32>) outs(%z : tensor<4x64x48xf32>) -> tensor<4x64x48xf32>
  return %m : tensor<4x64x48xf32>
}

// -----

// A channel gate on the input (x * g, g [1, 1, 1, C]: a squeeze-and-
// excitation block) of a 1x1 convolution of one image scales the weights
// instead, C x F products per run; the kernel reads x.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#gate = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
// CHECK-LABEL: func @gate_scales_weights
// CHECK-SAME: %[[X:.*]]: tensor<1x8x8x32xf32>, %[[G:.*]]: tensor<1x1x1x32xf32>, %[[W:.*]]: tensor<1x1x32x16xf32>
// CHECK: %[[G1:.*]] = tensor.collapse_shape %[[G]] {{\[\[}}0, 1, 2, 3]] : tensor<1x1x1x32xf32> into tensor<32xf32>
// CHECK: %[[WS:.*]] = linalg.generic {{.*}} ins(%[[W]], %[[G1]] : tensor<1x1x32x16xf32>, tensor<32xf32>)
// CHECK: arith.mulf
// CHECK-NOT: tensor<1x8x8x32xf32>) outs
// CHECK: vector.transfer_read %[[WS]]
// CHECK: tensor.extract %[[X]]
func.func @gate_scales_weights(%x: tensor<1x8x8x32xf32>, %g: tensor<1x1x1x32xf32>, %w: tensor<1x1x32x16xf32>) -> tensor<1x8x8x16xf32> {
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %m = linalg.generic {indexing_maps = [#gate, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g, %x : tensor<1x1x1x32xf32>, tensor<1x8x8x32xf32>) outs(%e : tensor<1x8x8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<1x8x8x32xf32>
  %zero = arith.constant 0.0 : f32
  %eo = tensor.empty() : tensor<1x8x8x16xf32>
  %i = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%m, %w : tensor<1x8x8x32xf32>, tensor<1x1x32x16xf32>) outs(%i : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %c : tensor<1x8x8x16xf32>
}

// -----

// With two images the gate differs per image: the product stays.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#gate = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
// CHECK-LABEL: func @gate_two_images
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x1x1x32xf32>, tensor<2x8x8x32xf32>)
func.func @gate_two_images(%x: tensor<2x8x8x32xf32>, %g: tensor<2x1x1x32xf32>, %w: tensor<1x1x32x16xf32>) -> tensor<2x8x8x16xf32> {
  %e = tensor.empty() : tensor<2x8x8x32xf32>
  %m = linalg.generic {indexing_maps = [#gate, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g, %x : tensor<2x1x1x32xf32>, tensor<2x8x8x32xf32>) outs(%e : tensor<2x8x8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<2x8x8x32xf32>
  %zero = arith.constant 0.0 : f32
  %eo = tensor.empty() : tensor<2x8x8x16xf32>
  %i = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x8x8x16xf32>) -> tensor<2x8x8x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%m, %w : tensor<2x8x8x32xf32>, tensor<1x1x32x16xf32>) outs(%i : tensor<2x8x8x16xf32>) -> tensor<2x8x8x16xf32>
  return %c : tensor<2x8x8x16xf32>
}
