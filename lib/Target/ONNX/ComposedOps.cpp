//===- ComposedOps.cpp - ONNX ops imported as compositions of dnn ops -----===//
//
// Operators that are small compositions of existing dnn ops (ReduceL2 =
// Sqrt(ReduceSum(x * x)), Trilu = Where(mask, x, 0), CumSum = a matmul with
// a triangular matrix, ...) are expanded at import instead of growing the
// dialect. Masks and index tensors are compile-time constants (static shapes).
//
//===----------------------------------------------------------------------===//
#include "NodeImporter.h"
#include "onnx/onnx_pb.h"
#include "dnnc/Dialect/DNN/IR/DNNShapes.h"
#include <limits>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {

/// A rank-0 constant of `et` holding `v`.
Value scalar(NodeImporter &n, Type et, double v) {
  auto t = RankedTensorType::get({}, et);
  if (isa<FloatType>(et))
    return n.constant(DenseElementsAttr::get(t, n.b.getFloatAttr(et, v)));
  return n.constant(DenseElementsAttr::get(t, n.b.getIntegerAttr(et, (int64_t)v)));
}

template <typename OpTy>
Value unary(NodeImporter &n, Value x) {
  return n.create<OpTy>(x.getType(), x);
}

RankedTensorType boolLike(NodeImporter &n, Value v) {
  return RankedTensorType::get(cast<RankedTensorType>(v.getType()).getShape(),
                               n.b.getI1Type());
}

/// Reduce-family ops expressed as pre/post elementwise ops around ReduceSum
/// (axes handling shared with the ReduceSum handler semantics).
template <typename Pre, typename Post>
Handler composedReduce(int64_t axesInputSince, Pre pre, Post post) {
  return [=](NodeImporter &n) -> LogicalResult {
    auto in = n.inputType(0);
    if (!isa<FloatType>(in.getElementType()) && !in.getElementType().isInteger(32) &&
        !in.getElementType().isInteger(64))
      return n.fail("unsupported element type");
    SmallVector<int64_t> norm;
    bool noop;
    if (failed(n.reduceAxes(axesInputSince, norm, noop)))
      return failure();
    if (noop) {
      n.setOutput(0, post(n, pre(n, n.input(0))));
      return success();
    }
    bool keep = n.attrInt("keepdims", 1);
    Value x = pre(n, n.input(0));
    auto t = RankedTensorType::get(reduceShape(in.getShape(), norm, keep),
                                   in.getElementType());
    Value r = n.create<dnn::ReduceSumOp>(t, x, n.b.getDenseI64ArrayAttr(norm),
                                         n.b.getBoolAttr(keep));
    n.setOutput(0, post(n, r));
    return success();
  };
}

Value identity(NodeImporter &, Value x) { return x; }
Value square(NodeImporter &n, Value x) { return n.create<dnn::MulOp>(x, x); }

LogicalResult importIsNaN(NodeImporter &n) {
  Value x = n.input(0);
  if (!isa<FloatType>(n.inputType(0).getElementType()))
    return n.fail("non-float input");
  Value eq = n.create<dnn::EqualOp>(x, x);
  n.setOutput(0, n.create<dnn::NotOp>(eq.getType(), eq));
  return success();
}

LogicalResult importIsInf(NodeImporter &n) {
  Value x = n.input(0);
  Type et = n.inputType(0).getElementType();
  if (!isa<FloatType>(et))
    return n.fail("non-float input");
  bool pos = n.attrInt("detect_positive", 1), neg = n.attrInt("detect_negative", 1);
  double inf = std::numeric_limits<double>::infinity();
  Value r;
  if (pos && neg)
    r = n.create<dnn::EqualOp>(unary<dnn::AbsOp>(n, x), scalar(n, et, inf));
  else if (pos)
    r = n.create<dnn::EqualOp>(x, scalar(n, et, inf));
  else if (neg)
    r = n.create<dnn::EqualOp>(x, scalar(n, et, -inf));
  else
    r = n.constant(DenseElementsAttr::get(boolLike(n, x), false));
  n.setOutput(0, r);
  return success();
}

LogicalResult importThresholdedRelu(NodeImporter &n) {
  Value x = n.input(0);
  Type et = n.inputType(0).getElementType();
  Value gt = n.create<dnn::GreaterOp>(x, scalar(n, et, n.attrFloat("alpha", 1.0f)));
  n.setOutput(0, n.create<dnn::WhereOp>(gt, x, scalar(n, et, 0)));
  return success();
}

LogicalResult importShrink(NodeImporter &n) {
  Value x = n.input(0);
  Type et = n.inputType(0).getElementType();
  double bias = n.attrFloat("bias", 0), lambd = n.attrFloat("lambd", 0.5);
  Value lo = n.create<dnn::LessOp>(x, scalar(n, et, -lambd));
  Value hi = n.create<dnn::GreaterOp>(x, scalar(n, et, lambd));
  Value up = n.create<dnn::AddOp>(x, scalar(n, et, bias));
  Value down = n.create<dnn::SubOp>(x, scalar(n, et, bias));
  Value inner = n.create<dnn::WhereOp>(hi, down, scalar(n, et, 0));
  n.setOutput(0, n.create<dnn::WhereOp>(lo, up, inner));
  return success();
}

LogicalResult importMish(NodeImporter &n) {
  Value x = n.input(0);
  Value t = unary<dnn::TanhOp>(n, unary<dnn::SoftplusOp>(n, x));
  n.setOutput(0, n.create<dnn::MulOp>(x, t));
  return success();
}

LogicalResult importCelu(NodeImporter &n) {
  Value x = n.input(0);
  Type et = n.inputType(0).getElementType();
  double alpha = n.attrFloat("alpha", 1.0f);
  Value e = unary<dnn::ExpOp>(n, n.create<dnn::DivOp>(x, scalar(n, et, alpha)));
  Value neg = n.create<dnn::MulOp>(n.create<dnn::SubOp>(e, scalar(n, et, 1)),
                                   scalar(n, et, alpha));
  Value r = n.create<dnn::AddOp>(n.create<dnn::MaxOp>(x, scalar(n, et, 0)),
                                 n.create<dnn::MinOp>(neg, scalar(n, et, 0)));
  n.setOutput(0, r);
  return success();
}

