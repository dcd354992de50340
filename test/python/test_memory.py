"""Memory of a run (dnnc-early-dealloc, BufferCache.c, dnnc_get_memory_info):
the weights are counted, and a chain of eight layers keeps at most a few
activations live at once -- its peak is close to the largest live set, not
the sum of all intermediates -- while the outputs stay right."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import dnnc
from test_conv_kernels import conv_ref

C, H = 16, 40
ACT = C * H * H * 4  # bytes of one activation


def test_chain_peak_is_the_live_set(tmp_path):
    rng = np.random.default_rng(3)
    ws = [(rng.standard_normal((C, C, 3, 3)) * 0.2).astype(np.float32) for _ in range(8)]
    nodes, inits, cur = [], [], "x"
    for i, w in enumerate(ws):
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        nodes += [helper.make_node("Conv", [cur, f"w{i}"], [f"c{i}"], kernel_shape=[3, 3],
                                   pads=[1] * 4),
                  helper.make_node("Relu", [f"c{i}"], [f"r{i}"])]
        cur = f"r{i}"
    g = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [1, C, H, H])], [helper.make_tensor_value_info(
            cur, TensorProto.FLOAT, [1, C, H, H])], inits)
    path = str(tmp_path / "chain.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    m = dnnc.compile(path)
    assert m.memory_info()["peak_live_bytes"] == 0  # no run yet
    x = rng.standard_normal((1, C, H, H)).astype(np.float32)
    ref = x
    for w in ws:
        ref = np.maximum(conv_ref(ref, w, np.zeros(C, np.float32), (1, 1), (1, 1, 1, 1),
                                  (1, 1), 1), 0)
    for _ in range(2):
        np.testing.assert_allclose(m.run({"x": x})[cur], ref, rtol=1e-4, atol=1e-4)
        info = m.memory_info()
        assert info["weight_bytes"] >= sum(w.nbytes for w in ws)
        # Each layer has a padded input and an output (and the layout
        # transposes at the ends): the sum of all is over 16 activations;
        # live at once, a padded input, an output and what is being freed.
        assert ACT <= info["peak_live_bytes"] <= 4 * ACT, (info, ACT)
        assert info["peak_held_bytes"] >= info["peak_live_bytes"]
