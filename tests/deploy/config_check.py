#!/usr/bin/env python3
"""`oeuvre config check` (issue 19): a good configuration passes, and one bad value of each kind gives
exactly one line naming its setting, exit code 2. The good configuration is a real one: a PostgreSQL
database (the ctest fixture's server), a redis-server started here on a loopback port, automated
backups to a folder with a key, a JWT key. Also: several bad values give a line each (one does not
hide the next), no secret is printed, and `serve` refuses a bad value with the same line.

usage: config_check.py --oeuvre BIN --pg-url-file FILE
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time

JWT_SECRET = "9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c2e4f6a8b0c1d3e5f7a9b2c4d6e8f0a1b"
BACKUP_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--oeuvre", required=True)
    parser.add_argument("--pg-url-file", required=True)
    args = parser.parse_args()
    pg_url = open(args.pg_url_file).read().strip()
    failures = []

    with tempfile.TemporaryDirectory() as tmp:
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no", "--dir", tmp],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", redis_port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            a_file = os.path.join(tmp, "a-file")
            open(a_file, "w").write("not a folder\n")
            good = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "DATABASE_URL": pg_url,
                "VAR_DIR": os.path.join(tmp, "var"),
                "JWT_SECRET": JWT_SECRET,
                "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                "ENABLE_AUTOMATED_BACKUPS": "true",
                "BACKUP_DIR": os.path.join(tmp, "backups"),
                "BACKUP_ENCRYPTION_KEY": BACKUP_KEY,
                "PORT": "8080",
                "METRICS_PORT": "9464",
            }

            def check(env, *extra):
                return subprocess.run([args.oeuvre, "config", "check", *extra], env=env, capture_output=True,
                                      text=True, timeout=60)

            # A good configuration: exit 0, nothing on stderr, secrets never printed.
            result = check(good)
            if result.returncode != 0 or result.stderr.strip() or "# configuration ok" not in result.stdout:
                failures.append(f"good configuration: exit {result.returncode}, stderr {result.stderr!r}")
            for secret in (JWT_SECRET, BACKUP_KEY):
                if secret in result.stdout or secret in result.stderr:
                    failures.append("a secret was printed")
            for line in ("JWT_SECRET = ***  (environment)", "REDIS_URL = ***  (environment)",
                         "ENABLE_AUTOMATED_BACKUPS = true  (environment)", "DB_POOL_SIZE = 8  (default)"):
                if line not in result.stdout:
                    failures.append(f"good configuration: {line!r} is not in the output")

            # One bad value of each kind: (what, changes, the setting its one line names).
            cases = [
                ("a port out of range", {"PORT": "70000"}, "PORT"),
                ("a count out of range", {"IO_THREADS": "0"}, "IO_THREADS"),
                ("a size too small", {"MAX_BODY_BYTES": "10"}, "MAX_BODY_BYTES"),
                ("not a number", {"DB_POOL_SIZE": "eight"}, "DB_POOL_SIZE"),
                ("not a boolean", {"ACCESS_LOG": "maybe"}, "ACCESS_LOG"),
                ("not one of the choices", {"PASSWORD_HASH_COST": "cheap"}, "PASSWORD_HASH_COST"),
                ("a log level", {"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
                ("a host name, not an address", {"HOST": "example.com"}, "HOST"),
                ("two listeners on one port", {"METRICS_PORT": "8080"}, "METRICS_PORT"),
                ("limits that contradict", {"LOGIN_LOCKOUT_MAX_SECONDS": "10"}, "LOGIN_LOCKOUT_MAX_SECONDS"),
                ("a database URL of no known kind", {"DATABASE_URL": "mysql://localhost/db"}, "DATABASE_URL"),
                ("a database that does not answer",
                 {"DATABASE_URL": f"postgres://oeuvre:pw@127.0.0.1:{free_port()}/oeuvre"}, "DATABASE_URL"),
                ("a JWT key too short", {"JWT_SECRET": "short"}, "JWT_SECRET"),
                ("a backup key that is no key", {"BACKUP_ENCRYPTION_KEY": "not-a-key"}, "BACKUP_ENCRYPTION_KEY"),
                ("backups without a key", {"BACKUP_ENCRYPTION_KEY": None}, "BACKUP_ENCRYPTION_KEY"),
                ("a Redis URL that does not parse", {"REDIS_URL": "http://127.0.0.1/"}, "REDIS_URL"),
                ("a Redis that does not answer", {"REDIS_URL": f"redis://127.0.0.1:{free_port()}"}, "REDIS_URL"),
                ("a backup folder that cannot be written", {"BACKUP_DIR": os.path.join(a_file, "backups")},
                 "BACKUP_DIR"),
                ("a VAR_DIR that cannot be made", {"VAR_DIR": os.path.join(a_file, "var")}, "VAR_DIR"),
                ("a setting read from a file", {"PORT_FILE": os.path.join(tmp, "port"), "PORT": None}, "PORT"),
            ]
            open(os.path.join(tmp, "port"), "w").write("not-a-port\n")
            for what, changes, setting in cases:
                env = dict(good)
                for name, value in changes.items():
                    if value is None:
                        env.pop(name, None)
                    else:
                        env[name] = value
                result = check(env)
                lines = [line for line in result.stderr.splitlines() if line.strip()]
                if result.returncode != 2 or len(lines) != 1 or not lines[0].startswith(f"oeuvre: config: {setting}: "):
                    failures.append(f"{what}: exit {result.returncode}, stderr lines {lines!r}")
                else:
                    print(f"ok  {what}: {lines[0]}")

            # One port on two addresses is no conflict.
            result = check(dict(good, HOST="127.0.0.2", METRICS_ADDRESS="127.0.0.1", METRICS_PORT="8080"))
            if result.returncode != 0:
                failures.append(f"one port on two addresses: exit {result.returncode}, stderr {result.stderr!r}")

            # Several bad values at once: one line each.
            env = dict(good, PORT="70000", IO_THREADS="0", LOG_LEVEL="loud", JWT_SECRET="short")
            result = check(env)
            named = sorted(line.split(":")[2].strip() for line in result.stderr.splitlines() if line.strip())
            if result.returncode != 2 or named != ["IO_THREADS", "JWT_SECRET", "LOG_LEVEL", "PORT"]:
                failures.append(f"four bad values: exit {result.returncode}, lines naming {named!r}")

            # serve makes the same checks of the values before it starts.
            env = dict(good, LOG_LEVEL="loud", PORT="0", METRICS_PORT="-1")
            result = subprocess.run([args.oeuvre, "serve"], env=env, capture_output=True, text=True, timeout=60)
            if result.returncode != 2 or "oeuvre: config: LOG_LEVEL: " not in result.stderr:
                failures.append(f"serve with a bad LOG_LEVEL: exit {result.returncode}, stderr {result.stderr[-300:]!r}")
        finally:
            redis.terminate()
            redis.wait(timeout=10)

    for failure in failures:
        print("FAIL", failure)
    print("config check:", "ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
