#!/usr/bin/env python3
"""The alerting path end to end, with real programs on loopback ports of a temp folder:

    oeuvre serve (PostgreSQL, a pool of 2)  <-scrape-  prometheus  -alerts->  alertmanager  -Slack->  receiver here

The rules are monitoring/alerts.yaml with every duration divided by 60 (one minute becomes one
second: `for:` and range selectors), the Alertmanager configuration is monitoring/alertmanager.yml
with short group timings and the Slack webhook file pointing at a small HTTP receiver in this
script. Two real conditions are provoked, and for each the Slack-formatted firing notification must
arrive, then a resolved one once the condition ends:

  1. the pool of two held by slow queries: a transaction outside holds an exclusive lock on the
     projects table, and requests listing projects wait behind it, each holding a pooled connection
     (OeuvreDbPoolSaturated);
  2. the database stopped: readiness fails (OeuvreNotReady) and requests answer 503
     (OeuvreHighErrorRate); then PostgreSQL starts again on the same port.

usage: alerting_e2e.py --oeuvre BIN --source-dir DIR [--keep]
Exits 0 when every notification arrived; prints what happened either way. Needs PostgreSQL 15,
prometheus, prometheus-alertmanager (scripts/setup.sh).
"""

import argparse
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from processes import Processes, free_port, log, wait_until  # noqa: E402

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
METRICS_TOKEN = "e2e-metrics-token-4f1c9a0b7d2e"
# --- the configuration under test, shortened -------------------------------------------------------

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def shorten(duration):
    """'5m' -> '5s', '1h' -> '60s': one minute becomes one second (at least one second)."""
    seconds = sum(int(n) * UNIT_SECONDS[u] for n, u in re.findall(r"(\d+)([smhd])", duration))
    return f"{max(1, seconds // 60)}s"


def test_rules(source_dir):
    """monitoring/alerts.yaml with `for:` and every range selector shortened."""
    with open(os.path.join(source_dir, "monitoring", "alerts.yaml")) as f:
        rules = yaml.safe_load(f)
    for group in rules["groups"]:
        group["interval"] = "1s"
        for rule in group["rules"]:
            rule["expr"] = re.sub(r"\[(\d+[smhd])\]", lambda m: f"[{shorten(m.group(1))}]", rule["expr"])
            if "for" in rule:
                rule["for"] = shorten(rule["for"])
    return rules


def test_alertmanager_config(source_dir, slack_url_file):
    """monitoring/alertmanager.yml with the Slack URL file ours and timings of seconds."""
    with open(os.path.join(source_dir, "monitoring", "alertmanager.yml")) as f:
        config = yaml.safe_load(f)
    config["global"]["resolve_timeout"] = "10s"
    route = config["route"]
    route.update(group_wait="1s", group_interval="2s", repeat_interval="1h")
    for receiver in config["receivers"]:
        for slack in receiver.get("slack_configs", []):
            assert "api_url" not in slack, "the Slack URL must come from a file"
            slack["api_url_file"] = slack_url_file
    return config


def test_prometheus_config(source_dir, metrics_port, alertmanager_port, rules_file, token_file):
    """monitoring/prometheus.yml scraping our node every second, with its token."""
    with open(os.path.join(source_dir, "monitoring", "prometheus.yml")) as f:
        config = yaml.safe_load(f)
    config["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    config["rule_files"] = [rules_file]
    config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] = [f"127.0.0.1:{alertmanager_port}"]
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "oeuvre")
    job["static_configs"][0]["targets"] = [f"127.0.0.1:{metrics_port}"]
    job["authorization"] = {"type": "Bearer", "credentials_file": token_file}
    return config


# --- the Slack stand-in ---------------------------------------------------------------------------------


