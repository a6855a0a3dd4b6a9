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
# misconfigurations switched on; last, `vpce-probe launch` from outside the subnets (as
# from a laptop) runs the probe in both subnets of a service through the lab's ECS
# control-plane stand-in (tests/lab/ecs_control.py), the second subnet's ssm endpoint
# blocked. The lab and the stand-in are torn down on exit, however the script ends.
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

CONTROL_PID=
CONTROL_DIR=$(mktemp -d /tmp/vpce-demo-launch.XXXXXX)
cleanup() {
  [[ -n $CONTROL_PID ]] && kill "$CONTROL_PID" 2>/dev/null
  rm -rf "$CONTROL_DIR"
  "$LAB" down "$NAME" >/dev/null 2>&1 || true
}
trap cleanup EXIT
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

banner "5. From a laptop: launch runs the probe in each subnet of service app (subnet B's ssm endpoint drops it)" \
  "launch --cluster lab --service app"
# The ECS control-plane stand-in: RunTask pulls the probe image through the subnet's
# endpoints and runs the probe there; task definitions and logs are moto's.
SUBNET_A=subnet-0a0000000000000a1 SUBNET_B=subnet-0b0000000000000b2
export LAB_AWS_NS LAB_DIR LAB_PASSWORD LAB_SUBNET_NS LAB_SUBNET2_NS LAB_CA
python3 - "$CONTROL_DIR" "$VPCE_PROBE_BIN" "$SUBNET_A" "$SUBNET_B" <<'PY'
import json, os, sys
d, probe, a, b = sys.argv[1:]
e = os.environ
json.dump({"dir": d, "port_file": d + "/port", "aws_ns": e["LAB_AWS_NS"], "lab_dir": e["LAB_DIR"],
           "probe_bin": probe, "registry_password": e["LAB_PASSWORD"], "python": "python3",
           "subnets": {a: {"ns": e["LAB_SUBNET_NS"], "az": "us-east-1a", "ip": "10.0.1.10", "cidr": "10.0.1.0/24"},
                       b: {"ns": e["LAB_SUBNET2_NS"], "az": "us-east-1b", "ip": "10.0.2.10", "cidr": "10.0.2.0/24"}},
           "extra_env": {"VPCE_PROBE_CA_BUNDLE": e["LAB_CA"], "VPCE_PROBE_TIMEOUT": "2s"}},
          open(d + "/config.json", "w"))
PY
"${VPCE_LAB_VENV:-/opt/vpce-lab/venv}/bin/python3" "$HERE/ecs_control.py" "$CONTROL_DIR/config.json" \
  </dev/null >/dev/null 2>"$CONTROL_DIR/control.log" &
CONTROL_PID=$!
for _ in $(seq 100); do [[ -s $CONTROL_DIR/port ]] && break; sleep 0.1; done
[[ -s $CONTROL_DIR/port ]] || { echo "demo.sh: the control-plane stand-in did not start" >&2; exit 1; }
ENDPOINT=http://127.0.0.1:$(cat "$CONTROL_DIR/port")
ecs() { # ecs ACTION JSON: one call as the CLI makes it (moto routes by the SigV4 scope)
  curl -sfS "$ENDPOINT/" -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" \
    -H "Content-Type: application/x-amz-json-1.1" \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7LABSEED/20240101/$LAB_REGION/ecs/aws4_request, SignedHeaders=host, Signature=0000" \
    -d "$2" >/dev/null
}
ecs CreateCluster '{"clusterName":"lab"}'
ecs RegisterTaskDefinition "$(cat "$TD")"
ecs CreateService "{\"cluster\":\"lab\",\"serviceName\":\"app\",\"taskDefinition\":\"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["family"])' "$TD")\",
  \"desiredCount\":0,\"launchType\":\"FARGATE\",\"platformVersion\":\"1.4.0\",\"networkConfiguration\":{\"awsvpcConfiguration\":{
  \"subnets\":[\"$SUBNET_A\",\"$SUBNET_B\"],\"securityGroups\":[\"sg-0a1b2c3d4e5f60718\"],\"assignPublicIp\":\"DISABLED\"}}}"
# The probe image in the account's own ECR (the lab's image stands in for it).
ip netns exec "$LAB_AWS_NS" skopeo --policy "$LAB_DIR/images/policy.json" copy --quiet \
  --src-tls-verify=false --dest-tls-verify=false \
  --src-creds "AWS:$LAB_PASSWORD" --dest-creds "AWS:$LAB_PASSWORD" \
  docker://127.0.0.1:5001/lab/single:v1 docker://127.0.0.1:5001/lab/vpce-probe:launch
"$LAB" fault "$NAME" subnet2-sg-drop-ssm on
rc=0
mkdir -p "$CONTROL_DIR/home"
env -i PATH=/usr/bin:/bin HOME="$CONTROL_DIR/home" AWS_REGION="$LAB_REGION" \
  AWS_ACCESS_KEY_ID=AKIAIOSFODNN7LABDEV01 AWS_SECRET_ACCESS_KEY=lab-dev-secret-key-not-checked-by-moto \
  AWS_ENDPOINT_URL="$ENDPOINT" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  AWS_EC2_METADATA_DISABLED=true \
  "$VPCE_PROBE_BIN" launch --cluster lab --service app --probe-image "$LAB_DKR_HOST/lab/vpce-probe:launch" \
  --wait 120s --output human || rc=$?
echo "(exit $rc)"
((rc == 1)) || FAILED+=("$BANNER: exit $rc, expected 1")
"$LAB" fault "$NAME" subnet2-sg-drop-ssm off

echo
echo "More faults: $LAB faults   (lab up/fault/exec/env/down by hand: $LAB help)"
if ((${#FAILED[@]})); then
  printf 'demo.sh: FAILED: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
echo "demo.sh: every run ended as expected"
