#!/usr/bin/env python3
"""Whose CPU a listing request costs at 32 connections: the hub's, PostgreSQL's processes' and
everything else's (wrk, the kernel's own threads), in µs per request, from `/proc`.

usage: bench/cpu_share.py BINARY PG_URL [sqlite|postgres] [ROUNDS]
  On the dataset `make bench` caches (made if missing), L2's query for `run.SECONDS` per round.
  On two shared cores the hub's L2 on PostgreSQL is bounded by the sum of the first two: P1
  against an embedded peer compares it with one process doing both.
"""
import os, subprocess, sys

sys.path.insert(0, os.path.dirname(__file__))
import ab, run  # noqa: E402
from hub import serve  # noqa: E402

PORT = run.PORT + 3
TICK = os.sysconf("SC_CLK_TCK")


def ticks(pids):
    """User and system ticks of the processes `pids` (those that still run)."""
    total = 0
    for pid in pids:
        try:
            total += run.cpu_ticks(pid)
        except FileNotFoundError:
            continue
    return total


def postgres_pids():
    found = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


def machine():
    """(busy, all) ticks of the whole machine."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


def main(binary, pg_url, backend, rounds):
    url, env, facts = run.dataset(binary, backend, pg_url, 100_000)
    base = f"http://127.0.0.1:{PORT}"
    server = serve(binary, dict(env, PH_BIND=base[len("http://"):]), base)
    try:
        token = ab.login(base, facts["secret"])
        path = f"/customers?{run.LISTING}"
        run.wrk(path, token, 32, seconds=2, base=base)
        print(f"{backend}: µs of CPU per listing request at 32 connections")
        for _ in range(rounds):
            before = ticks([server.pid]), ticks(postgres_pids()), machine()
            rate, _ = run.wrk(path, token, 32, base=base)
            after = ticks([server.pid]), ticks(postgres_pids()), machine()
            per = lambda t: t / TICK / (rate * run.SECONDS) * 1e6  # noqa: E731
            hub, pg = per(after[0] - before[0]), per(after[1] - before[1])
            busy = per(after[2][0] - before[2][0])
            idle = 1 - (after[2][0] - before[2][0]) / (after[2][1] - before[2][1])
            print(f"  {rate:.0f} req/s: hub {hub:.0f}, PostgreSQL {pg:.0f}, the rest {busy - hub - pg:.0f}; "
                  f"all {busy:.0f} (machine idle {idle:.0%})", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "postgres",
         int(sys.argv[4]) if len(sys.argv) > 4 else 3)
