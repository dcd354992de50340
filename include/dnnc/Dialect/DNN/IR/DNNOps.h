//===- DNNOps.h - dnn dialect ops -------------------------------*- C++ -*-===//
#ifndef DNNC_DIALECT_DNN_IR_DNNOPS_H
#define DNNC_DIALECT_DNN_IR_DNNOPS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dnnc/Dialect/DNN/IR/DNNOpsDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dnnc/Dialect/DNN/IR/DNNOpsTypes.h.inc"

namespace dnnc::dnn {
/// Trait of the elementwise ops (DNN_Elementwise in DNNOps.td).
template <typename ConcreteType>
class Elementwise : public mlir::OpTrait::TraitBase<ConcreteType, Elementwise> {
};
} // namespace dnnc::dnn

#define GET_OP_CLASSES
#include "dnnc/Dialect/DNN/IR/DNNOps.h.inc"

namespace dnnc::dnn {
/// The scalar string ops (DNNStringOps.td): they live in linalg bodies and
/// loops until convert-dnn-strings-to-runtime lowers them.
inline bool isStringScalarOp(mlir::Operation *op) {
  return llvm::isa<StringLiteralOp, StringFormatOp, StringParseOp,
                   StringChangeCaseOp, StringMatchAnyOp>(op);
}
} // namespace dnnc::dnn

#endif // DNNC_DIALECT_DNN_IR_DNNOPS_H
