#!/usr/bin/env python3
"""Weight-only quantized matmul benchmark: batch-1 (and small-batch)
[M, K] x [K, N] products with 4-bit and 8-bit weights (ONNX Runtime's
com.microsoft MatMulNBits, block 32, with zero points) against the fp32
MatMul of the same shape, in dnnc and in ONNX Runtime (which runs the very
same MatMulNBits model). Interleaved rounds; medians with the spread of the
round medians. The issue's target: int4 at least 3x faster than fp32 for
M = 1, K = N = 4096 (memory-bound: the fp32 weights are 64 MB).

    bench_weight_only.py [--shapes 1x4096x4096,...] [--threads 1]
                         [--rounds 5] [--out F.md]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_int8 import OrtSession, emit, timed  # noqa: E402


def models(work, m, k, n, block=32):
    rng = np.random.default_rng(0)
    paths = {}
    w = rng.standard_normal((k, n)).astype(np.float32)
    g = helper.make_graph([helper.make_node("MatMul", ["A", "W"], ["Y"])], "f32",
                          [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])],
                          [numpy_helper.from_array(w, "W")])
    paths["fp32"] = os.path.join(work, "mm_%dx%dx%d_fp32.onnx" % (m, k, n))
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), paths["fp32"])
    for bits in (4, 8):
        blocks = k // block
        q = rng.integers(0, 1 << bits, (n, k)).astype(np.uint8)
        packed = q if bits == 8 else (q[:, 0::2] | (q[:, 1::2] << 4))
        zp = rng.integers(0, 1 << bits, (n, blocks)).astype(np.uint8)
        zpk = zp if bits == 8 else (zp[:, 0::2] | (zp[:, 1::2] << 4))
        inits = [numpy_helper.from_array(packed.reshape(n, blocks, block * bits // 8), "B"),
                 numpy_helper.from_array(rng.uniform(0.01, 0.03, n * blocks).astype(np.float32), "s"),
                 numpy_helper.from_array(zpk.reshape(-1), "z")]
        node = helper.make_node("MatMulNBits", ["A", "B", "s", "z"], ["Y"], domain="com.microsoft",
                                K=k, N=n, bits=bits, block_size=block)
        g = helper.make_graph([node], "wq", [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])], inits)
        p = os.path.join(work, "mm_%dx%dx%d_int%d.onnx" % (m, k, n, bits))
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17),
                                                      helper.make_opsetid("com.microsoft", 1)]), p)
        paths["int%d" % bits] = p
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shapes", default="1x4096x4096,8x4096x4096,1x4096x11008")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--settle", type=float, default=0.25)
    ap.add_argument("--out")
    args = ap.parse_args()
    import dnnc
    work = tempfile.mkdtemp(prefix="dnnc-wq-")
    lines = ["| M x K x N | weights | dnnc ms | ONNX Runtime ms | dnnc fp32 / dnnc | "
             "ORT / dnnc | weights MB |", "|---|---|---|---|---|---|---|"]
    for shape in args.shapes.split(","):
        m, k, n = (int(v) for v in shape.split("x"))
        paths = models(work, m, k, n)
        x = np.random.default_rng(1).standard_normal((m, k)).astype(np.float32)
        npy = os.path.join(work, "a.npy")
        np.save(npy, x)
        feeds = {"A": x}
        compiled, ort = {}, {}
        for key, p in paths.items():
            compiled[key] = dnnc.compile(p, os.path.join(work, key + ".so"))
            compiled[key].set_num_threads(args.threads)
            compiled[key].run(feeds)
            ort[key] = OrtSession(p, ["A=" + npy], args.threads)
        runs = {(r, key): [] for key in paths for r in ("dnnc", "ort")}
        meds = {kk: [] for kk in runs}
        for _ in range(args.rounds):
            for key in paths:
                for r, fn in (("ort", lambda: ort[key].run(args.runs)),
                              ("dnnc", lambda: timed(compiled[key], feeds, args.runs))):
                    t = fn()
                    runs[(r, key)] += t
                    meds[(r, key)].append(statistics.median(t))
                    time.sleep(args.settle)
        for s in ort.values():
            s.close()
        med = {kk: statistics.median(v) for kk, v in runs.items()}
        for key in paths:
            d, o = med[("dnnc", key)], med[("ort", key)]
            row = "| %s | %s | %.3f (%.3f..%.3f) | %.3f (%.3f..%.3f) | %.2f | %.2f | %.1f |" % (
                shape, key, d, min(meds[("dnnc", key)]), max(meds[("dnnc", key)]), o,
                min(meds[("ort", key)]), max(meds[("ort", key)]), med[("dnnc", "fp32")] / d,
                o / d, compiled[key].memory_info()["weight_bytes"] / 1e6)
            lines.append(row)
            print(row, file=sys.stderr, flush=True)
    lines += ["", "%d thread(s), %d rounds of %d runs, interleaved; medians (round spread)" % (
        args.threads, args.rounds, args.runs)]
    emit(lines, args.out)


if __name__ == "__main__":
    main()
