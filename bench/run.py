#!/usr/bin/env python3
"""`make bench`: the Performance issue's table, SQLite and PostgreSQL side by side.

usage: bench/run.py BINARY PG_URL [CUSTOMERS]
  For each backend: generates the demo dataset once (cached under target/bench/ by a
  fingerprint of the binary's migrations and the dataset's size), starts the release server on
  it, and drives it with wrk (one thread: wrk shares the machine's cores with the server). Each
  figure is the median of 3 runs; a figure set against another (L3 against L1 and L2, A1 against
  L2) is measured in alternation with it. Prints the table and writes it to bench/RESULTS.md.
"""
import contextlib, hashlib, json, os, platform, random, re, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(__file__))
from hub import PASSWORD, call, enrol, serve, totp  # noqa: E402
import grid, writes  # noqa: E402
import pocketbase  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CACHE = os.path.join(ROOT, "target", "bench")
RUNS = 3
SECONDS = 5
PORT = 18099
BASE = f"http://127.0.0.1:{PORT}"
LISTING = "status=onboarding&sort=name&limit=50"

def fingerprint(customers):
    digest = hashlib.sha256(f"{customers}".encode())
    for folder, _, files in sorted(os.walk(os.path.join(ROOT, "migrations"))):
        for name in sorted(files):
            digest.update(open(os.path.join(folder, name), "rb").read())
    digest.update(open(os.path.join(ROOT, "api", "src", "demo.rs"), "rb").read())
    return digest.hexdigest()[:12]

def dataset(binary, backend, pg_url, customers):
    """(database URL, env, TOTP secret) of a generated dataset, made once per fingerprint."""
    fp = fingerprint(customers)
    os.makedirs(CACHE, exist_ok=True)
    if backend == "sqlite":
        url = f"sqlite://{CACHE}/hub-{fp}.db"
    else:
        base, _, _ = pg_url.rpartition("/")
        # Server and database share the machine: TLS over loopback (libpq's default `prefer`
        # negotiates it) cost a fifth of the listing's CPU in the profile, and protects nothing.
        url = f"{base}/ph_bench_{fp}?sslmode=disable"
    key = os.path.join(CACHE, "signing.key")
    env = dict(os.environ, PH_DATABASE_URL=url, PH_SIGNING_KEY_FILE=key, PH_MAIL_DIR=f"{CACHE}/mail",
               PH_BIND=f"127.0.0.1:{PORT}", PH_AUTH_RATE_PER_MINUTE="0", PH_LOG="warn",
               PH_LOCKOUT_AFTER="1000000000")
    marker = os.path.join(CACHE, f"{backend}-{fp}.json")
    if os.path.exists(marker):
        return url, env, json.load(open(marker))
    drop_superseded(backend, pg_url, customers, fp)
    if backend == "postgres":
        for sql in [f"DROP DATABASE IF EXISTS ph_bench_{fp} WITH (FORCE)", f"CREATE DATABASE ph_bench_{fp}"]:
            subprocess.run(["psql", "-q", pg_url, "-c", sql], check=True)
    elif os.path.exists(url[len("sqlite://"):]):
        os.remove(url[len("sqlite://"):])
    started = time.perf_counter()
    out = subprocess.run([binary, "demo", "--customers", str(customers), "--partners", "200"], env=env,
                         check=True, capture_output=True, text=True).stdout
    generated = time.perf_counter() - started
    server = serve(binary, env, BASE)
    try:
        secret, _ = enrol(BASE, out.strip().splitlines()[-1])
    finally:
        server.terminate(); server.wait()
    facts = {"secret": secret, "generated_s": round(generated, 1), "customers": customers}
    json.dump(facts, open(marker, "w"))
    return url, env, facts

@contextlib.contextmanager
def autovacuum(pg_url):
    """PostgreSQL's autovacuum on while the block runs, as on any deployment. A server set up for
    tests may have it off (this machine's has): then nothing analyzes a table the bench grows,
    a statement stays planned for the table as it was when first run, and the writes measured
    slow down as the tables grow. Put back as it was after."""
    psql = lambda *sql: subprocess.run(["psql", "-XAtq", pg_url, *[a for q in sql for a in ("-c", q)]],
                                       check=True, capture_output=True, text=True).stdout.strip()
    was = psql("SHOW autovacuum")
    if was != "on":
        psql("ALTER SYSTEM SET autovacuum = on", "SELECT pg_reload_conf()")
    try:
        yield
    finally:
        if was != "on":
            psql("ALTER SYSTEM RESET autovacuum", "SELECT pg_reload_conf()")


