#!/usr/bin/env bash
# lab.sh — a hermetic "VPC in a box" for vpce-probe's end-to-end tests, demo and bench.
#
# Two network namespaces joined by one veth pair, nothing linked to the host:
#   <NAME>-subnet  the task's subnet: 10.0.1.10/24; routes to 10.0.0.0/16, to the
#                  "S3 prefix list" 198.51.100.0/24 (= the S3 gateway endpoint) and a
#                  default route, all via the VPC router 10.0.1.1; resolv.conf ->
#                  10.0.0.2. ECS stand-ins (credentials + task metadata v4) on
#                  127.0.0.1:51679. The probe runs here (`lab.sh exec`).
#   <NAME>-aws     "AWS": router 10.0.1.1, endpoint ENIs (ecr.api 10.0.1.101, ecr.dkr
#                  10.0.1.102 + 10.0.1.112, logs 10.0.1.103), Route 53 Resolver
#                  10.0.0.2 (dnsmasq), public S3 198.51.100.10, a "public address"
#                  203.0.113.10 (dropped unless a *-nat fault says a NAT exists).
#                  nginx terminates TLS (lab CA) on each address and proxies to
#                  moto_server (ECR API, S3, Logs) and docker-registry (ECR data
#                  plane, S3 driver on moto, blob GET -> 307 to the starport bucket).
#                  No route out, forwarding off: no packet can leave the box.
#
# Usage (root):
#   lab.sh up [NAME]                      build and start a lab (refuses if NAME exists)
#   lab.sh down [NAME]                    stop everything by PID, delete netns; idempotent
#   lab.sh fault [NAME] FAULT on|off [ARG]  switch a fault (list: lab.sh faults)
#   lab.sh exec [NAME] -- CMD...          run CMD in the subnet namespace
#   lab.sh env [NAME]                     print KEY='value' lines a caller needs
#   lab.sh status                         list labs, their processes and faults
#   lab.sh counters [NAME] [--reset]      JSON: TCP connects to 443, TLS ClientHellos, DNS
#                                         queries, ECS stand-in requests seen by the lab's
#                                         servers since up or the last --reset (which zeroes)
# NAME defaults to $VPCE_LAB_NAME or "vpl"; [a-z][a-z0-9]{0,11}. With LAB_OWNER_PID
# set, `up` also starts a watcher that runs `down` once that process has exited.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/lab.sh
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${VPCE_LAB_VENV:-/opt/vpce-lab/venv}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

REGION=us-east-1
ACCOUNT=123456789012
API_HOST=api.ecr.$REGION.amazonaws.com
DKR_HOST=$ACCOUNT.dkr.ecr.$REGION.amazonaws.com
LOGS_HOST=logs.$REGION.amazonaws.com
S3_HOST=s3.$REGION.amazonaws.com
BUCKET=prod-$REGION-starport-layer-bucket
BUCKET_HOST=$BUCKET.s3.$REGION.amazonaws.com
# The environment files' bucket (td/env-file.json), reached through the same gateway path.
ENV_BUCKET=lab-env-files
# The task's other endpoints (issue 8): one ENI each; moto routes by the SigV4 scope.
SM_HOST=secretsmanager.$REGION.amazonaws.com SSM_HOST=ssm.$REGION.amazonaws.com
SSMMSG_HOST=ssmmessages.$REGION.amazonaws.com ECS_HOST=ecs.$REGION.amazonaws.com
ACS_HOST=ecs-a-1.$REGION.amazonaws.com TCS_HOST=ecs-t-1.$REGION.amazonaws.com
STS_HOST=sts.$REGION.amazonaws.com KMS_HOST=kms.$REGION.amazonaws.com
# FireLens outputs' endpoints (issue 19): Firehose and Kinesis Data Streams, moto behind.
FIREHOSE_HOST=firehose.$REGION.amazonaws.com KINESIS_HOST=kinesis.$REGION.amazonaws.com
# Well-known sidecars' endpoints (issue 19): X-Ray (moto lacks its sampling API: nginx
# answers GetSamplingRules), CloudWatch metrics (moto), App Mesh's Envoy management
# (xDS over gRPC: TLS only, as for the agent's ACS/TCS).
XRAY_HOST=xray.$REGION.amazonaws.com MONITORING_HOST=monitoring.$REGION.amazonaws.com
APPMESH_HOST=appmesh-envoy-management.$REGION.amazonaws.com
# App Mesh's Envoy image lives in AWS's own account: a cross-account pull through the
# same dkr endpoint (the registry serves every account's name).
ENVOY_ACCOUNT=840364872350 ENVOY_DKR_HOST=$ENVOY_ACCOUNT.dkr.ecr.$REGION.amazonaws.com
# An EFS file system's mount target: its DNS name, NFS on 2049 (no TLS, no API).
EFS_ID=fs-0123456789abcdef0 EFS_HOST=fs-0123456789abcdef0.efs.$REGION.amazonaws.com
# Another region's logs endpoint: no interface endpoint can serve it (public answer).
LOGS_FOREIGN_HOST=logs.eu-west-1.amazonaws.com
# A second region's endpoints (issue 19): secrets and parameters read cross-region, as
# when the VPC reaches us-west-2's interface endpoints through peering and a private
# hosted zone; moto serves both regions (it routes by the SigV4 scope's region).
REGION2=us-west-2
SM2_HOST=secretsmanager.$REGION2.amazonaws.com SSM2_HOST=ssm.$REGION2.amazonaws.com
KMS2_HOST=kms.$REGION2.amazonaws.com
# An environment file's bucket S3 places in REGION2: the S3 server answers 301 with
# x-amz-bucket-region, as S3 does for another region's bucket.
ENV_BUCKET_WEST=lab-env-files-west

IP_ROUTER=10.0.1.1 IP_TASK=10.0.1.10
IP_ROUTER2=10.0.2.1 IP_TASK2=10.0.2.10
IP_API=10.0.1.101 IP_DKR=10.0.1.102 IP_DKR2=10.0.1.112 IP_LOGS=10.0.1.103
IP_RESOLVER=10.0.0.2 IP_CUSTOM_RESOLVER=10.0.0.53
IP_S3=198.51.100.10 IP_PUBLIC=203.0.113.10
IP_SM=10.0.1.104 IP_SSM=10.0.1.105 IP_SSMMSG=10.0.1.106 IP_ECS=10.0.1.107
IP_ACS=10.0.1.108 IP_TCS=10.0.1.109 IP_STS=10.0.1.110 IP_KMS=10.0.1.111 IP_EFS=10.0.1.113
IP_FIREHOSE=10.0.1.114 IP_KINESIS=10.0.1.115
IP_XRAY=10.0.1.121 IP_MONITORING=10.0.1.122 IP_APPMESH=10.0.1.123
IP_SM2=10.0.1.124 IP_SSM2=10.0.1.125 IP_KMS2=10.0.1.126
SERVICE_IPS=("$IP_SM" "$IP_SSM" "$IP_SSMMSG" "$IP_ECS" "$IP_ACS" "$IP_TCS" "$IP_STS" "$IP_KMS"
  "$IP_FIREHOSE" "$IP_KINESIS" "$IP_XRAY" "$IP_MONITORING" "$IP_APPMESH" "$IP_SM2" "$IP_SSM2" "$IP_KMS2")
ENDPOINT_IPS=("$IP_API" "$IP_DKR" "$IP_DKR2" "$IP_LOGS" "$IP_S3" "${SERVICE_IPS[@]}")
MOTO_PORT=5000 REG_PORT=5001 ECS_PORT=51679 RELAY_PORT=8443 GEN_PORT=8099
IMAGES=(single multi oci arm64 big foreign)
# Repositories the registry also serves but up does not seed: lab/vpce-probe is where
# the image test of tests/lab_e2e pushes the probe's own image, as to ECR.
PUSHED_REPOS=(vpce-probe)
# Sidecar images as the lab's task definitions name them (copies of lab/single:v1):
# ECR Public's X-Ray daemon and ADOT collector copied under their own names, the
# CloudWatch agent through an ECR Public pull-through cache rule, and App Mesh's Envoy in
# AWS's account (ENVOY_ACCOUNT).
SIDECAR_IMAGES=(xray/aws-xray-daemon:latest
  ecr-public/cloudwatch-agent/cloudwatch-agent:1.300066.1b1374
  aws-appmesh-envoy:v1.12.2.1-prod aws-observability/aws-otel-collector:latest)

# Every fault models one real misconfiguration; see fault_help.
FAULTS=(sg-drop-api sg-drop-dkr sg-drop-logs refuse-dkr blackhole-one-eni-dkr
  private-dns-off-api private-dns-off-api-nat private-dns-off-dkr private-dns-off-dkr-nat
  nxdomain-dkr resolver-down custom-resolver no-s3-route s3-policy-deny
  tls-unknown-ca-dkr tls-wrong-name-dkr registry-401 registry-denied
  token-denied-endpoint-policy token-denied-identity-policy token-denied-explicit
  digest-mismatch redirect-foreign latency
  sg-drop-ssm sg-drop-secretsmanager private-dns-off-ssm private-dns-off-secretsmanager
  ssm-denied-endpoint-policy secretsmanager-denied-endpoint-policy sg-drop-efs launch-type-ec2
  firehose-denied-endpoint-policy kinesis-denied-endpoint-policy s3-gateway-layer-bucket-only
  xray-denied-endpoint-policy monitoring-denied-endpoint-policy sg-drop-xray sg-drop-monitoring
  sg-drop-appmesh dkr-own-account-only private-dns-off-secretsmanager-region2 sg-drop-sts
  subnet2-sg-drop-dkr subnet2-sg-drop-ssm)

die() { echo "lab.sh: $*" >&2; exit 1; }
log() { echo "lab.sh: $*" >&2; }

