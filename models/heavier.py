"""Make a heavier candidate: a base version's exact answers for many times its arithmetic.

    python models/heavier.py --base models/repository/digits/2 --version 3 --out /tmp/candidates \
        --width 1024 --rotations 100
    python models/heavier.py --base models/repository/digits/2 --version 3 --out /tmp/candidates \
        --row-ms 150

Writes <out>/<name>/<version>/{model.onnx,manifest.json}: the base graph behind a tower of
`--rotations` pairs of dense `--width`-wide layers. The input is lifted into the wider space by
a matrix with orthonormal columns, turned by a random orthogonal matrix R and back by its
transpose, `--rotations` times, and lowered again, so the base graph sees its input unchanged.
The orthogonal matrices are random signed permutations: every product is then exact in float32
(each sum is one ±x and zeros), however deep the tower, while ONNX Runtime still runs every
multiply-add of the dense MatMuls (checked below: every validation label equal to the base's,
probabilities within 1e-4). A dense random rotation drifts by ~1e-4 after a few hundred pairs.

Why: the promotion rehearsal (`infergate rehearse`) needs candidates that are as accurate as
production but cost more CPU per row, the way a bigger architecture does: one a little heavier
(it passes the k6 load gate's absolute latency budget and is caught live by the canary's
latency comparison) and one much heavier (it breaches the load gate). The cost is in the model,
where a bigger network would put it (dense MatMuls ONNX Runtime really runs), never a delay in
the server. The tower adds 2 * width * (64 + rotations * width) multiply-adds per row; the
manifest records that number.

`--row-ms T` asks for a time instead of a count: the tower is made as long as it takes for one
row to cost about T ms on this machine, measured here (one row, one intra-op thread: the server's
default). A candidate meant to breach an absolute latency budget must do so on any CPU; a fixed
count is a different time on every machine (250 pairs took 25 ms a row on one, and on a machine
with a faster core and more workers the load gate's p95 stayed under its budget). The
calibration is recorded in the manifest; the bytes then depend on the machine, as a time must.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
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


def signed_permutation(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random n x n orthogonal matrix whose products with a vector are exact: one ±1 per row and column."""
    m = np.zeros((n, n))
    m[np.arange(n), rng.permutation(n)] = rng.choice([-1.0, 1.0], size=n)
    return m


def tower(base: onnx.ModelProto, width: int, rotations: int) -> onnx.ModelProto:
    """The base model with the rotation tower between its input and the nodes that read it."""
    graph = base.graph
    (entry,) = graph.input
    features = entry.type.tensor_type.shape.dim[-1].dim_value
    rng = np.random.default_rng(TOWER_SEED)
    lift = signed_permutation(rng, width)[:, :features]  # width x features, orthonormal columns
    turn = signed_permutation(rng, width)
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


def session(model_bytes: bytes, threads: int = 1) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])


def run(model_bytes: bytes, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Every core: this is a build step, and a slow candidate's check is seconds of arithmetic.
    label, proba = session(model_bytes, os.cpu_count() or 1).run(["label", "probabilities"], {"input": X})
    return label, proba


PROBE_ROTATIONS = 20
PROBE_RUNS = 15


def row_ms(model: onnx.ModelProto, row: np.ndarray) -> float:
    """The fastest of PROBE_RUNS one-row runs, in ms: the least disturbed by other processes."""
    s = session(model.SerializeToString())
    for _ in range(3):  # warm-up: first runs allocate
        s.run(None, {"input": row})
    best = math.inf
    for _ in range(PROBE_RUNS):
        start = time.perf_counter()
        s.run(None, {"input": row})
        best = min(best, time.perf_counter() - start)
    return best * 1000


def calibrate(base: onnx.ModelProto, width: int, target_ms: float, row: np.ndarray) -> tuple[int, dict]:
    """How many rotation pairs make one row cost about target_ms here, and what was measured."""
    base_ms = row_ms(base, row)
    probe_ms = row_ms(tower(base, width, PROBE_ROTATIONS), row)
    per_pair = max(probe_ms - base_ms, 1e-6) / PROBE_ROTATIONS
    rotations = max(1, math.ceil((target_ms - base_ms) / per_pair))
    return rotations, {"row_ms": target_ms, "measured_ms_per_pair": round(per_pair, 6),
                       "measured_base_row_ms": round(base_ms, 6)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", type=Path, required=True, help="version folder whose answers to keep")
    p.add_argument("--version", type=version_number, required=True, metavar="N", help="version number to write")
    p.add_argument("--out", type=Path, required=True, help="repository root to write <name>/<N>/ into")
    p.add_argument("--width", type=int, default=1024, help="width of the tower's layers (default %(default)s)")
    cost = p.add_mutually_exclusive_group(required=True)
    cost.add_argument("--rotations", type=int, help="rotation pairs (each 2 * width^2 multiply-adds)")
    cost.add_argument("--row-ms", type=float, metavar="T",
                      help="as many pairs as make one row cost about T ms on this machine (measured)")
    args = p.parse_args(argv)
    if args.width < 64 or (args.rotations is not None and args.rotations < 1):
        p.error("--width must be at least 64 and --rotations at least 1")
    if args.row_ms is not None and not 0 < args.row_ms <= 60_000:
        p.error("--row-ms must be more than 0 and at most 60000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_manifest = json.loads((args.base / "manifest.json").read_text())
    base_bytes = (args.base / "model.onnx").read_bytes()
    folder = args.out / base_manifest["name"] / str(args.version)
    if folder.exists():
        raise SystemExit(f"{folder} already exists (versions are immutable)")
    # The validation rows: the rows the manifest's metrics describe (the slow candidates take
    # seconds per run, and the accuracy gate checks the candidate again anyway).
    X, y = rows(REPO_ROOT / "models/repository/digits/validation.jsonl")
    calibration = None
    if args.row_ms is not None:
        args.rotations, calibration = calibrate(onnx.load_from_string(base_bytes), args.width, args.row_ms, X[:1])
    model = tower(onnx.load_from_string(base_bytes), args.width, args.rotations)
    model.model_version = args.version
    model_bytes = model.SerializeToString()
    if calibration:  # what the tower made costs one row, measured the same way
        calibration["measured_row_ms"] = round(row_ms(model, X[:1]), 3)

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
                      "extra_multiply_adds_per_row": extra,
                      **({"calibrated": calibration} if calibration else {})},
        },
        "created_at": created_at(),
    }
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(model_bytes)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{base_manifest['name']} v{args.version}: v{base_manifest['version']} behind {args.rotations} rotation "
          f"pairs of width {args.width} (+{extra / 1e6:.1f}M multiply-adds per row), val_acc={m['accuracy']:.6f} "
          f"-> {folder}")
    if calibration:
        print(f"calibrated for {args.row_ms:g} ms a row here: {calibration['measured_ms_per_pair']:.4f} ms a pair, "
              f"{calibration['measured_base_row_ms']:.4f} ms the base; one row of the result took "
              f"{calibration['measured_row_ms']:g} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
