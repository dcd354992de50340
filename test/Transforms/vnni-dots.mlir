// RUN: dnnc-opt %s --split-input-file --dnnc-vnni-dots | FileCheck %s
// acc + sum over groups of 4 of zext(a) * sext(b) is vpdpbusd.

// CHECK-LABEL: func @dot
// CHECK-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[A:.*]]: vector<64xi8>, %[[B:.*]]: vector<64xi8>)
// CHECK: %[[D:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[ACC]], %[[A]], %[[B]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK-NOT: vector.multi_reduction
// CHECK: return %[[D]]
func.func @dot(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %0 = arith.extui %a : vector<64xi8> to vector<64xi32>
  %1 = arith.extsi %b : vector<64xi8> to vector<64xi32>
  %2 = arith.muli %1, %0 : vector<64xi32>
  %3 = vector.shape_cast %2 : vector<64xi32> to vector<16x4xi32>
  %4 = vector.multi_reduction <add>, %3, %acc [1] : vector<16x4xi32> to vector<16xi32>
  return %4 : vector<16xi32>
}

// -----

// Both operands signed (vpdpbusd takes one unsigned): left alone.
// CHECK-LABEL: func @signed_signed
// CHECK-NOT: llvm.call_intrinsic
// CHECK: vector.multi_reduction
func.func @signed_signed(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %0 = arith.extsi %a : vector<64xi8> to vector<64xi32>
  %1 = arith.extsi %b : vector<64xi8> to vector<64xi32>
  %2 = arith.muli %0, %1 : vector<64xi32>
  %3 = vector.shape_cast %2 : vector<64xi32> to vector<16x4xi32>
  %4 = vector.multi_reduction <add>, %3, %acc [1] : vector<16x4xi32> to vector<16xi32>
  return %4 : vector<16xi32>
}

// -----

// Groups of 8, not 4: left alone.
// CHECK-LABEL: func @groups_of_eight
// CHECK-NOT: llvm.call_intrinsic
func.func @groups_of_eight(%acc: vector<8xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<8xi32> {
  %0 = arith.extui %a : vector<64xi8> to vector<64xi32>
  %1 = arith.extsi %b : vector<64xi8> to vector<64xi32>
  %2 = arith.muli %0, %1 : vector<64xi32>
  %3 = vector.shape_cast %2 : vector<64xi32> to vector<8x8xi32>
  %4 = vector.multi_reduction <add>, %3, %acc [1] : vector<8x8xi32> to vector<8xi32>
  return %4 : vector<8xi32>
}

// -----

// Packed weights of 1 MB or more: each read prefetches the same position in
// the next panel (the last panel, itself). Smaller weights get none.
// CHECK-LABEL: func @prefetch_next_panel
// CHECK: %[[N:.*]] = arith.addi %arg2, %c1
// CHECK: %[[P:.*]] = arith.minui %[[N]], %c63
// CHECK: memref.prefetch %arg0[%[[P]], %c0, %c0, %arg3, %c0], read, locality<3>, data : memref<64x1x1x128x128xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK-NOT: memref.prefetch
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
func.func @prefetch_next_panel(%w: memref<64x1x1x128x128xi8>, %small: memref<2x1x1x128x128xi8>, %p: index, %q: index, %acc: vector<16xi32>, %a: vector<64xi8>) -> (vector<16xi32>, vector<16xi32>) {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0 : i8
  %wv = vector.transfer_read %w[%p, %c0, %c0, %q, %c0], %z {in_bounds = [true]} : memref<64x1x1x128x128xi8>, vector<64xi8>
  %0 = arith.extui %a : vector<64xi8> to vector<64xi32>
  %1 = arith.extsi %wv : vector<64xi8> to vector<64xi32>
  %2 = arith.muli %0, %1 : vector<64xi32>
  %3 = vector.shape_cast %2 : vector<64xi32> to vector<16x4xi32>
  %4 = vector.multi_reduction <add>, %3, %acc [1] : vector<16x4xi32> to vector<16xi32>
  %sv = vector.transfer_read %small[%p, %c0, %c0, %q, %c0], %z {in_bounds = [true]} : memref<2x1x1x128x128xi8>, vector<64xi8>
  %5 = arith.extsi %sv : vector<64xi8> to vector<64xi32>
  %6 = arith.muli %0, %5 : vector<64xi32>
  %7 = vector.shape_cast %6 : vector<64xi32> to vector<16x4xi32>
  %8 = vector.multi_reduction <add>, %7, %acc [1] : vector<16x4xi32> to vector<16xi32>
  return %4, %8 : vector<16xi32>, vector<16xi32>
}
