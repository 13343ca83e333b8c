"""`ddbload capacity` against DynamoDB Local (it accepts capacity settings and ignores them):
show/set/restore round trip with a GSI, backups, dry runs, the switch-limit warning, bad input."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import run_cli, start_serve


@pytest.fixture
def three_tables(dynamodb):
    """Two on-demand tables (one with a GSI) to change, and a bystander that must never be touched."""
    suffix = uuid.uuid4().hex[:8]
    with_gsi, plain, bystander = f"cap-gsi-{suffix}", f"cap-plain-{suffix}", f"cap-other-{suffix}"
    dynamodb.create_table(
        TableName=with_gsi,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "customer", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-customer",
                "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for name in (plain, bystander):
        dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
    return with_gsi, plain, bystander


def show(endpoint: str, *tables: str) -> dict[str, dict]:
    args = [a for t in tables for a in ("--table", t)]
    proc = run_cli("capacity", "show", "--json", "--endpoint-url", endpoint, *args)
    assert proc.returncode == 0, proc.stderr
    return {t["name"]: t for t in json.loads(proc.stdout)}


def test_set_then_restore_round_trip_including_a_gsi(endpoint, three_tables, tmp_path):
    with_gsi, plain, bystander = three_tables
    before = show(endpoint, with_gsi, plain, bystander)
    assert before[with_gsi]["billing_mode"] == "PAY_PER_REQUEST"

    proc = run_cli(
        "capacity", "set", "--provisioned", "--rcu", "2", "--wcu", "2",
        "--table", with_gsi, "--table", plain, "--backup-dir", str(tmp_path), "--endpoint-url", endpoint,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 table(s) changed, 0 failed" in proc.stdout
    after = show(endpoint, with_gsi, plain, bystander)
    for name in (with_gsi, plain):
        assert after[name]["billing_mode"] == "PROVISIONED"
        assert (after[name]["read_capacity_units"], after[name]["write_capacity_units"]) == (2, 2)
    gsi = after[with_gsi]["indexes"][0]
    assert (gsi["name"], gsi["read_capacity_units"], gsi["write_capacity_units"]) == ("by-customer", 2, 2)
    assert after[bystander] == before[bystander], "a table that was not named changed"

    (backup,) = tmp_path.glob("capacity-backup-*.json")
    saved = {t["name"]: t for t in json.loads(backup.read_text())["tables"]}
    assert saved[with_gsi]["billing_mode"] == "PAY_PER_REQUEST"
    assert str(backup) in proc.stdout

    restored = run_cli("capacity", "restore", str(backup), "--backup-dir", str(tmp_path), "--endpoint-url", endpoint)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    final = show(endpoint, with_gsi, plain, bystander)
    for name in (with_gsi, plain):
        assert final[name]["billing_mode"] == "PAY_PER_REQUEST"
    assert "of 4" in restored.stdout, "the switch to on-demand must state the 4-per-24h limit"


def test_dry_run_changes_nothing_and_writes_no_backup(endpoint, three_tables, tmp_path):
    with_gsi, _, _ = three_tables
    before = show(endpoint, with_gsi)
    proc = run_cli(
        "capacity", "set", "--provisioned", "--rcu", "5", "--wcu", "5", "--table", with_gsi,
        "--dry-run", "--backup-dir", str(tmp_path), "--endpoint-url", endpoint,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "RCU 5 / WCU 5" in proc.stdout and "nothing changed" in proc.stdout
    assert show(endpoint, with_gsi) == before
    assert not list(tmp_path.iterdir())


def test_switch_limit_warning_counts_switches_seen_in_backups(endpoint, three_tables, tmp_path):
    _, plain, _ = three_tables
    for _ in range(2):
        for args in (["--provisioned", "--rcu", "3", "--wcu", "3"], ["--on-demand"]):
            proc = run_cli(
                "capacity", "set", *args, "--table", plain, "--backup-dir", str(tmp_path), "--endpoint-url", endpoint
            )
            assert proc.returncode == 0, proc.stdout + proc.stderr
    run_cli("capacity", "set", "--provisioned", "--rcu", "3", "--wcu", "3", "--table", plain,
            "--backup-dir", str(tmp_path), "--endpoint-url", endpoint)  # fmt: skip
    proc = run_cli("capacity", "set", "--on-demand", "--table", plain, "--dry-run", "--backup-dir", str(tmp_path),
                   "--endpoint-url", endpoint)  # fmt: skip
    # Two switches recorded in backups (the table's own "last switch" is the later of them).
    assert "switch 3 of 4" in " ".join(proc.stdout.split()), proc.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--provisioned", "--rcu", "0", "--wcu", "2"], "--rcu must be between 1 and 9223372036854775807, got 0"),
        (["--provisioned"], "--provisioned needs both --rcu and --wcu"),
        (["--rcu", "2", "--wcu", "2"], "--rcu/--wcu go with --provisioned"),
        (["--on-demand", "--table", "no-such-table-xyz"], "no-such-table-xyz not found"),
        # Checked before the first call: no backup, no earlier step applied, no traceback.
        (["--provisioned", "--rcu", str(2**63), "--wcu", "2"], "--rcu must be between 1 and"),
        (["--on-demand", "--warm-read", str(2**70), "--warm-write", "5"], "--warm-read must be between 1 and"),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(args, expected, endpoint, three_tables, tmp_path):
    with_gsi, _, _ = three_tables
    before = show(endpoint, with_gsi)
    proc = run_cli(
        "capacity", "set", *args, "--table", with_gsi, "--backup-dir", str(tmp_path), "--endpoint-url", endpoint
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert show(endpoint, with_gsi) == before
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"kind": "something else"}', '{"kind": "ddbload-capacity-backup", "tables": [{"name": "x"}]}'],
)
def test_corrupt_backup_exits_2(content, endpoint, tmp_path):
    backup = tmp_path / "capacity-backup-bad.json"
    backup.write_text(content)
    proc = run_cli("capacity", "restore", str(backup), "--endpoint-url", endpoint)
    assert proc.returncode == 2
    assert str(backup) in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def _backup_of(endpoint: str, table: str, tmp_path) -> tuple[dict, Path]:
    proc = run_cli("capacity", "set", "--provisioned", "--rcu", "5", "--wcu", "5", "--table", table,
                   "--backup-dir", str(tmp_path), "--endpoint-url", endpoint)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (path,) = tmp_path.glob("capacity-backup-*.json")
    return json.loads(path.read_text()), path


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (lambda t: t.update(read_capacity_units=True), "read_capacity_units must be a whole number"),
        (lambda t: t.update(billing_mode="FREE"), "unknown billing mode 'FREE'"),
        (lambda t: t.update(write_capacity_units=2**70), "write_capacity_units must be between 1 and"),
        (lambda t: t.update(indexes=[{"read_capacity_units": 1}]), "an index entry has no name"),
        (lambda t: t.update(indexes="by-customer"), "its index list is missing"),
        (lambda t: t["autoscaling"].update(policies=None), "its auto scaling policies are missing"),
        (lambda t: t.update(name="Orders; DROP"), "its name is not a DynamoDB table name"),
        (lambda t: t.pop("autoscaling"), "its auto scaling record is missing"),
    ],
)
def test_a_tampered_backup_is_refused_whole(tamper, expected, endpoint, three_tables, tmp_path):
    _, plain, _ = three_tables
    backup, path = _backup_of(endpoint, plain, tmp_path)
    backup["tables"][0].update(billing_mode="PROVISIONED", read_capacity_units=5, write_capacity_units=5)
    tamper(backup["tables"][0])
    path.write_text(json.dumps(backup))
    before = show(endpoint, plain)
    proc = run_cli("capacity", "restore", str(path), "--backup-dir", str(tmp_path), "--endpoint-url", endpoint)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert show(endpoint, plain) == before


def test_a_backup_of_another_format_version_is_refused_before_any_call(endpoint, three_tables, tmp_path):
    _, plain, _ = three_tables
    backup, path = _backup_of(endpoint, plain, tmp_path)
    backup["version"] = 2
    path.write_text(json.dumps(backup))
    before = show(endpoint, plain)
    proc = run_cli("capacity", "restore", str(path), "--backup-dir", str(tmp_path), "--endpoint-url", endpoint)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "version 2" in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert show(endpoint, plain) == before


def test_a_backup_is_restored_only_where_it_was_taken_unless_forced(endpoint, three_tables, tmp_path):
    _, plain, _ = three_tables
    backup, path = _backup_of(endpoint, plain, tmp_path)
    assert backup["endpoint_url"] == endpoint and backup["region"] == "us-east-1"
    assert backup["account"], "the account comes from the tables' ARNs"
    proc = run_cli("capacity", "restore", str(path), "--region", "eu-west-1", "--endpoint-url", endpoint,
                   "--backup-dir", str(tmp_path))  # fmt: skip
    assert proc.returncode == 2
    assert "region us-east-1" in proc.stderr and "--force" in proc.stderr, proc.stderr
    backup["account"] = "123456789012"
    path.write_text(json.dumps(backup))
    proc = run_cli("capacity", "restore", str(path), "--endpoint-url", endpoint, "--backup-dir", str(tmp_path))
    assert proc.returncode == 2 and "account 123456789012" in proc.stderr, proc.stderr
    proc = run_cli("capacity", "restore", str(path), "--endpoint-url", endpoint, "--backup-dir", str(tmp_path),
                   "--force")  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert show(endpoint, plain)[plain]["billing_mode"] == "PAY_PER_REQUEST"


def test_a_backup_restores_through_another_spelling_of_the_same_endpoint(endpoint, three_tables, tmp_path):
    """localhost or 127.0.0.1, a trailing slash, a user and password: one endpoint, and the backup
    never keeps the password."""
    _, plain, _ = three_tables
    port = endpoint.rsplit(":", 1)[1]
    proc = run_cli("capacity", "set", "--provisioned", "--rcu", "5", "--wcu", "5", "--table", plain,
                   "--backup-dir", str(tmp_path), "--endpoint-url", f"http://me:s3cret@localhost:{port}/")  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (path,) = tmp_path.glob("capacity-backup-*.json")
    assert "s3cret" not in path.read_text() and "s3cret" not in proc.stdout + proc.stderr
    assert json.loads(path.read_text())["endpoint_url"] == f"http://localhost:{port}/"
    proc = run_cli("capacity", "restore", str(path), "--endpoint-url", f"http://127.0.0.1:{port}",
                   "--backup-dir", str(tmp_path))  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert show(endpoint, plain)[plain]["billing_mode"] == "PAY_PER_REQUEST"


def test_a_table_that_fails_midway_is_named_the_others_are_changed_and_the_backup_restores_them(tmp_path):
    """Three tables, the middle one refused by DynamoDB (its fifth decrease of the day: LimitExceeded).
    DynamoDB Local enforces no decrease limit, so this runs on ddbload's endpoint, which does."""
    server, url = start_serve()
    try:
        client = boto3.client(
            "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        first, refused, last = "cap-first", "cap-refused", "cap-last"
        for name in (first, refused, last):
            client.create_table(
                TableName=name,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            )
        client.update_table(
            TableName=refused, BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
        )  # fmt: skip
        for units in (110, 90, 80, 70, 60):  # a raise, then the day's four decreases
            client.update_table(
                TableName=refused, ProvisionedThroughput={"ReadCapacityUnits": units, "WriteCapacityUnits": units}
            )
        # What the application sees before it tries a fifth: DynamoDB's count, and when each happened.
        throughput = client.describe_table(TableName=refused)["Table"]["ProvisionedThroughput"]
        assert throughput["NumberOfDecreasesToday"] == 4
        assert throughput["LastIncreaseDateTime"] <= throughput["LastDecreaseDateTime"]

        proc = run_cli(
            "capacity", "set", "--provisioned", "--rcu", "2", "--wcu", "2", "--table", first, "--table", refused,
            "--table", last, "--backup-dir", str(tmp_path), "--endpoint-url", url,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "2 table(s) changed, 1 failed: cap-refused" in proc.stdout
        assert "cap-refused: capacity mode and units failed" in proc.stdout
        assert "LimitExceededException" in proc.stdout or "decreases are limited" in proc.stdout
        after = show(url, first, refused, last)
        assert [after[t]["billing_mode"] for t in (first, last)] == ["PROVISIONED", "PROVISIONED"]
        assert (after[refused]["read_capacity_units"], after[refused]["write_capacity_units"]) == (60, 60)

        (backup,) = tmp_path.glob("capacity-backup-*.json")
        restored = run_cli("capacity", "restore", str(backup), "--backup-dir", str(tmp_path), "--endpoint-url", url)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        final = show(url, first, refused, last)
        assert [final[t]["billing_mode"] for t in (first, last)] == ["PAY_PER_REQUEST", "PAY_PER_REQUEST"]
        assert (final[refused]["read_capacity_units"], final[refused]["write_capacity_units"]) == (60, 60)
    finally:
        server.terminate()
        server.communicate(timeout=10)


def test_a_global_index_shows_its_own_decreases_and_changes():
    """UpdateTable on a global index's figures: DescribeTable gives the index its own count and dates,
    the fifth decrease of the day is refused, and the table's own count is untouched (DynamoDB limits
    decreases per table and per index)."""
    server, url = start_serve()
    try:
        client = boto3.client(
            "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        two = {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}
        client.create_table(
            TableName="gsi-decreases", ProvisionedThroughput=two,
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "gk")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "by-gk", "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"}, "ProvisionedThroughput": two}],
        )  # fmt: skip

        def index_read(read: int) -> None:
            client.update_table(
                TableName="gsi-decreases",
                GlobalSecondaryIndexUpdates=[
                    {"Update": {"IndexName": "by-gk", "ProvisionedThroughput": {**two, "ReadCapacityUnits": read}}}
                ],
            )

        for read in (9, 5):  # a raise, then a decrease
            index_read(read)
        table = client.describe_table(TableName="gsi-decreases")["Table"]
        index = table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]
        assert (index["ReadCapacityUnits"], index["NumberOfDecreasesToday"]) == (5, 1)
        assert index["LastIncreaseDateTime"] <= index["LastDecreaseDateTime"]
        assert table["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0
        assert "LastDecreaseDateTime" not in table["ProvisionedThroughput"]
        # The index's day allows four decreases, as a table's does; the table keeps its own.
        for read in (4, 3, 2):
            index_read(read)
        with pytest.raises(ClientError) as refused:
            index_read(1)
        assert refused.value.response["Error"]["Code"] == "LimitExceededException"
        described = client.describe_table(TableName="gsi-decreases")["Table"]
        assert described["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
        client.update_table(TableName="gsi-decreases", ProvisionedThroughput={**two, "ReadCapacityUnits": 1})
    finally:
        server.terminate()
        server.communicate(timeout=10)
