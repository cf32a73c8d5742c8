#!/usr/bin/env python3
"""Turn kubernetes-validate's strict schemas into files kubeconform can read offline.

kubernetes-validate ships, per Kubernetes minor, a `vX.Y.0-local-strict/` folder whose
per-kind files `$ref` into a shared `/api/_definitions.json`, resolved by its own Python
registry. kubeconform resolves refs against the schema's file URL, so it cannot follow
them. This writes one self-contained file per kind (its reachable `$defs` copied in,
refs rewritten to `#/$defs/...`), named the way kubeconform's template expects:

    OUT/v1.33.0-standalone-strict/deployment-apps-v1.json

Use with: kubeconform -strict -kubernetes-version 1.33.0 \
  -schema-location 'OUT/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json'

(The folder exists only with the -strict suffix, so forgetting -strict fails loudly.)
Usage: gen-k8s-schemas.py <kubernetes minor, e.g. 1.33> <out dir>
"""
import json
import os
import sys
from pathlib import Path

import kubernetes_validate

REF_PREFIX = "/api/_definitions.json#/$defs/"


def main() -> int:
    minor, out = sys.argv[1], Path(sys.argv[2])
    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    src = base / f"v{minor}.0-local-strict"
    if not src.is_dir():
        print(f"no strict schemas for {minor} in {base}", file=sys.stderr)
        return 1
    dst = out / f"v{minor}.0-standalone-strict"
    tmp = out / f".v{minor}.0-standalone-strict.tmp{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    defs = json.loads((src / "_definitions.json").read_text())["$defs"]

    def rewrite(node, found):
        if isinstance(node, dict):
            res = {}
            for k, v in node.items():
                if k == "$ref" and isinstance(v, str):
                    if v.startswith(REF_PREFIX):
                        name = v[len(REF_PREFIX):]
                    elif v.startswith("#/$defs/"):
                        name = v[len("#/$defs/"):]
                    else:
                        raise ValueError(f"unexpected $ref {v}")
                    found.add(name)
                    res[k] = "#/$defs/" + name
                else:
                    res[k] = rewrite(v, found)
            return res
        if isinstance(node, list):
            return [rewrite(x, found) for x in node]
        return node

    count = 0
    for f in sorted(src.glob("*.json")):
        if f.name.startswith("_") or f.name == "all.json":
            continue
        found: set = set()
        schema = rewrite(json.loads(f.read_text()), found)
        # transitive closure of referenced definitions
        out_defs, todo = {}, list(found)
        while todo:
            name = todo.pop()
            if name in out_defs:
                continue
            more: set = set()
            out_defs[name] = rewrite(defs[name], more)
            todo.extend(more - out_defs.keys())
        if out_defs:
            schema["$defs"] = out_defs
        schema.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
        (tmp / f.name).write_text(json.dumps(schema, separators=(",", ":")))
        count += 1
    if dst.exists():
        import shutil
        shutil.rmtree(dst)
    tmp.rename(dst)
    print(f"{count} schemas -> {dst}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
