#!/usr/bin/env python3
"""runstat.py TIMEOUT_S OUT [--cgroup-fd N] -- CMD... — what one run of CMD cost.

Writes one JSON object to OUT: wall_s (monotonic clock, fork to reap), user_s and
sys_s (CPU of CMD and every descendant it waited for, from wait4's rusage, in µs
rather than /usr/bin/time's 10 ms steps), maxrss_kib (the largest single process, as
/usr/bin/time reports it: CMD runs under it, because a child forked from Python
inherits Python's peak RSS in its own maximum, even across exec), exit (the exit
code, 128+N for signal N, 124 when TIMEOUT_S passed and the run was killed) and
timed_out.

CMD runs in its own process group, so a timeout, SIGINT or SIGTERM kills the whole
run and nothing else. With --cgroup-fd N, the run writes its PID to file descriptor
N, a cgroup.procs file the caller opened (a CPU quota), and closes N before CMD
starts; the unconstrained runs take the same path. A descriptor, not a path, because
`ip netns exec` mounts a fresh /sys, where the caller's cgroup mounts are not.
"""
import json
import os
import signal
import sys
import threading
import time


def main():
    args = sys.argv[1:]
    timeout, out = float(args[0]), args[1]
    args = args[2:]
    into = "/dev/null"
    if args[:1] == ["--cgroup-fd"] and len(args) > 1 and args[1].isdigit():
        into, args = args[1], args[2:]
    if args[:1] != ["--"] or len(args) < 2:
        sys.exit("usage: runstat.py TIMEOUT_S OUT [--cgroup-fd N] -- CMD...")
    rss_file = out + ".rss"
    # posix_spawn (vfork), not fork: forking this Python costs 3-16 ms on a small VM,
    # which would land in every wall time. sh moves itself into the cgroup.
    script = 'echo $$ >/dev/null && exec "$@"'
    if into != "/dev/null":
        script = 'echo $$ >&%s && exec %s>&- && exec "$@"' % (into, into)
    cmd = ["/bin/sh", "-c", script, "sh",
           "/usr/bin/time", "-q", "-f", "%M", "-o", rss_file] + args[1:]

    start = time.monotonic()
    pid = os.posix_spawn(cmd[0], cmd, os.environ, setpgroup=0)

    def kill_run(signum, _frame):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, kill_run)
    signal.signal(signal.SIGTERM, kill_run)
    timed_out = threading.Event()

    def expire():
        timed_out.set()
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass

    timer = threading.Timer(timeout, expire)
    timer.daemon = True  # SystemExit from a signal must not wait for it
    timer.start()
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - start
    timer.cancel()
    if timed_out.is_set():
        code = 124
    elif os.WIFSIGNALED(status):
        code = 128 + os.WTERMSIG(status)
    else:
        code = os.WEXITSTATUS(status)
    with open(out, "w") as f:
        json.dump({"wall_s": round(wall, 6), "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
                   "maxrss_kib": peak_rss(rss_file), "exit": code, "timed_out": timed_out.is_set()}, f)


def peak_rss(path):
    """The last line of /usr/bin/time's -o file (a non-zero exit adds a line before it)."""
    try:
        with open(path) as f:
            lines = f.read().split()
        os.unlink(path)
        return int(lines[-1])
    except (OSError, ValueError, IndexError):
        return None


main()
