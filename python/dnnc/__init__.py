"""dnnc: an MLIR-based ahead-of-time compiler for ONNX models.

    import dnnc
    m = dnnc.compile("model.onnx")            # -> Model (MODEL.so in a temp dir)
    m = dnnc.compile("model.onnx", output="model.so")
    m = dnnc.load("model.so")
    m.inputs, m.outputs                        # [TensorSpec(name, dtype, shape)]
                                               # (None in shape: a run-time dim)
    outs = m.run({"input": x})                 # {name: numpy.ndarray}

    # Post-training int8 quantization on calibration input sets:
    m = dnnc.compile("model.onnx", quantize="int8", calibration=[{"input": x}, ...])
    m.quantization_report                      # per-layer and output SQNR
    dnnc.quantize("model.onnx", calibration, "model.int8.onnx")  # the QDQ model

Compilation errors raise dnnc.CompileError, whose message names the file,
the ONNX node and the op, and whose .node / .op attributes hold them.
"""
import collections
import json
import os
import re
import tempfile

from . import _dnnc

__all__ = ["compile", "quantize", "load", "Model", "TensorSpec", "CompileError", "ABI_VERSION"]

ABI_VERSION = 5

TensorSpec = collections.namedtuple("TensorSpec", ["name", "dtype", "shape"])


class CompileError(Exception):
    """A model that dnnc cannot compile; .file, .node, .op and .opset locate
    it."""

    def __init__(self, message):
        super().__init__(message)
        m = re.match(r"(?P<file>[^:]*): (node '(?P<node>[^']*)'"
                     r"( \((?P<op>[^),]*)(, opset (?P<opset>\d+))?\))?: )?", message)
        self.file = m.group("file") if m else None
        self.node = m.group("node") if m else None
        self.op = m.group("op") if m else None
        self.opset = int(m.group("opset")) if m and m.group("opset") else None


class Model:
    """A compiled model loaded from MODEL.so."""

    def __init__(self, path):
        self._m = _dnnc.Model(os.fspath(path))
        self.path = os.fspath(path)
        #: The report of dnnc.compile(..., quantize="int8"), else None.
        self.quantization_report = None

    @property
    def inputs(self):
        return [TensorSpec(*t) for t in self._m.inputs]

    @property
    def outputs(self):
        return [TensorSpec(*t) for t in self._m.outputs]

    def run(self, feeds):
        """Runs the model on {input name: ndarray}; returns {name: ndarray}."""
        return self._m.run(dict(feeds))

    def set_num_threads(self, threads):
        """Threads for the parallel loops of the runs this thread makes from
        now on; 0 restores the default (OMP_NUM_THREADS or one per core)."""
        self._m.set_num_threads(int(threads))

    def memory_info(self):
        """{"weight_bytes", "peak_live_bytes", "peak_held_bytes"}: the
        weights, and the most bytes of buffers the last run from this thread
        had in use at once (held: plus freed buffers kept for reuse)."""
        return self._m.memory_info()

    def __repr__(self):
        return "<dnnc.Model %s inputs=%s outputs=%s>" % (
            self.path, self.inputs, self.outputs)


def quantize(path, calibration, output, *, method="minmax", percentile=99.999,
             keep_float=(), input_shapes=None, report=True, min_sqnr=None):
    """Quantizes a float ONNX model to int8 and writes it to `output` as a
    standard QDQ ONNX model (which dnnc.compile, or any ONNX runtime, runs).

    calibration: a list of input sets {input name: ndarray}, or a directory
    holding one subdirectory per set of NAME.npy / input_K.pb files.
    Weights are int8 per output channel (symmetric), activations uint8 per
    tensor with ranges from `method` ("minmax"; "percentile": the central
    `percentile` % of the values; "entropy": the clipping of [min, max] that
    loses the least information, by the KL divergence of the quantized
    histogram). keep_float names layers (ONNX node or
    output names) to leave float. min_sqnr (dB) asks for mixed precision:
    the fewest layers kept float, those adding the most noise, such that
    every output's SQNR against float meets it.

    Returns the report: {"method", "sets", "min_sqnr_db", "layers": [{"node",
    "op", "tensor", "quantized", "reason", "sqnr_db", "input_sqnr_db"}],
    "outputs": [{"name",
    "sqnr_db", "max_abs_error"}]}, SQNR against the float model on the
    calibration sets (None for an exact match; report=False skips it).
    """
    if not isinstance(calibration, (str, os.PathLike)):
        calibration = list(calibration)
    else:
        calibration = os.fspath(calibration)
    shapes = {k: [int(d) for d in v] for k, v in (input_shapes or {}).items()}
    try:
        text = _dnnc.quantize(os.fspath(path), os.fspath(output), calibration,
                              method, float(percentile), list(keep_float),
                              shapes, report,
                              None if min_sqnr is None else float(min_sqnr))
    except _dnnc.Error as e:
        raise CompileError(str(e)) from None
    return json.loads(text)


