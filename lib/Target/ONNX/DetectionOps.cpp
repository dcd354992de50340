//===- DetectionOps.cpp - Object-detection ops ----------------------------===//
//
// NonMaxSuppression becomes dnn.non_max_suppression; its optional scalar
// inputs take their ONNX defaults (no boxes, IoU threshold 0, no score
// threshold).
//
//===----------------------------------------------------------------------===//
#include "Composition.h"
#include <limits>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {
LogicalResult importNonMaxSuppression(NodeImporter &n) {
  auto bt = n.inputType(0), st = n.inputType(1);
  Type et = bt.getElementType();
  if (bt.getRank() != 3 || st.getRank() != 3 || !isa<FloatType>(et) ||
      st.getElementType() != et)
    return n.fail("boxes must be [B, S, 4] and scores [B, C, S], both of one "
                  "float type");
  // Optional input `k` as a rank-0 tensor of `t`, or `dflt`.
  auto scalarInput = [&](unsigned k, Type t, double dflt) -> FailureOr<Value> {
    if (!n.hasInput(k))
      return scalar(n, t, dflt);
    auto it = n.inputType(k);
    if (it.hasStaticShape() && it.getNumElements() != 1)
      return n.fail("input " + std::to_string(k) + " must hold one value");
    Value v = n.input(k);
    if (it.getRank() != 0)
      v = n.create<dnn::ReshapeOp>(
          RankedTensorType::get({}, it.getElementType()), v);
    if (it.getElementType() != t)
      v = n.create<dnn::CastOp>(RankedTensorType::get({}, t), v);
    return v;
  };
  auto maxOut = scalarInput(2, n.b.getI64Type(), 0);
  auto iou = scalarInput(3, et, 0);
  auto score = scalarInput(4, et, -std::numeric_limits<double>::infinity());
  if (failed(maxOut) || failed(iou) || failed(score))
    return failure();
  int64_t center = n.attrInt("center_point_box", 0);
  if (center != 0 && center != 1)
    return n.fail("center_point_box must be 0 or 1");
  auto t = RankedTensorType::get({ShapedType::kDynamic, 3}, n.b.getI64Type());
  n.setOutput(0, n.create<dnn::NonMaxSuppressionOp>(t, n.input(0), n.input(1),
                                                    *maxOut, *iou, *score,
                                                    n.b.getBoolAttr(center)));
  return success();
}
} // namespace

void onnximport::registerDetectionHandlers(HandlerRegistry &r) {
  r.allowRuntimeDims({"NonMaxSuppression"});
  r.add("NonMaxSuppression", 10, importNonMaxSuppression);
  r.add("NonMaxSuppression", 11, importNonMaxSuppression);
}
