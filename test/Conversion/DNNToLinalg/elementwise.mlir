// RUN: dnnc-opt %s --split-input-file --convert-dnn-to-linalg | FileCheck %s
// Elementwise ops become one all-parallel linalg.generic with NumPy
// broadcasting maps; the body depends on the op and the element type.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @broadcast_add
func.func @broadcast_add(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
  // CHECK: arith.addf
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]]
  // CHECK: arith.subf
  %0 = dnn.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
  %1 = dnn.sub %0, %c : tensor<2x3xf32>, tensor<2x1xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @integer_ops
func.func @integer_ops(%a: tensor<4xi64>, %b: tensor<4xi64>) -> (tensor<4xi64>, tensor<4xi1>) {
  // CHECK: arith.divsi
  // CHECK: arith.cmpi slt
  %0 = dnn.div %a, %b : tensor<4xi64>, tensor<4xi64>
  %1 = dnn.less %a, %b : tensor<4xi64>, tensor<4xi64>
  return %0, %1 : tensor<4xi64>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func @python_mod
func.func @python_mod(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // fmod = false: the remainder takes the divisor's sign.
  // CHECK: %[[R:.*]] = arith.remsi
  // CHECK: %[[FIX:.*]] = arith.andi
  // CHECK: %[[ADJ:.*]] = arith.addi %[[R]]
  // CHECK: arith.select %[[FIX]], %[[ADJ]], %[[R]]
  %0 = dnn.mod %a, %b {fmod = false} : tensor<4xi32>, tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func @activations
func.func @activations(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: arith.maximumf
  // Sigmoid in f32 is 0.5 * tanh(x / 2) + 0.5 (a rational polynomial after
  // math approximation, no exp and no division).
  // CHECK: %[[HALF:.*]] = arith.mulf %{{.*}}, %cst{{.*}} : f32
  // CHECK: %[[T:.*]] = math.tanh %[[HALF]] : f32
  // CHECK: math.fma %[[T]]
  // CHECK-NOT: math.exp
  // CHECK: math.erf
  // CHECK: arith.minimumf
  %0 = dnn.relu %x : tensor<8xf32>
  %1 = dnn.sigmoid %0 : tensor<8xf32>
  %2 = dnn.gelu %1 : tensor<8xf32>
  %3 = dnn.clip %2 {max = 6.0 : f64} : tensor<8xf32>
  return %3 : tensor<8xf32>
}

// -----

// Other float types keep 1 / (1 + exp(-x)).
// CHECK-LABEL: func @sigmoid_f64
func.func @sigmoid_f64(%x: tensor<8xf64>) -> tensor<8xf64> {
  // CHECK: arith.negf
  // CHECK: math.exp
  // CHECK: arith.divf
  // CHECK-NOT: math.tanh
  %0 = dnn.sigmoid %x : tensor<8xf64>
  return %0 : tensor<8xf64>
}

// -----

// CHECK-LABEL: func @where_and_cast
func.func @where_and_cast(%c: tensor<2x1xi1>, %x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xi32> {
  // CHECK: arith.select
  // CHECK: arith.fptosi %{{.*}} : f32 to i32
  %0 = dnn.where %c, %x, %y : tensor<2x1xi1>, tensor<2x3xf32>, tensor<3xf32>
  %1 = dnn.cast %0 : tensor<2x3xf32> -> tensor<2x3xi32>
  return %1 : tensor<2x3xi32>
}

// -----

// CHECK-LABEL: func @cast_to_bool
func.func @cast_to_bool(%x: tensor<3xf32>) -> tensor<3xi1> {
  // Nonzero is true.
  // CHECK: arith.cmpf une
  %0 = dnn.cast %x : tensor<3xf32> -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// CHECK-LABEL: func @expand
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x4xf32>)
  // CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: linalg.yield %[[IN]]
  %0 = dnn.expand %x : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func @trigonometric
func.func @trigonometric(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: math.acos
  // CHECK: math.sinh
  // CHECK: math.atanh
  %0 = dnn.acos %x : tensor<4xf32>
  %1 = dnn.sinh %0 : tensor<4xf32>
  %2 = dnn.atanh %1 : tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @shifts
func.func @shifts(%a: tensor<4xi8>, %b: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi8>) {
  // Right shifts are logical: ONNX BitShift is defined on unsigned integers.
  // CHECK: arith.shli
  // CHECK: arith.shrui
  %0 = dnn.shift_left %a, %b : tensor<4xi8>, tensor<4xi8>
  %1 = dnn.shift_right %a, %b : tensor<4xi8>, tensor<4xi8>
  return %0, %1 : tensor<4xi8>, tensor<4xi8>
}

// -----

// Casts to and from strings print and parse each element.
// CHECK-LABEL: func @cast_strings
// CHECK: linalg.generic
// CHECK:   ^bb0(%[[IN:.*]]: f16, %{{.*}}: !dnn.string):
// CHECK:     %[[S:.*]] = dnn.string_format %[[IN]] : f16
// CHECK:     linalg.yield %[[S]] : !dnn.string
// CHECK: linalg.generic
// CHECK:   ^bb0(%[[T:.*]]: !dnn.string, %{{.*}}: i32):
// CHECK:     %[[V:.*]] = dnn.string_parse %[[T]] : i32
// CHECK:     linalg.yield %[[V]] : i32
func.func @cast_strings(%f: tensor<3xf16>, %s: tensor<3x!dnn.string>) -> (tensor<3x!dnn.string>, tensor<3xi32>) {
  %1 = dnn.cast %f : tensor<3xf16> -> tensor<3x!dnn.string>
  %2 = dnn.cast %s : tensor<3x!dnn.string> -> tensor<3xi32>
  return %1, %2 : tensor<3x!dnn.string>, tensor<3xi32>
}
