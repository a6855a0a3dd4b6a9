#!/usr/bin/env bash
# install.sh — install what the "VPC in a box" lab (tests/lab/lab.sh) needs.
#
# Idempotent: Debian packages are installed only when one of the needed binaries
# is missing, and the moto venv is created only when its pinned version is absent.
# Needs root (apt-get). Reaches only Debian's mirrors and PyPI.
set -euo pipefail

VENV=${VPCE_LAB_VENV:-/opt/vpce-lab/venv}
MOTO_PIN='moto[server]==5.2.5'

if [[ $(id -u) -ne 0 ]]; then
  echo "install.sh: must run as root (apt-get install)" >&2
  exit 1
fi

# binary -> Debian package that provides it
declare -A PKG=(
  [dnsmasq]=dnsmasq-base [nginx]=nginx-light [docker-registry]=docker-registry
  [skopeo]=skopeo [iptables]=iptables [ip]=iproute2 [dig]=dnsutils [curl]=curl
  [hyperfine]=hyperfine [htpasswd]=apache2-utils [jq]=jq [openssl]=openssl [pgrep]=procps
  # the image scenarios of tests/lab_e2e (build, unpack and run the container image);
  # runc for hosts whose cgroup layout crun refuses (hybrid v1/v2)
  [buildah]=buildah [umoci]=umoci [crun]=crun [runc]=runc
)
missing=()
for bin in "${!PKG[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$bin" >/dev/null 2>&1 \
    || missing+=("${PKG[$bin]}")
done
[[ -x /usr/bin/time ]] || missing+=(time)
# the venv is made with Debian's python3 (not a pyenv shim) so the path is stable
[[ -x /usr/bin/python3 ]] || missing+=(python3)
/usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)

if ((${#missing[@]})); then
  echo "install.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # the package list is the full set, so a half-installed machine ends up complete
  apt-get install -y -qq --no-install-recommends dnsmasq-base nginx-light docker-registry \
    skopeo iptables iproute2 dnsutils curl hyperfine apache2-utils jq openssl time \
    procps python3 python3-venv buildah umoci crun runc >/dev/null
else
  echo "install.sh: Debian packages present"
fi

# venv DIR BIN PIN...: a venv at DIR with these pins (`name==version`, extras allowed),
# made only when BIN is missing from it or a pinned version differs.
venv() {
  local dir=$1 bin=$2
  shift 2
  if [[ -x "$dir/bin/$bin" ]] && "$dir/bin/python" - "$@" 2>/dev/null <<'PY'; then
import importlib.metadata as m, re, sys
pins = [re.sub(r"\[.*\]", "", p).split("==") for p in sys.argv[1:]]
sys.exit(any(m.version(name) != version for name, version in pins))
PY
    echo "install.sh: $* present in $dir"
  else
    echo "install.sh: creating $dir with $* (~30 s to 1 min)"
    mkdir -p "$(dirname "$dir")"
    /usr/bin/python3 -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check "$@"
  fi
}

venv "$VENV" moto_server "$MOTO_PIN"
# The tools that check the probe's remediation snippets (issue 21, tests/remediation.rs
# and tests/lab/remedy_check.py): the AWS CLI v1 from PyPI (its argument parser and
# parameter validation), cfn-lint (the pin probe-image/lint.sh uses) and python-hcl2.
venv "${VPCE_REMEDY_VENV:-/opt/vpce-lab/remedy-venv}" aws awscli==1.40.0 cfn-lint==1.58.0 python-hcl2==8.1.4
echo "install.sh: done"
