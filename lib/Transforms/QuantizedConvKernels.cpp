//===- QuantizedConvKernels.cpp - 8-bit convolutions on VNNI --------------===//
//
// The 8-bit side of dnnc-conv-kernels. dnn.qconv2d_nhwc lowers to a
// linalg.generic over (n, oh, ow, f, kh, kw, c) that sums
// (ext(x) - zp) * sext(w) into i32, its input padded with zp. Here that
// generic gets the register tiles of the float kernels (ConvKernels.cpp)
// with i32 accumulators, and each step over 4 input channels is one AVX-512
// VNNI instruction per accumulator:
//
//   vpdpbusd acc, bcast(x[pixel, c..c+3]), w[c..c+3, f..f+15]
//
// which multiplies 4 unsigned input bytes by 4 signed weight bytes for each
// of 16 output channels and adds the 4 products to each i32 lane. The
// arithmetic is exact:
//   sum (x - zp) * w = sum x * w - zp * sum w,
// so the kernel reads the raw codes and starts its accumulators at
// -zp * sum(w) per output channel (computed at compile time; the padding
// holds zp, which that term cancels too). Signed codes are made unsigned
// by flipping their top bit, which adds 128 to each: the start becomes
// -(zp + 128) * sum(w).
//
// The weights are packed at compile time into panels of the tile's output
// channels with the 4 input channels of a step interleaved:
// [panels, KH, KW, ceil(C / 4), panel x 4], zero-padded, so that one
// 64-byte load feeds one instruction.
//
// Depthwise convolutions of 8-bit codes (dnn.qdepthwise_conv2d_nhwc) lower
// to a generic over (n, oh, ow, c, kh, kw) summing (tofp(x) - zp) * w in f32
// (exact: the weights are integers and the sums stay below 2^24). They run
// on the float depthwise kernel, which reads the codes (a quarter of the
// bytes of a float input) and widens them in registers.
//
//===----------------------------------------------------------------------===//
#include "ConvKernels.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace dnnc::conv;

namespace {
/// What the payload of an 8-bit convolution generic says: the input's
/// zero point and signedness.
struct QuantizedPayload {
  int64_t zeroPoint = 0;
  Value zeroPointValue; // defined outside the body
  bool isUnsigned = false;
};
} // namespace

/// The kernel of the convolution generic `op` (input, weight, init: its
/// operands), its geometry not yet set.
static ConvKernel kernelOf(linalg::GenericOp op) {
  ConvKernel k;
  k.conv = op;
  k.input = op.getDpsInputs()[0];
  k.weight = op.getDpsInputs()[1];
  k.init = op.getDpsInits()[0];
  k.result = op->getResult(0);
  return k;
}

/// Sets the geometry of `k` from its operands' static shapes (input
/// [N, H, W, C], weight [KH, KW, ..], output [N, OH, OW, F]) and `dims`,
/// then picks the register tile.
static void setGeometry(ConvKernel &k,
                        const linalg::ConvolutionDimensions &dims) {
  auto inT = cast<RankedTensorType>(k.input.getType());
  auto wT = cast<RankedTensorType>(k.weight.getType());
  auto outT = cast<RankedTensorType>(k.init.getType());
  k.sh = dims.strides[0];
  k.sw = dims.strides[1];
  k.dh = dims.dilations[0];
  k.dw = dims.dilations[1];
  k.kh = wT.getDimSize(0);
  k.kw = wT.getDimSize(1);
  k.c = inT.getDimSize(3);
  k.n = outT.getDimSize(0);
  k.f = outT.getDimSize(3);
  k.fg = k.f;
  k.rows = outT.getDimSize(1);
  k.cols = outT.getDimSize(2);
  chooseTile(k);
}

