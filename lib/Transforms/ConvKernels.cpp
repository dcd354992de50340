//===- ConvKernels.cpp - Register-blocked channels-last convolutions ------===//
//
// Lowers static f32 linalg.conv_2d_nhwc_hwcf, linalg.conv_2d_nhwgc_gfhwc
// (grouped, as the DNN lowering builds it: reshapes of channels-last tensors
// and a transposed [KH, KW, C/G, F] weight) and
// linalg.depthwise_conv_2d_nhwc_hwc (and linalg.matmul, as the 1x1
// convolution of a one-row image) to loops of vector code shaped for the
// CPU: the output is cut into tiles of MR pixels of one output row by NV
// vectors of 16 channels, whose accumulators stay in registers over the whole
// reduction (filter rows, filter columns and input channels). Each step of
// an ungrouped convolution broadcasts one input value per pixel and multiplies
// it into NV weight vectors (MR x NV FMAs for MR + NV loads); a depthwise step
// multiplies input vectors by weight vectors channel by channel. A grouped
// convolution is the ungrouped kernel with vectors narrow enough (16, 8, 4,
// 2 or 1 lanes) to stay inside one group, each vector broadcasting the input
// channels of its own group.
//
// Elementwise consumers of the convolution (residual adds, activations,
// clamps) are applied to the accumulators before the tile is stored, so the
// convolution's result never goes to memory unfinished. The bias comes in as
// the accumulators' initial value. Constant weights are repacked at compile
// time into contiguous panels of the tile's output channels.
//
//===----------------------------------------------------------------------===//
#include "ConvKernels.h"
#include "DestinationChain.h"
#include "VectorBody.h"
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include <map>

#define DEBUG_TYPE "dnnc-conv-kernels"

namespace dnnc {
#define GEN_PASS_DEF_DNNCCONVKERNELS
#include "dnnc/Transforms/Passes.h.inc"
} // namespace dnnc

using namespace mlir;
using namespace dnnc::conv;

/// Channels added to the pixels of an input whose pixel stride is a multiple
/// of 4 KB: one cache line.
static constexpr int64_t kRowPad = 16;

/// Weights up to this size (half of this machine kind's 1 MB L2 per core)
/// let a 1x1 convolution run unit-major (see Emitter::emit).
static constexpr int64_t kUnitMajorWeightBytes = 512 * 1024;

/// The indexing map of an epilogue operand is usable when it is the
/// identity, or reads only the batch and/or channel dims (and constant 0s),
/// the channel last: a per-channel vector or a per-image scalar.
static bool isUsableMap(AffineMap map) {
  if (map.isIdentity())
    return true;
  for (AffineExpr e : map.getResults()) {
    if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      if (c.getValue() != 0)
        return false;
      continue;
    }
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d || (d.getPosition() != 0 && d.getPosition() != 3))
      return false;
    if (d.getPosition() == 3 && e != map.getResults().back())
      return false;
  }
  return true;
}

/// `gen` can be folded into the convolution's store when it is elementwise
/// over the convolution's output shape and reads `value` at the same
/// position.
static std::optional<EpilogueOp> asEpilogue(linalg::GenericOp gen,
                                            Value value) {
  if (gen.getNumDpsInits() != 1 || gen.getNumLoops() != 4 ||
      gen.getNumParallelLoops() != 4 || gen->getNumResults() != 1 ||
      cast<ShapedType>(gen.getResult(0).getType()).getShape() !=
          cast<ShapedType>(value.getType()).getShape() ||
      getElementTypeOrSelf(gen.getResult(0).getType()).isInteger(1))
    return std::nullopt;
  if (!gen.getMatchingIndexingMap(gen.getDpsInitOperand(0)).isIdentity() ||
      gen.payloadUsesValueFromOperand(gen.getDpsInitOperand(0)))
    return std::nullopt;
  std::optional<unsigned> chain;
  for (OpOperand *in : gen.getDpsInputOperands()) {
    AffineMap map = gen.getMatchingIndexingMap(in);
    if (!isUsableMap(map))
      return std::nullopt;
    if (in->get() == value) {
      if (!map.isIdentity() || chain)
        return std::nullopt;
      chain = in->getOperandNumber();
    }
    auto t = dyn_cast<RankedTensorType>(in->get().getType());
    if (!t || !t.hasStaticShape())
      return std::nullopt;
  }
  if (!chain)
    return std::nullopt;
  for (Operation &op : gen.getBody()->without_terminator())
    if (!dnnc::isScalarElementwise(op))
      return std::nullopt;
  return EpilogueOp{gen, *chain};
}

/// Whether the epilogue chain at `last` should stop before `gen` and leave
/// it to another contraction whose only use it is: when that contraction's
/// results are wider than `last` (its i32 accumulators, where `last` holds
/// requantized codes, as in a residual Add of two quantized convolutions),
/// this convolution stores the narrower values and the other one, taking
/// `gen` as its epilogue, never stores its accumulators.
static bool leavesToOtherContraction(linalg::GenericOp gen, Value last) {
  auto width = [](Value v) {
    Type t = getElementTypeOrSelf(v.getType());
    return t.isIntOrFloat() ? t.getIntOrFloatBitWidth() : 0;
  };
  for (Value in : gen.getDpsInputs()) {
    auto other = in.getDefiningOp<linalg::LinalgOp>();
    if (in != last && other && other.getNumReductionLoops() > 0 &&
        in.hasOneUse() && width(in) > width(last))
      return true;
  }
  return false;
}

/// `v` [.., G, C/G] with its last two dims merged: the source of the
/// expand_shape that split them, else a collapse_shape (a view once
/// bufferized; canonicalization may have folded the split into a constant or
/// a fill).
static Value mergeGroups(OpBuilder &b, Value v) {
  if (auto e = v.getDefiningOp<tensor::ExpandShapeOp>();
      e && e.getSrcType().getRank() == 4 &&
      e.getReassociationIndices().back() == ReassociationIndices{3, 4})
    return e.getSrc();
  SmallVector<ReassociationIndices> re = {{0}, {1}, {2}, {3, 4}};
  return tensor::CollapseShapeOp::create(b, v.getLoc(), v, re);
}

