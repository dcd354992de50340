//===- ComposedNNOps.cpp - NN ops as compositions of dnn ops
//----------------===//
//
// ConvTranspose (dilate, pad, convolve with flipped kernels), Resize and
// Upsample (separable gathers with compile-time weights), InstanceNormalization
// and LRN, expanded at import into existing dnn ops.
//
//===----------------------------------------------------------------------===//
#include "Composition.h"
#include "dnnc/Dialect/DNN/IR/DNNShapes.h"
#include "onnx/onnx_pb.h"
#include <limits>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {
LogicalResult importInstanceNorm(NodeImporter &n) {
  auto in = n.inputType(0);
  Type et = in.getElementType();
  if (in.getRank() < 3 || !isa<FloatType>(et))
    return n.fail("input must be a float tensor of rank >= 3");
  int64_t c = in.getDimSize(1);
  SmallVector<int64_t> axes =
      llvm::to_vector(llvm::seq<int64_t>(2, in.getRank()));
  auto kt = RankedTensorType::get(reduceShape(in.getShape(), axes, true), et);
  auto mean = [&](Value v) {
    return n.create<dnn::ReduceMeanOp>(kt, v, n.b.getDenseI64ArrayAttr(axes),
                                       n.b.getBoolAttr(true));
  };
  Value x = n.input(0);
  Value d = n.create<dnn::SubOp>(x, mean(x));
  Value var = mean(n.create<dnn::MulOp>(d, d));
  Value eps = scalar(n, et, n.attrFloat("epsilon", 1e-5f));
  Value inv = unary<dnn::ReciprocalOp>(
      n, unary<dnn::SqrtOp>(n, n.create<dnn::AddOp>(var, eps)));
  SmallVector<int64_t> ps(in.getRank() - 1, 1);
  ps[0] = c;
  auto pt = RankedTensorType::get(ps, et);
  for (int i = 1; i <= 2; ++i) {
    auto t = n.inputType(i);
    if (t.getRank() != 1 || t.getDimSize(0) != c)
      return n.fail("scale and bias must be vectors of the channel count");
  }
  Value scale = n.create<dnn::ReshapeOp>(pt, n.input(1));
  Value bias = n.create<dnn::ReshapeOp>(pt, n.input(2));
  Value y = n.create<dnn::MulOp>(n.create<dnn::MulOp>(d, inv), scale);
  n.setOutput(0, n.create<dnn::AddOp>(y, bias));
  return success();
}

