//===- ComposedTensorOps.cpp - Tensor ops, mostly compositions -----------===//
//
// Einsum, TopK, OneHot, Trilu, EyeLike, CumSum, DepthToSpace/SpaceToDepth,
// ReverseSequence and Compress expanded at import into dnn ops; GatherND,
// GatherElements, the scatters, NonZero, Det and Unique map to their own
// dnn ops.
//
//===----------------------------------------------------------------------===//
#include "Composition.h"
#include "dnnc/Dialect/DNN/IR/DNNShapes.h"
#include "mlir/IR/TypeUtilities.h"
#include "onnx/onnx_pb.h"
#include <limits>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {
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
    if (!ShapedType::isDynamic(C) && C % (b * b))
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
    if ((!ShapedType::isDynamic(H) && H % b) ||
        (!ShapedType::isDynamic(W) && W % b))
      return n.fail("spatial dims not divisible by blocksize");
    s1 = {N, C, H / b, b, W / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {N, C * b * b, H / b, W / b};
  }
  // Run-time dims: the same reshapes with run-time ONNX shape operands
  // (static sizes where the dims are known).
  Value shape1, shapeOut;
  if (!in.hasStaticShape()) {
    Type i64 = n.b.getI64Type();
    auto vec = [&](int64_t v) {
      return n.constant(DenseElementsAttr::get(RankedTensorType::get({1}, i64),
                                               ArrayRef<int64_t>{v}));
    };
    SmallVector<Value> d;
    for (int64_t i = 0; i < 4; ++i)
      d.push_back(n.create<dnn::ShapeOp>(RankedTensorType::get({1}, i64),
                                         n.input(0), n.b.getI64IntegerAttr(i),
                                         n.b.getI64IntegerAttr(i + 1)));
    auto div = [&](Value v, int64_t k) {
      return n.create<dnn::DivOp>(v, vec(k));
    };
    auto mul = [&](Value v, int64_t k) {
      return n.create<dnn::MulOp>(v, vec(k));
    };
    auto concat = [&](ArrayRef<Value> parts) {
      return n.create<dnn::ConcatOp>(
          RankedTensorType::get({(int64_t)parts.size()}, i64), parts,
          n.b.getI64IntegerAttr(0));
    };
    Value bb = vec(b);
    if (toSpace) {
      Value c = div(d[1], b * b);
      shape1 = n.attrString("mode", "DCR") == "CRD"
                   ? concat({d[0], c, bb, bb, d[2], d[3]})
                   : concat({d[0], bb, bb, c, d[2], d[3]});
      shapeOut = concat({d[0], c, mul(d[2], b), mul(d[3], b)});
    } else {
      shape1 = concat({d[0], d[1], div(d[2], b), bb, div(d[3], b), bb});
      shapeOut = concat({d[0], mul(d[1], b * b), div(d[2], b), div(d[3], b)});
    }
    // Sizes derived from run-time dims are run-time.
    auto derive = [&](SmallVector<int64_t> &v, ArrayRef<int64_t> from) {
      for (auto [i, src] : llvm::enumerate(from))
        if (src >= 0 && ShapedType::isDynamic(in.getDimSize(src)))
          v[i] = ShapedType::kDynamic;
    };
    bool crd = toSpace && n.attrString("mode", "DCR") == "CRD";
    derive(s1, toSpace ? (crd ? ArrayRef<int64_t>{0, 1, -1, -1, 2, 3}
                              : ArrayRef<int64_t>{0, -1, -1, 1, 2, 3})
                       : ArrayRef<int64_t>{0, 1, 2, -1, 3, -1});
    derive(out, {0, 1, 2, 3});
  }
  Value x = n.create<dnn::ReshapeOp>(RankedTensorType::get(s1, et), n.input(0),
                                     shape1);
  SmallVector<int64_t> s2;
  for (int64_t p : perm)
    s2.push_back(s1[p]);
  x = n.create<dnn::TransposeOp>(RankedTensorType::get(s2, et), x,
                                 n.b.getDenseI64ArrayAttr(perm));
  n.setOutput(
      0, n.create<dnn::ReshapeOp>(RankedTensorType::get(out, et), x, shapeOut));
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
  int64_t rank = in.getRank();
  int64_t rows = in.getDimSize(rank - 2), cols = in.getDimSize(rank - 1);
  if (ShapedType::isDynamic(rows) || ShapedType::isDynamic(cols)) {
    // Run-time sizes: the mask compares column - row with k.
    Type i64 = n.b.getI64Type();
    Value i = iotaOf(n, n.input(0), rank - 2, rank, rank - 2);
    Value j = iotaOf(n, n.input(0), rank - 1, rank, rank - 1);
    Value diff = n.create<dnn::SubOp>(j, i);
    Value kc = scalar(n, i64, k);
    Value m = upper ? n.create<dnn::GreaterEqualOp>(diff, kc)
                    : n.create<dnn::LessEqualOp>(diff, kc);
    n.setOutput(0, n.create<dnn::WhereOp>(m, n.input(0),
                                          scalar(n, in.getElementType(), 0)));
    return success();
  }
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
  if (!in.hasStaticShape()) {
    // Run-time sizes: ones where column - row == k.
    Type i64 = n.b.getI64Type();
    Value diff = n.create<dnn::SubOp>(iotaOf(n, n.input(0), 1, 2, 1),
                                      iotaOf(n, n.input(0), 0, 2, 0));
    Value on = n.create<dnn::EqualOp>(diff, scalar(n, i64, k));
    n.setOutput(
        0, n.create<dnn::CastOp>(RankedTensorType::get(in.getShape(), et), on));
    return success();
  }
  SmallVector<Attribute> vals;
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) {
      bool one = j - i == k;
      vals.push_back(isa<FloatType>(et)
                         ? (Attribute)n.b.getFloatAttr(et, one)
                         : (Attribute)n.b.getIntegerAttr(et, one));
    }
  n.setOutput(0, n.constant(DenseElementsAttr::get(
                     RankedTensorType::get({r, c}, et), vals)));
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
  if (ShapedType::isDynamic(len)) {
    // Run-time length: T[i][j] from iotas over the (last) axis of x.
    Type i64 = n.b.getI64Type();
    Value i = iotaOf(n, x, rank - 1, 2, 1), j = iotaOf(n, x, rank - 1, 2, 1);
    i = n.create<dnn::TransposeOp>(
        RankedTensorType::get({ShapedType::kDynamic, 1}, i64), i,
        n.b.getDenseI64ArrayAttr({1, 0}));
    Value on = reverse ? (exclusive ? n.create<dnn::GreaterOp>(i, j)
                                    : n.create<dnn::GreaterEqualOp>(i, j))
                       : (exclusive ? n.create<dnn::LessOp>(i, j)
                                    : n.create<dnn::LessEqualOp>(i, j));
    auto tt =
        RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic}, et);
    Value t = n.create<dnn::CastOp>(tt, on);
    x = n.create<dnn::MatMulOp>(x, t);
    if (axis != rank - 1)
      x = n.create<dnn::TransposeOp>(in, x, n.b.getDenseI64ArrayAttr(inv));
    n.setOutput(0, x);
    return success();
  }
  SmallVector<Attribute> tri;
  for (int64_t i = 0; i < len; ++i)
    for (int64_t j = 0; j < len; ++j) {
      // out[j] = sum_i x[i] * T[i][j]
      bool on =
          reverse ? (exclusive ? i > j : i >= j) : (exclusive ? i < j : i <= j);
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
    idx = n.create<dnn::CastOp>(
        RankedTensorType::get(it.getShape(), n.b.getI64Type()), idx);
  Type i64 = n.b.getI64Type();
  Value isNeg = n.create<dnn::LessOp>(idx, scalar(n, i64, 0));
  idx = n.create<dnn::WhereOp>(
      isNeg, n.create<dnn::AddOp>(idx, scalar(n, i64, depth)), idx);
  SmallVector<int64_t> ushape(it.getShape());
  ushape.insert(ushape.begin() + axis, 1);
  idx = n.create<dnn::UnsqueezeOp>(RankedTensorType::get(ushape, i64), idx,
                                   n.b.getDenseI64ArrayAttr({axis}));
  Value hot = n.create<dnn::EqualOp>(idx, iota(n, rank, axis, depth));
  // values = [off, on]
  auto one = RankedTensorType::get({1}, n.b.getI64Type());
  auto st = RankedTensorType::get({1}, et);
  Value off = n.create<dnn::GatherOp>(
      st, values, n.constant(DenseElementsAttr::get(one, (int64_t)0)),
      n.b.getI64IntegerAttr(0));
  Value on = n.create<dnn::GatherOp>(
      st, values, n.constant(DenseElementsAttr::get(one, (int64_t)1)),
      n.b.getI64IntegerAttr(0));
  n.setOutput(0, n.create<dnn::WhereOp>(hot, on, off));
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
      if (v != n.input(i))
        return n.fail("several repeated labels in one operand are not "
                      "supported");
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
      flat.push_back(staticProduct({dim, dim}));
      int64_t r = tshape.size();
      v = reshapeTo(n, v, flat,
                    {dimsOf(n, v, 0, r - 2), dimProduct(n, v, r - 2, r)});
      // Diagonal positions k * (dim + 1), k < dim.
      Type i64 = n.b.getI64Type();
      Value idx = n.create<dnn::MulOp>(
          iotaOf(n, n.input(i), p, 1, 0),
          n.create<dnn::AddOp>(dimAs(n, n.input(i), p, i64),
                               scalar(n, i64, 1)));
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
        if (it->second == 1 || ShapedType::isDynamic(it->second))
          it->second = d;
        else if (d != 1 && !ShapedType::isDynamic(d))
          return n.fail("label dims differ");
      }
    }
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
    SmallVector<int64_t> perm, shape;
    auto vt = cast<RankedTensorType>(v.getType());
    for (char ch : to) {
      perm.push_back(from.find(ch));
      shape.push_back(vt.getDimSize(perm.back()));
    }
    return n.create<dnn::TransposeOp>(RankedTensorType::get(shape, et), v,
                                      n.b.getDenseI64ArrayAttr(perm));
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
    // [batch..., M, K] x [batch..., K, N]: dnn.matmul broadcasts the batch
    // dims; the groups of M, K and N labels are flattened (their sizes from
    // run-time pieces when not static).
    av = permute(av, a, batch + m + k);
    bv = permute(bv, b, batch + k + nn);
    int64_t nb = batch.size();
    // [batch..., prod(dims [nb, split)), prod(dims [split, rank))].
    auto group = [&](Value v, int64_t split) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t r = t.getRank();
      SmallVector<int64_t> shape(t.getShape().take_front(nb));
      shape.push_back(staticProduct(t.getShape().slice(nb, split - nb)));
      shape.push_back(staticProduct(t.getShape().drop_front(split)));
      return reshapeTo(n, v, shape,
                       {dimsOf(n, v, 0, nb), dimProduct(n, v, nb, split),
                        dimProduct(n, v, split, r)});
    };
    int64_t nm = m.size(), nk = k.size(), nn2 = nn.size();
    Value mm = n.create<dnn::MatMulOp>(group(av, nb + nm), group(bv, nb + nk));
    // Unflatten to [batch..., m labels..., n labels...].
    auto mmt = cast<RankedTensorType>(mm.getType());
    auto at = cast<RankedTensorType>(av.getType());
    auto bt = cast<RankedTensorType>(bv.getType());
    SmallVector<int64_t> rshape(mmt.getShape().take_front(nb));
    llvm::append_range(rshape, at.getShape().slice(nb, nm));
    llvm::append_range(rshape, bt.getShape().slice(nb + nk, nn2));
    result = reshapeTo(n, mm, rshape,
                       {dimsOf(n, mm, 0, nb), dimsOf(n, av, nb, nb + nm),
                        dimsOf(n, bv, nb + nk, nb + nk + nn2)});
    resLabels = batch + m + nn;
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
  // A run-time axis length shorter than k selects masked (+-inf) entries
  // after the real ones; ONNX declares that input invalid.
  if (k < 0 || (!ShapedType::isDynamic(len) && k > len))
    return n.fail("k is out of range");
  if (k > 64)
    return n.fail("k > 64 is not supported");
  bool largest = n.attrInt("largest", 1);
  if (!isa<FloatType>(et))
    return n.fail("integer inputs are not supported");
  auto keepT = RankedTensorType::get(reduceShape(in.getShape(), {axis}, true),
                                     n.b.getI64Type());
  auto keepV = RankedTensorType::get(keepT.getShape(), et);
  Value iotaV = iotaOf(n, n.input(0), axis, rank, axis);
  double inf = std::numeric_limits<double>::infinity();
  Value x = n.input(0);
  SmallVector<Value> vals, idxs;
  for (int64_t i = 0; i < k; ++i) {
    Value idx;
    if (largest)
      idx = n.create<dnn::ArgMaxOp>(keepT, x, n.b.getI64IntegerAttr(axis),
                                    n.b.getBoolAttr(true),
                                    n.b.getBoolAttr(false));
    else
      idx = n.create<dnn::ArgMinOp>(keepT, x, n.b.getI64IntegerAttr(axis),
                                    n.b.getBoolAttr(true),
                                    n.b.getBoolAttr(false));
    vals.push_back(n.create<dnn::GatherElementsOp>(
        keepV, n.input(0), idx, n.b.getI64IntegerAttr(axis)));
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

/// GatherND: the tuple length m is indices' last dim, or, when that is a
/// run-time dim, follows from the declared output rank.
LogicalResult importGatherND(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1);
  int64_t b = n.attrInt("batch_dims", 0);
  int64_t q = it.getRank(), r = dt.getRank();
  if (q < 1)
    return n.fail("indices must have rank >= 1");
  int64_t m = it.getDimSize(q - 1);
  if (ShapedType::isDynamic(m)) {
    auto declared = n.declaredOutputType(0);
    if (!declared)
      return n.fail("the index tuple length (indices' last dim) must be "
                    "static, or the output rank declared");
    m = q - 1 + r - b - declared.getRank();
  }
  if (b < 0 || m < 1 || b + m > r || b > q - 1)
    return n.fail("indices do not fit the data");
  Value idx = n.input(1);
  if (!it.getElementType().isInteger(64))
    idx = n.create<dnn::CastOp>(
        RankedTensorType::get(it.getShape(), n.b.getI64Type()), idx);
  SmallVector<int64_t> shape(it.getShape().drop_back());
  llvm::append_range(shape, dt.getShape().drop_front(b + m));
  n.setOutput(0,
              n.create<dnn::GatherNDOp>(
                  RankedTensorType::get(shape, dt.getElementType()), n.input(0),
                  idx, n.b.getI64IntegerAttr(b), n.b.getI64IntegerAttr(m)));
  return success();
}

