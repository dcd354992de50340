/*===- ModelRuntime.c - The C runtime linked into every MODEL.so ----------===*
 *
 * Implements the C ABI (dnnc_model.h) on top of what the compiler emits into
 * the model object: the tensor tables, __dnnc_descriptors and
 * __dnnc_entry(void **args).
 *
 * Most static models take bare buffers: args holds the input buffers
 * followed by the output buffers, which the model writes.
 * Models with run-time dims (or zero-sized tensors, which have no bare
 * pointer form) take MLIR memref descriptors ({allocated, aligned, offset,
 * sizes[rank], strides[rank]}, all 64-bit words): args[0] points to the
 * output descriptors, laid out one after the other, which the model fills
 * with buffers it allocates (malloc); args[1 + i] points to the descriptor of
 * input i.
 *
 * Strings (dtype DNNC_STRING) are buffers of `const char *`. Strings a run
 * makes live in the string runtime's arena (StringRuntime.c): after the run,
 * each string output is copied into one block the caller owns (the pointers,
 * then the characters), and the arena is freed.
 *
 *===----------------------------------------------------------------------===*/
#include "StringRuntime.h"
#include "dnnc/Runtime/dnnc_model.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define DNNC_HIDDEN __attribute__((visibility("hidden")))

extern DNNC_HIDDEN const int32_t __dnnc_num_inputs;
extern DNNC_HIDDEN const int32_t __dnnc_num_outputs;
extern DNNC_HIDDEN const int32_t __dnnc_descriptors;
extern DNNC_HIDDEN const dnnc_tensor_info __dnnc_inputs[];
extern DNNC_HIDDEN const dnnc_tensor_info __dnnc_outputs[];
extern DNNC_HIDDEN const char __dnnc_name[];
extern DNNC_HIDDEN void __dnnc_entry(void **args);
extern DNNC_HIDDEN const int64_t __dnnc_weight_bytes;
/* BufferCache.c */
DNNC_HIDDEN void __dnnc_run_begin(void);
DNNC_HIDDEN void __dnnc_run_peaks(int64_t *livePeak, int64_t *heldPeak);

static int32_t runBare(const void *const *inputs, void *const *outputs);
static int32_t packStrings(const char *const *strings, int64_t n, void **data,
                           void **allocation);
void dnnc_release_value(dnnc_value *value);
static int64_t numElements(int32_t rank, const int64_t *shape);

uint32_t dnnc_abi_version(void) { return DNNC_ABI_VERSION; }
const char *dnnc_model_name(void) { return __dnnc_name; }
int32_t dnnc_num_inputs(void) { return __dnnc_num_inputs; }
int32_t dnnc_num_outputs(void) { return __dnnc_num_outputs; }
static int32_t infoIsDynamic(const dnnc_tensor_info *t) {
  if (t->kind != DNNC_KIND_TENSOR)
    return 1;
  for (int32_t d = 0; d < t->rank; ++d)
    if (t->shape[d] < 0)
      return 1;
  return 0;
}

int32_t dnnc_is_dynamic(void) {
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i)
    if (infoIsDynamic(&__dnnc_inputs[i]))
      return 1;
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i)
    if (infoIsDynamic(&__dnnc_outputs[i]))
      return 1;
  return 0;
}

const dnnc_tensor_info *dnnc_input_info(int32_t index) {
  if (index < 0 || index >= __dnnc_num_inputs)
    return NULL;
  return &__dnnc_inputs[index];
}

const dnnc_tensor_info *dnnc_output_info(int32_t index) {
  if (index < 0 || index >= __dnnc_num_outputs)
    return NULL;
  return &__dnnc_outputs[index];
}

int32_t dnnc_dtype_size(int32_t dtype) {
  switch (dtype) {
  case DNNC_FLOAT:
  case DNNC_INT32:
  case DNNC_UINT32:
    return 4;
  case DNNC_UINT8:
  case DNNC_INT8:
  case DNNC_BOOL:
    return 1;
  case DNNC_UINT16:
  case DNNC_INT16:
  case DNNC_FLOAT16:
  case DNNC_BFLOAT16:
    return 2;
  case DNNC_INT64:
  case DNNC_DOUBLE:
  case DNNC_UINT64:
    return 8;
  case DNNC_STRING:
    return (int32_t)sizeof(const char *);
  default:
    return 0;
  }
}

