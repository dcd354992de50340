//===- DetectionOps.cpp - Object-detection ops ----------------------------===//
//
// NonMaxSuppression becomes dnn.non_max_suppression; its optional scalar
// inputs take their ONNX defaults (no boxes, IoU threshold 0, no score
// threshold). RoiAlign becomes dnn.roi_align.
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

LogicalResult importRoiAlign(NodeImporter &n) {
  auto xt = n.inputType(0), rt = n.inputType(1), it = n.inputType(2);
  Type et = xt.getElementType();
  if (xt.getRank() != 4 || rt.getRank() != 2 || it.getRank() != 1 ||
      !isa<FloatType>(et))
    return n.fail("X must be a float [N, C, H, W], rois [R, 4] and "
                  "batch_indices [R]");
  std::string mode = n.attrString("mode", "avg");
  if (mode != "avg" && mode != "max")
    return n.fail("mode '" + mode + "' is not supported");
  // opset 16 added the half-pixel default; before, boxes were not shifted.
  std::string ctm =
      n.attrString("coordinate_transformation_mode",
                   n.sinceVersion >= 16 ? "half_pixel" : "output_half_pixel");
  if (ctm != "half_pixel" && ctm != "output_half_pixel")
    return n.fail("coordinate_transformation_mode '" + ctm +
                  "' is not supported");
  int64_t oh = n.attrInt("output_height", 1), ow = n.attrInt("output_width", 1);
  int64_t sr = n.attrInt("sampling_ratio", 0);
  if (oh < 1 || ow < 1 || sr < 0)
    return n.fail("output sizes must be positive and sampling_ratio >= 0");
  Value rois = n.input(1), idx = n.input(2);
  if (rt.getElementType() != et)
    rois =
        n.create<dnn::CastOp>(RankedTensorType::get(rt.getShape(), et), rois);
  if (!it.getElementType().isInteger(64))
    idx = n.create<dnn::CastOp>(
        RankedTensorType::get(it.getShape(), n.b.getI64Type()), idx);
  auto t =
      RankedTensorType::get({rt.getDimSize(0), xt.getDimSize(1), oh, ow}, et);
  n.setOutput(0, n.create<dnn::RoiAlignOp>(
                     t, n.input(0), rois, idx, n.b.getI64IntegerAttr(oh),
                     n.b.getI64IntegerAttr(ow), n.b.getI64IntegerAttr(sr),
                     n.b.getF64FloatAttr(n.attrFloat("spatial_scale", 1.0f)),
                     n.b.getBoolAttr(ctm == "half_pixel"),
                     n.b.getBoolAttr(mode == "max")));
  return success();
}
} // namespace

void onnximport::registerDetectionHandlers(HandlerRegistry &r) {
  r.allowRuntimeDims({"NonMaxSuppression", "RoiAlign"});
  r.add("RoiAlign", 10, importRoiAlign);
  r.add("RoiAlign", 16, importRoiAlign);
  r.add("NonMaxSuppression", 10, importNonMaxSuppression);
  r.add("NonMaxSuppression", 11, importNonMaxSuppression);
}
