//===- Diagnostics.cpp - One-line user-facing errors ----------------------===//
#include "dnnc/Compiler/Diagnostics.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;

namespace dnnc {

/// Finds the (file, node, op, opset) of a location made by the importer: a
/// node's location is fused under {op, opset} metadata; the innermost node
/// (a node of a subgraph or function body) names the error.
static void describe(Location loc, std::string &file, std::string &node,
                     std::string &op) {
  if (auto f = dyn_cast<FusedLoc>(loc)) {
    if (auto tags = dyn_cast_or_null<DictionaryAttr>(f.getMetadata()))
      if (op.empty()) {
        if (auto o = tags.getAs<StringAttr>("op"))
          op = o.str();
        if (auto v = tags.getAs<IntegerAttr>("opset"))
          op += ", opset " + std::to_string(v.getInt());
      }
    for (Location l : f.getLocations())
      describe(l, file, node, op);
  } else if (auto n = dyn_cast<NameLoc>(loc)) {
    if (node.empty())
      node = n.getName().str();
    describe(n.getChildLoc(), file, node, op);
  } else if (auto fl = dyn_cast<FileLineColLoc>(loc)) {
    if (file.empty())
      file = fl.getFilename().str();
  } else if (auto c = dyn_cast<CallSiteLoc>(loc)) {
    describe(c.getCallee(), file, node, op);
  }
}

std::string formatDiagnostic(Diagnostic &diag) {
  std::string file, node, op;
  describe(diag.getLocation(), file, node, op);
  std::string out;
  if (!file.empty())
    out += file + ": ";
  if (!node.empty())
    out += "node '" + node + "'" + (op.empty() ? "" : " (" + op + ")") + ": ";
  std::string msg = diag.str();
  for (char &c : msg)
    if (c == '\n')
      c = ' ';
  return out + msg;
}

ErrorCollector::ErrorCollector(MLIRContext *ctx) : ctx(ctx) {
  id = ctx->getDiagEngine().registerHandler([this](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error && first.empty())
      first = formatDiagnostic(d);
    return success();
  });
}

ErrorCollector::~ErrorCollector() { ctx->getDiagEngine().eraseHandler(id); }

} // namespace dnnc
