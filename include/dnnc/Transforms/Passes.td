//===- Passes.td - dnnc codegen transforms -----------------*- tablegen -*-===//
#ifndef DNNC_TRANSFORMS_PASSES_TD
#define DNNC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DNNCConvToMatmul : Pass<"dnnc-conv-to-matmul", "mlir::func::FuncOp"> {
  let summary = "Rewrites linalg convolutions as (im2col +) matmul";
  let description = [{
    2-D NCHW convolutions become a matmul of the weights [F, C*KH*KW] with an
    im2col tensor [C*KH*KW, OH*OW] per image; 1x1 stride-1 convolutions need
    no im2col copy and become a plain matmul on a reshaped input. Grouped
    convolutions (not depthwise) become one matmul per group.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DNNCFuseElementwise : Pass<"dnnc-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Chains of elementwise linalg.generic ops become one";
  let description = [{
    An elementwise `linalg.generic` (all loops parallel) whose result has one
    user, another elementwise generic, is fused into it (upstream linalg
    elementwise fusion), and the operands the fused op reads twice are
    merged. Activations built from several ONNX nodes on one value, such as
    hard-swish x * HardSigmoid(x) or swish x * Sigmoid(x), then read the
    value once, in one pass, and their value has a single user: the
    convolution kernels apply them before the store.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DNNCFusePads : Pass<"dnnc-fuse-pads", "mlir::func::FuncOp"> {
  let summary = "Producers write into the interior of the padded tensor";
  let description = [{
    A static `tensor.pad` with a constant value copies its source into a
    larger tensor. When the source is computed by a chain of destination-style
    ops (linalg ops writing into their init, the init of the first a
    `tensor.empty`), this pass makes that `tensor.empty` a slice of the padded
    tensor, so that the producer writes the interior in place, fills only the
    border with the padding value, and replaces the pad with the matching
    `tensor.insert_slice` (in place once bufferized): the copy of each padded
    activation, and the fill of its interior, disappear.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DNNCFuseConcats : Pass<"dnnc-fuse-concats", "mlir::func::FuncOp"> {
  let summary = "Producers write into their place in a concatenation";
  let description = [{
    A concatenation is a chain of `tensor.insert_slice` ops into a
    `tensor.empty`. Each part computed by a chain of destination-style ops
    from a `tensor.empty` is computed in its slice of the concatenated
    tensor (a `bufferization.alloc_tensor`) instead, so that the inserts
    are in place once bufferized and the copies of the parts disappear.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DNNCConvKernels : Pass<"dnnc-conv-kernels", "mlir::func::FuncOp"> {
  let summary = "Register-blocked vector code for channels-last convolutions";
  let description = [{
    Lowers static f32 `linalg.conv_2d_nhwc_hwcf`, grouped
    `linalg.conv_2d_nhwgc_gfhwc`, `linalg.depthwise_conv_2d_nhwc_hwc` and
    `linalg.matmul` (as the 1x1 convolution of a one-row image; a static
    `linalg.batch_matmul` as a loop over its batch of those) to scf loops
    of vector ops on tensors. Each tile of MR output pixels x NV vectors of
    16 channels (fewer lanes for narrow groups) keeps
    its accumulators in registers over the whole reduction; the bias is the
    accumulators' start, and a chain of elementwise `linalg.generic`
    consumers (residual add, activation) is applied before the tile is
    stored. Constant weights are packed into contiguous panels of the
    tile's channels; an input whose pixels are a multiple of 4 KB apart is
    computed into a buffer with 16 more channels per pixel (cache sets).

    With `winograd` (the default), an ungrouped 3x3 stride-1 convolution
    with constant weights and enough channels and pixels is computed in the
    Winograd F(4x4, 3x3) form instead: the weights are transformed at
    compile time, the input tiles by vector code, the 36 products are a
    batch of matmuls on the same kernels, and the output transform applies
    the bias and the epilogue before its store (4x fewer multiplications
    than the direct convolution, results equal to float rounding).

    With `vnni`, the 8-bit convolution that `dnn.qconv2d_nhwc` lowers to (a
    `linalg.generic` summing (ext(x) - zp) * sext(w) into i32) gets the
    same register tiles with i32 accumulators and dot products of 4 bytes
    (4 unsigned bytes of one pixel times 4 signed weight bytes of each of 16
    channels, the form of AVX-512 VNNI's `vpdpbusd`, into which
    `dnnc-vnni-dots` turns it after bufferization). The weights are packed at
    compile time into [panels, KH, KW, C/4, panel x 4] bytes, the zero
    point's share, zp * sum(w), is subtracted from the accumulators' start,
    and signed input codes become unsigned by a flip of their top bit
    (128 more on every code, taken off the same way). Results are exact.
  }];
  let options = [
    Option<"winograd", "winograd", "bool", /*default=*/"true",
           "compute eligible 3x3 convolutions in the Winograd F(4x4, 3x3) form">,
    Option<"vnni", "vnni", "bool", /*default=*/"false",
           "compute 8-bit convolutions with AVX-512 VNNI dot products">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def DNNCVnniDots : Pass<"dnnc-vnni-dots", "mlir::func::FuncOp"> {
  let summary = "8-bit dot products of 4 as AVX-512 VNNI vpdpbusd";
  let description = [{
    Rewrites
      acc + reduce_add(shape_cast(zext(a) * sext(b), [16, 4]), dim 1)
    with `a`, `b` vector<64xi8> and `acc` vector<16xi32> (what
    dnnc-conv-kernels writes for 8-bit convolutions) into the intrinsic
    `llvm.x86.avx512.vpdpbusd.512`, which computes exactly that. Run after
    bufferization (the intrinsic call has no tensor semantics) and only for
    targets with avx512vnni. When `b` is read from packed weights
    ([panels, KH, KW, C/4, panel x 4] bytes) of 1 MB or more, which do not
    stay in cache between runs, a `memref.prefetch` of the same position in
    the next panel goes with the read.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect"];
}

def DNNCRowReductions : Pass<"dnnc-row-reductions", "mlir::func::FuncOp"> {
  let summary = "Vector loops with vector accumulators for innermost reductions";
  let description = [{
    A static f32 `linalg.generic` whose loops are parallel but the innermost,
    a reduction with an add, mul, max or min combiner (softmax, layer norm,
    reductions over the last axis), becomes a loop over its rows and, per
    row, a loop over 16-lane chunks of the reduced dim: the body is applied
    to vectors (inputs along the reduced dim read as vectors, the others as
    one scalar per row) and combined into a vector accumulator, a masked
    chunk takes the rest and one horizontal reduction ends the row. The row
    loop is marked `dnnc.parallel` above some work.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def DNNCUnshareEmptyTensors
    : Pass<"dnnc-unshare-empty-tensors", "mlir::func::FuncOp"> {
  let summary = "Gives every writer of a tensor.empty (or a fill of one) its own";
  let description = [{
    CSE merges identical `tensor.empty` ops and identical `linalg.fill` ops
    of them, so one value may be the destination of many unrelated ops;
    one-shot bufferization then writes all but one of them out of place,
    each into a new buffer that first receives a copy of the shared one, and
    the shared buffer is allocated at its first definition, which CSE moved
    to the top of the function. Run before bufferization, this pass gives
    every use of a `tensor.empty`, and every writer of a fill of one (a
    destination or a loop's iteration argument, not a read), its own clone
    right before the user: no copies, and each buffer is allocated when it
    is first needed.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def DNNCTileAndVectorize : Pass<"dnnc-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Register-tiles linalg contractions and vectorizes them";
  let description = [{
    Every matmul-like linalg op (matmul, batch_matmul, contraction generics)
    is tiled to an `m x n x k` register tile (scf.for loops), the tile is
    vectorized to vector.contract, and elementwise/reduction generics are
    tiled along their innermost dim and vectorized. Ops it cannot vectorize
    (dynamic shapes, gathers) stay scalar loops after bufferization.
  }];
  let options = [
    Option<"tileM", "tile-m", "int64_t", "8", "rows per register tile">,
    Option<"tileN", "tile-n", "int64_t", "32", "columns per register tile">,
    Option<"tileK", "tile-k", "int64_t", "1", "reduction step per tile">,
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "elements per vector for elementwise ops">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DNNCParallelLoops : Pass<"dnnc-parallel-loops", "mlir::func::FuncOp"> {
  let summary = "Turns bufferized loops marked dnnc.parallel into scf.parallel";
  let description = [{
    Kernel generators mark a tensor loop `dnnc.parallel` when its iterations
    write disjoint tiles of the loop-carried tensor. After bufferization
    (and canonicalization, which drops the in-place loop-carried buffer) such
    a loop carries nothing, and this pass rewrites it as an `scf.parallel`,
    which convert-scf-to-openmp runs on OpenMP threads. A marked loop that
    still carries values, or is nested in a parallel loop, stays sequential.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def DNNCEarlyDealloc : Pass<"dnnc-early-dealloc", "mlir::func::FuncOp"> {
  let summary = "Frees each buffer right after its last use";
  let description = [{
    The ownership-based deallocation pipeline frees a function's buffers at
    the end of the block that allocated them, so every intermediate tensor of
    a model stays allocated until the model returns: the peak is the sum of
    all of them. This pass moves each `memref.dealloc` of a `memref.alloc`
    of the same block to just after the last op of that block that uses the
    buffer or a view of it (subview, reshape, cast, ... : any
    ViewLikeOpInterface op), so that the runtime's allocator hands the memory
    to later buffers and the peak is the largest set of buffers live at
    once. Buffers with a use it cannot see through (returned, yielded,
    passed to a call, captured by an op with memref results) stay as they
    are.
  }];
}

def DNNCPlanBuffers : Pass<"dnnc-plan-buffers", "mlir::func::FuncOp"> {
  let summary = "Places a function's static buffers in one arena, planned at compile time";
  let description = [{
    Runs after `dnnc-early-dealloc`. Every `memref.alloc` of the function's
    body with a static size and identity layout, freed by one
    `memref.dealloc` in the same block, lives from its alloc to its dealloc:
    all such buffers get offsets in one arena (an i8 `memref.alloc` at the
    start of the body, freed before the return) so that buffers live at the
    same time never overlap (greedy by size: the largest first, each at the
    lowest 64-byte aligned offset free of the placed buffers whose lifetimes
    meet its own). Each alloc becomes a `memref.view` of the arena and its
    dealloc goes. A run then holds about the largest set of buffers live at
    once, no more; buffers with run-time sizes or that leave the function
    stay allocated at run time.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def DNNCHoistVectorTransfers
    : Pass<"dnnc-hoist-vector-transfers", "mlir::func::FuncOp"> {
  let summary = "Keeps register-tile accumulators in registers across loops";
  let description = [{
    After bufferization, folds memref subviews into vector transfers and
    hoists loop-invariant read/write pairs (the matmul accumulator tile) out
    of the reduction loop, so the tile lives in vector registers.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::affine::AffineDialect"];
}

def DNNCMathApproximation
    : Pass<"dnnc-math-approximation", "mlir::func::FuncOp"> {
  let summary = "Replaces f32 transcendental math ops with polynomials";
  let description = [{
    exp, log, tanh, erf, sin, cos, ... on f32 scalars and vectors become
    polynomial approximations (upstream patterns) that vectorize, instead of
    scalar libm calls. A conversion to integer of a value rounded to the
    nearest even integer (quantization) becomes one `llvm.intr.lrint`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def DNNCLowerStridedCopies
    : Pass<"dnnc-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Turns non-contiguous memref.copy into linalg.copy loops";
  let description = [{
    memref.copy between buffers that are not both contiguous would lower to a
    call into MLIR's C runner utilities, which compiled models do not link.
    They become linalg.copy (then loops); contiguous copies stay memcpy.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DNNCHoistAllocas : Pass<"dnnc-hoist-allocas", "mlir::func::FuncOp"> {
  let summary = "Moves static memref.alloca ops to the function entry";
  let description = [{
    Vector lowering creates small stack buffers next to their use, often
    inside loop nests; an alloca in a loop grows the stack every iteration
    and overflows it on real models. Static allocas move to the entry block,
    where LLVM promotes them to registers.
  }];
}

def DNNCReturnOwnedBuffers
    : Pass<"dnnc-return-owned-buffers", "mlir::func::FuncOp"> {
  let summary = "Makes every returned memref a fresh allocation";
  let description = [{
    Models with run-time dims return their outputs as memrefs that the
    caller frees. A returned buffer that is not a memref.alloc of this
    function (an argument, a constant, a view, a value returned twice, a
    buffer chosen by control flow) is copied into a new allocation first,
    so that each result is a distinct heap buffer owned by the caller. Runs
    after bufferization, before the deallocation pipeline.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

#endif // DNNC_TRANSFORMS_PASSES_TD
