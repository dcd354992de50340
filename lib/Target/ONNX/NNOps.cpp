//===- NNOps.cpp - ONNX NN op handlers (conv, matmul, pool, norm, reduce) -===//
#include "Composition.h"
#include "dnnc/Dialect/DNN/IR/DNNShapes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {

/// Resolves auto_pad into explicit [begin..., end...] pads.
LogicalResult resolvePads(NodeImporter &n, ArrayRef<int64_t> inSpatial,
                          ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dil, SmallVector<int64_t> &pads) {
  size_t nsp = inSpatial.size();
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    pads = n.attrInts("pads").value_or(SmallVector<int64_t>(2 * nsp, 0));
    if (pads.size() != 2 * nsp)
      return n.fail("pads must have " + std::to_string(2 * nsp) + " values");
    return success();
  }
  pads.assign(2 * nsp, 0);
  if (autoPad == "VALID")
    return success();
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return n.fail("auto_pad '" + autoPad + "' is not supported");
  for (size_t i = 0; i < nsp; ++i) {
    if (ShapedType::isDynamic(kernel[i]))
      return n.fail("auto_pad " + autoPad + " needs a static kernel size");
    // With stride 1 the output keeps the input size whatever it is: the
    // total padding is (k - 1) * d, known at compile time.
    if (ShapedType::isDynamic(inSpatial[i]) && strides[i] != 1)
      return n.fail("auto_pad " + autoPad +
                    " with strides > 1 and run-time spatial dims is not "
                    "supported");
    if (ShapedType::isDynamic(inSpatial[i])) {
      int64_t total = (kernel[i] - 1) * dil[i];
      pads[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[nsp + i] = total - pads[i];
      continue;
    }
    int64_t out = (inSpatial[i] + strides[i] - 1) / strides[i];
    int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] +
                                 1 - inSpatial[i]);
    int64_t small = total / 2;
    pads[i] = autoPad == "SAME_UPPER" ? small : total - small;
    pads[nsp + i] = total - pads[i];
  }
  return success();
}

LogicalResult importMatMul(NodeImporter &n) {
  Value l = n.input(0), r = n.input(1);
  Shape s;
  std::string err;
  if (failed(matmulShape(n.inputType(0).getShape(), n.inputType(1).getShape(),
                         s, err)))
    return n.fail(err);
  if (n.inputType(0).getElementType() != n.inputType(1).getElementType())
    return n.fail("operand element types differ");
  n.setOutput(0, n.create<dnn::MatMulOp>(l, r));
  return success();
}

LogicalResult importGemm(NodeImporter &n) {
  auto at = n.inputType(0), bt = n.inputType(1);
  if (at.getRank() != 2 || bt.getRank() != 2)
    return n.fail("A and B must be matrices");
  bool ta = n.attrInt("transA", 0), tb = n.attrInt("transB", 0);
  int64_t m = ta ? at.getDimSize(1) : at.getDimSize(0);
  int64_t nn = tb ? bt.getDimSize(0) : bt.getDimSize(1);
  auto t = RankedTensorType::get({m, nn}, at.getElementType());
  Value c = n.hasInput(2) ? n.input(2) : Value();
  n.setOutput(
      0, n.create<dnn::GemmOp>(t, n.input(0), n.input(1), c,
                               n.b.getF32FloatAttr(n.attrFloat("alpha", 1.0f)),
                               n.b.getF32FloatAttr(n.attrFloat("beta", 1.0f)),
                               n.b.getBoolAttr(ta), n.b.getBoolAttr(tb)));
  return success();
}

} // namespace

