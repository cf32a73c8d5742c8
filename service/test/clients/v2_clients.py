"""Drives a running infergate server with the V2 clients people use today, unmodified:
tritonclient (HTTP) and the kserve Python client (InferenceRESTClient, protocol v2), each in JSON
mode and in binary mode (the binary tensor data extension: tritonclient's default), tritonclient also
with gzip/deflate compression both ways; and over gRPC,
tritonclient.grpc (raw contents, its default) and kserve's InferenceGRPCClient (typed contents).

Usage: python v2_clients.py <base-url> <validation.jsonl> <grpc host:port>
       python v2_clients.py --triton-grpc <grpc host:port> <validation.jsonl>
       python v2_clients.py --fp16 <base-url> <grpc host:port>   (a server of the FP16 fixture)
tritonclient.grpc runs in a process of its own: it and kserve both register the protocol's
package (`inference`) in protobuf's default descriptor pool, which refuses the second.
Prints one JSON object with what each client saw; exits non-zero on any client error.
"""

import asyncio
import json
import sys
from urllib.parse import urlparse

import numpy as np


def rows(path, n):
    with open(path, encoding="utf8") as f:
        data = [json.loads(line) for line in f if line.strip()][:n]
    return np.array([r["features"] for r in data], dtype=np.float32), [r["label"] for r in data]


