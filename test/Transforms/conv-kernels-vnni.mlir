// RUN: dnnc-opt %s --split-input-file --dnnc-conv-kernels=vnni=true --canonicalize --cse | FileCheck %s
// RUN: dnnc-opt %s --split-input-file --dnnc-conv-kernels --canonicalize | FileCheck %s --check-prefix=PORTABLE
// The 8-bit convolution that dnn.qconv2d_nhwc lowers to gets register tiles
// of i32 accumulators fed by dot products of 4 bytes (the form of VNNI's
// vpdpbusd): the weights packed [panels, KH, KW, C/4, panel x 4], the zero
// point's share -zp * sum(w) as the accumulators' start, the requantizing
// consumer applied before an 8-bit store. Without vnni the generic stays.

#in = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow + kw, c)>
#w = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#out = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// CHECK-LABEL: func @unsigned_requantized
// Weights 3 over 3x3x8 taps: sum 216 per channel, times zp 200; the panel
// of 32 channels pads channels 20..31 with zeros.
// CHECK-DAG: %[[CORR:.*]] = arith.constant dense<[{{(-43200, )+}}{{(0, )+}}0]> : tensor<32xi32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x{{(03)+(00)+(03)+}}{{.*}}"> : tensor<1x3x3x2x128xi8>
// Rows of 6 pixels: tiles of 12 pixels run across rows (3 of them), pixel
// p at row p / 6, column p % 6.
// CHECK: scf.for %[[U:.*]] = %c0 to %c3
// CHECK: %[[P0:.*]] = arith.muli %[[U]], %c12
// CHECK: %[[ROW:.*]] = arith.divui %[[P0]], %c6
// CHECK: %[[COL:.*]] = arith.remui %[[P0]], %c6
// CHECK: %[[START:.*]] = vector.transfer_read %[[CORR]][%c0]
// CHECK: scf.for %[[KH:.*]] = %c0 to %c3 {{.*}} iter_args(%{{.*}} = %[[START]]
// CHECK: scf.for %[[KW:.*]] = %c0 to %c3
// CHECK: scf.for %[[Q:.*]] = %c0 to %c2
// CHECK: %[[WV:.*]] = vector.transfer_read %[[W]][%c0, %[[KH]], %[[KW]], %[[Q]], %c0], %{{.*}} {in_bounds = [true]} : tensor<1x3x3x2x128xi8>, vector<64xi8>
// CHECK: %[[WW:.*]] = arith.extsi %[[WV]] : vector<64xi8> to vector<64xi32>
// CHECK: %[[C:.*]] = arith.muli %[[Q]], %c4
// CHECK: %[[X4:.*]] = vector.transfer_read %arg0[%c0, %{{.*}}, %{{.*}}, %[[C]]], %{{.*}} {in_bounds = [true]} : tensor<1x8x8x8xi8>, vector<4xi8>
// CHECK: %[[X1:.*]] = vector.bitcast %[[X4]] : vector<4xi8> to vector<1xi32>
// CHECK: %[[XS:.*]] = vector.extract %[[X1]][0]
// CHECK: %[[XB:.*]] = vector.broadcast %[[XS]] : i32 to vector<16xi32>
// CHECK: %[[XBYTES:.*]] = vector.bitcast %[[XB]] : vector<16xi32> to vector<64xi8>
// CHECK: %[[XW:.*]] = arith.extui %[[XBYTES]] : vector<64xi8> to vector<64xi32>
// CHECK: %[[P:.*]] = arith.muli %[[XW]], %[[WW]] : vector<64xi32>
// CHECK: %[[G:.*]] = vector.shape_cast %[[P]] : vector<64xi32> to vector<16x4xi32>
// CHECK: vector.multi_reduction <add>, %[[G]], %{{.*}} [1] : vector<16x4xi32> to vector<16xi32>
// The requantization, then 16 bytes stored.
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: math.roundeven
// Finite values only (i32 sums times modest constants): plain clamps.
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nnan,nsz> : vector<16xf32>
// CHECK: arith.minimumf %{{.*}}, %{{.*}} fastmath<nnan,nsz> : vector<16xf32>
// CHECK: %[[B:.*]] = arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: vector.transfer_write %[[B]], %{{.*}}[%c0, %[[ROW]], %[[COL]], %c0] {in_bounds = [true]} : vector<16xi8>, tensor<1x6x6x20xi8>
// CHECK-NOT: linalg.generic
// PORTABLE-LABEL: func @unsigned_requantized
// PORTABLE: linalg.generic {{.*}}"reduction"
// PORTABLE-NOT: vector.multi_reduction
func.func @unsigned_requantized(%x: tensor<1x8x8x8xi8>) -> tensor<1x6x6x20xi8> {
  %w = arith.constant dense<3> : tensor<3x3x8x20xi8>
  %zp = arith.constant 200 : i32
  %scale = arith.constant 0.01 : f32
  %zero = arith.constant 0.0 : f32
  %top = arith.constant 255.0 : f32
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x6x6x20xi32>
  %init = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x6x6x20xi32>) -> tensor<1x6x6x20xi32>
  %acc = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x8x8xi8>, tensor<3x3x8x20xi8>) outs(%init : tensor<1x6x6x20xi32>) {
  ^bb0(%a: i8, %b: i8, %o: i32):
    %0 = arith.extui %a : i8 to i32
    %1 = arith.subi %0, %zp : i32
    %2 = arith.extsi %b : i8 to i32
    %3 = arith.muli %1, %2 : i32
    %4 = arith.addi %o, %3 : i32
    linalg.yield %4 : i32
  } -> tensor<1x6x6x20xi32>
  %e8 = tensor.empty() : tensor<1x6x6x20xi8>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : tensor<1x6x6x20xi32>) outs(%e8 : tensor<1x6x6x20xi8>) {
  ^bb0(%a: i32, %o: i8):
    %s = arith.sitofp %a : i32 to f32
    %m = arith.mulf %s, %scale : f32
    %r = math.roundeven %m : f32
    %lo = arith.maximumf %r, %zero : f32
    %hi = arith.minimumf %lo, %top : f32
    %i = arith.fptosi %hi : f32 to i32
    %t = arith.trunci %i : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x6x6x20xi8>
  return %y : tensor<1x6x6x20xi8>
}

