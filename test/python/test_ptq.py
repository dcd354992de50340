"""Post-training quantization: dnnc.quantize writes a standard QDQ model from
calibration sets; dnnc.compile(quantize="int8") and dnnc --quantize=int8
compile it. Checked: the QDQ model's parameters against the calibration data
and the float weights, the compiled model against a float64 NumPy evaluation
of that QDQ model, the report, and clear errors for bad calibration data."""
import json
import os
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import dnnc
from test_quantized import conv_ref, emitted_dnn

BIN = os.path.join(os.path.dirname(dnnc.__file__), "..", "..", "bin")


def small_model(path, opset=13):
    """conv+relu -> conv/2+relu6 -> flatten -> gemm(transB, bias)+relu ->
    matmul: every layer kind the quantizer handles."""
    rng = np.random.default_rng(0)
    inits = {
        "W1": rng.standard_normal((16, 3, 3, 3)) * 0.3,
        "B1": rng.standard_normal(16) * 0.1,
        "W2": rng.standard_normal((8, 16, 3, 3)) * 0.1,
        "B2": rng.standard_normal(8) * 0.1,
        "W3": rng.standard_normal((32, 8 * 8 * 8)) * 0.05,
        "B3": rng.standard_normal(32) * 0.1,
        "W4": rng.standard_normal((32, 10)) * 0.2,
        "lo": np.array(0.0), "hi": np.array(6.0),
    }
    nodes = [
        helper.make_node("Conv", ["x", "W1", "B1"], ["c1"], pads=[1] * 4, name="conv1"),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "W2", "B2"], ["c2"], pads=[1] * 4, strides=[2, 2],
                         name="conv2"),
        helper.make_node("Clip", ["c2", "lo", "hi"], ["r2"], name="relu6"),
        helper.make_node("Flatten", ["r2"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "W3", "B3"], ["g"], transB=1, name="fc1"),
        helper.make_node("Relu", ["g"], ["rg"], name="relu3"),
        helper.make_node("MatMul", ["rg", "W4"], ["y"], name="fc2"),
    ]
    g = helper.make_graph(
        nodes, "small", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        [numpy_helper.from_array(v.astype(np.float32), k) for k, v in inits.items()])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]), path)
    return path, inits


def calibration(n=6, seed=1):
    rng = np.random.default_rng(seed)
    return [{"x": rng.standard_normal((1, 3, 16, 16)).astype(np.float32)} for _ in range(n)]


def run_qdq(path, feeds):
    """Evaluates a QDQ model in float64 NumPy, with ONNX's rounding."""
    m = onnx.load(path)
    env = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    env.update(feeds)
    for n in m.graph.node:
        a = {x.name: helper.get_attribute_value(x) for x in n.attribute}
        ins = [env[i] for i in n.input]

        def per_axis(v, ref):
            if v.ndim == 0:
                return v
            shape = [1] * ref.ndim
            shape[a.get("axis", 1)] = -1
            return v.reshape(shape)

        if n.op_type == "QuantizeLinear":
            x, s, z = ins
            info = np.iinfo(z.dtype)
            y = np.clip(np.round(x / s.astype(np.float64)) + z, info.min, info.max).astype(z.dtype)
        elif n.op_type == "DequantizeLinear":
            q, s = ins[0], per_axis(ins[1], ins[0])
            z = per_axis(ins[2], ins[0]) if len(ins) > 2 else 0
            y = (q.astype(np.float64) - z) * s
        elif n.op_type == "Conv":
            y = conv_ref(ins[0], ins[1], ins[2], a.get("pads", [0] * 4),
                         a.get("strides", [1, 1]), a.get("group", 1))
        elif n.op_type == "Relu":
            y = np.maximum(ins[0], 0)
        elif n.op_type == "Clip":
            y = np.clip(ins[0], ins[1], ins[2])
        elif n.op_type == "Flatten":
            y = ins[0].reshape(ins[0].shape[0], -1)
        elif n.op_type == "Gemm":
            y = ins[0] @ (ins[1].T if a.get("transB") else ins[1]) + ins[2]
        elif n.op_type == "MatMul":
            y = ins[0] @ ins[1]
        else:
            raise NotImplementedError(n.op_type)
        env[n.output[0]] = y
    return {o.name: env[o.name] for o in m.graph.output}


def initializer(model, name):
    return numpy_helper.to_array(next(t for t in model.graph.initializer if t.name == name))


