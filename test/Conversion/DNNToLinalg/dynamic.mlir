// RUN: dnnc-opt %s --split-input-file --convert-dnn-to-linalg --canonicalize | FileCheck %s
// Lowering with run-time dims: result sizes come from tensor.dim of the
// operands; a broadcast that only the run time can decide gets a fast path
// and an indexed general path; reshapes and slices resolve ONNX semantics
// (0, -1, negative and out-of-range bounds) at run time; convolutions with a
// run-time batch loop over static single images.

// A static operand cannot make a run-time dim broadcast: one generic.
// CHECK-LABEL: func @bias
// CHECK: %[[N:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x4xf32>
// CHECK: tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK-NOT: scf.if
// CHECK: linalg.generic
func.func @bias(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = dnn.add %x, %b : tensor<?x4xf32>, tensor<4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Both operands size the same run-time dims: sizes are the maxima; the fast
// path applies when no operand dim differs from them, else each operand is
// read at index 0 along its unit dims.
// CHECK-LABEL: func @maybe_broadcast
// CHECK: %[[D0:.*]] = arith.maxui
// CHECK: %[[D1:.*]] = arith.maxui
// CHECK: arith.cmpi eq
// CHECK: arith.andi
// CHECK: scf.if %{{.*}} -> (tensor<?x?xf32>)
// CHECK:   tensor.empty(%[[D0]], %[[D1]])
// CHECK:   linalg.generic {{.*}} ins(%arg0, %arg1
// CHECK: } else {
// CHECK:   linalg.generic
// CHECK:     arith.select
// CHECK:     tensor.extract %arg0
// CHECK:     tensor.extract %arg1
func.func @maybe_broadcast(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = dnn.add %x, %y : tensor<?x?xf32>, tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// ONNX Reshape semantics on a run-time shape: 0 copies the input dim, -1
// takes the remaining count.
// CHECK-LABEL: func @reshape_shape
// CHECK: tensor.extract %arg1
// CHECK: arith.divui
// CHECK: %[[S:.*]] = tensor.from_elements
// CHECK: tensor.reshape %arg0(%[[S]]) : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x2x4xf32>
func.func @reshape_shape(%x: tensor<?x8xf32>, %s: tensor<3xi64>) -> tensor<?x2x4xf32> {
  %0 = dnn.reshape %x, %s : tensor<?x8xf32>, tensor<3xi64> -> tensor<?x2x4xf32>
  return %0 : tensor<?x2x4xf32>
}

// -----

// Run-time bounds are clamped to the dims; the count is ceil(span / step).
// CHECK-LABEL: func @slice_bounds
// CHECK: tensor.extract %arg1
// CHECK: arith.minsi
// CHECK: arith.ceildivsi
// CHECK: tensor.extract_slice %arg0[%{{.*}}, %{{.*}}] [%{{.*}}, %{{.*}}] [1, 2]
func.func @slice_bounds(%x: tensor<?x8xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = dnn.slice %x bounds %s, %e {starts = array<i64: 0, 0>, steps = array<i64: 1, 2>} : tensor<?x8xf32>, tensor<2xi64>, tensor<2xi64> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func @batch_conv
// CHECK: %[[N:.*]] = tensor.dim %arg0
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]]
// CHECK:   tensor.extract_slice %arg0[%[[I]], 0, 0, 0] [1, 2, 5, 5]
// CHECK:   linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x3x3x3xf32>
// CHECK:   tensor.insert_slice %{{.*}}[%[[I]], 0, 0, 0] [1, 3, 3, 3]
func.func @batch_conv(%x: tensor<?x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<?x3x3x3xf32> {
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x3x3xf32>
  return %0 : tensor<?x3x3x3xf32>
}

// -----

// A rank-2 weight: run-time batch and sequence fold into matmul rows.
// CHECK-LABEL: func @rows
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]]
// CHECK: linalg.matmul {{.*}} -> tensor<?x8xf32>
// CHECK: tensor.reshape {{.*}} -> tensor<?x?x8xf32>
func.func @rows(%x: tensor<?x?x16xf32>, %w: tensor<16x8xf32>) -> tensor<?x?x8xf32> {
  %0 = dnn.matmul %x, %w : tensor<?x?x16xf32>, tensor<16x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// CHECK-LABEL: func @shape
// CHECK: %[[D:.*]] = tensor.dim %arg0
// CHECK: %[[I:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: tensor.from_elements %[[I]], %{{.*}} : tensor<2xi64>
func.func @shape(%x: tensor<?x8xf32>) -> tensor<2xi64> {
  %0 = dnn.shape %x {end = 2 : i64, start = 0 : i64} : tensor<?x8xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Run-time image sizes: output sizes from the ceil-mode formula, one
// reduction generic reading the unpadded input by index (out-of-range taps
// do not count), then a division by the per-position window counts.
// CHECK-LABEL: func @pool_image_dims
// CHECK: arith.ceildivsi
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK:   tensor.extract %arg0
// CHECK:   arith.select
// CHECK:   arith.addf
// CHECK: linalg.generic
// CHECK:   arith.divf
func.func @pool_image_dims(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %0 = dnn.average_pool %x {ceil_mode = true, count_include_pad = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func @conv_image_dims
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: arith.floordivsi
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x3x?x?xf32>
func.func @conv_image_dims(%x: tensor<1x2x?x?xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x?x?xf32> {
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x?x?xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x?x?xf32>
  return %0 : tensor<1x3x?x?xf32>
}

// -----

// Shapes and bounds known only at run time.
// CHECK-LABEL: func @constant_of_shape
// CHECK: %[[D:.*]] = tensor.extract %arg0
// CHECK: %[[I:.*]] = arith.index_cast %[[D]]
// CHECK: %[[N:.*]] = arith.maxsi %[[I]]
// CHECK: tensor.empty(%[[N]]
// CHECK: linalg.fill ins(%{{.*}} : f32)
func.func @constant_of_shape(%s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = dnn.constant_of_shape %s {value = 1.5 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func @range
// CHECK: arith.subf
// CHECK: arith.divf
// CHECK: math.ceil
// CHECK: tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK: linalg.generic
// CHECK:   linalg.index 0
// CHECK:   arith.sitofp
// CHECK:   arith.mulf
// CHECK:   arith.addf
func.func @range(%a: tensor<f32>, %b: tensor<f32>, %d: tensor<f32>) -> tensor<?xf32> {
  %0 = dnn.range %a, %b, %d : tensor<f32>, tensor<f32>, tensor<f32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Data-dependent size: a counting pass, then a pass writing the positions.
// CHECK-LABEL: func @non_zero
// CHECK: %[[N:.*]] = scf.for {{.*}} -> (index)
// CHECK: tensor.empty(%[[N]]) : tensor<2x?xi64>
// CHECK: scf.for
// CHECK:   scf.if
// CHECK:     tensor.insert
func.func @non_zero(%x: tensor<2x3xi1>) -> tensor<2x?xi64> {
  %0 = dnn.non_zero %x : tensor<2x3xi1> -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// Run-time input dims: the element count is the product of tensor.dims.
// CHECK-LABEL: func @non_zero_dynamic
// CHECK-DAG: %[[D0:.*]] = tensor.dim %{{.*}}, %c0
// CHECK-DAG: %[[D1:.*]] = tensor.dim %{{.*}}, %c1
// CHECK: %[[P:.*]] = arith.muli %[[D0]], %[[D1]]
// CHECK: scf.for %{{.*}} = %c0 to %[[P]]
func.func @non_zero_dynamic(%x: tensor<?x?xf32>) -> tensor<2x?xi64> {
  %0 = dnn.non_zero %x : tensor<?x?xf32> -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// One loop iteration per update element; the index tuple length (1) comes
// from the ranks since indices' last dim is a run-time dim.
// CHECK-LABEL: func @scatter_nd_dynamic
// CHECK-DAG: %[[U0:.*]] = tensor.dim %arg2, %c0 : tensor<?x?xf32>
// CHECK-DAG: %[[U1:.*]] = tensor.dim %arg2, %c1 : tensor<?x?xf32>
// CHECK: %[[P:.*]] = arith.muli %[[U0]], %[[U1]]
// CHECK: scf.for %{{.*}} = %c0 to %[[P]]
// CHECK-COUNT-1: tensor.extract %{{.*}} : tensor<?x?xi64>
// CHECK: tensor.insert
func.func @scatter_nd_dynamic(%d: tensor<?x?xf32>, %i: tensor<?x?xi64>, %u: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = dnn.scatter_nd %d, %i, %u {reduction = "none"} : (tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Edge pad with run-time dims: the result dims are input dims + pads, and
// each source index is clamped to [0, dim - 1] at run time.
// CHECK-LABEL: func @edge_pad_dynamic
// CHECK: %[[D:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?xf32>
// CHECK: %[[N:.*]] = arith.addi %[[D]], %c3
// CHECK: tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: linalg.generic
// CHECK:   arith.minsi
// CHECK:   arith.maxsi
// CHECK:   tensor.extract
func.func @edge_pad_dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = dnn.pad %x {mode = "edge", pads = array<i64: 1, 2>, value = 0.0 : f64} : tensor<?xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// GatherND with run-time dims: an indexed copy over [g..., rest...] that
// reads the tuple from the indices (tuple_size 2 from the attribute, not
// from the run-time last dim) and clamps each index into its data dim.
// CHECK-LABEL: func @gather_nd_dynamic
// CHECK: linalg.generic
// CHECK:   tensor.extract %arg1[%{{.*}}, %c0] : tensor<?x?xi64>
// CHECK:   tensor.extract %arg1[%{{.*}}, %c1] : tensor<?x?xi64>
// CHECK:   tensor.extract %arg0[%{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x?x?xf32>
func.func @gather_nd_dynamic(%d: tensor<?x?x?xf32>, %i: tensor<?x?xi64>) -> tensor<?x?xf32> {
  %0 = dnn.gather_nd %d, %i {batch_dims = 0 : i64, tuple_size = 2 : i64} : (tensor<?x?x?xf32>, tensor<?x?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
