"""ConvTranspose with symbolic batch and image size (static weights): one
compiled model runs at several sizes and matches PyTorch's
conv_transpose2d."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import dnnc

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("attrs", [
    dict(strides=[2, 3], pads=[1, 0, 0, 2], output_padding=[1, 0]),
    dict(strides=[1, 1], dilations=[2, 1], pads=[0, 1, 0, 1]),
])
def test_conv_transpose_runtime_sizes(tmp_path, attrs):
    rng = np.random.default_rng(5)
    w = rng.standard_normal((3, 4, 3, 2)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    node = helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], **attrs)
    g = helper.make_graph(
        [node], "ct",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4, "Ho", "Wo"])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    path = str(tmp_path / "ct.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    model = dnnc.compile(path, output=str(tmp_path / "ct.so"))
    s = attrs.get("strides", [1, 1])
    d = attrs.get("dilations", [1, 1])
    p = attrs.get("pads", [0, 0, 0, 0])
    op = attrs.get("output_padding", [0, 0])
    for shape in [(1, 3, 5, 4), (2, 3, 7, 9)]:
        x = rng.standard_normal(shape).astype(np.float32)
        full = torch.nn.functional.conv_transpose2d(
            torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
            stride=s, dilation=d, output_padding=op)
        # ONNX pads may differ per side: crop the unpadded result.
        ref = full.numpy()[:, :, p[0]:full.shape[2] - p[2], p[1]:full.shape[3] - p[3]]
        y = model.run({"x": x})["y"]
        assert y.shape == ref.shape
        np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