def test_qdq_model_parameters(tmp_path):
    path, w = small_model(str(tmp_path / "small.onnx"))
    cal = calibration()
    out = str(tmp_path / "small.int8.onnx")
    report = dnnc.quantize(path, cal, out)
    m = onnx.load(out)
    onnx.checker.check_model(m)
    ops = [n.op_type for n in m.graph.node]
    # x, relu1, relu6, flatten (fc1's input) and relu3 outputs.
    assert ops.count("QuantizeLinear") == 5
    assert ops.count("DequantizeLinear") == 5 + 4 + 3  # activations, weights, biases
    # The flatten output shares its input's parameters: requantizing it is
    # exact.
    assert initializer(m, "f_scale") == initializer(m, "r2_scale")
    assert initializer(m, "f_zero_point") == initializer(m, "r2_zero_point")

    # Min-max: the input's range over every set, widened to hold 0.
    xs = np.concatenate([c["x"].ravel() for c in cal])
    scale = (xs.max() - xs.min()) / 255
    np.testing.assert_allclose(initializer(m, "x_scale"), scale, rtol=1e-6)
    assert initializer(m, "x_zero_point") == np.round(-xs.min() / scale)
    # ReLU outputs: zero point 0.
    assert initializer(m, "r1_zero_point") == 0 and initializer(m, "rg_zero_point") == 0

    # Weights: int8, symmetric, per output channel (Conv axis 0, Gemm transB
    # axis 0, MatMul axis 1).
    for name, axis in [("W1", 0), ("W3", 0), ("W4", 1)]:
        codes = initializer(m, name + "_quantized")
        s = initializer(m, name + "_scale")
        assert codes.dtype == np.int8 and np.abs(codes).max() == 127
        ref = w[name].astype(np.float32)
        red = tuple(d for d in range(ref.ndim) if d != axis)
        np.testing.assert_allclose(s, np.abs(ref).max(axis=red) / 127, rtol=1e-6)
        shape = [1] * ref.ndim
        shape[axis] = -1
        np.testing.assert_array_equal(codes, np.round(ref / s.reshape(shape)))
    dq = next(n for n in m.graph.node if n.output[0] == "W4_dequantized")
    assert helper.get_attribute_value(dq.attribute[0]) == 1
    # Biases: int32 codes at scale x_scale * w_scale.
    bs = initializer(m, "B1_scale")
    np.testing.assert_allclose(bs, initializer(m, "x_scale") * initializer(m, "W1_scale"),
                               rtol=1e-6)
    np.testing.assert_array_equal(initializer(m, "B1_quantized"),
                                  np.round(w["B1"].astype(np.float32) / bs))
    # The float weights are gone.
    assert not {"W1", "W2", "W3", "W4"} & {t.name for t in m.graph.initializer}

    assert [l["node"] for l in report["layers"]] == ["conv1", "conv2", "fc1", "fc2"]
    assert all(l["quantized"] for l in report["layers"])
    assert report["sets"] == 6 and report["method"] == "min-max"


def test_compiled_matches_qdq_evaluation(tmp_path):
    path, _ = small_model(str(tmp_path / "small.onnx"))
    cal = calibration()
    out = str(tmp_path / "small.int8.onnx")
    dnnc.quantize(path, cal, out, report=False)
    model = dnnc.compile(out)
    # The dnn IR computes every layer on integers (8-bit codes into i32) and folds ReLU6 into the requantization: no float
    # conv or matmul and no clip at 6 is left.
    ir = emitted_dnn(out)
    # (fc1 and fc2 as 1x1 convolutions of a one-pixel image.)
    assert ir.count("dnn.qconv2d_nhwc") == 4 and "dnn.conv2d_nhwc" not in ir
    assert "dnn.matmul" not in ir and "dnn.gemm" not in ir
    assert "max = 6.000000e+00" not in ir
    for feeds in calibration(4, seed=7):  # held-back inputs
        y = model.run(feeds)["y"]
        ref = run_qdq(out, {"x": feeds["x"].astype(np.float64)})["y"]
        # Integer and float64 rounding may differ by one code where a value
        # falls on a .5; the output moves by a few of its steps at most.
        err = np.abs(y - ref)
        assert err.max() <= 0.03 * np.abs(ref).max(), (err.max(), np.abs(ref).max())
        assert err.mean() <= 0.003 * np.abs(ref).max()