const char *dnnc_status_string(int32_t status) {
  switch (status) {
  case DNNC_OK:
    return "ok";
  case DNNC_ERROR_NULL_BUFFER:
    return "a tensor buffer is NULL";
  case DNNC_ERROR_SHAPE:
    return "an input's rank or a static dim does not match the model";
  case DNNC_ERROR_DTYPE:
    return "an input's element type does not match the model";
  case DNNC_ERROR_DYNAMIC_MODEL:
    return "the model has run-time dims: use dnnc_run_tensors";
  case DNNC_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case DNNC_ERROR_KIND:
    return "a value of another kind than the model's (models with sequence "
           "or optional values run with dnnc_run_values)";
  case DNNC_ERROR_STRING_OUTPUT:
    return "the model has string outputs: use dnnc_run_tensors";
  case DNNC_ERROR_INVALID_ARGUMENT:
    return "an argument is out of its range";
  default:
    return "unknown status";
  }
}

/* The OpenMP runtime is linked only into models with parallel loops. */
extern void omp_set_num_threads(int) __attribute__((weak));
extern int omp_get_num_procs(void) __attribute__((weak));

int32_t dnnc_set_num_threads(int32_t threads) {
  if (threads < 0)
    return DNNC_ERROR_INVALID_ARGUMENT;
  if (omp_set_num_threads && omp_get_num_procs) {
    const char *env = getenv("OMP_NUM_THREADS");
    int n = threads;
    if (n == 0)
      n = env && atoi(env) > 0 ? atoi(env) : omp_get_num_procs();
    omp_set_num_threads(n);
  }
  return DNNC_OK;
}

int32_t dnnc_get_memory_info(dnnc_memory_info *info) {
  if (!info)
    return DNNC_ERROR_INVALID_ARGUMENT;
  info->weight_bytes = __dnnc_weight_bytes;
  __dnnc_run_peaks(&info->peak_live_bytes, &info->peak_held_bytes);
  return DNNC_OK;
}

static int64_t numElements(int32_t rank, const int64_t *shape) {
  int64_t n = 1;
  for (int32_t d = 0; d < rank; ++d)
    n *= shape[d];
  return n;
}

/* Kinds are bits: 1 sequence, 2 optional. */
static int32_t isSequence(const dnnc_tensor_info *info) {
  return (info->kind & DNNC_KIND_SEQUENCE) != 0;
}

static int32_t isOptional(const dnnc_tensor_info *info) {
  return (info->kind & 2) != 0;
}

/* Checks one tensor against an info (its dtype, rank and static dims). */
static int32_t checkTensor(const dnnc_tensor *t, const dnnc_tensor_info *info) {
  if (t->dtype != info->dtype)
    return DNNC_ERROR_DTYPE;
  if (t->rank != info->rank || (t->rank > 0 && !t->shape))
    return DNNC_ERROR_SHAPE;
  for (int32_t d = 0; d < t->rank; ++d)
    if (t->shape[d] < 0 ||
        (info->shape[d] >= 0 && t->shape[d] != info->shape[d]))
      return DNNC_ERROR_SHAPE;
  if (!t->data && numElements(t->rank, t->shape) > 0)
    return DNNC_ERROR_NULL_BUFFER;
  return DNNC_OK;
}

/* Checks input values against the info table. */
static int32_t checkInputs(const dnnc_value *inputs) {
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i) {
    const dnnc_value *v = &inputs[i];
    const dnnc_tensor_info *info = &__dnnc_inputs[i];
    if (v->kind != info->kind)
      return DNNC_ERROR_KIND;
    if (isOptional(info) && !v->has_value)
      continue;
    if (!isSequence(info)) {
      int32_t rc = checkTensor(&v->tensor, info);
      if (rc != DNNC_OK)
        return rc;
      continue;
    }
    if (v->length < 0 || (v->length > 0 && !v->elements))
      return DNNC_ERROR_NULL_BUFFER;
    for (int64_t e = 0; e < v->length; ++e) {
      int32_t rc = checkTensor(&v->elements[e], info);
      if (rc != DNNC_OK)
        return rc;
    }
  }
  return DNNC_OK;
}

