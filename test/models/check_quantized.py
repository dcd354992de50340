#!/usr/bin/env python3
"""End-to-end int8 check: post-training quantization of the CNN suite.

For each model: quantize it with dnnc on 8 calibration sets (seeded
normal images) into a QDQ model, compile that and the float model, and on
4 held-back inputs measure
  - the int8 output's SQNR against dnnc's float output (the accuracy cost;
    the issue's bar is 25 dB), and
  - the int8 output's SQNR against ONNX Runtime running the very same QDQ
    model (both compute the same integer arithmetic: a low figure means one
    of them computes something else).
Prints a table and `N passed, M failed`.

    check_quantized.py --build-dir build [--models resnet18,...|all]
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BENCH = os.path.join(ROOT, "benchmarks")
sys.path.insert(0, BENCH)
import export_models  # noqa: E402

CI_SET = ["resnet18", "mobilenet_v2"]
CNNS = [m for m in export_models.SUITE if m not in ("vit_b_16", "transformer")]


def sqnr(ref, est):
    ref, est = np.asarray(ref, np.float64), np.asarray(est, np.float64)
    noise = ((ref - est) ** 2).sum()
    return float("inf") if noise == 0 else 10 * np.log10((ref ** 2).sum() / noise)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--models", default=os.environ.get("DNNC_QUANT_MODELS", ",".join(CI_SET)))
    ap.add_argument("--cache", default=os.path.join(ROOT, "benchmarks", "models"))
    ap.add_argument("--min-sqnr", type=float, default=25.0)
    ap.add_argument("--min-ort-sqnr", type=float, default=30.0)
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(args.build_dir, "python_packages"))
    import dnnc
    import onnx

    models = CNNS if args.models == "all" else args.models.split(",")
    work = os.path.join(args.cache, "quant")
    os.makedirs(work, exist_ok=True)
    rows, failed = [], 0
    for name in models:
        onnx_path = os.path.join(args.cache, name + ".onnx")
        if not os.path.exists(onnx_path):
            export_models.export(name, args.cache)
        m = onnx.load(onnx_path, load_external_data=False)
        inits = {t.name for t in m.graph.initializer}
        (inp,) = [vi for vi in m.graph.input if vi.name not in inits]
        shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
        rng = np.random.default_rng(0)
        cal = [{inp.name: rng.standard_normal(shape).astype(np.float32)} for _ in range(8)]
        held = [{inp.name: rng.standard_normal(shape).astype(np.float32)} for _ in range(4)]
        qdq = os.path.join(work, name + ".int8.onnx")
        t0 = time.time()
        try:
            report = dnnc.quantize(onnx_path, cal, qdq)
            quant_s = time.time() - t0
            q = dnnc.compile(qdq, os.path.join(work, name + ".int8.so"))
            f = dnnc.compile(onnx_path, os.path.join(work, name + ".so"))
        except dnnc.CompileError as e:
            rows.append((name, "FAIL", str(e)[-200:]))
            failed += 1
            continue
        out = m.graph.output[0].name
        refs, ests, orts = [], [], []
        for i, feeds in enumerate(held):
            refs.append(f.run(feeds)[out])
            ests.append(q.run(feeds)[out])
            x = os.path.join(work, "%s.held%d.npy" % (name, i))
            np.save(x, feeds[inp.name])
            ref_dir = os.path.join(work, "%s.held%d.ort" % (name, i))
            r = subprocess.run(["node", os.path.join(BENCH, "ort_run.js"), qdq, ref_dir,
                                "%s=%s" % (inp.name, x)], capture_output=True, text=True)
            if r.returncode != 0:
                orts = None
                detail = "ORT: " + r.stderr.strip()[-150:]
                break
            orts.append(np.load(os.path.join(ref_dir, out.replace("/", "_") + ".npy")))
        quantized = sum(l["quantized"] for l in report["layers"])
        s_float = sqnr(np.concatenate(refs), np.concatenate(ests))
        ok = s_float >= args.min_sqnr
        detail = "%d/%d layers int8, quantize %.0fs, vs fp32 %.1f dB" % (
            quantized, len(report["layers"]), quant_s, s_float)
        if orts is None:
            ok = False
        else:
            s_ort = sqnr(np.concatenate(orts), np.concatenate(ests))
            ok = ok and s_ort >= args.min_ort_sqnr
            detail += ", vs ORT int8 %.1f dB (ORT vs fp32 %.1f dB)" % (
                s_ort, sqnr(np.concatenate(refs), np.concatenate(orts)))
        failed += not ok
        rows.append((name, "pass" if ok else "FAIL", detail))
    print("%-22s %-6s %s" % ("model", "result", "detail"))
    for r in rows:
        print("%-22s %-6s %s" % r)
    print("%d passed, %d failed (SQNR bars: %.0f dB vs fp32, %.0f dB vs ORT on the QDQ model)"
          % (len(rows) - failed, failed, args.min_sqnr, args.min_ort_sqnr))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
