//===- DNNDialect.td - The dnn dialect ---------------------*- tablegen -*-===//
//
// The dnn dialect: a value-semantic, high-level deep-learning dialect that
// mirrors ONNX operators closely enough for a one-to-one import and is the
// level where graph optimizations (folding, fusion decisions, quantization,
// sparsity) happen.
//
//===----------------------------------------------------------------------===//

#ifndef DNNC_DIALECT_DNN_IR_DNNDIALECT_TD
#define DNNC_DIALECT_DNN_IR_DNNDIALECT_TD

include "mlir/IR/OpBase.td"

def DNN_Dialect : Dialect {
  let name = "dnn";
  let summary = "High-level deep-learning operators on ranked tensors";
  let description = [{
    The `dnn` dialect holds ONNX-like operators on value-semantic ranked
    tensors. Every op verifies its shapes; the ONNX importer produces it and
    `convert-dnn-to-linalg` lowers it to linalg on tensors.
  }];
  let cppNamespace = "::dnnc::dnn";
  let hasConstantMaterializer = 1;
  let useDefaultTypePrinterParser = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

class DNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<DNN_Dialect, mnemonic, traits>;

#endif // DNNC_DIALECT_DNN_IR_DNNDIALECT_TD
