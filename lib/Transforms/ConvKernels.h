//===- ConvKernels.h - dnnc-conv-kernels' description and emitter -*- C++
//-*-===//
//
// Internal to dnnc-conv-kernels: what the pass knows about one convolution
// (geometry, register tile, the chain of elementwise consumers it applies
// before the store) and the emitter that writes its loops of vector code.
// ConvKernels.cpp holds the direct (register-blocked) kernels,
// WinogradConv.cpp the Winograd F(4x4, 3x3) path.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_LIB_TRANSFORMS_CONVKERNELS_H
#define DNNC_LIB_TRANSFORMS_CONVKERNELS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace dnnc::conv {

/// The widest vector: 16 f32 lanes (one AVX-512 register).
inline constexpr int64_t kLanes = 16;

/// An elementwise linalg.generic applied to the convolution's result.
struct EpilogueOp {
  mlir::linalg::GenericOp op;
  unsigned chainOperand; // the input that carries the previous result
};

/// Everything the emitter needs about one convolution.
struct ConvKernel {
  mlir::linalg::LinalgOp conv;
  bool depthwise = false;
  // The channels-last operands: input [N, IH, IW, C], weight [KH, KW, C/G, F]
  // (depthwise [KH, KW, C]) and init [N, OH, OW, F]; and the value that
  // holds the result in that layout.
  mlir::Value input, weight, init, result;
  // Output geometry: [N, rows, cols, F].
  int64_t n = 0, rows = 0, cols = 0, f = 0;
  // Filter and input; c counts the input channels of one group.
  int64_t c = 0, kh = 0, kw = 0, sh = 1, sw = 1, dh = 1, dw = 1;
  // Groups and output channels per group (F when ungrouped).
  int64_t groups = 1, fg = 0;
  // Register tile: MR pixels by NV vectors of `lanes` channels.
  int64_t mr = 0, nv = 0, lanes = kLanes;
  // Tiles run over the pixels in row-major order, across rows, instead of
  // along one row: rows at most half a tile long (7x7 images).
  bool flat = false;
  // Set when the (constant) weight was packed into panels of NV x lanes
  // output channels: [ceil(F / panel), KH, KW, C/G, panel]. When the weight
  // was one slice of a constant batch (a batch matmul's loop), all slices
  // are packed, slice after slice, and `weightSlice` says which to read.
  bool packed = false;
  mlir::Value weightSlice;
  int64_t panelsPerSlice = 0;
  llvm::SmallVector<EpilogueOp> epilogue;
  // An 8-bit convolution (QuantizedConvKernels.cpp): i32 accumulators fed by
  // VNNI dot products of 4 input bytes (unsigned; signed codes get their top
  // bit flipped) and the packed weight [panels, KH, KW, C/4, panel x 4]
  // (`packed` is set). `correction` [panels x panel] i32 is added to the
  // accumulators' start: -zp * sum(w) per output channel.
  bool vnni = false;
  bool signedInput = false;
  int64_t zeroPoint = 0;
  /// A zero point known at run time (i32 scalar): `correction` then holds
  /// -sum(w), scaled by it (plus 128 for signed codes) per tile.
  mlir::Value zeroPointValue;
  mlir::Value correction;
  // A depthwise convolution of 8-bit codes (dnn.qdepthwise_conv2d_nhwc):
  // the input holds i8 codes (signedInput, zeroPoint as above), widened to
  // f32 (x - zp) in registers, each input vector once per filter row.
  bool codesInput = false;
  // Set when no float value of the epilogue can be NaN (isFiniteEpilogue).
  bool finiteEpilogue = false;
};

/// True when the epilogue of an 8-bit convolution computes on finite values
/// only: it starts from the i32 sums, and every other operand is an integer
/// tensor or a float constant of magnitude below 1e20 (scales, biases,
/// bounds), so no product or sum can reach infinity, and no NaN can arise.
bool isFiniteEpilogue(ConvKernel &k);

/// The geometry of the 8-bit convolution `op` (the linalg.generic that
/// dnn.qconv2d_nhwc lowers to) with its register tile; nullopt when `op`
/// does not have that form or its weight is not constant.
std::optional<ConvKernel> analyzeQuantized(mlir::linalg::GenericOp op);

/// The geometry of the depthwise convolution of 8-bit codes `op` (the
/// linalg.generic that dnn.qdepthwise_conv2d_nhwc lowers to); nullopt when
/// `op` does not have that form.
std::optional<ConvKernel> analyzeQuantizedDepthwise(mlir::linalg::GenericOp op);

/// Lowers the weight-only quantized matmul generic (WeightQuantKernels.cpp);
/// false when `op` is not one or its weights are not constant.
bool lowerWeightQuantMatmul(mlir::linalg::GenericOp op);

/// Packs the 8-bit weight into VNNI panels and builds the correction.
void packWeightVnni(mlir::OpBuilder &b, ConvKernel &k);

/// MR and NV for `k`'s geometry (k.cols, k.f, k.depthwise, k.groups set).
void chooseTile(ConvKernel &k);

/// The constant data behind `v`, looking through reshapes (which keep the
/// row-major order of the elements); null when `v` is not a constant, or is
/// a splat and `allowSplat` is not set.
mlir::DenseElementsAttr constantData(mlir::Value v, bool allowSplat = false);

/// True when the Winograd path computes `k` in fewer cycles than the direct
/// kernel: an ungrouped 3x3 stride-1 convolution with constant weights and
/// enough channels and pixels to amortize the transforms.
bool prefersWinograd(const ConvKernel &k);

