//===- NodeImporter.h - Per-node binder for ONNX handlers -------*- C++ -*-===//
//
// A handler imports one ONNX node through a NodeImporter, which binds the
// node's inputs, attributes and inferred output types, and reports errors at
// the node's location. Handlers are registered per (op type, since version)
// in the family files (ElementwiseOps.cpp, NNOps.cpp, TensorOps.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_LIB_TARGET_ONNX_NODEIMPORTER_H
#define DNNC_LIB_TARGET_ONNX_NODEIMPORTER_H

#include "dnnc/Dialect/DNN/IR/DNNOps.h"
#include "mlir/IR/Builders.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringMap.h"
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dnnc::onnximport {

/// Converts an ONNX element type code to an MLIR type (null if unsupported).
mlir::Type elementTypeFromONNX(mlir::MLIRContext *ctx, int32_t code);
/// ONNX type name for messages ("FLOAT", "INT64", ...).
std::string onnxTypeName(int32_t code);
/// Whether the ONNX element type `code` is an unsigned integer (stored in
/// the signless integer of its width).
bool isUnsignedType(int32_t code);

/// ONNX's 4-bit integer types (opset 21; ONNX 1.12's enum lacks them):
/// initializers of them import one value per i8, sign- or zero-extended.
inline constexpr int32_t kOnnxUInt4 = 21, kOnnxInt4 = 22;
/// The IR type of an ONNX value type: a ranked tensor (unknown dims `?`), a
/// sequence of tensors, or an optional of either; null otherwise (a tensor
/// without a rank, a map, an unsupported element type).
mlir::Type valueTypeFromProto(mlir::MLIRContext *ctx, const onnx::TypeProto &t);

/// The import state of one graph: values by name and their ONNX types.
/// What automatic differentiation (Gradient) needs of an imported node.
struct ImportedNode {
  std::string opType;
  std::vector<std::string> inputs, outputs;
};

struct GraphState {
  std::map<std::string, mlir::Value> values;
  /// The node that produced each value, in import order.
  std::map<std::string, size_t> producer;
  std::vector<ImportedNode> nodes;
  std::map<std::string, const onnx::TypeProto *> types;
  /// ONNX element type codes of initializers (signedness is not in the IR).
  std::map<std::string, int32_t> initializerTypes;
  /// Types inferred for expanded function bodies (pointed to by `types`).
  std::deque<onnx::TypeProto> ownedTypes;
  std::string file;
  int64_t opset = 0;
  /// Opset versions of the other imported domains.
  llvm::StringMap<int64_t> domainOpsets;
};

class NodeImporter {
public:
  NodeImporter(const onnx::NodeProto &node, mlir::OpBuilder &builder,
               mlir::Location loc, GraphState &state, int64_t sinceVersion)
      : node(node), b(builder), loc(loc), state(state),
        sinceVersion(sinceVersion) {}

  const onnx::NodeProto &node;
  mlir::OpBuilder &b;
  mlir::Location loc;
  GraphState &state;
  int64_t sinceVersion;

  int64_t opset() const { return state.opset; }
  size_t numInputs() const { return node.input_size(); }
  size_t numOutputs() const { return node.output_size(); }
  /// True when input `i` exists and is not the empty name.
  bool hasInput(size_t i) const {
    return (int)i < node.input_size() && !node.input(i).empty();
  }
  bool hasOutput(size_t i) const {
    return (int)i < node.output_size() && !node.output(i).empty();
  }
  mlir::Value input(size_t i) const;
  mlir::RankedTensorType inputType(size_t i) const;
  /// The inferred (static) type of output `i`, or null after an error.
  mlir::RankedTensorType outputType(size_t i);
  /// The inferred type of output `i` if ONNX inference gave a static one.
  mlir::RankedTensorType inferredOutputType(size_t i) const;
  /// The declared type of output `i` (from the model or ONNX shape
  /// inference), with run-time dims as `?`; null if unknown or unranked.
  mlir::RankedTensorType declaredOutputType(size_t i) const;
  void setOutput(size_t i, mlir::Value v);

  /// The ONNX element type code of input `i` (0 if unknown); unlike the IR
  /// type it tells uint8 from int8.
  int32_t onnxElemType(size_t i) const;

  /// Constant value of input `i` (initializer, Constant node or folded).
  mlir::DenseElementsAttr constInput(size_t i) const;
  /// Constant integer input as a vector; nullopt if not constant.
  std::optional<llvm::SmallVector<int64_t>> constInts(size_t i) const;

  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const;
  float attrFloat(llvm::StringRef name, float dflt) const;
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<llvm::SmallVector<int64_t>>
  attrInts(llvm::StringRef name) const;

  /// Reads Reduce* axes (attribute before `axesInputSince`, input 1 after),
  /// normalized, sorted and unique into `axes`; sets `noop` when the axes
  /// are empty and noop_with_empty_axes is set.
  mlir::LogicalResult reduceAxes(int64_t axesInputSince,
                                 llvm::SmallVectorImpl<int64_t> &axes,
                                 bool &noop) const;

  /// Fails with a message unless `values` broadcast (and, when
  /// `sameElementType`, share their element type).
  mlir::LogicalResult checkBroadcast(mlir::ValueRange values,
                                     bool sameElementType) const;

  /// Emits "<message>" at the node and returns failure.
  mlir::LogicalResult fail(const llvm::Twine &message) const;

  /// Creates an op and folds it to a constant when possible.
  template <typename OpTy, typename... Args>
  mlir::Value create(Args &&...args) {
    auto op = OpTy::create(b, loc, std::forward<Args>(args)...);
    return tryFold(op.getOperation(), 0);
  }
  /// Folds `op` result `idx` into an arith.constant when all operands fold.
  mlir::Value tryFold(mlir::Operation *op, unsigned idx);
  /// An arith.constant of `attr`.
  mlir::Value constant(mlir::DenseElementsAttr attr);
};

using Handler = std::function<mlir::LogicalResult(NodeImporter &)>;

/// The (op type, since version) table.
class HandlerRegistry {
public:
  void add(llvm::StringRef opType, int64_t sinceVersion, Handler h) {
    table[opType.str()][sinceVersion] = std::move(h);
  }
  /// The handler with the greatest since version <= `opset`.
  const Handler *lookup(const std::string &opType, int64_t opset,
                        int64_t &sinceVersion) const;
  bool knows(const std::string &opType) const { return table.count(opType); }

  /// Declares that the handlers of `ops` (and the lowerings of what they
  /// build) were reviewed for run-time dims. Nodes of other ops whose inputs
  /// have run-time dims get a clear error instead, so that a shape
  /// computation written for static dims never produces a wrong result.
  void allowRuntimeDims(std::initializer_list<llvm::StringRef> ops) {
    for (llvm::StringRef op : ops)
      runtimeDims.insert(op.str());
  }
  bool handlesRuntimeDims(const std::string &opType) const {
    return runtimeDims.count(opType);
  }

  /// Declares that `ops` were reviewed (and tested) on string tensors; other
  /// ops that take or make one get a clear error.
  void allowStrings(std::initializer_list<llvm::StringRef> ops) {
    for (llvm::StringRef op : ops)
      stringOps.insert(op.str());
  }
  bool handlesStrings(const std::string &opType) const {
    return stringOps.count(opType);
  }

private:
  std::map<std::string, std::map<int64_t, Handler>> table;
  std::set<std::string> runtimeDims, stringOps;
};

void registerElementwiseHandlers(HandlerRegistry &r);
void registerNNHandlers(HandlerRegistry &r);
void registerTensorHandlers(HandlerRegistry &r);
void registerComposedHandlers(HandlerRegistry &r);
void registerComposedNNHandlers(HandlerRegistry &r);
void registerComposedTensorHandlers(HandlerRegistry &r);
void registerRecurrentHandlers(HandlerRegistry &r);
void registerTrainingHandlers(HandlerRegistry &r);
void registerSignalHandlers(HandlerRegistry &r);
void registerQuantizedHandlers(HandlerRegistry &r);
void registerControlFlowHandlers(HandlerRegistry &r);
void registerSequenceHandlers(HandlerRegistry &r);
void registerDetectionHandlers(HandlerRegistry &r);
void registerTextHandlers(HandlerRegistry &r);

/// Imports the nodes of subgraph `g` (an If branch, a Loop or Scan body) at
/// the builder's insertion point, in a scope nested in the node's: outer
/// values stay visible, `inputs` bind the subgraph's inputs. Returns the
/// values of its outputs.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
importSubgraph(NodeImporter &n, const onnx::GraphProto &g,
               llvm::ArrayRef<mlir::Value> inputs);

/// Converts a TensorProto (initializer or Constant) to an elements attribute.
/// `baseDir` resolves external data; errors go to `err`.
mlir::DenseElementsAttr tensorFromProto(mlir::MLIRContext *ctx,
                                        const onnx::TensorProto &t,
                                        const std::string &baseDir,
                                        std::string &err);

} // namespace dnnc::onnximport

#endif // DNNC_LIB_TARGET_ONNX_NODEIMPORTER_H
