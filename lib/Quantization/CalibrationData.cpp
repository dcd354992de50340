//===- CalibrationData.cpp - Reading and checking calibration sets --------===//
//
// A calibration directory holds one subdirectory per input set (or is one
// set itself); a set holds NAME.npy files, or TensorProto files as ONNX's
// test data lays them out (input_K.pb, named by the proto or by position).
//
//===----------------------------------------------------------------------===//
#include "CalibrationData.h"
#include "dnnc/Runtime/Loader.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <algorithm>

using namespace dnnc;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

static std::vector<std::string> listDir(const std::string &dir, bool dirs) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    std::string name = path::filename(it->path()).str();
    if (name.empty() || name[0] == '.')
      continue;
    bool isDir = fs::is_directory(it->path());
    if (isDir == dirs)
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

static bool readSet(const std::string &dir, CalibrationSet &set,
                    std::string &err) {
  set.label = dir;
  for (const std::string &file : listDir(dir, /*dirs=*/false)) {
    llvm::StringRef ext = path::extension(file);
    if (ext != ".npy" && ext != ".pb")
      continue;
    HostTensor t;
    if (!readTensorFile(file, t, err)) {
      err = "calibration data: " + err;
      return false;
    }
    if (ext == ".npy") {
      t.name = path::stem(file).str();
    } else if (t.name.empty()) {
      // ONNX test data: input_K.pb is the K-th input.
      llvm::StringRef stem = path::stem(file);
      unsigned k;
      if (!stem.consume_front("input_") || stem.getAsInteger(10, k)) {
        err = "calibration data: " + file +
              ": an unnamed TensorProto must be called input_K.pb";
        return false;
      }
      t.name = "#" + std::to_string(k);
    }
    set.inputs.push_back(std::move(t));
  }
  if (set.inputs.empty()) {
    err = "calibration data: '" + dir + "' holds no .npy or .pb files";
    return false;
  }
  return true;
}

bool dnnc::readCalibrationDir(const std::string &dir,
                              std::vector<CalibrationSet> &sets,
                              std::string &err) {
  if (!fs::is_directory(dir)) {
    err = "calibration data: '" + dir + "' is not a directory";
    return false;
  }
  std::vector<std::string> subdirs = listDir(dir, /*dirs=*/true);
  if (subdirs.empty())
    subdirs.push_back(dir);
  for (const std::string &d : subdirs) {
    CalibrationSet set;
    if (!readSet(d, set, err))
      return false;
    sets.push_back(std::move(set));
  }
  return true;
}

bool dnnc::checkCalibration(const std::string &file,
                            const std::vector<ModelInput> &inputs,
                            std::vector<CalibrationSet> &sets,
                            std::string &err) {
  std::string names;
  for (const ModelInput &in : inputs)
    names += (names.empty() ? "'" : ", '") + in.name + "'";
  if (sets.empty()) {
    err = file + ": no calibration data (give at least one input set)";
    return false;
  }
  for (CalibrationSet &set : sets) {
    std::string where = file + ": calibration set " + set.label + ": ";
    std::vector<bool> seen(inputs.size(), false);
    for (HostTensor &t : set.inputs) {
      size_t k = inputs.size();
      if (t.name.size() > 1 && t.name[0] == '#') {
        k = std::stoul(t.name.substr(1));
        if (k >= inputs.size()) {
          err = where + "input_" + t.name.substr(1) + ".pb but the model has " +
                std::to_string(inputs.size()) + " inputs (" + names + ")";
          return false;
        }
        t.name = inputs[k].name;
      } else {
        for (k = 0; k < inputs.size() && inputs[k].name != t.name; ++k)
          ;
        if (k == inputs.size()) {
          err = where + "'" + t.name +
                "' is not an input of the model, whose inputs are " + names;
          return false;
        }
      }
      if (seen[k]) {
        err = where + "input '" + t.name + "' is given twice";
        return false;
      }
      seen[k] = true;
      const ModelInput &in = inputs[k];
      if (t.sequence || t.none || t.dtype != in.dtype) {
        err = where + "input '" + t.name + "' is " +
              (t.sequence ? std::string("a sequence") : dtypeName(t.dtype)) +
              " but the model takes " + dtypeName(in.dtype);
        return false;
      }
      bool fits = t.shape.size() == in.shape.size();
      for (size_t d = 0; fits && d < t.shape.size(); ++d)
        fits = in.shape[d] < 0 || in.shape[d] == t.shape[d];
      if (!fits) {
        err = where + "input '" + t.name + "' has shape " +
              shapeString(t.shape) + " but the model takes " +
              shapeString(in.shape);
        return false;
      }
    }
    for (size_t k = 0; k < inputs.size(); ++k)
      if (!seen[k]) {
        err = where + "input '" + inputs[k].name + "' is missing";
        return false;
      }
  }
  return true;
}
