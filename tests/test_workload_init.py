"""`ddbload workload init --from-table`: a workload file drafted from tables created with boto3 holding items
of several shapes (nested maps, sets, lists, numbers with many digits, a TTL attribute, a GSI). The draft
copies keys and index key values only, follows the other attributes' shapes, and runs unchanged."""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal

import boto3
import pytest
import yaml
from conftest import client_for, refusal, run_cli, scan_all

SECRET = "s3cr3t-card-number"


def make_orders(client, name: str) -> None:
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "customer", "AttributeType": "S"},
            {"AttributeName": "placed", "AttributeType": "N"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "placed", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    client.get_waiter("table_exists").wait(TableName=name)
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    table = boto3.resource(
        "dynamodb",
        endpoint_url=client.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    ).Table(name)
    now = int(time.time())
    for i in range(30):
        table.put_item(
            Item={
                "customer": f"c-{i}",
                "placed": 1_700_000_000 + i,
                "status": ["OPEN", "PAID", "SHIPPED"][i % 3],
                "total": Decimal(f"{i}.{i % 10}5"),
                "huge": Decimal("12345678901234567890.123456789012345678"),
                "card": f"{SECRET}-{i}",
                "tags": {"gift", f"t{i}"},
                "scores": {Decimal(i), Decimal(i + 1)},
                "lines": [{"sku": f"sku-{i}", "qty": i % 4 + 1}],
                "address": {"city": "Lyon", "geo": {"lat": Decimal("45.76"), "lon": Decimal("4.83")}},
                "paid": i % 2 == 0,
                "expires": now + 3600,
            }
        )


def test_a_drafted_file_follows_the_shape_copies_only_keys_and_runs_unchanged(target, tmp_path):
    client = client_for(target)
    name = f"orders-{uuid.uuid4().hex[:8]}"
    make_orders(client, name)
    drafted = tmp_path / "checkout.yaml"
    proc = run_cli("workload", "init", "--from-table", name, "--output", str(drafted), "--endpoint-url", target)
    assert proc.returncode == 0, proc.stderr
    text = drafted.read_text()
    assert SECRET not in text, "a non-key value was copied"
    assert "Only key values are copied" in text
    table = yaml.safe_load(text)["tables"][name]
    assert table["partition_key"] == {"name": "customer", "type": "S"}
    assert table["sort_key"] == {"name": "placed", "type": "N"}
    assert table["indexes"] == [{"name": "by_status", "partition_key": {"name": "status", "type": "S"}}]
    assert sorted(table["keys"], key=lambda k: k["placed"]) == [
        {"customer": f"c-{i}", "placed": 1_700_000_000 + i} for i in range(30)
    ]
    item = table["item"]
    assert item["card"] == {"string": {"length": [len(f"{SECRET}-0"), len(f"{SECRET}-29")]}}
    assert item["total"] == {"decimal": {"min": "0.05", "max": "29.95"}}
    assert sorted(item["status"]["choice"]) == ["OPEN", "PAID", "SHIPPED"]
    assert item["tags"]["set"]["length"] == 2 and "string" in item["tags"]["set"]["of"]
    assert item["scores"] == {"set": {"of": {"int": {"min": 0, "max": 30}}, "length": 2}}
    assert item["address"]["map"]["geo"]["map"]["lat"] == {"decimal": {"min": "45.76", "max": "45.76"}}
    assert item["lines"]["list"]["of"]["map"]["qty"] == {"int": {"min": 1, "max": 4}}
    assert item["paid"] == {"bool": {}}
    assert 3500 <= item["expires"]["now"]["plus_seconds"] <= 3600
    # 38 digits: widened to the 28 an exact decimal holds.
    assert item["huge"] == {"decimal": {"min": "12345678901234567890.12345678", "max": "12345678901234567890.12345679"}}
    ops = yaml.safe_load(text)["operations"]
    assert [op["name"] for op in ops] == [f"get_{name}", f"query_{name}_by_status", f"put_{name}"]

    out = tmp_path / "result.json"
    ran = run_cli(
        "run", "--workload", str(drafted), "--duration", "2s", "--rate", "100", "--endpoint-url", target,
        "--output", str(out),
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    result = json.loads(out.read_text())
    counted = result["operations"]
    for op in ops:
        assert counted[op["name"]]["ok"] > 0 and counted[op["name"]]["errors"] == {}, (op["name"], counted)
    stored = scan_all(client, name)
    assert len(stored) == 30 + counted[f"put_{name}"]["ok"]
    new = [i for i in stored if not i["customer"].startswith("c-")]
    assert all(i["status"] in ("OPEN", "PAID", "SHIPPED") and isinstance(i["tags"], set) for i in new)
    assert all(len(i["card"]) in range(len(f"{SECRET}-0"), len(f"{SECRET}-29") + 1) for i in new)


def test_init_refuses_to_replace_a_file_and_names_a_missing_table(endpoint, tmp_path):
    existing = tmp_path / "mine.yaml"
    existing.write_text("keep me\n")
    line = refusal(
        run_cli("workload", "init", "--from-table", "x", "--output", str(existing), "--endpoint-url", endpoint)
    )
    assert "exists" in line and existing.read_text() == "keep me\n"
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    out = tmp_path / "new.yaml"
    line = refusal(
        run_cli("workload", "init", "--from-table", missing, "--output", str(out), "--endpoint-url", endpoint)
    )
    assert f"--from-table: table {missing} not found" in line and not out.exists()
    bad = refusal(run_cli("workload", "init", "--from-table", "x", "--output", str(out), "--sample", "0"))
    assert "--sample" in bad and "'0'" in bad


@pytest.mark.parametrize("sample", ["5"])
def test_the_sample_size_bounds_the_keys_copied(endpoint, tmp_path, sample):
    client = client_for(endpoint)
    name = f"orders-{uuid.uuid4().hex[:8]}"
    make_orders(client, name)
    drafted = tmp_path / "few.yaml"
    proc = run_cli(
        "workload", "init", "--from-table", name, "--output", str(drafted), "--sample", sample,
        "--endpoint-url", endpoint,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(yaml.safe_load(drafted.read_text())["tables"][name]["keys"]) == int(sample)
