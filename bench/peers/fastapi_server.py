"""The peer users pick today: FastAPI + onnxruntime serving one ONNX model over the V2 JSON API.

Written the way the FastAPI docs teach (pydantic request model, a plain dict returned), with the
same ONNX Runtime settings as infergate (1 intra-op thread, 1 inter-op thread, sequential, all
graph optimizations) so the benchmark compares the servers, not the runtimes.

Run by bench/run.ts:
  MODEL_PATH=/abs/model.onnx MODEL_NAME=digits \
    python -m uvicorn --app-dir bench/peers fastapi_server:app --workers N ...
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

MODEL_PATH = os.environ["MODEL_PATH"]
MODEL_NAME = os.environ.get("MODEL_NAME", "model")
MODEL_VERSION = os.environ.get("MODEL_VERSION", "1")

options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
session = ort.InferenceSession(MODEL_PATH, options, providers=["CPUExecutionProvider"])
OUTPUT_NAMES = [o.name for o in session.get_outputs()]

NUMPY_DTYPES = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32}
V2_DATATYPES = {np.dtype(v): k for k, v in NUMPY_DTYPES.items()}


class InputTensor(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    data: list[Any]


class InferRequest(BaseModel):
    id: str | None = None
    inputs: list[InputTensor]


app = FastAPI()


@app.get("/v2/health/ready")
async def ready() -> dict[str, bool]:
    return {"ready": True}


# `async def` rather than `def`: session.run then runs on the event loop instead of hopping to the
# thread pool. On the 2-core bench machine, 1 worker pinned, c=64, it served 2481 vs 1524 req/s
# (small model) and 703 vs 646 (large) for the `def` version, so the peer is measured at its best.
@app.post("/v2/models/{model_name}/infer")
async def infer(model_name: str, request: InferRequest) -> dict[str, Any]:
    if model_name != MODEL_NAME:
        raise HTTPException(status_code=404, detail=f"model {model_name} not found")
    feeds = {}
    for t in request.inputs:
        dtype = NUMPY_DTYPES.get(t.datatype)
        if dtype is None:
            raise HTTPException(status_code=400, detail=f"unsupported datatype {t.datatype}")
        feeds[t.name] = np.asarray(t.data, dtype=dtype).reshape(t.shape)
    results = session.run(OUTPUT_NAMES, feeds)
    outputs = [
        {
            "name": name,
            "datatype": V2_DATATYPES[value.dtype],
            "shape": list(value.shape),
            "data": value.ravel().tolist(),
        }
        for name, value in zip(OUTPUT_NAMES, results)
    ]
    body: dict[str, Any] = {"model_name": MODEL_NAME, "model_version": MODEL_VERSION, "outputs": outputs}
    if request.id is not None:
        body["id"] = request.id
    return body
