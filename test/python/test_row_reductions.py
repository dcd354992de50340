"""dnnc-row-reductions: reductions over the last axis run as vector loops
with vector accumulators, a masked chunk for the rest of a row. Outputs
against NumPy for row lengths below, at and past the vector width, for every
combiner (sum, product, max, min) and for the ops built on them (softmax,
log-softmax, layer normalization); a NaN or an infinity in a row reaches the
result as NumPy says."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import dnnc


def run_node(tmp_path, node, x, out_shape, inits=(), opset=13):
    g = helper.make_graph(
        [node], "r", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))], list(inits))
    path = str(tmp_path / "r.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]), path)
    return dnnc.compile(path).run({"x": x})["y"]


REDUCES = {
    "ReduceSum": lambda a: a.sum(-1, keepdims=True),
    "ReduceMean": lambda a: a.mean(-1, keepdims=True),
    "ReduceMax": lambda a: a.max(-1, keepdims=True),
    "ReduceMin": lambda a: a.min(-1, keepdims=True),
    "ReduceProd": lambda a: a.prod(-1, keepdims=True),
}


def reduce_node(op, axis):
    """Opset 13: ReduceSum takes the axes as an input, the others as an
    attribute."""
    if op == "ReduceSum":
        return helper.make_node(op, ["x", "axes"], ["y"], keepdims=1)
    return helper.make_node(op, ["x"], ["y"], axes=[axis], keepdims=1)


def reduce_inits(op, axis):
    if op == "ReduceSum":
        return [numpy_helper.from_array(np.array([axis], np.int64), "axes")]
    return []


@pytest.mark.parametrize("k", [5, 16, 37, 768])
@pytest.mark.parametrize("op", sorted(REDUCES))
def test_reduce_last_axis(tmp_path, op, k):
    rng = np.random.default_rng(k)
    x = rng.standard_normal((3, 7, k)).astype(np.float32)
    if op == "ReduceProd":
        x = (1 + 0.05 * x).astype(np.float32)
    y = run_node(tmp_path, reduce_node(op, -1), x, (3, 7, 1), reduce_inits(op, -1))
    np.testing.assert_allclose(y, REDUCES[op](x.astype(np.float64)), rtol=1e-5, atol=1e-5)


def test_nan_and_inf_in_rows(tmp_path):
    x = np.random.default_rng(1).standard_normal((4, 37)).astype(np.float32)
    x[0, 3] = np.nan      # in a full chunk
    x[1, 35] = np.nan     # in the masked chunk
    x[2, 36] = np.inf
    x[3, :] = -np.inf
    for op in ("ReduceMax", "ReduceSum"):
        y = run_node(tmp_path, reduce_node(op, 1), x, (4, 1), reduce_inits(op, 1))
        np.testing.assert_array_equal(y, REDUCES[op](x))


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
def test_softmax_rows(tmp_path, op):
    x = (np.random.default_rng(2).standard_normal((1, 12, 197, 197)) * 4).astype(np.float32)
    y = run_node(tmp_path, helper.make_node(op, ["x"], ["y"], axis=-1), x, x.shape)
    d = x.astype(np.float64) - x.max(-1, keepdims=True)
    lse = np.log(np.exp(d).sum(-1, keepdims=True))
    ref = d - lse if op == "LogSoftmax" else np.exp(d - lse)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


def test_layer_norm_rows(tmp_path):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((1, 197, 768)) * 2 + 1).astype(np.float32)
    s = rng.standard_normal(768).astype(np.float32)
    b = rng.standard_normal(768).astype(np.float32)
    node = helper.make_node("LayerNormalization", ["x", "s", "b"], ["y"], axis=-1)
    y = run_node(tmp_path, node, x, x.shape,
                 [numpy_helper.from_array(s, "s"), numpy_helper.from_array(b, "b")], opset=17)
    xd = x.astype(np.float64)
    m = xd.mean(-1, keepdims=True)
    v = ((xd - m) ** 2).mean(-1, keepdims=True)
    np.testing.assert_allclose(y, (xd - m) / np.sqrt(v + 1e-5) * s + b, rtol=1e-4, atol=1e-4)
