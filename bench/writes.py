"""The writes `make bench` measures beside W1 (which `run.py` sets against PocketBase's):

- W2: entities created in one customer at 16 connections, every create counting on that one
  customer's row (a fresh customer each run, so that no run meets the 4-digit numbers' end);
- W3: a mixed write load at 16 connections (edit a customer with If-Match, invite one of its
  users, ask for access and approve it as the customer's admin, switch in), every answer counted;
- I0: what each index on `customers` costs W1: each dropped in turn, W1 measured, put back.
"""
import glob, http.client, json, os, quopri, random, re, sqlite3, statistics, string, subprocess, threading, time

from hub import PASSWORD, call, enrol, totp

ENTITY = "'{\"entity_type\": \"site\", \"name\": \"Bench ' .. id .. '\"}'"


def tag():
    return "".join(random.choice(string.ascii_uppercase) for _ in range(4))


def new_customer(base, token, cid, **fields):
    body = {"id": cid, "ref": cid, "name": f"Bench {cid}", "status": "onboarding", "account_type": "trial"}
    status, _, answer = call(f"{base}/customers", dict(body, **fields), token)
    assert status == 201, answer
    return cid


def entities(base, token, wrk, script, connections, runs, seconds):
    """W2: (req/s, p99 ms), the median of `runs`, each on a customer of its own."""
    results = []
    for _ in range(runs):
        cid = new_customer(base, token, f"WB{tag()}")
        path = f"/customers/{cid}/entities"
        results.append(wrk(path, token, connections, script(f"w2-{cid}", path, ENTITY), seconds=seconds))
    rates, p99s = zip(*results)
    return statistics.median(rates), statistics.median(p99s)


