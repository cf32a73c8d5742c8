#!/usr/bin/env bash
# Offline tests of terraform/ (called by `npm test` as `bash terraform/test.sh`).
#
# Steps: terraform + provider mirror check, fmt -check, init+validate of the
# module, the env roots and bootstrap, `terraform test` with mock providers,
# checkov, and a real plan/apply/destroy of bootstrap + the dev root against
# moto_server (with the dev state stored in the moto S3 bucket created by
# bootstrap, using S3 native locking).
#
# Everything runs on temporary copies with a per-run TF_DATA_DIR, so nothing
# is written into the clone. Environment knobs:
#   TERRAFORM=/path/to/terraform   TF_PLUGIN_MIRROR=/opt/tf-plugins
#   TF_TEST_SKIP_MOTO=1            skip the moto apply (not for CI)
#   TF_TEST_KEEP=1                 keep the work dir for debugging
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tfsrc="$root/terraform"
TF="${TERRAFORM:-terraform}"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
aws_provider_version="5.100.0"

work="$(mktemp -d "${TMPDIR:-/tmp}/infergate-tf.XXXXXX")"
logs="$work/logs"
mkdir -p "$logs"
export root tfsrc TF mirror aws_provider_version work logs

passed=0
failed=0
moto_pid=""

cleanup() {
  local rc=$?
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

# step "<description>" <timeout seconds> <command...>: runs the command with its
# output in a log file, prints one line, shows the log tail on failure.
step_no=0
step() {
  local desc="$1" limit="$2"
  shift 2
  step_no=$((step_no + 1))
  local log="$logs/$(printf '%02d' "$step_no").log" start
  start="$(now)"
  # Functions run in a child bash (exported with export -f) so timeout can bound them.
  if timeout --kill-after=10 "$limit" bash -euo pipefail -c '"$@"' step "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    printf 'terraform: ok   %-58s %s\n' "$desc" "$(elapsed "$start")"
    return 0
  else
    local rc=$?
    failed=$((failed + 1))
    printf 'terraform: FAIL %-58s %s (exit %s)\n' "$desc" "$(elapsed "$start")" "$rc"
    sed 's/^/    | /' "$log" | tail -n 60
    return 1
  fi
}

# record <rc> "<description>" <start>: book a step that ran in this shell.
record() {
  local rc="$1" desc="$2" start="$3"
  step_no=$((step_no + 1))
  if [[ "$rc" -eq 0 ]]; then
    passed=$((passed + 1))
    printf 'terraform: ok   %-58s %s\n' "$desc" "$(elapsed "$start")"
  else
    failed=$((failed + 1))
    printf 'terraform: FAIL %-58s %s\n' "$desc" "$(elapsed "$start")"
  fi
  return "$rc"
}

finish() {
  echo "terraform: $passed passed, $failed failed"
  [[ "$failed" -eq 0 ]]
}

# ---------------------------------------------------------------------------
# Terraform CLI configuration: providers only from the offline mirror.
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
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1
unset TF_WORKSPACE TF_DATA_DIR
# No real AWS credentials or profiles may leak into any step.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_DEFAULT_PROFILE
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=eu-central-1 AWS_DEFAULT_REGION=eu-central-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

check_toolchain() {
  command -v "$TF" || { echo "terraform not found (TERRAFORM=$TF)"; return 1; }
  "$TF" version
  local bin
  bin="$(ls "$mirror"/registry.terraform.io/hashicorp/aws/"$aws_provider_version"/linux_amd64/terraform-provider-aws_* 2>/dev/null | head -n1)"
  [[ -n "$bin" && -x "$bin" ]] || { echo "hashicorp/aws $aws_provider_version missing from the provider mirror $mirror"; return 1; }
  echo "provider: $bin"
}
export -f check_toolchain

if ! step "terraform binary and hashicorp/aws $aws_provider_version mirror" 30 check_toolchain; then
  echo "terraform: the toolchain is missing; nothing else can run"
  finish || exit 1
fi

step "fmt -check -recursive" 60 "$TF" -chdir="$tfsrc" fmt -check -recursive -diff -no-color || true

# Pristine copy of terraform/ (no .terraform dirs, state or plans from the clone).
src="$work/src"
export src
mkdir -p "$src"
tar -C "$tfsrc" --exclude='.terraform' --exclude='*.tfstate*' --exclude='*.tfplan' --exclude='backend.hcl' -cf - . | tar -C "$src" -xf -

# init_validate <dir> <extra init args...>
init_validate() {
  local dir="$1"
  shift
  export TF_DATA_DIR="$work/data/$(echo "$dir" | tr '/' '_')"
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

# tests/ is a harness root: its run blocks point at ../modules/infergate-platform.
mock_tests() {
  export TF_DATA_DIR="$work/data/tests"
  "$TF" -chdir="$src/tests" init -input=false -no-color
  "$TF" -chdir="$src/tests" test -no-color
}
export -f mock_tests
step "terraform test (mock_provider aws, tests/*.tftest.hcl)" 300 mock_tests || true
grep -E '^(Success|Failure)!' "$logs/$(printf '%02d' "$step_no").log" | sed 's/^/    /' || true

run_checkov() {
  local venv
  venv="$(bash "$root/scripts/venv.sh" terraform-scan "$tfsrc/requirements-scan.txt")"
  "$venv/bin/checkov" --version
  # Offline: no platform download, no version check, terraform files only.
  BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false \
    "$venv/bin/checkov" -d "$tfsrc" --framework terraform --skip-download --quiet --compact \
    --skip-path '\.terraform' --download-external-modules false --output cli
}
export -f run_checkov
step "checkov (pinned, offline): no failed checks" 600 run_checkov || true

# ---------------------------------------------------------------------------
# Real plan/apply/destroy against moto_server.
# ---------------------------------------------------------------------------
if [[ "${TF_TEST_SKIP_MOTO:-}" == "1" ]]; then
  echo "terraform: skipping the moto apply (TF_TEST_SKIP_MOTO=1)"
  finish
  exit $?
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# Runs in this shell (not through step) so moto_pid is known to the EXIT trap.
# moto serves HTTPS with a throwaway self-signed certificate: the buckets'
# TLS-only policies (aws:SecureTransport) are evaluated by moto, so plain HTTP
# would be (rightly) denied.
start_moto() {
  command -v moto_server >/dev/null || { echo "    | moto_server not found"; return 1; }
  command -v openssl >/dev/null || { echo "    | openssl not found"; return 1; }
  timeout 30 openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$work/moto-key.pem" -out "$work/moto-cert.pem" >"$logs/openssl.log" 2>&1 ||
    { sed 's/^/    | /' "$logs/openssl.log"; return 1; }
  export AWS_CA_BUNDLE="$work/moto-cert.pem"
  port="$(free_port)"
  MOTO_IAM_LOAD_MANAGED_POLICIES=true timeout 1800 moto_server -H 127.0.0.1 -p "$port" \
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

port=""
moto_ok=0
moto_start="$(now)"
start_moto && moto_ok=1
record "$((1 - moto_ok))" "start moto_server (127.0.0.1:${port:-?})" "$moto_start" || true
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
  write_provider_override "$src/bootstrap"
  write_provider_override "$src/envs/dev"

  # The moto test bucket may be destroyed with its state objects; the lock table path is exercised too.
  cat >"$work/bootstrap.tfvars" <<EOF
force_destroy     = true
create_lock_table = true
EOF
  # moto has no EKS add-on or access-entry API: those resources are covered by the mock tests.
  cat >"$work/dev.tfvars" <<EOF
addons          = {}
admin_role_arns = []
EOF

  boot_apply() {
    export TF_DATA_DIR="$work/data/moto_bootstrap"
    "$TF" -chdir="$src/bootstrap" init -input=false -no-color -lockfile=readonly
    "$TF" -chdir="$src/bootstrap" apply -input=false -no-color -auto-approve -var-file="$work/bootstrap.tfvars"
    "$TF" -chdir="$src/bootstrap" output -no-color -raw state_bucket_name >"$work/state_bucket"
    "$TF" -chdir="$src/bootstrap" output -no-color -raw state_kms_key_arn >"$work/state_kms_key"
  }

  dev() {
    export TF_DATA_DIR="$work/data/moto_dev"
    "$TF" -chdir="$src/envs/dev" "$@"
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
    python3 "$src/tests/moto_verify.py" "$endpoint" "$work/dev-outputs.json"
  }
  dev_replan() { dev plan -input=false -no-color -detailed-exitcode -var-file="$work/dev.tfvars"; }
  dev_destroy() {
    dev destroy -input=false -no-color -auto-approve -var-file="$work/dev.tfvars"
    test "$(dev state list | wc -l)" -eq 0
  }
  boot_destroy() {
    export TF_DATA_DIR="$work/data/moto_bootstrap"
    "$TF" -chdir="$src/bootstrap" destroy -input=false -no-color -auto-approve -var-file="$work/bootstrap.tfvars"
  }
  export -f boot_apply dev dev_init dev_plan dev_apply dev_replan dev_destroy boot_destroy

  dev_inited=0
  if step "moto: apply bootstrap (state bucket, KMS, lock table)" 180 boot_apply; then
    if step "moto: init envs/dev with the S3 backend in moto" 120 dev_init; then
      dev_inited=1
      step "moto: plan envs/dev" 240 dev_plan &&
        step "moto: apply envs/dev + verify resources via AWS APIs" 300 dev_apply &&
        step "moto: re-plan envs/dev shows no changes" 240 dev_replan || true
    fi
  fi
  if [[ "$dev_inited" == "1" ]]; then
    step "moto: destroy envs/dev (state list empty afterwards)" 300 dev_destroy || true
  fi
  if [[ -f "$work/state_bucket" ]]; then
    step "moto: destroy bootstrap" 180 boot_destroy || true
  fi
fi

finish
