//===- Loader.cpp - Host-side loader for compiled models ------------------===//
#include "dnnc/Runtime/Loader.h"
#include "dnnc/Runtime/dnnc_model.h"
#include <dlfcn.h>

namespace dnnc {

int64_t TensorInfo::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

size_t TensorInfo::byteSize() const { return numElements() * dtypeSize(dtype); }

size_t dtypeSize(int32_t dtype) {
  switch (dtype) {
  case DNNC_FLOAT:
  case DNNC_INT32:
  case DNNC_UINT32:
    return 4;
  case DNNC_UINT8:
  case DNNC_INT8:
  case DNNC_BOOL:
    return 1;
  case DNNC_UINT16:
  case DNNC_INT16:
  case DNNC_FLOAT16:
  case DNNC_BFLOAT16:
    return 2;
  case DNNC_INT64:
  case DNNC_DOUBLE:
  case DNNC_UINT64:
    return 8;
  default:
    return 0;
  }
}

const char *dtypeName(int32_t dtype) {
  switch (dtype) {
  case DNNC_FLOAT:
    return "float32";
  case DNNC_UINT8:
    return "uint8";
  case DNNC_INT8:
    return "int8";
  case DNNC_UINT16:
    return "uint16";
  case DNNC_INT16:
    return "int16";
  case DNNC_INT32:
    return "int32";
  case DNNC_INT64:
    return "int64";
  case DNNC_BOOL:
    return "bool";
  case DNNC_FLOAT16:
    return "float16";
  case DNNC_DOUBLE:
    return "float64";
  case DNNC_UINT32:
    return "uint32";
  case DNNC_UINT64:
    return "uint64";
  case DNNC_BFLOAT16:
    return "bfloat16";
  default:
    return "unknown";
  }
}

std::unique_ptr<LoadedModel> LoadedModel::load(const std::string &path,
                                               std::string &err) {
  // A bare file name would make dlopen search the library path.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void *h = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    err = path + ": cannot load: " + (e ? e : "unknown error");
    return nullptr;
  }
  auto sym = [&](const char *name) { return dlsym(h, name); };
  auto version = (uint32_t(*)())sym("dnnc_abi_version");
  auto nin = (int32_t(*)())sym("dnnc_num_inputs");
  auto nout = (int32_t(*)())sym("dnnc_num_outputs");
  auto inInfo = (const dnnc_tensor_info *(*)(int32_t))sym("dnnc_input_info");
  auto outInfo = (const dnnc_tensor_info *(*)(int32_t))sym("dnnc_output_info");
  auto run = (int32_t(*)(const void *const *, void *const *))sym("dnnc_run");
  if (!version || !nin || !nout || !inInfo || !outInfo || !run) {
    dlclose(h);
    err = path + ": not a dnnc model (missing ABI symbols)";
    return nullptr;
  }
  if (version() != DNNC_ABI_VERSION) {
    dlclose(h);
    err = path + ": ABI version " + std::to_string(version()) +
          " is not supported (expected " + std::to_string(DNNC_ABI_VERSION) +
          ")";
    return nullptr;
  }
  std::unique_ptr<LoadedModel> m(new LoadedModel());
  m->handle = h;
  m->runFn = run;
  m->file = path;
  auto read = [](const dnnc_tensor_info *i) {
    TensorInfo t;
    t.name = i->name;
    t.dtype = i->dtype;
    t.shape.assign(i->shape, i->shape + i->rank);
    return t;
  };
  for (int32_t i = 0; i < nin(); ++i)
    m->ins.push_back(read(inInfo(i)));
  for (int32_t i = 0; i < nout(); ++i)
    m->outs.push_back(read(outInfo(i)));
  return m;
}

LoadedModel::~LoadedModel() {
  if (handle)
    dlclose(handle);
}

bool LoadedModel::run(const std::vector<const void *> &inputs,
                      const std::vector<void *> &outputs,
                      std::string &err) const {
  if (inputs.size() != ins.size() || outputs.size() != outs.size()) {
    err = "expected " + std::to_string(ins.size()) + " inputs and " +
          std::to_string(outs.size()) + " outputs";
    return false;
  }
  int32_t rc = runFn(inputs.data(), outputs.data());
  if (rc != DNNC_OK) {
    err = "dnnc_run failed with status " + std::to_string(rc);
    return false;
  }
  return true;
}

} // namespace dnnc
