#!/usr/bin/env python3
"""Writes the small ONNX models the lit tests import into OUT_DIR.

Each model is built with onnx.helper so the tests need no binary files.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)


def save(name, nodes, inputs, outputs, inits=(), opset=13, domains=()):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)] +
                          [helper.make_opsetid(d, v) for d, v in domains])
    onnx.save(m, os.path.join(out, name + ".onnx"))


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def const(name, shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


# conv -> batchnorm -> relu -> maxpool -> gap -> flatten -> gemm
save("cnn", [
    helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv1", pads=[1, 1, 1, 1]),
    helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"], name="bn1"),
    helper.make_node("Relu", ["n"], ["r"], name="relu1"),
    helper.make_node("MaxPool", ["r"], ["p"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("GlobalAveragePool", ["p"], ["g"], name="gap"),
    helper.make_node("Flatten", ["g"], ["f"], name="flat"),
    helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], name="fc", transB=1),
], [f32("x", [1, 3, 8, 8])], [f32("y", [1, 4])],
    [const("w", [8, 3, 3, 3]), const("b", [8]), const("s", [8]), const("bb", [8]),
     const("m", [8]), numpy_helper.from_array(rng.uniform(0.5, 1.5, 8).astype(np.float32), "v"),
     const("fw", [4, 8]), const("fb", [4])])

# Shape arithmetic that folds away at import: Shape -> Gather -> Unsqueeze ->
# Concat -> Reshape.
save("shape_chain", [
    helper.make_node("Shape", ["x"], ["s"], name="shape"),
    helper.make_node("Gather", ["s", "i0"], ["d0"], name="gather", axis=0),
    helper.make_node("Unsqueeze", ["d0", "ax"], ["d0u"], name="unsq"),
    helper.make_node("Concat", ["d0u", "m1"], ["shp"], name="concat", axis=0),
    helper.make_node("Reshape", ["x", "shp"], ["y"], name="reshape"),
], [f32("x", [2, 3, 4])], [f32("y", [2, 12])],
    [numpy_helper.from_array(np.array(0, np.int64), "i0"),
     numpy_helper.from_array(np.array([0], np.int64), "ax"),
     numpy_helper.from_array(np.array([-1], np.int64), "m1")])

# An operator dnnc does not support.
save("unsupported", [helper.make_node("RandomUniformLike", ["x"], ["y"], name="rand0")],
     [f32("x", [2, 3])], [f32("y", [2, 3])])

# A bad attribute: Conv pads with the wrong count.
save("bad_pads", [helper.make_node("Conv", ["x", "w"], ["y"], name="convbad", pads=[1, 1])],
     [f32("x", [1, 1, 4, 4])], [f32("y", [1, 1, 4, 4])], [const("w", [1, 1, 3, 3])])

# A symbolic batch dim.
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
save("dynamic", [helper.make_node("Relu", ["x"], ["y"], name="relu")], [x],
     [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])])

# An op whose importer does not take run-time dims yet.
save("dynamic_dft", [helper.make_node("DFT", ["x"], ["y"], name="dft0", axis=1)],
     [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8, 1])],
     [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8, 2])], opset=17)

# Weights in an external data file.
w = const("w", [4, 4])
m = helper.make_model(helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "external",
    [f32("x", [2, 4])], [f32("y", [2, 4])], [w]),
    opset_imports=[helper.make_opsetid("", 13)])
onnx.save(m, os.path.join(out, "external.onnx"), save_as_external_data=True,
          all_tensors_to_one_file=True, location="external.bin", size_threshold=0)
np.save(os.path.join(out, "external_w.npy"), numpy_helper.to_array(w))

# Truncated copy of a valid model.
data = open(os.path.join(out, "cnn.onnx"), "rb").read()
open(os.path.join(out, "truncated.onnx"), "wb").write(data[: len(data) // 2])

# An op without a dnnc handler that ONNX defines as a function.
save("function_body", [helper.make_node("MeanVarianceNormalization", ["x"], ["y"],
                                        name="mvn0", axes=[0, 2, 3])],
     [f32("x", [2, 3, 4, 4])], [f32("y", [2, 3, 4, 4])])

# ConvTranspose (stride 2): imported as dilation + padding + a conv.
save("conv_transpose", [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up0",
                                         strides=[2, 2], pads=[1, 1, 1, 1])],
     [f32("x", [1, 2, 3, 3])], [f32("y", [1, 4, 5, 5])], [const("w", [2, 4, 3, 3])])
save("conv_transpose_dynamic",
     [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up1",
                       strides=[2, 2], pads=[1, 1, 1, 1])],
     [f32("x", ["N", 2, "H", "W"])], [f32("y", ["N", 4, "Ho", "Wo"])],
     [const("w", [2, 4, 3, 3])])

# Resize (bilinear, 2x along H and W): separable 1-D interpolations.
save("resize", [helper.make_node("Resize", ["x", "", "scales"], ["y"], name="up1",
                                 mode="linear")],
     [f32("x", [1, 1, 2, 3])], [f32("y", [1, 1, 4, 6])],
     [numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")])

# LSTM over 2 steps (unrolled at import).
save("lstm", [helper.make_node("LSTM", ["x", "w", "r"], ["y", "yh"], name="lstm0",
                               hidden_size=3)],
     [f32("x", [2, 1, 4])], [f32("y", [2, 1, 1, 3]), f32("yh", [1, 1, 3])],
     [const("w", [1, 12, 4]), const("r", [1, 12, 3])])

# Einsum: a batched contraction with a transposed output.
save("einsum", [helper.make_node("Einsum", ["a", "b"], ["y"], name="es0",
                                 equation="bij,bjk->bki")],
     [f32("a", [2, 3, 4]), f32("b", [2, 4, 5])], [f32("y", [2, 5, 3])], opset=12)

# TopK (k = 2, largest) along the last axis.
save("topk", [helper.make_node("TopK", ["x", "k"], ["v", "i"], name="top0")],
     [f32("x", [3, 5])], [f32("v", [3, 2]), helper.make_tensor_value_info("i", TensorProto.INT64, [3, 2])],
     [numpy_helper.from_array(np.array([2], np.int64), "k")], opset=11)

# DequantizeLinear of uint8 codes: zero-extended, not sign-extended.
save("dequant", [helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], name="dq0")],
     [helper.make_tensor_value_info("q", TensorProto.UINT8, [4])], [f32("y", [4])],
     [numpy_helper.from_array(np.array(0.5, np.float32), "s"),
      numpy_helper.from_array(np.array(128, np.uint8), "z")])

# Resize of a run-time image size: indices and weights computed at run time.
save("resize_dynamic", [helper.make_node("Resize", ["x", "", "scales"], ["y"], name="up2",
                                         mode="linear")],
     [f32("x", [1, 1, "h", 3])], [f32("y", [1, 1, None, 6])],
     [numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")])

# QLinearMatMul: uint8 activations, int8 weights, i32 accumulation.
save("qlinear_matmul", [helper.make_node(
    "QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"], name="qmm0")],
     [helper.make_tensor_value_info("a", TensorProto.UINT8, [2, 3])],
     [helper.make_tensor_value_info("y", TensorProto.UINT8, [2, 4])],
     [numpy_helper.from_array(np.array(0.1, np.float32), "as"),
      numpy_helper.from_array(np.array(128, np.uint8), "az"),
      numpy_helper.from_array(rng.integers(-128, 127, (3, 4)).astype(np.int8), "b"),
      numpy_helper.from_array(np.array(0.05, np.float32), "bs"),
      numpy_helper.from_array(np.array(0, np.int8), "bz"),
      numpy_helper.from_array(np.array(0.2, np.float32), "ys"),
      numpy_helper.from_array(np.array(10, np.uint8), "yz")])

# DFT of a real signal of 8 samples: products with cosine/sine matrices.
save("dft", [helper.make_node("DFT", ["x"], ["y"], name="dft0", axis=1)],
     [f32("x", [1, 8, 1])], [f32("y", [1, 8, 2])], opset=17)

# Adam from the ai.onnx.preview.training domain: an elementwise update.
save("adam", [helper.make_node("Adam", ["r", "t", "x", "g", "v", "h"],
                               ["x2", "v2", "h2"], name="adam0",
                               domain="ai.onnx.preview.training")],
     [f32("r", []), helper.make_tensor_value_info("t", TensorProto.INT64, []),
      f32("x", [4]), f32("g", [4]), f32("v", [4]), f32("h", [4])],
     [f32("x2", [4]), f32("v2", [4]), f32("h2", [4])],
     domains=[("ai.onnx.preview.training", 1)])

# Control flow: If with two constant branches, a Loop summing its iteration
# numbers with a scan output, a Scan with a running sum.
def tensor_vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


then_g = helper.make_graph(
    [helper.make_node("Constant", [], ["t"], value=numpy_helper.from_array(np.ones(3, np.float32)))],
    "then", [], [f32("t", [3])])
else_g = helper.make_graph(
    [helper.make_node("Neg", ["x"], ["e"])], "else", [], [f32("e", [3])])
save("if", [helper.make_node("If", ["c"], ["y"], name="if0", then_branch=then_g, else_branch=else_g)],
     [tensor_vi("c", TensorProto.BOOL, []), f32("x", [3])], [f32("y", [3])])

body = helper.make_graph(
    [helper.make_node("Identity", ["cin"], ["cout"]),
     helper.make_node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT),
     helper.make_node("Add", ["s", "fi"], ["s2"]),
     helper.make_node("Identity", ["s2"], ["row"])],
    "body", [tensor_vi("i", TensorProto.INT64, []), tensor_vi("cin", TensorProto.BOOL, []), f32("s", [])],
    [tensor_vi("cout", TensorProto.BOOL, []), f32("s2", []), f32("row", [])])
save("loop", [helper.make_node("Loop", ["m", "", "s0"], ["s", "rows"], name="loop0", body=body)],
     [tensor_vi("m", TensorProto.INT64, []), f32("s0", [])], [f32("s", []), f32("rows", [None])])

scan_body = helper.make_graph(
    [helper.make_node("Add", ["acc", "xi"], ["acc2"]),
     helper.make_node("Identity", ["acc2"], ["out"])],
    "scan_body", [f32("acc", [2]), f32("xi", [2])], [f32("acc2", [2]), f32("out", [2])])
save("scan", [helper.make_node("Scan", ["a0", "xs"], ["a", "ys"], name="scan0", body=scan_body,
                               num_scan_inputs=1, scan_output_directions=[1])],
     [f32("a0", [2]), f32("xs", [4, 2])], [f32("a", [2]), f32("ys", [4, 2])], opset=11)

# GridSample (bilinear, zeros padding) of a 2-channel image.
save("gridsample", [helper.make_node("GridSample", ["x", "g"], ["y"], name="gs0")],
     [f32("x", [1, 2, 3, 4]), f32("g", [1, 5, 6, 2])], [f32("y", [1, 2, 5, 6])], opset=16)

# DepthToSpace of a run-time image size: reshapes take run-time shapes.
save("depth_to_space_dynamic",
     [helper.make_node("DepthToSpace", ["x"], ["y"], name="d2s", blocksize=2)],
     [f32("x", ["n", 8, "h", "w"])], [f32("y", ["n", 2, None, None])])

# Sequences: SplitToSequence of a run-time-length input, an insertion at the
# front, SequenceAt and ConcatFromSequence; a sequence graph input and output.
save("sequence",
     [helper.make_node("SplitToSequence", ["x"], ["s"], name="split", axis=0, keepdims=0),
      helper.make_node("SequenceInsert", ["s", "r", "p"], ["s2"], name="insert"),
      helper.make_node("SequenceAt", ["s2", "p"], ["first"], name="at"),
      helper.make_node("ConcatFromSequence", ["s2"], ["cat"], name="cat", axis=0, new_axis=1),
      helper.make_node("SequenceInsert", ["seq_in", "r"], ["seq_out"], name="append")],
     [f32("x", ["n", 3]), f32("r", [3]), tensor_vi("p", TensorProto.INT64, []),
      helper.make_tensor_sequence_value_info("seq_in", TensorProto.FLOAT, [None])],
     [f32("first", [3]), f32("cat", [None, 3]),
      helper.make_tensor_sequence_value_info("seq_out", TensorProto.FLOAT, [None])], opset=11)

# Gradient of a broadcast Add then Mul with respect to both inputs.
save("gradient", [
    helper.make_node("Add", ["a", "b"], ["c"], name="add0"),
    helper.make_node("Mul", ["c", "a"], ["d"], name="mul0"),
    helper.make_node("Gradient", ["a", "b"], ["da", "db"], name="grad0",
                     domain="ai.onnx.preview.training", xs=["a", "b"], y="d")],
    [f32("a", [2, 3]), f32("b", [3])], [f32("d", [2, 3]), f32("da", [2, 3]), f32("db", [3])],
    domains=[("ai.onnx.preview.training", 1)])

# Strings: numbers printed and parsed, StringNormalizer of a run-time-length
# input, and a constant string tensor concatenated with its result. Test
# data (strings_*.pb) beside the model.
def string_vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.STRING, shape)


save("strings",
     [helper.make_node("Cast", ["x"], ["text"], name="print", to=TensorProto.STRING),
      helper.make_node("Cast", ["digits"], ["nums"], name="parse", to=TensorProto.FLOAT),
      helper.make_node("StringNormalizer", ["words"], ["kept"], name="norm",
                       case_change_action="UPPER", stopwords=["monday"]),
      helper.make_node("Concat", ["head", "kept"], ["all"], name="cat", axis=0)],
     [f32("x", [5]), string_vi("digits", [4]), string_vi("words", ["n"])],
     [string_vi("text", [5]), f32("nums", [4]), string_vi("all", [None])],
     [numpy_helper.from_array(np.array(["Week:"], dtype=object), "head")], opset=10)
strings_data = {
    "x": np.array([0.5, -2.0, 1e-5, 123456.75, np.inf], dtype=np.float32),
    "digits": np.array(["3.25", "-1e3", "INF", " 42"], dtype=object),
    "words": np.array(["Monday", "tuesday", "MONDAY", "Wednesday"], dtype=object),
    "text": np.array(["0.5", "-2.0", "1e-05", "123456.75", "INF"], dtype=object),
    "nums": np.array([3.25, -1000, np.inf, 42], dtype=np.float32),
    "all": np.array(["Week:", "TUESDAY", "WEDNESDAY"], dtype=object),
    "wrong": np.array(["Week:", "TUESDAY", "wednesday"], dtype=object),
}
for k, v in strings_data.items():
    with open(os.path.join(out, "strings_%s.pb" % k), "wb") as f:
        f.write(numpy_helper.from_array(v, k).SerializeToString())

# Tile on strings: not reviewed for strings, so a clear error.
save("string_tile", [helper.make_node("Tile", ["s", "r"], ["y"], name="tile0")],
     [string_vi("s", [2])], [string_vi("y", [4])],
     [numpy_helper.from_array(np.array([2], dtype=np.int64), "r")])

# Optionals: an optional tensor input passed through and tested, and an If
# whose branches make an empty optional or one holding a sequence. Test data
# (optional_*.pb) beside the model.
opt_f32 = helper.make_tensor_type_proto(TensorProto.FLOAT, ["n"])
seq_f32 = helper.make_sequence_type_proto(helper.make_tensor_type_proto(TensorProto.FLOAT, [None]))
then_opt = helper.make_graph(
    [helper.make_node("Optional", [], ["none"], name="none", type=seq_f32)],
    "then_opt", [], [helper.make_value_info("none", helper.make_optional_type_proto(seq_f32))])
else_opt = helper.make_graph(
    [helper.make_node("OptionalGetElement", ["x_opt"], ["xv"], name="get"),
     helper.make_node("SequenceConstruct", ["xv", "xv"], ["two"], name="pair"),
     helper.make_node("Optional", ["two"], ["some"], name="some")],
    "else_opt", [], [helper.make_value_info("some", helper.make_optional_type_proto(seq_f32))])
save("optional",
     [helper.make_node("Identity", ["x_opt"], ["same"], name="same"),
      helper.make_node("OptionalHasElement", ["x_opt"], ["has"], name="has"),
      helper.make_node("If", ["c"], ["maybe"], name="if_opt", then_branch=then_opt,
                       else_branch=else_opt)],
     [helper.make_value_info("x_opt", helper.make_optional_type_proto(opt_f32)),
      helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
     [helper.make_value_info("same", helper.make_optional_type_proto(opt_f32)),
      helper.make_tensor_value_info("has", TensorProto.BOOL, []),
      helper.make_value_info("maybe", helper.make_optional_type_proto(seq_f32))], opset=16)
x3 = numpy_helper.from_array(np.array([1.5, -2, 4], np.float32))
for name, proto in {
        "some": helper.make_optional("x", onnx.OptionalProto.TENSOR, x3),
        "none": helper.make_optional("x", onnx.OptionalProto.UNDEFINED, None),
        "true": numpy_helper.from_array(np.array(True)),
        "false": numpy_helper.from_array(np.array(False))}.items():
    with open(os.path.join(out, "optional_%s.pb" % name), "wb") as f:
        f.write(proto.SerializeToString())

# STFT of a real signal with a window: 3 frames of 4 samples, one-sided.
save("stft", [helper.make_node("STFT", ["x", "step", "w"], ["y"], name="stft0")],
     [f32("x", [1, 10, 1])], [f32("y", [1, 3, 3, 2])],
     [numpy_helper.from_array(np.array(3, np.int64), "step"),
      numpy_helper.from_array(np.hanning(4).astype(np.float32), "w")], opset=17)

# INT4 weights (data type 22, opset 21; ONNX 1.12's helpers lack the type):
# codes 1, -2, 3, -4, 7, -8, 0, 5 packed two per byte, low nibble first.
w4 = onnx.TensorProto()
w4.name, w4.data_type = "wq", 22
w4.dims.extend([4, 2])
w4.raw_data = bytes([0xE1, 0xC3, 0x87, 0x50])
save("int4_weights", [helper.make_node("DequantizeLinear", ["wq", "ws"], ["w"], axis=0,
                                       name="dq0"),
                      helper.make_node("MatMul", ["x", "w"], ["y"], name="mm0")],
     [f32("x", [3, 4])], [f32("y", [3, 2])],
     [w4, numpy_helper.from_array(np.array([0.5, 0.25, 1, 2], np.float32), "ws")], opset=21)
