#!/usr/bin/env python3
"""W1 beside a peer that keeps the grid's indexes: PocketBase's record create at 16 connections,
on the collection `make bench` builds as it is (three indexes) and on a copy given as many more
indexes as the hub keeps on `customers` for the grid, with the hub's W1 in the same rounds.

usage: bench/peer_indexes.py BINARY [ROUNDS]
  On the SQLite dataset `make bench` caches (made if missing); the hub runs on a copy of it, so
  its creates leave the cached one as it was. The peer's copy gets the hub's indexes as
  `pocketbase.with_hub_indexes` makes them. Rounds alternate the three servers, each figure the
  median of the rounds' runs of `run.SECONDS`. `make bench` measures the same beside W1 (W1′),
  one server after the other.
"""
import os, shutil, statistics, sys, tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pocketbase  # noqa: E402
import run  # noqa: E402
from hub import serve  # noqa: E402

PLAIN_PORT, INDEXED_PORT = run.PORT + 1, run.PORT + 2


def peer(pb, work, name, port, rows, indexes):
    """A PocketBase with the rows, and its index count: its own, or with the hub's `indexes`."""
    data, base = os.path.join(work, name), f"http://127.0.0.1:{port}"
    pocketbase.prepare(pb, data, base, rows)
    server = pocketbase.start(pb, data, base)
    try:
        admin = pocketbase.superuser_token(base)
        if indexes:
            pocketbase.with_hub_indexes(base, admin, indexes)
    except BaseException:
        server.terminate(); server.wait()
        raise
    return server, base, admin, len(pocketbase.customer_indexes(os.path.join(data, "data.db")))


def main(binary, rounds):
    url, env, facts = run.dataset(binary, "sqlite", None, 100_000)
    source = url[len("sqlite://"):]
    work = tempfile.mkdtemp(prefix="ph-peer-indexes-")
    copy = os.path.join(work, "hub.db")
    shutil.copyfile(source, copy)
    indexes = pocketbase.hub_indexes(copy)
    pb = pocketbase.binary(run.CACHE)
    rows = pocketbase.rows_of(source)
    servers = []
    try:
        plain = peer(pb, work, "pb-plain", PLAIN_PORT, rows, None)
        servers.append(plain[0])
        indexed = peer(pb, work, "pb-indexed", INDEXED_PORT, rows, indexes)
        servers.append(indexed[0])
        hub = serve(binary, dict(env, PH_DATABASE_URL=f"sqlite://{copy}"), run.BASE)
        servers.append(hub)
        token = run.login(facts["secret"])["access_token"]
        # Neither count has the primary key's and unique constraints' own (sqlite_autoindex).
        figures = {f"PocketBase, {plain[3]} indexes": [], f"PocketBase, {indexed[3]} indexes": [],
                   f"the hub, {len(indexes)} indexes": []}
        for n in range(rounds):
            for (label, runs), target in zip(figures.items(), [plain, indexed, None]):
                if target is None:
                    script = run.create_script(work, f"hub{n}", "/customers", run.CREATE_CUSTOMER)
                    runs.append(run.wrk("/customers", token, run.WRITES, script))
                else:
                    _, base, admin, _ = target
                    script = run.create_script(work, f"pb{n}", pocketbase.RECORDS, run.PB_CREATE_CUSTOMER)
                    runs.append(run.wrk(pocketbase.RECORDS, admin, run.WRITES, script, base=base))
                print(f"round {n + 1}: {label}: {runs[-1][0]:.0f} req/s, p99 {runs[-1][1]:.1f} ms", flush=True)
        plain_rate = statistics.median(r for r, _ in next(iter(figures.values())))
        print(f"\nW1 at {run.WRITES} connections, median of {rounds} rounds of {run.SECONDS} s:")
        for label, runs in figures.items():
            rate, p99 = statistics.median(r for r, _ in runs), statistics.median(p for _, p in runs)
            print(f"  {label:28} {rate:7.0f} req/s  p99 {p99:6.1f} ms  {rate / plain_rate:5.2f} × the plain peer")
    finally:
        for server in servers:
            server.terminate(); server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
