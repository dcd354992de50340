"""Tests of the dnnc Python API: compile/load/run, tensor descriptions, and
one clear exception (naming file, node and op) for every kind of bad input."""
import os
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import dnnc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "tiny_resnet.onnx")


def make_model(path, nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]), path)
    return path


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


@pytest.fixture(scope="module")
def mlp(tmp_path_factory):
    d = tmp_path_factory.mktemp("mlp")
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((8, 16)).astype(np.float32)
    b1 = rng.standard_normal(16).astype(np.float32)
    w2 = rng.standard_normal((16, 4)).astype(np.float32)
    path = make_model(str(d / "mlp.onnx"), [
        helper.make_node("MatMul", ["x", "w1"], ["h"], name="fc1"),
        helper.make_node("Add", ["h", "b1"], ["hb"], name="bias1"),
        helper.make_node("Tanh", ["hb"], ["t"], name="act"),
        helper.make_node("MatMul", ["t", "w2"], ["y"], name="fc2"),
        helper.make_node("ArgMax", ["y"], ["cls"], name="argmax", axis=1, keepdims=0),
    ], [f32("x", [3, 8])], [f32("y", [3, 4]),
                           helper.make_tensor_value_info("cls", TensorProto.INT64, [3])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
         numpy_helper.from_array(w2, "w2")])

    def ref(x):
        y = np.tanh(x @ w1 + b1) @ w2
        return y, y.argmax(axis=1)
    return path, ref


def test_compile_run_matches_numpy(mlp):
    path, ref = mlp
    m = dnnc.compile(path)
    assert [t.name for t in m.inputs] == ["x"]
    assert m.inputs[0].dtype == "float32" and m.inputs[0].shape == (3, 8)
    assert [(t.name, t.dtype, t.shape) for t in m.outputs] == [
        ("y", "float32", (3, 4)), ("cls", "int64", (3,))]
    x = np.random.default_rng(1).standard_normal((3, 8)).astype(np.float32)
    out = m.run({"x": x})
    y, cls = ref(x)
    np.testing.assert_allclose(out["y"], y, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(out["cls"], cls)


def test_compile_to_path_and_load(mlp, tmp_path):
    path, ref = mlp
    so = tmp_path / "mlp.so"
    dnnc.compile(path, output=str(so))
    assert so.exists() and (tmp_path / "mlp.h").exists()
    header = (tmp_path / "mlp.h").read_text()
    assert "dnnc_run" in header and '"x"' in header
    m = dnnc.load(str(so))
    x = np.ones((3, 8), np.float32)
    np.testing.assert_allclose(m.run({"x": x})["y"], ref(x)[0], rtol=1e-4, atol=1e-5)


def test_emit_phases(mlp, tmp_path):
    path, _ = mlp
    for emit, needle in [("dnn", "dnn.matmul"), ("linalg", "linalg.matmul"),
                         ("llvm-mlir", "llvm.func"), ("llvm", "define")]:
        out = dnnc.compile(path, output=str(tmp_path / ("out." + emit)), emit=emit)
        assert needle in open(out).read(), emit


def test_example_model_runs():
    m = dnnc.compile(EXAMPLE)
    x = np.zeros((1, 3, 32, 32), np.float32)
    y = m.run({"input": x})["output"]
    assert y.shape == (1, 10) and np.isfinite(y).all()


def test_run_checks_shape_dtype_and_names(mlp):
    path, _ = mlp
    m = dnnc.compile(path)
    with pytest.raises(ValueError, match=r"input 'x' expects shape \[3x8\] but got \[3x7\]"):
        m.run({"x": np.zeros((3, 7), np.float32)})
    with pytest.raises(TypeError, match="input 'x' expects float32 but got int64"):
        m.run({"x": np.zeros((3, 8), np.int64)})
    with pytest.raises(ValueError, match="missing input 'x'"):
        m.run({})
    with pytest.raises(ValueError, match="has no input 'z'"):
        m.run({"x": np.zeros((3, 8), np.float32), "z": np.zeros(1)})


def unsupported_node():
    """An op dnnc does not support (random numbers are not reproducible)."""
    return helper.make_node("RandomUniformLike", ["x"], ["y"], name="my_rand")


def test_unsupported_op_names_node_and_op(tmp_path):
    path = make_model(str(tmp_path / "rand.onnx"), [unsupported_node()],
                      [f32("x", [2, 3])], [f32("y", [2, 3])])
    out = tmp_path / "rand.so"
    with pytest.raises(dnnc.CompileError) as e:
        dnnc.compile(path, output=str(out))
    assert e.value.node == "my_rand" and e.value.op == "RandomUniformLike"
    assert e.value.opset == 13
    assert "rand.onnx" in str(e.value)
    assert "unsupported operator RandomUniformLike" in str(e.value)
    assert not out.exists() and not (tmp_path / "rand.h").exists()


def test_bad_attribute(tmp_path):
    w = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")
    path = make_model(str(tmp_path / "conv.onnx"),
                      [helper.make_node("Conv", ["x", "w"], ["y"], name="c0", pads=[1, 1])],
                      [f32("x", [1, 1, 4, 4])], [f32("y", [1, 1, 4, 4])], [w])
    with pytest.raises(dnnc.CompileError, match=r"node 'c0' \(Conv, opset 13\): pads must have 4 values"):
        dnnc.compile(path)


@pytest.mark.parametrize("content", [b"", b"not an onnx file at all", None])
def test_broken_files(tmp_path, content):
    p = tmp_path / "broken.onnx"
    if content is None:  # a truncated real model
        content = open(EXAMPLE, "rb").read()[:5000]
    p.write_bytes(content)
    out = tmp_path / "broken.so"
    with pytest.raises(dnnc.CompileError, match="broken.onnx"):
        dnnc.compile(str(p), output=str(out))
    assert not out.exists()


def test_missing_file():
    with pytest.raises(dnnc.CompileError, match="cannot read the file"):
        dnnc.compile("/nonexistent/model.onnx")


def test_symbolic_dims_run_at_any_size(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, ["M"])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])
    path = make_model(str(tmp_path / "dyn.onnx"),
                      [helper.make_node("Add", ["x", "b"], ["s"], name="a"),
                       helper.make_node("Relu", ["s"], ["y"], name="r")], [x, b], [y])
    m = dnnc.compile(path)
    assert m.inputs[0].shape == (None, 4)
    for n, bn in [(1, 4), (5, 4), (3, 1)]:
        xv = np.random.default_rng(n).standard_normal((n, 4)).astype(np.float32)
        bv = np.arange(bn, dtype=np.float32) - 1
        np.testing.assert_allclose(m.run({"x": xv, "b": bv})["y"],
                                   np.maximum(xv + bv, 0), rtol=1e-6)
    with pytest.raises(ValueError, match=r"input 'x' expects shape \[\?x4\] but got \[2x3\]"):
        m.run({"x": np.zeros((2, 3), np.float32), "b": np.zeros(4, np.float32)})
    # Fixing the dims gives a static model.
    s = dnnc.compile(path, input_shapes={"x": (2, 4), "b": (4,)})
    assert s.inputs[0].shape == (2, 4)
    out = s.run({"x": np.array([[-1, 2, -3, 4]] * 2, np.float32),
                 "b": np.zeros(4, np.float32)})["y"]
    np.testing.assert_array_equal(out, [[0, 2, 0, 4]] * 2)