/// ConvTranspose as a convolution: the input is dilated by the strides
/// (reshape -> zero pad -> reshape -> slice), padded by (k-1)*d - pads
/// (cropped where negative), and convolved with stride 1 by the weights
/// with spatially flipped kernels and swapped in/out channels per group.
LogicalResult importConvTranspose(NodeImporter &n) {
  auto in = n.inputType(0), wt = n.inputType(1);
  int64_t rank = in.getRank(), nsp = rank - 2;
  Type et = in.getElementType();
  if (nsp < 1 || wt.getRank() != rank || !isa<FloatType>(et))
    return n.fail(
        "input and weight must be float tensors of the same rank >= 3");
  int64_t group = n.attrInt("group", 1);
  if (!wt.hasStaticShape())
    return n.fail("the weight shape must be static (the kernel size sets the "
                  "padding)");
  // A run-time channel count takes the weights' (checked by nothing at run
  // time, like every other run-time dim of a weight-bearing op).
  int64_t cin = in.isDynamicDim(1) ? wt.getDimSize(0) : in.getDimSize(1);
  int64_t mg = wt.getDimSize(1), cout = mg * group;
  if (wt.getDimSize(0) != cin || ShapedType::isDynamic(cin) || cin % group)
    return n.fail("weight shape does not match the input channels and group");
  SmallVector<int64_t> k(wt.getShape().drop_front(2));
  auto strides = n.attrInts("strides").value_or(SmallVector<int64_t>(nsp, 1));
  auto dil = n.attrInts("dilations").value_or(SmallVector<int64_t>(nsp, 1));
  auto outPad =
      n.attrInts("output_padding").value_or(SmallVector<int64_t>(nsp, 0));
  if ((int64_t)strides.size() != nsp || (int64_t)dil.size() != nsp ||
      (int64_t)outPad.size() != nsp)
    return n.fail(
        "strides/dilations/output_padding need one value per spatial dim");
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  SmallVector<int64_t> pads(2 * nsp, 0);
  auto outShape = n.attrInts("output_shape");
  if (outShape && (int64_t)outShape->size() > nsp)
    outShape = SmallVector<int64_t>(outShape->end() - nsp, outShape->end());
  bool runtime = !in.hasStaticShape();
  if (runtime && outShape &&
      llvm::any_of(in.getShape().drop_front(2), ShapedType::isDynamic))
    return n.fail("output_shape with run-time spatial dims is not supported");
  if (outShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < nsp; ++i) {
      // SAME: output = input * stride, so the total padding does not depend
      // on the input size.
      int64_t total =
          outShape ? strides[i] * (in.getDimSize(2 + i) - 1) + outPad[i] +
                         ((k[i] - 1) * dil[i] + 1) - (*outShape)[i]
                   : outPad[i] + (k[i] - 1) * dil[i] + 1 - strides[i];
      // A negative total (output_shape larger than the natural size)
      // becomes negative pads, i.e. extra zeros at the end. Floor division
      // as in the ONNX reference.
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? half : total - half;
      pads[nsp + i] = total - pads[i];
    }
  } else if (autoPad == "NOTSET") {
    if (auto p = n.attrInts("pads")) {
      if ((int64_t)p->size() != 2 * nsp)
        return n.fail("pads must have " + std::to_string(2 * nsp) + " values");
      pads = *p;
    }
  } else if (autoPad != "VALID") {
    return n.fail("auto_pad '" + autoPad + "' is not supported");
  }
  auto grow = [](int64_t d, int64_t by) {
    return ShapedType::isDynamic(d) ? d : d + by;
  };
  // 1. Dilate the input by the strides: a unit dim after each spatial dim,
  // padded to the stride, merged back, and the trailing zeros cropped.
  Value x = n.input(0);
  for (int64_t i = 0; i < nsp; ++i) {
    int64_t st = strides[i];
    if (st == 1)
      continue;
    auto cur = cast<RankedTensorType>(x.getType());
    int64_t d = 2 + i, len = cur.getDimSize(d);
    SmallVector<int64_t> s1(cur.getShape());
    s1.insert(s1.begin() + d + 1, 1);
    x = n.create<dnn::UnsqueezeOp>(RankedTensorType::get(s1, et), x,
                                   n.b.getDenseI64ArrayAttr({d + 1}));
    SmallVector<int64_t> p(2 * s1.size(), 0), s2(s1);
    p[s1.size() + d + 1] = st - 1;
    s2[d + 1] = st;
    x = n.create<dnn::PadOp>(
        RankedTensorType::get(s2, et), x, n.b.getDenseI64ArrayAttr(p),
        n.b.getStringAttr("constant"), n.b.getF64FloatAttr(0));
    SmallVector<int64_t> s3(cur.getShape());
    s3[d] = ShapedType::isDynamic(len) ? len : len * st;
    x = reshapeTo(n, x, s3,
                  {dimsOf(n, x, 0, d), dimProduct(n, x, d, d + 2),
                   dimsOf(n, x, d + 2, rank + 1)});
    x = cropAxis(n, x, d, 0, st - 1);
  }
  // 2. Pad by (k-1)*d - pads (+ output_padding at the end); crop negatives.
  auto dilated = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> padv(2 * rank, 0), padded(dilated.getShape());
  bool anyPad = false;
  SmallVector<int64_t> lo(nsp), hi(nsp);
  for (int64_t i = 0; i < nsp; ++i) {
    int64_t full = (k[i] - 1) * dil[i];
    lo[i] = full - pads[i];
    hi[i] = full - pads[nsp + i] + outPad[i];
    padv[2 + i] = std::max<int64_t>(lo[i], 0);
    padv[rank + 2 + i] = std::max<int64_t>(hi[i], 0);
    padded[2 + i] = grow(padded[2 + i], padv[2 + i] + padv[rank + 2 + i]);
    anyPad |= padv[2 + i] || padv[rank + 2 + i];
  }
  if (anyPad)
    x = n.create<dnn::PadOp>(
        RankedTensorType::get(padded, et), x, n.b.getDenseI64ArrayAttr(padv),
        n.b.getStringAttr("constant"), n.b.getF64FloatAttr(0));
  for (int64_t i = 0; i < nsp; ++i) {
    if (lo[i] >= 0 && hi[i] >= 0)
      continue;
    int64_t cl = lo[i] < 0 ? -lo[i] : 0, ch = hi[i] < 0 ? -hi[i] : 0;
    if (!ShapedType::isDynamic(padded[2 + i]) && padded[2 + i] - cl - ch <= 0)
      return n.fail("pads leave an empty output");
    x = cropAxis(n, x, 2 + i, cl, ch);
  }
  SmallVector<int64_t> convIn(cast<RankedTensorType>(x.getType()).getShape());
  // 3. Weights [Cin, M/g, k...] -> [M, Cin/g, k...], kernels flipped.
  int64_t cg = cin / group;
  SmallVector<int64_t> g5 = {group, cg, mg};
  g5.append(k);
  Value w = n.create<dnn::ReshapeOp>(RankedTensorType::get(g5, et), n.input(1));
  SmallVector<int64_t> perm = {0, 2, 1}, t5 = {group, mg, cg};
  for (int64_t i = 0; i < nsp; ++i)
    perm.push_back(3 + i);
  t5.append(k);
  w = n.create<dnn::TransposeOp>(RankedTensorType::get(t5, et), w,
                                 n.b.getDenseI64ArrayAttr(perm));
  SmallVector<int64_t> fst(3, 0), fsp(3, 1);
  for (int64_t i = 0; i < nsp; ++i) {
    fst.push_back(k[i] - 1);
    fsp.push_back(-1);
  }
  w = n.create<dnn::SliceOp>(RankedTensorType::get(t5, et), w,
                             n.b.getDenseI64ArrayAttr(fst),
                             n.b.getDenseI64ArrayAttr(fsp));
  SmallVector<int64_t> wshape = {cout, cg};
  wshape.append(k);
  w = n.create<dnn::ReshapeOp>(RankedTensorType::get(wshape, et), w);
  // 4. A stride-1 convolution.
  Shape out;
  std::string err;
  SmallVector<int64_t> ones(nsp, 1), zeros(2 * nsp, 0);
  if (failed(convShape(convIn, wshape, ones, zeros, dil, group, out, err)))
    return n.fail(err);
  Value bias = n.hasInput(2) ? n.input(2) : Value();
  n.setOutput(0, n.create<dnn::ConvOp>(RankedTensorType::get(out, et), x, w,
                                       bias, n.b.getDenseI64ArrayAttr(ones),
                                       n.b.getDenseI64ArrayAttr(zeros),
                                       n.b.getDenseI64ArrayAttr(dil),
                                       n.b.getI64IntegerAttr(group)));
  return success();
}

/// Source coordinate of output index `j` along one dim (ONNX Resize).
struct ResizeDim {
  int64_t in, out;
  double scale, roiStart = 0, roiEnd = 1;
};

std::optional<double> sourceCoord(const std::string &mode, const ResizeDim &d,
                                  int64_t j, bool &outside) {
  double outW = d.scale * d.in;
  outside = false;
  if (mode == "align_corners")
    return outW == 1 ? 0.0 : j * (d.in - 1) / (outW - 1);
  if (mode == "asymmetric")
    return j / d.scale;
  if (mode == "pytorch_half_pixel")
    return outW == 1 ? -0.5 : (j + 0.5) / d.scale - 0.5;
  if (mode == "half_pixel")
    return (j + 0.5) / d.scale - 0.5;
  if (mode == "tf_half_pixel_for_nn")
    return (j + 0.5) / d.scale;
  if (mode == "tf_crop_and_resize") {
    double x = d.out > 1 ? d.roiStart * (d.in - 1) +
                               j * (d.roiEnd - d.roiStart) * (d.in - 1) /
                                   (double)(d.out - 1)
                         : 0.5 * (d.roiStart + d.roiEnd) * (d.in - 1);
    outside = x < 0 || x > d.in - 1;
    return x;
  }
  return std::nullopt;
}

