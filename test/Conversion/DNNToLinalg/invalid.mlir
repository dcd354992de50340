// RUN: dnnc-opt %s --split-input-file --convert-dnn-to-linalg --verify-diagnostics
// An op the lowering cannot handle is reported at its location with the
// reason, instead of "failed to legalize".

func.func @dynamic(%x: tensor<1x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{cannot lower 'dnn.expand' to linalg: expand to a run-time shape}}
  %0 = dnn.expand %x : tensor<1x4xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @conv4d(%x: tensor<1x2x3x3x3x3xf32>, %w: tensor<1x2x2x2x2x2xf32>) -> tensor<1x1x2x2x2x2xf32> {
  // expected-error @+1 {{cannot lower 'dnn.conv' to linalg: convolutions with more than 3 spatial dims}}
  %0 = dnn.conv %x, %w {dilations = array<i64: 1, 1, 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>}
       : (tensor<1x2x3x3x3x3xf32>, tensor<1x2x2x2x2x2xf32>) -> tensor<1x1x2x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2x2xf32>
}
