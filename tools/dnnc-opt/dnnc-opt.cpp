//===- dnnc-opt.cpp - mlir-opt with the dnnc dialect and passes -----------===//
#include "dnnc/Compiler/Pipelines.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllPasses();
  dnnc::registerAllDNNC(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dnnc optimizer driver\n", registry));
}
