"""DynamoDB's own view of a run (`server_view`): read through CloudWatch's GetMetricData - the AWS SDK's
CBOR protocol - from ddbload's endpoint, which keeps the metrics DynamoDB publishes per table and
operation; `ddbload server-view RESULT` reads it again later."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from conftest import run_cli
from ddbload import _engine


@pytest.mark.slow
def test_a_local_run_at_2_2_gets_dynamodbs_own_counts_and_latency(tmp_path):
    """--local's endpoint answers GetMetricData before it stops: its ThrottledRequests equal the run's
    throttled attempts, its units the run's consumed units, and its own latency is below the client's."""
    out = tmp_path / "tight.json"
    proc = run_cli(
        "run", "--local", "--threads", "4", "--duration", "3s", "--table-capacity", "2/2", "--output", str(out)
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    view = result["server_view"]
    assert view["source"] == "ddbload's endpoint" and view["period_s"] == 1 and view["complete"]
    summary = result["summary"]
    cut = summary["reads"]["cut_at_deadline"] + summary["writes"]["cut_at_deadline"]
    throttled = sum(
        op.get("throttled_requests", 0) for table in view["tables"].values() for op in table["operations"].values()
    )
    measured = summary["reads"]["throttled_attempts"] + summary["writes"]["throttled_attempts"]
    assert measured > 0 and 0 <= throttled - measured <= cut, (throttled, measured, cut)
    for table, units in result["consumed_capacity"].items():
        for kind in ("read", "write"):
            theirs = view["tables"][table][f"consumed_{kind}_units"]
            # A cut request may have consumed on the endpoint unseen by the run (a put of one order: <= 5 units).
            assert 0 <= theirs - units[f"{kind}_units"] <= 5 * cut, (table, kind, theirs, units)
    products = view["tables"][result["config"]["products_table"]]
    get = products["operations"]["GetItem"]
    assert get["requests"] == summary["reads"]["ok"] or cut > 0, (get, summary["reads"])
    assert get["latency_ms_mean"] < summary["reads"]["latency_ms"]["mean"]
    assert products["throttle_events_by_metric"]["ReadProvisionedThroughputThrottleEvents"] > 0
    text = " ".join(proc.stdout.split())
    assert "DynamoDB's own view (ddbload's endpoint): reads took" in text, text
    advice = run_cli("advise", str(out))
    assert advice.returncode == 0, advice.stderr
    said = " ".join(advice.stdout.split())
    assert f"reads took {get['latency_ms_mean']:.2f} ms on average inside DynamoDB" in said, said
    # The report draws DynamoDB's mean latency of each second beside the client's percentiles.
    assert len(view["latency_by_period"]["reads"]) >= 2
    page = tmp_path / "tight.html"
    assert run_cli("report", str(out), "--output", str(page)).returncode == 0
    assert '"name":"reads mean inside DynamoDB"' in page.read_text()


def test_server_view_reads_it_again_and_bad_input_changes_nothing(offline, endpoint, tables, tmp_path):
    """`ddbload server-view RESULT` asks the run's endpoint again and rewrites only the result's
    server_view; a bad --wait is one line, exit 2; an endpoint without CloudWatch (DynamoDB Local) is one
    line, exit 1, and the run itself still succeeds without a server_view."""
    out = tmp_path / "run.json"
    proc = run_cli(
        "run", "--endpoint-url", offline, "--create-tables", "--seed-products", "50", "--threads", "2",
        "--duration", "1s", "--output", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    first = json.loads(out.read_text())
    again = run_cli("server-view", str(out), "--json")
    assert again.returncode == 0, again.stderr
    printed = json.loads(again.stdout)
    assert printed == json.loads(out.read_text())["server_view"]
    orders = first["config"]["orders_table"]
    assert (
        printed["tables"][orders]["consumed_write_units"]
        == first["server_view"]["tables"][orders]["consumed_write_units"]
        >= first["consumed_capacity"][orders]["write_units"]
        > 0
    )
    before = out.read_text()
    bad = run_cli("server-view", str(out), "--wait", "5x")
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "ddbload: error: --wait: '5x' is not a duration from 0 to 1h (e.g. 3m, 90s, 0)"
    ], bad.stderr
    assert out.read_text() == before

    local_out = tmp_path / "local.json"
    local = run_cli(
        "run", "--endpoint-url", endpoint, "--create-tables", "--seed-products", "50", "--threads", "2",
        "--duration", "1s", "--products-table", tables[0], "--orders-table", tables[1], "--output", str(local_out),
    )  # fmt: skip
    assert local.returncode == 0, local.stderr
    assert "server_view" not in json.loads(local_out.read_text())
    assert f"ddbload: no server view (DynamoDB's own metrics of the run): {endpoint} does not answer" in local.stderr
    refused = run_cli("server-view", str(local_out))
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    # compare puts DynamoDB's own latency beside each run's (none for the DynamoDB Local run).
    compared = run_cli("compare", str(out), str(local_out))
    assert compared.returncode == 0, compared.stderr
    row = next(line for line in compared.stdout.splitlines() if "reads mean ms inside DynamoDB" in line)
    get = printed["tables"][first["config"]["products_table"]]["operations"]["GetItem"]
    cells = [cell.strip() for cell in row.split("│")]
    assert cells[2:4] == [f"{get['latency_ms_mean']:,.2f}", "-"], row


@pytest.mark.slow
def test_cloudwatch_metrics_are_put_each_second_and_read_back(offline, tmp_path, local_credentials):
    """--cloudwatch-metrics puts each second's figures (one round of PutMetricData calls a second, 1,000
    values a call at most) with the run's id; read back from the endpoint with GetMetricData, they add up
    to the run's own per-second rows. --cloudwatch-alarm's alarms (10-second periods) fire on them and are
    deleted after the run."""
    out = tmp_path / "watched.json"
    proc = run_cli(
        "run", "--endpoint-url", offline, "--create-tables", "--seed-products", "50", "--rate", "100",
        "--duration", "11s", "--cloudwatch-metrics", "ddbload-test", "--cloudwatch-alarm", "reads_ok>10",
        "--cloudwatch-alarm", "errors>0", "--output", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    said = re.search(
        r"put ([\d,]+) values to CloudWatch namespace ddbload-test \(RunId (\S+)\) in ([\d,]+) PutMetricData calls",
        proc.stderr,
    )
    assert said, proc.stderr
    values, run_id, calls = int(said[1].replace(",", "")), said[2], int(said[3].replace(",", ""))
    assert run_id == result["run_id"]
    rows = result["timeseries"]
    assert 0 < calls <= len(rows) + 1 and values <= 1000 * calls, (values, calls, len(rows))
    orders = result["config"]["orders_table"]
    queries = [
        {"id": "reads", "namespace": "ddbload-test", "metric": "ReadsOk", "stat": "Sum", "period": 60,
         "dimensions": [["RunId", run_id]]},
        {"id": "units", "namespace": "ddbload-test", "metric": "ConsumedWriteUnits", "stat": "Sum", "period": 60,
         "dimensions": [["RunId", run_id], ["Table", orders]]},
    ]  # fmt: skip
    start = int(datetime.fromisoformat(result["started_at"].replace("Z", "+00:00")).timestamp())
    asked = _engine.cloudwatch_get_metric_data(
        queries=json.dumps(queries), start=start - 120, end=start + 600, endpoint_url=offline
    )
    answer = json.loads(asked)
    by_id = {series["id"]: sum(series["values"]) for series in answer}
    assert by_id["reads"] == sum(row["reads_ok"] for row in rows) > 0
    assert by_id["units"] == sum(row["units"][orders]["write_units"] for row in rows) > 0
    # 80 reads a second are more than 10 in every 10 seconds; no operation failed.
    fired = re.search(rf"alarm reads_ok>10 \((ddbload-{run_id}-\S+), 10 s periods\): went to ALARM about \d+ s into "
                      r"the load; ALARM at the end; deleted", proc.stderr)  # fmt: skip
    assert fired, proc.stderr
    assert re.search(
        r"alarm errors>0 \((\S+), 10 s periods\): never went to ALARM; OK at the end; deleted", proc.stderr
    )
    assert _engine.cloudwatch_alarm_states(names=[fired[1]], endpoint_url=offline) == {}
    bad_alarm = run_cli("run", "--endpoint-url", offline, "--cloudwatch-metrics", "--cloudwatch-alarm", "latency>5")
    assert bad_alarm.returncode == 2 and "--cloudwatch-alarm: 'latency>5' is not FIGURE>VALUE" in bad_alarm.stderr
    bad = run_cli("run", "--endpoint-url", offline, "--cloudwatch-metrics", "AWS/DynamoDB", "--duration", "1s")
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "ddbload: error: --cloudwatch-metrics: 'AWS/DynamoDB' is not a custom namespace "
        "(1 to 255 characters, not AWS/...)"
    ], bad.stderr


def test_boto3_reads_the_endpoints_cloudwatch_like_aws(offline, tmp_path, local_credentials):
    """boto3 speaks CloudWatch's JSON protocol (not the Rust SDK's CBOR): after a run, GetMetricStatistics
    and GetMetricData from boto3 give the Orders table's consumed write units that ddbload's server view
    read; percentiles (ExtendedStatistics) and more than 1,440 datapoints are CloudWatch's errors."""
    import boto3
    from botocore.exceptions import ClientError

    out = tmp_path / "run.json"
    proc = run_cli(
        "run", "--endpoint-url", offline, "--create-tables", "--seed-products", "50", "--threads", "2",
        "--duration", "2s", "--output", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    orders = result["config"]["orders_table"]
    seen_by_ddbload = result["server_view"]["tables"][orders]["consumed_write_units"]
    assert seen_by_ddbload >= result["consumed_capacity"][orders]["write_units"] > 0

    cloudwatch = boto3.client("cloudwatch", endpoint_url=offline, region_name="us-east-1")
    started = datetime.fromisoformat(result["started_at"].replace("Z", "+00:00"))
    window = {"StartTime": started.timestamp() - 60, "EndTime": started.timestamp() + 120}
    metric = {"Namespace": "AWS/DynamoDB", "MetricName": "ConsumedWriteCapacityUnits",
              "Dimensions": [{"Name": "TableName", "Value": orders}]}  # fmt: skip
    stats = cloudwatch.get_metric_statistics(**metric, **window, Period=1, Statistics=["Sum", "SampleCount"])
    points = stats["Datapoints"]
    assert len(points) >= 2 and all(p["Unit"] == "Count" for p in points), points
    assert sum(p["Sum"] for p in points) == pytest.approx(seen_by_ddbload, abs=1e-6)
    assert all(p["SampleCount"] >= 1 for p in points), points

    data = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "w", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Sum"}}], **window
    )
    assert sum(data["MetricDataResults"][0]["Values"]) == pytest.approx(seen_by_ddbload, abs=1e-6)

    with pytest.raises(ClientError) as percentiles:
        cloudwatch.get_metric_statistics(**metric, **window, Period=60, ExtendedStatistics=["p99"])
    assert percentiles.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as too_many:
        cloudwatch.get_metric_statistics(
            **metric, StartTime=started.timestamp() - 7200, EndTime=started.timestamp(), Period=1, Statistics=["Sum"]
        )
    assert too_many.value.response["Error"]["Code"] == "InvalidParameterCombination"