/* A string output's pointers (into the run's arena, the inputs or the
   model's constants) become one block the caller owns, which replaces
   *allocation (freed). */
static int32_t packStrings(const char *const *strings, int64_t n, void **data,
                           void **allocation) {
  void *block = dnnc_rt_strings_pack(strings, n);
  if (!block)
    return DNNC_ERROR_OUT_OF_MEMORY;
  free(*allocation);
  *data = *allocation = block;
  return DNNC_OK;
}

static int32_t runStatic(const dnnc_value *inputs, dnnc_value *outputs) {
  const void *in[__dnnc_num_inputs > 0 ? __dnnc_num_inputs : 1];
  void *out[__dnnc_num_outputs > 0 ? __dnnc_num_outputs : 1];
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i)
    in[i] = inputs[i].tensor.data;
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    const dnnc_tensor_info *info = &__dnnc_outputs[i];
    size_t bytes = (size_t)numElements(info->rank, info->shape) *
                   (size_t)dnnc_dtype_size(info->dtype);
    out[i] = malloc(bytes > 0 ? bytes : 1);
    if (!out[i]) {
      for (int32_t j = 0; j < i; ++j)
        free(out[j]);
      return DNNC_ERROR_OUT_OF_MEMORY;
    }
  }
  int32_t rc = runBare(in, out);
  for (int32_t i = 0; i < __dnnc_num_outputs && rc == DNNC_OK; ++i) {
    const dnnc_tensor_info *info = &__dnnc_outputs[i];
    if (info->dtype == DNNC_STRING)
      rc = packStrings((const char *const *)out[i],
                       numElements(info->rank, info->shape), &out[i], &out[i]);
  }
  dnnc_rt_strings_release();
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    if (rc != DNNC_OK) {
      free(out[i]);
      continue;
    }
    const dnnc_tensor_info *info = &__dnnc_outputs[i];
    dnnc_tensor *t = &outputs[i].tensor;
    t->data = t->allocation = out[i];
    for (int32_t d = 0; d < info->rank; ++d)
      t->shape[d] = info->shape[d];
  }
  return rc;
}

/* Descriptor words of a value: a tensor is one memref descriptor, a
   sequence two (its data, 1-D, and its shapes, [length, rank]). */
static int64_t valueWords(const dnnc_tensor_info *info) {
  int64_t payload =
      isSequence(info) ? (3 + 2) + (3 + 4) : 3 + 2 * (int64_t)info->rank;
  /* An optional's flag is a rank-0 i1 memref: 3 words. */
  return (isOptional(info) ? 3 : 0) + payload;
}

/* The memref descriptors an input value takes as entry arguments. */
static int64_t valueArgs(const dnnc_tensor_info *info) {
  return (isSequence(info) ? 2 : 1) + (isOptional(info) ? 1 : 0);
}

/* Writes the descriptor of a dense row-major buffer; returns the next. */
static int64_t *putDescriptor(int64_t *w, const void *data, int32_t rank,
                              const int64_t *shape) {
  w[0] = w[1] = (int64_t)(intptr_t)data;
  w[2] = 0;
  int64_t stride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    w[3 + d] = shape[d];
    w[3 + rank + d] = stride;
    stride *= shape[d];
  }
  return w + 3 + 2 * rank;
}

/* Packs a sequence into (data, shapes) buffers; NULL data on failure. */
static int64_t *packSequence(int64_t *w, const dnnc_value *v,
                             const dnnc_tensor_info *info, void **data,
                             void **shapes) {
  int64_t esize = dnnc_dtype_size(info->dtype), total = 0, rank = info->rank;
  for (int64_t e = 0; e < v->length; ++e)
    total += numElements(rank, v->elements[e].shape);
  *data = malloc(total * esize > 0 ? (size_t)(total * esize) : 1);
  *shapes = malloc(v->length * rank > 0 ? (size_t)(v->length * rank * 8) : 1);
  if (!*data || !*shapes)
    return NULL;
  char *at = (char *)*data;
  int64_t *dims = (int64_t *)*shapes;
  for (int64_t e = 0; e < v->length; ++e) {
    const dnnc_tensor *t = &v->elements[e];
    size_t bytes = (size_t)(numElements(rank, t->shape) * esize);
    if (bytes)
      memcpy(at, t->data, bytes);
    at += bytes;
    for (int64_t d = 0; d < rank; ++d)
      dims[e * rank + d] = t->shape[d];
  }
  int64_t dataShape[1] = {total}, shapesShape[2] = {v->length, rank};
  w = putDescriptor(w, *data, 1, dataShape);
  return putDescriptor(w, *shapes, 2, shapesShape);
}

