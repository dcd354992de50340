//===- DestinationChain.cpp - Where a chain of DPS ops starts -------------===//
#include "DestinationChain.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

using namespace mlir;

OpOperand *dnnc::rootEmpty(Value v) {
  while (true) {
    auto dps = v.getDefiningOp<DestinationStyleOpInterface>();
    if (!dps || !dps.hasPureTensorSemantics())
      return nullptr;
    OpOperand *init = dps.getTiedOpOperand(cast<OpResult>(v));
    if (init->get().getDefiningOp<tensor::EmptyOp>())
      return init;
    v = init->get();
  }
}