struct ResizeModes {
  std::string mode, coord, nearestMode;
  double cubicA;
  bool exclude;
  double extrapolation;
};

/// The four cubic convolution weights (coefficient `a`) of the taps at
/// distances 1 + t, t, 1 - t, 2 - t from a sample at fraction `t`:
/// ((a*u - 5a)*u + 8a)*u - 4a for the outer taps (u in [1, 2]) and
/// ((a+2)*u - (a+3))*u*u + 1 for the inner ones (u in [0, 1]).
SmallVector<Value> cubicWeights(NodeImporter &n, Value t, double a) {
  Type et = cast<RankedTensorType>(t.getType()).getElementType();
  auto sc = [&](double v) { return scalar(n, et, v); };
  auto outer = [&](Value u) -> Value {
    Value v = n.create<dnn::SubOp>(n.create<dnn::MulOp>(u, sc(a)), sc(5 * a));
    v = n.create<dnn::AddOp>(n.create<dnn::MulOp>(v, u), sc(8 * a));
    return n.create<dnn::SubOp>(n.create<dnn::MulOp>(v, u), sc(4 * a));
  };
  auto inner = [&](Value u) -> Value {
    Value v =
        n.create<dnn::SubOp>(n.create<dnn::MulOp>(u, sc(a + 2)), sc(a + 3));
    return n.create<dnn::AddOp>(
        n.create<dnn::MulOp>(n.create<dnn::MulOp>(v, u), u), sc(1));
  };
  Value q = n.create<dnn::SubOp>(sc(1), t);
  return {outer(n.create<dnn::AddOp>(t, sc(1))), inner(t), inner(q),
          outer(n.create<dnn::AddOp>(q, sc(1)))};
}