/// Finds the channels-last operands of a grouped convolution, as
/// Conv2DNhwcLowering builds it: input and init split [.., G, C/G], the
/// weight split and transposed to [G, F/G, KH, KW, C/G], the result
/// collapsed back. False when the op is not of that form.
static bool findGroupedOperands(linalg::Conv2DNhwgcGfhwcOp op, ConvKernel &k) {
  auto tr = op.getInputs()[1].getDefiningOp<linalg::TransposeOp>();
  Value res = op->getResult(0);
  auto col = res.hasOneUse()
                 ? dyn_cast<tensor::CollapseShapeOp>(*res.getUsers().begin())
                 : nullptr;
  auto f32 = [](Value v) {
    auto t = cast<ShapedType>(v.getType());
    return t.hasStaticShape() && t.getElementType().isF32();
  };
  if (!tr || tr.getPermutation() != ArrayRef<int64_t>{3, 4, 0, 1, 2} || !col ||
      col.getResultType().getRank() != 4 ||
      !llvm::all_of(op->getOperands(), f32))
    return false;
  OpBuilder b(op);
  k.input = mergeGroups(b, op.getInputs()[0]);
  k.init = mergeGroups(b, op.getOutputs()[0]);
  k.weight = mergeGroups(b, tr.getInput());
  k.result = col.getResult();
  return true;
}

/// Reads the conv geometry and picks the register tile; nullopt when the op
/// is not one this pass lowers.
static std::optional<ConvKernel> analyze(linalg::LinalgOp op) {
  ConvKernel k;
  k.conv = op;
  k.depthwise = isa<linalg::DepthwiseConv2DNhwcHwcOp>(op);
  DenseIntElementsAttr strides, dilations;
  if (auto c = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op.getOperation())) {
    strides = c.getStrides();
    dilations = c.getDilations();
  } else if (auto g = dyn_cast<linalg::Conv2DNhwgcGfhwcOp>(op.getOperation())) {
    strides = g.getStrides();
    dilations = g.getDilations();
    if (!findGroupedOperands(g, k))
      return std::nullopt;
    k.groups = cast<ShapedType>(op.getDpsInputs()[0].getType()).getDimSize(3);
  } else {
    auto d = cast<linalg::DepthwiseConv2DNhwcHwcOp>(op.getOperation());
    strides = d.getStrides();
    dilations = d.getDilations();
  }
  if (!k.input) {
    k.input = op.getDpsInputs()[0];
    k.weight = op.getDpsInputs()[1];
    k.init = op.getDpsInits()[0];
    k.result = op->getResult(0);
  }
  auto inT = dyn_cast<RankedTensorType>(k.input.getType());
  auto wT = dyn_cast<RankedTensorType>(k.weight.getType());
  auto outT = dyn_cast<RankedTensorType>(k.init.getType());
  if (!inT || !wT || !outT || !inT.hasStaticShape() || !wT.hasStaticShape() ||
      !outT.hasStaticShape() || !outT.getElementType().isF32() ||
      !inT.getElementType().isF32() || !wT.getElementType().isF32() ||
      !op.hasPureTensorSemantics())
    return std::nullopt;
  auto s = llvm::to_vector(strides.getValues<int64_t>());
  auto d = llvm::to_vector(dilations.getValues<int64_t>());
  k.sh = s[0];
  k.sw = s[1];
  k.dh = d[0];
  k.dw = d[1];
  k.kh = wT.getDimSize(0);
  k.kw = wT.getDimSize(1);
  k.c = inT.getDimSize(3) / k.groups;
  k.n = outT.getDimSize(0);
  k.f = outT.getDimSize(3);
  k.fg = k.f / k.groups;
  k.rows = outT.getDimSize(1);
  k.cols = outT.getDimSize(2);
  chooseTile(k);
  return k;
}

void dnnc::conv::chooseTile(ConvKernel &k) {
  // A vector of a grouped convolution stays inside one group.
  if (k.groups > 1)
    while (k.fg % k.lanes)
      k.lanes /= 2;
  // 32 zmm registers: MR x NV accumulators, NV weight vectors and a
  // broadcast (ungrouped) or an input vector (depthwise). MR divides the
  // row when a divisor of at least 3/4 of the maximum exists (CNN rows are
  // 7 * 2^k pixels long), else the row ends with a narrower tile.
  int64_t maxMr = k.depthwise ? 8 : 14;
  // Rows at most half a tile long (7x7 images): tiles run across rows, so
  // that they stay full (each input broadcast and weight vector feeds more
  // dot products). Not for 1x1 filters: their pixels, C bytes apart, would
  // then span a few 4 KB strides (cache-set conflicts in L1), and their 14
  // pointers spill from the general registers in the inner loop; measured
  // slower on resnet50's 7x7 1x1 convolutions, faster on its 3x3 ones.
  k.flat = !k.depthwise && k.groups == 1 && 2 * k.cols <= maxMr && k.rows > 1 &&
           k.kh * k.kw > 1;
  int64_t run = k.flat ? k.rows * k.cols : k.cols;
  k.mr = std::min(run, maxMr);
  for (int64_t m = maxMr; 4 * m >= 3 * maxMr; --m)
    if (run % m == 0) {
      k.mr = m;
      break;
    }
  // Two vectors of channels; more when the rows are very short (one pixel,
  // a matrix-vector product as in squeeze-and-excitation blocks: up to 16
  // vectors), so that enough independent FMA chains hide their latency.
  int64_t nv = k.depthwise || k.groups > 1 || k.mr > 4 ? 2 : 24 / k.mr;
  k.nv = std::min<int64_t>(std::min<int64_t>(nv, 16),
                           llvm::divideCeil(k.f, k.lanes));
}

/// The constant data behind `v`, looking through reshapes (which keep the
/// row-major order of the elements); null when `v` is not a constant.
DenseElementsAttr dnnc::conv::constantData(Value v, bool allowSplat) {
  while (isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
      v.getDefiningOp()))
    v = v.getDefiningOp()->getOperand(0);
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || (attr.isSplat() && !allowSplat))
    return nullptr;
  return attr;
}

/// A slice [1, K, N] at [i, 0, 0] of a constant [B, K, N] (a batch matmul's
/// loop over a constant batch of weights), seen through reshapes: the
/// constant and i; a null constant otherwise.
static std::pair<DenseElementsAttr, Value> constantBatchSlice(Value v) {
  while (isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
      v.getDefiningOp()))
    v = v.getDefiningOp()->getOperand(0);
  auto slice = v.getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice || slice.getSourceType().getRank() != 3 ||
      !slice.hasUnitStride() ||
      slice.getSourceType().getShape().drop_front() !=
          ArrayRef<int64_t>(slice.getStaticSizes()).drop_front() ||
      slice.getStaticSizes()[0] != 1 ||
      !llvm::all_of(
          ArrayRef<OpFoldResult>(slice.getMixedOffsets()).drop_front(),
          [](OpFoldResult o) { return isZeroInteger(o); }))
    return {};
  DenseElementsAttr data = constantData(slice.getSource());
  if (!data)
    return {};
  OpBuilder b(slice);
  return {data, getValueOrCreateConstantIndexOp(b, slice.getLoc(),
                                                slice.getMixedOffsets()[0])};
}

