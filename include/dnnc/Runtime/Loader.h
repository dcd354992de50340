//===- Loader.h - Host-side loader for compiled models ----------*- C++ -*-===//
//
// Loads MODEL.so with dlopen, checks the ABI version, describes the tensors
// and runs the model with shape/dtype checks on the caller's buffers.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_RUNTIME_LOADER_H
#define DNNC_RUNTIME_LOADER_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dnnc {

struct TensorInfo {
  std::string name;
  int32_t dtype = 0;
  std::vector<int64_t> shape;
  int64_t numElements() const;
  size_t byteSize() const;
};

/// Bytes per element of an ONNX dtype code (0 if unknown).
size_t dtypeSize(int32_t dtype);
/// "float32", "int64", ... (NumPy names).
const char *dtypeName(int32_t dtype);

class LoadedModel {
public:
  /// Loads `path`; null with `err` set on failure.
  static std::unique_ptr<LoadedModel> load(const std::string &path,
                                           std::string &err);
  ~LoadedModel();

  const std::vector<TensorInfo> &inputs() const { return ins; }
  const std::vector<TensorInfo> &outputs() const { return outs; }
  const std::string &path() const { return file; }

  /// Runs on dense buffers (sizes as advertised). Returns false with `err`.
  bool run(const std::vector<const void *> &inputs,
           const std::vector<void *> &outputs, std::string &err) const;

private:
  LoadedModel() = default;
  void *handle = nullptr;
  int32_t (*runFn)(const void *const *, void *const *) = nullptr;
  std::vector<TensorInfo> ins, outs;
  std::string file;
};

} // namespace dnnc

#endif // DNNC_RUNTIME_LOADER_H
