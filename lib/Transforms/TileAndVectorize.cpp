//===- TileAndVectorize.cpp - Register tiling + vectorization -------------===//
//
// Contractions get an M x N x K register tile, other vectorizable linalg ops
// a 1 x ... x 1 x W tile along their innermost dim. Tile loops are peeled so
// that every tile has a static shape, then each static linalg op the upstream
// vectorizer accepts becomes vector ops.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dnnc-tile-and-vectorize"

namespace dnnc {
#define GEN_PASS_DEF_DNNCTILEANDVECTORIZE
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;

static constexpr StringLiteral kPeelAttr = "dnnc.peel";

/// Numbers other than i1 only: vectors of i1 are bit-packed in memory while
/// tensors of i1 are stored one byte per element, and strings are no vector
/// elements at all.
static bool hasVectorElements(linalg::LinalgOp op) {
  for (Value v : op->getOperands())
    if (auto t = dyn_cast<ShapedType>(v.getType());
        t &&
        (t.getElementType().isInteger(1) || !t.getElementType().isIntOrFloat()))
      return false;
  return true;
}

/// Static shapes and no i1 buffers: what the vectorizer gets.
static bool isStatic(linalg::LinalgOp op) {
  for (Value v : op->getOperands())
    if (auto t = dyn_cast<ShapedType>(v.getType()); t && !t.hasStaticShape())
      return false;
  return hasVectorElements(op);
}

/// True when every operand is read/written contiguously along the innermost
/// loop (or broadcast along it): the 1 x ... x W tiles then become plain
/// vector loads/stores. Permuted accesses (transposes) stay scalar.
static bool innermostContiguous(linalg::LinalgOp op) {
  unsigned n = op.getNumLoops();
  for (AffineMap map : op.getIndexingMapsArray()) {
    // Operands that do not depend on the innermost loop are broadcast along
    // it (or are reduction outputs): fine.
    if (!llvm::any_of(map.getResults(),
                      [&](AffineExpr e) { return e.isFunctionOfDim(n - 1); }))
      continue;
    auto d = dyn_cast<AffineDimExpr>(map.getResults().back());
    if (!d || d.getPosition() != n - 1)
      return false;
    for (AffineExpr e : map.getResults().drop_back())
      if (e.isFunctionOfDim(n - 1))
        return false;
  }
  return true;
}

namespace {
struct DNNCTileAndVectorizePass
    : dnnc::impl::DNNCTileAndVectorizeBase<DNNCTileAndVectorizePass> {
  using DNNCTileAndVectorizeBase::DNNCTileAndVectorizeBase;

  /// Tile sizes for `op`, or empty to leave it alone. Run-time loop ranges
  /// are tiled too: peeling leaves static full tiles and a remainder.
  SmallVector<int64_t> chooseTiles(linalg::LinalgOp op) {
    // Fills stay whole: dnnc-unshare-empty-tensors gives each writer its
    // own before bufferization, and LLVM turns the loops into memsets.
    if (!hasVectorElements(op) || isa<linalg::FillOp>(op))
      return {};
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    unsigned n = ranges.size();
    if (n == 0)
      return {};
    if (linalg::isaContractionOpInterface(op)) {
      auto dims = linalg::inferContractionDims(op);
      if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
        return {};
      SmallVector<int64_t> t(n, 1);
      for (unsigned k : dims->k)
        t[k] = 1;
      t[dims->m.back()] = tileM;
      t[dims->n.back()] = tileN;
      for (unsigned k : dims->k)
        t[k] = tileK;
      return t;
    }
    // Elementwise, reductions, transposes: a vector along the innermost dim
    // (static ops only: tiling every run-time elementwise op multiplies the
    // loops one-shot bufferization has to analyse).
    if (!isStatic(op))
      return {};
    bool extracts = false;
    op->walk([&](tensor::ExtractOp) { extracts = true; });
    if (extracts || !innermostContiguous(op) ||
        failed(linalg::vectorizeOpPrecondition(op)))
      return {};
    SmallVector<int64_t> t(n, 1);
    t[n - 1] = vectorWidth;
    return t;
  }

  /// Marks the outermost tile loop of a big elementwise (or innermost
  /// reduction) op for several threads: the first loop over a parallel dim
  /// of more than one iteration (those before it run once). Contractions
  /// have their own tiles and are left alone.
  static void markParallel(linalg::LinalgOp op, ArrayRef<int64_t> tiles,
                           ArrayRef<int64_t> ranges,
                           ArrayRef<LoopLikeOpInterface> loops) {
    if (linalg::isaContractionOpInterface(op))
      return;
    int64_t elems = 1;
    for (int64_t r : ranges) {
      if (ShapedType::isDynamic(r))
        return;
      elems *= r;
    }
    int64_t ops = llvm::range_size(op.getBlock()->without_terminator());
    if (elems * (ops + 1) < dnnc::kMinParallelWork)
      return;
    auto iters = op.getIteratorTypesArray();
    unsigned loop = 0;
    for (unsigned d = 0; d < tiles.size(); ++d) {
      if (!tiles[d])
        continue;
      if (loop >= loops.size())
        return;
      if (ranges[d] > tiles[d]) {
        if (iters[d] == utils::IteratorType::parallel)
          loops[loop]->setAttr(dnnc::kParallelAttr,
                               UnitAttr::get(op->getContext()));
        return;
      }
      ++loop;
    }
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    // 1. Tile.
    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops) {
      SmallVector<int64_t> tiles = chooseTiles(op);
      if (tiles.empty())
        continue;
      // Tiles no larger than the loop ranges; skip when nothing is tiled.
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      bool any = false;
      for (unsigned i = 0; i < tiles.size(); ++i) {
        if (!ShapedType::isDynamic(ranges[i]))
          tiles[i] = std::min(tiles[i], ranges[i]);
        any |= tiles[i] != ranges[i];
      }
      if (!any)
        continue;
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(ctx, tiles));
      rewriter.setInsertionPoint(op);
      auto tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      for (LoopLikeOpInterface loop : tiled->loops)
        loop->setAttr(kPeelAttr, UnitAttr::get(ctx));
      markParallel(op, tiles, ranges, tiled->loops);
      rewriter.replaceOp(op, tiled->replacements);
    }

