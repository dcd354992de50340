//===- FusePads.cpp - Producers write into padded tensors -----------------===//
//
// tensor.pad(x) with x = op_k(... op_1(tensor.empty) ...), each op writing
// into the previous one's result (destination-passing style; the chain may
// also start from the buffer of a concatenation, see dnnc-fuse-concats,
// which then becomes the interior), becomes
//
//   %p  = bufferization.alloc_tensor (padded shape), its border filled slab
//         by slab
//   %in = tensor.extract_slice %p (the interior)     replaces the tensor.empty
//   ... op_1 .. op_k now compute x in %in ...
//   tensor.insert_slice x into %p (the same interior) replaces the pad
//
// Bufferization keeps the extract/insert pair in place, so x is computed
// directly inside the padded buffer: no copy, no fill of the interior.
//
//===----------------------------------------------------------------------===//
#include "DestinationChain.h"
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#define DEBUG_TYPE "dnnc-fuse-pads"

namespace dnnc {
#define GEN_PASS_DEF_DNNCFUSEPADS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

/// Rewrites one pad; false when it does not have the form above.
static bool fusePad(tensor::PadOp pad) {
  auto srcT = pad.getSourceType();
  auto padT = pad.getResultType();
  TypedAttr value;
  Value padValue = pad.getConstantPaddingValue();
  if (!srcT.hasStaticShape() || !padT.hasStaticShape() || !padValue ||
      !matchPattern(padValue, m_Constant(&value)) || pad.getNofold())
    return false;
  // The chain starts from a tensor.empty, or from a buffer that
  // dnnc-fuse-concats set up for the parts of a concatenation: that buffer
  // becomes the interior, wherever it is used.
  OpOperand *root = dnnc::chainRoot(pad.getSource());
  if (!root || root->get().getType() != srcT)
    return false;
  SmallVector<int64_t> lo(pad.getStaticLow()), hi(pad.getStaticHigh());
  if (ShapedType::isDynamicShape(lo) || ShapedType::isDynamicShape(hi))
    return false;

  // The padded tensor and its border, built before the chain's first op
  // (before the buffer it starts from).
  auto alloc = root->get().getDefiningOp<bufferization::AllocTensorOp>();
  OpBuilder b(alloc ? alloc.getOperation() : root->getOwner());
  Location loc = pad.getLoc();
  int64_t rank = srcT.getRank();
  Value cst = arith::ConstantOp::create(b, loc, value);
  // (An alloc_tensor, not a tensor.empty: canonicalization would turn a
  // slice of an empty tensor into a new empty tensor, unrelated to it.)
  Value padded =
      bufferization::AllocTensorOp::create(b, loc, padT, ValueRange{});
  // Slabs: along dim d, the low and the high padding, over the interior of
  // the dims before d and all of the dims after it; together they cover the
  // border once.
  for (int64_t d = 0; d < rank; ++d) {
    for (bool high : {false, true}) {
      int64_t width = high ? hi[d] : lo[d];
      if (!width)
        continue;
      SmallVector<int64_t> offs(rank, 0), sizes(padT.getShape());
      for (int64_t k = 0; k < d; ++k) {
        offs[k] = lo[k];
        sizes[k] = srcT.getDimSize(k);
      }
      offs[d] = high ? lo[d] + srcT.getDimSize(d) : 0;
      sizes[d] = width;
      SmallVector<int64_t> ones(rank, 1);
      Value slab = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get(sizes, padT.getElementType()), padded,
          ValueRange{}, ValueRange{}, ValueRange{}, offs, sizes, ones);
      Value filled = linalg::FillOp::create(b, loc, cst, slab).getResult(0);
      padded = tensor::InsertSliceOp::create(b, loc, filled, padded,
                                             ValueRange{}, ValueRange{},
                                             ValueRange{}, offs, sizes, ones);
    }
  }
  SmallVector<int64_t> ones(rank, 1);
  Value interior = tensor::ExtractSliceOp::create(
      b, loc, srcT, padded, ValueRange{}, ValueRange{}, ValueRange{}, lo,
      srcT.getShape(), ones);
  if (alloc) {
    alloc.getResult().replaceAllUsesWith(interior);
    alloc->erase();
  } else {
    root->set(interior);
  }

  b.setInsertionPoint(pad);
  Value result = tensor::InsertSliceOp::create(
      b, loc, pad.getSource(), padded, ValueRange{}, ValueRange{}, ValueRange{},
      lo, srcT.getShape(), ones);
  pad.getResult().replaceAllUsesWith(result);
  pad->erase();
  return true;
}

namespace {
struct DNNCFusePadsPass : dnnc::impl::DNNCFusePadsBase<DNNCFusePadsPass> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    for (tensor::PadOp pad : pads)
      fusePad(pad);
  }
};
} // namespace
