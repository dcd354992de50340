"""RoiAlign in the max mode and with adaptive sampling (the ONNX backend
tests cover avg with sampling_ratio 2), checked against a numpy port of the
reference algorithm."""
import math

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import dnnc


def bilinear_terms(img, y, x):
    h, w = img.shape
    if y < -1 or y > h or x < -1 or x > w:
        return [0.0] * 4
    y, x = max(y, 0.0), max(x, 0.0)
    yl, xl = int(math.floor(y)), int(math.floor(x))
    if yl >= h - 1:
        yl = yh = h - 1
        y = float(yl)
    else:
        yh = yl + 1
    if xl >= w - 1:
        xl = xh = w - 1
        x = float(xl)
    else:
        xh = xl + 1
    ly, lx = y - yl, x - xl
    hy, hx = 1 - ly, 1 - lx
    return [hy * hx * img[yl, xl], hy * lx * img[yl, xh],
            ly * hx * img[yh, xl], ly * lx * img[yh, xh]]


def reference(x, rois, idx, oh, ow, ratio, scale, half_pixel, mode):
    y = np.zeros((len(rois), x.shape[1], oh, ow), np.float32)
    off = 0.5 if half_pixel else 0.0
    for r, (box, b) in enumerate(zip(rois, idx)):
        x1, y1, x2, y2 = [v * scale - off for v in box]
        rw, rh = x2 - x1, y2 - y1
        if not half_pixel:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / oh, rw / ow
        gh = ratio if ratio > 0 else max(int(math.ceil(rh / oh)), 1)
        gw = ratio if ratio > 0 else max(int(math.ceil(rw / ow)), 1)
        for c in range(x.shape[1]):
            for ph in range(oh):
                for pw in range(ow):
                    vals = []
                    for iy in range(gh):
                        yy = y1 + ph * bh + (iy + 0.5) * bh / gh
                        for ix in range(gw):
                            xx = x1 + pw * bw + (ix + 0.5) * bw / gw
                            t = bilinear_terms(x[b, c], yy, xx)
                            vals.append(max(t) if mode == "max" else sum(t))
                    y[r, c, ph, pw] = max(vals) if mode == "max" else sum(vals) / (gh * gw)
    return y


@pytest.mark.parametrize("mode,ratio,ctm", [("max", 0, "half_pixel"),
                                            ("avg", 0, "output_half_pixel"),
                                            ("max", 2, "output_half_pixel")])
def test_roi_align_modes(tmp_path, mode, ratio, ctm):
    node = helper.make_node("RoiAlign", ["x", "rois", "idx"], ["y"], mode=mode,
                            output_height=3, output_width=4, sampling_ratio=ratio,
                            spatial_scale=0.5, coordinate_transformation_mode=ctm)
    g = helper.make_graph(
        [node], "roi",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 9, 11]),
         helper.make_tensor_value_info("rois", TensorProto.FLOAT, [3, 4]),
         helper.make_tensor_value_info("idx", TensorProto.INT64, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 3, 3, 4])])
    path = str(tmp_path / "roi.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 16)]), path)
    model = dnnc.compile(path, output=str(tmp_path / "roi.so"))
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 9, 11)).astype(np.float32)
    rois = np.array([[0, 0, 20, 16], [3.5, 2.0, 9.0, 15.0], [10, 4, 30, 30]],
                    np.float32)
    idx = np.array([1, 0, 1], np.int64)
    ref = reference(x, rois, idx, 3, 4, ratio, 0.5, ctm == "half_pixel", mode)
    np.testing.assert_allclose(model.run({"x": x, "rois": rois, "idx": idx})["y"],
                               ref, rtol=1e-4, atol=1e-5)