/// Matches acc + (ext(x) [- zp]) * sext(w), with x and w i8 and acc i32.
static std::optional<QuantizedPayload> matchPayload(linalg::GenericOp op) {
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddIOp>();
  if (!add)
    return std::nullopt;
  Value acc = body->getArgument(2);
  Value prod = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  if (add.getLhs() != acc && add.getRhs() != acc)
    return std::nullopt;
  auto mul = prod.getDefiningOp<arith::MulIOp>();
  if (!mul)
    return std::nullopt;
  QuantizedPayload p;
  Value x = mul.getLhs(), w = mul.getRhs();
  auto wExt = w.getDefiningOp<arith::ExtSIOp>();
  if (!wExt || wExt.getIn() != body->getArgument(1))
    std::swap(x, w), wExt = w.getDefiningOp<arith::ExtSIOp>();
  if (!wExt || wExt.getIn() != body->getArgument(1))
    return std::nullopt;
  if (auto sub = x.getDefiningOp<arith::SubIOp>()) {
    APInt zp;
    if (matchPattern(sub.getRhs(), m_ConstantInt(&zp)))
      p.zeroPoint = zp.getSExtValue();
    else if (sub.getRhs().getParentBlock() != body)
      p.zeroPointValue = sub.getRhs();
    else
      return std::nullopt;
    x = sub.getLhs();
  }
  if (auto e = x.getDefiningOp<arith::ExtUIOp>();
      e && e.getIn() == body->getArgument(0))
    p.isUnsigned = true;
  else if (auto e = x.getDefiningOp<arith::ExtSIOp>();
           !e || e.getIn() != body->getArgument(0))
    return std::nullopt;
  // Nothing else in the body.
  for (Operation &o : body->without_terminator())
    if (!isa<arith::ExtUIOp, arith::ExtSIOp, arith::SubIOp, arith::MulIOp,
             arith::AddIOp, arith::ConstantOp>(o))
      return std::nullopt;
  return p;
}

std::optional<ConvKernel> dnnc::conv::analyzeQuantized(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics())
    return std::nullopt;
  auto inT = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto wT = dyn_cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  auto outT = dyn_cast<RankedTensorType>(op.getDpsInits()[0].getType());
  if (!inT || !wT || !outT || inT.getRank() != 4 || wT.getRank() != 4 ||
      outT.getRank() != 4 || !inT.hasStaticShape() || !wT.hasStaticShape() ||
      !outT.hasStaticShape() || !inT.getElementType().isInteger(8) ||
      !wT.getElementType().isInteger(8) || !outT.getElementType().isInteger(32))
    return std::nullopt;
  std::optional<QuantizedPayload> payload = matchPayload(op);
  if (!payload)
    return std::nullopt;
  // The loops and maps dnn.qconv2d_nhwc's lowering builds: (n, oh, ow, f,
  // kh, kw, c) with input (n, oh * sh + kh * dh, ow * sw + kw * dw, c),
  // weight (kh, kw, c, f) and output (n, oh, ow, f).
  FailureOr<linalg::ConvolutionDimensions> dims =
      linalg::inferConvolutionDims(op);
  if (failed(dims) || dims->outputImage.size() != 2 ||
      dims->filterLoop.size() != 2 || dims->inputChannel.size() != 1 ||
      dims->outputChannel.size() != 1 || dims->batch.size() != 1 ||
      !dims->depth.empty())
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  if (dims->batch[0] != 0 || dims->outputImage[0] != 1 ||
      dims->outputImage[1] != 2 || dims->outputChannel[0] != 3 ||
      dims->filterLoop[0] != 4 || dims->filterLoop[1] != 5 ||
      dims->inputChannel[0] != 6 ||
      op.getIndexingMapsArray()[1] !=
          AffineMap::get(7, 0, {d(4), d(5), d(6), d(3)}, ctx) ||
      op.getIndexingMapsArray()[2] !=
          AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx))
    return std::nullopt;
  ConvKernel k = kernelOf(op);
  k.vnni = true;
  k.signedInput = !payload->isUnsigned;
  k.zeroPoint = payload->zeroPoint;
  k.zeroPointValue = payload->zeroPointValue;
  if (!constantData(k.weight, /*allowSplat=*/true))
    return std::nullopt;
  setGeometry(k, *dims);
  return k;
}

