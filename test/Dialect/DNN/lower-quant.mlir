// RUN: dnnc-opt %s --split-input-file --verify-diagnostics --dnn-lower-quant | FileCheck %s
// Quantized values become their integer storage: qcast is ONNX
// QuantizeLinear (round half to even, then the zero point, saturated), dcast
// is (q - zero point) * scale with uint8 codes zero-extended, scast goes.

// CHECK-LABEL: func @fake_quant_u8
func.func @fake_quant_u8(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
  // CHECK: %[[D:.*]] = dnn.div %arg0, %[[S]]
  // CHECK: %[[Z:.*]] = arith.constant dense<1.280000e+02> : tensor<f32>
  // CHECK: %[[R:.*]] = dnn.round %[[D]]
  // CHECK: %[[A:.*]] = dnn.add %[[R]], %[[Z]]
  // CHECK: %[[C:.*]] = dnn.clip %[[A]] {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64}
  // CHECK: %[[I32:.*]] = dnn.cast %[[C]] : tensor<4xf32> -> tensor<4xi32>
  // CHECK: %[[Q:.*]] = dnn.cast %[[I32]] : tensor<4xi32> -> tensor<4xi8>
  // CHECK: %[[W:.*]] = dnn.cast %[[Q]] : tensor<4xi8> -> tensor<4xi32>
  // CHECK: %[[U:.*]] = dnn.and %[[W]], %{{.*}} : tensor<4xi32>, tensor<i32>
  // CHECK: %[[F:.*]] = dnn.cast %[[U]] : tensor<4xi32> -> tensor<4xf32>
  // CHECK: %[[SUB:.*]] = dnn.sub %[[F]], %{{.*}}
  // CHECK: %[[Y:.*]] = dnn.mul %[[SUB]], %{{.*}}
  // CHECK-NOT: quant.
  // CHECK: return %[[Y]]
  %0 = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.5:128>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<u8:f32, 0.5:128>> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Per-axis int8 weights: the scales broadcast along their axis; zero points
// of 0 are not subtracted; scast of a constant is the constant.
// CHECK-LABEL: func @per_axis_weights
func.func @per_axis_weights() -> tensor<2x3xf32> {
  // CHECK: %[[C:.*]] = arith.constant dense<{{.*}}> : tensor<2x3xi8>
  // CHECK: %[[W:.*]] = dnn.cast %[[C]] : tensor<2x3xi8> -> tensor<2x3xi32>
  // CHECK-NOT: dnn.and
  // CHECK: %[[F:.*]] = dnn.cast %[[W]] : tensor<2x3xi32> -> tensor<2x3xf32>
  // CHECK-NOT: dnn.sub
  // CHECK: %[[S:.*]] = arith.constant dense<[2.500000e-01, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
  // CHECK: dnn.mul %[[F]], %[[S]] : tensor<2x3xf32>, tensor<3xf32>
  %c = arith.constant dense<[[1, -2, 3], [4, 5, -6]]> : tensor<2x3xi8>
  %0 = quant.scast %c : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:1, {0.25, 0.5, 1.0}>>
  %1 = quant.dcast %0 : tensor<2x3x!quant.uniform<i8:f32:1, {0.25, 0.5, 1.0}>> to tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// Codes passed through as integers keep no cast at all.
// CHECK-LABEL: func @storage_round_trip
func.func @storage_round_trip(%x: tensor<4xf32>) -> tensor<4xi8> {
  // CHECK: %[[Q:.*]] = dnn.cast %{{.*}} : tensor<4xi32> -> tensor<4xi8>
  // CHECK-NEXT: return %[[Q]]
  %0 = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.scast %0 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xi8>
  %2 = quant.scast %1 : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %3 = quant.scast %2 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xi8>
  return %3 : tensor<4xi8>
}

// -----

func.func @quantized_operand(%x: tensor<4xf32>) -> tensor<2x2x!quant.uniform<i8:f32, 0.5>> {
  %0 = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{cannot take a quantized operand}}
  %1 = dnn.reshape %0 : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<2x2x!quant.uniform<i8:f32, 0.5>>
  return %1 : tensor<2x2x!quant.uniform<i8:f32, 0.5>>
}

// -----

// Codes that dnn-fuse-quantized computed on integers (round, convert, add
// the zero point, saturate, narrow) dequantize from the rounded float: the
// same integers clamped to [lo - zp, hi - zp], times the scale; the codes
// stay for their other readers.
// CHECK-LABEL: func @requantized_codes
func.func @requantized_codes(%t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi8>) {
  // CHECK: %[[R:.*]] = dnn.round %arg0
  // CHECK: %[[I:.*]] = dnn.cast %[[R]] : tensor<4xf32> -> tensor<4xi32>
  // CHECK: %[[A:.*]] = dnn.add %[[I]]
  // CHECK: %[[C:.*]] = dnn.clip %[[A]] {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64} : tensor<4xi32>
  // CHECK: %[[Q:.*]] = dnn.cast %[[C]] : tensor<4xi32> -> tensor<4xi8>
  // CHECK: %[[CF:.*]] = dnn.clip %[[R]] {max = 1.270000e+02 : f64, min = -1.280000e+02 : f64} : tensor<4xf32>
  // CHECK: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
  // CHECK: %[[Y:.*]] = dnn.mul %[[CF]], %[[S]]
  // CHECK-NOT: dnn.and
  // CHECK: return %[[Y]], %[[Q]]
  %zp = arith.constant dense<128> : tensor<i32>
  %r = dnn.round %t : tensor<4xf32>
  %i = dnn.cast %r : tensor<4xf32> -> tensor<4xi32>
  %a = dnn.add %i, %zp : tensor<4xi32>, tensor<i32>
  %c = dnn.clip %a {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64} : tensor<4xi32>
  %q = dnn.cast %c : tensor<4xi32> -> tensor<4xi8>
  %0 = quant.scast %q : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 0.5:128>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<u8:f32, 0.5:128>> to tensor<4xf32>
  %2 = quant.scast %0 : tensor<4x!quant.uniform<u8:f32, 0.5:128>> to tensor<4xi8>
  return %1, %2 : tensor<4xf32>, tensor<4xi8>
}

// -----

// A zero point other than the type's: the codes are dequantized as usual.
// CHECK-LABEL: func @requantized_other_zero_point
// CHECK: dnn.and
func.func @requantized_other_zero_point(%t: tensor<4xf32>) -> tensor<4xf32> {
  %zp = arith.constant dense<3> : tensor<i32>
  %r = dnn.round %t : tensor<4xf32>
  %i = dnn.cast %r : tensor<4xf32> -> tensor<4xi32>
  %a = dnn.add %i, %zp : tensor<4xi32>, tensor<i32>
  %c = dnn.clip %a {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64} : tensor<4xi32>
  %q = dnn.cast %c : tensor<4xi32> -> tensor<4xi8>
  %0 = quant.scast %q : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 0.5:128>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<u8:f32, 0.5:128>> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Two requantized operands of one op (a residual Add of two convolutions):
// only the codes computed last dequantize from the rounded float; the
// others keep their codes, which their convolution then stores as bytes.
// CHECK-LABEL: func @residual_of_two_requantized
func.func @residual_of_two_requantized(%t: tensor<4xf32>, %u: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[RA:.*]] = dnn.round %arg0
  // CHECK: %[[QA:.*]] = dnn.cast %{{.*}} : tensor<4xi32> -> tensor<4xi8>
  // CHECK: %[[RB:.*]] = dnn.round %arg1
  // CHECK: %[[WA:.*]] = dnn.cast %[[QA]] : tensor<4xi8> -> tensor<4xi32>
  // CHECK: dnn.and %[[WA]]
  // CHECK: %[[CB:.*]] = dnn.clip %[[RB]] {{.*}} : tensor<4xf32>
  // CHECK: dnn.mul %[[CB]]
  // CHECK: dnn.add
  %zp = arith.constant dense<128> : tensor<i32>
  %ra = dnn.round %t : tensor<4xf32>
  %ia = dnn.cast %ra : tensor<4xf32> -> tensor<4xi32>
  %aa = dnn.add %ia, %zp : tensor<4xi32>, tensor<i32>
  %ca = dnn.clip %aa {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64} : tensor<4xi32>
  %qa = dnn.cast %ca : tensor<4xi32> -> tensor<4xi8>
  %rb = dnn.round %u : tensor<4xf32>
  %ib = dnn.cast %rb : tensor<4xf32> -> tensor<4xi32>
  %ab = dnn.add %ib, %zp : tensor<4xi32>, tensor<i32>
  %cb = dnn.clip %ab {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64} : tensor<4xi32>
  %qb = dnn.cast %cb : tensor<4xi32> -> tensor<4xi8>
  %0 = quant.scast %qa : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 0.5:128>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<u8:f32, 0.5:128>> to tensor<4xf32>
  %2 = quant.scast %qb : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 0.25:128>>
  %3 = quant.dcast %2 : tensor<4x!quant.uniform<u8:f32, 0.25:128>> to tensor<4xf32>
  %4 = dnn.add %1, %3 : tensor<4xf32>, tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// A ReLU before a per-tensor qcast becomes the clip's lower bound: the zero
// point (here above the type's minimum).
// CHECK-LABEL: func @relu_then_quantize
func.func @relu_then_quantize(%x: tensor<4xf32>) -> tensor<4xi8> {
  // CHECK-NOT: dnn.relu
  // CHECK: dnn.div %arg0
  // CHECK: dnn.clip %{{.*}} {max = 2.550000e+02 : f64, min = 1.000000e+01 : f64}
  %r = dnn.relu %x : tensor<4xf32>
  %0 = quant.qcast %r : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.5:10>>
  %1 = quant.scast %0 : tensor<4x!quant.uniform<u8:f32, 0.5:10>> to tensor<4xi8>
  return %1 : tensor<4xi8>
}