fault_help() {
  cat <<'EOF'
sg-drop-api | sg-drop-dkr | sg-drop-logs   endpoint SG lacks inbound 443 (DROP -> connect timeout)
refuse-dkr                  443 answered with RST on both dkr ENIs (connection refused)
blackhole-one-eni-dkr       only the second dkr ENI (10.0.1.112) drops 443 (one AZ's ENI broken)
private-dns-off-api|-dkr    resolver answers the public 203.0.113.10; no NAT, so it times out
private-dns-off-api-nat|-dkr-nat   same, but a NAT exists: 203.0.113.10:443 answers
nxdomain-dkr                resolver has no record for the dkr name (NXDOMAIN)
resolver-down               UDP+TCP 53 to 10.0.0.2 dropped (DNS timeout)
custom-resolver             task uses 10.0.0.53 (resolv.conf + metadata), a DNS server that
                            does not forward amazonaws.com to the VPC resolver: public answers
no-s3-route                 no S3 gateway endpoint route: 198.51.100.0/24 dropped
s3-policy-deny              S3 gateway endpoint policy denies: 403 AccessDenied XML
tls-unknown-ca-dkr          dkr certificate from another CA
tls-wrong-name-dkr          dkr certificate without the dkr name
registry-401                registry rejects the token (nginx swaps in a wrong password)
registry-denied             manifest GET -> 403 DENIED (ecr:BatchGetImage, endpoint policy)
token-denied-endpoint-policy  GetAuthorizationToken -> AccessDeniedException "no VPC endpoint policy allows"
token-denied-identity-policy  ... "because no identity-based policy allows"
token-denied-explicit         ... "with an explicit deny in a service control policy"
digest-mismatch             lab/single's layer bytes corrupted in S3 (same size)
redirect-foreign            blob 307 Location rewritten to https://evil.example.net/...
latency [MS]                userspace relay adds MS (default 20) per round trip on every endpoint
sg-drop-ssm | sg-drop-secretsmanager   that endpoint's SG lacks inbound 443
private-dns-off-ssm | -secretsmanager  no such endpoint: the resolver answers the public address, no NAT
ssm-denied-endpoint-policy | secretsmanager-denied-endpoint-policy
                            every call -> AccessDeniedException "no VPC endpoint policy allows"
sg-drop-efs                 the EFS mount target's SG lacks inbound NFS (2049)
launch-type-ec2             the task metadata says LaunchType EC2 (an EC2 container instance)
subnet2-sg-drop-dkr         the dkr endpoint's SG admits only the first subnet's CIDR: from the
                            second subnet (10.0.2.0/24) 443 is dropped (works in A, fails in B)
subnet2-sg-drop-ssm         the same for the ssm endpoint
firehose-denied-endpoint-policy | kinesis-denied-endpoint-policy
                            every call -> AccessDeniedException "no VPC endpoint policy allows"
s3-gateway-layer-bucket-only  the S3 gateway endpoint policy allows only ECR's layer bucket:
                            403 AccessDenied for every other bucket (the env files' one)
xray-denied-endpoint-policy | monitoring-denied-endpoint-policy
                            every call -> AccessDenied(Exception) "no VPC endpoint policy allows"
sg-drop-xray | sg-drop-monitoring | sg-drop-appmesh
                            that endpoint's SG lacks inbound 443 (appmesh: Envoy management)
dkr-own-account-only        the dkr endpoint policy allows only this account's repositories:
                            another account's manifest (App Mesh's Envoy) -> 403 DENIED
private-dns-off-secretsmanager-region2
                            no secretsmanager endpoint of us-west-2 reachable from the VPC: its
                            name resolves to the public address, no NAT
sg-drop-sts                 the sts endpoint's SG lacks inbound 443
EOF
}

# ---------------------------------------------------------------- names & state
set_name() {
  NAME=${1:-${VPCE_LAB_NAME:-vpl}}
  [[ $NAME =~ ^[a-z][a-z0-9]{0,11}$ ]] || die "bad lab NAME '$NAME' (want [a-z][a-z0-9]{0,11})"
  NS_SUB=$NAME-subnet
  NS_AWS=$NAME-aws
  # A second subnet (another AZ) for `vpce-probe launch`: "works in A, fails in B".
  NS_SUB2=$NAME-subnet2
  VETH_S2=$NAME-s2
  VETH_A2=$NAME-a2
  VETH_S=$NAME-s # veth names must stay <= 15 chars
  VETH_A=$NAME-a
  DIR=${VPCE_LAB_STATE:-$ROOT/.lab}/$NAME
}

need_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, iptables, /etc/netns): sudo $SELF $*"
}

