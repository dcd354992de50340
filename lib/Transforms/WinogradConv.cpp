//===- WinogradConv.cpp - 3x3 convolutions in the Winograd F(4x4,3x3) form ===//
//
// A 3x3 stride-1 convolution computes each 4x4 tile of output pixels from a
// 6x6 tile of input pixels. In the Winograd form (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016)
//
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
//
// the 36 elementwise products over the input channels are 36 matrix
// products [tiles, C] x [C, F]: 36 x C x F multiplications per tile instead
// of 16 x 9 x C x F, 4x fewer. Here:
//   - the filter transform U = G g G^T is done at compile time, [36, C, F];
//   - the input transform V = B^T d B is vector code over 16 channels at a
//     time, [36, tiles, C] (tiles of all images, row-major);
//   - the 36 products are one linalg.batch_matmul, which dnnc-conv-kernels
//     then lowers as a loop of matmuls on its register-blocked kernel, the
//     transformed weights packed into its panels;
//   - the output transform A^T M A adds the convolution's init (the bias)
//     and applies the epilogue (residual add, activation) before its store.
// Tiles that overhang the output (rows or columns not a multiple of 4) read
// zeros for the missing input pixels and store only their valid pixels.
//
// The transforms use the points 0, +-1, +-2 of the paper; in float the
// results differ from the direct convolution's by rounding only (about
// 1e-6 relative for unit-scale data).
//
//===----------------------------------------------------------------------===//
#include "ConvKernels.h"
#include "dnnc/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include <functional>

using namespace mlir;
using namespace dnnc::conv;

/// Output pixels per tile side, and input pixels per tile side.
static constexpr int64_t kTile = 4, kAlpha = 6;