FailureOr<Value> onnximport::convFromAttrs(NodeImporter &n, Value x,
                                           Value weight, Value bias) {
  auto in = cast<RankedTensorType>(x.getType());
  auto w = cast<RankedTensorType>(weight.getType());
  if (in.getRank() < 3 || w.getRank() != in.getRank())
    return n.fail("input and weight must have the same rank >= 3");
  size_t nsp = in.getRank() - 2;
  SmallVector<int64_t> kernel(w.getShape().drop_front(2));
  if (auto ks = n.attrInts("kernel_shape")) {
    if (ks->size() != nsp)
      return n.fail("kernel_shape needs one value per spatial dim");
    // A run-time weight takes its spatial dims from kernel_shape.
    for (size_t i = 0; i < nsp; ++i) {
      if (ShapedType::isDynamic(kernel[i]))
        kernel[i] = (*ks)[i];
      else if (kernel[i] != (*ks)[i])
        return n.fail("kernel_shape does not match the weight shape");
    }
    SmallVector<int64_t> ws(w.getShape().take_front(2));
    ws.append(kernel);
    auto refined = RankedTensorType::get(ws, w.getElementType());
    if (refined != w) {
      weight = tensor::CastOp::create(n.b, n.loc, refined, weight);
      w = refined;
    }
  }
  auto strides = n.attrInts("strides").value_or(SmallVector<int64_t>(nsp, 1));
  auto dil = n.attrInts("dilations").value_or(SmallVector<int64_t>(nsp, 1));
  if (strides.size() != nsp || dil.size() != nsp)
    return n.fail("strides/dilations need one value per spatial dim");
  SmallVector<int64_t> pads;
  if (failed(resolvePads(n, in.getShape().drop_front(2), kernel, strides, dil,
                         pads)))
    return failure();
  int64_t group = n.attrInt("group", 1);
  Shape s;
  std::string err;
  if (failed(convShape(in.getShape(), w.getShape(), strides, pads, dil, group,
                       s, err)))
    return n.fail(err);
  auto t = RankedTensorType::get(s, in.getElementType());
  return n.create<dnn::ConvOp>(
      t, x, weight, bias, n.b.getDenseI64ArrayAttr(strides),
      n.b.getDenseI64ArrayAttr(pads), n.b.getDenseI64ArrayAttr(dil),
      n.b.getI64IntegerAttr(group));
}

