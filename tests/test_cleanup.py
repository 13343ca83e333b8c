"""`ddbload cleanup` deletes exactly one run's generated orders: not another run's, not the user's."""

from __future__ import annotations

import signal

import boto3
import pytest
from botocore.config import Config
from conftest import create_orders_table, run_cli, scan_all, start_serve


def _load(endpoint: str, products: str, orders: str, run_id: str) -> None:
    proc = run_cli(
        "run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "50", "--threads", "4", "--duration", "1s", "--run-id", run_id,
        "--read-ratio", "0.2",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_cleanup_removes_only_the_runs_orders(endpoint, dynamodb, tables):
    products, orders = tables
    create_orders_table(dynamodb, orders)
    # The user's own order: it even carries a run_id attribute, but ddbload did not generate it.
    mine = {"order_id": {"S": "user-order-1"}, "run_id": {"S": "keep"}, "total": {"N": "10.5"}}
    dynamodb.put_item(TableName=orders, Item=mine)
    _load(endpoint, products, orders, "keep")
    _load(endpoint, products, orders, "drop")
    by_run = {}
    for item in scan_all(dynamodb, orders):
        by_run.setdefault(item.get("run_id"), []).append(item)
    kept_count, dropped_count = len(by_run["keep"]), len(by_run["drop"])
    assert dropped_count > 0

    dry = run_cli("cleanup", "--run-id", "drop", "--orders-table", orders, "--dry-run", "--endpoint-url", endpoint)
    assert dry.returncode == 0, dry.stderr
    assert f"Found {dropped_count:,} orders of run drop" in dry.stdout
    assert len(scan_all(dynamodb, orders)) == kept_count + dropped_count

    proc = run_cli("cleanup", "--run-id", "drop", "--orders-table", orders, "--endpoint-url", endpoint)
    assert proc.returncode == 0, proc.stderr
    assert f"Deleted {dropped_count:,}; 0 left." in proc.stdout
    left = scan_all(dynamodb, orders)
    assert {item.get("run_id") for item in left} == {"keep"}
    assert len(left) == kept_count
    assert dynamodb.get_item(TableName=orders, Key={"order_id": mine["order_id"]})["Item"] == mine

    everything = run_cli("cleanup", "--all-runs", "--orders-table", orders, "--endpoint-url", endpoint)
    assert everything.returncode == 0
    assert [item["order_id"] for item in scan_all(dynamodb, orders)] == ["user-order-1"]


def test_cleanup_needs_a_run_and_an_existing_table(endpoint):
    assert run_cli("cleanup", "--endpoint-url", endpoint).returncode == 2
    proc = run_cli("cleanup", "--all-runs", "--orders-table", "no-such-orders", "--endpoint-url", endpoint)
    assert proc.returncode == 2
    assert "no-such-orders" in proc.stderr and proc.stderr.count("\n") == 1


def test_cleanup_of_seeded_products_leaves_the_users_products(endpoint, dynamodb, tables):
    products, orders = tables
    _load(endpoint, products, orders, "seeding")
    mine = {"product_id": {"S": "my-product"}, "price": {"N": "9.99"}}
    dynamodb.put_item(TableName=products, Item=mine)
    assert len(scan_all(dynamodb, products)) == 51
    proc = run_cli("cleanup", "--seeded-products", "--products-table", products, "--endpoint-url", endpoint)
    assert proc.returncode == 0, proc.stderr
    assert "Found 50 seeded products" in proc.stdout and "Deleted 50; 0 left." in proc.stdout
    assert [item["product_id"] for item in scan_all(dynamodb, products)] == ["my-product"]
    assert len(scan_all(dynamodb, orders)) > 0, "orders are not products: left alone"


def _spend_write_credit(client, table: str) -> int:
    """Writes the user's own 20 KB items into `table` until DynamoDB throttles one: the table's burst
    credit is spent, as after a throttled rehearsal. Returns how many were written."""
    written = 0
    while True:
        item = {"order_id": {"S": f"user-big-{written}"}, "blob": {"S": "x" * 20_000}}
        try:
            client.put_item(TableName=table, Item=item)
        except client.exceptions.ProvisionedThroughputExceededException:
            return written
        written += 1


@pytest.mark.slow
def test_cleanup_on_a_throttled_2_2_table_waits_out_every_throttle_and_finishes():
    """The workshop's trap: after a rehearsal at WCU 2 the table has no burst credit left, and cleanup
    used to stop at the first throttle with most orders still there."""
    server, url = start_serve()
    try:
        client = boto3.client(
            "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"max_attempts": 1}),
        )  # fmt: skip
        proc = run_cli(
            "run", "--endpoint-url", url, "--create-tables", "--seed-products", "20", "--table-capacity", "2/2",
            "--rate", "10", "--read-ratio", "0", "--duration", "3s", "--run-id", "rehearsal",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        orders = [item for item in scan_all(client, "Orders") if item.get("run_id") == "rehearsal"]
        assert len(orders) >= 20
        users = _spend_write_credit(client, "Orders")

        cleanup = run_cli("cleanup", "--run-id", "rehearsal", "--endpoint-url", url, timeout=300)
        assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
        assert f"Deleted {len(orders):,}; 0 left." in cleanup.stdout
        assert "throttled by the capacity of Orders and sent again" in cleanup.stdout
        left = scan_all(client, "Orders")
        assert all(item.get("run_id") != "rehearsal" for item in left)
        assert len(left) == users, "the user's own items stay"
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=10)
