#!/usr/bin/env bash
# selftest.sh [NAME] — prove the lab itself, without vpce-probe.
#
# Brings a lab up (unique NAME unless given), then checks the happy path and every
# fault from inside the subnet namespace with the tools people use today (dig, curl,
# openssl s_client), switching each fault on, checking, and off again. Tears the lab
# down on every exit. Ends with the plain line "N passed, N failed".
# All traffic stays inside the lab's namespaces; every command has a short timeout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab.sh
NAME=${1:-vst$(($$ % 10000))}

if [[ $(id -u) -ne 0 ]]; then
  echo "selftest needs root; skipped"
  echo "0 passed, 0 failed"
  exit 0
fi

trap '"$LAB" down "$NAME" >/dev/null 2>&1 || true' EXIT
"$LAB" up "$NAME"
eval "$("$LAB" env "$NAME")"

PASS=0 FAIL=0
X=(ip netns exec "$LAB_SUBNET_NS")
ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION ACTUAL EXPECTED-REGEX
  if [[ $2 =~ $3 ]]; then ok "$1"; else bad "$1: got '$2', want /$3/"; fi
}
fault() { "$LAB" fault "$NAME" "$@" 2>/dev/null; }

API=$LAB_API_HOST DKR=$LAB_DKR_HOST S3=$LAB_S3_HOST LOGS=$LAB_LOGS_HOST
ACCEPT='Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json'
SIG='AWS4-HMAC-SHA256 Credential=ASIALAB/20240101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=00'

dig_a() { "${X[@]}" dig +short +time=1 +tries=1 "$@" A 2>&1 | sort | tr '\n' ' ' | sed 's/ $//'; }
dig_status() { "${X[@]}" dig +time=1 +tries=1 "$@" | grep -o 'status: [A-Z]*' || echo "no answer"; }
# curl exit code: 0 ok, 7 refused, 28 timeout, 60 certificate
curl_rc() { "${X[@]}" curl -s -o /dev/null --connect-timeout 1 -m 3 --cacert "$LAB_CA" "$@" && echo 0 || echo $?; }
code() { "${X[@]}" curl -s -o /dev/null -w '%{http_code}' --connect-timeout 1 -m 5 --cacert "$LAB_CA" "$@" || true; }
token() { "${X[@]}" curl -s --connect-timeout 1 -m 3 --cacert "$LAB_CA" "$@" "https://$API/" \
  -H 'X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken' \
  -H 'Content-Type: application/x-amz-json-1.1' -H "Authorization: $SIG" -d '{}' || true; }
manifest() { "${X[@]}" curl -s --connect-timeout 1 -m 5 --cacert "$LAB_CA" -u "AWS:$LAB_PASSWORD" -H "$ACCEPT" \
  "https://$DKR/v2/lab/$1/manifests/${2:-v1}" || true; }
LAYER=$(manifest single | jq -r '.layers[0].digest')
blob_location() { "${X[@]}" curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -m 5 --cacert "$LAB_CA" \
  -u "AWS:$LAB_PASSWORD" "https://$DKR/v2/lab/single/blobs/$LAYER" || true; }
layer_sha() { # follow the 307 without credentials (as a correct client does) and hash
  local loc
  loc=$(blob_location | cut -d' ' -f2)
  echo "sha256:$("${X[@]}" curl -s -m 10 --connect-timeout 1 --cacert "$LAB_CA" "$loc" | sha256sum | cut -c1-64)"
}

echo "== happy path"
check "dns api private" "$(dig_a "$API")" '^10\.0\.1\.101$'
check "dns dkr two ENIs" "$(dig_a "$DKR")" '^10\.0\.1\.102 10\.0\.1\.112$'
check "dns logs" "$(dig_a "$LOGS")" '^10\.0\.1\.103$'
check "dns starport bucket public (gateway endpoint)" "$(dig_a "$S3")" '^198\.51\.100\.10$'
check "dns s3.amazonaws.com" "$(dig_a s3.amazonaws.com)" '^198\.51\.100\.10$'
check "dns other amazonaws name NXDOMAIN" "$(dig_status nope.amazonaws.com)" NXDOMAIN
check "dns AAAA dkr NOERROR (no data)" "$(dig_status "$DKR" AAAA)" NOERROR
check "tls api via lab CA" "$(curl_rc "https://$API/")" '^0$'
check "token" "$(token | jq -r '.authorizationData[0].authorizationToken')" "^$LAB_TOKEN\$"
check "registry ping 401" "$(code "https://$DKR/v2/")" '^401$'
check "manifest single v2s2" "$(manifest single | jq -r .mediaType)" 'docker.distribution.manifest.v2'
check "manifest multi index" "$(manifest multi | jq -r '[.mediaType, (.manifests|length)]|join(" ")')" 'oci.image.index.v1\+json 2'
check "manifest oci" "$(manifest oci | jq -r .mediaType)" 'oci.image.manifest'
check "manifest foreign has urls" "$(manifest foreign | jq -r '.layers[0].mediaType + " " + .layers[0].urls[0]')" 'foreign.diff.tar.gzip https://foreign-layers.example.net/'
check "manifest unknown tag" "$(manifest single nope | jq -r '.errors[0].code')" MANIFEST_UNKNOWN
check "unknown repository" "$(manifest nope | jq -r '.errors[0].code')" NAME_UNKNOWN
check "blob 307 to starport bucket" "$(blob_location | sed 's/?.*//')" "^307 https://$S3/"
check "layer digest verifies" "$(layer_sha)" "^$LAYER\$"
check "S3 rejects presigned URL + Authorization" \
  "$("${X[@]}" curl -s -m 3 --cacert "$LAB_CA" -H 'Authorization: Basic eA==' "$(blob_location | cut -d' ' -f2)")" 'Only one auth mechanism allowed'
