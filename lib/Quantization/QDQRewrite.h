//===- QDQRewrite.h - Quantizing an ONNX graph with Q/DQ pairs --*- C++ -*-===//
//
// The ONNX side of post-training quantization: which layers can be
// quantized, the graph instrumented for calibration, and the QDQ rewrite.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_LIB_QUANTIZATION_QDQREWRITE_H
#define DNNC_LIB_QUANTIZATION_QDQREWRITE_H

#include "dnnc/Quantization/PostTraining.h"
#include "onnx/onnx_pb.h"
#include <map>
#include <string>
#include <vector>

namespace dnnc {

/// The initializers by name, and the Identity copies of them (exporters
/// share equal initializers so).
std::map<std::string, const onnx::TensorProto *>
constantTensors(const onnx::GraphProto &g);

/// The values of a float initializer; false (with `err`) for external data
/// or a size mismatch.
bool floatValues(const onnx::TensorProto &t, std::vector<float> &out,
                 std::string &err);

/// The int / float attribute `name` of `n`, or `dflt`.
int64_t intAttr(const onnx::NodeProto &n, const std::string &name,
                int64_t dflt);
float floatAttr(const onnx::NodeProto &n, const std::string &name, float dflt);

/// An SQNR for a table: "-" when not measured, "inf", or one decimal.
std::string dbText(double db);

/// Writes `m` to `path` through a temporary file (no partial output).
bool writeModel(const onnx::ModelProto &m, const std::string &path,
                std::string &err);

/// Reads the ONNX model at `path`.
bool readModel(const std::string &path, onnx::ModelProto &m, std::string &err);

/// A Conv, MatMul or Gemm of the main graph.
struct QuantLayer {
  int node = -1;
  std::string name, op;
  std::string activation;   ///< input 0
  std::string weight, bias; ///< initializers (bias may be empty)
  int weightAxis = 0;       ///< the weight's output-channel axis
  std::string output;       ///< the node's output
  /// The tensor after an only-consumer Relu or Clip (else `output`), and
  /// whether it is requantized (not when it is a graph output).
  std::string result;
  bool quantizeResult = false;
  bool quantized = false;
  std::string reason; ///< why not
};

/// Affine uint8 parameters of an activation.
struct ActivationParams {
  float scale = 1;
  uint8_t zeroPoint = 0;
};

/// The element type and rank of the main graph's tensors, where ONNX shape
/// inference (on a copy) knows them.
struct TensorKind {
  int elemType = 0;
  int rank = -1;
};
std::map<std::string, TensorKind>
inferTensorKinds(const onnx::ModelProto &model);

/// The layers of `model`'s main graph that may be quantized, with those
/// that cannot (or are kept float) marked with their reason. Adds to `kinds`
/// what a Conv's or Gemm's float weight implies of its input and output
/// where ONNX's inference stopped short. Weights and biases may be
/// initializers or Identity copies of them.
std::vector<QuantLayer>
findQuantLayers(const onnx::ModelProto &model,
                std::map<std::string, TensorKind> &kinds,
                const QuantizeOptions &options);

/// The default-domain opset of `model`.
int64_t defaultOpset(const onnx::ModelProto &model);

/// Appends the tensors `names` to the main graph's outputs (declared with
/// their rank and unknown dims), skipping names that already are outputs or
/// inputs, or whose rank is unknown.
void addOutputs(onnx::ModelProto &model, const std::vector<std::string> &names,
                const std::map<std::string, TensorKind> &kinds);

/// asymmetric uint8 parameters covering [lo, hi] and 0.
ActivationParams activationParams(double lo, double hi);

/// Gives a tensor that only moves the values of another quantized one
/// (Flatten, Reshape, Squeeze, Unsqueeze, Transpose) that tensor's
/// parameters, so that re-quantizing it is exact.
void shareReshapeParams(const onnx::ModelProto &model,
                        std::map<std::string, ActivationParams> &params);

/// Rewrites `model` with Q/DQ pairs on the tensors in `activations`, and
/// quantized weights (int8, per output channel from opset 13) and biases
/// (int32) for the quantized `layers`; every consumer of a quantized tensor
/// reads its dequantized value, whose name `dequantized` maps it to. Fails
/// with `err` on weight data it cannot read.
bool insertQDQ(onnx::ModelProto &model, const std::vector<QuantLayer> &layers,
               const std::map<std::string, ActivationParams> &activations,
               std::map<std::string, std::string> &dequantized,
               std::string &err);

} // namespace dnnc

#endif
