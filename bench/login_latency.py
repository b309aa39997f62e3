#!/usr/bin/env python3
"""Login latency against a running release server: successful logins (with recovery codes, as a
TOTP code works only once per 30 s) and failed ones (wrong password), whose times should match.

usage: bench/login_latency.py BINARY   (starts the server on a temporary SQLite database)
"""
import json, os, statistics, subprocess, sys, tempfile

from hub import PASSWORD, call, enrol, serve

def main(binary):
    work = tempfile.mkdtemp(prefix="ph-login-")
    env = dict(os.environ, PH_DATABASE_URL=f"sqlite://{work}/hub.db", PH_SIGNING_KEY_FILE=f"{work}/key",
               PH_MAIL_DIR=f"{work}/mail", PH_BIND="127.0.0.1:18099", PH_AUTH_RATE_PER_MINUTE="0", PH_LOG="warn")
    link = subprocess.run([binary, "create-platform-admin", "--email", "bench@example.com"], env=env,
                          check=True, capture_output=True, text=True).stdout.strip()
    base = "http://127.0.0.1:18099"
    server = serve(binary, env, base)
    try:
        password = PASSWORD
        _, codes = enrol(base, link)
        login = {"account_id": "PLATFORM", "logon": "bench@example.com", "password": password}
        ok, failed = [], []
        for code in codes:
            status, ms, _ = call(f"{base}/auth/login", dict(login, code=code)); assert status == 200, status
            ok.append(ms)
            status, ms, _ = call(f"{base}/auth/login", dict(login, password="wrong password!!", code="000000"))
            assert status == 401, status
            failed.append(ms)
        status, _, _ = call(f"{base}/auth/login", dict(login, logon="nobody@example.com", code="000000"))
        unknown = [call(f"{base}/auth/login", dict(login, logon=f"nobody{i}@example.com", code="000000"))[1] for i in range(10)]
        print(f"login p50: success {statistics.median(ok):.1f} ms, wrong password {statistics.median(failed):.1f} ms, "
              f"unknown user {statistics.median(unknown):.1f} ms (n=10 each, {os.cpu_count()} cores)")
    finally:
        server.terminate(); server.wait()

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/release/partner-hub")