LogicalResult importCastLike(NodeImporter &n) {
  auto t = RankedTensorType::get(n.inputType(0).getShape(),
                                 n.inputType(1).getElementType());
  n.setOutput(0, n.create<dnn::CastOp>(t, n.input(0)));
  return success();
}

/// DepthToSpace / SpaceToDepth as reshape -> transpose -> reshape.
LogicalResult importDepthSpace(NodeImporter &n, bool toSpace) {
  auto in = n.inputType(0);
  if (in.getRank() != 4)
    return n.fail("input must be 4-D");
  int64_t b = n.attrInt("blocksize", 0);
  if (b <= 0)
    return n.fail("blocksize must be positive");
  int64_t N = in.getDimSize(0), C = in.getDimSize(1), H = in.getDimSize(2),
          W = in.getDimSize(3);
  Type et = in.getElementType();
  SmallVector<int64_t> s1, perm, out;
  if (toSpace) {
    if (C % (b * b))
      return n.fail("channels not divisible by blocksize^2");
    bool crd = n.attrString("mode", "DCR") == "CRD";
    if (crd) {
      s1 = {N, C / (b * b), b, b, H, W};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      s1 = {N, b, b, C / (b * b), H, W};
      perm = {0, 3, 4, 1, 5, 2};
    }
    out = {N, C / (b * b), H * b, W * b};
  } else {
    if (H % b || W % b)
      return n.fail("spatial dims not divisible by blocksize");
    s1 = {N, C, H / b, b, W / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {N, C * b * b, H / b, W / b};
  }
  Value x = n.create<dnn::ReshapeOp>(RankedTensorType::get(s1, et), n.input(0));
  SmallVector<int64_t> s2;
  for (int64_t p : perm)
    s2.push_back(s1[p]);
  x = n.create<dnn::TransposeOp>(RankedTensorType::get(s2, et), x,
                                 n.b.getDenseI64ArrayAttr(perm));
  n.setOutput(0, n.create<dnn::ReshapeOp>(RankedTensorType::get(out, et), x));
  return success();
}

LogicalResult importTrilu(NodeImporter &n) {
  auto in = n.inputType(0);
  if (in.getRank() < 2)
    return n.fail("input must have rank >= 2");
  int64_t k = 0;
  if (n.hasInput(1)) {
    auto c = n.constInts(1);
    if (!c)
      return n.fail("non-constant k is not supported");
    k = (*c)[0];
  }
  bool upper = n.attrInt("upper", 1);
  int64_t rows = in.getDimSize(in.getRank() - 2), cols = in.getDimSize(in.getRank() - 1);
  SmallVector<bool> mask(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      mask[i * cols + j] = upper ? j - i >= k : j - i <= k;
  auto mt = RankedTensorType::get({rows, cols}, n.b.getI1Type());
  Value m = n.constant(DenseElementsAttr::get(mt, mask));
  n.setOutput(0, n.create<dnn::WhereOp>(m, n.input(0),
                                        scalar(n, in.getElementType(), 0)));
  return success();
}

LogicalResult importEyeLike(NodeImporter &n) {
  auto in = n.inputType(0);
  if (in.getRank() != 2)
    return n.fail("input must be 2-D");
  Type et = in.getElementType();
  if (auto *a = n.attr("dtype")) {
    et = elementTypeFromONNX(n.b.getContext(), a->i());
    if (!et)
      return n.fail("unsupported dtype " + onnxTypeName(a->i()));
  }
  int64_t k = n.attrInt("k", 0), r = in.getDimSize(0), c = in.getDimSize(1);
  SmallVector<Attribute> vals;
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) {
      bool one = j - i == k;
      vals.push_back(isa<FloatType>(et) ? (Attribute)n.b.getFloatAttr(et, one)
                                        : (Attribute)n.b.getIntegerAttr(et, one));
    }
  n.setOutput(0, n.constant(DenseElementsAttr::get(
                     RankedTensorType::get({r, c}, et), vals)));
  return success();
}

/// An i64 tensor holding 0..size-1 along `axis` of a rank-`rank` shape of
/// ones elsewhere.
Value iota(NodeImporter &n, int64_t rank, int64_t axis, int64_t size) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = size;
  SmallVector<int64_t> vals(size);
  for (int64_t i = 0; i < size; ++i)
    vals[i] = i;
  return n.constant(DenseElementsAttr::get(
      RankedTensorType::get(shape, n.b.getI64Type()), ArrayRef(vals)));
}

LogicalResult importHardmax(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t axis = n.attrInt("axis", -1);
  if (failed(normalizeAxis(axis, in.getRank())))
    return n.fail("axis out of range");
  if (n.sinceVersion < 13 && axis != in.getRank() - 1)
    return n.fail("opset < 13 Hardmax over a non-last axis is not supported");
  auto at = RankedTensorType::get(reduceShape(in.getShape(), {axis}, true),
                                  n.b.getI64Type());
  Value am = n.create<dnn::ArgMaxOp>(at, n.input(0), n.b.getI64IntegerAttr(axis),
                                     n.b.getBoolAttr(true), n.b.getBoolAttr(false));
  Value eq = n.create<dnn::EqualOp>(am, iota(n, in.getRank(), axis,
                                             in.getDimSize(axis)));
  n.setOutput(0, n.create<dnn::CastOp>(in, eq));
  return success();
}