/// One resized dim whose input size is only known at run time: the source
/// coordinates, neighbor indices and weights that the static path computes
/// at compile time are computed by dnn ops over an iota of the output
/// indices (f64 coordinates, as ONNX's reference does), then the same
/// gathers and weighted sums.
FailureOr<Value> resizeDimAtRunTime(NodeImporter &n, Value x, int64_t dim,
                                    const ResizeDim &d, const ResizeModes &m) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  Type et = xt.getElementType(), f64 = n.b.getF64Type(), i64 = n.b.getI64Type();
  auto sc = [&](double v) { return scalar(n, f64, v); };
  auto st = RankedTensorType::get({}, f64);
  auto vt = RankedTensorType::get({d.out}, f64);
  // in and out as f64 scalars; the scale.
  Value inI = n.create<dnn::ReshapeOp>(
      RankedTensorType::get({}, i64),
      n.create<dnn::ShapeOp>(RankedTensorType::get({1}, i64), x,
                             n.b.getI64IntegerAttr(dim),
                             n.b.getI64IntegerAttr(dim + 1)));
  Value in = n.create<dnn::CastOp>(st, inI);
  Value outF, scale;
  if (ShapedType::isDynamic(d.out)) {
    scale = sc(d.scale);
    outF = unary<dnn::FloorOp>(n, n.create<dnn::MulOp>(in, scale));
  } else {
    outF = sc((double)d.out);
    scale = n.create<dnn::DivOp>(outF, in);
  }
  Value outI = n.create<dnn::CastOp>(RankedTensorType::get({}, i64), outF);
  Value j = n.create<dnn::CastOp>(
      vt, n.create<dnn::RangeOp>(RankedTensorType::get({d.out}, i64),
                                 scalar(n, i64, 0), outI, scalar(n, i64, 1)));
  Value inM1 = n.create<dnn::SubOp>(in, sc(1));
  Value half = n.create<dnn::AddOp>(j, sc(0.5));
  Value outW = n.create<dnn::MulOp>(scale, in);
  Value single = n.create<dnn::EqualOp>(outW, sc(1));
  Value xs, outside;
  if (m.coord == "align_corners") {
    Value den = n.create<dnn::SubOp>(outW, sc(1));
    den = n.create<dnn::WhereOp>(single, sc(1), den);
    xs = n.create<dnn::WhereOp>(
        single, sc(0),
        n.create<dnn::DivOp>(n.create<dnn::MulOp>(j, inM1), den));
  } else if (m.coord == "asymmetric") {
    xs = n.create<dnn::DivOp>(j, scale);
  } else if (m.coord == "pytorch_half_pixel") {
    xs = n.create<dnn::WhereOp>(
        single, sc(-0.5),
        n.create<dnn::SubOp>(n.create<dnn::DivOp>(half, scale), sc(0.5)));
  } else if (m.coord == "half_pixel") {
    xs = n.create<dnn::SubOp>(n.create<dnn::DivOp>(half, scale), sc(0.5));
  } else if (m.coord == "tf_half_pixel_for_nn") {
    xs = n.create<dnn::DivOp>(half, scale);
  } else if (m.coord == "tf_crop_and_resize") {
    Value outM1 = n.create<dnn::SubOp>(outF, sc(1));
    Value many = n.create<dnn::GreaterOp>(outF, sc(1));
    Value step = n.create<dnn::DivOp>(
        n.create<dnn::MulOp>(inM1, sc(d.roiEnd - d.roiStart)),
        n.create<dnn::WhereOp>(many, outM1, sc(1)));
    Value spread =
        n.create<dnn::AddOp>(n.create<dnn::MulOp>(inM1, sc(d.roiStart)),
                             n.create<dnn::MulOp>(j, step));
    xs = n.create<dnn::WhereOp>(
        many, spread,
        n.create<dnn::MulOp>(inM1, sc(0.5 * (d.roiStart + d.roiEnd))));
    outside = n.create<dnn::OrOp>(n.create<dnn::LessOp>(xs, sc(0)),
                                  n.create<dnn::GreaterOp>(xs, inM1));
  } else {
    return n.fail("coordinate_transformation_mode '" + m.coord +
                  "' is not supported");
  }
  // i0 = ceil(xs) - 1, r = xs - i0 in (0, 1].
  Value i0 = n.create<dnn::SubOp>(unary<dnn::CeilOp>(n, xs), sc(1));
  Value r = n.create<dnn::SubOp>(xs, i0);
  SmallVector<int64_t> next(xt.getShape());
  next[dim] = d.out;
  auto nt = RankedTensorType::get(next, et);
  auto it = RankedTensorType::get({d.out}, i64);
  // Gathers x at clamp(i0 + off) along dim.
  auto gatherAt = [&](Value k) -> Value {
    k = n.create<dnn::MaxOp>(n.create<dnn::MinOp>(k, inM1), sc(0));
    return n.create<dnn::GatherOp>(nt, x, n.create<dnn::CastOp>(it, k),
                                   n.b.getI64IntegerAttr(dim));
  };
  // A [out] vector broadcast along dim: [out, 1, ..., 1].
  auto alongDim = [&](Value v) -> Value {
    SmallVector<int64_t> axes, shape(rank - dim, 1);
    shape[0] = d.out;
    for (int64_t i = 1; i < rank - dim; ++i)
      axes.push_back(i);
    if (axes.empty())
      return v;
    auto vt = cast<RankedTensorType>(v.getType());
    return n.create<dnn::UnsqueezeOp>(
        RankedTensorType::get(shape, vt.getElementType()), v,
        n.b.getDenseI64ArrayAttr(axes));
  };
  Value y;
  if (m.mode == "nearest") {
    Value upper;
    if (m.nearestMode == "round_prefer_floor")
      upper = n.create<dnn::GreaterOp>(r, sc(0.5));
    else if (m.nearestMode == "round_prefer_ceil")
      upper = n.create<dnn::GreaterEqualOp>(r, sc(0.5));
    else if (m.nearestMode == "floor")
      upper = n.create<dnn::EqualOp>(r, sc(1));
    else if (m.nearestMode == "ceil")
      upper = n.create<dnn::GreaterOp>(r, sc(0)); // r is in (0, 1]
    else
      return n.fail("nearest_mode '" + m.nearestMode + "' is not supported");
    upper = n.create<dnn::OrOp>(upper, n.create<dnn::EqualOp>(r, sc(1)));
    y = gatherAt(n.create<dnn::AddOp>(i0, n.create<dnn::CastOp>(vt, upper)));
  } else {
    int64_t taps = m.mode == "cubic" ? 4 : 2,
            first = m.mode == "cubic" ? -1 : 0;
    SmallVector<Value> c;
    if (m.mode == "cubic") {
      c = cubicWeights(n, r, m.cubicA);
    } else {
      c = {n.create<dnn::SubOp>(sc(1), r), r};
    }
    SmallVector<Value> idx;
    Value sum;
    for (int64_t t = 0; t < taps; ++t) {
      idx.push_back(n.create<dnn::AddOp>(i0, sc((double)(first + t))));
      if (m.exclude) {
        Value in0 =
            n.create<dnn::AndOp>(n.create<dnn::GreaterEqualOp>(idx[t], sc(0)),
                                 n.create<dnn::LessOp>(idx[t], in));
        c[t] = n.create<dnn::WhereOp>(in0, c[t], sc(0));
        sum = sum ? n.create<dnn::AddOp>(sum, c[t]) : c[t];
      }
    }
    for (int64_t t = 0; t < taps; ++t) {
      Value w = c[t];
      if (m.exclude) {
        Value nz = n.create<dnn::NotOp>(boolLike(n, sum),
                                        n.create<dnn::EqualOp>(sum, sc(0)));
        w = n.create<dnn::WhereOp>(nz, n.create<dnn::DivOp>(w, sum), w);
      }
      w = alongDim(
          n.create<dnn::CastOp>(RankedTensorType::get({d.out}, et), w));
      Value term = n.create<dnn::MulOp>(gatherAt(idx[t]), w);
      y = y ? n.create<dnn::AddOp>(y, term) : term;
    }
  }
  if (outside)
    y = n.create<dnn::WhereOp>(alongDim(outside),
                               scalar(n, et, m.extrapolation), y);
  return y;
}

