"""dnnc-fuse-pads: producers write into the interior of padded tensors and
only the border is filled. The outputs must not change: pads of values that
are also read elsewhere (a residual add), pad values other than zero (max
pooling's lowest value, on negative data), asymmetric pads, and padded
inputs of depthwise and grouped convolutions, against NumPy."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import dnnc
from test_conv_kernels import conv_ref, pool_ref


def test_padded_producers_match_reference(tmp_path):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 16, 12, 12)).astype(np.float32)
    w1 = (rng.standard_normal((32, 16, 3, 3)) * 0.3).astype(np.float32)
    b1 = rng.standard_normal(32).astype(np.float32)
    w2 = (rng.standard_normal((32, 32, 3, 3)) * 0.2).astype(np.float32)
    wd = (rng.standard_normal((32, 1, 3, 3)) * 0.5).astype(np.float32)
    wg = (rng.standard_normal((32, 8, 3, 3)) * 0.3).astype(np.float32)
    z = np.zeros(32, np.float32)
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1] * 4),
         helper.make_node("Relu", ["c1"], ["r1"]),
         # r1 is padded for conv2 and read again by the residual add.
         helper.make_node("Conv", ["r1", "w2"], ["c2"], kernel_shape=[3, 3], pads=[1] * 4),
         helper.make_node("Add", ["c2", "r1"], ["y"]),
         # y (negative values too) padded with the lowest value by the pool,
         # with zeros by the depthwise conv, asymmetrically by the grouped one.
         helper.make_node("MaxPool", ["y"], ["p"], kernel_shape=[3, 3], strides=[2, 2],
                          pads=[1, 1, 1, 1]),
         helper.make_node("Conv", ["y", "wd"], ["d"], kernel_shape=[3, 3], pads=[1] * 4,
                          group=32),
         helper.make_node("Conv", ["d", "wg"], ["gq"], kernel_shape=[3, 3],
                          pads=[0, 2, 1, 0], group=4)],
        "pads", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("p", TensorProto.FLOAT, [1, 32, 6, 6]),
         helper.make_tensor_value_info("gq", TensorProto.FLOAT, [1, 32, 11, 12])],
        [numpy_helper.from_array(a, n) for a, n in
         [(w1, "w1"), (b1, "b1"), (w2, "w2"), (wd, "wd"), (wg, "wg")]])
    path = str(tmp_path / "pads.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)

    r1 = np.maximum(conv_ref(x, w1, b1, (1, 1), (1, 1, 1, 1), (1, 1), 1), 0)
    y = conv_ref(r1, w2, z, (1, 1), (1, 1, 1, 1), (1, 1), 1) + r1
    p = pool_ref(y, "MaxPool", (3, 3), (2, 2), (1, 1, 1, 1), 0, 0)
    d = conv_ref(y, wd, z, (1, 1), (1, 1, 1, 1), (1, 1), 32)
    gq = conv_ref(d, wg, z, (1, 1), (0, 2, 1, 0), (1, 1), 4)
    assert (y < 0).any()

    # Five pads reach codegen (of x, r1, y twice, d); dnnc-fuse-pads takes
    # all but one of y's two (a value is computed into one padded tensor),
    # which stays a copy (lit: test/Transforms/fuse-pads.mlir).
    ir = str(tmp_path / "pads.linalg.mlir")
    dnnc.compile(path, ir, emit="linalg")
    assert open(ir).read().count("tensor.pad ") == 5
    out = dnnc.compile(path).run({"x": x})
    np.testing.assert_allclose(out["p"], p, rtol=1e-4, atol=1e-4)
    # Four convolutions deep (two in the Winograd form), values up to ~15:
    # float rounding grows with them.
    np.testing.assert_allclose(out["gq"], gq, rtol=1e-4, atol=2e-5 * np.abs(gq).max())
