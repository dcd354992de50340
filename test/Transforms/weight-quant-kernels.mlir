// RUN: dnnc-opt %s --split-input-file --convert-dnn-to-linalg --canonicalize --dnnc-conv-kernels --canonicalize --cse | FileCheck %s
// RUN: dnnc-opt %s --split-input-file --convert-dnn-to-linalg --canonicalize | FileCheck %s --check-prefix=LINALG
// dnn.weight_quant_matmul lowers to a generic that unpacks and dequantizes
// each code; dnnc-conv-kernels gives it vector loops over panels of 16
// columns that keep the codes packed (4-bit: 8 codes per i32 lane), sum
// x * q per block and apply the block's scale and zero point once.

// LINALG-LABEL: func @int4
// LINALG: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// LINALG: linalg.index 2
// LINALG: arith.shrui
// LINALG: arith.uitofp
// CHECK-LABEL: func @int4
// 40 columns: 3 panels of 16, padded to a group of NP = 3; 64 k: 8 words.
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<3x8x16xi32>
// Scales 0.5, and scale * zero point = 1.5 (columns past 40 hold 0).
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[\[\[}}5.000000e-01, {{.*}}> : tensor<3x2x16xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<{{\[\[\[}}1.500000e+00, {{.*}}> : tensor<3x2x16xf32>
// CHECK: scf.for %[[M:.*]] = %c0 to %c2
// CHECK: scf.for %[[G:.*]] = %c0 to %c2 {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: scf.for %[[J:.*]] = %c0 to %c4 {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, f32)
// CHECK: vector.transfer_read %[[W]][%c0, %{{.*}}, %c0], %{{.*}} {in_bounds = [true]} : tensor<3x8x16xi32>, vector<16xi32>
// CHECK: %[[X:.*]] = tensor.extract %arg0[%[[M]], %{{.*}}] : tensor<2x64xf32>
// CHECK: %[[XB:.*]] = vector.broadcast %[[X]] : f32 to vector<16xf32>
// CHECK: %[[Q:.*]] = arith.andi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: %[[QF:.*]] = arith.uitofp %[[Q]] : vector<16xi32> to vector<16xf32>
// CHECK: vector.fma %[[XB]], %[[QF]], %{{.*}} : vector<16xf32>
// CHECK: arith.shrui %{{.*}}, %{{.*}} : vector<16xi32>
// Per block: scale times the block's sum, minus scale * zp * sum(x).
// CHECK: vector.transfer_read %[[S]][%c0, %[[G]], %c0]
// CHECK: vector.fma
// CHECK: vector.transfer_read %[[Z]][%c0, %[[G]], %c0]
// CHECK: vector.fma
// The tail panel's stores are masked.
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%[[M]], %c32] : vector<16xf32>, tensor<2x40xf32>
// CHECK-NOT: linalg.generic
func.func @int4(%x: tensor<2x64xf32>) -> tensor<2x40xf32> {
  %w = arith.constant dense<18> : tensor<40x32xi8>
  %s = arith.constant dense<0.5> : tensor<40x2xf32>
  %zb = arith.constant dense<3.0> : tensor<40x2xf32>
  %y = dnn.weight_quant_matmul %x, %w, %s, %zb {bits = 4 : i64, group_size = 32 : i64} : (tensor<2x64xf32>, tensor<40x32xi8>, tensor<40x2xf32>, tensor<40x2xf32>) -> tensor<2x40xf32>
  return %y : tensor<2x40xf32>
}

// -----

// 8 bits: one code per byte, [panels, K, 16] bytes, zero-extended.
// CHECK-LABEL: func @int8
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<1x32x16xi8>
// CHECK: vector.transfer_read %[[W]]{{.*}} : tensor<1x32x16xi8>, vector<16xi8>
// CHECK: arith.extui %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: vector.fma
// CHECK-NOT: linalg.generic
func.func @int8(%x: tensor<1x32xf32>, %z: tensor<16x1xf32>) -> tensor<1x16xf32> {
  %w = arith.constant dense<200> : tensor<16x32xi8>
  %s = arith.constant dense<0.25> : tensor<16x1xf32>
  %zc = arith.constant dense<128.0> : tensor<16x1xf32>
  %y = dnn.weight_quant_matmul %x, %w, %s, %zc {bits = 8 : i64, group_size = 32 : i64} : (tensor<1x32xf32>, tensor<16x32xi8>, tensor<16x1xf32>, tensor<16x1xf32>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
