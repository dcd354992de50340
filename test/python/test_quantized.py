"""QDQ models: DequantizeLinear -> Conv/MatMul/Gemm -> QuantizeLinear runs as
integer arithmetic (dnn-fuse-quantized), the remaining casts with ONNX
semantics (dnn-lower-quant). Outputs are compared as codes with a float64
NumPy emulation of the QDQ graph: the integer path may differ from it by one
code where the float emulation's rounding falls on the other side of a .5."""
import os
import subprocess

import numpy as np
import onnx
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from onnx import TensorProto, helper, numpy_helper

import dnnc

U8, I8 = TensorProto.UINT8, TensorProto.INT8
NP = {U8: np.uint8, I8: np.int8, TensorProto.INT32: np.int32}
RANGE = {U8: (0, 255), I8: (-128, 127)}


def quantize(x, scale, zp, code, axis=None):
    if axis is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zp = np.reshape(scale, shape), np.reshape(zp, shape)
    lo, hi = RANGE[code]
    return np.clip(np.round(x / scale) + zp, lo, hi)


def dequantize(q, scale, zp, axis=None, ndim=None):
    if axis is not None:
        shape = [1] * ndim
        shape[axis] = -1
        scale, zp = np.reshape(scale, shape), np.reshape(zp, shape)
    return (q.astype(np.float64) - zp) * scale


def conv_ref(x, w, b, pads, strides, group):
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    win = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::strides[0], ::strides[1]]
    fg = f // group
    out = [np.einsum("nchwij,fcij->nfhw", win[:, g * cg:(g + 1) * cg], w[g * fg:(g + 1) * fg])
           for g in range(group)]
    y = np.concatenate(out, axis=1)
    return y + b.reshape(1, -1, 1, 1) if b is not None else y


class QDQ:
    """Builds a QDQ graph node by node."""

    def __init__(self):
        self.nodes, self.inits = [], []

    def init(self, name, arr):
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def q(self, x, out, scale, zp, code):
        self.nodes.append(helper.make_node(
            "QuantizeLinear", [x, self.init(out + "_s", np.float32(scale)),
                               self.init(out + "_z", np.array(zp, NP[code]))], [out]))
        return out

    def dq(self, q, out, scale, zp, code, axis=None):
        scale = np.asarray(scale, np.float32)
        attrs = {} if axis is None else {"axis": axis}
        self.nodes.append(helper.make_node(
            "DequantizeLinear", [q, self.init(out + "_s", scale),
                                 self.init(out + "_z", np.asarray(zp, NP[code]))], [out], **attrs))
        return out

    def save(self, path, x_shape, out, out_type, out_shape):
        g = helper.make_graph(
            self.nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
            [helper.make_tensor_value_info(out, out_type, out_shape)], self.inits)
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
        return path


def per_channel_weights(rng, shape, axis, code=I8, zp=None):
    w = rng.standard_normal(shape)
    red = tuple(d for d in range(len(shape)) if d != axis)
    scale = (np.abs(w).max(axis=red) / 127).astype(np.float32)
    zp = np.zeros(shape[axis], NP[code]) if zp is None else zp
    codes = quantize(w, scale, zp.astype(np.float64), code, axis).astype(NP[code])
    return codes, scale, zp


def check_codes(y, ref):
    diff = np.abs(y.astype(np.int64) - ref.astype(np.int64))
    assert diff.max() <= 1, diff.max()
    assert (diff == 0).mean() >= 0.99


def emitted_dnn(path):
    """The model after the dnn-level passes (dnnc --emit=dnn)."""
    out = path + ".dnn.mlir"
    bindir = os.path.join(os.path.dirname(dnnc.__file__), "..", "..", "bin")
    subprocess.run([os.path.join(bindir, "dnnc"), path, "--emit=dnn", "-o", out], check=True)
    with open(out) as f:
        return f.read()


