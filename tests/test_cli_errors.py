"""Bad input on the command line: one clear line, exit code 2, nothing sent and nothing written."""

from __future__ import annotations

import json
import os

import pytest
from conftest import create_orders_table, refusal, run_cli


def _existing(dynamodb, tables: tuple[str, str]) -> list[str]:
    """Which of this test's fresh tables exist (other tests create tables of their own meanwhile)."""
    listed = set()
    for page in dynamodb.get_paginator("list_tables").paginate():
        listed.update(page["TableNames"])
    return [name for name in tables if name in listed]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--threads", "0"], "--threads"),
        (["--threads", "abc"], "--threads"),
        (["--minutes", "0"], "--minutes"),
        (["--minutes", "-2"], "--minutes"),
        (["--duration", "soon"], "--duration"),
        (["--read-ratio", "1.5"], "--read-ratio"),
        (["--read-ratio", "-0.1"], "--read-ratio"),
        (["--price-min", "1.00000000000000000000000000000001"], "--price-min"),
        (["--price-min", "12.5.1"], "--price-min"),
        (["--read-op", "scan"], "--read-op"),
        # 28 significant digits x 5 units x 5 lines cannot be totalled exactly: refused up front.
        (["--price-max", "9.999999999999999999999999999"], "--price-max"),
        (["--price-max", "79228162514264337593543950335"], "--price-max"),
        (["--threads", "9223372036854775808"], "--threads"),
        (["--seed", "99999999999999999999999"], "--seed"),
        (["--sample-products", "-1"], "--sample-products"),
        (["--output", ""], "--output"),
        (["--output", "/dev/zero"], "--output"),
    ],
)
def test_bad_flags_exit_2_with_one_line(args, expected, endpoint, dynamodb, tables, tmp_path):
    out = tmp_path / "result.json"
    products, orders = tables
    proc = run_cli(
        "run",
        "--endpoint-url",
        endpoint,
        "--products-table",
        products,
        "--orders-table",
        orders,
        "--create-tables",
        "--output",
        str(out),
        *args,
    )
    line = refusal(proc)
    assert expected in line and args[1] in line, line
    assert proc.stdout == ""
    assert not out.exists()
    assert _existing(dynamodb, tables) == [], "a table was created despite bad input"


