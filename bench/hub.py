"""What the bench scripts share: TOTP codes, starting a release server and enrolling a user."""
import base64, hashlib, hmac, json, struct, subprocess, tempfile, time
import urllib.parse, urllib.request, urllib.error

PASSWORD = "correct horse battery staple"

def totp(secret_b32, at):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)

def call(url, body=None, token=None, method=None):
    """(status, milliseconds, raw body) of one request; POST with a JSON body when one is given
    (or `method`)."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, headers, method=method)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    return status, (time.perf_counter() - started) * 1000, payload

def serve(binary, env, base):
    """Starts `binary serve` and waits until it is ready."""
    server = subprocess.Popen([binary, "serve"], env=env)
    for _ in range(200):
        if server.poll() is not None:
            raise RuntimeError(f"`{binary} serve` exited with status {server.returncode}: its message is above")
        try:
            urllib.request.urlopen(base + "/health/ready")
            return server
        except Exception:
            time.sleep(0.05)
    return server

def enrol(base, invitation_link):
    """Accepts the invitation with PASSWORD and confirms the authenticator: (secret, recovery codes)."""
    token = invitation_link.rsplit("/", 1)[1]
    _, _, enrolment = call(f"{base}/invitations/{token}/accept", {"password": PASSWORD})
    secret = json.loads(enrolment)["secret"]
    _, _, codes = call(f"{base}/invitations/{token}/confirm", {"code": totp(secret, time.time())})
    return secret, json.loads(codes)["recovery_codes"]

def fresh_database(database_url, name):
    """An empty database to run on: a new SQLite file, or a PostgreSQL database made anew beside
    the one DATABASE_URL names."""
    if not database_url.startswith("postgres"):
        return f"sqlite://{tempfile.mkdtemp(prefix='ph-db-')}/hub.db"
    parts = urllib.parse.urlsplit(database_url)
    for sql in [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"]:
        subprocess.run(["psql", "-q", database_url, "-c", sql], check=True)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