need_bins() {
  local -A pkg=([dnsmasq]=dnsmasq-base [nginx]=nginx-light [docker-registry]=docker-registry
    [skopeo]=skopeo [iptables]=iptables [ip]=iproute2 [dig]=dnsutils [curl]=curl
    [htpasswd]=apache2-utils [jq]=jq [openssl]=openssl [python3]=python3 [pgrep]=procps [setsid]=util-linux)
  local b miss=()
  for b in "${!pkg[@]}"; do command -v "$b" >/dev/null || miss+=("$b (Debian package ${pkg[$b]})"); done
  [[ -x $VENV/bin/moto_server ]] || miss+=("$VENV/bin/moto_server (PyPI moto[server]==5.2.5)")
  ((${#miss[@]} == 0)) || die "missing: ${miss[*]} — run tests/lab/install.sh"
}

in_aws() { ip netns exec "$NS_AWS" "$@"; }
in_sub() { ip netns exec "$NS_SUB" "$@"; }

# ---------------------------------------------------------------- processes by PID
# Each daemon is recorded as "PID STARTTIME" in $DIR/pids/<name>; STARTTIME (field 22
# of /proc/PID/stat) guards against signalling a recycled PID.
stat_field() { # stat_field PID N — field N (>= 3) of /proc/PID/stat; comm may hold spaces
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  s=${s##*) }
  local fields
  read -ra fields <<<"$s"
  echo "${fields[$(($2 - 3))]}"
}
starttime() { stat_field "$1" 22; }
# A zombie counts as gone: orphans are reparented to an init that may reap them late.
alive() { [[ -d /proc/$1 && $(stat_field "$1" 3) != Z ]]; }

start_bg() { # start_bg NAME NS|- CMD... — daemon in its own session, stdio to a log
  local name=$1 ns=$2
  shift 2
  local pre=(ip netns exec "$ns")
  [[ $ns == - ]] && pre=() # "-": the host namespace (the reaper needs no network)
  # The subshell is not a process-group leader, so setsid does not fork and every
  # exec keeps one PID: $! is the daemon itself.
  (exec setsid "${pre[@]}" "$@") >"$DIR/log/$name.log" 2>&1 </dev/null &
  local pid=$!
  sleep 0.05
  echo "$pid $(starttime "$pid")" >"$DIR/pids/$name"
}

pid_of() { # pid_of NAME -> prints PID if that recorded process is still the same one
  local f=$DIR/pids/$1 pid st
  [[ -f $f ]] || return 1
  read -r pid st <"$f" || return 1
  [[ -n $pid ]] && alive "$pid" && [[ "$(starttime "$pid")" == "$st" ]] || return 1
  echo "$pid"
}

# Every daemon leads its own session (start_bg's setsid), so its session id is its PID:
# what it forked (nginx workers, dnsmasq helpers) is found by that id, not by name.
session() { pgrep -s "$1" 2>/dev/null | grep -vx "$$" || true; }

stop_pid() { # stop_pid NAME — TERM, wait up to 3 s, then KILL, its session too; forget it
  local pid i
  if pid=$(pid_of "$1") && [[ $pid != "$$" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
    local left
    left=$(session "$pid")
    # shellcheck disable=SC2086 # a list of PIDs
    [[ -n $left ]] && kill -KILL $left 2>/dev/null || true
    echo "$pid" >>"$DIR/stopped"
  fi
  rm -f "$DIR/pids/$1"
}

# The daemons' parent (the `up` shell) is gone, so init reaps them, sometimes seconds
# later: `down` returns only once no stopped process, nor any of its session, is left
# in /proc, zombie or not (bounded: 15 s, then it names what is left and fails).
wait_gone() {
  [[ -f $DIR/stopped ]] || return 0
  local pid i left=
  for ((i = 0; i < 150; i++)); do
    left=
    while read -r pid; do
      [[ -d /proc/$pid ]] && left+=" $pid"
      left+=" $(session "$pid" | tr '\n' ' ')"
    done <"$DIR/stopped"
    [[ -z ${left// /} ]] && return 0
    sleep 0.1
  done
  log "processes of lab '$NAME' still in /proc after 15 s:$left"
  return 1
}

wait_for() { # wait_for WHAT TRIES CMD... — bounded poll, 0.1 s apart
  local what=$1 tries=$2 i
  shift 2
  for ((i = 0; i < tries; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "timed out waiting for $what"
  return 1
}

# ---------------------------------------------------------------- PKI
pki() {
  local p=$DIR/pki
  mkdir -p "$p"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  local all="DNS:$API_HOST,DNS:*.dkr.ecr.$REGION.amazonaws.com,DNS:$S3_HOST,DNS:*.s3.$REGION.amazonaws.com"
  all+=",DNS:$LOGS_HOST,DNS:s3.amazonaws.com,DNS:*.s3.amazonaws.com"
  local h
  for h in "$SM_HOST" "$SSM_HOST" "$SSMMSG_HOST" "$ECS_HOST" "$ACS_HOST" "$TCS_HOST" "$STS_HOST" "$KMS_HOST" "$LOGS_FOREIGN_HOST" "$FIREHOSE_HOST" "$KINESIS_HOST" \
    "$XRAY_HOST" "$MONITORING_HOST" "$APPMESH_HOST" "$SM2_HOST" "$SSM2_HOST" "$KMS2_HOST"; do
    all+=",DNS:$h"
  done
  ca() { # ca FILE-PREFIX CN
    openssl req -x509 "${ec[@]}" -keyout "$p/$1.key" -out "$p/$1.pem" -days 30 -subj "/CN=$2" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  }
  leaf() { # leaf NAME CA SANS
    openssl req -new "${ec[@]}" -keyout "$p/$1.key" -out "$p/$1.csr" -subj "/CN=$1" 2>/dev/null
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n' \
      "$3" >"$p/$1.ext"
    openssl x509 -req -in "$p/$1.csr" -CA "$p/$2.pem" -CAkey "$p/$2.key" -CAcreateserial -days 30 \
      -extfile "$p/$1.ext" -out "$p/$1.pem" 2>/dev/null
  }
  ca ca "vpce-probe lab CA ($NAME)"
  ca rogue-ca "Some Other CA ($NAME)" # tls-unknown-ca-dkr
  leaf endpoints ca "$all"
  leaf rogue rogue-ca "$all"
  leaf wrongname ca "DNS:$API_HOST,DNS:wrong-name.lab.example.net" # tls-wrong-name-dkr
}

# ---------------------------------------------------------------- network
network() {
  ip netns add "$NS_SUB"
  ip netns add "$NS_AWS"
  # Created directly inside the namespaces: the host namespace never holds either end.
  ip link add "$VETH_S" netns "$NS_SUB" type veth peer name "$VETH_A" netns "$NS_AWS"

  local ns
  for ns in "$NS_SUB" "$NS_AWS"; do
    ip -n "$ns" link set lo up
    in_ns_sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1
    in_ns_sysctl "$ns" net.ipv6.conf.default.disable_ipv6=1
  done
  in_ns_sysctl "$NS_AWS" net.ipv4.ip_forward=0

  ip -n "$NS_AWS" addr add "$IP_ROUTER/24" dev "$VETH_A"
  local a
  for a in "$IP_API" "$IP_DKR" "$IP_DKR2" "$IP_LOGS" "$IP_RESOLVER" "$IP_CUSTOM_RESOLVER" "$IP_S3" "$IP_PUBLIC" "${SERVICE_IPS[@]}" "$IP_EFS"; do
    ip -n "$NS_AWS" addr add "$a/32" dev "$VETH_A"
  done
  ip -n "$NS_AWS" link set "$VETH_A" up

  ip -n "$NS_SUB" addr add "$IP_TASK/24" dev "$VETH_S"
  ip -n "$NS_SUB" link set "$VETH_S" up
  ip -n "$NS_SUB" route add 10.0.0.0/16 via "$IP_ROUTER"
  ip -n "$NS_SUB" route add 198.51.100.0/24 via "$IP_ROUTER" # the S3 gateway endpoint route
  # A default route too, so an address with no endpoint times out (as in a VPC)
  # instead of failing fast with "network unreachable".
  ip -n "$NS_SUB" route add default via "$IP_ROUTER"

  # ip netns exec bind-mounts these over /etc/resolv.conf and /etc/hosts, so nothing
  # run in a lab namespace ever asks the host's resolver.
  mkdir -p "/etc/netns/$NS_SUB" "/etc/netns/$NS_AWS"
  echo "nameserver $IP_RESOLVER" >"/etc/netns/$NS_SUB/resolv.conf"
  printf '127.0.0.1 localhost\n' >"/etc/netns/$NS_SUB/hosts"
  echo "nameserver $IP_RESOLVER" >"/etc/netns/$NS_AWS/resolv.conf"
  # The registry's own path to S3: a loopback nginx server, untouched by subnet faults.
  printf '127.0.0.1 localhost %s %s\n' "$BUCKET_HOST" "$S3_HOST" >"/etc/netns/$NS_AWS/hosts"

  # The second subnet: its own veth to the VPC router, the same resolver and routes.
  ip netns add "$NS_SUB2"
  ip link add "$VETH_S2" netns "$NS_SUB2" type veth peer name "$VETH_A2" netns "$NS_AWS"
  ip -n "$NS_SUB2" link set lo up
  in_ns_sysctl "$NS_SUB2" net.ipv6.conf.all.disable_ipv6=1
  in_ns_sysctl "$NS_SUB2" net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS_AWS" addr add "$IP_ROUTER2/24" dev "$VETH_A2"
  ip -n "$NS_AWS" link set "$VETH_A2" up
  ip -n "$NS_SUB2" addr add "$IP_TASK2/24" dev "$VETH_S2"
  ip -n "$NS_SUB2" link set "$VETH_S2" up
  ip -n "$NS_SUB2" route add 10.0.0.0/16 via "$IP_ROUTER2"
  ip -n "$NS_SUB2" route add 198.51.100.0/24 via "$IP_ROUTER2"
  ip -n "$NS_SUB2" route add default via "$IP_ROUTER2"
  mkdir -p "/etc/netns/$NS_SUB2"
  echo "nameserver $IP_RESOLVER" >"/etc/netns/$NS_SUB2/resolv.conf"
  printf '127.0.0.1 localhost\n' >"/etc/netns/$NS_SUB2/hosts"

  # Fault rules live in their own chains, rebuilt from scratch by apply_faults.
  in_aws iptables -w -N LAB_FAULTS
  in_aws iptables -w -A INPUT -i "$VETH_A" -j LAB_FAULTS
  # The second subnet: its own faults first, then the VPC's (endpoint SGs, no NAT).
  in_aws iptables -w -N LAB_FAULTS2
  in_aws iptables -w -A INPUT -i "$VETH_A2" -j LAB_FAULTS2
  in_aws iptables -w -A INPUT -i "$VETH_A2" -j LAB_FAULTS
  in_aws iptables -w -t nat -N LAB_LATENCY
  in_aws iptables -w -t nat -A PREROUTING -i "$VETH_A" -j LAB_LATENCY
  count_rules
}

# What `lab.sh counters` reads: rules without a target, so they only count. The raw
# table's PREROUTING sees a packet before conntrack and the latency fault's DNAT, so an
# endpoint's own address is still its destination, and the relay's hop to nginx (on
# loopback) is never counted twice.
COUNT_LABELS=(api="$IP_API" dkr="$IP_DKR" dkr2="$IP_DKR2" logs="$IP_LOGS" s3="$IP_S3"
  secretsmanager="$IP_SM" ssm="$IP_SSM" ssmmessages="$IP_SSMMSG" ecs="$IP_ECS" ecs-agent="$IP_ACS"
  ecs-telemetry="$IP_TCS" sts="$IP_STS" kms="$IP_KMS" firehose="$IP_FIREHOSE" kinesis="$IP_KINESIS"
  xray="$IP_XRAY" monitoring="$IP_MONITORING" appmesh-envoy-management="$IP_APPMESH"
  secretsmanager-$REGION2="$IP_SM2" ssm-$REGION2="$IP_SSM2" kms-$REGION2="$IP_KMS2"
  public="$IP_PUBLIC")
# A TLS ClientHello: the TCP payload starts with record type 0x16 (handshake) and its
# sixth byte, the handshake type, is 0x01. u32 reaches the payload through the IP
# header length (IHL) and the TCP data offset; a packet too short to hold it never matches.
HELLO_U32='0>>22&0x3C@12>>26&0x3C@0>>24=0x16 && 0>>22&0x3C@12>>26&0x3C@5>>24=0x01'
count_rules() {
  local ipt=(in_aws iptables -w -t raw) pair
  "${ipt[@]}" -N LAB_COUNT
  "${ipt[@]}" -A PREROUTING -i "$VETH_A" -j LAB_COUNT
  c() { local label=$1; shift; "${ipt[@]}" -A LAB_COUNT "$@" -m comment --comment "$label"; }
  c "syn443 all" -p tcp --dport 443 --syn
  c "hello all" -p tcp --dport 443 -m u32 --u32 "$HELLO_U32"
  for pair in "${COUNT_LABELS[@]}"; do
    c "syn443 ${pair%%=*}" -d "${pair#*=}" -p tcp --dport 443 --syn
    c "hello ${pair%%=*}" -d "${pair#*=}" -p tcp --dport 443 -m u32 --u32 "$HELLO_U32"
  done
  # one UDP datagram is one query; over TCP, count the connections
  c "dns udp" -d "$IP_RESOLVER" -p udp --dport 53
  c "dns tcp" -d "$IP_RESOLVER" -p tcp --dport 53 --syn
  c "dns-custom udp" -d "$IP_CUSTOM_RESOLVER" -p udp --dport 53
  c "dns-custom tcp" -d "$IP_CUSTOM_RESOLVER" -p tcp --dport 53 --syn
}

in_ns_sysctl() { ip netns exec "$1" sysctl -qw "$2" >/dev/null; }

# ---------------------------------------------------------------- config generators
fault_on() { [[ -f $DIR/faults/$1 ]]; }
fault_arg() { cat "$DIR/faults/$1" 2>/dev/null || true; }

dnsmasq_conf() { # dnsmasq_conf main|custom
  local listen=$IP_RESOLVER api=$IP_API dkr=("$IP_DKR" "$IP_DKR2") logs=$IP_LOGS
  if [[ $1 == custom ]]; then
    # A corporate DNS server without conditional forwarding: public answers only.
    listen=$IP_CUSTOM_RESOLVER api=$IP_PUBLIC dkr=("$IP_PUBLIC") logs=$IP_PUBLIC
  else
    fault_on private-dns-off-api || fault_on private-dns-off-api-nat && api=$IP_PUBLIC
    fault_on private-dns-off-dkr || fault_on private-dns-off-dkr-nat && dkr=("$IP_PUBLIC")
    fault_on nxdomain-dkr && dkr=()
  fi
  cat <<EOF
# generated by lab.sh for lab $NAME ($1)
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=$listen
log-queries
log-facility=-
# dnsmasq >= 2.86: every address= needs its local=, or AAAA comes back REFUSED
local=/amazonaws.com/
local=/example.net/
local=/$API_HOST/
address=/$API_HOST/$api
local=/$LOGS_HOST/
address=/$LOGS_HOST/$logs
local=/$S3_HOST/
address=/$S3_HOST/$IP_S3
local=/s3.amazonaws.com/
address=/s3.amazonaws.com/$IP_S3
local=/$DKR_HOST/
local=/$ENVOY_DKR_HOST/
EOF
  local a
  for a in "${dkr[@]}"; do echo "address=/$DKR_HOST/$a"; done
  # The endpoint's private zone covers every account's registry name.
  for a in "${dkr[@]}"; do echo "address=/$ENVOY_DKR_HOST/$a"; done
  local sm=$IP_SM ssm=$IP_SSM
  if [[ $1 == custom ]]; then
    sm=$IP_PUBLIC ssm=$IP_PUBLIC
  else
    fault_on private-dns-off-ssm && ssm=$IP_PUBLIC
    fault_on private-dns-off-secretsmanager && sm=$IP_PUBLIC
  fi
  local sm2=$IP_SM2
  { [[ $1 == custom ]] || fault_on private-dns-off-secretsmanager-region2; } && sm2=$IP_PUBLIC
  local pair
  for pair in "$SM_HOST=$sm" "$SSM_HOST=$ssm" "$SSMMSG_HOST=$IP_SSMMSG" "$ECS_HOST=$IP_ECS" \
    "$ACS_HOST=$IP_ACS" "$TCS_HOST=$IP_TCS" "$STS_HOST=$IP_STS" "$KMS_HOST=$IP_KMS" \
    "$LOGS_FOREIGN_HOST=$IP_PUBLIC" "$EFS_HOST=$IP_EFS" "$FIREHOSE_HOST=$IP_FIREHOSE" \
    "$KINESIS_HOST=$IP_KINESIS" "$XRAY_HOST=$IP_XRAY" "$MONITORING_HOST=$IP_MONITORING" \
    "$APPMESH_HOST=$IP_APPMESH" "$SM2_HOST=$sm2" "$SSM2_HOST=$IP_SSM2" "$KMS2_HOST=$IP_KMS2"; do
    echo "local=/${pair%%=*}/"
    echo "address=/${pair%%=*}/${pair#*=}"
  done
}

nginx_conf() {
  local gen=$1 p=$DIR/pki
  local dkr_cert=endpoints
  fault_on tls-unknown-ca-dkr && dkr_cert=rogue
  fault_on tls-wrong-name-dkr && dkr_cert=wrongname
  local api_deny="" deny_msg=""
  local who="User: arn:aws:sts::$ACCOUNT:assumed-role/probe-exec/abc is not authorized to perform: ecr:GetAuthorizationToken on resource: *"
  fault_on token-denied-endpoint-policy && deny_msg="$who because no VPC endpoint policy allows the ecr:GetAuthorizationToken action"
  fault_on token-denied-identity-policy && deny_msg="$who because no identity-based policy allows the ecr:GetAuthorizationToken action"
  fault_on token-denied-explicit && deny_msg="$who with an explicit deny in a service control policy"
  if [[ -n $deny_msg ]]; then
    api_deny="if (\$http_x_amz_target ~ \"GetAuthorizationToken\") {
        add_header x-amzn-ErrorType AccessDeniedException always;
        add_header x-amzn-RequestId 00000000-0000-4000-8000-000000000001 always;
        return 400 '{\"__type\":\"AccessDeniedException\",\"message\":\"$deny_msg\"}';
      }"
  fi
  local dkr_extra="" redirect="proxy_redirect off;"
  if fault_on registry-denied; then
    dkr_extra="if (\$uri ~ \"^/v2/(?<repo>.+)/manifests/\") {
        return 403 '{\"errors\":[{\"code\":\"DENIED\",\"message\":\"User: arn:aws:sts::$ACCOUNT:assumed-role/probe-exec/abc is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:$REGION:$ACCOUNT:repository/\$repo because no VPC endpoint policy allows the ecr:BatchGetImage action\"}]}';
      }"
  fi
  fault_on redirect-foreign && redirect='proxy_redirect ~^https://[^/]+(/.*)$ https://evil.example.net$1;'
  local auth='$http_authorization'
  fault_on registry-401 && auth='$lab_wrong_auth'
  local s3_deny=""
  # A gateway endpoint policy whose only Resource is arn:aws:s3:::prod-<region>-starport-layer-bucket/*.
  fault_on s3-gateway-layer-bucket-only && s3_deny="if (\$host !~ \"^$BUCKET\\.\") { return 403 '<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>LABREQ0000000003</RequestId><HostId>lab</HostId></Error>'; }"
  # Another region's bucket: S3 answers a HEAD with 301 and the bucket's region.
  s3_deny+="if (\$host ~ \"^$ENV_BUCKET_WEST\\.\") { add_header x-amz-bucket-region $REGION2 always; return 301; }"
  fault_on s3-policy-deny && s3_deny="return 403 '<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>LABREQ0000000001</RequestId><HostId>lab</HostId></Error>';"
  local svc_deny="" svc_who="User: arn:aws:sts::$ACCOUNT:assumed-role/probe-exec/abc is not authorized to perform"
  deny_json() { # deny_json TARGET-REGEX ACTION — AccessDeniedException as the endpoint policy words it
    printf 'if ($http_x_amz_target ~ "%s") {\n        add_header x-amzn-ErrorType AccessDeniedException always;\n        add_header x-amzn-RequestId 00000000-0000-4000-8000-000000000002 always;\n        return 400 '"'"'{"__type":"AccessDeniedException","message":"%s: %s on resource: * because no VPC endpoint policy allows the %s action"}'"'"';\n      }\n' "$1" "$svc_who" "$2" "$2"
  }
  fault_on ssm-denied-endpoint-policy && svc_deny+=$(deny_json '^AmazonSSM\.' ssm:DescribeParameters)
  fault_on secretsmanager-denied-endpoint-policy && svc_deny+=$(deny_json '^secretsmanager\.' secretsmanager:DescribeSecret)
  fault_on firehose-denied-endpoint-policy && svc_deny+=$(deny_json '^Firehose_20150804\.' firehose:DescribeDeliveryStream)
  fault_on kinesis-denied-endpoint-policy && svc_deny+=$(deny_json '^Kinesis_20131202\.' kinesis:DescribeStreamSummary)
  # X-Ray's REST API and CloudWatch's Query API say the same in their own shapes.
  local xray_deny="" monitoring_deny=""
  fault_on xray-denied-endpoint-policy && xray_deny="add_header x-amzn-ErrorType AccessDeniedException always;
        add_header x-amzn-RequestId 00000000-0000-4000-8000-000000000003 always;
        return 403 '{\"message\":\"$svc_who: xray:GetSamplingRules on resource: * because no VPC endpoint policy allows the xray:GetSamplingRules action\"}';"
  fault_on monitoring-denied-endpoint-policy && monitoring_deny="if (\$host = $MONITORING_HOST) {
        add_header x-amzn-RequestId 00000000-0000-4000-8000-000000000004 always;
        return 403 '<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>$svc_who: cloudwatch:ListMetrics because no VPC endpoint policy allows the cloudwatch:ListMetrics action</Message></Error><RequestId>00000000-0000-4000-8000-000000000004</RequestId></ErrorResponse>';
      }"
  # Another account's repository behind a dkr endpoint policy that names only ours.
  local dkr_foreign=""
  fault_on dkr-own-account-only && dkr_foreign="set \$lab_foreign \"\";
      if (\$lab_dkr_account != $ACCOUNT) { set \$lab_foreign F; }
      if (\$uri ~ \"^/v2/(?<frepo>.+)/manifests/\") { set \$lab_foreign \"\${lab_foreign}M\"; }
      if (\$lab_foreign = FM) {
        return 403 '{\"errors\":[{\"code\":\"DENIED\",\"message\":\"User: arn:aws:sts::$ACCOUNT:assumed-role/probe-exec/abc is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:$REGION:\$lab_dkr_account:repository/\$frepo because no VPC endpoint policy allows the ecr:BatchGetImage action\"}]}';
      }"
  local svc_listen="" a
  for a in "${SERVICE_IPS[@]}"; do svc_listen+="listen $a:443 ssl; "; done
  local known sidecars r
  known=$(
    IFS='|'
    echo "${IMAGES[*]}|${PUSHED_REPOS[*]}"
  )
  for r in "${SIDECAR_IMAGES[@]}"; do sidecars+="|${r%%:*}"; done

  cat <<EOF
# generated by lab.sh for lab $NAME, generation $gen
daemon off;
user root;
worker_processes 1;
# A reload (every fault toggle) waits for the old worker to exit; a connection some
# client keeps open would hold it, and the toggle, indefinitely on a loaded machine.
worker_shutdown_timeout 3s;
pid $DIR/nginx/nginx.pid;
error_log $DIR/log/nginx-error.log warn;
events { worker_connections 1024; }
http {
  # \$uri, not \$request_uri: presigned query strings stay out of the logs
  log_format lab '\$remote_addr -> \$server_addr:\$server_port \$host "\$request_method \$uri" \$status \$body_bytes_sent \$request_time';
  access_log $DIR/log/nginx-access.log lab;
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fastcgi;
  uwsgi_temp_path $DIR/nginx/uwsgi;
  scgi_temp_path $DIR/nginx/scgi;
  client_max_body_size 0;
  # appmesh-envoy-management.<region>.amazonaws.com is longer than the default bucket holds.
  server_names_hash_bucket_size 128;
  proxy_http_version 1.1;
  proxy_buffering off;
  proxy_request_buffering off;
  proxy_read_timeout 60s;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_certificate $p/endpoints.pem;
  ssl_certificate_key $p/endpoints.key;

  upstream moto { server 127.0.0.1:$MOTO_PORT; keepalive 8; }
  upstream registry { server 127.0.0.1:$REG_PORT; keepalive 8; }
  # registry-401: any credentials the client sends are replaced by wrong ones
  map \$http_authorization \$lab_wrong_auth { "" ""; default "Basic QVdTOndyb25nLXBhc3N3b3Jk"; }
  # the account a dkr name belongs to (<account>.dkr.ecr.<region>…)
  map \$host \$lab_dkr_account { default ""; "~^(?<a>[0-9]{12})\\.dkr\\." \$a; }

  # lets lab.sh see that a reload has taken effect
  server { listen 127.0.0.1:$GEN_PORT; location / { return 200 "$gen"; } }

  # com.amazonaws.$REGION.ecr.api endpoint ENI (and the public endpoint behind a NAT)
  server {
    listen $IP_API:443 ssl;
    listen $IP_PUBLIC:443 ssl;
    server_name $API_HOST;
    location / {
      default_type application/x-amz-json-1.1;
      $api_deny
      proxy_pass http://moto;
      proxy_set_header Host \$host;
      proxy_set_header Connection "";
    }
  }

  # com.amazonaws.$REGION.ecr.dkr endpoint ENIs (two AZs)
  server {
    listen $IP_DKR:443 ssl;
    listen $IP_DKR2:443 ssl;
    listen $IP_PUBLIC:443 ssl;
    server_name $DKR_HOST;
    ssl_certificate $p/$dkr_cert.pem;
    ssl_certificate_key $p/$dkr_cert.key;
    # ECR answers NAME_UNKNOWN for a repository that does not exist
    location ~ "^/v2/(?!(?:lab/(?:$known)$sidecars)/(?:manifests|blobs|tags)/)(?<repo>.+?)/(?:manifests|blobs|tags)/" {
      default_type application/json;
      if (\$http_authorization = "") {
        add_header WWW-Authenticate 'Basic realm="https://$DKR_HOST/",service="ecr.amazonaws.com"' always;
        return 401 '{"errors":[{"code":"DENIED","message":"Not Authorized"}]}';
      }
      return 404 '{"errors":[{"code":"NAME_UNKNOWN","message":"The repository with name \'\$repo\' does not exist in the registry with id \'$ACCOUNT\'"}]}';
    }
    location / {
      default_type application/json;
      $dkr_extra
      $dkr_foreign
      proxy_pass http://registry;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header Authorization $auth;
      proxy_set_header Connection "";
      $redirect
    }
  }

  # The EFS mount target: NFS is only connected to (the probe's tcp hop on 2049), so
  # any listener stands in for it; nginx closes whatever it is sent.
  server {
    listen $IP_EFS:2049;
    return 444;
  }

  # com.amazonaws.$REGION.logs endpoint ENI
  server {
    listen $IP_LOGS:443 ssl;
    listen $IP_PUBLIC:443 ssl;
    server_name $LOGS_HOST;
    location / {
      proxy_pass http://moto;
      proxy_set_header Host \$host;
      proxy_set_header Connection "";
    }
  }

  # secretsmanager, ssm, ssmmessages, ecs, ecs-agent, ecs-telemetry, sts, kms, firehose, kinesis endpoint
  # ENIs (and their public names behind a NAT). Logged with the API called, so the
  # tests can check that no value-returning call was ever made.
  log_format services '\$remote_addr -> \$server_addr \$host "\$request_method \$uri" target=\$http_x_amz_target \$status';
  server {
    $svc_listen
    listen $IP_PUBLIC:443 ssl;
    server_name $SM_HOST $SSM_HOST $SSMMSG_HOST $ECS_HOST $ACS_HOST $TCS_HOST $STS_HOST $KMS_HOST $LOGS_FOREIGN_HOST $FIREHOSE_HOST $KINESIS_HOST
      $XRAY_HOST $MONITORING_HOST $APPMESH_HOST $SM2_HOST $SSM2_HOST $KMS2_HOST;
    access_log $DIR/log/services-access.log services;
    # moto has no X-Ray sampling API: the rule every account has until it adds its own,
    # in X-Ray's shape.
    location = /GetSamplingRules {
      default_type application/json;
      $xray_deny
      return 200 '{"SamplingRuleRecords":[{"SamplingRule":{"RuleName":"Default","RuleARN":"arn:aws:xray:$REGION:$ACCOUNT:sampling-rule/Default","ResourceARN":"*","Priority":10000,"FixedRate":0.05,"ReservoirSize":1,"ServiceName":"*","ServiceType":"*","Host":"*","HTTPMethod":"*","URLPath":"*","Version":1,"Attributes":{}},"CreatedAt":0.0,"ModifiedAt":1700000000.0}]}';
    }
    location / {
      default_type application/x-amz-json-1.1;
      $svc_deny
      $monitoring_deny
      proxy_pass http://moto;
      proxy_set_header Host \$host;
      proxy_set_header Connection "";
    }
  }

  # public S3 as the subnet reaches it through the gateway endpoint route
  server {
    listen $IP_S3:443 ssl;
    server_name $S3_HOST *.s3.$REGION.amazonaws.com s3.amazonaws.com *.s3.amazonaws.com;
    location / {
      default_type application/xml;
      add_header x-amz-request-id LABREQ0000000001 always;
      $s3_deny
      # real S3: a presigned URL plus an Authorization header is a 400
      set \$lab_auth_mechs "";
      if (\$http_authorization != "") { set \$lab_auth_mechs "A"; }
      if (\$args ~ "X-Amz-Signature=") { set \$lab_auth_mechs "\${lab_auth_mechs}S"; }
      if (\$lab_auth_mechs = "AS") {
        return 400 '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message><ArgumentName>Authorization</ArgumentName><RequestId>LABREQ0000000002</RequestId><HostId>lab</HostId></Error>';
      }
      proxy_pass http://moto;
      proxy_set_header Host \$host;
      proxy_set_header Connection "";
    }
  }

  # the registry's private path to S3 (aws namespace loopback; no faults here)
  server {
    listen 127.0.0.1:443 ssl;
    server_name $S3_HOST $BUCKET_HOST;
    location / {
      proxy_pass http://moto;
      proxy_set_header Host \$host;
      proxy_set_header Connection "";
    }
  }
}
EOF
}

registry_conf() {
  cat <<EOF
# generated by lab.sh for lab $NAME
version: 0.1
log:
  level: info
  formatter: text
storage:
  # No regionendpoint: it would force path-style URLs. With
  # AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=regional the 307 goes to
  # https://$BUCKET_HOST/..., the real ECR shape.
  s3:
    region: $REGION
    bucket: $BUCKET
    accesskey: AKIAIOSFODNN7LABREG0
    secretkey: lab-registry-secret-not-checked-by-moto
    secure: true
    v4auth: true
    encrypt: false
  redirect:
    disable: false
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$REG_PORT
  secret: lab-$NAME-http-secret
# distribution 2.8 rejects any foreign-layer URL unless an allow pattern matches it
validation:
  manifests:
    urls:
      allow:
        - ^https://foreign-layers\.example\.net/
auth:
  htpasswd:
    realm: https://$DKR_HOST/
    path: $DIR/registry/htpasswd
EOF
}

write_metadata() { # task metadata v4 + credentials for the ECS stand-in
  local dns=$IP_RESOLVER
  fault_on custom-resolver && dns=$IP_CUSTOM_RESOLVER
  local image=$DKR_HOST/lab/single:v1 image_id
  image_id=$(cat "$DIR/images/single.digest" 2>/dev/null || echo "")
  local d=$DIR/ecs
  cat >"$d/container.json.tmp" <<EOF
{
  "DockerId": "0123456789abcdef-1111111111",
  "Name": "probe",
  "DockerName": "probe",
  "Image": "$image",
  "ImageID": "$image_id",
  "Labels": {
    "com.amazonaws.ecs.cluster": "arn:aws:ecs:$REGION:$ACCOUNT:cluster/lab",
    "com.amazonaws.ecs.container-name": "probe",
    "com.amazonaws.ecs.task-arn": "arn:aws:ecs:$REGION:$ACCOUNT:task/lab/0123456789abcdef",
    "com.amazonaws.ecs.task-definition-family": "probe",
    "com.amazonaws.ecs.task-definition-version": "1"
  },
  "DesiredStatus": "RUNNING",
  "KnownStatus": "RUNNING",
  "Limits": { "CPU": 2, "Memory": 512 },
  "CreatedAt": "2024-01-01T00:00:00.000000000Z",
  "StartedAt": "2024-01-01T00:00:01.000000000Z",
  "Type": "NORMAL",
  "LogDriver": "awslogs",
  "LogOptions": {
    "awslogs-create-group": "true",
    "awslogs-group": "/ecs/lab",
    "awslogs-region": "$REGION",
    "awslogs-stream": "ecs/probe/0123456789abcdef"
  },
  "ContainerARN": "arn:aws:ecs:$REGION:$ACCOUNT:container/lab/0123456789abcdef/2222",
  "Networks": [
    {
      "NetworkMode": "awsvpc",
      "IPv4Addresses": ["$IP_TASK"],
      "AttachmentIndex": 0,
      "MACAddress": "0a:00:00:00:01:0a",
      "IPv4SubnetCIDRBlock": "10.0.1.0/24",
      "DomainNameServers": ["$dns"],
      "DomainNameSearchList": ["ec2.internal"],
      "PrivateDNSName": "ip-10-0-1-10.ec2.internal",
      "SubnetGatewayIpv4Address": "$IP_ROUTER/24"
    }
  ],
  "Snapshotter": "overlayfs"
}
EOF
  {
    cat <<EOF
{
  "Cluster": "arn:aws:ecs:$REGION:$ACCOUNT:cluster/lab",
  "TaskARN": "arn:aws:ecs:$REGION:$ACCOUNT:task/lab/0123456789abcdef",
  "Family": "probe",
  "Revision": "1",
  "DesiredStatus": "RUNNING",
  "KnownStatus": "RUNNING",
  "Limits": { "CPU": 0.25, "Memory": 512 },
  "PullStartedAt": "2024-01-01T00:00:00.000000000Z",
  "PullStoppedAt": "2024-01-01T00:00:01.000000000Z",
  "AvailabilityZone": "${REGION}a",
  "LaunchType": "$(fault_on launch-type-ec2 && echo EC2 || echo FARGATE)",
  "ClockDrift": { "ClockErrorBound": 0.5, "ReferenceTimestamp": "2024-01-01T00:00:00Z", "ClockSynchronizationStatus": "SYNCHRONIZED" },
  "EphemeralStorageMetrics": { "Utilized": 100, "Reserved": 20496 },
  "Containers": [
EOF
    cat "$d/container.json.tmp"
    echo '  ]'
    echo '}'
  } >"$d/task.json.tmp"
  cat >"$d/creds.json.tmp" <<EOF
{
  "AccessKeyId": "ASIALABLABLAB0000001",
  "SecretAccessKey": "$(cat "$DIR/secret-access-key")",
  "Token": "$(cat "$DIR/session-token")",
  "Expiration": "2099-01-01T00:00:00Z",
  "RoleArn": "arn:aws:iam::$ACCOUNT:role/probe-exec"
}
EOF
  local f
  for f in container task creds; do mv "$d/$f.json.tmp" "$d/$f.json"; done
}

# ---------------------------------------------------------------- daemons
start_dnsmasq() { # start_dnsmasq main|custom
  dnsmasq_conf "$1" >"$DIR/dnsmasq-$1.conf"
  start_bg "dnsmasq-$1" "$NS_AWS" dnsmasq --keep-in-foreground --pid-file= --user=root \
    --conf-file="$DIR/dnsmasq-$1.conf"
  local ip=$IP_RESOLVER
  [[ $1 == custom ]] && ip=$IP_CUSTOM_RESOLVER
  # asked from the aws namespace (loopback path) so resolver-down's DROP does not matter
  wait_for "dnsmasq-$1" 50 in_aws dig +time=1 +tries=1 +short "@$ip" "$API_HOST" A
}

nginx_reload() {
  local gen=$(($(cat "$DIR/nginx/gen") + 1))
  nginx_conf "$gen" >"$DIR/nginx/nginx.conf.new"
  if cmp -s <(sed 1,2d "$DIR/nginx/nginx.conf.new") <(sed 1,2d "$DIR/nginx/nginx.conf"); then
    rm -f "$DIR/nginx/nginx.conf.new"
    return 0
  fi
  mv "$DIR/nginx/nginx.conf.new" "$DIR/nginx/nginx.conf"
  in_aws nginx -t -q -c "$DIR/nginx/nginx.conf" -e "$DIR/log/nginx-error.log" || die "nginx config rejected"
  echo "$gen" >"$DIR/nginx/gen"
  local master
  master=$(pid_of nginx)
  kill -HUP "$master"
  wait_for "nginx reload" 50 bash -c "[[ \$(ip netns exec $NS_AWS curl -s http://127.0.0.1:$GEN_PORT/) == $gen ]]"
  # old workers still accept until told to quit: wait until only the new one is left
  wait_for "old nginx workers" 100 bash -c "(( \$(pgrep -P $master | wc -l) <= 1 ))"
}

start_relay() {
  local ms=$1 specs=() a
  for a in "${ENDPOINT_IPS[@]}"; do specs+=("$a:$RELAY_PORT=$a:443"); done
  start_bg relay "$NS_AWS" python3 "$HERE/relay.py" "$ms" "${specs[@]}"
  wait_for relay 50 in_aws bash -c "exec 3<>/dev/tcp/$IP_S3/$RELAY_PORT"
}

# ---------------------------------------------------------------- faults
# apply_faults makes the running lab match $DIR/faults/*: iptables chains are rebuilt,
# generated configs are compared and the daemon reloaded/restarted only on change.
apply_faults() {
  local ipt=(in_aws iptables -w)
  "${ipt[@]}" -F LAB_FAULTS
  "${ipt[@]}" -F LAB_FAULTS2
  "${ipt[@]}" -t nat -F LAB_LATENCY
  # conntrack's original destination still matches while `latency` DNATs port 443.
  drop443() { "${ipt[@]}" -A LAB_FAULTS -p tcp -m conntrack --ctorigdst "$1" --ctorigdstport 443 -j "${2:-DROP}" ${3:+--reject-with "$3"}; }
  fault_on sg-drop-api && drop443 "$IP_API"
  fault_on sg-drop-dkr && { drop443 "$IP_DKR"; drop443 "$IP_DKR2"; }
  fault_on sg-drop-logs && drop443 "$IP_LOGS"
  fault_on refuse-dkr && { drop443 "$IP_DKR" REJECT tcp-reset; drop443 "$IP_DKR2" REJECT tcp-reset; }
  fault_on blackhole-one-eni-dkr && drop443 "$IP_DKR2"
  fault_on sg-drop-ssm && drop443 "$IP_SSM"
  drop443_2() { "${ipt[@]}" -A LAB_FAULTS2 -p tcp -m conntrack --ctorigdst "$1" --ctorigdstport 443 -j DROP; }
  fault_on subnet2-sg-drop-dkr && { drop443_2 "$IP_DKR"; drop443_2 "$IP_DKR2"; }
  fault_on subnet2-sg-drop-ssm && drop443_2 "$IP_SSM"
  fault_on sg-drop-secretsmanager && drop443 "$IP_SM"
  fault_on sg-drop-xray && drop443 "$IP_XRAY"
  fault_on sg-drop-monitoring && drop443 "$IP_MONITORING"
  fault_on sg-drop-appmesh && drop443 "$IP_APPMESH"
  fault_on sg-drop-sts && drop443 "$IP_STS"
  # The mount target's security group without inbound NFS.
  fault_on sg-drop-efs && "${ipt[@]}" -A LAB_FAULTS -p tcp -m conntrack --ctorigdst "$IP_EFS" --ctorigdstport 2049 -j DROP
  if fault_on resolver-down; then
    "${ipt[@]}" -A LAB_FAULTS -d "$IP_RESOLVER" -p udp --dport 53 -j DROP
    "${ipt[@]}" -A LAB_FAULTS -d "$IP_RESOLVER" -p tcp --dport 53 -j DROP
  fi
  fault_on no-s3-route && "${ipt[@]}" -A LAB_FAULTS -d 198.51.100.0/24 -j DROP
  # No NAT in this VPC: the "public address" is unreachable unless a *-nat fault is on.
  fault_on private-dns-off-api-nat || fault_on private-dns-off-dkr-nat ||
    "${ipt[@]}" -A LAB_FAULTS -d 203.0.113.0/24 -j DROP

  # resolver answers
  dnsmasq_conf main >"$DIR/dnsmasq-main.conf.new"
  if ! cmp -s "$DIR/dnsmasq-main.conf.new" "$DIR/dnsmasq-main.conf" || ! pid_of dnsmasq-main >/dev/null; then
    stop_pid dnsmasq-main
    start_dnsmasq main
  fi
  rm -f "$DIR/dnsmasq-main.conf.new"

  # custom resolver: the task's resolv.conf and metadata point at it
  if fault_on custom-resolver; then
    pid_of dnsmasq-custom >/dev/null || start_dnsmasq custom
    echo "nameserver $IP_CUSTOM_RESOLVER" >"/etc/netns/$NS_SUB/resolv.conf"
  else
    stop_pid dnsmasq-custom
    echo "nameserver $IP_RESOLVER" >"/etc/netns/$NS_SUB/resolv.conf"
  fi
  write_metadata

  nginx_reload

  # latency: relay on every endpoint address, DNAT 443 -> relay
  if fault_on latency; then
    local ms
    ms=$(fault_arg latency)
    if [[ $(cat "$DIR/relay.ms" 2>/dev/null) != "$ms" ]] || ! pid_of relay >/dev/null; then
      stop_pid relay
      start_relay "$ms"
      echo "$ms" >"$DIR/relay.ms"
    fi
    local a
    for a in "${ENDPOINT_IPS[@]}"; do
      "${ipt[@]}" -t nat -A LAB_LATENCY -d "$a" -p tcp --dport 443 -j DNAT --to-destination "$a:$RELAY_PORT"
    done
  else
    stop_pid relay
    rm -f "$DIR/relay.ms"
  fi

  # digest-mismatch: swap lab/single's layer objects in moto S3 (only on a change)
  if fault_on digest-mismatch && [[ ! -f $DIR/corrupted ]]; then
    corrupt_layers on
  elif ! fault_on digest-mismatch && [[ -f $DIR/corrupted ]]; then
    corrupt_layers off
  fi
}

s3_key() { local h=${1#sha256:}; echo "docker/registry/v2/blobs/sha256/${h:0:2}/$h/data"; }

s3_curl() { # moto S3 on the aws loopback; a fake s3-scoped SigV4 header, since moto
  # refuses anonymous reads of private objects (signatures are never checked)
  in_aws curl -sf -H "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7LABSEED/20240101/$REGION/s3/aws4_request, SignedHeaders=host, Signature=0000" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -H 'X-Amz-Date: 20240101T000000Z' "$@"
}

corrupt_layers() { # swap the objects in moto directly, behind the registry's back
  local d key
  mkdir -p "$DIR/corrupt"
  for d in $(cat "$DIR/images/single.layers"); do
    key=$(s3_key "$d")
    if [[ $1 == on ]]; then
      s3_curl -o "$DIR/corrupt/${d#sha256:}" "http://127.0.0.1:$MOTO_PORT/$BUCKET/$key"
      # same length, different bytes: every byte XOR 0x5a
      python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(bytes(b^0x5a for b in d))' \
        "$DIR/corrupt/${d#sha256:}" "$DIR/corrupt/${d#sha256:}.bad"
      s3_curl -X PUT -H "Content-Type: application/octet-stream" --data-binary "@$DIR/corrupt/${d#sha256:}.bad" "http://127.0.0.1:$MOTO_PORT/$BUCKET/$key" >/dev/null
    else
      s3_curl -X PUT -H "Content-Type: application/octet-stream" --data-binary "@$DIR/corrupt/${d#sha256:}" "http://127.0.0.1:$MOTO_PORT/$BUCKET/$key" >/dev/null
    fi
  done
  if [[ $1 == on ]]; then touch "$DIR/corrupted"; else rm -f "$DIR/corrupted"; fi
}

# ---------------------------------------------------------------- seeding
aws_json() { # aws_json SERVICE TARGET BODY [REGION] — a JSON-1.1 call to moto, routed by the credential scope
  in_aws curl -sf "http://127.0.0.1:$MOTO_PORT/" \
    -H "X-Amz-Target: $2" -H 'Content-Type: application/x-amz-json-1.1' \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7LABSEED/20240101/${4:-$REGION}/$1/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000" \
    -H 'X-Amz-Date: 20240101T000000Z' -d "$3"
}

seed_aws() {
  # moto's ECR token is base64("AWS:<account>-auth-token"): read it rather than assume
  local tok
  tok=$(aws_json ecr AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken '{}' |
    jq -r '.authorizationData[0].authorizationToken')
  [[ -n $tok && $tok != null ]] || die "moto GetAuthorizationToken gave no token"
  local user=${tok:+$(base64 -d <<<"$tok" | cut -d: -f1)}
  [[ $user == AWS ]] || die "unexpected ECR token user '$user'"
  echo "$tok" >"$DIR/token"
  base64 -d <<<"$tok" | cut -d: -f2- | tr -d '\n' >"$DIR/password"
  htpasswd -Bbn AWS "$(cat "$DIR/password")" >"$DIR/registry/htpasswd"
  local img
  for img in "${IMAGES[@]}"; do
    aws_json ecr AmazonEC2ContainerRegistry_V20150921.CreateRepository "{\"repositoryName\":\"lab/$img\"}" >/dev/null
  done
  aws_json logs Logs_20140328.CreateLogGroup '{"logGroupName":"/ecs/lab"}' >/dev/null
  # The task's secrets: a value the probe must never ask for nor print.
  head -c 24 /dev/urandom | base64 | tr -d '/+=\n' | sed 's/^/labsecretvalue/' >"$DIR/secret-value"
  local v
  v=$(cat "$DIR/secret-value")
  aws_json ssm AmazonSSM.PutParameter "{\"Name\":\"/lab/db-url\",\"Value\":\"$v\",\"Type\":\"SecureString\"}" >/dev/null
  # td/cwagent-emf-fargate.json's agent configuration (CW_CONFIG_CONTENT), as the sample names it.
  aws_json ssm AmazonSSM.PutParameter '{"Name":"ecs-cwagent-sidecar-fargate","Value":"{\"logs\":{\"metrics_collected\":{\"emf\":{}}}}","Type":"String"}' >/dev/null
  aws_json secretsmanager secretsmanager.CreateSecret "{\"Name\":\"lab/db-password\",\"SecretString\":\"$v\"}" |
    jq -r .ARN >"$DIR/secret-arn"
  [[ $(cat "$DIR/secret-arn") == arn:aws:secretsmanager:* ]] || die "moto CreateSecret gave no ARN"
  # The same value in the second region: the cross-region scenarios' secret.
  aws_json secretsmanager secretsmanager.CreateSecret "{\"Name\":\"lab/db-password-west\",\"SecretString\":\"$v\"}" "$REGION2" |
    jq -r .ARN >"$DIR/secret-arn-west"
  [[ $(cat "$DIR/secret-arn-west") == arn:aws:secretsmanager:$REGION2:* ]] || die "moto CreateSecret ($REGION2) gave no ARN"
  # The lab's task definitions, with the secret's ARN (moto picks its suffix).
  mkdir -p "$DIR/td"
  local f
  for f in "$HERE"/task-definitions/*.json; do
    sed -e "s|@SECRET_ARN@|$(cat "$DIR/secret-arn")|g" -e "s|@SECRET_ARN_WEST@|$(cat "$DIR/secret-arn-west")|g" \
      "$f" >"$DIR/td/$(basename "$f")"
  done
  in_aws curl -sf -X PUT "http://127.0.0.1:$MOTO_PORT/$BUCKET" >/dev/null # unsigned -> S3
  # A second bucket holding the env file of td/env-file.json. Its content is the
  # secret value: the probe asks for the file's metadata only (HeadObject), and the
  # tests' secret checks fail if any of it is ever printed.
  in_aws curl -sf -X PUT "http://127.0.0.1:$MOTO_PORT/$ENV_BUCKET" >/dev/null
  printf 'LAB_ENV_SECRET=%s\n' "$v" | in_aws curl -sf -X PUT --data-binary @- \
    "http://127.0.0.1:$MOTO_PORT/$ENV_BUCKET/app/production.env" >/dev/null
  # td/firelens-s3-config.json's FireLens configuration, read the same way.
  printf '[OUTPUT]\n    Name cloudwatch_logs\n' | in_aws curl -sf -X PUT --data-binary @- \
    "http://127.0.0.1:$MOTO_PORT/$ENV_BUCKET/firelens/extra.conf" >/dev/null
  # td/fluent-bit-init-s3.json's init configuration files (aws_fluent_bit_init_s3_N).
  printf '[FILTER]\n    Name grep\n    Match *\n' | in_aws curl -sf -X PUT --data-binary @- \
    "http://127.0.0.1:$MOTO_PORT/$ENV_BUCKET/fluent-bit/filter.conf" >/dev/null
}

push_images() {
  local reg=127.0.0.1:$REG_PORT creds img
  creds=AWS:$(cat "$DIR/password")
  python3 "$HERE/mkimages.py" "$DIR/images"
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$DIR/images/policy.json"
  # straight to the registry on the aws loopback (plain HTTP), bypassing nginx and DNS
  local sk=(in_aws skopeo --policy "$DIR/images/policy.json" --tmpdir "$DIR/images" copy --quiet
    --dest-tls-verify=false --dest-creds "$creds")
  # in parallel; wait on these PIDs only (the daemons are background jobs too)
  local js=()
  "${sk[@]}" --format v2s2 "oci:$DIR/images/single:v1" "docker://$reg/lab/single:v1" & js+=($!)
  "${sk[@]}" --all "oci:$DIR/images/multi:v1" "docker://$reg/lab/multi:v1" & js+=($!)
  "${sk[@]}" "oci:$DIR/images/oci:v1" "docker://$reg/lab/oci:v1" & js+=($!)
  "${sk[@]}" "oci:$DIR/images/big:v1" "docker://$reg/lab/big:v1" & js+=($!)
  "${sk[@]}" "oci:$DIR/images/arm64:v1" "docker://$reg/lab/arm64:v1" & js+=($!)
  push_foreign & js+=($!)
  local j rc=0
  for j in "${js[@]}"; do wait "$j" || rc=1; done
  ((rc == 0)) || die "pushing test images failed"
  # The sidecars' repositories: the amd64 image under their names (same blobs).
  js=()
  for img in "${SIDECAR_IMAGES[@]}"; do
    "${sk[@]}" --format v2s2 "oci:$DIR/images/single:v1" "docker://$reg/$img" & js+=($!)
  done
  for j in "${js[@]}"; do wait "$j" || rc=1; done
  ((rc == 0)) || die "pushing the sidecar images failed"
  for img in "${IMAGES[@]}"; do
    in_aws curl -sf -u "$creds" -H "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json" \
      "http://$reg/v2/lab/$img/manifests/v1" >"$DIR/images/$img.manifest.json"
    echo "sha256:$(sha256sum <"$DIR/images/$img.manifest.json" | cut -d' ' -f1)" >"$DIR/images/$img.digest"
  done
  jq -r '.layers[].digest' "$DIR/images/single.manifest.json" >"$DIR/images/single.layers"
  jq -r '.layers[0].size' "$DIR/images/big.manifest.json" >"$DIR/images/big.size"
}

push_foreign() { # a foreign layer has no bytes to copy: upload config + normal layer, PUT the manifest
  local reg=http://127.0.0.1:$REG_PORT creds f loc
  creds=AWS:$(cat "$DIR/password")
  for f in "$DIR"/images/foreign/blobs/*; do
    loc=$(in_aws curl -sf -u "$creds" -X POST -o /dev/null -D - "$reg/v2/lab/foreign/blobs/uploads/" |
      tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
    [[ $loc == /* ]] && loc=$reg$loc
    [[ $loc == *\?* ]] && loc+="&" || loc+="?"
    in_aws curl -sf -u "$creds" -X PUT -H 'Content-Type: application/octet-stream' \
      --data-binary "@$f" "${loc}digest=sha256:$(basename "$f")" -o /dev/null
  done
  in_aws curl -sf -u "$creds" -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' \
    --data-binary "@$DIR/images/foreign/manifest.json" "$reg/v2/lab/foreign/manifests/v1" -o /dev/null
}

# ---------------------------------------------------------------- subcommands
cmd_up() {
  set_name "${1:-}"
  need_root up
  need_bins
  if [[ -e $DIR || -e /run/netns/$NS_SUB || -e /run/netns/$NS_AWS ]]; then
    die "lab '$NAME' exists (state $DIR or namespaces): run '$SELF down $NAME' first"
  fi
  mkdir -p "$DIR"/{pids,log,faults,nginx,registry,ecs,images}
  echo 0 >"$DIR/nginx/gen"
  touch "$DIR/nginx/nginx.conf"
  trap 'rc=$?; if ((rc)); then log "up failed; logs in $DIR/log (kept in $DIR.failed-logs)"; tail -n 5 "$DIR"/log/*.log >&2 2>/dev/null || true; rm -rf "$DIR.failed-logs"; cp -r "$DIR/log" "$DIR.failed-logs" 2>/dev/null || true; [[ -n ${VPCE_LAB_KEEP_FAILED:-} ]] || cmd_down "$NAME" >/dev/null 2>&1 || true; fi' EXIT
  local t0=$SECONDS

  # fake but well-formed task credentials; the tests check the probe never prints them
  head -c 30 /dev/urandom | base64 | tr -d '/+=' | head -c 40 >"$DIR/secret-access-key"
  echo "IQoJb3JpZ2luX2VjLAB$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" | tr -d '\n' >"$DIR/session-token"

  pki
  network
  start_bg moto "$NS_AWS" env -i PATH="$PATH" MOTO_ACCOUNT_ID="$ACCOUNT" \
    "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
  start_dnsmasq main
  nginx_conf 0 >"$DIR/nginx/nginx.conf"
  start_bg nginx "$NS_AWS" nginx -c "$DIR/nginx/nginx.conf" -e "$DIR/log/nginx-error.log"
  write_metadata
  start_bg ecs-standin "$NS_SUB" python3 "$HERE/ecs_standin.py" "$ECS_PORT" "$DIR/ecs"
  wait_for moto 200 in_aws curl -s -o /dev/null "http://127.0.0.1:$MOTO_PORT/moto-api/"
  seed_aws
  registry_conf >"$DIR/registry/config.yml"
  start_bg registry "$NS_AWS" env -i PATH="$PATH" AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=regional \
    SSL_CERT_FILE="$DIR/pki/ca.pem" docker-registry serve "$DIR/registry/config.yml"
  wait_for registry 100 bash -c "[[ \$(ip netns exec $NS_AWS curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$REG_PORT/v2/) == 401 ]]"
  push_images
  write_metadata # ImageID now known
  wait_for nginx 50 in_sub curl -s -o /dev/null --cacert "$DIR/pki/ca.pem" "https://$DKR_HOST/v2/"
  wait_for ecs-standin 50 in_sub curl -sf -o /dev/null "http://127.0.0.1:$ECS_PORT/v4/abc"

  apply_faults # installs the baseline rules (no NAT: the public address is dropped)

  if [[ -n ${LAB_OWNER_PID:-} ]]; then
    # bounded by the owner's life: runs `down` once the owner (e.g. a test) is gone
    start_bg reaper - bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" down "$3"' \
      reaper "$LAB_OWNER_PID" "$SELF" "$NAME"
  fi
  trap - EXIT
  log "lab '$NAME' up in $((SECONDS - t0)) s (state $DIR); try: $SELF env $NAME"
}

cmd_down() {
  set_name "${1:-}"
  need_root down
  local n
  # the reaper first (unless it is us), then everything else recorded
  [[ -f $DIR/pids/reaper ]] && stop_pid reaper
  if [[ -d $DIR/pids ]]; then
    for n in "$DIR"/pids/*; do [[ -e $n ]] && stop_pid "$(basename "$n")"; done
  fi
  local gone=0
  wait_gone || gone=1
  # namespaces by name: deleting them removes the veth pair and all addresses/rules
  for n in "$NS_SUB" "$NS_SUB2" "$NS_AWS"; do
    [[ -e /run/netns/$n ]] && ip netns del "$n" 2>/dev/null || true
    rm -rf "/etc/netns/$n"
  done
  rm -rf "$DIR"
  ((gone == 0)) || die "lab '$NAME' down, but some of its processes outlived it (above)"
  log "lab '$NAME' down"
}

cmd_fault() {
  local known=" ${FAULTS[*]} "
  if [[ $known != *" ${1:-} "* ]]; then set_name "${1:-}"; shift || true; else set_name ""; fi
  need_root fault
  local f=${1:-} state=${2:-} arg=${3:-}
  [[ $known == *" $f "* ]] || { fault_help >&2; die "unknown fault '$f'"; }
  [[ $state == on || $state == off ]] || die "usage: fault [NAME] FAULT on|off [ARG]"
  [[ -d $DIR/pids ]] || die "lab '$NAME' is not up"
  if [[ $state == on ]]; then
    [[ $f == latency ]] && { arg=${arg:-20}; [[ $arg =~ ^[0-9]+$ ]] || die "latency wants milliseconds"; }
    echo "$arg" >"$DIR/faults/$f"
  else
    rm -f "$DIR/faults/$f"
  fi
  apply_faults
  log "fault $f $state${arg:+ ($arg)} in lab '$NAME'"
}

cmd_exec() {
  local name=""
  [[ ${1:-} != -- ]] && { name=${1:-}; shift || true; }
  [[ ${1:-} == -- ]] && shift
  set_name "$name"
  need_root exec
  (($#)) || die "usage: exec [NAME] -- CMD..."
  [[ -e /run/netns/$NS_SUB ]] || die "lab '$NAME' is not up"
  exec ip netns exec "$NS_SUB" "$@"
}

cmd_env() {
  set_name "${1:-}"
  [[ -f $DIR/images/single.digest ]] || die "lab '$NAME' is not up"
  local img
  q() { printf "%s='%s'\n" "$1" "$2"; }
  q LAB_NAME "$NAME"
  q LAB_DIR "$DIR"
  q LAB_SUBNET_NS "$NS_SUB"
  q LAB_SUBNET2_NS "$NS_SUB2"
  q LAB_AWS_NS "$NS_AWS"
  q LAB_CA "$DIR/pki/ca.pem"
  q LAB_REGION "$REGION"
  q LAB_ACCOUNT "$ACCOUNT"
  q LAB_RESOLVER "$IP_RESOLVER"
  q LAB_VPC_CIDR 10.0.0.0/16
  q LAB_API_HOST "$API_HOST"
  q LAB_DKR_HOST "$DKR_HOST"
  q LAB_LOGS_HOST "$LOGS_HOST"
  q LAB_S3_HOST "$BUCKET_HOST"
  q LAB_REGISTRY "$DKR_HOST"
  for img in "${IMAGES[@]}"; do
    q "LAB_IMAGE_${img^^}" "$DKR_HOST/lab/$img:v1"
    q "LAB_DIGEST_${img^^}" "$(cat "$DIR/images/$img.digest")"
  done
  q LAB_BIG_LAYER_BYTES "$(cat "$DIR/images/big.size")"
  q LAB_TOKEN "$(cat "$DIR/token")"
  q LAB_PASSWORD "$(cat "$DIR/password")"
  q LAB_SECRET_ACCESS_KEY "$(cat "$DIR/secret-access-key")"
  q LAB_SESSION_TOKEN "$(cat "$DIR/session-token")"
  q AWS_CONTAINER_CREDENTIALS_FULL_URI "http://127.0.0.1:$ECS_PORT/creds"
  q ECS_CONTAINER_METADATA_URI_V4 "http://127.0.0.1:$ECS_PORT/v4/abc"
  q AWS_REGION "$REGION"
  q LAB_SECRET_VALUE "$(cat "$DIR/secret-value")"
  q LAB_SECRET_ARN "$(cat "$DIR/secret-arn")"
  q LAB_TASK_DEFINITIONS "$DIR/td"
  q LAB_SERVICES_LOG "$DIR/log/services-access.log"
}

# counters [NAME] [--reset]: what reached the lab's servers since `up` or the last
# --reset, as JSON; --reset zeroes after reading (iptables -L -Z lists and zeroes in one
# call). by_endpoint lists only the endpoints that saw something.
cmd_counters() {
  local name="" reset=0 a
  for a in "$@"; do
    if [[ $a == --reset ]]; then reset=1; else name=$a; fi
  done
  set_name "$name"
  need_root counters
  [[ -d $DIR/pids ]] || die "lab '$NAME' is not up"
  local zero=()
  ((reset)) && zero=(-Z)
  local rules requests=$DIR/ecs/requests.log log=""
  rules=$(in_aws iptables -w -t raw -nvxL LAB_COUNT "${zero[@]}" | sed -n 's|^ *\([0-9][0-9]*\) .*/\* \(.*\) \*/.*$|\1 \2|p')
  [[ -n $rules ]] || die "lab '$NAME' has no counting rules (brought up by an older lab.sh?)"
  [[ -f $requests ]] && log=$(cat "$requests")
  ((reset)) && : >"$requests"
  jq -n --arg name "$NAME" --arg rules "$rules" --arg log "$log" '
    ($rules | split("\n") | map(select(length > 0) | split(" ") | {n: (.[0] | tonumber), kind: .[1], label: .[2]})) as $r
    | def count($k; $l): [$r[] | select(.kind == $k and .label == $l) | .n] | add // 0;
      def by($k): [$r[] | select(.kind == $k and .label != "all" and .n > 0) | {(.label): .n}] | add // {};
    ($log | split("\n") | map(select(length > 0) | split(" ")[1])) as $paths
    | {lab: $name,
       tcp_syn_443: {total: count("syn443"; "all"), by_endpoint: by("syn443")},
       tls_client_hello: {total: count("hello"; "all"), by_endpoint: by("hello")},
       dns_queries: {total: (count("dns"; "udp") + count("dns"; "tcp")), udp: count("dns"; "udp"), tcp: count("dns"; "tcp"),
                     custom_resolver: (count("dns-custom"; "udp") + count("dns-custom"; "tcp"))},
       ecs_requests: {total: ($paths | length),
                      credentials: ([$paths[] | select(. == "/creds")] | length),
                      metadata: ([$paths[] | select(startswith("/v4/"))] | length),
                      other: ([$paths[] | select(. != "/creds" and (startswith("/v4/") | not))] | length)}}'
}

cmd_status() {
  local base=${VPCE_LAB_STATE:-$ROOT/.lab} d n any=0
  for d in "$base"/*/; do
    [[ -d $d/pids ]] || continue
    any=1
    set_name "$(basename "$d")"
    echo "lab $NAME ($DIR): namespaces: $(ip netns list | grep -ow -e "$NS_SUB" -e "$NS_AWS" | tr '\n' ' ')"
    for n in "$DIR"/pids/*; do
      [[ -e $n ]] || continue
      if pid=$(pid_of "$(basename "$n")"); then echo "  $(basename "$n"): pid $pid running"; else echo "  $(basename "$n"): DEAD"; fi
    done
    echo "  faults: $(ls "$DIR/faults" 2>/dev/null | tr '\n' ' ')"
  done
  ((any)) || echo "no labs under $base"
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  fault) cmd_fault "$@" ;;
  faults) fault_help ;;
  exec) cmd_exec "$@" ;;
  env) cmd_env "$@" ;;
  status) cmd_status ;;
  counters) cmd_counters "$@" ;;
  *) sed -n '2,/^set -euo/p' "$SELF" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"