class SlackReceiver:
    """Records the JSON bodies POSTed to it, as Slack's incoming webhook would receive them."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    message = json.loads(body)
                except ValueError:
                    message = {"unparsed": body.decode("utf-8", "replace")}
                with receiver.lock:
                    receiver.messages.append(message)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/XXXX"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def notifications(self):
        """(status, alertname, title, text, color) of each Slack attachment received so far."""
        out = []
        with self.lock:
            for message in self.messages:
                for a in message.get("attachments", []):
                    title = a.get("title", "")
                    status = "resolved" if title.startswith("[RESOLVED]") else "firing" if "[FIRING" in title else "?"
                    name = re.sub(r"^\[[^\]]*\]\s*", "", title).split(" ")[0]
                    out.append((status, name, title, a.get("text", ""), a.get("color", "")))
        return out

    def wait_for(self, status, alertname, timeout, since=0):
        """The first notification of `status` for `alertname` among those from index `since` on, and
        its index; (None, since) when none came within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, n in enumerate(self.notifications()):
                if i >= since and n[0] == status and n[1] == alertname:
                    return n, i
            time.sleep(0.2)
        return None, since


# --- processes -------------------------------------------------------------------------------------------


def http_json(method, url, body=None, token=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Traffic:
    """`threads` clients listing projects in a loop until stopped; counts answers by status."""

    def __init__(self, api, token, threads, pause):
        self.api, self.token, self.pause = api, token, pause
        self.stopping = threading.Event()
        self.statuses = {}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def run(self):
        while not self.stopping.is_set():
            try:
                status, _ = http_json("GET", f"{self.api}/api/v1/projects", token=self.token, timeout=60)
            except (OSError, urllib.error.URLError):
                status = 0
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
            self.stopping.wait(self.pause)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=60)
        return dict(self.statuses)


