"""Request IDs for a support case: each run keeps DynamoDB's x-amzn-requestid of its slowest calls and of
its first throttled calls per reason, through both clients; `support-case` cites them within its limit."""

from __future__ import annotations

import json
import re

import pytest
from conftest import run_cli, start_serve

UUID = re.compile(r"^[0-9A-Za-z-]{20,}$")


def _run(tmp_path, *args: str) -> dict:
    out = tmp_path / "r.json"
    proc = run_cli("run", "--output", str(out), "--progress", "never", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


@pytest.mark.parametrize("client", ["fast", "sdk"])
def test_throttled_and_slowest_calls_keep_the_endpoints_request_ids(client, tmp_path):
    server, url = start_serve()
    try:
        result = _run(
            tmp_path, "--endpoint-url", url, "--create-tables", "--seed-products", "20", "--table-capacity", "2/2",
            "--rate", "300", "--read-ratio", "0.2", "--duration", "4s", "--client", client, "--keep-request-ids", "5",
        )  # fmt: skip
    finally:
        server.terminate()
        server.communicate(timeout=10)
    kept = result["request_ids"]
    reasons = {
        **result["summary"]["reads"]["throttled_by_reason"],
        **result["summary"]["writes"]["throttled_by_reason"],
    }
    assert reasons, "the 2/2 tables throttle"
    assert set(kept["throttled"]) == set(reasons)
    for reason, calls in kept["throttled"].items():
        assert len(calls) == min(5, reasons[reason])
        assert [c["at"] for c in calls] == sorted(c["at"] for c in calls)
    slowest = kept["slowest"]
    assert len(slowest) == 5 and [c["ms"] for c in slowest] == sorted((c["ms"] for c in slowest), reverse=True)
    every = [c["request_id"] for c in slowest] + [c["request_id"] for v in kept["throttled"].values() for c in v]
    # The endpoint names each response in DynamoDB's form (52 of A-Z and 0-9), starting "DDBLOAD".
    assert all(re.fullmatch(r"DDBLOAD[0-9]{45}", i) for i in every), every
    assert len(set(c["request_id"] for v in kept["throttled"].values() for c in v)) == sum(
        len(v) for v in kept["throttled"].values()
    )

    out = tmp_path / "r.json"
    case = run_cli("support-case", str(out))
    assert case.returncode == 0, case.stderr
    title, _, body, *_ = case.stdout.strip().splitlines()
    assert len(title) + len(body) <= 200
    # The IDs cited where the 200 characters leave room, the rest listed after the case for its first reply.
    throttled_ids = [c["request_id"] for v in kept["throttled"].values() for c in v]
    assert all(i in case.stdout for i in throttled_ids), case.stdout


def test_dynamodb_locals_request_ids_are_kept(endpoint, tables, tmp_path):
    products, orders = tables
    result = _run(
        tmp_path, "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "20", "--threads", "2", "--duration", "1s",
    )  # fmt: skip
    slowest = result["request_ids"]["slowest"]
    assert len(slowest) == 20
    assert all(UUID.match(c["request_id"]) for c in slowest), slowest
    assert slowest[0]["ms"] <= max(result["summary"][op]["latency_ms"]["max"] for op in ("reads", "writes")) + 1


def test_none_are_kept_with_0_and_more_than_1000_is_refused(tmp_path):
    result = _run(tmp_path, "--local", "--rate", "20", "--duration", "1s", "--keep-request-ids", "0")
    assert result["request_ids"] == {"slowest": [], "throttled": {}}
    proc = run_cli("run", "--local", "--duration", "1s", "--keep-request-ids", "1001", "--no-save")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "ddbload: error: --keep-request-ids: must be between 0 and 1000, got 1001"
    ]