check "logs endpoint" "$(code "https://$LOGS/" -H 'X-Amz-Target: Logs_20140328.DescribeLogGroups' \
  -H 'Content-Type: application/x-amz-json-1.1' -H "Authorization: ${SIG/\/ecr\//\/logs\/}" -d '{}')" '^200$'
check "container credentials" "$("${X[@]}" curl -s -m 2 "$AWS_CONTAINER_CREDENTIALS_FULL_URI" | jq -r .RoleArn)" 'role/probe-exec'
check "task metadata" "$("${X[@]}" curl -s -m 2 "$ECS_CONTAINER_METADATA_URI_V4/task" | jq -r '.LaunchType + " " + .Containers[0].Networks[0].IPv4SubnetCIDRBlock')" '^FARGATE 10.0.1.0/24$'
check "public address unreachable (no NAT)" "$(curl_rc --resolve "$API:443:203.0.113.10" "https://$API/")" '^28$'

echo "== faults"
fault sg-drop-api on
check "sg-drop-api: connect times out" "$(curl_rc "https://$API/")" '^28$'
check "sg-drop-api: dkr unaffected" "$(code "https://$DKR/v2/")" '^401$'
fault sg-drop-api off
check "sg-drop-api off" "$(curl_rc "https://$API/")" '^0$'

fault sg-drop-dkr on
check "sg-drop-dkr: ENI 1 timeout" "$(curl_rc --resolve "$DKR:443:10.0.1.102" "https://$DKR/v2/")" '^28$'
check "sg-drop-dkr: ENI 2 timeout" "$(curl_rc --resolve "$DKR:443:10.0.1.112" "https://$DKR/v2/")" '^28$'
fault sg-drop-dkr off

fault sg-drop-logs on
check "sg-drop-logs: timeout" "$(curl_rc "https://$LOGS/")" '^28$'
fault sg-drop-logs off

fault refuse-dkr on
check "refuse-dkr: refused" "$(curl_rc --resolve "$DKR:443:10.0.1.102" "https://$DKR/v2/")" '^7$'
fault refuse-dkr off

fault blackhole-one-eni-dkr on
check "blackhole-one-eni-dkr: .112 timeout" "$(curl_rc --resolve "$DKR:443:10.0.1.112" "https://$DKR/v2/")" '^28$'
check "blackhole-one-eni-dkr: .102 fine" "$(curl_rc --resolve "$DKR:443:10.0.1.102" "https://$DKR/v2/")" '^0$'
fault blackhole-one-eni-dkr off

fault private-dns-off-api on
check "private-dns-off-api: public answer" "$(dig_a "$API")" '^203\.0\.113\.10$'
check "private-dns-off-api: no NAT -> timeout" "$(curl_rc "https://$API/")" '^28$'
fault private-dns-off-api off
fault private-dns-off-api-nat on
check "private-dns-off-api-nat: public answer" "$(dig_a "$API")" '^203\.0\.113\.10$'
check "private-dns-off-api-nat: token via NAT" "$(token | jq -r '.authorizationData[0].proxyEndpoint')" "^https://$DKR\$"
fault private-dns-off-api-nat off
fault private-dns-off-dkr on
check "private-dns-off-dkr: public answer" "$(dig_a "$DKR")" '^203\.0\.113\.10$'
check "private-dns-off-dkr: timeout" "$(curl_rc "https://$DKR/v2/")" '^28$'
fault private-dns-off-dkr off
fault private-dns-off-dkr-nat on
check "private-dns-off-dkr-nat: manifest via NAT" "$(manifest single | jq -r .mediaType)" 'manifest.v2'
fault private-dns-off-dkr-nat off
check "private dns back" "$(dig_a "$DKR")" '^10\.0\.1\.102 10\.0\.1\.112$'

