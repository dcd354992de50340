/*===- dnnc_model.h - C ABI of a dnnc-compiled model ---------------*- C -*-===*
 *
 * A model compiled by dnnc (MODEL.so) exports these functions. The ABI is
 * versioned: DNNC_ABI_VERSION changes whenever a signature or a struct
 * layout changes; loaders must check dnnc_abi_version() first.
 *
 * Tensors are dense and row-major, in the element type of their info. A dim
 * of -1 in an info's shape is known only at run time (a symbolic dim of the
 * ONNX model); such a model is "dynamic" and runs with dnnc_run_tensors on
 * inputs of any size that fits. dnnc_run_tensors works for every model;
 * dnnc_run is the zero-copy call of static models, writing the outputs
 * into caller-allocated buffers of the advertised sizes. Models with ONNX
 * sequence or optional inputs or outputs (info kind other than
 * DNNC_KIND_TENSOR) run with dnnc_run_values, which also runs every other
 * model.
 *
 * String tensors (DNNC_STRING) hold one `const char *` per element. Input
 * strings stay the caller's; a string output comes back as one allocation
 * (the pointers, then the characters) that dnnc_release_tensor frees, so
 * models with string outputs run with dnnc_run_tensors or dnnc_run_values.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DNNC_RUNTIME_DNNC_MODEL_H
#define DNNC_RUNTIME_DNNC_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNNC_ABI_VERSION 5

/* Element types use the ONNX TensorProto codes. */
typedef enum {
  DNNC_FLOAT = 1,
  DNNC_UINT8 = 2,
  DNNC_INT8 = 3,
  DNNC_UINT16 = 4,
  DNNC_INT16 = 5,
  DNNC_INT32 = 6,
  DNNC_INT64 = 7,
  DNNC_STRING = 8, /* elements are `const char *` (NUL-terminated UTF-8) */
  DNNC_BOOL = 9,
  DNNC_FLOAT16 = 10,
  DNNC_DOUBLE = 11,
  DNNC_UINT32 = 12,
  DNNC_UINT64 = 13,
  DNNC_BFLOAT16 = 16
} dnnc_dtype;

/* What a model input or output is. */
#define DNNC_KIND_TENSOR 0
#define DNNC_KIND_SEQUENCE 1 /* an ONNX sequence: any number of tensors */
#define DNNC_KIND_OPTIONAL_TENSOR 2   /* an ONNX optional tensor */
#define DNNC_KIND_OPTIONAL_SEQUENCE 3 /* an ONNX optional sequence */

typedef struct {
  const char *name;     /* ONNX value name */
  int32_t dtype;        /* dnnc_dtype (of each tensor of a sequence) */
  int32_t rank;         /* number of dims (of each tensor of a sequence) */
  const int64_t *shape; /* rank dims; -1 where known only at run time */
  int32_t kind;         /* DNNC_KIND_* */
} dnnc_tensor_info;

/* A tensor passed to or returned by dnnc_run_tensors. */
typedef struct {
  void *data;       /* dense row-major elements */
  int32_t dtype;    /* dnnc_dtype */
  int32_t rank;     /* number of dims */
  int64_t *shape;   /* rank dims (for outputs: caller storage, filled in) */
  void *allocation; /* outputs: what dnnc_release_tensor frees */
} dnnc_tensor;

/* An input or output of dnnc_run_values: a tensor or a sequence. */
typedef struct {
  int32_t kind;          /* the info's kind */
  dnnc_tensor tensor;    /* DNNC_KIND_TENSOR: as for dnnc_run_tensors */
  int64_t length;        /* DNNC_KIND_SEQUENCE: number of tensors */
  dnnc_tensor *elements; /* DNNC_KIND_SEQUENCE: the tensors (for outputs
                            allocated by the model, shapes included) */
  int32_t has_value;     /* optional kinds: 0 when the optional holds nothing
                            (then tensor, length and elements are unused) */
} dnnc_value;

