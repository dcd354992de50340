/*===- BufferCache.c - Reuse of a run's intermediate buffers ----*- C -*-===*
 *
 * The compiled code allocates its buffers through _mlir_memref_to_llvm_alloc
 * and frees them through _mlir_memref_to_llvm_free (the generic allocation
 * functions of finalize-memref-to-llvm). Freed buffers of at least a page
 * are kept per thread and handed out again for a request of half their size
 * or more, so that from the second run on a model's intermediate tensors
 * reuse memory that is already mapped instead of faulting in fresh pages
 * from the kernel for every layer (the page faults of a large malloc/free
 * cost more than a depthwise convolution). Blocks are plain malloc blocks:
 * one that leaves a run as an output is freed with free() by its owner.
 *
 * It also counts, per thread, the bytes of the buffers the compiled code
 * holds and, with the cache, keeps mapped, and their high-water marks during
 * a run (dnnc_memory_info).
 *
 *===----------------------------------------------------------------------===*/
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#pragma GCC visibility push(hidden)

enum { kSlots = 64 };
static const size_t kMinCached = 4096;
static const size_t kMaxCachedBytes = (size_t)256 << 20; /* per thread */

typedef struct {
  void *ptr;
  size_t size;
} Slot;

typedef struct {
  Slot slots[kSlots];
  int count;
  size_t bytes;
} Cache;

static _Thread_local Cache cache;
/* Bytes the compiled code holds; their peak, and that of held + cached,
   since the last __dnnc_run_begin. */
static _Thread_local int64_t live, base, livePeak, heldPeak;
static _Thread_local int registered;
static pthread_key_t exitKey;
static pthread_once_t keyOnce = PTHREAD_ONCE_INIT;

static void releaseAll(Cache *c) {
  for (int i = 0; i < c->count; ++i)
    free(c->slots[i].ptr);
  c->count = 0;
  c->bytes = 0;
}

static void onThreadExit(void *c) { releaseAll((Cache *)c); }
static void makeKey(void) { pthread_key_create(&exitKey, onThreadExit); }

/* The smallest cached block that fits `size` (and `align`) without wasting
   more than half of it, taken out of the cache; NULL if none. */
static void *take(size_t size, size_t align) {
  int best = -1;
  for (int i = 0; i < cache.count; ++i) {
    Slot *s = &cache.slots[i];
    if (s->size >= size && s->size / 2 <= size &&
        (uintptr_t)s->ptr % align == 0 &&
        (best < 0 || s->size < cache.slots[best].size))
      best = i;
  }
  if (best < 0)
    return NULL;
  void *p = cache.slots[best].ptr;
  cache.bytes -= cache.slots[best].size;
  cache.slots[best] = cache.slots[--cache.count];
  return p;
}

static void *count(void *p) {
  if (p) {
    live += (int64_t)malloc_usable_size(p);
    if (live > livePeak)
      livePeak = live;
    if (live + (int64_t)cache.bytes > heldPeak)
      heldPeak = live + (int64_t)cache.bytes;
  }
  return p;
}

/* Buffers that left earlier runs as outputs are freed by their owners with
   free() and stay in `live`: peaks count from the run's start. */
void __dnnc_run_begin(void) {
  base = livePeak = live;
  heldPeak = live + (int64_t)cache.bytes;
}

void __dnnc_run_peaks(int64_t *livePeakBytes, int64_t *heldPeakBytes) {
  *livePeakBytes = livePeak - base;
  *heldPeakBytes = heldPeak - base;
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  void *p = size >= kMinCached ? take(size, 1) : NULL;
  return count(p ? p : malloc(size));
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t align, size_t size) {
  void *p = size >= kMinCached ? take(size, align) : NULL;
  return count(p ? p
                 : aligned_alloc(align, (size + align - 1) / align * align));
}

void _mlir_memref_to_llvm_free(void *p) {
  if (!p)
    return;
  size_t size = malloc_usable_size(p);
  live -= (int64_t)size;
  if (size < kMinCached || size > kMaxCachedBytes) {
    free(p);
    return;
  }
  if (!registered) {
    pthread_once(&keyOnce, makeKey);
    pthread_setspecific(exitKey, &cache);
    registered = 1;
  }
  /* Make room: drop the largest blocks first. */
  while (cache.count == kSlots || cache.bytes + size > kMaxCachedBytes) {
    int largest = 0;
    for (int i = 1; i < cache.count; ++i)
      if (cache.slots[i].size > cache.slots[largest].size)
        largest = i;
    free(cache.slots[largest].ptr);
    cache.bytes -= cache.slots[largest].size;
    cache.slots[largest] = cache.slots[--cache.count];
  }
  cache.slots[cache.count++] = (Slot){p, size};
  cache.bytes += size;
}

/* The loading thread's blocks go when the model is unloaded. */
__attribute__((destructor)) static void releaseOnUnload(void) {
  releaseAll(&cache);
}

#pragma GCC visibility pop