fault nxdomain-dkr on
check "nxdomain-dkr" "$(dig_status "$DKR")" NXDOMAIN
check "nxdomain-dkr: api still resolves" "$(dig_a "$API")" '^10\.0\.1\.101$'
fault nxdomain-dkr off

fault resolver-down on
check "resolver-down: no answer" "$(dig_status "$DKR")" 'no answer'
check "resolver-down: tcp too" "$(dig_status +tcp "$DKR")" 'no answer'
fault resolver-down off
check "resolver back" "$(dig_a "$DKR")" '^10\.0\.1\.102 10\.0\.1\.112$'

fault custom-resolver on
check "custom-resolver: resolv.conf" "$("${X[@]}" cat /etc/resolv.conf)" 'nameserver 10\.0\.0\.53'
check "custom-resolver: public dkr answer" "$(dig_a "$DKR")" '^203\.0\.113\.10$'
check "custom-resolver: S3 still public S3" "$(dig_a "$S3")" '^198\.51\.100\.10$'
check "custom-resolver: metadata DNS" "$("${X[@]}" curl -s -m 2 "$ECS_CONTAINER_METADATA_URI_V4" | jq -r '.Networks[0].DomainNameServers[0]')" '^10\.0\.0\.53$'
check "custom-resolver: VPC resolver still private" "$(dig_a @10.0.0.2 "$DKR")" '^10\.0\.1\.102 10\.0\.1\.112$'
fault custom-resolver off
check "custom-resolver off" "$("${X[@]}" cat /etc/resolv.conf)" 'nameserver 10\.0\.0\.2$'

fault no-s3-route on
check "no-s3-route: S3 timeout" "$(curl_rc "https://$S3/")" '^28$'
check "no-s3-route: blob still 307" "$(blob_location | cut -c1-3)" '^307$'
fault no-s3-route off

fault s3-policy-deny on
check "s3-policy-deny: blob still 307" "$(blob_location | cut -c1-3)" '^307$'
check "s3-policy-deny: 403 AccessDenied" \
  "$("${X[@]}" curl -s -w ' %{http_code}' -m 3 --cacert "$LAB_CA" "$(blob_location | cut -d' ' -f2)")" '<Code>AccessDenied</Code>.* 403$'
fault s3-policy-deny off

fault tls-unknown-ca-dkr on
check "tls-unknown-ca-dkr: curl rejects" "$(curl_rc "https://$DKR/v2/")" '^60$'
check "tls-unknown-ca-dkr: s_client" "$("${X[@]}" timeout 5 openssl s_client -connect 10.0.1.102:443 -servername "$DKR" \
  -CAfile "$LAB_CA" -verify_return_error </dev/null 2>&1 | grep -o 'unable to get local issuer certificate' | head -1)" 'unable to get local issuer'
check "tls-unknown-ca-dkr: api unaffected" "$(curl_rc "https://$API/")" '^0$'
fault tls-unknown-ca-dkr off

fault tls-wrong-name-dkr on
check "tls-wrong-name-dkr: curl rejects" "$("${X[@]}" curl -s -o /dev/null -m 3 --cacert "$LAB_CA" "https://$DKR/v2/" -w '%{http_code}' 2>&1; echo " rc=$?")" 'rc=60'
check "tls-wrong-name-dkr: chain itself is trusted" "$("${X[@]}" timeout 5 openssl s_client -connect 10.0.1.102:443 -servername "$DKR" \
  -CAfile "$LAB_CA" </dev/null 2>&1 | grep -o 'Verify return code: 0 (ok)')" 'Verify return code: 0'
fault tls-wrong-name-dkr off
check "tls back" "$(curl_rc "https://$DKR/v2/")" '^0$'

fault registry-401 on
check "registry-401: manifest 401" "$(code -u "AWS:$LAB_PASSWORD" -H "$ACCEPT" "https://$DKR/v2/lab/single/manifests/v1")" '^401$'
fault registry-401 off
check "registry-401 off" "$(code -u "AWS:$LAB_PASSWORD" -H "$ACCEPT" "https://$DKR/v2/lab/single/manifests/v1")" '^200$'

fault registry-denied on
check "registry-denied: 403 DENIED" "$(manifest single | jq -r '.errors[0].code + " " + .errors[0].message')" '^DENIED .*ecr:BatchGetImage.*lab/single because no VPC endpoint policy'
fault registry-denied off

