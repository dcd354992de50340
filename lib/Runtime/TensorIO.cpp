//===- TensorIO.cpp - .npy and ONNX TensorProto files ---------------------===//
#include "dnnc/Runtime/TensorIO.h"
#include "dnnc/Runtime/Loader.h"
#include "onnx/onnx-data_pb.h"
#include "onnx/onnx_pb.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dnnc {

static const struct {
  const char *descr;
  int32_t dtype;
} kNpyTypes[] = {{"<f4", 1},  {"|u1", 2},  {"|i1", 3},  {"<u2", 4},
                 {"<i2", 5},  {"<i4", 6},  {"<i8", 7},  {"|b1", 9},
                 {"<f2", 10}, {"<f8", 11}, {"<u4", 12}, {"<u8", 13}};

static bool readNpy(const std::string &path, HostTensor &t, std::string &err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    err = path + ": cannot open";
    return false;
  }
  char magic[8];
  f.read(magic, 8);
  if (!f || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    err = path + ": not a .npy file";
    return false;
  }
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    uint16_t h;
    f.read((char *)&h, 2);
    hlen = h;
  } else {
    f.read((char *)&hlen, 4);
  }
  std::string header(hlen, '\0');
  f.read(header.data(), hlen);
  auto field = [&](const char *key) -> std::string {
    size_t p = header.find(key);
    if (p == std::string::npos)
      return "";
    p = header.find(':', p);
    return header.substr(p + 1);
  };
  std::string descr = field("'descr'");
  size_t q1 = descr.find('\''), q2 = descr.find('\'', q1 + 1);
  descr = descr.substr(q1 + 1, q2 - q1 - 1);
  t.dtype = 0;
  for (auto &e : kNpyTypes)
    if (descr == e.descr)
      t.dtype = e.dtype;
  if (!t.dtype) {
    err = path + ": unsupported dtype '" + descr + "'";
    return false;
  }
  if (field("'fortran_order'").find("True") == 1 ||
      field("'fortran_order'").find("True") == 0) {
    err = path + ": Fortran-order arrays are not supported";
    return false;
  }
  std::string shape = field("'shape'");
  shape = shape.substr(shape.find('(') + 1);
  shape = shape.substr(0, shape.find(')'));
  t.shape.clear();
  std::stringstream ss(shape);
  std::string item;
  while (std::getline(ss, item, ','))
    if (item.find_first_of("0123456789") != std::string::npos)
      t.shape.push_back(std::stoll(item));
  size_t n = 1;
  for (int64_t d : t.shape)
    n *= d;
  t.data.resize(n * dtypeSize(t.dtype));
  f.read(t.data.data(), t.data.size());
  if ((size_t)f.gcount() != t.data.size()) {
    err = path + ": truncated data";
    return false;
  }
  return true;
}

static bool readBytes(const std::string &path, std::string &bytes,
                      std::string &err) {
  std::ifstream f(path, std::ios::binary);
  bytes.assign((std::istreambuf_iterator<char>(f)),
               std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) {
    err = path + ": cannot open";
    return false;
  }
  return true;
}

/// Parses the file at `path` into `p`, an ONNX `what`.
template <typename Proto>
static bool readProto(const std::string &path, const char *what, Proto &p,
                      std::string &err) {
  std::string bytes;
  if (!readBytes(path, bytes, err))
    return false;
  if (!p.ParseFromString(bytes)) {
    err = path + ": not an ONNX " + what;
    return false;
  }
  return true;
}

static bool fromProto(const onnx::TensorProto &p, const std::string &path,
                      HostTensor &t, std::string &err) {
  t.name = p.name();
  t.dtype = p.data_type();
  t.shape.assign(p.dims().begin(), p.dims().end());
  size_t n = 1;
  for (int64_t d : t.shape)
    n *= d;
  size_t w = dtypeSize(t.dtype);
  if (!w) {
    err = path + ": unsupported element type " + std::to_string(t.dtype);
    return false;
  }
  t.data.resize(n * w);
  if (t.dtype == 8) {
    if ((size_t)p.string_data_size() != n) {
      err = path + ": " + std::to_string(p.string_data_size()) +
            " strings for " + std::to_string(n) + " elements";
      return false;
    }
    t.strings.assign(p.string_data().begin(), p.string_data().end());
    return true;
  }
  if (p.has_raw_data()) {
    if (p.raw_data().size() != t.data.size()) {
      err = path + ": raw data size mismatch";
      return false;
    }
    std::memcpy(t.data.data(), p.raw_data().data(), t.data.size());
    return true;
  }
  auto fill = [&](const auto &src, auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < n && i < (size_t)src.size(); ++i) {
      T v = static_cast<T>(src[i]);
      std::memcpy(t.data.data() + i * sizeof(T), &v, sizeof(T));
    }
  };
  switch (t.dtype) {
  case 1:
    fill(p.float_data(), float());
    break;
  case 11:
    fill(p.double_data(), double());
    break;
  case 7:
    fill(p.int64_data(), int64_t());
    break;
  case 13:
    fill(p.uint64_data(), uint64_t());
    break;
  case 12:
    fill(p.uint64_data(), uint32_t());
    break;
  case 6:
    fill(p.int32_data(), int32_t());
    break;
  case 4:
  case 5:
  case 10:
  case 16:
    fill(p.int32_data(), uint16_t());
    break;
  default:
    fill(p.int32_data(), uint8_t());
  }
  return true;
}

