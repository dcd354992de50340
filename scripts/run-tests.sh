#!/usr/bin/env bash
# Runs the whole test suite: lit (FileCheck), pytest (Python API and bad
# input), the ONNX backend node tests, and the model suite against ONNX
# Runtime (DNNC_MODELS=all for all 13 models; CI runs 7), and int8
# post-training quantization of CNNs (DNNC_QUANT_MODELS=all for all 11).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${DNNC_BUILD_DIR:-$ROOT/build}"
PY=/usr/bin/python3
status=0
step() { echo; echo "==== $*"; }

step "lit"
/usr/lib/llvm-22/bin/lit -sv "$BUILD/test" || status=1

step "pytest"
PYTHONPATH="$BUILD/python_packages" $PY -m pytest -q "$ROOT/test/python" || status=1

step "ONNX backend tests (node, pytorch-converted, pytorch-operator, simple)"
$PY "$ROOT/test/onnx_backend/run_node_tests.py" --build-dir "$BUILD" \
  --suite node --suite pytorch-converted --suite pytorch-operator --suite simple \
  --xfail "$ROOT/test/onnx_backend/node_xfail.txt" \
  --json "$BUILD/node_results.json" || status=1

step "ONNX backend node tests, dynamic shapes (every dim unknown at compile time)"
$PY "$ROOT/test/onnx_backend/run_node_tests.py" --build-dir "$BUILD" --dynamic \
  --xfail "$ROOT/test/onnx_backend/node_dynamic_xfail.txt" \
  --json "$BUILD/node_dynamic_results.json" || status=1

step "models vs ONNX Runtime"
$PY "$ROOT/test/models/check_models.py" --build-dir "$BUILD" || status=1

step "int8 post-training quantization (SQNR vs fp32 and vs ONNX Runtime on the QDQ model)"
$PY "$ROOT/test/models/check_quantized.py" --build-dir "$BUILD" || status=1

echo
if [ $status -eq 0 ]; then echo "run-tests: all suites passed"; else echo "run-tests: FAILURES"; fi
exit $status
