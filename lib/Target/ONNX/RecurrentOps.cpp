//===- RecurrentOps.cpp - RNN, GRU and LSTM, unrolled at import -----------===//
//
// Sequence lengths are static, so the recurrences are unrolled into dnn ops:
// the input projection X * W^T (+ both biases) is one matmul over all time
// steps; each step adds H * R^T, splits the gates, applies the activations
// and updates H (and C). Directions run independently and are stacked.
//
//===----------------------------------------------------------------------===//
#include "NodeImporter.h"

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {
enum class Cell { RNN, GRU, LSTM };

struct RecurrentBuilder {
  NodeImporter &n;
  Type et;
  int64_t hidden, batch;
  float clip;
  SmallVector<std::string> acts;
  SmallVector<float> alphas, betas;

  RankedTensorType type(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, et);
  }
  Value scalar(double v) {
    return n.constant(
        DenseElementsAttr::get(type({}), n.b.getFloatAttr(et, v)));
  }
  /// Slices [offset, offset + size) along `dim` (other dims whole).
  Value slice(Value v, int64_t dim, int64_t offset, int64_t size) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> starts(t.getRank(), 0), steps(t.getRank(), 1),
        shape(t.getShape());
    starts[dim] = offset;
    shape[dim] = size;
    return n.create<dnn::SliceOp>(type(shape), v,
                                  n.b.getDenseI64ArrayAttr(starts),
                                  n.b.getDenseI64ArrayAttr(steps));
  }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    return n.create<dnn::ReshapeOp>(type(shape), v);
  }
  /// Activation `k` of the attribute list (with its alpha/beta).
  FailureOr<Value> act(int64_t k, Value x) {
    const std::string &a = acts[k];
    Type t = x.getType();
    float alpha = k < (int64_t)alphas.size() ? alphas[k] : NAN;
    float beta = k < (int64_t)betas.size() ? betas[k] : NAN;
    auto dflt = [](float v, float d) { return std::isnan(v) ? d : v; };
    if (a == "Sigmoid")
      return n.create<dnn::SigmoidOp>(t, x);
    if (a == "Tanh")
      return n.create<dnn::TanhOp>(t, x);
    if (a == "Relu")
      return n.create<dnn::ReluOp>(t, x);
    if (a == "Softsign")
      return n.create<dnn::SoftsignOp>(t, x);
    if (a == "Softplus")
      return n.create<dnn::SoftplusOp>(t, x);
    if (a == "HardSigmoid")
      return n.create<dnn::HardSigmoidOp>(
          t, x, n.b.getF32FloatAttr(dflt(alpha, 0.2f)),
          n.b.getF32FloatAttr(dflt(beta, 0.5f)));
    if (a == "LeakyRelu")
      return n.create<dnn::LeakyReluOp>(
          t, x, n.b.getF32FloatAttr(dflt(alpha, 0.01f)));
    if (a == "Elu")
      return n.create<dnn::EluOp>(t, x, n.b.getF32FloatAttr(dflt(alpha, 1.0f)));
    (void)n.fail("activation '" + a + "' is not supported");
    return failure();
  }
  Value clipped(Value x) {
    if (clip <= 0)
      return x;
    return n.create<dnn::ClipOp>(x.getType(), x, n.b.getF64FloatAttr(-clip),
                                 n.b.getF64FloatAttr(clip));
  }
};

