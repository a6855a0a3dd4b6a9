#!/usr/bin/env bash
# Builds the fully static vpce-probe binary the container image ships (same
# flags as probe-image/Dockerfile), proves it is static, and runs it in a
# scratch-like root filesystem.
#
#   1. cargo build --release --locked --target x86_64-unknown-linux-gnu with
#      RUSTFLAGS="-C target-feature=+crt-static", into target/static so the
#      normal (dynamic) target/ stays untouched.
#   2. `file` must say "static-pie linked" or "statically linked", and `ldd`
#      "not a dynamic executable" or "statically linked".
#   3. Smoke runs in what the image will be: a root holding only /vpce-probe and
#      the CA bundle, mounted read-only, entered as uid/gid 65532, inside a fresh
#      network namespace with no interface up (nothing can leave this machine).
#      `--help` must work. Then two real probe runs with the environment of a
#      deployment (Dockerfile ENV + task-definition.json, placeholders filled):
#      each must end in a hop failure or could-not-run (exit 1 or 3; 2 would mean
#      the deployment's config is rejected, anything else is a crash or a file
#      missing at run time). The first must print a JSON report; the second runs
#      as the canary does (emf, VPCE_PROBE_LABEL) and must emit the metric the
#      per-subnet alarm watches: VpceProbe/ProbeFailed=1, dimensions [Label].
#
# Without a Docker engine this is how the project checks that the image's
# binary links and runs. Cold build: about 7 minutes on 2 cores.
#
# Usage: probe-image/build-static.sh        (from any directory)
# Prints the path of the binary on its last line.
# Env: CARGO_TARGET_DIR (default <repo>/target/static),
#      BUILD_STATIC_BIN=<path> to skip step 1 and check that binary instead,
#      BUILD_STATIC_SKIP_SMOKE=1 to skip step 3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
target=x86_64-unknown-linux-gnu
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/static}"
# RUSTFLAGS reaches only the --target graph: build scripts and proc-macros
# stay dynamic, as they must.
export RUSTFLAGS="-C target-feature=+crt-static"

if [[ -n "${BUILD_STATIC_BIN:-}" ]]; then
    # Check a binary built elsewhere, e.g. one copied out of the image with
    # `docker cp`, instead of building.
    bin="$BUILD_STATIC_BIN"
else
    # --locked, as in the Dockerfile: an out-of-date Cargo.lock fails here
    # rather than in someone's docker build.
    (cd "$repo" && cargo build --release --locked --target "$target" --bin vpce-probe)
    bin="$CARGO_TARGET_DIR/$target/release/vpce-probe"
fi
[[ -x "$bin" ]] || { echo "build-static: no binary at $bin" >&2; exit 1; }

# --- 2. static? -------------------------------------------------------------
file_out="$(file -b "$bin")"
# ldd exits 1 for a non-dynamic file; its words are what count.
ldd_out="$(ldd "$bin" 2>&1 || true)"
echo "file: $file_out"
echo "ldd:  $ldd_out"
static=yes
[[ "$file_out" == *"static-pie linked"* || "$file_out" == *"statically linked"* ]] || static=no
[[ "$ldd_out" == *"not a dynamic executable"* || "$ldd_out" == *"statically linked"* ]] || static=no
if [[ $static != yes ]]; then
    echo "build-static: FAILED: $bin is not statically linked" >&2
    exit 1
fi
size=$(stat -c %s "$bin")
echo "size: $size bytes ($(( (size + 524288) / 1048576 )) MiB)"

# --- 3. smoke run in a scratch-like root ------------------------------------
if [[ "${BUILD_STATIC_SKIP_SMOKE:-}" == 1 ]]; then
    echo "smoke: skipped (BUILD_STATIC_SKIP_SMOKE=1)"
    echo "$bin"
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! unshare --net --mount true 2>/dev/null; then
    # The probe run must never happen outside an empty network namespace: it
    # would try to reach AWS. Without root/unshare only --help is checked.
    echo "smoke: no root or no unshare here; checking --help only"
    help_out="$(env -i "$bin" --help)"
    grep -q VPCE_PROBE_IMAGE <<<"$help_out" || { echo "smoke: FAILED: --help lists no VPCE_PROBE_IMAGE" >&2; exit 1; }
    echo "$bin"
    exit 0
fi

ca_bundle=/etc/ssl/certs/ca-certificates.crt
[[ -f $ca_bundle ]] || { echo "build-static: no $ca_bundle (Debian package ca-certificates)" >&2; exit 1; }