LogicalResult importScatterElements(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1);
  int64_t axis = n.attrInt("axis", 0);
  if (failed(normalizeAxis(axis, dt.getRank())))
    return n.fail("axis out of range");
  if (it.getRank() != dt.getRank() ||
      it.getShape() != n.inputType(2).getShape())
    return n.fail("indices and updates must match and have the rank of data");
  n.setOutput(0, n.create<dnn::ScatterElementsOp>(
                     dt, n.input(0), n.input(1), n.input(2),
                     n.b.getI64IntegerAttr(axis),
                     n.b.getStringAttr(n.attrString("reduction", "none"))));
  return success();
}

LogicalResult importScatterND(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1), ut = n.inputType(2);
  // Tuple length k: indices' last dim, or from the ranks when that is a
  // run-time dim (updates has rank q - 1 + r - k).
  int64_t k = it.getRank() - 1 + dt.getRank() - ut.getRank();
  int64_t last = it.getRank() ? it.getDimSize(it.getRank() - 1) : 0;
  if (it.getRank() < 1 || k < 0 || k > dt.getRank() ||
      (!ShapedType::isDynamic(last) && last != k))
    return n.fail(
        "updates must have shape indices.shape[:-1] + data.shape[k:]");
  Shape expected(it.getShape().drop_back());
  llvm::append_range(expected, dt.getShape().drop_front(k));
  if (failed(verifyCompatibleShape(ut.getShape(), expected)))
    return n.fail(
        "updates must have shape indices.shape[:-1] + data.shape[k:]");
  n.setOutput(0, n.create<dnn::ScatterNDOp>(
                     dt, n.input(0), n.input(1), n.input(2),
                     n.b.getStringAttr(n.attrString("reduction", "none"))));
  return success();
}
} // namespace