/// Matches acc + ([tofp(x) - zp | tofp(x)]) * w, with x i8, w and acc f32.
static std::optional<QuantizedPayload>
matchDepthwisePayload(linalg::GenericOp op) {
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  Value acc = body->getArgument(2);
  if (!add || (add.getLhs() != acc && add.getRhs() != acc))
    return std::nullopt;
  auto mul = (add.getLhs() == acc ? add.getRhs() : add.getLhs())
                 .getDefiningOp<arith::MulFOp>();
  if (!mul)
    return std::nullopt;
  Value x = mul.getLhs();
  if (mul.getRhs() != body->getArgument(1))
    return std::nullopt;
  QuantizedPayload p;
  if (auto sub = x.getDefiningOp<arith::SubFOp>()) {
    APFloat zp(0.0f);
    if (!matchPattern(sub.getRhs(), m_ConstantFloat(&zp)) || !zp.isInteger())
      return std::nullopt;
    p.zeroPoint = (int64_t)zp.convertToFloat();
    x = sub.getLhs();
  }
  if (auto c = x.getDefiningOp<arith::UIToFPOp>();
      c && c.getIn() == body->getArgument(0))
    p.isUnsigned = true;
  else if (auto c = x.getDefiningOp<arith::SIToFPOp>();
           !c || c.getIn() != body->getArgument(0))
    return std::nullopt;
  for (Operation &o : body->without_terminator())
    if (!isa<arith::UIToFPOp, arith::SIToFPOp, arith::SubFOp, arith::MulFOp,
             arith::AddFOp, arith::ConstantOp>(o))
      return std::nullopt;
  return p;
}

std::optional<ConvKernel>
dnnc::conv::analyzeQuantizedDepthwise(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics() || op.getNumLoops() != 6 ||
      op.getNumReductionLoops() != 2)
    return std::nullopt;
  auto inT = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto wT = dyn_cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  auto outT = dyn_cast<RankedTensorType>(op.getDpsInits()[0].getType());
  if (!inT || !wT || !outT || inT.getRank() != 4 || wT.getRank() != 3 ||
      outT.getRank() != 4 || !inT.hasStaticShape() || !wT.hasStaticShape() ||
      !outT.hasStaticShape() || !inT.getElementType().isInteger(8) ||
      !wT.getElementType().isF32() || !outT.getElementType().isF32())
    return std::nullopt;
  std::optional<QuantizedPayload> payload = matchDepthwisePayload(op);
  if (!payload)
    return std::nullopt;
  // (n, oh, ow, c, kh, kw) with input (n, oh * sh + kh * dh, ow * sw + kw *
  // dw, c), weight (kh, kw, c) and output (n, oh, ow, c).
  FailureOr<linalg::ConvolutionDimensions> dims =
      linalg::inferConvolutionDims(op);
  if (failed(dims) || dims->batch != SmallVector<unsigned>{0} ||
      dims->outputImage != SmallVector<unsigned>{1, 2} ||
      dims->filterLoop != SmallVector<unsigned>{4, 5} ||
      dims->depth != SmallVector<unsigned>{3} || !dims->inputChannel.empty() ||
      !dims->outputChannel.empty())
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  if (op.getIndexingMapsArray()[1] !=
          AffineMap::get(6, 0, {d(4), d(5), d(3)}, ctx) ||
      op.getIndexingMapsArray()[2] !=
          AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx))
    return std::nullopt;
  ConvKernel k = kernelOf(op);
  k.depthwise = true;
  k.codesInput = true;
  k.signedInput = !payload->isUnsigned;
  k.zeroPoint = payload->zeroPoint;
  setGeometry(k, *dims);
  return k;
}