/* Status codes. */
#define DNNC_OK 0
#define DNNC_ERROR_NULL_BUFFER 1
#define DNNC_ERROR_SHAPE 2         /* a rank or static dim does not match */
#define DNNC_ERROR_DTYPE 3         /* an input has another element type */
#define DNNC_ERROR_DYNAMIC_MODEL 4 /* dnnc_run on a dynamic model */
#define DNNC_ERROR_OUT_OF_MEMORY 5
#define DNNC_ERROR_KIND                                                        \
  6 /* a sequence where a tensor is due, or the                                \
       reverse (dnnc_run_tensors on a sequence model) */
#define DNNC_ERROR_STRING_OUTPUT                                               \
  7 /* dnnc_run on a model with string outputs (their characters need storage  \
       the model allocates: use dnnc_run_tensors) */
#define DNNC_ERROR_INVALID_ARGUMENT 8 /* an argument out of its range */

uint32_t dnnc_abi_version(void);
const char *dnnc_model_name(void);
int32_t dnnc_num_inputs(void);
int32_t dnnc_num_outputs(void);
/* 1 when some input or output dim is known only at run time. */
int32_t dnnc_is_dynamic(void);
/* NULL when the index is out of range. */
const dnnc_tensor_info *dnnc_input_info(int32_t index);
const dnnc_tensor_info *dnnc_output_info(int32_t index);
/* Static models: inputs[i] / outputs[i] point to dense buffers of the
   advertised sizes. Dynamic models return DNNC_ERROR_DYNAMIC_MODEL. */
int32_t dnnc_run(const void *const *inputs, void *const *outputs);
/* Any model: inputs[i] describe the input tensors (dtype, rank and the static
   dims must match the info); for outputs[i] the caller sets shape to storage
   for rank dims and the model sets data, dtype, rank, shape and allocation.
   On failure no output is allocated. */
int32_t dnnc_run_tensors(const dnnc_tensor *inputs, dnnc_tensor *outputs);
/* Frees an output of dnnc_run_tensors (data and allocation become NULL). */
void dnnc_release_tensor(dnnc_tensor *tensor);
/* Any model, sequences and optionals included: inputs[i].kind must be the
   info's kind; an optional input sets has_value (0: it holds nothing); a
   sequence input lists its tensors (each of the info's dtype and rank). For
   tensor outputs the caller sets tensor.shape as for dnnc_run_tensors; a
   sequence output gets `length` tensors in `elements`, all allocated by the
   model. On failure no output is allocated. */
int32_t dnnc_run_values(const dnnc_value *inputs, dnnc_value *outputs);
/* Frees an output of dnnc_run_values (a tensor, or a sequence's tensors and
   their array). */
void dnnc_release_value(dnnc_value *value);
/* Bytes per element of a dtype, 0 if unknown. */
int32_t dnnc_dtype_size(int32_t dtype);
/* A message for a status code. */
const char *dnnc_status_string(int32_t status);
/* Threads for the parallel loops of the runs the calling thread makes from
   now on (0: the OpenMP default, OMP_NUM_THREADS or one per core). Returns
   DNNC_OK, or DNNC_ERROR_INVALID_ARGUMENT for a negative count. */
int32_t dnnc_set_num_threads(int32_t threads);

/* Memory of the model: its weights, and the buffers of the last run the
   calling thread made (before any run, 0). */
typedef struct {
  int64_t weight_bytes;    /* constant data in the library (weights) */
  int64_t peak_live_bytes; /* the most bytes of buffers in use at once */
  int64_t peak_held_bytes; /* the same plus freed buffers kept for reuse */
} dnnc_memory_info;
int32_t dnnc_get_memory_info(dnnc_memory_info *info);

#ifdef __cplusplus
}
#endif

#endif /* DNNC_RUNTIME_DNNC_MODEL_H */
