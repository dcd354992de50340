//===- VnniDots.cpp - 4-byte dot products as vpdpbusd ---------------------===//
//
// dnnc-conv-kernels writes the step of an 8-bit convolution in vector ops
// (portable, and what the tensor-level passes understand): 16 lanes, each
// adding the products of 4 unsigned by 4 signed bytes. Here, after
// bufferization, that pattern becomes the one AVX-512 VNNI instruction
// that computes it, and reads of large packed weights get a prefetch of the
// next panel. See the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "dnnc-vnni-dots"

namespace dnnc {
#define GEN_PASS_DEF_DNNCVNNIDOTS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

/// `v` when it is a vector<64xi8> extended by `Ext` to vector<64xi32>.
template <typename Ext> static Value extendedBytes(Value v) {
  auto e = v.getDefiningOp<Ext>();
  auto t = e ? dyn_cast<VectorType>(e.getIn().getType()) : nullptr;
  if (!t || t.getShape() != ArrayRef<int64_t>{64} ||
      !t.getElementType().isInteger(8))
    return {};
  return e.getIn();
}

/// Packed weights from this size on (this machine kind's L2 per core) do
/// not stay in cache from one run of the model to the next.
static constexpr int64_t kPrefetchWeightBytes = 1 << 20;

/// Where `w` is a step's vector of packed weights read from memory
/// ([panels, KH, KW, C/4, panel x 4], at least kPrefetchWeightBytes): a
/// prefetch of the same position in the next panel (the last panel
/// prefetches itself), so that the next panel's first tile finds its
/// weights in cache instead of waiting on L3 for each of them.
static void prefetchNextPanel(RewriterBase &rewriter, Value w) {
  auto read = w.getDefiningOp<vector::TransferReadOp>();
  auto mt = read ? dyn_cast<MemRefType>(read.getBase().getType()) : nullptr;
  if (!mt || mt.getRank() != 5 || !mt.hasStaticShape() ||
      !mt.getElementType().isInteger(8) ||
      mt.getNumElements() < kPrefetchWeightBytes)
    return;
  Location loc = read.getLoc();
  OpBuilder::InsertionGuard g(rewriter);
  rewriter.setInsertionPoint(read);
  SmallVector<Value> idx(read.getIndices());
  Value next = arith::AddIOp::create(
      rewriter, loc, idx[0], arith::ConstantIndexOp::create(rewriter, loc, 1));
  idx[0] = arith::MinUIOp::create(
      rewriter, loc, next,
      arith::ConstantIndexOp::create(rewriter, loc, mt.getDimSize(0) - 1));
  memref::PrefetchOp::create(rewriter, loc, read.getBase(), idx,
                             /*isWrite=*/false, /*localityHint=*/3,
                             /*isDataCache=*/true);
}

namespace {
struct DNNCVnniDotsPass : dnnc::impl::DNNCVnniDotsBase<DNNCVnniDotsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](vector::MultiDimReductionOp red) {
      auto resT = dyn_cast<VectorType>(red.getType());
      auto srcT = red.getSourceVectorType();
      if (red.getKind() != vector::CombiningKind::ADD || !resT ||
          resT.getShape() != ArrayRef<int64_t>{16} ||
          !resT.getElementType().isInteger(32) ||
          srcT.getShape() != ArrayRef<int64_t>{16, 4} ||
          red.getReductionMask() != ArrayRef<bool>{false, true})
        return;
      auto cast = red.getSource().getDefiningOp<vector::ShapeCastOp>();
      auto mul =
          cast ? cast.getSource().getDefiningOp<arith::MulIOp>() : nullptr;
      if (!mul)
        return;
      Value a = extendedBytes<arith::ExtUIOp>(mul.getLhs());
      Value b = extendedBytes<arith::ExtSIOp>(mul.getRhs());
      if (!a || !b) {
        a = extendedBytes<arith::ExtUIOp>(mul.getRhs());
        b = extendedBytes<arith::ExtSIOp>(mul.getLhs());
      }
      if (!a || !b)
        return;
      rewriter.setInsertionPoint(red);
      prefetchNextPanel(rewriter, b);
      Value dot = LLVM::CallIntrinsicOp::create(
                      rewriter, red.getLoc(), resT,
                      rewriter.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
                      ValueRange{red.getAcc(), a, b})
                      .getResult(0);
      rewriter.replaceOp(red, dot);
    });
  }
};
} // namespace