/// A float attribute (splat or not) of finite values below 1e20 in
/// magnitude.
static bool isModestFloat(Attribute a) {
  auto check = [](const APFloat &v) {
    return v.isFinite() && std::abs(v.convertToDouble()) < 1e20;
  };
  if (auto f = dyn_cast<FloatAttr>(a))
    return check(f.getValue());
  auto d = dyn_cast<DenseFPElementsAttr>(a);
  return d && llvm::all_of(d.getValues<APFloat>(), check);
}

bool dnnc::conv::isFiniteEpilogue(ConvKernel &k) {
  for (EpilogueOp &e : k.epilogue) {
    for (OpOperand *in : e.op.getDpsInputOperands()) {
      if (in->getOperandNumber() == e.chainOperand)
        continue;
      Type et = getElementTypeOrSelf(in->get().getType());
      if (isa<IntegerType>(et))
        continue;
      DenseElementsAttr data = constantData(in->get(), /*allowSplat=*/true);
      if (!data || !isModestFloat(data))
        return false;
    }
    for (Operation &op : e.op.getBody()->without_terminator()) {
      if (auto c = dyn_cast<arith::ConstantOp>(op)) {
        if (isa<FloatType>(c.getType()) && !isModestFloat(c.getValue()))
          return false;
        continue;
      }
      // Values from outside the body: constants only.
      for (Value v : op.getOperands()) {
        if (v.getParentBlock() == e.op.getBody() ||
            isa<IntegerType>(v.getType()))
          continue;
        Attribute a;
        if (!matchPattern(v, m_Constant(&a)) || !isModestFloat(a))
          return false;
      }
    }
  }
  return true;
}

void dnnc::conv::packWeightVnni(OpBuilder &b, ConvKernel &k) {
  DenseElementsAttr data = constantData(k.weight, /*allowSplat=*/true);
  int64_t panel = k.nv * k.lanes;
  int64_t panels = llvm::divideCeil(k.f, panel);
  int64_t quads = llvm::divideCeil(k.c, 4);
  SmallVector<int8_t> w;
  w.reserve(data.getNumElements());
  for (const APInt &v : data.getValues<APInt>())
    w.push_back((int8_t)v.getSExtValue());
  // [panels, KH, KW, quads, panel, 4] and sum(w) per output channel.
  SmallVector<int8_t> out(panels * k.kh * k.kw * quads * panel * 4, 0);
  SmallVector<int32_t> sums(panels * panel, 0);
  for (int64_t y = 0; y < k.kh; ++y)
    for (int64_t x = 0; x < k.kw; ++x)
      for (int64_t c = 0; c < k.c; ++c)
        for (int64_t f = 0; f < k.f; ++f) {
          int8_t v = w[((y * k.kw + x) * k.c + c) * k.f + f];
          int64_t p = f / panel, lane = f % panel;
          out[((((p * k.kh + y) * k.kw + x) * quads + c / 4) * panel + lane) *
                  4 +
              c % 4] = v;
          sums[f] += v;
        }
  // Flipping the top bit of signed codes adds 128 to each. A run-time zero
  // point scales -sum(w) in the kernel.
  int64_t zp = k.zeroPointValue ? 1 : k.zeroPoint + (k.signedInput ? 128 : 0);
  SmallVector<int32_t> correction;
  for (int32_t s : sums)
    correction.push_back((int32_t)(-zp * s));
  Location loc = k.conv.getLoc();
  auto wType = RankedTensorType::get({panels, k.kh, k.kw, quads, panel * 4},
                                     b.getIntegerType(8));
  k.weight = arith::ConstantOp::create(
      b, loc, wType, DenseElementsAttr::get(wType, ArrayRef<int8_t>(out)));
  k.packed = true;
  if (zp) {
    auto cType = RankedTensorType::get({panels * panel}, b.getI32Type());
    k.correction = arith::ConstantOp::create(
        b, loc, cType,
        DenseElementsAttr::get(cType, ArrayRef<int32_t>(correction)));
  }
}

