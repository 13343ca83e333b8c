"""Faults that must not hurt: a stalled endpoint cannot stretch a run, an endpoint lost mid-seeding is
exit 1 naming what was left behind, a closed stdout or a file that appeared meanwhile cannot lose the
result, seeding never replaces an item it did not write, and --profile wins over the environment."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import ddbload
import pytest
from conftest import cli_env, read_until, start_cli, start_serve


@pytest.fixture
def served():
    """`ddbload serve` in its own process, so a test can stop (SIGSTOP) or kill it."""
    server, url = start_serve()
    yield server, url
    os.kill(server.pid, signal.SIGCONT)
    server.kill()
    server.communicate(timeout=10)


def test_a_stalled_endpoint_cannot_stretch_the_run(served, tables, local_credentials):
    server, url = served
    products, orders = tables
    config = ddbload.LoadConfig(
        endpoint_url=url, products_table=products, orders_table=orders, create_tables=True, seed_products=50,
        threads=4, duration="3s",
    )  # fmt: skip
    load_began: list[float] = []

    def on_event(event: dict) -> None:
        if event["type"] == "phase" and event["phase"] == "load":
            load_began.append(time.monotonic())
        if event["type"] == "tick" and event["t"] == 1:
            os.kill(server.pid, signal.SIGSTOP)  # every request from now on hangs

    result = ddbload.run(config, progress=on_event)
    ended = time.monotonic()
    # The attempt timeout is 10 s; the deadline and its 2 s grace must win over it.
    assert ended - load_began[0] < 3 + 2 + 1.5
    assert result.duration_s <= 3.5, "rates use the run's own window, not the grace"
    cut = result.reads["cut_at_deadline"] + result.writes["cut_at_deadline"]
    timed_out = result.reads["timed_out"] + result.writes["timed_out"]
    assert cut == timed_out == 4, "each of the 4 workers had one operation in flight when time was up"
    assert sum(result.reads["errors"].values()) + sum(result.writes["errors"].values()) == 0
    # Their wait up to the end counts in latency: a stall of about 4 s cannot leave p99 clean.
    worst = max(result.reads["latency_ms"]["max"], result.writes["latency_ms"]["max"])
    assert worst >= 3500, worst


def test_an_open_run_against_a_stalled_endpoint_fails_its_gates(served, tables, tmp_path):
    """The endpoint stops answering for the last seconds of a --rate run: the arrivals it never
    answered are timed out, their wait shows in p99, and --fail-if 'timed_out>0' fails the run."""
    server, url = served
    products, orders = tables
    out = tmp_path / "stalled.json"
    run = start_cli(
        "run", "--endpoint-url", url, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "50", "--rate", "100", "--duration", "5s", "--grace", "1s",
        "--progress", "always", "--fail-if", "timed_out>0", "--output", str(out),
    )  # fmt: skip
    seen = read_until(run, "2s/5s")
    os.kill(server.pid, signal.SIGSTOP)
    stdout, rest = run.communicate(timeout=60)
    os.kill(server.pid, signal.SIGCONT)
    assert run.returncode == 1, "".join(seen) + rest
    result = json.loads(out.read_text())
    summary = result["summary"]
    timed_out = summary["reads"]["timed_out"] + summary["writes"]["timed_out"]
    assert timed_out >= 150, "about 3 s of 100 arrivals a second went unanswered"
    assert max(summary[op]["latency_ms"]["p99"] for op in ("reads", "writes")) >= 1000
    assert "Timed out:" in stdout and "lower bounds" in stdout, stdout


def test_losing_the_endpoint_mid_seeding_is_exit_1_naming_what_was_left(served, tables, tmp_path):
    server, url = served
    products, orders = tables
    out = tmp_path / "r.json"
    run = start_cli(
        "run", "--endpoint-url", url, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "500000", "--progress", "always", "--output", str(out),
    )  # fmt: skip
    seen = read_until(run, "seeding")
    time.sleep(0.5)
    server.kill()
    _, rest = run.communicate(timeout=60)
    stderr = "".join(seen) + rest
    assert run.returncode == 1, stderr
    last = next(line for line in stderr.splitlines() if line.startswith("ddbload: error:"))
    assert "left behind" in last, last
    assert f"created table(s) {products}, {orders}" in last
    assert re.search(r"\d+ seeded products", last) and "cleanup --seeded-products" in last, last
    assert not out.exists()


def _run_args(endpoint: str, tables: tuple[str, str], *extra: str) -> list[str]:
    products, orders = tables
    return ["run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
            "--create-tables", "--seed-products", "50", "--threads", "2", *extra]  # fmt: skip


@pytest.mark.parametrize(
    "redirect",
    ['| head -1; echo "exit=${PIPESTATUS[0]}" >&2; exit ${PIPESTATUS[0]}', ">&-", ">/dev/full"],
    ids=["reader-goes-away", "stdout-closed", "stdout-full"],
)
def test_a_stdout_that_cannot_take_the_summary_costs_neither_the_result_nor_the_exit_code(
    endpoint, tables, tmp_path, redirect
):
    out = tmp_path / "r.json"
    command = " ".join([sys.executable, "-m", "ddbload", *_run_args(endpoint, tables, "--duration", "1s"),
                        "--output", str(out)])  # fmt: skip
    proc = subprocess.run(
        ["bash", "-c", f"{command} {redirect}"],
        capture_output=True, text=True, env=cli_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert json.loads(out.read_text())["tool"]["name"] == "ddbload"


def test_a_file_that_appeared_meanwhile_is_kept_and_the_result_saved_elsewhere(endpoint, tables, tmp_path):
    out = tmp_path / "r.json"
    run = subprocess.Popen(
        [sys.executable, "-m", "ddbload", *_run_args(endpoint, tables, "--duration", "2s", "--output", str(out)),
         "--progress", "always"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(),
    )  # fmt: skip
    assert run.stderr is not None
    for line in run.stderr:
        if line.startswith("load:"):
            out.write_text("my notes\n")  # after the up-front check, before the result is written
            break
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 1, stderr
    assert out.read_text() == "my notes\n"
    match = re.search(r"could not write .*; the result is in (\S+)", stderr)
    assert match, stderr
    saved = json.loads(Path(match.group(1)).read_text(encoding="utf-8"))
    assert saved["tool"]["name"] == "ddbload" and saved["summary"]["reads"]["ok"] > 0
    os.unlink(match.group(1))


def test_seeding_never_replaces_an_item_it_did_not_write(endpoint, dynamodb, tables, local_credentials):
    products, orders = tables
    dynamodb.create_table(
        TableName=products,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "product_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "product_id", "KeyType": "HASH"}],
    )
    mine = {"product_id": {"S": "ddbload-p-0000003"}, "name": {"S": "my own product"}}
    dynamodb.put_item(TableName=products, Item=mine)
    messages = []
    config = ddbload.LoadConfig(
        endpoint_url=endpoint, products_table=products, orders_table=orders, create_tables=True, seed_products=10,
        duration="1s", threads=1,
    )  # fmt: skip
    ddbload.run(config, progress=lambda e: messages.append(e.get("message", "")))
    assert dynamodb.get_item(TableName=products, Key={"product_id": mine["product_id"]})["Item"] == mine
    assert any("skipped 1 product keys" in m for m in messages), messages
    count = dynamodb.scan(TableName=products, Select="COUNT")["Count"]
    assert count == 10


def test_a_named_profile_wins_over_environment_credentials(endpoint, tables, tmp_path):
    """DynamoDB Local keeps one database per access key, so the key that signed a request decides
    which tables it sees: the profile's table is found only if the profile's key was used."""
    import boto3

    products, orders = tables
    config = tmp_path / "config"
    config.write_text("[profile rehearsal]\naws_access_key_id = profilekey\naws_secret_access_key = x\n")
    as_profile = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="profilekey",
        aws_secret_access_key="x",
    )  # fmt: skip
    for name, key in ((products, "product_id"), (orders, "order_id")):
        as_profile.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        )
    as_profile.put_item(TableName=products, Item={"product_id": {"S": "p1"}, "price": {"N": "3.50"}})
    env = {**cli_env(), "AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "AWS_ACCESS_KEY_ID": "environmentkey"}  # fmt: skip
    base = [sys.executable, "-m", "ddbload", "run", "--endpoint-url", endpoint, "--products-table", products,
            "--orders-table", orders, "--duration", "1s", "--threads", "1"]  # fmt: skip
    ran = subprocess.run([*base, "--profile", "rehearsal"], capture_output=True, text=True, env=env, timeout=60)
    assert ran.returncode == 0, ran.stderr
    misspelt = subprocess.run([*base, "--profile", "rehersal"], capture_output=True, text=True, env=env, timeout=60)
    assert misspelt.returncode == 2
    assert misspelt.stderr.count("\n") == 1, misspelt.stderr
    assert '--profile: profile "rehersal" is not in' in misspelt.stderr and "rehearsal" in misspelt.stderr
