"""Parallel loops (dnnc-parallel-loops, OpenMP): a network whose convolutions
and matmul are big enough to run on several threads gives the reference's
result at 1, 2 and 3 threads, bit for bit the same at each count (every
output tile is computed whole by one thread), and the model really calls the
OpenMP runtime."""
import os
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import dnnc
from test_conv_kernels import conv_ref


def build(tmp_path):
    rng = np.random.default_rng(7)
    w1 = (rng.standard_normal((64, 32, 3, 3)) * 0.1).astype(np.float32)
    b1 = rng.standard_normal(64).astype(np.float32)
    wd = (rng.standard_normal((64, 1, 3, 3)) * 0.3).astype(np.float32)
    wm = (rng.standard_normal((28, 96)) * 0.2).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1] * 4),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "wd"], ["c2"], kernel_shape=[3, 3], pads=[1] * 4,
                         group=64),
        helper.make_node("MatMul", ["c2", "wm"], ["y"]),
    ]
    inits = [numpy_helper.from_array(v, k) for k, v in
             [("w1", w1), ("b1", b1), ("wd", wd), ("wm", wm)]]
    g = helper.make_graph(nodes, "par", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [1, 32, 28, 28])], [helper.make_tensor_value_info(
            "y", TensorProto.FLOAT, [1, 64, 28, 96])], inits)
    path = str(tmp_path / "par.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    x = rng.standard_normal((1, 32, 28, 28)).astype(np.float32)
    r = np.maximum(conv_ref(x, w1, b1, (1, 1), (1, 1, 1, 1), (1, 1), 1), 0)
    r = conv_ref(r, wd, np.zeros(64, np.float32), (1, 1), (1, 1, 1, 1), (1, 1), 64)
    return path, x, r.astype(np.float64) @ wm


def test_threads_match_reference_and_each_other(tmp_path):
    path, x, ref = build(tmp_path)
    m = dnnc.compile(path, str(tmp_path / "par.so"))
    outs = []
    for t in (1, 2, 3, 0):
        m.set_num_threads(t)
        outs.append(m.run({"x": x})["y"])
        np.testing.assert_allclose(outs[-1], ref, rtol=1e-4, atol=1e-4)
    for o in outs[1:]:
        assert np.array_equal(o, outs[0])
    syms = subprocess.run(["nm", "-D", "--undefined-only", str(tmp_path / "par.so")],
                          capture_output=True, text=True, check=True).stdout
    assert "__kmpc_fork_call" in syms


def test_negative_thread_count_is_an_error(tmp_path):
    path, _, _ = build(tmp_path)
    m = dnnc.compile(path)
    with pytest.raises(ValueError, match="cannot use -1 threads"):
        m.set_num_threads(-1)


def test_elementwise_and_row_loops_on_threads(tmp_path):
    """A big elementwise chain (tanh-approximated GELU) and a softmax over the
    last axis, whose loops dnnc-tile-and-vectorize and dnnc-row-reductions
    mark parallel: the same bits at every thread count, and NumPy's values."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((1, 197, 3072)).astype(np.float32)
    half = numpy_helper.from_array(np.array(0.5, np.float32), "half")
    one = numpy_helper.from_array(np.array(1.0, np.float32), "one")
    nodes = [helper.make_node("Tanh", ["x"], ["t"]),
             helper.make_node("Add", ["t", "one"], ["u"]),
             helper.make_node("Mul", ["x", "u"], ["v"]),
             helper.make_node("Mul", ["v", "half"], ["g"]),
             helper.make_node("Softmax", ["g"], ["y"], axis=-1)]
    graph = helper.make_graph(nodes, "ew", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, list(x.shape))], [helper.make_tensor_value_info(
            "y", TensorProto.FLOAT, list(x.shape))], [half, one])
    path = str(tmp_path / "ew.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    xd = x.astype(np.float64)
    g = 0.5 * xd * (1 + np.tanh(xd))
    e = np.exp(g - g.max(-1, keepdims=True))
    ref = e / e.sum(-1, keepdims=True)
    m = dnnc.compile(path)
    outs = []
    for t in (1, 2, 3):
        m.set_num_threads(t)
        outs.append(m.run({"x": x})["y"])
        np.testing.assert_allclose(outs[-1], ref, rtol=1e-4, atol=1e-7)
    for o in outs[1:]:
        assert np.array_equal(o, outs[0])
