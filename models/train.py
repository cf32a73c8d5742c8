"""Train, export and describe the `digits` ONNX models served by infergate.

Data: scikit-learn's bundled digits set (`load_digits`, 1,797 8x8 images, pixel
values 0..16, 10 classes); it ships inside scikit-learn, so nothing is downloaded.

Why it is built this way:
- The server and its evaluator send the raw features exactly as stored in the
  `*.jsonl` files (integers 0..16). The x/16 scaling to [0, 1] is therefore part of
  the exported graph (a `ScaleBy16` step in the sklearn Pipeline, exported as one ONNX
  `Div` node), never applied to the data files.
- One fixed stratified split (train 1077 / validation 360 / test 360, seed 1234,
  whatever --seed says),
  identified by a sha256 of the canonical dataset bytes, so every version is compared
  on the same rows.
- Metrics are computed from onnxruntime predictions (not sklearn's), with integer
  counts and a fixed float operation order, so a TypeScript evaluator running
  onnxruntime-node on the same model and rows gets the same numbers
  (see `metrics`).
- Everything is built and parity-checked in memory first; files are written only when
  every model passed. Re-running on one machine writes byte-identical files (fixed seeds,
  one BLAS and one onnxruntime thread, fixed `created_at`); across CPUs the weights follow
  the BLAS kernel, so `models/compare.py` checks the committed artifacts by graph,
  predictions and manifest (models/README.md, "Reproducibility").

Artifacts (paths relative to the repository root by default):
  models/repository/digits/{1,2}/{model.onnx,manifest.json}   v1 LogisticRegression, v2 MLP
  models/repository/digits/{validation,test}.jsonl            {"features":[64 raw],"label":k}
  service/test/fixtures/models/degraded/digits/3/...          MLP collapsed onto one class
  .cache/models/digits_large/1/...                            only with --large (benchmarks)

With `--version N` only the production recipe (the newest shipped version, today
v2's MLP) is trained, as a new version N: <out>/digits/N/{model.onnx,manifest.json}
and nothing else. This is how the model workflow makes a candidate to publish; the
shipped versions 1 and 2 are refused (a run without --version writes those).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import warnings
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from importlib.metadata import version as pkg_version
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto
from skl2onnx import convert_sklearn, update_registered_converter
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = 1234  # training seed of the shipped versions
SPLIT_SEED = 1234  # the train/validation/test split; fixed, see load_dataset
N_FEATURES = 64
N_CLASSES = 10
SPLIT_SIZES = {"validation": 360, "test": 360}  # train gets the remaining 1077 rows
OPSETS = {"": 17, "ai.onnx.ml": 3}  # ai.onnx.ml 3 is the ML opset released with opset 17
PARITY_TOLERANCE = 1e-5
# The degraded candidate answers this class for every input (see `train`).
DEGRADED_CLASS = 8
# Added to that class's output bias: far beyond any logit gap, so every row, on every CPU, answers it.
COLLAPSE_BIAS = 1e4
DECIMALS = 6
# Used for the committed artifacts when SOURCE_DATE_EPOCH is not set, so that
# re-running the script (and the drift check) yields the same bytes.
DEFAULT_CREATED_AT = "2026-01-01T00:00:00Z"
SCALING_DOC = "x/16 inside the graph"



class ScaleBy16(TransformerMixin, BaseEstimator):
    """Fixed x/16 scaling of digits pixels (0..16) to [0, 1].

    Data-independent on purpose: nothing is fit, so the scaling is the same for every
    version and split, and it is exported into the graph (see `_convert_scale_by_16`)
    so that clients send raw pixel values.
    """

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X, dtype=np.float32) / np.float32(16.0)


def _shape_scale_by_16(operator):
    """skl2onnx shape calculator: the output has the input's shape."""
    operator.outputs[0].type = FloatTensorType(operator.inputs[0].type.shape)


