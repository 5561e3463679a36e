#!/usr/bin/python3
"""A local endpoint speaking the AWS Secrets Manager JSON protocol (GetSecretValue only), for tests.

Every request's SigV4 signature is recomputed with python3-botocore (sigv4_botocore.py): a request
whose Authorization differs is refused with InvalidSignatureException and logged with
"signature_ok": false, so a wrongly signed request fails the test that reads the log.

    fake_secrets_manager.py --state STATE.json --port-file PORT --log LOG.jsonl

STATE.json is read again on every request (tests rotate secrets by rewriting it):
    {"credentials": {"AKID": "secret key"},
     "secrets": {"prod/jwt": {"AWSCURRENT": "...", "AWSPREVIOUS": "..."}},
     "deny": ["prod/other"],          # AccessDeniedException
     "delay_seconds": 0}              # answer this late (a slow endpoint)
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sigv4_botocore import expected_authorization  # noqa: E402

ARGS = None
LOG_LOCK = threading.Lock()


def log(entry):
    with LOG_LOCK, open(ARGS.log, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\n")


def signature_matches(handler, body, state):
    authorization = handler.headers.get("Authorization", "")
    try:
        credential = authorization.split("Credential=", 1)[1].split(",", 1)[0]
        access_key, _date, region, service, _ = credential.split("/")
        signed = authorization.split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";")
    except (IndexError, ValueError):
        return False, "malformed Authorization"
    secret_key = state.get("credentials", {}).get(access_key)
    if secret_key is None:
        return False, "unknown access key"
    added_by_signer = {"host", "x-amz-date", "x-amz-security-token"}
    headers = {name: handler.headers.get(name, "") for name in signed if name not in added_by_signer}
    case = {
        "method": handler.command,
        "url": "http://" + handler.headers.get("Host", "") + handler.path,
        "params": {},
        "headers": headers,
        "body": body.decode("utf-8", "replace"),
        "region": region,
        "service": service,
        "access_key": access_key,
        "secret_key": secret_key,
        "token": handler.headers.get("X-Amz-Security-Token", ""),
        "amz_date": handler.headers.get("X-Amz-Date", ""),
    }
    expected = expected_authorization(case)
    return expected == authorization, "" if expected == authorization else "signature differs"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, kind, message):
        self.answer(status, {"__type": kind, "message": message})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(length, 1 << 20))
        with open(ARGS.state, encoding="utf-8") as f:
            state = json.load(f)
        ok, why = signature_matches(self, body, state)
        try:
            request = json.loads(body)
        except ValueError:
            request = {}
        secret_id = request.get("SecretId", "")
        stage = request.get("VersionStage", "AWSCURRENT")
        entry = {"secret_id": secret_id, "stage": stage, "signature_ok": ok, "target": self.headers.get("X-Amz-Target")}
        time.sleep(float(state.get("delay_seconds", 0)))
        if not ok:
            entry["status"] = 400
            log(entry)
            return self.error(400, "InvalidSignatureException", why)
        if self.path != "/" or self.headers.get("X-Amz-Target") != "secretsmanager.GetSecretValue":
            entry["status"] = 400
            log(entry)
            return self.error(400, "UnknownOperationException", "only GetSecretValue is served here")
        if secret_id in state.get("deny", []):
            entry["status"] = 400
            log(entry)
            return self.error(400, "AccessDeniedException", "User is not authorized to perform GetSecretValue")
        versions = state.get("secrets", {}).get(secret_id, {})
        if stage not in versions:
            entry["status"] = 400
            log(entry)
            return self.error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
        entry["status"] = 200
        log(entry)
        self.answer(200, {
            "ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + secret_id,
            "Name": secret_id,
            "VersionId": "v-" + str(abs(hash(versions[stage])) % 10**8),
            "SecretString": versions[stage],
            "VersionStages": [stage],
            "CreatedDate": time.time(),
        })


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port", type=int, default=0)
    ARGS = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    server.daemon_threads = True
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(ARGS.port_file + ".tmp", ARGS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