/// The output pixels of one register tile: the row and column of each.
struct TilePixels {
  llvm::SmallVector<mlir::Value> rows, cols;
  int64_t size() const { return rows.size(); }
};

/// The emitter: one instance per convolution.
class Emitter {
public:
  Emitter(mlir::OpBuilder &b, mlir::Location loc, ConvKernel &k);

  /// The direct kernel: register tiles over the whole reduction.
  mlir::Value emit();
  /// The Winograd F(4x4, 3x3) form (WinogradConv.cpp): input transform,
  /// 36 matmuls (a batch matmul, lowered later by this pass), output
  /// transform with the init and the epilogue applied before the store.
  mlir::Value emitWinograd();

private:
  mlir::OpBuilder &b;
  mlir::Location loc;
  ConvKernel &k;
  mlir::VectorType vecT;
  // The padded input [N, IH, IW, C] and the weights [KH, KW, C, F]
  // (packed: [F / panel, KH, KW, C, panel]) or, depthwise, [KH, KW, C].
  mlir::Value input, weight;
  // Accumulator start: a splat, a per-channel vector or a tensor.
  mlir::Value initScalar, initVector, initTensor;
  // Where the result goes when the start is read at its source: the init of
  // that fill or broadcast (a tensor.empty, or the interior of a padded
  // tensor that dnnc-fuse-pads set up), when it has the output's type.
  mlir::Value initDest;
  /// scf.for from lb to ub carrying `inits`; `fn(iv, args)` builds the body
  /// with `b` inside it and returns the values to yield.
  template <typename Fn>
  mlir::ValueRange loop(int64_t lb, int64_t ub, int64_t step,
                        mlir::ValueRange inits, Fn fn) {
    auto f =
        mlir::scf::ForOp::create(b, loc, cst(lb), cst(ub), cst(step), inits);
    mlir::OpBuilder::InsertionGuard g(b);
    mlir::Block *body = f.getBody();
    if (!body->empty())
      body->getTerminator()->erase();
    b.setInsertionPointToEnd(body);
    llvm::SmallVector<mlir::Value> res =
        fn(f.getInductionVar(), f.getRegionIterArgs());
    mlir::scf::YieldOp::create(b, loc, res);
    return f.getResults();
  }
  // Constants, created once each at the start of the block the kernel is
  // emitted in.
  mlir::Block *constantBlock;
  llvm::DenseMap<mlir::Attribute, mlir::Value> constants;
  mlir::Value constant(mlir::TypedAttr value);
  mlir::Value cst(int64_t v) { return constant(b.getIndexAttr(v)); }
  mlir::Value add(mlir::Value x, mlir::Value y) {
    return mlir::arith::AddIOp::create(b, loc, x, y);
  }
  mlir::Value mul(mlir::Value x, int64_t y) {
    if (y == 1)
      return x;
    return mlir::arith::MulIOp::create(b, loc, x, cst(y));
  }
  /// True when an enclosing loop already runs in parallel (nested parallel
  /// regions would run sequentially, each paying a fork).
  bool insideParallelLoop();
  /// Where the result is written: the last epilogue op's init, else the
  /// conv's (unless its start is read at the source).
  mlir::Value destination();

  void prepareInit();
  mlir::Value readInit(mlir::Value n, mlir::Value r, mlir::Value m,
                       mlir::Value f, bool inBounds);
  llvm::SmallVector<mlir::Value>
  accumulateVnni(mlir::Value n, const TilePixels &px, mlir::Value f0,
                 int64_t nv, llvm::SmallVector<mlir::Value> accs);
  llvm::SmallVector<mlir::Value>
  accumulate(mlir::Value n, const TilePixels &px, mlir::Value f0, int64_t nv,
             int64_t fLimit, llvm::SmallVector<mlir::Value> accs);
  mlir::Value applyEpilogue(mlir::Value acc, mlir::Value n, mlir::Value r,
                            mlir::Value m, mlir::Value f, bool inBounds);
  mlir::Value tile(mlir::Value out, mlir::Value n, const TilePixels &px,
                   mlir::Value f0, int64_t nv, int64_t fLimit);
  /// The pixels m0.. m0 + mr - 1 of row r.
  TilePixels rowPixels(mlir::Value r, mlir::Value m0, int64_t mr);
  /// The pixels p0.. p0 + count - 1 in row-major order.
  TilePixels flatPixels(mlir::Value p0, int64_t count);
  /// The tiles of unit i of a channel panel: output row i, or (flat) the
  /// i-th run of MR pixels.
  mlir::Value unitOfTiles(mlir::Value out, mlir::Value n, mlir::Value i,
                          mlir::Value f0, int64_t nv, int64_t fLimit);
  int64_t unitsPerPanel() const;

  // Winograd (WinogradConv.cpp).
  template <typename Fn>
  mlir::Value forEachTile(mlir::Value init, bool parallel, Fn body);
  template <typename Fn>
  mlir::Value forEachChunk(mlir::Value init, int64_t channels, Fn chunk);
  llvm::SmallVector<mlir::Value> tilePixels(mlir::Value tileIdx, int64_t count);
  mlir::Value inputTransform();
  mlir::Value outputTransform(mlir::Value m, mlir::Value dest);
};

} // namespace dnnc::conv

#endif // DNNC_LIB_TRANSFORMS_CONVKERNELS_H
