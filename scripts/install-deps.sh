#!/usr/bin/env bash
# Installs every dependency of dnnc from Debian's apt and npm (run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
PKGS=(
  # compiler stack
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  libomp-22-dev ninja-build cmake ccache
  # ONNX, Python, tests
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  python3-onnx python3-numpy python3-pytest pybind11-dev python3-matplotlib
  # model export and the reference runtime's host
  python3-torch python3-torchvision libopenblas0-openmp
)
# Node.js may come from elsewhere on the image; only install Debian's if absent.
command -v node >/dev/null 2>&1 || PKGS+=(nodejs)
command -v npm >/dev/null 2>&1 || PKGS+=(npm)
missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# ONNX Runtime (CPU) from npm: the reference and peer runtime.
if [ ! -d benchmarks/node_modules/onnxruntime-node ]; then
  (cd benchmarks && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error)
fi
echo "install-deps: done"