namespace {
LogicalResult importConv(NodeImporter &n) {
  FailureOr<Value> r = convFromAttrs(n, n.input(0), n.input(1),
                                     n.hasInput(2) ? n.input(2) : Value());
  if (failed(r))
    return failure();
  n.setOutput(0, *r);
  return success();
}

template <typename PoolOp> LogicalResult importPool(NodeImporter &n) {
  auto in = n.inputType(0);
  if (in.getRank() < 3)
    return n.fail("input must have rank >= 3");
  size_t nsp = in.getRank() - 2;
  auto kernel = n.attrInts("kernel_shape");
  if (!kernel || kernel->size() != nsp)
    return n.fail("kernel_shape needs one value per spatial dim");
  auto strides = n.attrInts("strides").value_or(SmallVector<int64_t>(nsp, 1));
  auto dil = n.attrInts("dilations").value_or(SmallVector<int64_t>(nsp, 1));
  int64_t storageOrder = n.attrInt("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return n.fail("storage_order must be 0 or 1");
  SmallVector<int64_t> pads;
  if (failed(resolvePads(n, in.getShape().drop_front(2), *kernel, strides, dil,
                         pads)))
    return failure();
  bool ceil = n.attrInt("ceil_mode", 0);
  SmallVector<int64_t> shape(in.getShape().take_front(2));
  for (size_t i = 0; i < nsp; ++i)
    shape.push_back(windowOutputSize(in.getDimSize(2 + i), (*kernel)[i],
                                     strides[i], pads[i], pads[nsp + i], dil[i],
                                     ceil));
  auto t = RankedTensorType::get(shape, in.getElementType());
  auto k = n.b.getDenseI64ArrayAttr(*kernel);
  auto s = n.b.getDenseI64ArrayAttr(strides);
  auto p = n.b.getDenseI64ArrayAttr(pads);
  auto d = n.b.getDenseI64ArrayAttr(dil);
  auto c = n.b.getBoolAttr(ceil);
  if constexpr (std::is_same_v<PoolOp, dnn::AveragePoolOp>)
    n.setOutput(0, n.create<PoolOp>(
                       t, n.input(0), k, s, p, d,
                       n.b.getBoolAttr(n.attrInt("count_include_pad", 0)), c));
  else
    n.setOutput(0, n.create<PoolOp>(t, n.input(0), k, s, p, d,
                                    isUnsignedType(n.onnxElemType(0))
                                        ? n.b.getUnitAttr()
                                        : UnitAttr(),
                                    c));
  if constexpr (std::is_same_v<PoolOp, dnn::MaxPoolOp>)
    if (n.hasOutput(1))
      n.setOutput(1, n.create<dnn::MaxPoolIndicesOp>(
                         RankedTensorType::get(shape, n.b.getI64Type()),
                         n.input(0), k, s, p, d,
                         n.b.getBoolAttr(storageOrder == 1), c));
  return success();
}

template <typename GlobalOp> LogicalResult importGlobalPool(NodeImporter &n) {
  auto in = n.inputType(0);
  if (in.getRank() < 3)
    return n.fail("input must have rank >= 3");
  SmallVector<int64_t> shape(in.getShape().take_front(2));
  shape.append(in.getRank() - 2, 1);
  n.setOutput(
      0, n.create<GlobalOp>(RankedTensorType::get(shape, in.getElementType()),
                            n.input(0)));
  return success();
}

/// BatchNormalization in training mode: normalizes with the batch statistics
/// (mean and population variance over every dim but the channels) and
/// returns the updated running mean/variance:
/// running * momentum + batch * (1 - momentum).
LogicalResult importBatchNormTraining(NodeImporter &n) {
  auto in = n.inputType(0);
  Type et = in.getElementType();
  if (!isa<FloatType>(et))
    return n.fail("training mode needs a float input");
  int64_t rank = in.getRank();
  SmallVector<int64_t> axes = {0};
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  auto keepT =
      RankedTensorType::get(reduceShape(in.getShape(), axes, true), et);
  auto vecT = RankedTensorType::get({in.getDimSize(1)}, et);
  auto axesAttr = n.b.getDenseI64ArrayAttr(axes);
  Value x = n.input(0);
  Value mean =
      n.create<dnn::ReduceMeanOp>(keepT, x, axesAttr, n.b.getBoolAttr(true));
  Value diff = n.create<dnn::SubOp>(x, mean);
  Value var = n.create<dnn::ReduceMeanOp>(
      keepT, n.create<dnn::MulOp>(diff, diff), axesAttr, n.b.getBoolAttr(true));
  auto scalarOf = [&](double v) {
    return n.constant(DenseElementsAttr::get(RankedTensorType::get({}, et),
                                             n.b.getFloatAttr(et, v)));
  };
  Value eps = scalarOf(n.attrFloat("epsilon", 1e-5f));
  Value den = n.create<dnn::SqrtOp>(keepT, n.create<dnn::AddOp>(var, eps));
  SmallVector<int64_t> ps(rank - 1, 1);
  ps[0] = in.getDimSize(1);
  auto paramT = RankedTensorType::get(ps, et);
  Value scale = n.create<dnn::ReshapeOp>(paramT, n.input(1));
  Value bias = n.create<dnn::ReshapeOp>(paramT, n.input(2));
  Value y = n.create<dnn::AddOp>(
      n.create<dnn::MulOp>(n.create<dnn::DivOp>(diff, den), scale), bias);
  n.setOutput(0, y);
  float momentum = n.attrFloat("momentum", 0.9f);
  auto update = [&](Value running, Value batch) -> Value {
    Value b = n.create<dnn::ReshapeOp>(vecT, batch);
    return n.create<dnn::AddOp>(
        n.create<dnn::MulOp>(running, scalarOf(momentum)),
        n.create<dnn::MulOp>(b, scalarOf(1.0 - momentum)));
  };
  if (n.hasOutput(1))
    n.setOutput(1, update(n.input(3), mean));
  if (n.hasOutput(2))
    n.setOutput(2, update(n.input(4), var));
  return success();
}

LogicalResult importBatchNorm(NodeImporter &n) {
  if (n.numInputs() != 5)
    return n.fail("expects 5 inputs");
  if (n.attrInt("training_mode", 0) != 0 || n.hasOutput(1)) {
    // Opset 14+ trains with training_mode; older opsets' extra outputs
    // (saved mean/var) are not supported.
    if (n.sinceVersion < 14)
      return n.fail("training mode before opset 14 is not supported");
    return importBatchNormTraining(n);
  }
  auto in = n.inputType(0);
  if (in.getRank() < 2)
    return n.fail("input must have rank >= 2");
  for (int i = 1; i < 5; ++i) {
    auto t = n.inputType(i);
    if (t.getRank() != 1 || t.getDimSize(0) != in.getDimSize(1))
      return n.fail("parameters must be vectors of the channel count");
    if (t.getElementType() != in.getElementType())
      return n.fail("mixed-precision parameters are not supported");
  }
  n.setOutput(0, n.create<dnn::BatchNormOp>(n.input(0), n.input(1), n.input(2),
                                            n.input(3), n.input(4),
                                            n.attrFloat("epsilon", 1e-5f)));
  return success();
}

/// LayerNorm with its Mean/InvStdDev outputs, from dnn primitives.
LogicalResult importLayerNormWithStats(NodeImporter &n, int64_t axis) {
  auto in = n.inputType(0);
  Type et = in.getElementType();
  SmallVector<int64_t> axes =
      llvm::to_vector(llvm::seq<int64_t>(axis, in.getRank()));
  auto kt = RankedTensorType::get(reduceShape(in.getShape(), axes, true), et);
  auto mean = [&](Value v) {
    return n.create<dnn::ReduceMeanOp>(kt, v, n.b.getDenseI64ArrayAttr(axes),
                                       n.b.getBoolAttr(true));
  };
  Value x = n.input(0);
  Value mu = mean(x);
  Value d = n.create<dnn::SubOp>(x, mu);
  Value var = mean(n.create<dnn::MulOp>(d, d));
  auto st = RankedTensorType::get({}, et);
  Value eps = n.constant(DenseElementsAttr::get(
      st, n.b.getFloatAttr(et, n.attrFloat("epsilon", 1e-5f))));
  Value inv = n.create<dnn::ReciprocalOp>(
      kt, n.create<dnn::SqrtOp>(kt, n.create<dnn::AddOp>(var, eps)));
  Value y = n.create<dnn::MulOp>(n.create<dnn::MulOp>(d, inv), n.input(1));
  if (n.hasInput(2))
    y = n.create<dnn::AddOp>(y, n.input(2));
  n.setOutput(0, y);
  n.setOutput(1, mu);
  n.setOutput(2, inv);
  return success();
}

LogicalResult importLayerNorm(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t axis = n.attrInt("axis", -1);
  if (failed(normalizeAxis(axis, in.getRank())))
    return n.fail("axis out of range");
  if (n.attrInt("stash_type", 1) != 1)
    return n.fail("stash_type other than FLOAT is not supported");
  if (!isa<FloatType>(in.getElementType()))
    return n.fail("non-float input");
  if (failed(n.checkBroadcast({n.input(0), n.input(1)}, true)))
    return failure();
  if (n.hasOutput(1) || n.hasOutput(2))
    return importLayerNormWithStats(n, axis);
  Value bias = n.hasInput(2) ? n.input(2) : Value();
  n.setOutput(0,
              n.create<dnn::LayerNormOp>(
                  in, n.input(0), n.input(1), bias, n.b.getI64IntegerAttr(axis),
                  n.b.getF32FloatAttr(n.attrFloat("epsilon", 1e-5f))));
  return success();
}

template <typename SoftOp> LogicalResult importSoftmax(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t rank = in.getRank();
  int64_t axis = n.attrInt("axis", n.sinceVersion >= 13 ? -1 : 1);
  if (failed(normalizeAxis(axis, std::max<int64_t>(rank, 1))))
    return n.fail("axis out of range");
  if (rank == 0)
    return n.fail("scalar input");
  if (n.sinceVersion >= 13 || axis == rank - 1) {
    n.setOutput(0,
                n.create<SoftOp>(in, n.input(0), n.b.getI64IntegerAttr(axis)));
    return success();
  }
  // Opset < 13: softmax over the flattened trailing dims [axis, rank).
  int64_t rows = 1, cols = 1;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t &p = i < axis ? rows : cols;
    p = ShapedType::isDynamic(p) || in.isDynamicDim(i) ? ShapedType::kDynamic
                                                       : p * in.getDimSize(i);
  }
  auto t2 = RankedTensorType::get({rows, cols}, in.getElementType());
  Value x =
      n.create<dnn::FlattenOp>(t2, n.input(0), n.b.getI64IntegerAttr(axis));
  x = n.create<SoftOp>(t2, x, n.b.getI64IntegerAttr(1));
  Value shape;
  if (!in.hasStaticShape())
    shape = n.create<dnn::ShapeOp>(
        RankedTensorType::get({rank}, n.b.getI64Type()), n.input(0),
        n.b.getI64IntegerAttr(0), n.b.getI64IntegerAttr(rank));
  n.setOutput(0, n.create<dnn::ReshapeOp>(in, x, shape));
  return success();
}

/// Reduce* ops; `axesInputSince` is the version that moved axes to an input.
template <typename ReduceOp> Handler reduce(int64_t axesInputSince) {
  return [axesInputSince](NodeImporter &n) -> LogicalResult {
    auto in = n.inputType(0);
    SmallVector<int64_t> norm;
    bool noop;
    if (failed(n.reduceAxes(axesInputSince, norm, noop)))
      return failure();
    if (noop) {
      n.setOutput(0, n.input(0));
      return success();
    }
    bool keep = n.attrInt("keepdims", 1);
    Shape s = reduceShape(in.getShape(), norm, keep);
    n.setOutput(
        0, n.create<ReduceOp>(RankedTensorType::get(s, in.getElementType()),
                              n.input(0), n.b.getDenseI64ArrayAttr(norm),
                              n.b.getBoolAttr(keep)));
    return success();
  };
}

template <typename ArgOp> LogicalResult importArg(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t axis = n.attrInt("axis", 0);
  if (failed(normalizeAxis(axis, in.getRank())))
    return n.fail("axis out of range");
  bool keep = n.attrInt("keepdims", 1);
  Shape s = reduceShape(in.getShape(), {axis}, keep);
  n.setOutput(
      0, n.create<ArgOp>(RankedTensorType::get(s, n.b.getI64Type()), n.input(0),
                         n.b.getI64IntegerAttr(axis), n.b.getBoolAttr(keep),
                         n.b.getBoolAttr(n.attrInt("select_last_index", 0))));
  return success();
}
} // namespace

