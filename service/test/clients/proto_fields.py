"""Compares infergate's gRPC proto with the descriptors the V2 gRPC clients are built from.

Usage: python proto_fields.py <path/to/open_inference_grpc.proto> <kserve|tritonclient>
Compiles the proto with grpc_tools (pinned beside the clients) and, for every message and method
it declares, looks up the same full name in that client's generated descriptors: field names,
numbers, types and labels, and method input/output types, must be equal. One client per process:
both register the package `inference` in protobuf's default pool, which refuses duplicates.
Prints one JSON object: how many fields and methods were compared, and what differs.
"""

import json
import os
import sys
import tempfile
import warnings

from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_tools import protoc

# FieldDescriptor.label is deprecated in newer protobuf; it is still the plainest comparison here.
warnings.simplefilter("ignore", DeprecationWarning)


def compile_proto(path):
    with tempfile.TemporaryDirectory() as out:
        target = os.path.join(out, "set.pb")
        include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
        code = protoc.main(
            ["protoc", f"-I{os.path.dirname(path)}", f"-I{include}", f"--descriptor_set_out={target}", path]
        )
        if code != 0:
            raise SystemExit(f"protoc failed on {path}")
        with open(target, "rb") as f:
            return descriptor_pb2.FileDescriptorSet.FromString(f.read()).file[0]


def messages(file_proto):
    def walk(prefix, msgs):
        for m in msgs:
            name = f"{prefix}.{m.name}"
            yield name, m
            yield from walk(name, m.nested_type)

    yield from walk(file_proto.package, file_proto.message_type)


def field_sig(f):
    return {"number": f.number, "type": f.type, "label": f.label, "type_name": f.type_name.lstrip(".")}


def compare(ours, pool):
    """Shared fields must agree; fields only one side has are listed (a oneof or an extension field
    one side lacks is compatible, since protobuf skips unknown fields)."""
    out = {"compared": 0, "mismatches": [], "ours_only": [], "theirs_only": []}
    for name, msg in messages(ours):
        if msg.options.map_entry:
            continue
        try:
            theirs = pool.FindMessageTypeByName(name)
        except KeyError:
            out["mismatches"].append(f"no message {name}")
            continue
        theirs_fields = {f.name: f for f in theirs.fields}
        for f in msg.field:
            out["compared"] += 1
            t = theirs_fields.pop(f.name, None)
            if t is None:
                out["ours_only"].append(f"{name}.{f.name}")
                continue
            other = {"number": t.number, "type": t.type, "label": t.label,
                     "type_name": t.message_type.full_name if t.message_type else ""}
            if field_sig(f) != other:
                out["mismatches"].append(f"{name}.{f.name} is {field_sig(f)}, theirs {other}")
        out["theirs_only"] += [f"{name}.{n}" for n in theirs_fields]
    for svc in ours.service:
        theirs = pool.FindServiceByName(f"{ours.package}.{svc.name}")
        for m in svc.method:
            out["compared"] += 1
            t = theirs.methods_by_name.get(m.name)
            if t is None:
                out["mismatches"].append(f"no method {m.name}")
            elif (m.input_type.lstrip("."), m.output_type.lstrip(".")) != (t.input_type.full_name, t.output_type.full_name):
                out["mismatches"].append(f"method {m.name} types differ")
    return out


def main():
    ours = compile_proto(os.path.abspath(sys.argv[1]))
    if sys.argv[2] == "kserve":
        from kserve.protocol.grpc import grpc_predict_v2_pb2 as generated
    else:
        from tritonclient.grpc import service_pb2 as generated
    print(json.dumps(compare(ours, generated.DESCRIPTOR.pool)))


if __name__ == "__main__":
    main()
