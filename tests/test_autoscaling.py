"""Auto scaling through the capacity commands and during a run, against the offline endpoint (DynamoDB Local has no
Application Auto Scaling API): show, hold new figures by suspending, raise minimums, restore exactly.
Answer shapes of the endpoint's Application Auto Scaling API are checked against moto's server mode,
a second implementation of that API."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import uuid
from typing import Any

import boto3
import ddbload
import pytest
from conftest import run_cli, start_serve

WRITE = "dynamodb:table:WriteCapacityUnits"
INDEX_READ = "dynamodb:index:ReadCapacityUnits"
READ = "dynamodb:table:ReadCapacityUnits"


def clients(url: str) -> tuple[Any, Any]:
    kw = {"endpoint_url": url, "region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    return boto3.client("dynamodb", **kw), boto3.client("application-autoscaling", **kw)


@pytest.fixture
def scaled(tmp_path):
    """An endpoint with a provisioned table and GSI under auto scaling: (url, table, ddb, aas)."""
    with ddbload.Emulator() as server:
        ddb, aas = clients(server.url)
        table = f"shop-{uuid.uuid4().hex[:6]}"
        ddb.create_table(
            TableName=table,
            ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 10},
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "customer", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "by-customer", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                     "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                                     "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}],
        )  # fmt: skip
        aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{table}",
                                     ScalableDimension=WRITE, MinCapacity=5, MaxCapacity=100)  # fmt: skip
        aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{table}/index/by-customer",
                                     ScalableDimension=INDEX_READ, MinCapacity=1, MaxCapacity=50)  # fmt: skip
        aas.put_scaling_policy(
            PolicyName="writes70", ServiceNamespace="dynamodb", ResourceId=f"table/{table}", ScalableDimension=WRITE,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 70.0, "ScaleInCooldown": 60, "ScaleOutCooldown": 30,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"}},
        )  # fmt: skip
        yield server.url, table, ddb, aas


def scaling_state(aas, table: str) -> tuple[list, list]:
    targets = aas.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
    policies = aas.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
    keep_t = ("ResourceId", "ScalableDimension", "MinCapacity", "MaxCapacity", "SuspendedState")
    keep_p = ("PolicyName", "ResourceId", "ScalableDimension", "TargetTrackingScalingPolicyConfiguration")
    mine = [t for t in targets if table in t["ResourceId"]]
    return (
        sorted(({k: t[k] for k in keep_t} for t in mine), key=str),
        sorted(({k: p[k] for k in keep_p} for p in policies if table in p["ResourceId"]), key=str),
    )


def test_show_set_and_restore_round_trip_targets_policies_and_suspension(scaled, tmp_path):
    url, table, ddb, aas = scaled
    before = scaling_state(aas, table)
    shown = run_cli("capacity", "show", "--table", table, "--endpoint-url", url)
    assert shown.returncode == 0, shown.stderr
    assert "writes70: target 70.0%" in shown.stdout and "table/" + table + "/index/by-customer" in shown.stdout

    proc = run_cli("capacity", "set", "--provisioned", "--rcu", "2", "--wcu", "2", "--table", table,
                   "--backup-dir", str(tmp_path), "--endpoint-url", url)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "auto scaling suspended on 2 target(s)" in " ".join(proc.stdout.split())
    throughput = ddb.describe_table(TableName=table)["Table"]["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (2, 2)
    targets, _ = scaling_state(aas, table)
    assert all(t["SuspendedState"]["DynamicScalingInSuspended"] for t in targets)
    (backup,) = tmp_path.glob("capacity-backup-*.json")
    recorded = json.loads(backup.read_text())["tables"][0]["autoscaling"]
    assert len(recorded["targets"]) == 2 and recorded["policies"][0]["name"] == "writes70"

    restored = run_cli("capacity", "restore", str(backup), "--backup-dir", str(tmp_path), "--endpoint-url", url)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert scaling_state(aas, table) == before, "targets, policies and suspended states exactly as they were"
    throughput = ddb.describe_table(TableName=table)["Table"]["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (10, 10)


def test_raising_the_minimum_ahead_of_an_event(scaled, tmp_path):
    url, table, ddb, aas = scaled
    proc = run_cli("capacity", "set", "--autoscale-min", "40/60", "--table", table,
                   "--backup-dir", str(tmp_path), "--endpoint-url", url)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = " ".join(proc.stdout.split())
    assert "5/100 -> 60/100" in text.replace("│ ", "").replace(" │", "") or "60/100" in text, text
    assert "no auto scaling" in text
    targets, _ = scaling_state(aas, table)
    assert {(t["ResourceId"], t["MinCapacity"]) for t in targets} == {
        (f"table/{table}", 60),
        (f"table/{table}/index/by-customer", 40),
    }
    # The endpoint's auto scaling raises the figure to the new minimum at once, as DynamoDB's does.
    assert ddb.describe_table(TableName=table)["Table"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 60
    too_high = run_cli("capacity", "set", "--autoscale-min", "60/200", "--table", table, "--endpoint-url", url,
                       "--backup-dir", str(tmp_path))  # fmt: skip
    assert too_high.returncode == 2 and "--autoscale-max" in too_high.stderr, too_high.stderr
    bad = run_cli("capacity", "set", "--autoscale-min", "lots", "--table", table, "--endpoint-url", url)
    assert bad.returncode == 2 and "--autoscale-min" in bad.stderr and "lots" in bad.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_url():
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def shape(value: Any) -> Any:
    """The structure of an answer: keys and types, not values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def test_api_answers_have_the_shapes_of_a_second_implementation(moto_url):
    """moto implements Application Auto Scaling too: the same calls must give answers of the same shape."""
    answers = []
    with ddbload.Emulator() as server:
        for url in (moto_url, server.url):
            ddb, aas = clients(url)
            table = f"shape-{uuid.uuid4().hex[:6]}"
            ddb.create_table(TableName=table, BillingMode="PROVISIONED",
                             ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])  # fmt: skip
            target = {"ServiceNamespace": "dynamodb", "ResourceId": f"table/{table}", "ScalableDimension": WRITE}
            config = {"TargetValue": 50.0, "PredefinedMetricSpecification":
                      {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"}}  # fmt: skip
            calls = [
                aas.register_scalable_target(MinCapacity=5, MaxCapacity=50, **target),
                aas.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=[f"table/{table}"]),
                aas.put_scaling_policy(
                    PolicyName="p",
                    PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration=config,
                    **target,
                ),
                aas.describe_scaling_policies(ServiceNamespace="dynamodb", ResourceId=f"table/{table}"),
                aas.delete_scaling_policy(PolicyName="p", **target),
                aas.deregister_scalable_target(**target),
            ]
            answers.append([shape(c) for c in calls])
            if url == server.url:
                # The API reference lists ObjectNotFoundException here (moto answers ValidationException).
                with pytest.raises(aas.exceptions.ObjectNotFoundException):
                    aas.deregister_scalable_target(**target)
    moto, ours = answers
    for theirs, mine in zip(moto, ours):
        # Everything moto answers, the endpoint answers with the same type (it may say more).
        for key, kind in theirs.items():
            assert key in mine, (key, mine)
            if key not in ("ScalableTargets", "ScalingPolicies"):
                assert mine[key] == kind, key
        for listed in ("ScalableTargets", "ScalingPolicies"):
            if theirs.get(listed):
                assert set(theirs[listed][0]) <= set(mine[listed][0]), set(theirs[listed][0]) - set(mine[listed][0])


@pytest.mark.parametrize(
    ("operation", "fields", "message"),
    [
        ("register_scalable_target", {"MinCapacity": 10, "MaxCapacity": 5}, "cannot be larger than maximum"),
        ("register_scalable_target", {"MinCapacity": 0, "MaxCapacity": 5}, "at least 1"),
        ("register_scalable_target", {"ResourceId": "tables/x"}, "Unsupported resource ID"),
        ("register_scalable_target", {"ResourceId": "table/no-such-table"}, "does not exist"),
        ("register_scalable_target", {"ScalableDimension": "dynamodb:table:Foo"}, "scalable dimension"),
        ("put_scaling_policy", {"TargetValue": 95.0}, "between 20 and 90"),
        ("put_scaling_policy", {"TargetValue": 10.0}, "between 20 and 90"),
        ("put_scaling_policy", {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}, "predefined metric"),
    ],
)
def test_auto_scaling_fields_dynamodb_refuses_are_refused_and_nothing_is_kept(operation, fields, message):
    """Through boto3 as an application would call it (moto accepts all of these, so the endpoint is held to
    DynamoDB's documented rules: minimum 1 unit, min <= max, target utilization 20-90%, the metric of the
    dimension): each is a ValidationException and leaves no target or policy behind."""
    with ddbload.Emulator() as server:
        ddb, aas = clients(server.url)
        ddb.create_table(TableName="Orders", BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])  # fmt: skip
        target = {"ServiceNamespace": "dynamodb", "ResourceId": "table/Orders", "ScalableDimension": WRITE}
        if operation == "register_scalable_target":
            call = {**target, "MinCapacity": 1, "MaxCapacity": 50, **fields}
        else:
            aas.register_scalable_target(MinCapacity=1, MaxCapacity=50, **target)
            metric = fields.pop("PredefinedMetricType", "DynamoDBWriteCapacityUtilization")
            config = {"TargetValue": 70.0, "PredefinedMetricSpecification": {"PredefinedMetricType": metric}, **fields}
            call = {**target, "PolicyName": "p", "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": config}  # fmt: skip
        with pytest.raises(aas.exceptions.ValidationException, match=message):
            getattr(aas, operation)(**call)
        assert aas.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"] == []
        if operation == "register_scalable_target":
            assert aas.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"] == []


