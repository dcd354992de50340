// RUN: dnnc-opt %s --split-input-file --verify-diagnostics
// Every user-facing verifier error of the dnn dialect.

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{shapes [2,3] and [4] do not broadcast}}
  %0 = dnn.add %a, %b : tensor<2x3xf32>, tensor<4xf32>
  return
}

// -----

func.func @element_type_mismatch(%a: tensor<3xf32>, %b: tensor<3xi64>) {
  // expected-error @+1 {{operand element types differ}}
  %0 = dnn.mul %a, %b : tensor<3xf32>, tensor<3xi64>
  return
}

// -----

func.func @matmul_k(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+1 {{matmul contraction dims differ}}
  %0 = dnn.matmul %a, %b : tensor<2x4xf32>, tensor<5x3xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{conv input channels 3 != weight channels 2 x group 1}}
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{result type 'tensor<1x4x8x8xf32>' does not match the expected shape 1x4x6x6}}
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{conv strides/dilations need 2 values and pads 4}}
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @gemm_k(%a: tensor<2x4xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{contraction dims differ: 4 vs 3}}
  %0 = dnn.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = false}
       : (tensor<2x4xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @pool_result(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{spatial dim 0 of the result is 5, expected 4}}
  %0 = dnn.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x5x4xf32>
  return
}

// -----

func.func @batch_norm_params(%x: tensor<1x4x8x8xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{scale, bias, mean and variance must be vectors of 4 channels}}
  %0 = dnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : tensor<1x4x8x8xf32>, tensor<3xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 out of range}}
  %0 = dnn.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @reduce_axes(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axes must be sorted, unique and in [0, rank)}}
  %0 = dnn.reduce_sum %x {axes = array<i64: 1, 0>, keepdims = false} : tensor<2x3xf32> -> tensor<f32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{element counts differ: 6 vs 8}}
  %0 = dnn.reshape %x : tensor<2x3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm is not a permutation}}
  %0 = dnn.transpose %x {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+1 {{inputs differ in dim 0}}
  %0 = dnn.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @split_sizes(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{result sizes sum to 5, not 6}}
  %0:2 = dnn.split %x {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @slice_bounds(%x: tensor<4xf32>) {
  // expected-error @+1 {{slice of dim 0 runs out of bounds}}
  %0 = dnn.slice %x {starts = array<i64: 2>, steps = array<i64: 1>} : tensor<4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @gather_shape(%x: tensor<5x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{does not match the expected shape 2x4}}
  %0 = dnn.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @pad_mode(%x: tensor<2xf32>) {
  // expected-error @+1 {{unknown mode 'wrap'}}
  %0 = dnn.pad %x {mode = "wrap", pads = array<i64: 1, 1>, value = 0.0 : f64} : tensor<2xf32> -> tensor<4xf32>
  return
}

// -----

func.func @expand_shape(%x: tensor<3xf32>) {
  // expected-error @+1 {{does not broadcast to}}
  %0 = dnn.expand %x : tensor<3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @squeeze_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 0 is not a unit dim}}
  %0 = dnn.squeeze %x {axes = array<i64: 0>} : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @cast_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{input and result shapes differ}}
  %0 = dnn.cast %x : tensor<2x3xf32> -> tensor<3x2xi32>
  return
}

// -----

