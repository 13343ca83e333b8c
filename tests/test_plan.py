"""`ddbload plan`: a target peak turned into settings per table and index, the commands that apply them
(run here as a user would), quotas, and --verify proving the plan on an offline copy of the settings."""

from __future__ import annotations

import json
import shlex
import uuid
from importlib import resources

import jsonschema
import pytest
from conftest import client_for, refusal, run_cli, start_serve

SCHEMA = json.loads(resources.files("ddbload").joinpath("schema/plan.schema.json").read_text())

ORDERS = """\
version: 1
tables:
  orders:
    table: {table}
    partition_key: {{name: id, type: S}}
    items: 20
    billing: {{read: 5, write: {table_write}}}
    indexes:
      - name: by_status
        partition_key: {{name: status, type: S}}
        billing: {{read: 50, write: {index_write}}}
    item:
      status: {{choice: [OPEN, PAID]}}
operations:
  - name: new_order
    weight: 1
    put: {{table: orders}}
"""


def workload(tmp_path, table: str, table_write: int, index_write: int):
    path = tmp_path / f"{table}.yaml"
    path.write_text(ORDERS.format(table=table, table_write=table_write, index_write=index_write))
    return path


def described(url: str, table: str) -> dict:
    return client_for(url).describe_table(TableName=table)["Table"]


@pytest.mark.parametrize("short", ["table", "index"])
def test_verify_shows_todays_settings_throttle_and_the_plans_hold(tmp_path, short):
    """Production (a `ddbload serve`) has a table, or only its GSI, at 1 WCU; every order writes both. At
    60 orders/s the copy of today's settings throttles more than 1% and names what is short; with the
    plan's commands applied the same peak is not throttled at all. Production itself is only read; the
    printed command, run against it as a user would, sets the minimums the plan shows."""
    table = f"plan-{short}"
    file = workload(tmp_path, table, 1 if short == "table" else 100, 1 if short == "index" else 100)
    server, url = start_serve()
    try:
        setup = run_cli("run", "--workload", str(file), "--create-tables", "--endpoint-url", url,
                        "--rate", "1", "--duration", "1s", "--no-save")  # fmt: skip
        assert setup.returncode == 0, setup.stderr
        proc = run_cli(
            "plan", "--peak-rate", "60", "--workload", str(file), "--endpoint-url", url, "--verify",
            "--verify-seconds", "8", "--calibrate-seconds", "2", "--json", "--progress", "never", timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        plan = json.loads(proc.stdout)
        jsonschema.validate(plan, SCHEMA)
        short_name = table if short == "table" else f"{table}/index/by_status"
        today, planned = plan["verify"]["today"], plan["verify"]["planned"]
        assert float(today["throttle_rate"]) > 0.01, today
        assert today["resources"][short_name]["outcome"] == "broken", today
        assert "throttles" in today["resources"][short_name]["why"], today
        assert float(planned["throttle_rate"]) == 0, planned
        assert all(r["outcome"] == "held" for r in planned["resources"].values()), planned
        assert plan["verify"]["held"] is True

        figures = {f["name"]: f for t in plan["tables"] for f in t["figures"]}
        # 60 orders/s of one write unit each, at a 70% target: a minimum of ceil(60 / 0.7) = 86.
        assert figures[short_name]["planned"][1] == 86
        assert figures[short_name]["setting"] == "auto scaling minimum"
        # The verification changed nothing in production.
        assert described(url, table)["ProvisionedThroughput"]["WriteCapacityUnits"] == (1 if short == "table" else 100)

        (command,) = plan["commands"]
        applied = run_cli(*shlex.split(command)[1:], "--backup-dir", str(tmp_path))
        assert applied.returncode == 0, applied.stderr
        after = described(url, table)
        assert after["ProvisionedThroughput"]["WriteCapacityUnits"] >= 86
        (index,) = after["GlobalSecondaryIndexes"]
        assert index["ProvisionedThroughput"]["WriteCapacityUnits"] >= 86
    finally:
        server.terminate()
        server.communicate(timeout=10)


def test_plan_from_a_result_on_dynamodb_local_gives_commands_that_apply_it(tmp_path, endpoint):
    """DynamoDB Local has no auto scaling: the plan sets provisioned figures, each index its own where it
    differs (--index), from the units per operation a run measured (--from). Its command, run as printed,
    leaves the table and index at the planned figures."""
    name = f"plan-local-{uuid.uuid4().hex[:8]}"  # DynamoDB Local lives for the whole session
    file = workload(tmp_path, name, 5, 1)
    ran = run_cli("run", "--workload", str(file), "--create-tables", "--endpoint-url", endpoint,
                  "--rate", "20", "--duration", "2s", "--output", str(tmp_path / "r.json"))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    proc = run_cli("plan", "--peak-rate", "100", "--from", str(tmp_path / "r.json"), "--endpoint-url", endpoint,
                   "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    jsonschema.validate(plan, SCHEMA)
    assert plan["measured_from"] == str(tmp_path / "r.json")
    (command,) = plan["commands"]
    # ceil(100 writes/s / 0.7) = 143 for the table and its index; reads stay where they are (5 and 50).
    assert "--provisioned --rcu 5 --wcu 143" in command and "--index by_status=50/143" in command, command
    applied = run_cli(*shlex.split(command)[1:], "--backup-dir", str(tmp_path))
    assert applied.returncode == 0, applied.stderr
    after = described(endpoint, name)
    assert after["ProvisionedThroughput"]["WriteCapacityUnits"] == 143
    (index,) = after["GlobalSecondaryIndexes"]
    figures = index["ProvisionedThroughput"]
    assert (figures["ReadCapacityUnits"], figures["WriteCapacityUnits"]) == (50, 143)

    # A peak beyond the per-table and account quotas (DescribeLimits) is a problem, and exit 1.
    huge = run_cli("plan", "--peak-rate", "100000", "--from", str(tmp_path / "r.json"), "--endpoint-url", endpoint)
    assert huge.returncode == 1, huge.stderr
    assert "above the per-table quota of 40,000" in huge.stdout


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--peak-rate", "-5"], "--peak-rate"),
        (["--peak-rate", "lots"], "--peak-rate"),
        (["--peak-rate", "10", "--target-utilization", "95"], "--target-utilization"),
        (["--peak-rate", "10", "--from", "missing.json"], "missing.json"),
        (["--peak-rate", "10", "--verify-seconds", "0"], "--verify-seconds"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_anything_is_sent(args, names):
    line = refusal(run_cli("plan", *args, "--endpoint-url", "http://127.0.0.1:1"))
    assert names in line


def test_capacity_set_index_figures_need_a_name_and_a_pair():
    line = refusal(run_cli("capacity", "set", "--provisioned", "--rcu", "5", "--wcu", "5", "--index", "by_status",
                           "--table", "T", "--endpoint-url", "http://127.0.0.1:1"))  # fmt: skip
    assert "--index" in line and "by_status" in line
