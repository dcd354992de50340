//===- Loader.cpp - Host-side loader for compiled models ------------------===//
#include "dnnc/Runtime/Loader.h"
#include "dnnc/Runtime/dnnc_model.h"
#include <deque>
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
    sequence = o.sequence;
    present = o.present;
    elems = std::move(o.elems);
    value = std::move(o.value);
    o.ptr = o.allocation = nullptr;
  }
  return *this;
}

OutputTensor::~OutputTensor() {
  if (release && allocation) {
    dnnc_value v{};
    v.kind = DNNC_KIND_TENSOR;
    v.tensor = dnnc_tensor{ptr, type, 0, nullptr, allocation};
    ((void (*)(dnnc_value *))release)(&v);
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
  case DNNC_STRING:
    return sizeof(const char *);
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
  case DNNC_STRING:
    return "string";
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
  void *runTensors = sym("dnnc_run_values");
  void *release = sym("dnnc_release_value");
  auto status = (const char *(*)(int32_t))sym("dnnc_status_string");
  auto threads = (int32_t(*)(int32_t))sym("dnnc_set_num_threads");
  auto memory = (int32_t(*)(dnnc_memory_info *))sym("dnnc_get_memory_info");
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
  if (!isDynamic || !runTensors || !release || !status || !threads || !memory) {
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
  m->threadsFn = threads;
  m->memoryFn = memory;
  m->file = path;
  auto read = [](const dnnc_tensor_info *i) {
    TensorInfo t;
    t.name = i->name;
    t.dtype = i->dtype;
    t.shape.assign(i->shape, i->shape + i->rank);
    t.sequence = (i->kind & DNNC_KIND_SEQUENCE) != 0;
    t.optional = (i->kind & DNNC_KIND_OPTIONAL_TENSOR) != 0;
    return t;
  };
  for (int32_t i = 0; i < nin(); ++i)
    m->ins.push_back(read(inInfo(i)));
  for (int32_t i = 0; i < nout(); ++i)
    m->outs.push_back(read(outInfo(i)));
  return m;
}

bool LoadedModel::setNumThreads(int threads, std::string &err) const {
  int32_t st = threadsFn(threads);
  if (st != DNNC_OK) {
    err = file + ": cannot use " + std::to_string(threads) +
          " threads: " + statusFn(st);
    return false;
  }
  return true;
}

dnnc_memory_info LoadedModel::memoryInfo() const {
  dnnc_memory_info info{};
  memoryFn(&info);
  return info;
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
  std::vector<dnnc_value> in(ins.size()), out(outs.size());
  // Stable storage for the dims and the sequences' tensors.
  std::deque<std::vector<int64_t>> shapes;
  std::vector<std::vector<dnnc_tensor>> seqs(ins.size());
  auto tensor = [&](const TensorInfo &info, const InputTensor &t,
                    dnnc_tensor &d) {
    if (!info.accepts(t.shape)) {
      err = file + ": input '" + info.name + "' expects " +
            (info.sequence ? "tensors of shape " : "shape ") +
            shapeString(info.shape) + " but got " + shapeString(t.shape);
      return false;
    }
    shapes.push_back(t.shape);
    d = dnnc_tensor{const_cast<void *>(t.data), info.dtype,
                    (int32_t)t.shape.size(), shapes.back().data(), nullptr};
    return true;
  };
  for (size_t i = 0; i < ins.size(); ++i) {
    if (!inputs[i].none && inputs[i].sequence != ins[i].sequence) {
      err = file + ": input '" + ins[i].name + "' is " +
            (ins[i].sequence ? "a sequence" : "a tensor");
      return false;
    }
    in[i].kind = (ins[i].sequence ? DNNC_KIND_SEQUENCE : DNNC_KIND_TENSOR) |
                 (ins[i].optional ? DNNC_KIND_OPTIONAL_TENSOR : 0);
    in[i].has_value = !inputs[i].none;
    if (inputs[i].none) {
      if (!ins[i].optional) {
        err = file + ": input '" + ins[i].name + "' is not optional";
        return false;
      }
      continue;
    }
    if (!ins[i].sequence) {
      if (!tensor(ins[i], inputs[i], in[i].tensor))
        return false;
      continue;
    }
    seqs[i].resize(inputs[i].elements.size());
    for (size_t e = 0; e < seqs[i].size(); ++e)
      if (!tensor(ins[i], inputs[i].elements[e], seqs[i][e]))
        return false;
    in[i].length = (int64_t)seqs[i].size();
    in[i].elements = seqs[i].data();
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    shapes.emplace_back(outs[i].shape.size() + 1, 0);
    out[i] = dnnc_value{};
    out[i].tensor.shape = shapes.back().data();
  }
  auto fn = (int32_t(*)(const dnnc_value *, dnnc_value *))runTensorsFn;
  int32_t rc = fn(in.data(), out.data());
  if (rc != DNNC_OK) {
    err = file + ": dnnc_run_values failed: " + statusFn(rc);
    return false;
  }
  outputs.clear();
  auto view = [&](const dnnc_tensor &d) {
    OutputTensor t;
    t.ptr = d.data;
    t.type = d.dtype;
    t.dims.assign(d.shape, d.shape + d.rank);
    return t;
  };
  for (size_t i = 0; i < outs.size(); ++i) {
    OutputTensor t;
    if (!out[i].has_value) {
      t.present = false;
      t.sequence = outs[i].sequence;
      t.type = outs[i].dtype;
    } else if (outs[i].sequence) {
      t.sequence = true;
      t.type = outs[i].dtype;
      for (int64_t e = 0; e < out[i].length; ++e)
        t.elems.push_back(view(out[i].elements[e]));
      auto release = (void (*)(dnnc_value *))releaseFn;
      t.value = std::shared_ptr<void>(new dnnc_value(out[i]), [=](void *p) {
        release((dnnc_value *)p);
        delete (dnnc_value *)p;
      });
    } else {
      t = view(out[i].tensor);
      t.allocation = out[i].tensor.allocation;
      t.release = releaseFn;
    }
    outputs.push_back(std::move(t));
  }
  return true;
}

} // namespace dnnc