/// G: the filter transform, [alpha, 3].
static constexpr double kG[kAlpha][3] = {{1.0 / 4, 0, 0},
                                         {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                         {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                         {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                         {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                         {0, 0, 1}};

/// The constant f32 weight [3, 3, C, F] behind `v`, a splat too; null if
/// it is not a constant.
static DenseElementsAttr weightData(Value v) {
  DenseElementsAttr attr = constantData(v, /*allowSplat=*/true);
  return attr && attr.getElementType().isF32() ? attr : nullptr;
}

bool dnnc::conv::prefersWinograd(const ConvKernel &k) {
  if (k.depthwise || k.groups != 1 || k.kh != 3 || k.kw != 3 || k.sh != 1 ||
      k.sw != 1 || k.dh != 1 || k.dw != 1)
    return false;
  if (!weightData(k.weight))
    return false;
  // The transforms cost about as much per channel as one matmul step per
  // channel pair: too few channels leave the products too short. Images
  // smaller than 8x8 pixels lose too much to overhanging tiles, and the
  // transformed weights (4x the direct ones) must stay cache-sized.
  int64_t weightBytes = kAlpha * kAlpha * k.c * k.f * 4;
  return k.c >= 16 && k.f >= 16 && k.rows >= 8 && k.cols >= 8 &&
         weightBytes <= (16 << 20);
}

/// U = G g G^T for every (input, output) channel pair: [36, C, F] from the
/// [3, 3, C, F] weight, computed in double.
static DenseElementsAttr filterTransform(DenseElementsAttr w, int64_t c,
                                         int64_t f, Type f32) {
  SmallVector<float> g(w.getValues<float>());
  int64_t cf = c * f;
  SmallVector<float> u(kAlpha * kAlpha * cf);
  for (int64_t e = 0; e < cf; ++e) {
    double tmp[kAlpha][3]; // G g
    for (int64_t a = 0; a < kAlpha; ++a)
      for (int64_t j = 0; j < 3; ++j) {
        double s = 0;
        for (int64_t i = 0; i < 3; ++i)
          s += kG[a][i] * g[(i * 3 + j) * cf + e];
        tmp[a][j] = s;
      }
    for (int64_t a = 0; a < kAlpha; ++a)
      for (int64_t bb = 0; bb < kAlpha; ++bb) {
        double s = 0;
        for (int64_t j = 0; j < 3; ++j)
          s += tmp[a][j] * kG[bb][j];
        u[(a * kAlpha + bb) * cf + e] = static_cast<float>(s);
      }
  }
  auto type = RankedTensorType::get({kAlpha * kAlpha, c, f}, f32);
  return DenseElementsAttr::get(type, ArrayRef<float>(u));
}

namespace {
/// Vector arithmetic of the transforms, with constants as splats.
struct VecMath {
  OpBuilder &b;
  Location loc;
  VectorType t;
  std::function<Value(TypedAttr)> constant;
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value splat(double c) {
    return constant(DenseElementsAttr::get(t, static_cast<float>(c)));
  }
  /// x * c + y.
  Value fma(Value x, double c, Value y) {
    return vector::FMAOp::create(b, loc, x, splat(c), y);
  }

  /// B^T d for one column d[0..5] of an input tile.
  SmallVector<Value> inputRows(ArrayRef<Value> d) {
    Value d12 = add(d[1], d[2]), d34 = add(d[3], d[4]);
    Value d1m2 = sub(d[1], d[2]), d4m3 = sub(d[4], d[3]);
    Value d1m3 = sub(d[1], d[3]), d4m2 = sub(d[4], d[2]);
    return {fma(d[0], 4, fma(d[2], -5, d[4])),
            fma(d12, -4, d34),
            fma(d1m2, 4, d4m3),
            fma(d1m3, -2, d4m2),
            fma(d1m3, 2, d4m2),
            fma(d[1], 4, fma(d[3], -5, d[5]))};
  }

  /// A^T m for one column m[0..5] of a product tile.
  SmallVector<Value> outputRows(ArrayRef<Value> m) {
    Value s12 = add(m[1], m[2]), s34 = add(m[3], m[4]);
    Value d12 = sub(m[1], m[2]), d34 = sub(m[3], m[4]);
    return {add(add(m[0], s12), s34), fma(d34, 2, d12), fma(s34, 4, s12),
            add(fma(d34, 8, d12), m[5])};
  }
};
} // namespace

/// The separable 2-D transform T X T^T of a 6x6 tile, T with `outN` rows:
/// `at(i, j)` gives X[i][j] and `rows(x)` applies T to a column x of 6
/// values. Returns the outN x outN result, row-major.
template <typename At, typename Rows>
static SmallVector<Value> transform2D(int64_t outN, At at, Rows rows) {
  SmallVector<Value> tmp(outN * kAlpha); // T X, row-major
  for (int64_t j = 0; j < kAlpha; ++j) {
    SmallVector<Value> col;
    for (int64_t i = 0; i < kAlpha; ++i)
      col.push_back(at(i, j));
    SmallVector<Value> t = rows(ArrayRef<Value>(col));
    for (int64_t a = 0; a < outN; ++a)
      tmp[a * kAlpha + j] = t[a];
  }
  SmallVector<Value> out;
  for (int64_t a = 0; a < outN; ++a)
    llvm::append_range(out,
                       rows(ArrayRef<Value>(tmp).slice(a * kAlpha, kAlpha)));
  return out;
}

/// The number of 4x4 tiles of all images.
static int64_t numTiles(const ConvKernel &k) {
  return k.n * llvm::divideCeil(k.rows, kTile) *
         llvm::divideCeil(k.cols, kTile);
}

/// Calls `body(acc, n, t, th, tw, rows, cols)` for every tile (th, tw) of
/// every image, t its index among all tiles (row-major), where rows x cols
/// (4 x 4 but at the bottom and right edges) are its output pixels inside
/// the image; threads `init` through. The loop over the full tile rows is
/// marked parallel when `parallel`.
template <typename Fn>
Value Emitter::forEachTile(Value init, bool parallel, Fn body) {
  int64_t fullH = k.rows / kTile, restH = k.rows % kTile;
  int64_t fullW = k.cols / kTile, restW = k.cols % kTile;
  int64_t tilesH = llvm::divideCeil(k.rows, kTile);
  int64_t tilesW = llvm::divideCeil(k.cols, kTile);
  auto call = [&](Value acc, Value n, Value th, Value tw, int64_t rows,
                  int64_t cols) {
    Value t = add(mul(add(mul(n, tilesH), th), tilesW), tw);
    return body(acc, n, t, th, tw, rows, cols);
  };
  auto rowOfTiles = [&](Value acc, Value n, Value th, int64_t rows) {
    if (fullW)
      acc = loop(0, fullW, 1, acc, [&](Value tw, ValueRange a) {
        return SmallVector<Value>{call(a[0], n, th, tw, rows, kTile)};
      })[0];
    if (restW)
      acc = call(acc, n, th, cst(fullW), rows, restW);
    return acc;
  };
  return loop(0, k.n, 1, init, [&](Value n, ValueRange nArgs) {
    Value acc = nArgs[0];
    if (fullH) {
      acc = loop(0, fullH, 1, acc, [&](Value th, ValueRange a) {
        return SmallVector<Value>{rowOfTiles(a[0], n, th, kTile)};
      })[0];
      if (parallel && fullH > 1)
        acc.getDefiningOp()->setAttr(dnnc::kParallelAttr, b.getUnitAttr());
    }
    if (restH)
      acc = rowOfTiles(acc, n, cst(fullH), restH);
    return SmallVector<Value>{acc};
  })[0];
}

/// Calls `chunk(acc, ch, inBounds)` for the channels in vectors of `lanes`,
/// a loop over the full vectors and a partial one for the rest; threads
/// `init` through.
template <typename Fn>
Value Emitter::forEachChunk(Value init, int64_t channels, Fn chunk) {
  int64_t full = channels / k.lanes * k.lanes;
  Value acc = init;
  if (full)
    acc = loop(0, full, k.lanes, acc, [&](Value ch, ValueRange a) {
      return SmallVector<Value>{chunk(a[0], ch, true)};
    })[0];
  if (full < channels)
    acc = chunk(acc, cst(full), false);
  return acc;
}

/// The first `count` pixel rows (or columns) of tile row (column) `tileIdx`.
SmallVector<Value> Emitter::tilePixels(Value tileIdx, int64_t count) {
  SmallVector<Value> at;
  for (int64_t i = 0; i < count; ++i)
    at.push_back(add(mul(tileIdx, kTile), cst(i)));
  return at;
}

/// V = B^T d B for every tile and 16 channels at a time: [36, tiles, C].
Value Emitter::inputTransform() {
  int64_t tiles = numTiles(k);
  Value v = tensor::EmptyOp::create(b, loc, {kAlpha * kAlpha, tiles, k.c},
                                    b.getF32Type());
  Value zero = constant(b.getF32FloatAttr(0));
  Value zeroVec = constant(DenseElementsAttr::get(vecT, 0.0f));
  VecMath vm{b, loc, vecT, [&](TypedAttr a) { return constant(a); }};
  bool parallel =
      !insideParallelLoop() && tiles * k.c * 150 >= dnnc::kMinParallelWork;
  return forEachTile(
      v, parallel,
      [&](Value acc, Value n, Value t, Value th, Value tw, int64_t rows,
          int64_t cols) {
        SmallVector<Value> rowAt = tilePixels(th, kAlpha);
        SmallVector<Value> colAt = tilePixels(tw, kAlpha);
        auto chunk = [&](Value cur, Value ch, bool inBounds) {
          // Input pixels that feed a valid output pixel; the rest read as 0.
          auto at = [&](int64_t i, int64_t j) -> Value {
            if (i >= rows + 2 || j >= cols + 2)
              return zeroVec;
            return vector::TransferReadOp::create(
                b, loc, vecT, k.input, ValueRange{n, rowAt[i], colAt[j], ch},
                zero, ArrayRef<bool>{inBounds});
          };
          SmallVector<Value> out = transform2D(
              kAlpha, at, [&](ArrayRef<Value> x) { return vm.inputRows(x); });
          for (auto [p, val] : llvm::enumerate(out))
            cur = vector::TransferWriteOp::create(b, loc, val, cur,
                                                  ValueRange{cst(p), t, ch},
                                                  ArrayRef<bool>{inBounds})
                      .getResult();
          return cur;
        };
        return forEachChunk(acc, k.c, chunk);
      });
}

/// Y = A^T M A for every tile and 16 channels at a time, plus the init, the
/// epilogue applied, the pixels inside the image stored into `dest`.
Value Emitter::outputTransform(Value m, Value dest) {
  Value zero = constant(b.getF32FloatAttr(0));
  VecMath vm{b, loc, vecT, [&](TypedAttr a) { return constant(a); }};
  // A zero fill adds nothing.
  bool addInit = !(initScalar && matchPattern(initScalar, m_AnyZeroFloat()));
  bool parallel = !insideParallelLoop() &&
                  numTiles(k) * k.f * 150 >= dnnc::kMinParallelWork;
  return forEachTile(
      dest, parallel,
      [&](Value acc, Value n, Value t, Value th, Value tw, int64_t rows,
          int64_t cols) {
        SmallVector<Value> rowAt = tilePixels(th, kTile);
        SmallVector<Value> colAt = tilePixels(tw, kTile);
        auto chunk = [&](Value cur, Value ch, bool inBounds) {
          auto at = [&](int64_t i, int64_t j) -> Value {
            return vector::TransferReadOp::create(
                b, loc, vecT, m, ValueRange{cst(i * kAlpha + j), t, ch}, zero,
                ArrayRef<bool>{inBounds});
          };
          SmallVector<Value> y = transform2D(
              kTile, at, [&](ArrayRef<Value> x) { return vm.outputRows(x); });
          // Only the pixels inside the image (the rest of y folds away).
          for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j) {
              Value val = y[i * kTile + j];
              if (addInit)
                val =
                    vm.add(val, readInit(n, rowAt[i], colAt[j], ch, inBounds));
              val = applyEpilogue(val, n, rowAt[i], colAt[j], ch, inBounds);
              cur = vector::TransferWriteOp::create(
                        b, loc, val, cur, ValueRange{n, rowAt[i], colAt[j], ch},
                        ArrayRef<bool>{inBounds})
                        .getResult();
            }
          return cur;
        };
        return forEachChunk(acc, k.f, chunk);
      });
}

Value Emitter::emitWinograd() {
  prepareInit();
  Value dest = destination();
  Type f32 = b.getF32Type();
  int64_t tiles = numTiles(k);
  Value v = inputTransform();
  Value u = arith::ConstantOp::create(
      b, loc, filterTransform(weightData(k.weight), k.c, k.f, f32));
  Value zero = constant(b.getF32FloatAttr(0));
  Value mInit =
      linalg::FillOp::create(b, loc, zero,
                             ValueRange{tensor::EmptyOp::create(
                                 b, loc, {kAlpha * kAlpha, tiles, k.f}, f32)})
          .getResult(0);
  Value m = linalg::BatchMatmulOp::create(b, loc, TypeRange{mInit.getType()},
                                          ValueRange{v, u}, ValueRange{mInit})
                .getResult(0);
  return outputTransform(m, dest);
}
