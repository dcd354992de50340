//===- Importer.cpp - ONNX -> dnn importer core ---------------------------===//
//
// Loads the model with libonnx, checks it, runs ONNX shape inference (with
// data propagation) after applying user-given input shapes, then imports the
// graph node by node through the (op type, since version) handler table.
// Every op is located at fused<"OpType">[node name, file].
//
//===----------------------------------------------------------------------===//
#include "dnnc/Target/ONNX/Importer.h"
#include "NodeImporter.h"
#include "dnnc/Dialect/DNN/IR/DNNShapes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <fstream>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

//===----------------------------------------------------------------------===//
// Types and tensors
//===----------------------------------------------------------------------===//

Type onnximport::elementTypeFromONNX(MLIRContext *ctx, int32_t code) {
  Builder b(ctx);
  switch (code) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::STRING:
    return dnn::StringType::get(ctx);
  default:
    return {};
  }
}

bool onnximport::isUnsignedType(int32_t code) {
  return code == onnx::TensorProto::UINT8 ||
         code == onnx::TensorProto::UINT16 ||
         code == onnx::TensorProto::UINT32 || code == onnx::TensorProto::UINT64;
}

std::string onnximport::onnxTypeName(int32_t code) {
  if (code == kOnnxUInt4)
    return "UINT4";
  if (code == kOnnxInt4)
    return "INT4";
  if (onnx::TensorProto_DataType_IsValid(code))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(code));
  return "type " + std::to_string(code);
}

/// A 4-bit tensor (INT4 / UINT4, two values per byte, the first in the low
/// nibble, in raw_data) as i8, one value per element.
static DenseElementsAttr
fourBitTensor(MLIRContext *ctx, const onnx::TensorProto &t, std::string &err) {
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  auto type = RankedTensorType::get(shape, IntegerType::get(ctx, 8));
  int64_t n = type.getNumElements();
  const std::string &raw = t.raw_data();
  if (t.data_location() == onnx::TensorProto::EXTERNAL || !t.has_raw_data() ||
      (int64_t)raw.size() != (n + 1) / 2) {
    err = "4-bit tensor '" + t.name() + "' must hold its " + std::to_string(n) +
          " values in raw_data, two per byte";
    return {};
  }
  bool isSigned = t.data_type() == kOnnxInt4;
  SmallVector<int8_t> values(n);
  for (int64_t i = 0; i < n; ++i) {
    int v = ((uint8_t)raw[i / 2] >> (4 * (i % 2))) & 0xf;
    values[i] = (int8_t)(isSigned && v >= 8 ? v - 16 : v);
  }
  return DenseElementsAttr::get(type, ArrayRef<int8_t>(values));
}

DenseElementsAttr onnximport::tensorFromProto(MLIRContext *ctx,
                                              const onnx::TensorProto &t,
                                              const std::string &baseDir,
                                              std::string &err) {
  if (t.data_type() == kOnnxInt4 || t.data_type() == kOnnxUInt4)
    return fourBitTensor(ctx, t, err);
  Type et = elementTypeFromONNX(ctx, t.data_type());
  if (!et) {
    err = "tensor '" + t.name() + "' has unsupported element type " +
          onnxTypeName(t.data_type());
    return {};
  }
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  auto type = RankedTensorType::get(shape, et);
  int64_t n = type.getNumElements();
  if (isa<dnn::StringType>(et)) {
    if (t.data_location() == onnx::TensorProto::EXTERNAL ||
        t.string_data_size() != n) {
      err = "string tensor '" + t.name() + "' holds " +
            std::to_string(t.string_data_size()) + " strings for " +
            std::to_string(n) + " elements";
      return {};
    }
    SmallVector<StringRef> strings(t.string_data().begin(),
                                   t.string_data().end());
    return DenseStringElementsAttr::get(type, strings);
  }
  size_t width = et.isInteger(1) ? 1 : et.getIntOrFloatBitWidth() / 8;
  std::string raw;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &kv : t.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::stoll(kv.value());
      else if (kv.key() == "length")
        length = std::stoll(kv.value());
    }
    llvm::SmallString<256> p(baseDir);
    llvm::sys::path::append(p, location);
    std::ifstream f(p.str().str(), std::ios::binary);
    if (!f) {
      err = "external data file '" + p.str().str() + "' of tensor '" +
            t.name() + "' cannot be opened";
      return {};
    }
    if (length < 0)
      length = n * width;
    raw.resize(length);
    f.seekg(offset);
    f.read(raw.data(), length);
    if (f.gcount() != length) {
      err = "external data file '" + p.str().str() + "' is too short for '" +
            t.name() + "'";
      return {};
    }
  } else if (t.has_raw_data()) {
    raw = t.raw_data();
  } else {
    raw.resize(n * width);
    char *dst = raw.data();
    auto copyAs = [&](auto src, auto tag) {
      using T = decltype(tag);
      for (int64_t i = 0; i < n && i < (int64_t)src.size(); ++i) {
        T v = static_cast<T>(src[i]);
        std::memcpy(dst + i * sizeof(T), &v, sizeof(T));
      }
      return (int64_t)src.size();
    };
    int64_t have = 0;
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      have = copyAs(t.float_data(), float());
      break;
    case onnx::TensorProto::DOUBLE:
      have = copyAs(t.double_data(), double());
      break;
    case onnx::TensorProto::INT64:
      have = copyAs(t.int64_data(), int64_t());
      break;
    case onnx::TensorProto::UINT64:
      have = copyAs(t.uint64_data(), uint64_t());
      break;
    case onnx::TensorProto::UINT32:
      have = copyAs(t.uint64_data(), uint32_t());
      break;
    case onnx::TensorProto::INT32:
      have = copyAs(t.int32_data(), int32_t());
      break;
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
      have = copyAs(t.int32_data(), uint16_t());
      break;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      have = copyAs(t.int32_data(), uint8_t());
      break;
    default:
      break;
    }
    if (have != n) {
      err = "tensor '" + t.name() + "' holds " + std::to_string(have) +
            " values for " + std::to_string(n) + " elements";
      return {};
    }
  }
  if ((int64_t)raw.size() != n * (int64_t)width) {
    err = "tensor '" + t.name() + "' has " + std::to_string(raw.size()) +
          " bytes of data for " + std::to_string(n) + " elements";
    return {};
  }
  if (et.isInteger(1)) {
    SmallVector<bool> bits(n);
    for (int64_t i = 0; i < n; ++i)
      bits[i] = raw[i] != 0;
    return DenseElementsAttr::get(type, bits);
  }
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(raw.data(), raw.size()));
}

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

