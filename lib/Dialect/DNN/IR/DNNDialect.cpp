//===- DNNDialect.cpp - dnn dialect registration --------------------------===//
#include "dnnc/Dialect/DNN/IR/DNNOps.h"

using namespace mlir;
using namespace dnnc::dnn;

#include "dnnc/Dialect/DNN/IR/DNNOpsDialect.cpp.inc"

void DNNDialect::initialize() {
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