/// ReverseSequence: along the time axis, the first seq_lens[b] elements of
/// batch b are reversed: a gather at t < len ? len - 1 - t : t.
static LogicalResult importReverseSequence(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t rank = in.getRank();
  int64_t timeAxis = n.attrInt("time_axis", 0);
  int64_t batchAxis = n.attrInt("batch_axis", 1);
  if (rank < 2 || timeAxis == batchAxis || (timeAxis != 0 && timeAxis != 1) ||
      (batchAxis != 0 && batchAxis != 1))
    return n.fail("time_axis and batch_axis must be 0 and 1 (either order)");
  Type i64 = n.b.getI64Type();
  Value lens = n.input(1);
  auto lt = n.inputType(1);
  if (!lt.getElementType().isInteger(64))
    lens =
        n.create<dnn::CastOp>(RankedTensorType::get(lt.getShape(), i64), lens);
  SmallVector<int64_t> ls(rank, 1), unitAxes;
  ls[batchAxis] = in.getDimSize(batchAxis);
  for (int64_t i = 0; i < rank; ++i)
    if (i != batchAxis)
      unitAxes.push_back(i);
  lens = n.create<dnn::UnsqueezeOp>(RankedTensorType::get(ls, i64), lens,
                                    n.b.getDenseI64ArrayAttr(unitAxes));
  Value t = iotaOf(n, n.input(0), timeAxis, rank, timeAxis);
  Value rev =
      n.create<dnn::SubOp>(n.create<dnn::SubOp>(lens, scalar(n, i64, 1)), t);
  Value src = n.create<dnn::WhereOp>(n.create<dnn::LessOp>(t, lens), rev, t);
  // Broadcast over the remaining dims (adding zero iotas keeps run-time
  // dims run-time; static shapes fold to an expand).
  if (in.hasStaticShape()) {
    src =
        n.create<dnn::ExpandOp>(RankedTensorType::get(in.getShape(), i64), src);
  } else {
    for (int64_t d = 2; d < rank; ++d)
      src = n.create<dnn::AddOp>(
          src, n.create<dnn::MulOp>(iotaOf(n, n.input(0), d, rank, d),
                                    scalar(n, i64, 0)));
  }
  n.setOutput(0, n.create<dnn::GatherElementsOp>(
                     in, n.input(0), src, n.b.getI64IntegerAttr(timeAxis)));
  return success();
}