def test_a_run_records_the_capacity_auto_scaling_sets_while_it_runs(tables, local_credentials):
    """Real time, kept short: raising the auto scaling minimum during a run shows in its time series
    within a few seconds (the engine reads the tables' figures every 2 s)."""
    products, orders = tables
    with ddbload.Emulator() as server:
        _, aas = clients(server.url)
        config = ddbload.LoadConfig(
            endpoint_url=server.url, products_table=products, orders_table=orders, create_tables=True,
            seed_products=50, table_capacity="5/5", threads=2, duration="7s",
        )  # fmt: skip
        raised = []

        def on_event(event: dict) -> None:
            if event["type"] == "tick" and event["t"] == 1 and not raised:
                aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{orders}",
                                             ScalableDimension=WRITE, MinCapacity=50, MaxCapacity=100)  # fmt: skip
                raised.append(True)

        result = ddbload.run(config, progress=on_event)
    figures = [row["provisioned"][orders]["write"] for row in result.timeseries]
    assert figures[0] == 5 and figures[-1] == 50, figures
    assert figures == sorted(figures), "one step up, as auto scaling applied the new minimum"
    steps = __import__("ddbload.timeline", fromlist=["steps"]).steps(result.data)
    assert [(s.table, s.kind, s.before, s.after) for s in steps] == [(orders, "write", 5, 50)]


