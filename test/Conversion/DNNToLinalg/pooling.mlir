// RUN: dnnc-opt %s --split-input-file --convert-dnn-to-linalg | FileCheck %s
// Pools pad with a neutral value and combine the KH*KW strided windows of
// the input in one elementwise op; average pooling divides by compile-time
// window counts.

// CHECK-LABEL: func @max_pool_ceil
func.func @max_pool_ceil(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  // ceil_mode result 3x3 needs one extra row/column of -inf padding.
  // CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
  // CHECK: tensor.yield %[[NEG]]
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 2, 2]
  // CHECK: linalg.generic
  // CHECK-COUNT-3: arith.maximumf
  // CHECK-NOT: linalg.pooling
  %0 = dnn.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Channels last: pads and windows on dims 1 and 2; the channels are the
// innermost dim of every window view.
// CHECK-LABEL: func @max_pool_channels_last
func.func @max_pool_channels_last(%x: tensor<1x5x5x3xf32>) -> tensor<1x3x3x3xf32> {
  // CHECK: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 3, 3, 3] [1, 2, 2, 1]
  // CHECK: tensor.extract_slice %{{.*}}[0, 2, 2, 0] [1, 3, 3, 3] [1, 2, 2, 1]
  // CHECK: linalg.generic
  // CHECK-COUNT-8: arith.maximumf
  %0 = dnn.max_pool %x {channels_last = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x5x5x3xf32> -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

// The window counts of a channels-last average broadcast over the channels.
// CHECK-LABEL: func @average_pool_channels_last
func.func @average_pool_channels_last(%x: tensor<1x2x2x5xf32>) -> tensor<1x2x2x5xf32> {
  // CHECK: %[[CNT:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00], [2.000000e+00]], {{\[\[}}2.000000e+00], [4.000000e+00]]]> : tensor<2x2x1xf32>
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[CNT]] : tensor<1x2x2x5xf32>, tensor<1x2x2x5xf32>, tensor<1x2x2x5xf32>, tensor<1x2x2x5xf32>, tensor<2x2x1xf32>)
  // CHECK: arith.divf
  %0 = dnn.average_pool %x {channels_last = true, count_include_pad = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 1, 1>} : tensor<1x2x2x5xf32> -> tensor<1x2x2x5xf32>
  return %0 : tensor<1x2x2x5xf32>
}

// -----

// CHECK-LABEL: func @average_pool_exclude_pad
func.func @average_pool_exclude_pad(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // 2x2 windows, stride 1, one pad before: the corner window sees 1 element,
  // edges 2, the inner one 4.
  // CHECK: %[[CNT:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  // One generic sums the 4 windows and divides by the counts.
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[CNT]] : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<2x2xf32>)
  // CHECK-COUNT-3: arith.addf
  // CHECK: arith.divf
  %0 = dnn.average_pool %x {count_include_pad = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 1, 1>} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// CHECK-LABEL: func @global_average_pool
func.func @global_average_pool(%x: tensor<1x4x7x7xf32>) -> tensor<1x4x1x1xf32> {
  // CHECK: %[[N:.*]] = arith.constant 4.900000e+01 : f32
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
  // CHECK: arith.divf %{{.*}}, %[[N]]
  // CHECK: tensor.expand_shape {{.*}} into tensor<1x4x1x1xf32>
  %0 = dnn.global_average_pool %x : tensor<1x4x7x7xf32> -> tensor<1x4x1x1xf32>
  return %0 : tensor<1x4x1x1xf32>
}

// -----

// CHECK-LABEL: func @max_pool_3d
func.func @max_pool_3d(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x2x2x2xf32> {
  // Any number of spatial dims: 8 windows for a 2x2x2 kernel.
  // CHECK-COUNT-8: tensor.extract_slice
  // CHECK: linalg.generic
  // CHECK-COUNT-7: arith.maximumf
  %0 = dnn.max_pool %x {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : tensor<1x1x4x4x4xf32> -> tensor<1x1x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2xf32>
}

// -----

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4 * 3, d3 * 2 + d5 * 3)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-LABEL: func @max_pool_large_window
func.func @max_pool_large_window(%x: tensor<1x1x40x40xf32>) -> tensor<1x1x8x8xf32> {
  // Windows of more than 64 elements: a reduction generic, not 81 views.
  // CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
  // CHECK-NOT: tensor.extract_slice
  %0 = dnn.max_pool %x {dilations = array<i64: 3, 3>, kernel_shape = array<i64: 9, 9>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x40x40xf32> -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// MaxPool's Indices: one reduction generic carrying (best value, flat index);
// a tap wins only when inside the input and strictly greater (or first), and
// its flat position is row-major over the whole input.
// CHECK-LABEL: func @max_pool_indices
// CHECK: %[[V:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x2x2xf32>)
// CHECK: %[[I:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<1x1x2x2xi64>)
// CHECK: %[[G:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<2x2xf32>) outs(%[[V]], %[[I]] : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
// CHECK:   tensor.extract %arg0
// CHECK:   arith.cmpf ogt
// CHECK:   arith.select
// CHECK:   arith.select
// CHECK: return %[[G]]#1
func.func @max_pool_indices(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xi64> {
  %0 = dnn.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xi64>
  return %0 : tensor<1x1x2x2xi64>
}

// -----

// Unsigned integers (ONNX uint8, the codes of uint8 quantized tensors) pad
// with 0 and compare unsigned; signed ones pad with the minimum.
// CHECK-LABEL: func @max_pool_unsigned
func.func @max_pool_unsigned(%x: tensor<1x2x4x4xi8>) -> (tensor<1x2x3x3xi8>, tensor<1x2x3x3xi8>) {
  // CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i8
  // CHECK-DAG: %[[MIN:.*]] = arith.constant -128 : i8
  // CHECK: tensor.pad
  // CHECK: tensor.yield %[[ZERO]]
  // CHECK: linalg.generic
  // CHECK-COUNT-3: arith.maxui
  // CHECK: tensor.pad
  // CHECK: tensor.yield %[[MIN]]
  // CHECK: linalg.generic
  // CHECK-COUNT-3: arith.maxsi
  %0 = dnn.max_pool %x {input_unsigned, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xi8> -> tensor<1x2x3x3xi8>
  %1 = dnn.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xi8> -> tensor<1x2x3x3xi8>
  return %0, %1 : tensor<1x2x3x3xi8>, tensor<1x2x3x3xi8>
}
