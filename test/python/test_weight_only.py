"""Weight-only quantized MatMul (ONNX Runtime's com.microsoft MatMulNBits):
float activations times 4- or 8-bit codes in blocks along K with a scale
and zero point per block. The codes stay packed (dnn.weight_quant_matmul);
outputs are checked against a float64 NumPy dequantization."""
import os

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import dnnc


def pack_nbits(q, bits):
    """[N, K] unsigned codes -> [N, K / block, block * bits / 8] bytes
    (callers reshape), the first element of a byte in its low nibble."""
    q = q.astype(np.uint8)
    if bits == 8:
        return q
    return (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)


def nbits_model(path, x_shape, k, n, bits, block, rng, zero_points="packed", bias=False):
    q = rng.integers(0, 1 << bits, (n, k))
    blocks = k // block
    scales = rng.uniform(0.01, 0.05, (n, blocks)).astype(np.float32)
    if zero_points is None:
        zp = np.full((n, blocks), 1 << (bits - 1))
    else:
        zp = rng.integers(0, 1 << bits, (n, blocks))
    inits = [numpy_helper.from_array(pack_nbits(q, bits).reshape(n, blocks, block * bits // 8), "B"),
             numpy_helper.from_array(scales.reshape(-1), "scales")]
    inputs = ["A", "B", "scales"]
    if zero_points == "packed":
        zb = pack_nbits(zp if bits == 8 else np.pad(zp, ((0, 0), (0, blocks % 2))), bits)
        inits.append(numpy_helper.from_array(zb.reshape(-1), "zp"))
        inputs.append("zp")
    elif zero_points == "float":
        inits.append(numpy_helper.from_array(zp.astype(np.float32), "zp"))
        inputs.append("zp")
    b = None
    if bias:
        b = rng.standard_normal(n).astype(np.float32)
        inits.append(numpy_helper.from_array(b, "bias"))
        inputs += [""] * (5 - len(inputs)) + ["bias"]  # after zero_points, g_idx
    node = helper.make_node("MatMulNBits", inputs, ["Y"], domain="com.microsoft", K=k, N=n,
                            bits=bits, block_size=block)
    out_shape = list(x_shape[:-1]) + [n]
    g = helper.make_graph([node], "wq", [helper.make_tensor_value_info("A", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, out_shape)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17),
                                            helper.make_opsetid("com.microsoft", 1)])
    onnx.save(m, path)
    w = (q - np.repeat(zp, block, axis=1)) * np.repeat(scales.astype(np.float64), block, axis=1)
    return w, b


@pytest.mark.parametrize("bits,block,x_shape,k,n,zero_points,bias", [
    (4, 32, (1, 256), 256, 80, "packed", False),   # GEMV, 3 blocks of zp per byte pair
    (4, 16, (2, 3, 64), 64, 32, None, True),       # 3-D activations, default zp, bias
    (4, 128, (5, 384), 384, 48, "float", False),   # odd block count per row
    (8, 32, (1, 128), 128, 40, "packed", False),
    (8, 64, (4, 192), 192, 16, None, False),
])
@pytest.mark.parametrize("vectorize", [True, False])
def test_matmul_nbits(tmp_path, bits, block, x_shape, k, n, zero_points, bias, vectorize):
    """vectorize=True: the packed-code kernel; False: the portable loops."""
    rng = np.random.default_rng(bits * k + n)
    path = str(tmp_path / "wq.onnx")
    w, b = nbits_model(path, x_shape, k, n, bits, block, rng, zero_points, bias)
    x = rng.standard_normal(x_shape).astype(np.float32)
    ref = x.astype(np.float64) @ w.T
    if b is not None:
        ref = ref + b
    out = dnnc.compile(path, vectorize=vectorize).run({"A": x})["Y"]
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
    # The codes stay packed: no float [N, K] weight in the compiled IR.
    ir = str(tmp_path / "wq.mlir")
    dnnc.compile(path, ir, emit="dnn")
    text = open(ir).read()
    assert "dnn.weight_quant_matmul" in text
    assert "tensor<%dx%dxf32>" % (n, k) not in text and "tensor<%dx%dxf32>" % (k, n) not in text


def test_matmul_nbits_errors(tmp_path):
    rng = np.random.default_rng(0)
    path = str(tmp_path / "bad.onnx")
    nbits_model(path, (1, 64), 64, 16, 4, 32, rng)
    m = onnx.load(path)
    for a in m.graph.node[0].attribute:
        if a.name == "bits":
            a.i = 3
    onnx.save(m, path)
    with pytest.raises(dnnc.CompileError, match=r"MatMulNBits.*bits=3 is not supported"):
        dnnc.compile(path)


@pytest.mark.parametrize("code,trans_b,bias", [
    (TensorProto.INT8, False, False),
    (TensorProto.UINT8, True, True),
])
def test_qdq_weight_only_int8(tmp_path, code, trans_b, bias):
    """The standard ONNX form: DequantizeLinear of int8/uint8 weights (per
    output column, with zero points) into a MatMul/Gemm whose activations
    stay float becomes dnn.weight_quant_matmul (8-bit codes in memory)."""
    rng = np.random.default_rng(3)
    k, n = 96, 40
    lo, hi = (-128, 127) if code == TensorProto.INT8 else (0, 255)
    npt = np.int8 if code == TensorProto.INT8 else np.uint8
    shape = (n, k) if trans_b else (k, n)
    q = rng.integers(lo, hi + 1, shape).astype(npt)
    scales = rng.uniform(0.01, 0.03, n).astype(np.float32)
    zps = rng.integers(lo // 4, hi // 4, n).astype(npt)
    inits = [numpy_helper.from_array(q, "Wq"), numpy_helper.from_array(scales, "s"),
             numpy_helper.from_array(zps, "z")]
    nodes = [helper.make_node("DequantizeLinear", ["Wq", "s", "z"], ["W"], axis=0 if trans_b else 1)]
    b = rng.standard_normal(n).astype(np.float32)
    if trans_b:
        inits.append(numpy_helper.from_array(b, "b"))
        nodes.append(helper.make_node("Gemm", ["A", "W"] + (["b"] if bias else []), ["Y"], transB=1))
    else:
        nodes.append(helper.make_node("MatMul", ["A", "W"], ["Y"]))
    g = helper.make_graph(nodes, "w8", [helper.make_tensor_value_info("A", TensorProto.FLOAT, [3, k])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [3, n])], inits)
    path = str(tmp_path / "w8.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    x = rng.standard_normal((3, k)).astype(np.float32)
    wd = (q.astype(np.float64) - (zps[:, None] if trans_b else zps[None, :])) * \
        (scales[:, None] if trans_b else scales[None, :])
    ref = x.astype(np.float64) @ (wd.T if trans_b else wd)
    if bias:
        ref = ref + b
    out = dnnc.compile(path).run({"A": x})["Y"]
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
    ir = str(tmp_path / "w8.mlir")
    dnnc.compile(path, ir, emit="dnn")
    text = open(ir).read()
    assert "dnn.weight_quant_matmul" in text and "bits = 8" in text
    assert "tensor<%dx%dxf32>" % shape not in text


def float_mlp(path, rng, k=128, h=192, n=40):
    """A MatMul -> Relu -> Gemm(transB, bias) model with float weights."""
    w1 = rng.standard_normal((k, h)).astype(np.float32)
    w2 = rng.standard_normal((n, h)).astype(np.float32)
    b2 = rng.standard_normal(n).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["h"], name="fc1"),
             helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("Gemm", ["r", "W2", "B2"], ["y"], transB=1, name="fc2")]
    g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, k])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, n])],
                          [numpy_helper.from_array(w1, "W1"), numpy_helper.from_array(w2, "W2"),
                           numpy_helper.from_array(b2, "B2")])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    return w1, w2, b2


