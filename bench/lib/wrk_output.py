"""What the HTTP benchmarks read from a saved `wrk --latency` output (bench/http_bench.sh,
bench/observability.sh): requests/s, latency percentiles in ms, non-2xx answers, requests served,
and the `cpu_ticks N` line bench/observability.sh appends (the server's CPU during the run)."""
import re


def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse(path):
    text = open(path).read()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    ticks = re.search(r"cpu_ticks (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": ms(re.search(r"\s50%\s+(\S+)", text).group(1)),
        "p99": ms(re.search(r"\s99%\s+(\S+)", text).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
        "cpu_ticks": int(ticks.group(1)) if ticks else None,
    }
