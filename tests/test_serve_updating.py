"""`ddbload serve --update-table-ms`: raising a table's capacity keeps it UPDATING for that long, as
DynamoDB's are, with the old figures serving meanwhile - so a rehearsal shows that capacity raised in
the middle of a peak does not help at once - and another UpdateTable or a DeleteTable is refused."""

from __future__ import annotations

import signal

import botocore.exceptions
import ddbload
import pytest
from conftest import client_for, refusal, run_cli, start_serve

ORDERS = {
    "TableName": "orders",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
}
RAISED = {"ReadCapacityUnits": 100, "WriteCapacityUnits": 100}
# 10 write units each: the 2-unit table's 300 seconds of burst credit (600 units) last 60 of them.
BIG_ORDER = "x" * 10_000


def stop(server) -> None:
    server.send_signal(signal.SIGINT)
    server.communicate(timeout=30)


def writes_until_throttled(dynamodb, prefix: str, most: int) -> int:
    """Orders written before the first throttle (`most` when none)."""
    for n in range(most):
        try:
            dynamodb.put_item(TableName="orders", Item={"pk": {"S": f"{prefix}{n}"}, "note": {"S": BIG_ORDER}})
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            return n
    return most


def test_raised_capacity_serves_only_once_the_table_is_active_again():
    server, url = start_serve("--update-table-ms", "2500")
    try:
        dynamodb = client_for(url, retries={"max_attempts": 1})
        dynamodb.create_table(**ORDERS)
        updated = dynamodb.update_table(TableName="orders", ProvisionedThroughput=RAISED)["TableDescription"]
        assert updated["TableStatus"] == "UPDATING"
        assert updated["ProvisionedThroughput"]["WriteCapacityUnits"] == 2
        for call in (
            lambda: dynamodb.update_table(
                TableName="orders", ProvisionedThroughput={**RAISED, "ReadCapacityUnits": 50}
            ),
            lambda: dynamodb.delete_table(TableName="orders"),
        ):
            with pytest.raises(botocore.exceptions.ClientError) as refused:
                call()
            assert refused.value.response["Error"] == {
                "Code": "ResourceInUseException",
                "Message": "Attempt to change a resource which is still in use: Table is being updated: orders",
            }
        # Still 2 units a second: the burst credit runs out after about 60 orders.
        written = writes_until_throttled(dynamodb, "during-", 200)
        assert 55 <= written <= 70
        assert dynamodb.describe_table(TableName="orders")["Table"]["TableStatus"] == "UPDATING"

        dynamodb.get_waiter("table_exists").wait(TableName="orders", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        table = dynamodb.describe_table(TableName="orders")["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 100
        assert table["ItemCount"] == written
        # 100 units a second now: 20 more orders of 10 units go through within the second.
        assert writes_until_throttled(dynamodb, "after-", 20) == 20
        dynamodb.delete_table(TableName="orders")
    finally:
        stop(server)


def test_the_python_endpoint_takes_it_too_and_a_bad_figure_is_refused():
    with ddbload.Emulator(update_table_ms=60_000) as endpoint:
        assert endpoint.update_table_ms == 60_000
        dynamodb = client_for(endpoint.url)
        dynamodb.create_table(**ORDERS)
        switched = dynamodb.update_table(TableName="orders", BillingMode="PAY_PER_REQUEST")["TableDescription"]
        assert switched["TableStatus"] == "UPDATING"
        assert switched["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
        endpoint.update_table_ms = 0
        dynamodb.create_table(**dict(ORDERS, TableName="at-once"))
        raised = dynamodb.update_table(TableName="at-once", ProvisionedThroughput=RAISED)["TableDescription"]
        assert raised["TableStatus"] == "ACTIVE"
        assert raised["ProvisionedThroughput"]["WriteCapacityUnits"] == 100
    for wrong in (600001, -1):
        with pytest.raises(ValueError, match=f"update_table_ms must be between 0 and 600000, got {wrong}"):
            ddbload.Emulator(update_table_ms=wrong)
    line = refusal(run_cli("serve", "--port", "0", "--update-table-ms", "-1"))
    assert line == "ddbload: error: --update-table-ms must be between 0 and 600000, got -1"
