"""Memory of a run (dnnc-early-dealloc, BufferCache.c, dnnc_get_memory_info):
the weights are counted, and a chain of eight layers keeps at most a few
activations live at once -- its peak is close to the largest live set, not
the sum of all intermediates -- while the outputs stay right."""
import numpy as np
import pytest

import dnnc
from test_conv_kernels import conv_relu_chain

C, H = 16, 40
ACT = C * H * H * 4  # bytes of one activation


@pytest.mark.parametrize("winograd", [False, True])
def test_chain_peak_is_the_live_set(tmp_path, winograd):
    rng = np.random.default_rng(3)
    ws = [(rng.standard_normal((C, C, 3, 3)) * 0.2).astype(np.float32) for _ in range(8)]
    path, out, ref = conv_relu_chain(tmp_path, ws, (1, C, H, H))
    m = dnnc.compile(path, winograd=winograd)
    assert m.memory_info()["peak_live_bytes"] == 0  # no run yet
    x = rng.standard_normal((1, C, H, H)).astype(np.float32)
    expected = ref(x)
    # Eight convolutions in a row: errors of float rounding grow with the
    # values (up to ~30 here; more in the Winograd form), so the tolerance
    # does too.
    atol = 1e-5 * np.abs(expected).max()
    for _ in range(2):
        np.testing.assert_allclose(m.run({"x": x})[out], expected, rtol=1e-4, atol=atol)
        info = m.memory_info()
        assert info["weight_bytes"] >= sum(w.nbytes for w in ws)
        # Each layer has a padded input and an output (and the layout
        # transposes at the ends): the sum of all is over 16 activations;
        # live at once, a padded input, an output and what is being freed.
        # The Winograd form adds its transformed input and products, 36/16
        # of an activation each, live during one layer only (the sum of all
        # would be over 50 activations).
        limit = 8 * ACT if winograd else 4 * ACT
        assert ACT <= info["peak_live_bytes"] <= limit, (info, ACT)
        assert info["peak_held_bytes"] >= info["peak_live_bytes"]
        # The buffers are planned into one arena (dnnc-plan-buffers): the
        # runtime holds no more than that, where caching freed blocks of
        # one size for requests of another held about twice as much.
        assert info["peak_held_bytes"] <= 1.1 * info["peak_live_bytes"], info


def test_matmul_chain_peak_is_the_live_set(tmp_path):
    """Eight MatMul + Softmax layers: their zero-filled accumulators and
    reductions' starts, merged into one shared tensor by CSE, each get their
    own buffer right where they are needed (dnnc-unshare-empty-tensors), so
    the peak stays a few activations while the outputs match NumPy."""
    from onnx import TensorProto, helper, numpy_helper
    import onnx
    rng = np.random.default_rng(4)
    n = 128
    ws = [(rng.standard_normal((n, n)) * 0.1).astype(np.float32) for _ in range(8)]
    nodes, cur = [], "x"
    for i in range(8):
        nodes += [helper.make_node("MatMul", [cur, f"w{i}"], [f"m{i}"]),
                  helper.make_node("Softmax", [f"m{i}"], [f"s{i}"], axis=-1)]
        cur = f"s{i}"
    g = helper.make_graph(nodes, "mm", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [n, n])], [helper.make_tensor_value_info(
            cur, TensorProto.FLOAT, [n, n])],
        [numpy_helper.from_array(w, f"w{i}") for i, w in enumerate(ws)])
    path = str(tmp_path / "mm.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    x = rng.standard_normal((n, n)).astype(np.float32)
    ref = x.astype(np.float64)
    for w in ws:
        e = np.exp(ref @ w - (ref @ w).max(-1, keepdims=True))
        ref = e / e.sum(-1, keepdims=True)
    m = dnnc.compile(path)
    np.testing.assert_allclose(m.run({"x": x})[cur], ref, rtol=1e-4, atol=1e-6)
    act = n * n * 4
    # All intermediates together: 16 activations and more; live at once: an
    # input, an output, the row maxima and sums.
    assert m.memory_info()["peak_live_bytes"] <= 4 * act, (m.memory_info(), act)
