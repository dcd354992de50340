// RUN: dnnc-opt %s --convert-dnn-to-linalg --canonicalize | FileCheck %s
// NonMaxSuppression: loops over batches and classes; per class, the scores
// above the threshold mark the candidates (tensor.generate), each pick scans
// for the best remaining box and then sweeps the IoU test over the boxes;
// rows go into a worst-case buffer whose filled prefix is the result.

// CHECK-LABEL: func @nms
// CHECK: %[[BUF:.*]] = tensor.empty(%{{.*}}) : tensor<?x3xi64>
// CHECK: %[[R:.*]]:2 = scf.for {{.*}} iter_args(%{{.*}} = %[[BUF]], %{{.*}} = %c0)
// CHECK:   scf.for
// CHECK:     tensor.generate
// CHECK:       arith.cmpf ogt
// CHECK:     scf.for
// CHECK:       scf.for
// CHECK:         arith.cmpf ogt
// CHECK:       scf.if
// CHECK-COUNT-3: tensor.insert %{{.*}} into %{{.*}}[%{{.*}}, %c{{[0-2]}}] : tensor<?x3xi64>
// CHECK:         scf.for
// CHECK:           arith.divf
// CHECK: tensor.extract_slice %[[R]]#0[0, 0] [%[[R]]#1, 3] [1, 1]
func.func @nms(%b: tensor<2x6x4xf32>, %s: tensor<2x2x6xf32>, %m: tensor<i64>, %iou: tensor<f32>, %st: tensor<f32>) -> tensor<?x3xi64> {
  %0 = dnn.non_max_suppression %b, %s, %m, %iou, %st {center_point_box = false} : (tensor<2x6x4xf32>, tensor<2x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}
