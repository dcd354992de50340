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
