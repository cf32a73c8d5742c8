#!/usr/bin/env bash
# Creates (once) a Python virtualenv for one pinned requirements file and links it
# at .venv/<name>. The venv lives outside the clone, keyed by the file's digest, so
# a fresh CI clone reuses it and a changed pin builds a new one.
# Usage: scripts/venv.sh <name> <requirements.txt>   (prints the venv path)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="$1"
req="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
cache="${INFERGATE_VENV_CACHE:-$HOME/.cache/infergate/venvs}"
digest="$(sha256sum "$req" | cut -c1-16)"
venv="$cache/$name-$digest"
mkdir -p "$cache" "$root/.venv"

if [[ ! -f "$venv/.complete" ]]; then
  (
    flock 9
    if [[ ! -f "$venv/.complete" ]]; then
      echo "[venv] creating $name from $2 (first run only)" >&2
      rm -rf "$venv"
      python3 -m venv "$venv"
      "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
      touch "$venv/.complete"
    fi
  ) 9>"$venv.lock"
fi
ln -sfn "$venv" "$root/.venv/$name"
echo "$root/.venv/$name"