Value NodeImporter::input(size_t i) const {
  if (!hasInput(i))
    return {};
  auto it = state.values.find(node.input(i));
  return it == state.values.end() ? Value() : it->second;
}

RankedTensorType NodeImporter::inputType(size_t i) const {
  Value v = input(i);
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

/// The ranked tensor type of `t`; null when it is not a ranked tensor of a
/// supported element type, or has a symbolic/unknown dim and not
/// `allowDynamic` (those dims become `?`).
static RankedTensorType typeFromProto(MLIRContext *ctx,
                                      const onnx::TypeProto *t,
                                      bool allowDynamic = false) {
  if (!t || !t->has_tensor_type() || !t->tensor_type().has_shape())
    return {};
  Type et = elementTypeFromONNX(ctx, t->tensor_type().elem_type());
  if (!et)
    return {};
  SmallVector<int64_t> shape;
  for (const auto &d : t->tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0) {
      if (!allowDynamic)
        return {};
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    shape.push_back(d.dim_value());
  }
  return RankedTensorType::get(shape, et);
}

/// The sequence type of `t` (tensors of its element type and rank; unranked
/// without a declared shape); null when `t` is not a sequence of tensors.
static dnn::SequenceType sequenceTypeFromProto(MLIRContext *ctx,
                                               const onnx::TypeProto *t) {
  if (!t || !t->has_sequence_type() ||
      !t->sequence_type().elem_type().has_tensor_type())
    return {};
  const auto &tt = t->sequence_type().elem_type().tensor_type();
  Type et = elementTypeFromONNX(ctx, tt.elem_type());
  if (!et)
    return {};
  return dnn::SequenceType::get(et,
                                tt.has_shape() ? tt.shape().dim_size() : -1);
}

Type onnximport::valueTypeFromProto(MLIRContext *ctx,
                                    const onnx::TypeProto &t) {
  if (t.has_optional_type()) {
    Type inner = valueTypeFromProto(ctx, t.optional_type().elem_type());
    if (!inner || isa<dnn::OptionalType>(inner))
      return {};
    return dnn::OptionalType::get(inner);
  }
  if (auto seq = sequenceTypeFromProto(ctx, &t))
    return seq;
  return typeFromProto(ctx, &t, /*allowDynamic=*/true);
}

/// The ONNX element type code of a tensor, a sequence of tensors or an
/// optional of either.
static int32_t elemTypeCode(const onnx::TypeProto &t) {
  if (t.has_optional_type())
    return elemTypeCode(t.optional_type().elem_type());
  if (t.has_sequence_type())
    return t.sequence_type().elem_type().tensor_type().elem_type();
  return t.tensor_type().elem_type();
}

RankedTensorType NodeImporter::inferredOutputType(size_t i) const {
  if (!hasOutput(i))
    return {};
  auto it = state.types.find(node.output(i));
  return it == state.types.end() ? RankedTensorType()
                                 : typeFromProto(b.getContext(), it->second);
}

RankedTensorType NodeImporter::declaredOutputType(size_t i) const {
  if (!hasOutput(i))
    return {};
  auto it = state.types.find(node.output(i));
  return it == state.types.end()
             ? RankedTensorType()
             : typeFromProto(b.getContext(), it->second, /*allowDynamic=*/true);
}

RankedTensorType NodeImporter::outputType(size_t i) {
  if (auto t = inferredOutputType(i))
    return t;
  (void)fail("ONNX shape inference gave no static shape for output '" +
             (hasOutput(i) ? node.output(i) : std::string("?")) + "'");
  return {};
}

void NodeImporter::setOutput(size_t i, Value v) {
  if (hasOutput(i))
    state.values[node.output(i)] = v;
}

int32_t NodeImporter::onnxElemType(size_t i) const {
  if (!hasInput(i))
    return 0;
  auto it = state.initializerTypes.find(node.input(i));
  if (it != state.initializerTypes.end())
    return it->second;
  auto t = state.types.find(node.input(i));
  if (t != state.types.end())
    return elemTypeCode(*t->second);
  return 0;
}

DenseElementsAttr NodeImporter::constInput(size_t i) const {
  Value v = input(i);
  if (!v)
    return {};
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    return dyn_cast<DenseElementsAttr>(c.getValue());
  return {};
}

std::optional<SmallVector<int64_t>> NodeImporter::constInts(size_t i) const {
  auto c = dyn_cast_or_null<DenseIntElementsAttr>(constInput(i));
  if (!c)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (APInt v : c.getValues<APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeImporter::attrInt(StringRef name, int64_t dflt) const {
  auto *a = attr(name);
  return a ? a->i() : dflt;
}
float NodeImporter::attrFloat(StringRef name, float dflt) const {
  auto *a = attr(name);
  return a ? a->f() : dflt;
}
std::string NodeImporter::attrString(StringRef name, StringRef dflt) const {
  auto *a = attr(name);
  return a ? a->s() : dflt.str();
}
std::optional<SmallVector<int64_t>>
NodeImporter::attrInts(StringRef name) const {
  auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

LogicalResult NodeImporter::reduceAxes(int64_t axesInputSince,
                                       SmallVectorImpl<int64_t> &axes,
                                       bool &noop) const {
  std::optional<SmallVector<int64_t>> raw;
  if (sinceVersion >= axesInputSince) {
    if (hasInput(1) && !(raw = constInts(1)))
      return fail("non-constant axes are not supported");
  } else {
    raw = attrInts("axes");
  }
  int64_t rank = inputType(0).getRank();
  axes.clear();
  noop = false;
  if (!raw || raw->empty()) {
    noop = attrInt("noop_with_empty_axes", 0) != 0;
    return success();
  }
  for (int64_t a : *raw) {
    if (failed(normalizeAxis(a, rank)))
      return fail("axis " + std::to_string(a) + " out of range");
    axes.push_back(a);
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return success();
}

LogicalResult NodeImporter::checkBroadcast(ValueRange values,
                                           bool sameElementType) const {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : values) {
    auto t = cast<RankedTensorType>(v.getType());
    if (sameElementType &&
        t.getElementType() !=
            cast<RankedTensorType>(values[0].getType()).getElementType())
      return fail("operand element types differ");
    shapes.push_back(t.getShape());
  }
  Shape out;
  std::string err;
  if (failed(broadcastShapes(shapes, out, err)))
    return fail(err);
  return success();
}

LogicalResult NodeImporter::fail(const Twine &message) const {
  return emitError(loc) << message;
}

Value NodeImporter::tryFold(Operation *op, unsigned idx) {
  SmallVector<Attribute> operands;
  for (Value v : op->getOperands()) {
    Attribute a;
    if (auto c = v.getDefiningOp<arith::ConstantOp>())
      a = c.getValue();
    operands.push_back(a);
  }
  SmallVector<OpFoldResult> results;
  if (op->getNumResults() != 1 || failed(op->fold(operands, results)) ||
      results.size() != 1)
    return op->getResult(idx);
  if (auto v = dyn_cast<Value>(results[0])) {
    op->erase();
    return v;
  }
  auto attr = dyn_cast<DenseElementsAttr>(cast<Attribute>(results[0]));
  if (!attr || attr.getType() != op->getResult(0).getType())
    return op->getResult(idx);
  op->erase();
  return constant(attr);
}

Value NodeImporter::constant(DenseElementsAttr attr) {
  return arith::ConstantOp::create(b, loc, attr);
}

const Handler *HandlerRegistry::lookup(const std::string &opType, int64_t opset,
                                       int64_t &sinceVersion) const {
  auto it = table.find(opType);
  if (it == table.end())
    return nullptr;
  auto v = it->second.upper_bound(opset);
  if (v == it->second.begin())
    return nullptr;
  --v;
  sinceVersion = v->first;
  return &v->second;
}

//===----------------------------------------------------------------------===//
// Graph import
//===----------------------------------------------------------------------===//

static const HandlerRegistry &registry() {
  static HandlerRegistry r = [] {
    HandlerRegistry r;
    registerElementwiseHandlers(r);
    registerNNHandlers(r);
    registerTensorHandlers(r);
    registerComposedHandlers(r);
    registerComposedNNHandlers(r);
    registerComposedTensorHandlers(r);
    registerRecurrentHandlers(r);
    registerTrainingHandlers(r);
    registerSignalHandlers(r);
    registerQuantizedHandlers(r);
    registerControlFlowHandlers(r);
    registerSequenceHandlers(r);
    registerDetectionHandlers(r);
    registerTextHandlers(r);
    return r;
  }();
  return r;
}

//===----------------------------------------------------------------------===//
// Nodes and function expansion
//===----------------------------------------------------------------------===//

/// The ONNX type of an imported value (for shape inference of function
/// bodies).
static onnx::TypeProto typeProtoOf(Value v) {
  onnx::TypeProto t;
  auto rt = dyn_cast<RankedTensorType>(v.getType());
  if (!rt)
    return t;
  Type et = rt.getElementType();
  int32_t code = et.isF32()         ? 1
                 : et.isF64()       ? 11
                 : et.isF16()       ? 10
                 : et.isBF16()      ? 16
                 : et.isInteger(1)  ? 9
                 : et.isInteger(8)  ? 3
                 : et.isInteger(16) ? 5
                 : et.isInteger(32) ? 6
                                    : 7;
  auto *tt = t.mutable_tensor_type();
  tt->set_elem_type(code);
  auto *shape = tt->mutable_shape();
  for (int64_t d : rt.getShape())
    shape->add_dim()->set_dim_value(d);
  return t;
}

/// The opset version that governs `node` (the model's default-domain opset,
/// or its domain's).
static int64_t opsetOf(const onnx::NodeProto &node, const GraphState &state) {
  if (node.domain().empty() || node.domain() == "ai.onnx")
    return state.opset;
  return state.domainOpsets.lookup(node.domain());
}

/// The location of a node: its name within `parent`, tagged with the op type
/// and opset that diagnostics report.
static Location nodeLocation(MLIRContext *ctx, StringRef name, Location parent,
                             const onnx::NodeProto &node,
                             const GraphState &state) {
  NamedAttribute tags[] = {
      {StringAttr::get(ctx, "op"), StringAttr::get(ctx, node.op_type())},
      {StringAttr::get(ctx, "opset"),
       IntegerAttr::get(IntegerType::get(ctx, 64), opsetOf(node, state))}};
  return FusedLoc::get(ctx, {NameLoc::get(StringAttr::get(ctx, name)), parent},
                       DictionaryAttr::get(ctx, tags));
}

static LogicalResult importNode(const onnx::NodeProto &node, Location loc,
                                GraphState &state, OpBuilder &b, int depth);

/// Imports a node that has no handler through the function body ONNX
/// defines for its op (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss,
/// MeanVarianceNormalization, ...): the body is instantiated for the node's
/// attributes and input types, shape-inferred, and its nodes imported.
static LogicalResult importFunctionBody(const onnx::NodeProto &node,
                                        Location loc, GraphState &state,
                                        OpBuilder &b, int depth,
                                        bool &expanded) {
  expanded = false;
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      node.op_type(), (int)state.opset, node.domain());
  if (!schema ||
      (!schema->HasFunction() && !schema->HasContextDependentFunction()))
    return success();
  expanded = true;
  if (depth > 8)
    return emitError(loc) << "function expansion of " << node.op_type()
                          << " nests too deeply";
  onnx::FunctionProto fn;
  onnx::ModelProto sub;
  try {
    if (schema->HasFunction()) {
      fn = *schema->GetFunction();
    } else {
      std::vector<onnx::TypeProto> types;
      for (int i = 0; i < node.input_size(); ++i) {
        auto it = state.values.find(node.input(i));
        types.push_back(node.input(i).empty() || it == state.values.end()
                            ? onnx::TypeProto()
                            : typeProtoOf(it->second));
      }
      onnx::FunctionBodyBuildContextImpl ctx(node, types);
      if (!schema->BuildContextDependentFunction(ctx, fn))
        return emitError(loc) << "ONNX could not build the function body of "
                              << node.op_type();
    }
    // Rename: formal parameters to actual values, the rest under a prefix.
    std::string prefix = node.name() + "/" + node.op_type() + "/";
    std::map<std::string, std::string> names;
    for (int i = 0; i < fn.input_size(); ++i)
      names[fn.input(i)] = i < node.input_size() ? node.input(i) : "";
    for (int i = 0; i < fn.output_size(); ++i)
      names[fn.output(i)] = i < node.output_size() ? node.output(i) : "";
    auto rename = [&](const std::string &n) -> std::string {
      if (n.empty())
        return n;
      auto it = names.find(n);
      return it != names.end() ? it->second : prefix + n;
    };
    sub.set_ir_version(8);
    auto *imp = sub.add_opset_import();
    imp->set_domain("");
    imp->set_version(state.opset);
    onnx::GraphProto *g = sub.mutable_graph();
    g->set_name(prefix);
    for (const onnx::NodeProto &inner : fn.node()) {
      onnx::NodeProto *n = g->add_node();
      *n = inner;
      n->set_name(prefix + inner.op_type() + std::to_string(g->node_size()));
      for (int i = 0; i < n->input_size(); ++i)
        n->set_input(i, rename(inner.input(i)));
      for (int i = 0; i < n->output_size(); ++i)
        n->set_output(i, rename(inner.output(i)));
      // Attribute references take the node's value or the default.
      n->clear_attribute();
      for (const onnx::AttributeProto &a : inner.attribute()) {
        if (a.ref_attr_name().empty()) {
          *n->add_attribute() = a;
          continue;
        }
        const onnx::AttributeProto *value = nullptr;
        for (const onnx::AttributeProto &outer : node.attribute())
          if (outer.name() == a.ref_attr_name())
            value = &outer;
        // Not given on the node: the schema's default, if it has one.
        auto def = schema->attributes().find(a.ref_attr_name());
        if (!value && def != schema->attributes().end() &&
            def->second.default_value.type() != onnx::AttributeProto::UNDEFINED)
          value = &def->second.default_value;
        if (value) {
          onnx::AttributeProto *c = n->add_attribute();
          *c = *value;
          c->set_name(a.name());
        }
      }
    }
    for (int i = 0; i < node.input_size(); ++i) {
      if (node.input(i).empty() || !state.values.count(node.input(i)))
        continue;
      onnx::ValueInfoProto *vi = g->add_input();
      vi->set_name(node.input(i));
      *vi->mutable_type() = typeProtoOf(state.values[node.input(i)]);
    }
    for (int i = 0; i < node.output_size(); ++i)
      if (!node.output(i).empty())
        g->add_output()->set_name(node.output(i));
    onnx::ShapeInferenceOptions sio(false, 0, true);
    onnx::shape_inference::InferShapes(sub, onnx::OpSchemaRegistry::Instance(),
                                       sio);
  } catch (const std::exception &e) {
    std::string msg = e.what();
    return emitError(loc) << "expanding the ONNX function body of "
                          << node.op_type()
                          << " failed: " << msg.substr(0, msg.find('\n'));
  }
  for (const auto &vi : sub.graph().value_info()) {
    state.ownedTypes.push_back(vi.type());
    state.types[vi.name()] = &state.ownedTypes.back();
  }
  for (const onnx::NodeProto &inner : sub.graph().node()) {
    Location innerLoc =
        nodeLocation(b.getContext(), inner.name(), loc, inner, state);
    if (failed(importNode(inner, innerLoc, state, b, depth + 1)))
      return failure();
  }
  return success();
}

/// True when a node input has a run-time dim.
static bool touchesRuntimeDims(const onnx::NodeProto &node,
                               const GraphState &state) {
  for (const std::string &name : node.input()) {
    auto it = state.values.find(name);
    if (it == state.values.end())
      continue;
    if (auto t = dyn_cast<RankedTensorType>(it->second.getType()))
      if (!t.hasStaticShape())
        return true;
  }
  return false;
}

/// True when a node input or (once imported) output is a string tensor.
static bool touchesStrings(const onnx::NodeProto &node,
                           const GraphState &state) {
  auto isString = [&](const std::string &name) {
    auto it = state.values.find(name);
    if (it == state.values.end())
      return false;
    Type t = it->second.getType();
    if (auto seq = dyn_cast<dnn::SequenceType>(t))
      t = seq.getElementType();
    auto st = dyn_cast<ShapedType>(t);
    return st && isa<dnn::StringType>(st.getElementType());
  };
  return llvm::any_of(node.input(), isString) ||
         llvm::any_of(node.output(), isString);
}

static LogicalResult importNode(const onnx::NodeProto &node, Location loc,
                                GraphState &state, OpBuilder &b, int depth) {
  const HandlerRegistry &reg = registry();
  // Ops of other domains are registered under "domain.OpType".
  bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
  std::string key =
      defaultDomain ? node.op_type() : node.domain() + "." + node.op_type();
  if (!defaultDomain && !reg.knows(key))
    return emitError(loc) << "operator domain '" << node.domain()
                          << "' is not supported";
  for (int k = 0; k < node.input_size(); ++k)
    if (!node.input(k).empty() && !state.values.count(node.input(k)))
      return emitError(loc) << "input '" << node.input(k) << "' is not defined";
  int64_t since = 0;
  int64_t version =
      defaultDomain ? state.opset : state.domainOpsets.lookup(node.domain());
  const Handler *h = reg.lookup(key, version, since);
  if (!h) {
    bool expanded;
    if (failed(importFunctionBody(node, loc, state, b, depth, expanded)))
      return failure();
    if (!expanded) {
      if (reg.knows(node.op_type()))
        return emitError(loc) << "opset " << state.opset << " version of "
                              << node.op_type() << " is not supported";
      return emitError(loc) << "unsupported operator " << node.op_type();
    }
  } else {
    if (!reg.handlesRuntimeDims(key) && touchesRuntimeDims(node, state))
      return emitError(loc) << node.op_type()
                            << " with run-time dims is not supported yet; "
                               "give static input shapes (--input-shape)";
    if (!reg.handlesStrings(key) && touchesStrings(node, state))
      return emitError(loc)
             << node.op_type() << " on string tensors is not supported";
    NodeImporter ni(node, b, loc, state, since);
    if (failed((*h)(ni)))
      return failure();
    if (!reg.handlesStrings(key) && touchesStrings(node, state))
      return emitError(loc)
             << node.op_type() << " producing string tensors is not supported";
  }
  for (int k = 0; k < node.output_size(); ++k)
    if (!node.output(k).empty() && !state.values.count(node.output(k)))
      return emitError(loc) << "output '" << node.output(k)
                            << "' is not supported by the importer";
  // Nodes expanded from a function body were recorded one by one.
  if (!h)
    return success();
  ImportedNode rec{key,
                   {node.input().begin(), node.input().end()},
                   {node.output().begin(), node.output().end()}};
  for (const std::string &o : rec.outputs)
    state.producer[o] = state.nodes.size();
  state.nodes.push_back(std::move(rec));
  return success();
}

FailureOr<SmallVector<Value>>
onnximport::importSubgraph(NodeImporter &n, const onnx::GraphProto &g,
                           ArrayRef<Value> inputs) {
  if ((size_t)g.input_size() != inputs.size())
    return n.fail("subgraph '" + g.name() + "' takes " +
                  std::to_string(g.input_size()) + " inputs, given " +
                  std::to_string(inputs.size()));
  // A nested scope: the outer values stay visible (ONNX subgraphs capture
  // them by name); the subgraph's own names shadow them.
  GraphState inner;
  inner.values = n.state.values;
  inner.types = n.state.types;
  inner.initializerTypes = n.state.initializerTypes;
  inner.file = n.state.file;
  inner.opset = n.state.opset;
  inner.domainOpsets = n.state.domainOpsets;
  for (const auto &vi : g.value_info())
    inner.types[vi.name()] = &vi.type();
  for (const auto &vi : g.output())
    inner.types[vi.name()] = &vi.type();
  for (auto [i, vi] : llvm::enumerate(g.input())) {
    inner.types[vi.name()] = &vi.type();
    inner.values[vi.name()] = inputs[i];
  }
  MLIRContext *ctx = n.b.getContext();
  std::string baseDir = llvm::sys::path::parent_path(n.state.file).str();
  for (const auto &t : g.initializer()) {
    std::string err;
    DenseElementsAttr attr = tensorFromProto(ctx, t, baseDir, err);
    if (!attr)
      return n.fail(err);
    inner.values[t.name()] = arith::ConstantOp::create(n.b, n.loc, attr);
    inner.initializerTypes[t.name()] = t.data_type();
  }
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto &node = g.node(i);
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(i)
                           : node.name();
    Location loc = nodeLocation(ctx, g.name() + "/" + name, n.loc, node, inner);
    if (failed(importNode(node, loc, inner, n.b, 0)))
      return failure();
  }
  SmallVector<Value> results;
  for (const auto &out : g.output()) {
    auto it = inner.values.find(out.name());
    if (it == inner.values.end())
      return n.fail("subgraph output '" + out.name() + "' is never produced");
    Value v = it->second;
    // A declared output type refines run-time dims (as for graph outputs).
    auto declared = typeFromProto(ctx, &out.type(), /*allowDynamic=*/true);
    auto produced = dyn_cast<RankedTensorType>(v.getType());
    if (declared && produced && declared != produced &&
        declared.getElementType() == produced.getElementType() &&
        succeeded(verifyCompatibleShape(declared, produced)) &&
        declared.getNumDynamicDims() < produced.getNumDynamicDims())
      v = tensor::CastOp::create(n.b, n.loc, declared, v);
    results.push_back(v);
  }
  return results;
}

void dnnc::registerImporterDialects(DialectRegistry &reg) {
  reg.insert<dnn::DNNDialect, func::FuncDialect, arith::ArithDialect,
             tensor::TensorDialect, scf::SCFDialect, quant::QuantDialect>();
}

OwningOpRef<ModuleOp> dnnc::importONNXFile(MLIRContext &ctx,
                                           const std::string &path,
                                           const ImportOptions &options) {
  ctx.loadDialect<dnn::DNNDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect, scf::SCFDialect,
                  quant::QuantDialect>();
  Location fileLoc = FileLineColLoc::get(&ctx, path, 0, 0);
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buf) {
    emitError(fileLoc) << "cannot read the file: " << buf.getError().message();
    return nullptr;
  }
  onnx::ModelProto model;
  if ((*buf)->getBufferSize() == 0 ||
      !model.ParseFromArray((*buf)->getBufferStart(),
                            (int)(*buf)->getBufferSize()) ||
      !model.has_graph()) {
    emitError(fileLoc) << "not a valid ONNX model (protobuf parse failed)";
    return nullptr;
  }
  int64_t opset = 0;
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  onnx::GraphProto *graph = model.mutable_graph();

  // User-given input shapes replace symbolic dims before inference.
  for (auto &in : *graph->mutable_input()) {
    auto it = options.inputShapes.find(in.name());
    if (it == options.inputShapes.end() || !in.type().has_tensor_type())
      continue;
    auto *shape = in.mutable_type()->mutable_tensor_type()->mutable_shape();
    shape->clear_dim();
    for (int64_t d : it->second)
      shape->add_dim()->set_dim_value(d);
  }

  std::string baseDir = llvm::sys::path::parent_path(path).str();
  try {
    // check_model() without a model directory would resolve external data
    // relative to the working directory: check the graph with a context.
    onnx::checker::CheckerContext cctx;
    cctx.set_ir_version((int)model.ir_version());
    std::unordered_map<std::string, int> opsets;
    for (const auto &o : model.opset_import())
      opsets[o.domain()] = (int)o.version();
    cctx.set_opset_imports(opsets);
    cctx.set_model_dir(baseDir.empty() ? "." : baseDir);
    onnx::checker::LexicalScopeContext lex;
    onnx::checker::check_graph(model.graph(), cctx, lex);
  } catch (const std::exception &e) {
    std::string msg = e.what();
    msg = msg.substr(0, msg.find('\n'));
    emitError(fileLoc) << "ONNX checker rejected the model: " << msg;
    return nullptr;
  }
  // ONNX's shape inference only refines types (dnnc infers and verifies
  // every shape itself): where it disagrees with the model's declarations
  // (ONNX 1.12's STFT rule counts two-sided bins for one-sided output), the
  // types inferred up to that point and the declarations stand.
  try {
    onnx::ShapeInferenceOptions sio(/*check_type=*/false, /*error_mode=*/0,
                                    /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model,
                                       onnx::OpSchemaRegistry::Instance(), sio);
  } catch (const std::exception &) {
  }

  GraphState state;
  state.file = path;
  state.opset = opset;
  for (const auto &o : model.opset_import())
    state.domainOpsets[o.domain()] = o.version();
  for (const auto &vi : graph->value_info())
    state.types[vi.name()] = &vi.type();
  for (const auto &vi : graph->output())
    state.types[vi.name()] = &vi.type();
  for (const auto &vi : graph->input())
    state.types[vi.name()] = &vi.type();

  OpBuilder b(&ctx);
  auto module = OwningOpRef<ModuleOp>(ModuleOp::create(fileLoc));
  (*module)->setAttr("dnn.opset", b.getI64IntegerAttr(opset));
  (*module)->setAttr("dnn.source", b.getStringAttr(path));
  b.setInsertionPointToEnd(module->getBody());

  std::set<std::string> initNames;
  for (const auto &t : graph->initializer())
    initNames.insert(t.name());

  // Signature: graph inputs that are not initializers.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph->input()) {
    if (initNames.count(in.name()))
      continue;
    // Symbolic or unknown dims stay dynamic: the model then runs at any
    // size that fits (dnnc_run_tensors).
    Type t = valueTypeFromProto(&ctx, in.type());
    Type payload = t;
    if (auto opt = dyn_cast_or_null<dnn::OptionalType>(t))
      payload = opt.getElementType();
    if (auto seq = dyn_cast_or_null<dnn::SequenceType>(payload)) {
      if (!seq.hasRank()) {
        emitError(fileLoc) << "graph input '" << in.name()
                           << "' is a sequence of tensors of unknown rank; "
                              "declare the element shape";
        return nullptr;
      }
    }
    if (!t) {
      if (in.type().has_tensor_type() &&
          !elementTypeFromONNX(&ctx, in.type().tensor_type().elem_type()))
        emitError(fileLoc) << "graph input '" << in.name()
                           << "' has unsupported type "
                           << onnxTypeName(in.type().tensor_type().elem_type());
      else if (in.type().has_tensor_type())
        emitError(fileLoc) << "graph input '" << in.name()
                           << "' has no rank; give a shape (--input-shape "
                           << in.name() << "=1x...)";
      else
        emitError(fileLoc)
            << "graph input '" << in.name()
            << "' is not a tensor, a sequence of tensors or an optional "
               "of either (maps are not supported)";
      return nullptr;
    }
    argTypes.push_back(t);
    argNames.push_back(in.name());
  }
  // Declared output types; null where ONNX gives no rank (the produced
  // value's type is used then).
  SmallVector<RankedTensorType> declaredResults;
  for (const auto &out : graph->output())
    declaredResults.push_back(
        typeFromProto(&ctx, &out.type(), /*allowDynamic=*/true));
  SmallVector<Type> resultTypes(declaredResults.size(), b.getNoneType());
  auto func = func::FuncOp::create(b, fileLoc, options.entryName,
                                   b.getFunctionType(argTypes, resultTypes));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    state.values[name] = entry->getArgument(i);
    func.setArgAttr(i, "dnn.name", b.getStringAttr(name));
  }
  b.setInsertionPointToStart(entry);
  for (const auto &t : graph->initializer()) {
    std::string err;
    DenseElementsAttr attr = tensorFromProto(&ctx, t, baseDir, err);
    if (!attr) {
      emitError(fileLoc) << err;
      return nullptr;
    }
    state.values[t.name()] = arith::ConstantOp::create(b, fileLoc, attr);
    state.initializerTypes[t.name()] = t.data_type();
  }

  for (int i = 0; i < graph->node_size(); ++i) {
    const onnx::NodeProto &node = graph->node(i);
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(i)
                           : node.name();
    Location loc = nodeLocation(
        &ctx, name, FileLineColLoc::get(&ctx, path, 0, 0), node, state);
    if (failed(importNode(node, loc, state, b, 0)))
      return nullptr;
  }
  SmallVector<Value> results;
  for (const auto &out : graph->output()) {
    auto it = state.values.find(out.name());
    if (it == state.values.end()) {
      emitError(fileLoc) << "graph output '" << out.name()
                         << "' is never produced";
      return nullptr;
    }
    Value v = it->second;
    // A value where an optional is declared is an optional holding it; an
    // optional where its value is declared (a Loop that carries an optional
    // and returns its value) is read.
    bool optional = out.type().has_optional_type();
    const onnx::TypeProto &declaredType =
        optional ? out.type().optional_type().elem_type() : out.type();
    if (auto opt = dyn_cast<dnn::OptionalType>(v.getType()); opt && !optional)
      v = dnn::OptionalGetOp::create(b, fileLoc, opt.getElementType(), v);
    Type payload = v.getType();
    if (auto opt = dyn_cast<dnn::OptionalType>(payload))
      payload = opt.getElementType();
    // The more static of the produced and the declared type wins.
    RankedTensorType declared =
        optional ? typeFromProto(&ctx, &declaredType, /*allowDynamic=*/true)
                 : declaredResults[results.size()];
    auto produced = dyn_cast<RankedTensorType>(payload);
    if (declaredType.has_sequence_type() != !produced) {
      emitError(fileLoc) << "graph output '" << out.name() << "' has type "
                         << v.getType() << " but the graph declares "
                         << (produced ? "a sequence" : "a tensor");
      return nullptr;
    }
    if (optional) {
      if (!isa<dnn::OptionalType>(v.getType()))
        v = dnn::OptionalOp::create(
            b, fileLoc, dnn::OptionalType::get(v.getType()),
            arith::ConstantOp::create(
                b, fileLoc,
                DenseElementsAttr::get(RankedTensorType::get({}, b.getI1Type()),
                                       true)),
            v);
      resultTypes[results.size()] = v.getType();
      results.push_back(v);
      continue;
    }
    if (declared && declared != produced) {
      if (declared.getElementType() != produced.getElementType() ||
          failed(verifyCompatibleShape(declared, produced))) {
        emitError(fileLoc) << "graph output '" << out.name() << "' has type "
                           << v.getType() << " but the graph declares "
                           << declared;
        return nullptr;
      }
      if (declared.getNumDynamicDims() < produced.getNumDynamicDims())
        v = tensor::CastOp::create(b, fileLoc, declared, v);
    }
    resultTypes[results.size()] = v.getType();
    results.push_back(v);
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setType(b.getFunctionType(argTypes, resultTypes));
  // Drop what folding left unused (shape arithmetic, consumed constants).
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op))
      op.erase();
  for (auto [i, out] : llvm::enumerate(graph->output()))
    func.setResultAttr(i, "dnn.name", b.getStringAttr(out.name()));
  // Record ONNX element type codes (unsigned types are signless in the IR).
  SmallVector<int64_t> inCodes, outCodes;
  for (const auto &in : graph->input())
    if (!initNames.count(in.name()))
      inCodes.push_back(elemTypeCode(in.type()));
  for (const auto &out : graph->output())
    outCodes.push_back(elemTypeCode(out.type()));
  func->setAttr("dnn.input_dtypes", b.getDenseI64ArrayAttr(inCodes));
  func->setAttr("dnn.output_dtypes", b.getDenseI64ArrayAttr(outCodes));
  return module;
}
