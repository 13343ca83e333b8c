"""`ddbload serve --update-table-ms` and `--delete-table-ms`: raising a table's capacity keeps it UPDATING
for that long, as DynamoDB's are, with the old figures serving meanwhile - so a rehearsal shows that
capacity raised in the middle of a peak does not help at once - and another UpdateTable or a DeleteTable
is refused; a deleted table is DELETING for a while, its name not free until it is gone."""

from __future__ import annotations

import json
import signal
import time

import boto3
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
        # DynamoDB's words for each, as recorded from it.
        in_use = "Attempt to change a resource which is still in use: "
        for call, words in (
            (
                lambda: dynamodb.update_table(
                    TableName="orders", ProvisionedThroughput=dict(RAISED, WriteCapacityUnits=9)
                ),
                "Table IOPS are currently being updated. Table: orders",
            ),
            (lambda: dynamodb.delete_table(TableName="orders"), "Table: orders is in the process of being updated."),
        ):
            with pytest.raises(botocore.exceptions.ClientError) as refused:
                call()
            assert refused.value.response["Error"] == {"Code": "ResourceInUseException", "Message": in_use + words}
        # Still 2 units a second: the burst credit runs out after about 60 orders.
        written = writes_until_throttled(dynamodb, "during-", 200)
        assert 55 <= written <= 70
        assert dynamodb.describe_table(TableName="orders")["Table"]["TableStatus"] == "UPDATING"

        dynamodb.get_waiter("table_exists").wait(TableName="orders", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        table = dynamodb.describe_table(TableName="orders")["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 100
        assert table["ItemCount"] == written
        # 100 units a second now: a second earns about 10 orders of 10 units, where 2 units earned none.
        time.sleep(1.0)
        assert writes_until_throttled(dynamodb, "after-", 20) >= 8
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
        # DynamoDB shows the new mode at once, while the provisioned figures serve until it completes.
        assert switched["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        endpoint.update_table_ms = 0
        dynamodb.create_table(**dict(ORDERS, TableName="at-once"))
        raised = dynamodb.update_table(TableName="at-once", ProvisionedThroughput=RAISED)["TableDescription"]
        assert raised["TableStatus"] == "ACTIVE"
        assert raised["ProvisionedThroughput"]["WriteCapacityUnits"] == 100
    with ddbload.Emulator(delete_table_ms=5_000) as endpoint:
        assert endpoint.delete_table_ms == 5_000
        dynamodb = client_for(endpoint.url)
        dynamodb.create_table(**ORDERS)
        dynamodb.delete_table(TableName="orders")
        assert dynamodb.describe_table(TableName="orders")["Table"]["TableStatus"] == "DELETING"
    for option in ("update_table_ms", "delete_table_ms"):
        for wrong in (600001, -1):
            with pytest.raises(ValueError, match=f"{option} must be between 0 and 600000, got {wrong}"):
                ddbload.Emulator(**{option: wrong})
        flag = "--" + option.replace("_", "-")
        line = refusal(run_cli("serve", "--port", "0", flag, "-1"))
        assert line == f"ddbload: error: {flag} must be between 0 and 600000, got -1"


def set_orders_to_50(url: str, backups) -> None:
    """`ddbload capacity set` of orders to provisioned 50/50, which must succeed."""
    proc = run_cli(
        "capacity", "set", "--provisioned", "--rcu", "50", "--wcu", "50", "--table", "orders",
        "--backup-dir", str(backups), "--endpoint-url", url,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 table(s) changed, 0 failed" in proc.stdout


def test_ddbload_capacity_set_and_restore_wait_for_the_table_to_settle(tmp_path):
    server, url = start_serve("--update-table-ms", "1500")
    try:
        dynamodb = client_for(url)
        dynamodb.create_table(**ORDERS)
        started = time.monotonic()
        set_orders_to_50(url, tmp_path)
        assert time.monotonic() - started >= 1.5
        table = dynamodb.describe_table(TableName="orders")["Table"]
        assert (table["TableStatus"], table["ProvisionedThroughput"]["WriteCapacityUnits"]) == ("ACTIVE", 50)

        (backup,) = tmp_path.glob("capacity-backup-*.json")
        assert json.loads(backup.read_text())["tables"][0]["write_capacity_units"] == 2
        restored = run_cli("capacity", "restore", str(backup), "--backup-dir", str(tmp_path), "--endpoint-url", url)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        figures = dynamodb.describe_table(TableName="orders")["Table"]["ProvisionedThroughput"]
        assert (figures["WriteCapacityUnits"], figures["NumberOfDecreasesToday"]) == (2, 1)
    finally:
        stop(server)


def test_ddbload_capacity_set_waits_for_a_change_already_under_way_before_planning(tmp_path):
    """DynamoDB describes a table UPDATING with its old figures: a plan or backup made from them would be
    wrong, and the change would be refused (ResourceInUseException). `capacity set` waits first."""
    server, url = start_serve("--update-table-ms", "5000")
    try:
        dynamodb = client_for(url)
        dynamodb.create_table(**ORDERS)
        dynamodb.update_table(
            TableName="orders", ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 10}
        )
        set_orders_to_50(url, tmp_path)
        (backup,) = tmp_path.glob("capacity-backup-*.json")
        assert json.loads(backup.read_text())["tables"][0]["write_capacity_units"] == 10
        figures = dynamodb.describe_table(TableName="orders")["Table"]["ProvisionedThroughput"]
        assert (figures["ReadCapacityUnits"], figures["WriteCapacityUnits"]) == (50, 50)
    finally:
        stop(server)


def test_a_deleted_table_keeps_its_name_until_it_is_gone():
    server, url = start_serve("--delete-table-ms", "1500")
    try:
        dynamodb = client_for(url)
        dynamodb.create_table(**ORDERS)
        dynamodb.put_item(TableName="orders", Item={"pk": {"S": "o1"}})
        assert dynamodb.delete_table(TableName="orders")["TableDescription"]["TableStatus"] == "DELETING"
        assert dynamodb.describe_table(TableName="orders")["Table"]["TableStatus"] == "DELETING"
        assert dynamodb.list_tables()["TableNames"] == ["orders"]
        # The test suite that deletes and at once re-creates its table fails here, as it would in AWS.
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            dynamodb.create_table(**ORDERS)
        assert refused.value.response["Error"] == {
            "Code": "ResourceInUseException",
            "Message": "Table already exists: orders",
        }
        dynamodb.get_waiter("table_not_exists").wait(TableName="orders", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        assert dynamodb.list_tables()["TableNames"] == []
        assert dynamodb.create_table(**ORDERS)["TableDescription"]["TableStatus"] == "ACTIVE"
        assert dynamodb.scan(TableName="orders")["Items"] == []
    finally:
        stop(server)


def test_under_data_dir_an_update_or_deletion_under_way_is_complete_after_a_restart(tmp_path):
    data = tmp_path / "tables"
    server, url = start_serve("--data-dir", str(data), "--update-table-ms", "600000", "--delete-table-ms", "600000")
    dynamodb = client_for(url)
    dynamodb.create_table(**ORDERS)
    dynamodb.create_table(**dict(ORDERS, TableName="old-orders"))
    dynamodb.put_item(TableName="orders", Item={"pk": {"S": "kept"}})
    assert (
        dynamodb.update_table(TableName="orders", ProvisionedThroughput=RAISED)["TableDescription"]["TableStatus"]
        == "UPDATING"
    )
    assert dynamodb.delete_table(TableName="old-orders")["TableDescription"]["TableStatus"] == "DELETING"
    stop(server)

    server, url = start_serve("--data-dir", str(data))
    try:
        dynamodb = client_for(url)
        assert dynamodb.list_tables()["TableNames"] == ["orders"]
        table = dynamodb.describe_table(TableName="orders")["Table"]
        assert (table["TableStatus"], table["ProvisionedThroughput"]["WriteCapacityUnits"]) == ("ACTIVE", 100)
        assert dynamodb.scan(TableName="orders")["Items"] == [{"pk": {"S": "kept"}}]
    finally:
        stop(server)


def test_ddbload_run_waits_for_its_capacity_change_before_the_load(tmp_path):
    """`run --table-capacity` changes the tables it creates, then waits until they are ACTIVE: the load
    meets the figures asked for, not the old ones still serving while the tables are UPDATING."""
    server, url = start_serve("--update-table-ms", "1500")
    try:
        out = tmp_path / "run.json"
        proc = run_cli(
            "run", "--endpoint-url", url, "--products-table", "slow-p", "--orders-table", "slow-o",
            "--create-tables",
            "--seed-products", "20", "--table-capacity", "5/5", "--rate", "10", "--duration", "1s",
            "--output", str(out),
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        tables = json.loads(out.read_text())["tables"]
        for name in ("slow-p", "slow-o"):
            assert (tables[name]["billing_mode"], tables[name]["write_capacity_units"]) == ("PROVISIONED", 5)
        dynamodb = client_for(url)
        for name in ("slow-p", "slow-o"):
            table = dynamodb.describe_table(TableName=name)["Table"]
            assert (table["TableStatus"], table["ProvisionedThroughput"]["WriteCapacityUnits"]) == ("ACTIVE", 5)
    finally:
        stop(server)


def test_auto_scaling_raising_a_table_keeps_it_updating_with_the_old_figure_serving():
    """Auto scaling's change is an UpdateTable too: a new minimum above the table's figure makes it
    UPDATING, the old figure throttling meanwhile and the scaling activity InProgress until it completes."""
    server, url = start_serve("--update-table-ms", "2500")
    try:
        dynamodb = client_for(url, retries={"max_attempts": 1})
        dynamodb.create_table(**ORDERS)
        scaling = boto3.client(
            "application-autoscaling", endpoint_url=url, region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",
        )  # fmt: skip
        scaling.register_scalable_target(
            ServiceNamespace="dynamodb", ResourceId="table/orders",
            ScalableDimension="dynamodb:table:WriteCapacityUnits", MinCapacity=50, MaxCapacity=100,
        )  # fmt: skip
        table = dynamodb.describe_table(TableName="orders")["Table"]
        assert (table["TableStatus"], table["ProvisionedThroughput"]["WriteCapacityUnits"]) == ("UPDATING", 2)
        (activity,) = scaling.describe_scaling_activities(ServiceNamespace="dynamodb")["ScalingActivities"]
        assert activity["StatusCode"] == "InProgress" and "EndTime" not in activity, activity
        assert 55 <= writes_until_throttled(dynamodb, "before", 200) <= 65, "the 2-unit figure still serves"
        dynamodb.get_waiter("table_exists").wait(TableName="orders", WaiterConfig={"Delay": 1, "MaxAttempts": 20})
        table = dynamodb.describe_table(TableName="orders")["Table"]
        assert (table["TableStatus"], table["ProvisionedThroughput"]["WriteCapacityUnits"]) == ("ACTIVE", 50)
        (activity,) = scaling.describe_scaling_activities(ServiceNamespace="dynamodb")["ScalingActivities"]
        assert activity["StatusCode"] == "Successful", activity
        took = (activity["EndTime"] - activity["StartTime"]).total_seconds()
        assert took == pytest.approx(2.5, abs=0.01), took
    finally:
        stop(server)