def drop_superseded(backend, pg_url, customers, fp):
    """Removes this backend's datasets of the same size made for other migrations or demo code
    (350-420 MB each): a new one replaces them. Other sizes stay cached."""
    for name in os.listdir(CACHE):
        found = re.fullmatch(rf"{backend}-([0-9a-f]{{12}})\.json", name)
        if not found or found.group(1) == fp:
            continue
        marker, old = os.path.join(CACHE, name), found.group(1)
        if json.load(open(marker)).get("customers", customers) != customers:
            continue
        if backend == "postgres":
            subprocess.run(["psql", "-q", pg_url, "-c", f"DROP DATABASE IF EXISTS ph_bench_{old} WITH (FORCE)"],
                           check=True)
        else:
            for suffix in ["", "-wal", "-shm"]:
                if os.path.exists(f"{CACHE}/hub-{old}.db{suffix}"):
                    os.remove(f"{CACHE}/hub-{old}.db{suffix}")
        os.remove(marker)

def login(secret):
    """An access token of PARTDEMO's admin; waits for a TOTP step not used yet."""
    time.sleep(30 - time.time() % 30 + 0.3)
    status, _, body = call(f"{BASE}/auth/login", {"account_id": "PARTDEMO", "logon": "admin@demo.example",
                                                  "password": PASSWORD, "code": totp(secret, time.time())})
    assert status == 200, body
    return json.loads(body)

def wrk(path, token, connections, script=None, seconds=SECONDS, base=BASE):
    """(requests per second, p99 ms) of one wrk run."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [base + path], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert not errors, f"{path}: {errors.group(0)}"
    return rate, p99

LETTERS_LUA = """
local function letters(k)
  local s = ""
  repeat s = string.char(65 + k % 26) .. s; k = math.floor(k / 26) until k == 0
  return s
end
"""

def create_script(work, name, path, body):
    """A wrk script POSTing `body` (a Lua expression of `id`: letters unique to the script and
    the request) to `path`; one script per run, so that no run repeats another's IDs."""
    script = os.path.join(work, f"{name}.lua")
    open(script, "w").write(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n' + LETTERS_LUA +
        f'local n = 0\nlocal prefix = "{name[:1].upper()}{"".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(5))}"\n'
        'request = function()\n  n = n + 1\n  local id = prefix .. letters(n)\n'
        f'  return wrk.format(nil, "{path}", nil, {body})\nend\n')
    return script

# W1: the hub's create and PocketBase's, the same fields.
CREATE_CUSTOMER = ("'{\"id\": \"' .. id .. '\", \"ref\": \"' .. id .. '\", \"name\": \"Bench ' .. id .. "
                   "'\", \"status\": \"onboarding\", \"sector\": \"retail\", \"account_type\": \"trial\"}'")
PB_CREATE_CUSTOMER = ("'{\"partner_id\": \"PARTDEMO\", \"name\": \"Bench ' .. id .. '\", \"ref\": \"' .. id .. "
                      "'\", \"status\": \"onboarding\", \"sector\": \"retail\", \"account_type\": \"trial\", "
                      "\"entity_count\": 1, \"user_count\": 0}'")
WRITES = 16
GRID_SECONDS = 1
# A customer's entities are numbered with 4 digits: a W2 run must stay under 9 999 creates
# (SQLite reached 3 450 a second on a fresh dataset, past what 3 s allow).
W2_SECONDS = 2
I0_SECONDS = 3

def exports_beside_listing(pid, token):
    """X1: (listing req/s at 4 connections alone, the same while 6 clients of one partner admin
    export the listing as XLSX back to back), medians of RUNS alternating pairs. Without a bound
    the exports took every pooled connection and the listing all but stopped; the lane runs one
    and answers the rest 429."""
    import threading
    listing = f"/customers?{LISTING}"
    alone, beside = [], []
    for _ in range(RUNS):
        settle(pid)
        alone.append(wrk(listing, token, 4)[0])
        stop = time.time() + SECONDS + 1.5
        def export_loop():
            # A refused client waits its Retry-After (10 s) as told, here the rest of the run.
            while time.time() < stop:
                status, _, _ = call(f"{BASE}/customers/export.xlsx", token=token)
                if status == 429:
                    time.sleep(max(0, min(10, stop - time.time())))
        exporters = [threading.Thread(target=export_loop) for _ in range(6)]
        for exporter in exporters:
            exporter.start()
        time.sleep(0.5)
        beside.append(wrk(listing, token, 4)[0])
        for exporter in exporters:
            exporter.join()
    return statistics.median(alone), statistics.median(beside)

