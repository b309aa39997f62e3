#!/usr/bin/env python3
"""Two builds side by side: L1, L2, G1, W1 and W2 of `make bench`, old and new binaries alternating.

usage: bench/ab.py OLD_BINARY NEW_BINARY PG_URL [CUSTOMERS] [ROUNDS] [BACKENDS]
  Both servers run at once, each on its own copy of the dataset `make bench` caches (made by the
  old binary; the new one migrates its copy at start, so a change that adds migrations compares
  too; on SQLite an idle server's checkpoints would stall the other's writes into a shared
  file), each on its own port, and are measured in turns — old then new, then new then
  old — so that a machine whose speed drifts over minutes moves both alike. Prints each figure's
  median per binary and the ratio new / old. For a change that must not cost speed.
  BACKENDS: `sqlite,postgres` (the default), or one of them.
"""
import contextlib, json, os, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(__file__))
from hub import PASSWORD, call, serve, totp  # noqa: E402
import run  # noqa: E402
import writes  # noqa: E402

PORTS = {"old": 18101, "new": 18102}


def login(base, secret):
    """An access token of PARTDEMO's admin; waits for a TOTP step not used yet."""
    time.sleep(30 - time.time() % 30 + 0.3)
    status, _, body = call(f"{base}/auth/login", {"account_id": "PARTDEMO", "logon": "admin@demo.example",
                                                  "password": PASSWORD, "code": totp(secret, time.time())})
    assert status == 200, body
    return json.loads(body)["access_token"]


def switch_script(base, token, work, name):
    """A wrk script that switches into a customer the admin holds a grant for."""
    _, _, me = call(f"{base}/me", token=token)
    user_id = json.loads(me)["user"]["id"]
    _, _, page = call(f"{base}/customers?status=demo&requires_access_permission=false&active=true&account_state=active&limit=1",
                      token=token)
    customer = json.loads(page)["items"][0]["id"]
    # 201 the first time, 409 grant_exists after: either way the grant is there.
    call(f"{base}/grants", {"user_id": user_id, "customer_id": customer, "profile": "Bench",
                            "role": "admin", "permissions": ["manage_entities"]}, token)
    path = os.path.join(work, f"switch-{name}.lua")
    open(path, "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                          f'wrk.body = \'{{"customer_id": "{customer}"}}\'\n')
    return path


def compare(binaries, backend, pg_url, customers, rounds, work):
    url, env, facts = run.dataset(binaries["old"], backend, pg_url, customers)
    servers, tokens, scripts = {}, {}, {}
    try:
        for name, binary in binaries.items():
            base = f"http://127.0.0.1:{PORTS[name]}"
            own = dict(env, PH_BIND=base[len("http://"):], PH_DATABASE_URL=copy_of(url, name, pg_url, work))
            servers[name] = serve(binary, own, base)
        for name in binaries:
            base = f"http://127.0.0.1:{PORTS[name]}"
            tokens[name] = login(base, facts["secret"])
            scripts[name] = switch_script(base, tokens[name], work, name)
            # Warm each server's caches the same way before anything is measured.
            run.wrk(f"/customers?{run.LISTING}", tokens[name], 32, base=base)
        figures = {name: {"L1": [], "L2": [], "G1": [], "W1": [], "W2": []} for name in binaries}
        for n in range(rounds):
            order = ["old", "new"] if n % 2 == 0 else ["new", "old"]
            for name in order:
                base = f"http://127.0.0.1:{PORTS[name]}"
                run.settle(servers[name].pid)
                listing = f"/customers?{run.LISTING}"
                figures[name]["L1"].append(run.wrk(listing, tokens[name], 1, base=base))
                figures[name]["L2"].append(run.wrk(listing, tokens[name], 32, base=base))
                figures[name]["G1"].append(run.wrk("/auth/switch", tokens[name], 1, scripts[name], base=base))
                create = run.create_script(work, f"w1-{name}-{n}", "/customers", run.CREATE_CUSTOMER)
                figures[name]["W1"].append(run.wrk("/customers", tokens[name], run.WRITES, create, base=base))
                wrk = lambda *a, **k: run.wrk(*a, base=base, **k)
                script = lambda script_name, path, body: run.create_script(work, script_name, path, body)
                figures[name]["W2"].append(writes.entities(base, tokens[name], wrk, script, run.WRITES, 1,
                                                           run.W2_SECONDS))
        return figures
    finally:
        for server in servers.values():
            server.terminate()
            server.wait()
        if backend == "postgres":
            for name in binaries:
                drop = f"DROP DATABASE IF EXISTS {copy_name(name)} WITH (FORCE)"
                subprocess.run(["psql", "-q", pg_url, "-c", drop], check=True)


def copy_name(name):
    return f"ph_ab_{name}"


def copy_of(url, name, pg_url, work):
    """The URL of a copy of the dataset at `url` for the server `name`."""
    if url.startswith("sqlite://"):
        copy = os.path.join(work, f"{name}.db")
        for suffix in ["", "-wal"]:
            if os.path.exists(url[len("sqlite://"):] + suffix):
                shutil.copyfile(url[len("sqlite://"):] + suffix, copy + suffix)
        return f"sqlite://{copy}"
    database = url.rpartition("/")[2].split("?")[0]
    for sql in [f"DROP DATABASE IF EXISTS {copy_name(name)} WITH (FORCE)",
                f"CREATE DATABASE {copy_name(name)} TEMPLATE {database}"]:
        subprocess.run(["psql", "-q", pg_url, "-c", sql], check=True)
    return url.replace(f"/{database}?", f"/{copy_name(name)}?")


def main(old, new, pg_url, customers, rounds, backends):
    binaries = {"old": old, "new": new}
    work = tempfile.mkdtemp(prefix="ph-ab-")
    print(f"{rounds} rounds each, alternating; medians (p99 ms for L1 and G1, req/s for L2, W1 and W2)")
    for backend in backends:
        with run.autovacuum(pg_url) if backend == "postgres" else contextlib.nullcontext():
            figures = compare(binaries, backend, pg_url, customers, rounds, work)
        for row in ["L1", "L2", "G1", "W1", "W2"]:
            pick = (lambda r: r[0]) if row in ("L2", "W1", "W2") else (lambda r: r[1])
            old_v = statistics.median(pick(r) for r in figures["old"][row])
            new_v = statistics.median(pick(r) for r in figures["new"][row])
            runs = " ".join(f"{pick(a):.2f}/{pick(b):.2f}" for a, b in zip(figures["old"][row], figures["new"][row]))
            print(f"{backend:8} {row}: old {old_v:.2f}  new {new_v:.2f}  new/old {new_v / old_v:.3f}   (old/new per round: {runs})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3],
         int(sys.argv[4]) if len(sys.argv) > 4 else 100_000,
         int(sys.argv[5]) if len(sys.argv) > 5 else 4,
         sys.argv[6].split(",") if len(sys.argv) > 6 else ["sqlite", "postgres"])