@pytest.mark.parametrize("xcode,xzp,group,strides,relu", [
    (U8, 128, 1, (1, 1), True),
    (I8, 0, 1, (2, 2), False),
    (I8, -5, 1, (1, 1), True),
    (U8, 3, 8, (2, 2), True),   # depthwise
])
def test_conv(tmp_path, xcode, xzp, group, strides, relu):
    rng = np.random.default_rng(group + strides[0] + abs(xzp))
    c, f = 8, 8 if group > 1 else 16
    wcodes, ws, wz = per_channel_weights(rng, (f, c // group, 3, 3), 0)
    b = rng.standard_normal(f).astype(np.float32)
    xs, ys, ycode, yzp = 0.03, 0.08, U8, 7
    g = QDQ()
    xq = g.q("x", "xq", xs, xzp, xcode)
    xd = g.dq(xq, "xd", xs, xzp, xcode)
    wd = g.dq(g.init("wq", wcodes), "wd", ws, wz, I8, axis=0)
    g.nodes.append(helper.make_node("Conv", [xd, wd, g.init("b", b)], ["c"], pads=[1, 1, 1, 1],
                                    strides=list(strides), group=group))
    y = "c"
    if relu:
        g.nodes.append(helper.make_node("Relu", ["c"], ["r"]))
        y = "r"
    g.q(y, "y", ys, yzp, ycode)
    h = (10 + 2 - 3) // strides[0] + 1
    path = g.save(str(tmp_path / "conv.onnx"), [1, c, 10, 10], "y", ycode, [1, f, h, h])

    x = (rng.standard_normal((1, c, 10, 10)) * 2).astype(np.float32)
    xd_ref = dequantize(quantize(x, np.float32(xs), xzp, xcode), np.float32(xs), xzp)
    acc = conv_ref(xd_ref, dequantize(wcodes, ws, wz, 0, 4), b, [1, 1, 1, 1], strides, group)
    if relu:
        acc = np.maximum(acc, 0)
    ref = quantize(acc, np.float32(ys), yzp, ycode)
    out = dnnc.compile(path).run({"x": x})["y"]
    assert out.dtype == NP[ycode]
    check_codes(out, ref)
    ir = emitted_dnn(path)
    if group == 1:  # 8-bit codes in, i32 sums out (VNNI dot products)
        assert "dnn.qconv2d_nhwc" in ir
        assert "xi8>) -> tensor<1x%dx%dx%dxi32>" % (h, h, f) in ir
    else:  # depthwise: the codes, their products summed exactly in f32
        assert "dnn.qconv2d_nhwc" not in ir
        assert "dnn.qdepthwise_conv2d_nhwc" in ir


def max_pool_ref(x, k, s, pads, lowest):
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
               constant_values=lowest)
    return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s].max(axis=(4, 5))


@pytest.mark.parametrize("code,zp", [(U8, 200), (I8, -3)])
def test_max_pool_runs_on_codes(tmp_path, code, zp):
    """Q(MaxPool(DQ(x))) with the same parameters is the max pool of the
    codes, exactly (unsigned for uint8: codes above 127 must win)."""
    rng = np.random.default_rng(zp & 0xff)
    xs = 0.02
    g = QDQ()
    xd = g.dq(g.q("x", "xq", xs, zp, code), "xd", xs, zp, code)
    g.nodes.append(helper.make_node("MaxPool", [xd], ["p"], kernel_shape=[3, 3],
                                    strides=[2, 2], pads=[1, 1, 1, 1]))
    g.q("p", "y", xs, zp, code)
    path = g.save(str(tmp_path / "pool.onnx"), [1, 24, 9, 9], "y", code, [1, 24, 5, 5])
    x = (rng.standard_normal((1, 24, 9, 9)) * 2).astype(np.float32)
    codes = quantize(x, np.float32(xs), zp, code).astype(NP[code])
    assert codes.max() > 127 or code == I8
    ref = max_pool_ref(codes, 3, 2, [1, 1, 1, 1], RANGE[code][0])
    out = dnnc.compile(path).run({"x": x})["y"]
    np.testing.assert_array_equal(out, ref)
    ir = emitted_dnn(path)
    assert "dnn.max_pool" in ir and "tensor<1x24x9x9xi8> -> tensor<1x24x5x5xi8>" in ir
    assert ("input_unsigned" in ir.split("dnn.max_pool")[1].split("\n")[0]) == (code == U8)


