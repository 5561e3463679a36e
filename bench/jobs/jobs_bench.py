#!/usr/bin/env python3
"""Driver of bench/jobs/run.sh (one process per measured run, so no interpreter start inside a timing).

  jobs_bench.py run BASE TOKEN PROJECT LEFT_CSV RIGHT_CSV RUN SERVER_PID OUT_JSON
      Creates a bank and a ledger data source (not timed), then times: both uploads (two curl
      processes at once) until both files are parsed; POST /projects/{id}/jobs until GET /jobs/{id}
      says completed; the first GET /jobs/{id}/results?per_page=100 answering 200 with items.
      Writes the figures, the job's counters and the server's peak RSS (VmHWM) to OUT_JSON.
  jobs_bench.py summary WORK ROWS BACKEND...
      Prints the per-backend medians and the markdown tables from WORK/run-*.json and WORK/wrk-*.txt.

Any answer other than the expected one stops the run with the request, the expected and the actual
status and body (exit 1).
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

POLL_SECONDS = 0.1
TIMEOUT_SECONDS = float(os.environ.get("JOB_TIMEOUT", "3600"))

# How to read the generator's files (bench/engine/generate_pairs.cpp): explicit, so that detection
# does not decide the figures. The bank file has no currency column.
BANK_MAPPING = {
    "columns": {"external_id": "Transaction ID", "date": "Booking Date", "description": "Description",
                "counterparty": "Counterparty", "reference": "Reference",
                "debit": "Money Out", "credit": "Money In"},
    "date_format": "dd/mm/yyyy", "decimal_separator": ".", "default_currency": "EUR",
}
LEDGER_MAPPING = {
    "columns": {"external_id": "id", "date": "date", "amount": "amount", "currency": "currency",
                "reference": "ref", "description": "memo", "counterparty": "payee"},
    "date_format": "iso", "decimal_separator": ".",
}


class Unexpected(Exception):
    pass


def fail(what, expected, status, body):
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    raise Unexpected(f"{what}\n  expected: {expected}\n  actual:   {status} {text[:2000]}")


def call(base, token, method, path, body=None, expected=(200,), timeout=600):
    """One request; returns (status, parsed JSON or None, raw length). Fails on an unexpected status."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + token})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            status, raw = res.status, res.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    if status not in expected:
        fail(f"{method} {path}" + (f" {json.dumps(body)}" if body is not None else ""),
             " or ".join(map(str, expected)), status, raw)
    return status, (json.loads(raw) if raw else None), len(raw)


def vm_hwm_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def parse_ts(text):
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def seconds_between(a, b):
    a, b = parse_ts(a), parse_ts(b)
    return (b - a).total_seconds() if a and b else None


