//===- DestinationChain.cpp - Where a chain of DPS ops starts -------------===//
#include "DestinationChain.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

using namespace mlir;

OpOperand *dnnc::chainRoot(Value v) {
  while (true) {
    auto dps = v.getDefiningOp<DestinationStyleOpInterface>();
    if (!dps || !dps.hasPureTensorSemantics())
      return nullptr;
    OpOperand *init = dps.getTiedOpOperand(cast<OpResult>(v));
    Operation *def = init->get().getDefiningOp();
    if (isa_and_nonnull<tensor::EmptyOp>(def))
      return init;
    if (auto alloc = dyn_cast_or_null<bufferization::AllocTensorOp>(def);
        alloc && !alloc.getCopy() && alloc.getDynamicSizes().empty())
      return init;
    v = init->get();
  }
}

OpOperand *dnnc::rootEmpty(Value v) {
  OpOperand *root = chainRoot(v);
  return root && root->get().getDefiningOp<tensor::EmptyOp>() ? root : nullptr;
}

void dnnc::computeChainIn(OpBuilder &b, OpOperand *root, Value buffer,
                          ArrayRef<int64_t> offsets) {
  auto type = cast<RankedTensorType>(root->get().getType());
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPoint(root->getOwner());
  root->set(tensor::ExtractSliceOp::create(
      b, root->getOwner()->getLoc(), type, buffer, ValueRange{}, ValueRange{},
      ValueRange{}, offsets, type.getShape(),
      SmallVector<int64_t>(type.getRank(), 1)));
}