/* Unpacks the (data, shapes) result descriptors at `o` into the tensors of
   a sequence output, and frees the model's buffers. */
static int32_t unpackSequence(const int64_t *o, const dnnc_tensor_info *info,
                              dnnc_value *v) {
  int64_t esize = dnnc_dtype_size(info->dtype), rank = info->rank;
  void *dataAlloc = (void *)(intptr_t)o[0];
  const char *data = (const char *)(intptr_t)o[1] + o[2] * esize;
  const int64_t *s = o + 5;
  void *shapesAlloc = (void *)(intptr_t)s[0];
  const int64_t *shapes = (const int64_t *)(intptr_t)s[1] + s[2];
  int64_t n = s[3], rowStride = s[5], colStride = s[6];
  int32_t rc = DNNC_OK;
  size_t block = (size_t)n * (sizeof(dnnc_tensor) + (size_t)rank * 8);
  dnnc_tensor *elems = (dnnc_tensor *)malloc(block > 0 ? block : 1);
  if (!elems) {
    rc = DNNC_ERROR_OUT_OF_MEMORY;
    n = 0;
  }
  int64_t *dims = (int64_t *)(elems + n);
  for (int64_t e = 0; e < n; ++e) {
    dnnc_tensor *t = &elems[e];
    t->dtype = info->dtype;
    t->rank = (int32_t)rank;
    t->shape = dims + e * rank;
    for (int64_t d = 0; d < rank; ++d)
      t->shape[d] = shapes[e * rowStride + d * colStride];
    size_t bytes = (size_t)(numElements(t->rank, t->shape) * esize);
    t->data = t->allocation = malloc(bytes > 0 ? bytes : 1);
    if (!t->data) {
      for (int64_t f = 0; f < e; ++f)
        free(elems[f].allocation);
      free(elems);
      elems = NULL;
      n = 0;
      rc = DNNC_ERROR_OUT_OF_MEMORY;
      break;
    }
    if (bytes)
      memcpy(t->data, data, bytes);
    data += bytes;
  }
  free(dataAlloc);
  free(shapesAlloc);
  v->length = n;
  v->elements = elems;
  return rc;
}

