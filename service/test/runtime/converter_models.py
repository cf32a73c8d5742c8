"""Models as a user brings them, made by the usual converters, plus ONNX Runtime's own answers.

Writes into OUT (argv[1]):
  onehot.onnx      skl2onnx pipeline: OneHotEncoder on a string column + scaled floats -> logistic
                   regression, zipmap=False (label INT64 [N], probabilities FP32 [N, 3])
  zipmap.onnx      the same pipeline with skl2onnx's defaults (probabilities as seq(map))
  regressor.onnx   gradient-boosted trees regressor on 4 floats (variable FP32 [N, 1])
  degraded.onnx    the same recipe fitted to shuffled targets (a regressor that learnt nothing)
  sequence.onnx    [batch, seq] INT64 token ids -> embedding, mean over seq, dense (FP32 [batch, 3])
  nobatch.onnx     FP32 [4, 3] -> FP32 [4, 2], no batch dimension
  onehot-labels.txt, regression.jsonl (validation rows: features, target)
  cases.json       per model: requests (V2 JSON inputs) and ONNX Runtime's outputs for each

Every input is drawn from a seeded generator, so the files are the same on every run.
"""

import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

OUT = Path(sys.argv[1])
COLORS = ["red", "green", "blue"]
rng = np.random.default_rng(7)


def onehot_pipeline():
    n = 300
    colors = rng.choice(COLORS, n)
    nums = rng.normal(size=(n, 2)).astype(np.float32)
    y = (colors == "red").astype(int) + (nums[:, 0] > 0).astype(int)
    x = np.empty((n, 3), dtype=object)
    x[:, 0], x[:, 1], x[:, 2] = colors, nums[:, 0], nums[:, 1]
    pre = ColumnTransformer([("cat", OneHotEncoder(), [0]), ("num", StandardScaler(), [1, 2])])
    pipe = Pipeline([("pre", pre), ("clf", LogisticRegression())]).fit(x, y)
    types = [("color", StringTensorType([None, 1])), ("num", FloatTensorType([None, 2]))]
    no_zipmap = {id(pipe.steps[-1][1]): {"zipmap": False}}
    save(convert_sklearn(pipe, initial_types=types, options=no_zipmap, target_opset=17), "onehot")
    save(convert_sklearn(pipe, initial_types=types, target_opset=17), "zipmap")
    (OUT / "onehot-labels.txt").write_text("none\none\ntwo\n")


def regression_data(n):
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = 3 * x[:, 0] - 2 * x[:, 1] + np.sin(2 * x[:, 2]) + 0.1 * rng.normal(size=n)
    return x, y


def regressors():
    x, y = regression_data(600)
    types = [("features", FloatTensorType([None, 4]))]
    good = GradientBoostingRegressor(n_estimators=150, max_depth=3, random_state=0).fit(x, y)
    save(convert_sklearn(good, initial_types=types, target_opset=17), "regressor")
    bad = GradientBoostingRegressor(n_estimators=150, max_depth=3, random_state=0).fit(x, rng.permutation(y))
    save(convert_sklearn(bad, initial_types=types, target_opset=17), "degraded")
    vx, vy = regression_data(200)
    rows = [json.dumps({"features": [float(v) for v in r], "target": float(t)}) for r, t in zip(vx, vy)]
    (OUT / "regression.jsonl").write_text("\n".join(rows) + "\n")


def sequence_model():
    vocab, width, classes = 50, 8, 3
    emb = helper.make_tensor("embedding", TensorProto.FLOAT, [vocab, width], rng.normal(size=vocab * width))
    w = helper.make_tensor("w", TensorProto.FLOAT, [width, classes], rng.normal(size=width * classes))
    b = helper.make_tensor("b", TensorProto.FLOAT, [classes], rng.normal(size=classes))
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    nodes = [
        helper.make_node("Gather", ["embedding", "ids"], ["vectors"]),
        helper.make_node("ReduceMean", ["vectors", "axes"], ["pooled"], keepdims=0),
        helper.make_node("MatMul", ["pooled", "w"], ["scores"]),
        helper.make_node("Add", ["scores", "b"], ["logits"]),
    ]
    ids = helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "seq"])
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", classes])
    graph = helper.make_graph(nodes, "sequence", [ids], [logits], [emb, w, b, axes])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), "sequence")


def nobatch_model():
    w = helper.make_tensor("w", TensorProto.FLOAT, [3, 2], rng.normal(size=6))
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 2])
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "nobatch", [x], [y], [w])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), "nobatch")


def save(model, name):
    onnx.checker.check_model(model)
    (OUT / f"{name}.onnx").write_bytes(model.SerializeToString())


# By dtype kind and size: ONNX Runtime returns int64 as numpy's longlong, which is not np.int64.
V2_TYPES = {("f", 4): "FP32", ("i", 8): "INT64", ("O", 8): "BYTES"}


def v2(name, array):
    kind = V2_TYPES[(array.dtype.kind, array.dtype.itemsize)]
    data = [str(v) for v in array.ravel()] if kind == "BYTES" else array.ravel().tolist()
    return {"name": name, "datatype": kind, "shape": list(array.shape), "data": data}


def cases(name, requests):
    """Each request's inputs and ONNX Runtime's answer to it, run alone as the reference."""
    session = ort.InferenceSession(str(OUT / f"{name}.onnx"), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    out = []
    for feeds in requests:
        answers = session.run(names, feeds)
        out.append({"inputs": [v2(k, v) for k, v in feeds.items()], "outputs": [v2(k, v) for k, v in zip(names, answers)]})
    return out


def onehot_requests():
    for rows in [1, 3, 2, 5, 1, 4, 6, 2]:
        color = rng.choice(COLORS, (rows, 1)).astype(object)
        yield {"color": color, "num": rng.normal(size=(rows, 2)).astype(np.float32)}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    onehot_pipeline()
    regressors()
    sequence_model()
    nobatch_model()
    seq_shapes = [(1, 3), (2, 5), (3, 3), (1, 7), (4, 5), (2, 2), (2, 3), (3, 7)]
    all_cases = {
        "onehot": cases("onehot", onehot_requests()),
        "regressor": cases("regressor", ({"features": regression_data(r)[0]} for r in [1, 4, 2, 8, 3, 1])),
        "sequence": cases("sequence", ({"ids": rng.integers(0, 50, s).astype(np.int64)} for s in seq_shapes)),
        "nobatch": cases("nobatch", ({"x": rng.normal(size=(4, 3)).astype(np.float32)} for _ in range(4))),
    }
    (OUT / "cases.json").write_text(json.dumps(all_cases))
    print(json.dumps({"out": str(OUT), "models": sorted(all_cases)}))


main()
