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
    zeros += v == 0;
    double b = (v - histLo) * scale;
    counts[std::min(bins - 1, (size_t)std::max(0.0, b))] += 1;
  }
  total += finite;
}

/// KL(P || Q) of the histogram `counts` clipped to bins [i0, i1) (the
/// counts outside added to the edge bins: P) and its quantization to
/// `levels` levels (Q: each level's count within [i0, i1) spread evenly
/// over its bins where P has mass). Both are normalized; a bin where P has
/// mass and Q none costs as if Q held 1e-9 of the mass.
static double clippedKL(const std::vector<double> &counts, size_t i0, size_t i1,
                        int levels) {
  size_t nb = i1 - i0;
  std::vector<double> p(counts.begin() + i0, counts.begin() + i1);
  for (size_t i = 0; i < i0; ++i)
    p.front() += counts[i];
  for (size_t i = i1; i < counts.size(); ++i)
    p.back() += counts[i];
  std::vector<double> q(nb, 0.0);
  for (int l = 0; l < levels; ++l) {
    size_t b0 = nb * l / levels, b1 = nb * (l + 1) / levels;
    double sum = 0;
    size_t used = 0;
    for (size_t b = b0; b < b1; ++b) {
      sum += counts[i0 + b];
      used += p[b] > 0;
    }
    for (size_t b = b0; b < b1 && used; ++b)
      if (p[b] > 0)
        q[b] = sum / used;
  }
  double ps = 0, qs = 0;
  for (size_t b = 0; b < nb; ++b)
    ps += p[b], qs += q[b];
  if (ps <= 0 || qs <= 0)
    return INFINITY;
  double kl = 0;
  for (size_t b = 0; b < nb; ++b) {
    if (p[b] <= 0)
      continue;
    double pn = p[b] / ps, qn = std::max(q[b] / qs, 1e-9);
    kl += pn * std::log(pn / qn);
  }
  return kl;
}

std::pair<double, double> RangeObserver::entropyRange() const {
  // Candidates: [lo, hi] with 0 included, scaled by a factor in (0, 1], in
  // steps of 16 bins of the histogram, down to 256 bins (one per level).
  constexpr int levels = 256;
  double a = std::min(lo, 0.0), b = std::max(hi, 0.0);
  size_t bins = counts.size();
  double width = (histHi - histLo) / bins;
  auto binOf = [&](double v) {
    return (size_t)std::clamp((v - histLo) / width, 0.0, (double)bins);
  };
  size_t full = binOf(b) - std::min(binOf(a), binOf(b));
  if (full < 2 * levels)
    return {lo, hi};
  // Exact zeros (half of a ReLU's outputs) quantize without error whatever
  // the range: they leave the histogram, or their spike, smeared over a
  // level's bins, would favour narrow ranges.
  std::vector<double> values = counts;
  size_t z = std::min(bins - 1, binOf(0.0));
  values[z] = std::max(0.0, values[z] - zeros);
  double best = INFINITY, bestScale = 1;
  for (size_t span = full; span >= levels; span -= std::min<size_t>(16, span)) {
    double scale = (double)span / full;
    size_t i0 = binOf(a * scale), i1 = std::max(binOf(b * scale), i0 + 1);
    if (i1 - i0 < (size_t)levels)
      break;
    double kl = clippedKL(values, i0, i1, levels);
    if (kl < best)
      best = kl, bestScale = scale;
  }
  return {std::max(lo, a * bestScale), std::min(hi, b * bestScale)};
}

std::pair<double, double> RangeObserver::range(CalibrationMethod method,
                                               double percentile) const {
  if (method == CalibrationMethod::MinMax || total == 0)
    return {lo, hi};
  if (method == CalibrationMethod::Entropy)
    return entropyRange();
  if (percentile >= 100)
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
