#!/usr/bin/env python3
"""Property-based API testing with schemathesis against the live server (`make api-fuzz`).

usage: tests/schemathesis/run.py BINARY DATABASE_URL [MAX_EXAMPLES]
  Starts BINARY on a fresh database (a temporary SQLite file when DATABASE_URL is not
  postgres://…, else a database `ph_api_fuzz` made anew on that server), loads a small demo dataset, enrols and logs
  in a platform admin and PARTDEMO's partner admin, then lets schemathesis generate requests for
  every operation of /openapi.json as anonymous and as each of them. Fails on any server error,
  any answer that does not conform to the spec (status code, content type, headers, schema) and
  any unsupported method that is not answered 405 with Allow. A failure prints the case and the
  curl command that reproduces it; the seed is fixed (SEED in the environment picks another),
  though two workers sending at once can still change what a rerun finds.
"""
import glob, json, os, re, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
from hub import PASSWORD, call, enrol, fresh_database, serve  # noqa: E402

CONFIG = os.path.join(os.path.dirname(__file__), "schemathesis.toml")
ST = os.path.join(os.path.dirname(__file__), "..", "..", "target", "tools", "venv", "bin", "st")

def login(base, account_id, logon, recovery_codes):
    """An access token; the login uses a recovery code, as the enrolment just used this
    30-second step's TOTP code (a code works once)."""
    status, _, body = call(f"{base}/auth/login", {"account_id": account_id, "logon": logon,
                                                  "password": PASSWORD, "code": recovery_codes.pop()})
    assert status == 200, body
    return json.loads(body)["access_token"]

def invitation_link(mail_dir, recipient):
    """The invitation link of the newest email to `recipient` (delivered as .eml within seconds)."""
    for _ in range(50):
        for path in sorted(glob.glob(f"{mail_dir}/**/*.eml", recursive=True), key=os.path.getmtime, reverse=True):
            text = open(path, encoding="utf-8", errors="replace").read()
            found = re.search(r"(http\S+/invitations/[A-Za-z0-9_-]+)", text.replace("=\r\n", "").replace("=\n", ""))
            if recipient in text and found:
                return found.group(1)
        time.sleep(0.2)
    raise SystemExit(f"no invitation email to {recipient}")

def inside_a_customer(base, mail_dir, partner_token):
    """Tokens of the callers on the customer's side: an admin and a guest of one of PARTDEMO's
    Pre-Sales customers, and PARTDEMO's admin switched into it with a grant that manages
    entities and users."""
    _, _, page = call(f"{base}/customers?status=pre_sales&active=true&requires_access_permission=false&limit=1", token=partner_token)
    customer = json.loads(page)["items"][0]["id"]
    email = "fuzz@customer.example"
    status, _, body = call(f"{base}/customers/{customer}/users", {"name": "Fuzz Admin", "email": email, "role": "admin"}, partner_token)
    assert status == 201, body
    _, codes = enrol(base, invitation_link(mail_dir, email))
    customer_token = login(base, customer, email, codes)
    guest = "fuzz-guest@customer.example"
    status, _, body = call(f"{base}/customers/{customer}/users", {"name": "Fuzz Guest", "email": guest}, partner_token)
    assert status == 201, body
    _, codes = enrol(base, invitation_link(mail_dir, guest))
    guest_token = login(base, customer, guest, codes)
    _, _, me = call(f"{base}/me", token=partner_token)
    grant = {"user_id": json.loads(me)["user"]["id"], "customer_id": customer, "profile": "Fuzz",
             "role": "admin", "permissions": ["manage_entities", "manage_users"]}
    status, _, body = call(f"{base}/grants", grant, partner_token)
    assert status == 201, body
    status, _, body = call(f"{base}/auth/switch", {"customer_id": customer}, partner_token)
    assert status == 200, body
    return customer_token, guest_token, json.loads(body)["access_token"]

def run_schemathesis(command):
    """Runs schemathesis, its output shown as it comes; whether it passed. A run whose only
    error is hypothesis reporting its own generator as flaky ("Inconsistent results" while
    drawing a case, before any request) runs once more: that is the tool's failure, not the
    API's, and it came and went between runs of one commit. Any failed check still fails."""
    for attempt in (1, 2):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = []
        for line in process.stdout:
            sys.stdout.write(line)
            output.append(line)
        if process.wait() == 0:
            return True
        text = "".join(output)
        generator_flaked = "hypothesis.errors.FlakyFailure" in text and "generate_one" in text
        if attempt == 2 or not generator_flaked or re.search(r"=+ FAILURES =+", text):
            return False
        print("== schemathesis's generator reported itself flaky: running once more ==", flush=True)
    return False

def main(binary, database_url, examples):
    database_url = fresh_database(database_url, "ph_api_fuzz")
    work = tempfile.mkdtemp(prefix="ph-st-")
    port = 18097
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PH_DATABASE_URL=database_url, PH_SIGNING_KEY_FILE=f"{work}/key",
               PH_MAIL_DIR=f"{work}/mail", PH_BIND=f"127.0.0.1:{port}", PH_AUTH_RATE_PER_MINUTE="0",
               PH_LOG="warn")
    out = subprocess.run([binary, "demo", "--customers", "60", "--partners", "3"], env=env, check=True,
                         capture_output=True, text=True).stdout
    partner_link = out.strip().splitlines()[-1]
    root_link = subprocess.run([binary, "create-platform-admin", "--email", "root@platform.example"], env=env,
                               check=True, capture_output=True, text=True).stdout.strip()
    server = serve(binary, env, base)
    failed = False
    try:
        _, root_codes = enrol(base, root_link)
        _, partner_codes = enrol(base, partner_link)
        partner_token = login(base, "PARTDEMO", "admin@demo.example", partner_codes)
        customer_token, guest_token, acting_token = inside_a_customer(base, f"{work}/mail", partner_token)
        # The partner admin runs last: nothing it does can end the sessions before it.
        callers = {
            "anonymous": None,
            "partner admin acting in a customer": acting_token,
            "customer guest": guest_token,
            "customer admin": customer_token,
            "platform admin": login(base, "PLATFORM", "root@platform.example", root_codes),
            "partner admin": partner_token,
        }
        for name, token in callers.items():
            print(f"== schemathesis as {name} on {database_url.split(':')[0]} ==", flush=True)
            command = [ST, "--config-file", CONFIG, "run", f"{base}/openapi.json", "--max-examples", str(examples), "--seed", os.environ.get("SEED", "20261123"),
                       "--checks", "all", "--workers", "2", "--no-color",
                       # Ending the caller's own session, password or authenticator mid-run only
                       # turns every later call into a (documented) 401: skip those.
                       "--exclude-path", "/auth/logout", "--exclude-path", "/me/password",
                       "--exclude-path", "/me/email", "--exclude-path", "/me/totp/confirm",
                       "--exclude-path-regex", "^/partners/\\{partner_id\\}/users/\\{user_id\\}$",
                       # Its multipart body trips schemathesis's generator ("inconsistent
                       # results"); the e2e suite tests every upload case instead.
                       "--exclude-path-regex", "^/partners/\\{partner_id\\}/images/\\{slot\\}$"]
            if token:
                command += ["--header", f"Authorization: Bearer {token}"]
            failed |= not run_schemathesis(command)
    finally:
        server.terminate(); server.wait()
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10)
