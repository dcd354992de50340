//===- TensorIO.h - .npy and ONNX TensorProto files -------------*- C++ -*-===//
#ifndef DNNC_RUNTIME_TENSORIO_H
#define DNNC_RUNTIME_TENSORIO_H

#include <cstdint>
#include <string>
#include <vector>

namespace dnnc {

struct HostTensor {
  /// The TensorProto's name (empty for .npy files).
  std::string name;
  int32_t dtype = 0; // ONNX code
  std::vector<int64_t> shape;
  std::vector<char> data;
  /// A string tensor's values (ONNX STRING); `data` then holds one
  /// `const char *` per element once pointStrings() has run.
  std::vector<std::string> strings;
  /// An ONNX sequence: `elements` holds its tensors (the rest is unused).
  bool sequence = false;
  std::vector<HostTensor> elements;
  /// An ONNX optional that holds nothing.
  bool none = false;
};

/// Reads a .npy file or an ONNX TensorProto (.pb), chosen by extension.
bool readTensorFile(const std::string &path, HostTensor &t, std::string &err);
/// Reads an ONNX SequenceProto of tensors (test data of sequence values).
bool readSequenceFile(const std::string &path, HostTensor &t, std::string &err);
/// Reads an ONNX OptionalProto of a tensor or a sequence; `t.none` when it
/// holds nothing.
bool readOptionalFile(const std::string &path, HostTensor &t, std::string &err);
bool writeNpy(const std::string &path, const HostTensor &t, std::string &err);
/// Points a string tensor's `data` at its `strings` (call after the last
/// move of the tensor).
void pointStrings(HostTensor &t);
/// Element `i` as double (for comparison and printing).
double elementAsDouble(const HostTensor &t, size_t i);

} // namespace dnnc

#endif