LogicalResult importRecurrent(NodeImporter &n, Cell cell) {
  auto xt = n.inputType(0), wt = n.inputType(1), rt = n.inputType(2);
  Type et = xt.getElementType();
  if (xt.getRank() != 3 || wt.getRank() != 3 || rt.getRank() != 3 ||
      !isa<FloatType>(et))
    return n.fail("X, W and R must be rank-3 float tensors");
  int64_t gates = cell == Cell::LSTM ? 4 : cell == Cell::GRU ? 3 : 1;
  int64_t hidden = n.attrInt("hidden_size", rt.getDimSize(2));
  int64_t layout = n.attrInt("layout", 0);
  std::string direction = n.attrString("direction", "forward");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" && dirs != 2)
    return n.fail("direction '" + direction + "' is not supported");
  if (n.hasInput(4)) {
    auto lens = n.constInts(4);
    int64_t seq = xt.getDimSize(layout ? 1 : 0);
    if (!lens || llvm::any_of(*lens, [&](int64_t l) { return l != seq; }))
      return n.fail(
          "sequence_lens other than the full length are not supported");
  }
  if (cell == Cell::LSTM && n.attrInt("input_forget", 0))
    return n.fail("input_forget is not supported");
  RecurrentBuilder rb{n, et, hidden, 0, n.attrFloat("clip", 0.0f), {}, {}, {}};
  if (auto *a = n.attr("activations"))
    for (const auto &s : a->strings())
      rb.acts.push_back(s);
  if (rb.acts.empty()) {
    SmallVector<std::string> d =
        cell == Cell::LSTM ? SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"}
        : cell == Cell::GRU ? SmallVector<std::string>{"Sigmoid", "Tanh"}
                            : SmallVector<std::string>{"Tanh"};
    for (int64_t i = 0; i < dirs; ++i)
      rb.acts.append(d.begin(), d.end());
  }
  if (auto *a = n.attr("activation_alpha"))
    rb.alphas.assign(a->floats().begin(), a->floats().end());
  if (auto *a = n.attr("activation_beta"))
    rb.betas.assign(a->floats().begin(), a->floats().end());
  int64_t perDir = rb.acts.size() / dirs;

  // X as [seq, batch, input].
  Value x = n.input(0);
  if (layout)
    x = n.create<dnn::TransposeOp>(
        rb.type({xt.getDimSize(1), xt.getDimSize(0), xt.getDimSize(2)}), x,
        n.b.getDenseI64ArrayAttr({1, 0, 2}));
  auto x3 = cast<RankedTensorType>(x.getType());
  int64_t seq = x3.getDimSize(0), batch = x3.getDimSize(1),
          inSize = x3.getDimSize(2);
  rb.batch = batch;
  bool lbr = n.attrInt("linear_before_reset", 0);

  SmallVector<Value> yh, yc;
  SmallVector<SmallVector<Value>> ys(dirs);
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = direction == "reverse" || d == 1;
    auto take = [&](Value v,
                    int64_t rows) { // [dirs, rows, cols] -> [rows, cols]
      auto t = cast<RankedTensorType>(v.getType());
      Value s = rb.slice(v, 0, d, 1);
      return rb.reshape(s, {rows, t.getDimSize(2)});
    };
    Value w = take(n.input(1), gates * hidden); // [G*h, in]
    Value r = take(n.input(2), gates * hidden); // [G*h, h]
    Value wT = n.create<dnn::TransposeOp>(rb.type({inSize, gates * hidden}), w,
                                          n.b.getDenseI64ArrayAttr({1, 0}));
    Value rT = n.create<dnn::TransposeOp>(rb.type({hidden, gates * hidden}), r,
                                          n.b.getDenseI64ArrayAttr({1, 0}));
    // Input projection for all steps: [seq, batch, G*h].
    Value xw = n.create<dnn::MatMulOp>(x, wT);
    Value wb, rbias;
    if (n.hasInput(3)) {
      Value bias =
          rb.reshape(rb.slice(n.input(3), 0, d, 1), {2 * gates * hidden});
      wb = rb.slice(bias, 0, 0, gates * hidden);
      rbias = rb.slice(bias, 0, gates * hidden, gates * hidden);
      if (cell != Cell::GRU || !lbr)
        xw = n.create<dnn::AddOp>(xw, n.create<dnn::AddOp>(wb, rbias));
      else
        xw = n.create<dnn::AddOp>(xw, wb);
    }
    auto initial = [&](size_t idx) -> Value {
      if (n.hasInput(idx))
        return rb.reshape(rb.slice(n.input(idx), 0, d, 1), {batch, hidden});
      return n.constant(DenseElementsAttr::get(rb.type({batch, hidden}),
                                               n.b.getFloatAttr(et, 0.0)));
    };
    Value h = initial(5);
    Value c = cell == Cell::LSTM ? initial(6) : Value();
    Value pi, po, pf;
    if (cell == Cell::LSTM && n.hasInput(7)) {
      Value p = rb.reshape(rb.slice(n.input(7), 0, d, 1), {3 * hidden});
      pi = rb.slice(p, 0, 0, hidden);
      po = rb.slice(p, 0, hidden, hidden);
      pf = rb.slice(p, 0, 2 * hidden, hidden);
    }
    int64_t a0 = d * perDir;
    for (int64_t s = 0; s < seq; ++s) {
      int64_t t = reverse ? seq - 1 - s : s;
      Value xt1 = rb.reshape(rb.slice(xw, 0, t, 1), {batch, gates * hidden});
      Value hr = n.create<dnn::MatMulOp>(h, rT);
      auto gate = [&](Value v, int64_t g) {
        return rb.slice(v, 1, g * hidden, hidden);
      };
      if (cell == Cell::RNN) {
        auto v = rb.act(a0, rb.clipped(n.create<dnn::AddOp>(xt1, hr)));
        if (failed(v))
          return failure();
        h = *v;
      } else if (cell == Cell::GRU) {
        Value sum = n.create<dnn::AddOp>(xt1, hr);
        auto z = rb.act(a0, rb.clipped(gate(sum, 0)));
        auto rr = rb.act(a0, rb.clipped(gate(sum, 1)));
        if (failed(z) || failed(rr))
          return failure();
        Value hh;
        Value rbh = rbias ? rb.slice(rbias, 0, 2 * hidden, hidden) : Value();
        if (lbr) {
          Value hrh = gate(hr, 2);
          if (rbh)
            hrh = n.create<dnn::AddOp>(hrh, rbh);
          hh = n.create<dnn::AddOp>(gate(xt1, 2),
                                    n.create<dnn::MulOp>(*rr, hrh));
        } else {
          Value rh = n.create<dnn::MulOp>(*rr, h);
          Value rhR =
              n.create<dnn::MatMulOp>(rh, rb.slice(rT, 1, 2 * hidden, hidden));
          hh = n.create<dnn::AddOp>(gate(xt1, 2), rhR);
        }
        auto ht = rb.act(a0 + 1, rb.clipped(hh));
        if (failed(ht))
          return failure();
        // H = (1 - z) * ht + z * H
        Value oneMinus = n.create<dnn::SubOp>(rb.scalar(1.0), *z);
        h = n.create<dnn::AddOp>(n.create<dnn::MulOp>(oneMinus, *ht),
                                 n.create<dnn::MulOp>(*z, h));
      } else {
        Value sum = n.create<dnn::AddOp>(xt1, hr);
        Value gi = gate(sum, 0), go = gate(sum, 1), gf = gate(sum, 2),
              gc = gate(sum, 3);
        if (pi) {
          gi = n.create<dnn::AddOp>(gi, n.create<dnn::MulOp>(pi, c));
          gf = n.create<dnn::AddOp>(gf, n.create<dnn::MulOp>(pf, c));
        }
        auto i = rb.act(a0, rb.clipped(gi));
        auto f = rb.act(a0, rb.clipped(gf));
        auto cc = rb.act(a0 + 1, rb.clipped(gc));
        if (failed(i) || failed(f) || failed(cc))
          return failure();
        c = n.create<dnn::AddOp>(n.create<dnn::MulOp>(*f, c),
                                 n.create<dnn::MulOp>(*i, *cc));
        if (po)
          go = n.create<dnn::AddOp>(go, n.create<dnn::MulOp>(po, c));
        auto o = rb.act(a0, rb.clipped(go));
        auto hc = rb.act(a0 + 2, c);
        if (failed(o) || failed(hc))
          return failure();
        h = n.create<dnn::MulOp>(*o, *hc);
      }
      ys[d].push_back(h);
    }
    if (reverse)
      std::reverse(ys[d].begin(), ys[d].end());
    yh.push_back(rb.reshape(h, {1, batch, hidden}));
    if (c)
      yc.push_back(rb.reshape(c, {1, batch, hidden}));
  }
  auto concat = [&](ArrayRef<Value> vs, int64_t axis) -> Value {
    if (vs.size() == 1)
      return vs[0];
    auto t = cast<RankedTensorType>(vs[0].getType());
    SmallVector<int64_t> shape(t.getShape());
    shape[axis] *= vs.size();
    return n.create<dnn::ConcatOp>(rb.type(shape), vs,
                                   n.b.getI64IntegerAttr(axis));
  };
  if (n.hasOutput(0)) {
    SmallVector<Value> steps;
    for (int64_t t = 0; t < seq; ++t) {
      SmallVector<Value> perDirs;
      for (int64_t d = 0; d < dirs; ++d)
        perDirs.push_back(rb.reshape(ys[d][t], {1, 1, batch, hidden}));
      steps.push_back(concat(perDirs, 1));
    }
    Value y = concat(steps, 0); // [seq, dirs, batch, hidden]
    if (layout)
      y = n.create<dnn::TransposeOp>(rb.type({batch, seq, dirs, hidden}), y,
                                     n.b.getDenseI64ArrayAttr({2, 0, 1, 3}));
    n.setOutput(0, y);
  }
  auto finalState = [&](ArrayRef<Value> vs) {
    Value v = concat(vs, 0); // [dirs, batch, hidden]
    if (layout)
      v = n.create<dnn::TransposeOp>(rb.type({batch, dirs, hidden}), v,
                                     n.b.getDenseI64ArrayAttr({1, 0, 2}));
    return v;
  };
  if (n.hasOutput(1))
    n.setOutput(1, finalState(yh));
  if (cell == Cell::LSTM && n.hasOutput(2))
    n.setOutput(2, finalState(yc));
  return success();
}
} // namespace

void onnximport::registerRecurrentHandlers(HandlerRegistry &r) {
  for (int v : {7, 14}) {
    r.add("RNN", v,
          [](NodeImporter &n) { return importRecurrent(n, Cell::RNN); });
    r.add("GRU", v,
          [](NodeImporter &n) { return importRecurrent(n, Cell::GRU); });
    r.add("LSTM", v,
          [](NodeImporter &n) { return importRecurrent(n, Cell::LSTM); });
  }
}
