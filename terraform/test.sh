#!/usr/bin/env bash
# Offline tests of terraform/ (called by `npm test` as `bash terraform/test.sh`).
#
# Steps: terraform + provider mirror check, fmt -check, init+validate of the
# module, the env roots and bootstrap, `terraform test` with mock providers,
# checkov, and a real plan/apply/destroy of bootstrap + the dev root against
# moto_server (the dev state lives in the moto S3 bucket created by bootstrap,
# with S3 native locking).
#
# Everything runs on a temporary copy of terraform/ with per-run TF_DATA_DIRs,
# so nothing is written into the clone. The emulator chain (mostly waiting on
# provider polls: S3 lifecycle consistency, EKS status) runs in the background
# while the CPU-bound static checks run in the foreground; its steps are booked
# in order afterwards, each with its own run time.
#
# Knobs: TERRAFORM=/path/to/terraform  TF_PLUGIN_MIRROR=/opt/tf-plugins (optional offline mirror)
#        TF_TEST_SKIP_MOTO=1 (skip the emulator part; not for CI)
#        TF_TEST_KEEP=1      (keep the work dir with all logs)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tfsrc="$root/terraform"
TF="${TERRAFORM:-terraform}"
aws_provider_version="5.100.0"
case "$(uname -m)" in x86_64 | amd64) platform=linux_amd64 ;; aarch64 | arm64) platform=linux_arm64 ;; *) platform="" ;; esac
provider_at() { compgen -G "$1/registry.terraform.io/hashicorp/aws/$aws_provider_version/$platform/terraform-provider-aws_*" >/dev/null; }
# Providers come from a filesystem mirror: the machine's offline one when it has the pinned
# provider (TF_PLUGIN_MIRROR, default /opt/tf-plugins), else one the project fills from the
# registry once (checked against the committed lock file's hashes) and keeps outside the clone.
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
if ! provider_at "$mirror"; then
  mirror="${INFERGATE_TOOLS_CACHE:-$HOME/.cache/infergate/tools}/terraform-providers"
  if ! provider_at "$mirror" && command -v "$TF" >/dev/null; then
    echo "terraform: mirroring hashicorp/aws $aws_provider_version from the registry into $mirror (first run only)" >&2
    CHECKPOINT_DISABLE=1 "$TF" -chdir="$tfsrc/envs/dev" providers mirror -platform="$platform" "$mirror" >&2 || true
  fi
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/infergate-tf.XXXXXX")"
logs="$work/logs"
src="$work/src"
mkdir -p "$logs" "$src" "$work/steps"
export root tfsrc TF mirror platform aws_provider_version work logs src

passed=0
failed=0
step_no=0
moto_pid=""
chain_pid=""

