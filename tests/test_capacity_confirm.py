"""`capacity set --all-tables` against AWS asks first: on a terminal it shows the plan and waits for a
yes; elsewhere it needs --yes. A loopback endpoint (DynamoDB Local, ddbload's own) is never asked
about. "AWS" here is ddbload's endpoint reached through this machine's own network address: anything
but loopback counts as the real thing."""

from __future__ import annotations

import os
import pty
import socket
import subprocess
import sys
import uuid
from urllib.parse import urlparse

import boto3
import ddbload
import pytest
from conftest import cli_env, run_cli

SET_ALL = ("capacity", "set", "--all-tables", "--provisioned", "--rcu", "2", "--wcu", "2")


def _own_address() -> str:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))
        return s.getsockname()[0]


@pytest.fixture
def remote():
    """(URL through a non-loopback address, boto3 client, table name) of an on-demand table."""
    emulator = ddbload.Emulator(host="0.0.0.0")
    url = f"http://{_own_address()}:{urlparse(emulator.url).port}"
    client = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")  # fmt: skip
    name = f"confirm-{uuid.uuid4().hex[:8]}"
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])  # fmt: skip
    yield url, client, name
    emulator.stop()


def _mode(client, name: str) -> str:
    return client.describe_table(TableName=name)["Table"].get("BillingModeSummary", {}).get("BillingMode", "")


def test_without_a_terminal_all_tables_against_aws_needs_yes(remote, tmp_path):
    url, client, name = remote
    # The README's example pasted as is (no --endpoint-url: AWS): refused before anything is sent.
    proc = run_cli(*SET_ALL, "--backup-dir", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "--all-tables: this changes every table in us-east-1 of your AWS account; pass --yes" in proc.stderr
    proc = run_cli(*SET_ALL, "--endpoint-url", url, "--backup-dir", str(tmp_path))
    assert proc.returncode == 2 and _mode(client, name) == "PAY_PER_REQUEST"
    assert list(tmp_path.iterdir()) == [], "no backup: nothing was about to change"
    proc = run_cli(*SET_ALL, "--endpoint-url", url, "--backup-dir", str(tmp_path), "--yes")
    assert proc.returncode == 0, proc.stderr
    assert _mode(client, name) == "PROVISIONED"


def _on_a_terminal(url: str, backup_dir, answer: str) -> subprocess.CompletedProcess[str]:
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ddbload", *SET_ALL, "--endpoint-url", url, "--backup-dir", str(backup_dir)],
            stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(),
        )  # fmt: skip
        os.write(controller, answer.encode() + b"\n")
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(controller)
        os.close(terminal)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_on_a_terminal_it_shows_the_plan_and_changes_only_after_yes(remote, tmp_path):
    url, client, name = remote
    refused = _on_a_terminal(url, tmp_path, "n")
    assert refused.returncode == 1, refused.stderr
    assert name in refused.stdout and "of your AWS account?" in refused.stdout
    assert "Nothing changed." in refused.stdout and _mode(client, name) == "PAY_PER_REQUEST"
    accepted = _on_a_terminal(url, tmp_path, "y")
    assert accepted.returncode == 0, accepted.stderr
    assert _mode(client, name) == "PROVISIONED"


def test_a_local_endpoint_is_not_asked_about(remote, tmp_path):
    url, client, name = remote
    local_url = f"http://127.0.0.1:{urlparse(url).port}"  # the same endpoint through loopback
    proc = run_cli(*SET_ALL, "--endpoint-url", local_url, "--backup-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert _mode(client, name) == "PROVISIONED"