bool readTensorFile(const std::string &path, HostTensor &t, std::string &err) {
  if (path.size() > 4 && path.substr(path.size() - 4) == ".npy")
    return readNpy(path, t, err);
  onnx::TensorProto p;
  return readProto(path, "TensorProto", p, err) && fromProto(p, path, t, err);
}

static bool fromSequenceProto(const onnx::SequenceProto &p,
                              const std::string &path, HostTensor &t,
                              std::string &err) {
  if (p.elem_type() != onnx::SequenceProto::TENSOR &&
      p.elem_type() != onnx::SequenceProto::UNDEFINED) {
    err = path + ": not an ONNX SequenceProto of tensors";
    return false;
  }
  t = HostTensor();
  t.sequence = true;
  for (const onnx::TensorProto &e : p.tensor_values()) {
    HostTensor et;
    if (!fromProto(e, path, et, err))
      return false;
    t.elements.push_back(std::move(et));
  }
  return true;
}

bool readSequenceFile(const std::string &path, HostTensor &t,
                      std::string &err) {
  onnx::SequenceProto p;
  return readProto(path, "SequenceProto of tensors", p, err) &&
         fromSequenceProto(p, path, t, err);
}

bool readOptionalFile(const std::string &path, HostTensor &t,
                      std::string &err) {
  onnx::OptionalProto p;
  if (!readProto(path, "OptionalProto", p, err))
    return false;
  if (p.has_tensor_value()) {
    t = HostTensor();
    return fromProto(p.tensor_value(), path, t, err);
  }
  if (p.has_sequence_value())
    return fromSequenceProto(p.sequence_value(), path, t, err);
  if (p.has_sparse_tensor_value() || p.has_map_value() ||
      p.has_optional_value()) {
    err = path + ": optionals of sparse tensors, maps or optionals are not "
                 "supported";
    return false;
  }
  t = HostTensor();
  t.none = true;
  return true;
}

void pointStrings(HostTensor &t) {
  if (t.dtype != 8)
    return;
  t.data.resize(std::max<size_t>(t.strings.size(), 1) * sizeof(char *));
  for (size_t i = 0; i < t.strings.size(); ++i) {
    const char *p = t.strings[i].c_str();
    std::memcpy(t.data.data() + i * sizeof(char *), &p, sizeof(char *));
  }
}

bool writeNpy(const std::string &path, const HostTensor &t, std::string &err) {
  const char *descr = nullptr;
  for (auto &e : kNpyTypes)
    if (e.dtype == t.dtype)
      descr = e.descr;
  if (!descr) {
    err = "cannot write dtype " + std::to_string(t.dtype) + " as .npy";
    return false;
  }
  std::string shape = "(";
  for (int64_t d : t.shape)
    shape += std::to_string(d) + ",";
  shape += ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f) {
    err = "cannot write '" + path + "'";
    return false;
  }
  uint16_t hlen = header.size();
  f.write("\x93NUMPY\x01\x00", 8);
  f.write((const char *)&hlen, 2);
  f << header;
  f.write(t.data.data(), t.data.size());
  return true;
}

double elementAsDouble(const HostTensor &t, size_t i) {
  const char *p = t.data.data() + i * dtypeSize(t.dtype);
  switch (t.dtype) {
  case 1:
    return *(const float *)p;
  case 11:
    return *(const double *)p;
  case 2:
    return *(const uint8_t *)p;
  case 3:
    return *(const int8_t *)p;
  case 4:
    return *(const uint16_t *)p;
  case 5:
    return *(const int16_t *)p;
  case 6:
    return *(const int32_t *)p;
  case 7:
    return (double)*(const int64_t *)p;
  case 9:
    return *(const uint8_t *)p ? 1 : 0;
  case 12:
    return *(const uint32_t *)p;
  case 13:
    return (double)*(const uint64_t *)p;
  case 10: {
    uint16_t h = *(const uint16_t *)p;
    uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 31, man = h & 1023;
    double v = exp == 0    ? std::ldexp(man, -24)
               : exp == 31 ? (man ? NAN : INFINITY)
                           : std::ldexp(man + 1024, exp - 25);
    return sign ? -v : v;
  }
  case 16: {
    uint32_t bits = (uint32_t)(*(const uint16_t *)p) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  default:
    return 0;
  }
}

} // namespace dnnc
