#!/usr/bin/env python3
"""X1 of `make bench` alone: the listing at 4 connections, alone and while 6 clients export the
listing as XLSX back to back, on the cached 100 000-customer dataset.

usage: bench/lane.py BINARY PG_URL [CUSTOMERS] [BACKENDS]
"""
import os, sys

sys.path.insert(0, os.path.dirname(__file__))
import run  # noqa: E402
from hub import serve  # noqa: E402


def main(binary, pg_url, customers, backends):
    for backend in backends:
        _, env, facts = run.dataset(binary, backend, pg_url, customers)
        server = serve(binary, env, run.BASE)
        try:
            token = run.login(facts["secret"])["access_token"]
            run.wrk(f"/customers?{run.LISTING}", token, 4)  # warm the caches
            alone, beside = run.exports_beside_listing(server.pid, token)
            print(f"{backend:8} X1: alone {alone:.0f} req/s, beside 6 exporting clients {beside:.0f} "
                  f"req/s = {beside / alone:.2f}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100_000,
         sys.argv[4].split(",") if len(sys.argv) > 4 else ["sqlite", "postgres"])