def test_compile_quantize_report(tmp_path):
    path, _ = small_model(str(tmp_path / "small.onnx"))
    cal = calibration()
    model = dnnc.compile(path, quantize="int8", calibration=cal)
    rep = model.quantization_report
    assert [l["quantized"] for l in rep["layers"]] == [True] * 4
    assert all(20 < l["sqnr_db"] < 80 for l in rep["layers"])
    (out,) = rep["outputs"]
    assert out["name"] == "y" and out["sqnr_db"] > 25
    # The report's output figures are those of the compiled model on the
    # calibration sets.
    ref = dnnc.compile(path, winograd=False)
    sig = noise = maxerr = 0.0
    for feeds in cal:
        f = ref.run(feeds)["y"].astype(np.float64)
        q = model.run(feeds)["y"]
        sig += (f ** 2).sum()
        noise += ((f - q) ** 2).sum()
        maxerr = max(maxerr, np.abs(f - q).max())
    assert abs(10 * np.log10(sig / noise) - out["sqnr_db"]) < 0.05
    np.testing.assert_allclose(maxerr, out["max_abs_error"], rtol=1e-3)
    assert "conv1" in dnnc.format_report(rep)


def test_keep_float_and_percentile(tmp_path):
    path, w = small_model(str(tmp_path / "small.onnx"))
    cal = calibration()
    cal[0]["x"][0, 0, 0, 0] = 40.0  # one outlier
    out = str(tmp_path / "q.onnx")
    rep = dnnc.quantize(path, cal, out, method="percentile", percentile=99.9,
                        keep_float=["fc2"])
    m = onnx.load(out)
    fc2 = rep["layers"][3]
    assert not fc2["quantized"] and fc2["reason"] == "kept float"
    np.testing.assert_array_equal(initializer(m, "W4"), w["W4"].astype(np.float32))
    # fc1's result stays quantized (fc2's input), its weight per channel.
    assert initializer(m, "W3_quantized").dtype == np.int8
    # The percentile range ignores the outlier; min-max would not.
    assert initializer(m, "x_scale") * 255 < 12
    dnnc.quantize(path, cal, str(tmp_path / "mm.onnx"), report=False)
    assert initializer(onnx.load(str(tmp_path / "mm.onnx")), "x_scale") * 255 > 40
    assert rep["method"] == "percentile 99.9"


def test_entropy_calibration(tmp_path):
    """Entropy calibration clips where the KL divergence of the quantized
    histogram says so: a few large outliers are clipped (and held-back
    inputs come out closer to float than with min-max), a uniform input
    keeps nearly its whole range."""
    path, _ = small_model(str(tmp_path / "small.onnx"))
    cal = calibration(8)
    cal[0]["x"][0, 0, 0, :3] = [30.0, -25.0, 28.0]  # outliers
    ent, mm = str(tmp_path / "ent.onnx"), str(tmp_path / "mm.onnx")
    rep = dnnc.quantize(path, cal, ent, method="entropy")
    dnnc.quantize(path, cal, mm, report=False)
    assert rep["method"] == "entropy"
    x_ent = initializer(onnx.load(ent), "x_scale") * 255
    x_mm = initializer(onnx.load(mm), "x_scale") * 255
    assert x_mm > 50 and x_ent < 0.5 * x_mm
    held = calibration(4, seed=7)
    ref = [dnnc.compile(path).run(f)["y"].astype(np.float64) for f in held]

    def sqnr(q):
        model = dnnc.compile(q)
        noise = sum(((model.run(f)["y"] - r) ** 2).sum() for f, r in zip(held, ref))
        return 10 * np.log10(sum((r ** 2).sum() for r in ref) / noise)
    assert sqnr(ent) > sqnr(mm) + 3

    rng = np.random.default_rng(3)
    uniform = [{"x": rng.uniform(-4, 4, (1, 3, 16, 16)).astype(np.float32)} for _ in range(8)]
    dnnc.quantize(path, uniform, ent, method="entropy", report=False)
    assert initializer(onnx.load(ent), "x_scale") * 255 > 0.9 * 8


def test_per_tensor_weights_before_opset_13(tmp_path):
    path, _ = small_model(str(tmp_path / "small.onnx"), opset=11)
    out = str(tmp_path / "q.onnx")
    dnnc.quantize(path, calibration(), out, report=False)
    m = onnx.load(out)
    assert initializer(m, "W1_scale").shape == ()
    model = dnnc.compile(out)
    feeds = calibration(1, seed=9)[0]
    ref = run_qdq(out, {"x": feeds["x"].astype(np.float64)})["y"]
    assert np.abs(model.run(feeds)["y"] - ref).max() <= 0.03 * np.abs(ref).max()


