//===- Passes.td - dnnc conversion passes ------------------*- tablegen -*-===//
#ifndef DNNC_CONVERSION_PASSES_TD
#define DNNC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertDNNToLinalg : Pass<"convert-dnn-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lowers dnn ops to linalg, tensor and arith on tensors";
  let description = [{
    One pattern set per op family (elementwise, contraction, pooling,
    normalization, data movement). Convolutions become linalg convolution
    named ops on padded inputs; elementwise ops become linalg.generic with
    broadcasting indexing maps. An op that cannot be lowered is reported at
    its location (the ONNX node) with the reason.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect"
  ];
}

#endif // DNNC_CONVERSION_PASSES_TD
