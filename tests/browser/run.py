#!/usr/bin/env python3
"""The browser test (`make browser-test`): starts BINARY on a fresh database, enrols and logs
in a platform admin, then drives Swagger UI in Debian's Chromium with playwright-core
(tests/browser/swagger.mjs). The screenshot lands in target/browser/.

usage: tests/browser/run.py BINARY [DATABASE_URL]   (a fresh SQLite file, or a fresh database
  `ph_browser` beside the PostgreSQL one named)
"""
import json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "bench"))
from hub import PASSWORD, call, enrol, fresh_database, serve  # noqa: E402

def main(binary, database_url):
    database_url = fresh_database(database_url, "ph_browser")
    backend = database_url.split(":")[0]
    work = tempfile.mkdtemp(prefix="ph-browser-")
    port = 18096
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PH_DATABASE_URL=database_url, PH_SIGNING_KEY_FILE=f"{work}/key",
               PH_MAIL_DIR=f"{work}/mail", PH_BIND=f"127.0.0.1:{port}", PH_LOG="warn")
    email = "root@platform.example"
    link = subprocess.run([binary, "create-platform-admin", "--email", email], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()
    server = serve(binary, env, base)
    try:
        _, codes = enrol(base, link)
        status, _, body = call(f"{base}/auth/login", {"account_id": "PLATFORM", "logon": email,
                                                      "password": PASSWORD, "code": codes[0]})
        assert status == 200, body
        token = json.loads(body)["access_token"]
        shots = os.path.join(ROOT, "target", "browser")
        os.makedirs(shots, exist_ok=True)
        tools = os.path.abspath(os.path.join(ROOT, "target", "tools", "node_modules"))
        result = subprocess.run(["node", os.path.join(HERE, "swagger.mjs"), base, token, email,
                                 os.path.join(shots, f"swagger-ui-get-me-{backend}.png")],
                                env=dict(os.environ, TOOLS_DIR=tools))
        sys.exit(result.returncode)
    finally:
        server.terminate(); server.wait()

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "sqlite")