def test_uint8_max_pool_compares_unsigned(tmp_path):
    """ONNX MaxPool on uint8 (no quantization): 200 beats 100."""
    x = np.random.default_rng(3).integers(0, 256, (1, 2, 6, 6)).astype(np.uint8)
    node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
                            pads=[1, 1, 1, 1])
    g = helper.make_graph([node], "pool", [helper.make_tensor_value_info("x", U8, [1, 2, 6, 6])],
                          [helper.make_tensor_value_info("y", U8, [1, 2, 3, 3])])
    path = str(tmp_path / "u8pool.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    out = dnnc.compile(path).run({"x": x})["y"]
    np.testing.assert_array_equal(out, max_pool_ref(x, 3, 2, [1, 1, 1, 1], 0))


def test_residual_add_of_two_convs(tmp_path):
    """A ResNet downsampling block: Add(Q(conv A), Q(conv B)) -> Relu -> Q.
    Conv A stores its codes and conv B's kernel reads them in its epilogue
    (neither stores i32 sums); the result matches the float64 emulation."""
    rng = np.random.default_rng(11)
    c, f, xs, xzp = 16, 32, 0.04, 0
    g = QDQ()
    xd = g.dq(g.q("x", "xq", xs, xzp, U8), "xd", xs, xzp, U8)
    refs = []
    x = np.abs(rng.standard_normal((1, c, 8, 8)) * 2).astype(np.float32)
    xr = dequantize(quantize(x, np.float32(xs), xzp, U8), np.float32(xs), xzp)
    for name, ys, yzp in (("a", 0.05, 120), ("b", 0.07, 130)):
        wcodes, ws, wz = per_channel_weights(rng, (f, c, 1, 1), 0)
        b = rng.standard_normal(f).astype(np.float32)
        wd = g.dq(g.init(name + "w", wcodes), name + "wd", ws, wz, I8, axis=0)
        g.nodes.append(helper.make_node("Conv", [xd, wd, g.init(name + "b", b)], [name]))
        g.dq(g.q(name, name + "q", ys, yzp, U8), name + "d", ys, yzp, U8)
        acc = conv_ref(xr, dequantize(wcodes, ws, wz, 0, 4), b, [0, 0, 0, 0], (1, 1), 1)
        refs.append(dequantize(quantize(acc, np.float32(ys), yzp, U8), np.float32(ys), yzp))
    g.nodes.append(helper.make_node("Add", ["ad", "bd"], ["s"]))
    g.nodes.append(helper.make_node("Relu", ["s"], ["r"]))
    g.q("r", "y", 0.1, 0, U8)
    path = g.save(str(tmp_path / "res.onnx"), [1, c, 8, 8], "y", U8, [1, f, 8, 8])
    ref = quantize(np.maximum(refs[0] + refs[1], 0), np.float32(0.1), 0, U8)
    y = dnnc.compile(path).run({"x": x})["y"]
    # Each branch's codes may differ by one from the float64 emulation where
    # a sum falls near a .5; the Add carries that into more output codes.
    diff = np.abs(y.astype(np.int64) - ref)
    assert diff.max() <= 1 and (diff == 0).mean() >= 0.9
    # The portable loops (no kernels, no epilogues) give the same codes, but
    # where the kernel's fused multiply-add of the scale and bias (one
    # rounding instead of two) tips a value across a .5.
    portable = dnnc.compile(path, vectorize=False).run({"x": x})["y"]
    check_codes(y, portable)


def four_bit_tensor(name, codes, signed):
    """An ONNX INT4 / UINT4 initializer (data types 22 / 21, opset 21, which
    ONNX 1.12's helpers do not know): two codes per byte, low nibble first."""
    flat = np.asarray(codes, np.int64).ravel() & 0xF
    if flat.size % 2:
        flat = np.append(flat, 0)
    t = onnx.TensorProto()
    t.name, t.data_type = name, 22 if signed else 21
    t.dims.extend(np.shape(codes))
    t.raw_data = (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8).tobytes()
    return t


@pytest.mark.parametrize("signed", [True, False])
def test_four_bit_weights(tmp_path, signed):
    """INT4 / UINT4 weights (per output channel, with zero points) of a QDQ
    Conv: the codes import one per byte with their 4-bit range and run on
    the 8-bit convolution; the result matches the float64 emulation."""
    rng = np.random.default_rng(4 + signed)
    c, f = 8, 16
    lo, hi = (-8, 7) if signed else (0, 15)
    wcodes = rng.integers(lo, hi + 1, (f, c, 3, 3))
    wz = rng.integers(lo, hi + 1, f) if not signed else np.zeros(f, np.int64)
    ws = rng.uniform(0.05, 0.1, f).astype(np.float32)
    g = QDQ()
    xd = g.dq(g.q("x", "xq", 0.03, 128, U8), "xd", 0.03, 128, U8)
    g.inits += [four_bit_tensor("wq", wcodes, signed), four_bit_tensor("wz", wz, signed),
                numpy_helper.from_array(ws, "ws")]
    g.nodes.append(helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], axis=0))
    g.nodes.append(helper.make_node("Conv", [xd, "wd"], ["c"], pads=[1, 1, 1, 1]))
    g.q("c", "y", 0.2, 100, U8)
    path = g.save(str(tmp_path / "w4.onnx"), [1, c, 6, 6], "y", U8, [1, f, 6, 6])
    m = onnx.load(path)
    m.opset_import[0].version = 21
    onnx.save(m, path)
    x = rng.standard_normal((1, c, 6, 6)).astype(np.float32)
    xr = dequantize(quantize(x, np.float32(0.03), 128, U8), np.float32(0.03), 128)
    w = (wcodes - wz.reshape(-1, 1, 1, 1)) * ws.reshape(-1, 1, 1, 1).astype(np.float64)
    ref = quantize(conv_ref(xr, w, None, [1, 1, 1, 1], (1, 1), 1), np.float32(0.2), 100, U8)
    out = dnnc.compile(path).run({"x": x})["y"]
    check_codes(out, ref)
    assert "dnn.qconv2d_nhwc" in emitted_dnn(path)


def test_four_bit_weight_only_matmul(tmp_path):
    """Float activations times INT4 weights dequantized per column (the
    W4A16 form of QDQ LLM exports): weight-only quantized MatMul, equal to
    NumPy's product of the dequantized weights."""
    rng = np.random.default_rng(9)
    k, n = 64, 48
    codes = rng.integers(-8, 8, (k, n))
    scale = rng.uniform(0.01, 0.05, n).astype(np.float32)
    g = QDQ()
    g.inits += [four_bit_tensor("bq", codes, True), numpy_helper.from_array(scale, "bs")]
    g.nodes.append(helper.make_node("DequantizeLinear", ["bq", "bs"], ["bd"], axis=1))
    g.nodes.append(helper.make_node("MatMul", ["x", "bd"], ["y"]))
    path = g.save(str(tmp_path / "w4mm.onnx"), [3, k], "y", TensorProto.FLOAT, [3, n])
    m = onnx.load(path)
    m.opset_import[0].version = 21
    onnx.save(m, path)
    x = rng.standard_normal((3, k)).astype(np.float32)
    out = dnnc.compile(path).run({"x": x})["y"]
    np.testing.assert_allclose(out, x.astype(np.float64) @ (codes * scale), rtol=1e-4, atol=1e-4)
    assert "dnn.weight_quant_matmul" in emitted_dnn(path)


