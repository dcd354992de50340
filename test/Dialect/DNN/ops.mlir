// RUN: dnnc-opt %s | dnnc-opt | FileCheck %s
// Round trip: every op family prints and parses back unchanged.

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x3xi1>) -> tensor<2x3xf32> {
  // CHECK: dnn.relu %{{.*}} : tensor<2x3xf32>
  %0 = dnn.relu %a : tensor<2x3xf32>
  // CHECK: dnn.add %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32>
  %1 = dnn.add %0, %b : tensor<2x3xf32>, tensor<3xf32>
  // CHECK: dnn.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
  %2 = dnn.clip %1 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
  // CHECK: %[[LT:.*]] = dnn.less %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32>
  %3 = dnn.less %2, %b : tensor<2x3xf32>, tensor<3xf32>
  // CHECK: dnn.where %[[LT]], %{{.*}}, %{{.*}} : tensor<2x3xi1>
  %4 = dnn.where %3, %2, %a : tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: dnn.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xi64>
  %5 = dnn.cast %4 : tensor<2x3xf32> -> tensor<2x3xi64>
  // CHECK: dnn.hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32}
  %6 = dnn.hard_sigmoid %4 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  return %6 : tensor<2x3xf32>
}

// CHECK-LABEL: func @contraction
func.func @contraction(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>,
                       %m: tensor<2x4x8xf32>, %n: tensor<8x16xf32>) -> (tensor<1x4x8x8xf32>, tensor<2x4x16xf32>) {
  // CHECK: dnn.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %0 = dnn.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: dnn.matmul %{{.*}}, %{{.*}} : tensor<2x4x8xf32>, tensor<8x16xf32>
  %1 = dnn.matmul %m, %n : tensor<2x4x8xf32>, tensor<8x16xf32>
  return %0, %1 : tensor<1x4x8x8xf32>, tensor<2x4x16xf32>
}

// CHECK-LABEL: func @conv_channels_last
func.func @conv_channels_last(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>, %b: tensor<4xf32>,
                              %dw: tensor<3x3x1x3xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x8x8x3xf32>) {
  // CHECK: dnn.conv2d_nhwc %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %0 = dnn.conv2d_nhwc %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: dnn.conv2d_nhwc %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 3 : i64
  %1 = dnn.conv2d_nhwc %x, %dw {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x8x8x3xf32>, tensor<3x3x1x3xf32>) -> tensor<1x8x8x3xf32>
  return %0, %1 : tensor<1x4x4x4xf32>, tensor<1x8x8x3xf32>
}

