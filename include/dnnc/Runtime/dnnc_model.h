/*===- dnnc_model.h - C ABI of a dnnc-compiled model ---------------*- C -*-===*
 *
 * A model compiled by dnnc (MODEL.so) exports these functions. The ABI is
 * versioned: DNNC_ABI_VERSION changes whenever a signature or a struct
 * layout changes; loaders must check dnnc_abi_version() first.
 *
 * Tensors are dense, row-major, in the element type of their info, and are
 * owned by the caller: dnnc_run reads the inputs and writes every output
 * into caller-allocated buffers of the advertised size.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DNNC_RUNTIME_DNNC_MODEL_H
#define DNNC_RUNTIME_DNNC_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNNC_ABI_VERSION 1

/* Element types use the ONNX TensorProto codes. */
typedef enum {
  DNNC_FLOAT = 1,
  DNNC_UINT8 = 2,
  DNNC_INT8 = 3,
  DNNC_UINT16 = 4,
  DNNC_INT16 = 5,
  DNNC_INT32 = 6,
  DNNC_INT64 = 7,
  DNNC_BOOL = 9,
  DNNC_FLOAT16 = 10,
  DNNC_DOUBLE = 11,
  DNNC_UINT32 = 12,
  DNNC_UINT64 = 13,
  DNNC_BFLOAT16 = 16
} dnnc_dtype;

typedef struct {
  const char *name;     /* ONNX value name */
  int32_t dtype;        /* dnnc_dtype */
  int32_t rank;         /* number of dims */
  const int64_t *shape; /* rank dims */
} dnnc_tensor_info;

/* Status codes of dnnc_run. */
#define DNNC_OK 0
#define DNNC_ERROR_NULL_BUFFER 1

uint32_t dnnc_abi_version(void);
const char *dnnc_model_name(void);
int32_t dnnc_num_inputs(void);
int32_t dnnc_num_outputs(void);
/* NULL when the index is out of range. */
const dnnc_tensor_info *dnnc_input_info(int32_t index);
const dnnc_tensor_info *dnnc_output_info(int32_t index);
/* Runs the model; inputs[i] / outputs[i] point to dense buffers. */
int32_t dnnc_run(const void *const *inputs, void *const *outputs);
/* Bytes per element of a dtype, 0 if unknown. */
int32_t dnnc_dtype_size(int32_t dtype);

#ifdef __cplusplus
}
#endif

#endif /* DNNC_RUNTIME_DNNC_MODEL_H */
