#!/usr/bin/env bash
# bench.sh — what one vpce-probe run costs, next to the way people check today (root).
#
#   sudo tests/lab/bench.sh            # BENCH_RUNS=10 happy runs, BENCH_SLOW_RUNS=3 blackholed
#
# On one lab (tests/lab/lab.sh), for each case
#   happy       every endpoint in place
#   blackholed  the ecr.dkr endpoint's security group drops 443 (sg-drop-dkr)
# and then both again with 20 ms added per round trip (the `latency` fault), it runs
# each tool N times inside the subnet namespace and measures, with /usr/bin/time,
# wall time, CPU time (user+sys, children included) and peak RSS (the largest single
# process of the run):
#   vpce-probe   --timeout 2s --output json
#   dig+curl     dig the three names, openssl s_client, a curl POST for the ECR token,
#                curl the manifest, curl -L the first layer and check its digest
#   skopeo       a curl POST for the token, skopeo inspect, skopeo copy to a dir
# The other tools get the same 2 s connect budget where they have one (curl,
# dig, openssl via `timeout`); skopeo has --command-timeout 15s. Every loop is bounded.
# Prints a markdown table (also written to $BENCH_OUT, default target/lab-bench.md).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB=$HERE/lab.sh
NAME=bench$(($$ % 10000))
RUNS=${BENCH_RUNS:-10}
SLOW_RUNS=${BENCH_SLOW_RUNS:-3}
OUT=${BENCH_OUT:-$ROOT/target/lab-bench.md}