/// The reduction of one MR x NV tile with VNNI dot products: filter rows,
/// filter columns, then the input channels 4 at a time.
SmallVector<Value> Emitter::accumulateVnni(Value n, const TilePixels &px,
                                           Value f0, int64_t nv,
                                           SmallVector<Value> accs) {
  int64_t mr = px.size();
  Type i8 = b.getIntegerType(8), i32 = b.getI32Type();
  auto bytesT = VectorType::get({4 * k.lanes}, i8);
  auto quadT = VectorType::get({4}, i8);
  auto wordT = VectorType::get({1}, i32);
  Value zeroByte = constant(b.getIntegerAttr(i8, 0));
  Value flip = constant(b.getI32IntegerAttr((int32_t)0x80808080u));
  Value panelIdx = arith::DivUIOp::create(b, loc, f0, cst(k.nv * k.lanes));
  // Channels past C (C not a multiple of 4) read as zeros, masked.
  bool wholeQuads = k.c % 4 == 0;
  // One step: acc[i] += sum over t < 4 of zext(x[4i + t]) * sext(w[4i + t]),
  // written in vector ops; dnnc-vnni-dots makes it one vpdpbusd after
  // bufferization.
  auto widedT = VectorType::get({4 * k.lanes}, i32);
  auto groupsT = VectorType::get({k.lanes, 4}, i32);
  ValueRange res = loop(0, k.kh, 1, accs, [&](Value khIv, ValueRange rowAccs) {
    SmallVector<Value> inRows;
    for (int64_t m = 0; m < mr; ++m)
      inRows.push_back(add(mul(px.rows[m], k.sh), mul(khIv, k.dh)));
    ValueRange colRes =
        loop(0, k.kw, 1, rowAccs, [&](Value kwIv, ValueRange colAccs) {
          Value colBase = mul(kwIv, k.dw);
          ValueRange quadRes = loop(
              0, llvm::divideCeil(k.c, 4), 1, colAccs,
              [&](Value q, ValueRange quadAccs) {
                SmallVector<Value> next(quadAccs);
                SmallVector<Value> wv;
                for (int64_t j = 0; j < nv; ++j)
                  wv.push_back(vector::TransferReadOp::create(
                      b, loc, bytesT, weight,
                      ValueRange{panelIdx, khIv, kwIv, q, cst(j * 4 * k.lanes)},
                      zeroByte, ArrayRef<bool>{true}));
                SmallVector<Value> ww;
                for (Value v : wv)
                  ww.push_back(arith::ExtSIOp::create(b, loc, widedT, v));
                Value ch = mul(q, 4);
                for (int64_t m = 0; m < mr; ++m) {
                  Value col = add(mul(px.cols[m], k.sw), colBase);
                  Value x4 = vector::TransferReadOp::create(
                      b, loc, quadT, input, ValueRange{n, inRows[m], col, ch},
                      zeroByte, ArrayRef<bool>{wholeQuads});
                  Value word = vector::ExtractOp::create(
                      b, loc, vector::BitCastOp::create(b, loc, wordT, x4),
                      ArrayRef<int64_t>{0});
                  if (k.signedInput)
                    word = arith::XOrIOp::create(b, loc, word, flip);
                  Value xb = vector::BitCastOp::create(
                      b, loc, bytesT,
                      vector::BroadcastOp::create(b, loc, vecT, word));
                  Value xw = arith::ExtUIOp::create(b, loc, widedT, xb);
                  for (int64_t j = 0; j < nv; ++j) {
                    Value p = arith::MulIOp::create(b, loc, xw, ww[j]);
                    next[m * nv + j] = vector::MultiDimReductionOp::create(
                        b, loc, vector::ShapeCastOp::create(b, loc, groupsT, p),
                        next[m * nv + j], ArrayRef<bool>{false, true},
                        vector::CombiningKind::ADD);
                  }
                }
                return next;
              });
          return SmallVector<Value>(quadRes);
        });
    return SmallVector<Value>(colRes);
  });
  return SmallVector<Value>(res);
}
