//===- DNNCModule.cpp - pybind11 bindings of the compiler and loader ------===//
//
// _dnnc.compile(path, output, emit, input_shapes, vectorize, winograd, vnni)
//   raises _dnnc.Error(message) with the one-line diagnostic.
// _dnnc.quantize(path, output, calibration, method, percentile, keep_float,
//   input_shapes, report, min_sqnr) -> the report as JSON; calibration is a
//   directory or a list of {name: numpy array}.
// _dnnc.Model(path): .inputs / .outputs (name, dtype, shape) and
//   .run(dict of numpy arrays) -> dict of numpy arrays.
//
//===----------------------------------------------------------------------===//
#include "dnnc/Compiler/Compiler.h"
#include "dnnc/Quantization/PostTraining.h"
#include "dnnc/Runtime/Loader.h"
#include <cstring>
#include <deque>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

namespace {

/// A failed compile; becomes _dnnc.Error in Python.
struct CompileFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr int32_t kString = 8; // ONNX STRING

py::dtype numpyDtype(int32_t code) {
  if (code == kString)
    return py::dtype("O"); // Python str objects
  std::string name = dnnc::dtypeName(code);
  if (name == "bfloat16")
    name = "uint16"; // NumPy has no bfloat16: raw bit patterns.
  return py::dtype(name);
}

/// The UTF-8 bytes of each element of a str/bytes/object array, and a
/// buffer of pointers to them (`ptrs` points into `text`: fill it last).
void stringsOf(const std::string &input, py::array a,
               std::vector<std::string> &text,
               std::vector<const char *> &ptrs) {
  char kind = a.dtype().kind();
  if (kind != 'U' && kind != 'S' && kind != 'O')
    throw py::type_error("input '" + input + "' expects strings but got " +
                         std::string(py::str(a.dtype())));
  py::list flat = a.attr("ravel")().attr("tolist")();
  for (py::handle item : flat) {
    if (py::isinstance<py::str>(item))
      text.push_back(item.cast<std::string>());
    else if (py::isinstance<py::bytes>(item))
      text.push_back(std::string(py::reinterpret_borrow<py::bytes>(item)));
    else
      throw py::type_error("input '" + input + "' holds a " +
                           std::string(py::str(item.get_type())) +
                           ", not a string");
  }
  ptrs.resize(std::max<size_t>(text.size(), 1));
  for (size_t i = 0; i < text.size(); ++i)
    ptrs[i] = text[i].c_str();
}

/// A NumPy object array of str (bytes where the text is not UTF-8).
py::array stringArray(const char *const *strings,
                      const std::vector<int64_t> &shape) {
  py::array a(py::dtype("O"), shape);
  auto **slots = static_cast<PyObject **>(a.mutable_data());
  for (py::ssize_t i = 0; i < a.size(); ++i) {
    PyObject *o =
        PyUnicode_DecodeUTF8(strings[i], std::strlen(strings[i]), "strict");
    if (!o) {
      PyErr_Clear();
      o = PyBytes_FromString(strings[i]);
    }
    Py_XDECREF(slots[i]); // the None NumPy filled in
    slots[i] = o;
  }
  return a;
}

/// ONNX element type of a NumPy dtype (0 if none).
int32_t onnxDtype(const py::dtype &dt) {
  static const std::pair<const char *, int32_t> codes[] = {
      {"float32", 1},  {"uint8", 2},    {"int8", 3},    {"uint16", 4},
      {"int16", 5},    {"int32", 6},    {"int64", 7},   {"bool", 9},
      {"float16", 10}, {"float64", 11}, {"uint32", 12}, {"uint64", 13}};
  std::string name = py::str(dt.attr("name"));
  for (auto &[n, c] : codes)
    if (name == n)
      return c;
  return 0;
}

/// Calibration sets from a directory path or a list of {name: array}.
std::vector<dnnc::CalibrationSet> calibrationSets(py::handle calibration) {
  std::vector<dnnc::CalibrationSet> sets;
  if (py::isinstance<py::str>(calibration)) {
    std::string err;
    if (!dnnc::readCalibrationDir(calibration.cast<std::string>(), sets, err))
      throw CompileFailure(err);
    return sets;
  }
  for (py::handle item : calibration) {
    if (!py::isinstance<py::dict>(item))
      throw py::type_error("calibration: each input set must be a dict of "
                           "{input name: array}");
    dnnc::CalibrationSet set;
    set.label = std::to_string(sets.size());
    for (auto [k, v] : py::reinterpret_borrow<py::dict>(item)) {
      dnnc::HostTensor t;
      t.name = py::str(k);
      py::array a = py::array::ensure(v, py::array::c_style);
      if (!a)
        throw py::type_error("calibration set " + set.label + ": input '" +
                             t.name + "' is not an array");
      t.dtype = onnxDtype(a.dtype());
      if (!t.dtype)
        throw py::type_error("calibration set " + set.label + ": input '" +
                             t.name + "' has unsupported dtype " +
                             std::string(py::str(a.dtype())));
      t.shape.assign(a.shape(), a.shape() + a.ndim());
      const char *p = static_cast<const char *>(a.data());
      t.data.assign(p, p + a.nbytes());
      set.inputs.push_back(std::move(t));
    }
    sets.push_back(std::move(set));
  }
  return sets;
}

struct PyModel {
  std::unique_ptr<dnnc::LoadedModel> model;

