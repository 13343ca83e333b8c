"""The fast path (`--client fast`, the default) and the AWS SDK (`--client sdk`) behave the same: each
test runs both against DynamoDB Local or ddbload's offline endpoint and checks what a user would."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from decimal import Decimal

import boto3
import pytest
from conftest import create_orders_table, run_cli, scan_all, start_serve

CLIENTS = ["fast", "sdk"]


def _run(tmp_path, client: str, *args: str) -> dict:
    out = tmp_path / f"{client}.json"
    proc = run_cli("run", "--client", client, "--output", str(out), "--progress", "never", *args)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert result["config"]["client"] == client
    return result


@pytest.mark.parametrize("client", CLIENTS)
def test_batch_reads_and_stock_transactions_are_exact(client, endpoint, dynamodb, tables, tmp_path):
    products, orders = tables
    _create_products(dynamodb, products, count=50, stock=100_000)
    create_orders_table(dynamodb, orders)
    result = _run(
        tmp_path, client, "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--threads", "4", "--duration", "3s",
        "--read-op", "batch-get", "--batch-size", "10", "--write-op", "transact", "--seed", "3",
    )  # fmt: skip
    reads, writes = result["summary"]["reads"], result["summary"]["writes"]
    assert reads["ok"] > 0 and writes["ok"] > 0
    assert reads["errors"] == {} and writes["errors"] == {}
    # Ten small items, eventually consistent: 10 x 0.5 read units per BatchGetItem, read from each answer.
    assert Decimal(result["consumed_capacity"][products]["read_units"]) == Decimal("5.0") * reads["ok"]

    # Every stored order took exactly its quantities from stock, in the same transaction.
    stored = [o for o in scan_all(dynamodb, orders) if o.get("run_id") == result["run_id"]]
    assert writes["timed_out"] == 0 and len(stored) == writes["ok"], "every order written is counted"
    ordered: Counter[str] = Counter()
    for order in stored:
        assert order["total"] == sum(line["line_total"] for line in order["lines"])
        for line in order["lines"]:
            ordered[line["product_id"]] += int(line["quantity"])
    stock = {p["product_id"]: p["stock"] for p in scan_all(dynamodb, products)}
    assert ordered
    for product, left in stock.items():
        assert left == 100_000 - ordered[product], product
    # A transaction bills two write units per item under 1 KB: each counted order's own item.
    assert Decimal(result["consumed_capacity"][orders]["write_units"]) == 2 * writes["ok"]


@pytest.mark.parametrize("client", CLIENTS)
def test_throttling_reasons_and_retries_come_through(client, tmp_path):
    result = _run(tmp_path, client, "--local", "--table-capacity", "2/2", "--read-ratio", "0.5", "--duration", "4s")
    for op, reason in (
        ("reads", "TableReadProvisionedThroughputExceeded"),
        ("writes", "TableWriteProvisionedThroughputExceeded"),
    ):
        summary = result["summary"][op]
        assert summary["throttled_by_reason"] == {reason: summary["throttled_attempts"]}
        assert summary["throttled_attempts"] > 0
        # Throttled attempts were retried, and every attempt was counted.
        assert summary["ok"] > 0
        assert summary["attempts"] >= summary["ok"] + summary["throttled_attempts"]
        assert set(summary["errors"]) <= {"ProvisionedThroughputExceededException"}


@pytest.mark.parametrize("client", CLIENTS)
def test_a_conditional_failure_is_counted_and_the_item_kept(client, endpoint, dynamodb, tables, tmp_path):
    products, orders = tables
    create_orders_table(dynamodb, orders)
    theirs = {"order_id": {"S": f"clients-{client}-000-000000001"}, "owner": {"S": "someone else"}}
    dynamodb.put_item(TableName=orders, Item=theirs)
    result = _run(
        tmp_path, client, "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "20", "--threads", "1", "--duration", "1s",
        "--run-id", f"clients-{client}", "--read-ratio", "0",
    )  # fmt: skip
    assert result["summary"]["writes"]["conditional_check_failed"] == 1
    assert dynamodb.get_item(TableName=orders, Key={"order_id": theirs["order_id"]})["Item"] == theirs


@pytest.mark.parametrize("client", CLIENTS)
def test_transactions_out_of_stock_are_counted_and_never_oversell(client, endpoint, dynamodb, tables, tmp_path):
    """Three products with 5 in stock each: once it is gone, orders are cancelled as InsufficientStock,
    counted as errors, and the stock never goes below zero."""
    products, orders = tables
    _create_products(dynamodb, products, count=3, stock=5)
    create_orders_table(dynamodb, orders)
    result = _run(
        tmp_path, client, "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--threads", "2", "--duration", "2s", "--read-ratio", "0", "--write-op", "transact",
    )  # fmt: skip
    writes = result["summary"]["writes"]
    assert writes["errors"].get("TransactionCanceled/InsufficientStock", 0) > 0, writes["errors"]
    stored = [o for o in scan_all(dynamodb, orders) if o.get("run_id") == result["run_id"]]
    assert len(stored) == writes["ok"] > 0
    sold = sum(int(line["quantity"]) for order in stored for line in order["lines"])
    left = sum(int(p["stock"]) for p in scan_all(dynamodb, products))
    assert left >= 0 and sold + left == 15


@pytest.mark.parametrize("client", CLIENTS)
def test_transactions_throttled_at_2_2_name_the_table_and_stay_whole(client, tmp_path):
    """The workshop's 2/2 tables with `--write-op transact`: each order also updates up to five products,
    so Products runs out of write capacity too. Each throttle names the table of the action DynamoDB
    cancelled (not always the orders table every write starts with), and no cancelled order is half-written."""
    server, url = start_serve()
    try:
        result = _run(
            tmp_path, client, "--endpoint-url", url, "--create-tables", "--seed-products", "20",
            "--table-capacity", "2/2", "--write-op", "transact", "--read-ratio", "0",
            "--rate", "80", "--duration", "4s",
        )  # fmt: skip
        writes = result["summary"]["writes"]
        throttled = writes["throttled_by_reason"]["TransactionCanceled/ThrottlingError"]
        by_table = {t: r["TransactionCanceled/ThrottlingError"] for t, r in writes["throttled_by_resource"].items()}
        assert set(by_table) <= {"Orders", "Products"} and by_table.get("Products", 0) > 0, by_table
        assert sum(by_table.values()) == throttled
        assert result["verdict"]["outcome"] == "throttled"
        assert any(r.startswith("Products throttled") for r in result["verdict"]["reasons"]), result["verdict"]

        dynamodb = boto3.client(
            "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        stored = scan_all(dynamodb, "Orders")
        assert len(stored) == writes["ok"] > 0
        sold = sum(int(line["quantity"]) for order in stored for line in order["lines"])
        taken = sum(1_000_000_000 - int(p["stock"]) for p in scan_all(dynamodb, "Products"))
        assert taken == sold
    finally:
        server.terminate()
        server.communicate(timeout=10)


def _create_products(dynamodb, name: str, count: int, stock: int) -> None:
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "product_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "product_id", "KeyType": "HASH"}],
    )
    for i in range(count):
        item = {"product_id": {"S": f"p{i:03}"}, "price": {"N": f"{i + 1}.25"}, "stock": {"N": str(stock)}}
        dynamodb.put_item(TableName=name, Item=item)


ROTATING = """import datetime, fcntl, json, sys
with open(sys.argv[1], "a+") as counter:  # concurrent calls each get their own number
    fcntl.flock(counter, fcntl.LOCK_EX)
    counter.seek(0)
    n = len(counter.read())
    counter.write("x")
expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=12)
print(json.dumps({"Version": 1, "AccessKeyId": f"rotating{n % 2}", "SecretAccessKey": "x",
                  "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}))
"""


@pytest.mark.parametrize("client", CLIENTS)
def test_expiring_credentials_are_refreshed_mid_run(client, endpoint, tables, tmp_path):
    """Credentials from a credential_process expire 12 s after each call, so the run refreshes them
    (10 s before expiry, at most every 5 s) mid-run; each refresh hands out the other of two access keys.
    DynamoDB Local keeps one database per access key, so orders landing under both keys prove the
    refreshed credentials signed requests mid-run."""
    products, orders = tables
    keys = ["rotating0", "rotating1"]
    clients = {
        key: boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                          aws_secret_access_key="x")
        for key in keys
    }  # fmt: skip
    for db in clients.values():
        _create_products(db, products, count=1, stock=100)
        create_orders_table(db, orders)
    script = tmp_path / "rotating.py"
    script.write_text(ROTATING)
    counter = tmp_path / "calls"
    env = _with_credential_process(tmp_path, f"{sys.executable} {script} {counter}")
    out = tmp_path / "result.json"
    started = time.monotonic()
    ran = subprocess.run(
        [sys.executable, "-m", "ddbload", "run", "--client", client, "--profile", "helper", "--endpoint-url",
         endpoint, "--products-table", products, "--orders-table", orders, "--threads", "2", "--duration", "7s",
         "--read-ratio", "0.5", "--output", str(out), "--progress", "never"],
        capture_output=True, text=True, env=env, timeout=90,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert time.monotonic() - started < 60
    result = json.loads(out.read_text())
    for op in ("reads", "writes"):
        assert result["summary"][op]["errors"] == {}, result["summary"][op]
    written = {key: len(scan_all(db, orders)) for key, db in clients.items()}
    assert all(written.values()), written
    assert sum(written.values()) >= result["summary"]["writes"]["ok"]
    # One cache serves every client of the run: the helper ran at the start and again mid-run (credentials
    # inside the 10 s margin are kept 5 s before the helper is asked again), not once per client.
    assert 2 <= len(counter.read_text()) <= 4, counter.read_text()


@pytest.mark.parametrize("client", CLIENTS)
def test_the_endpoint_from_aws_endpoint_url_dynamodb_is_used(client, endpoint, dynamodb, tables, tmp_path):
    """AWS_ENDPOINT_URL_DYNAMODB (no --endpoint-url) sends every request there, with either client;
    sent anywhere else (DynamoDB in us-east-1 is not reachable from the test machine) they would fail."""
    products, orders = tables
    _create_products(dynamodb, products, count=5, stock=10)
    create_orders_table(dynamodb, orders)
    out = tmp_path / "result.json"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_DYNAMODB": endpoint}  # fmt: skip
    ran = subprocess.run(
        [sys.executable, "-m", "ddbload", "run", "--client", client, "--products-table", products, "--orders-table",
         orders, "--threads", "2", "--duration", "1s", "--output", str(out), "--progress", "never"],
        capture_output=True, text=True, env=env, timeout=90,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    result = json.loads(out.read_text())
    writes = result["summary"]["writes"]
    assert writes["ok"] > 0 and writes["errors"] == {}
    assert result["summary"]["reads"]["errors"] == {}
    stored = [o for o in scan_all(dynamodb, orders) if o.get("run_id") == result["run_id"]]
    assert writes["timed_out"] == 0 and len(stored) == writes["ok"], "every order written is counted"


def _with_credential_process(tmp_path, command: str) -> dict[str, str]:
    """An environment whose only credentials come from `command`, a credential_process in profile `helper`."""
    config = tmp_path / "config"
    config.write_text(f"[profile helper]\ncredential_process = {command}\n")
    env = {**os.environ, "AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    return env


def _run_with_helper(env: dict[str, str], endpoint: str, tables, *args: str) -> subprocess.CompletedProcess[str]:
    products, orders = tables
    return subprocess.run(
        [sys.executable, "-m", "ddbload", "run", "--profile", "helper", "--endpoint-url", endpoint,
         "--products-table", products, "--orders-table", orders, "--create-tables", "--seed-products", "10",
         "--progress", "never", "--no-save", *args],
        capture_output=True, text=True, env=env, timeout=90,
    )  # fmt: skip


def test_a_credential_process_that_never_answers_is_an_error_not_a_hang(endpoint, tables, tmp_path):
    env = _with_credential_process(tmp_path, "sleep 300")
    started = time.monotonic()
    ran = _run_with_helper(env, endpoint, tables, "--duration", "1s")
    assert time.monotonic() - started < 40
    assert ran.returncode == 2, ran.stderr
    assert "--profile helper: no usable credentials in that profile" in ran.stderr
    assert "timed out after 15 seconds" in ran.stderr, ran.stderr


def test_expired_credentials_from_a_helper_are_refused(endpoint, tables, tmp_path):
    expired = {"Version": 1, "AccessKeyId": "x", "SecretAccessKey": "y", "SessionToken": "z",
               "Expiration": "2020-01-01T00:00:00Z"}  # fmt: skip
    script = tmp_path / "expired.py"
    script.write_text(f"print({json.dumps(json.dumps(expired))})\n")
    ran = _run_with_helper(_with_credential_process(tmp_path, f"{sys.executable} {script}"), endpoint, tables)
    assert ran.returncode == 2, ran.stderr
    assert "expired at 1577836800" in ran.stderr, ran.stderr


@pytest.mark.parametrize("client", CLIENTS)
def test_credentials_that_are_always_about_to_expire_do_not_run_the_helper_per_request(
    client, endpoint, tables, tmp_path
):
    """A helper handing out credentials valid for 5 s (inside the 10 s refresh margin) is asked again
    every few seconds, not once per request."""
    script = tmp_path / "short.py"
    script.write_text(SHORT_LIVED)
    counter = tmp_path / "calls"
    env = _with_credential_process(tmp_path, f"{sys.executable} {script} {counter}")
    ran = _run_with_helper(env, endpoint, tables, "--client", client, "--threads", "2", "--duration", "4s")
    assert ran.returncode == 0, ran.stderr
    assert "ok" in ran.stdout
    assert len(counter.read_text()) <= 8, len(counter.read_text())


SHORT_LIVED = """
import datetime, json, sys
with open(sys.argv[1], "a") as calls:
    calls.write(".")
expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)
print(json.dumps({"Version": 1, "AccessKeyId": "local", "SecretAccessKey": "local",
                  "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ")}))
"""


class _CountingProxy(http.server.ThreadingHTTPServer):
    """Forwards each request to `upstream` and counts them by X-Amz-Target: what really went on the wire."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        self.upstream = urllib.parse.urlsplit(upstream).netloc
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Forward)


