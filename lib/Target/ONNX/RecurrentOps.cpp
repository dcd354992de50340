//===- RecurrentOps.cpp - RNN, GRU and LSTM as loops over time -----------===//
//
// The input projection X * W^T (+ both biases) is one matmul over all time
// steps; an scf.for over the steps then adds H * R^T, splits the gates,
// applies the activations, updates H (and C) and writes the step's row of Y.
// Sequence lengths may be run-time; per-batch sequence_lens mask the state
// updates (and zero Y) past each batch's length. Directions run
// independently and are stacked.
//
//===----------------------------------------------------------------------===//
#include "Composition.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include <limits>

using namespace mlir;
using namespace dnnc;
using namespace dnnc::onnximport;

namespace {
enum class Cell { RNN, GRU, LSTM };

struct RecurrentBuilder {
  NodeImporter &n;
  Type et;
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
  Value slice(Value v, int64_t dim, int64_t offset, int64_t size) {
    return sliceAxis(n, v, dim, offset, size);
  }
  /// Direction `d` of a [dirs, ...] tensor.
  Value direction(Value v, int64_t d) {
    auto t = cast<RankedTensorType>(v.getType());
    return n.create<dnn::GatherOp>(
        type(t.getShape().drop_front()), v,
        n.constant(DenseElementsAttr::get(
            RankedTensorType::get({}, n.b.getI64Type()), d)),
        n.b.getI64IntegerAttr(0));
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
  if (cell == Cell::LSTM && n.attrInt("input_forget", 0))
    return n.fail("input_forget is not supported");
  RecurrentBuilder rb{n, et, n.attrFloat("clip", 0.0f), {}, {}, {}};
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

  if (ShapedType::isDynamic(hidden) || hidden <= 0)
    return n.fail("hidden_size is needed when R has run-time dims");
  // X as [seq, batch, input].
  Value x = n.input(0);
  if (layout)
    x = n.create<dnn::TransposeOp>(
        rb.type({xt.getDimSize(1), xt.getDimSize(0), xt.getDimSize(2)}), x,
        n.b.getDenseI64ArrayAttr({1, 0, 2}));
  auto x3 = cast<RankedTensorType>(x.getType());
  int64_t seq = x3.getDimSize(0), batch = x3.getDimSize(1);
  bool lbr = n.attrInt("linear_before_reset", 0);
  Type i64 = n.b.getI64Type();
  Location loc = n.loc;
  auto cidx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(n.b, loc, v);
  };

  // sequence_lens: one constant length for every batch shortens the loop;
  // per-batch lengths ([batch, 1]) mask the updates past each length.
  Value seqLen = tensor::DimOp::create(n.b, loc, x, 0), lens;
  if (n.hasInput(4)) {
    auto c = n.constInts(4);
    if (c && !c->empty() &&
        llvm::all_of(*c, [&](int64_t l) { return l == c->front(); })) {
      seqLen = arith::MinSIOp::create(n.b, loc, seqLen, cidx(c->front()));
    } else {
      if (direction != "forward")
        return n.fail("per-batch sequence_lens are supported for the "
                      "forward direction only");
      lens = n.input(4);
      auto lt = n.inputType(4);
      if (!lt.getElementType().isInteger(64))
        lens = n.create<dnn::CastOp>(RankedTensorType::get(lt.getShape(), i64),
                                     lens);
      lens = n.create<dnn::UnsqueezeOp>(
          RankedTensorType::get({lt.getDimSize(0), 1}, i64), lens,
          n.b.getDenseI64ArrayAttr({1}));
    }
  }
  // Zeros of [dims of x from `from`..., hidden].
  auto zeros = [&](int64_t from) -> Value {
    SmallVector<int64_t> shape(x3.getShape().slice(from, 2 - from));
    shape.push_back(hidden);
    Value s = n.create<dnn::ConcatOp>(
        RankedTensorType::get({(int64_t)shape.size()}, i64),
        ValueRange{dimsOf(n, x, from, 2), i64Vector(n, {hidden})},
        n.b.getI64IntegerAttr(0));
    return n.create<dnn::ConstantOfShapeOp>(rb.type(shape), s,
                                            n.b.getFloatAttr(et, 0.0));
  };

