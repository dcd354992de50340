"""Float activations against float64 NumPy over their whole range. f32
Sigmoid is computed as 0.5 * tanh(x / 2) + 0.5 with a rational polynomial
(as MLAS does), so its error is absolute: at most a few units in the last
place of values near 1, and outputs far below 1e-7 may round to 0."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import dnnc


def compile_graph(tmp_path, nodes, n, dtype=TensorProto.FLOAT):
    g = helper.make_graph(
        nodes, "a", [helper.make_tensor_value_info("x", dtype, [n])],
        [helper.make_tensor_value_info("y", dtype, [n])])
    path = str(tmp_path / "a.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    return dnnc.compile(path)


def sigmoid64(x):
    return 1 / (1 + np.exp(-x.astype(np.float64)))


def test_sigmoid_f32_absolute_error(tmp_path):
    x = np.linspace(-40, 40, 100003).astype(np.float32)
    y = compile_graph(tmp_path, [helper.make_node("Sigmoid", ["x"], ["y"])],
                      x.size).run({"x": x})["y"]
    ref = sigmoid64(x)
    assert np.abs(y - ref).max() <= 2e-7
    assert ((y >= 0) & (y <= 1)).all()
    # Symmetric: sigmoid(-x) = 1 - sigmoid(x) up to rounding.
    assert np.abs(y + y[::-1] - 1).max() <= 2e-7


def test_sigmoid_f32_special_values(tmp_path):
    x = np.array([np.inf, -np.inf, np.nan, 0, 1e-30, -1e-30, 88.7, -88.7],
                 np.float32)
    y = compile_graph(tmp_path, [helper.make_node("Sigmoid", ["x"], ["y"])],
                      x.size).run({"x": x})["y"]
    np.testing.assert_allclose(y[[0, 1, 3, 4, 5, 6, 7]],
                               [1, 0, 0.5, 0.5, 0.5, 1, 0], atol=1e-7)
    assert np.isnan(y[2])


def test_swish_f32(tmp_path):
    """x * sigmoid(x), the EfficientNet activation, fused into one loop."""
    x = np.linspace(-30, 30, 4099).astype(np.float32)
    nodes = [helper.make_node("Sigmoid", ["x"], ["s"]),
             helper.make_node("Mul", ["x", "s"], ["y"])]
    y = compile_graph(tmp_path, nodes, x.size).run({"x": x})["y"]
    ref = x.astype(np.float64) * sigmoid64(x)
    # Absolute error of the sigmoid scaled by |x|, plus the product's rounding.
    np.testing.assert_allclose(y, ref, rtol=2e-7, atol=2e-7 * 30)


def test_sigmoid_f64_keeps_relative_accuracy(tmp_path):
    x = np.linspace(-40, 40, 1001)
    y = compile_graph(tmp_path, [helper.make_node("Sigmoid", ["x"], ["y"])],
                      x.size, TensorProto.DOUBLE).run({"x": x})["y"]
    np.testing.assert_allclose(y, sigmoid64(x), rtol=1e-14)
