"""Build the hand-made ONNX fixtures the service's tests load (not trained; no data).

  service/test/fixtures/models/fp16/halves/1/{model.onnx,manifest.json}

`halves` takes FP16 and answers FP16, so the tests drive the FP16 datatype end to end (V2 JSON,
binary tensor data, gRPC raw contents) through a real onnxruntime session: input `x` FP16
[-1, 4], outputs `y` = x * [0.5, 2, -1, 1024] (FP16, so 65504 * 2 overflows to inf) and `y32` =
float(y) (FP32, the same values as the server must report them). Written byte-identically on
every run; `models/compare.py` compares them byte for byte with the committed files.

Usage: python models/fixtures.py [--out <root>]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO_ROOT = Path(__file__).resolve().parent.parent
SCALE = [0.5, 2.0, -1.0, 1024.0]


def halves_model() -> bytes:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT16, ["batch", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT16, ["batch", 4])
    y32 = helper.make_tensor_value_info("y32", TensorProto.FLOAT, ["batch", 4])
    scale = numpy_helper.from_array(np.array(SCALE, dtype=np.float16), "scale")
    graph = helper.make_graph(
        [
            helper.make_node("Mul", ["x", "scale"], ["y"]),
            helper.make_node("Cast", ["y"], ["y32"], to=TensorProto.FLOAT),
        ],
        "halves",
        [x],
        [y, y32],
        [scale],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9,
                              producer_name="infergate models/fixtures.py")
    onnx.checker.check_model(model)
    return model.SerializeToString()


def manifest(model: bytes) -> bytes:
    doc = {
        "schema_version": 1,
        "name": "halves",
        "version": 1,
        "platform": "onnxruntime_onnx",
        "sha256": hashlib.sha256(model).hexdigest(),
        "inputs": [{"name": "x", "datatype": "FP16", "shape": [-1, 4]}],
        "outputs": [
            {"name": "y", "datatype": "FP16", "shape": [-1, 4]},
            {"name": "y32", "datatype": "FP32", "shape": [-1, 4]},
        ],
        "training": {"algorithm": f"hand-made graph (models/fixtures.py): y = x * {SCALE}, y32 = float(y)",
                     "requirements": {"onnx": onnx.__version__}},
        "created_at": "2026-01-01T00:00:00Z",
    }
    return (json.dumps(doc, indent=2) + "\n").encode()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=REPO_ROOT / "service/test/fixtures/models/fp16",
                   help="repository root to write halves/1 into")
    args = p.parse_args()
    model = halves_model()
    folder = args.out / "halves" / "1"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.onnx").write_bytes(model)
    (folder / "manifest.json").write_bytes(manifest(model))
    print(f"wrote {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
