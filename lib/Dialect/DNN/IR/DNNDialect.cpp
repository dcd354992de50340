//===- DNNDialect.cpp - dnn dialect registration --------------------------===//
#include "dnnc/Dialect/DNN/IR/DNNOps.h"

using namespace mlir;
using namespace dnnc::dnn;

#include "dnnc/Dialect/DNN/IR/DNNOpsDialect.cpp.inc"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#define GET_TYPEDEF_CLASSES
#include "dnnc/Dialect/DNN/IR/DNNOpsTypes.cpp.inc"

void DNNDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dnnc/Dialect/DNN/IR/DNNOpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dnnc/Dialect/DNN/IR/DNNOps.cpp.inc"
      >();
}

Operation *DNNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}

SequenceType SequenceType::get(Type elementType, int64_t rank) {
  if (rank < 0)
    return get(UnrankedTensorType::get(elementType));
  return get(RankedTensorType::get(
      SmallVector<int64_t>(rank, ShapedType::kDynamic), elementType));
}

LogicalResult SequenceType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   TensorType elementType) {
  if (auto r = dyn_cast<RankedTensorType>(elementType))
    if ((int64_t)r.getNumDynamicDims() != r.getRank())
      return emitError() << "sequence element dims must all be '?'";
  return success();
}
