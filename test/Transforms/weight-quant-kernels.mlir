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
// 40 columns: 3 panels of 16, padded to 4 (2 panels advance together with
// blocks of 2 rows); 64 k: 8 words of 8 codes per lane.
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x{{(12)+}}{{.*}}"> : tensor<4x8x16xi32>
// Scales 0.5 (0x3F000000), and scale * zero point = 1.5 (0x3FC00000).
// CHECK-DAG: %[[S:.*]] = arith.constant dense<"0x{{(0000003F)+}}{{.*}}"> : tensor<4x2x16xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<"0x{{(0000C03F)+}}{{.*}}"> : tensor<4x2x16xf32>
// CHECK: scf.for %[[P:.*]] = %c0 to %c4 step %c2 iter_args({{.*}}) -> (tensor<2x40xf32>)
// CHECK: scf.for %[[G:.*]] = %c0 to %c2 {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: scf.for %[[J:.*]] = %c0 to %c4 {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, f32, f32)
// CHECK: vector.transfer_read %[[W]][%[[P]], %{{.*}}, %c0], %{{.*}} {in_bounds = [true]} : tensor<4x8x16xi32>, vector<16xi32>
// CHECK: %[[Q:.*]] = arith.andi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: %[[QF:.*]] = arith.uitofp %[[Q]] : vector<16xi32> to vector<16xf32>
// The unpacked codes feed both rows.
// CHECK: %[[X0:.*]] = tensor.extract %arg0[%c0, %{{.*}}] : tensor<2x64xf32>
// CHECK: %[[XB0:.*]] = vector.broadcast %[[X0]] : f32 to vector<16xf32>
// CHECK: vector.fma %[[XB0]], %[[QF]], %{{.*}} : vector<16xf32>
// CHECK: %[[X1:.*]] = tensor.extract %arg0[%c1, %{{.*}}] : tensor<2x64xf32>
// CHECK: %[[XB1:.*]] = vector.broadcast %[[X1]] : f32 to vector<16xf32>
// CHECK: vector.fma %[[XB1]], %[[QF]], %{{.*}} : vector<16xf32>
// CHECK: arith.shrui %{{.*}}, %{{.*}} : vector<16xi32>
// Per block: scale times the block's sum, minus scale * zp * sum(x).
// CHECK: vector.transfer_read %[[S]][%[[P]], %[[G]], %c0]
// CHECK: vector.transfer_read %[[Z]][%[[P]], %[[G]], %c0]
// CHECK: vector.fma
// CHECK: vector.fma
// The stores past column 40 are masked.
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%c0, %{{.*}}] : vector<16xf32>, tensor<2x40xf32>
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
