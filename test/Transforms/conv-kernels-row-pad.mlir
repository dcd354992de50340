// RUN: dnnc-opt %s --dnnc-conv-kernels --canonicalize --cse | FileCheck %s
// RUN: dnnc-opt %s --dnnc-conv-kernels --canonicalize --cse --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BUF
// An input whose pixels lie a multiple of 4 KB apart (1024 channels) would
// put the kernel's MR broadcast streams into one L1 cache set: its producer
// chain writes into a buffer with 16 more channels per pixel instead, and
// the kernel reads it through the slice, in place (no copy).

#id = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func @padded_rows
// CHECK: %[[PADDED:.*]] = bufferization.alloc_tensor() : tensor<8x1040xf32>
// CHECK: %[[IN:.*]] = tensor.extract_slice %[[PADDED]][0, 0] [8, 1024] [1, 1]
// CHECK: %[[R:.*]] = linalg.generic {{.*}} outs(%[[IN]] : tensor<8x1024xf32>)
// CHECK: tensor.expand_shape %[[R]]
// BUF-LABEL: func @padded_rows
// BUF: %[[A:.*]] = memref.alloc() {{.*}} : memref<8x1040xf32>
// BUF: %[[V:.*]] = memref.subview %[[A]][0, 0] [8, 1024] [1, 1] : memref<8x1040xf32> to memref<8x1024xf32, strided<[1040, 1]>>
// BUF: linalg.generic {{.*}} outs(%[[V]]
// BUF: memref.expand_shape %[[V]]
// BUF-SAME: strided<[8320, 8320, 1040, 1]>
// BUF-NOT: memref.copy
func.func @padded_rows(%x: tensor<8x1024xf32>, %w: tensor<1024x32xf32>) -> tensor<8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x1024xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x1024xf32>) outs(%e : tensor<8x1024xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8x1024xf32>
  %e2 = tensor.empty() : tensor<8x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<8x32xf32>) -> tensor<8x32xf32>
  %mm = linalg.matmul ins(%r, %w : tensor<8x1024xf32>, tensor<1024x32xf32>) outs(%z : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %mm : tensor<8x32xf32>
}

// A pixel stride that is not a multiple of 4 KB (768 channels) is left alone.
// CHECK-LABEL: func @unpadded_rows
// CHECK-NOT: alloc_tensor
// CHECK: return
func.func @unpadded_rows(%x: tensor<8x768xf32>, %w: tensor<768x32xf32>) -> tensor<8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x768xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x768xf32>) outs(%e : tensor<8x768xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8x768xf32>
  %e2 = tensor.empty() : tensor<8x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<8x32xf32>) -> tensor<8x32xf32>
  %mm = linalg.matmul ins(%r, %w : tensor<8x768xf32>, tensor<768x32xf32>) outs(%z : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %mm : tensor<8x32xf32>
}