def median_of(runs):
    rates, p99s = zip(*runs)
    return statistics.median(rates), statistics.median(p99s)

def rss_kib(pid, field="VmRSS:"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0

def cpu_ticks(pid):
    """The process's CPU time so far (user + system), in clock ticks of 10 ms."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])

def wrk_cpu(pid, path, token, connections):
    """(requests per second, p99 ms, server CPU µs per request) of one wrk run."""
    before = cpu_ticks(pid)
    rate, p99 = wrk(path, token, connections)
    return rate, p99, (cpu_ticks(pid) - before) * 10_000 / (rate * SECONDS)

def settle(pid, timeout=20):
    """Waits until the server is idle: work queued by the previous step (hashes of the login
    storm) would otherwise land in the next step's figures."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        before = cpu_ticks(pid)
        time.sleep(0.5)
        if cpu_ticks(pid) - before <= 2:
            return

def reset_peak(pid):
    """Starts VmHWM afresh at the current RSS, so a peak is the measured step's own (the login
    storm of A1 runs before E1)."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")

def refreshed(tokens):
    """A new access token in exchange for the refresh token in `tokens` (which it updates)."""
    status, _, body = call(f"{BASE}/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert status == 200, body
    tokens.update(json.loads(body))
    return tokens["access_token"]

def measure(binary, backend, pg_url, customers, work):
    url, env, facts = dataset(binary, backend, pg_url, customers)
    started = time.perf_counter()
    server = serve(binary, env, BASE)
    ready = time.perf_counter() - started
    results = {"generated_s": facts["generated_s"], "ready_s": ready}
    try:
        time.sleep(1)
        results["idle_rss_mb"] = rss_kib(server.pid) / 1024
        tokens = login(facts["secret"])
        token = tokens["access_token"]
        listing = f"/customers?{LISTING}"
        # The deep page's cursor, found by walking 8 000 rows (which also warms the caches).
        after, rows = "", 0
        while rows < 8000:
            _, _, body = call(f"{BASE}{listing}{after}", token=token)
            page = json.loads(body)
            rows += len(page["items"])
            after = "&after=" + page["next"]
        deep = listing + after
        # A target stated as a ratio (L3 to L1 and L2, A1 to L2) is measured in alternation with
        # what it is set against, so that a machine whose speed drifts over minutes moves both.
        l1, l3_1 = [], []
        for _ in range(RUNS):
            l1.append(wrk(listing, token, 1))
            l3_1.append(wrk(deep, token, 1))
        results["L1"], results["L3_1"] = median_of(l1), median_of(l3_1)
        # A1: the listing while 16 connections log in (argon2id runs for every attempt).
        login_script = os.path.join(work, "login.lua")
        open(login_script, "w").write(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            'wrk.body = \'{"account_id": "PARTDEMO", "logon": "admin@demo.example", '
            '"password": "not the password", "code": "000000"}\'\n'
            'done = function() end\n')
        l2, l3_32, a1 = [], [], []
        for n in range(RUNS):
            settle(server.pid)
            l2.append(wrk_cpu(server.pid, listing, token, 32))
            l3_32.append(wrk(deep, token, 32))
            if n == 0:
                # Before any login storm: the peak of the listing's load alone.
                results["load_rss_mb"] = rss_kib(server.pid, "VmHWM:") / 1024
            logins = subprocess.Popen(["wrk", "-t1", "-c16", f"-d{SECONDS + 2}s", "-s", login_script,
                                       BASE + "/auth/login"], stdout=subprocess.DEVNULL)
            time.sleep(1)
            a1.append(wrk(listing, token, 32))
            logins.wait()
        results["L2"] = median_of([(rate, p99) for rate, p99, _ in l2])
        results["L2_cpu_us"] = statistics.median(cpu for _, _, cpu in l2)
        results["L3_32"], results["A1"] = median_of(l3_32), median_of(a1)
        settle(server.pid)
        floor = subprocess.run([binary, "floor", "--seconds", str(SECONDS)], check=True, capture_output=True,
                               text=True, env=dict(env, PH_FLOOR_TOKEN=token)).stdout
        results["F1_cpu_us"] = json.loads(floor)["cpu_us_per_round"]
        results["L4"] = median_of([wrk("/customers?name=dental&limit=50", token, 1) for _ in range(RUNS)])
        # G1: switching into a customer (grant check, token, session and audit rows).
        settle(server.pid)
        _, _, me = call(f"{BASE}/me", token=token)
        user_id = json.loads(me)["user"]["id"]
        _, _, page = call(f"{BASE}/customers?status=demo&requires_access_permission=false&active=true&account_state=active&limit=1",
                          token=token)
        customer = json.loads(page)["items"][0]["id"]
        call(f"{BASE}/grants", {"user_id": user_id, "customer_id": customer, "profile": "Bench",
                                 "role": "admin", "permissions": ["manage_entities"]}, token)
        switch_script = os.path.join(work, "switch.lua")
        open(switch_script, "w").write(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.body = \'{{"customer_id": "{customer}"}}\'\n')
        results["G1"] = median_of([wrk("/auth/switch", token, 1, switch_script) for _ in range(RUNS)])
        # G8: the same at 8 connections, writers waiting for one another (no target: a watch on the
        # SQLite writers' queue, whose p99 was over a second while they polled SQLite's lock).
        results["G8"] = median_of([wrk("/auth/switch", token, 8, switch_script) for _ in range(RUNS)])
        # E1: exporting 100 000 rows to XLSX, and what it costs the server in memory.
        times, growth = [], []
        for _ in range(RUNS):
            reset_peak(server.pid)
            before = rss_kib(server.pid)
            started = time.perf_counter()
            status, _, _ = call(f"{BASE}/customers/export.xlsx", token=token)
            assert status == 200
            times.append(time.perf_counter() - started)
            growth.append((rss_kib(server.pid, "VmHWM:") - before) / 1024)
        results["E1"] = (statistics.median(times), max(growth))
        results["X1"] = exports_beside_listing(server.pid, token)
        settle(server.pid)
        results["P2"] = grid.measure(wrk, token, GRID_SECONDS, lambda path: call(BASE + path, token=token))
        # The writes last, as they add to the dataset (`main` has it made anew next time), with a
        # fresh access token: the one from the login may expire (15 minutes) before I0 ends.
        token = refreshed(tokens)
        settle(server.pid)
        w1 = lambda seconds=SECONDS: wrk("/customers", token, WRITES, create_script(
            work, f"w1-{backend}", "/customers", CREATE_CUSTOMER), seconds=seconds)
        results["W1"] = median_of([w1() for _ in range(RUNS)])
        settle(server.pid)
        script = lambda name, path, body: create_script(work, name, path, body)
        results["W2"] = writes.entities(BASE, token, wrk, script, WRITES, RUNS, W2_SECONDS)
        settle(server.pid)
        results["W3"] = writes.mixed(BASE, token, user_id, env["PH_MAIL_DIR"], WRITES, 2 * SECONDS)
        settle(server.pid)
        results["I0"] = writes.index_costs(url, lambda: w1(I0_SECONDS), lambda: settle(server.pid))
    finally:
        server.terminate(); server.wait()
    return results

def peer(work, sqlite_url):
    """P1: PocketBase's list API at 32 connections on the same customer rows (req/s): with the
    rule as specified, and with the partner as a literal; W1: its record create in the same
    collection at 16 connections as its superuser (its fastest path), (req/s, p99 ms); W1′: the
    same creates once the collection has the hub's indexes too, ((req/s, p99 ms), indexes)."""
    pb = pocketbase.binary(CACHE)
    data, base = os.path.join(work, "pb_data"), f"http://127.0.0.1:{PORT + 1}"
    pocketbase.prepare(pb, data, base, pocketbase.rows_of(sqlite_url[len("sqlite://"):]))
    server = pocketbase.start(pb, data, base)
    try:
        token = pocketbase.token(base)
        run = lambda: median_of([wrk(pocketbase.LISTING, token, 32, base=base) for _ in range(RUNS)])[0]
        as_specified = run()
        pocketbase.literal_rule(base)
        literal = run()
        admin = pocketbase.superuser_token(base)
        create = lambda name: median_of([wrk(pocketbase.RECORDS, admin, WRITES,
                                             create_script(work, name, pocketbase.RECORDS, PB_CREATE_CUSTOMER), base=base)
                                         for _ in range(RUNS)])
        writes = create("w1-pocketbase")
        # W1′: the same creates once the collection has the hub's indexes on `customers` too.
        pocketbase.with_hub_indexes(base, admin, pocketbase.hub_indexes(sqlite_url[len("sqlite://"):]))
        indexes = len(pocketbase.customer_indexes(os.path.join(data, "data.db")))
        return as_specified, literal, writes, (create("w1-pocketbase-indexed"), indexes)
    finally:
        server.terminate(); server.wait()

def refusals(w3):
    return ", ".join(f"{count} × {status} {code}" for (status, code), count in w3["refused"].items()) or "none"

def index_rows(sqlite_rows, postgres_rows):
    """One row per index name either backend has."""
    cell = lambda found: f"{found[1]:.0f} / {found[2]:.0f} ({found[1] / found[2] - 1:+.0%})" if found else "—"
    s, p = ({row[0]: row for row in rows} for rows in (sqlite_rows, postgres_rows))
    return [f"| `{name}` | {cell(s.get(name))} | {cell(p.get(name))} |" for name in sorted(set(s) | set(p))]

def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()

def main(binary, pg_url, customers):
    work = tempfile.mkdtemp(prefix="ph-bench-")
    try:
        # The peer first: it copies the SQLite dataset's customers before W1 adds to them.
        pb_rule, pb_literal, pb_write, (pb_indexed, pb_indexes) = peer(work, dataset(binary, "sqlite", pg_url, customers)[0])
        backends = {"sqlite": measure(binary, "sqlite", pg_url, customers, work)}
        with autovacuum(pg_url):
            backends["postgres"] = measure(binary, "postgres", pg_url, customers, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        # W1 wrote into the datasets: the next run makes them anew.
        for name in ["sqlite", "postgres"]:
            marker = os.path.join(CACHE, f"{name}-{fingerprint(customers)}.json")
            if os.path.exists(marker):
                os.remove(marker)
    s, p = backends["sqlite"], backends["postgres"]
    mark = lambda ok: "met" if ok else "**not met**"
    # PocketBase's auth-field rule can answer under 1 req/s: then only a lower bound is known.
    versus_rule = lambda b: (f"{b['L2'][0] / pb_rule:.0f} ×" if pb_rule >= 1
                             else f"over {b['L2'][0]:.0f} ×")
    rows = [
        ("L1", "listing p99, 1 connection (ms)", f"{s['L1'][1]:.2f}", f"{p['L1'][1]:.2f}",
         "≤ 1.5 / ≤ 2.5", mark(s["L1"][1] <= 1.5 and p["L1"][1] <= 2.5)),
        ("L2", "listing at 32 connections (req/s; p99 ms)", f"{s['L2'][0]:.0f}; {s['L2'][1]:.1f}",
         f"{p['L2'][0]:.0f}; {p['L2'][1]:.1f}", "≥ 4 000 / ≥ 2 500; ≤ 25 / 40",
         mark(s["L2"][0] >= 4000 and p["L2"][0] >= 2500 and s["L2"][1] <= 25 and p["L2"][1] <= 40)),
        ("L3", "page after 8 000 rows: p99 1 conn (ms); req/s 32 conn",
         f"{s['L3_1'][1]:.2f}; {s['L3_32'][0]:.0f}", f"{p['L3_1'][1]:.2f}; {p['L3_32'][0]:.0f}",
         "within 20 % of L1, L2",
         mark(all(b["L3_1"][1] <= 1.2 * b["L1"][1] and b["L3_32"][0] >= 0.8 * b["L2"][0] for b in (s, p)))),
        ("L4", "name contains, p99 1 connection (ms)", f"{s['L4'][1]:.2f}", f"{p['L4'][1]:.2f}", "≤ 10",
         mark(s["L4"][1] <= 10 and p["L4"][1] <= 10)),
        ("F1", "CPU per request: L2 / in-process floor (µs)",
         f"{s['L2_cpu_us']:.0f} / {s['F1_cpu_us']:.0f} = {s['L2_cpu_us'] / s['F1_cpu_us']:.2f}",
         f"{p['L2_cpu_us']:.0f} / {p['F1_cpu_us']:.0f} = {p['L2_cpu_us'] / p['F1_cpu_us']:.2f}",
         "L2 CPU ≤ 1.5 × F1", mark(all(b["L2_cpu_us"] <= 1.5 * b["F1_cpu_us"] for b in (s, p)))),
        ("P1", f"L2 / PocketBase {pocketbase.VERSION} (partner literal: {pb_literal:.0f} req/s; "
         f"auth-field rule: {f'{pb_rule:.0f}' if pb_rule >= 1 else 'under 1'} req/s)",
         f"{s['L2'][0] / pb_literal:.1f} × ({versus_rule(s)})",
         f"{p['L2'][0] / pb_literal:.1f} × ({versus_rule(p)})", "≥ 5 × / ≥ 2.5 ×",
         mark(s["L2"][0] >= 5 * pb_literal and p["L2"][0] >= 2.5 * pb_literal)),
        ("E1", "export 100 000 rows XLSX (s; RSS growth MB)", f"{s['E1'][0]:.2f}; {s['E1'][1]:.0f}",
         f"{p['E1'][0]:.2f}; {p['E1'][1]:.0f}", "≤ 2 s; ≤ 50 MB",
         mark(all(b["E1"][0] <= 2 and b["E1"][1] <= 50 for b in (s, p)))),
        ("X1", "listing at 4 connections while 6 clients export XLSX / alone (req/s)",
         f"{s['X1'][1]:.0f} / {s['X1'][0]:.0f} = {s['X1'][1] / s['X1'][0]:.2f}",
         f"{p['X1'][1]:.0f} / {p['X1'][0]:.0f} = {p['X1'][1] / p['X1'][0]:.2f}", "≥ 0.5",
         mark(all(b["X1"][1] >= 0.5 * b["X1"][0] for b in (s, p)))),
        ("A1", "L2 during 16 connections of logins (req/s; p99 ms)", f"{s['A1'][0]:.0f}; {s['A1'][1]:.1f}",
         f"{p['A1'][0]:.0f}; {p['A1'][1]:.1f}", "≥ 50 % of L2; p99 ≤ 2 × L2",
         mark(all(b["A1"][0] >= 0.5 * b["L2"][0] and b["A1"][1] <= 2 * b["L2"][1] for b in (s, p)))),
        ("S1", "ready (s); idle RSS (MB); RSS under L2 (MB)",
         f"{s['ready_s']:.2f}; {s['idle_rss_mb']:.0f}; {s['load_rss_mb']:.0f}",
         f"{p['ready_s']:.2f}; {p['idle_rss_mb']:.0f}; {p['load_rss_mb']:.0f}", "≤ 1 s; ≤ 30; ≤ 150",
         mark(all(b["ready_s"] <= 1 and b["idle_rss_mb"] <= 30 and b["load_rss_mb"] <= 150 for b in (s, p)))),
        ("G1", "switch into a customer, p99 1 connection (ms)", f"{s['G1'][1]:.2f}", f"{p['G1'][1]:.2f}", "≤ 3",
         mark(s["G1"][1] <= 3 and p["G1"][1] <= 3)),
        ("G8", "the same at 8 connections (req/s; p99 ms)", f"{s['G8'][0]:.0f}; {s['G8'][1]:.1f}",
         f"{p['G8'][0]:.0f}; {p['G8'][1]:.1f}", "none", "—"),
        ("P2", f"the grid: slowest p99 of {len(s['P2'])} queries, 1 connection / L1 p99 (ms)",
         f"{s['P2'][0][1]:.1f} / {s['L1'][1]:.2f} = {s['P2'][0][1] / s['L1'][1]:.1f}",
         f"{p['P2'][0][1]:.1f} / {p['L1'][1]:.2f} = {p['P2'][0][1] / p['L1'][1]:.1f}", "≤ 5",
         mark(all(b["P2"][0][1] <= 5 * b["L1"][1] for b in (s, p)))),
        ("W1", f"create customers at {WRITES} connections (req/s; p99 ms) / PocketBase's "
         f"{pb_write[0]:.0f}; {pb_write[1]:.1f}",
         f"{s['W1'][0]:.0f}; {s['W1'][1]:.1f} = {s['W1'][0] / pb_write[0]:.2f} ×",
         f"{p['W1'][0]:.0f}; {p['W1'][1]:.1f} = {p['W1'][0] / pb_write[0]:.2f} ×",
         "≥ 1.5 × / ≥ 1 ×; p99 ≤ PocketBase's",
         mark(s["W1"][0] >= 1.5 * pb_write[0] and p["W1"][0] >= pb_write[0]
              and all(b["W1"][1] <= pb_write[1] for b in (s, p)))),
        ("W1′", f"W1 / PocketBase given the hub's indexes on `customers` ({pb_indexes}): {pb_indexed[0]:.0f} req/s; "
         f"p99 {pb_indexed[1]:.1f} ms", f"{s['W1'][0] / pb_indexed[0]:.2f} ×", f"{p['W1'][0] / pb_indexed[0]:.2f} ×",
         "none: what the grid's indexes cost the peer", "—"),
        ("W2", f"create entities in one customer at {WRITES} connections (req/s; p99 ms) / W1",
         f"{s['W2'][0]:.0f}; {s['W2'][1]:.1f} = {s['W2'][0] / s['W1'][0]:.2f} ×",
         f"{p['W2'][0]:.0f}; {p['W2'][1]:.1f} = {p['W2'][0] / p['W1'][0]:.2f} ×", "≥ 0.5 × W1",
         mark(all(b["W2"][0] >= 0.5 * b["W1"][0] for b in (s, p)))),
        ("W3", f"mixed writes at {WRITES} connections (writes/s; p99 ms; answers refused)",
         f"{s['W3']['rate']:.0f}; {s['W3']['p99']:.1f}; {sum(s['W3']['refused'].values())}",
         f"{p['W3']['rate']:.0f}; {p['W3']['p99']:.1f}; {sum(p['W3']['refused'].values())}",
         "none refused: no 5xx, no serialization failure", mark(not s["W3"]["refused"] and not p["W3"]["refused"])),
        ("D", "generate the dataset (s)", f"{s['generated_s']}", f"{p['generated_s']}", "≤ 60 on SQLite",
         mark(s["generated_s"] <= 60)),
    ]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    lines = [
        f"# Benchmark results", "",
        f"Commit `{commit}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores, "
        f"{cpu_model()}. {customers:,} customers in PARTDEMO + 199 × 50; wrk with one thread on the same "
        f"machine, {SECONDS} s per run; each figure the median of {RUNS} runs. Query: `{LISTING}`.", "",
        "| id | what | SQLite | PostgreSQL | target | |", "|---|---|---|---|---|---|",
    ] + [f"| {' | '.join(row)} |" for row in rows] + [
        "", "The grid's ten slowest queries (P2), p99 at 1 connection (ms):", "",
        "| SQLite | | PostgreSQL | |", "|---|---|---|---|",
    ] + [f"| `{a}` | {x:.1f} | `{b}` | {y:.1f} |" for (a, x), (b, y) in zip(s["P2"][:10], p["P2"][:10])] + [
        "", "W3 by operation (answers; p99 ms), and what was refused:", "",
        "| operation | SQLite | PostgreSQL |", "|---|---|---|",
    ] + [f"| {op} | {s['W3']['by_operation'][op][0]}; {s['W3']['by_operation'][op][1]:.1f} | "
         f"{p['W3']['by_operation'][op][0]}; {p['W3']['by_operation'][op][1]:.1f} |" for op in s["W3"]["by_operation"]] + [
        f"| refused | {refusals(s['W3'])} | {refusals(p['W3'])} |",
        "", f"I0: W1 (req/s, {I0_SECONDS} s runs) without each index on `customers`, beside the runs with all of them "
        "before and after it:", "",
        "| index | SQLite without / with | PostgreSQL without / with |", "|---|---|---|",
    ] + index_rows(s["I0"], p["I0"])
    text = "\n".join(lines) + "\n"
    print(text)
    history = os.path.join(ROOT, "bench", "RESULTS.md")
    previous = open(history).read().split("\n## History\n", 1) if os.path.exists(history) else ["", ""]
    notes = previous[1] if len(previous) > 1 else ""
    open(history, "w").write(text + "\n## History\n" + notes)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100_000)
