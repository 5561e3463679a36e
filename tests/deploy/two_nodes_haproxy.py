#!/usr/bin/env python3
"""Two `oeuvre serve` nodes behind HAProxy on one PostgreSQL database, with real programs on loopback
ports of a temp folder:

    client here  ->  haproxy (roundrobin, GET /health/ready checks)  ->  node a, node b  ->  PostgreSQL

Both nodes share the database, the JWT key (a token issued by one is accepted by the other) and the
uploads folder (in production a shared volume: a file is stored by the node that received it and
parsed by whichever node claims it). Each runs one ingest worker and one job worker on the shared
queues. Every request goes through the balancer:

  1. login, a project, a bank and a ledger data source (the README's mapping for the bank);
  2. several uploads (the samples, then generated statements of a few thousand lines), all parsed;
  3. several reconciliation jobs, all completed;
     both nodes must have done some of that parsing and those jobs (their logs say which file each
     parsed; each job says which node ran it);
  4. one large job: once it runs, the node running it is killed with SIGKILL; HAProxy takes the dead
     node out, the survivor re-queues the job once its heartbeat is stale and runs it to the end.

usage: two_nodes_haproxy.py --oeuvre BIN --source-dir DIR --pg-url-file FILE [--keep]
                            [--pairs N] [--rows N] [--jobs N] [--large-rows N]
FILE holds the URL of a PostgreSQL server's maintenance database (scripts/pg-test-server.sh start DIR
writes DIR/url); a fresh database is created on it and dropped at the end. Exits 0 when every check
passed; prints what happened either way. Needs haproxy and psql (scripts/setup.sh).
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from processes import Processes, free_port, log, wait_until  # noqa: E402

ADMIN_EMAIL = "admin@two-nodes.test"
ADMIN_PASSWORD = "two nodes, one database"
# The README's mapping for samples/bank.csv: it has no currency column and dates like 03/03/2025.
BANK_MAPPING = {"default_currency": "EUR", "date_format": "dd/mm/yyyy"}
BANK_HEADER = "Transaction ID,Booking Date,Description,Counterparty,Reference,Money Out,Money In\n"
LEDGER_HEADER = "id,date,account,amount,currency,ref,memo,payee\n"
# Statuses after which a file or a job changes no more.
FILE_ENDED = {"parsed", "failed"}
JOB_ENDED = {"completed", "failed", "cancelled"}


# --- generated statements ----------------------------------------------------------------------------


def write_statements(folder, name, first_row, rows):
    """A bank statement (in samples/bank.csv's layout) and a ledger (samples/ledger.csv's) of `rows`
    lines each, where line i of one matches line i of the other: same amount and reference, the
    ledger's date a day earlier at most. Amounts are distinct over rows first_row.. of every call (7919
    is prime to 5,000,000), so each line has one candidate and the job's counts are known.
    Returns the two paths."""
    bank, ledger = [BANK_HEADER], [LEDGER_HEADER]
    for g in range(first_row, first_row + rows):
        month, day = 1 + (g // 28) % 12, 1 + g % 28
        minor = 1000 + (g * 7919) % 5_000_000
        amount = f"{minor // 100}.{minor % 100:02d}"
        customer = g % 500
        reference = f"INV-{g:07d}"
        paid_out = g % 5 == 0  # one line in five is a payment out: a debit, negative in the ledger
        bank.append(f"B{g},{day:02d}/{month:02d}/2025,PAYMENT CUSTOMER {customer} {reference},"
                    f"CUSTOMER {customer},{reference},{amount if paid_out else ''},"
                    f"{'' if paid_out else amount}\n")
        ledger.append(f"L{g},2025-{month:02d}-{max(1, day - 1):02d},"
                      f"{'2000 Payables' if paid_out else '1100 Receivables'},"
                      f"{'-' if paid_out else ''}{amount},EUR,{reference},Invoice {g} customer {customer},"
                      f"Customer {customer} Ltd\n")
    paths = (os.path.join(folder, f"{name}_bank.csv"), os.path.join(folder, f"{name}_ledger.csv"))
    for path, lines in zip(paths, (bank, ledger)):
        with open(path, "w") as f:
            f.writelines(lines)
    return paths


# --- processes -------------------------------------------------------------------------------------------


class Node:
    """An `oeuvre serve` child on a port it picked itself (PORT=0, printed when it listens)."""

    def __init__(self, processes, name, oeuvre, env):
        self.processes, self.name = processes, name
        self.child = processes.start(name, [oeuvre, "serve"], env)
        self.port = None

    def wait_listening(self, timeout):
        def listening():
            if self.child.poll() is not None:
                raise AssertionError(f"{self.name} ended (status {self.child.returncode}):\n"
                                     + self.processes.text(self.name))
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.processes.text(self.name, "out"))
            return m and int(m.group(1))

        self.port = wait_until(listening, timeout, f"{self.name} to listen")

    def worker(self):
        """How the node names itself in a job's `worker` field: host:pid."""
        return f"{socket.gethostname()}:{self.child.pid}"

    def log_lines(self, msg):
        """The node's JSON log lines whose message is `msg`."""
        lines = []
        for text in self.processes.text(self.name).splitlines():
            try:
                line = json.loads(text)
            except ValueError:
                continue
            if line.get("msg") == msg:
                lines.append(line)
        return lines


