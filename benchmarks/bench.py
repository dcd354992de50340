#!/usr/bin/env python3
"""Latency benchmark: dnnc vs ONNX Runtime on the model suite.

For each model: compile with dnnc (timed), load it in this process (the dnnc
Python module), and for each thread count start a persistent ONNX Runtime
session (ort_server.js) on the same input with that many threads; then run
interleaved rounds: K runs of ONNX Runtime, K runs of dnnc, repeated --rounds
times, with a short pause between the two so that neither runtime's spinning
worker threads steal the other's cores. Reports per-model medians over all
runs, the spread (min..max of the round medians), the ratio dnnc/ORT, dnnc's
GFLOP/s (conv/matmul/gemm FLOPs of the ONNX graph), the compile time and the
memory of a run (weights; peak of the buffers in use at once).

A peak probe (peak_probe.c: independent FMA chains on every thread) gives the
machine's fp32 peak, and the largest conv and matmul layers of the suite are
timed alone and reported as a fraction of it. The geometric mean of the
ratios per thread count closes the table; a PNG chart shows the ratios.

    bench.py [--models resnet18,...|all] [--threads 1,2] [--rounds 5]
             [--iters 10] [--min-round-ms 100] [--out FILE.md] [--png FILE.png]
             [--no-layers]
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

DEFAULT = ["resnet18", "resnet50", "mobilenet_v2", "squeezenet1_1", "transformer"]
CLANG = "/usr/lib/llvm-22/bin/clang"


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


def peak_probe(threads, work):
    """GFLOP/s of peak_probe.c at each thread count (compiled here)."""
    exe = os.path.join(work, "peak_probe")
    subprocess.run([CLANG, "-O2", "-march=native", "-pthread",
                    os.path.join(HERE, "peak_probe.c"), "-o", exe], check=True)
    return {t: float(subprocess.run([exe, str(t)], capture_output=True, text=True,
                                    check=True).stdout) for t in threads}


def layer_models(work):
    """The largest conv and matmul layers of the suite, as small models:
    resnet's 3x3 conv at 56x56x64 (the largest conv of resnet18/50 by
    FLOPs per layer, with its bias and relu), resnet50's 1x1 expansion conv
    at 56x56 and vit_b_16's MLP matmul [197, 768] x [768, 3072]. The 3x3
    conv runs twice: in the Winograd form (what a model gets; its GFLOP/s
    count the direct convolution's FLOPs, an effective rate above the
    peak) and as the direct kernel (winograd=False), whose fraction of the
    peak is the kernel's efficiency."""
    rng = np.random.default_rng(0)
    out = []

    def save(name, nodes, inputs, outputs, inits, flops):
        g = helper.make_graph(nodes, name, inputs, outputs, inits)
        path = os.path.join(work, name + ".onnx")
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
        out.append((name, path, flops, {}))

    # NHWC in and out (transposes around the NCHW conv), as inside a network
    # that dnnc runs channels-last: the transposes cancel against the
    # conv's own; ONNX Runtime runs the same graph.
    for name, c, f, k, hw in [("conv3x3_64ch_56x56", 64, 64, 3, 56),
                              ("conv1x1_64to256_56x56", 64, 256, 1, 56)]:
        w = (rng.standard_normal((f, c, k, k)) * 0.1).astype(np.float32)
        b = rng.standard_normal(f).astype(np.float32)
        save(name, [helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 3, 1, 2]),
                    helper.make_node("Conv", ["xt", "w", "b"], ["c"], kernel_shape=[k, k],
                                     pads=[k // 2] * 4),
                    helper.make_node("Relu", ["c"], ["r"]),
                    helper.make_node("Transpose", ["r"], ["y"], perm=[0, 2, 3, 1])],
             [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, hw, hw, c])],
             [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, hw, hw, f])],
             [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")],
             2.0 * hw * hw * f * c * k * k)
    name, path, flops, _ = out[0]
    out[0] = (name + " (Winograd)", path, flops, {})
    out.insert(1, (name + " (direct)", path, flops, {"winograd": False}))
    m, k, n = 197, 768, 3072
    w = (rng.standard_normal((k, n)) * 0.05).astype(np.float32)
    save("matmul_197x768x3072", [helper.make_node("MatMul", ["x", "w"], ["y"])],
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, m, k])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, m, n])],
         [numpy_helper.from_array(w, "w")], 2.0 * m * k * n)
    return out