/// NonZero: positions of the non-zero elements (a run-time count).
static LogicalResult importNonZero(NodeImporter &n) {
  auto in = n.inputType(0);
  auto t = RankedTensorType::get(
      {std::max<int64_t>(in.getRank(), 1), ShapedType::kDynamic},
      n.b.getI64Type());
  n.setOutput(0, n.create<dnn::NonZeroOp>(t, n.input(0)));
  return success();
}

/// Compress: the slices along `axis` (of the flattened input without one)
/// whose condition is true, as a gather at NonZero(condition).
static LogicalResult importCompress(NodeImporter &n) {
  auto in = n.inputType(0), ct = n.inputType(1);
  if (ct.getRank() != 1)
    return n.fail("condition must be 1-D");
  Value x = n.input(0);
  int64_t axis = 0;
  if (n.attr("axis")) {
    axis = n.attrInt("axis", 0);
    if (failed(normalizeAxis(axis, in.getRank())))
      return n.fail("axis out of range");
  } else {
    int64_t total =
        in.hasStaticShape() ? in.getNumElements() : ShapedType::kDynamic;
    x = n.create<dnn::FlattenOp>(
        RankedTensorType::get({1, total}, in.getElementType()), x,
        n.b.getI64IntegerAttr(0));
    x = n.create<dnn::SqueezeOp>(
        RankedTensorType::get({total}, in.getElementType()), x,
        n.b.getDenseI64ArrayAttr({0}));
  }
  Type i64 = n.b.getI64Type();
  auto dyn = ShapedType::kDynamic;
  Value nz = n.create<dnn::NonZeroOp>(RankedTensorType::get({1, dyn}, i64),
                                      n.input(1));
  Value idx = n.create<dnn::SqueezeOp>(RankedTensorType::get({dyn}, i64), nz,
                                       n.b.getDenseI64ArrayAttr({0}));
  auto xt = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(xt.getShape());
  shape[axis] = dyn;
  n.setOutput(0, n.create<dnn::GatherOp>(
                     RankedTensorType::get(shape, xt.getElementType()), x, idx,
                     n.b.getI64IntegerAttr(axis)));
  return success();
}