// -----

#in = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh * 2 + kh, ow * 2 + kw, c)>
#w = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#out = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
#out4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// Signed codes with zero point -5: the top bit of each byte is flipped
// (+128) and the start is -(-5 + 128) * sum(w) = -123 * 6 * 2 = -1476. Six
// channels: the second group of 4 is read masked (in_bounds false), the
// weights of channels 6 and 7 are zeros. Stride 2 reads every other column.
// CHECK-LABEL: func @signed_strided
// CHECK-DAG: %[[FLIP:.*]] = arith.constant -2139062144 : i32
// CHECK-DAG: arith.constant dense<-1476> : tensor<16xi32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<1x1x1x2x64xi8>
// CHECK: scf.for %[[Q:.*]] = %c0 to %c2 step %c1 iter_args({{.*}}) -> (vector<16xi32>, vector<16xi32>)
// CHECK: %[[C:.*]] = arith.muli %[[Q]], %c4
// CHECK: %[[X4:.*]] = vector.transfer_read %arg0[%c0, %{{.*}}, %c0, %[[C]]], %{{.*}} : tensor<1x4x4x6xi8>, vector<4xi8>
// CHECK: %[[XS:.*]] = vector.extract
// CHECK: arith.xori %[[XS]], %[[FLIP]] : i32
// CHECK: vector.transfer_read %arg0[%c0, %{{.*}}, %c2, %[[C]]]
// CHECK: vector.multi_reduction <add>
// A float tensor in the epilogue may hold NaNs: the clamp keeps its
// semantics.
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
func.func @signed_strided(%x: tensor<1x4x4x6xi8>, %r: tensor<1x2x2x16xf32>) -> tensor<1x2x2x16xf32> {
  %w = arith.constant dense<2> : tensor<1x1x6x16xi8>
  %zp = arith.constant -5 : i32
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16xi32>
  %init = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x2x2x16xi32>) -> tensor<1x2x2x16xi32>
  %acc = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x4x4x6xi8>, tensor<1x1x6x16xi8>) outs(%init : tensor<1x2x2x16xi32>) {
  ^bb0(%a: i8, %b: i8, %o: i32):
    %0 = arith.extsi %a : i8 to i32
    %1 = arith.subi %0, %zp : i32
    %2 = arith.extsi %b : i8 to i32
    %3 = arith.muli %1, %2 : i32
    %4 = arith.addi %o, %3 : i32
    linalg.yield %4 : i32
  } -> tensor<1x2x2x16xi32>
  %ef = tensor.empty() : tensor<1x2x2x16xf32>
  %y = linalg.generic {indexing_maps = [#out4, #out4, #out4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc, %r : tensor<1x2x2x16xi32>, tensor<1x2x2x16xf32>) outs(%ef : tensor<1x2x2x16xf32>) {
  ^bb0(%a: i32, %b: f32, %o: f32):
    %s = arith.sitofp %a : i32 to f32
    %m = arith.maximumf %s, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x2x2x16xf32>
  return %y : tensor<1x2x2x16xf32>
}

// -----

#in = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow + kw, c)>
#w = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#out = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>

// A run-time zero point: the start is -sum(w) (here -4 * 5) times it.
// CHECK-LABEL: func @runtime_zero_point
// CHECK-DAG: %[[NEGSUM:.*]] = arith.constant dense<-20> : tensor<16xi32>
// CHECK: %[[Z:.*]] = tensor.extract %arg1[]
// CHECK: %[[ZB:.*]] = vector.broadcast %[[Z]] : i32 to vector<16xi32>
// CHECK: %[[C:.*]] = vector.transfer_read %[[NEGSUM]]
// CHECK: arith.muli %[[C]], %[[ZB]] : vector<16xi32>
// CHECK: vector.multi_reduction <add>
func.func @runtime_zero_point(%x: tensor<1x2x2x4xi8>, %zt: tensor<i32>) -> tensor<1x2x2x16xi32> {
  %w = arith.constant dense<5> : tensor<1x1x4x16xi8>
  %z = tensor.extract %zt[] : tensor<i32>
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16xi32>
  %init = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x2x2x16xi32>) -> tensor<1x2x2x16xi32>
  %acc = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x2x2x4xi8>, tensor<1x1x4x16xi8>) outs(%init : tensor<1x2x2x16xi32>) {
  ^bb0(%a: i8, %b: i8, %o: i32):
    %0 = arith.extui %a : i8 to i32
    %1 = arith.subi %0, %z : i32
    %2 = arith.extsi %b : i8 to i32
    %3 = arith.muli %1, %2 : i32
    %4 = arith.addi %o, %3 : i32
    linalg.yield %4 : i32
  } -> tensor<1x2x2x16xi32>
  return %acc : tensor<1x2x2x16xi32>
}