cleanup() {
  local rc=$?
  if [[ -n "$chain_pid" ]] && kill -0 "$chain_pid" 2>/dev/null; then
    kill "$chain_pid" 2>/dev/null || true
  fi
  if [[ -n "$moto_pid" ]] && kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  if [[ "${TF_TEST_KEEP:-}" == "1" ]]; then
    echo "terraform: work dir kept at $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

# record <rc> "<description>" <start epoch> [log]: books one step and prints its line.
record() {
  local rc="$1" desc="$2" start="$3" log="${4:-}"
  step_no=$((step_no + 1))
  if [[ "$rc" -eq 0 ]]; then
    passed=$((passed + 1))
    printf 'terraform: ok   %-60s %s\n' "$desc" "$(elapsed "$start")"
  else
    failed=$((failed + 1))
    printf 'terraform: FAIL %-60s %s (exit %s)\n' "$desc" "$(elapsed "$start")" "$rc"
    if [[ -n "$log" && -f "$log" ]]; then
      sed 's/^/    | /' "$log" | tail -n 60
    fi
  fi
  return "$rc"
}

# step "<description>" <timeout s> <command or exported function> [args...]
# Runs it in a child bash (functions are exported with export -f) bounded by
# timeout, output to a log file; prints one line, the log tail on failure.
step() {
  local desc="$1" limit="$2"
  shift 2
  local log="$logs/$(printf '%02d' "$((step_no + 1))")-${1//\//_}.log" start rc=0
  start="$(now)"
  timeout --kill-after=10 "$limit" bash -euo pipefail -c '"$@"' step "$@" >"$log" 2>&1 || rc=$?
  record "$rc" "$desc" "$start" "$log"
}

# timed <id> <timeout s> <function> [args...]: like step, but only writes the
# log, exit code and start/end times under $work/steps (for the background chain).
timed() {
  local id="$1" limit="$2" rc=0
  shift 2
  now >"$work/steps/$id.start"
  timeout --kill-after=10 "$limit" bash -euo pipefail -c '"$@"' step "$@" >"$logs/moto-$id.log" 2>&1 || rc=$?
  now >"$work/steps/$id.end"
  echo "$rc" >"$work/steps/$id.rc"
  return "$rc"
}

# book <id> "<description>": prints the line of a step the chain ran (if it ran).
book() {
  local id="$1" desc="$2" f="$work/steps/$1"
  [[ -f "$f.rc" ]] || return 1
  local start
  start="$(awk -v s="$(cat "$f.start")" -v e="$(cat "$f.end")" -v n="$(now)" 'BEGIN { printf "%.3f", n - (e - s) }')"
  record "$(cat "$f.rc")" "$desc" "$start" "$logs/moto-$id.log"
}

finish() {
  echo "terraform: $passed passed, $failed failed"
  [[ "$failed" -eq 0 ]]
}

# ---------------------------------------------------------------------------
# Environment: providers only from the offline mirror, fake credentials only.
# ---------------------------------------------------------------------------
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
unset TF_WORKSPACE TF_DATA_DIR TF_LOG
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=eu-central-1 AWS_DEFAULT_REGION=eu-central-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

check_toolchain() {
  command -v "$TF" || { echo "terraform not found (TERRAFORM=$TF)"; return 1; }
  "$TF" version
  local bin
  bin="$(ls "$mirror"/registry.terraform.io/hashicorp/aws/"$aws_provider_version"/"$platform"/terraform-provider-aws_* 2>/dev/null | head -n1)"
  [[ -n "$bin" && -x "$bin" ]] || { echo "hashicorp/aws $aws_provider_version missing from the provider mirror $mirror"; return 1; }
  echo "provider: $bin"
}
export -f check_toolchain

if ! step "terraform binary and hashicorp/aws $aws_provider_version mirror" 30 check_toolchain; then
  echo "terraform: terraform or the provider mirror is missing; nothing else can run"
  finish || exit 1
fi

step "fmt -check -recursive" 60 "$TF" -chdir="$tfsrc" fmt -check -recursive -diff -no-color || true

# Pristine copy of terraform/ (no .terraform dirs, state, plans or backend.hcl from the clone).
tar -C "$tfsrc" --exclude='.terraform' --exclude='*.tfstate*' --exclude='*.tfplan' --exclude='backend.hcl' \
  --exclude='*_override.tf' -cf - . | tar -C "$src" -xf -

# ---------------------------------------------------------------------------
# moto_server (HTTPS, throwaway self-signed certificate) and the bootstrap
# apply start first; the apply then runs in the background.
# ---------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# HTTPS because the buckets' TLS-only policies make a plain-HTTP emulator a
# poor stand-in; runs in this shell so the EXIT trap knows moto_pid.
start_moto() {
  local moto_server
  moto_server="$(bash "$root/scripts/venv.sh" moto "$root/scripts/requirements/moto.txt" 2>"$logs/moto-venv.log")/bin/moto_server" ||
    { sed 's/^/    | /' "$logs/moto-venv.log"; return 1; }
  command -v openssl >/dev/null || { echo "    | openssl not found"; return 1; }
  timeout 30 openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$work/moto-key.pem" -out "$work/moto-cert.pem" >"$logs/openssl.log" 2>&1 ||
    { sed 's/^/    | /' "$logs/openssl.log"; return 1; }
  export AWS_CA_BUNDLE="$work/moto-cert.pem"
  port="$(free_port)"
  MOTO_IAM_LOAD_MANAGED_POLICIES=true timeout 1800 "$moto_server" -H 127.0.0.1 -p "$port" \
    -c "$work/moto-cert.pem" -k "$work/moto-key.pem" >"$logs/moto.log" 2>&1 &
  moto_pid=$!
  local _
  for _ in $(seq 1 120); do
    if curl -fs -o /dev/null --max-time 2 --cacert "$AWS_CA_BUNDLE" "https://127.0.0.1:$port/moto-api/"; then
      return 0
    fi
    kill -0 "$moto_pid" 2>/dev/null || { sed 's/^/    | /' "$logs/moto.log"; return 1; }
    sleep 0.5
  done
  echo "    | moto_server did not answer within 60s"
  return 1
}

moto_ok=0
run_moto=1
[[ "${TF_TEST_SKIP_MOTO:-}" == "1" ]] && run_moto=0
if [[ "$run_moto" == "1" ]]; then
  port=""
  moto_start="$(now)"
  start_moto && moto_ok=1
  record "$((1 - moto_ok))" "start moto_server (https://127.0.0.1:${port:-?})" "$moto_start" || true
fi

if [[ "$moto_ok" == "1" ]]; then
  endpoint="https://127.0.0.1:$port"
  export endpoint

  # Provider endpoints come only from this generated override file, never from the committed roots.
  write_provider_override() {
    cat >"$1/provider_override.tf" <<EOF
provider "aws" {
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    autoscaling = "$endpoint"
    dynamodb    = "$endpoint"
    ec2         = "$endpoint"
    ecr         = "$endpoint"
    eks         = "$endpoint"
    iam         = "$endpoint"
    kms         = "$endpoint"
    logs        = "$endpoint"
    s3          = "$endpoint"
    sts         = "$endpoint"
  }
}
EOF
  }
  # Separate copies for the emulator runs, so the validate/test steps see the roots unmodified.
  mkdir -p "$work/moto"
  cp -a "$src/." "$work/moto/"
  msrc="$work/moto"
  export msrc
  write_provider_override "$msrc/bootstrap"
  write_provider_override "$msrc/envs/dev"
  # moto 5.2 treats a bucket-policy Deny whose condition it cannot evaluate
  # (aws:SecureTransport is never supplied) as an unconditional Deny for object
  # requests, which would block every state read/write. For the emulator run
  # only, the state bucket's TLS-only policy is dropped; its content is asserted
  # by tests/bootstrap.tftest.hcl and checked by checkov. (The model bucket keeps
  # its policy: nothing reads objects from it here.)
  cat >"$msrc/bootstrap/moto_override.tf" <<EOF
