//===- RangeObserver.cpp - Calibration statistics of one tensor -----------===//
#include "RangeObserver.h"
#include <algorithm>
#include <cmath>

using namespace dnnc;

void RangeObserver::widen(double newLo, double newHi) {
  size_t bins = counts.size();
  if (total == 0) {
    histLo = newLo;
    histHi = newHi;
    return;
  }
  // Each old bin moves whole into the new bin holding its centre.
  std::vector<double> old(bins, 0.0);
  old.swap(counts);
  double oldWidth = (histHi - histLo) / bins;
  double width = (newHi - newLo) / bins;
  for (size_t i = 0; i < bins; ++i) {
    if (old[i] == 0)
      continue;
    double centre = histLo + (i + 0.5) * oldWidth;
    size_t j =
        std::min(bins - 1, (size_t)std::max(0.0, (centre - newLo) / width));
    counts[j] += old[i];
  }
  histLo = newLo;
  histHi = newHi;
}

void RangeObserver::add(const float *values, size_t n) {
  double bmin = INFINITY, bmax = -INFINITY;
  size_t finite = 0;
  for (size_t i = 0; i < n; ++i) {
    float v = values[i];
    if (std::isnan(v))
      continue;
    bmin = std::min<double>(bmin, v);
    bmax = std::max<double>(bmax, v);
    ++finite;
  }
  if (!finite)
    return;
  double newLo = total ? std::min(histLo, bmin) : bmin;
  double newHi = total ? std::max(histHi, bmax) : bmax;
  if (newHi - newLo < 1e-30 * (1 + std::fabs(newLo)))
    newHi = newLo + 1e-6 * (1 + std::fabs(newLo)); // a constant tensor
  if (!total || newLo < histLo || newHi > histHi) {
    // Grow by half again, so that slowly growing ranges re-bin rarely.
    if (total) {
      double pad = (newHi - newLo) / 2;
      newLo = newLo < histLo ? newLo - pad : newLo;
      newHi = newHi > histHi ? newHi + pad : newHi;
    }
    widen(newLo, newHi);
  }
  lo = total ? std::min(lo, bmin) : bmin;
  hi = total ? std::max(hi, bmax) : bmax;
  size_t bins = counts.size();
  double scale = bins / (histHi - histLo);
  for (size_t i = 0; i < n; ++i) {
    float v = values[i];
    if (std::isnan(v))
      continue;
    double b = (v - histLo) * scale;
    counts[std::min(bins - 1, (size_t)std::max(0.0, b))] += 1;
  }
  total += finite;
}

std::pair<double, double> RangeObserver::range(CalibrationMethod method,
                                               double percentile) const {
  if (method == CalibrationMethod::MinMax || total == 0 || percentile >= 100)
    return {lo, hi};
  double tail = total * (1 - percentile / 100) / 2;
  size_t bins = counts.size();
  double width = (histHi - histLo) / bins;
  // The lowest bin whose cumulative count passes the lower tail, and the
  // highest whose count from the top does.
  double cum = 0;
  size_t first = 0;
  for (; first < bins; ++first)
    if ((cum += counts[first]) > tail)
      break;
  cum = 0;
  size_t last = bins - 1;
  for (; last > 0; --last)
    if ((cum += counts[last]) > tail)
      break;
  double rlo = std::max(lo, histLo + first * width);
  double rhi = std::min(hi, histLo + (last + 1) * width);
  if (rhi < rlo)
    return {lo, hi};
  return {rlo, rhi};
}