root="$(mktemp -d /tmp/vpce-probe-rootfs.XXXXXX)"
trap 'rm -rf "$root" "$root".*' EXIT
chmod 0755 "$root"   # mktemp makes it 0700: uid 65532 could not even enter it
# The image's files (Dockerfile runtime stage) ...
install -D -m 0755 "$bin" "$root/vpce-probe"
install -D -m 0644 "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
# ... and what ECS/Fargate provides at run time: /proc, a few /dev nodes,
# /etc/resolv.conf and /etc/hosts (here pointing at loopback only).
mkdir -p "$root/proc" "$root/dev"
touch "$root/dev/null" "$root/dev/urandom" "$root/dev/random"
printf 'nameserver 127.0.0.1\n' > "$root/etc/resolv.conf"
printf '127.0.0.1 localhost\n' > "$root/etc/hosts"

# The environment of a real deployment: the image's ENV (Dockerfile), then the
# task definition's environment with its <PLACEHOLDER>s filled the way a user
# would, then what Fargate injects (Region; fake credentials instead of the
# link-local credentials endpoint, which is never asked). So the smoke run also
# proves the binary accepts task-definition.json's values (exit 2 would not).
mapfile -t task_env < <(python3 - "$here/task-definition.json" <<'PY'
import json, sys
fill = {"<TARGET_ACCOUNT>": "111122223333", "<ACCOUNT>": "111122223333",
        "<REGION>": "eu-west-1", "<PROBE_TAG>": "0.1.0",
        "<TARGET_REPOSITORY>": "team/my-app", "<TARGET_TAG>": "latest",
        "<VPC_CIDR>": "10.0.0.0/16", "<APP_EXECUTION_ROLE>": "my-app-execution-role",
        # The app's task definition, passed inline as a task's environment would.
        "<APP_TASK_DEFINITION_JSON>": json.dumps({
            "family": "my-app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
            "executionRoleArn": "arn:aws:iam::111122223333:role/my-app-execution-role",
            "containerDefinitions": [{
                "name": "app", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/my-app:latest",
                "secrets": [{"name": "DB_PASSWORD",
                             "valueFrom": "arn:aws:ssm:eu-west-1:111122223333:parameter/my-app/db-password"}],
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": "/ecs/my-app", "awslogs-region": "eu-west-1",
                    "awslogs-stream-prefix": "app"}}}]})}
td = json.load(open(sys.argv[1], encoding="utf-8"))
for e in td["containerDefinitions"][0]["environment"]:
    v = e["value"]
    for k, x in fill.items():
        v = v.replace(k, x)
    print(f"{e['name']}={v}")
PY
)
base_env=(
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
    VPCE_PROBE_OUTPUT=json
    "${task_env[@]}"
    AWS_REGION=eu-west-1
    AWS_ACCESS_KEY_ID=AKIDVPCEPROBESMOKE00
    AWS_SECRET_ACCESS_KEY=vpce-probe-smoke-not-a-secret
    AWS_EC2_METADATA_DISABLED=true
    # Shorter than the task definition's: every connect fails at once anyway.
    VPCE_PROBE_TIMEOUT=1s
    VPCE_PROBE_DEADLINE=10s
)
label=subnet-0123456789abcdef0

# smoke_run NAME ENV...: runs the image's binary once; stdout to $root.NAME.out.
# Namespaces: network (only lo: nothing leaves this machine, every non-loopback
# connect fails at once), mount (the read-only bind and /proc vanish with it)
# and PID (whatever is left running dies with it). On lo a stand-in for the ECS
# task metadata endpoint serves a Fargate task's documents, as Fargate would at
# 169.254.170.2, so the run sees a task, a subnet and an Availability Zone.
# Returns the probe's exit code.
smoke_run() {
    local name="$1"
    shift
    local rc=0
    timeout 120 unshare --net --mount --pid --fork -- bash -euo pipefail -s -- "$root" "$@" \
        >"$root.$name.out" 2>"$root.$name.err" <<'INNER' || rc=$?
root="$1"; shift
mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount -t proc proc "$root/proc"
for n in null urandom random; do mount --bind "/dev/$n" "$root/dev/$n"; done
ip link set lo up
python3 - <<'PY' &
import http.server, json
container = {"Name": "vpce-probe", "Image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/vpce-probe:0.1.0",
             "ImageID": "sha256:" + "0" * 64,
             "Networks": [{"NetworkMode": "awsvpc", "IPv4Addresses": ["10.0.1.23"],
                           "IPv4SubnetCIDRBlock": "10.0.1.0/24", "DomainNameServers": ["10.0.0.2"]}]}
task = {"TaskARN": "arn:aws:ecs:eu-west-1:111122223333:task/vpce-probe/0123456789abcdef0123456789abcdef",
        "Cluster": "vpce-probe", "Family": "vpce-probe", "Revision": "1",
        "LaunchType": "FARGATE", "AvailabilityZone": "eu-west-1a", "Containers": [container]}
docs = {"/v4/smoke": container, "/v4/smoke/task": task}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        doc = docs.get(self.path.rstrip("/"))
        body = json.dumps(doc).encode()
        self.send_response(200 if doc else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", 51678), H).serve_forever()
PY
for _ in $(seq 50); do (: </dev/tcp/127.0.0.1/51678) 2>/dev/null && break; sleep 0.1; done
# --help, as the image's user, with nothing else around.
chroot --userspec=65532:65532 "$root" /vpce-probe --help >/dev/null
# One real run. env -i empties PATH as well, hence chroot by its full path.
set +e
env -i "$@" ECS_CONTAINER_METADATA_URI_V4=http://127.0.0.1:51678/v4/smoke AWS_EXECUTION_ENV=AWS_ECS_FARGATE \
    "$(command -v chroot)" --userspec=65532:65532 "$root" /vpce-probe
exit $?
INNER
    sed "s/^/smoke $name stderr: /" "$root.$name.err" >&2
    echo "smoke $name: exit code $rc"
    return "$rc"
}

# Exit 1 (a hop failed) or 3 (could not run) is what an empty network gives.
# 2 means the deployment's configuration was rejected; anything else is a crash.
expect_1_or_3() {
    case $2 in
        1 | 3) ;;
        *)
            echo "build-static: FAILED: smoke $1 exited $2 (expected 1 or 3 with no network; 2 = config rejected)" >&2
            cat "$root.$1.out" >&2
            exit 1
            ;;
    esac
}