def unpack_nbits(model, node):
    """The dequantized [N, K] weights of a MatMulNBits node of `model`."""
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    at = {a.name: a.i for a in node.attribute}
    k, n, bits, block = at["K"], at["N"], at["bits"], at["block_size"]
    b = inits[node.input[1]].reshape(n, -1)
    if bits == 4:
        q = np.stack([b & 15, b >> 4], axis=-1).reshape(n, -1)[:, :k]
    else:
        q = b
    blocks = k // block
    z = inits[node.input[3]].reshape(n, -1)
    if bits == 4:
        z = np.stack([z & 15, z >> 4], axis=-1).reshape(n, -1)
    z = z[:, :blocks]
    s = inits[node.input[2]].reshape(n, blocks)
    return (q.astype(np.float64) - np.repeat(z, block, 1)) * np.repeat(s.astype(np.float64), block, 1)


@pytest.mark.parametrize("bits,group", [(4, 32), (8, 64)])
def test_quantize_weights(tmp_path, bits, group):
    """dnnc.quantize_weights writes MatMulNBits nodes whose dequantized
    weights are within a block's step of the float ones; the report's
    weight SQNR is recomputed here; the compiled model matches a NumPy
    evaluation with the dequantized weights."""
    rng = np.random.default_rng(bits)
    src, out = str(tmp_path / "mlp.onnx"), str(tmp_path / "mlp.w.onnx")
    w1, w2, b2 = float_mlp(src, rng)
    report = dnnc.quantize_weights(src, out, bits=bits, group_size=group)
    m = onnx.load(out)
    ops = [nd.op_type for nd in m.graph.node]
    assert ops == ["MatMulNBits", "Relu", "MatMulNBits"]
    assert not {"W1", "W2"} & {t.name for t in m.graph.initializer}  # float weights gone
    d1, d2 = unpack_nbits(m, m.graph.node[0]), unpack_nbits(m, m.graph.node[2])
    for wf, dq, layer in ((w1.T, d1, report["layers"][0]), (w2, d2, report["layers"][1])):
        step = (wf.max() - min(wf.min(), 0)) / ((1 << bits) - 1)
        assert np.abs(dq - wf).max() <= step
        db = 10 * np.log10((wf.astype(np.float64) ** 2).sum() / ((dq - wf) ** 2).sum())
        assert layer["quantized"] and abs(layer["weight_sqnr_db"] - db) < 0.05
    assert report["quantized_bytes"] < report["float_bytes"] / (3 if bits == 8 else 6)
    x = rng.standard_normal((2, 128)).astype(np.float32)
    ref = np.maximum(x.astype(np.float64) @ d1.T, 0) @ d2.T + b2
    got = dnnc.compile(out).run({"x": x})["y"]
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
    # The one-flag form compiles the same model.
    q = dnnc.compile(src, quantize="int%d-weights" % bits, group_size=group)
    np.testing.assert_array_equal(q.run({"x": x})["y"], got)
    assert q.quantization_report["bits"] == bits


