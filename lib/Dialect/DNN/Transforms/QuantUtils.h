//===- QuantUtils.h - Quantized types as dnn arithmetic ---------*- C++ -*-===//
//
// What dnn-fuse-quantized and dnn-lower-quant share: the parameters of a
// `!quant.uniform` type, and the dnn ops that quantize to and dequantize from
// its integer storage with ONNX semantics (round half to even, saturate).
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_DIALECT_DNN_TRANSFORMS_QUANTUTILS_H
#define DNNC_DIALECT_DNN_TRANSFORMS_QUANTUTILS_H

#include "dnnc/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

namespace dnnc::dnn {

/// The parameters of a per-tensor or per-axis `!quant.uniform` type.
struct QuantParams {
  mlir::quant::QuantizedType type;
  bool isSigned = true;
  unsigned width = 8;
  int64_t qmin = 0, qmax = 0;
  /// One entry per tensor, or one per index of `axis`.
  llvm::SmallVector<double> scales;
  llvm::SmallVector<int64_t> zeroPoints;
  int64_t axis = -1;

  bool perTensor() const { return axis < 0; }
  bool zeroPointsAreZero() const {
    return llvm::all_of(zeroPoints, [](int64_t z) { return z == 0; });
  }
  /// The parameters of `t`'s element type; nullopt for other types
  /// (sub-channel, non-uniform).
  static std::optional<QuantParams> of(mlir::Type t);
};

/// A constant of `values` shaped to broadcast against a rank-`rank` tensor
/// along `axis` ([] for a single value, else [n, 1, ..., 1]).
mlir::Value broadcastConstant(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Type elemType,
                              llvm::ArrayRef<double> values, int64_t axis,
                              int64_t rank);

/// An integer storage tensor widened to i32 (zero-extended when unsigned).
mlir::Value widenToI32(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value storage, bool isSigned);

/// round(x) + offset (`x` float, rounded half to even), saturated to
/// [lo, hi] and stored as an integer of `width` bits. `offset` is a
/// broadcastable float tensor, or null for none.
mlir::Value roundToStorage(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value x, mlir::Value offset, int64_t lo,
                           int64_t hi, unsigned width);

/// round(x / scale) + zero point, saturated: the storage of quant.qcast
/// (ONNX QuantizeLinear).
mlir::Value quantizeToStorage(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value x, const QuantParams &q);

/// (storage - zero point) * scale in `floatType`: quant.dcast.
mlir::Value dequantizeStorage(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value storage, const QuantParams &q,
                              mlir::Type floatType);

} // namespace dnnc::dnn

#endif // DNNC_DIALECT_DNN_TRANSFORMS_QUANTUTILS_H