  explicit PyModel(const std::string &path) {
    std::string err;
    model = dnnc::LoadedModel::load(path, err);
    if (!model)
      throw std::runtime_error(err);
  }

  /// (name, dtype, shape) tuples; a run-time dim is None in the shape.
  static py::list describe(const std::vector<dnnc::TensorInfo> &list) {
    py::list out;
    for (const auto &t : list) {
      py::list dims;
      for (int64_t d : t.shape)
        dims.append(d < 0 ? py::object(py::none()) : py::object(py::int_(d)));
      out.append(
          py::make_tuple(t.name, dnnc::dtypeName(t.dtype), py::tuple(dims)));
    }
    return out;
  }

  py::dict run(py::dict feeds) const {
    std::vector<py::array> keep;
    // Strings: their bytes and pointer buffers (stable: a deque).
    std::deque<std::vector<std::string>> texts;
    std::deque<std::vector<const char *>> pointers;
    std::vector<const void *> ins;
    std::vector<dnnc::InputTensor> inTensors;
    size_t used = 0;
    for (const auto &info : model->inputs()) {
      if (!feeds.contains(info.name))
        throw py::value_error(model->path() + ": missing input '" + info.name +
                              "'");
      ++used;
      py::array a = py::array::ensure(feeds[py::str(info.name)]);
      if (!a)
        throw py::type_error("input '" + info.name + "' is not an array");
      std::vector<int64_t> dims(a.shape(), a.shape() + a.ndim());
      if (info.dtype == kString) {
        if (!info.accepts(dims))
          throw py::value_error(model->path() + ": input '" + info.name +
                                "' expects shape " +
                                dnnc::shapeString(info.shape) + " but got " +
                                dnnc::shapeString(dims));
        texts.emplace_back();
        pointers.emplace_back();
        stringsOf(info.name, a, texts.back(), pointers.back());
        ins.push_back(pointers.back().data());
        dnnc::InputTensor t;
        t.data = pointers.back().data();
        t.shape = dims;
        inTensors.push_back(std::move(t));
        continue;
      }
      py::dtype want = numpyDtype(info.dtype);
      if (!a.dtype().is(want) && a.dtype().num() != want.num())
        throw py::type_error(model->path() + ": input '" + info.name +
                             "' expects " + dnnc::dtypeName(info.dtype) +
                             " but got " + std::string(py::str(a.dtype())));
      std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
      if (!info.accepts(shape))
        throw py::value_error(model->path() + ": input '" + info.name +
                              "' expects shape " +
                              dnnc::shapeString(info.shape) + " but got " +
                              dnnc::shapeString(shape));
      a = py::array::ensure(a, py::array::c_style | py::array::forcecast);
      keep.push_back(a);
      ins.push_back(a.data());
      dnnc::InputTensor t;
      t.data = a.data();
      t.shape = shape;
      inTensors.push_back(std::move(t));
    }
    if (used != feeds.size())
      for (auto item : feeds) {
        std::string n = py::str(item.first);
        bool known = false;
        for (const auto &info : model->inputs())
          known |= info.name == n;
        if (!known)
          throw py::value_error(model->path() + ": the model has no input '" +
                                n + "'");
      }
    py::dict result;
    bool strings = false; // string outputs: the model allocates them
    for (const auto &info : model->outputs())
      strings |= info.dtype == kString;
    if (model->isDynamic() || strings) {
      std::vector<dnnc::OutputTensor> outs;
      std::string err;
      bool ok;
      {
        py::gil_scoped_release release;
        ok = model->runTensors(inTensors, outs, err);
      }
      if (!ok)
        throw std::runtime_error(err);
      for (size_t i = 0; i < outs.size(); ++i) {
        if (outs[i].dtype() == kString) {
          result[py::str(model->outputs()[i].name)] =
              stringArray(static_cast<const char *const *>(outs[i].data()),
                          outs[i].shape());
          continue;
        }
        py::array a(numpyDtype(outs[i].dtype()), outs[i].shape());
        std::memcpy(a.mutable_data(), outs[i].data(), outs[i].byteSize());
        result[py::str(model->outputs()[i].name)] = a;
      }
      return result;
    }
    std::vector<void *> outs;
    std::vector<py::array> outArrays;
    for (const auto &info : model->outputs()) {
      py::array a(numpyDtype(info.dtype), info.shape);
      outArrays.push_back(a);
      outs.push_back(a.mutable_data());
    }
    std::string err;
    bool ok;
    {
      py::gil_scoped_release release;
      ok = model->run(ins, outs, err);
    }
    if (!ok)
      throw std::runtime_error(err);
    for (size_t i = 0; i < outs.size(); ++i)
      result[py::str(model->outputs()[i].name)] = outArrays[i];
    return result;
  }
};

} // namespace