resource "aws_s3_bucket_policy" "state" {
  count = 0
}
EOF
  # force_destroy so the test can delete the bucket with its state objects; the lock table path is exercised too.
  printf 'force_destroy     = true\ncreate_lock_table = true\n' >"$work/bootstrap.tfvars"
  # moto has no EKS add-on or access-entry API: those resources are covered by the mock tests.
  printf 'addons          = {}\nadmin_role_arns = []\n' >"$work/dev.tfvars"

  boot_apply() {
    export TF_DATA_DIR="$work/data/moto_bootstrap"
    "$TF" -chdir="$msrc/bootstrap" init -input=false -no-color -lockfile=readonly
    "$TF" -chdir="$msrc/bootstrap" apply -input=false -no-color -auto-approve -var-file="$work/bootstrap.tfvars"
    "$TF" -chdir="$msrc/bootstrap" output -no-color -raw state_bucket_name >"$work/state_bucket"
    "$TF" -chdir="$msrc/bootstrap" output -no-color -raw state_kms_key_arn >"$work/state_kms_key"
  }
  export -f boot_apply
  dev() {
    export TF_DATA_DIR="$work/data/moto_dev"
    "$TF" -chdir="$msrc/envs/dev" "$@"
  }
  dev_init() {
    cat >"$work/dev-backend.hcl" <<EOF
bucket                      = "$(cat "$work/state_bucket")"
key                         = "infergate/dev/terraform.tfstate"
region                      = "eu-central-1"
encrypt                     = true
kms_key_id                  = "$(cat "$work/state_kms_key")"
use_lockfile                = true
use_path_style              = true
skip_credentials_validation = true
skip_requesting_account_id  = true
skip_metadata_api_check     = true
skip_region_validation      = true
endpoints = {
  s3       = "$endpoint"
  sts      = "$endpoint"
  iam      = "$endpoint"
  dynamodb = "$endpoint"
}
EOF
    dev init -input=false -no-color -lockfile=readonly -backend-config="$work/dev-backend.hcl"
  }
  dev_plan() { dev plan -input=false -no-color -var-file="$work/dev.tfvars" -out="$work/dev.tfplan"; }
  dev_apply() {
    dev apply -input=false -no-color "$work/dev.tfplan"
    dev output -no-color -json >"$work/dev-outputs.json"
    # The state really is in the moto bucket, and the S3 lock file was released.
    python3 "$msrc/tests/moto_verify.py" state-in-bucket "$endpoint" "$(cat "$work/state_bucket")" infergate/dev/terraform.tfstate
    python3 "$msrc/tests/moto_verify.py" "$endpoint" "$work/dev-outputs.json"
    # The Argo CD cluster Secret has the shape the ApplicationSet in argocd/ is written against.
    python3 "$msrc/tests/moto_verify.py" cluster-secret "$work/dev-outputs.json" "$root/argocd/tests/fixtures/clusters/dev.json"
  }
  dev_replan() {
    dev plan -input=false -no-color -var-file="$work/dev.tfvars" -out="$work/dev-replan.tfplan"
    dev show -no-color -json "$work/dev-replan.tfplan" >"$work/dev-replan.json"
    python3 "$msrc/tests/moto_verify.py" replan-drift "$work/dev-replan.json"
  }
  dev_destroy() {
    dev destroy -input=false -no-color -auto-approve -var-file="$work/dev.tfvars"
    test "$(dev state list | wc -l)" -eq 0
  }
  boot_destroy() {
    export TF_DATA_DIR="$work/data/moto_bootstrap"
    python3 "$msrc/tests/moto_verify.py" empty-bucket "$endpoint" "$(cat "$work/state_bucket")"
    "$TF" -chdir="$msrc/bootstrap" destroy -input=false -no-color -auto-approve -var-file="$work/bootstrap.tfvars"
  }
  export -f dev dev_init dev_plan dev_apply dev_replan dev_destroy boot_destroy

  # The chain: each step only if the previous ones allow it; destroys always when there is something to destroy.
  moto_chain() {
    timed boot_apply 300 boot_apply || return 0
    if timed dev_init 120 dev_init; then
      timed dev_plan 300 dev_plan && timed dev_apply 420 dev_apply && timed dev_replan 300 dev_replan || true
      timed dev_destroy 420 dev_destroy || true
    fi
    [[ -s "$work/state_bucket" ]] && timed boot_destroy 300 boot_destroy || true
  }
  moto_chain &
  chain_pid=$!
