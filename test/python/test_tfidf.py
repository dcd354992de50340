"""TfIdfVectorizer in the IDF and TFIDF modes (the ONNX backend tests cover
TF only), checked against a direct numpy count."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import dnnc

POOL = [2, 3, 5, 4, 5, 6, 7, 8, 6, 7]      # unigrams 2 3 5 4, bigrams 56 78 67
COUNTS = [0, 4]
INDEXES = [0, 1, 2, 3, 4, 5, 6]
WEIGHTS = [0.5, 1.5, 2.0, 3.0, 0.25, 4.0, 1.25]


def reference(x, mode, max_skip):
    grams = [(POOL[i],) for i in range(4)] + [tuple(POOL[i:i + 2]) for i in (4, 6, 8)]
    y = np.zeros((x.shape[0], len(INDEXES)), np.float32)
    for b, row in enumerate(x):
        for g, gram in enumerate(grams):
            skips = 1 if len(gram) == 1 else max_skip + 1
            c = sum(1 for s in range(skips) for i in range(len(row))
                    if i + (len(gram) - 1) * (s + 1) < len(row)
                    and all(row[i + k * (s + 1)] == gram[k] for k in range(len(gram))))
            w = WEIGHTS[g]
            y[b, INDEXES[g]] = {"TF": c, "IDF": w if c else 0, "TFIDF": c * w}[mode]
    return y


@pytest.mark.parametrize("mode", ["IDF", "TFIDF"])
def test_tfidf_weighted_modes(tmp_path, mode):
    node = helper.make_node(
        "TfIdfVectorizer", ["x"], ["y"], mode=mode, min_gram_length=1,
        max_gram_length=2, max_skip_count=2, ngram_counts=COUNTS,
        ngram_indexes=INDEXES, pool_int64s=POOL, weights=WEIGHTS)
    g = helper.make_graph([node], "tfidf",
                          [helper.make_tensor_value_info("x", TensorProto.INT32, [2, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 7])])
    path = str(tmp_path / "tfidf.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    model = dnnc.compile(path, output=str(tmp_path / "tfidf.so"))
    x = np.array([[3, 5, 6, 7, 8, 3, 7, 8], [2, 6, 7, 6, 7, 5, 4, 6]], np.int32)
    np.testing.assert_allclose(model.run({"x": x})["y"], reference(x, mode, 2),
                               rtol=1e-6)
