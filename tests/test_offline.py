"""Offline rehearsal end to end: `--local` at RCU 2 / WCU 2 is mostly throttled with consumption pinned
near the provisioned figure; on-demand is not throttled; `ddbload serve` answers any SDK and stops."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import boto3
import pytest
from conftest import SIGNED, run_cli, start_serve


def _local_run(tmp_path, name: str, *args: str) -> dict:
    out = tmp_path / f"{name}.json"
    proc = run_cli("run", "--local", "--duration", "8s", "--output", str(out), *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


@pytest.mark.slow
def test_provisioned_2_2_throttles_and_on_demand_does_not(tmp_path):
    tight = _local_run(tmp_path, "tight", "--threads", "20", "--table-capacity", "2/2")
    assert tight["summary"]["throttle_rate"] > 0.5
    assert {t["billing_mode"] for t in tight["tables"].values()} == {"PROVISIONED"}
    # Once the burst credit (300 s x 2 units each way) is spent, about 2 units a second get through. How
    # fast 20 workers spend it depends on the machine: the settled seconds begin where both are spent.
    full = [row for row in tight["timeseries"] if row["seconds"] == 1.0]
    spent = next(i for i, row in enumerate(full) if row["read_units"] <= 3.0 and row["write_units"] <= 3.0)
    settled = full[spent:]
    assert len(settled) >= 3, full
    for row in settled:
        assert 1.0 <= row["read_units"] <= 3.0, row
        assert 1.0 <= row["write_units"] <= 3.0, row
        assert row["throttled"] > 100
    errors = tight["summary"]["reads"]["errors"]
    assert errors.get("ProvisionedThroughputExceededException", 0) > 0
    # One definition of the throttle rate: throttled attempts / every attempt sent. Operations that
    # gave up after their last attempt are errors, and are not counted a second time.
    summary = tight["summary"]
    attempts = summary["reads"]["attempts"] + summary["writes"]["attempts"]
    throttled = summary["reads"]["throttled_attempts"] + summary["writes"]["throttled_attempts"]
    assert summary["throttle_rate"] == throttled / attempts
    for op in ("reads", "writes"):
        assert summary[op]["gave_up"] == sum(summary[op]["errors"].values())
    # DynamoDB's ThrottlingReasons come through: which resource, which operation, which limit.
    for op, reason in (
        ("reads", "TableReadProvisionedThroughputExceeded"),
        ("writes", "TableWriteProvisionedThroughputExceeded"),
    ):
        summary = tight["summary"][op]
        assert summary["throttled_by_reason"] == {reason: summary["throttled_attempts"]}

    # A new on-demand table serves 12,000 read and 4,000 write units at once: 3,000 operations a second
    # (2,400 reads, 600 orders of a few hundred bytes) stay below that. A closed loop would not: even 2
    # workers of the fast client can order more than 4,000 units' worth a second on loopback.
    relaxed = _local_run(tmp_path, "relaxed", "--rate", "3000")
    assert relaxed["summary"]["throttle_rate"] == 0
    assert relaxed["summary"]["reads"]["ok"] > 10 * tight["summary"]["reads"]["ok"]


def test_local_and_endpoint_url_are_exclusive():
    proc = run_cli("run", "--local", "--endpoint-url", "http://127.0.0.1:8000")
    assert proc.returncode == 2 and "--local" in proc.stderr


def test_serve_answers_an_sdk_and_stops_on_sigint():
    server, url = start_serve()
    try:
        assert url.startswith("http://127.0.0.1:")
        client = boto3.client(
            "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        client.create_table(
            TableName="served",
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
        assert client.list_tables()["TableNames"] == ["served"]
        table = client.describe_table(TableName="served")["Table"]
        assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
        client.update_table(TableName="served", BillingMode="PAY_PER_REQUEST")
        client.update_table(
            TableName="served", WarmThroughput={"ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 8000}
        )
        warm = client.describe_table(TableName="served")["Table"]["WarmThroughput"]
        assert (warm["ReadUnitsPerSecond"], warm["WriteUnitsPerSecond"]) == (20000, 8000)
        with pytest.raises(client.exceptions.ClientError, match="ValidationException"):
            client.update_table(TableName="served", WarmThroughput={"ReadUnitsPerSecond": 100})
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=10)
    assert server.returncode == 0
    assert "stopped" in out


def test_an_offline_endpoint_needs_no_aws_setup_and_never_asks_instance_metadata(tmp_path):
    """serve's printed "try" command, run by a user who never ran `aws configure`: dummy credentials,
    said once, and not one request to the instance metadata service (it would cost a timeout)."""
    metadata = socket.socket()
    metadata.bind(("127.0.0.1", 0))
    metadata.listen(8)
    metadata.settimeout(0.2)
    server, url = start_serve()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(tmp_path),  # no ~/.aws at all
        AWS_EC2_METADATA_SERVICE_ENDPOINT=f"http://127.0.0.1:{metadata.getsockname()[1]}",
    )
    try:
        for args in (
            ["run", "--endpoint-url", url, "--create-tables", "--seed-products", "20", "--duration", "2s"],
            ["capacity", "show", "--endpoint-url", url],
        ):
            proc = subprocess.run(
                [sys.executable, "-m", "ddbload", *args], capture_output=True, text=True, env=env, timeout=120
            )
            assert proc.returncode == 0, proc.stderr
            assert proc.stderr.count("using dummy ones for the local endpoint") == 1, proc.stderr
        with pytest.raises(socket.timeout):
            metadata.accept()
    finally:
        metadata.close()
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=10)


def test_the_readmes_offline_steps_in_order(tmp_path):
    """serve; run creating the tables; capacity set 2/2 on all tables; run again: throttled, as README says."""
    server, url = start_serve()
    try:
        first = run_cli("run", "--endpoint-url", url, "--create-tables", "--seed-products", "1000",
                        "--duration", "2s", "--output", str(tmp_path / "first.json"))  # fmt: skip
        assert first.returncode == 0, first.stderr
        assert "Verdict: " in first.stdout
        capacity = run_cli("capacity", "set", "--provisioned", "--rcu", "2", "--wcu", "2", "--all-tables",
                           "--endpoint-url", url, "--backup-dir", str(tmp_path))  # fmt: skip
        assert capacity.returncode == 0, capacity.stdout + capacity.stderr
        second = run_cli("run", "--endpoint-url", url, "--duration", "3s", "--output", str(tmp_path / "second.json"))
        assert second.returncode == 0, second.stderr
        result = json.loads((tmp_path / "second.json").read_text())
        assert {t["billing_mode"] for t in result["tables"].values()} == {"PROVISIONED"}
        assert result["verdict"]["outcome"] == "throttled" and "Verdict: throttled" in second.stdout
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=10)


@pytest.fixture(scope="module", autouse=True)
def idle_connection():
    """A kept-alive connection to a `ddbload serve` of its own, used once as this module's first test starts
    and again by its last: part of the minute it must idle passes while the module's other tests run (the
    whole session would be too long: serve closes a connection idle for 2 minutes)."""
    server, url = start_serve()
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        list_tables(connection)
        yield connection, time.monotonic()
    finally:
        connection.close()
        server.kill()
        server.communicate(timeout=10)


def list_tables(connection: http.client.HTTPConnection) -> None:
    headers = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0", **SIGNED}
    connection.request("POST", "/", "{}", headers)
    answer = connection.getresponse()
    assert answer.status == 200 and b"TableNames" in answer.read()


def test_a_kept_alive_connection_idle_for_a_minute_is_still_served(idle_connection):
    """SDK pools keep idle connections for up to 90 s; `ddbload serve` closes one only after 2 minutes
    without a request (it closed them after about a minute). Last in the module: see idle_connection."""
    connection, last_used = idle_connection
    time.sleep(max(0.0, last_used + 65 - time.monotonic()))
    list_tables(connection)
