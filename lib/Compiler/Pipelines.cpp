//===- Pipelines.cpp - dnnc pass pipelines --------------------------------===//
#include "dnnc/Compiler/Pipelines.h"
#include "dnnc/Conversion/Passes.h"
#include "dnnc/Dialect/DNN/Transforms/Passes.h"
#include "dnnc/Transforms/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace dnnc {

void buildDNNOptimizePipeline(OpPassManager &pm) {
  OpPassManager &f = pm.nest<func::FuncOp>();
  // Quant casts go first: folding would take dcast(qcast(x)) for x.
  f.addPass(dnn::createDNNFuseQuantized());
  f.addPass(dnn::createDNNLowerQuant());
  f.addPass(dnn::createDNNFoldConstants());
  f.addPass(dnn::createDNNFuseInteger());
  f.addPass(dnn::createDNNFoldBatchNorm());
  f.addPass(dnn::createDNNChannelsLast());
  f.addPass(dnn::createDNNFoldConstants());
  f.addPass(createCSEPass());
}

void buildDNNToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(dnn::createDNNExpandSequences());
  OpPassManager &f = pm.nest<func::FuncOp>();
  f.addPass(createConvertDNNToLinalg());
  f.addPass(createCanonicalizerPass());
  f.addPass(createCSEPass());
}

void buildCPUCodegenPipeline(OpPassManager &pm,
                             const CPUCodegenOptions &options) {
  {
    OpPassManager &f = pm.nest<func::FuncOp>();
    f.addPass(createDNNCFuseElementwise());
    f.addPass(createDNNCFuseConcats());
    f.addPass(createDNNCFusePads());
    if (options.vectorize) {
      DNNCConvKernelsOptions ck;
      ck.winograd = options.winograd;
      ck.vnni = options.vnni;
      f.addPass(createDNNCConvKernels(ck));
      f.addPass(createDNNCRowReductions());
    }
    f.addPass(createDNNCConvToMatmul());
    f.addPass(createCanonicalizerPass());
    if (options.vectorize) {
      DNNCTileAndVectorizeOptions tv;
      tv.tileM = options.tileM;
      tv.tileN = options.tileN;
      f.addPass(createDNNCTileAndVectorize(tv));
    }
    f.addPass(createCanonicalizerPass());
    f.addPass(createCSEPass());
    f.addPass(createDNNCUnshareEmptyTensors());
  }
  // Bufferize: tensors -> memrefs. Static results become out-parameters;
  // with run-time dims the function returns buffers the caller owns.
  bufferization::OneShotBufferizePassOptions bo;
  bo.bufferizeFunctionBoundaries = true;
  // Loop-carried tensors of ONNX Loop/Scan may be new buffers each iteration.
  bo.allowReturnAllocsFromLoops = true;
  bo.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bo));
  if (!options.returnBuffers) {
    // The kernels' loops carry their buffers as iter_args: folded away, a
    // result is the memref.alloc itself, which can become the out-param.
    pm.nest<func::FuncOp>().addPass(createCanonicalizerPass());
    bufferization::BufferResultsToOutParamsPassOptions ro;
    ro.modifyPublicFunctions = true;
    // A result computed into a static buffer of its own is computed in the
    // caller's out-parameter instead, not copied into it.
    ro.hoistStaticAllocs = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(ro));
  }
  {
    OpPassManager &f = pm.nest<func::FuncOp>();
    if (options.returnBuffers)
      f.addPass(createDNNCReturnOwnedBuffers());
    f.addPass(createCanonicalizerPass());
    f.addPass(createCSEPass());
    f.addPass(createDNNCHoistVectorTransfers());
    f.addPass(createCanonicalizerPass());
  }
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  // Deallocations whose aliasing is only known at run time call a generated
  // helper with dynamic memref arguments; inline it (the bare-pointer calling
  // convention of static entry points cannot pass those) and drop it.
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());
  // Free each buffer after its last use, not at the end of the function.
  pm.nest<func::FuncOp>().addPass(createDNNCEarlyDealloc());
  // Static buffers: one arena, offsets planned from their lifetimes.
  pm.nest<func::FuncOp>().addPass(createDNNCPlanBuffers());
  // Loops the kernels marked parallel run on OpenMP threads (libomp): a
  // static split of the iterations over the threads of one parallel region.
  if (options.parallel) {
    pm.nest<func::FuncOp>().addPass(createDNNCParallelLoops());
    pm.addPass(createConvertSCFToOpenMPPass());
  }
  // Lower to loops and then to LLVM.
  {
    OpPassManager &f = pm.nest<func::FuncOp>();
    f.addPass(createDNNCLowerStridedCopies());
    f.addPass(createConvertLinalgToLoopsPass());
    if (options.vnni)
      f.addPass(createDNNCVnniDots());
    f.addPass(createDNNCMathApproximation());
    f.addPass(vector::createLowerVectorMultiReductionPass(
        vector::VectorMultiReductionLowering::InnerReduction));
    f.addPass(createConvertVectorToSCFPass());
    f.addPass(createDNNCHoistAllocas());
    f.addPass(createLowerAffinePass());
    f.addPass(createCanonicalizerPass());
  }
  // Strings become pointers and their ops runtime calls.
  pm.addPass(createConvertDNNStringsToRuntime());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToFuncs());
  // LLVM intrinsics first (copysign, fma, ... on vectors), libm for the rest.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  ConvertVectorToLLVMPassOptions vo;
  vo.vectorContractLowering = vector::VectorContractLowering::OuterProduct;
  vo.vectorTransposeLowering = vector::VectorTransposeLowering::Shuffle1D;
  // Horizontal reductions of vector accumulators as trees, not lane by lane.
  vo.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vo));
  pm.addPass(createConvertMathToLLVMPass());
  // Buffers come from the runtime's per-thread cache (BufferCache.c).
  FinalizeMemRefToLLVMConversionPassOptions mo;
  mo.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(mo));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  ConvertFuncToLLVMPassOptions fo;
  fo.useBarePtrCallConv = !options.returnBuffers;
  pm.addPass(createConvertFuncToLLVMPass(fo));
  pm.addPass(createConvertControlFlowToLLVMPass());
  if (options.parallel)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void buildCPUPipeline(OpPassManager &pm, const CPUCodegenOptions &options) {
  buildDNNOptimizePipeline(pm);
  buildDNNToLinalgPipeline(pm);
  buildCPUCodegenPipeline(pm, options);
}

void registerAllDNNC(DialectRegistry &registry) {
  registry.insert<dnn::DNNDialect>();
  static bool once = [] {
    dnn::registerDNNPasses();
    registerDNNCConversionPasses();
    registerDNNCTransformsPasses();
    PassPipelineRegistration<>("dnnc-optimize",
                               "Optimize dnn IR (folding, BatchNorm folding)",
                               buildDNNOptimizePipeline);
    PassPipelineRegistration<>("dnnc-to-linalg",
                               "Lower dnn IR to linalg on tensors",
                               buildDNNToLinalgPipeline);
    PassPipelineRegistration<CPUCodegenOptions>(
        "dnnc-cpu-codegen", "Lower linalg on tensors to the LLVM dialect (CPU)",
        buildCPUCodegenPipeline);
    PassPipelineRegistration<CPUCodegenOptions>(
        "dnnc-cpu", "The whole CPU flow: dnn -> LLVM dialect",
        buildCPUPipeline);
    return true;
  }();
  (void)once;
}

} // namespace dnnc
