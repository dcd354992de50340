// RUN: dnnc-opt %s --split-input-file --convert-dnn-to-linalg | FileCheck %s
// MatMul/Gemm become linalg matmuls, Conv pads its input and accumulates
// into the broadcast bias through a linalg convolution op.

// CHECK-LABEL: func @matmul_2d
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  // CHECK: %[[Z:.*]] = linalg.fill
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[Z]] : tensor<4x16xf32>)
  %0 = dnn.matmul %a, %b : tensor<4x8xf32>, tensor<8x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func @matmul_shared_rhs
func.func @matmul_shared_rhs(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>) -> tensor<2x4x16xf32> {
  // Batches that share the rhs fold into rows of one matmul.
  // CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
  // CHECK: linalg.matmul {{.*}} -> tensor<8x16xf32>
  // CHECK: tensor.expand_shape {{.*}} into tensor<2x4x16xf32>
  %0 = dnn.matmul %a, %b : tensor<2x4x8xf32>, tensor<8x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// CHECK-LABEL: func @matmul_batched_broadcast
func.func @matmul_batched_broadcast(%a: tensor<2x3x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  // Batch dims broadcast, then collapse into one batch_matmul.
  // CHECK: linalg.generic
  // CHECK: linalg.batch_matmul {{.*}} -> tensor<6x4x5xf32>
  %0 = dnn.matmul %a, %b : tensor<2x3x4x8xf32>, tensor<3x8x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// CHECK-LABEL: func @gemm_bias_init
func.func @gemm_bias_init(%a: tensor<1x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4xf32>) -> tensor<1x4xf32> {
  // alpha = beta = 1: the matmul accumulates into the broadcast bias.
  // CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>)
  // CHECK: linalg.matmul {{.*}} outs(%[[BIAS]] : tensor<1x4xf32>)
  %0 = dnn.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = false} : (tensor<1x8xf32>, tensor<8x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// CHECK-LABEL: func @gemm_scaled
func.func @gemm_scaled(%a: tensor<8x2xf32>, %b: tensor<4x8xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // transA/transB transpose the operands; alpha/beta scale after the product.
  // CHECK-DAG: %[[BETA:.*]] = arith.constant 2.000000e+00 : f32
  // CHECK-DAG: %[[ALPHA:.*]] = arith.constant 5.000000e-01 : f32
  // CHECK-COUNT-2: linalg.transpose
  // CHECK: %[[MM:.*]] = linalg.matmul
  // CHECK: linalg.generic {{.*}} ins(%[[MM]], %{{.*}} : tensor<2x4xf32>, tensor<2x4xf32>)
  // CHECK: arith.mulf %{{.*}}, %[[ALPHA]]
  // CHECK: arith.mulf %{{.*}}, %[[BETA]]
  %0 = dnn.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32, transA = true, transB = true} : (tensor<8x2xf32>, tensor<4x8xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @conv_padded_bias
func.func @conv_padded_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<4x1x1xf32>)
  // CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %{{.*}} : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]]
  %0 = dnn.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func @conv_depthwise
func.func @conv_depthwise(%x: tensor<1x8x7x7xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x3x3xf32> {
  // Depthwise: 9 strided windows of the input times 9 per-channel weight
  // columns, summed in one elementwise generic.
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 8, 3, 3] [1, 1, 2, 2]
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 2, 2] [1, 8, 3, 3] [1, 1, 2, 2]
  // CHECK: tensor.extract_slice %{{.*}}[0, 2, 2] [8, 1, 1] [1, 1, 1] : tensor<8x3x3xf32> to tensor<8x1x1xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
  // CHECK-COUNT-9: arith.mulf
  // CHECK-NOT: linalg.depthwise_conv
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x8x7x7xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// CHECK-LABEL: func @conv_grouped
func.func @conv_grouped(%x: tensor<1x4x6x6xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  // CHECK: linalg.conv_2d_ngchw_gfchw {{.*}} -> tensor<1x2x3x4x4xf32>
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// CHECK-LABEL: func @conv_1d
func.func @conv_1d(%x: tensor<1x2x10xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x8xf32> {
  // 1-D convolutions run as 2-D ones with a unit height.
  // CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x3x1x8xf32>
  %0 = dnn.conv %x, %w {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>}
       : (tensor<1x2x10xf32>, tensor<3x2x3xf32>) -> tensor<1x3x8xf32>
  return %0 : tensor<1x3x8xf32>
}

// -----

// Channels-last: the padded input and the bias broadcast along the last dim
// go to the linalg NHWC convolutions (depthwise drops the unit weight dim).
// CHECK-LABEL: func @conv_nhwc
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[B:.*]] = linalg.generic
// CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %{{.*}} : tensor<1x10x10x3xf32>, tensor<3x3x3x4xf32>) outs(%[[B]] : tensor<1x4x4x4xf32>)
// CHECK: %[[W:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<3x3x1x3xf32> into tensor<3x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%{{.*}}, %[[W]] : tensor<1x10x10x3xf32>, tensor<3x3x3xf32>)
func.func @conv_nhwc(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>, %b: tensor<4xf32>,
                     %dw: tensor<3x3x1x3xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x8x8x3xf32>) {
  %0 = dnn.conv2d_nhwc %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %1 = dnn.conv2d_nhwc %x, %dw {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x8x8x3xf32>, tensor<3x3x1x3xf32>) -> tensor<1x8x8x3xf32>
  return %0, %1 : tensor<1x4x4x4xf32>, tensor<1x8x8x3xf32>
}

// -----

// Grouped channels-last: the channel dims split into [G, C/G] and [G, F/G],
// the weight [KH, KW, C/G, F] is split and transposed to [G, F/G, KH, KW,
// C/G] for linalg.conv_2d_nhwgc_gfhwc, and the result is merged back.
// CHECK-LABEL: func @conv_nhwc_grouped
// CHECK: %[[WS:.*]] = tensor.expand_shape %arg1 {{\[\[}}0], [1], [2], [3, 4]] output_shape [3, 3, 2, 3, 4] : tensor<3x3x2x12xf32> into tensor<3x3x2x3x4xf32>
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[WS]] : tensor<3x3x2x3x4xf32>) outs(%{{.*}} : tensor<3x4x3x3x2xf32>) permutation = [3, 4, 0, 1, 2]
// CHECK: %[[XS:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2], [3, 4]] output_shape [1, 8, 8, 3, 2] : tensor<1x8x8x6xf32> into tensor<1x8x8x3x2xf32>
// CHECK: %[[Y:.*]] = linalg.conv_2d_nhwgc_gfhwc {{.*}} ins(%[[XS]], %[[WT]] : tensor<1x8x8x3x2xf32>, tensor<3x4x3x3x2xf32>) outs(%{{.*}} : tensor<1x6x6x3x4xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[\[}}0], [1], [2], [3, 4]] : tensor<1x6x6x3x4xf32> into tensor<1x6x6x12xf32>
func.func @conv_nhwc_grouped(%x: tensor<1x8x8x6xf32>, %w: tensor<3x3x2x12xf32>) -> tensor<1x6x6x12xf32> {
  %0 = dnn.conv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x8x8x6xf32>, tensor<3x3x2x12xf32>) -> tensor<1x6x6x12xf32>
  return %0 : tensor<1x6x6x12xf32>
}

// -----

// An 8-bit convolution: the input padded with its zero point (200 as a
// byte, -56), then a generic summing (zext(x) - 200) * sext(w) into i32.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 2 + d4, d2 + d5 * 2, d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @qconv2d_nhwc
// CHECK: %[[ZP:.*]] = arith.constant -56 : i8
// CHECK: %[[P:.*]] = tensor.pad %arg0 low[0, 1, 2, 0] high[0, 1, 2, 0]
// CHECK: tensor.yield %[[ZP]] : i8
// CHECK: } : tensor<1x6x6x8xi8> to tensor<1x8x10x8xi8>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : i32)
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[P]], %arg1 : tensor<1x8x10x8xi8>, tensor<3x3x8x20xi8>) outs(%[[INIT]] : tensor<1x3x6x20xi32>)
// CHECK: ^bb0(%[[X:.*]]: i8, %[[WV:.*]]: i8, %[[ACC:.*]]: i32):
// CHECK: %[[XE:.*]] = arith.extui %[[X]] : i8 to i32
// CHECK: %[[XC:.*]] = arith.subi %[[XE]], %{{.*}} : i32
// CHECK: %[[WE:.*]] = arith.extsi %[[WV]] : i8 to i32
// CHECK: %[[M:.*]] = arith.muli %[[XC]], %[[WE]] : i32
// CHECK: %[[S:.*]] = arith.addi %[[ACC]], %[[M]] : i32
// CHECK: linalg.yield %[[S]] : i32
func.func @qconv2d_nhwc(%x: tensor<1x6x6x8xi8>, %w: tensor<3x3x8x20xi8>) -> tensor<1x3x6x20xi32> {
  %y = dnn.qconv2d_nhwc %x, %w {dilations = array<i64: 1, 2>, input_unsigned, input_zero_point = 200 : i64, pads = array<i64: 1, 2, 1, 2>, strides = array<i64: 2, 1>} : (tensor<1x6x6x8xi8>, tensor<3x3x8x20xi8>) -> tensor<1x3x6x20xi32>
  return %y : tensor<1x3x6x20xi32>
}