/// Resize (and Upsample) as separable 1-D interpolations: along each
/// resized dim, the output is a weighted sum of gathers of the input at
/// compile-time neighbor indices (1 tap for nearest, 2 linear, 4 cubic),
/// with ONNX's edge clamping, exclude_outside and extrapolation.
LogicalResult importResizeImpl(NodeImporter &n, bool upsample) {
  auto in = n.inputType(0);
  int64_t rank = in.getRank();
  Type et = in.getElementType();
  std::string mode = n.attrString("mode", "nearest");
  std::string coord =
      upsample || n.sinceVersion < 11
          ? "asymmetric"
          : n.attrString("coordinate_transformation_mode", "half_pixel");
  std::string nearestMode =
      upsample ? "floor"
      : n.sinceVersion < 11
          ? "round_prefer_floor"
          : n.attrString("nearest_mode", "round_prefer_floor");
  double a = n.attrFloat("cubic_coeff_a", -0.75f);
  bool exclude = n.attrInt("exclude_outside", 0);
  double extrapolation = n.attrFloat("extrapolation_value", 0.0f);
  if (n.attrString("keep_aspect_ratio_policy", "stretch") != "stretch")
    return n.fail(
        "keep_aspect_ratio_policy other than stretch is not supported");
  if (mode != "nearest" && mode != "linear" && mode != "bilinear" &&
      mode != "cubic")
    return n.fail("mode '" + mode + "' is not supported");
  if (mode != "nearest" && !isa<FloatType>(et))
    return n.fail("interpolating integer tensors is not supported");
  // Scales / sizes (per dim) and the ROI.
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (auto ax = n.attrInts("axes")) {
    axes.clear();
    for (int64_t x : *ax) {
      if (failed(normalizeAxis(x, rank)))
        return n.fail("axis out of range");
      axes.push_back(x);
    }
  }
  std::vector<ResizeDim> dims;
  for (int64_t i = 0; i < rank; ++i)
    dims.push_back({in.getDimSize(i), in.getDimSize(i), 1.0});
  auto floats = [&](size_t i) -> std::optional<SmallVector<double>> {
    auto c = n.constInput(i);
    if (!c)
      return std::nullopt;
    SmallVector<double> v;
    for (APFloat f : c.getValues<APFloat>())
      v.push_back(f.convertToDouble());
    return v;
  };
  std::optional<SmallVector<double>> scales;
  std::optional<SmallVector<int64_t>> sizes;
  int scalesInput = upsample || n.sinceVersion < 11 ? 1 : 2;
  if (upsample && n.sinceVersion < 9) {
    if (auto *sa = n.attr("scales"))
      scales = SmallVector<double>(sa->floats().begin(), sa->floats().end());
  } else if (n.hasInput(scalesInput)) {
    if (n.inputType(scalesInput).getNumElements() > 0 &&
        !(scales = floats(scalesInput)))
      return n.fail("non-constant scales are not supported");
    if (scales && scales->empty())
      scales.reset();
  }
  if (!upsample && n.sinceVersion >= 11 && n.hasInput(3)) {
    if (!(sizes = n.constInts(3)))
      return n.fail("non-constant sizes are not supported");
    if (sizes->empty())
      sizes.reset();
  }
  if (!scales && !sizes)
    return n.fail("neither scales nor sizes are given");
  for (size_t k = 0; k < axes.size(); ++k) {
    ResizeDim &d = dims[axes[k]];
    if (sizes) {
      if (sizes->size() != axes.size())
        return n.fail("sizes need one value per axis");
      d.out = (*sizes)[k];
      // A run-time input dim: the scale is out / in at run time.
      d.scale = ShapedType::isDynamic(d.in) ? 0 : (double)d.out / d.in;
    } else {
      if (scales->size() != axes.size())
        return n.fail("scales need one value per axis");
      d.scale = (*scales)[k];
      d.out = ShapedType::isDynamic(d.in) ? ShapedType::kDynamic
                                          : (int64_t)std::floor(d.in * d.scale);
    }
  }
  if (coord == "tf_crop_and_resize") {
    auto roi = n.hasInput(1) ? floats(1) : std::nullopt;
    if (!roi || roi->size() != 2 * axes.size())
      return n.fail("tf_crop_and_resize needs a constant roi");
    for (size_t k = 0; k < axes.size(); ++k) {
      dims[axes[k]].roiStart = (*roi)[k];
      dims[axes[k]].roiEnd = (*roi)[axes.size() + k];
    }
  }
  Value x = n.input(0);
  SmallVector<int64_t> cur(in.getShape());
  for (int64_t dim = 0; dim < rank; ++dim) {
    const ResizeDim &d = dims[dim];
    bool identity =
        d.out == d.in && d.scale == 1.0 && coord != "tf_crop_and_resize";
    if (identity)
      continue;
    if (ShapedType::isDynamic(d.in)) {
      ResizeModes m{mode, coord, nearestMode, a, exclude, extrapolation};
      FailureOr<Value> y = resizeDimAtRunTime(n, x, dim, d, m);
      if (failed(y))
        return failure();
      x = *y;
      cur =
          SmallVector<int64_t>(cast<RankedTensorType>(x.getType()).getShape());
      continue;
    }
    int64_t taps = mode == "cubic" ? 4 : 2, first = mode == "cubic" ? -1 : 0;
    // idx[t][j], w[t][j]; extrap[j].
    std::vector<std::vector<int64_t>> idx(taps, std::vector<int64_t>(d.out));
    std::vector<std::vector<double>> w(taps, std::vector<double>(d.out));
    std::vector<bool> extrap(d.out, false);
    bool anyExtrap = false;
    for (int64_t j = 0; j < d.out; ++j) {
      bool outside;
      auto xo = sourceCoord(coord, d, j, outside);
      if (!xo)
        return n.fail("coordinate_transformation_mode '" + coord +
                      "' is not supported");
      extrap[j] = outside;
      anyExtrap |= outside;
      double xs = *xo;
      int64_t i0 = (int64_t)std::ceil(xs) - 1;
      double r = xs - i0; // in (0, 1]
      std::vector<double> c(taps);
      if (mode == "nearest") {
        bool upper;
        if (r == 1.0)
          upper = true;
        else if (nearestMode == "round_prefer_floor")
          upper = r > 0.5;
        else if (nearestMode == "round_prefer_ceil")
          upper = r >= 0.5;
        else if (nearestMode == "floor")
          upper = false;
        else if (nearestMode == "ceil")
          upper = true;
        else
          return n.fail("nearest_mode '" + nearestMode + "' is not supported");
        c = {upper ? 0.0 : 1.0, upper ? 1.0 : 0.0};
      } else if (mode == "cubic") {
        double r1 = r + 1, q = 1 - r, q1 = q + 1;
        c = {((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a,
             ((a + 2) * r - (a + 3)) * r * r + 1,
             ((a + 2) * q - (a + 3)) * q * q + 1,
             ((a * q1 - 5 * a) * q1 + 8 * a) * q1 - 4 * a};
      } else {
        c = {1 - r, r};
      }
      double sum = 0;
      for (int64_t t = 0; t < taps; ++t) {
        int64_t k = i0 + first + t;
        if (exclude && (k < 0 || k >= d.in))
          c[t] = 0;
        sum += c[t];
        idx[t][j] = std::clamp<int64_t>(k, 0, d.in - 1);
      }
      for (int64_t t = 0; t < taps; ++t)
        w[t][j] = exclude && sum != 0 ? c[t] / sum : c[t];
    }
    SmallVector<int64_t> next(cur);
    next[dim] = d.out;
    auto nt = RankedTensorType::get(next, et);
    auto it = RankedTensorType::get({d.out}, n.b.getI64Type());
    auto gather = [&](const std::vector<int64_t> &ids) {
      Value iv = n.constant(DenseElementsAttr::get(it, ArrayRef(ids)));
      return n.create<dnn::GatherOp>(nt, x, iv, n.b.getI64IntegerAttr(dim));
    };
    // Weights broadcast along `dim`: shape [out, 1, ..., 1].
    SmallVector<int64_t> wshape(rank - dim, 1);
    wshape[0] = d.out;
    auto wt = RankedTensorType::get(wshape, et);
    auto weights = [&](const std::vector<double> &v) {
      SmallVector<Attribute> attrs;
      for (double f : v)
        attrs.push_back(n.b.getFloatAttr(et, f));
      return n.constant(DenseElementsAttr::get(wt, attrs));
    };
    Value y;
    if (mode == "nearest") {
      // Pick the chosen neighbor directly: exact, no arithmetic.
      std::vector<int64_t> pick(d.out);
      for (int64_t j = 0; j < d.out; ++j)
        pick[j] = w[1][j] > 0.5 ? idx[1][j] : idx[0][j];
      y = gather(pick);
    } else {
      for (int64_t t = 0; t < taps; ++t) {
        Value term = n.create<dnn::MulOp>(gather(idx[t]), weights(w[t]));
        y = y ? n.create<dnn::AddOp>(y, term) : term;
      }
    }
    if (anyExtrap) {
      SmallVector<bool> mask(extrap.begin(), extrap.end());
      auto mt = RankedTensorType::get(wshape, n.b.getI1Type());
      Value m = n.constant(DenseElementsAttr::get(mt, ArrayRef(mask)));
      y = n.create<dnn::WhereOp>(m, scalar(n, et, extrapolation), y);
    }
    x = y;
    cur = next;
  }
  n.setOutput(0, x);
  return success();
}

/// GridSample (2-D): every output position reads the input at the grid's
/// unnormalized coordinate. Coordinates are computed by elementwise ops
/// (unnormalize; border: clamp; reflection: fold into the range, then
/// clamp), the taps (1 nearest, 4 bilinear, 16 bicubic) become row indices
/// into the input laid out as [N*H*W, C], one dnn.gather per tap reads all
/// channels, and out-of-range taps get weight zero. The input sizes enter as
/// values: constants for static shapes, read at run time otherwise.
LogicalResult importGridSample(NodeImporter &n) {
  auto xt = n.inputType(0), gt = n.inputType(1);
  Type et = xt.getElementType();
  if (xt.getRank() != 4 || gt.getRank() != 4 ||
      (!gt.isDynamicDim(3) && gt.getDimSize(3) != 2))
    return n.fail("only 2-D sampling ([N, C, H, W] input, [N, Ho, Wo, 2] "
                  "grid) is supported");
  if (!isa<FloatType>(et) || gt.getElementType() != et)
    return n.fail("input and grid must be float tensors of one type");
  std::string mode = n.attrString("mode", "bilinear");
  std::string pad = n.attrString("padding_mode", "zeros");
  bool ac = n.attrInt("align_corners", 0);
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return n.fail("mode '" + mode + "' is not supported");
  if (pad != "zeros" && pad != "border" && pad != "reflection")
    return n.fail("padding_mode '" + pad + "' is not supported");
  Value input = n.input(0), grid = n.input(1);
  int64_t N = xt.getDimSize(0), C = xt.getDimSize(1), H = xt.getDimSize(2),
          W = xt.getDimSize(3), Ho = gt.getDimSize(1), Wo = gt.getDimSize(2);
  auto sc = [&](double v) { return scalar(n, et, v); };
  auto add = [&](Value a, Value b) { return n.create<dnn::AddOp>(a, b); };
  auto sub = [&](Value a, Value b) { return n.create<dnn::SubOp>(a, b); };
  auto mul = [&](Value a, Value b) { return n.create<dnn::MulOp>(a, b); };
  auto div = [&](Value a, Value b) { return n.create<dnn::DivOp>(a, b); };
  Value Hf = dimAs(n, input, 2, et), Wf = dimAs(n, input, 3, et);
  // Grid x (k = 0) or y (k = 1) coordinates as [N, Ho, Wo].
  auto coord = [&](int64_t k) -> Value {
    Value s = sliceAxis(n, grid, 3, k, 1);
    return n.create<dnn::SqueezeOp>(RankedTensorType::get({N, Ho, Wo}, et), s,
                                    n.b.getDenseI64ArrayAttr({3}));
  };
  // Padding applied to a pixel coordinate along a dim of `size`.
  auto clampTo = [&](Value v, Value size) -> Value {
    return n.create<dnn::MinOp>(n.create<dnn::MaxOp>(v, sc(0)),
                                sub(size, sc(1)));
  };
  auto padded = [&](Value v, Value size) -> Value {
    if (pad == "border")
      return clampTo(v, size);
    if (pad != "reflection")
      return v;
    Value lo = sc(ac ? 0 : -0.5);
    Value span = ac ? sub(size, sc(1)) : size;
    Value d = unary<dnn::AbsOp>(n, sub(v, lo));
    Value flips = unary<dnn::FloorOp>(n, div(d, span));
    Value extra = sub(d, mul(flips, span));
    Value half = mul(flips, sc(0.5));
    Value even = n.create<dnn::EqualOp>(unary<dnn::FloorOp>(n, half), half);
    Value r =
        n.create<dnn::WhereOp>(even, add(extra, lo), sub(add(span, lo), extra));
    // An empty span (one pixel, align_corners) reflects everything to 0.
    return n.create<dnn::WhereOp>(n.create<dnn::GreaterOp>(span, sc(0)),
                                  clampTo(r, size), sc(0));
  };
  auto unnormalize = [&](Value g, Value size) -> Value {
    Value p = add(g, sc(1));
    if (ac)
      return div(mul(p, sub(size, sc(1))), sc(2));
    return div(sub(mul(p, size), sc(1)), sc(2));
  };
  Value x = unnormalize(coord(0), Wf), y = unnormalize(coord(1), Hf);
  if (mode != "bicubic") {
    x = padded(x, Wf);
    y = padded(y, Hf);
  }
  // The input as rows [N*H*W, C]; the first row of each batch.
  Value rows =
      n.create<dnn::TransposeOp>(RankedTensorType::get({N, H, W, C}, et), input,
                                 n.b.getDenseI64ArrayAttr({0, 2, 3, 1}));
  rows = reshapeTo(n, rows, {staticProduct({N, H, W}), C},
                   {dimProduct(n, rows, 0, 3), dimsOf(n, rows, 3, 4)});
  Value batchBase =
      mul(n.create<dnn::CastOp>(RankedTensorType::get({N, 1, 1}, et),
                                iotaOf(n, input, 0, 3, 0)),
          mul(Hf, Wf));
  // Weight w of the pixel (ty, tx) (already padded), zero outside.
  Value acc;
  auto tap = [&](Value ty, Value tx, Value w) {
    auto ge = [&](Value a, Value b) {
      return n.create<dnn::GreaterEqualOp>(a, b);
    };
    auto le = [&](Value a, Value b) {
      return n.create<dnn::LessEqualOp>(a, b);
    };
    auto both = [&](Value a, Value b) { return n.create<dnn::AndOp>(a, b); };
    Value inside = both(both(ge(tx, sc(0)), le(tx, sub(Wf, sc(1)))),
                        both(ge(ty, sc(0)), le(ty, sub(Hf, sc(1)))));
    Value idx = add(batchBase, add(mul(clampTo(ty, Hf), Wf), clampTo(tx, Wf)));
    idx = n.create<dnn::CastOp>(
        RankedTensorType::get({N, Ho, Wo}, n.b.getI64Type()), idx);
    Value v = n.create<dnn::GatherOp>(RankedTensorType::get({N, Ho, Wo, C}, et),
                                      rows, idx, n.b.getI64IntegerAttr(0));
    w = n.create<dnn::WhereOp>(inside, w, sc(0));
    w = n.create<dnn::UnsqueezeOp>(RankedTensorType::get({N, Ho, Wo, 1}, et), w,
                                   n.b.getDenseI64ArrayAttr({3}));
    Value term = mul(v, w);
    acc = acc ? add(acc, term) : term;
  };
  if (mode == "nearest") {
    tap(unary<dnn::RoundOp>(n, y), unary<dnn::RoundOp>(n, x), sc(1));
  } else if (mode == "bilinear") {
    Value x0 = unary<dnn::FloorOp>(n, x), y0 = unary<dnn::FloorOp>(n, y);
    Value fx = sub(x, x0), fy = sub(y, y0);
    Value x1 = add(x0, sc(1)), y1 = add(y0, sc(1));
    Value gx = sub(sc(1), fx), gy = sub(sc(1), fy);
    tap(y0, x0, mul(gy, gx));
    tap(y0, x1, mul(gy, fx));
    tap(y1, x0, mul(fy, gx));
    tap(y1, x1, mul(fy, fx));
  } else {
    // Bicubic (A = -0.75): 4x4 taps, each tap coordinate padded.
    auto coeffs = [&](Value t) { return cubicWeights(n, t, -0.75); };
    Value x0 = unary<dnn::FloorOp>(n, x), y0 = unary<dnn::FloorOp>(n, y);
    SmallVector<Value> cx = coeffs(sub(x, x0));
    SmallVector<Value> cy = coeffs(sub(y, y0));
    for (int64_t i = 0; i < 4; ++i) {
      Value ty = padded(add(y0, sc(i - 1)), Hf);
      for (int64_t j = 0; j < 4; ++j) {
        Value tx = padded(add(x0, sc(j - 1)), Wf);
        tap(ty, tx, mul(cy[i], cx[j]));
      }
    }
  }
  n.setOutput(0, n.create<dnn::TransposeOp>(
                     RankedTensorType::get({N, C, Ho, Wo}, et), acc,
                     n.b.getDenseI64ArrayAttr({0, 3, 1, 2})));
  return success();
}

/// MaxUnpool: the values scattered to their (flat, whole-tensor) indices in
/// zeros of the output shape: output_shape when given, else
/// (in - 1) * stride + kernel - pads per spatial dim.
LogicalResult importMaxUnpool(NodeImporter &n) {
  auto xt = n.inputType(0), it = n.inputType(1);
  int64_t rank = xt.getRank(), nsp = rank - 2;
  Type et = xt.getElementType(), i64 = n.b.getI64Type();
  if (nsp < 1 || it.getRank() != rank)
    return n.fail("X and I must have one rank >= 3");
  auto kernel = n.attrInts("kernel_shape");
  if (!kernel || (int64_t)kernel->size() != nsp)
    return n.fail("kernel_shape needs one value per spatial dim");
  auto strides = n.attrInts("strides").value_or(SmallVector<int64_t>(nsp, 1));
  auto pads = n.attrInts("pads").value_or(SmallVector<int64_t>(2 * nsp, 0));
  if ((int64_t)strides.size() != nsp || (int64_t)pads.size() != 2 * nsp)
    return n.fail("strides and pads need one (two) values per spatial dim");
  Value x = n.input(0);
  // The natural shape (in - 1) * s + k - pads per spatial dim, as values
  // (constants for static shapes).
  SmallVector<int64_t> natural(xt.getShape().take_front(2)), mul(2, 1),
      add(2, 0);
  for (int64_t i = 0; i < nsp; ++i) {
    int64_t in = xt.getDimSize(2 + i);
    int64_t extra = (*kernel)[i] - strides[i] - pads[i] - pads[nsp + i];
    natural.push_back(ShapedType::isDynamic(in) ? in : in * strides[i] + extra);
    mul.push_back(strides[i]);
    add.push_back(extra);
  }
  Value naturalShape = n.create<dnn::AddOp>(
      n.create<dnn::MulOp>(dimsOf(n, x, 0, rank), i64Vector(n, mul)),
      i64Vector(n, add));
  Value idx = n.input(1);
  if (!it.getElementType().isInteger(64))
    idx = n.create<dnn::CastOp>(RankedTensorType::get(it.getShape(), i64), idx);
  SmallVector<int64_t> outShape = natural;
  Value shape = naturalShape;
  if (n.hasInput(2)) {
    // The indices address the natural shape; the output extends it with
    // zeros at the end of each dim: re-linearize the indices.
    // One entry per dim (the output has the input's rank).
    shape = castTo(n, n.input(2), RankedTensorType::get({rank}, i64));
    if (auto c = n.constInts(2)) {
      if ((int64_t)c->size() != rank)
        return n.fail("output_shape needs one value per dim");
      outShape.assign(c->begin(), c->end());
    } else {
      outShape.assign(rank, ShapedType::kDynamic);
    }
    auto dimOf = [&](Value v, int64_t d) {
      return n.create<dnn::GatherOp>(
          RankedTensorType::get({}, i64), v,
          n.constant(DenseElementsAttr::get(RankedTensorType::get({}, i64), d)),
          n.b.getI64IntegerAttr(0));
    };
    Value rem = idx, lin, stride;
    for (int64_t d = rank - 1; d >= 0; --d) {
      Value nd = dimOf(naturalShape, d);
      Value coord = n.create<dnn::ModOp>(rem, nd, n.b.getBoolAttr(false));
      rem = n.create<dnn::DivOp>(rem, nd);
      Value term = stride ? n.create<dnn::MulOp>(coord, stride) : coord;
      lin = lin ? n.create<dnn::AddOp>(lin, term) : term;
      Value od = dimOf(shape, d);
      stride = stride ? n.create<dnn::MulOp>(stride, od) : od;
    }
    idx = lin;
  }
  auto outT = RankedTensorType::get(outShape, et);
  Value zeros =
      n.create<dnn::ConstantOfShapeOp>(outT, shape, n.b.getFloatAttr(et, 0.0));
  auto flat = [&](Value v) {
    auto t = cast<RankedTensorType>(v.getType());
    return reshapeTo(n, v, {staticProduct(t.getShape())}, {i64Vector(n, {-1})});
  };
  Value flatZeros = flat(zeros);
  Value out = n.create<dnn::ScatterElementsOp>(
      cast<RankedTensorType>(flatZeros.getType()), flatZeros, flat(idx),
      flat(x), n.b.getI64IntegerAttr(0), n.b.getStringAttr("none"));
  n.setOutput(0, reshapeTo(n, out, outShape, {shape}));
  return success();
}

/// LRN: x / (bias + alpha * mean of x^2 over a channel window)^beta, the
/// window mean as an average pool over channels (padding counted).
LogicalResult importLRN(NodeImporter &n) {
  auto in = n.inputType(0);
  Type et = in.getElementType();
  if (in.getRank() < 3 || !isa<FloatType>(et))
    return n.fail("input must be a float tensor of rank >= 3");
  int64_t size = n.attrInt("size", 0);
  if (size <= 0)
    return n.fail("size must be positive");
  int64_t rank = in.getRank();
  int64_t N = in.getDimSize(0), C = in.getDimSize(1),
          rest = staticProduct(in.getShape().drop_front(2));
  Value x = n.input(0);
  Value sq = n.create<dnn::MulOp>(x, x);
  Value s4 = reshapeTo(n, sq, {N, 1, C, rest},
                       {dimsOf(n, x, 0, 1), i64Vector(n, {1}),
                        dimsOf(n, x, 1, 2), dimProduct(n, x, 2, rank)});
  auto t4 = cast<RankedTensorType>(s4.getType());
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  Value avg = n.create<dnn::AveragePoolOp>(
      t4, s4, n.b.getDenseI64ArrayAttr({size, 1}),
      n.b.getDenseI64ArrayAttr({1, 1}),
      n.b.getDenseI64ArrayAttr({lo, 0, hi, 0}),
      n.b.getDenseI64ArrayAttr({1, 1}), n.b.getBoolAttr(true),
      n.b.getBoolAttr(false));
  avg = reshapeTo(n, avg, in.getShape(), {dimsOf(n, x, 0, rank)});
  Value den = n.create<dnn::AddOp>(
      scalar(n, et, n.attrFloat("bias", 1.0f)),
      n.create<dnn::MulOp>(avg, scalar(n, et, n.attrFloat("alpha", 1e-4f))));
  den = n.create<dnn::PowOp>(den, scalar(n, et, n.attrFloat("beta", 0.75f)));
  n.setOutput(0, n.create<dnn::DivOp>(x, den));
  return success();
}
} // namespace

void onnximport::registerComposedNNHandlers(HandlerRegistry &r) {
  r.add("LRN", 1, importLRN);
  r.add("LRN", 13, importLRN);
  for (int v : {10, 11, 13, 18, 19})
    r.add("Resize", v,
          [](NodeImporter &n) { return importResizeImpl(n, false); });
  for (int v : {7, 9})
    r.add("Upsample", v,
          [](NodeImporter &n) { return importResizeImpl(n, true); });
  r.add("ConvTranspose", 1, importConvTranspose);
  r.add("ConvTranspose", 11, importConvTranspose);
  r.add("InstanceNormalization", 1, importInstanceNorm);
  r.add("InstanceNormalization", 6, importInstanceNorm);
  r.add("GridSample", 16, importGridSample);
  r.add("MaxUnpool", 9, importMaxUnpool);
  r.add("MaxUnpool", 11, importMaxUnpool);
  // Resize computes coordinates and weights of run-time dims at run time.
  r.allowRuntimeDims({"Resize", "Upsample", "LRN", "InstanceNormalization",
                      "GridSample", "MaxUnpool", "ConvTranspose"});
}
