"""The verdict and the advice name what limited a run, offline through the CLI as a user runs it: a hot
key (more capacity cannot fix it), a GSI that throttles its table's writes, the load generator itself;
and `--fail-if 'verdict!=held'` turns the verdict into an exit code."""

from __future__ import annotations

import json
import re
import signal
from importlib import resources

import boto3
import jsonschema
import pytest
from conftest import run_cli, start_serve

pytestmark = pytest.mark.slow
SCHEMA = json.loads(resources.files("ddbload").joinpath("schema/result.schema.json").read_text())


def _run(tmp_path, name: str, *args: str, code: int = 0) -> dict:
    out = tmp_path / f"{name}.json"
    proc = run_cli("run", "--output", str(out), *args)
    assert proc.returncode == code, proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    # Throttled, hot-key, GSI, client-limited and closed results all follow the published schema.
    jsonschema.validate(result, SCHEMA)
    # The terminal ends with the verdict the result JSON records.
    assert f"Verdict: {result['verdict']['outcome']}" in proc.stdout
    return result


def _advise(path) -> str:
    proc = run_cli("advise", str(path))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_hot_key_is_named_and_capacity_is_not_the_advice(tmp_path):
    # 90% of 4,000 strongly consistent reads a second on one key: 3,600 read units/s on one key range,
    # above its 3,000 a second, while the on-demand table itself is far from its limits.
    result = _run(
        tmp_path, "hot", "--local", "--key-distribution", "hot:1:0.9", "--consistent-reads", "--rate", "4000",
        "--read-ratio", "1", "--duration", "6s", "--fail-if", "verdict!=held", code=1,
    )  # fmt: skip
    [hot] = result["hot_keys"]
    assert hot["share"] == 0.9 and hot["table"] == "Products"
    verdict = result["verdict"]
    assert verdict["outcome"] == "throttled"
    assert "TableReadKeyRangeThroughputExceeded" in verdict["reasons"][0]
    assert hot["key"] in verdict["reasons"][0] and "more capacity cannot fix it" in verdict["reasons"][0]
    advice = _advise(tmp_path / "hot.json")
    assert "Products: spread the hot key (more capacity will not help)" in advice
    assert f"sent 90% of the picks on Products to {hot['key']}" in advice
    assert "More capacity cannot fix a hot key" in advice


def test_a_gsi_that_throttles_the_tables_writes_is_named_and_sized(tmp_path):
    server, url = start_serve()
    try:
        client = boto3.client(
            "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        # The trap: a table with plenty of write capacity, its GSI on order status with 5 WCU.
        client.create_table(
            TableName="Orders",
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 400, "WriteCapacityUnits": 400},
            AttributeDefinitions=[
                {"AttributeName": "order_id", "AttributeType": "S"},
                {"AttributeName": "status", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_status",
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                }
            ],
        )
        # 200 orders a second for 12 s: the index's 1,500 units of burst credit run out after about 8 s.
        result = _run(
            tmp_path, "gsi", "--endpoint-url", url, "--create-tables", "--seed-products", "50", "--rate", "200",
            "--read-ratio", "0", "--duration", "12s",
        )  # fmt: skip
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=10)
    writes = result["summary"]["writes"]
    index_throttles = writes["throttled_by_resource"]["Orders/index/by_status"]
    assert index_throttles["IndexWriteProvisionedThroughputExceeded"] == writes["throttled_attempts"] > 0
    verdict = result["verdict"]
    assert verdict["outcome"] == "throttled"
    assert verdict["reasons"][0].startswith("Orders/index/by_status throttled")
    assert "the index's own capacity limited the table's writes" in verdict["reasons"][0]
    advice = _advise(tmp_path / "gsi.json")
    assert "Orders: index by_status WCU" in advice
    assert "on-demand" not in advice.splitlines()[0], "the table's own capacity was not the limit"


def test_a_run_the_load_generator_could_not_keep_up_with_is_client_limited(tmp_path):
    # One request in flight cannot carry 100,000 arrivals a second (a round trip would have to take 10 us):
    # the queue fills and arrivals drop, while tables provisioned at 40,000 units each way are nowhere near
    # throttling (a new on-demand table's 12,000 read units were reached now and then). At 20,000 a
    # second a fast machine kept up.
    result = _run(
        tmp_path, "flood", "--local", "--rate", "100000", "--max-in-flight", "1", "--table-capacity", "40000/40000",
        "--duration", "4s",
        "--fail-if", "verdict!=held", code=1,
    )  # fmt: skip
    assert result["summary"]["throttle_rate"] == 0
    verdict = result["verdict"]
    assert verdict["outcome"] == "client_limited"
    assert any("dropped" in reason or "scheduling lag" in reason for reason in verdict["reasons"])
    assert any("--ray" in reason for reason in verdict["reasons"])


def test_a_run_that_held_passes_its_verdict_threshold(tmp_path):
    result = _run(tmp_path, "calm", "--local", "--rate", "200", "--duration", "3s", "--fail-if", "verdict!=held")
    assert result["verdict"]["outcome"] == "held"
    assert result["verdict"]["reasons"][0].startswith("the tables served")


def test_an_unknown_verdict_in_fail_if_is_refused_before_anything_runs(tmp_path):
    proc = run_cli("run", "--local", "--duration", "2s", "--fail-if", "verdict!=great", "--output", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert "unknown verdict 'great'" in proc.stderr and proc.stderr.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_a_closed_loop_run_sizes_nothing_and_asks_for_the_demand(tmp_path):
    """What 8 workers could send through a 2/2 table is not the event's demand: advise names no capacity
    figure from it, and the only rate it suggests is the forecast's (no estimate invented from retries)."""
    result = _run(tmp_path, "closed", "--local", "--table-capacity", "2/2", "--threads", "8", "--duration", "3s")
    assert result["verdict"]["outcome"] == "throttled"
    advice = _advise(tmp_path / "closed.json")
    assert "## Demand" in advice and "not the event's demand" in advice
    assert advice.count("peak consumed") == 2 and "peak demand" not in advice
    assert "warm throughput to" not in advice and "RCU 1" not in advice
    assert set(re.findall(r"--rate ([^\s`]+)", advice)) == {"FORECAST"}
    assert "Size it from a run at the forecast" in advice
    case = run_cli("support-case", str(tmp_path / "closed.json"))
    assert case.returncode == 0 and "size from a --rate run" in case.stdout