def test_quantize_weights_cli_and_errors(tmp_path):
    rng = np.random.default_rng(0)
    src = str(tmp_path / "mlp.onnx")
    float_mlp(src, rng)
    bindir = os.path.join(os.path.dirname(dnnc.__file__), "..", "..", "bin")
    out = str(tmp_path / "mlp.int4.onnx")
    import subprocess
    r = subprocess.run([os.path.join(bindir, "dnnc"), src, "--quantize=int4-weights",
                        "--group-size", "32", "--keep-float", "fc2", "--emit=onnx", "-o", out,
                        "--quant-report", str(tmp_path / "r.json")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "1 of 2 layers quantized" in r.stdout and "float: kept float" in r.stdout
    assert [nd.op_type for nd in onnx.load(out).graph.node] == ["MatMulNBits", "Relu", "Gemm"]
    r = subprocess.run([os.path.join(bindir, "dnnc"), src, "--quantize=int4-weights",
                        "--group-size", "24", "-o", str(tmp_path / "x.so")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "group size must be a power of 2" in r.stderr
    assert not os.path.exists(str(tmp_path / "x.so"))
    with pytest.raises(dnnc.CompileError, match="4 or 8 bits"):
        dnnc.quantize_weights(src, str(tmp_path / "y.onnx"), bits=3)