class PostgresServer:
    """A throwaway PostgreSQL (scripts/pg-test-server.sh) that can be stopped and started again."""

    def __init__(self, source_dir, folder):
        self.script = os.path.join(source_dir, "scripts", "pg-test-server.sh")
        self.folder = folder
        subprocess.run(["bash", self.script, "start", folder], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(folder, "url")) as f:
            self.url = f.read().strip()
        self.port = int(re.search(r":(\d+)/", self.url).group(1))
        workdir_file = os.path.join(folder, "workdir")
        workdir = open(workdir_file).read().strip() if os.path.exists(workdir_file) else folder
        self.datadir = os.path.join(workdir, "data")
        self.logfile = os.path.join(workdir, "log")

    def _pg_ctl(self, *args):
        argv = [os.path.join(PG_BIN, "pg_ctl"), *args]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        self._pg_ctl("stop", "-D", self.datadir, "-m", "fast", "-w", "-t", "30")

    def start(self):
        self._pg_ctl("start", "-D", self.datadir, "-l", self.logfile, "-w", "-t", "60", "-o", f"-p {self.port}")

    def remove(self):
        subprocess.run(["bash", self.script, "stop", self.folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class TableLock:
    """A session outside the server that holds an exclusive lock on `table` until released."""

    def __init__(self, url, table):
        self.psql = subprocess.Popen(["psql", url, "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        self.psql.stdin.write(f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE;\n")
        self.psql.stdin.flush()
        probe = ("SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted "
                 f"AND relation = '{table}'::regclass")
        wait_until(lambda: subprocess.run(["psql", url, "-tAc", probe], capture_output=True, text=True)
                   .stdout.strip() == "1", 20, f"the lock on {table}")

    def release(self):
        self.psql.stdin.write("ROLLBACK;\n")
        self.psql.stdin.close()
        self.psql.wait(timeout=20)


def firing_alerts(prom):
    """The names of the alerts Prometheus has firing now, the Watchdog left out."""
    status, body = http_json("GET", f"{prom}/api/v1/alerts")
    alerts = json.loads(body)["data"]["alerts"] if status == 200 else []
    return sorted({a["labels"]["alertname"] for a in alerts
                   if a["state"] == "firing" and a["labels"]["alertname"] != "Watchdog"})


def check_dashboard(source_dir, prom, failures):
    """Every query of the Grafana dashboard is valid PromQL and, for the metrics a fresh node already
    exports, returns data from the live Prometheus."""
    with open(os.path.join(source_dir, "monitoring", "grafana", "oeuvre.json")) as f:
        dashboard = json.load(f)
    checked = 0
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = (target["expr"].replace("$service", "oeuvre").replace("$instance", ".*")
                    .replace("$__rate_interval", "5s"))
            status, body = http_json("GET", f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
            if status != 200 or json.loads(body).get("status") != "success":
                failures.append(f"dashboard panel {panel['title']!r}: {expr} -> {status} {body[:200]!r}")
            checked += 1
    log(f"the dashboard's {checked} queries are valid PromQL")


# --- the test --------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--oeuvre", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args()
    for program in ("prometheus", "prometheus-alertmanager", "psql"):
        if shutil.which(program) is None:
            print(f"FAILED: {program} is not installed (scripts/setup.sh installs it)")
            return 1

    folder = tempfile.mkdtemp(prefix="oeuvre-alerting-")
    os.chmod(folder, 0o755)
    processes = Processes(folder, separate_stdout=False, stop_timeout=10)
    pg = None
    failures = []
    try:
        pg = PostgresServer(args.source_dir, os.path.join(folder, "pg"))
        log(f"PostgreSQL on port {pg.port}")
        slack = SlackReceiver()
        slack_url_file = os.path.join(folder, "slack_webhook_url")
        with open(slack_url_file, "w") as f:
            f.write(slack.url + "\n")
        token_file = os.path.join(folder, "metrics_token")
        with open(token_file, "w") as f:
            f.write(METRICS_TOKEN + "\n")

        api_port, metrics_port, prometheus_port, alertmanager_port = (free_port() for _ in range(4))
        env = dict(os.environ, DATABASE_URL=pg.url, HOST="127.0.0.1", PORT=str(api_port),
                   METRICS_ADDRESS="127.0.0.1", METRICS_PORT=str(metrics_port), METRICS_TOKEN=METRICS_TOKEN,
                   DB_POOL_SIZE="2", DB_WAIT_TIMEOUT_MS="1000", WORKER_THREADS="6", JOB_WORKERS="0",
                   INGEST_WORKERS="0", VAR_DIR=os.path.join(folder, "var"), PASSWORD_HASH_COST="minimal",
                   LOG_LEVEL="warn", SHUTDOWN_GRACE_SECONDS="2",
                   # The conditions are provoked through reads of the API (the database stopped, the pool
                   # held): with the read cache on, those reads would be answered without the database.
                   CACHE_ENABLED="false")
        server = processes.start("oeuvre", [args.oeuvre, "serve"], env)
        wait_until(lambda: "listening on http://" in processes.text("oeuvre") or server.poll() is not None,
                   120, "oeuvre serve to listen")
        if server.poll() is not None:
            raise AssertionError("oeuvre serve ended:\n" + processes.text("oeuvre"))
        api = f"http://127.0.0.1:{api_port}"
        log(f"oeuvre serve: API on {api_port}, metrics on {metrics_port}")

        rules_file = os.path.join(folder, "alerts.test.yaml")
        with open(rules_file, "w") as f:
            yaml.safe_dump(test_rules(args.source_dir), f, sort_keys=False)
        am_config = os.path.join(folder, "alertmanager.yml")
        with open(am_config, "w") as f:
            yaml.safe_dump(test_alertmanager_config(args.source_dir, slack_url_file), f, sort_keys=False)
        prom_config = os.path.join(folder, "prometheus.yml")
        with open(prom_config, "w") as f:
            yaml.safe_dump(test_prometheus_config(args.source_dir, metrics_port, alertmanager_port, rules_file,
                                                  token_file), f, sort_keys=False)
        processes.start("alertmanager", [
            "prometheus-alertmanager", f"--config.file={am_config}", f"--storage.path={folder}/am",
            f"--web.listen-address=127.0.0.1:{alertmanager_port}", "--cluster.listen-address=",
            "--log.level=warn"])
        processes.start("prometheus", [
            "prometheus", f"--config.file={prom_config}", f"--storage.tsdb.path={folder}/prom",
            f"--web.listen-address=127.0.0.1:{prometheus_port}", "--rules.alert.resend-delay=1s",
            "--log.level=warn"])
        prom = f"http://127.0.0.1:{prometheus_port}"

        def target_up():
            status, body = http_json("GET", f"{prom}/api/v1/query?query=up%7Bjob%3D%22oeuvre%22%7D")
            result = json.loads(body)["data"]["result"]
            return status == 200 and result and result[0]["value"][1] == "1"

        wait_until(target_up, 60, "Prometheus to scrape oeuvre with its token")
        wait_until(lambda: http_json("GET", f"http://127.0.0.1:{alertmanager_port}/-/ready")[0] == 200, 30,
                   "Alertmanager")
        log("Prometheus scrapes oeuvre; Alertmanager is ready")

        check_dashboard(args.source_dir, prom, failures)

        assert http_json("POST", f"{api}/api/v1/auth/register",
                         {"email": "ops@example.com", "password": "correct horse battery"})[0] == 202
        status, body = http_json("POST", f"{api}/api/v1/auth/login",
                                 {"email": "ops@example.com", "password": "correct horse battery"})
        assert status == 200, body
        token = json.loads(body)["access_token"]
        assert http_json("POST", f"{api}/api/v1/projects", {"name": "Watched"}, token)[0] == 201

        def expect(status, alertname, timeout, since):
            """Waits for the notification; returns the index to look for its sequel from."""
            got, index = slack.wait_for(status, alertname, timeout, since)
            if got is None:
                failures.append(f"no {status} Slack notification for {alertname} within {timeout} s")
                log(f"MISSING: {status} {alertname}")
            else:
                log(f"Slack got {status} {alertname}: {got[2]!r}")
                if status == "firing" and "Runbook: docs/runbooks.md#" not in got[3]:
                    failures.append(f"the {alertname} notification has no runbook link: {got[3]!r}")
                if got[4] != ("danger" if status == "firing" else "good"):
                    failures.append(f"the {alertname} {status} notification is coloured {got[4]!r}")
            return index + 1

        # 1. The pool of two held by slow queries.
        log("condition 1: a lock outside holds the projects table; requests wait on both pooled connections")
        mark = len(slack.notifications())
        lock = TableLock(pg.url, "projects")
        traffic = Traffic(api, token, threads=4, pause=0.05)
        after = expect("firing", "OeuvreDbPoolSaturated", 45, mark)
        lock.release()
        log(f"lock released; answers so far: {traffic.stop()}")
        expect("resolved", "OeuvreDbPoolSaturated", 45, after)
        # What else the held pool set off (the readiness check times out on it too; waits past
        # DB_WAIT_TIMEOUT_MS answer 503) ends before the next condition, whose alerts must fire anew.
        watched = {"OeuvreDbPoolSaturated", "OeuvreNotReady", "OeuvreHighErrorRate"}
        wait_until(lambda: not watched & set(firing_alerts(prom)), 45, f"{sorted(watched)} to end")

        # 2. The database stopped.
        log("condition 2: PostgreSQL stopped")
        mark = len(slack.notifications())
        traffic = Traffic(api, token, threads=2, pause=0.1)
        pg.stop()
        not_ready = expect("firing", "OeuvreNotReady", 45, mark)
        errors = expect("firing", "OeuvreHighErrorRate", 45, mark)
        pg.start()
        log("PostgreSQL started again")
        expect("resolved", "OeuvreNotReady", 45, not_ready)
        expect("resolved", "OeuvreHighErrorRate", 45, errors)
        log(f"answers during and after the outage: {traffic.stop()}")
    except AssertionError as e:
        failures.append(str(e))
    finally:
        processes.stop_all()
        if pg is not None:
            pg.remove()
        if failures:
            for name in ("oeuvre", "prometheus", "alertmanager"):
                text = processes.text(name)
                print(f"--- {name} log (last 40 lines) ---\n" + "\n".join(text.splitlines()[-40:]))
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if failures:
        for failure in failures:
            print(f"FAILED: {failure}")
        return 1
    log("every notification arrived")
    return 0


if __name__ == "__main__":
    sys.exit(main())