def test_unknown_table_is_named_and_nothing_is_created(endpoint, dynamodb, tables, tmp_path):
    products, orders = tables
    out = tmp_path / "result.json"
    proc = run_cli(
        "run",
        "--endpoint-url",
        endpoint,
        "--products-table",
        products,
        "--orders-table",
        orders,
        "--output",
        str(out),
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert products in proc.stderr and "--create-tables" in proc.stderr
    assert not out.exists()
    assert _existing(dynamodb, tables) == []


def test_unreachable_endpoint_is_one_line_and_exit_2(tmp_path):
    out = tmp_path / "result.json"
    # Port 9 on loopback: nothing listens there.
    proc = run_cli("run", "--endpoint-url", "http://127.0.0.1:9", "--output", str(out), timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "cannot reach DynamoDB at http://127.0.0.1:9" in proc.stderr
    assert not out.exists()


def test_output_over_a_foreign_file_is_refused_and_the_file_kept(endpoint, tmp_path):
    out = tmp_path / "notes.json"
    out.write_text('{"my": "notes"}')
    proc = run_cli("run", "--endpoint-url", endpoint, "--output", str(out))
    assert proc.returncode == 2
    assert "refusing to overwrite" in proc.stderr and str(out) in proc.stderr
    assert out.read_text() == '{"my": "notes"}'


@pytest.mark.parametrize(
    "name, text",
    [
        ("notes.json", '{"mine": {"tool": {"name": "ddbload", "version": "0.2"}}, "keep": true}'),
        ("page.html", "<html><head><title>ddbload run notes</title></head><body>my notes</body></html>"),
    ],
    ids=["json-mentioning-ddbload", "html-mentioning-a-ddbload-run"],
)
def test_a_foreign_file_that_only_mentions_ddbload_is_not_overwritten(endpoint, tmp_path, name, text):
    """Only our own top-level header marks a file as ours, not the words somewhere inside it."""
    out = tmp_path / name
    out.write_text(text)
    flag = "--output" if name.endswith(".json") else "--report"
    proc = run_cli("run", "--endpoint-url", endpoint, flag, str(out))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "refusing to overwrite" in proc.stderr, proc.stderr
    assert out.read_text() == text


def test_two_outputs_to_one_file_are_refused_before_the_run(endpoint, tmp_path):
    """--output X --report ./X, or through a symlink: the second write would replace the first."""
    target = tmp_path / "run.out"
    link = tmp_path / "link.out"
    link.symlink_to(target)
    for output, report in ((str(target), str(tmp_path / "." / "run.out")), (str(target), str(link))):
        proc = run_cli("run", "--endpoint-url", endpoint, "--output", output, "--report", report)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "same file as --output" in proc.stderr, proc.stderr
    assert not target.exists()


@pytest.mark.parametrize("given, said", [("-", "a file named '-'"), ("newdir/", "names a folder")])
def test_output_names_that_are_not_files_are_refused(endpoint, tmp_path, given, said):
    proc = run_cli("run", "--endpoint-url", endpoint, "--output", given, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and said in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_password_in_the_endpoint_url_is_never_printed(tmp_path):
    out = tmp_path / "r.json"
    proc = run_cli("run", "--endpoint-url", "http://me:s3cret@127.0.0.1:9", "--output", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "http://127.0.0.1:9" in proc.stderr and "s3cret" not in proc.stderr + proc.stdout, proc.stderr
    assert not out.exists()


def test_a_password_in_the_endpoint_url_stays_out_of_every_file(endpoint, tables, tmp_path):
    products, orders = tables
    with_password = endpoint.replace("http://", "http://me:s3cret@")
    proc = run_cli(
        "run", "--endpoint-url", with_password, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "10", "--duration", "2s",
        "--output", "r.json", "--report", "r.html", "--csv", "r.csv", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "s3cret" not in proc.stdout + proc.stderr
    for name in ("r.json", "r.html", "r.csv"):
        assert "s3cret" not in (tmp_path / name).read_text(), name
    assert json.loads((tmp_path / "r.json").read_text())["config"]["endpoint_url"] == endpoint


def test_create_tables_without_seeding_is_refused_before_creating(endpoint, dynamodb, tables, tmp_path):
    """Tables created empty leave nothing to read: refused before the first write."""
    products, orders = tables
    proc = run_cli(
        "run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--output", str(tmp_path / "r.json"),
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "--seed-products" in proc.stderr, proc.stderr
    assert _existing(dynamodb, tables) == []
    assert not (tmp_path / "r.json").exists()


def test_output_to_a_fifo_is_refused_without_hanging(endpoint, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = run_cli("run", "--endpoint-url", endpoint, "--output", str(fifo), timeout=30)
    assert proc.returncode == 2
    assert "not a regular file" in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def test_serve_with_too_many_threads_is_one_line():
    proc = run_cli("serve", "--threads", "100000", timeout=30)
    assert proc.returncode == 2
    assert "--threads" in proc.stderr and "100000" in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


@pytest.mark.parametrize(
    ("price", "said"),
    [
        ({"S": "12.50"}, "its price is a string (S), not a number (N): ddbload does not guess a price"),
        ({"N": "0"}, "price 0 is not more than zero"),
        ({"N": "-3.5"}, "price -3.5 is not more than zero"),
    ],
)
def test_a_catalog_price_that_is_not_a_positive_number_is_refused_before_any_order(
    endpoint, dynamodb, tables, price, said
):
    """Money is the user's data: a string price is not replaced by an invented one, and a free or
    negative price never reaches an order total."""
    products, orders = tables
    dynamodb.create_table(
        TableName=products, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "product_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "product_id", "KeyType": "HASH"}],
    )  # fmt: skip
    create_orders_table(dynamodb, orders)
    dynamodb.put_item(TableName=products, Item={"product_id": {"S": "good"}, "price": {"N": "9.99"}})
    dynamodb.put_item(TableName=products, Item={"product_id": {"S": "odd"}, "price": price})
    proc = run_cli("run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
                   "--duration", "1s", "--no-save")  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and f"product odd: {said}" in proc.stderr, proc.stderr
    assert dynamodb.scan(TableName=orders)["Count"] == 0
