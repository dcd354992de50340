//===- DNNShapes.cpp - Shape rules of dnn ops -----------------------------===//
#include "dnnc/Dialect/DNN/IR/DNNShapes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace dnnc {

static std::string shapeStr(ArrayRef<int64_t> s) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "[";
  llvm::interleave(
      s, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      ",");
  os << "]";
  return out;
}

LogicalResult broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes, Shape &result,
                              std::string &err) {
  size_t rank = 0;
  for (auto s : shapes)
    rank = std::max(rank, s.size());
  result.assign(rank, 1);
  for (auto s : shapes) {
    size_t off = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t d = s[i];
      int64_t &r = result[off + i];
      if (d == 1)
        continue;
      if (r == 1 || r == d) {
        r = d;
        continue;
      }
      if (ShapedType::isDynamic(d) || ShapedType::isDynamic(r)) {
        r = ShapedType::isDynamic(r) ? d : r;
        continue;
      }
      err = "shapes ";
      llvm::interleave(
          shapes, [&](ArrayRef<int64_t> x) { err += shapeStr(x); },
          [&] { err += " and "; });
      err += " do not broadcast";
      return failure();
    }
  }
  return success();
}

LogicalResult matmulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                          Shape &result, std::string &err) {
  if (lhs.empty() || rhs.empty()) {
    err = "matmul operands must have rank >= 1";
    return failure();
  }
  Shape l(lhs), r(rhs);
  bool lhsVec = l.size() == 1, rhsVec = r.size() == 1;
  if (lhsVec)
    l.insert(l.begin(), 1);
  if (rhsVec)
    r.push_back(1);
  int64_t k1 = l.back(), k2 = r[r.size() - 2];
  if (k1 != k2 && !ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2)) {
    err = "matmul contraction dims differ: " + shapeStr(lhs) + " x " +
          shapeStr(rhs);
    return failure();
  }
  ArrayRef<int64_t> lb = ArrayRef<int64_t>(l).drop_back(2);
  ArrayRef<int64_t> rb = ArrayRef<int64_t>(r).drop_back(2);
  if (failed(broadcastShapes({lb, rb}, result, err)))
    return failure();
  if (!lhsVec)
    result.push_back(l[l.size() - 2]);
  if (!rhsVec)
    result.push_back(r.back());
  return success();
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode) {
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  int64_t eff = (kernel - 1) * dilation + 1;
  int64_t span = in + padBegin + padEnd - eff;
  if (span < 0)
    return 0;
  int64_t out = ceilMode ? (span + stride - 1) / stride + 1 : span / stride + 1;
  // ONNX/PyTorch: the last window must start inside the input or left pad.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

LogicalResult convShape(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                        ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                        ArrayRef<int64_t> dilations, int64_t group,
                        Shape &result, std::string &err) {
  size_t rank = input.size();
  if (rank < 3 || weight.size() != rank) {
    err = "conv input " + shapeStr(input) + " and weight " + shapeStr(weight) +
          " must have the same rank >= 3";
    return failure();
  }
  size_t nsp = rank - 2;
  if (strides.size() != nsp || dilations.size() != nsp ||
      pads.size() != 2 * nsp) {
    err = "conv strides/dilations need " + std::to_string(nsp) +
          " values and pads " + std::to_string(2 * nsp);
    return failure();
  }
  if (group < 1 ||
      (!ShapedType::isDynamic(input[1]) && !ShapedType::isDynamic(weight[1]) &&
       input[1] != weight[1] * group)) {
    err = "conv input channels " + std::to_string(input[1]) +
          " != weight channels " + std::to_string(weight[1]) + " x group " +
          std::to_string(group);
    return failure();
  }
  if (!ShapedType::isDynamic(weight[0]) && weight[0] % group != 0) {
    err = "conv output channels not divisible by group";
    return failure();
  }
  result.assign({input[0], weight[0]});
  for (size_t i = 0; i < nsp; ++i)
    result.push_back(windowOutputSize(input[2 + i], weight[2 + i], strides[i],
                                      pads[i], pads[nsp + i], dilations[i],
                                      false));
  return success();
}

Shape reduceShape(ArrayRef<int64_t> input, ArrayRef<int64_t> axes,
                  bool keepdims) {
  Shape out;
  for (size_t i = 0; i < input.size(); ++i) {
    bool reduced = axes.empty() || llvm::is_contained(axes, (int64_t)i);
    if (!reduced)
      out.push_back(input[i]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

LogicalResult normalizeAxis(int64_t &axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return failure();
  if (axis < 0)
    axis += rank;
  return success();
}

} // namespace dnnc