for f in endpoint-policy:'no VPC endpoint policy allows' identity-policy:'no identity-based policy allows' explicit:'with an explicit deny'; do
  fault "token-denied-${f%%:*}" on
  check "token-denied-${f%%:*}" "$(token -D - | tr -d '\r' | grep -iE '^HTTP|x-amzn-errortype|__type' | tr '\n' ' ')" \
    "400 .*x-amzn-ErrorType: AccessDeniedException.*\"__type\":\"AccessDeniedException\".*${f#*:}"
  fault "token-denied-${f%%:*}" off
done
check "token back" "$(token | jq -r '.authorizationData[0].authorizationToken')" "^$LAB_TOKEN\$"

# issue 19's sidecars: X-Ray's sampling rules (served by nginx), the Envoy image under
# AWS's account through the same dkr endpoint, and their policy faults.
XRAY=xray.us-east-1.amazonaws.com ENVOY_DKR=840364872350.dkr.ecr.us-east-1.amazonaws.com
sampling() { "${X[@]}" curl -s -w ' %{http_code}' --connect-timeout 1 -m 5 --cacert "$LAB_CA" -X POST \
  -H 'Content-Type: application/json' -H "Authorization: ${SIG/\/ecr\//\/xray\/}" -d '{}' "https://$XRAY/GetSamplingRules" || true; }
envoy() { "${X[@]}" curl -s --connect-timeout 1 -m 5 --cacert "$LAB_CA" -u "AWS:$LAB_PASSWORD" -H "$ACCEPT" \
  "https://$ENVOY_DKR/v2/aws-appmesh-envoy/manifests/v1.12.2.1-prod" || true; }
check "xray sampling rules" "$(sampling)" '"RuleName":"Default".* 200$'
fault xray-denied-endpoint-policy on
check "xray-denied-endpoint-policy: 403" "$(sampling)" 'no VPC endpoint policy allows the xray:GetSamplingRules action.* 403$'
fault xray-denied-endpoint-policy off
check "envoy image in another account" "$(envoy | jq -r .mediaType)" 'docker.distribution.manifest.v2'
fault dkr-own-account-only on
check "dkr-own-account-only: envoy DENIED" "$(envoy | jq -r '.errors[0].code + " " + .errors[0].message')" '^DENIED .*arn:aws:ecr:us-east-1:840364872350:repository/aws-appmesh-envoy because no VPC endpoint policy'
check "dkr-own-account-only: own image still pulls" "$(manifest single | jq -r .mediaType)" 'docker.distribution.manifest.v2'
fault dkr-own-account-only off

fault digest-mismatch on
[[ $(layer_sha) != "$LAYER" ]] && ok "digest-mismatch: digest != $LAYER" || bad "digest-mismatch: digest still matches"
fault digest-mismatch off
check "digest-mismatch off: digest verifies" "$(layer_sha)" "^$LAYER\$"

fault redirect-foreign on
check "redirect-foreign: Location elsewhere" "$(blob_location | sed 's/?.*//')" '^307 https://evil\.example\.net/'
fault redirect-foreign off

# latency: TLS handshake time (appconnect - connect) grows by ~one round trip per flight
hs() { "${X[@]}" curl -s -o /dev/null -m 5 --cacert "$LAB_CA" -w '%{time_connect} %{time_appconnect}\n' "https://$API/" |
  awk '{printf "%d\n", ($2-$1)*1000}'; }
base=$(hs)
fault latency on 20
slow=$(hs)
check "latency 20: handshake ${base} ms -> ${slow} ms" "$((slow - base >= 15))" '^1$'
check "latency 20: token still works" "$(token | jq -r '.authorizationData[0].authorizationToken')" "^$LAB_TOKEN\$"
check "latency + sg-drop-api still drops" "$(fault sg-drop-api on; curl_rc "https://$API/"; fault sg-drop-api off)" '^28$'
fault latency off
check "latency off: handshake fast again" "$(($(hs) < slow))" '^1$'

# `down` returns only once everything the lab started has left /proc (zombies too):
# right after it, none of the recorded daemons may still be there.
STATE=${VPCE_LAB_STATE:-$(cd "$HERE/../.." && pwd)/.lab}/$NAME
pids=$(cat "$STATE"/pids/* 2>/dev/null | awk '{print $1}' | tr '\n' ' ')
trap - EXIT
if "$LAB" down "$NAME" >/dev/null 2>&1; then ok "down"; else bad "down failed"; fi
left=
for p in $pids; do [[ -d /proc/$p ]] && left+=" $p"; done
check "down: none of [${pids% }] is left in /proc" "${left:-none}" '^none$'

echo "$PASS passed, $FAIL failed"
((FAIL == 0))
