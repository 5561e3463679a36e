#!/usr/bin/python3
"""SigV4 as botocore (python3-botocore from Debian) computes it: the reference Oeuvre's signing is
checked against. As a script it reads a JSON list of requests on stdin and prints, per request, the
Authorization header botocore would send; as a module, expected_authorization() serves test servers
that check the signature of every request they receive.

A request: {"method", "url" (scheme://host[:port]/encoded-path, no query), "params" (unencoded
name -> value), "headers" (name -> value, without the x-amz-* ones botocore adds), "body" (text),
"region", "service", "access_key", "secret_key", "token" (or ""), "amz_date" ("20261206T101500Z")}.
"""
import json
import sys

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def expected_authorization(case):
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("token") or None)
    request = AWSRequest(method=case["method"], url=case["url"], headers=dict(case.get("headers", {})),
                         params=dict(case.get("params", {})), data=case.get("body", "").encode())
    signer_class = S3SigV4Auth if case["service"] == "s3" else SigV4Auth
    signer = signer_class(credentials, case["service"], case["region"])
    # add_auth() without its clock: the request time is the case's.
    request.context["timestamp"] = case["amz_date"]
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    signature = signer.signature(string_to_sign, request)
    signer._inject_signature_to_request(request, signature)
    return request.headers["Authorization"]


if __name__ == "__main__":
    cases = json.load(sys.stdin)
    for case in cases:
        print(expected_authorization(case))