def with_triton(url, x):
    import tritonclient.http as httpclient

    client = httpclient.InferenceServerClient(urlparse(url).netloc)

    # Records the Content-Encoding of each answer (private, but the version is pinned): it shows the
    # server compressed what the client asked to be compressed.
    answer_encodings = []
    post = client._post

    def recording_post(*args, **kwargs):
        response = post(*args, **kwargs)
        answer_encodings.append(response.get("Content-Encoding"))
        return response

    client._post = recording_post

    def infer(binary, request_id, compression=None, data=x):
        inp = httpclient.InferInput("input", list(data.shape), "FP32")
        if binary:
            inp.set_data_from_numpy(data)  # the client's defaults: binary data both ways
            outputs = [httpclient.InferRequestedOutput("label"), httpclient.InferRequestedOutput("probabilities")]
        else:
            inp.set_data_from_numpy(data, binary_data=False)
            outputs = [
                httpclient.InferRequestedOutput("label", binary_data=False),
                httpclient.InferRequestedOutput("probabilities", binary_data=False),
            ]
        return client.infer(
            "digits",
            [inp],
            outputs=outputs,
            request_id=request_id,
            request_compression_algorithm=compression,
            response_compression_algorithm=compression,
        )

    result = infer(False, "triton-1")
    response = result.get_response()
    binary = infer(True, "triton-2")
    # The classification extension: class_count=3 on the probabilities (binary by default).
    inp = httpclient.InferInput("input", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    top3 = client.infer("digits", [inp], outputs=[httpclient.InferRequestedOutput("probabilities", class_count=3)])
    # Compressed both ways (request_/response_compression_algorithm), in each mode; 4 times the rows
    # (32, a request's row limit), as the server leaves answers under 1 KiB uncompressed.
    compressed = {}
    for binary_mode, algorithm in ((False, "gzip"), (True, "deflate")):
        answer = infer(binary_mode, f"triton-{algorithm}", algorithm, np.tile(x, (4, 1)))
        expected = np.tile(result.as_numpy("probabilities"), (4, 1))
        compressed[algorithm] = {
            "binary": binary_mode,
            "answer_encoding": answer_encodings[-1],
            "probabilities_equal": bool(np.array_equal(answer.as_numpy("probabilities"), expected)),
        }
    return {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "model_ready": client.is_model_ready("digits"),
        "server": client.get_server_metadata()["name"],
        "repository_index": client.get_model_repository_index(),
        "model_inputs": client.get_model_metadata("digits")["inputs"],
        "id": response.get("id"),
        "version": response.get("model_version"),
        "labels": result.as_numpy("label").tolist(),
        "prob_shape": list(result.as_numpy("probabilities").shape),
        "probabilities": result.as_numpy("probabilities"),
        "compressed": compressed,
        "top3": [[c.decode() for c in row] for row in top3.as_numpy("probabilities")],
        "binary": {
            "id": binary.get_response().get("id"),
            "outputs": [o["parameters"] for o in binary.get_response()["outputs"]],
            "labels": binary.as_numpy("label").tolist(),
            "probabilities_equal": bool(
                np.array_equal(binary.as_numpy("probabilities"), result.as_numpy("probabilities"))
            ),
        },
    }


async def with_kserve(url, x):
    from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig

    client = InferenceRESTClient(RESTConfig(protocol="v2", verbose=False))

    async def infer(binary, request_id):
        inp = InferInput(name="input", shape=list(x.shape), datatype="FP32")
        inp.set_data_from_numpy(x, binary_data=binary)
        parameters = {"binary_data_output": True} if binary else None
        request = InferRequest(model_name="digits", infer_inputs=[inp], request_id=request_id, parameters=parameters)
        headers = {}
        response = await client.infer(url, request, model_name="digits", response_headers=headers)
        return {o.name: o for o in response.outputs}, response, headers

    try:
        by_name, response, _ = await infer(False, "kserve-1")
        binary, binary_response, headers = await infer(True, "kserve-2")
        return {
            "live": await client.is_server_live(url),
            "ready": await client.is_server_ready(url),
            "model_ready": await client.is_model_ready(url, "digits"),
            "id": response.id,
            "labels": by_name["label"].as_numpy().tolist(),
            "prob_shape": list(by_name["probabilities"].as_numpy().shape),
            "binary": {
                "id": binary_response.id,
                # The client drops binary_data_size once it has read the data; the header shows the answer was binary.
                "content_type": headers.get("content-type"),
                "json_length": int(headers.get("inference-header-content-length", "0")),
                "labels": binary["label"].as_numpy().tolist(),
                "probabilities_equal": bool(
                    np.array_equal(binary["probabilities"].as_numpy(), by_name["probabilities"].as_numpy())
                ),
            },
        }
    finally:
        await client.close()


def with_triton_grpc(target, x):
    import tritonclient.grpc as grpcclient

    client = grpcclient.InferenceServerClient(target)
    inp = grpcclient.InferInput("input", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    outputs = [grpcclient.InferRequestedOutput("label"), grpcclient.InferRequestedOutput("probabilities")]
    result = client.infer("digits", [inp], outputs=outputs, request_id="triton-grpc-1")
    response = result.get_response()
    gzipped = client.infer("digits", [inp], outputs=outputs, compression_algorithm="gzip")
    return {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "model_ready": client.is_model_ready("digits"),
        "server": client.get_server_metadata().name,
        "model_inputs": client.get_model_metadata("digits", as_json=True)["inputs"],
        "id": response.id,
        "version": response.model_version,
        "labels": result.as_numpy("label").tolist(),
        "probabilities": result.as_numpy("probabilities").tolist(),
        "gzip_probabilities_equal": bool(
            np.array_equal(gzipped.as_numpy("probabilities"), result.as_numpy("probabilities"))
        ),
    }


async def with_kserve_grpc(target, x):
    from kserve import InferenceGRPCClient, InferInput, InferRequest

    client = InferenceGRPCClient(target)
    try:
        inp = InferInput(name="input", shape=list(x.shape), datatype="FP32")
        inp.set_data_from_numpy(x, binary_data=False)  # typed contents, the other way to send tensors
        response = await client.infer(InferRequest(model_name="digits", infer_inputs=[inp], request_id="kserve-grpc-1"))
        by_name = {o.name: o for o in response.outputs}
        return {
            "live": await client.is_server_live(),
            "ready": await client.is_server_ready(),
            "model_ready": await client.is_model_ready("digits"),
            "id": response.id,
            "labels": by_name["label"].as_numpy().tolist(),
            "probabilities": by_name["probabilities"].as_numpy(),
        }
    finally:
        await client.close()


def with_triton_fp16(url, target):
    """FP16 through tritonclient (numpy float16), HTTP in both modes and gRPC, on the `halves`
    fixture (y = x * [0.5, 2, -1, 1024]): the answers as FP16 bits."""
    import tritonclient.grpc as grpcclient
    import tritonclient.http as httpclient

    x = np.array([[1, 2, 3, 4], [0.1, 65504, -0.0, 1e-7]], dtype=np.float16)
    http = httpclient.InferenceServerClient(urlparse(url).netloc)
    out = {}
    for binary in (True, False):
        inp = httpclient.InferInput("x", list(x.shape), "FP16")
        inp.set_data_from_numpy(x, binary_data=binary)
        y = http.infer("halves", [inp], outputs=[httpclient.InferRequestedOutput("y", binary_data=binary)])
        y = y.as_numpy("y")
        out["http_binary" if binary else "http_json"] = {"dtype": str(y.dtype), "bits": y.view(np.uint16).ravel().tolist()}
    grpc = grpcclient.InferenceServerClient(target)
    inp = grpcclient.InferInput("x", list(x.shape), "FP16")
    inp.set_data_from_numpy(x)
    y = grpc.infer("halves", [inp]).as_numpy("y")
    out["grpc"] = {"dtype": str(y.dtype), "bits": y.view(np.uint16).ravel().tolist()}
    return out


def main():
    if sys.argv[1] == "--fp16":
        print(json.dumps(with_triton_fp16(sys.argv[2], sys.argv[3])))
        return
    if sys.argv[1] == "--triton-grpc":
        x, _ = rows(sys.argv[3], 8)
        print(json.dumps(with_triton_grpc(sys.argv[2], x)))
        return
    url, data, grpc_target = sys.argv[1], sys.argv[2], sys.argv[3]
    x, truth = rows(data, 8)
    out = {"truth": truth, "triton": with_triton(url, x), "kserve": asyncio.run(with_kserve(url, x))}
    out["triton"]["probabilities"] = out["triton"]["probabilities"].tolist()
    kserve_grpc = asyncio.run(with_kserve_grpc(grpc_target, x))
    # The HTTP JSON answer is the reference: gRPC must give exactly the same probabilities.
    kserve_grpc["probabilities_equal"] = kserve_grpc.pop("probabilities").tolist() == out["triton"]["probabilities"]
    out["kserve_grpc"] = kserve_grpc
    print(json.dumps(out))


if __name__ == "__main__":
    main()