  SmallVector<Value> yh, yc, ys;
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = direction == "reverse" || d == 1;
    Value w = rb.direction(n.input(1), d); // [G*h, in]
    // [G*h, h]; with run-time dims, taken to have the declared hidden size.
    Value r = castTo(n, rb.direction(n.input(2), d),
                     rb.type({gates * hidden, hidden}));
    auto wt2 = cast<RankedTensorType>(w.getType());
    Value wT = n.create<dnn::TransposeOp>(
        rb.type({wt2.getDimSize(1), wt2.getDimSize(0)}), w,
        n.b.getDenseI64ArrayAttr({1, 0}));
    Value rT = n.create<dnn::TransposeOp>(rb.type({hidden, gates * hidden}), r,
                                          n.b.getDenseI64ArrayAttr({1, 0}));
    // Input projection for all steps: [seq, batch, G*h].
    Value xw = n.create<dnn::MatMulOp>(x, wT);
    Value wb, rbias;
    if (n.hasInput(3)) {
      Value bias = rb.direction(n.input(3), d);
      wb = rb.slice(bias, 0, 0, gates * hidden);
      rbias = rb.slice(bias, 0, gates * hidden, gates * hidden);
      if (cell != Cell::GRU || !lbr)
        xw = n.create<dnn::AddOp>(xw, n.create<dnn::AddOp>(wb, rbias));
      else
        xw = n.create<dnn::AddOp>(xw, wb);
    }
    auto initial = [&](size_t idx) -> Value {
      if (n.hasInput(idx))
        return rb.direction(n.input(idx), d);
      return zeros(1);
    };
    Value h0 = initial(5);
    Value c0 = cell == Cell::LSTM ? initial(6) : Value();
    Value pi, po, pf;
    if (cell == Cell::LSTM && n.hasInput(7)) {
      Value p = rb.direction(n.input(7), d);
      pi = rb.slice(p, 0, 0, hidden);
      po = rb.slice(p, 0, hidden, hidden);
      pf = rb.slice(p, 0, 2 * hidden, hidden);
    }
    int64_t a0 = d * perDir;
    // One step: (H, C) from the projected input row and the previous state.
    auto step = [&](Value xt1, Value h, Value c) -> LogicalResult {
      Value hr = n.create<dnn::MatMulOp>(h, rT);
      auto gate = [&](Value v, int64_t g) {
        return rb.slice(v, 1, g * hidden, hidden);
      };
      if (cell == Cell::RNN) {
        auto v = rb.act(a0, rb.clipped(n.create<dnn::AddOp>(xt1, hr)));
        if (failed(v))
          return failure();
        h0 = *v;
        return success();
      }
      if (cell == Cell::GRU) {
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
        h0 = n.create<dnn::AddOp>(n.create<dnn::MulOp>(oneMinus, *ht),
                                  n.create<dnn::MulOp>(*z, h));
        return success();
      }
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
      c0 = n.create<dnn::AddOp>(n.create<dnn::MulOp>(*f, c),
                                n.create<dnn::MulOp>(*i, *cc));
      if (po)
        go = n.create<dnn::AddOp>(go, n.create<dnn::MulOp>(po, c0));
      auto o = rb.act(a0, rb.clipped(go));
      auto hc = rb.act(a0 + 2, c0);
      if (failed(o) || failed(hc))
        return failure();
      h0 = n.create<dnn::MulOp>(*o, *hc);
      return success();
    };
    // The loop carries H, C and Y ([seq, batch, hidden], zero-initialized:
    // steps past a sequence's length stay zero).
    SmallVector<Value> inits = {h0, zeros(0)};
    if (c0)
      inits.push_back(c0);
    bool ok = true;
    auto loop = scf::ForOp::create(
        n.b, loc, cidx(0), seqLen, cidx(1), inits,
        [&](OpBuilder &, Location, Value s, ValueRange args) {
          Value t = s;
          if (reverse)
            t = arith::SubIOp::create(
                n.b, loc, arith::SubIOp::create(n.b, loc, seqLen, cidx(1)), s);
          // Row t of the projection: [batch, G*h].
          SmallVector<OpFoldResult> offs(3, n.b.getIndexAttr(0)),
              sizes = tensor::getMixedSizes(n.b, loc, xw),
              strides(3, n.b.getIndexAttr(1));
          offs[0] = t;
          sizes[0] = n.b.getIndexAttr(1);
          auto xwt = cast<RankedTensorType>(xw.getType());
          Value xt1 = tensor::ExtractSliceOp::create(
              n.b, loc, rb.type(xwt.getShape().drop_front()), xw, offs, sizes,
              strides);
          Value h = args[0], c = c0 ? args[2] : Value();
          if (failed(step(xt1, h, c))) {
            ok = false;
            scf::YieldOp::create(n.b, loc, args);
            return;
          }
          Value row = h0;
          if (lens) {
            // Past the batch's length: keep the state, write zeros.
            Value ti =
                tensorOf(n, arith::IndexCastOp::create(n.b, loc, i64, t));
            Value on = n.create<dnn::LessOp>(ti, lens);
            h0 = n.create<dnn::WhereOp>(on, h0, h);
            if (c0)
              c0 = n.create<dnn::WhereOp>(on, c0, c);
            row = n.create<dnn::WhereOp>(on, row, rb.scalar(0.0));
          }
          SmallVector<OpFoldResult> yoffs(3, n.b.getIndexAttr(0)),
              ysizes = tensor::getMixedSizes(n.b, loc, row);
          yoffs[0] = t;
          ysizes.insert(ysizes.begin(), n.b.getIndexAttr(1));
          Value y = tensor::InsertSliceOp::create(
              n.b, loc, row, args[1], yoffs, ysizes,
              SmallVector<OpFoldResult>(3, n.b.getIndexAttr(1)));
          SmallVector<Value> next = {castTo(n, h0, args[0].getType()), y};
          if (c0)
            next.push_back(castTo(n, c0, args[2].getType()));
          scf::YieldOp::create(n.b, loc, next);
        });
    if (!ok)
      return failure();
    auto unsq = [&](Value v, int64_t axis) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(t.getShape());
      shape.insert(shape.begin() + axis, 1);
      return n.create<dnn::UnsqueezeOp>(rb.type(shape), v,
                                        n.b.getDenseI64ArrayAttr({axis}));
    };
    ys.push_back(unsq(loop.getResult(1), 1)); // [seq, 1, batch, hidden]
    yh.push_back(unsq(loop.getResult(0), 0));
    if (c0)
      yc.push_back(unsq(loop.getResult(2), 0));
  }
  auto concat = [&](ArrayRef<Value> vs, int64_t axis) -> Value {
    if (vs.size() == 1)
      return vs[0];
    auto t = cast<RankedTensorType>(vs[0].getType());
    SmallVector<int64_t> shape(t.getShape());
    if (!t.isDynamicDim(axis))
      shape[axis] *= vs.size();
    return n.create<dnn::ConcatOp>(rb.type(shape), vs,
                                   n.b.getI64IntegerAttr(axis));
  };
  if (n.hasOutput(0)) {
    Value y = concat(ys, 1); // [seq, dirs, batch, hidden]
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
  r.allowRuntimeDims({"RNN", "GRU", "LSTM"});
  for (int v : {7, 14}) {
    r.add("RNN", v,
          [](NodeImporter &n) { return importRecurrent(n, Cell::RNN); });
    r.add("GRU", v,
          [](NodeImporter &n) { return importRecurrent(n, Cell::GRU); });
    r.add("LSTM", v,
          [](NodeImporter &n) { return importRecurrent(n, Cell::LSTM); });
  }
}
