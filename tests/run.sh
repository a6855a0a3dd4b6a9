#!/usr/bin/env bash
# The whole test suite, as the README's second command: unit tests, the fake-server
# hop tests, the schema and deployment-file contracts, and the lab end-to-end scenarios
# (real dnsmasq, nginx, registry and moto inside network namespaces). Needs root for
# the lab; installs the lab's packages when they are missing.
#
#   sudo tests/run.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "tests/run.sh: run as root (the lab creates network namespaces): sudo $0" >&2
  exit 1
fi
bash tests/lab/install.sh
# The suite profile: release optimisation without fat LTO (see Cargo.toml).
log=$(mktemp /tmp/vpce-tests.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
cargo test --profile suite "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole suite: libtest's summaries and the lab's own line.
python3 - "$log" <<'PY'
import re, sys
passed = failed = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed", line) or re.match(r"^(\d+) passed, (\d+) failed$", line.strip())
    if m:
        passed += int(m.group(1)); failed += int(m.group(2))
print(f"tests: {passed} passed, {failed} failed")
PY
exit "$status"