// -----

// A depthwise convolution of 8-bit codes: the input padded with its zero
// point (200 as a byte, -56), then a generic over (n, oh, ow, c, kh, kw)
// summing (uitofp(x) - 200) * w in f32.
// CHECK-DAG: #[[DIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d4, d2 + d5 * 2, d3)>
// CHECK-DAG: #[[DW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
// CHECK-DAG: #[[DOUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @qdepthwise_conv2d_nhwc
// CHECK: %[[ZP:.*]] = arith.constant -56 : i8
// CHECK: %[[P:.*]] = tensor.pad %arg0 low[0, 1, 2, 0] high[0, 1, 2, 0]
// CHECK: tensor.yield %[[ZP]] : i8
// CHECK: linalg.generic {indexing_maps = [#[[DIN]], #[[DW]], #[[DOUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[P]], %arg1 : tensor<1x8x10x8xi8>, tensor<3x3x8xf32>) outs(%{{.*}} : tensor<1x3x6x8xf32>)
// CHECK: ^bb0(%[[X:.*]]: i8, %[[WV:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[XF:.*]] = arith.uitofp %[[X]] : i8 to f32
// CHECK: %[[XC:.*]] = arith.subf %[[XF]], %{{.*}} : f32
// CHECK: %[[M:.*]] = arith.mulf %[[XC]], %[[WV]] : f32
// CHECK: %[[S:.*]] = arith.addf %[[ACC]], %[[M]] : f32
// CHECK: linalg.yield %[[S]] : f32
func.func @qdepthwise_conv2d_nhwc(%x: tensor<1x6x6x8xi8>, %w: tensor<3x3x8xf32>) -> tensor<1x3x6x8xf32> {
  %y = dnn.qdepthwise_conv2d_nhwc %x, %w {dilations = array<i64: 1, 2>, input_unsigned, input_zero_point = 200 : i64, pads = array<i64: 1, 2, 1, 2>, strides = array<i64: 2, 1>} : (tensor<1x6x6x8xi8>, tensor<3x3x8xf32>) -> tensor<1x3x6x8xf32>
  return %y : tensor<1x3x6x8xf32>
}

// -----

// A run-time zero point: the padding and the body read its scalar.
// CHECK-LABEL: func @qconv2d_nhwc_runtime_zero_point
// CHECK: %[[Z:.*]] = tensor.extract %arg2[] : tensor<i32>
// CHECK: %[[ZB:.*]] = arith.trunci %[[Z]] : i32 to i8
// CHECK: tensor.pad
// CHECK: tensor.yield %[[ZB]] : i8
// CHECK: linalg.generic
// CHECK: arith.extsi
// CHECK: arith.subi %{{.*}}, %[[Z]] : i32
func.func @qconv2d_nhwc_runtime_zero_point(%x: tensor<1x4x4x8xi8>, %w: tensor<3x3x8x4xi8>, %z: tensor<i32>) -> tensor<1x4x4x4xi32> {
  %y = dnn.qconv2d_nhwc %x, %w zero_point %z {dilations = array<i64: 1, 1>, input_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x8xi8>, tensor<3x3x8x4xi8>, tensor<i32>) -> tensor<1x4x4x4xi32>
  return %y : tensor<1x4x4x4xi32>
}
