#!/usr/bin/env bash
# demo.sh — see vpce-probe work, from a fresh clone, in about a minute (root).
#
#   sudo tests/lab/demo.sh
#
# The first build of the probe takes several minutes on a small machine (the AWS SDK
# is large); later runs reuse it. The standard cargo environment is honoured
# (CARGO_TARGET_DIR, CARGO_HOME, RUSTUP_TOOLCHAIN); VPCE_PROBE_BIN skips the build.
# It exits non-zero when a run does not end as expected (a missing binary, a probe that
# could not run, a healthy lab that fails), so its last line is the verdict.
#
# Installs what is missing (tests/lab/install.sh: Debian packages + moto in a venv),
# builds the probe, brings up the "VPC in a box" lab (tests/lab/lab.sh: two network
# namespaces, nothing connected to the host's network), and runs the probe in the
# lab's subnet the way it runs in an ECS task — human output — first as a
# task-definition preflight (the image pulls, but the task's SSM secret cannot be
# fetched: no ssm endpoint), then with every endpoint in place, then with two classic
# misconfigurations switched on. The lab is
# torn down on exit, however the script ends.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB=$HERE/lab.sh
NAME=demo$(($$ % 10000))

[[ $(id -u) -eq 0 ]] || { echo "demo.sh: run as root (network namespaces): sudo $0" >&2; exit 1; }

# A given binary is checked before anything is installed or started.
[[ -z ${VPCE_PROBE_BIN:-} || -x ${VPCE_PROBE_BIN:-} ]] ||
  { echo "demo.sh: VPCE_PROBE_BIN=$VPCE_PROBE_BIN is not an executable file" >&2; exit 1; }
bash "$HERE/install.sh"
if [[ -z ${VPCE_PROBE_BIN:-} ]]; then
  echo "demo.sh: building vpce-probe (the first build takes several minutes on a small machine)" >&2
  (cd "$ROOT" && cargo build --release --bin vpce-probe)
  VPCE_PROBE_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/vpce-probe
  [[ $VPCE_PROBE_BIN == /* ]] || VPCE_PROBE_BIN=$ROOT/$VPCE_PROBE_BIN
fi
[[ -x $VPCE_PROBE_BIN ]] || { echo "demo.sh: no probe binary at $VPCE_PROBE_BIN" >&2; exit 1; }

trap '"$LAB" down "$NAME" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
"$LAB" up "$NAME"
eval "$("$LAB" env "$NAME")"

# The probe sees only what a task sees: the ECS credentials and metadata endpoints,
# AWS_REGION, the subnet's resolv.conf. --ca-bundle trusts the lab's CA (real AWS
# certificates chain to public roots); --timeout keeps the blackholed runs short.
# Each run names the exit status it must end with: 0 for the healthy lab, 1 (a hop
# failed) for a fault. Anything else (2 usage, 3 could not run, 127 no binary) or a
# fault that passes is a broken demo.
FAILED=()
probe() { # probe EXPECTED-EXIT [EXTRA-FLAGS...]
  local want=$1 rc=0
  shift
  ip netns exec "$LAB_SUBNET_NS" env -i PATH=/usr/bin:/bin AWS_REGION="$LAB_REGION" \
    AWS_CONTAINER_CREDENTIALS_FULL_URI="$AWS_CONTAINER_CREDENTIALS_FULL_URI" \
    ECS_CONTAINER_METADATA_URI_V4="$ECS_CONTAINER_METADATA_URI_V4" \
    "$VPCE_PROBE_BIN" --ca-bundle "$LAB_CA" --timeout 2s --output human "$@" || rc=$?
  echo "(exit $rc)"
  ((rc == want)) || FAILED+=("$BANNER: exit $rc, expected $want")
}
banner() {
  BANNER=$1
  printf '\n\033[1m=== %s\033[0m\n$ vpce-probe %s --output human\n\n' "$1" "$2"
}

TD=$LAB_TASK_DEFINITIONS/fargate-secrets.json
banner "1. Will this task start here? Its image pulls, but there is no ssm endpoint for its secret" \
  "--task-definition fargate-secrets.json"
"$LAB" fault "$NAME" private-dns-off-ssm on
probe 1 --task-definition "$TD"
"$LAB" fault "$NAME" private-dns-off-ssm off

banner "2. Every endpoint in place: ecr.api, ecr.dkr, logs (interface), S3 (gateway route)" "--image $LAB_IMAGE_SINGLE"
probe 0 --image "$LAB_IMAGE_SINGLE"

banner "3. The ecr.api endpoint's security group does not allow 443 from the subnet" "--image $LAB_IMAGE_SINGLE"
"$LAB" fault "$NAME" sg-drop-api on
probe 1 --image "$LAB_IMAGE_SINGLE"
"$LAB" fault "$NAME" sg-drop-api off

banner "4. The S3 gateway endpoint is not associated with the subnet's route table" "--image $LAB_IMAGE_SINGLE"
"$LAB" fault "$NAME" no-s3-route on
probe 1 --image "$LAB_IMAGE_SINGLE"
"$LAB" fault "$NAME" no-s3-route off

echo
echo "More faults: $LAB faults   (lab up/fault/exec/env/down by hand: $LAB help)"
if ((${#FAILED[@]})); then
  printf 'demo.sh: FAILED: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
echo "demo.sh: every run ended as expected"