static int32_t runDynamic(const dnnc_value *inputs, dnnc_value *outputs) {
  /* One 64-bit word array holds every descriptor. */
  int64_t words = 0, outWords = 0, numArgs = 1;
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i) {
    words += valueWords(&__dnnc_inputs[i]);
    numArgs += valueArgs(&__dnnc_inputs[i]);
  }
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i)
    outWords += valueWords(&__dnnc_outputs[i]);
  int64_t storage[words + outWords + 1];
  void *args[numArgs];
  void *packed[2 * __dnnc_num_inputs + 1];
  int32_t numPacked = 0, rc = DNNC_OK;
  int64_t *w = storage + outWords;
  int64_t a = 0;
  args[a++] = storage;
  /* Optionals: the flags, and what an absent one holds (nothing: no
     elements, zero dims where the info has run-time ones). */
  uint8_t flags[__dnnc_num_inputs > 0 ? __dnnc_num_inputs : 1];
  int64_t noDims[__dnnc_num_inputs > 0 ? __dnnc_num_inputs : 1][8];
  dnnc_value none;
  memset(&none, 0, sizeof none);
  static int64_t noData;
  for (int32_t i = 0; i < __dnnc_num_inputs && rc == DNNC_OK; ++i) {
    const dnnc_tensor_info *info = &__dnnc_inputs[i];
    const dnnc_value *v = &inputs[i];
    if (isOptional(info)) {
      flags[i] = v->has_value ? 1 : 0;
      args[a++] = w;
      w = putDescriptor(w, &flags[i], 0, NULL);
      if (!v->has_value) {
        if (info->rank > 8) {
          rc = DNNC_ERROR_SHAPE;
          break;
        }
        none.kind = info->kind;
        none.tensor.data = &noData;
        none.tensor.rank = info->rank;
        none.tensor.shape = noDims[i];
        for (int32_t d = 0; d < info->rank && d < 8; ++d)
          noDims[i][d] = info->shape[d] < 0 ? 0 : info->shape[d];
        v = &none;
      }
    }
    if (!isSequence(info)) {
      args[a++] = w;
      w = putDescriptor(w, v->tensor.data, v->tensor.rank, v->tensor.shape);
      continue;
    }
    args[a++] = w;
    args[a++] = w + 5;
    w = packSequence(w, v, info, &packed[numPacked], &packed[numPacked + 1]);
    numPacked += 2;
    if (!w)
      rc = DNNC_ERROR_OUT_OF_MEMORY;
  }
  if (rc == DNNC_OK) {
    __dnnc_run_begin();
    __dnnc_entry(args);
  }
  for (int32_t p = 0; p < numPacked; ++p)
    free(packed[p]);
  if (rc != DNNC_OK)
    return rc;
  int64_t *o = storage;
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    const dnnc_tensor_info *info = &__dnnc_outputs[i];
    dnnc_value *v = &outputs[i];
    v->has_value = 1;
    if (isOptional(info)) {
      /* The flag, then the payload (released when the optional is empty). */
      v->has_value = *((const uint8_t *)(intptr_t)o[1] + o[2]) != 0;
      free((void *)(intptr_t)o[0]);
      o += 3;
    }
    if (isSequence(info)) {
      int32_t r = unpackSequence(o, info, v);
      if (r != DNNC_OK)
        rc = r;
      o += valueWords(info) - (isOptional(info) ? 3 : 0);
      if (!v->has_value)
        dnnc_release_value(v);
      continue;
    }
    char *aligned = (char *)(intptr_t)o[1];
    v->tensor.allocation = (void *)(intptr_t)o[0];
    v->tensor.data = aligned + o[2] * dnnc_dtype_size(info->dtype);
    for (int32_t d = 0; d < info->rank; ++d)
      v->tensor.shape[d] = o[3 + d];
    o += valueWords(info) - (isOptional(info) ? 3 : 0);
    if (!v->has_value) {
      dnnc_release_tensor(&v->tensor);
      continue;
    }
    if (info->dtype == DNNC_STRING && rc == DNNC_OK)
      rc = packStrings((const char *const *)v->tensor.data,
                       numElements(info->rank, v->tensor.shape),
                       &v->tensor.data, &v->tensor.allocation);
  }
  dnnc_rt_strings_release();
  if (rc != DNNC_OK)
    for (int32_t i = 0; i < __dnnc_num_outputs; ++i)
      dnnc_release_value(&outputs[i]);
  return rc;
}

int32_t dnnc_run_values(const dnnc_value *inputs, dnnc_value *outputs) {
  if ((__dnnc_num_inputs > 0 && !inputs) ||
      (__dnnc_num_outputs > 0 && !outputs))
    return DNNC_ERROR_NULL_BUFFER;
  int32_t rc = checkInputs(inputs);
  if (rc != DNNC_OK)
    return rc;
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    const dnnc_tensor_info *info = &__dnnc_outputs[i];
    dnnc_value *v = &outputs[i];
    v->kind = info->kind;
    v->length = 0;
    v->elements = NULL;
    if (!isSequence(info) && info->rank > 0 && !v->tensor.shape)
      return DNNC_ERROR_NULL_BUFFER;
    v->tensor.data = v->tensor.allocation = NULL;
    v->tensor.dtype = info->dtype;
    v->tensor.rank = isSequence(info) ? 0 : info->rank;
    v->has_value = 1;
  }
  return __dnnc_descriptors ? runDynamic(inputs, outputs)
                            : runStatic(inputs, outputs);
}