func.func @arg_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result must be i64}}
  %0 = dnn.arg_max %x {axis = 1 : i64, keepdims = false, select_last_index = false} : tensor<2x3xf32> -> tensor<2xi32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<2x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{scale/bias must broadcast to the normalized dims}}
  %0 = dnn.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @gather_elements_rank(%x: tensor<3x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{indices must have the rank of data}}
  %0 = dnn.gather_elements %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @scatter_reduction(%d: tensor<3xf32>, %i: tensor<1xi64>, %u: tensor<1xf32>) {
  // expected-error @+1 {{unknown reduction 'avg'}}
  %0 = dnn.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "avg"} : (tensor<3xf32>, tensor<1xi64>, tensor<1xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @scatter_nd_updates(%d: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+1 {{updates must have shape indices.shape[:-1] + data.shape[k:]}}
  %0 = dnn.scatter_nd %d, %i, %u {reduction = "none"} : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @slice_bounds_rank(%x: tensor<?x8xf32>, %b: tensor<3xi64>) {
  // expected-error @+1 {{start and end values need one entry per dim}}
  %0 = dnn.slice %x bounds %b, %b {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<?x8xf32>, tensor<3xi64>, tensor<3xi64> -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_shape_length(%x: tensor<?x8xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{shape must be a 1-D tensor with one entry per result dim}}
  %0 = dnn.reshape %x, %s : tensor<?x8xf32>, tensor<2xi64> -> tensor<?x2x4xf32>
  return
}

// -----

func.func @constant_of_shape_rank(%s: tensor<3xi64>) {
  // expected-error @+1 {{shape must be 1-D with one entry per result dim}}
  %0 = dnn.constant_of_shape %s {value = 0.0 : f32} : tensor<3xi64> -> tensor<?x?xf32>
  return
}

// -----

func.func @seq_mixed_rank(%s: !dnn.seq<tensor<?x?xf32>>, %x: tensor<3xf32>) {
  // expected-error @+1 {{the tensor has rank 1 but the sequence holds rank 2 tensors}}
  %0 = dnn.seq_insert %s, %x : (!dnn.seq<tensor<?x?xf32>>, tensor<3xf32>) -> !dnn.seq<tensor<?x?xf32>>
  return
}

// -----

// expected-error @+1 {{sequence element dims must all be '?'}}
func.func @seq_static_dims(%s: !dnn.seq<tensor<2xf32>>) {
  return
}

// -----

func.func @nms_box_count(%b: tensor<1x5x4xf32>, %s: tensor<1x2x6xf32>, %m: tensor<i64>, %t: tensor<f32>) {
  // expected-error @+1 {{boxes must be [B, S, 4] and scores [B, C, S]}}
  %0 = dnn.non_max_suppression %b, %s, %m, %t, %t {center_point_box = false} : (tensor<1x5x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// -----

func.func @det_not_square(%x: tensor<3x2x4xf32>) {
  // expected-error @+1 {{input must be [B, M, M]}}
  %0 = dnn.det %x : tensor<3x2x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @unique_inverse(%x: tensor<6x2xf32>) {
  // expected-error @+1 {{result type 'tensor<5xi64>' does not match the expected shape 6}}
  %0:3 = dnn.unique %x {sorted = false} : tensor<6x2xf32> -> (tensor<?xi64>, tensor<5xi64>, tensor<?xi64>)
  return
}

// -----

func.func @tfidf_pool(%x: tensor<2x6xi64>) {
  // expected-error @+1 {{the pool must hold the grams' tokens}}
  %0 = dnn.tfidf_vectorizer %x {pool = array<i64: 5, 6>, gram_lengths = array<i64: 1, 2>, gram_indexes = array<i64: 0, 1>, weights = array<f32: 1.0, 1.0>, max_skip_count = 0 : i64, mode = "TF"} : tensor<2x6xi64> -> tensor<2x2xf32>
  return
}

// -----

func.func @roi_align_boxes(%x: tensor<1x2x8x8xf32>, %rois: tensor<3x5xf32>, %idx: tensor<3xi64>) {
  // expected-error @+1 {{input must be [N, C, H, W], rois [R, 4] and batch_indices [R]}}
  %0 = dnn.roi_align %x, %rois, %idx {half_pixel = true, max = false, output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f64} : (tensor<1x2x8x8xf32>, tensor<3x5xf32>, tensor<3xi64>) -> tensor<3x2x2x2xf32>
  return
}

// -----

func.func @gather_nd_tuple(%d: tensor<2x3xf32>, %i: tensor<4x2xi64>) {
  // expected-error @+1 {{indices must be [b..., g..., tuple_size]}}
  %0 = dnn.gather_nd %d, %i {batch_dims = 0 : i64, tuple_size = 1 : i64} : (tensor<2x3xf32>, tensor<4x2xi64>) -> tensor<4x3xf32>
  return
}

// -----

func.func @string_normalizer_rank(%x: tensor<2x3x!dnn.string>) -> tensor<2x?x!dnn.string> {
  // expected-error @+1 {{input must be [C] or [1, C]}}
  %0 = dnn.string_normalizer %x {case_change = "NONE", case_sensitive = true, stopwords = []}
       : tensor<2x3x!dnn.string> -> tensor<2x?x!dnn.string>
  return %0 : tensor<2x?x!dnn.string>
}

// -----

func.func @string_normalizer_case(%x: tensor<3x!dnn.string>) -> tensor<?x!dnn.string> {
  // expected-error @+1 {{case_change must be LOWER, UPPER or NONE, not 'TITLE'}}
  %0 = dnn.string_normalizer %x {case_change = "TITLE", case_sensitive = true, stopwords = []}
       : tensor<3x!dnn.string> -> tensor<?x!dnn.string>
  return %0 : tensor<?x!dnn.string>
}

// -----

func.func @string_format_of_string(%s: !dnn.string) -> !dnn.string {
  // expected-error @+1 {{operand #0 must be}}
  %0 = dnn.string_format %s : !dnn.string
  return %0 : !dnn.string
}

// -----

func.func @optional_payload(%x: tensor<3xf32>, %f: tensor<i1>) -> !dnn.opt<tensor<4xf32>> {
  // expected-error @+1 {{payload type 'tensor<3xf32>' differs from the optional's 'tensor<4xf32>'}}
  %0 = dnn.optional %f, %x : (tensor<i1>, tensor<3xf32>) -> !dnn.opt<tensor<4xf32>>
  return %0 : !dnn.opt<tensor<4xf32>>
}

// -----

func.func @optional_get(%o: !dnn.opt<tensor<4xf32>>) -> tensor<?xf32> {
  // expected-error @+1 {{result type 'tensor<?xf32>' differs from the optional's 'tensor<4xf32>'}}
  %0 = dnn.optional_get %o : !dnn.opt<tensor<4xf32>> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// expected-error @+1 {{an optional holds a ranked tensor or a sequence, not 'f32'}}
func.func private @optional_of_scalar(!dnn.opt<f32>)

// -----

func.func @conv_nhwc_group(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x4xf32>) {
  // expected-error @+1 {{group must divide C and F, with weight [KH, KW, C / group, F]}}
  %0 = dnn.conv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x8x8x4xf32>, tensor<3x3x4x4xf32>) -> tensor<1x6x6x4xf32>
  return
}

// -----

func.func @conv_nhwc_group_divides(%x: tensor<1x8x8x6xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @+1 {{group must divide C and F, with weight [KH, KW, C / group, F]}}
  %0 = dnn.conv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x8x8x6xf32>, tensor<3x3x2x4xf32>) -> tensor<1x6x6x4xf32>
  return
}

// -----

func.func @conv_nhwc_shape(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x6xf32>) {
  // expected-error @+1 {{result type}}
  %0 = dnn.conv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x8x8x4xf32>, tensor<3x3x4x6xf32>) -> tensor<1x6x6x4xf32>
  return
}

// -----

func.func @pool_channels_last_dynamic(%x: tensor<1x?x8x4xf32>) {
  // expected-error @+1 {{channels_last needs a static input, float unless max pooling, and max or average pooling}}
  %0 = dnn.max_pool %x {channels_last = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x?x8x4xf32> -> tensor<1x?x4x4xf32>
  return
}

// -----

func.func @pool_channels_last_channels(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+1 {{result must keep the batch and channel dims}}
  %0 = dnn.max_pool %x {channels_last = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x8x8x4xf32> -> tensor<1x4x4x8xf32>
  return
}

// -----

func.func @qconv_float_input(%x: tensor<1x4x4x8xf32>, %w: tensor<1x1x8x4xi8>) {
  // expected-error @+1 {{takes 8-bit input and weight codes to an i32 result}}
  %0 = dnn.qconv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, input_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x8xf32>, tensor<1x1x8x4xi8>) -> tensor<1x4x4x4xi32>
  return
}

// -----

func.func @qconv_zero_point_range(%x: tensor<1x4x4x8xi8>, %w: tensor<1x1x8x4xi8>) {
  // expected-error @+1 {{input zero point out of the 8-bit range}}
  %0 = dnn.qconv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, input_zero_point = 200 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x8xi8>, tensor<1x1x8x4xi8>) -> tensor<1x4x4x4xi32>
  return
}

// -----

func.func @qconv_channels(%x: tensor<1x4x4x8xi8>, %w: tensor<1x1x6x4xi8>) {
  // expected-error @+1 {{weight must be [KH, KW, C, F]}}
  %0 = dnn.qconv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, input_unsigned, input_zero_point = 200 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x8xi8>, tensor<1x1x6x4xi8>) -> tensor<1x4x4x4xi32>
  return
}

// -----

func.func @qdepthwise_int_weight(%x: tensor<1x4x4x8xi8>, %w: tensor<3x3x8xi8>) {
  // expected-error @+1 {{takes 8-bit input codes and an f32 weight to an f32 result}}
  %0 = dnn.qdepthwise_conv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, input_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x8xi8>, tensor<3x3x8xi8>) -> tensor<1x4x4x8xf32>
  return
}

// -----

func.func @qdepthwise_channels(%x: tensor<1x4x4x8xi8>, %w: tensor<3x3x6xf32>) {
  // expected-error @+1 {{weight must be [KH, KW, C]}}
  %0 = dnn.qdepthwise_conv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, input_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x8xi8>, tensor<3x3x6xf32>) -> tensor<1x4x4x8xf32>
  return
}

// -----

func.func @qdepthwise_zero_point_range(%x: tensor<1x4x4x8xi8>, %w: tensor<3x3x8xf32>) {
  // expected-error @+1 {{input zero point out of the 8-bit range}}
  %0 = dnn.qdepthwise_conv2d_nhwc %x, %w {dilations = array<i64: 1, 1>, input_zero_point = 128 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x8xi8>, tensor<3x3x8xf32>) -> tensor<1x4x4x8xf32>
  return
}

// -----

func.func @max_pool_unsigned_float(%x: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{input_unsigned needs integer elements}}
  %0 = dnn.max_pool %x {input_unsigned, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return
}
