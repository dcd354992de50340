//===- Pooling.cpp - Pooling ops -> linalg pooling named ops --------------===//
//
// MaxPool and AveragePool pad their input (-inf / 0) and combine its KH*KW
// shifted, strided windows with one elementwise op (linalg's NCHW pooling
// ops for larger windows); ceil_mode windows that run past the end padding get extra
// padding that never wins (max) or is not counted (average). Average pooling
// without count_include_pad divides by a compile-time tensor of window
// counts. Global pools are reductions over the spatial dims.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::dnn;

namespace {
template <typename PoolOp>
struct PoolLowering : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  static constexpr bool isMax = std::is_same_v<PoolOp, MaxPoolOp>;

  LogicalResult matchAndRewrite(PoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    auto resT = cast<RankedTensorType>(op.getType());
    if (!inT.hasStaticShape() || !resT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Type et = inT.getElementType();
    if (!isa<FloatType>(et) && !isMax)
      return rewriter.notifyMatchFailure(op, "integer average pooling");
    int64_t nsp = inT.getRank() - 2;
    if (nsp != 1 && nsp != 2)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D pooling");
    SmallVector<int64_t> k(op.getKernelShape()), s(op.getStrides()),
        d(op.getDilations()), lo(op.getPads().take_front(nsp)),
        hi(op.getPads().drop_front(nsp));
    SmallVector<int64_t> inShape(inT.getShape()), outShape(resT.getShape());
    Value input = op.getInput();
    if (nsp == 1) {
      k.insert(k.begin(), 1);
      s.insert(s.begin(), 1);
      d.insert(d.begin(), 1);
      lo.insert(lo.begin(), 0);
      hi.insert(hi.begin(), 0);
      inShape.insert(inShape.begin() + 2, 1);
      outShape.insert(outShape.begin() + 2, 1);
      input = buildReshape(rewriter, loc, input,
                           RankedTensorType::get(inShape, et));
    }
    // Extra end padding so every (ceil-mode) window fits.
    SmallVector<int64_t> extra(2, 0), padded(inShape);
    for (int i = 0; i < 2; ++i) {
      int64_t need = (outShape[2 + i] - 1) * s[i] + (k[i] - 1) * d[i] + 1;
      int64_t have = inShape[2 + i] + lo[i] + hi[i];
      extra[i] = std::max<int64_t>(0, need - have);
      padded[2 + i] = have + extra[i];
    }
    bool anyPad = false;
    for (int i = 0; i < 2; ++i)
      anyPad |= lo[i] || hi[i] || extra[i];
    if (anyPad) {
      SmallVector<OpFoldResult> l = {rewriter.getIndexAttr(0),
                                     rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> h(l);
      for (int i = 0; i < 2; ++i) {
        l.push_back(rewriter.getIndexAttr(lo[i]));
        h.push_back(rewriter.getIndexAttr(hi[i] + extra[i]));
      }
      Value padVal = arith::ConstantOp::create(
          rewriter, loc,
          isMax ? lowestValue(et)
                : cast<TypedAttr>(rewriter.getZeroAttr(et)));
      input = tensor::PadOp::create(rewriter, loc,
                                    RankedTensorType::get(padded, et), input, l,
                                    h, padVal);
    }
    auto out4 = RankedTensorType::get(outShape, et);
    Value window = tensor::EmptyOp::create(rewriter, loc, ArrayRef(k).take_front(2), et);
    auto sAttr = rewriter.getI64TensorAttr(ArrayRef(s).take_front(2));
    auto dAttr = rewriter.getI64TensorAttr(ArrayRef(d).take_front(2));
    Value result;
    bool windows = k[0] * k[1] <= 64;
    SmallVector<Value> slices;
    if (windows)
      slices = buildWindowSlices(rewriter, loc, input, outShape,
                                 ArrayRef(k).take_front(2),
                                 ArrayRef(s).take_front(2),
                                 ArrayRef(d).take_front(2));
    if constexpr (isMax) {
      if (windows) {
        // Max over the shifted windows: one vectorizable elementwise op.
        bool f = isa<FloatType>(et);
        result = buildElementwise(
            rewriter, loc, out4, slices,
            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
              Value m = a[0];
              for (Value v : a.drop_front())
                m = f ? (Value)arith::MaximumFOp::create(b, l, m, v)
                      : arith::MaxSIOp::create(b, l, m, v);
              return m;
            });
        rewriter.replaceOp(op, buildReshape(rewriter, loc, result, resT));
        return success();
      }
      Value init = buildFilled(rewriter, loc, out4, lowestValue(et));
      result = linalg::PoolingNchwMaxOp::create(
                   rewriter, loc, TypeRange{out4}, ValueRange{input, window},
                   ValueRange{init}, sAttr, dAttr)
                   .getResult(0);
    } else {
      Value sum;
      if (windows) {
        sum = buildElementwise(
            rewriter, loc, out4, slices,
            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
              Value acc = a[0];
              for (Value v : a.drop_front())
                acc = arith::AddFOp::create(b, l, acc, v);
              return acc;
            });
      } else {
        Value init = buildFilled(rewriter, loc, out4,
                                 cast<TypedAttr>(rewriter.getZeroAttr(et)));
        sum = linalg::PoolingNchwSumOp::create(
                  rewriter, loc, TypeRange{out4}, ValueRange{input, window},
                  ValueRange{init}, sAttr, dAttr)
                  .getResult(0);
      }
      // Window element counts, computed at compile time.
      int64_t oh = outShape[2], ow = outShape[3];
      SmallVector<float> counts(oh * ow);
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          int64_t n[2];
          int64_t pos[2] = {y, x};
          for (int i = 0; i < 2; ++i) {
            int64_t lim = op.getCountIncludePad()
                              ? inShape[2 + i] + lo[i] + hi[i]
                              : inShape[2 + i] + lo[i];
            int64_t start = op.getCountIncludePad() ? 0 : lo[i];
            n[i] = 0;
            for (int64_t t = 0; t < k[i]; ++t) {
              int64_t p = pos[i] * s[i] + t * d[i];
              n[i] += p >= start && p < lim;
            }
          }
          counts[y * ow + x] = (float)(n[0] * n[1]);
        }
      auto cT = RankedTensorType::get({oh, ow}, rewriter.getF32Type());
      Value cnt = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(cT, ArrayRef<float>(counts)));
      result = buildElementwise(
          rewriter, loc, out4, {sum, cnt},
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value c = a[1];
            if (c.getType() != et)
              c = et.getIntOrFloatBitWidth() > 32
                      ? (Value)arith::ExtFOp::create(b, l, et, c)
                      : arith::TruncFOp::create(b, l, et, c);
            return arith::DivFOp::create(b, l, a[0], c);
          });
    }
    rewriter.replaceOp(op, buildReshape(rewriter, loc, result, resT));
    return success();
  }
};