/// CumSum along `axis` as a matmul with a triangular 0/1 matrix.
LogicalResult importCumSum(NodeImporter &n) {
  auto in = n.inputType(0);
  auto ax = n.constInts(1);
  if (!ax || ax->size() != 1)
    return n.fail("non-constant axis is not supported");
  int64_t axis = (*ax)[0], rank = in.getRank();
  if (failed(normalizeAxis(axis, rank)))
    return n.fail("axis out of range");
  Type et = in.getElementType();
  bool exclusive = n.attrInt("exclusive", 0), reverse = n.attrInt("reverse", 0);
  // Move the axis last.
  SmallVector<int64_t> perm, inv(rank), shape;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      perm.push_back(i);
  perm.push_back(axis);
  for (int64_t i = 0; i < rank; ++i) {
    inv[perm[i]] = i;
    shape.push_back(in.getDimSize(perm[i]));
  }
  Value x = n.input(0);
  if (axis != rank - 1)
    x = n.create<dnn::TransposeOp>(RankedTensorType::get(shape, et), x,
                                   n.b.getDenseI64ArrayAttr(perm));
  int64_t len = in.getDimSize(axis);
  SmallVector<Attribute> tri;
  for (int64_t i = 0; i < len; ++i)
    for (int64_t j = 0; j < len; ++j) {
      // out[j] = sum_i x[i] * T[i][j]
      bool on = reverse ? (exclusive ? i > j : i >= j)
                        : (exclusive ? i < j : i <= j);
      tri.push_back(isa<FloatType>(et) ? (Attribute)n.b.getFloatAttr(et, on)
                                       : (Attribute)n.b.getIntegerAttr(et, on));
    }
  Value t = n.constant(
      DenseElementsAttr::get(RankedTensorType::get({len, len}, et), tri));
  x = n.create<dnn::MatMulOp>(x, t);
  if (axis != rank - 1)
    x = n.create<dnn::TransposeOp>(in, x, n.b.getDenseI64ArrayAttr(inv));
  n.setOutput(0, x);
  return success();
}