/// Repacks a constant ungrouped or grouped weight [KH, KW, C/G, F] at compile
/// time into panels of the tile's output channels, [ceil(F / P), KH, KW,
/// C/G, P] with P = NV x lanes, the last panel padded with zeros. A tile
/// then reads its weights in one contiguous stream instead of one row of P
/// channels every F floats (a new page per input channel for wide layers).
/// A slice of a constant batch of weights packs the whole batch, slice after
/// slice, and reads its own panels.
static void packWeight(OpBuilder &b, ConvKernel &k) {
  int64_t panel = k.nv * k.lanes;
  DenseElementsAttr data = constantData(k.weight);
  Value slice;
  if (!data)
    std::tie(data, slice) = constantBatchSlice(k.weight);
  if (k.depthwise || !data || k.f <= panel || !data.getElementType().isF32())
    return;
  int64_t panels = llvm::divideCeil(k.f, panel);
  int64_t rowsPerPanel = k.kh * k.kw * k.c;
  int64_t slices = data.getNumElements() / (rowsPerPanel * k.f);
  SmallVector<float> out(slices * panels * rowsPerPanel * panel, 0.0f);
  ArrayRef<char> raw = data.getRawData();
  const float *in = reinterpret_cast<const float *>(raw.data());
  for (int64_t s = 0; s < slices; ++s)
    for (int64_t row = 0; row < rowsPerPanel; ++row)
      for (int64_t f = 0; f < k.f; ++f)
        out[((s * panels + f / panel) * rowsPerPanel + row) * panel +
            f % panel] = in[(s * rowsPerPanel + row) * k.f + f];
  auto type = RankedTensorType::get({slices * panels, k.kh, k.kw, k.c, panel},
                                    b.getF32Type());
  k.weight = arith::ConstantOp::create(
      b, k.conv.getLoc(), type,
      DenseElementsAttr::get(type, ArrayRef<float>(out)));
  k.packed = true;
  k.weightSlice = slice;
  k.panelsPerSlice = panels;
}

Emitter::Emitter(OpBuilder &b, Location loc, ConvKernel &k)
    : b(b), loc(loc), k(k) {
  vecT = VectorType::get({k.lanes},
                         k.vnni ? Type(b.getI32Type()) : Type(b.getF32Type()));
  constantBlock = b.getInsertionBlock();
}

Value Emitter::constant(TypedAttr value) {
  Value &c = constants[value];
  if (!c) {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(constantBlock);
    c = arith::ConstantOp::create(b, loc, value);
  }
  return c;
}

bool Emitter::insideParallelLoop() {
  for (Operation *p = k.conv->getParentOp(); p; p = p->getParentOp())
    if (p->hasAttr(dnnc::kParallelAttr))
      return true;
  return false;
}

Value Emitter::destination() {
  Value dest =
      k.epilogue.empty() ? k.init : k.epilogue.back().op.getDpsInits()[0];
  if (k.epilogue.empty() && !initTensor)
    dest = initDest
               ? initDest
               : tensor::EmptyOp::create(
                     b, loc, cast<RankedTensorType>(dest.getType()).getShape(),
                     getElementTypeOrSelf(dest.getType()));
  return dest;
}

void Emitter::prepareInit() {
  Value init = k.init;
  Value src = init;
  SmallVector<Operation *> reshapes;
  while (isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
      src.getDefiningOp())) {
    reshapes.push_back(src.getDefiningOp());
    src = src.getDefiningOp()->getOperand(0);
  }
  if (auto fill = src.getDefiningOp<linalg::FillOp>()) {
    // The result goes where the fill wrote, reshaped as the init was.
    initScalar = fill.getInputs()[0];
    initDest = fill.getOutputs()[0];
    for (Operation *r : llvm::reverse(reshapes)) {
      IRMapping map;
      map.map(r->getOperand(0), initDest);
      initDest = b.clone(*r, map)->getResult(0);
    }
    return;
  }
  // A per-channel vector broadcast over the output (the bias).
  if (auto gen = init.getDefiningOp<linalg::GenericOp>();
      gen && gen.getNumDpsInputs() == 1 && gen.getNumParallelLoops() == 4 &&
      gen.getNumLoops() == 4) {
    OpOperand *in = gen.getDpsInputOperand(0);
    AffineMap map = gen.getMatchingIndexingMap(in);
    auto yield = cast<linalg::YieldOp>(gen.getBody()->getTerminator());
    if (map.getNumResults() == 1 && map.getResult(0) == b.getAffineDimExpr(3) &&
        yield.getOperand(0) == gen.getBody()->getArgument(0)) {
      initVector = in->get();
      initDest = gen.getDpsInits()[0];
      return;
    }
  }
  initTensor = init;
}

Value Emitter::readInit(Value n, Value r, Value m, Value f, bool inBounds) {
  if (initScalar)
    return vector::BroadcastOp::create(b, loc, vecT, initScalar);
  Value pad = constant(cast<TypedAttr>(b.getZeroAttr(vecT.getElementType())));
  if (initVector)
    return vector::TransferReadOp::create(b, loc, vecT, initVector, {f}, pad,
                                          ArrayRef<bool>{inBounds});
  return vector::TransferReadOp::create(b, loc, vecT, initTensor,
                                        ValueRange{n, r, m, f}, pad,
                                        ArrayRef<bool>{inBounds});
}