// -----

#in = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow + kw, c)>
#w = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#out = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A residual Add of two 8-bit convolutions: %a's requantization makes
// codes, and the Add reads them and %b's sums. %a's kernel takes only the
// requantization (its epilogue stops before a generic that the other
// convolution can take) and stores bytes; %b's kernel takes the Add and
// reads %a's codes: no i32 sums are stored.
// CHECK-LABEL: func @residual_of_two_convs
// CHECK: %[[A:.*]] = scf.for {{.*}} -> (tensor<1x4x4x16xi8>)
// CHECK: arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: scf.for {{.*}} -> (tensor<1x4x4x16xi8>)
// CHECK: vector.transfer_read %[[A]]{{.*}} : tensor<1x4x4x16xi8>, vector<16xi8>
// CHECK-NOT: linalg.generic
// CHECK-NOT: tensor<1x4x4x16xi32>, vector<16xi32>
func.func @residual_of_two_convs(%x: tensor<1x4x4x8xi8>) -> tensor<1x4x4x16xi8> {
  %wa = arith.constant dense<3> : tensor<1x1x8x16xi8>
  %wb = arith.constant dense<-2> : tensor<1x1x8x16xi8>
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x4x4x16xi32>
  %e8 = tensor.empty() : tensor<1x4x4x16xi8>
  %init = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %a = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %wa : tensor<1x4x4x8xi8>, tensor<1x1x8x16xi8>) outs(%init : tensor<1x4x4x16xi32>) {
  ^bb0(%p: i8, %q: i8, %o: i32):
    %0 = arith.extui %p : i8 to i32
    %1 = arith.extsi %q : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %o, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<1x4x4x16xi32>
  %qa = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a : tensor<1x4x4x16xi32>) outs(%e8 : tensor<1x4x4x16xi8>) {
  ^bb0(%v: i32, %o: i8):
    %t = arith.trunci %v : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x4x4x16xi8>
  %b = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %wb : tensor<1x4x4x8xi8>, tensor<1x1x8x16xi8>) outs(%init : tensor<1x4x4x16xi32>) {
  ^bb0(%p: i8, %q: i8, %o: i32):
    %0 = arith.extui %p : i8 to i32
    %1 = arith.extsi %q : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %o, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<1x4x4x16xi32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qa, %b : tensor<1x4x4x16xi8>, tensor<1x4x4x16xi32>) outs(%e8 : tensor<1x4x4x16xi8>) {
  ^bb0(%p: i8, %q: i32, %o: i8):
    %0 = arith.extui %p : i8 to i32
    %1 = arith.addi %0, %q : i32
    %t = arith.trunci %1 : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x4x4x16xi8>
  return %y : tensor<1x4x4x16xi8>
}