void onnximport::registerNNHandlers(HandlerRegistry &r) {
  // Run-time dims; Conv and pooling also with run-time image sizes (or a
  // batch loop over static images, BatchLoop.cpp).
  r.allowRuntimeDims({"ArgMax", "ArgMin", "ReduceMax", "ReduceMean",
                      "ReduceMin", "ReduceProd", "ReduceSum", "Softmax",
                      "LogSoftmax", "LayerNormalization", "BatchNormalization",
                      "MatMul", "Gemm", "Conv", "MaxPool", "AveragePool",
                      "GlobalAveragePool", "GlobalMaxPool"});
  r.add("MatMul", 1, importMatMul);
  r.add("Gemm", 1, importGemm);
  r.add("Gemm", 6, importGemm);
  r.add("MatMul", 13, importMatMul);
  r.add("Gemm", 7, importGemm);
  r.add("Gemm", 13, importGemm);
  r.add("Conv", 1, importConv);
  r.add("Conv", 11, importConv);
  for (int v : {1, 8, 10, 11, 12})
    r.add("MaxPool", v, importPool<dnn::MaxPoolOp>);
  for (int v : {1, 7, 10, 11, 19})
    r.add("AveragePool", v, importPool<dnn::AveragePoolOp>);
  r.add("GlobalAveragePool", 1, importGlobalPool<dnn::GlobalAveragePoolOp>);
  r.add("GlobalMaxPool", 1, importGlobalPool<dnn::GlobalMaxPoolOp>);
  for (int v : {1, 6, 7, 9, 14, 15})
    r.add("BatchNormalization", v, importBatchNorm);
  r.add("LayerNormalization", 17, importLayerNorm);
  for (int v : {1, 11, 13}) {
    r.add("Softmax", v, importSoftmax<dnn::SoftmaxOp>);
    r.add("LogSoftmax", v, importSoftmax<dnn::LogSoftmaxOp>);
  }
  for (int v : {1, 11, 13}) {
    r.add("ReduceSum", v, reduce<dnn::ReduceSumOp>(13));
    r.add("ReduceMean", v, reduce<dnn::ReduceMeanOp>(18));
    r.add("ReduceMax", v, reduce<dnn::ReduceMaxOp>(18));
    r.add("ReduceMin", v, reduce<dnn::ReduceMinOp>(18));
    r.add("ReduceProd", v, reduce<dnn::ReduceProdOp>(18));
  }
  r.add("ReduceMean", 18, reduce<dnn::ReduceMeanOp>(18));
  r.add("ReduceMax", 18, reduce<dnn::ReduceMaxOp>(18));
  r.add("ReduceMin", 18, reduce<dnn::ReduceMinOp>(18));
  r.add("ReduceProd", 18, reduce<dnn::ReduceProdOp>(18));
  for (int v : {11, 12, 13}) {
    r.add("ArgMax", v, importArg<dnn::ArgMaxOp>);
    r.add("ArgMin", v, importArg<dnn::ArgMinOp>);
  }
}
