#!/usr/bin/env python3
"""INT8 latency benchmark: dnnc int8 vs dnnc fp32 vs ONNX Runtime.

For each model: quantize it with dnnc (8 seeded calibration sets, min-max)
into a QDQ model, compile that and the float model with dnnc, and start two
persistent ONNX Runtime sessions (ort_server.js): one on the very QDQ model
dnnc wrote, one on the float model. Then interleaved rounds: K runs of each
of the four, in turn, repeated --rounds times, with a short pause between
them. Reports per-model medians over all runs, the spread (min..max of the
round medians) and the ratios the quantization issue sets targets for:
fp32 / int8 within dnnc (>= 2.5x for resnet50 and mobilenet_v2) and ORT
int8 / dnnc int8 on the same QDQ model (>= 1.2x), plus the int8 output's
SQNR against dnnc fp32 on one held-back input.

    bench_int8.py [--models resnet50,mobilenet_v2,...|all] [--threads 1]
                  [--rounds 5] [--iters 10] [--min-round-ms 100] [--out F.md]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_models  # noqa: E402

DEFAULT = ["resnet50", "mobilenet_v2", "resnet18"]


def sqnr(ref, est):
    ref, est = np.asarray(ref, np.float64), np.asarray(est, np.float64)
    noise = ((ref - est) ** 2).sum()
    return float("inf") if noise == 0 else 10 * np.log10((ref ** 2).sum() / noise)


class OrtSession:
    """ort_server.js on `path` with the inputs in `specs`."""

    def __init__(self, path, specs, threads):
        self.p = subprocess.Popen(
            ["node", os.path.join(HERE, "ort_server.js"), path] + specs +
            ["--threads", str(threads)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True)
        assert self.p.stdout.readline().strip() == "ready"

    def run(self, n):
        self.p.stdin.write("run %d\n" % n)
        self.p.stdin.flush()
        return [float(v) for v in self.p.stdout.readline().split()]

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def emit(lines, out=None):
    """Prints the table `lines` and, with `out`, writes it there too."""
    text = "\n".join(lines)
    print(text)
    if out:
        with open(out, "w") as f:
            f.write(text + "\n")


def timed(model, feeds, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        model.run(feeds)
        out.append((time.perf_counter() - t) * 1e3)
    return out


def bench_model(dnnc, name, cache, threads, args):
    path = os.path.join(cache, name + ".onnx")
    if not os.path.exists(path):
        export_models.export(name, cache)
    work = os.path.join(cache, "quant")
    os.makedirs(work, exist_ok=True)
    m = onnx.load(path, load_external_data=False)
    inits = {t.name for t in m.graph.initializer}
    (inp,) = [vi for vi in m.graph.input if vi.name not in inits]
    shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    rng = np.random.default_rng(0)
    cal = [{inp.name: rng.standard_normal(shape).astype(np.float32)} for _ in range(8)]
    held = {inp.name: rng.standard_normal(shape).astype(np.float32)}
    qdq = os.path.join(work, name + ".int8.onnx")
    t0 = time.time()
    dnnc.quantize(path, cal, qdq, report=False)
    quant_s = time.time() - t0
    t0 = time.time()
    q = dnnc.compile(qdq, os.path.join(work, name + ".int8.so"))
    compile_s = time.time() - t0
    f = dnnc.compile(path, os.path.join(work, name + ".so"))
    out = m.graph.output[0].name
    db = sqnr(f.run(held)[out], q.run(held)[out])
    npy = os.path.join(work, name + ".bench.npy")
    np.save(npy, held[inp.name])
    specs = ["%s=%s" % (inp.name, npy)]
    stats = {}
    for nt in threads:
        ort_q = OrtSession(qdq, specs, nt)
        ort_f = OrtSession(path, specs, nt)
        for model in (q, f):
            model.set_num_threads(nt)
            model.run(held)
        t = time.perf_counter()
        q.run(held)
        once = (time.perf_counter() - t) * 1e3
        n = max(args.iters, min(int(args.min_round_ms / max(once, 1e-3)), 50 * args.iters))
        runs = {k: [] for k in ("q", "f", "oq", "of")}
        meds = {k: [] for k in runs}
        for _ in range(args.rounds):
            for key, fn in (("oq", lambda: ort_q.run(n)), ("q", lambda: timed(q, held, n)),
                            ("of", lambda: ort_f.run(n)), ("f", lambda: timed(f, held, n))):
                r = fn()
                runs[key] += r
                meds[key].append(statistics.median(r))
                time.sleep(args.settle)
        ort_q.close()
        ort_f.close()
        stats[nt] = {k: (statistics.median(runs[k]), min(meds[k]), max(meds[k])) for k in runs}
    q.set_num_threads(0)
    f.set_num_threads(0)
    mem = (q.memory_info()["weight_bytes"], f.memory_info()["weight_bytes"])
    return quant_s, compile_s, db, mem, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(DEFAULT))
    ap.add_argument("--threads", default="1")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--min-round-ms", type=float, default=100)
    ap.add_argument("--settle", type=float, default=0.25)
    ap.add_argument("--cache", default=os.path.join(HERE, "models"))
    ap.add_argument("--out", help="also write the table (Markdown) here")
    args = ap.parse_args()
    import dnnc
    threads = [int(t) for t in args.threads.split(",")]
    models = args.models.split(",")
    if args.models == "all":
        models = [m for m in export_models.SUITE if m not in ("vit_b_16", "transformer")]
    lines = ["| model | threads | dnnc int8 ms | dnnc fp32 ms | ORT int8 ms (same QDQ) | "
             "ORT fp32 ms | fp32 / int8 (dnnc) | ORT int8 / dnnc int8 | int8 SQNR vs fp32 | "
             "weights MB int8 / fp32 | quantize s | compile s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    fmt = lambda s: "%.2f (%.2f..%.2f)" % s  # noqa: E731
    for name in models:
        quant_s, compile_s, db, mem, stats = bench_model(dnnc, name, args.cache, threads, args)
        for nt in threads:
            s = stats[nt]
            row = "| %s | %d | %s | %s | %s | %s | %.2f | %.2f | %.1f dB | %.1f / %.1f | %.0f | %.1f |" % (
                name, nt, fmt(s["q"]), fmt(s["f"]), fmt(s["oq"]), fmt(s["of"]),
                s["f"][0] / s["q"][0], s["oq"][0] / s["q"][0], db, mem[0] / 1e6, mem[1] / 1e6,
                quant_s, compile_s)
            lines.append(row)
            print(row, file=sys.stderr, flush=True)
    lines.append("")
    lines.append("medians over %d interleaved rounds of at least %d runs and %g ms each "
                 "(round spread in parentheses), batch 1" % (args.rounds, args.iters,
                                                              args.min_round_ms))
    emit(lines, args.out)


if __name__ == "__main__":
    main()
