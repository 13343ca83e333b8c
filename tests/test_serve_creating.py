"""`ddbload serve --create-table-ms`: a new table is CREATING for that long, as DynamoDB's are, so an
application that writes before its table is ACTIVE fails in the rehearsal as it would in AWS; SDK waiters
and ddbload's own --create-tables wait it out."""

from __future__ import annotations

import json
import signal
import time

import botocore.exceptions
import ddbload
import pytest
from conftest import client_for, refusal, run_cli, start_serve

CARTS = {
    "TableName": "carts", "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
}  # fmt: skip


def stop(server) -> None:
    server.send_signal(signal.SIGINT)
    server.communicate(timeout=30)


def test_a_write_before_the_table_is_active_fails_and_a_waiter_sees_it_become_active(tmp_path):
    server, url = start_serve("--create-table-ms", "1500")
    try:
        dynamodb = client_for(url)
        created = dynamodb.create_table(**CARTS)["TableDescription"]
        assert created["TableStatus"] == "CREATING"
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            dynamodb.put_item(TableName="carts", Item={"pk": {"S": "early"}})
        assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert dynamodb.describe_table(TableName="carts")["Table"]["TableStatus"] == "CREATING"
        waited = time.monotonic()
        dynamodb.get_waiter("table_exists").wait(TableName="carts", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        assert time.monotonic() - waited < 5
        assert dynamodb.describe_table(TableName="carts")["Table"]["TableStatus"] == "ACTIVE"
        dynamodb.put_item(TableName="carts", Item={"pk": {"S": "after"}})
        assert dynamodb.scan(TableName="carts")["Items"] == [{"pk": {"S": "after"}}]
    finally:
        stop(server)


def test_ddbload_run_creates_its_tables_and_waits_until_they_are_active(tmp_path):
    server, url = start_serve("--create-table-ms", "1000")
    try:
        out = tmp_path / "run.json"
        proc = run_cli(
            "run", "--endpoint-url", url, "--products-table", "slow-products", "--orders-table", "slow-orders",
            "--create-tables", "--seed-products", "50", "--rate", "100", "--duration", "1s", "--output", str(out),
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        summary = json.loads(out.read_text())["summary"]
        assert summary["reads"]["ok"] > 0 and summary["writes"]["ok"] > 0
        assert sum(summary["reads"]["errors"].values()) == sum(summary["writes"]["errors"].values()) == 0
    finally:
        stop(server)


def test_the_python_endpoint_takes_it_too_and_a_bad_figure_is_refused():
    with ddbload.Emulator(create_table_ms=800) as endpoint:
        assert endpoint.create_table_ms == 800
        dynamodb = client_for(endpoint.url)
        assert dynamodb.create_table(**CARTS)["TableDescription"]["TableStatus"] == "CREATING"
        endpoint.create_table_ms = 0
        later = dict(CARTS, TableName="at-once")
        assert dynamodb.create_table(**later)["TableDescription"]["TableStatus"] == "ACTIVE"
    for wrong in (600001, -1):
        with pytest.raises(ValueError, match=f"create_table_ms must be between 0 and 600000, got {wrong}"):
            ddbload.Emulator(create_table_ms=wrong)
    line = refusal(run_cli("serve", "--port", "0", "--create-table-ms", "-1"))
    assert line == "ddbload: error: --create-table-ms must be between 0 and 600000, got -1"
