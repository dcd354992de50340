/*===- vnni_peak.c - The vpdpbusd rate of dnnc's 8-bit conv loop ---------===*
 *
 * The inner loop of dnnc's 8-bit convolution kernel, alone: a tile of 14
 * pixels by 32 output channels, per step 2 weight loads, 14 broadcasts of 4
 * input bytes and 28 vpdpbusd, over L1-resident data. Its rate is the
 * ceiling for any AVX-512 VNNI convolution on this machine (ONNX Runtime's
 * included); docs/Quantization.md divides resnet50's instruction count by it.
 *
 *   clang-22 -O3 -march=native benchmarks/vnni_peak.c -o /tmp/vnni_peak
 *   /tmp/vnni_peak        # G vpdpbusd/s, 5 rounds
 *
 * Run it on an otherwise idle machine: where the virtual CPUs are threads
 * of one physical core (as on the 2-vCPU machines here), a busy sibling
 * halves the rate (8.2-8.5 G/s idle, 3.5 G/s with the other one busy).
 *
 *===----------------------------------------------------------------------===*/
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum { Rows = 14, Steps = 64, Stride = 256 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((noinline)) void tile(const uint8_t *x, const int8_t *w,
                                    __m512i *out) {
  __m512i acc[Rows][2];
  for (int r = 0; r < Rows; ++r)
    acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  for (int k = 0; k < Steps; ++k) {
    __m512i w0 = _mm512_load_si512(w + k * 128);
    __m512i w1 = _mm512_load_si512(w + k * 128 + 64);
    for (int r = 0; r < Rows; ++r) {
      __m512i b = _mm512_set1_epi32(*(const int32_t *)(x + r * Stride + 4 * k));
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], b, w0);
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], b, w1);
    }
  }
  for (int r = 0; r < Rows; ++r) {
    out[2 * r] = acc[r][0];
    out[2 * r + 1] = acc[r][1];
  }
}

int main(void) {
  static uint8_t x[Rows * Stride] __attribute__((aligned(64)));
  static int8_t w[Steps * 128] __attribute__((aligned(64)));
  static __m512i out[2 * Rows];
  for (int i = 0; i < (int)sizeof(x); ++i)
    x[i] = (uint8_t)(i * 7);
  for (int i = 0; i < (int)sizeof(w); ++i)
    w[i] = (int8_t)(i * 13);
  const long reps = 200000;
  for (int round = 0; round < 5; ++round) {
    double t0 = now();
    for (long i = 0; i < reps; ++i) {
      tile(x, w, out);
      __asm__ volatile("" : : "r"(out), "r"(x), "r"(w) : "memory");
    }
    double t = now() - t0;
    printf("%.2f G vpdpbusd/s\n", reps * (double)Steps * Rows * 2 / t / 1e9);
  }
  return 0;
}
