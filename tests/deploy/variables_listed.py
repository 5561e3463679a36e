#!/usr/bin/env python3
"""Every environment variable Œuvre reads is listed in deploy/.env.example, in README's configuration
table and in `oeuvre config check`'s output, and nothing is listed there that it does not read
(issue 19).

What the code reads is found by running it, not by reading its source: getenv_trace.c, preloaded,
records each variable the oeuvre executable itself asks for while `config check` runs (once with
defaults, once with backups in S3 so the AWS credentials are read too) and while `serve` starts and
stops. X_FILE (a file holding X) and X_NAME (X's name in AWS Secrets Manager) count as X.

usage: variables_listed.py --source-dir DIR --oeuvre BIN
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

COMPOSE_MARKER = "# Read by the compose stack, not by oeuvre"


def base_names(names, known=None):
    """X_FILE and X_NAME as X (X_NAME only when X itself is a variable)."""
    names = set(names)
    known = names if known is None else set(known)
    out = set()
    for name in names:
        if name.endswith("_FILE"):
            out.add(name[: -len("_FILE")])
        elif name.endswith("_NAME") and (name[: -len("_NAME")] in known or name[: -len("_NAME")] in names):
            out.add(name[: -len("_NAME")])
        else:
            out.add(name)
    return out


def traced_reads(oeuvre, tmp):
    library = os.path.join(tmp, "getenv_trace.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", library,
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), "getenv_trace.c"), "-ldl"], check=True)
    trace = os.path.join(tmp, "trace.txt")
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LD_PRELOAD": library,
        "GETENV_TRACE_FILE": trace,
        # The test build uses AddressSanitizer, whose runtime must otherwise come first.
        "ASAN_OPTIONS": "verify_asan_link_order=0:detect_leaks=0",
    }
    run_dir = os.path.join(tmp, "run")
    os.makedirs(run_dir)
    # 1. defaults (VAR_DIR unset, so its _FILE is looked up too)
    subprocess.run([oeuvre, "config", "check"], env=base_env, cwd=run_dir, capture_output=True, timeout=60)
    # 2. backups in S3: the AWS credentials and the endpoint are read (nothing answers there)
    s3_env = dict(base_env, BACKUP_S3_BUCKET="oeuvre-backups", AWS_ENDPOINT_URL="http://127.0.0.1:9",
                  AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="example-secret-key")
    subprocess.run([oeuvre, "config", "check"], env=s3_env, cwd=run_dir, capture_output=True, timeout=60)
    # 3. serve starts, then stops on SIGTERM
    serve_env = dict(base_env, PORT="0", METRICS_PORT="-1", PASSWORD_HASH_COST="minimal")
    serve = subprocess.Popen([oeuvre, "serve"], env=serve_env, cwd=run_dir, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            line = serve.stdout.readline()
            if not line or "listening on" in line:
                break
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
    names = {line.strip() for line in open(trace) if line.strip()}
    names.discard("GETENV_TRACE_FILE")
    return base_names(names)


def env_example_names(path):
    listed = []
    for line in open(path):
        if line.startswith(COMPOSE_MARKER):
            break
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            listed.append(match.group(1))
    return listed


def readme_names(path):
    text = open(path).read()
    section = text[text.index("## Configuration"):]
    section = section[: section.index("\n## ", 3)]
    names = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| variable") and not line.startswith("|---"):
            first = line.split("|")[1]
            names += re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", first)
    return names


def config_check_names(oeuvre, tmp):
    result = subprocess.run([oeuvre, "config", "check"], env={"PATH": os.environ.get("PATH", ""),
                            "VAR_DIR": os.path.join(tmp, "var2")}, cwd=tmp, capture_output=True, text=True, timeout=60)
    return [m.group(1) for m in re.finditer(r"^([A-Z][A-Z0-9_]*) = ", result.stdout, re.M)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--oeuvre", required=True)
    args = parser.parse_args()
    args.oeuvre = os.path.abspath(args.oeuvre)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        reads = traced_reads(args.oeuvre, tmp)
        print(f"the code reads {len(reads)} variables: {' '.join(sorted(reads))}")
        if len(reads) < 40:
            failures.append("the trace found too few variables: is the preload working?")
        places = {
            "deploy/.env.example": env_example_names(os.path.join(args.source_dir, "deploy", ".env.example")),
            "README.md's configuration table": readme_names(os.path.join(args.source_dir, "README.md")),
            "oeuvre config check": config_check_names(args.oeuvre, tmp),
        }
        for place, names in places.items():
            listed = base_names(names, known=reads)
            missing = sorted(reads - listed)
            extra = sorted(listed - reads)
            if missing:
                failures.append(f"{place} leaves out: {' '.join(missing)}")
            if extra:
                failures.append(f"{place} lists what the code does not read: {' '.join(extra)}")
            if not missing and not extra:
                print(f"ok  {place}: all {len(reads)}")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
