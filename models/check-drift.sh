#!/usr/bin/env bash
# Drift check for the committed model artifacts: re-runs models/train.py (and fixtures.py) into a temp
# dir and compares every artifact byte for byte with the committed one (both ways, so
# a stale or missing file fails too). Exits non-zero naming the first differing file.
# Usage: models/check-drift.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$("$root/scripts/venv.sh" models "$root/models/requirements.txt")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Runs one generator script into $tmp; on failure shows its log and stops with the summary line.
# The committed manifests use fixed created_at values, so SOURCE_DATE_EPOCH must not leak in.
generate() {
  local script="$1"
  shift
  if ! env -u SOURCE_DATE_EPOCH PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" "$root/models/$script" "$@" \
    >"$tmp/$script.log" 2>&1; then
    cat "$tmp/$script.log" >&2
    echo "models drift: $script failed" >&2
    echo "models drift: 0 passed, 1 failed"
    exit 1
  fi
}
generate train.py --out "$tmp/repository" --degraded-out "$tmp/degraded"
generate fixtures.py --out "$tmp/fp16"

# generated root -> committed root
pairs=(
  "$tmp/repository:$root/models/repository"
  "$tmp/degraded:$root/service/test/fixtures/models/degraded"
  "$tmp/fp16:$root/service/test/fixtures/models/fp16"
)
passed=0
for pair in "${pairs[@]}"; do
  gen="${pair%%:*}" committed="${pair#*:}"
  files="$( { (cd "$gen" && find . -type f); (cd "$committed" 2>/dev/null && find . -type f); } | sort -u)"
  while IFS= read -r f; do
    rel="${committed#"$root"/}/${f#./}"
    if [[ ! -f "$gen/$f" ]]; then
      echo "models drift: $rel is committed but models/train.py or fixtures.py no longer writes it" >&2
    elif [[ ! -f "$committed/$f" ]]; then
      echo "models drift: $rel is written by models/train.py or fixtures.py but not committed" >&2
    elif ! cmp -s "$gen/$f" "$committed/$f"; then
      echo "models drift: $rel differs from a fresh run (regenerate: $venv/bin/python models/train.py; models/fixtures.py)" >&2
    else
      passed=$((passed + 1))
      continue
    fi
    echo "models drift: $passed passed, 1 failed"
    exit 1
  done <<<"$files"
done
echo "models drift: $passed passed, 0 failed"
