"""dnnc: an MLIR-based ahead-of-time compiler for ONNX models.

    import dnnc
    m = dnnc.compile("model.onnx")            # -> Model (MODEL.so in a temp dir)
    m = dnnc.compile("model.onnx", output="model.so")
    m = dnnc.load("model.so")
    m.inputs, m.outputs                        # [TensorSpec(name, dtype, shape)]
                                               # (None in shape: a run-time dim)
    outs = m.run({"input": x})                 # {name: numpy.ndarray}

Compilation errors raise dnnc.CompileError, whose message names the file,
the ONNX node and the op, and whose .node / .op attributes hold them.
"""
import collections
import os
import re
import tempfile

from . import _dnnc

__all__ = ["compile", "load", "Model", "TensorSpec", "CompileError", "ABI_VERSION"]

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


def compile(path, output=None, *, input_shapes=None, emit="so", vectorize=True,
            winograd=True):
    """Compiles an ONNX model.

    With emit="so" (default) returns the loaded Model; output defaults to a
    file in a fresh temporary directory. Other emit kinds ("dnn", "linalg",
    "llvm-mlir", "llvm", "obj") write `output` and return its path.
    Symbolic dims stay dynamic (the model runs at any size that fits) unless
    input_shapes fixes them: {"input": (1, 3, 224, 224)}.
    winograd=False computes 3x3 convolutions directly, never in the
    Winograd F(4x4, 3x3) form (which differs from it by float rounding).
    """
    path = os.fspath(path)
    if output is None:
        if emit != "so":
            raise ValueError("output is required for emit=%r" % emit)
        d = tempfile.mkdtemp(prefix="dnnc-")
        output = os.path.join(d, os.path.splitext(os.path.basename(path))[0] + ".so")
    shapes = {k: [int(d) for d in v] for k, v in (input_shapes or {}).items()}
    try:
        _dnnc.compile(path, os.fspath(output), emit, shapes, vectorize, winograd)
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