/// The reduction of one MR x NV tile, its accumulators carried through the
/// filter-row loop and the loop over filter columns and input channels.
SmallVector<Value> Emitter::accumulate(Value n, const TilePixels &px, Value f0,
                                       int64_t nv, int64_t fLimit,
                                       SmallVector<Value> accs) {
  if (k.vnni)
    return accumulateVnni(n, px, f0, nv, std::move(accs));
  int64_t mr = px.size();
  // Depthwise tiles lie along one row (never flat): from column m0.
  Value m0 = px.cols[0];
  Value pad = constant(b.getF32FloatAttr(0));
  auto inBounds = [&](int64_t j) { return (j + 1) * k.lanes <= fLimit; };
  // Packed weights: the tile's panel, whole (zero-padded), at its offset.
  Value panelIdx;
  if (k.packed)
    panelIdx = arith::DivUIOp::create(b, loc, f0, cst(k.nv * k.lanes));
  if (k.weightSlice)
    panelIdx = add(mul(k.weightSlice, k.panelsPerSlice), panelIdx);
  auto weights = [&](ValueRange idx) {
    SmallVector<Value> wv;
    for (int64_t j = 0; j < nv; ++j) {
      SmallVector<Value> at;
      if (k.packed)
        at.push_back(panelIdx);
      at.append(idx.begin(), idx.end());
      at.push_back(k.packed ? cst(j * k.lanes) : add(f0, cst(j * k.lanes)));
      wv.push_back(vector::TransferReadOp::create(
          b, loc, vecT, weight, at, pad,
          ArrayRef<bool>{k.packed || inBounds(j)}));
    }
    return wv;
  };
  // Ungrouped and grouped convolutions: vectors j share their input
  // broadcasts when they lie in the same group (always when ungrouped), else
  // each reads its group's input channels from base[j] (none: depthwise).
  bool shared = k.groups == 1 || k.fg % (nv * k.lanes) == 0;
  SmallVector<Value> base;
  for (int64_t j = 0; !k.depthwise && j < (shared ? 1 : nv); ++j) {
    if (k.groups == 1) {
      base.push_back(cst(0));
      continue;
    }
    Value g =
        arith::DivUIOp::create(b, loc, add(f0, cst(j * k.lanes)), cst(k.fg));
    base.push_back(mul(g, k.c));
  }
  ValueRange res = loop(0, k.kh, 1, accs, [&](Value khIv, ValueRange rowAccs) {
    // Each pixel's input row (the same for all of a tile along one row;
    // CSE merges the repeats). Depthwise tiles use the first.
    SmallVector<Value> inRows;
    for (int64_t m = 0; m < mr; ++m)
      inRows.push_back(add(mul(px.rows[m], k.sh), mul(khIv, k.dh)));
    Value inRow = inRows[0];
    SmallVector<Value> cur(rowAccs);
    if (k.depthwise && k.codesInput) {
      // 8-bit codes: each input vector of the filter row is read and
      // widened once, (x - zp) as f32, and multiplied into every
      // accumulator whose window covers it (stride 1: MR + KW - 1 widenings
      // for MR x KW products).
      SmallVector<SmallVector<Value>> wv;
      for (int64_t kwi = 0; kwi < k.kw; ++kwi)
        wv.push_back(weights({khIv, cst(kwi)}));
      VectorType codesT = VectorType::get({k.lanes}, b.getI8Type());
      VectorType i32T = VectorType::get({k.lanes}, b.getI32Type());
      Value codePad = constant(b.getI8IntegerAttr(0));
      Value zp = k.zeroPoint ? constant(DenseElementsAttr::get(
                                   vecT, b.getF32FloatAttr(float(k.zeroPoint))))
                             : Value();
      Value col0 = mul(m0, k.sw);
      std::map<int64_t, SmallVector<std::pair<int64_t, int64_t>>> uses;
      for (int64_t m = 0; m < mr; ++m)
        for (int64_t kwi = 0; kwi < k.kw; ++kwi)
          uses[m * k.sw + kwi * k.dw].push_back({m, kwi});
      for (auto &[offset, products] : uses) {
        Value col = add(col0, cst(offset));
        for (int64_t j = 0; j < nv; ++j) {
          Value codes = vector::TransferReadOp::create(
              b, loc, codesT, input, {n, inRow, col, add(f0, cst(j * k.lanes))},
              codePad, ArrayRef<bool>{inBounds(j)});
          Value wide =
              k.signedInput
                  ? arith::ExtSIOp::create(b, loc, i32T, codes).getResult()
                  : arith::ExtUIOp::create(b, loc, i32T, codes).getResult();
          Value x = arith::SIToFPOp::create(b, loc, vecT, wide);
          if (zp)
            x = arith::SubFOp::create(b, loc, x, zp);
          for (auto [m, kwi] : products)
            cur[m * nv + j] =
                vector::FMAOp::create(b, loc, x, wv[kwi][j], cur[m * nv + j]);
        }
      }
      return cur;
    }
    if (k.depthwise) {
      // Filter columns, unrolled: each multiplies NV input vectors of every
      // pixel by the column's NV weight vectors.
      for (int64_t kwi = 0; kwi < k.kw; ++kwi) {
        SmallVector<Value> wv = weights({khIv, cst(kwi)});
        for (int64_t m = 0; m < mr; ++m) {
          Value col = add(mul(add(m0, cst(m)), k.sw), cst(kwi * k.dw));
          for (int64_t j = 0; j < nv; ++j) {
            Value x = vector::TransferReadOp::create(
                b, loc, vecT, input, {n, inRow, col, add(f0, cst(j * k.lanes))},
                pad, ArrayRef<bool>{inBounds(j)});
            cur[m * nv + j] =
                vector::FMAOp::create(b, loc, x, wv[j], cur[m * nv + j]);
          }
        }
      }
      return cur;
    }
    // Filter columns, then the input channels of the group; one broadcast
    // input value per pixel (per group), NV weight vectors per channel.
    ValueRange colRes =
        loop(0, k.kw, 1, cur, [&](Value kwIv, ValueRange colAccs) {
          Value colBase = mul(kwIv, k.dw);
          ValueRange chanRes =
              loop(0, k.c, 1, colAccs, [&](Value ci, ValueRange chanAccs) {
                SmallVector<Value> next(chanAccs);
                SmallVector<Value> wv = weights({khIv, kwIv, ci});
                SmallVector<Value> chans;
                for (Value bj : base)
                  chans.push_back(k.groups == 1 ? ci : add(bj, ci));
                for (int64_t m = 0; m < mr; ++m) {
                  Value col = add(mul(px.cols[m], k.sw), colBase);
                  SmallVector<Value> xb;
                  for (Value ch : chans) {
                    Value x = tensor::ExtractOp::create(
                        b, loc, input, ValueRange{n, inRows[m], col, ch});
                    xb.push_back(vector::BroadcastOp::create(b, loc, vecT, x));
                  }
                  for (int64_t j = 0; j < nv; ++j)
                    next[m * nv + j] = vector::FMAOp::create(
                        b, loc, xb[shared ? 0 : j], wv[j], next[m * nv + j]);
                }
                return next;
              });
          return SmallVector<Value>(chanRes);
        });
    return SmallVector<Value>(colRes);
  });
  return SmallVector<Value>(res);
}

/// For `op` = addf(mulf(sitofp(acc), m), c) in the body of an epilogue op
/// (either operand order of the addf; acc its block argument `chain`, the
/// convolution's i32 sums) whose mulf has no other use: the mulf and c.
static std::optional<std::pair<arith::MulFOp, Value>>
accumulatorAffine(Operation &op, Value chain) {
  auto add = dyn_cast<arith::AddFOp>(op);
  if (!add)
    return std::nullopt;
  for (unsigned i : {0u, 1u}) {
    auto mulOp = add->getOperand(i).getDefiningOp<arith::MulFOp>();
    auto toFloat = mulOp ? mulOp.getLhs().getDefiningOp<arith::SIToFPOp>()
                         : arith::SIToFPOp();
    if (toFloat && toFloat.getIn() == chain && mulOp->hasOneUse())
      return std::pair(mulOp, add->getOperand(1 - i));
  }
  return std::nullopt;
}

