/* The machine's fp32 peak: T threads each run a loop of independent
 * 512-bit (or, without AVX-512, 256-bit) fused multiply-adds, enough of them
 * in flight to cover the FMA latency on every FMA port.
 *
 *   clang -O2 -march=native -pthread peak_probe.c -o peak_probe
 *   peak_probe THREADS   -> prints the GFLOP/s of all threads together
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef __AVX512F__
typedef __m512 vec;
#define LANES 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET1(x) _mm512_set1_ps(x)
#define ADD(a, b) _mm512_add_ps(a, b)
#define STORE(p, v) _mm512_storeu_ps(p, v)
#else
typedef __m256 vec;
#define LANES 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET1(x) _mm256_set1_ps(x)
#define ADD(a, b) _mm256_add_ps(a, b)
#define STORE(p, v) _mm256_storeu_ps(p, v)
#endif

enum { ACC = 24 };
static const long kIters = 20000000;
static volatile float sink;

static void *work(void *arg) {
  (void)arg;
  vec a[ACC];
  vec x = SET1(0.999999f), y = SET1(1e-7f);
  for (int i = 0; i < ACC; ++i)
    a[i] = SET1((float)i);
  for (long it = 0; it < kIters; ++it)
    for (int i = 0; i < ACC; ++i)
      a[i] = FMA(a[i], x, y);
  vec s = a[0];
  for (int i = 1; i < ACC; ++i)
    s = ADD(s, a[i]);
  float out[LANES];
  STORE(out, s);
  sink = out[0];
  return NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  if (n < 1 || n > 256)
    return 2;
  pthread_t th[256];
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    double t0 = now();
    for (int i = 0; i < n; ++i)
      pthread_create(&th[i], NULL, work, NULL);
    for (int i = 0; i < n; ++i)
      pthread_join(th[i], NULL);
    double gflops = 2.0 * LANES * ACC * kIters * n / (now() - t0) / 1e9;
    if (gflops > best)
      best = gflops;
  }
  printf("%.1f\n", best);
  return 0;
}
