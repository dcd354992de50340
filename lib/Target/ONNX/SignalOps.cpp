//===- SignalOps.cpp - ONNX signal-processing ops as compositions
//----------===//
//
// DFT with a static signal length is a product with constant cosine and sine
// matrices along the signal axis (O(N^2) per transform: the test and model
// sizes are small, and the matmul runs on the vectorized kernels). The window
// functions (HannWindow, ...) come from their ONNX function bodies.
//
//===----------------------------------------------------------------------===//
#include "Composition.h"
#include "onnx/onnx_pb.h"
#include <cmath>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {
/// The [n, k] matrices cos(2 pi k n / len) * scale and sin(...) * scale for
/// n < min(n, len) (zero rows beyond: truncation; fewer rows: zero padding).
std::pair<Value, Value> dftMatrices(NodeImporter &n, Type et, int64_t rows,
                                    int64_t len, int64_t bins, double scale) {
  SmallVector<Attribute> c, s;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t k = 0; k < bins; ++k) {
      // Reduce k*i mod len first: exact angles for long transforms.
      double a = 2 * M_PI * (double)((k * i) % len) / (double)len;
      bool in = i < len;
      c.push_back(n.b.getFloatAttr(et, in ? std::cos(a) * scale : 0));
      s.push_back(n.b.getFloatAttr(et, in ? std::sin(a) * scale : 0));
    }
  auto t = RankedTensorType::get({rows, bins}, et);
  return {n.constant(DenseElementsAttr::get(t, c)),
          n.constant(DenseElementsAttr::get(t, s))};
}

LogicalResult importDFT(NodeImporter &n) {
  auto in = n.inputType(0);
  Type et = in.getElementType();
  int64_t rank = in.getRank();
  if (!isa<FloatType>(et))
    return n.fail("non-float input");
  if (rank < 3 ||
      (in.getDimSize(rank - 1) != 1 && in.getDimSize(rank - 1) != 2))
    return n.fail("expected a [batch, signal..., 1 or 2] input");
  int64_t axis = n.attrInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 1 || axis > rank - 2)
    return n.fail("axis must be a signal dim");
  int64_t rows = in.getDimSize(axis);
  if (ShapedType::isDynamic(rows))
    return n.fail("a run-time signal length is not supported");
  int64_t len = rows;
  if (n.hasInput(1)) {
    auto l = n.constInts(1);
    if (!l || l->size() != 1)
      return n.fail("a non-constant dft_length is not supported");
    len = (*l)[0];
    if (len < 1)
      return n.fail("dft_length must be positive");
  }
  bool inverse = n.attrInt("inverse", 0), onesided = n.attrInt("onesided", 0);
  bool complexIn = in.getDimSize(rank - 1) == 2;
  int64_t bins = onesided ? len / 2 + 1 : len;
  auto [cm, sm] = dftMatrices(n, et, rows, len, bins, inverse ? 1.0 / len : 1);

  // The real and imaginary parts, signal axis last: [..., rows].
  SmallVector<int64_t> perm, inv(rank - 1), shape;
  for (int64_t i = 0; i < rank - 1; ++i)
    if (i != axis)
      perm.push_back(i);
  perm.push_back(axis);
  for (int64_t i = 0; i < rank - 1; ++i) {
    inv[perm[i]] = i;
    shape.push_back(in.getDimSize(perm[i]));
  }
  auto part = [&](int64_t c) -> Value {
    SmallVector<int64_t> ps(in.getShape()), starts(rank, 0), steps(rank, 1);
    ps[rank - 1] = 1;
    starts[rank - 1] = c;
    Value v = n.create<dnn::SliceOp>(RankedTensorType::get(ps, et), n.input(0),
                                     n.b.getDenseI64ArrayAttr(starts),
                                     n.b.getDenseI64ArrayAttr(steps));
    v = n.create<dnn::ReshapeOp>(
        RankedTensorType::get(in.getShape().drop_back(), et), v);
    return n.create<dnn::TransposeOp>(RankedTensorType::get(shape, et), v,
                                      n.b.getDenseI64ArrayAttr(perm));
  };
  Value xr = part(0);
  Value xi = complexIn ? part(1) : Value();
  // Forward: (xr + i xi)(cos - i sin); inverse: (xr + i xi)(cos + i sin).
  Value re = n.create<dnn::MatMulOp>(xr, cm);
  Value im = n.create<dnn::MatMulOp>(xr, sm);
  im = inverse ? im : unary<dnn::NegOp>(n, im);
  if (xi) {
    Value ic = n.create<dnn::MatMulOp>(xi, cm);
    Value is = n.create<dnn::MatMulOp>(xi, sm);
    re = inverse ? n.create<dnn::SubOp>(re, is) : n.create<dnn::AddOp>(re, is);
    im = n.create<dnn::AddOp>(im, ic);
  }
  // Back to the input layout with a trailing [re, im] dim.
  SmallVector<int64_t> outShape(in.getShape());
  outShape[axis] = bins;
  outShape[rank - 1] = 1;
  SmallVector<int64_t> back(outShape.begin(), outShape.end() - 1);
  auto partType = RankedTensorType::get(outShape, et);
  auto restore = [&](Value v) -> Value {
    v = n.create<dnn::TransposeOp>(RankedTensorType::get(back, et), v,
                                   n.b.getDenseI64ArrayAttr(inv));
    return n.create<dnn::ReshapeOp>(partType, v);
  };
  outShape[rank - 1] = 2;
  Value r = n.create<dnn::ConcatOp>(RankedTensorType::get(outShape, et),
                                    ValueRange{restore(re), restore(im)},
                                    n.b.getI64IntegerAttr(rank - 1));
  n.setOutput(0, r);
  return success();
}
} // namespace

void onnximport::registerSignalHandlers(HandlerRegistry &r) {
  r.add("DFT", 17, importDFT);
}