fi

# ---------------------------------------------------------------------------
# Static checks (foreground, CPU-bound).
# ---------------------------------------------------------------------------
# init_validate <dir> [extra init args...]
init_validate() {
  local dir="$1"
  shift
  export TF_DATA_DIR="$work/data/validate_${dir//\//_}"
  "$TF" -chdir="$src/$dir" init -input=false -no-color -backend=false "$@"
  "$TF" -chdir="$src/$dir" validate -no-color
}
export -f init_validate

step "init + validate modules/infergate-platform" 120 init_validate modules/infergate-platform || true
for env in dev staging prod; do
  # -lockfile=readonly: the committed .terraform.lock.hcl must match the mirror.
  step "init + validate envs/$env" 120 init_validate "envs/$env" -lockfile=readonly || true
done
step "init + validate bootstrap" 120 init_validate bootstrap -lockfile=readonly || true

# tests/ is a harness root; its run blocks point at ../modules/infergate-platform, ../bootstrap and ../envs/*.
mock_tests() {
  export TF_DATA_DIR="$work/data/tests"
  "$TF" -chdir="$src/tests" init -input=false -no-color
  "$TF" -chdir="$src/tests" test -no-color
}
export -f mock_tests
step "terraform test (mock_provider aws, tests/*.tftest.hcl)" 600 mock_tests || true
grep -hE '^(Success|Failure)!' "$logs"/*mock_tests.log | sed 's/^/    /' || true

run_checkov() {
  local venv
  venv="$(bash "$root/scripts/venv.sh" terraform-scan "$tfsrc/requirements-scan.txt")"
  "$venv/bin/checkov" --version
  # Offline: no platform download or upload, terraform files only, suppressions inline.
  BC_SKIP_MAPPING=TRUE "$venv/bin/checkov" -d "$tfsrc" --framework terraform --skip-download --quiet --compact \
    --skip-path '\.terraform' --download-external-modules false --output cli
}
export -f run_checkov
step "checkov $(grep -Eo 'checkov==[0-9.]+' "$tfsrc/requirements-scan.txt") offline: 0 failed checks" 600 run_checkov || true
grep -hE '^Passed checks' "$logs"/*run_checkov.log | sed 's/^/    /' || true

# ---------------------------------------------------------------------------
# Real plan/apply/destroy against moto_server.
# ---------------------------------------------------------------------------
if [[ "$run_moto" != "1" ]]; then
  echo "terraform: skipped the moto apply (TF_TEST_SKIP_MOTO=1)"
  finish
  exit $?
fi

if [[ "$moto_ok" == "1" ]]; then
  wait "$chain_pid" || true
  chain_pid=""
  book boot_apply "moto: apply bootstrap (state bucket, KMS key, lock table)" || true
  book dev_init "moto: init envs/dev, S3 backend = the bootstrap bucket" || true
  book dev_plan "moto: plan envs/dev" || true
  book dev_apply "moto: apply envs/dev, verify via AWS APIs + Argo CD secret" || true
  book dev_replan "moto: re-plan envs/dev, no drift beyond moto's EKS gaps" || true
  book dev_destroy "moto: destroy envs/dev (state empty afterwards)" || true
  book boot_destroy "moto: destroy bootstrap" || true
  [[ -f "$work/steps/boot_apply.rc" ]] || { record 1 "moto: emulator chain produced no result" "$(now)"; }
fi

finish