def _convert_scale_by_16(scope, operator, container):
    """skl2onnx converter: one `Div` by a float32 16 (exact, a power of two)."""
    divisor = scope.get_unique_variable_name("divisor")
    container.add_initializer(divisor, TensorProto.FLOAT, [], [16.0])
    container.add_node(
        "Div",
        [operator.inputs[0].full_name, divisor],
        operator.outputs[0].full_name,
        name=scope.get_unique_operator_name("ScaleBy16"),
    )


update_registered_converter(ScaleBy16, "InfergateScaleBy16", _shape_scale_by_16, _convert_scale_by_16)


@dataclass
class Dataset:
    """Raw features (float32, 0..16), labels (int64) and the split row indices."""

    X: np.ndarray
    y: np.ndarray
    sha256: str
    splits: dict[str, np.ndarray]

    def part(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        idx = self.splits[split]
        return self.X[idx], self.y[idx]


@dataclass
class Candidate:
    """One model to build: where it goes and how it is trained."""

    name: str
    version: int
    root: Path  # repository root; the model lands in root/name/version/
    algorithm: str
    estimator: BaseEstimator
    # Set: after training, the output layer collapses onto this class (see `train`).
    collapsed_to: int | None = None


def load_dataset() -> Dataset:
    """Load digits and make the fixed stratified train/validation/test split (seed SPLIT_SEED).

    The split never follows --seed: it is the contract with the committed validation/test
    files every version is gated on, and another split would train on their rows.

    The digest is sha256 over the features as float32 little-endian (1797x64, C order)
    followed by the labels as int64 little-endian, i.e. the data exactly as fed to the
    models; it changes if scikit-learn ever ships different data.
    """
    digits = load_digits()
    X = digits.data.astype("<f4")
    y = digits.target.astype("<i8")
    if not np.array_equal(X, np.round(X)) or X.min() < 0 or X.max() > 16:
        raise SystemExit("digits features are no longer integers in 0..16")
    digest = hashlib.sha256(np.ascontiguousarray(X).tobytes() + y.tobytes()).hexdigest()
    rows = np.arange(len(y))
    rest, test = train_test_split(rows, test_size=SPLIT_SIZES["test"], stratify=y, random_state=SPLIT_SEED)
    train, validation = train_test_split(
        rest, test_size=SPLIT_SIZES["validation"], stratify=y[rest], random_state=SPLIT_SEED
    )
    return Dataset(X, y, digest, {"train": train, "validation": validation, "test": test})


def mlp(hidden: tuple[int, ...], max_iter: int, seed: int) -> MLPClassifier:
    """The MLP recipes' estimator (v2, degraded v3, digits_large)."""
    return MLPClassifier(hidden_layer_sizes=hidden, max_iter=max_iter, random_state=seed)


def shipped(args: argparse.Namespace) -> list[Candidate]:
    """The digits versions of the model repository, oldest first. The last one is the
    production recipe: what `--version N` trains as a new version."""
    return [
        Candidate("digits", 1, args.out, "LogisticRegression", LogisticRegression(max_iter=1000)),
        Candidate("digits", 2, args.out, "MLPClassifier", mlp((128,), 500, args.seed)),
    ]


def candidates(args: argparse.Namespace) -> list[Candidate]:
    """The models this script builds; v2 must beat v1 on validation, degraded must not.
    With --version N: only the production recipe, as version N."""
    if args.version is not None:
        return [replace(shipped(args)[-1], version=args.version)]
    out = [
        *shipped(args),
        Candidate(
            "digits", 3, args.degraded_out, f"MLPClassifier (collapsed: answers {DEGRADED_CLASS} for every input)",
            mlp((128,), 500, args.seed), collapsed_to=DEGRADED_CLASS,
        ),
    ]
    if args.large:
        # Benchmark-sized (about 4.3M parameters); few epochs, accuracy is not the point.
        out.append(
            Candidate("digits_large", 1, args.large_out, "MLPClassifier", mlp((2048, 2048), 20, args.seed))
        )
    return out


def train(c: Candidate, data: Dataset) -> Pipeline:
    """Fit ScaleBy16 + estimator on the train split; collapse the degraded model's outputs.

    The degraded candidate is the production recipe whose output layer collapsed onto one
    class, as a diverged training run leaves it: a huge bias on that class makes it answer
    that class for every input. It must shift the class distribution (what a canary's
    prediction-shift metric sees), fail every accuracy check, and behave the same on every CPU.
    A model fitted to shuffled labels did the first two, but a fit to noise changed up to 64
    of 720 labels with the CPU's BLAS kernel; a permutation of the classes is reproducible but
    leaves the distribution of balanced traffic unchanged.
    """
    X, y = data.part("train")
    pipe = Pipeline([("scale", ScaleBy16()), ("clf", c.estimator)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # expected for the short runs
        pipe.fit(X, y)
    if c.collapsed_to is not None:
        pipe.named_steps["clf"].intercepts_[-1][c.collapsed_to] += COLLAPSE_BIAS
    return pipe


def export(pipe: Pipeline, c: Candidate) -> bytes:
    """Convert to ONNX: input `input` FP32 [-1,64]; outputs `label` INT64 [-1] and
    `probabilities` FP32 [-1,10] (zipmap off so probabilities are a plain tensor)."""
    model = convert_sklearn(
        pipe,
        name=c.name,  # skl2onnx would otherwise use a random graph name
        initial_types=[("input", FloatTensorType([None, N_FEATURES]))],
        final_types=[("label", Int64TensorType([None])), ("probabilities", FloatTensorType([None, N_CLASSES]))],
        target_opset=dict(OPSETS),
        options={id(pipe.named_steps["clf"]): {"zipmap": False}},
    )
    # skl2onnx declares the lowest opsets its nodes need (14..16 here), in an order that
    # follows Python's per-process string hashing; declare the fixed ones, in a fixed
    # order, so every version states the same contract and the bytes are reproducible.
    # The ops used (Div, MatMul, Add, Relu, Softmax, ArgMax, Cast, Reshape,
    # LinearClassifier, ...) have the same definition up to 17 / ml 3; full_check
    # re-validates them.
    domains = {opset.domain for opset in model.opset_import}
    del model.opset_import[:]
    for domain in sorted(domains):
        model.opset_import.add(domain=domain, version=OPSETS[domain])
    # Name the dynamic batch dimension (skl2onnx leaves it anonymous: "" in onnxruntime-node).
    for value in [*model.graph.input, *model.graph.output]:
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    model.model_version = c.version
    model.doc_string = f"infergate {c.name} v{c.version}: {c.algorithm}, scaling {SCALING_DOC}"
    onnx.checker.check_model(model, full_check=True)
    return model.SerializeToString()


def run_onnx(model_bytes: bytes, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run the exported model with onnxruntime on one thread (deterministic)."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
    label, proba = sess.run(["label", "probabilities"], {"input": X})
    return label, proba


def parity(pipe: Pipeline, X: np.ndarray, label: np.ndarray, proba: np.ndarray, what: str) -> float:
    """Fail loudly unless ONNX labels equal sklearn's and probabilities are within tolerance."""
    sk_label = pipe.predict(X)
    sk_proba = pipe.predict_proba(X)
    if label.dtype != np.int64 or proba.dtype != np.float32 or proba.shape != (len(X), N_CLASSES):
        raise SystemExit(f"{what}: unexpected ONNX outputs {label.dtype} {proba.dtype} {proba.shape}")
    mismatched = np.flatnonzero(sk_label != label)
    if mismatched.size:
        raise SystemExit(f"{what}: ONNX labels differ from sklearn on {mismatched.size} rows, e.g. {mismatched[:5]}")
    diff = float(np.max(np.abs(sk_proba - proba.astype(np.float64))))
    if not diff <= PARITY_TOLERANCE:
        raise SystemExit(f"{what}: ONNX probabilities differ from sklearn by {diff} > {PARITY_TOLERANCE}")
    return diff


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Validation metrics from onnxruntime labels, reproducible in JavaScript.

    accuracy = correct/rows; recall_c = tp_c/(tp_c+fn_c); f1_c = 2tp_c/(2tp_c+fp_c+fn_c)
    (0 when the denominator is 0); macro_f1 = (f1_0+...+f1_9)/10 summed left to right.
    Integer counts and plain float64 arithmetic in a fixed order, so doubles in
    JavaScript with the same formulas give the same values; then round(x, DECIMALS).
    """
    rows = len(y_true)
    correct = int(np.sum(y_true == y_pred))
    f1_sum = 0.0
    recall = {}
    for c in range(N_CLASSES):
        tp = int(np.sum((y_pred == c) & (y_true == c)))
        fp = int(np.sum((y_pred == c) & (y_true != c)))
        fn = int(np.sum((y_pred != c) & (y_true == c)))
        recall[str(c)] = round(tp / (tp + fn), DECIMALS) if tp + fn else 0.0
        f1_sum += (2 * tp) / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0
    return {
        "split": "validation",
        "rows": rows,
        "accuracy": round(correct / rows, DECIMALS),
        "macro_f1": round(f1_sum / N_CLASSES, DECIMALS),
        "per_class_recall": recall,
        "decimals": DECIMALS,
    }


def created_at() -> str:
    """SOURCE_DATE_EPOCH (reproducible-builds convention) if set, else DEFAULT_CREATED_AT."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return DEFAULT_CREATED_AT
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def jsonable(value):
    """Estimator params as plain JSON values (tuples become lists)."""
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def manifest(c: Candidate, model_bytes: bytes, data: Dataset, m: dict, diff: float, seed: int) -> bytes:
    """The manifest.json contract parsed by the TypeScript server (key order matters)."""
    doc = {
        "schema_version": 1,
        "name": c.name,
        "version": c.version,
        "platform": "onnxruntime_onnx",
        "sha256": hashlib.sha256(model_bytes).hexdigest(),
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, N_FEATURES]}],
        "outputs": [
            {"name": "label", "datatype": "INT64", "shape": [-1]},
            {"name": "probabilities", "datatype": "FP32", "shape": [-1, N_CLASSES]},
        ],
        "labels": [str(i) for i in range(N_CLASSES)],
        "metrics": m,
        "training": {
            "algorithm": c.algorithm,
            "params": {k: jsonable(v) for k, v in c.estimator.get_params().items()},
            "seed": seed,
            "dataset": {
                "name": "sklearn.datasets.load_digits",
                "sha256": data.sha256,
                "rows": len(data.y),
                "split": {k: len(v) for k, v in data.splits.items()},
                "scaling": SCALING_DOC,
            },
            "onnx_parity": {"max_abs_diff": diff, "tolerance": PARITY_TOLERANCE},
            "requirements": {
                p: pkg_version(p) for p in ("scikit-learn", "skl2onnx", "onnx", "onnxruntime", "numpy")
            },
        },
        "created_at": created_at(),
    }
    return (json.dumps(doc, indent=2) + "\n").encode()


def jsonl(X: np.ndarray, y: np.ndarray) -> bytes:
    """One `{"features":[64 raw ints 0..16],"label":k}` line per row, in split order."""
    lines = (
        json.dumps({"features": [int(v) for v in row], "label": int(label)}, separators=(",", ":"))
        for row, label in zip(X, y)
    )
    return ("\n".join(lines) + "\n").encode()


def version_number(text: str) -> int:
    """argparse type of --version: a positive integer written as a version folder is (1, 2, 10...)."""
    if not re.fullmatch(r"[1-9][0-9]*", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer version")
    return int(text)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=REPO_ROOT / "models/repository",
                   help="model repository root for digits v1, v2 and the jsonl data; with --version for "
                        "digits vN only (default: %(default)s)")
    p.add_argument("--degraded-out", type=Path, default=REPO_ROOT / "service/test/fixtures/models/degraded",
                   help="repository root for the degraded candidate digits v3; unused with --version "
                        "(default: %(default)s)")
    only = p.add_mutually_exclusive_group()
    only.add_argument("--large", action="store_true", help="also build the 64-2048-2048-10 benchmark MLP")
    recipes = shipped(argparse.Namespace(out=None, seed=SEED))
    production, numbers = recipes[-1], ", ".join(str(c.version) for c in recipes)
    only.add_argument("--version", type=version_number, metavar="N",
                      help="train only the production recipe (the newest shipped version, digits "
                           f"v{production.version} {production.algorithm}) as the new version N: writes "
                           "<out>/digits/N/{model.onnx,manifest.json} and nothing else (no jsonl data, no "
                           f"degraded v3). Refused (exit 2) when N is a shipped version ({numbers}: a run "
                           "without --version writes those, into any --out) or <out>/digits/N already "
                           "exists (versions are immutable)")
    p.add_argument("--large-out", type=Path, default=REPO_ROOT / ".cache/models",
                   help="repository root for digits_large (git-ignored; default: %(default)s)")
    p.add_argument("--seed", type=int, default=None,
                   help=f"training seed (default: {SEED}; with --version N: {SEED}+N, so every trained "
                        "version is a model of its own and the same N reproduces it byte for byte). The "
                        "data split is fixed whatever the seed")
    args = p.parse_args(argv)
    if args.seed is None:
        args.seed = SEED if args.version is None else SEED + args.version
    if args.version is not None:
        if args.version in {c.version for c in shipped(args)}:
            p.error(f"--version {args.version}: digits v{args.version} is a shipped version (run without "
                    "--version to rewrite it); a trained candidate needs a new version number")
        folder = args.out / "digits" / str(args.version)
        if folder.exists():
            p.error(f"--version {args.version}: {folder} already exists (versions are immutable); "
                    "pick a new version number")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = load_dataset()
    X_val, y_val = data.part("validation")
    X_test, y_test = data.part("test")
    files: dict[Path, bytes] = {}
    if args.version is None:  # the data files belong to the shipped repository only
        files[args.out / "digits/validation.jsonl"] = jsonl(X_val, y_val)
        files[args.out / "digits/test.jsonl"] = jsonl(X_test, y_test)
    summary = []
    with threadpool_limits(limits=1):  # one BLAS thread: same floats whatever the core count
        for c in candidates(args):
            what = f"{c.name} v{c.version}"
            pipe = train(c, data)
            model_bytes = export(pipe, c)
            label, proba = run_onnx(model_bytes, X_val)
            diff = parity(pipe, X_val, label, proba, what)
            m = metrics(y_val, label)
            test_acc = float(np.mean(run_onnx(model_bytes, X_test)[0] == y_test))
            folder = c.root / c.name / str(c.version)
            files[folder / "model.onnx"] = model_bytes
            files[folder / "manifest.json"] = manifest(c, model_bytes, data, m, diff, args.seed)
            summary.append((what, c.algorithm, m["accuracy"], m["macro_f1"], test_acc, diff,
                            hashlib.sha256(model_bytes).hexdigest(), folder))

    # Only now, with every model exported and parity-checked, touch the disk.
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    print(f"dataset sha256 {data.sha256}  split " + " ".join(f"{k}={len(v)}" for k, v in data.splits.items()))
    print(f"metrics on validation from onnxruntime outputs; parity tolerance {PARITY_TOLERANCE}")
    for what, algo, acc, f1, test_acc, diff, sha, folder in summary:
        print(f"{what:16} {algo:43} val_acc={acc:.6f} val_macro_f1={f1:.6f} test_acc={test_acc:.4f} "
              f"parity_max_abs_diff={diff:.3g} sha256={sha}")
        print(f"{'':16} -> {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
