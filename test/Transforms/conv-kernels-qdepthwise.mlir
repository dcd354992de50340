// RUN: dnnc-opt %s --dnnc-conv-kernels --canonicalize --cse | FileCheck %s
// The depthwise convolution of 8-bit codes that
// dnn.qdepthwise_conv2d_nhwc lowers to runs on the depthwise kernel: per
// filter row, each input vector of the tile's pixels is read as 16 bytes and
// widened once (zext, to f32, minus the zero point), then multiplied into
// every accumulator whose window covers it. A tile of 8 pixels with 3 filter
// columns at stride 1 reads 10 input vectors per 32 channels, not 24.

#in = affine_map<(n, oh, ow, c, kh, kw) -> (n, oh + kh, ow + kw, c)>
#w = affine_map<(n, oh, ow, c, kh, kw) -> (kh, kw, c)>
#out = affine_map<(n, oh, ow, c, kh, kw) -> (n, oh, ow, c)>

// CHECK-LABEL: func @depthwise_codes
// CHECK-DAG: %[[ZP:.*]] = arith.constant dense<3.000000e+00> : vector<16xf32>
// CHECK: scf.for %[[ROW:.*]] = %c0 to %c4
// CHECK: scf.for %[[KH:.*]] = %c0 to %c3
// CHECK-COUNT-6: vector.transfer_read %arg1[%[[KH]], %{{.*}}, %{{.*}}]{{.*}} : tensor<3x3x32xf32>, vector<16xf32>
// CHECK: %[[X:.*]] = vector.transfer_read %arg0[%c0, %{{.*}}, %{{.*}}, %c0], %{{.*}} {in_bounds = [true]} : tensor<1x6x10x32xi8>, vector<16xi8>
// CHECK: %[[XI:.*]] = arith.extui %[[X]] : vector<16xi8> to vector<16xi32>
// CHECK: %[[XF:.*]] = arith.sitofp %[[XI]] : vector<16xi32> to vector<16xf32>
// CHECK: %[[XC:.*]] = arith.subf %[[XF]], %[[ZP]] : vector<16xf32>
// CHECK: vector.fma %[[XC]]
// CHECK-COUNT-19: vector.transfer_read %arg0{{.*}} : tensor<1x6x10x32xi8>, vector<16xi8>
// CHECK-NOT: vector.transfer_read %arg0
// CHECK: scf.yield
// CHECK-NOT: linalg.generic
func.func @depthwise_codes(%x: tensor<1x6x10x32xi8>, %w: tensor<3x3x32xf32>) -> tensor<1x4x8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32>
  %y = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : tensor<1x6x10x32xi8>, tensor<3x3x32xf32>) outs(%init : tensor<1x4x8x32xf32>) {
  ^bb0(%a: i8, %b: f32, %acc: f32):
    %xf = arith.uitofp %a : i8 to f32
    %zp = arith.constant 3.0 : f32
    %xc = arith.subf %xf, %zp : f32
    %p = arith.mulf %xc, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x32xf32>
  return %y : tensor<1x4x8x32xf32>
}
