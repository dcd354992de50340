"""3x3 convolutions in the Winograd F(4x4, 3x3) form (dnnc-conv-kernels,
WinogradConv.cpp) against a float64 NumPy reference: images whose sides are
not multiples of the 4x4 tile (the overhanging tiles), channel counts that are
not multiples of the vector width, batches, the bias and the epilogue
(residual add, relu, clip) applied in the output transform, and several
threads. The form differs from the direct kernel by float rounding: the
tolerance is relative to the output's range, and the direct kernel's results
(winograd=False) must differ from it, while convolutions the form does not
take (strided, small images, grouped) must give the direct kernel's bits."""
import os
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import dnnc
from test_conv_kernels import conv_ref, run_conv

CASES = {
    # name: (input shape, F, pads, epilogue)
    "56x56_64ch_relu": ((1, 64, 56, 56), 64, (1, 1, 1, 1), [("Relu", None)]),
    "rows_cols_rest_1": ((1, 16, 9, 13), 32, (1, 1, 1, 1), []),
    "rows_cols_rest_3": ((1, 32, 11, 15), 48, (1, 1, 1, 1), [("Relu", None)]),
    "rest_2_unpadded": ((1, 16, 12, 16), 16, (0, 0, 0, 0), []),
    "channels_not_16": ((1, 20, 12, 12), 40, (1, 1, 1, 1), [("Clip", (0.0, 6.0))]),
    "batch2_residual": ((2, 32, 10, 10), 32, (1, 1, 1, 1), [("AddInput", None), ("Relu", None)]),
    "14x14_256ch": ((1, 256, 14, 14), 256, (1, 1, 1, 1), [("Relu", None)]),
    "squeezenet_expand": ((1, 16, 55, 55), 64, (1, 1, 1, 1), [("Relu", None)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_winograd_matches_reference(tmp_path, name):
    shape, f, pads, epi = CASES[name]
    y, ref = run_conv(tmp_path, shape, f, (3, 3), pads=pads, epilogue=epi)
    assert y.shape == ref.shape
    # Measured: about 1e-5 of the output's range at worst (the direct
    # kernel: 1e-6).
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=3e-5 * np.abs(ref).max())
    direct, _ = run_conv(tmp_path, shape, f, (3, 3), pads=pads, epilogue=epi, winograd=False)
    assert not np.array_equal(y, direct), "the Winograd form was not taken"


@pytest.mark.parametrize("name,shape,f,strides,group", [
    ("strided", (1, 32, 20, 20), 32, (2, 2), 1),
    ("small_image", (1, 64, 7, 7), 64, (1, 1), 1),
    ("grouped", (1, 32, 16, 16), 32, (1, 1), 2),
])
def test_direct_where_winograd_does_not_pay(tmp_path, name, shape, f, strides, group):
    y, ref = run_conv(tmp_path, shape, f, (3, 3), strides=strides, pads=(1, 1, 1, 1),
                      group=group)
    direct, _ = run_conv(tmp_path, shape, f, (3, 3), strides=strides, pads=(1, 1, 1, 1),
                         group=group, winograd=False)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(y, direct)


def test_winograd_threads_same_bits(tmp_path):
    """The transforms' tile rows and the 36 matmuls split over threads: the
    same bits at 1, 2 and 3 threads, equal to the reference."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 64, 28, 28)).astype(np.float32)
    w = (rng.standard_normal((96, 64, 3, 3)) / 24).astype(np.float32)
    b = rng.standard_normal(96).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1] * 4)],
        "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 96, 28, 28])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    path = str(tmp_path / "conv.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    m = dnnc.compile(path)
    ref = conv_ref(x, w, b, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    outs = []
    for t in (1, 2, 3):
        m.set_num_threads(t)
        outs.append(m.run({"x": x})["y"])
    np.testing.assert_allclose(outs[0], ref, rtol=1e-4, atol=3e-5 * np.abs(ref).max())
    for o in outs[1:]:
        np.testing.assert_array_equal(o, outs[0])


def test_cli_no_winograd(tmp_path):
    """dnnc --no-winograd compiles the direct kernel: its results are the
    direct kernel's bits."""

    shape, f = (1, 32, 16, 16), 32
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    w = (rng.standard_normal((f, 32, 3, 3)) * 0.3).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[1] * 4)],
        "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, f, 16, 16])],
        [numpy_helper.from_array(w, "w")])
    path = str(tmp_path / "conv.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    so = str(tmp_path / "direct.so")
    dnnc_bin = os.path.join(os.path.dirname(dnnc.__file__), "..", "..", "bin", "dnnc")
    subprocess.run([dnnc_bin, path, "--no-winograd", "-o", so], check=True)
    y_cli = dnnc.load(so).run({"x": x})["y"]
    y_direct = dnnc.compile(path, winograd=False).run({"x": x})["y"]
    y_wino = dnnc.compile(path).run({"x": x})["y"]
    np.testing.assert_array_equal(y_cli, y_direct)
    assert not np.array_equal(y_cli, y_wino)