def measure(dnnc, path, so, threads, rounds, iters, settle, min_round_ms, **options):
    """Compiles `path` (with dnnc.compile `options`) and times it against
    ONNX Runtime at each thread count, rounds of at least `iters` runs and
    `min_round_ms`; returns (compile s, memory info, {threads: stats})."""
    t0 = time.time()
    m = dnnc.compile(path, output=so, **options)
    compile_s = time.time() - t0
    rng = np.random.default_rng(0)
    feeds, specs = {}, []
    for t in m.inputs:
        x = rng.uniform(-1, 1, t.shape).astype(t.dtype)
        p = "%s.%d.npy" % (so, len(specs))
        np.save(p, x)
        feeds[t.name] = x
        specs.append("%s=%s" % (t.name, p))
    m.run(feeds)
    memory = m.memory_info()
    stats = {}
    for nt in threads:
        srv = subprocess.Popen(["node", os.path.join(HERE, "ort_server.js"), path] + specs +
                               ["--threads", str(nt)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert srv.stdout.readline().strip() == "ready"
        m.set_num_threads(nt)
        m.run(feeds)
        # A round lasts at least `min_round_ms` per runtime: small models
        # (a millisecond a run) get more runs per round, so that a round's
        # median is not a few runs between two bursts of the machine's noise.
        t1 = time.perf_counter()
        m.run(feeds)
        once = (time.perf_counter() - t1) * 1e3
        n = max(iters, min(int(min_round_ms / max(once, 1e-3)), 50 * iters))
        ort_all, dnnc_all, ort_meds, dnnc_meds = [], [], [], []
        for _ in range(rounds):
            srv.stdin.write("run %d\n" % n)
            srv.stdin.flush()
            o = [float(v) for v in srv.stdout.readline().split()]
            time.sleep(settle)
            d = []
            for _ in range(n):
                t1 = time.perf_counter()
                m.run(feeds)
                d.append((time.perf_counter() - t1) * 1e3)
            time.sleep(settle)
            ort_all += o
            dnnc_all += d
            ort_meds.append(statistics.median(o))
            dnnc_meds.append(statistics.median(d))
        srv.stdin.close()
        srv.wait()
        stats[nt] = (statistics.median(dnnc_all), min(dnnc_meds), max(dnnc_meds),
                     statistics.median(ort_all), min(ort_meds), max(ort_meds))
    m.set_num_threads(0)
    return compile_s, memory, stats


def chart(rows, threads, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = [r[0] for r in rows]
    x = np.arange(len(names))
    width = 0.8 / len(threads)
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(names) + 2), 4.5))
    for i, nt in enumerate(threads):
        ratios = [r[3][nt][0] / r[3][nt][3] for r in rows]
        lo = [r[3][nt][1] / r[3][nt][5] for r in rows]  # best dnnc / worst ORT
        hi = [r[3][nt][2] / r[3][nt][4] for r in rows]
        ax.bar(x + (i - (len(threads) - 1) / 2) * width, ratios, width,
               yerr=[np.subtract(ratios, lo), np.subtract(hi, ratios)], capsize=3,
               label="%d thread%s" % (nt, "s" if nt > 1 else ""))
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axhline(0.8, color="green", linewidth=0.8, linestyle="--", label="target 0.8")
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylabel("latency dnnc / ONNX Runtime (lower is better)")
    ax.set_title("dnnc / ONNX Runtime latency, fp32, batch 1\n(median; bars: spread of round medians)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(DEFAULT))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=10,
                    help="runs per round per runtime, at least")
    ap.add_argument("--min-round-ms", type=float, default=100,
                    help="more runs per round for fast models, to last this long")
    ap.add_argument("--settle", type=float, default=0.25,
                    help="seconds of pause between the runtimes' batches")
    ap.add_argument("--cache", default=os.path.join(HERE, "models"))
    ap.add_argument("--out", help="also write the tables (Markdown) here")
    ap.add_argument("--png", help="write the chart here (default: next to --out)")
    ap.add_argument("--no-layers", action="store_true",
                    help="skip the peak probe and the single-layer table")
    args = ap.parse_args()
    import dnnc
    threads = [int(t) for t in args.threads.split(",")]
    models = args.models.split(",")
    if args.models == "all":
        import export_models
        models = export_models.SUITE
    os.makedirs(args.cache, exist_ok=True)
    work = os.path.join(args.cache, "bench")
    os.makedirs(work, exist_ok=True)
    lines = []

    rows = []
    for name in models:
        path = os.path.join(args.cache, name + ".onnx")
        if not os.path.exists(path):
            import export_models
            export_models.export(name, args.cache)
        flops = count_flops(onnx.load(path))
        c, mem, stats = measure(dnnc, path, os.path.join(work, name + ".so"), threads,
                                args.rounds, args.iters, args.settle, args.min_round_ms)
        rows.append((name, flops, c, stats, mem))
        for nt in threads:
            s = stats[nt]
            print("%-20s %d thr  dnnc %8.2f ms  ort %8.2f ms  ratio %.2f" % (
                name, nt, s[0], s[3], s[0] / s[3]), file=sys.stderr, flush=True)

    lines += ["| model | threads | dnnc ms (median, round spread) | ONNX Runtime ms | "
              "dnnc / ORT | dnnc GFLOP/s | compile s | weights MB | peak buffers MB "
              "(in use / held) |", "|---|---|---|---|---|---|---|---|---|"]
    for name, flops, c, stats, mem in rows:
        for nt in threads:
            s = stats[nt]
            lines.append("| %s | %d | %.2f (%.2f..%.2f) | %.2f (%.2f..%.2f) | %.2f | %.1f | "
                         "%.1f | %.1f | %.1f / %.1f |" % (
                             name, nt, s[0], s[1], s[2], s[3], s[4], s[5], s[0] / s[3],
                             flops / s[0] / 1e6, c, mem["weight_bytes"] / 1e6,
                             mem["peak_live_bytes"] / 1e6, mem["peak_held_bytes"] / 1e6))
    lines.append("")
    for nt in threads:
        ratios = [r[3][nt][0] / r[3][nt][3] for r in rows]
        geo = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
        lines.append("geometric mean dnnc/ORT at %d thread(s): %.2f over %d models "
                     "(max %.2f)  " % (nt, geo, len(rows), max(ratios)))
    if len(threads) > 1:
        t1, tn = threads[0], threads[-1]
        faster = sum(r[3][tn][0] < r[3][t1][0] for r in rows)
        lines.append("dnnc faster at %d threads than at %d: %d of %d models  " % (
            tn, t1, faster, len(rows)))
    lines.append("%d rounds x at least %d runs and %g ms, interleaved with ONNX Runtime "
                 "(same thread count)" % (args.rounds, args.iters, args.min_round_ms))

    if not args.no_layers:
        # The peak is a capability: on a shared machine take the best of
        # probes spread over the layer runs.
        probes = [peak_probe(threads, work)]
        layers = []
        for name, path, flops, options in layer_models(work):
            so = os.path.join(work, name.replace(" ", "_").replace("(", "").replace(")", "")
                              + ".so")
            _, _, stats = measure(dnnc, path, so, threads, args.rounds, args.iters,
                                  args.settle, args.min_round_ms, **options)
            layers.append((name, flops, stats))
            probes.append(peak_probe(threads, work))
        peak = {nt: max(p[nt] for p in probes) for nt in threads}
        lines += ["", "Peak probe (peak_probe.c, fp32 FMA, best of %d): " % len(probes) +
                  ", ".join("%.1f GFLOP/s at %d thread(s)" % (peak[nt], nt)
                            for nt in threads), "",
                  "| layer | threads | dnnc ms | dnnc GFLOP/s | % of peak | ONNX Runtime ms |",
                  "|---|---|---|---|---|---|"]
        for name, flops, stats in layers:
            for nt in threads:
                s = stats[nt]
                g = flops / s[0] / 1e6
                lines.append("| %s | %d | %.3f | %.1f | %.0f%% | %.3f |" % (
                    name, nt, s[0], g, 100 * g / peak[nt], s[3]))

    text = "\n".join(lines)
    print(text)
    if args.out:
        open(args.out, "w").write(text + "\n")
    png = args.png or (os.path.splitext(args.out)[0] + ".png" if args.out else None)
    if png:
        chart(rows, threads, png)
        print("chart: " + png, file=sys.stderr)


if __name__ == "__main__":
    main()
