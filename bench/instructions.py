#!/usr/bin/env python3
"""Instructions per request, counted by callgrind: how to compare two builds on a machine whose
speed moves between runs (wall-clock figures here spread by ±25 %, the count by 0.01 %).

usage: bench/instructions.py BINARY BACKEND [PATH] [REQUESTS]
  BACKEND is sqlite or postgres (the `make bench` dataset, generated when missing; PG_URL as in the
  Makefile). PATH defaults to the listing; `/auth/switch` switches into the customer `make bench`
  grants for G1. Starts BINARY under `valgrind --tool=callgrind`, sends 30 warm-up requests on one
  connection, zeroes the counters, sends REQUESTS (200) more, and prints the instructions per
  request with the dump to read with `callgrind_annotate --inclusive=yes`.
"""
import glob, http.client, json, os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(__file__))
import run  # noqa: E402
from hub import call, serve  # noqa: E402

PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")

def requests(token, path, body, count):
    connection = http.client.HTTPConnection("127.0.0.1", run.PORT)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for _ in range(count):
        connection.request("POST" if body else "GET", path, body, headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)

def main(binary, backend, path=f"/customers?{run.LISTING}", count=200):
    _, env, facts = run.dataset(binary, backend, PG_URL, 100_000)
    out = tempfile.mkdtemp(prefix="ph-callgrind-")
    wrapper = os.path.join(out, "under-callgrind")
    with open(wrapper, "w") as script:
        script.write(f'#!/bin/sh\nexec valgrind --tool=callgrind --log-file={out}/valgrind.%p.log '
                     f'--callgrind-out-file={out}/callgrind.%p {os.path.abspath(binary)} "$@"\n')
    os.chmod(wrapper, 0o755)
    server = serve(wrapper, env, run.BASE)
    try:
        token = run.login(facts["secret"])["access_token"]
        body = None
        if path == "/auth/switch":
            _, _, me = call(f"{run.BASE}/me", token=token)
            _, _, page = call(f"{run.BASE}/customers?status=demo&requires_access_permission=false"
                              "&active=true&limit=1", token=token)
            customer = json.loads(page)["items"][0]["id"]
            call(f"{run.BASE}/grants", {"user_id": json.loads(me)["user"]["id"], "customer_id": customer,
                                        "profile": "Bench", "role": "admin",
                                        "permissions": ["manage_entities"]}, token)
            body = json.dumps({"customer_id": customer})
        requests(token, path, body, 30)
        subprocess.run(["callgrind_control", "-z", str(server.pid)], check=True, capture_output=True)
        requests(token, path, body, count)
        subprocess.run(["callgrind_control", "-d", str(server.pid)], check=True, capture_output=True)
        time.sleep(1)
        dump = sorted(glob.glob(f"{out}/callgrind.{server.pid}.*"))[-1]
        total = next(int(line.split()[1]) for line in open(dump) if line.startswith(("summary:", "totals:")))
        print(f"{total // count} instructions per request ({count} requests of {path}); {dump}")
    finally:
        server.terminate(); server.wait()

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *sys.argv[3:4], *[int(n) for n in sys.argv[4:5]])