def write_sets(root, cal, pb=False):
    for i, c in enumerate(cal):
        d = root / ("set%d" % i)
        d.mkdir(parents=True)
        for k, (name, v) in enumerate(c.items()):
            if pb:  # ONNX test data layout: unnamed input_K.pb
                (d / ("input_%d.pb" % k)).write_bytes(
                    numpy_helper.from_array(v).SerializeToString())
            else:
                np.save(str(d / (name + ".npy")), v)


def test_cli(tmp_path):
    path, _ = small_model(str(tmp_path / "small.onnx"))
    cal = calibration()
    write_sets(tmp_path / "npy", cal)
    write_sets(tmp_path / "pb", cal, pb=True)
    dnnc_bin = os.path.join(BIN, "dnnc")
    for d in ["npy", "pb"]:
        out = str(tmp_path / (d + ".int8.onnx"))
        r = subprocess.run([dnnc_bin, path, "--quantize=int8", "--calibration-data",
                            str(tmp_path / d), "--emit=onnx", "-o", out, "--quant-report",
                            str(tmp_path / (d + ".json"))], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "4 of 4 layers int8" in r.stdout and "conv2" in r.stdout
        with open(tmp_path / (d + ".json")) as f:
            assert json.load(f)["outputs"][0]["sqnr_db"] > 25
    # Both layouts calibrate to the same model, the one dnnc.quantize writes.
    py = str(tmp_path / "py.onnx")
    dnnc.quantize(path, cal, py, report=False)
    a, b, c = (onnx.load(str(p)) for p in [tmp_path / "npy.int8.onnx",
                                           tmp_path / "pb.int8.onnx", py])
    assert a.graph == b.graph == c.graph
    # One flag: quantize and compile.
    so = str(tmp_path / "small_q.so")
    r = subprocess.run([dnnc_bin, path, "--quantize=int8", "--calibration-data",
                        str(tmp_path / "npy"), "-o", so], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    feeds = calibration(1, seed=3)[0]
    np.testing.assert_array_equal(dnnc.load(so).run(feeds)["y"],
                                  dnnc.compile(py).run(feeds)["y"])
    # Entropy calibration from the CLI is the Python API's; an unknown
    # method is one clear error, and no output file.
    ent = str(tmp_path / "ent.onnx")
    r = subprocess.run([dnnc_bin, path, "--quantize=int8", "--calibration-data",
                        str(tmp_path / "npy"), "--calibration-method=entropy", "--emit=onnx",
                        "-o", ent], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    dnnc.quantize(path, cal, py, method="entropy", report=False)
    assert onnx.load(ent).graph == onnx.load(py).graph
    bad = str(tmp_path / "bad.onnx")
    r = subprocess.run([dnnc_bin, path, "--quantize=int8", "--calibration-data",
                        str(tmp_path / "npy"), "--calibration-method=kld", "--emit=onnx",
                        "-o", bad], capture_output=True, text=True)
    assert r.returncode != 0 and "(minmax, percentile, entropy)" in r.stderr
    assert not os.path.exists(bad)
    with pytest.raises(ValueError, match="minmax, percentile, entropy"):
        dnnc.quantize(path, cal, bad, method="kld")


@pytest.mark.parametrize("case,message", [
    ("name", "'image' is not an input of the model, whose inputs are 'x'"),
    ("shape", "input 'x' has shape [1x3x8x8] but the model takes [1x3x16x16]"),
    ("dtype", "input 'x' is float64 but the model takes float32"),
    ("empty", "holds no .npy or .pb files"),
    ("position", "input_3.pb but the model has 1 inputs"),
])
def test_bad_calibration_data(tmp_path, case, message):
    path, _ = small_model(str(tmp_path / "small.onnx"))
    d = tmp_path / "cal"
    x = calibration(1)[0]["x"]
    sets = {"name": {"image.npy": x, "notes.txt": None},
            "shape": {"x.npy": x[:, :, :8, :8]}, "dtype": {"x.npy": x.astype(np.float64)},
            "empty": {}, "position": {"input_3.pb": x}}[case]
    (d / "set0").mkdir(parents=True)
    np.save(str(d / "set0" / "x.npy"), x)  # a good set first
    (d / "set1").mkdir()
    for name, v in sets.items():
        if name.endswith(".pb"):
            (d / "set1" / name).write_bytes(numpy_helper.from_array(v).SerializeToString())
        elif v is not None:
            np.save(str(d / "set1" / name), v)
        else:
            (d / "set1" / name).write_text("not data: ignored")
    out = tmp_path / "out.so"
    r = subprocess.run([os.path.join(BIN, "dnnc"), path, "--quantize=int8",
                        "--calibration-data", str(d), "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert message in r.stderr, r.stderr
    assert r.stderr.count("error") == 1
    assert not out.exists() and not list(tmp_path.glob("out*"))
    with pytest.raises(dnnc.CompileError, match="set1|holds no"):
        dnnc.quantize(path, str(d), str(tmp_path / "q.onnx"))


def test_python_calibration_errors(tmp_path):
    path, _ = small_model(str(tmp_path / "small.onnx"))
    x = calibration(1)[0]["x"]
    with pytest.raises(dnnc.CompileError, match="no calibration data"):
        dnnc.quantize(path, [], str(tmp_path / "q.onnx"))
    with pytest.raises(dnnc.CompileError, match="calibration set 1: input 'x' is missing"):
        dnnc.quantize(path, [{"x": x}, {}], str(tmp_path / "q.onnx"))
    with pytest.raises(ValueError, match="needs calibration"):
        dnnc.compile(path, quantize="int8")
    assert not (tmp_path / "q.onnx").exists()


def test_mixed_precision_budget(tmp_path):
    path, w = small_model(str(tmp_path / "small.onnx"))
    cal = calibration()
    full = dnnc.quantize(path, cal, str(tmp_path / "all.onnx"))
    all_int8 = full["outputs"][0]["sqnr_db"]
    assert all(l["quantized"] for l in full["layers"])
    assert all(l["input_sqnr_db"] > 20 for l in full["layers"])
    # A budget the all-int8 model meets changes nothing.
    rep = dnnc.quantize(path, cal, str(tmp_path / "easy.onnx"), min_sqnr=all_int8 - 1)
    assert all(l["quantized"] for l in rep["layers"])
    # A higher one keeps some layers float, and is met.
    budget = all_int8 + 2
    out = str(tmp_path / "mixed.onnx")
    rep = dnnc.quantize(path, cal, out, min_sqnr=budget)
    assert rep["min_sqnr_db"] == budget
    assert rep["outputs"][0]["sqnr_db"] is None or rep["outputs"][0]["sqnr_db"] >= budget
    kept = [l["node"] for l in rep["layers"] if not l["quantized"]]
    assert 1 <= len(kept) < 4
    assert all(l["reason"] == "kept float for the SQNR budget"
               for l in rep["layers"] if not l["quantized"])
    # The kept layers' weights stay float in the QDQ model; the compiled
    # model's output meets the budget on the calibration sets.
    m = onnx.load(out)
    names = {t.name for t in m.graph.initializer}
    weight = {"conv1": "W1", "conv2": "W2", "fc1": "W3", "fc2": "W4"}
    for node, wname in weight.items():
        assert (wname in names) == (node in kept), (node, kept)
    model, ref = dnnc.compile(out), dnnc.compile(path, winograd=False)
    sig = noise = 0.0
    for feeds in cal:
        f = ref.run(feeds)["y"].astype(np.float64)
        sig += (f ** 2).sum()
        noise += ((f - model.run(feeds)["y"]) ** 2).sum()
    assert noise == 0 or 10 * np.log10(sig / noise) >= budget - 0.05


def test_bias_shared_through_identity(tmp_path):
    """Exporters share equal initializers through Identity nodes: such a
    bias (or weight) is still a constant to quantize."""
    path, w = small_model(str(tmp_path / "small.onnx"))
    m = onnx.load(path)
    conv1 = m.graph.node[0]
    conv1.input[2] = "B1_shared"
    m.graph.node.insert(0, helper.make_node("Identity", ["B1"], ["B1_shared"]))
    onnx.save(m, path)
    out = str(tmp_path / "q.onnx")
    rep = dnnc.quantize(path, calibration(), out, report=False)
    assert rep["layers"][0]["quantized"], rep["layers"][0]
    q = onnx.load(out)
    np.testing.assert_array_equal(
        initializer(q, "B1_shared_quantized"),
        np.round(w["B1"].astype(np.float32) / initializer(q, "B1_shared_scale")))
    assert q.graph.node[[n.op_type for n in q.graph.node].index("Conv")].input[2] == \
        "B1_shared_dequantized"
