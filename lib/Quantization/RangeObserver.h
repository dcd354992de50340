//===- RangeObserver.h - Calibration statistics of one tensor ---*- C++ -*-===//
//
// Observes the values a tensor takes over the calibration sets: their
// minimum and maximum, and a histogram whose range widens (re-binning what
// it holds) as new values fall outside it, for percentile and entropy
// ranges.
//
//===----------------------------------------------------------------------===//
#ifndef DNNC_LIB_QUANTIZATION_RANGEOBSERVER_H
#define DNNC_LIB_QUANTIZATION_RANGEOBSERVER_H

#include "dnnc/Quantization/PostTraining.h"
#include <cstddef>
#include <utility>
#include <vector>

namespace dnnc {

class RangeObserver {
public:
  explicit RangeObserver(size_t bins = 2048) : counts(bins, 0.0) {}

  /// Adds `n` values (NaNs are ignored).
  void add(const float *values, size_t n);

  bool empty() const { return total == 0; }
  double min() const { return lo; }
  double max() const { return hi; }

  /// The range to quantize to: [min, max]; the central `percentile` % of
  /// the values (from the histogram, to a bin's width); or, entropy, [min,
  /// max] (0 included) scaled down by the factor whose clipped 256-level
  /// quantization loses the least information (the KL divergence of the
  /// quantized histogram from the clipped one).
  std::pair<double, double> range(CalibrationMethod method,
                                  double percentile) const;

private:
  std::pair<double, double> entropyRange() const;
  /// Widens the histogram to cover [newLo, newHi].
  void widen(double newLo, double newHi);

  std::vector<double> counts;
  double lo = 0, hi = 0;         ///< exact min and max seen
  double histLo = 0, histHi = 0; ///< the histogram's range
  double total = 0;
  double zeros = 0; ///< values exactly 0 (also in the histogram)
};

} // namespace dnnc

#endif
