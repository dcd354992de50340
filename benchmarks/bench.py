#!/usr/bin/env python3
"""Latency benchmark: dnnc vs ONNX Runtime on the model suite.

For each model: compile with dnnc (timed), load it in this process (the dnnc
Python module), start a persistent ONNX Runtime session (ort_server.js) on
the same input, then run interleaved rounds: K runs of ONNX Runtime, K runs
of dnnc, repeated --rounds times. Reports per-model medians over all runs,
the spread (min..max of the round medians), the ratio dnnc/ORT, dnnc's
GFLOP/s (conv/matmul/gemm FLOPs from the ONNX graph) and the compile time;
the geometric mean of the ratios closes the table.

    bench.py [--models resnet18,...|all] [--rounds 5] [--iters 10]
             [--ort-threads 1] [--out FILE.md]
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_models  # noqa: E402

DEFAULT = ["resnet18", "mobilenet_v2", "squeezenet1_1", "transformer"]


def count_flops(model):
    """2 * MACs of Conv, MatMul and Gemm, from ONNX-inferred shapes."""
    m = shape_inference.infer_shapes(model)
    shapes = {}
    for vi in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        shapes[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    for t in m.graph.initializer:
        shapes[t.name] = list(t.dims)
    flops = 0
    for n in m.graph.node:
        try:
            if n.op_type == "Conv":
                out, w = shapes[n.output[0]], shapes[n.input[1]]
                flops += 2 * np.prod(out) * np.prod(w[1:])
            elif n.op_type in ("MatMul", "Gemm"):
                out, a = shapes[n.output[0]], shapes[n.input[0]]
                k = a[0] if (n.op_type == "Gemm" and any(
                    at.name == "transA" and at.i for at in n.attribute)) else a[-1]
                flops += 2 * np.prod(out) * k
        except KeyError:
            pass
    return float(flops)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(DEFAULT))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--ort-threads", type=int, default=1)
    ap.add_argument("--cache", default=os.path.join(HERE, "models"))
    ap.add_argument("--out")
    args = ap.parse_args()
    import dnnc
    models = export_models.SUITE if args.models == "all" else args.models.split(",")
    os.makedirs(args.cache, exist_ok=True)
    work = os.path.join(args.cache, "bench")
    os.makedirs(work, exist_ok=True)
    rows = []
    for name in models:
        path = os.path.join(args.cache, name + ".onnx")
        if not os.path.exists(path):
            export_models.export(name, args.cache)
        model = onnx.load(path)
        flops = count_flops(model)
        t0 = time.time()
        m = dnnc.compile(path, output=os.path.join(work, name + ".so"))
        compile_s = time.time() - t0
        rng = np.random.default_rng(0)
        feeds, specs = {}, []
        for t in m.inputs:
            x = rng.uniform(-1, 1, t.shape).astype(t.dtype)
            p = os.path.join(work, "%s.%d.npy" % (name, len(specs)))
            np.save(p, x)
            feeds[t.name] = x
            specs.append("%s=%s" % (t.name, p))
        srv = subprocess.Popen(["node", os.path.join(HERE, "ort_server.js"), path] + specs +
                               ["--threads", str(args.ort_threads)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert srv.stdout.readline().strip() == "ready"
        m.run(feeds)
        ort_all, dnnc_all, ort_meds, dnnc_meds = [], [], [], []
        for _ in range(args.rounds):
            srv.stdin.write("run %d\n" % args.iters)
            srv.stdin.flush()
            o = [float(v) for v in srv.stdout.readline().split()]
            d = []
            for _ in range(args.iters):
                t1 = time.perf_counter()
                m.run(feeds)
                d.append((time.perf_counter() - t1) * 1e3)
            ort_all += o
            dnnc_all += d
            ort_meds.append(statistics.median(o))
            dnnc_meds.append(statistics.median(d))
        srv.stdin.close()
        srv.wait()
        dm, om = statistics.median(dnnc_all), statistics.median(ort_all)
        rows.append((name, dm, min(dnnc_meds), max(dnnc_meds), om, min(ort_meds),
                     max(ort_meds), dm / om, flops / dm / 1e6, compile_s))
        print("%-20s dnnc %8.2f ms  ort %8.2f ms  ratio %.2f" % (name, dm, om, dm / om),
              file=sys.stderr, flush=True)
    lines = ["| model | dnnc ms (median, round spread) | ONNX Runtime ms | dnnc / ORT | dnnc GFLOP/s | compile s |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append("| %s | %.2f (%.2f..%.2f) | %.2f (%.2f..%.2f) | %.2f | %.1f | %.1f |" % r)
    geo = math.exp(sum(math.log(r[7]) for r in rows) / len(rows))
    lines.append("")
    lines.append("geometric mean dnnc/ORT: %.2f over %d models; %d rounds x %d runs, "
                 "interleaved; dnnc 1 thread, ORT %d thread(s)" % (
                     geo, len(rows), args.rounds, args.iters, args.ort_threads))
    text = "\n".join(lines)
    print(text)
    if args.out:
        open(args.out, "w").write(text + "\n")


if __name__ == "__main__":
    main()
