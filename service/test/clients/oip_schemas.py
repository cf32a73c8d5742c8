"""Prints the JSON schemas of KServe's Open Inference Protocol (V2) REST data models.

The conformance test validates infergate's requests and answers against them: a definition of
the protocol installed from a registry (the pinned `kserve` package beside the clients), not one
written or copied into this repository. KServe's pydantic models are what its own V2 server
parses requests with and serialises answers from.

Usage: python oip_schemas.py
Prints one JSON object: model name -> JSON schema (draft 2020-12, as pydantic emits it).
"""

import json
from importlib.metadata import version

from kserve.protocol.rest import v2_datamodels as oip

MODELS = [
    oip.ServerLiveResponse,
    oip.ServerReadyResponse,
    oip.ServerMetadataResponse,
    oip.ModelMetadataResponse,
    oip.ModelReadyResponse,
    oip.InferenceRequest,
    oip.InferenceResponse,
]

print(
    json.dumps(
        {
            "kserve": version("kserve"),
            "schemas": {m.__name__: m.model_json_schema() for m in MODELS},
        }
    )
)