LogicalResult importGatherElements(NodeImporter &n) {
  auto in = n.inputType(0), it = n.inputType(1);
  int64_t axis = n.attrInt("axis", 0);
  if (failed(normalizeAxis(axis, in.getRank())))
    return n.fail("axis out of range");
  if (it.getRank() != in.getRank())
    return n.fail("indices must have the rank of data");
  n.setOutput(0, n.create<dnn::GatherElementsOp>(
                     RankedTensorType::get(it.getShape(), in.getElementType()),
                     n.input(0), n.input(1), n.b.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult importOneHot(NodeImporter &n) {
  auto it = n.inputType(0);
  auto depthC = n.constInput(1);
  auto values = n.input(2);
  if (!depthC)
    return n.fail("non-constant depth is not supported");
  double dv = isa<FloatType>(depthC.getElementType())
                  ? (*depthC.value_begin<APFloat>()).convertToDouble()
                  : (double)(*depthC.value_begin<APInt>()).getSExtValue();
  int64_t depth = (int64_t)dv, rank = it.getRank() + 1;
  int64_t axis = n.attrInt("axis", -1);
  if (failed(normalizeAxis(axis, rank)))
    return n.fail("axis out of range");
  auto vt = cast<RankedTensorType>(values.getType());
  Type et = vt.getElementType();
  // indices (normalized, as i64) with a unit dim at `axis`.
  Value idx = n.input(0);
  if (!it.getElementType().isInteger(64))
    idx = n.create<dnn::CastOp>(RankedTensorType::get(it.getShape(), n.b.getI64Type()), idx);
  Type i64 = n.b.getI64Type();
  Value isNeg = n.create<dnn::LessOp>(idx, scalar(n, i64, 0));
  idx = n.create<dnn::WhereOp>(isNeg, n.create<dnn::AddOp>(idx, scalar(n, i64, depth)), idx);
  SmallVector<int64_t> ushape(it.getShape());
  ushape.insert(ushape.begin() + axis, 1);
  idx = n.create<dnn::ReshapeOp>(RankedTensorType::get(ushape, i64), idx);
  Value hot = n.create<dnn::EqualOp>(idx, iota(n, rank, axis, depth));
  // values = [off, on]
  auto one = RankedTensorType::get({1}, n.b.getI64Type());
  auto st = RankedTensorType::get({1}, et);
  Value off = n.create<dnn::GatherOp>(st, values,
      n.constant(DenseElementsAttr::get(one, (int64_t)0)), n.b.getI64IntegerAttr(0));
  Value on = n.create<dnn::GatherOp>(st, values,
      n.constant(DenseElementsAttr::get(one, (int64_t)1)), n.b.getI64IntegerAttr(0));
  n.setOutput(0, n.create<dnn::WhereOp>(hot, on, off));
  return success();
}
LogicalResult importInstanceNorm(NodeImporter &n) {
  auto in = n.inputType(0);
  Type et = in.getElementType();
  if (in.getRank() < 3 || !isa<FloatType>(et))
    return n.fail("input must be a float tensor of rank >= 3");
  int64_t c = in.getDimSize(1);
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(2, in.getRank()));
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
    return n.fail("input and weight must be float tensors of the same rank >= 3");
  int64_t group = n.attrInt("group", 1);
  int64_t cin = in.getDimSize(1), mg = wt.getDimSize(1), cout = mg * group;
  if (wt.getDimSize(0) != cin || cin % group)
    return n.fail("weight shape does not match the input channels and group");
  SmallVector<int64_t> k(wt.getShape().drop_front(2));
  auto strides = n.attrInts("strides").value_or(SmallVector<int64_t>(nsp, 1));
  auto dil = n.attrInts("dilations").value_or(SmallVector<int64_t>(nsp, 1));
  auto outPad = n.attrInts("output_padding").value_or(SmallVector<int64_t>(nsp, 0));
  if ((int64_t)strides.size() != nsp || (int64_t)dil.size() != nsp ||
      (int64_t)outPad.size() != nsp)
    return n.fail("strides/dilations/output_padding need one value per spatial dim");
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  SmallVector<int64_t> pads(2 * nsp, 0);
  auto outShape = n.attrInts("output_shape");
  if (outShape && (int64_t)outShape->size() > nsp)
    outShape = SmallVector<int64_t>(outShape->end() - nsp, outShape->end());
  if (outShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < nsp; ++i) {
      int64_t want = outShape ? (*outShape)[i] : in.getDimSize(2 + i) * strides[i];
      int64_t total = strides[i] * (in.getDimSize(2 + i) - 1) + outPad[i] +
                      ((k[i] - 1) * dil[i] + 1) - want;
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
  // 1. Dilate the input by the strides.
  Value x = n.input(0);
  SmallVector<int64_t> cur(in.getShape());
  for (int64_t i = 0; i < nsp; ++i) {
    int64_t s = strides[i];
    if (s == 1)
      continue;
    int64_t d = 2 + i, len = cur[d];
    SmallVector<int64_t> s1(cur);
    s1.insert(s1.begin() + d + 1, 1);
    x = n.create<dnn::ReshapeOp>(RankedTensorType::get(s1, et), x);
    SmallVector<int64_t> p(2 * s1.size(), 0), s2(s1);
    p[s1.size() + d + 1] = s - 1;
    s2[d + 1] = s;
    x = n.create<dnn::PadOp>(RankedTensorType::get(s2, et), x,
                             n.b.getDenseI64ArrayAttr(p), n.b.getStringAttr("constant"),
                             n.b.getF64FloatAttr(0));
    SmallVector<int64_t> s3(cur);
    s3[d] = len * s;
    x = n.create<dnn::ReshapeOp>(RankedTensorType::get(s3, et), x);
    SmallVector<int64_t> s4(cur);
    s4[d] = (len - 1) * s + 1;
    x = n.create<dnn::SliceOp>(RankedTensorType::get(s4, et), x,
                               n.b.getDenseI64ArrayAttr(SmallVector<int64_t>(rank, 0)),
                               n.b.getDenseI64ArrayAttr(SmallVector<int64_t>(rank, 1)));
    cur = s4;
  }
  // 2. Pad by (k-1)*d - pads (+ output_padding at the end); crop negatives.
  SmallVector<int64_t> padv(2 * rank, 0), starts(rank, 0), padded(cur);
  bool anyPad = false, anyCrop = false;
  SmallVector<int64_t> lo(nsp), hi(nsp);
  for (int64_t i = 0; i < nsp; ++i) {
    int64_t full = (k[i] - 1) * dil[i];
    lo[i] = full - pads[i];
    hi[i] = full - pads[nsp + i] + outPad[i];
    padv[2 + i] = std::max<int64_t>(lo[i], 0);
    padv[rank + 2 + i] = std::max<int64_t>(hi[i], 0);
    padded[2 + i] = cur[2 + i] + padv[2 + i] + padv[rank + 2 + i];
    anyPad |= padv[2 + i] || padv[rank + 2 + i];
    anyCrop |= lo[i] < 0 || hi[i] < 0;
  }
  if (anyPad)
    x = n.create<dnn::PadOp>(RankedTensorType::get(padded, et), x,
                             n.b.getDenseI64ArrayAttr(padv),
                             n.b.getStringAttr("constant"), n.b.getF64FloatAttr(0));
  if (anyCrop) {
    SmallVector<int64_t> cropped(padded);
    for (int64_t i = 0; i < nsp; ++i) {
      starts[2 + i] = lo[i] < 0 ? -lo[i] : 0;
      cropped[2 + i] = padded[2 + i] - (lo[i] < 0 ? -lo[i] : 0) -
                       (hi[i] < 0 ? -hi[i] : 0);
      if (cropped[2 + i] <= 0)
        return n.fail("pads leave an empty output");
    }
    x = n.create<dnn::SliceOp>(RankedTensorType::get(cropped, et), x,
                               n.b.getDenseI64ArrayAttr(starts),
                               n.b.getDenseI64ArrayAttr(SmallVector<int64_t>(rank, 1)));
    padded = cropped;
  }
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
  if (failed(convShape(padded, wshape, ones, zeros, dil, group, out, err)))
    return n.fail(err);
  Value bias = n.hasInput(2) ? n.input(2) : Value();
  n.setOutput(0, n.create<dnn::ConvOp>(
                     RankedTensorType::get(out, et), x, w, bias,
                     n.b.getDenseI64ArrayAttr(ones), n.b.getDenseI64ArrayAttr(zeros),
                     n.b.getDenseI64ArrayAttr(dil), n.b.getI64IntegerAttr(group)));
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

/// Resize (and Upsample) as separable 1-D interpolations: along each
/// resized dim, the output is a weighted sum of gathers of the input at
/// compile-time neighbor indices (1 tap for nearest, 2 linear, 4 cubic),
/// with ONNX's edge clamping, exclude_outside and extrapolation.
LogicalResult importResizeImpl(NodeImporter &n, bool upsample) {
  auto in = n.inputType(0);
  int64_t rank = in.getRank();
  Type et = in.getElementType();
  std::string mode = n.attrString("mode", "nearest");
  std::string coord = upsample || n.sinceVersion < 11
                          ? "asymmetric"
                          : n.attrString("coordinate_transformation_mode",
                                         "half_pixel");
  std::string nearestMode = upsample ? "floor"
                            : n.sinceVersion < 11
                                ? "round_prefer_floor"
                                : n.attrString("nearest_mode", "round_prefer_floor");
  double a = n.attrFloat("cubic_coeff_a", -0.75f);
  bool exclude = n.attrInt("exclude_outside", 0);
  double extrapolation = n.attrFloat("extrapolation_value", 0.0f);
  if (n.attrString("keep_aspect_ratio_policy", "stretch") != "stretch")
    return n.fail("keep_aspect_ratio_policy other than stretch is not supported");
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
      d.scale = (double)d.out / d.in;
    } else {
      if (scales->size() != axes.size())
        return n.fail("scales need one value per axis");
      d.scale = (*scales)[k];
      d.out = (int64_t)std::floor(d.in * d.scale);
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
    bool identity = d.out == d.in && d.scale == 1.0 && coord != "tf_crop_and_resize";
    if (identity)
      continue;
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
/// Einsum with one or two operands as reduce_sum / transpose / reshape /
/// batched matmul. Labels are chars; "..." expands to fresh labels.
LogicalResult importEinsum(NodeImporter &n) {
  std::string eq;
  for (char ch : n.attrString("equation", ""))
    if (ch != ' ')
      eq += ch;
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  SmallVector<std::string> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (terms.size() != n.numInputs() || terms.size() > 2)
    return n.fail("only one- and two-operand equations are supported");
  // Expand ellipses: the broadcast dims get labels '0', '1', ...
  int64_t ellRank = 0;
  SmallVector<std::string> labels;
  for (size_t i = 0; i < terms.size(); ++i) {
    int64_t rank = n.inputType(i).getRank();
    size_t e = terms[i].find("...");
    int64_t explicitLabels = terms[i].size() - (e == std::string::npos ? 0 : 3);
    if (e != std::string::npos)
      ellRank = std::max<int64_t>(ellRank, rank - explicitLabels);
  }
  std::string ell;
  for (int64_t i = 0; i < ellRank; ++i)
    ell += char('0' + i);
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string t = terms[i];
    size_t e = t.find("...");
    if (e != std::string::npos) {
      int64_t k = n.inputType(i).getRank() - (int64_t)(t.size() - 3);
      t = t.substr(0, e) + ell.substr(ellRank - k) + t.substr(e + 3);
    }
    if ((int64_t)t.size() != n.inputType(i).getRank())
      return n.fail("equation term '" + terms[i] + "' does not match the rank");
    labels.push_back(t);
  }
  std::string out;
  if (arrow != std::string::npos) {
    out = eq.substr(arrow + 2);
    size_t e = out.find("...");
    if (e != std::string::npos)
      out = out.substr(0, e) + ell + out.substr(e + 3);
  } else {
    std::map<char, int> count;
    for (auto &t : labels)
      for (char ch : t)
        count[ch]++;
    out = ell;
    for (auto &[ch, c] : count)
      if (c == 1 && !isdigit(ch))
        out += ch;
  }
  Type et = n.inputType(0).getElementType();
  // A label repeated within one operand takes the diagonal: move the two
  // dims last, flatten them and gather every (n+1)-th element.
  SmallVector<Value> operands;
  for (size_t i = 0; i < labels.size(); ++i) {
    Value v = n.input(i);
    std::string &t = labels[i];
    for (size_t p = 0; p < t.size(); ++p) {
      size_t q = t.find(t[p], p + 1);
      if (q == std::string::npos)
        continue;
      auto vt = cast<RankedTensorType>(v.getType());
      int64_t dim = vt.getDimSize(p);
      if (vt.getDimSize(q) != dim)
        return n.fail("diagonal dims differ");
      SmallVector<int64_t> perm, shape;
      std::string rest;
      for (size_t k = 0; k < t.size(); ++k)
        if (k != p && k != q) {
          perm.push_back(k);
          shape.push_back(vt.getDimSize(k));
          rest += t[k];
        }
      perm.append({(int64_t)p, (int64_t)q});
      SmallVector<int64_t> tshape(shape);
      tshape.append({dim, dim});
      v = n.create<dnn::TransposeOp>(RankedTensorType::get(tshape, et), v,
                                     n.b.getDenseI64ArrayAttr(perm));
      SmallVector<int64_t> flat(shape);
      flat.push_back(dim * dim);
      v = n.create<dnn::ReshapeOp>(RankedTensorType::get(flat, et), v);
      SmallVector<int64_t> diag;
      for (int64_t k = 0; k < dim; ++k)
        diag.push_back(k * (dim + 1));
      Value idx = n.constant(DenseElementsAttr::get(
          RankedTensorType::get({dim}, n.b.getI64Type()), ArrayRef(diag)));
      SmallVector<int64_t> dshape(shape);
      dshape.push_back(dim);
      v = n.create<dnn::GatherOp>(RankedTensorType::get(dshape, et), v, idx,
                                  n.b.getI64IntegerAttr(shape.size()));
      t = rest + t[p];
      p = (size_t)-1; // rescan
    }
    operands.push_back(v);
  }
  std::map<char, int64_t> size;
  for (size_t i = 0; i < labels.size(); ++i)
    for (size_t k = 0; k < labels[i].size(); ++k) {
      int64_t d = cast<RankedTensorType>(operands[i].getType()).getDimSize(k);
      auto [it, fresh] = size.insert({labels[i][k], d});
      if (!fresh && it->second != d) {
        if (it->second == 1)
          it->second = d;
        else if (d != 1)
          return n.fail("label dims differ");
      }
    }
  auto type = [&](const std::string &ls) {
    SmallVector<int64_t> shape;
    for (char ch : ls)
      shape.push_back(size[ch]);
    return RankedTensorType::get(shape, et);
  };
  // Sums the labels of `v` (labelled `ls`) that `keep` does not contain.
  auto sumAway = [&](Value v, std::string &ls, const std::string &keep) {
    SmallVector<int64_t> axes;
    std::string rest;
    for (size_t k = 0; k < ls.size(); ++k) {
      if (keep.find(ls[k]) == std::string::npos)
        axes.push_back(k);
      else
        rest += ls[k];
    }
    if (axes.empty())
      return v;
    auto in = cast<RankedTensorType>(v.getType());
    auto t = RankedTensorType::get(reduceShape(in.getShape(), axes, false), et);
    ls = rest;
    return n.create<dnn::ReduceSumOp>(t, v, n.b.getDenseI64ArrayAttr(axes),
                                      n.b.getBoolAttr(false));
  };
  auto permute = [&](Value v, const std::string &from, const std::string &to) {
    if (from == to)
      return v;
    SmallVector<int64_t> perm;
    for (char ch : to)
      perm.push_back(from.find(ch));
    return n.create<dnn::TransposeOp>(type(to), v, n.b.getDenseI64ArrayAttr(perm));
  };
  Value result;
  std::string resLabels;
  if (labels.size() == 1) {
    result = sumAway(operands[0], labels[0], out);
    resLabels = labels[0];
  } else {
    std::string a = labels[0], b = labels[1];
    auto in = [](const std::string &s, char ch) {
      return s.find(ch) != std::string::npos;
    };
    // Labels only one operand has and the output does not: sum them first.
    Value av = sumAway(operands[0], a, b + out);
    Value bv = sumAway(operands[1], b, a + out);
    std::string batch, m, k, nn;
    for (char ch : a) {
      if (in(b, ch))
        (in(out, ch) ? batch : k) += ch;
      else
        m += ch;
    }
    for (char ch : b)
      if (!in(a, ch))
        nn += ch;
    // Broadcast unit batch dims: expand both to the full batch sizes.
    auto expandTo = [&](Value v, const std::string &ls) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      if (t == type(ls))
        return v;
      return n.create<dnn::ExpandOp>(type(ls), v);
    };
    av = expandTo(permute(av, a, batch + m + k), batch + m + k);
    bv = expandTo(permute(bv, b, batch + k + nn), batch + k + nn);
    auto prod = [&](const std::string &ls) {
      int64_t p = 1;
      for (char ch : ls)
        p *= size[ch];
      return p;
    };
    int64_t B = prod(batch), M = prod(m), K = prod(k), N = prod(nn);
    av = n.create<dnn::ReshapeOp>(RankedTensorType::get({B, M, K}, et), av);
    bv = n.create<dnn::ReshapeOp>(RankedTensorType::get({B, K, N}, et), bv);
    Value mm = n.create<dnn::MatMulOp>(av, bv);
    resLabels = batch + m + nn;
    result = n.create<dnn::ReshapeOp>(type(resLabels), mm);
  }
  for (char ch : out)
    if (resLabels.find(ch) == std::string::npos)
      return n.fail("output label '" + std::string(1, ch) + "' is unknown");
  n.setOutput(0, permute(result, resLabels, out));
  return success();
}
/// TopK by K rounds of arg-max (arg-min) along the axis, masking each winner
/// with -inf (+inf): ties keep the lower index first, as ONNX requires.
LogicalResult importTopK(NodeImporter &n) {
  auto in = n.inputType(0);
  Type et = in.getElementType();
  int64_t rank = in.getRank();
  int64_t axis = n.attrInt("axis", -1);
  if (failed(normalizeAxis(axis, rank)))
    return n.fail("axis out of range");
  int64_t k;
  if (n.sinceVersion < 10) {
    k = n.attrInt("k", 0);
  } else {
    auto kc = n.constInts(1);
    if (!kc || kc->size() != 1)
      return n.fail("non-constant k is not supported");
    k = (*kc)[0];
  }
  int64_t len = in.getDimSize(axis);
  if (k < 0 || k > len)
    return n.fail("k is out of range");
  if (k > 64)
    return n.fail("k > 64 is not supported");
  bool largest = n.attrInt("largest", 1);
  if (!isa<FloatType>(et))
    return n.fail("integer inputs are not supported");
  auto keepT = RankedTensorType::get(reduceShape(in.getShape(), {axis}, true),
                                     n.b.getI64Type());
  auto keepV = RankedTensorType::get(keepT.getShape(), et);
  Value iotaV = iota(n, rank, axis, len);
  double inf = std::numeric_limits<double>::infinity();
  Value x = n.input(0);
  SmallVector<Value> vals, idxs;
  for (int64_t i = 0; i < k; ++i) {
    Value idx;
    if (largest)
      idx = n.create<dnn::ArgMaxOp>(keepT, x, n.b.getI64IntegerAttr(axis),
                                    n.b.getBoolAttr(true), n.b.getBoolAttr(false));
    else
      idx = n.create<dnn::ArgMinOp>(keepT, x, n.b.getI64IntegerAttr(axis),
                                    n.b.getBoolAttr(true), n.b.getBoolAttr(false));
    vals.push_back(n.create<dnn::GatherElementsOp>(keepV, n.input(0), idx,
                                                   n.b.getI64IntegerAttr(axis)));
    idxs.push_back(idx);
    if (i + 1 < k) {
      Value hit = n.create<dnn::EqualOp>(iotaV, idx);
      x = n.create<dnn::WhereOp>(hit, scalar(n, et, largest ? -inf : inf), x);
    }
  }
  auto concat = [&](ArrayRef<Value> vs, Type elem) -> Value {
    SmallVector<int64_t> shape(in.getShape());
    shape[axis] = k;
    auto t = RankedTensorType::get(shape, elem);
    if (vs.size() == 1)
      return vs[0];
    return n.create<dnn::ConcatOp>(t, vs, n.b.getI64IntegerAttr(axis));
  };
  if (k == 0)
    return n.fail("k = 0 gives empty outputs, which are not supported");
  n.setOutput(0, concat(vals, et));
  n.setOutput(1, concat(idxs, n.b.getI64Type()));
  return success();
}

/// GatherND as a gather on the flattened indexed dims: the last index dim
/// becomes one linear index (dot product with the dims' strides).
LogicalResult importGatherND(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1);
  int64_t b = n.attrInt("batch_dims", 0);
  int64_t q = it.getRank(), r = dt.getRank(), m = it.getDimSize(q - 1);
  Type et = dt.getElementType();
  if (b < 0 || b + m > r || q < 1)
    return n.fail("indices do not fit the data");
  for (int64_t i = 0; i < b; ++i)
    if (it.getDimSize(i) != dt.getDimSize(i))
      return n.fail("batch dims of data and indices differ");
  // Data as [B, prod(indexed dims), rest...].
  int64_t batch = 1, flat = 1;
  for (int64_t i = 0; i < b; ++i)
    batch *= dt.getDimSize(i);
  SmallVector<int64_t> strides(m);
  for (int64_t i = b + m - 1, s = 1; i >= b; --i) {
    strides[i - b] = s;
    s *= dt.getDimSize(i);
    flat = s;
  }
  SmallVector<int64_t> rest(dt.getShape().drop_front(b + m));
  SmallVector<int64_t> dshape = {batch, flat};
  dshape.append(rest);
  Value data = n.create<dnn::ReshapeOp>(RankedTensorType::get(dshape, et), n.input(0));
  // Linear indices [B, G] (negative entries wrap per dim first).
  Type i64 = n.b.getI64Type();
  Value idx = n.input(1);
  if (!it.getElementType().isInteger(64))
    idx = n.create<dnn::CastOp>(RankedTensorType::get(it.getShape(), i64), idx);
  SmallVector<int64_t> dims(dt.getShape().slice(b, m));
  auto vt = RankedTensorType::get({m}, i64);
  Value dimsV = n.constant(DenseElementsAttr::get(vt, ArrayRef(dims)));
  Value neg = n.create<dnn::LessOp>(idx, scalar(n, i64, 0));
  idx = n.create<dnn::WhereOp>(neg, n.create<dnn::AddOp>(idx, dimsV), idx);
  Value lin = n.create<dnn::MulOp>(
      idx, n.constant(DenseElementsAttr::get(vt, ArrayRef(strides))));
  auto lt = RankedTensorType::get(it.getShape().drop_back(), i64);
  lin = n.create<dnn::ReduceSumOp>(lt, lin, n.b.getDenseI64ArrayAttr({q - 1}),
                                   n.b.getBoolAttr(false));
  int64_t groups = 1;
  for (int64_t i = b; i < q - 1; ++i)
    groups *= it.getDimSize(i);
  lin = n.create<dnn::ReshapeOp>(RankedTensorType::get({batch, groups}, i64), lin);
  // out[bi, g, rest] = data[bi, lin[bi, g], rest]: gather_elements needs
  // equal ranks, so gather per batch via an offset into [B*flat, rest].
  SmallVector<int64_t> offs;
  for (int64_t i = 0; i < batch; ++i)
    offs.push_back(i * flat);
  Value off = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({batch, 1}, i64), ArrayRef(offs)));
  lin = n.create<dnn::AddOp>(lin, off);
  SmallVector<int64_t> fshape = {batch * flat};
  fshape.append(rest);
  Value fdata = n.create<dnn::ReshapeOp>(RankedTensorType::get(fshape, et), data);
  SmallVector<int64_t> gshape = {batch, groups};
  gshape.append(rest);
  Value g = n.create<dnn::GatherOp>(RankedTensorType::get(gshape, et), fdata, lin,
                                    n.b.getI64IntegerAttr(0));
  SmallVector<int64_t> oshape(it.getShape().drop_back());
  oshape.append(rest);
  n.setOutput(0, n.create<dnn::ReshapeOp>(RankedTensorType::get(oshape, et), g));
  return success();
}
/// Reshapes a per-axis quantization parameter [C] to broadcast along `axis`
/// of a rank-`rank` tensor (scalars stay as they are).
Value alongAxis(NodeImporter &n, Value p, int64_t axis, int64_t rank) {
  auto t = cast<RankedTensorType>(p.getType());
  if (t.getRank() == 0 || t.getNumElements() == 1)
    return n.create<dnn::ReshapeOp>(RankedTensorType::get({}, t.getElementType()), p);
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = t.getDimSize(0);
  return n.create<dnn::ReshapeOp>(RankedTensorType::get(shape, t.getElementType()), p);
}