class Database:
    """A fresh database on the PostgreSQL server behind `admin_url`, dropped by drop()."""

    def __init__(self, admin_url):
        self.admin_url = admin_url
        self.name = f"oeuvre_two_nodes_{os.getpid()}"
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')
        parts = urllib.parse.urlsplit(admin_url)
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))

    def _admin(self, sql):
        done = subprocess.run(["psql", self.admin_url, "-v", "ON_ERROR_STOP=1", "-qc", sql],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise AssertionError(f"psql {sql!r}: {done.stderr.strip()}")

    def drop(self):
        try:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        except (AssertionError, OSError, subprocess.TimeoutExpired) as e:
            print(f"note: the database {self.name} was not dropped: {e}")


def haproxy_config(front_port, stats_port, nodes):
    """Round robin over the nodes; a node is out after 2 failed readiness checks 0.5 s apart and back
    after one good one. A request sent to a node that refuses the connection is retried on the other
    (redispatch), so a killed node costs clients as few errors as possible before its checks fail."""
    servers = "\n".join(f"  server {n.name} 127.0.0.1:{n.port} check inter 500ms fall 2 rise 1" for n in nodes)
    return f"""global
  maxconn 512

defaults
  mode http
  timeout connect 2s
  # Uploads of a few megabytes and jobs' result pages: generous, but bounded.
  timeout client 30s
  timeout server 30s
  retries 2
  option redispatch

frontend api
  bind 127.0.0.1:{front_port}
  default_backend nodes

backend nodes
  balance roundrobin
  option httpchk GET /health/ready
  http-check expect status 200
{servers}

listen stats
  bind 127.0.0.1:{stats_port}
  stats enable
  stats uri /stats
"""


# --- the API through the balancer ---------------------------------------------------------------------


class Api:
    def __init__(self, base):
        self.base = base
        self.token = None

    def call(self, method, path, body=None, raw=None, content_type="application/json", timeout=60):
        """(status, parsed JSON or None). A 5xx from HAProxy itself (no node to offer) is an answer too."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, None

    def expect(self, status, method, path, **kwargs):
        got, body = self.call(method, path, **kwargs)
        if got != status:
            raise AssertionError(f"{method} {path}: {got} (expected {status}): {body}")
        return body

    def upload(self, source_id, path):
        with open(path, "rb") as f:
            content = f.read()
        name = os.path.basename(path)
        return self.expect(201, "POST", f"/api/v1/data-sources/{source_id}/files?filename={name}", raw=content,
                           content_type="text/csv")

    def ended(self, kind, ids, ended_statuses):
        """The objects (files or jobs) once every one of them has ended, else None."""
        objects = []
        for i in ids:
            status, body = self.call("GET", f"/api/v1/{kind}/{i}", timeout=10)
            if status != 200 or body["status"] not in ended_statuses:
                return None
            objects.append(body)
        return objects


def stats(stats_port):
    """HAProxy's view of each node: {name: "UP" | "DOWN" | ...}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{stats_port}/stats;csv", timeout=5) as response:
        rows = response.read().decode().splitlines()
    header = rows[0].lstrip("# ").split(",")
    out = {}
    for row in rows[1:]:
        cells = dict(zip(header, row.split(",")))
        if cells.get("pxname") == "nodes" and cells.get("svname") not in ("FRONTEND", "BACKEND"):
            out[cells["svname"]] = cells["status"].split(" ")[0]
    return out


# --- the test --------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--oeuvre", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--pg-url-file", required=True, help="holds the maintenance database's URL")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and the database")
    parser.add_argument("--pairs", type=int, default=3, help="generated bank/ledger pairs uploaded (default 3)")
    parser.add_argument("--rows", type=int, default=3000, help="lines of each generated file (default 3000)")
    parser.add_argument("--jobs", type=int, default=4, help="reconciliation jobs run (default 4)")
    parser.add_argument("--large-rows", type=int, default=40000,
                        help="lines a side of the job whose node is killed (default 40000)")
    args = parser.parse_args()

    # Debian installs haproxy in /usr/sbin, which is not on every user's PATH.
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    for program, found in (("haproxy", haproxy), ("psql", shutil.which("psql"))):
        if found is None:
            print(f"FAILED: {program} is not installed: run scripts/setup.sh")
            return 1
    if not os.access(args.oeuvre, os.X_OK):
        print(f"FAILED: {args.oeuvre} is not an executable")
        return 1
    with open(args.pg_url_file) as f:
        admin_url = f.readline().strip()
    if not admin_url:
        print(f"FAILED: no PostgreSQL URL in {args.pg_url_file} (scripts/pg-test-server.sh start DIR)")
        return 1

    folder = tempfile.mkdtemp(prefix="oeuvre-two-nodes-")
    processes = Processes(folder)
    database = None
    nodes = []
    failures = []
    try:
        database = Database(admin_url)
        log(f"database {database.name} created")
        env = dict(os.environ, DATABASE_URL=database.url, HOST="127.0.0.1", PORT="0", METRICS_PORT="-1",
                   # One key on both nodes: a token issued by one is verified by the other.
                   JWT_SECRET=secrets.token_hex(32), PASSWORD_HASH_COST="minimal",
                   INGEST_WORKERS="1", JOB_WORKERS="1",
                   # A dead node's job or file is handed on after 3 s of silence (the least allowed is 2).
                   JOB_STALE_AFTER_SECONDS="3", INGEST_STALE_AFTER_SECONDS="3",
                   SHUTDOWN_GRACE_SECONDS="2",
                   # Every client arrives from HAProxy's address.
                   MAX_CONNECTIONS_PER_IP="1000",
                   # Without REDIS_URL each node's read cache is its own and no node hears of the
                   # other's writes (docs/cache.md): that is a one-node setting.
                   CACHE_ENABLED="false")
        for argv, stdin in (([args.oeuvre, "migrate"], None),
                            ([args.oeuvre, "user", "create", "--email", ADMIN_EMAIL, "--admin"],
                             ADMIN_PASSWORD + "\n")):
            done = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                raise AssertionError(f"{' '.join(argv[1:])} failed: {done.stdout}{done.stderr}")
        log("migrated; admin created")

        # Each node its own VAR_DIR, but one uploads folder, as a shared volume would be: a file is
        # stored on the disk of the node that received it (VAR_DIR/uploads/blobs) and parsed by
        # whichever node claims it first, so with folders apart a node that claims a file the other
        # received fails it with "the stored file is missing". incoming/ is shared too because a
        # stored upload is renamed from incoming/ into blobs/ (one filesystem).
        shared_uploads = os.path.join(folder, "shared-uploads")
        os.mkdir(shared_uploads, 0o700)
        for name in ("node-a", "node-b"):
            var_dir = os.path.join(folder, name)
            os.mkdir(var_dir, 0o700)
            os.symlink(shared_uploads, os.path.join(var_dir, "uploads"))
            nodes.append(Node(processes, name, args.oeuvre, dict(env, VAR_DIR=var_dir)))
        for node in nodes:
            node.wait_listening(120)
        log(", ".join(f"{n.name} on {n.port} (pid {n.child.pid})" for n in nodes))

        front_port, stats_port = free_port(), free_port()
        config = os.path.join(folder, "haproxy.cfg")
        with open(config, "w") as f:
            f.write(haproxy_config(front_port, stats_port, nodes))
        check = subprocess.run([haproxy, "-c", "-q", "-f", config], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise AssertionError(f"haproxy refuses its configuration: {check.stdout}{check.stderr}")
        balancer = processes.start("haproxy", [haproxy, "-db", "-f", config])
        wait_until(lambda: balancer.poll() is None and set(stats(stats_port).values()) == {"UP"}, 30,
                   "HAProxy to see both nodes ready")
        log(f"haproxy on {front_port}: {stats(stats_port)}")
        api = Api(f"http://127.0.0.1:{front_port}")

        # 1. Setup, through the balancer.
        api.token = api.expect(200, "POST", "/api/v1/auth/login",
                               body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})["access_token"]
        project = api.expect(201, "POST", "/api/v1/projects", body={"name": "Two nodes"})["id"]

        def data_source(name, kind, mapping=None):
            body = {"name": name, "kind": kind}
            if mapping:
                body["column_mapping"] = mapping
            return api.expect(201, "POST", f"/api/v1/projects/{project}/data-sources", body=body)["id"]

        bank, ledger = data_source("Bank", "bank", BANK_MAPPING), data_source("Ledger", "ledger")

        # 2. Uploads, one after another so round robin alternates them between the nodes; each node
        # wakes its own ingest worker for the uploads it receives.
        uploads = [(bank, os.path.join(args.source_dir, "samples", "bank.csv"), None),
                   (ledger, os.path.join(args.source_dir, "samples", "ledger.csv"), None)]
        for i in range(args.pairs):
            b, l = write_statements(folder, f"part{i}", i * args.rows, args.rows)
            uploads += [(bank, b, args.rows), (ledger, l, args.rows)]
        files = {}
        for source, path, rows in uploads:
            files[api.upload(source, path)["id"]] = (os.path.basename(path), rows)
        log(f"{len(files)} files uploaded")
        parsed = wait_until(lambda: api.ended("files", files, FILE_ENDED), 120, "every file to be parsed", 0.5)
        for f in parsed:
            name, rows = files[f["id"]]
            if f["status"] != "parsed" or f["rows_failed"] != 0 or (rows is not None and f["rows_ok"] != rows):
                failures.append(f"{name}: {f['status']}, {f['rows_ok']} rows, {f['rows_failed']} failed "
                                f"(expected {rows} rows, none failed): {f.get('error')}")

        def who_parsed():
            """{file id: [names of the nodes whose log says they parsed it]}"""
            parsed_by = {}
            for node in nodes:
                for line in node.log_lines("file parsed"):
                    if line.get("file_id") in files:
                        parsed_by.setdefault(line["file_id"], []).append(node.name)
            return parsed_by

        # Info lines reach the log in batches within 100 ms of being written: give them time.
        try:
            wait_until(lambda: len(who_parsed()) == len(files), 10, "a 'file parsed' line for every file")
        except AssertionError:
            pass  # reported file by file below
        parsed_by = who_parsed()
        for file_id, (name, _) in files.items():
            who = parsed_by.get(file_id, [])
            if len(who) != 1:
                failures.append(f"{name} was parsed by {who or 'no node'} (expected exactly one)")
        log("files parsed: " + ", ".join(f"{files[i][0]} by {'/'.join(w)}" for i, w in parsed_by.items()))

        # 3. Jobs, submitted one after another (round robin again); every job sees every record.
        records = args.pairs * args.rows + 10  # samples/bank.csv and ledger.csv: 10 and 11 lines
        jobs = [api.expect(201, "POST", f"/api/v1/projects/{project}/jobs",
                           body={"name": f"job {i}", "left_data_source_id": bank,
                                 "right_data_source_id": ledger})["id"] for i in range(args.jobs)]
        done = wait_until(lambda: api.ended("jobs", jobs, JOB_ENDED), 150, "every job to end", 0.5)
        ran_by = {}
        worker_names = {n.worker(): n.name for n in nodes}
        for j in done:
            ran_by[j["name"]] = worker_names.get(j["worker"], j["worker"])
            counters = j["counters"]
            if j["status"] != "completed" or j["attempts"] != 1 or counters.get("left_records") != records \
                    or counters.get("matched", 0) < args.pairs * args.rows:
                failures.append(f"{j['name']}: {j['status']}, attempts {j['attempts']}, counters {counters}, "
                                f"error {j['error']} (expected completed once, {records} left records and at "
                                f"least {args.pairs * args.rows} matched)")
        log("jobs completed: " + ", ".join(f"{name} by {who}" for name, who in sorted(ran_by.items())))

        # Both nodes served requests and both did some of the work.
        for node in nodes:
            served = sum(line.get("path", "").startswith("/api/") for line in node.log_lines("request"))
            did = sum(node.name in w for w in parsed_by.values()) + sum(w == node.name for w in ran_by.values())
            log(f"{node.name}: {served} API requests answered, {did} of {len(files) + len(jobs)} files and jobs")
            if served == 0:
                failures.append(f"{node.name} answered no API request: the balancer did not spread them")
            if did == 0:
                failures.append(f"{node.name} parsed no file and ran no job: the work was not spread")

        # 4. A node killed mid-job. Sources of their own, so only this job is large.
        big_bank, big_ledger = data_source("Bank, large", "bank", BANK_MAPPING), data_source("Ledger, large", "ledger")
        first = args.pairs * args.rows + 1_000_000  # amounts and references apart from the others
        b, l = write_statements(folder, "large", first, args.large_rows)
        large = {api.upload(big_bank, b)["id"]: b, api.upload(big_ledger, l)["id"]: l}
        for f in wait_until(lambda: api.ended("files", large, FILE_ENDED), 150, "the large files to be parsed", 0.5):
            if f["status"] != "parsed" or f["rows_ok"] != args.large_rows:
                raise AssertionError(f"a large file: {f['status']}, {f['rows_ok']} rows: {f.get('error')}")
        log(f"large files parsed ({args.large_rows} lines each)")
        job = api.expect(201, "POST", f"/api/v1/projects/{project}/jobs",
                         body={"name": "large, its node killed", "left_data_source_id": big_bank,
                               "right_data_source_id": big_ledger})["id"]

        # Matching or writing (or running for 4 s: a heartbeat may be late): well under way. The
        # job runs about 8 s on the ASan build with 40,000 lines a side, loading the first 3 or so.
        running_since = None

        def under_way():
            nonlocal running_since
            j = api.expect(200, "GET", f"/api/v1/jobs/{job}")
            if j["status"] in JOB_ENDED:
                raise AssertionError(f"the large job ended before its node could be killed (raise "
                                     f"--large-rows): {j['status']}, counters {j['counters']}")
            if j["status"] == "running" and running_since is None:
                running_since = time.monotonic()
            if j["status"] == "running" and (j["phase"] != "loading" or time.monotonic() - running_since >= 4):
                return j

        seen = wait_until(under_way, 60, "the large job to run", 0.1)
        victim = next((n for n in nodes if n.worker() == seen["worker"]), None)
        if victim is None:
            raise AssertionError(f"the large job runs on {seen['worker']}, neither node")
        survivor = next(n for n in nodes if n is not victim)
        victim.child.send_signal(signal.SIGKILL)
        victim.child.wait(timeout=30)
        killed_at = time.monotonic()
        log(f"large job {seen['phase']} at {seen['percent']}% on {victim.name}: {victim.name} killed (SIGKILL)")

        # Polling goes on through the balancer while it notices; every answer (or error) is counted.
        answers = {}

        def large_job_ended():
            try:
                status, j = api.call("GET", f"/api/v1/jobs/{job}", timeout=10)
            except OSError as e:
                answers[type(e).__name__] = answers.get(type(e).__name__, 0) + 1
                raise
            answers[status] = answers.get(status, 0) + 1
            return j if status == 200 and j["status"] in JOB_ENDED else None

        final = wait_until(large_job_ended, 150, "the survivor to finish the large job", 0.5)
        log(f"large job {final['status']} {time.monotonic() - killed_at:.1f} s after the kill, by "
            f"{worker_names.get(final['worker'], final['worker'])}; answers while polling: {answers}")
        view = stats(stats_port)
        log(f"haproxy now: {view}")
        if view.get(victim.name) != "DOWN" or view.get(survivor.name) != "UP":
            failures.append(f"HAProxy should have {victim.name} DOWN and {survivor.name} UP: {view}")
        counters = final["counters"]
        if final["status"] != "completed" or final["worker"] != survivor.worker() or final["attempts"] != 2:
            failures.append(f"the large job: {final['status']} by {final['worker']} after {final['attempts']} "
                            f"claims, error {final['error']} (expected completed by {survivor.name}, "
                            f"{survivor.worker()}, on its second claim)")
        elif counters.get("left_records") != args.large_rows or counters.get("matched") != args.large_rows:
            failures.append(f"the large job's counters: {counters} (expected {args.large_rows} a side, all matched)")
        try:
            wait_until(lambda: any(line.get("job_id") == job
                                   for line in survivor.log_lines("reconciliation job completed")),
                       10, f"{survivor.name}'s 'reconciliation job completed' line for the large job")
        except AssertionError as e:
            failures.append(str(e))
        for line in survivor.log_lines("reconciliation jobs: stale claims handed on"):
            log(f"{survivor.name} logged: {line['msg']} ({line.get('items')})")
        summary = api.expect(200, "GET", f"/api/v1/jobs/{job}/summary")
        log(f"its summary: groups {summary['groups']}, match rate {summary['match_rate']}")
        if summary["groups"].get("matched") != args.large_rows or summary["match_rate"] != 1:
            failures.append(f"the large job's summary: {summary} (expected {args.large_rows} matched groups, "
                            "each result once, and a match rate of 1)")
    except (AssertionError, OSError, urllib.error.URLError, subprocess.TimeoutExpired) as e:
        failures.append(str(e))
    finally:
        processes.stop_all()
        if failures:
            for name in ("node-a", "node-b", "haproxy"):
                lines = processes.text(name).splitlines()
                print(f"--- {name} log (last 30 of {len(lines)} lines) ---\n" + "\n".join(lines[-30:]))
        if args.keep:
            log(f"kept {folder} and the database {database.name if database else '(none)'}")
        else:
            if database is not None:
                database.drop()
            shutil.rmtree(folder, ignore_errors=True)
    if failures:
        for failure in failures:
            print(f"FAILED: {failure}")
        return 1
    log("uploads and jobs spread over both nodes; the survivor finished the killed node's job")
    return 0


if __name__ == "__main__":
    sys.exit(main())