/// Applies the epilogue ops to one accumulator vector at output position
/// (n, r, m, f..f+15).
Value Emitter::applyEpilogue(Value acc, Value n, Value r, Value m, Value f,
                             bool inBounds) {
  Value cur = acc;
  for (EpilogueOp &e : k.epilogue) {
    linalg::GenericOp gen = e.op;
    IRMapping map;
    Block *body = gen.getBody();
    for (OpOperand *in : gen.getDpsInputOperands()) {
      Value arg = body->getArgument(in->getOperandNumber());
      Value viewT = in->get();
      if (in->getOperandNumber() == e.chainOperand) {
        map.map(arg, cur);
        continue;
      }
      AffineMap imap = gen.getMatchingIndexingMap(in);
      auto elemT = cast<RankedTensorType>(in->get().getType()).getElementType();
      auto vt = VectorType::get({k.lanes}, elemT);
      if (imap.isIdentity()) {
        Value p = constant(cast<TypedAttr>(b.getZeroAttr(elemT)));
        map.map(arg, vector::TransferReadOp::create(b, loc, vt, viewT,
                                                    ValueRange{n, r, m, f}, p,
                                                    ArrayRef<bool>{inBounds}));
        continue;
      }
      SmallVector<Value> idx;
      bool perChannel = false;
      for (AffineExpr ex : imap.getResults()) {
        if (isa<AffineConstantExpr>(ex)) {
          idx.push_back(cst(0));
        } else if (cast<AffineDimExpr>(ex).getPosition() == 0) {
          idx.push_back(n);
        } else {
          idx.push_back(f);
          perChannel = true;
        }
      }
      if (perChannel) {
        Value p = constant(cast<TypedAttr>(b.getZeroAttr(elemT)));
        map.map(arg, vector::TransferReadOp::create(b, loc, vt, viewT, idx, p,
                                                    ArrayRef<bool>{inBounds}));
      } else {
        Value s = tensor::ExtractOp::create(b, loc, viewT, idx);
        map.map(arg, vector::BroadcastOp::create(b, loc, vt, s));
      }
    }
    for (Operation &op : body->without_terminator()) {
      // The accumulator's affine map, sitofp(acc) * m + c (the scales and
      // bias of a requantization), is one fused multiply-add: one rounding
      // instead of two, one instruction instead of two.
      Value chain = body->getArgument(e.chainOperand);
      if (auto fma = accumulatorAffine(op, chain)) {
        auto [mulOp, addend] = *fma;
        Value x = map.lookupOrDefault(mulOp.getLhs());
        Value m = map.lookupOrDefault(mulOp.getRhs());
        Value c = map.lookupOrDefault(addend);
        auto vt = cast<VectorType>(x.getType());
        auto splat = [&](Value v) -> Value {
          return isa<VectorType>(v.getType())
                     ? v
                     : vector::BroadcastOp::create(b, loc, vt, v);
        };
        map.map(op.getResult(0),
                vector::FMAOp::create(b, loc, x, splat(m), splat(c)));
        continue;
      }
      if (auto mulOp = dyn_cast<arith::MulFOp>(op); mulOp && mulOp->hasOneUse())
        if (auto fma = accumulatorAffine(**mulOp->getUsers().begin(), chain);
            fma && fma->first == mulOp)
          continue; // folded into the fused multiply-add
      Value v = dnnc::cloneOnVectors(b, loc, op, map, k.lanes);
      // No NaN can reach a clamp of the requantization (see
      // finiteEpilogue): a plain vmaxps/vminps instead of the NaN- and
      // signed-zero-ordering sequence of llvm.maximum/minimum.
      if (k.finiteEpilogue && isa<arith::MaximumFOp, arith::MinimumFOp>(op))
        v.getDefiningOp()->setAttr(
            "fastmath", arith::FastMathFlagsAttr::get(
                            b.getContext(), arith::FastMathFlags::nnan |
                                                arith::FastMathFlags::nsz));
    }
    cur = map.lookupOrDefault(body->getTerminator()->getOperand(0));
  }
  return cur;
}

/// One MR x NV tile at pixels m0.. of row r, channels f0..: start from the
/// init, accumulate, finish with the epilogue, store.
Value Emitter::tile(Value out, Value n, const TilePixels &px, Value f0,
                    int64_t nv, int64_t fLimit) {
  int64_t mr = px.size();
  auto inBounds = [&](int64_t j) { return (j + 1) * k.lanes <= fLimit; };
  SmallVector<Value> accs;
  for (int64_t m = 0; m < mr; ++m)
    for (int64_t j = 0; j < nv; ++j)
      accs.push_back(readInit(n, px.rows[m], px.cols[m],
                              add(f0, cst(j * k.lanes)), inBounds(j)));
  Value zpScale;
  if (k.zeroPointValue) {
    Value zp = k.zeroPointValue;
    if (k.signedInput)
      zp =
          arith::AddIOp::create(b, loc, zp, constant(b.getI32IntegerAttr(128)));
    zpScale = vector::BroadcastOp::create(b, loc, vecT, zp);
  }
  if (k.correction)
    for (int64_t j = 0; j < nv; ++j) {
      Value c = vector::TransferReadOp::create(
          b, loc, vecT, k.correction, {add(f0, cst(j * k.lanes))},
          constant(b.getI32IntegerAttr(0)), ArrayRef<bool>{true});
      if (zpScale)
        c = arith::MulIOp::create(b, loc, c, zpScale);
      for (int64_t m = 0; m < mr; ++m)
        accs[m * nv + j] = arith::AddIOp::create(b, loc, accs[m * nv + j], c);
    }
  accs = accumulate(n, px, f0, nv, fLimit, accs);
  for (int64_t m = 0; m < mr; ++m)
    for (int64_t j = 0; j < nv; ++j) {
      Value r = px.rows[m], mi = px.cols[m], fi = add(f0, cst(j * k.lanes));
      Value v = applyEpilogue(accs[m * nv + j], n, r, mi, fi, inBounds(j));
      out = vector::TransferWriteOp::create(b, loc, v, out,
                                            ValueRange{n, r, mi, fi},
                                            ArrayRef<bool>{inBounds(j)})
                .getResult();
    }
  return out;
}

TilePixels Emitter::rowPixels(Value r, Value m0, int64_t mr) {
  TilePixels px;
  for (int64_t m = 0; m < mr; ++m) {
    px.rows.push_back(r);
    px.cols.push_back(add(m0, cst(m)));
  }
  return px;
}