def quantize_weights(path, output, *, bits=4, group_size=32, keep_float=()):
    """Weight-only quantization: the weights of MatMul and Gemm become `bits`
    (4 or 8) unsigned codes with a scale and zero point per block of
    `group_size` along K, written to `output` as ONNX Runtime's
    com.microsoft MatMulNBits (which dnnc.compile and ONNX Runtime run).
    Activations stay float; no calibration data is needed.

    Returns the report: {"bits", "group_size", "float_bytes",
    "quantized_bytes", "layers": [{"node", "op", "k", "n", "quantized",
    "reason", "weight_sqnr_db"}]}.
    """
    try:
        text = _dnnc.quantize_weights(os.fspath(path), os.fspath(output), int(bits),
                                      int(group_size), list(keep_float))
    except _dnnc.Error as e:
        raise CompileError(str(e)) from None
    return json.loads(text)


def format_report(report):
    """The quantization report as a table."""
    lines = ["%d of %d layers int8 (%s calibration on %d input sets)" % (
        sum(l["quantized"] for l in report["layers"]), len(report["layers"]),
        report["method"], report["sets"])]
    db = lambda v: "inf" if v is None else "%.1f" % v
    for l in report["layers"]:
        lines.append("  %-40s %-6s %-4s %7s%s" % (
            l["node"], l["op"], "yes" if l["quantized"] else "no", db(l["sqnr_db"]),
            "" if l["quantized"] else "  (%s)" % l["reason"]))
    for o in report["outputs"]:
        lines.append("  output %-33s SQNR %s dB, max abs error %.3g" % (
            o["name"], db(o["sqnr_db"]), o["max_abs_error"]))
    return "\n".join(lines)


def compile(path, output=None, *, input_shapes=None, emit="so", vectorize=True,
            winograd=True, vnni=True, quantize=None, calibration=None,
            calibration_method="minmax", percentile=99.999, keep_float=(),
            min_sqnr=None, group_size=32):
    """Compiles an ONNX model.

    With emit="so" (default) returns the loaded Model; output defaults to a
    file in a fresh temporary directory. Other emit kinds ("dnn", "linalg",
    "llvm-mlir", "llvm", "obj") write `output` and return its path.
    Symbolic dims stay dynamic (the model runs at any size that fits) unless
    input_shapes fixes them: {"input": (1, 3, 224, 224)}.
    winograd=False computes 3x3 convolutions directly, never in the
    Winograd F(4x4, 3x3) form (which differs from it by float rounding).
    vnni=False computes 8-bit convolutions without AVX-512 VNNI dot
    products even where the CPU has them (same results, slower).
    quantize="int8" quantizes first on `calibration` (see dnnc.quantize);
    quantize="int4-weights" or "int8-weights" quantizes the MatMul/Gemm
    weights only (see dnnc.quantize_weights; group_size= sets the block).
    The returned Model's quantization_report holds the report.
    """
    path = os.fspath(path)
    report = None
    if quantize is not None:
        weights = {"int4-weights": 4, "int8-weights": 8}.get(quantize)
        if quantize != "int8" and weights is None:
            raise ValueError("quantize=%r is not supported (int8, int4-weights, "
                             "int8-weights are)" % quantize)
        if weights is None and calibration is None:
            raise ValueError("quantize needs calibration input sets")
        # The QDQ model keeps the input's file name: it names the entry points.
        qdir = tempfile.mkdtemp(prefix="dnnc-q-")
        qpath = os.path.join(qdir, os.path.basename(path))
        try:
            if weights is not None:
                report = quantize_weights(path, qpath, bits=weights, group_size=group_size,
                                          keep_float=keep_float)
            else:
                report = globals()["quantize"](
                    path, calibration, qpath, method=calibration_method,
                    percentile=percentile, keep_float=keep_float,
                    input_shapes=input_shapes, min_sqnr=min_sqnr)
            try:
                model = compile(qpath, output, input_shapes=input_shapes,
                                emit=emit, vectorize=vectorize, winograd=winograd,
                                vnni=vnni)
            except CompileError as e:  # name the user's file
                raise CompileError(str(e).replace(qpath, path + " (quantized)")) from None
        finally:
            for f in os.listdir(qdir):
                os.remove(os.path.join(qdir, f))
            os.rmdir(qdir)
        if isinstance(model, Model):
            model.quantization_report = report
        return model
    if output is None:
        if emit != "so":
            raise ValueError("output is required for emit=%r" % emit)
        d = tempfile.mkdtemp(prefix="dnnc-")
        output = os.path.join(d, os.path.splitext(os.path.basename(path))[0] + ".so")
    shapes = {k: [int(d) for d in v] for k, v in (input_shapes or {}).items()}
    try:
        _dnnc.compile(path, os.fspath(output), emit, shapes, vectorize, winograd,
                      vnni)
    except _dnnc.Error as e:
        raise CompileError(str(e)) from None
    if emit == "so":
        return Model(output)
    return output


def load(path):
    """Loads a MODEL.so compiled by dnnc."""
    try:
        return Model(path)
    except RuntimeError as e:
        raise OSError(str(e)) from None
