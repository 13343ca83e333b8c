"""The workshop command against DynamoDB Local: reads and writes every second, orders stored exactly as
reported, money exact, a colliding key untouched, and the result JSON valid against its schema."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal, localcontext
from importlib import resources

import jsonschema
import pytest
from conftest import cli_env, create_orders_table, run_cli, scan_all

RUN_ID = "ci-load"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(resources.files("ddbload").joinpath("schema/result.schema.json").read_text())


@pytest.mark.slow
def test_workshop_run_with_20_workers(endpoint, dynamodb, tables, workshop_script, tmp_path, schema):
    products, orders = tables
    create_orders_table(dynamodb, orders)
    # Someone else's order with exactly the key this run's first order from worker 0 will use.
    colliding = {"order_id": {"S": f"{RUN_ID}-000-000000001"}, "owner": {"S": "someone else"}}
    dynamodb.put_item(TableName=orders, Item=colliding)

    out = tmp_path / "result.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(workshop_script),
            "--threads", "20",
            "--duration", "5s",
            "--endpoint-url", endpoint,
            "--products-table", products,
            "--orders-table", orders,
            "--create-tables",
            "--seed-products", "400",
            "--run-id", RUN_ID,
            "--seed", "7",
            "--output", str(out),
        ],
        capture_output=True, text=True, env=cli_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    jsonschema.validate(result, schema)

    writes, reads = result["summary"]["writes"], result["summary"]["reads"]
    assert reads["ok"] > 0 and writes["ok"] > 0
    # Both kinds of operation in every full second of the run.
    full_seconds = [row for row in result["timeseries"] if row["seconds"] == 1.0]
    assert len(full_seconds) >= 4
    for row in full_seconds:
        assert row["reads_ok"] > 0 and row["writes_ok"] > 0, row
    assert sum(row["writes_ok"] for row in result["timeseries"]) == writes["ok"]

    # The summary the user reads shows the same numbers.
    assert f"{writes['ok']:,}" in proc.stdout and f"{reads['ok']:,}" in proc.stdout

    stored = scan_all(dynamodb, orders)
    mine = [item for item in stored if item.get("run_id") == RUN_ID]
    # Every order written is an order counted: writes on the wire at the deadline got the grace to answer.
    assert writes["timed_out"] == 0 and writes["cut_at_deadline"] == 0
    assert len(mine) == writes["ok"]
    for order in mine:
        line_sum = Decimal(0)
        for line in order["lines"]:
            assert line["line_total"] == line["unit_price"] * line["quantity"]
            line_sum += line["unit_price"] * line["quantity"]
        assert order["total"] == line_sum, order["order_id"]
        assert 1 <= len(order["lines"]) <= 5

    # The pre-existing item is exactly as it was, and the refused write was reported.
    kept = dynamodb.get_item(TableName=orders, Key={"order_id": colliding["order_id"]})["Item"]
    assert kept == colliding
    assert writes["conditional_check_failed"] == 1

    assert result["consumed_capacity"][orders]["write_units"] >= writes["ok"]
    assert result["consumed_capacity"][products]["read_units"] > 0


def test_money_at_the_limit_of_exact_decimals_is_stored_exactly(endpoint, dynamodb, tables, local_credentials):
    """A 28-digit price: 25 units of it need 29 digits, still exact. Every stored line and total must
    be the exact product and sum (checked in a 60-digit context, not Python's default 28)."""
    import ddbload

    products, orders = tables
    price = Decimal("3.000000000000000000000000001")
    config = ddbload.LoadConfig(
        endpoint_url=endpoint, products_table=products, orders_table=orders, create_tables=True, seed_products=20,
        price_min=price, price_max=price, read_ratio=0.0, threads=2, duration="2s", run_id="exact-money",
    )  # fmt: skip
    result = ddbload.run(config)
    assert result.writes["ok"] > 0 and not result.writes["errors"]
    stored = [o for o in scan_all(dynamodb, orders) if o.get("run_id") == "exact-money"]
    assert stored
    with localcontext(prec=60):
        for order in stored:
            total = Decimal(0)
            for line in order["lines"]:
                assert line["unit_price"] == price
                assert line["line_total"] == price * line["quantity"]
                total += line["line_total"]
            assert order["total"] == total, order["order_id"]
    assert any(len(str(o["total"]).replace(".", "")) == 29 for o in stored), "a 29-digit total was written"


def test_the_same_seed_repeats_each_workers_orders(endpoint, dynamodb, tables):
    """--seed repeats a run's choices: each worker's n-th order has the same products, quantities and
    total in two runs with one seed (how many orders a run gets through depends on timing)."""
    products, orders = tables
    base = ["run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders, "--no-save"]
    prepared = run_cli(*base, "--create-tables", "--seed-products", "50", "--read-ratio", "1", "--duration", "1s")
    assert prepared.returncode == 0, prepared.stderr
    for run_id, seed in (("seed-a", "11"), ("seed-b", "11"), ("seed-c", "12")):
        ran = run_cli(*base, "--threads", "2", "--read-ratio", "0", "--duration", "1s", "--run-id", run_id,
                      "--seed", seed)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
    by_run: dict[str, dict[str, tuple]] = {}
    for order in scan_all(dynamodb, orders):
        position = order["order_id"].removeprefix(f"{order['run_id']}-")  # worker and sequence number
        choice = (tuple((line["product_id"], line["quantity"]) for line in order["lines"]), order["total"])
        by_run.setdefault(order["run_id"], {})[position] = choice
    a, b, c = by_run["seed-a"], by_run["seed-b"], by_run["seed-c"]
    common = a.keys() & b.keys()
    assert len(common) > 20 and all(a[p] == b[p] for p in common)
    assert any(a[p] != c[p] for p in a.keys() & c.keys()), "another seed, other choices"