/// Normalizes the quantization axis; it only matters (and is only checked)
/// for per-axis scales.
LogicalResult quantAxis(NodeImporter &n, int64_t &axis, int64_t rank) {
  auto st = n.inputType(1);
  if (st.getRank() == 0 || st.getNumElements() == 1)
    return success();
  if (failed(normalizeAxis(axis, rank)))
    return n.fail("axis out of range");
  if (st.getRank() != 1 || st.getDimSize(0) != n.inputType(0).getDimSize(axis))
    return n.fail("per-axis scales must be a vector of the axis size (blocked "
                  "quantization is not supported)");
  return success();
}

/// An integer tensor as float, zero-extending unsigned 8/16-bit codes (the
/// IR's integers are signless: the ONNX type says how to read them).
Value intToFloat(NodeImporter &n, Value v, int32_t onnxType, Type ft) {
  auto t = cast<RankedTensorType>(v.getType());
  Type i32 = n.b.getI32Type();
  auto t32 = RankedTensorType::get(t.getShape(), i32);
  Value w = t.getElementType().isInteger(32) ? v : n.create<dnn::CastOp>(t32, v);
  if (onnxType == onnx::TensorProto::UINT8 || onnxType == onnx::TensorProto::UINT16) {
    int64_t mask = onnxType == onnx::TensorProto::UINT8 ? 0xff : 0xffff;
    w = n.create<dnn::AndOp>(w, scalar(n, i32, mask));
  }
  return n.create<dnn::CastOp>(RankedTensorType::get(t.getShape(), ft), w);
}