def run(base, token, project, left_csv, right_csv, run_no, server_pid, out_json):
    sources = {}
    for side, kind, mapping in (("left", "bank", BANK_MAPPING), ("right", "ledger", LEDGER_MAPPING)):
        _, ds, _ = call(base, token, "POST", f"/api/v1/projects/{project}/data-sources",
                        {"name": f"{kind} {run_no} {os.getpid()}", "kind": kind, "column_mapping": mapping},
                        expected=(201,))
        sources[side] = ds["id"]

    # --- upload + parse ---------------------------------------------------------------------------
    t0 = time.monotonic()
    uploads = {}
    for side, path in (("left", left_csv), ("right", right_csv)):
        url = f"{base}/api/v1/data-sources/{sources[side]}/files?filename={os.path.basename(path)}"
        uploads[side] = subprocess.Popen(
            ["curl", "-sS", "-H", "Authorization: Bearer " + token, "-H", "Content-Type: text/csv",
             "--data-binary", "@" + path, "-w", "\n%{http_code}", url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    files, uploaded_at = {}, {}
    pending = dict(uploads)
    while pending:
        for side, proc in list(pending.items()):
            if proc.poll() is None:
                continue
            uploaded_at[side] = time.monotonic() - t0
            out, err = proc.communicate()
            body, _, code = out.decode("utf-8", "replace").rpartition("\n")
            if proc.returncode != 0 or code != "201":
                fail(f"POST /api/v1/data-sources/{sources[side]}/files ({side} file, curl exit {proc.returncode}: "
                     f"{err.decode().strip()})", 201, code, body)
            files[side] = json.loads(body)["id"]
            del pending[side]
        time.sleep(0.02)
    parsed, last_change, warned = {}, {}, set()
    while len(parsed) < 2:
        for side in ("left", "right"):
            if side in parsed:
                continue
            _, f, _ = call(base, token, "GET", f"/api/v1/files/{files[side]}")
            state = (f["status"], f["progress"], f["updated_at"])
            if last_change.get(side, (None,))[0] != state:
                last_change[side] = (state, time.monotonic())
            elif time.monotonic() - last_change[side][1] > 30 and side not in warned:
                warned.add(side)
                print(f"  warning: GET /api/v1/files/{files[side]} ({side} file): no change for 30 s: "
                      f"status {f['status']}, progress {f['progress']:.4f}, updated_at {f['updated_at']}",
                      file=sys.stderr)
            if f["status"] == "failed":
                fail(f"GET /api/v1/files/{files[side]} ({side} file)", "parsed", 200, json.dumps(f))
            if f["status"] == "parsed":
                parsed[side] = {"rows_ok": f["rows_ok"], "rows_failed": f["rows_failed"],
                                "seconds": time.monotonic() - t0}
        if time.monotonic() - t0 > TIMEOUT_SECONDS:
            fail("parsing", f"both files parsed within {TIMEOUT_SECONDS:.0f} s", "timeout", json.dumps(parsed))
        if len(parsed) < 2:
            time.sleep(POLL_SECONDS)
    t1 = time.monotonic()
    for side in ("left", "right"):
        if parsed[side]["rows_failed"]:
            print(f"  warning: {side} file: {parsed[side]['rows_failed']} rows failed "
                  f"(GET /api/v1/files/{files[side]}/errors)", file=sys.stderr)

    # --- job: queued -> completed -----------------------------------------------------------------
    _, job, _ = call(base, token, "POST", f"/api/v1/projects/{project}/jobs",
                     {"name": f"bench run {run_no}", "left_data_source_id": sources["left"],
                      "right_data_source_id": sources["right"]}, expected=(201,))
    t2 = time.monotonic()
    job_id = job["id"]
    phases = {}  # first time (s after t1) each status/phase was seen
    while True:
        _, job, _ = call(base, token, "GET", f"/api/v1/jobs/{job_id}")
        key = f"{job['status']}/{job.get('phase')}"
        phases.setdefault(key, round(time.monotonic() - t1, 2))
        if job["status"] in ("completed", "failed", "cancelled"):
            break
        if time.monotonic() - t2 > TIMEOUT_SECONDS:
            fail(f"GET /api/v1/jobs/{job_id}", f"completed within {TIMEOUT_SECONDS:.0f} s", "timeout",
                 json.dumps(job))
        time.sleep(POLL_SECONDS)
    t3 = time.monotonic()
    if job["status"] != "completed":
        fail(f"GET /api/v1/jobs/{job_id}", "status completed", 200, json.dumps(job))

    # --- first results page ---------------------------------------------------------------------
    _, page, size = call(base, token, "GET", f"/api/v1/jobs/{job_id}/results?per_page=100")
    if not page.get("items"):
        fail(f"GET /api/v1/jobs/{job_id}/results?per_page=100", "200 with items", 200, json.dumps(page))
    t4 = time.monotonic()

    check = check_pages(base, token, job_id, page)

    result = {
        "run": run_no, "job_id": job_id, "files": files, "parsed": parsed,
        "uploaded_s": uploaded_at,
        "upload_parse_s": t1 - t0, "job_post_s": t2 - t1, "job_s": t3 - t2, "first_page_s": t4 - t3,
        "total_s": t4 - t0,
        "first_page_items": len(page["items"]), "first_page_bytes": size,
        "first_page_has_next": page.get("next_cursor") is not None,
        "counters": job.get("counters"), "records_total": job.get("records_total"),
        "attempts": job.get("attempts"), "worker": job.get("worker"),
        "server_queue_s": seconds_between(job.get("created_at"), job.get("started_at")),
        "server_run_s": seconds_between(job.get("started_at"), job.get("finished_at")),
        "phases_seen": phases, "peak_rss_mib": vm_hwm_mib(server_pid), "page_check": check,
    }
    with open(out_json, "w") as f:
        json.dump(result, f, indent=1)
    c = result["counters"] or {}
    print(f"  run {run_no}: upload+parse {result['upload_parse_s']:.2f} s "
          f"(uploads sent {uploaded_at['left']:.2f} / {uploaded_at['right']:.2f} s, parsed "
          f"{parsed['left']['seconds']:.2f} / {parsed['right']['seconds']:.2f} s; rows "
          f"{parsed['left']['rows_ok']} + {parsed['right']['rows_ok']}, failed "
          f"{parsed['left']['rows_failed']} + {parsed['right']['rows_failed']}), "
          f"POST job {result['job_post_s'] * 1000:.0f} ms, "
          f"job queued->completed {result['job_s']:.2f} s (server: queued {fmt(result['server_queue_s'])}, "
          f"ran {fmt(result['server_run_s'])}), first results page {result['first_page_s'] * 1000:.0f} ms "
          f"({len(page['items'])} items, {size / 1024:.0f} KiB); total {result['total_s']:.2f} s; "
          f"server peak RSS so far {fmt(result['peak_rss_mib'], '{:.0f} MiB')}")
    print(f"         job {job_id}: phases first seen (s after parsed): {json.dumps(phases)}")
    print(f"         counters: {json.dumps(c, sort_keys=True)}")
    print(f"         pagination check (not timed): {check['summary']}")


def check_pages(base, token, job_id, first_page):
    """Walks up to CHECK_PAGES pages one after the other (after the timing) and checks the keyset
    pages: no result twice, (confidence desc, id asc) order, a next_cursor that moves."""
    limit = int(os.environ.get("CHECK_PAGES", "100"))
    seen, repeated, disorder, stuck_at, latencies = set(), 0, 0, None, []
    last_key, page, cursor, pages = None, first_page, None, 0
    while True:
        pages += 1
        for item in page["items"]:
            if item["id"] in seen:
                repeated += 1
            seen.add(item["id"])
            key = (-item["confidence"], item["id"])
            if last_key is not None and key < last_key:
                disorder += 1
            last_key = key
        next_cursor = page.get("next_cursor")
        if next_cursor is None or pages >= limit:
            break
        if next_cursor == cursor:
            stuck_at = pages
            break
        cursor = next_cursor
        path = f"/api/v1/jobs/{job_id}/results?per_page=100&cursor={urllib.parse.quote(cursor, safe='')}"
        t = time.monotonic()
        _, page, _ = call(base, token, "GET", path)
        latencies.append((time.monotonic() - t) * 1000)
    ok = repeated == 0 and disorder == 0 and stuck_at is None
    text = (f"{pages} pages, {len(seen)} distinct results, {repeated} repeated, {disorder} out of order"
            + (f", next_cursor unchanged after page {stuck_at} (the walk never ends)" if stuck_at else "")
            + (f"; later pages one at a time: median {statistics.median(latencies):.1f} ms, "
               f"max {max(latencies):.1f} ms" if latencies else "")
            + ("" if ok else "  <-- PAGINATION BROKEN"))
    if not ok:
        print(f"  warning: GET /api/v1/jobs/{job_id}/results?per_page=100 following next_cursor: "
              f"expected disjoint pages in (confidence desc, id) order; actual: {text}", file=sys.stderr)
    return {"ok": ok, "pages": pages, "distinct": len(seen), "repeated": repeated, "disorder": disorder,
            "stuck_at": stuck_at, "summary": text}


def fmt(v, pattern="{:.2f} s"):
    return "n/a" if v is None else pattern.format(v)


def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s|m)\b", v).groups()
    return float(n) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[u]


def parse_wrk(path):
    try:
        text = open(path).read()
    except OSError:
        return None
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    if not (rps and p50 and p99):
        return None
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(r"Socket errors: (.*)", text)
    requests = re.search(r"(\d+) requests in", text)
    walk = re.search(r"^walk: (.*)$", text, re.M)
    return {"rps": float(rps.group(1)), "p50": ms(p50.group(1)), "p99": ms(p99.group(1)),
            "non2xx": int(errors.group(1)) if errors else 0, "requests": int(requests.group(1)) if requests else 0,
            "socket_errors": sockets.group(1).strip() if sockets else "", "walk": walk.group(1) if walk else ""}


def summary(work, rows, backends):
    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def cell(values, pattern="{:.2f}"):
        values = [v for v in values if v is not None]
        if not values:
            return "n/a"
        m = pattern.format(statistics.median(values))
        return m if len(values) == 1 else f"{m} ({', '.join(pattern.format(v) for v in values)})"

    table1, table2, table3 = [], [], []
    for backend in backends:
        runs = []
        i = 1
        while os.path.exists(f"{work}/run-{backend}-{i}.json"):
            runs.append(json.load(open(f"{work}/run-{backend}-{i}.json")))
            i += 1
        if not runs:
            continue
        name = {"postgres": "PostgreSQL 15", "sqlite": "SQLite"}.get(backend, backend)
        rss = None
        try:
            text = open(f"{work}/time-{backend}.txt").read()
            rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
        except (OSError, AttributeError):
            rss = med([r["peak_rss_mib"] for r in runs[-1:]])
        last = runs[-1]
        left, right = last["parsed"]["left"]["rows_ok"], last["parsed"]["right"]["rows_ok"]
        print(f"[{backend}] medians over {len(runs)} runs: upload+parse {fmt(med(r['upload_parse_s'] for r in runs))}, "
              f"job queued->completed {fmt(med(r['job_s'] for r in runs))}, first results page "
              f"{fmt(med(r['first_page_s'] for r in runs), '{:.3f} s')}, total {fmt(med(r['total_s'] for r in runs))}; "
              f"server peak RSS {fmt(rss, '{:.0f} MiB')}")
        table1.append(f"| {name} | {left:,} × {right:,} | {cell([r['upload_parse_s'] for r in runs])} s "
                      f"| {cell([r['job_s'] for r in runs])} s | {cell([r['first_page_s'] * 1000 for r in runs], '{:.0f}')} ms "
                      f"| {cell([r['total_s'] for r in runs])} s | {fmt(rss, '{:,.0f} MiB')} |")
        c = last.get("counters") or {}
        keys = ("matched", "suggested", "unmatched_left", "unmatched_right", "one_to_one", "one_to_many", "many_to_one")
        def num(k):
            return f"{c[k]:,}" if isinstance(c.get(k), int) else "n/a"
        check = last.get("page_check") or {}
        table2.append(f"| {name} | {num('left_records')} × {num('right_records')} | "
                      + " | ".join(num(k) for k in keys)
                      + f" | {'ok' if check.get('ok') else 'BROKEN'}: {check.get('summary', 'n/a')} |")
        for variant, label in (("first", "first page, `per_page=100`"),
                               ("single", "first page, `per_page=100`, one client (`-t1 -c1`)"),
                               ("walk", "walking `next_cursor`, `per_page=100`")):
            w = parse_wrk(f"{work}/wrk-{variant}-{backend}.txt")
            if w is None:
                if os.path.exists(f"{work}/wrk-{variant}-{backend}.txt"):
                    table3.append(f"| {name} | {label} | wrk output unreadable | | | |")
                continue
            extra = f" ({w['walk']})" if w["walk"] else ""
            if w["socket_errors"]:
                extra += f" socket errors: {w['socket_errors']}"
            table3.append(f"| {name} | {label}{extra} | {w['rps']:,.0f} | {w['p50']:.2f} ms | {w['p99']:.2f} ms "
                          f"| {w['non2xx']} of {w['requests']:,} |")

    print()
    print(f"Upload → results queryable, {rows:,}-row pair (median (runs)):")
    print()
    print("| backend | records left × right | upload + parse | job queued → completed | first results page | total | server peak RSS |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(table1))
    print()
    print("Job counters (last run):")
    print()
    print("| backend | left × right | matched | suggested | unmatched left | unmatched right | 1:1 | 1:N | N:1 | next_cursor walk check |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(table2))
    if table3:
        print()
        print("`GET /api/v1/jobs/{id}/results` on the completed job (wrk):")
        print()
        print("| backend | query | req/s | p50 | p99 | non-2xx |")
        print("|---|---|---|---|---|---|")
        print("\n".join(table3))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "run" and len(sys.argv) == 10:
        try:
            run(*sys.argv[2:8], sys.argv[8], sys.argv[9])
        except Unexpected as e:
            print(f"unexpected answer: {e}", file=sys.stderr)
            sys.exit(1)
    elif len(sys.argv) >= 4 and sys.argv[1] == "summary":
        summary(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
