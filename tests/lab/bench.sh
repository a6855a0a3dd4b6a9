#!/usr/bin/env bash
# bench.sh — what one vpce-probe run costs, each figure next to its goal (issue 10) and
# next to the way people check today (root).
#
#   sudo tests/lab/bench.sh                    # bench, print markdown, write $BENCH_OUT
#   sudo tests/lab/bench.sh --readme           # the same, then regenerate README.md's
#                                              # Performance figures from it
#   tests/lab/bench.sh --readme-from FILE      # only regenerate README.md from an earlier
#                                              # $BENCH_OUT (no lab, no root)
#
# One lab (tests/lab/lab.sh, a unique NAME), every run inside its subnet namespace,
# measured by runstat.py (wall on the monotonic clock, user+sys CPU from wait4, peak
# RSS from /usr/bin/time, a hard kill at a per-run limit). Before every run the lab's
# counters are reset (`lab.sh counters --reset`) and read after it, so connects, TLS
# handshakes, DNS queries and ECS credentials/metadata requests are what the lab's
# servers saw, not what the probe reports. A self-check first proves the counters
# count (one curl = 1 connect + 1 handshake, one dig = 1 query, one request each to
# the ECS stand-in), at 0 and at +DELAY ms, and calibrates the latency relay.
#
# Cases, healthy ones interleaved run by run (BENCH_RUNS, default 10):
#   happy          vpce-probe; vpce-probe in a 0.25-vCPU cgroup (cpu quota 25 ms per
#                  100 ms: cgroup v2 cpu.max where a v2 hierarchy has the cpu
#                  controller, else v1 cpu.cfs_quota_us); dig+openssl+curl; curl+skopeo
#   callgrind      one vpce-probe run under valgrind --tool=callgrind (instructions)
#   happy +DELAY   the same four with the `latency` fault (DELAY ms per round trip)
#   blackholed dkr (sg-drop-dkr) vpce-probe BENCH_SLOW_RUNS times (default 3), the
#                  other two tools once each
#   one dkr ENI blackholed (blackhole-one-eni-dkr) vpce-probe BENCH_SLOW_RUNS times
# vpce-probe runs as `--image $LAB_IMAGE_SINGLE --ca-bundle $LAB_CA --timeout 2s
# --output json` with the ECS credentials and metadata variables a task has.
# Output: markdown on stdout and in $BENCH_OUT (default target/lab-bench.md), every
# run as JSON lines in $BENCH_RAW (default: $BENCH_OUT with .jsonl) and what the
# bench knew beside it (.meta.json): `bench_report.py render RUNS META` redraws it.
# Everything it creates (the lab, the cgroup, a temp dir) is removed on exit, Ctrl-C
# included.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB=$HERE/lab.sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
NAME=bench$(($$ % 10000))
RUNS=${BENCH_RUNS:-10}
SLOW_RUNS=${BENCH_SLOW_RUNS:-3}
DELAY_MS=${BENCH_DELAY_MS:-20}
OUT=${BENCH_OUT:-$ROOT/target/lab-bench.md}
RAW_OUT=${BENCH_RAW:-${OUT%.md}.jsonl}
README=${BENCH_README:-$ROOT/README.md}
TIMEOUT_S=2        # the probe's --timeout
QUOTA_US=25000     # Fargate's smallest task: 0.25 vCPU
PERIOD_US=100000

die() { echo "bench.sh: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

readme=0
case ${1:-} in
--readme) readme=1 ;;
--readme-from)
  [[ -f ${2:-} ]] || die "usage: $0 --readme-from BENCH_OUTPUT.md"
  exec python3 "$HERE/bench_report.py" readme "$README" "$2"
  ;;
"") ;;
*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
[[ $RUNS =~ ^[1-9][0-9]?$ && $SLOW_RUNS =~ ^[1-9][0-9]?$ ]] || die "BENCH_RUNS and BENCH_SLOW_RUNS: 1..99"
[[ $DELAY_MS =~ ^[1-9][0-9]{0,2}$ ]] || die "BENCH_DELAY_MS: 1..999"

[[ $(id -u) -eq 0 ]] || die "run as root (network namespaces, iptables, cgroups): sudo $0"
[[ -x /usr/bin/time ]] || die "/usr/bin/time missing (Debian package time): run tests/lab/install.sh"
BIN=${VPCE_PROBE_BIN:-$ROOT/target/release/vpce-probe}
[[ -x $BIN ]] || die "no probe at $BIN: cargo build --release (or set VPCE_PROBE_BIN)"
VALGRIND=$(command -v valgrind || true)