LogicalResult importDequantizeLinear(NodeImporter &n) {
  auto xt = n.inputType(0);
  int32_t code = n.onnxElemType(0);
  if (code != onnx::TensorProto::UINT8 && code != onnx::TensorProto::INT8 &&
      code != onnx::TensorProto::INT32)
    return n.fail("only uint8, int8 and int32 inputs are supported (got " +
                  onnxTypeName(code) + ")");
  Type ft = n.inputType(1).getElementType();
  int64_t axis = n.attrInt("axis", 1);
  if (failed(quantAxis(n, axis, xt.getRank())))
    return failure();
  Value x = intToFloat(n, n.input(0), code, ft);
  if (n.hasInput(2))
    x = n.create<dnn::SubOp>(
        x, alongAxis(n, intToFloat(n, n.input(2), n.onnxElemType(2), ft), axis,
                     xt.getRank()));
  n.setOutput(0, n.create<dnn::MulOp>(x, alongAxis(n, n.input(1), axis, xt.getRank())));
  return success();
}

LogicalResult importQuantizeLinear(NodeImporter &n) {
  auto xt = n.inputType(0);
  int32_t code = n.hasInput(2) ? n.onnxElemType(2) : onnx::TensorProto::UINT8;
  if (code != onnx::TensorProto::UINT8 && code != onnx::TensorProto::INT8)
    return n.fail("only uint8 and int8 outputs are supported (got " +
                  onnxTypeName(code) + ")");
  if (n.attrInt("saturate", 1) != 1)
    return n.fail("saturate=0 is not supported");
  Type ft = xt.getElementType();
  int64_t axis = n.attrInt("axis", 1);
  if (failed(quantAxis(n, axis, xt.getRank())))
    return failure();
  Value q = n.create<dnn::DivOp>(n.input(0), alongAxis(n, n.input(1), axis, xt.getRank()));
  q = n.create<dnn::RoundOp>(q.getType(), q); // half to even
  if (n.hasInput(2))
    q = n.create<dnn::AddOp>(
        q, alongAxis(n, intToFloat(n, n.input(2), code, ft), axis, xt.getRank()));
  bool u = code == onnx::TensorProto::UINT8;
  q = n.create<dnn::ClipOp>(q.getType(), q, n.b.getF64FloatAttr(u ? 0 : -128),
                            n.b.getF64FloatAttr(u ? 255 : 127));
  auto qt = cast<RankedTensorType>(q.getType());
  // Through i32: the 8-bit pattern of 128..255 is what uint8 stores.
  Value i = n.create<dnn::CastOp>(RankedTensorType::get(qt.getShape(), n.b.getI32Type()), q);
  n.setOutput(0, n.create<dnn::CastOp>(
                     RankedTensorType::get(qt.getShape(), n.b.getIntegerType(8)), i));
  return success();
}
LogicalResult importScatterElements(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1);
  int64_t axis = n.attrInt("axis", 0);
  if (failed(normalizeAxis(axis, dt.getRank())))
    return n.fail("axis out of range");
  if (it.getRank() != dt.getRank() || it.getShape() != n.inputType(2).getShape())
    return n.fail("indices and updates must match and have the rank of data");
  n.setOutput(0, n.create<dnn::ScatterElementsOp>(
                     dt, n.input(0), n.input(1), n.input(2),
                     n.b.getI64IntegerAttr(axis),
                     n.b.getStringAttr(n.attrString("reduction", "none"))));
  return success();
}

