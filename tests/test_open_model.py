"""The open model against real endpoints: a constant rate completes rate x duration, a ramp follows
its stages, a stalled endpoint shows in the latency of the requests that arrived during the stall
(while a closed loop hides it: coordinated omission), and a hot key draws DynamoDB's per-key reason."""

from __future__ import annotations

import json
import os
import signal
import threading
from importlib import resources

import ddbload
import jsonschema
import pytest
from conftest import run_cli, start_serve


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(resources.files("ddbload").joinpath("schema/result.schema.json").read_text())


def _local(tmp_path, name: str, *args: str) -> dict:
    out = tmp_path / f"{name}.json"
    proc = run_cli("run", "--local", "--output", str(out), *args, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def test_a_constant_rate_completes_rate_times_duration(tmp_path, schema):
    result = _local(tmp_path, "constant", "--rate", "400", "--duration", "5s")
    jsonschema.validate(result, schema)
    summary = result["summary"]
    done = summary["reads"]["ok"] + summary["writes"]["ok"]
    assert summary["model"] == "open" and summary["dropped"] == 0
    assert abs(summary["offered"] - 2000) <= 2, summary["offered"]
    assert abs(done - 2000) <= 2000 * 0.02, done
    full = [row for row in result["timeseries"] if row["seconds"] == 1.0]
    for row in full:
        assert row["target_rate"] == 400.0 and abs(row["offered"] - 400) <= 2, row
    assert summary["reads"]["service_ms"]["p99"] <= summary["reads"]["latency_ms"]["p99"] + 0.01


def test_a_ramp_follows_its_stages(tmp_path):
    result = _local(tmp_path, "ramp", "--start-rate", "100", "--stages", "4s:500,2s:500")
    assert result["duration_s"] == pytest.approx(6.0, abs=0.5)
    rows = [row for row in result["timeseries"] if row["seconds"] == 1.0]
    targets = [row["target_rate"] for row in rows]
    assert targets[:4] == [150.0, 250.0, 350.0, 450.0], targets
    for row in rows:
        done = row["reads_ok"] + row["writes_ok"]
        assert abs(done - row["target_rate"]) <= 0.15 * row["target_rate"] + 5, row


def _stalled_run(tables, model: dict) -> ddbload.Result:
    """A 6-second run against `ddbload serve`, the endpoint stopped (SIGSTOP) for 1.5 s after 2 s."""
    server, url = start_serve()
    products, orders = tables
    try:
        config = ddbload.LoadConfig(
            endpoint_url=url, products_table=products, orders_table=orders, create_tables=True, seed_products=50,
            duration="6s", read_ratio=1.0, **model,
        )  # fmt: skip

        def stall() -> None:
            os.kill(server.pid, signal.SIGSTOP)
            threading.Timer(1.5, lambda: os.kill(server.pid, signal.SIGCONT)).start()

        started = []

        def on_event(event: dict) -> None:
            if event["type"] == "tick" and event["t"] == 2 and not started:
                started.append(True)
                stall()

        return ddbload.run(config, progress=on_event)
    finally:
        os.kill(server.pid, signal.SIGCONT)
        server.kill()
        server.communicate(timeout=10)


def test_a_stall_shows_in_the_open_model_and_hides_in_a_closed_loop(tables, local_credentials):
    open_run = _stalled_run(tables, {"rate": 200})
    closed_run = _stalled_run((tables[0] + "-c", tables[1] + "-c"), {"threads": 4})
    # Open: about 300 requests arrived during the 1.5 s stall and waited for it; that is more than 1% of
    # the run's 1,200, so p99 carries the stall.
    assert open_run.reads["latency_ms"]["p99"] >= 700, open_run.reads["latency_ms"]
    # ...while their service time, from the moment they could be sent, stayed short.
    assert open_run.reads["service_ms"]["p50"] < 50, open_run.reads["service_ms"]
    # Closed: only the 4 requests on the wire saw the stall; the workers simply stopped sending, so
    # p99 looks fine although users would have waited - coordinated omission.
    assert closed_run.reads["latency_ms"]["max"] >= 1000, closed_run.reads["latency_ms"]
    assert closed_run.reads["latency_ms"]["p99"] < 100, closed_run.reads["latency_ms"]


def test_arrivals_beyond_the_wait_queue_are_dropped_and_counted(tables, local_credentials, tmp_path):
    # One request in flight per engine thread, so 100 may wait per thread: the 1.5 s stall brings
    # about 300 arrivals, and what cannot even queue is counted as dropped, never skipped silently.
    run = _stalled_run((tables[0] + "-d", tables[1] + "-d"), {"rate": 200, "max_in_flight": 1})
    summary = run.data["summary"]
    done = summary["reads"]["ok"] + sum(summary["reads"]["errors"].values())
    assert summary["dropped"] >= 30, summary
    assert abs(summary["offered"] - 1200) <= 2, summary["offered"]
    # Every arrival is accounted for: sent, dropped, or cut at the deadline while it waited.
    assert summary["offered"] - 120 <= done + summary["dropped"] <= summary["offered"], summary
    assert run.reads["latency_ms"]["max"] >= 1000, run.reads["latency_ms"]
    # advise says so, and that the client, not DynamoDB, was the limit.
    saved = run.save(tmp_path / "dropped.json")
    advice = run_cli("advise", str(saved))
    assert advice.returncode == 0, advice.stderr
    assert f"{summary['dropped']:,} of {summary['offered']:,} arrivals" in advice.stdout, advice.stdout
    assert "the load generator, not DynamoDB, could not keep up" in advice.stdout


def test_a_hot_key_draws_the_per_key_throttling_reason(tmp_path):
    # Every read on one product: strongly consistent reads past 3,000 units a second on one key.
    result = _local(
        tmp_path, "hot", "--rate", "4000", "--duration", "3s", "--read-ratio", "1.0", "--consistent-reads",
        "--key-distribution", "hot:1:1.0",
    )  # fmt: skip
    reasons = result["summary"]["reads"]["throttled_by_reason"]
    assert reasons.get("TableReadKeyRangeThroughputExceeded", 0) > 0, reasons


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--rate", "0"], "--rate"),
        (["--rate", "-5"], "--rate"),
        (["--stages", "2m"], "--stages"),
        (["--stages", "1m:100", "--minutes", "1"], "--stages"),
        (["--rate", "10", "--stages", "1m:100"], "--rate"),
        (["--key-distribution", "pareto"], "--key-distribution"),
        (["--key-distribution", "hot:1:2"], "--key-distribution"),
        (["--rate", "10", "--max-in-flight", "0"], "--max-in-flight"),
        # Options of the other load model are refused, not silently ignored.
        (["--threads", "5", "--rate", "10"], "--threads: an open-model run"),
        (["--max-in-flight", "5"], "--max-in-flight: only an open-model run"),
        (["--rate", "10", "--start-rate", "5"], "--start-rate: only --stages"),
        (["--fail-if", "dropped>0"], "needs an open-model run"),
        (["--fail-if", "lag_p99_ms>5"], "needs an open-model run"),
    ],
)
def test_bad_load_shapes_exit_2_with_one_line(args, expected, tmp_path):
    out = tmp_path / "r.json"
    proc = run_cli("run", "--local", "--output", str(out), *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and expected in proc.stderr, proc.stderr
    assert not out.exists()


def test_python_takes_stages_as_pairs():
    config = ddbload.LoadConfig(stages=[("2m", 1000), (30, 8000.0)], key_distribution="zipf:0.99")
    assert config.duration_s == 150 and config.open_model
    assert json.loads(config.to_json())["stages"][1] == {"duration_s": 30.0, "target": 8000.0}
    with pytest.raises(TypeError):
        ddbload.LoadConfig(rate=True)
    with pytest.raises(ddbload.ConfigError, match=r"^stages: "):
        ddbload.LoadConfig(stages=[("2m", 10)], minutes=1)


def test_compare_shows_target_against_achieved(tmp_path):
    open_run = _local(tmp_path, "open", "--rate", "300", "--duration", "3s")
    closed_run = _local(tmp_path, "closed", "--threads", "2", "--duration", "2s")
    paths = []
    for name, result in (("open", open_run), ("closed", closed_run)):
        paths.append(tmp_path / f"{name}-run.json")
        paths[-1].write_text(json.dumps(result))
    proc = run_cli("compare", *map(str, paths))
    assert proc.returncode == 0, proc.stderr
    rows = {line.split("│")[1].strip(): line for line in proc.stdout.splitlines() if line.count("│") >= 3}
    assert "open" in rows["model"] and "closed" in rows["model"]
    target = open_run["summary"]["offered"] / open_run["duration_s"]
    assert f"{target:,.1f}" in rows["offered ops/s (target)"], rows["offered ops/s (target)"]
    assert "dropped" in rows and "scheduling lag p99 ms" in rows
