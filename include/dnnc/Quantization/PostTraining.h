//===- PostTraining.h - Post-training INT8 quantization ---------*- C++ -*-===//
//
// Quantizes a float ONNX model from calibration data and writes it as a
// standard QDQ ONNX model (QuantizeLinear/DequantizeLinear pairs), which any
// runtime can run and which dnnc imports as upstream quant types:
//
//   1. calibrate: compile the float model with the tensors to quantize as
//      extra outputs, run it on every calibration set, observe their ranges
//      (min-max, percentile or entropy);
//   2. rewrite: per-output-channel symmetric int8 weights, int32 biases,
//      per-tensor asymmetric uint8 activations (the inputs of Conv, MatMul
//      and Gemm, and their outputs after an optional Relu or Clip);
//   3. report: compile both models with every layer's output exposed, run
//      them on the calibration sets, and measure each layer's SQNR and the
//      outputs' SQNR and largest absolute error against float.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_QUANTIZATION_POSTTRAINING_H
#define DNNC_QUANTIZATION_POSTTRAINING_H

#include "dnnc/Runtime/TensorIO.h"
#include "llvm/ADT/StringRef.h"
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dnnc {

enum class CalibrationMethod { MinMax, Percentile, Entropy };

/// "minmax", "percentile" or "entropy".
std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef s);

/// One set of model inputs, each HostTensor named by its `name`.
struct CalibrationSet {
  /// Where it came from, for messages ("DIR/set_3" or "set 3").
  std::string label;
  std::vector<HostTensor> inputs;
};

/// Reads DIR: each subdirectory (in name order) is one input set holding
/// NAME.npy files or ONNX TensorProto files (input_K.pb, named by the
/// proto's name or else by position); a DIR without subdirectories is one
/// set itself.
bool readCalibrationDir(const std::string &dir,
                        std::vector<CalibrationSet> &sets, std::string &err);

struct QuantizeOptions {
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// Percentile method: the share of values kept inside the range, in %.
  double percentile = 99.999;
  /// Layers (ONNX node names, or their output names) kept in float.
  std::set<std::string> keepFloat;
  /// Static shapes for symbolic input dims (as for compiling).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Measure per-layer and output SQNR (one more compile and run).
  bool report = true;
  /// Mixed precision: the least output SQNR (dB, against float on the
  /// calibration sets) to meet, keeping float the fewest layers (those that
  /// add the most noise) that do.
  std::optional<double> minSqnrDb;
};

struct LayerReport {
  std::string node, op;
  /// The tensor measured: the layer's output (after its Relu or Clip).
  std::string tensor;
  bool quantized = false;
  /// Why the layer stayed float.
  std::string reason;
  /// SQNR of the tensor against the float model, over all sets (dB; +inf
  /// when equal; NaN when not measured), and of the layer's input.
  double sqnrDb, inputSqnrDb;
};

struct OutputReport {
  std::string name;
  double sqnrDb, maxAbsError;
};

struct QuantizationReport {
  std::string method;
  int sets = 0;
  /// The SQNR budget it was held to, if any.
  std::optional<double> minSqnrDb;
  std::vector<LayerReport> layers;
  std::vector<OutputReport> outputs;
  /// A table for people.
  std::string table() const;
  /// The same as JSON (an SQNR of +inf is written as null).
  std::string json() const;
};

/// Quantizes the float ONNX model `input` on `calibration` and writes the
/// QDQ model to `output` (nothing is written on failure). Errors name the
/// file, and the calibration set, input or node at fault.
bool quantizeModel(const std::string &input,
                   const std::vector<CalibrationSet> &calibration,
                   const QuantizeOptions &options, const std::string &output,
                   QuantizationReport &report, std::string &err);

/// Weight-only quantization (the transformer / LLM case): the weights of
/// MatMul and Gemm (constant [K, N], or [N, K] with transB) become 4- or
/// 8-bit unsigned codes with a scale and zero point per block of
/// `groupSize` along K (min-max of the block and 0), written as ONNX
/// Runtime's com.microsoft MatMulNBits. Activations stay float; no
/// calibration data is needed.
struct WeightOnlyOptions {
  int bits = 4;
  int groupSize = 32;
  /// Layers (node or output names) left in float.
  std::set<std::string> keepFloat;
};

struct WeightLayerReport {
  std::string node, op;
  int64_t k = 0, n = 0;
  bool quantized = false;
  std::string reason;
  /// SQNR of the dequantized weights against the float ones (dB).
  double sqnrDb = 0;
};

struct WeightOnlyReport {
  int bits = 4, groupSize = 32;
  std::vector<WeightLayerReport> layers;
  /// Bytes of the quantized layers' weights before and after (codes,
  /// scales and zero points).
  int64_t floatBytes = 0, quantizedBytes = 0;
  std::string table() const;
  std::string json() const;
};

bool quantizeWeights(const std::string &input, const WeightOnlyOptions &options,
                     const std::string &output, WeightOnlyReport &report,
                     std::string &err);

} // namespace dnnc

#endif // DNNC_QUANTIZATION_POSTTRAINING_H
