"""`ddbload cleanup` deletes exactly one run's generated orders: not another run's, not the user's."""

from __future__ import annotations

from conftest import create_orders_table, run_cli, scan_all


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
