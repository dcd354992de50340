//===- Loader.h - Host-side loader for compiled models ----------*- C++ -*-===//
//
// Loads MODEL.so with dlopen, checks the ABI version, describes the tensors
// and runs the model with shape/dtype checks on the caller's buffers.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_RUNTIME_LOADER_H
#define DNNC_RUNTIME_LOADER_H

#include "dnnc/Runtime/dnnc_model.h"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dnnc {

struct TensorInfo {
  std::string name;
  int32_t dtype = 0;
  std::vector<int64_t> shape; ///< -1 for a dim known only at run time
  /// An ONNX sequence of tensors (dtype and shape describe each tensor).
  bool sequence = false;
  /// An ONNX optional of that tensor or sequence.
  bool optional = false;
  /// Product of the dims (meaningful for static shapes only).
  int64_t numElements() const;
  size_t byteSize() const;
  bool isDynamic() const;
  /// True when `dims` has this rank and agrees with every static dim.
  bool accepts(const std::vector<int64_t> &dims) const;
};

/// "[1x3x?x?]" style text of a shape (-1 prints as ?).
std::string shapeString(const std::vector<int64_t> &shape);

/// An input tensor handed to LoadedModel::runTensors.
struct InputTensor {
  const void *data = nullptr;
  std::vector<int64_t> shape;
  /// A sequence input: its tensors (data and shape unused).
  bool sequence = false;
  std::vector<InputTensor> elements;
  /// An optional input that holds nothing (the rest is unused).
  bool none = false;
};

/// An output buffer allocated by the model; freed on destruction.
class OutputTensor {
public:
  OutputTensor() = default;
  OutputTensor(OutputTensor &&o) noexcept { *this = std::move(o); }
  OutputTensor &operator=(OutputTensor &&o) noexcept;
  ~OutputTensor();
  const void *data() const { return ptr; }
  const std::vector<int64_t> &shape() const { return dims; }
  int32_t dtype() const { return type; }
  size_t byteSize() const;
  /// A sequence output: its tensors (views owned by this value).
  bool isSequence() const { return sequence; }
  const std::vector<OutputTensor> &elements() const { return elems; }
  /// False for an optional output that holds nothing.
  bool hasValue() const { return present; }

private:
  friend class LoadedModel;
  void *ptr = nullptr, *allocation = nullptr;
  std::vector<int64_t> dims;
  int32_t type = 0;
  void *release = nullptr; ///< the model's dnnc_release_value
  bool sequence = false, present = true;
  std::vector<OutputTensor> elems;
  /// A sequence's dnnc_value (its tensors and their array), when owned.
  std::shared_ptr<void> value;
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

  /// True when some input or output dim is known only at run time.
  bool isDynamic() const { return dynamic; }

  /// Threads for the parallel loops of the runs this thread makes from now
  /// on; 0 restores the default (OMP_NUM_THREADS or one per core).
  bool setNumThreads(int threads, std::string &err) const;

  /// The weights' bytes and the peak buffer bytes of the calling thread's
  /// last run (dnnc_get_memory_info).
  dnnc_memory_info memoryInfo() const;

  /// Static models: runs on dense buffers of the advertised sizes, writing
  /// the outputs in place. Returns false with `err`.
  bool run(const std::vector<const void *> &inputs,
           const std::vector<void *> &outputs, std::string &err) const;

  /// Any model: runs on inputs of any shape the model accepts (checked);
  /// the model allocates the outputs. Returns false with `err`.
  bool runTensors(const std::vector<InputTensor> &inputs,
                  std::vector<OutputTensor> &outputs, std::string &err) const;

private:
  LoadedModel() = default;
  void *handle = nullptr;
  bool dynamic = false;
  int32_t (*runFn)(const void *const *, void *const *) = nullptr;
  void *runTensorsFn = nullptr, *releaseFn = nullptr;
  const char *(*statusFn)(int32_t) = nullptr;
  int32_t (*threadsFn)(int32_t) = nullptr;
  int32_t (*memoryFn)(dnnc_memory_info *) = nullptr;
  std::vector<TensorInfo> ins, outs;
  std::string file;
};

} // namespace dnnc

#endif // DNNC_RUNTIME_LOADER_H
