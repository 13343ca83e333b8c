"""Shared fixtures: the DynamoDB Local endpoint, a boto3 client to inspect tables, and CLI runners."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import ddbload
import pytest
from boto3.dynamodb.types import TypeDeserializer
from botocore.config import Config
from botocore.exceptions import ClientError

# The headers of a signed call, for tests that write raw HTTP: endpoints check a signature's parts before
# anything else (DynamoDB Local and ddbload's accept any credentials).
SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00",
    "X-Amz-Date": "20260101T000000Z",
}
# DynamoDB Local accepts any credentials; IMDS is off so nothing waits on an instance role.
LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") == "true" and not os.environ.get("DDBLOAD_TEST_ENDPOINT"):
        raise pytest.UsageError("DDBLOAD_TEST_ENDPOINT is not set under CI=true: DynamoDB Local was not started")
    # A runner started in the background may hand us SIGINT ignored; the Ctrl-C tests need Python's
    # own handler here and in the commands they start (see sigint_default).
    signal.signal(signal.SIGINT, signal.default_int_handler)


def sigint_default() -> None:
    """preexec_fn for commands a test interrupts: SIGINT acts as it does in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(autouse=True)
def own_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in its own folder: runs without --output keep their result in ./ddbload-runs/,
    which must not land in the checkout."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def piped_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands print as into a pipe or a log, at their own width: pytest-xdist's workers set COLUMNS=80,
    which a user's pipe does not have."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture(scope="session")
def endpoint() -> str:
    url = os.environ.get("DDBLOAD_TEST_ENDPOINT")
    if not url:
        pytest.skip("DynamoDB Local is not running (scripts/test.sh starts it)")
    return url


@pytest.fixture(scope="session")
def dynamodb(endpoint: str):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@pytest.fixture
def local_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in LOCAL_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def tables() -> tuple[str, str]:
    """Fresh table names (products, orders) for one test."""
    suffix = uuid.uuid4().hex[:8]
    return f"products-{suffix}", f"orders-{suffix}"


def cli_env() -> dict[str, str]:
    return {**os.environ, **LOCAL_ENV}


def run_cli(*args: str, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m ddbload ARGS` with local credentials, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "ddbload", *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=timeout,
        cwd=cwd,
        check=False,
    )


@pytest.fixture(scope="session")
def workshop_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workshop wrapper as a user installs it: `ddbload install-script DIR`."""
    folder = tmp_path_factory.mktemp("ddb")
    installed = run_cli("install-script", str(folder))
    assert installed.returncode == 0, installed.stderr
    return folder / "ddb_load_tester.py"


def client_for(url: str, retries: dict | None = None):
    """A boto3 DynamoDB client for any local endpoint (DynamoDB Local or `ddbload serve`); `retries` as
    botocore's Config takes it (default: botocore's)."""
    return boto3.client(
        "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="local",
        aws_secret_access_key="local", config=Config(retries=retries) if retries else None,
    )  # fmt: skip


def pk_table_on(url: str, prefix: str) -> str:
    """A fresh on-demand table keyed by `pk` (S) at `url`."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    client_for(url).create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )  # fmt: skip
    return name


def api_refusal(url: str, method: str, params: dict) -> tuple[str, str]:
    """The error code and message `url` answers `method` on a fresh `pk` table with `params`."""
    with pytest.raises(ClientError) as refused:
        getattr(client_for(url), method)(TableName=pk_table_on(url, "refused"), **params)
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


def assert_refused_alike(urls: tuple[str, ...], method: str, params: dict, message: str) -> None:
    """Each endpoint refuses `method` with `params` as a ValidationException worded `message`."""
    for url in urls:
        assert api_refusal(url, method, params) == ("ValidationException", message), url


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    """ddbload's endpoint, in process, for one test module."""
    with ddbload.Emulator() as server:
        yield server.url


def create_orders_table(dynamodb, name: str) -> None:
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
    )
    dynamodb.get_waiter("table_exists").wait(TableName=name)


def scan_all(dynamodb, table: str) -> list[dict]:
    """Every item of `table`, deserialized with Decimal numbers."""
    deserializer = TypeDeserializer()
    items = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        items.extend({k: deserializer.deserialize(v) for k, v in item.items()} for item in page["Items"])
    return items


def refusal(proc: subprocess.CompletedProcess[str]) -> str:
    """The one stderr line of a command refused as bad input (exit 2), after checking it is one line."""
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def start_cli(*args: str) -> subprocess.Popen[str]:
    """`python -m ddbload ARGS` in the background, output piped, SIGINT as in a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "ddbload", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
        preexec_fn=sigint_default,
    )


def read_until(proc: subprocess.Popen[str], text: str) -> list[str]:
    """Lines of `proc`'s stderr up to and including the first that contains `text`."""
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if text in line:
            break
    return seen


@pytest.fixture
def offline() -> Iterator[str]:
    """The URL of a fresh `ddbload serve` on loopback, stopped after the test."""
    server, url = start_serve()
    try:
        yield url
    finally:
        server.terminate()
        server.communicate(timeout=10)


@pytest.fixture(params=["dynamodb-local", "offline-endpoint"])
def target(request, endpoint) -> Iterator[str]:
    """Each test using it runs twice: against DynamoDB Local, and against a fresh `ddbload serve`."""
    if request.param == "dynamodb-local":
        yield endpoint
        return
    yield request.getfixturevalue("offline")


def start_serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    """`ddbload serve --port 0 ARGS` in its own process (so a test can stop, kill or interrupt it),
    and the endpoint URL it printed."""
    server = subprocess.Popen(
        [sys.executable, "-m", "ddbload", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
        preexec_fn=sigint_default,
    )
    assert server.stdout is not None
    url = server.stdout.readline().split(" on ", 1)[1].split()[0]
    return server, url


@pytest.fixture(scope="module")
def served():
    """A `ddbload serve` of the module's own, in its own process: its URL."""
    server, url = start_serve()
    yield url
    server.kill()
    server.communicate(timeout=10)