// -----

#in = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow + kw, c)>
#w = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#out = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>

// The accumulator's scale and bias, sitofp(acc) * m + c, are one fused
// multiply-add; the product of another operand (a residual's dequantized
// codes) and its sum stay two roundings, as the model states them.
// CHECK-LABEL: func @accumulator_fma
// CHECK: %[[A:.*]] = arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: %[[T:.*]] = vector.fma %[[A]], %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: %[[R:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: arith.addf %[[T]], %[[R]] : vector<16xf32>
func.func @accumulator_fma(%x: tensor<1x1x4x8xi8>, %bias: tensor<16xf32>, %res: tensor<1x1x4x16xi8>) -> tensor<1x1x4x16xf32> {
  %w = arith.constant dense<3> : tensor<1x1x8x16xi8>
  %scale = arith.constant 0.25 : f32
  %rs = arith.constant 0.5 : f32
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x1x4x16xi32>
  %init = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x1x4x16xi32>) -> tensor<1x1x4x16xi32>
  %acc = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x1x4x8xi8>, tensor<1x1x8x16xi8>) outs(%init : tensor<1x1x4x16xi32>) {
  ^bb0(%p: i8, %q: i8, %o: i32):
    %0 = arith.extui %p : i8 to i32
    %1 = arith.extsi %q : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %o, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<1x1x4x16xi32>
  %ef = tensor.empty() : tensor<1x1x4x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #ch, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc, %bias, %res : tensor<1x1x4x16xi32>, tensor<16xf32>, tensor<1x1x4x16xi8>) outs(%ef : tensor<1x1x4x16xf32>) {
  ^bb0(%a: i32, %b: f32, %r: i8, %o: f32):
    %s = arith.sitofp %a : i32 to f32
    %m = arith.mulf %s, %scale : f32
    %t = arith.addf %m, %b : f32
    %rw = arith.extui %r : i8 to i32
    %rf = arith.sitofp %rw : i32 to f32
    %rm = arith.mulf %rf, %rs : f32
    %u = arith.addf %t, %rm : f32
    linalg.yield %u : f32
  } -> tensor<1x1x4x16xf32>
  return %y : tensor<1x1x4x16xf32>
}
