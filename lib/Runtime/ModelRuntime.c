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
 *===----------------------------------------------------------------------===*/
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

static int32_t runBare(const void *const *inputs, void *const *outputs);
static int64_t numElements(int32_t rank, const int64_t *shape);

uint32_t dnnc_abi_version(void) { return DNNC_ABI_VERSION; }
const char *dnnc_model_name(void) { return __dnnc_name; }
int32_t dnnc_num_inputs(void) { return __dnnc_num_inputs; }
int32_t dnnc_num_outputs(void) { return __dnnc_num_outputs; }
static int32_t infoIsDynamic(const dnnc_tensor_info *t) {
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
  default:
    return "unknown status";
  }
}

static int64_t numElements(int32_t rank, const int64_t *shape) {
  int64_t n = 1;
  for (int32_t d = 0; d < rank; ++d)
    n *= shape[d];
  return n;
}

/* Checks input tensors against the info table. */
static int32_t checkInputs(const dnnc_tensor *inputs) {
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i) {
    const dnnc_tensor *t = &inputs[i];
    const dnnc_tensor_info *info = &__dnnc_inputs[i];
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
  }
  return DNNC_OK;
}

static int32_t runStatic(const dnnc_tensor *inputs, dnnc_tensor *outputs) {
  const void *in[__dnnc_num_inputs > 0 ? __dnnc_num_inputs : 1];
  void *out[__dnnc_num_outputs > 0 ? __dnnc_num_outputs : 1];
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i)
    in[i] = inputs[i].data;
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
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    if (rc != DNNC_OK) {
      free(out[i]);
      continue;
    }
    const dnnc_tensor_info *info = &__dnnc_outputs[i];
    outputs[i].data = outputs[i].allocation = out[i];
    for (int32_t d = 0; d < info->rank; ++d)
      outputs[i].shape[d] = info->shape[d];
  }
  return rc;
}

static int32_t runDynamic(const dnnc_tensor *inputs, dnnc_tensor *outputs) {
  /* One 64-bit word array holds every descriptor. */
  int64_t words = 0;
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i)
    words += 3 + 2 * (int64_t)__dnnc_inputs[i].rank;
  int64_t outWords = 0;
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i)
    outWords += 3 + 2 * (int64_t)__dnnc_outputs[i].rank;
  int64_t storage[words + outWords + 1];
  void *args[1 + __dnnc_num_inputs];
  int64_t *w = storage + outWords;
  args[0] = storage;
  for (int32_t i = 0; i < __dnnc_num_inputs; ++i) {
    const dnnc_tensor *t = &inputs[i];
    args[1 + i] = w;
    w[0] = w[1] = (int64_t)(intptr_t)t->data;
    w[2] = 0;
    int64_t stride = 1;
    for (int32_t d = t->rank - 1; d >= 0; --d) {
      w[3 + d] = t->shape[d];
      w[3 + t->rank + d] = stride;
      stride *= t->shape[d];
    }
    w += 3 + 2 * t->rank;
  }
  __dnnc_entry(args);
  int64_t *o = storage;
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    const dnnc_tensor_info *info = &__dnnc_outputs[i];
    char *aligned = (char *)(intptr_t)o[1];
    outputs[i].allocation = (void *)(intptr_t)o[0];
    outputs[i].data = aligned + o[2] * dnnc_dtype_size(info->dtype);
    for (int32_t d = 0; d < info->rank; ++d)
      outputs[i].shape[d] = o[3 + d];
    o += 3 + 2 * info->rank;
  }
  return DNNC_OK;
}

int32_t dnnc_run_tensors(const dnnc_tensor *inputs, dnnc_tensor *outputs) {
  if ((__dnnc_num_inputs > 0 && !inputs) ||
      (__dnnc_num_outputs > 0 && !outputs))
    return DNNC_ERROR_NULL_BUFFER;
  int32_t rc = checkInputs(inputs);
  if (rc != DNNC_OK)
    return rc;
  for (int32_t i = 0; i < __dnnc_num_outputs; ++i) {
    const dnnc_tensor_info *info = &__dnnc_outputs[i];
    if (info->rank > 0 && !outputs[i].shape)
      return DNNC_ERROR_NULL_BUFFER;
    outputs[i].data = outputs[i].allocation = NULL;
    outputs[i].dtype = info->dtype;
    outputs[i].rank = info->rank;
  }
  return __dnnc_descriptors ? runDynamic(inputs, outputs)
                            : runStatic(inputs, outputs);
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
  __dnnc_entry(buffers);
  return DNNC_OK;
}

int32_t dnnc_run(const void *const *inputs, void *const *outputs) {
  if (dnnc_is_dynamic())
    return DNNC_ERROR_DYNAMIC_MODEL;
  if (!__dnnc_descriptors)
    return runBare(inputs, outputs);
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
