"""Channels-last convolution kernels (dnn-channels-last + dnnc-conv-kernels)
against a NumPy reference: strides, dilations, asymmetric pads, channel
counts that are not multiples of the vector width, rows that are not
multiples of the register tile, depthwise filters, batches, and the
elementwise consumers folded into the kernels' stores (residual adds,
activations, per-channel scales)."""
import os
import re
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import dnnc


def conv_ref(x, w, b, strides, pads, dilations, group):
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (xp.shape[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (xp.shape[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    y = np.zeros((n, f, oh, ow), np.float64)
    fg = f // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg].astype(np.float64)
        ws = w[g * fg:(g + 1) * fg].astype(np.float64)
        for i in range(kh):
            for j in range(kw):
                r0, c0 = i * dilations[0], j * dilations[1]
                win = xs[:, :, r0:r0 + strides[0] * (oh - 1) + 1:strides[0],
                         c0:c0 + strides[1] * (ow - 1) + 1:strides[1]]
                y[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", win, ws[:, :, i, j])
    return (y + b.reshape(1, f, 1, 1)).astype(np.float32)


def run_conv(tmp_path, shape, f, k, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1),
             group=1, epilogue=(), seed=0, winograd=True):
    """Conv (+ epilogue nodes) on random data; returns (dnnc output, reference)."""
    rng = np.random.default_rng(seed)
    n, c, h, wd = shape
    x = rng.standard_normal(shape).astype(np.float32)
    w = (rng.standard_normal((f, c // group, k[0], k[1])) * 0.3).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["y0"], kernel_shape=list(k),
                              strides=list(strides), pads=list(pads),
                              dilations=list(dilations), group=group)]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")]
    ref = conv_ref(x, w, b, strides, pads, dilations, group)
    cur = "y0"
    for i, (op, arg) in enumerate(epilogue):
        out = f"y{i + 1}"
        if op == "Relu":
            nodes.append(helper.make_node("Relu", [cur], [out]))
            ref = np.maximum(ref, 0)
        elif op == "Clip":
            lo, hi = arg
            inits += [numpy_helper.from_array(np.array(lo, np.float32), f"lo{i}"),
                      numpy_helper.from_array(np.array(hi, np.float32), f"hi{i}")]
            nodes.append(helper.make_node("Clip", [cur, f"lo{i}", f"hi{i}"], [out]))
            ref = np.clip(ref, lo, hi)
        elif op == "AddInput":  # residual: the conv's own input
            nodes.append(helper.make_node("Add", [cur, "x"], [out]))
            ref = ref + x
        elif op == "MulChannel":  # per-channel constant [F, 1, 1]
            s = rng.standard_normal((ref.shape[1], 1, 1)).astype(np.float32)
            inits.append(numpy_helper.from_array(s, f"s{i}"))
            nodes.append(helper.make_node("Mul", [cur, f"s{i}"], [out]))
            ref = ref * s
        elif op == "Sigmoid":
            nodes.append(helper.make_node("Sigmoid", [cur], [out]))
            ref = 1 / (1 + np.exp(-ref))
        elif op == "HardSwish":  # x * HardSigmoid(x), as exporters write it
            nodes += [helper.make_node("HardSigmoid", [cur], [f"h{i}"], alpha=1 / 6),
                      helper.make_node("Mul", [cur, f"h{i}"], [out])]
            ref = ref * np.clip(ref / 6 + 0.5, 0, 1)
        elif op == "Swish":  # x * Sigmoid(x)
            nodes += [helper.make_node("Sigmoid", [cur], [f"h{i}"]),
                      helper.make_node("Mul", [f"h{i}", cur], [out])]
            ref = ref / (1 + np.exp(-ref))
        cur = out
    g = helper.make_graph(nodes, "conv", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, list(shape))], [helper.make_tensor_value_info(
            cur, TensorProto.FLOAT, list(ref.shape))], inits)
    path = str(tmp_path / "conv.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    y = dnnc.compile(path, winograd=winograd).run({"x": x})[cur]
    return y, ref


CASES = {
    # name: (input shape, F, kernel, strides, pads, dilations, group, epilogue)
    "3x3_relu": ((1, 16, 14, 14), 64, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, [("Relu", None)]),
    "3x3_s2_tail": ((1, 24, 15, 15), 40, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 1, []),
    "1x1_relu6": ((1, 64, 7, 7), 24, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1,
                  [("Clip", (0.0, 6.0))]),
    "7x7_s2_stem": ((1, 3, 32, 32), 64, (7, 7), (2, 2), (3, 3, 3, 3), (1, 1), 1, [("Relu", None)]),
    "dilated_asym": ((1, 8, 12, 17), 16, (3, 3), (1, 1), (1, 0, 2, 1), (2, 2), 1, []),
    "row_remainder": ((1, 32, 5, 17), 48, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, []),
    "rect_kernel": ((1, 12, 9, 11), 20, (1, 3), (1, 2), (0, 1, 0, 1), (1, 1), 1, []),
    "residual_relu": ((1, 32, 9, 9), 32, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1,
                      [("AddInput", None), ("Relu", None)]),
    # Rows of 7 pixels: tiles of 14 run across rows (3 of them, then 7).
    "flat_7x7_residual": ((1, 32, 7, 7), 32, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1,
                          [("AddInput", None), ("Relu", None)]),
    "flat_s2_batch2": ((2, 8, 9, 9), 24, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 1, []),
    "channel_scale": ((1, 16, 8, 8), 16, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1,
                      [("MulChannel", None), ("Sigmoid", None)]),
    "batch2": ((2, 8, 10, 10), 36, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, [("Relu", None)]),
    "depthwise_tail": ((1, 40, 10, 10), 40, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 40,
                       [("Relu", None)]),
    "depthwise_s2_relu6": ((1, 96, 13, 13), 96, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 96,
                           [("Clip", (0.0, 6.0))]),
    "depthwise_5x5_dil": ((2, 24, 11, 19), 24, (5, 5), (1, 1), (4, 4, 4, 4), (2, 2), 24, []),
    "depthwise_residual": ((1, 16, 12, 12), 16, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 16,
                           [("AddInput", None)]),
    # Grouped: 8-lane vectors, one group each (regnet's group width 8, with a
    # channel count that is not a multiple of 16).
    "grouped_w8_relu": ((1, 104, 9, 9), 104, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 13,
                        [("Relu", None)]),
    "grouped_w8_s2": ((1, 48, 15, 15), 48, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 6, []),
    # 16-lane vectors, two groups per panel; and a panel inside one group.
    "grouped_w16_residual": ((1, 32, 8, 8), 32, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 2,
                             [("AddInput", None), ("Relu", None)]),
    "grouped_w64_batch2": ((2, 128, 6, 6), 128, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 2, []),
    # Group widths 4 and 3 (4- and 1-lane vectors), input and output widths
    # that differ, a depthwise multiplier (1 input, 2 outputs per group).
    "grouped_w4_wider": ((1, 8, 7, 7), 16, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 4, []),
    "grouped_w3": ((1, 12, 6, 9), 12, (3, 3), (1, 2), (1, 1, 1, 1), (2, 1), 4, []),
    "depthwise_multiplier": ((1, 8, 9, 9), 16, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 8,
                             [("Relu", None)]),
    # Activations of two nodes on one value (fused into one generic, then
    # into the kernel's store).
    "1x1_hardswish": ((1, 24, 7, 9), 40, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1,
                      [("HardSwish", None)]),
    "depthwise_swish_residual": ((1, 32, 8, 8), 32, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 32,
                                 [("Swish", None), ("AddInput", None)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_conv_matches_reference(tmp_path, name):
    shape, f, k, s, p, d, g, epi = CASES[name]
    y, ref = run_conv(tmp_path, shape, f, k, s, p, d, g, epi)
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


def test_conv_result_with_two_users(tmp_path):
    """A conv whose result is also a graph output keeps it; the consumer still
    sees the unfinished value."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 8, 6, 6)).astype(np.float32)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1] * 4),
         helper.make_node("Relu", ["y"], ["r"])], "two",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16, 6, 6]),
         helper.make_tensor_value_info("r", TensorProto.FLOAT, [1, 16, 6, 6])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    path = str(tmp_path / "two.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    out = dnnc.compile(path).run({"x": x})
    ref = conv_ref(x, w, b, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    np.testing.assert_allclose(out["y"], ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out["r"], np.maximum(ref, 0), rtol=1e-4, atol=1e-4)


def conv_relu_chain(tmp_path, ws, shape):
    """An ONNX file of 3x3 conv + relu layers with weights `ws` (padded to
    keep the size); returns (path, output name, reference function)."""
    nodes, inits, cur = [], [], "x"
    for i, w in enumerate(ws):
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        nodes += [helper.make_node("Conv", [cur, f"w{i}"], [f"c{i}"], kernel_shape=[3, 3],
                                   pads=[1] * 4),
                  helper.make_node("Relu", [f"c{i}"], [f"r{i}"])]
        cur = f"r{i}"
    out_shape = [shape[0], ws[-1].shape[0]] + list(shape[2:])
    g = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, list(shape))], [helper.make_tensor_value_info(
            cur, TensorProto.FLOAT, out_shape)], inits)
    path = str(tmp_path / "chain.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)

    def ref(x):
        for w in ws:
            x = np.maximum(conv_ref(x, w, np.zeros(w.shape[0], np.float32), (1, 1),
                                    (1, 1, 1, 1), (1, 1), 1), 0)
        return x
    return path, cur, ref


def test_repeated_runs_reuse_buffers(tmp_path):
    """Buffers freed by one run are handed to the next (BufferCache.c): every
    run of a network with many intermediates, on different inputs, still
    matches the reference, and so does the first input again."""
    rng = np.random.default_rng(2)
    ws = [(rng.standard_normal((16, 16, 3, 3)) * 0.2).astype(np.float32) for _ in range(4)]
    path, out, ref = conv_relu_chain(tmp_path, ws, (1, 16, 20, 20))
    m = dnnc.compile(path)
    xs = [rng.standard_normal((1, 16, 20, 20)).astype(np.float32) for _ in range(3)]
    for x in xs + xs[:1]:
        np.testing.assert_allclose(m.run({"x": x})[out], ref(x), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("m,k,n", [(37, 50, 40), (64, 512, 96), (1, 33, 7), (1, 240, 1000), (3, 96, 40)])
def test_matmul_bias_gelu_like(tmp_path, m, k, n):
    """MatMul runs on the convolution kernel (one row of M pixels); rows and
    columns that are not multiples of the tile, and the Add/Tanh after it."""
    rng = np.random.default_rng(m)
    a = rng.standard_normal((m, k)).astype(np.float32)
    w = (rng.standard_normal((k, n)) * 0.1).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("MatMul", ["a", "w"], ["p"]),
         helper.make_node("Add", ["p", "b"], ["q"]),
         helper.make_node("Tanh", ["q"], ["y"])], "mm",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    path = str(tmp_path / "mm.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    y = dnnc.compile(path).run({"a": a})["y"]
    ref = np.tanh(a.astype(np.float64) @ w.astype(np.float64) + b)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


def pool_ref(x, kind, k, s, pads, ceil, include_pad):
    n, c, h, w = x.shape
    fill = -np.inf if kind == "MaxPool" else 0.0
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
                constant_values=fill)
    valid = np.pad(np.ones((h, w)), ((pads[0], pads[2]), (pads[1], pads[3])))
    if include_pad:
        valid = np.ones_like(valid)
    dims = []
    for i, size in enumerate((h, w)):
        span = size + pads[i] + pads[i + 2] - k[i]
        o = (-(-span // s[i]) if ceil else span // s[i]) + 1
        if ceil and (o - 1) * s[i] >= size + pads[i]:
            o -= 1
        dims.append(o)
    y = np.zeros((n, c, dims[0], dims[1]))
    for r in range(dims[0]):
        for q in range(dims[1]):
            r0, q0 = r * s[0], q * s[1]
            win = xp[:, :, r0:r0 + k[0], q0:q0 + k[1]]
            if kind == "MaxPool":
                y[:, :, r, q] = win.max(axis=(2, 3))
            else:
                y[:, :, r, q] = win.sum(axis=(2, 3)) / valid[r0:r0 + k[0], q0:q0 + k[1]].sum()
    return y.astype(np.float32)


@pytest.mark.parametrize("kind,k,s,pads,ceil,include_pad", [
    ("MaxPool", (3, 3), (2, 2), (1, 1, 1, 1), 0, 0),     # resnet stem
    ("MaxPool", (3, 3), (2, 2), (0, 0, 0, 0), 1, 0),     # squeezenet, ceil_mode
    ("MaxPool", (2, 3), (1, 2), (0, 1, 1, 0), 0, 0),
    ("AveragePool", (3, 3), (1, 1), (1, 1, 1, 1), 0, 0),
    ("AveragePool", (3, 3), (2, 2), (1, 1, 1, 1), 1, 1),
])
def test_pool_between_convs_runs_channels_last(tmp_path, kind, k, s, pads, ceil, include_pad):
    """A pool between two convs runs channels-last (no transposes around
    it) and matches the reference, ceil mode and padding counts included."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((1, 8, 13, 13)).astype(np.float32)
    w1 = (rng.standard_normal((24, 8, 3, 3)) * 0.3).astype(np.float32)
    w2 = (rng.standard_normal((16, 24, 1, 1)) * 0.3).astype(np.float32)
    attrs = dict(kernel_shape=list(k), strides=list(s), pads=list(pads), ceil_mode=ceil)
    if kind == "AveragePool":
        attrs["count_include_pad"] = include_pad
    zero = np.zeros(24, np.float32)
    ref = pool_ref(np.maximum(conv_ref(x, w1, zero, (1, 1), (1, 1, 1, 1), (1, 1), 1), 0),
                   kind, k, s, pads, ceil, include_pad)
    ref = conv_ref(ref, w2, np.zeros(16, np.float32), (1, 1), (0, 0, 0, 0), (1, 1), 1)
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w1"], ["c"], kernel_shape=[3, 3], pads=[1] * 4),
         helper.make_node("Relu", ["c"], ["r"]),
         helper.make_node(kind, ["r"], ["p"], **attrs),
         helper.make_node("Conv", ["p", "w2"], ["y"], kernel_shape=[1, 1])], "pool",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(ref.shape))],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")])
    path = str(tmp_path / "pool.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    ir = str(tmp_path / "pool.dnn.mlir")
    dnnc.compile(path, ir, emit="dnn")
    text = open(ir).read()
    assert "channels_last = true" in text and text.count("dnn.transpose") == 2
    y = dnnc.compile(path).run({"x": x})["y"]
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("k", [1024, 2048])
def test_inputs_padded_against_cache_sets(tmp_path, k):
    """An input of a multiple of 1024 channels per pixel, computed by an
    elementwise op, is written into rows padded by 16 channels (a 4 KB
    stride puts every pixel the kernel reads into one cache set); the
    matmul, the 1x1 convolution on it and the residual add reading it see
    the same values as NumPy."""
    rng = np.random.default_rng(k)
    m, n = 37, 48
    x = rng.standard_normal((m, k)).astype(np.float32)
    w = (rng.standard_normal((k, n)) * 0.05).astype(np.float32)
    wc = (rng.standard_normal((k, k, 1, 1)) * 0.03).astype(np.float32)
    img = rng.standard_normal((1, k, 3, 5)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"]),
         helper.make_node("MatMul", ["r", "w"], ["y"]),
         helper.make_node("Sigmoid", ["img"], ["s"]),
         helper.make_node("Conv", ["s", "wc"], ["c"], kernel_shape=[1, 1]),
         helper.make_node("Add", ["c", "s"], ["z"])], "pad",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k]),
         helper.make_tensor_value_info("img", TensorProto.FLOAT, [1, k, 3, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, k, 3, 5])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(wc, "wc")])
    path = str(tmp_path / "pad.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    out = dnnc.compile(path).run({"x": x, "img": img})
    np.testing.assert_allclose(out["y"], np.maximum(x, 0).astype(np.float64) @ w,
                               rtol=1e-4, atol=1e-4)
    s = 1 / (1 + np.exp(-img.astype(np.float64)))
    ref = conv_ref(s, wc, np.zeros(k), (1, 1), (0, 0, 0, 0), (1, 1), 1) + s
    np.testing.assert_allclose(out["z"], ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("n,c,f,gate", [(1, 48, 80, "Sigmoid"), (1, 32, 24, "HardSigmoid"),
                                        (2, 32, 40, "Sigmoid")])
def test_squeeze_excitation_gate(tmp_path, n, c, f, gate):
    """A conv, then x * gate(fc(pool(x))) into a 1x1 convolution (all
    channels-last): with one image the gate scales the 1x1 convolution's
    weights (packed, F = 80, or not, F = 24) instead of x; with two it stays
    a product. Against NumPy; the IR shows the weights scaled."""
    rng = np.random.default_rng(11)
    h = 9
    x = rng.standard_normal((n, c, h, h)).astype(np.float32)
    w0 = (rng.standard_normal((c, c, 3, 3)) * 0.1).astype(np.float32)
    w1 = (rng.standard_normal((c // 4, c, 1, 1)) * 0.3).astype(np.float32)
    w2 = (rng.standard_normal((c, c // 4, 1, 1)) * 0.3).astype(np.float32)
    wp = (rng.standard_normal((f, c, 1, 1)) * 0.2).astype(np.float32)
    bp = rng.standard_normal(f).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w0"], ["x1"], kernel_shape=[3, 3], pads=[1] * 4),
             helper.make_node("GlobalAveragePool", ["x1"], ["p"]),
             helper.make_node("Conv", ["p", "w1"], ["q"], kernel_shape=[1, 1]),
             helper.make_node("Relu", ["q"], ["r"]),
             helper.make_node("Conv", ["r", "w2"], ["s"], kernel_shape=[1, 1]),
             helper.make_node(gate, ["s"], ["g"]),
             helper.make_node("Mul", ["x1", "g"], ["xg"]),
             helper.make_node("Conv", ["xg", "wp", "bp"], ["y"], kernel_shape=[1, 1])]
    g = helper.make_graph(nodes, "se", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, list(x.shape))], [helper.make_tensor_value_info(
            "y", TensorProto.FLOAT, [n, f, h, h])],
        [numpy_helper.from_array(a, k) for a, k in
         [(w0, "w0"), (w1, "w1"), (w2, "w2"), (wp, "wp"), (bp, "bp")]])
    path = str(tmp_path / "se.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    y = dnnc.compile(path).run({"x": x})["y"]
    x1 = conv_ref(x, w0, np.zeros(c, np.float32), (1, 1), (1, 1, 1, 1), (1, 1), 1)
    p = x1.astype(np.float64).mean(axis=(2, 3))
    s = np.maximum(p @ w1[:, :, 0, 0].T, 0) @ w2[:, :, 0, 0].T
    gv = 1 / (1 + np.exp(-s)) if gate == "Sigmoid" else np.clip(0.2 * s + 0.5, 0, 1)
    ref = (np.einsum("nchw,fc->nfhw", x1 * gv[:, :, None, None], wp[:, :, 0, 0]) +
           bp[None, :, None, None])
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)
    # The product over [N, H, W, C] (a generic writing such a tensor) is
    # gone with one image, kept with two.
    ir = str(tmp_path / "se.linalg.mlir")
    dnnc.compile(path, ir, emit="linalg")
    bindir = os.path.join(os.path.dirname(dnnc.__file__), "..", "..", "bin")
    out = subprocess.run([os.path.join(bindir, "dnnc-opt"), ir, "--dnnc-fuse-elementwise",
                          "--dnnc-conv-kernels", "--canonicalize"],
                         capture_output=True, text=True, check=True).stdout
    product = re.search(r"linalg\.generic [^\n]*outs\(%\w+ : tensor<" + f"{n}x{h}x{h}x{c}" +
                        r"xf32>\)", out)
    assert (product is not None) == (n == 2)