class _Forward(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the clients use it
    server: _CountingProxy

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.counts[self.headers.get("X-Amz-Target", "").rpartition(".")[2]] += 1
        upstream = http.client.HTTPConnection(self.server.upstream, timeout=30)
        upstream.request("POST", self.path, body, {k: v for k, v in self.headers.items() if k.lower() != "host"})
        answer = upstream.getresponse()
        payload = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        upstream.close()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("client", CLIENTS)
def test_only_ddbload_retries_so_every_request_on_the_wire_is_a_counted_attempt(client, tmp_path):
    """With the SDK's own retries on, throttled requests would be sent again behind ddbload's back: the
    requests a proxy sees must equal the attempts the result counts."""
    server, url = start_serve()
    proxy = _CountingProxy(url)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        result = _run(
            tmp_path, client, "--endpoint-url", f"http://127.0.0.1:{proxy.server_address[1]}", "--create-tables",
            "--seed-products", "100", "--table-capacity", "1/1", "--threads", "16", "--duration", "5s",
        )  # fmt: skip
    finally:
        proxy.shutdown()
        proxy.server_close()
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=10)
    reads, writes = result["summary"]["reads"], result["summary"]["writes"]
    # The reads outrun 1 RCU and its 300 units of burst credit (600 eventual reads; the Python proxy lets
    # about 240 a second through on a loaded machine, so they do within the 5 s; at 2 RCU they did not
    # always). The writes may stay within theirs.
    assert reads["throttled_attempts"] > 0, reads
    assert proxy.counts["GetItem"] == reads["attempts"], (proxy.counts, reads)
    # Seeding writes each of the 100 products with a conditional PutItem before the run.
    assert proxy.counts["PutItem"] == writes["attempts"] + 100, (proxy.counts, writes)