template <typename GlobalOp>
struct GlobalPoolLowering : OpRewritePattern<GlobalOp> {
  using OpRewritePattern<GlobalOp>::OpRewritePattern;
  static constexpr bool isMax = std::is_same_v<GlobalOp, GlobalMaxPoolOp>;
  LogicalResult matchAndRewrite(GlobalOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inT = cast<RankedTensorType>(op.getInput().getType());
    if (!inT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Type et = inT.getElementType();
    if (!isa<FloatType>(et))
      return rewriter.notifyMatchFailure(op, "integer global pooling");
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t i = 2; i < inT.getRank(); ++i) {
      axes.push_back(i);
      count *= inT.getDimSize(i);
    }
    Value r;
    if constexpr (isMax) {
      r = buildReduction(rewriter, loc, op.getInput(), axes, lowestValue(et),
                         [](OpBuilder &b, Location l, Value acc, Value x) {
                           return arith::MaximumFOp::create(b, l, acc, x);
                         });
    } else {
      r = buildReduction(rewriter, loc, op.getInput(), axes,
                         cast<TypedAttr>(rewriter.getZeroAttr(et)),
                         [](OpBuilder &b, Location l, Value acc, Value x) {
                           return arith::AddFOp::create(b, l, acc, x);
                         });
      auto rt = cast<RankedTensorType>(r.getType());
      r = buildElementwise(rewriter, loc, rt, r,
                           [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                             return arith::DivFOp::create(
                                 b, l, a[0], scalarConst(b, l, et, count));
                           });
    }
    rewriter.replaceOp(op, buildReshape(rewriter, loc, r,
                                        cast<RankedTensorType>(op.getType())));
    return success();
  }
};
} // namespace

void dnnc::populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<PoolLowering<MaxPoolOp>, PoolLowering<AveragePoolOp>,
               GlobalPoolLowering<GlobalAveragePoolOp>,
               GlobalPoolLowering<GlobalMaxPoolOp>>(patterns.getContext());
}
