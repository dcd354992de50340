#!/usr/bin/env bash
# Compiles the bundled example model, runs it, checks it against ONNX Runtime
# and prints its outputs and latency.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${DNNC_BUILD_DIR:-$ROOT/build}/bin"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
MODEL="$ROOT/examples/tiny_resnet.onnx"
echo "== compiling $MODEL"
"$BIN/dnnc" "$MODEL" -o "$OUT/tiny_resnet.so"
echo "== generated header: $(grep -c '' "$OUT/tiny_resnet.h") lines ($OUT/tiny_resnet.h)"
/usr/bin/python3 -c "
import numpy as np
np.save('$OUT/input.npy', np.random.default_rng(0).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32))"
echo "== ONNX Runtime reference"
node "$ROOT/benchmarks/ort_run.js" "$MODEL" "$OUT/ref" "input=$OUT/input.npy"
echo "== dnnc: outputs, check against the reference, latency"
"$BIN/dnnc-run" "$OUT/tiny_resnet.so" --input "input=$OUT/input.npy" \
  --expect "output=$OUT/ref/output.npy" --print --iterations 100