@pytest.mark.timeout(300)
def test_auto_scaling_raises_a_throttled_table_by_itself_during_a_run(tables, tmp_path):
    """Real time, about 2.5 minutes: `ddbload run` reads a 5-RCU table under a 70% target-tracking
    policy at 4 times its capacity, against `ddbload serve`. Nobody calls any API after the policy is
    put: the endpoint's own clock evaluates it, and the run's time series shows the step."""
    products, orders = tables
    server, url = start_serve()
    try:
        created = run_cli(
            "run", "--endpoint-url", url, "--products-table", products, "--orders-table", orders,
            "--create-tables", "--seed-products", "20", "--table-capacity", "5/5", "--duration", "1s",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        ddb, aas = clients(url)
        aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{products}",
                                     ScalableDimension=READ, MinCapacity=5, MaxCapacity=400)  # fmt: skip
        aas.put_scaling_policy(
            PolicyName="reads70", ServiceNamespace="dynamodb", ResourceId=f"table/{products}",
            ScalableDimension=READ, PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}},
        )  # fmt: skip
        out = tmp_path / "surge.json"
        ran = run_cli(
            "run", "--endpoint-url", url, "--products-table", products, "--orders-table", orders,
            "--rate", "40", "--read-ratio", "1", "--duration", "150s", "--output", str(out), timeout=240,
        )  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        result = json.loads(out.read_text())
        figures = [row["provisioned"][products]["read"] for row in result["timeseries"]]
        assert figures[0] == 5, figures
        assert figures[-1] > 5, "auto scaling never raised the table's read capacity during the run"
        assert figures == sorted(figures), "capacity only rose"
        # Two whole minutes above 70% of 5 RCU: scaled out to what they consumed over 70%.
        assert figures[-1] >= 20, figures[-1]
        described = ddb.describe_table(TableName=products)["Table"]["ProvisionedThroughput"]
        assert described["ReadCapacityUnits"] == figures[-1]
        activities = aas.describe_scaling_activities(ServiceNamespace="dynamodb")["ScalingActivities"]
        assert any(a["ResourceId"] == f"table/{products}" and "AlarmHigh" in a["Cause"] for a in activities)
        # Burst credit (300 s of 5 RCU) runs out before the policy acts: advise says how long the
        # table was throttled before auto scaling caught up.
        advice = run_cli("advise", str(out))
        assert advice.returncode == 0, advice.stderr
        line = next(x for x in advice.stdout.splitlines() if x.startswith(f"- Auto scaling raised {products}'s read"))
        assert re.search(r"from 5 to \d+ at \d+s, \d+s after throttling began \([\d,]+ throttled attempts", line), line
    finally:
        server.kill()
        server.communicate(timeout=10)


def test_a_step_seen_after_throttling_stopped_still_counts_the_stretch_before_it():
    """The engine reads capacity every 2 s: the row showing a step can follow the last throttled second."""
    from ddbload.timeline import steps

    throttled = [0, 0, 7, 9, 8, 0, 0, 0]
    rows = [
        {"t": t, "throttled": n, "provisioned": {"T": {"read": 5 if t < 7 else 40}}} for t, n in enumerate(throttled)
    ]
    (step,) = steps({"timeseries": rows})  # type: ignore[arg-type]
    assert (step.at, step.throttled_since, step.throttled_attempts) == (7, 2, 24)
    rows[4]["throttled"] = 0  # three quiet seconds before the step: that throttling was over before it
    (step,) = steps({"timeseries": rows[:2] + rows[4:]})  # type: ignore[arg-type]
    assert step.throttled_since is None