LogicalResult importScatterND(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1), ut = n.inputType(2);
  if (it.getRank() < 1 || it.getDimSize(it.getRank() - 1) > dt.getRank())
    return n.fail("index tuples do not fit the data");
  int64_t k = it.getDimSize(it.getRank() - 1);
  Shape expected(it.getShape().drop_back());
  llvm::append_range(expected, dt.getShape().drop_front(k));
  if (ut.getShape() != ArrayRef<int64_t>(expected))
    return n.fail("updates must have shape indices.shape[:-1] + data.shape[k:]");
  n.setOutput(0, n.create<dnn::ScatterNDOp>(
                     dt, n.input(0), n.input(1), n.input(2),
                     n.b.getStringAttr(n.attrString("reduction", "none"))));
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
  int64_t N = in.getDimSize(0), C = in.getDimSize(1), rest = 1;
  for (int64_t i = 2; i < in.getRank(); ++i)
    rest *= in.getDimSize(i);
  Value x = n.input(0);
  Value sq = n.create<dnn::MulOp>(x, x);
  auto t4 = RankedTensorType::get({N, 1, C, rest}, et);
  Value s4 = n.create<dnn::ReshapeOp>(t4, sq);
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  Value avg = n.create<dnn::AveragePoolOp>(
      t4, s4, n.b.getDenseI64ArrayAttr({size, 1}),
      n.b.getDenseI64ArrayAttr({1, 1}), n.b.getDenseI64ArrayAttr({lo, 0, hi, 0}),
      n.b.getDenseI64ArrayAttr({1, 1}), n.b.getBoolAttr(true));
  avg = n.create<dnn::ReshapeOp>(in, avg);
  Value den = n.create<dnn::AddOp>(
      scalar(n, et, n.attrFloat("bias", 1.0f)),
      n.create<dnn::MulOp>(avg, scalar(n, et, n.attrFloat("alpha", 1e-4f))));
  den = n.create<dnn::PowOp>(den, scalar(n, et, n.attrFloat("beta", 0.75f)));
  n.setOutput(0, n.create<dnn::DivOp>(x, den));
  return success();
}
} // namespace

