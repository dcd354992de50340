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


@pytest.mark.parametrize("b,m,k,n", [(12, 37, 64, 37), (3, 20, 8, 40), (5, 1, 33, 70),
                                     (2, 64, 96, 17)])
def test_attention_batch_matmuls_on_threads(tmp_path, b, m, k, n):
    """Scores Q K^T, softmax and the context P V: batch matmuls of two run-time
    operands, which dnnc-conv-kernels runs as a (parallel, when big enough)
    loop over the batch of kernel matmuls. Shapes off the tile sizes; the
    same bits at every thread count, and NumPy's values."""
    rng = np.random.default_rng(b * m + n)
    q = rng.standard_normal((b, m, k)).astype(np.float32)
    kt = rng.standard_normal((b, k, n)).astype(np.float32)
    v = rng.standard_normal((b, n, k)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["q", "kt"], ["s"]),
             helper.make_node("Softmax", ["s"], ["p"], axis=-1),
             helper.make_node("MatMul", ["p", "v"], ["y"])]
    graph = helper.make_graph(nodes, "attn", [
        helper.make_tensor_value_info("q", TensorProto.FLOAT, [b, m, k]),
        helper.make_tensor_value_info("kt", TensorProto.FLOAT, [b, k, n]),
        helper.make_tensor_value_info("v", TensorProto.FLOAT, [b, n, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [b, m, k]),
         helper.make_tensor_value_info("s", TensorProto.FLOAT, [b, m, n])], [])
    path = str(tmp_path / "attn.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    s = q.astype(np.float64) @ kt
    e = np.exp(s - s.max(-1, keepdims=True))
    ref = (e / e.sum(-1, keepdims=True)) @ v
    mod = dnnc.compile(path)
    outs = []
    for t in (1, 2, 3):
        mod.set_num_threads(t)
        r = mod.run({"q": q, "kt": kt, "v": v})
        np.testing.assert_allclose(r["s"], s, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(r["y"], ref, rtol=1e-4, atol=1e-4)
        outs.append(r["y"])
    for o in outs[1:]:
        assert np.array_equal(o, outs[0])
