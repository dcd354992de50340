// RUN: dnnc-opt %s --dnnc-cpu-codegen | FileCheck %s
// A static result is computed in the caller's out-parameter: the kernel's
// loops carry its buffer, folded away before buffer-results-to-out-params,
// which then puts the out-parameter in place of the buffer (no copy).

// CHECK-LABEL: llvm.func @conv(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr)
// CHECK-NOT: llvm.intr.memcpy
// CHECK-NOT: _mlir_memref_to_llvm_alloc
// CHECK: llvm.store {{.*}}, %{{.*}} {{.*}}: vector<16xf32>, !llvm.ptr
// CHECK-NOT: llvm.intr.memcpy
// CHECK: llvm.return
func.func @conv(%x: tensor<1x8x8x16xf32>, %w: tensor<1x1x16x32xf32>) -> tensor<1x8x8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %i = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x8x8x16xf32>, tensor<1x1x16x32xf32>) outs(%i : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %c : tensor<1x8x8x32xf32>
}
