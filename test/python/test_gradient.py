"""Gradient (ai.onnx.preview.training): reverse-mode differentiation of the
imported graph, checked against gradients derived by hand with numpy."""
import numpy as np
import onnx
from onnx import TensorProto, helper

import dnnc


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def test_gradient_of_mlp_layer(tmp_path):
    # y = tanh(relu(x @ w + b) * s) with a broadcast bias b and a broadcast
    # per-row scale s; the adjoint of y is ones.
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["h"]),
        helper.make_node("Add", ["h", "b"], ["hb"]),
        helper.make_node("Relu", ["hb"], ["r"]),
        helper.make_node("Mul", ["r", "s"], ["m"]),
        helper.make_node("Tanh", ["m"], ["y"]),
        helper.make_node("Gradient", ["x", "w", "b", "s"], ["dx", "dw", "db", "ds"],
                         domain="ai.onnx.preview.training", xs=["x", "w", "b", "s"],
                         y="y"),
    ]
    g = helper.make_graph(
        nodes, "grad",
        [f32("x", [3, 4]), f32("w", [4, 5]), f32("b", [5]), f32("s", [3, 1])],
        [f32("y", [3, 5]), f32("dx", [3, 4]), f32("dw", [4, 5]), f32("db", [5]),
         f32("ds", [3, 1])])
    m = helper.make_model(g, opset_imports=[
        helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.preview.training", 1)])
    path = str(tmp_path / "grad.onnx")
    onnx.save(m, path)
    model = dnnc.compile(path, output=str(tmp_path / "grad.so"))

    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    w = rng.standard_normal((4, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    s = rng.standard_normal((3, 1)).astype(np.float32)
    out = model.run({"x": x, "w": w, "b": b, "s": s})

    hb = x @ w + b
    r = np.maximum(hb, 0)
    y = np.tanh(r * s)
    gm = 1 - y * y                      # d y / d m, times the ones adjoint
    gr = gm * s                         # through m = r * s
    ghb = gr * (hb > 0)                 # through relu
    expect = {
        "y": y,
        "dx": ghb @ w.T,
        "dw": x.T @ ghb,
        "db": ghb.sum(axis=0),          # the broadcast bias sums over rows
        "ds": (gm * r).sum(axis=1, keepdims=True),
    }
    for name, ref in expect.items():
        np.testing.assert_allclose(out[name], ref, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
