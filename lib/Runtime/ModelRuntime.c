/*===- ModelRuntime.c - The C runtime linked into every MODEL.so ----------===*
 *
 * Implements the C ABI (dnnc_model.h) on top of what the compiler emits into
 * the model object: the tensor tables and __dnnc_entry(void **buffers), which
 * takes the input buffers followed by the output buffers.
 *
 *===----------------------------------------------------------------------===*/
#include "dnnc/Runtime/dnnc_model.h"
#include <stddef.h>

#define DNNC_HIDDEN __attribute__((visibility("hidden")))

extern DNNC_HIDDEN const int32_t __dnnc_num_inputs;
extern DNNC_HIDDEN const int32_t __dnnc_num_outputs;
extern DNNC_HIDDEN const dnnc_tensor_info __dnnc_inputs[];
extern DNNC_HIDDEN const dnnc_tensor_info __dnnc_outputs[];
extern DNNC_HIDDEN const char __dnnc_name[];
extern DNNC_HIDDEN void __dnnc_entry(void **buffers);

uint32_t dnnc_abi_version(void) { return DNNC_ABI_VERSION; }
const char *dnnc_model_name(void) { return __dnnc_name; }
int32_t dnnc_num_inputs(void) { return __dnnc_num_inputs; }
int32_t dnnc_num_outputs(void) { return __dnnc_num_outputs; }

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

int32_t dnnc_run(const void *const *inputs, void *const *outputs) {
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