def test_four_bit_tensor_without_raw_data(tmp_path):
    """A 4-bit tensor whose values are not in raw_data is one clear error
    naming the file and the tensor (ONNX 1.12's checker catches it first)."""
    t = four_bit_tensor("wq", np.zeros((4, 4), np.int64), True)
    t.ClearField("raw_data")
    t.int32_data.extend([0] * 8)
    node = helper.make_node("DequantizeLinear", ["wq", "s"], ["y"], name="dq")
    g = helper.make_graph([node], "g", [], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 4])],
                          [t, numpy_helper.from_array(np.float32(0.5), "s")])
    path = str(tmp_path / "bad.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 21)]), path)
    with pytest.raises(dnnc.CompileError, match=r"bad\.onnx: .*(tensor name: wq\): 22|"
                                                r"4-bit tensor 'wq' must hold)"):
        dnnc.compile(path)
    assert not os.path.exists(str(tmp_path / "bad.so"))


def test_conv_int32_bias_per_tensor_weights_float_output(tmp_path):
    """ORT's QDQ layout: an int32 bias dequantized with scale sx * sw, weights
    per tensor with a zero point, and no quantize after the conv."""
    rng = np.random.default_rng(3)
    c, f, xs, ws, wz = 4, 6, 0.05, 0.02, 3
    wcodes = rng.integers(-100, 100, (f, c, 1, 1)).astype(np.int8)
    bcodes = rng.integers(-500, 500, f).astype(np.int32)
    g = QDQ()
    xd = g.dq(g.q("x", "xq", xs, 128, U8), "xd", xs, 128, U8)
    wd = g.dq(g.init("wq", wcodes), "wd", ws, wz, I8)
    bd = g.dq(g.init("bq", bcodes), "bd", np.float32(xs) * np.float32(ws), 0, TensorProto.INT32)
    g.nodes.append(helper.make_node("Conv", [xd, wd, bd], ["y"]))
    path = g.save(str(tmp_path / "c.onnx"), [1, c, 5, 5], "y", TensorProto.FLOAT, [1, f, 5, 5])
    x = rng.standard_normal((1, c, 5, 5)).astype(np.float32)
    xd_ref = dequantize(quantize(x, np.float32(xs), 128, U8), np.float32(xs), 128)
    ref = conv_ref(xd_ref, dequantize(wcodes, np.float32(ws), wz),
                   bcodes * np.float64(np.float32(xs) * np.float32(ws)), [0] * 4, (1, 1), 1)
    out = dnnc.compile(path).run({"x": x})["y"]
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    # The weights' zero point is subtracted at compile time: i8 weights.
    assert "tensor<1x1x4x6xi8>) -> tensor<1x5x5x6xi32>" in emitted_dnn(path)


def test_matmul_and_gemm(tmp_path):
    """A transformer-style MatMul (3-D activations, per-column weights) into a
    Gemm (transB, float bias) of the flattened result."""
    rng = np.random.default_rng(5)
    bcodes, bs, bz = per_channel_weights(rng, (16, 8), 1)
    gcodes, gs, gz = per_channel_weights(rng, (4, 8), 0)
    gbias = rng.standard_normal(4).astype(np.float32)
    g = QDQ()
    ad = g.dq(g.q("x", "aq", 0.04, 0, I8), "ad", 0.04, 0, I8)
    bd = g.dq(g.init("bq", bcodes), "bd", bs, bz, I8, axis=1)
    g.nodes.append(helper.make_node("MatMul", [ad, bd], ["m"]))
    md = g.dq(g.q("m", "mq", 0.1, 2, U8), "md", 0.1, 2, U8)
    g.nodes.append(helper.make_node("Reshape", [md, g.init("shape", np.array([6, 8]))], ["r"]))
    rd = g.dq(g.q("r", "rq", 0.1, 2, U8), "rd", 0.1, 2, U8)
    gd = g.dq(g.init("gq", gcodes), "gd", gs, gz, I8, axis=0)
    g.nodes.append(helper.make_node("Gemm", [rd, gd, g.init("gb", gbias)], ["gm"], transB=1))
    g.q("gm", "y", 0.05, -10, I8)
    path = g.save(str(tmp_path / "mm.onnx"), [2, 3, 16], "y", I8, [6, 4])

    x = rng.standard_normal((2, 3, 16)).astype(np.float32)
    f32 = np.float32
    a = dequantize(quantize(x, f32(0.04), 0, I8), f32(0.04), 0)
    m = a @ dequantize(bcodes, bs, bz, 1, 2)
    mq = quantize(m, f32(0.1), 2, U8)
    r = dequantize(mq, f32(0.1), 2).reshape(6, 8)
    gm = r @ dequantize(gcodes, gs, gz, 0, 2).T + gbias
    ref = quantize(gm, f32(0.05), -10, I8)
    out = dnnc.compile(path).run({"x": x})["y"]
    check_codes(out, ref)
    ir = emitted_dnn(path)
    # Both are 1x1 convolutions of the 8-bit codes (one row of 6 pixels).
    assert "(tensor<1x1x6x16xi8>, tensor<1x1x16x8xi8>) -> tensor<1x1x6x8xi32>" in ir
    assert "(tensor<1x1x6x8xi8>, tensor<1x1x8x4xi8>) -> tensor<1x1x6x4xi32>" in ir
    assert "dnn.matmul" not in ir and "dnn.gemm" not in ir


def test_fake_quant_rounds_half_to_even(tmp_path):
    """Q -> DQ around a float op stays a float round trip with ONNX rounding:
    x / s = 0.5, 1.5, 2.5, -0.5 round to 0, 2, 2, 0, and codes saturate."""
    g = QDQ()
    xd = g.dq(g.q("x", "xq", 0.5, 0, I8), "xd", 0.5, 0, I8)
    g.nodes.append(helper.make_node("Neg", [xd], ["y"]))
    path = g.save(str(tmp_path / "fq.onnx"), [6], "y", TensorProto.FLOAT, [6])
    x = np.array([0.25, 0.75, 1.25, -0.25, 100.0, -100.0], np.float32)
    out = dnnc.compile(path).run({"x": x})["y"]
    np.testing.assert_array_equal(out, -np.array([0, 1, 1, 0, 63.5, -64], np.float32))


def test_run_time_scales_keep_float_composition(tmp_path):
    """A scale that is a graph input cannot become a quant type: the float
    composition applies and the result is the same."""
    g = helper.make_graph(
        [helper.make_node("QuantizeLinear", ["x", "s"], ["y"])], "q",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("s", TensorProto.FLOAT, [])],
        [helper.make_tensor_value_info("y", U8, [4])])
    path = str(tmp_path / "rt.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    x = np.array([0.0, 1.0, 2.5, 300.0], np.float32)
    out = dnnc.compile(path).run({"x": x, "s": np.float32(0.5)})["y"]
    np.testing.assert_array_equal(out, [0, 2, 5, 255])
    assert "quant." not in emitted_dnn(path)


def host_has_vnni():
    with open("/proc/cpuinfo") as f:
        return "avx512_vnni" in f.read()


def unit_scale_conv(path, rng, xcode, xzp, wcodes, group, h, pads, strides, dilations):
    """A QDQ Conv with unit scales (its float output is the integer sum
    itself) of `wcodes` [F, C / group, K, K] on an h x h image, and an input
    that quantizes exactly to random codes, extremes included. Returns the
    model's path, the input, its windows [N, C, OH, OW, K, K] (padded with
    the zero point's 0, gathered with strides and dilation) and [OH, OW]."""
    f, cg, k = wcodes.shape[0], wcodes.shape[1], wcodes.shape[2]
    c = cg * group
    lo, hi = RANGE[xcode]
    g = QDQ()
    xd = g.dq(g.q("x", "xq", 1.0, xzp, xcode), "xd", 1.0, xzp, xcode)
    wd = g.dq(g.init("wq", wcodes), "wd", np.ones(f, np.float32), np.zeros(f, np.int8), I8, axis=0)
    g.nodes.append(helper.make_node("Conv", [xd, wd], ["y"], pads=list(pads), group=group,
                                    strides=list(strides), dilations=list(dilations)))
    oh = [(h + pads[i] + pads[2 + i] - dilations[i] * (k - 1) - 1) // strides[i] + 1 for i in range(2)]
    path = g.save(str(path), [1, c, h, h], "y", TensorProto.FLOAT, [1, f] + oh)
    codes = rng.integers(lo, hi + 1, (1, c, h, h))
    codes.flat[:4] = [lo, hi, lo, hi]
    x = (codes - xzp).astype(np.float64)  # quantizes to `codes` exactly
    xc = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    win = sliding_window_view(xc, ((k - 1) * dilations[0] + 1, (k - 1) * dilations[1] + 1),
                              axis=(2, 3))[:, :, ::strides[0], ::strides[1], ::dilations[0], ::dilations[1]]
    return path, x, win, oh


@pytest.mark.parametrize("xcode,xzp,c,f,k,strides,pads,dilations", [
    (U8, 127, 3, 20, 7, (2, 2), (3, 3, 3, 3), (1, 1)),   # C % 4 != 0, F % 16 != 0
    (I8, -5, 64, 48, 3, (1, 1), (1, 1, 1, 1), (2, 2)),   # signed codes, dilated
    (U8, 0, 32, 96, 1, (1, 1), (0, 0, 0, 0), (1, 1)),    # 1x1, several panels
    (I8, 0, 8, 16, 3, (2, 1), (0, 1, 2, 0), (1, 1)),     # uneven strides and pads
    (U8, 255, 16, 40, 5, (1, 1), (2, 2, 2, 2), (1, 1)),  # zero point at the top
    (U8, 7, 24, 40, 3, (2, 2), (1, 1, 1, 1), (1, 1)),    # 6x6 out: tiles across rows
])
@pytest.mark.parametrize("vnni", [True, False])
def test_integer_conv_is_exact(tmp_path, xcode, xzp, c, f, k, strides, pads, dilations, vnni):
    """Unit scales make the float output the i32 sum itself, so the 8-bit
    convolution (VNNI dot products, or the portable loops) must equal the
    NumPy integer convolution exactly, extreme codes and padding included."""
    if vnni and not host_has_vnni():
        pytest.skip("the CPU has no AVX-512 VNNI")
    rng = np.random.default_rng(c * f + k)
    wcodes = rng.integers(-128, 128, (f, c, k, k)).astype(np.int8)
    wcodes.flat[:8] = [-128, 127, -128, 127, -128, 127, -128, 127]
    path, x, win, _ = unit_scale_conv(tmp_path / "conv.onnx", rng, xcode, xzp, wcodes, 1, 12,
                                      pads, strides, dilations)
    ref = np.einsum("nchwij,fcij->nfhw", win, wcodes.astype(np.float64))
    out = dnnc.compile(path, vnni=vnni).run({"x": x.astype(np.float32)})["y"]
    np.testing.assert_array_equal(out, ref)
    ll = str(tmp_path / "conv.ll")
    dnnc.compile(path, ll, emit="llvm", vnni=vnni)
    with open(ll) as fh:
        assert ("vpdpbusd" in fh.read()) == vnni


@pytest.mark.parametrize("xcode,xzp,c,k,strides,pads,dilations", [
    (U8, 0, 32, 3, (1, 1), (1, 1, 1, 1), (1, 1)),     # MobileNet's block
    (U8, 200, 40, 3, (2, 2), (1, 1, 1, 1), (1, 1)),   # C % 16 != 0, zero point
    (I8, -7, 24, 5, (1, 1), (2, 2, 2, 2), (2, 2)),    # signed codes, dilated
    (I8, 0, 16, 3, (2, 1), (0, 1, 2, 0), (1, 1)),     # uneven strides and pads
])
@pytest.mark.parametrize("vectorize", [True, False])
def test_depthwise_conv_is_exact(tmp_path, xcode, xzp, c, k, strides, pads, dilations,
                                 vectorize):
    """A depthwise QDQ convolution runs on the 8-bit codes
    (dnn.qdepthwise_conv2d_nhwc; the kernel widens them in registers) and
    sums the integer products exactly in f32: with unit scales its output
    equals NumPy's integer convolution, kernel or portable loops."""
    rng = np.random.default_rng(c + k)
    wcodes = rng.integers(-128, 128, (c, 1, k, k)).astype(np.int8)
    wcodes.flat[:4] = [-128, 127, -128, 127]
    path, x, win, oh = unit_scale_conv(tmp_path / "dw.onnx", rng, xcode, xzp, wcodes, c, 13,
                                       pads, strides, dilations)
    ref = np.einsum("nchwij,cij->nchw", win, wcodes[:, 0].astype(np.float64))
    out = dnnc.compile(path, vectorize=vectorize).run({"x": x.astype(np.float32)})["y"]
    np.testing.assert_array_equal(out, ref)
    ir = emitted_dnn(path)
    assert "dnn.qdepthwise_conv2d_nhwc" in ir
    assert "xi8>, tensor<%dx%dx%dxf32>) -> tensor<1x%dx%dx%dxf32>" % (k, k, c, oh[0], oh[1], c) in ir


@pytest.mark.parametrize("xcode,xzp,shape,n,trans_b", [
    (I8, -7, (2, 5, 40), 24, False),  # 3-D activations: 10 pixels
    (U8, 255, (3, 37), 50, True),     # Gemm transB, K % 4 != 0
])
@pytest.mark.parametrize("vnni", [True, False])
def test_integer_matmul_is_exact(tmp_path, xcode, xzp, shape, n, trans_b, vnni):
    """MatMul and Gemm as 1x1 convolutions of the codes: exact sums."""
    if vnni and not host_has_vnni():
        pytest.skip("the CPU has no AVX-512 VNNI")
    rng = np.random.default_rng(n)
    lo, hi = RANGE[xcode]
    k = shape[-1]
    wcodes = rng.integers(-128, 128, (n, k) if trans_b else (k, n)).astype(np.int8)
    g = QDQ()
    xd = g.dq(g.q("x", "xq", 1.0, xzp, xcode), "xd", 1.0, xzp, xcode)
    wd = g.dq(g.init("wq", wcodes), "wd", 1.0, 0, I8)
    if trans_b:
        g.nodes.append(helper.make_node("Gemm", [xd, wd], ["y"], transB=1))
    else:
        g.nodes.append(helper.make_node("MatMul", [xd, wd], ["y"]))
    path = g.save(str(tmp_path / "mm.onnx"), list(shape), "y", TensorProto.FLOAT,
                  list(shape[:-1]) + [n])
    codes = rng.integers(lo, hi + 1, shape)
    x = (codes - xzp).astype(np.float64)
    ref = x @ (wcodes.T if trans_b else wcodes).astype(np.float64)
    out = dnnc.compile(path, vnni=vnni).run({"x": x.astype(np.float32)})["y"]
    np.testing.assert_array_equal(out, ref)


def qlinear_model(path, op, inputs, inits, x_shape, out_shape, out_code, **attrs):
    """A one-node QLinearConv/QLinearMatMul graph; `inputs` names the node's
    inputs in order, those in `inits` are initializers, the rest graph inputs
    (uint8/int8 codes or float scales, by their value's dtype)."""
    graph_inputs = [helper.make_tensor_value_info("x", U8, x_shape)]
    initializers = []
    as_inputs = attrs.pop("as_inputs", ())
    for name in inputs[1:]:
        v = inits[name]
        if name in as_inputs:
            graph_inputs.append(helper.make_tensor_value_info(
                name, {np.dtype(np.int8): I8, np.dtype(np.uint8): U8}[v.dtype], v.shape))
        else:
            initializers.append(numpy_helper.from_array(v, name))
    node = helper.make_node(op, inputs, ["y"], **attrs)
    g = helper.make_graph([node], "q", graph_inputs,
                          [helper.make_tensor_value_info("y", out_code, out_shape)], initializers)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


@pytest.mark.parametrize("op", ["QLinearConv", "QLinearMatMul"])
def test_qlinear_ops_with_constant_weights_run_on_codes(tmp_path, op):
    """QLinearConv/QLinearMatMul with constant scales, zero points and
    weights import as the QDQ form and run as integer convolutions of the
    codes (dnn.qconv2d_nhwc); with the weights as a graph input they take
    the i32 composition. Both match the ONNX definition (float64 NumPy)."""
    rng = np.random.default_rng(11)
    f32 = np.float32
    xs, xz, ys, yz = f32(0.02), np.uint8(120), f32(0.05), np.uint8(100)
    if op == "QLinearConv":
        c, f = 8, 12
        w = rng.integers(-127, 128, (f, c, 3, 3)).astype(np.int8)
        ws = (rng.uniform(0.001, 0.004, f)).astype(f32)
        b = rng.integers(-2000, 2000, f).astype(np.int32)
        inits = {"x_scale": xs, "x_zero_point": xz, "w": w, "w_scale": ws,
                 "w_zero_point": np.zeros(f, np.int8), "y_scale": ys, "y_zero_point": yz, "B": b}
        inputs = ["x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point",
                  "y_scale", "y_zero_point", "B"]
        x_shape, out_shape, attrs = [1, c, 9, 9], [1, f, 9, 9], {"pads": [1, 1, 1, 1]}
    else:
        k, nn = 32, 24
        w = rng.integers(-127, 128, (k, nn)).astype(np.int8)
        ws = (rng.uniform(0.001, 0.004, nn)).astype(f32)
        inits = {"a_scale": xs, "a_zero_point": xz, "b": w, "b_scale": ws,
                 "b_zero_point": np.zeros(nn, np.int8), "y_scale": ys, "y_zero_point": yz}
        inputs = ["x", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point",
                  "y_scale", "y_zero_point"]
        x_shape, out_shape, attrs = [4, k], [4, nn], {}
    xq = rng.integers(0, 256, x_shape).astype(np.uint8)
    xr = (xq.astype(np.float64) - xz) * xs
    if op == "QLinearConv":
        acc = conv_ref(xr, w.astype(np.float64) * ws.reshape(-1, 1, 1, 1), b * (xs * ws.astype(np.float64)),
                       [1, 1, 1, 1], (1, 1), 1)
    else:
        acc = xr @ (w.astype(np.float64) * ws)
    ref = quantize(acc, ys, yz, U8)

    const = qlinear_model(str(tmp_path / "const.onnx"), op, inputs, inits, x_shape, out_shape, U8,
                          **attrs)
    out = dnnc.compile(const).run({"x": xq})["y"]
    check_codes(out, ref)
    assert "dnn.qconv2d_nhwc" in emitted_dnn(const)

    wname = inputs[3]
    dyn = qlinear_model(str(tmp_path / "dyn.onnx"), op, inputs, inits, x_shape, out_shape, U8,
                        as_inputs=(wname,), **attrs)
    out2 = dnnc.compile(dyn).run({"x": xq, wname: w})["y"]
    check_codes(out2, ref)
    assert "dnn.qconv2d_nhwc" not in emitted_dnn(dyn)


@pytest.mark.parametrize("op", ["ConvInteger", "MatMulInteger"])
@pytest.mark.parametrize("vnni", [True, False])
def test_integer_ops_with_constant_weights_run_on_codes(tmp_path, op, vnni):
    """ConvInteger/MatMulInteger with constant weights (uint8 with a zero
    point of 128, centered at compile time to 8 bits) become
    dnn.qconv2d_nhwc on the input codes; the int32 outputs are exact."""
    if vnni and not host_has_vnni():
        pytest.skip("the CPU has no AVX-512 VNNI")
    rng = np.random.default_rng(21)
    xz, wz = np.uint8(9), np.uint8(128)
    if op == "ConvInteger":
        w = rng.integers(0, 256, (16, 8, 3, 3)).astype(np.uint8)
        x_shape, out_shape, attrs = [1, 8, 7, 7], [1, 16, 7, 7], {"pads": [1, 1, 1, 1]}
    else:
        w = rng.integers(0, 256, (40, 24)).astype(np.uint8)
        x_shape, out_shape, attrs = [2, 3, 40], [2, 3, 24], {}
    node = helper.make_node(op, ["x", "w", "xz", "wz"], ["y"], **attrs)
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(xz, "xz"),
             numpy_helper.from_array(wz, "wz")]
    g = helper.make_graph([node], "i", [helper.make_tensor_value_info("x", U8, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.INT32, out_shape)], inits)
    path = str(tmp_path / "int.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    x = rng.integers(0, 256, x_shape).astype(np.uint8)
    xc, wc = x.astype(np.int64) - xz, w.astype(np.int64) - wz
    if op == "ConvInteger":
        ref = conv_ref(xc.astype(np.float64), wc.astype(np.float64), None, [1, 1, 1, 1], (1, 1), 1)
    else:
        ref = xc @ wc
    out = dnnc.compile(path, vnni=vnni).run({"x": x})["y"]
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, ref.astype(np.int64))
    assert "dnn.qconv2d_nhwc" in emitted_dnn(path)


@pytest.mark.parametrize("vnni", [True, False])
def test_dynamic_quantization_runs_on_codes(tmp_path, vnni):
    """ONNX Runtime's dynamic quantization: DynamicQuantizeLinear computes
    the activation's scale and zero point at run time, MatMulInteger
    multiplies the codes by constant uint8 weights, then a float rescale.
    The MatMulInteger becomes dnn.qconv2d_nhwc with the run-time zero point
    as an operand; its int32 sums are exact (checked against NumPy with the
    same codes)."""
    if vnni and not host_has_vnni():
        pytest.skip("the CPU has no AVX-512 VNNI")
    rng = np.random.default_rng(8)
    k, n = 64, 40
    w = rng.integers(0, 256, (k, n)).astype(np.uint8)
    ws = np.float32(0.01)
    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
             helper.make_node("MatMulInteger", ["xq", "w", "xz", "wz"], ["acc"]),
             helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["xs", "ws"], ["s"]),
             helper.make_node("Mul", ["accf", "s"], ["y"])]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.uint8(128), "wz"),
             numpy_helper.from_array(ws, "ws")]
    g = helper.make_graph(nodes, "dyn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, k])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [5, n])], inits)
    path = str(tmp_path / "dyn.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    x = (rng.standard_normal((5, k)) * 3 + 1).astype(np.float32)
    # DynamicQuantizeLinear's definition (ONNX): uint8, range including 0.
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    xs = np.float32((hi - lo) / 255)
    xz = np.uint8(np.clip(np.round(np.float32(0 - lo) / xs), 0, 255))
    xq = np.clip(np.round(x / xs) + xz, 0, 255)
    ref = ((xq - xz) @ (w.astype(np.float64) - 128)) * np.float64(np.float32(xs * ws))
    out = dnnc.compile(path, vnni=vnni).run({"x": x})["y"]
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5 * np.abs(ref).max())
    ir = emitted_dnn(path)
    assert "dnn.qconv2d_nhwc" in ir and "zero_point" in ir.split("dnn.qconv2d_nhwc", 1)[1].split("\n")[0]


@pytest.mark.parametrize("xcode,vnni", [(U8, True), (I8, True), (U8, False)])
def test_conv_integer_runtime_zero_point(tmp_path, xcode, vnni):
    """ConvInteger whose input zero point is a graph input: the padding
    takes the run-time zero point, the sums stay exact."""
    if vnni and not host_has_vnni():
        pytest.skip("the CPU has no AVX-512 VNNI")
    rng = np.random.default_rng(5)
    w = rng.integers(-100, 101, (12, 8, 3, 3)).astype(np.int8)
    node = helper.make_node("ConvInteger", ["x", "w", "xz"], ["y"], pads=[1, 1, 1, 1])
    g = helper.make_graph([node], "c", [helper.make_tensor_value_info("x", xcode, [1, 8, 6, 6]),
                                        helper.make_tensor_value_info("xz", xcode, [])],
                          [helper.make_tensor_value_info("y", TensorProto.INT32, [1, 12, 6, 6])],
                          [numpy_helper.from_array(w, "w")])
    path = str(tmp_path / "ci.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    lo, hi = RANGE[xcode]
    x = rng.integers(lo, hi + 1, (1, 8, 6, 6)).astype(NP[xcode])
    xz = NP[xcode](lo + 77)
    ref = conv_ref(x.astype(np.float64) - xz, w.astype(np.float64), None, [1, 1, 1, 1], (1, 1), 1)
    out = dnnc.compile(path, vnni=vnni).run({"x": x, "xz": np.array(xz)})["y"]
    np.testing.assert_array_equal(out, ref.astype(np.int64))
    assert "dnn.qconv2d_nhwc" in emitted_dnn(path)