TilePixels Emitter::flatPixels(Value p0, int64_t count) {
  TilePixels px;
  for (int64_t m = 0; m < count; ++m) {
    Value p = add(p0, cst(m));
    px.rows.push_back(arith::DivUIOp::create(b, loc, p, cst(k.cols)));
    px.cols.push_back(arith::RemUIOp::create(b, loc, p, cst(k.cols)));
  }
  return px;
}

int64_t Emitter::unitsPerPanel() const {
  return k.flat ? llvm::divideCeil(k.rows * k.cols, k.mr) : k.rows;
}

/// The tiles of unit i for the channel panel at f0. Along a row: full MR
/// tiles, then the remainder. Flat: the i-th run of MR pixels, or the
/// remainder when i is the last unit.
Value Emitter::unitOfTiles(Value out, Value n, Value i, Value f0, int64_t nv,
                           int64_t fLimit) {
  if (k.flat) {
    int64_t full = k.rows * k.cols / k.mr, rest = k.rows * k.cols % k.mr;
    Value p0 = mul(i, k.mr);
    if (!rest)
      return tile(out, n, flatPixels(p0, k.mr), f0, nv, fLimit);
    Value isFull =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, i, cst(full));
    auto branch = scf::IfOp::create(b, loc, out.getType(), isFull,
                                    /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    for (auto [block, count] :
         {std::pair(branch.thenBlock(), k.mr), {branch.elseBlock(), rest}}) {
      b.setInsertionPointToStart(block);
      scf::YieldOp::create(b, loc,
                           tile(out, n, flatPixels(p0, count), f0, nv, fLimit));
    }
    return branch.getResult(0);
  }
  int64_t full = k.cols / k.mr, rest = k.cols % k.mr;
  if (full)
    out = loop(0, full * k.mr, k.mr, out, [&](Value m0, ValueRange args) {
      return SmallVector<Value>{
          tile(args[0], n, rowPixels(i, m0, k.mr), f0, nv, fLimit)};
    })[0];
  if (rest)
    out = tile(out, n, rowPixels(i, cst(full * k.mr), rest), f0, nv, fLimit);
  return out;
}

Value Emitter::emit() {
  input = k.input;
  weight = k.weight;
  prepareInit();
  Value out = destination();

  int64_t panel = k.nv * k.lanes;
  int64_t fullPanels = k.f / panel, restF = k.f % panel;
  bool nested = insideParallelLoop();
  // One loop over (channel panel, unit) pairs, a unit being an output row
  // (or, flat, a run of MR pixels): the iterations write disjoint tiles, so
  // it is marked parallel. Panel-major, a static split of it gives each
  // thread a contiguous range of panels (their weights stay in its cache)
  // at the granularity of one unit.
  int64_t units = unitsPerPanel();
  // 1x1 convolutions whose weights fit in half of L2 run unit-major: each
  // unit's input pixels (the broadcast operand, read 4 bytes at a time)
  // stay in L1 while all panels pass over them, and the weights stream as
  // whole vectors from L2. Measured on resnet50 int8: layer3's 1x1
  // convolutions 4-8% faster; the 3x3 ones (9x the weights) are faster
  // panel-major.
  int64_t weightBytes = k.kh * k.kw * k.c * k.f * (k.vnni ? 1 : 4);
  bool unitMajor = k.kh * k.kw == 1 && weightBytes <= kUnitMajorWeightBytes;
  auto panelRows = [&](Value cur, Value n, int64_t f0, int64_t panels,
                       int64_t nv, int64_t fLimit) {
    scf::ForOp forOp;
    Value res = loop(0, panels * units, 1, cur, [&](Value i, ValueRange a) {
      Value u = i, f = cst(f0);
      if (panels > 1 && unitMajor) {
        u = arith::DivUIOp::create(b, loc, i, cst(panels));
        Value p = arith::RemUIOp::create(b, loc, i, cst(panels));
        f = add(f, mul(p, panel));
      } else if (panels > 1) {
        u = arith::RemUIOp::create(b, loc, i, cst(units));
        Value p = arith::DivUIOp::create(b, loc, i, cst(units));
        f = add(f, mul(p, panel));
      }
      forOp = cast<scf::ForOp>(i.getParentBlock()->getParentOp());
      return SmallVector<Value>{unitOfTiles(a[0], n, u, f, nv, fLimit)};
    })[0];
    // Worth a parallel region (a fork and join of a few microseconds) only
    // above some work.
    int64_t macs = k.rows * k.cols * std::min(panels * panel, k.f) *
                   (k.depthwise ? 1 : k.c) * k.kh * k.kw;
    if (panels * units > 1 && 2 * macs >= dnnc::kMinParallelWork && !nested)
      forOp->setAttr(dnnc::kParallelAttr, b.getUnitAttr());
    return res;
  };
  Value result = loop(0, k.n, 1, out, [&](Value n, ValueRange nArgs) {
    Value cur = nArgs[0];
    if (fullPanels)
      cur = panelRows(cur, n, 0, fullPanels, k.nv, panel);
    if (restF)
      cur = panelRows(cur, n, fullPanels * panel, 1,
                      llvm::divideCeil(restF, k.lanes), restF);
    return SmallVector<Value>{cur};
  })[0];
  return result;
}

/// A named matmul-like op with its default maps, on tensors of static
/// shapes and f32 elements.
template <typename OpTy> static bool isStaticF32(OpTy op) {
  return !op.hasUserDefinedMaps() && op.hasPureTensorSemantics() &&
         llvm::all_of(op->getOperandTypes(), [](Type t) {
           auto r = dyn_cast<RankedTensorType>(t);
           return r && r.hasStaticShape() && r.getElementType().isF32();
         });
}

/// A static f32 matmul [M, K] x [K, N] is the 1x1 convolution of an image
/// of one row of M pixels with K channels: rewrite it as one, so that it
/// gets the same kernel.
static void matmulAsConv(RewriterBase &rewriter, linalg::MatmulOp mm) {
  if (!isStaticF32(mm))
    return;
  Location loc = mm.getLoc();
  rewriter.setInsertionPoint(mm);
  SmallVector<ReassociationIndices> re = {{0, 1, 2}, {3}};
  auto image = [&](Value v) {
    auto t = cast<RankedTensorType>(v.getType());
    return tensor::ExpandShapeOp::create(
        rewriter, loc, t.clone({1, 1, t.getDimSize(0), t.getDimSize(1)}), v,
        re);
  };
  Value out = image(mm.getOutputs()[0]);
  auto ones = DenseIntElementsAttr::get(
      RankedTensorType::get({2}, rewriter.getI64Type()),
      ArrayRef<int64_t>{1, 1});
  Value conv =
      linalg::Conv2DNhwcHwcfOp::create(
          rewriter, loc, TypeRange{out.getType()},
          ValueRange{image(mm.getInputs()[0]), image(mm.getInputs()[1])},
          ValueRange{out}, ones, ones)
          .getResult(0);
  rewriter.replaceOp(mm,
                     tensor::CollapseShapeOp::create(rewriter, loc, conv, re));
}