PYBIND11_MODULE(_dnnc, m) {
  m.doc() = "dnnc native bindings (use the dnnc package)";
  py::register_exception<CompileFailure>(m, "Error");
  m.def(
      "compile",
      [](const std::string &path, const std::string &output,
         const std::string &emit,
         const std::map<std::string, std::vector<int64_t>> &shapes,
         bool vectorize, bool winograd, bool vnni) {
        dnnc::CompileOptions opts;
        auto kind = dnnc::parseEmitKind(emit);
        if (!kind)
          throw py::value_error("unknown emit kind '" + emit + "'");
        opts.emit = *kind;
        opts.output = output;
        opts.vectorize = vectorize;
        opts.winograd = winograd;
        opts.vnni = opts.vnni && vnni;
        for (auto &[k, v] : shapes)
          opts.import.inputShapes[k] = v;
        std::string err;
        bool ok;
        {
          py::gil_scoped_release release;
          ok = dnnc::compileModel(path, opts, err);
        }
        if (!ok)
          throw CompileFailure(err);
      },
      py::arg("path"), py::arg("output"), py::arg("emit") = "so",
      py::arg("input_shapes") = std::map<std::string, std::vector<int64_t>>(),
      py::arg("vectorize") = true, py::arg("winograd") = true,
      py::arg("vnni") = true);
  m.def(
      "quantize",
      [](const std::string &path, const std::string &output,
         py::object calibration, const std::string &method, double percentile,
         const std::vector<std::string> &keepFloat,
         const std::map<std::string, std::vector<int64_t>> &shapes, bool report,
         std::optional<double> minSqnr) {
        dnnc::QuantizeOptions qo;
        qo.minSqnrDb = minSqnr;
        auto m = dnnc::parseCalibrationMethod(method);
        if (!m)
          throw py::value_error("unknown calibration method '" + method +
                                "' (minmax, percentile, entropy)");
        if (!(percentile > 0 && percentile <= 100))
          throw py::value_error("percentile must be in (0, 100]");
        qo.method = *m;
        qo.percentile = percentile;
        qo.keepFloat.insert(keepFloat.begin(), keepFloat.end());
        qo.inputShapes = shapes;
        qo.report = report;
        std::vector<dnnc::CalibrationSet> sets = calibrationSets(calibration);
        dnnc::QuantizationReport rep;
        std::string err;
        bool ok;
        {
          py::gil_scoped_release release;
          ok = dnnc::quantizeModel(path, sets, qo, output, rep, err);
        }
        if (!ok)
          throw CompileFailure(err);
        return rep.json();
      },
      py::arg("path"), py::arg("output"), py::arg("calibration"),
      py::arg("method") = "minmax", py::arg("percentile") = 99.999,
      py::arg("keep_float") = std::vector<std::string>(),
      py::arg("input_shapes") = std::map<std::string, std::vector<int64_t>>(),
      py::arg("report") = true, py::arg("min_sqnr") = py::none());
  m.def(
      "quantize_weights",
      [](const std::string &path, const std::string &output, int bits,
         int groupSize, const std::vector<std::string> &keepFloat) {
        dnnc::WeightOnlyOptions wo;
        wo.bits = bits;
        wo.groupSize = groupSize;
        wo.keepFloat.insert(keepFloat.begin(), keepFloat.end());
        dnnc::WeightOnlyReport rep;
        std::string err;
        bool ok;
        {
          py::gil_scoped_release release;
          ok = dnnc::quantizeWeights(path, wo, output, rep, err);
        }
        if (!ok)
          throw CompileFailure(err);
        return rep.json();
      },
      py::arg("path"), py::arg("output"), py::arg("bits") = 4,
      py::arg("group_size") = 32,
      py::arg("keep_float") = std::vector<std::string>());
  py::class_<PyModel>(m, "Model")
      .def(py::init<const std::string &>())
      .def_property_readonly(
          "inputs",
          [](const PyModel &p) { return PyModel::describe(p.model->inputs()); })
      .def_property_readonly("outputs",
                             [](const PyModel &p) {
                               return PyModel::describe(p.model->outputs());
                             })
      .def_property_readonly("path",
                             [](const PyModel &p) { return p.model->path(); })
      .def("run", &PyModel::run)
      .def("memory_info",
           [](const PyModel &p) {
             dnnc_memory_info i = p.model->memoryInfo();
             py::dict d;
             d["weight_bytes"] = i.weight_bytes;
             d["peak_live_bytes"] = i.peak_live_bytes;
             d["peak_held_bytes"] = i.peak_held_bytes;
             return d;
           })
      .def("set_num_threads", [](const PyModel &p, int threads) {
        std::string err;
        if (!p.model->setNumThreads(threads, err))
          throw py::value_error(err);
      });
}
