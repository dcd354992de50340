//===- CalibrationData.h - Checking calibration sets ------------*- C++ -*-===//
#ifndef DNNC_LIB_QUANTIZATION_CALIBRATIONDATA_H
#define DNNC_LIB_QUANTIZATION_CALIBRATIONDATA_H

#include "dnnc/Quantization/PostTraining.h"

namespace dnnc {

/// A graph input of the float model: ONNX element type and dims (-1 where
/// symbolic).
struct ModelInput {
  std::string name;
  int32_t dtype = 0;
  std::vector<int64_t> shape;
};

/// Checks every set against the model's inputs (names, dtypes, shapes) and
/// names positional tensors (input_K.pb) after the model's K-th input.
/// Errors name `file` and the set.
bool checkCalibration(const std::string &file,
                      const std::vector<ModelInput> &inputs,
                      std::vector<CalibrationSet> &sets, std::string &err);

} // namespace dnnc

#endif
