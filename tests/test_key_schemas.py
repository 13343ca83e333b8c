"""Tables keyed the user's way, not the workshop's: a numeric partition key with a string sort key for
products, a binary partition key with a numeric sort key for orders. ddbload reads the key schema from
DescribeTable; each write op is run end to end against DynamoDB Local and the offline endpoint, and the
orders in the table are checked against what the run counted."""

from __future__ import annotations

import json
from decimal import Decimal

import boto3
import pytest
from conftest import run_cli, scan_all

SEED_STOCK = Decimal(1_000_000_000)


def create_tables(client, products: str, orders: str) -> None:
    client.create_table(
        TableName=products,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "sku", "AttributeType": "N"},
            {"AttributeName": "region", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"}, {"AttributeName": "region", "KeyType": "RANGE"}],
    )
    client.create_table(
        TableName=orders,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "customer", "AttributeType": "B"},
            {"AttributeName": "placed", "AttributeType": "N"},
        ],
        KeySchema=[
            {"AttributeName": "customer", "KeyType": "HASH"},
            {"AttributeName": "placed", "KeyType": "RANGE"},
        ],
    )
    for name in (products, orders):
        client.get_waiter("table_exists").wait(TableName=name)


@pytest.mark.parametrize("write_op", ["put", "transact"])
def test_a_run_uses_the_tables_own_key_names_and_types(target, tables, tmp_path, write_op):
    products, orders = tables
    client = boto3.client(
        "dynamodb",
        endpoint_url=target,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    create_tables(client, products, orders)
    out = tmp_path / "result.json"
    proc = run_cli(
        "run", "--duration", "2s", "--rate", "150", "--endpoint-url", target,
        "--products-table", products, "--orders-table", orders, "--seed-products", "30",
        "--write-op", write_op, "--output", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(out.read_text())["summary"]
    assert summary["reads"]["ok"] > 0 and summary["reads"]["errors"] == {}
    assert summary["writes"]["ok"] > 0 and summary["writes"]["errors"] == {}

    seeded = scan_all(client, products)
    assert sorted(item["sku"] for item in seeded) == [Decimal(i) for i in range(1, 31)]
    assert {item["region"] for item in seeded} == {"ddbload"}

    stored = scan_all(client, orders)
    assert len(stored) == summary["writes"]["ok"]
    for order in stored:
        assert isinstance(order["customer"].value, bytes) and isinstance(order["placed"], Decimal)
        assert order["total"] == sum(line["unit_price"] * line["quantity"] for line in order["lines"])
        # Each line names a seeded product by its partition key.
        assert {Decimal(line["product_id"]) for line in order["lines"]} <= {p["sku"] for p in seeded}

    sold = sum(line["quantity"] for order in stored for line in order["lines"])
    taken_from_stock = sum(SEED_STOCK - item["stock"] for item in seeded)
    # A transaction takes each line from stock, through the product's full (sku, region) key; PutItem does not.
    assert taken_from_stock == (sold if write_op == "transact" else 0)