# ---------------------------------------------------------------- cleanup
WORK="" CG_DIR=""
cg_remove() { # the cgroup only holds this bench's runs: end any left (by PID), then rmdir
  [[ -n $CG_DIR && -d $CG_DIR ]] || return 0
  local i pid
  for ((i = 0; i < 20; i++)); do
    [[ -s $CG_DIR/cgroup.procs ]] || break
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$CG_DIR/cgroup.procs"
    sleep 0.1
  done
  rmdir "$CG_DIR" 2>/dev/null || say "could not remove cgroup $CG_DIR"
}
cleanup() {
  cg_remove
  "$LAB" down "$NAME" >/dev/null 2>&1 || true
  [[ -n $WORK ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the 0.25-vCPU cgroup
cg_create() { # sets CG_DIR and CG_KIND; v2 where a hierarchy hands cpu to its children
  local name=vpce-bench-$$ mnt type opts _
  while read -r _ mnt type opts _; do
    [[ $type == cgroup2 ]] || continue
    grep -qw cpu "$mnt/cgroup.subtree_control" 2>/dev/null || continue
    if mkdir "$mnt/$name"; then CG_DIR=$mnt/$name; else continue; fi
    if echo "$QUOTA_US $PERIOD_US" >"$CG_DIR/cpu.max"; then CG_KIND="cgroup v2 cpu.max"; return 0; fi
    cg_remove
  done </proc/self/mounts
  while read -r _ mnt type opts _; do
    [[ $type == cgroup && ,$opts, == *,cpu,* ]] || continue
    if mkdir "$mnt/$name"; then CG_DIR=$mnt/$name; else continue; fi
    if echo "$PERIOD_US" >"$CG_DIR/cpu.cfs_period_us" && echo "$QUOTA_US" >"$CG_DIR/cpu.cfs_quota_us"; then
      CG_KIND="cgroup v1 cpu.cfs_quota_us"
      return 0
    fi
    cg_remove
  done </proc/self/mounts
  return 1
}
cg_throttled() { # periods in which the quota stopped the run (v1 and v2 both say nr_throttled)
  awk '$1 == "nr_throttled" {print $2}' "$CG_DIR/cpu.stat"
}

# ---------------------------------------------------------------- the lab and the scripts
WORK=$(mktemp -d /tmp/vpce-bench.XXXXXX)
cg_create || die "no writable cpu cgroup (v2 cpu.max or v1 cpu.cfs_quota_us)"
say "0.25 vCPU: $CG_KIND at $CG_DIR"
"$LAB" up "$NAME"
eval "$("$LAB" env "$NAME")"
in_sub() { ip netns exec "$LAB_SUBNET_NS" "$@"; }
mkdir -p "$WORK/certs" "$WORK/reports"
cp "$LAB_CA" "$WORK/certs/ca.crt" # skopeo wants a directory of *.crt
API_IP=$(in_sub dig +time=2 +tries=1 +short "$LAB_API_HOST" A)
[[ $API_IP =~ ^[0-9.]+$ ]] || die "the lab resolver gave '$API_IP' for $LAB_API_HOST"

probe_script() { # probe_script [PREFIX...]: the probe as a task runs it; more args follow
  cat <<EOF
exec env -i PATH=/usr/bin:/bin AWS_REGION=$LAB_REGION \\
  AWS_CONTAINER_CREDENTIALS_FULL_URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI \\
  ECS_CONTAINER_METADATA_URI_V4=$ECS_CONTAINER_METADATA_URI_V4 \\
  $* $BIN --image $LAB_IMAGE_SINGLE --ca-bundle $LAB_CA --output json "\$@"
EOF
}
probe_script >"$WORK/probe.sh"
[[ -n $VALGRIND ]] && probe_script "$VALGRIND" --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" >"$WORK/callgrind.sh"

# what a careful person types today, step by step; stops at the first failure
TOKEN_CURL="curl -sf --connect-timeout $TIMEOUT_S -m 10 --cacert $LAB_CA https://$LAB_API_HOST/ \
  -H 'X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken' \
  -H 'Content-Type: application/x-amz-json-1.1' -H 'X-Amz-Date: 20240101T000000Z' \
  -H 'Authorization: AWS4-HMAC-SHA256 Credential=ASIALAB/20240101/$LAB_REGION/ecr/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000' -d '{}'"
cat >"$WORK/today.sh" <<EOF
set -euo pipefail
for h in $LAB_API_HOST $LAB_DKR_HOST $LAB_S3_HOST; do dig +time=$TIMEOUT_S +tries=1 +short \$h >/dev/null; done
timeout $TIMEOUT_S openssl s_client -connect $LAB_DKR_HOST:443 -servername $LAB_DKR_HOST -CAfile $LAB_CA -verify_return_error </dev/null >/dev/null 2>&1
pass=\$($TOKEN_CURL | jq -r '.authorizationData[0].authorizationToken' | base64 -d | cut -d: -f2-)
layer=\$(curl -sf --connect-timeout $TIMEOUT_S -m 10 --cacert $LAB_CA -u "AWS:\$pass" \\
  -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \\
  https://$LAB_DKR_HOST/v2/lab/single/manifests/v1 | jq -r '.layers[0].digest')
got=\$(curl -sfL --connect-timeout $TIMEOUT_S -m 30 --cacert $LAB_CA -u "AWS:\$pass" \\
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

# ---------------------------------------------------------------- one measured run
RAW=$WORK/runs.jsonl
: >"$RAW"
run() { # run CASE TOOL LIMIT_S [--cgroup] SCRIPT [ARGS...] — one run, its cost and its counters
  local case=$1 tool=$2 limit=$3 procs=/dev/null
  shift 3
  [[ $1 == --cgroup ]] && { procs=$CG_DIR/cgroup.procs; shift; }
  local n
  n=$(wc -l <"$RAW")
  "$LAB" counters "$NAME" --reset >/dev/null
  # fd 9: the cgroup, opened out here, since `ip netns exec` hides /sys/fs/cgroup
  in_sub python3 "$HERE/runstat.py" "$limit" "$WORK/t.json" --cgroup-fd 9 -- bash "$@" \
    9>"$procs" >"$WORK/reports/$n.out" 2>"$WORK/reports/$n.err" || true
  "$LAB" counters "$NAME" >"$WORK/c.json"
  # the probe's JSON report, cut to what the figures need (null for the other tools);
  # a failed run keeps the end of its stderr
  jq -c -n --arg case "$case" --arg tool "$tool" --slurpfile t "$WORK/t.json" \
    --slurpfile c "$WORK/c.json" --rawfile out "$WORK/reports/$n.out" \
    --arg err "$(tail -c 600 "$WORK/reports/$n.err")" '
    {case: $case, tool: $tool, time: $t[0], counters: ($c[0] | del(.lab)),
     report: (try ($out | fromjson | {duration_ms, verdict, hops: [.hops[] | {id, kind, target,
       verdict, duration_ms, handshake_ms: .evidence.handshake_ms, remote_address: .evidence.remote_address,
       cause, skipped_because}]}) catch null)}
    + (if $t[0].exit != 0 then {stderr_tail: $err} else {} end)' >>"$RAW"
}

# ---------------------------------------------------------------- counter self-check + relay calibration
CALIB=$WORK/calibration.tsv
: >"$CALIB"
curl_api() { # one HTTPS GET to ecr.api by address (no DNS): connect, TLS done, first byte, s
  in_sub curl -s -o /dev/null --connect-timeout "$TIMEOUT_S" -m 10 --cacert "$LAB_CA" \
    --resolve "$LAB_API_HOST:443:$API_IP" -w '%{time_connect} %{time_appconnect} %{time_starttransfer}\n' \
    "https://$LAB_API_HOST/"
}
selfcheck() { # selfcheck DELAY_MS — a known request of each kind must count exactly once
  local got i
  "$LAB" counters "$NAME" --reset >/dev/null
  curl_api | sed "s/^/$1 /" >>"$CALIB"
  in_sub dig +time=2 +tries=1 +short "$LAB_API_HOST" A >/dev/null
  in_sub curl -sf -o /dev/null -m 5 "$AWS_CONTAINER_CREDENTIALS_FULL_URI"
  in_sub curl -sf -o /dev/null -m 5 "$ECS_CONTAINER_METADATA_URI_V4"
  got=$("$LAB" counters "$NAME" | jq -c '[.tcp_syn_443.total, .tls_client_hello.total, .dns_queries.total,
    .ecs_requests.credentials, .ecs_requests.metadata, .ecs_requests.other]')
  [[ $got == "[1,1,1,1,1,0]" ]] ||
    die "counter self-check at +$1 ms: want [connects, handshakes, DNS, credentials, metadata, other] = [1,1,1,1,1,0], got $got"
  for ((i = 0; i < 14; i++)); do curl_api | sed "s/^/$1 /" >>"$CALIB"; done
  say "counters self-check at +$1 ms: ok"
}

healthy() { # healthy CASE — the four healthy runs, interleaved, RUNS times
  local i
  for ((i = 0; i < RUNS; i++)); do
    run "$1" vpce-probe 30 "$WORK/probe.sh" --timeout "${TIMEOUT_S}s"
    run "$1" "vpce-probe 0.25 vCPU" 60 --cgroup "$WORK/probe.sh" --timeout "${TIMEOUT_S}s"
    run "$1" "dig+openssl+curl" 60 "$WORK/today.sh"
    run "$1" "curl token+skopeo" 60 "$WORK/skopeo.sh"
  done
  say "$1: $RUNS × 4 runs"
}

T0=$SECONDS
selfcheck 0
healthy happy
CG_RC=-1 CG_IR=""
if [[ -n $VALGRIND ]]; then
  # valgrind runs the probe some 30× slower: larger limits, and the run must still pass
  run callgrind "vpce-probe (callgrind)" 300 "$WORK/callgrind.sh" --timeout 20s --deadline 120s
  CG_RC=$(jq -r .time.exit <<<"$(tail -n1 "$RAW")")
  CG_IR=$(awk '$1 == "summary:" {print $2}' "$WORK/callgrind.out" 2>/dev/null || true)
  say "callgrind: exit $CG_RC, ${CG_IR:-no} instructions"
fi

"$LAB" fault "$NAME" latency on "$DELAY_MS"
selfcheck "$DELAY_MS"
healthy "happy +$DELAY_MS ms"
"$LAB" fault "$NAME" latency off
THROTTLED=$(cg_throttled)

fault_case() { # fault_case FAULT LABEL — vpce-probe SLOW_RUNS times (with the other tools when $3)
  local i
  "$LAB" fault "$NAME" "$1" on
  for ((i = 0; i < SLOW_RUNS; i++)); do run "$2" vpce-probe 30 "$WORK/probe.sh" --timeout "${TIMEOUT_S}s"; done
  if [[ -n ${3:-} ]]; then
    run "$2" "dig+openssl+curl" 60 "$WORK/today.sh"
    run "$2" "curl token+skopeo" 60 "$WORK/skopeo.sh"
  fi
  "$LAB" fault "$NAME" "$1" off
  say "$2: done"
}
fault_case sg-drop-dkr "blackholed dkr" others
fault_case blackhole-one-eni-dkr "one dkr ENI blackholed"
say "all runs in $((SECONDS - T0)) s"

# ---------------------------------------------------------------- the document
jq -n --arg machine "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB, Linux $(uname -r)" \
  --arg bin "$BIN" --argjson bin_bytes "$(stat -c %s "$BIN")" \
  --arg commit "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)" \
  --argjson runs "$RUNS" --argjson slow_runs "$SLOW_RUNS" --argjson delay_ms "$DELAY_MS" \
  --argjson timeout_s "$TIMEOUT_S" --argjson quota_us "$QUOTA_US" --argjson period_us "$PERIOD_US" \
  --arg cgroup "$CG_KIND" --argjson throttled "${THROTTLED:-0}" \
  --argjson callgrind_exit "$CG_RC" --arg callgrind_ir "$CG_IR" \
  --rawfile calibration "$CALIB" \
  '$ARGS.named' >"$WORK/meta.json"
mkdir -p "$(dirname "$OUT")" "$(dirname "$RAW_OUT")"
# kept, so the document can be rendered again: bench_report.py render RUNS META
cp "$RAW" "$RAW_OUT"
cp "$WORK/meta.json" "${RAW_OUT%.jsonl}.meta.json"
python3 "$HERE/bench_report.py" render "$RAW" "$WORK/meta.json" | tee "$OUT"
say "written: $OUT (runs: $RAW_OUT)"
if ((readme)); then
  python3 "$HERE/bench_report.py" readme "$README" "$OUT"
fi
