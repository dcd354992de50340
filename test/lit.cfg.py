# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "DNNC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "onnx_backend", "models", "python", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dnnc_obj_root, "test")

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.environment["PYTHONPATH"] = config.dnnc_python_dir

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
tool_dirs = [config.dnnc_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["dnnc-opt", "dnnc-translate", "dnnc", "dnnc-run"], tool_dirs)
llvm_config.add_tool_substitutions(["not", "count", "llvm-nm"], [config.llvm_tools_dir])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
