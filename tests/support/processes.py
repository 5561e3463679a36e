"""What the end-to-end scripts (tests/monitoring/alerting_e2e.py, tests/deploy/two_nodes_haproxy.py)
share: a timestamped log, free loopback ports, bounded waits, and the children they start, each in
its own session and always ended (TERM, then KILL) at the end."""

import os
import signal
import socket
import subprocess
import time
import urllib.error

STARTED = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what, pause=0.2):
    """predicate()'s first true value; AssertionError after `timeout` seconds. Network errors and
    answers that are not JSON count as "not yet" (a server starting, a balancer with no node yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, urllib.error.URLError, ValueError):
            pass
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(pause)


class Processes:
    """Children started by a script. A child's stderr goes to NAME.log in the folder, its stdout to
    NAME.out (or to NAME.log too, with separate_stdout=False)."""

    def __init__(self, folder, separate_stdout=True, stop_timeout=15):
        self.folder = folder
        self.separate_stdout = separate_stdout
        self.stop_timeout = stop_timeout
        self.children = []

    def start(self, name, argv, env=None):
        err = open(os.path.join(self.folder, f"{name}.log"), "w")
        out = open(os.path.join(self.folder, f"{name}.out"), "w") if self.separate_stdout else err
        stderr = err if self.separate_stdout else subprocess.STDOUT
        child = subprocess.Popen(argv, stdout=out, stderr=stderr, env=env, start_new_session=True)
        out.close()
        err.close()
        self.children.append((name, child))
        return child

    def text(self, name, kind="log"):
        try:
            with open(os.path.join(self.folder, f"{name}.{kind}")) as f:
                return f.read()
        except OSError:
            return ""

    def stop_all(self):
        for _, child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for _, child in reversed(self.children):
            try:
                child.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