# Run 1: the one-off task definition's environment, JSON report.
rc=0
smoke_run taskdef "${base_env[@]}" || rc=$?
expect_1_or_3 taskdef "$rc"
last="$(grep -v '^[[:space:]]*$' "$root.taskdef.out" | tail -n 1 || true)"
if [[ -n "$last" ]]; then
    python3 -c 'import json, sys; json.loads(sys.argv[1])' "$last" 2>/dev/null || {
        echo "build-static: FAILED: the last stdout line is not a JSON report:" >&2
        echo "$last" >&2
        exit 1
    }
    echo "smoke taskdef: report is JSON: ${last:0:300}"
elif [[ $rc -eq 1 ]]; then
    echo "build-static: FAILED: a hop failed (exit 1) but no report was printed" >&2
    exit 1
fi

# Run 2: as the canary runs it (emf output, label = subnet id). What the
# per-subnet alarm in canary.yaml needs: every stdout line is JSON, and an EMF
# line declares metric ProbeFailed in namespace VpceProbe with the dimension set
# exactly ["Label"] (CloudWatch matches alarms on the full dimension set), its
# Label member is the label, and ProbeFailed is 1 after a failed run. (The run
# sees an Availability Zone in its task metadata: a directive whose only
# dimension set is [Label, AvailabilityZone] would give a metric the alarm
# never matches.)
rc=0
smoke_run canary "${base_env[@]}" VPCE_PROBE_OUTPUT=emf VPCE_PROBE_LABEL="$label" || rc=$?
expect_1_or_3 canary "$rc"
python3 - "$root.canary.out" "$label" "$rc" <<'PY'
import json, sys
path, label, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [l for l in open(path, encoding="utf-8").read().splitlines() if l.strip()]
objs = []
for n, l in enumerate(lines, 1):
    try:
        objs.append(json.loads(l))
    except ValueError as e:
        sys.exit(f"build-static: FAILED: emf output line {n} is not JSON ({e}): {l[:200]}")
found = []
for o in objs:
    for d in (o.get("_aws") or {}).get("CloudWatchMetrics", []):
        names = [m.get("Name") for m in d.get("Metrics", [])]
        if d.get("Namespace") == "VpceProbe" and "ProbeFailed" in names and ["Label"] in d.get("Dimensions", []):
            found.append(o)
if not found:
    if rc == 3:
        print("smoke canary: exit 3 (could not run) and no ProbeFailed EMF line; the alarm sees missing data")
        sys.exit(0)
    seen = [(d.get("Namespace"), d.get("Dimensions")) for o in objs
            for d in (o.get("_aws") or {}).get("CloudWatchMetrics", [])
            if "ProbeFailed" in [m.get("Name") for m in d.get("Metrics", [])]]
    sys.exit("build-static: FAILED: no EMF line with ProbeFailed in namespace VpceProbe and "
             f"dimension set [\"Label\"]; ProbeFailed was declared with (namespace, dimension sets): {seen}")
for o in found:
    if o.get("Label") != label:
        sys.exit(f"build-static: FAILED: EMF Label is {o.get('Label')!r}, expected {label!r}")
    v = o.get("ProbeFailed")
    if v not in (1, 1.0, [1], [1.0]):
        sys.exit(f"build-static: FAILED: ProbeFailed is {v!r} after a failed run, expected 1")
print(f"smoke canary: {len(lines)} lines, all JSON; ProbeFailed=1 with Label={label} in VpceProbe")
PY
echo "$bin"