def test_load_rejects_non_models(tmp_path):
    p = tmp_path / "x.so"
    p.write_bytes(b"junk")
    with pytest.raises(OSError, match="cannot load"):
        dnnc.load(str(p))


def test_cli_exit_code_and_one_line_error(tmp_path):
    path = make_model(str(tmp_path / "rand.onnx"), [unsupported_node()],
                      [f32("x", [2, 3])], [f32("y", [2, 3])])
    dnnc_bin = os.path.join(os.path.dirname(os.path.dirname(dnnc.__file__)), "..", "bin", "dnnc")
    r = subprocess.run([dnnc_bin, path, "-o", str(tmp_path / "rand.so")],
                       capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "node 'my_rand' (RandomUniformLike, opset 13)" in lines[0]
    assert not (tmp_path / "rand.so").exists()


def test_zero_sized_tensors(tmp_path):
    # A slice past the end has zero rows; the model still runs (its entry
    # takes memref descriptors, which dnnc_run wraps).
    from onnx import numpy_helper
    inits = [numpy_helper.from_array(np.array(v, np.int64), n)
             for n, v in [("s", [5]), ("e", [9]), ("a", [0])]]
    path = make_model(str(tmp_path / "empty.onnx"),
                      [helper.make_node("Slice", ["x", "s", "e", "a"], ["y"], name="sl"),
                       helper.make_node("Relu", ["x"], ["z"], name="r")],
                      [f32("x", [2, 4])], [f32("y", [0, 4]), f32("z", [2, 4])], inits)
    m = dnnc.compile(path)
    x = np.arange(8, dtype=np.float32).reshape(2, 4) - 4
    out = m.run({"x": x})
    assert out["y"].shape == (0, 4)
    np.testing.assert_array_equal(out["z"], np.maximum(x, 0))


def test_control_flow_runs_at_run_time_trip_counts(tmp_path):
    # Loop: s += i while i < m and s < limit, with a scan output per
    # iteration; If picks a branch from a run-time condition.
    vi = helper.make_tensor_value_info
    body = helper.make_graph(
        [helper.make_node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT),
         helper.make_node("Add", ["s", "fi"], ["s2"]),
         helper.make_node("Less", ["s2", "limit"], ["cout"]),
         helper.make_node("Mul", ["s2", "two"], ["row"])],
        "body", [vi("i", TensorProto.INT64, []), vi("cin", TensorProto.BOOL, []), f32("s", [])],
        [vi("cout", TensorProto.BOOL, []), f32("s2", []), f32("row", [])])
    then_g = helper.make_graph([helper.make_node("Neg", ["s"], ["t"])], "then", [], [f32("t", [])])
    else_g = helper.make_graph([helper.make_node("Identity", ["s"], ["e"])], "else", [], [f32("e", [])])
    path = make_model(str(tmp_path / "cf.onnx"), [
        helper.make_node("Loop", ["m", "c", "s0"], ["s", "rows"], name="loop", body=body),
        helper.make_node("Greater", ["s", "limit"], ["big"], name="cmp"),
        helper.make_node("If", ["big"], ["y"], name="if", then_branch=then_g, else_branch=else_g),
    ], [vi("m", TensorProto.INT64, []), vi("c", TensorProto.BOOL, []), f32("s0", [])],
        [f32("y", []), f32("rows", [None])],
        [numpy_helper.from_array(np.array(10, np.float32), "limit"),
         numpy_helper.from_array(np.array(2, np.float32), "two")])
    m = dnnc.compile(path)

    def ref(trips, s):
        rows = []
        for i in range(trips):
            s += i
            rows.append(2 * s)
            if not s < 10:
                break
        return (-s if s > 10 else s), rows
    for trips, s0 in [(0, 1.0), (3, 0.0), (4, 0.5), (100, 2.0)]:
        out = m.run({"m": np.array(trips, np.int64), "c": np.array(True),
                     "s0": np.array(s0, np.float32)})
        y, rows = ref(trips, s0)
        np.testing.assert_allclose(out["y"], y)
        np.testing.assert_allclose(out["rows"], np.array(rows, np.float32).reshape(-1))