/// A static f32 batch matmul [B, M, K] x [B, K, N] (attention scores and
/// context) is a loop over its batch of matmuls on slices, which then get
/// the convolution kernel. A zero (or any constant) fill of the result is
/// done slice by slice, so that the kernel starts its accumulators from the
/// constant. The batch loop is marked parallel above some work: the kernels
/// inside then leave their own loops sequential.
static void batchMatmulAsLoop(RewriterBase &rewriter,
                              linalg::BatchMatmulOp bm) {
  if (!isStaticF32(bm))
    return;
  auto aT = cast<RankedTensorType>(bm.getInputs()[0].getType());
  auto cT = cast<RankedTensorType>(bm.getOutputs()[0].getType());
  Location loc = bm.getLoc();
  rewriter.setInsertionPoint(bm);
  Value init = bm.getOutputs()[0];
  auto fill = init.getDefiningOp<linalg::FillOp>();
  auto cst = [&](int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  int64_t batch = cT.getDimSize(0), m = cT.getDimSize(1), n = cT.getDimSize(2),
          k = aT.getDimSize(2);
  auto loop =
      scf::ForOp::create(rewriter, loc, cst(0), cst(batch), cst(1),
                         ValueRange{fill ? fill.getOutputs()[0] : init});
  OpBuilder::InsertionGuard g(rewriter);
  Block *body = loop.getBody();
  if (!body->empty())
    rewriter.eraseOp(body->getTerminator());
  rewriter.setInsertionPointToEnd(body);
  Value iv = loop.getInductionVar(), acc = loop.getRegionIterArgs()[0];
  auto slice = [&](Value v, int64_t rows, int64_t cols) {
    SmallVector<OpFoldResult> offs = {iv, rewriter.getIndexAttr(0),
                                      rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1),
                                       rewriter.getIndexAttr(rows),
                                       rewriter.getIndexAttr(cols)};
    SmallVector<OpFoldResult> ones(3, rewriter.getIndexAttr(1));
    auto type = RankedTensorType::get({rows, cols}, rewriter.getF32Type());
    return tensor::ExtractSliceOp::create(rewriter, loc, type, v, offs, sizes,
                                          ones);
  };
  Value out = slice(acc, m, n);
  if (fill)
    out = linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], out)
              .getResult(0);
  Value mm =
      linalg::MatmulOp::create(rewriter, loc, TypeRange{out.getType()},
                               ValueRange{slice(bm.getInputs()[0], m, k),
                                          slice(bm.getInputs()[1], k, n)},
                               ValueRange{out})
          .getResult(0);
  Value ins = tensor::InsertSliceOp::create(
      rewriter, loc, mm, acc,
      ArrayRef<OpFoldResult>{iv, rewriter.getIndexAttr(0),
                             rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(m),
                             rewriter.getIndexAttr(n)},
      SmallVector<OpFoldResult>(3, rewriter.getIndexAttr(1)));
  scf::YieldOp::create(rewriter, loc, ins);
  if (batch > 1 && 2 * batch * m * n * k >= dnnc::kMinParallelWork)
    loop->setAttr(dnnc::kParallelAttr, rewriter.getUnitAttr());
  rewriter.replaceOp(bm, loop.getResults());
}

/// Pads the pixel rows of an ungrouped convolution's input when its pixel
/// stride is a multiple of 4 KB (C a multiple of 1024: resnet50's 1x1
/// convolutions at 1024 and 2048 channels, vit's [197, 3072] x [3072, 768]
/// matmul). The kernel broadcasts from MR pixels at once, and addresses 4 KB
/// apart fall into the same L1 cache set: its 12 ways cannot hold MR = 14
/// streams (vit's matmul: 10.7 ms at K = 3072, 8.3 ms at K = 3088). When the
/// input is computed in destination-passing style from a tensor.empty,
/// through reshapes that keep the channel dim whole, that chain writes into
/// the interior of a buffer with kRowPad more channels per pixel instead:
/// the same values, a stride 64 bytes longer, no copy.
static void padInputRows(linalg::Conv2DNhwcHwcfOp conv) {
  Value v = conv.getInputs()[0];
  auto lastDimAlone = [](ArrayRef<ReassociationIndices> re) {
    return !re.empty() && re.back().size() == 1;
  };
  while (true) {
    if (auto e = v.getDefiningOp<tensor::ExpandShapeOp>();
        e && lastDimAlone(e.getReassociationIndices())) {
      v = e.getSrc();
      continue;
    }
    if (auto c = v.getDefiningOp<tensor::CollapseShapeOp>();
        c && lastDimAlone(c.getReassociationIndices())) {
      v = c.getSrc();
      continue;
    }
    break;
  }
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape() || !t.getElementType().isF32() ||
      t.getShape().back() % 1024 != 0)
    return;
  OpOperand *root = dnnc::rootEmpty(v);
  if (!root || root->get().getType() != t)
    return;
  OpBuilder b(root->getOwner());
  Location loc = conv.getLoc();
  SmallVector<int64_t> padded(t.getShape());
  padded.back() += kRowPad;
  // (An alloc_tensor: canonicalization would turn a slice of a tensor.empty
  // into a new, unpadded tensor.empty.)
  Value buffer = bufferization::AllocTensorOp::create(b, loc, t.clone(padded),
                                                      ValueRange{});
  dnnc::computeChainIn(b, root, buffer, SmallVector<int64_t>(t.getRank(), 0));
}

