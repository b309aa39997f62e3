#!/usr/bin/env python3
"""A first look at the customer listing and the exports on the demo dataset (the full benchmark
with load generators and targets is `make bench`, issue #8).

usage: bench/listing_first_look.py BINARY DATABASE_URL [CUSTOMERS]
  Generates the demo dataset into DATABASE_URL (which must be empty), starts the server on it,
  logs in as PARTDEMO's admin, and prints the latency of listing queries (one connection,
  sequential) and the time and server memory of 100 000-row exports.
"""
import json, os, statistics, subprocess, sys, tempfile, time

from hub import PASSWORD, call, enrol, serve, totp

def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0

def main(binary, database_url, customers):
    work = tempfile.mkdtemp(prefix="ph-listing-")
    env = dict(os.environ, PH_DATABASE_URL=database_url, PH_SIGNING_KEY_FILE=f"{work}/key",
               PH_MAIL_DIR=f"{work}/mail", PH_BIND="127.0.0.1:18098", PH_AUTH_RATE_PER_MINUTE="0", PH_LOG="warn")
    started = time.perf_counter()
    out = subprocess.run([binary, "demo", "--customers", str(customers), "--partners", "200"], env=env,
                         check=True, capture_output=True, text=True).stdout
    generated = time.perf_counter() - started
    link = out.strip().splitlines()[-1]
    base = "http://127.0.0.1:18098"
    server = serve(binary, env, base)
    try:
        secret, _ = enrol(base, link)
        password = PASSWORD
        time.sleep(max(0.0, 30 - time.time() % 30) + 0.5)
        _, _, tokens = call(f"{base}/auth/login", {"account_id": "PARTDEMO", "logon": "admin@demo.example",
                                                 "password": password, "code": totp(secret, time.time())})
        access = json.loads(tokens)["access_token"]
        print(f"{database_url.split(':')[0]}: {customers} customers (+ 199 × 50) generated in {generated:.1f} s")
        queries = {
            "status=onboarding, sort=name, 50": "status=onboarding&sort=name&limit=50",
            "no filter, sort=-created_at, 50": "sort=-created_at&limit=50",
            "name contains 'dental', 50": "name=dental&limit=50",
            "status=demo,churned&sector=retail, sort=-locations, 50": "status=demo,churned&sector=retail&sort=-locations&limit=50",
        }
        for label, query in queries.items():
            times = [call(f"{base}/customers?{query}", token=access)[1] for _ in range(200)]
            times.sort()
            print(f"  {label:55s} p50 {statistics.median(times):6.2f} ms  p99 {times[int(len(times) * 0.99) - 1]:6.2f} ms")
        # A page deep in the listing: follow cursors past 8 000 matching rows.
        after, deep = "", []
        for page in range(161):
            _, ms, body = call(f"{base}/customers?sort=name&limit=50{after}", token=access)
            if page >= 160:
                deep.append(ms)
            after = "&after=" + json.loads(body)["next"]
        times = sorted(call(f"{base}/customers?sort=name&limit=50{after}", token=access)[1] for _ in range(100))
        print(f"  {'page 162 (after 8 050 rows), sort=name, 50':55s} p50 {statistics.median(times):6.2f} ms  p99 {times[98]:6.2f} ms")
        for fmt in ["xlsx", "csv"]:
            before = rss_kib(server.pid, "VmRSS:")
            _, ms, body = call(f"{base}/customers/export.{fmt}?sort=name", token=access)
            peak = rss_kib(server.pid, "VmHWM:")
            print(f"  export {fmt}: {customers} rows in {ms / 1000:.2f} s, {len(body) / 1e6:.1f} MB; "
                  f"server RSS {before / 1024:.0f} MB before, peak {peak / 1024:.0f} MB")
    finally:
        server.terminate(); server.wait()

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100_000)
