"""`ddbload serve` around the API, as a browser, a load balancer's health check or an SDK meets it: a GET is
DynamoDB's health answer, a browser's preflight is allowed from any origin and so is every answer to a
request that names an origin, other methods are 404, and every answer carries x-amz-crc32 (which botocore
checks against the body it read). DynamoDB's own answers here are as recorded from the service by the
public emulator suite named in issue 30; DynamoDB Local answers none of these as DynamoDB does.
"""

from __future__ import annotations

import http.client
import json
import re
import zlib
from urllib.parse import urlsplit

from conftest import SIGNED, client_for


class Answer:
    """One HTTP answer, read whole (its connection closed)."""

    def __init__(self, url: str, method: str, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request(method, "/", body=body, headers=headers or {})
            response = connection.getresponse()
            self.status, self.body = response.status, response.read()
            self.headers = {name.lower(): value for name, value in response.getheaders()}
        finally:
            connection.close()

    def getheader(self, name: str) -> str | None:
        return self.headers.get(name)


def test_a_get_is_the_health_answer_with_its_checksum(offline):
    answer = Answer(offline, "GET")
    body = answer.body
    assert (answer.status, body) == (200, b"healthy: dynamodb.us-east-1.amazonaws.com ")
    assert answer.getheader("x-amz-crc32") == str(zlib.crc32(body))
    assert answer.getheader("content-length") == str(len(body))


def test_a_browsers_preflight_is_allowed_and_so_is_the_call_after_it(offline, local_credentials):
    asked = {"Origin": "http://localhost:3000", "Access-Control-Request-Headers": "content-type, x-amz-target",
             "Access-Control-Request-Method": "POST"}  # fmt: skip
    answer = Answer(offline, "OPTIONS", asked)
    assert (answer.status, answer.body) == (200, b"")
    assert answer.getheader("access-control-allow-origin") == "*"
    assert answer.getheader("access-control-allow-headers") == "content-type, x-amz-target"
    assert answer.getheader("access-control-allow-methods") == "POST"
    assert answer.getheader("access-control-max-age") == "172800"

    headers = {"Origin": "http://localhost:3000", "X-Amz-Target": "DynamoDB_20120810.ListTables",
               "Content-Type": "application/x-amz-json-1.0", **SIGNED}  # fmt: skip
    answer = Answer(offline, "POST", headers, b"{}")
    body = answer.body
    assert (answer.status, json.loads(body)) == (200, {"TableNames": []})
    assert answer.getheader("access-control-allow-origin") == "*"
    assert answer.getheader("x-amz-crc32") == str(zlib.crc32(body))
    # botocore checks x-amz-crc32 on DynamoDB's answers: a wrong one would fail this call.
    assert client_for(offline).list_tables()["TableNames"] == []


def test_other_methods_and_a_preflight_without_an_origin_are_404(offline):
    for method in ("PUT", "DELETE", "OPTIONS"):
        answer = Answer(offline, method)
        assert (answer.status, answer.body) == (404, b"<UnknownOperationException/>\n"), method
        assert answer.getheader("access-control-allow-origin") is None
    assert re.fullmatch(r"DDBLOAD[0-9]{45}", answer.getheader("x-amzn-requestid") or "")


LIST_TABLES = {"X-Amz-Target": "DynamoDB_20120810.ListTables"}


def test_a_call_is_read_as_dynamodb_reads_it_json_then_target_then_signature(offline):
    """Each step refused as DynamoDB refuses it, before anything else is read: a body in another type is
    no operation (404); a body that is not JSON, a target that is no operation, an unsigned call, a
    signature missing its parts are each their own error. A signed call is answered in the JSON type
    it was sent in."""

    def call(headers: dict[str, str], body: bytes = b"") -> tuple[int, dict | bytes, str | None]:
        answer = Answer(offline, "POST", headers, body)
        parsed = json.loads(answer.body) if answer.body.startswith(b"{") else answer.body
        return answer.status, parsed, answer.getheader("content-type")

    assert call({"Content-Type": "text/plain"}, b"hi")[:2] == (404, b"<UnknownOperationException/>\n")
    assert call({"Content-Type": "application/x-amz-json-1.1", **SIGNED}, b"{}")[0] == 404
    assert call({"Content-Type": "application/json; charset=x"}, b"hi") == (
        400, {"__type": "com.amazon.coral.service#SerializationException"}, "application/json"
    )  # fmt: skip
    unknown = {"__type": "com.amazon.coral.service#UnknownOperationException"}
    assert call({"Content-Type": "application/x-amz-json-1.0"})[:2] == (400, unknown)
    assert call({"X-Amz-Target": "DynamoDB_20120810.ListTable", **SIGNED})[:2] == (400, unknown)
    missing = {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
               "message": "Request is missing Authentication Token"}  # fmt: skip
    # A call that names no content type is answered in application/json.
    assert call(LIST_TABLES) == (400, missing, "application/json")
    assert call({**LIST_TABLES, "Authorization": "AWS4"})[:2] == (400, missing)
    incomplete = call({**LIST_TABLES, "Authorization": "AWS4-HMAC-SHA256 Credential=a, Signature=b", "Date": "d"})
    assert incomplete[:2] == (400, {
        "__type": "com.amazon.coral.service#IncompleteSignatureException",
        "message": "Authorization header requires 'SignedHeaders' parameter. "
                   "Authorization=AWS4-HMAC-SHA256 Credential=a, Signature=b",
    })  # fmt: skip
    assert call({**LIST_TABLES, **SIGNED, "Content-Type": "application/json"}, b"{}") == (
        200, {"TableNames": []}, "application/json"
    )  # fmt: skip
    # A signed call with no body at all is not read as {} (dynalite's notes of DynamoDB's answers).
    assert call({**LIST_TABLES, **SIGNED, "Content-Type": "application/json"}) == (
        400, {"__type": "com.amazon.coral.service#SerializationException"}, "application/json"
    )  # fmt: skip
    # A DynamoDB operation the endpoint does not serve says so, in DynamoDB's error type.
    status, body, _ = call(
        {"X-Amz-Target": "DynamoDB_20120810.CreateBackup", **SIGNED, "Content-Type": "application/json"}, b"{}"
    )
    assert status == 400 and body["__type"] == unknown["__type"] and "CreateBackup" in body["message"]
