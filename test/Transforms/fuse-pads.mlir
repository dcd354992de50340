// RUN: dnnc-opt %s --split-input-file --dnnc-fuse-pads --cse | FileCheck %s
// A pad of a value computed in destination-passing style: the producer
// writes into the interior of the padded tensor, only the border is filled
// (four slabs: the top and bottom rows, then the left and right columns of
// the rows between), and the pad becomes the matching insert_slice.

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// CHECK-LABEL: func @relu_then_pad
// CHECK-DAG: %[[NEG:.*]] = arith.constant -1.000000e+00 : f32
// CHECK: %[[P:.*]] = bufferization.alloc_tensor() : tensor<1x11x10x16xf32>
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 1, 10, 16] [1, 1, 1, 1]
// CHECK: %[[F0:.*]] = linalg.fill ins(%[[NEG]] : f32) outs(%[[S0]] : tensor<1x1x10x16xf32>)
// CHECK: %[[P0:.*]] = tensor.insert_slice %[[F0]] into %[[P]][0, 0, 0, 0] [1, 1, 10, 16] [1, 1, 1, 1]
// CHECK: %[[S1:.*]] = tensor.extract_slice %[[P0]][0, 9, 0, 0] [1, 2, 10, 16] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%[[NEG]] : f32) outs(%[[S1]] : tensor<1x2x10x16xf32>)
// CHECK: %[[P1:.*]] = tensor.insert_slice %{{.*}} into %[[P0]][0, 9, 0, 0] [1, 2, 10, 16] [1, 1, 1, 1]
// CHECK: %[[S2:.*]] = tensor.extract_slice %[[P1]][0, 1, 0, 0] [1, 8, 1, 16] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%[[NEG]] : f32) outs(%[[S2]] : tensor<1x8x1x16xf32>)
// CHECK: %[[P2:.*]] = tensor.insert_slice %{{.*}} into %[[P1]][0, 1, 0, 0] [1, 8, 1, 16] [1, 1, 1, 1]
// CHECK: %[[S3:.*]] = tensor.extract_slice %[[P2]][0, 1, 9, 0] [1, 8, 1, 16] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%[[NEG]] : f32) outs(%[[S3]] : tensor<1x8x1x16xf32>)
// CHECK: %[[P3:.*]] = tensor.insert_slice %{{.*}} into %[[P2]][0, 1, 9, 0] [1, 8, 1, 16] [1, 1, 1, 1]
// CHECK: %[[IN:.*]] = tensor.extract_slice %[[P3]][0, 1, 1, 0] [1, 8, 8, 16] [1, 1, 1, 1]
// CHECK: %[[R:.*]] = linalg.generic {{.*}} outs(%[[IN]] : tensor<1x8x8x16xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[Y:.*]] = tensor.insert_slice %[[R]] into %[[P3]][0, 1, 1, 0] [1, 8, 8, 16] [1, 1, 1, 1]
// CHECK: return %[[Y]]
func.func @relu_then_pad(%x: tensor<1x8x8x16xf32>) -> tensor<1x11x10x16xf32> {
  %zero = arith.constant 0.0 : f32
  %neg = arith.constant -1.0 : f32
  %e = tensor.empty() : tensor<1x8x8x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x8x8x16xf32>) outs(%e : tensor<1x8x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x16xf32>
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 2, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %neg : f32
  } : tensor<1x8x8x16xf32> to tensor<1x11x10x16xf32>
  return %p : tensor<1x11x10x16xf32>
}

// -----

// Through a chain: the fill of the conv's accumulator start is the root, so
// the conv accumulates in the interior; the shared tensor.empty keeps its
// other use.
// CHECK-LABEL: func @conv_chain
// CHECK: %[[P:.*]] = bufferization.alloc_tensor() : tensor<1x6x6x8xf32>
// CHECK: %[[IN:.*]] = tensor.extract_slice %{{.*}}[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[IN]] : tensor<1x4x4x8xf32>)
// CHECK: %[[C:.*]] = linalg.conv_2d_nhwc_hwcf {{.*}} outs(%[[Z]] : tensor<1x4x4x8xf32>)
// CHECK: tensor.insert_slice %[[C]] into %{{.*}}[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} outs(%[[E:.*]] : tensor<1x4x4x8xf32>)
func.func @conv_chain(%x: tensor<1x6x6x8xf32>, %w: tensor<3x3x8x8xf32>) -> (tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x6x6x8xf32>, tensor<3x3x8x8xf32>) outs(%z : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %p = tensor.pad %c low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %cc: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x4x4x8xf32>) outs(%e : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x4x4x8xf32>
  return %p, %g : tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>
}

// -----

// Left alone: a pad of a function argument (no producer to write into the
// padded tensor) and a pad of a run-time value.
// CHECK-LABEL: func @kept
// CHECK: tensor.pad %arg0
// CHECK: tensor.pad %arg1
func.func @kept(%x: tensor<1x4x4x8xf32>, %y: tensor<?x4xf32>) -> (tensor<1x6x6x8xf32>, tensor<?x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  %q = tensor.pad %y low[0, 1] high[0, 1] {
  ^bb0(%a: index, %b: index):
    tensor.yield %zero : f32
  } : tensor<?x4xf32> to tensor<?x6xf32>
  return %p, %q : tensor<1x6x6x8xf32>, tensor<?x6xf32>
}

// -----

// A concatenation whose parts dnnc-fuse-concats put in one buffer: that
// buffer becomes the interior of the padded tensor, wherever it is used.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @padded_concatenation
// CHECK: %[[P:.*]] = bufferization.alloc_tensor() : tensor<6x24xf32>
// CHECK: %[[IN:.*]] = tensor.extract_slice %{{.*}}[1, 0] [4, 24] [1, 1] : tensor<6x24xf32> to tensor<4x24xf32>
// CHECK-NOT: bufferization.alloc_tensor
// CHECK: %[[S:.*]] = tensor.extract_slice %[[IN]][0, 0] [4, 16] [1, 1]
// CHECK: %[[X:.*]] = linalg.generic {{.*}} outs(%[[S]] : tensor<4x16xf32>)
// CHECK: %[[C0:.*]] = tensor.insert_slice %[[X]] into %[[IN]][0, 0] [4, 16] [1, 1]
// CHECK: %[[C1:.*]] = tensor.insert_slice %arg1 into %[[C0]][0, 16] [4, 8] [1, 1]
// CHECK: tensor.insert_slice %[[C1]] into %{{.*}}[1, 0] [4, 24] [1, 1] : tensor<4x24xf32> into tensor<6x24xf32>
// CHECK-NOT: tensor.pad
func.func @padded_concatenation(%x: tensor<4x16xf32>, %y: tensor<4x8xf32>) -> tensor<6x24xf32> {
  %zero = arith.constant 0.0 : f32
  %c = bufferization.alloc_tensor() : tensor<4x24xf32>
  %s = tensor.extract_slice %c[0, 0] [4, 16] [1, 1] : tensor<4x24xf32> to tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x16xf32>) outs(%s : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.exp %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x16xf32>
  %c0 = tensor.insert_slice %a into %c[0, 0] [4, 16] [1, 1] : tensor<4x16xf32> into tensor<4x24xf32>
  %c1 = tensor.insert_slice %y into %c0[0, 16] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<4x24xf32>
  %p = tensor.pad %c1 low[1, 0] high[1, 0] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<4x24xf32> to tensor<6x24xf32>
  return %p : tensor<6x24xf32>
}