void onnximport::registerComposedHandlers(HandlerRegistry &r) {
  r.add("Scatter", 9, importScatterElements);
  for (int v : {11, 13, 16, 18}) {
    r.add("ScatterElements", v, importScatterElements);
    r.add("ScatterND", v, importScatterND);
  }
  r.add("LRN", 1, importLRN);
  r.add("LRN", 13, importLRN);
  for (int v : {10, 13, 19}) {
    r.add("QuantizeLinear", v, importQuantizeLinear);
    r.add("DequantizeLinear", v, importDequantizeLinear);
  }
  for (int v : {1, 10, 11})
    r.add("TopK", v, importTopK);
  r.add("GatherND", 11, importGatherND);
  r.add("GatherND", 12, importGatherND);
  r.add("GatherND", 13, importGatherND);
  r.add("Einsum", 12, importEinsum);
  for (int v : {10, 11, 13, 18, 19})
    r.add("Resize", v, [](NodeImporter &n) { return importResizeImpl(n, false); });
  for (int v : {7, 9})
    r.add("Upsample", v, [](NodeImporter &n) { return importResizeImpl(n, true); });
  r.add("ConvTranspose", 1, importConvTranspose);
  r.add("ConvTranspose", 11, importConvTranspose);
  r.add("InstanceNormalization", 1, importInstanceNorm);
  r.add("InstanceNormalization", 6, importInstanceNorm);
  for (int v : {1, 11, 13, 18}) {
    r.add("ReduceL1", v, composedReduce(18,
        [](NodeImporter &n, Value x) { return unary<dnn::AbsOp>(n, x); }, identity));
    r.add("ReduceL2", v, composedReduce(18, square,
        [](NodeImporter &n, Value x) { return unary<dnn::SqrtOp>(n, x); }));
    r.add("ReduceSumSquare", v, composedReduce(18, square, identity));
    r.add("ReduceLogSum", v, composedReduce(18, identity,
        [](NodeImporter &n, Value x) { return unary<dnn::LogOp>(n, x); }));
    r.add("ReduceLogSumExp", v, composedReduce(18,
        [](NodeImporter &n, Value x) { return unary<dnn::ExpOp>(n, x); },
        [](NodeImporter &n, Value x) { return unary<dnn::LogOp>(n, x); }));
  }
  r.add("IsNaN", 9, importIsNaN);
  r.add("IsNaN", 13, importIsNaN);
  r.add("IsInf", 10, importIsInf);
  r.add("ThresholdedRelu", 10, importThresholdedRelu);
  r.add("Shrink", 9, importShrink);
  r.add("Mish", 18, importMish);
  r.add("Celu", 12, importCelu);
  r.add("CastLike", 15, importCastLike);
  r.add("DepthToSpace", 1, [](NodeImporter &n) { return importDepthSpace(n, true); });
  r.add("DepthToSpace", 11, [](NodeImporter &n) { return importDepthSpace(n, true); });
  r.add("DepthToSpace", 13, [](NodeImporter &n) { return importDepthSpace(n, true); });
  r.add("SpaceToDepth", 1, [](NodeImporter &n) { return importDepthSpace(n, false); });
  r.add("SpaceToDepth", 13, [](NodeImporter &n) { return importDepthSpace(n, false); });
  r.add("Trilu", 14, importTrilu);
  r.add("EyeLike", 9, importEyeLike);
  for (int v : {1, 11, 13})
    r.add("Hardmax", v, importHardmax);
  r.add("CumSum", 11, importCumSum);
  r.add("CumSum", 14, importCumSum);
  r.add("GatherElements", 11, importGatherElements);
  r.add("GatherElements", 13, importGatherElements);
  r.add("OneHot", 9, importOneHot);
  r.add("OneHot", 11, importOneHot);
}
