"""dnnc-fuse-concats: the parts of a concatenation are computed in place in
the concatenated tensor. The outputs must not change: squeezenet's fire
module (two convolutions of one squeezed value, then a 3x3 conv and a pool
reading the concatenation), three parts including the model input (copied)
and a part also read elsewhere, a concatenation padded by the next conv,
and the same bits at 1 and 2 threads, against NumPy."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import dnnc
from test_conv_kernels import conv_ref


def test_concatenated_parts_match_reference(tmp_path):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((1, 24, 9, 11)).astype(np.float32)
    ws = (rng.standard_normal((16, 24, 1, 1)) * 0.3).astype(np.float32)
    w1 = (rng.standard_normal((32, 16, 1, 1)) * 0.3).astype(np.float32)
    w3 = (rng.standard_normal((48, 16, 3, 3)) * 0.2).astype(np.float32)
    wn = (rng.standard_normal((16, 80, 3, 3)) * 0.1).astype(np.float32)
    b = rng.standard_normal(48).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "ws"], ["s"], kernel_shape=[1, 1]),
         helper.make_node("Relu", ["s"], ["sr"]),
         helper.make_node("Conv", ["sr", "w1"], ["e1"], kernel_shape=[1, 1]),
         helper.make_node("Relu", ["e1"], ["e1r"]),
         helper.make_node("Conv", ["sr", "w3", "b"], ["e3"], kernel_shape=[3, 3], pads=[1] * 4),
         helper.make_node("Relu", ["e3"], ["e3r"]),
         helper.make_node("Concat", ["e1r", "e3r"], ["cat"], axis=1),
         # The concatenation, padded by the next conv.
         helper.make_node("Conv", ["cat", "wn"], ["y"], kernel_shape=[3, 3], pads=[1] * 4),
         # Three parts: the input (copied), a tanh also read by the add,
         # and the relu of the squeeze.
         helper.make_node("Tanh", ["x"], ["t"]),
         helper.make_node("Concat", ["x", "t", "sr"], ["cat3"], axis=1),
         helper.make_node("Add", ["t", "x"], ["tx"])], "cat",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16, 9, 11]),
         helper.make_tensor_value_info("cat3", TensorProto.FLOAT, [1, 64, 9, 11]),
         helper.make_tensor_value_info("tx", TensorProto.FLOAT, list(x.shape))],
        [numpy_helper.from_array(v, k) for k, v in
         [("ws", ws), ("w1", w1), ("w3", w3), ("wn", wn), ("b", b)]])
    path = str(tmp_path / "cat.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    z = lambda n: np.zeros(n, np.float32)
    sr = np.maximum(conv_ref(x, ws, z(16), (1, 1), (0,) * 4, (1, 1), 1), 0)
    e1 = np.maximum(conv_ref(sr, w1, z(32), (1, 1), (0,) * 4, (1, 1), 1), 0)
    e3 = np.maximum(conv_ref(sr, w3, b, (1, 1), (1,) * 4, (1, 1), 1), 0)
    y = conv_ref(np.concatenate([e1, e3], 1), wn, z(16), (1, 1), (1,) * 4, (1, 1), 1)
    t = np.tanh(x.astype(np.float64))
    m = dnnc.compile(path)
    outs = []
    for threads in (1, 2):
        m.set_num_threads(threads)
        out = m.run({"x": x})
        np.testing.assert_allclose(out["y"], y, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(out["cat3"], np.concatenate([x, t, sr], 1),
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(out["tx"], t + x, rtol=1e-5, atol=1e-5)
        outs.append(out["y"])
    assert np.array_equal(outs[0], outs[1])
