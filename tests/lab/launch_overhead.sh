#!/usr/bin/env bash
# launch_overhead.sh — `vpce-probe launch`'s own overhead in the lab: its wall time
# minus its tasks' run time (RunTask to STOPPED, as the control-plane stand-in recorded
# it), over five healthy launches across the lab's two subnets. Prints figures; asserts
# nothing about time (the machine is shared and noisy). Needs root (the lab).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec cargo test --profile suite --test lab_e2e -- launch-overhead
