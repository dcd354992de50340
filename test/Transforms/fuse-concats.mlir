// RUN: dnnc-opt %s --dnnc-fuse-concats | FileCheck %s
// RUN: dnnc-opt %s --dnnc-fuse-concats --one-shot-bufferize="bufferize-function-boundaries" --cse --canonicalize | FileCheck %s --check-prefix=BUF
// The parts of a concatenation computed in destination-passing style are
// computed in their slices of the concatenated tensor, which is threaded
// through the parts: no copies once bufferized.

#id = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func @concat_two_parts
// CHECK: %[[A:.*]] = bufferization.alloc_tensor() : tensor<4x24xf32>
// CHECK: %[[S1:.*]] = tensor.extract_slice %[[A]][0, 0] [4, 16] [1, 1]
// CHECK: %[[X1:.*]] = linalg.generic {{.*}} outs(%[[S1]] : tensor<4x16xf32>)
// CHECK: math.exp
// CHECK: %[[A1:.*]] = tensor.insert_slice %[[X1]] into %[[A]][0, 0] [4, 16] [1, 1]
// CHECK: %[[S2:.*]] = tensor.extract_slice %[[A1]][0, 16] [4, 8] [1, 1]
// CHECK: %[[X2:.*]] = linalg.generic {{.*}} outs(%[[S2]] : tensor<4x8xf32>)
// CHECK: math.tanh
// CHECK: %[[A2:.*]] = tensor.insert_slice %[[X2]] into %[[A1]][0, 16] [4, 8] [1, 1]
// CHECK: return %[[A2]]
// BUF-LABEL: func @concat_two_parts
// BUF-NOT: memref.copy
// BUF: return
func.func @concat_two_parts(%x: tensor<4x16xf32>, %y: tensor<4x8xf32>) -> tensor<4x24xf32> {
  %e1 = tensor.empty() : tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.exp %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.tanh %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x24xf32>
  %c0 = tensor.insert_slice %a into %e[0, 0] [4, 16] [1, 1] : tensor<4x16xf32> into tensor<4x24xf32>
  %c1 = tensor.insert_slice %b into %c0[0, 16] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<4x24xf32>
  return %c1 : tensor<4x24xf32>
}

// A part that is a function argument is still copied in; the computed part
// goes in place.
// CHECK-LABEL: func @concat_with_argument
// CHECK: %[[A:.*]] = bufferization.alloc_tensor() : tensor<4x24xf32>
// CHECK: %[[A1:.*]] = tensor.insert_slice %arg1 into %[[A]][0, 0] [4, 8] [1, 1]
// CHECK: %[[S:.*]] = tensor.extract_slice %[[A1]][0, 8] [4, 16] [1, 1]
// CHECK: %[[X:.*]] = linalg.generic {{.*}} outs(%[[S]] : tensor<4x16xf32>)
// CHECK: tensor.insert_slice %[[X]] into %[[A1]][0, 8] [4, 16] [1, 1]
// BUF-LABEL: func @concat_with_argument
// BUF: memref.copy %arg1
// BUF-NOT: memref.copy
// BUF: return
func.func @concat_with_argument(%x: tensor<4x16xf32>, %y: tensor<4x8xf32>) -> tensor<4x24xf32> {
  %e1 = tensor.empty() : tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.exp %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x16xf32>
  %e = tensor.empty() : tensor<4x24xf32>
  %c0 = tensor.insert_slice %y into %e[0, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<4x24xf32>
  %c1 = tensor.insert_slice %a into %c0[0, 8] [4, 16] [1, 1] : tensor<4x16xf32> into tensor<4x24xf32>
  return %c1 : tensor<4x24xf32>
}

// A part that another op also reads stays in its own buffer (copied in).
// CHECK-LABEL: func @part_read_elsewhere
// CHECK: %[[X:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x16xf32>)
// CHECK: tensor.insert_slice %[[X]] into %{{.*}}[0, 0] [4, 16] [1, 1]
// CHECK-NOT: tensor.extract_slice
// CHECK: return
func.func @part_read_elsewhere(%x: tensor<4x16xf32>, %y: tensor<4x8xf32>) -> (tensor<4x24xf32>, tensor<4x16xf32>) {
  %e1 = tensor.empty() : tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.exp %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x16xf32>
  %e = tensor.empty() : tensor<4x24xf32>
  %c0 = tensor.insert_slice %a into %e[0, 0] [4, 16] [1, 1] : tensor<4x16xf32> into tensor<4x24xf32>
  %c1 = tensor.insert_slice %y into %c0[0, 16] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<4x24xf32>
  return %c1, %a : tensor<4x24xf32>, tensor<4x16xf32>
}
