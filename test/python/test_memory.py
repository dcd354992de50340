"""Memory of a run (dnnc-early-dealloc, BufferCache.c, dnnc_get_memory_info):
the weights are counted, and a chain of eight layers keeps at most a few
activations live at once -- its peak is close to the largest live set, not
the sum of all intermediates -- while the outputs stay right."""
import numpy as np

import dnnc
from test_conv_kernels import conv_relu_chain

C, H = 16, 40
ACT = C * H * H * 4  # bytes of one activation


def test_chain_peak_is_the_live_set(tmp_path):
    rng = np.random.default_rng(3)
    ws = [(rng.standard_normal((C, C, 3, 3)) * 0.2).astype(np.float32) for _ in range(8)]
    path, out, ref = conv_relu_chain(tmp_path, ws, (1, C, H, H))
    m = dnnc.compile(path)
    assert m.memory_info()["peak_live_bytes"] == 0  # no run yet
    x = rng.standard_normal((1, C, H, H)).astype(np.float32)
    expected = ref(x)
    for _ in range(2):
        np.testing.assert_allclose(m.run({"x": x})[out], expected, rtol=1e-4, atol=1e-4)
        info = m.memory_info()
        assert info["weight_bytes"] >= sum(w.nbytes for w in ws)
        # Each layer has a padded input and an output (and the layout
        # transposes at the ends): the sum of all is over 16 activations;
        # live at once, a padded input, an output and what is being freed.
        assert ACT <= info["peak_live_bytes"] <= 4 * ACT, (info, ACT)
        assert info["peak_held_bytes"] >= info["peak_live_bytes"]