    // 2. Peel every tile loop so that tiles have static shapes (clones of
    // inner loops in the partial iterations keep the marker).
    while (true) {
      SmallVector<scf::ForOp> loops;
      func.walk([&](scf::ForOp f) {
        if (f->hasAttr(kPeelAttr))
          loops.push_back(f);
      });
      if (loops.empty())
        break;
      for (scf::ForOp loop : loops) {
        loop->removeAttr(kPeelAttr);
        scf::ForOp partial;
        rewriter.setInsertionPoint(loop);
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
      }
    }
    {
      RewritePatternSet patterns(ctx);
      linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
      scf::ForOp::getCanonicalizationPatterns(patterns, ctx);
      tensor::populateFoldTensorEmptyPatterns(patterns);
      (void)applyPatternsGreedily(func, std::move(patterns));
    }

    // 3. Vectorize every static linalg op the vectorizer accepts.
    ops.clear();
    func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops) {
      if (!isStatic(op) || !op.hasPureTensorSemantics() ||
          isa<linalg::FillOp>(op))
        continue;
      bool extracts = false;
      op->walk([&](tensor::ExtractOp) { extracts = true; });
      if (extracts || failed(linalg::vectorizeOpPrecondition(op)))
        continue;
      if (!linalg::isaContractionOpInterface(op) && !innermostContiguous(op))
        continue;
      // Do not unroll huge untiled ops into giant vectors.
      int64_t elems = 1;
      for (int64_t r : op.getStaticLoopRanges())
        elems *= r;
      if (elems > 4096)
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> res =
          linalg::vectorize(rewriter, op);
      if (succeeded(res))
        rewriter.replaceOp(op, res->replacements);
    }

    // 4. Clean up: fold transfers into the contraction, canonicalize.
    RewritePatternSet patterns(ctx);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateSinkVectorOpsPatterns(patterns);
    linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    (void)applyPatternsGreedily(func, std::move(patterns));

    // 5. 1 x ... x 1 x W tiles become 1-D vectors (math lowering needs 1-D).
    // Applied once the contractions have their final form: together with
    // the patterns above it turns outer products into dot products.
    RewritePatternSet castAway(ctx);
    vector::populateCastAwayVectorLeadingOneDimPatterns(castAway);
    (void)applyPatternsGreedily(func, std::move(castAway));
  }
};
} // namespace