int32_t dnnc_run_tensors(const dnnc_tensor *inputs, dnnc_tensor *outputs) {
  if ((__dnnc_num_inputs > 0 && !inputs) ||
      (__dnnc_num_outputs > 0 && !outputs))
    return DNNC_ERROR_NULL_BUFFER;
  dnnc_value in[__dnnc_num_inputs > 0 ? __dnnc_num_inputs : 1];
  dnnc_value out[__dnnc_num_outputs > 0 ? __dnnc_num_outputs : 1];
  memset(in, 0, sizeof(in));
  memset(out, 0, sizeof(out));
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i) {
    if (__dnnc_inputs[i].kind != DNNC_KIND_TENSOR)
      return DNNC_ERROR_KIND;
    in[i].tensor = inputs[i];
  }
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    if (__dnnc_outputs[i].kind != DNNC_KIND_TENSOR)
      return DNNC_ERROR_KIND;
    out[i].tensor.shape = outputs[i].shape;
  }
  int32_t rc = dnnc_run_values(in, out);
  if (rc == DNNC_OK)
    for (int32_t i = 0; i < __dnnc_num_outputs; ++i)
      outputs[i] = out[i].tensor;
  return rc;
}

/* The bare-pointer entry of static models. */
static int32_t runBare(const void *const *inputs, void *const *outputs) {
  int32_t n = __dnnc_num_inputs + __dnnc_num_outputs;
  void *buffers[n > 0 ? n : 1];
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i) {
    if (!inputs || !inputs[i])
      return DNNC_ERROR_NULL_BUFFER;
    buffers[i] = (void *)inputs[i];
  }
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    if (!outputs || !outputs[i])
      return DNNC_ERROR_NULL_BUFFER;
    buffers[__dnnc_num_inputs + i] = outputs[i];
  }
  __dnnc_run_begin();
  __dnnc_entry(buffers);
  return DNNC_OK;
}

int32_t dnnc_run(const void *const *inputs, void *const *outputs) {
  if (dnnc_is_dynamic())
    return DNNC_ERROR_DYNAMIC_MODEL;
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i)
    if (__dnnc_outputs[i].dtype == DNNC_STRING)
      return DNNC_ERROR_STRING_OUTPUT;
  if (!__dnnc_descriptors) {
    int32_t rc = runBare(inputs, outputs);
    dnnc_rt_strings_release();
    return rc;
  }
  /* A static model with a descriptor entry: run it, copy the outputs. */
  dnnc_tensor in[__dnnc_num_inputs > 0 ? __dnnc_num_inputs : 1];
  dnnc_tensor out[__dnnc_num_outputs > 0 ? __dnnc_num_outputs : 1];
  int64_t dims[__dnnc_num_outputs > 0 ? __dnnc_num_outputs : 1][16];
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i) {
    const dnnc_tensor_info *info = &__dnnc_inputs[i];
    if (!inputs || !inputs[i])
      return DNNC_ERROR_NULL_BUFFER;
    in[i].data = (void *)inputs[i];
    in[i].dtype = info->dtype;
    in[i].rank = info->rank;
    in[i].shape = (int64_t *)info->shape;
    in[i].allocation = NULL;
  }
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    if (!outputs || !outputs[i])
      return DNNC_ERROR_NULL_BUFFER;
    if (__dnnc_outputs[i].rank > 16)
      return DNNC_ERROR_SHAPE;
    out[i].shape = dims[i];
  }
  int32_t rc = dnnc_run_tensors(in, out);
  if (rc != DNNC_OK)
    return rc;
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    const dnnc_tensor_info *info = &__dnnc_outputs[i];
    size_t bytes = (size_t)numElements(info->rank, info->shape) *
                   (size_t)dnnc_dtype_size(info->dtype);
    memcpy(outputs[i], out[i].data, bytes);
    dnnc_release_tensor(&out[i]);
  }
  return DNNC_OK;
}

void dnnc_release_tensor(dnnc_tensor *tensor) {
  if (!tensor)
    return;
  free(tensor->allocation);
  tensor->allocation = tensor->data = NULL;
}

void dnnc_release_value(dnnc_value *value) {
  if (!value)
    return;
  dnnc_release_tensor(&value->tensor);
  for (int64_t e = 0; e < value->length; ++e)
    dnnc_release_tensor(&value->elements[e]);
  free(value->elements);
  value->elements = NULL;
  value->length = 0;
}
