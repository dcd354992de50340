//===- VectorBody.cpp - Scalar linalg bodies applied to vectors -----------===//
#include "VectorBody.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

bool dnnc::isScalarElementwise(Operation &op) {
  if (op.getNumRegions() || op.getNumResults() != 1)
    return false;
  Dialect *d = op.getDialect();
  if (!d || (d->getNamespace() != "arith" && d->getNamespace() != "math"))
    return false;
  return llvm::all_of(op.getOperandTypes(),
                      [](Type t) { return t.isIntOrIndexOrFloat(); }) &&
         op.getResult(0).getType().isIntOrFloat();
}

Value dnnc::cloneOnVectors(OpBuilder &b, Location loc, Operation &op,
                           IRMapping &map, int64_t width) {
  auto vecT = VectorType::get({width}, op.getResult(0).getType());
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    Value r = arith::ConstantOp::create(
        b, loc, vecT, SplatElementsAttr::get(vecT, c.getValue()));
    map.map(op.getResult(0), r);
    return r;
  }
  SmallVector<Value> operands;
  for (Value v : op.getOperands()) {
    Value mv = map.lookupOrDefault(v);
    if (!isa<VectorType>(mv.getType()))
      mv = vector::BroadcastOp::create(
          b, loc, VectorType::get({width}, mv.getType()), mv);
    operands.push_back(mv);
  }
  OperationState st(loc, op.getName());
  st.addOperands(operands);
  st.addAttributes(op.getAttrs());
  st.addTypes(vecT);
  Value r = b.create(st)->getResult(0);
  map.map(op.getResult(0), r);
  return r;
}