/// A channel gate on the input of an ungrouped convolution of one image:
/// the input is x * g, g [1, 1, 1, C] broadcast over the pixels of x (a
/// squeeze-and-excitation block scaling the channels before the projection
/// convolution), and the product has no other reader. Returns the generic.
static linalg::GenericOp gatedInput(const ConvKernel &k) {
  auto gen = k.input.getDefiningOp<linalg::GenericOp>();
  if (k.depthwise || k.groups != 1 || k.n != 1 || !gen || !gen->hasOneUse() ||
      gen.getNumDpsInputs() != 2 || gen.getNumLoops() != 4 ||
      gen.getNumParallelLoops() != 4 ||
      gen.payloadUsesValueFromOperand(gen.getDpsInitOperand(0)) ||
      !gen.getMatchingIndexingMap(gen.getDpsInitOperand(0)).isIdentity())
    return nullptr;
  Block *body = gen.getBody();
  auto mulOp = dyn_cast<arith::MulFOp>(body->front());
  if (!mulOp || body->getOperations().size() != 2 ||
      body->getTerminator()->getOperand(0) != mulOp.getResult())
    return nullptr;
  // One operand read at the output's position, the other per channel.
  int identities = 0, gates = 0;
  for (OpOperand *in : gen.getDpsInputOperands()) {
    AffineMap map = gen.getMatchingIndexingMap(in);
    auto t = cast<RankedTensorType>(in->get().getType());
    if (map.isIdentity()) {
      ++identities;
      continue;
    }
    if (t.getRank() == 4 &&
        t.getShape().drop_back() == ArrayRef<int64_t>{1, 1, 1} &&
        map.getResults().back() == getAffineDimExpr(3, map.getContext()))
      ++gates;
  }
  return identities == 1 && gates == 1 ? gen : nullptr;
}

/// Folds the channel gate of `gen` into the weights: the kernel reads x,
/// and weights scaled per input channel, W[.., c, ..] * g[c], computed per
/// run (C x F products instead of H x W x C).
static void foldGate(OpBuilder &b, ConvKernel &k, linalg::GenericOp gen) {
  Location loc = gen.getLoc();
  Value x, g;
  for (OpOperand *in : gen.getDpsInputOperands())
    (gen.getMatchingIndexingMap(in).isIdentity() ? x : g) = in->get();
  auto wT = cast<RankedTensorType>(k.weight.getType());
  int64_t rank = wT.getRank();
  // The channel dim is the second last, packed or not.
  Value g1 = tensor::CollapseShapeOp::create(
      b, loc, g, SmallVector<ReassociationIndices>{{0, 1, 2, 3}});
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(rank, ctx),
      AffineMap::get(rank, 0, getAffineDimExpr(rank - 2, ctx)),
      AffineMap::getMultiDimIdentityMap(rank, ctx)};
  Value empty = tensor::EmptyOp::create(b, loc, wT.getShape(), b.getF32Type());
  k.weight =
      linalg::GenericOp::create(
          b, loc, TypeRange{wT}, ValueRange{k.weight, g1}, ValueRange{empty},
          maps,
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(
                nb, l,
                ValueRange{arith::MulFOp::create(nb, l, args[0], args[1])});
          })
          .getResult(0);
  k.input = x;
}

enum class Form { Direct, Winograd };

/// Lowers one convolution: its chain of elementwise consumers goes into the
/// store, in the direct kernel or in the Winograd form, which it takes only
/// where the shape gains from it. False when the op is not one this pass
/// lowers in that form.
static bool lowerConv(linalg::LinalgOp conv, Form form) {
  auto gen = dyn_cast<linalg::GenericOp>(conv.getOperation());
  std::optional<ConvKernel> k = !gen ? analyze(conv)
                                : gen.getNumLoops() == 7
                                    ? analyzeQuantized(gen)
                                    : analyzeQuantizedDepthwise(gen);
  if (!k)
    return false;
  bool useWinograd = form == Form::Winograd;
  if (useWinograd && !prefersWinograd(*k))
    return false;
  // Fold the chain of elementwise consumers into the store.
  Value last = k->result;
  while (last.hasOneUse()) {
    auto gen = dyn_cast<linalg::GenericOp>(*last.getUsers().begin());
    std::optional<EpilogueOp> e = gen ? asEpilogue(gen, last) : std::nullopt;
    if (!e || leavesToOtherContraction(gen, last))
      break;
    k->epilogue.push_back(*e);
    last = gen.getResult(0);
  }
  if (k->vnni || k->codesInput)
    k->finiteEpilogue = isFiniteEpilogue(*k);
  Operation *lastOp = last.getDefiningOp();
  OpBuilder b(lastOp);
  linalg::GenericOp gate = useWinograd || k->vnni ? nullptr : gatedInput(*k);
  if (k->vnni)
    packWeightVnni(b, *k);
  else if (!useWinograd)
    packWeight(b, *k);
  if (gate)
    foldGate(b, *k, gate);
  Emitter emitter(b, conv.getLoc(), *k);
  Value result = useWinograd ? emitter.emitWinograd() : emitter.emit();
  last.replaceAllUsesWith(result);
  for (EpilogueOp &e : llvm::reverse(k->epilogue))
    e.op->erase();
  // The grouped form's collapse of the result, then the conv; the split
  // and transposed operands go with the next canonicalization.
  if (Operation *col = k->result.getDefiningOp(); col != conv)
    col->erase();
  conv->erase();
  if (gate)
    gate->erase();
  return true;
}

namespace {
struct DNNCConvKernelsPass
    : dnnc::impl::DNNCConvKernelsBase<DNNCConvKernelsPass> {
  using DNNCConvKernelsBase::DNNCConvKernelsBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Winograd first: it leaves a batch matmul, lowered below.
    if (winograd) {
      SmallVector<linalg::Conv2DNhwcHwcfOp> convs;
      getOperation().walk(
          [&](linalg::Conv2DNhwcHwcfOp op) { convs.push_back(op); });
      for (linalg::Conv2DNhwcHwcfOp conv : convs)
        lowerConv(conv, Form::Winograd);
    }
    SmallVector<linalg::GenericOp> weightQuant;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.getNumLoops() == 3 && op.getNumReductionLoops() == 1)
        weightQuant.push_back(op);
    });
    for (linalg::GenericOp op : weightQuant)
      lowerWeightQuantMatmul(op);
    SmallVector<linalg::BatchMatmulOp> batched;
    getOperation().walk(
        [&](linalg::BatchMatmulOp op) { batched.push_back(op); });
    for (linalg::BatchMatmulOp bm : batched)
      batchMatmulAsLoop(rewriter, bm);
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    for (linalg::MatmulOp mm : matmuls)
      matmulAsConv(rewriter, mm);
    getOperation().walk([&](linalg::Conv2DNhwcHwcfOp op) { padInputRows(op); });
    SmallVector<linalg::LinalgOp> convs;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::Conv2DNhwcHwcfOp, linalg::Conv2DNhwgcGfhwcOp,
              linalg::DepthwiseConv2DNhwcHwcOp>(op) ||
          (vnni && isa<linalg::GenericOp>(op) &&
           op.getNumReductionLoops() == 3 && op.getNumLoops() == 7) ||
          (isa<linalg::GenericOp>(op) && op.getNumReductionLoops() == 2 &&
           op.getNumLoops() == 6))
        convs.push_back(op);
    });
    for (linalg::LinalgOp conv : convs)
      lowerConv(conv, Form::Direct);
  }
};
} // namespace
