"""Build the two synthetic benchmark models of issue #25 (never committed; bench/lib/setup.ts runs this).

    python bench/models/make_models.py --out .cache/models

Writes <out>/<name>/1/{model.onnx,manifest.json} for:

- small_conv: a small convolutional image classifier for the large-tensor rows. Input
  "images" FP32 [-1, 3, 224, 224] (an ImageNet-sized batch is 4.8 MB of FP32 per 8 images);
  Conv 3->16 3x3 stride 2, Relu, Conv 16->32 3x3 stride 2, Relu, global average pool, Gemm
  32->10, Softmax: output "probabilities" FP32 [-1, 10]. About 5,000 weights but 20 M
  multiply-adds per image: the cost of such a request is moving and converting its tensor,
  which is what those rows measure.
- big_mlp: an MLP 64->4096->6144->10 (Relu, Softmax) whose 25 M FP32 weights make a ~100 MB
  artifact, for the cold-start row (download from S3 vs time to ready).

The weights are random (numpy's PCG64, fixed seeds): these models answer nothing useful, they
cost what real ones of their shape cost. The same command writes byte-identical files (fixed
seeds, fixed created_at); each manifest carries the artifact's sha256 as the server checks it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
CREATED_AT = "2026-01-01T00:00:00Z"


def weights(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


def small_conv() -> onnx.ModelProto:
    rng = np.random.default_rng(25)
    init = [
        numpy_helper.from_array(weights(rng, (16, 3, 3, 3), 27), "conv1_w"),
        numpy_helper.from_array(np.zeros(16, np.float32), "conv1_b"),
        numpy_helper.from_array(weights(rng, (32, 16, 3, 3), 144), "conv2_w"),
        numpy_helper.from_array(np.zeros(32, np.float32), "conv2_b"),
        numpy_helper.from_array(weights(rng, (32, 10), 32), "fc_w"),
        numpy_helper.from_array(np.zeros(10, np.float32), "fc_b"),
    ]
    conv = dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    nodes = [
        helper.make_node("Conv", ["images", "conv1_w", "conv1_b"], ["c1"], **conv),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "conv2_w", "conv2_b"], ["c2"], **conv),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("GlobalAveragePool", ["r2"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "small_conv",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, 224, 224])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
        init,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="infergate-bench")


def big_mlp() -> onnx.ModelProto:
    rng = np.random.default_rng(100)
    sizes = [64, 4096, 6144, 10]
    init, nodes, x = [], [], "input"
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        init += [
            numpy_helper.from_array(weights(rng, (a, b), a), f"w{i}"),
            numpy_helper.from_array(np.zeros(b, np.float32), f"b{i}"),
        ]
        nodes.append(helper.make_node("Gemm", [x, f"w{i}", f"b{i}"], [f"h{i}"]))
        x = f"h{i}"
        if i < len(sizes) - 2:
            nodes.append(helper.make_node("Relu", [x], [f"a{i}"]))
            x = f"a{i}"
    nodes.append(helper.make_node("Softmax", [x], ["probabilities"], axis=1))
    graph = helper.make_graph(
        nodes,
        "big_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 64])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
        init,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="infergate-bench")


def write(out: Path, name: str, model: onnx.ModelProto, inputs: list, description: str) -> None:
    onnx.checker.check_model(model)
    data = model.SerializeToString()
    folder = out / name / "1"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.onnx").write_bytes(data)
    manifest = {
        "schema_version": 1,
        "name": name,
        "version": 1,
        "platform": "onnxruntime_onnx",
        "sha256": hashlib.sha256(data).hexdigest(),
        "inputs": inputs,
        "outputs": [{"name": "probabilities", "datatype": "FP32", "shape": [-1, 10]}],
        "training": {"made_by": "bench/models/make_models.py", "description": description},
        "created_at": CREATED_AT,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="model repository root to write into")
    args = p.parse_args()
    write(
        args.out,
        "small_conv",
        small_conv(),
        [{"name": "images", "datatype": "FP32", "shape": [-1, 3, 224, 224]}],
        "random-weight conv net 3x224x224 -> 10 (bench large-tensor rows)",
    )
    write(
        args.out,
        "big_mlp",
        big_mlp(),
        [{"name": "input", "datatype": "FP32", "shape": [-1, 64]}],
        "random-weight MLP 64-4096-6144-10, ~100 MB (bench cold-start row)",
    )


if __name__ == "__main__":
    main()
