#!/usr/bin/env bash
# Configures and builds dnnc into build/ (Release, clang-22, lld, ccache) and
# makes the dnnc Python package importable by /usr/bin/python3.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${DNNC_BUILD_DIR:-$ROOT/build}"
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DPython3_EXECUTABLE=/usr/bin/python3 \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
cmake --build "$BUILD" -j "$(nproc)"
# /usr/bin/python3 finds the package through a .pth file.
SITE="$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')"
mkdir -p "$SITE"
echo "$BUILD/python_packages" > "$SITE/dnnc.pth"
echo "build: done ($BUILD)"
