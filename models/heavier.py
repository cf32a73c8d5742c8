"""Make a heavier candidate: a base version's exact answers for many times its arithmetic.

    python models/heavier.py --base models/repository/digits/2 --version 3 --out /tmp/candidates \
        --width 1024 --rotations 100

Writes <out>/<name>/<version>/{model.onnx,manifest.json}: the base graph behind a tower of
`--rotations` pairs of dense `--width`-wide layers. The input is lifted into the wider space by
a matrix with orthonormal columns, turned by a random orthogonal matrix R and back by its
transpose, `--rotations` times, and lowered again, so in exact arithmetic the base graph sees
its input unchanged; in float32 it moves by about 1e-5 (checked below: every label of the
validation and test rows equal to the base's, probabilities within 1e-4).

Why: the promotion rehearsal (`infergate rehearse`) needs candidates that are as accurate as
production but cost more CPU per row, the way a bigger architecture does: one a little heavier
(it passes the k6 load gate's absolute latency budget and is caught live by the canary's
latency comparison) and one much heavier (it breaches the load gate). The cost is in the model,
where a bigger network would put it (dense MatMuls ONNX Runtime really runs), never a delay in
the server. The tower adds 2 * width * (64 + rotations * width) multiply-adds per row; the
manifest records that number.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

from train import REPO_ROOT, created_at, metrics, version_number

TOWER_SEED = 2024  # the rotations are random but fixed: the same flags give the same bytes
LABEL_TOLERANCE = 0  # labels must not change at all
PROBABILITY_TOLERANCE = 1e-4


def rows(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The {"features": [...], "label": k} rows of a jsonl file, as float32 features and labels."""
    parsed = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return (np.array([r["features"] for r in parsed], dtype=np.float32),
            np.array([r["label"] for r in parsed], dtype=np.int64))


def tower(base: onnx.ModelProto, width: int, rotations: int) -> onnx.ModelProto:
    """The base model with the rotation tower between its input and the nodes that read it."""
    graph = base.graph
    (entry,) = graph.input
    features = entry.type.tensor_type.shape.dim[-1].dim_value
    rng = np.random.default_rng(TOWER_SEED)
    lift, _ = np.linalg.qr(rng.standard_normal((width, features)))  # width x features, orthonormal columns
    turn, _ = np.linalg.qr(rng.standard_normal((width, width)))
    weights = {
        "tower_lift": lift.T.astype(np.float32),
        "tower_turn": turn.astype(np.float32),
        "tower_turn_back": turn.T.astype(np.float32).copy(),
        "tower_lower": lift.astype(np.float32),
    }
    nodes = [helper.make_node("MatMul", [entry.name, "tower_lift"], ["tower_0"], name="TowerLift")]
    current = "tower_0"
    for i in range(rotations):
        nodes.append(helper.make_node("MatMul", [current, "tower_turn"], [f"tower_{i}_turned"], name=f"TowerTurn{i}"))
        nodes.append(helper.make_node("MatMul", [f"tower_{i}_turned", "tower_turn_back"], [f"tower_{i + 1}"],
                                      name=f"TowerTurnBack{i}"))
        current = f"tower_{i + 1}"
    nodes.append(helper.make_node("MatMul", [current, "tower_lower"], ["tower_out"], name="TowerLower"))
    for node in graph.node:  # the base graph now reads the tower's output instead of the input
        for j, name in enumerate(node.input):
            if name == entry.name:
                node.input[j] = "tower_out"
    model = onnx.ModelProto()
    model.CopyFrom(base)
    del model.graph.node[:]
    model.graph.node.extend([*nodes, *graph.node])
    model.graph.initializer.extend(numpy_helper.from_array(w, name) for name, w in weights.items())
    onnx.checker.check_model(model, full_check=True)
    return model


def run(model_bytes: bytes, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    session = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
    label, proba = session.run(["label", "probabilities"], {"input": X})
    return label, proba


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", type=Path, required=True, help="version folder whose answers to keep")
    p.add_argument("--version", type=version_number, required=True, metavar="N", help="version number to write")
    p.add_argument("--out", type=Path, required=True, help="repository root to write <name>/<N>/ into")
    p.add_argument("--width", type=int, default=1024, help="width of the tower's layers (default %(default)s)")
    p.add_argument("--rotations", type=int, required=True, help="rotation pairs (each 2 * width^2 multiply-adds)")
    args = p.parse_args(argv)
    if args.width < 64 or args.rotations < 1:
        p.error("--width must be at least 64 and --rotations at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_manifest = json.loads((args.base / "manifest.json").read_text())
    base_bytes = (args.base / "model.onnx").read_bytes()
    folder = args.out / base_manifest["name"] / str(args.version)
    if folder.exists():
        raise SystemExit(f"{folder} already exists (versions are immutable)")
    model = tower(onnx.load_from_string(base_bytes), args.width, args.rotations)
    model.model_version = args.version
    model_bytes = model.SerializeToString()

    # Checked on the validation rows (the rows the manifest's metrics describe): the slow
    # candidates take seconds per run, and the accuracy gate checks the candidate again anyway.
    X, y = rows(REPO_ROOT / "models/repository/digits/validation.jsonl")
    base_label, base_proba = run(base_bytes, X)
    label, proba = run(model_bytes, X)
    changed = int(np.sum(label != base_label))
    drift = float(np.max(np.abs(proba - base_proba)))
    if changed > LABEL_TOLERANCE or drift > PROBABILITY_TOLERANCE:
        raise SystemExit(f"the tower changed {changed} validation labels, probabilities by {drift:.3g}")
    m = metrics(y, label)

    extra = 2 * args.width * (X.shape[1] + args.rotations * args.width)
    manifest = {
        **base_manifest,
        "version": args.version,
        "sha256": hashlib.sha256(model_bytes).hexdigest(),
        "metrics": m,
        "training": {
            "algorithm": f"{base_manifest['name']} v{base_manifest['version']} behind a rotation tower",
            "derived_from": {"version": base_manifest["version"], "sha256": base_manifest["sha256"]},
            "tower": {"width": args.width, "rotations": args.rotations, "seed": TOWER_SEED,
                      "extra_multiply_adds_per_row": extra},
        },
        "created_at": created_at(),
    }
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(model_bytes)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{base_manifest['name']} v{args.version}: v{base_manifest['version']} behind {args.rotations} rotation "
          f"pairs of width {args.width} (+{extra / 1e6:.1f}M multiply-adds per row), val_acc={m['accuracy']:.6f} "
          f"-> {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