def invitation_token(mail_dir, email, since, timeout=20):
    """The invitation token in the mail the outbox delivered to `email` after `since`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for path in glob.glob(os.path.join(mail_dir, "*.eml")):
            if os.path.getmtime(path) < since:
                continue
            text = quopri.decodestring(open(path, "rb").read()).decode("utf-8", "replace")
            if email in text:
                found = re.search(r"/invitations/([A-Za-z0-9_\-]+)", text)
                if found:
                    return found.group(1)
        time.sleep(0.2)
    raise RuntimeError(f"no invitation reached {email}")


class Client:
    """One keep-alive connection; records every answer as (operation, status, code, ms)."""

    def __init__(self, base, answers):
        host, port = base.split("//", 1)[1].split(":")
        self.http = http.client.HTTPConnection(host, int(port))
        self.answers = answers

    def send(self, operation, method, path, token, body=None, headers=None):
        started = time.perf_counter()
        head = {"authorization": f"Bearer {token}", "content-type": "application/json", **(headers or {})}
        self.http.request(method, path, json.dumps(body) if body is not None else None, head)
        response = self.http.getresponse()
        payload = response.read()
        ms = (time.perf_counter() - started) * 1000
        code = None
        if response.status >= 300:
            try:
                code = json.loads(payload).get("code")
            except ValueError:
                code = payload[:80]
        if operation:
            self.answers.append((operation, response.status, code, ms))
        return response.status, response.getheader("etag"), (json.loads(payload) if payload else None)


def mixed(base, token, user_id, mail_dir, connections, seconds):
    """W3: {"rate": writes/s, "p99": ms, "by_operation": {op: (count, p99)}, "refused": {(status,
    code): count}}; each connection works on a customer of its own, with an admin of its own."""
    run, since = tag(), time.time() - 1
    customers = [new_customer(base, token, f"WC{run}{string.ascii_uppercase[n]}", status="established",
                              requires_access_permission=True) for n in range(connections)]
    admins = []
    for cid in customers:
        email = f"admin-{cid.lower()}@bench.example"
        status, _, body = call(f"{base}/customers/{cid}/users", {"name": f"Admin {cid}", "email": email}, token)
        assert status == 201, body
        uid = json.loads(body)["id"]
        status, _, body = call(f"{base}/customers/{cid}/users/{uid}", {"role": "admin"}, token, "PATCH")
        assert status == 200, body
        admins.append((cid, email))
    secrets = [enrol(base, f"/invitations/{invitation_token(mail_dir, email, since)}")[0] for _, email in admins]
    time.sleep(30 - time.time() % 30 + 0.3)  # a TOTP step the enrolments did not use
    tokens = []
    for (cid, email), secret in zip(admins, secrets):
        status, _, body = call(f"{base}/auth/login", {"account_id": cid, "logon": email,
                                                      "password": PASSWORD,
                                                      "code": totp(secret, time.time())})
        assert status == 200, body
        tokens.append(json.loads(body)["access_token"])
    answers = []
    stop = time.time() + seconds

    def work(n):
        cid, admin = customers[n], tokens[n]
        client = Client(base, answers)
        i = 0
        while time.time() < stop:
            i += 1
            _, etag, _ = client.send(None, "GET", f"/customers/{cid}", token)
            client.send("edit", "PATCH", f"/customers/{cid}", token, {"contact_name": f"Contact {i}"},
                        {"if-match": etag})
            client.send("invite", "POST", f"/customers/{cid}/users", token,
                        {"name": f"Invitee {i}", "email": f"user{i}-{cid.lower()}@bench.example"})
            status, _, asked = client.send("request", "POST", "/access-requests", token,
                                           {"user_id": user_id, "customer_id": cid, "profile": "Bench",
                                            "role": "admin", "permissions": ["manage_entities"]})
            if status == 201:
                client.send("approve", "POST", f"/access-requests/{asked['id']}/approve", admin, {})
            client.send("switch", "POST", "/auth/switch", token, {"customer_id": cid})

    started = time.time()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    p99 = lambda ms: statistics.quantiles(ms, n=100)[98] if len(ms) > 1 else (ms[0] if ms else 0)
    by_operation = {}
    for operation in ["edit", "invite", "request", "approve", "switch"]:
        ms = [a[3] for a in answers if a[0] == operation]
        by_operation[operation] = (len(ms), p99(ms))
    refused = {}
    for _, status, code, _ in answers:
        if status >= 300:
            refused[(status, code)] = refused.get((status, code), 0) + 1
    return {"rate": len(answers) / elapsed, "p99": p99([a[3] for a in answers]),
            "by_operation": by_operation, "refused": refused}


def customer_indexes(url):
    """[(name, statement that makes it)] of every index on `customers` that can be dropped (not
    those behind the primary key and unique constraints)."""
    if url.startswith("sqlite://"):
        with sqlite3.connect(url[len("sqlite://"):]) as db:
            return db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                              "AND tbl_name = 'customers' AND sql IS NOT NULL ORDER BY name").fetchall()
    out = psql(url, "SELECT indexname || '|' || indexdef FROM pg_indexes WHERE tablename = 'customers' "
                    "AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname")
    return [tuple(line.split("|", 1)) for line in out.splitlines() if line]


def psql(url, sql):
    return subprocess.run(["psql", "-qAt", url.split("?")[0], "-c", sql], check=True, capture_output=True,
                          text=True).stdout


def execute(url, sql):
    if url.startswith("sqlite://"):
        with sqlite3.connect(url[len("sqlite://"):], timeout=30) as db:
            db.execute(sql)
    else:
        psql(url, sql)


def index_costs(url, w1, settle):
    """I0: [(index, W1 req/s without it, W1 req/s with all)], each without-run between two runs
    with all of them, so that the machine's drift moves both alike."""
    rows = []
    with_all = w1()[0]
    for name, statement in customer_indexes(url):
        execute(url, f"DROP INDEX {name}")
        try:
            settle()
            without = w1()[0]
        finally:
            execute(url, statement)
        settle()
        after = w1()[0]
        rows.append((name, without, (with_all + after) / 2))
        with_all = after
    return rows
