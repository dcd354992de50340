#!/usr/bin/env python3
"""End-to-end model check: dnnc vs ONNX Runtime on the torchvision suite.

For each model: export it (benchmarks/export_models.py, cached), compile it
with dnnc, run it on a seeded random input with dnnc-run and with ONNX
Runtime (benchmarks/ort_run.js), and compare every output within
rtol 1e-3 / atol 1e-4. Prints a table and `N passed, M failed`.

    check_models.py --build-dir build [--models resnet18,...|all]
                    [--cache DIR]
The default (CI) set is resnet18, mobilenet_v2, squeezenet1_1,
regnet_y_400mf (grouped convolutions), the transformer encoder, and two models with symbolic dims (resnet18_dyn: batch;
transformer_dyn: batch and sequence length), each compiled once and checked
at several sizes; DNNC_MODELS=all (or --models all) runs the whole suite.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BENCH = os.path.join(ROOT, "benchmarks")
sys.path.insert(0, BENCH)
import export_models  # noqa: E402

CI_SET = ["resnet18", "mobilenet_v2", "squeezenet1_1", "regnet_y_400mf", "transformer",
          "resnet18_dyn", "transformer_dyn"]

# Sizes for the symbolic dims of the dynamic variants, one run each.
DYNAMIC_SIZES = {
    "resnet18_dyn": [{"batch": 1}, {"batch": 3}],
    "mobilenet_v2_dyn": [{"batch": 1}, {"batch": 2}],
    "transformer_dyn": [{"batch": 1, "seq": 64}, {"batch": 2, "seq": 17},
                        {"batch": 1, "seq": 5}],
}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def check_once(name, m, onnx_path, so, sizes, work, bindir, args):
    """Runs dnnc and ONNX Runtime on one seeded input; symbolic dims take
    their value from `sizes`. Returns (result, detail)."""
    inits = {t.name for t in m.graph.initializer}
    feeds = []
    rng = np.random.default_rng(0)
    tag = name + "".join("_%d" % v for v in sizes.values())
    for vi in m.graph.input:
        if vi.name in inits:
            continue
        shape = [d.dim_value if d.HasField("dim_value") else sizes[d.dim_param]
                 for d in vi.type.tensor_type.shape.dim]
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        p = os.path.join(work, "%s.%s.npy" % (tag, re.sub(r"\W", "_", vi.name)))
        np.save(p, x)
        feeds.append((vi.name, p))
    ref_dir = os.path.join(work, tag + ".ref")
    r = run(["node", os.path.join(BENCH, "ort_run.js"), onnx_path, ref_dir] +
            ["%s=%s" % f for f in feeds])
    if r.returncode != 0:
        return "ORT FAIL", r.stderr.strip()[-200:]
    cmd = [os.path.join(bindir, "dnnc-run"), so, "--rtol", str(args.rtol),
           "--atol", str(args.atol)]
    for n, p in feeds:
        cmd += ["--input", "%s=%s" % (n, p)]
    for vo in m.graph.output:
        cmd += ["--expect", "%s=%s" % (vo.name, os.path.join(
            ref_dir, vo.name.replace("/", "_") + ".npy"))]
    r = run(cmd)
    detail = " ".join(l.strip() for l in r.stdout.splitlines() if l.startswith("check"))
    if r.returncode != 0:
        return "MISMATCH", (detail or r.stderr.strip())[-200:]
    return "match", detail


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--models", default=os.environ.get("DNNC_MODELS", ",".join(CI_SET)))
    ap.add_argument("--cache", default=os.path.join(ROOT, "benchmarks", "models"))
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-4)
    args = ap.parse_args()
    models = (export_models.SUITE + list(export_models.DYNAMIC)
              if args.models == "all" else args.models.split(","))
    bindir = os.path.join(args.build_dir, "bin")
    os.makedirs(args.cache, exist_ok=True)
    work = os.path.join(args.cache, "check")
    os.makedirs(work, exist_ok=True)
    rows, failed = [], 0
    for name in models:
        onnx_path = os.path.join(args.cache, name + ".onnx")
        if not os.path.exists(onnx_path):
            export_models.export(name, args.cache)
        so = os.path.join(work, name + ".so")
        t0 = time.time()
        r = run([os.path.join(bindir, "dnnc"), onnx_path, "-o", so])
        compile_s = time.time() - t0
        if r.returncode != 0:
            rows.append((name, "COMPILE FAIL", r.stderr.strip()[-200:], compile_s))
            failed += 1
            continue
        import onnx
        m = onnx.load(onnx_path, load_external_data=False)
        for sizes in DYNAMIC_SIZES.get(name, [{}]):
            label = name + "".join(" %s=%d" % kv for kv in sizes.items())
            res, detail = check_once(name, m, onnx_path, so, sizes, work,
                                     bindir, args)
            failed += res != "match"
            rows.append((label, res, detail, compile_s))
    print("%-32s %-12s %9s  %s" % ("model", "result", "compile", "detail"))
    for name, res, detail, cs in rows:
        print("%-32s %-12s %8.1fs  %s" % (name, res, cs, detail))
    print("%d passed, %d failed" % (len(rows) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
