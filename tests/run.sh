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
# Release, like the binary that ships: the dependency graph is built once for both.
cargo test --release "$@"