[[ $(id -u) -eq 0 ]] || { echo "bench.sh: run as root (network namespaces): sudo $0" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench.sh: /usr/bin/time missing (Debian package time): run tests/lab/install.sh" >&2; exit 1; }
BIN=${VPCE_PROBE_BIN:-$ROOT/target/release/vpce-probe}
[[ -x $BIN ]] || { echo "bench.sh: no probe at $BIN: cargo build --release (or set VPCE_PROBE_BIN)" >&2; exit 1; }

trap '"$LAB" down "$NAME" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
WORK=$(mktemp -d /tmp/vpce-bench.XXXXXX)
"$LAB" up "$NAME"
eval "$("$LAB" env "$NAME")"
mkdir -p "$WORK/certs"
cp "$LAB_CA" "$WORK/certs/ca.crt" # skopeo wants a directory of *.crt

# ---- the three ways, each a script run inside the subnet namespace
cat >"$WORK/probe.sh" <<EOF
exec env -i PATH=/usr/bin:/bin AWS_REGION=$LAB_REGION \\
  AWS_CONTAINER_CREDENTIALS_FULL_URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI \\
  ECS_CONTAINER_METADATA_URI_V4=$ECS_CONTAINER_METADATA_URI_V4 \\
  $BIN --image $LAB_IMAGE_SINGLE --ca-bundle $LAB_CA --timeout 2s --output json >/dev/null
EOF

# what a careful person types today, step by step; stops at the first failure
TOKEN_CURL="curl -sf --connect-timeout 2 -m 10 --cacert $LAB_CA https://$LAB_API_HOST/ \
  -H 'X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken' \
  -H 'Content-Type: application/x-amz-json-1.1' -H 'X-Amz-Date: 20240101T000000Z' \
  -H 'Authorization: AWS4-HMAC-SHA256 Credential=ASIALAB/20240101/$LAB_REGION/ecr/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000' -d '{}'"
cat >"$WORK/today.sh" <<EOF
set -euo pipefail
for h in $LAB_API_HOST $LAB_DKR_HOST $LAB_S3_HOST; do dig +time=2 +tries=1 +short \$h >/dev/null; done
timeout 2 openssl s_client -connect $LAB_DKR_HOST:443 -servername $LAB_DKR_HOST -CAfile $LAB_CA -verify_return_error </dev/null >/dev/null 2>&1
pass=\$($TOKEN_CURL | jq -r '.authorizationData[0].authorizationToken' | base64 -d | cut -d: -f2-)
layer=\$(curl -sf --connect-timeout 2 -m 10 --cacert $LAB_CA -u "AWS:\$pass" \\
  -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \\
  https://$LAB_DKR_HOST/v2/lab/single/manifests/v1 | jq -r '.layers[0].digest')
got=\$(curl -sfL --connect-timeout 2 -m 30 --cacert $LAB_CA -u "AWS:\$pass" \\
  https://$LAB_DKR_HOST/v2/lab/single/blobs/\$layer | sha256sum | cut -d' ' -f1)
[[ sha256:\$got == "\$layer" ]]
EOF

cat >"$WORK/skopeo.sh" <<EOF
set -euo pipefail
pass=\$($TOKEN_CURL | jq -r '.authorizationData[0].authorizationToken' | base64 -d | cut -d: -f2-)
sk="skopeo --policy $LAB_DIR/images/policy.json --command-timeout 15s"
\$sk inspect --cert-dir $WORK/certs --creds "AWS:\$pass" docker://$LAB_IMAGE_SINGLE >/dev/null
rm -rf $WORK/copy
\$sk copy --quiet --src-cert-dir $WORK/certs --src-creds "AWS:\$pass" docker://$LAB_IMAGE_SINGLE dir:$WORK/copy
EOF

RAW=$WORK/raw.tsv
: >"$RAW"
measure() { # measure CASE TOOL RUNS SCRIPT
  local i
  for ((i = 0; i < $3; i++)); do
    ip netns exec "$LAB_SUBNET_NS" /usr/bin/time -q -f '%e %U %S %M %x' -o "$WORK/t" bash "$4" >/dev/null 2>&1 || true
    # GNU time writes "Command exited with non-zero status N" before the numbers
    echo -e "$1\t$2\t$(tail -n1 "$WORK/t")" >>"$RAW"
  done
  echo "bench: $1 / $2: $3 runs" >&2
}

bench_case() { # bench_case LABEL RUNS
  measure "$1" vpce-probe "$2" "$WORK/probe.sh"
  measure "$1" "dig+openssl+curl" "$2" "$WORK/today.sh"
  measure "$1" "curl token+skopeo" "$2" "$WORK/skopeo.sh"
}

bench_case happy "$RUNS"
"$LAB" fault "$NAME" sg-drop-dkr on
bench_case "blackholed dkr" "$SLOW_RUNS"
"$LAB" fault "$NAME" sg-drop-dkr off
"$LAB" fault "$NAME" latency on 20
bench_case "happy +20 ms" "$RUNS"
"$LAB" fault "$NAME" sg-drop-dkr on
bench_case "blackholed dkr +20 ms" "$SLOW_RUNS"
"$LAB" fault "$NAME" sg-drop-dkr off
"$LAB" fault "$NAME" latency off

mkdir -p "$(dirname "$OUT")"
MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB, Linux $(uname -r)"
BIN_BYTES=$(stat -c %s "$BIN")
python3 - "$RAW" "$MACHINE" "$BIN_BYTES" <<'PY' | tee "$OUT"
import statistics, sys
from collections import OrderedDict
rows = OrderedDict()
for line in open(sys.argv[1]):
    case, tool, nums = line.rstrip("\n").split("\t")
    e, u, s, m, x = nums.split()
    rows.setdefault((case, tool), []).append((float(e), float(u) + float(s), int(m) / 1024, int(x)))
def fmt(vals, unit, scale=1.0, nd=0):
    med = statistics.median(vals) * scale
    return f"{med:.{nd}f} ({min(vals)*scale:.{nd}f}–{max(vals)*scale:.{nd}f}) {unit}"
print(f"Lab benchmark on {sys.argv[2]}; median (min–max) over N runs; time = /usr/bin/time")
print(f"vpce-probe binary: {int(sys.argv[3]):,} bytes ({int(sys.argv[3]) / 2**20:.1f} MiB)\n")
print("| case | tool | N | wall | CPU user+sys | peak RSS | exit codes |")
print("|---|---|---|---|---|---|---|")
for (case, tool), r in rows.items():
    exits = ",".join(sorted({str(x[3]) for x in r}))
    print(f"| {case} | {tool} | {len(r)} | {fmt([x[0] for x in r], 'ms', 1000)} | "
          f"{fmt([x[1] for x in r], 'ms', 1000)} | {fmt([x[2] for x in r], 'MiB', 1, 1)} | {exits} |")
PY
