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

bool TensorInfo::isDynamic() const {
  for (int64_t d : shape)
    if (d < 0)
      return true;
  return false;
}

bool TensorInfo::accepts(const std::vector<int64_t> &dims) const {
  if (dims.size() != shape.size())
    return false;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] < 0 || (shape[i] >= 0 && dims[i] != shape[i]))
      return false;
  return true;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") +
         (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  return s + "]";
}

OutputTensor &OutputTensor::operator=(OutputTensor &&o) noexcept {
  if (this != &o) {
    this->~OutputTensor();
    ptr = o.ptr;
    allocation = o.allocation;
    dims = std::move(o.dims);
    type = o.type;
    release = o.release;
    o.ptr = o.allocation = nullptr;
  }
  return *this;
}

OutputTensor::~OutputTensor() {
  if (release && allocation) {
    dnnc_tensor t{ptr, type, 0, nullptr, allocation};
    ((void (*)(dnnc_tensor *))release)(&t);
  }
  ptr = allocation = nullptr;
}

size_t OutputTensor::byteSize() const {
  size_t n = dtypeSize(type);
  for (int64_t d : dims)
    n *= d;
  return n;
}

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
  auto isDynamic = (int32_t(*)())sym("dnnc_is_dynamic");
  void *runTensors = sym("dnnc_run_tensors");
  void *release = sym("dnnc_release_tensor");
  auto status = (const char *(*)(int32_t))sym("dnnc_status_string");
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
  if (!isDynamic || !runTensors || !release || !status) {
    dlclose(h);
    err = path + ": not a dnnc model (missing ABI symbols)";
    return nullptr;
  }
  std::unique_ptr<LoadedModel> m(new LoadedModel());
  m->handle = h;
  m->runFn = run;
  m->dynamic = isDynamic() != 0;
  m->runTensorsFn = runTensors;
  m->releaseFn = release;
  m->statusFn = status;
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
    err = file + ": dnnc_run failed: " + statusFn(rc);
    return false;
  }
  return true;
}

bool LoadedModel::runTensors(const std::vector<InputTensor> &inputs,
                             std::vector<OutputTensor> &outputs,
                             std::string &err) const {
  if (inputs.size() != ins.size()) {
    err = file + ": expected " + std::to_string(ins.size()) + " inputs";
    return false;
  }
  std::vector<dnnc_tensor> in(ins.size()), out(outs.size());
  std::vector<std::vector<int64_t>> inShapes(ins.size()),
      outShapes(outs.size());
  for (size_t i = 0; i < ins.size(); ++i) {
    if (!ins[i].accepts(inputs[i].shape)) {
      err = file + ": input '" + ins[i].name + "' expects shape " +
            shapeString(ins[i].shape) + " but got " +
            shapeString(inputs[i].shape);
      return false;
    }
    inShapes[i] = inputs[i].shape;
    in[i].data = const_cast<void *>(inputs[i].data);
    in[i].dtype = ins[i].dtype;
    in[i].rank = (int32_t)inShapes[i].size();
    in[i].shape = inShapes[i].data();
    in[i].allocation = nullptr;
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    outShapes[i].assign(outs[i].shape.size() + 1, 0);
    out[i] = dnnc_tensor{nullptr, 0, 0, outShapes[i].data(), nullptr};
  }
  auto fn = (int32_t(*)(const dnnc_tensor *, dnnc_tensor *))runTensorsFn;
  int32_t rc = fn(in.data(), out.data());
  if (rc != DNNC_OK) {
    err = file + ": dnnc_run_tensors failed: " + statusFn(rc);
    return false;
  }
  outputs.clear();
  for (size_t i = 0; i < outs.size(); ++i) {
    OutputTensor t;
    t.ptr = out[i].data;
    t.allocation = out[i].allocation;
    t.type = out[i].dtype;
    t.dims.assign(out[i].shape, out[i].shape + out[i].rank);
    t.release = releaseFn;
    outputs.push_back(std::move(t));
  }
  return true;
}

} // namespace dnnc