// CHECK-LABEL: func @pooling_and_norms
func.func @pooling_and_norms(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>, %s: tensor<2x10xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>, tensor<1x4x8x8xf32>, tensor<2x10xf32>, tensor<2x1xf32>) {
  // CHECK: dnn.max_pool
  %0 = dnn.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: dnn.global_average_pool
  %1 = dnn.global_average_pool %x : tensor<1x4x8x8xf32> -> tensor<1x4x1x1xf32>
  // CHECK: dnn.batch_norm
  %2 = dnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : tensor<1x4x8x8xf32>, tensor<4xf32>
  // CHECK: dnn.softmax %{{.*}} {axis = 1 : i64}
  %3 = dnn.softmax %s {axis = 1 : i64} : tensor<2x10xf32>
  // CHECK: dnn.reduce_mean %{{.*}} {axes = array<i64: 1>, keepdims = true}
  %4 = dnn.reduce_mean %s {axes = array<i64: 1>, keepdims = true} : tensor<2x10xf32> -> tensor<2x1xf32>
  return %0, %1, %2, %3, %4 : tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>, tensor<1x4x8x8xf32>, tensor<2x10xf32>, tensor<2x1xf32>
}

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x6xf32>, %i: tensor<3xi64>) -> (tensor<6x2xf32>, tensor<2x2xf32>, tensor<2x4xf32>, tensor<3x6xf32>, tensor<2x10xf32>, tensor<2xi64>) {
  // CHECK: dnn.transpose %{{.*}} {perm = array<i64: 1, 0>}
  %0 = dnn.transpose %x {perm = array<i64: 1, 0>} : tensor<2x6xf32> -> tensor<6x2xf32>
  // CHECK: dnn.split
  %1:2 = dnn.split %x {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x4xf32>
  // CHECK: dnn.gather %{{.*}}, %{{.*}} {axis = 0 : i64}
  %2 = dnn.gather %0, %i {axis = 0 : i64} : (tensor<6x2xf32>, tensor<3xi64>) -> tensor<3x2xf32>
  // CHECK: dnn.slice %{{.*}} {starts = array<i64: 0, 0>, steps = array<i64: 1, 2>}
  %3 = dnn.slice %x {starts = array<i64: 0, 0>, steps = array<i64: 1, 2>} : tensor<2x6xf32> -> tensor<2x3xf32>
  // CHECK: dnn.reshape %{{.*}} : tensor<3x2xf32> -> tensor<6xf32>
  %4 = dnn.reshape %2 : tensor<3x2xf32> -> tensor<6xf32>
  // CHECK: dnn.expand %{{.*}} : tensor<6xf32> -> tensor<3x6xf32>
  %5 = dnn.expand %4 : tensor<6xf32> -> tensor<3x6xf32>
  // CHECK: dnn.pad %{{.*}} {mode = "reflect"
  %6 = dnn.pad %x {mode = "reflect", pads = array<i64: 0, 2, 0, 2>, value = 0.0 : f64} : tensor<2x6xf32> -> tensor<2x10xf32>
  // CHECK: dnn.shape %{{.*}} {end = 2 : i64, start = 0 : i64}
  %7 = dnn.shape %x {start = 0 : i64, end = 2 : i64} : tensor<2x6xf32> -> tensor<2xi64>
  return %0, %1#0, %1#1, %5, %6, %7 : tensor<6x2xf32>, tensor<2x2xf32>, tensor<2x4xf32>, tensor<3x6xf32>, tensor<2x10xf32>, tensor<2xi64>
}

// Run-time dims: a reshape to a run-time shape, a slice with run-time bounds.
// CHECK-LABEL: func @runtime_dims
func.func @runtime_dims(%x: tensor<?x8xf32>, %s: tensor<3xi64>, %b: tensor<2xi64>) -> (tensor<?x2x4xf32>, tensor<?x?xf32>) {
  // CHECK: dnn.reshape %{{.*}}, %{{.*}} : tensor<?x8xf32>, tensor<3xi64> -> tensor<?x2x4xf32>
  %0 = dnn.reshape %x, %s : tensor<?x8xf32>, tensor<3xi64> -> tensor<?x2x4xf32>
  // CHECK: dnn.slice %{{.*}} bounds %{{.*}}, %{{.*}} {starts = array<i64: 0, 0>, steps = array<i64: 1, -1>} : tensor<?x8xf32>, tensor<2xi64>, tensor<2xi64> -> tensor<?x?xf32>
  %1 = dnn.slice %x bounds %b, %b {starts = array<i64: 0, 0>, steps = array<i64: 1, -1>} : tensor<?x8xf32>, tensor<2xi64>, tensor<2xi64> -> tensor<?x?xf32>
  return %0, %1 : tensor<?x2x4xf32>, tensor<?x?xf32>
}

// CHECK-LABEL: func @runtime_values
func.func @runtime_values(%s: tensor<2xi64>, %a: tensor<i64>) -> (tensor<?x?xf32>, tensor<?xi64>) {
  // CHECK: dnn.constant_of_shape %{{.*}} {value = 0.000000e+00 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  %0 = dnn.constant_of_shape %s {value = 0.0 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  // CHECK: dnn.range %{{.*}}, %{{.*}}, %{{.*}} : tensor<i64>, tensor<i64>, tensor<i64> -> tensor<?xi64>
  %1 = dnn.range %a, %a, %a : tensor<i64>, tensor<i64>, tensor<i64> -> tensor<?xi64>
  return %0, %1 : tensor<?x?xf32>, tensor<?xi64>
}

// CHECK-LABEL: func @non_max_suppression
func.func @non_max_suppression(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>, %m: tensor<i64>, %t: tensor<f32>) -> tensor<?x3xi64> {
  // CHECK: dnn.non_max_suppression %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {center_point_box = true} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  %0 = dnn.non_max_suppression %b, %s, %m, %t, %t {center_point_box = true} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// CHECK-LABEL: func @det_unique
func.func @det_unique(%x: tensor<3x2x2xf32>, %r: tensor<6x2xi64>) -> (tensor<3xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>) {
  // CHECK: dnn.det %{{.*}} : tensor<3x2x2xf32> -> tensor<3xf32>
  %0 = dnn.det %x : tensor<3x2x2xf32> -> tensor<3xf32>
  // CHECK: dnn.unique %{{.*}} {sorted = true} : tensor<6x2xi64> -> (tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  %1:3 = dnn.unique %r {sorted = true} : tensor<6x2xi64> -> (tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  return %0, %1#0, %1#1, %1#2 : tensor<3xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>
}

// CHECK-LABEL: func @max_pool_indices
func.func @max_pool_indices(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xi64> {
  // CHECK: dnn.max_pool_indices %{{.*}} {column_major = true, {{.*}}} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xi64>
  %0 = dnn.max_pool_indices %x {column_major = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xi64>
  return %0 : tensor<1x1x2x2xi64>
}

// CHECK-LABEL: func @gather_nd
func.func @gather_nd(%d: tensor<2x3x4xf32>, %i: tensor<2x5x1xi64>) -> tensor<2x5x4xf32> {
  // CHECK: dnn.gather_nd %{{.*}}, %{{.*}} {batch_dims = 1 : i64, tuple_size = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x1xi64>) -> tensor<2x5x4xf32>
  %0 = dnn.gather_nd %d, %i {batch_dims = 1 : i64, tuple_size = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x1xi64>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// CHECK-LABEL: func @non_zero
func.func @non_zero(%x: tensor<2x3xf32>) -> tensor<2x?xi64> {
  // CHECK: dnn.non_zero %{{.*}} : tensor<2x3xf32> -> tensor<2x?xi64>
  %0 = dnn.non_zero %x : tensor<2x3xf32> -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// CHECK-LABEL: func @strings
func.func @strings(%x: tensor<1x6x!dnn.string>, %f: tensor<3xf32>) -> (tensor<1x?x!dnn.string>, tensor<3x!dnn.string>, i1) {
  // CHECK: dnn.string_normalizer %{{.*}} {case_change = "UPPER", case_sensitive = false, stopwords = ["monday"]} : tensor<1x6x!dnn.string> -> tensor<1x?x!dnn.string>
  %0 = dnn.string_normalizer %x {case_change = "UPPER", case_sensitive = false, stopwords = ["monday"]}
       : tensor<1x6x!dnn.string> -> tensor<1x?x!dnn.string>
  // CHECK: dnn.cast %{{.*}} : tensor<3xf32> -> tensor<3x!dnn.string>
  %1 = dnn.cast %f : tensor<3xf32> -> tensor<3x!dnn.string>
  // CHECK: %[[L:.*]] = dnn.string_literal "Monday"
  %s = dnn.string_literal "Monday"
  // CHECK: %[[U:.*]] = dnn.string_change_case %[[L]] {upper = true}
  %u = dnn.string_change_case %s {upper = true}
  // CHECK: dnn.string_match_any %[[U]] {case_sensitive = true, words = ["MONDAY", "friday"]}
  %m = dnn.string_match_any %u {case_sensitive = true, words = ["MONDAY", "friday"]}
  // CHECK: %[[P:.*]] = dnn.string_parse %[[U]] : f64
  %p = dnn.string_parse %u : f64
  // CHECK: dnn.string_format %[[P]] : f64
  %q = dnn.string_format %p : f64
  return %0, %1, %m : tensor<1x?x!dnn.string>, tensor<3x!dnn.string>, i1
}

// CHECK-LABEL: func @optionals
func.func @optionals(%o: !dnn.opt<!dnn.seq<tensor<?xf32>>>, %x: tensor<4xf32>, %f: tensor<i1>)
    -> (tensor<i1>, !dnn.seq<tensor<?xf32>>, !dnn.opt<tensor<4xf32>>) {
  // CHECK: dnn.optional_has %{{.*}} : <!dnn.seq<tensor<?xf32>>>
  %0 = dnn.optional_has %o : !dnn.opt<!dnn.seq<tensor<?xf32>>>
  // CHECK: dnn.optional_get %{{.*}} : <!dnn.seq<tensor<?xf32>>> -> !dnn.seq<tensor<?xf32>>
  %1 = dnn.optional_get %o : !dnn.opt<!dnn.seq<tensor<?xf32>>> -> !dnn.seq<tensor<?xf32>>
  // CHECK: dnn.optional %{{.*}}, %{{.*}} : (tensor<i1>, tensor<4xf32>) -> !dnn.opt<tensor<4xf32>>
  %2 = dnn.optional %f, %x : (tensor<i1>, tensor<4xf32>) -> !dnn.opt<tensor<4xf32>>
  return %0, %1, %2 : tensor<i1>, !dnn.seq<tensor<?xf32>>, !dnn.opt<tensor<4xf32>>
}