/// Det: the batch dims flattened around dnn.det.
static LogicalResult importDet(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t r = in.getRank();
  Type et = in.getElementType();
  if (r < 2 || !isa<FloatType>(et))
    return n.fail("input must be a float tensor of rank >= 2");
  ArrayRef<int64_t> batch = in.getShape().drop_back(2);
  Value x = n.input(0);
  Value x3 = reshapeTo(
      n, x, {staticProduct(batch), in.getDimSize(r - 2), in.getDimSize(r - 1)},
      {dimProduct(n, x, 0, r - 2), dimsOf(n, x, r - 2, r)});
  auto x3t = cast<RankedTensorType>(x3.getType());
  Value d =
      n.create<dnn::DetOp>(RankedTensorType::get({x3t.getDimSize(0)}, et), x3);
  n.setOutput(0, reshapeTo(n, d, batch, {dimsOf(n, x, 0, r - 2)}));
  return success();
}

/// Unique: the input (flattened, or its slices along `axis`) as the rows of
/// a matrix; dnn.unique gives the index maps, a gather the values.
static LogicalResult importUnique(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t rank = in.getRank();
  Type et = in.getElementType(), i64 = n.b.getI64Type();
  Value x = n.input(0), rows, source;
  int64_t axis = 0;
  auto dyn = ShapedType::kDynamic;
  if (!n.attr("axis")) {
    source =
        reshapeTo(n, x, {staticProduct(in.getShape())}, {i64Vector(n, {-1})});
    auto st = cast<RankedTensorType>(source.getType());
    rows = n.create<dnn::UnsqueezeOp>(
        RankedTensorType::get({st.getDimSize(0), 1}, et), source,
        n.b.getDenseI64ArrayAttr({1}));
  } else {
    axis = n.attrInt("axis", 0);
    if (failed(normalizeAxis(axis, rank)))
      return n.fail("axis out of range");
    source = x;
    SmallVector<int64_t> perm = {axis}, shape = {in.getDimSize(axis)};
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis) {
        perm.push_back(i);
        shape.push_back(in.getDimSize(i));
      }
    Value t = n.create<dnn::TransposeOp>(RankedTensorType::get(shape, et), x,
                                         n.b.getDenseI64ArrayAttr(perm));
    rows =
        reshapeTo(n, t, {shape[0], staticProduct(ArrayRef(shape).drop_front())},
                  {dimsOf(n, t, 0, 1), dimProduct(n, t, 1, rank)});
  }
  auto rt = cast<RankedTensorType>(rows.getType());
  auto kt = RankedTensorType::get({dyn}, i64);
  auto u = dnn::UniqueOp::create(
      n.b, n.loc,
      TypeRange{kt, RankedTensorType::get({rt.getDimSize(0)}, i64), kt}, rows,
      n.b.getBoolAttr(n.attrInt("sorted", 1)));
  auto srcT = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> yshape(srcT.getShape());
  yshape[axis] = dyn;
  n.setOutput(0, n.create<dnn::GatherOp>(RankedTensorType::get(yshape, et),
                                         source, u.getFirst(),
                                         n.b.getI64IntegerAttr(axis)));
  n.setOutput(1, u.getFirst());
  n.setOutput(2, u.getInverse());
  n.setOutput(3, u.getCounts());
  return success();
}

