#!/usr/bin/env python3
"""Whose CPU a request costs: the hub's, PostgreSQL's processes' and everything else's (wrk, the
kernel's own threads), in µs per request, from `/proc`.

usage: bench/cpu_share.py BINARY PG_URL [sqlite|postgres] [ROUNDS] [listing|w1|w2]
  On the dataset `make bench` caches (made if missing), one of `make bench`'s loads per round:
  L2's listing at 32 connections (the default), W1's creates or W2's entities in one customer at
  16. On two shared cores the hub's L2 and W1 on PostgreSQL are bounded by the sum of the first
  two: P1 and W1 against an embedded peer compare it with one process doing both.
"""
import contextlib, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(__file__))
import ab, run, writes  # noqa: E402
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


def load(name, base, token, work, round_):
    """(path, connections, wrk script or None, seconds) of one round of the load `name`."""
    if name == "listing":
        return f"/customers?{run.LISTING}", 32, None, run.SECONDS
    if name == "w1":
        script = run.create_script(work, f"w1-{round_}", "/customers", run.CREATE_CUSTOMER)
        return "/customers", run.WRITES, script, run.SECONDS
    if name == "w2":
        # A customer of its own each round, so that no round meets the 9 999 entity numbers.
        customer = writes.new_customer(base, token, f"WC{writes.tag()}")
        path = f"/customers/{customer}/entities"
        script = run.create_script(work, f"w2-{customer}", path, writes.ENTITY)
        return path, run.WRITES, script, run.W2_SECONDS
    raise SystemExit(f"unknown load {name}: listing, w1 or w2")


def main(binary, pg_url, backend, rounds, name):
    url, env, facts = run.dataset(binary, backend, pg_url, 100_000)
    # As `make bench` runs it: only autovacuum's ANALYZE replans for the tables the writes grow.
    with run.autovacuum(pg_url) if backend == "postgres" else contextlib.nullcontext():
        measure(binary, env, facts, backend, rounds, name)


def measure(binary, env, facts, backend, rounds, name):
    base = f"http://127.0.0.1:{PORT}"
    server = serve(binary, dict(env, PH_BIND=base[len("http://"):]), base)
    try:
        token = ab.login(base, facts["secret"])
        work = tempfile.mkdtemp()
        run.wrk(f"/customers?{run.LISTING}", token, 32, seconds=2, base=base)
        print(f"{backend}: µs of CPU per request of {name}")
        for round_ in range(rounds):
            path, connections, script, seconds = load(name, base, token, work, round_)
            before = ticks([server.pid]), ticks(postgres_pids()), machine()
            rate, _ = run.wrk(path, token, connections, script, seconds=seconds, base=base)
            after = ticks([server.pid]), ticks(postgres_pids()), machine()
            per = lambda t: t / TICK / (rate * seconds) * 1e6  # noqa: E731
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
         int(sys.argv[4]) if len(sys.argv) > 4 else 3, sys.argv[5] if len(sys.argv) > 5 else "listing")