void onnximport::registerComposedTensorHandlers(HandlerRegistry &r) {
  // Run-time dims: compositions over run-time iotas (Composition.h iotaOf).
  r.allowRuntimeDims({"GatherElements", "Trilu", "EyeLike", "CumSum",
                      "DepthToSpace", "SpaceToDepth", "Scatter",
                      "ScatterElements", "ScatterND", "NonZero", "Compress",
                      "OneHot", "TopK", "ReverseSequence", "Einsum", "Det",
                      "GatherND", "Unique"});
  r.add("Scatter", 9, importScatterElements);
  for (int v : {11, 13, 16, 18}) {
    r.add("ScatterElements", v, importScatterElements);
    r.add("ScatterND", v, importScatterND);
  }
  for (int v : {1, 10, 11})
    r.add("TopK", v, importTopK);
  r.add("GatherND", 11, importGatherND);
  r.add("GatherND", 12, importGatherND);
  r.add("GatherND", 13, importGatherND);
  r.add("Einsum", 12, importEinsum);
  r.add("DepthToSpace", 1,
        [](NodeImporter &n) { return importDepthSpace(n, true); });
  r.add("DepthToSpace", 11,
        [](NodeImporter &n) { return importDepthSpace(n, true); });
  r.add("DepthToSpace", 13,
        [](NodeImporter &n) { return importDepthSpace(n, true); });
  r.add("SpaceToDepth", 1,
        [](NodeImporter &n) { return importDepthSpace(n, false); });
  r.add("SpaceToDepth", 13,
        [](NodeImporter &n) { return importDepthSpace(n, false); });
  r.add("Trilu", 14, importTrilu);
  r.add("EyeLike", 9, importEyeLike);
  r.add("CumSum", 11, importCumSum);
  r.add("CumSum", 14, importCumSum);
  r.add("GatherElements", 11, importGatherElements);
  r.add("GatherElements", 13, importGatherElements);
  r.add("ReverseSequence", 10, importReverseSequence);
  for (int v : {9, 13})
    r.add("NonZero", v, importNonZero);
  r.add("Compress", 9, importCompress);
  r.add("Compress", 11, importCompress);
  r.add("OneHot", 9, importOneHot);
  r.add("OneHot", 11, importOneHot);
  r.add("Det", 11, importDet);
  r.add("Unique", 11, importUnique);
}
