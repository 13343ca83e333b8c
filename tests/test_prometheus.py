"""`--metrics-addr`: a real Prometheus server (Debian's package) scrapes an offline run every second; its
HTTP API afterwards holds exactly the result JSON's totals. Bad addresses are refused before anything runs."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from conftest import refusal, run_cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def query(prometheus: str, promql: str, at: float | None = None) -> dict[str, float]:
    """An instant query's samples (at unix time `at`, else now): one label set (as sorted 'k=v' text) -> value."""
    params = {"query": promql, **({"time": str(at)} if at is not None else {})}
    url = f"{prometheus}/api/v1/query?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as answer:
        data = json.load(answer)["data"]["result"]
    return {
        ",".join(f"{k}={v}" for k, v in sorted(s["metric"].items()) if k not in ("__name__", "instance", "job")): float(
            s["value"][1]
        )
        for s in data
    }


def throttle_sums(samples: dict[str, float]) -> tuple[dict[str, int], dict[str, int]]:
    """Throttled attempts summed by reason, and by resource (table, or TABLE/index/NAME; "" for none named)."""
    by_reason: dict[str, int] = {}
    by_table: dict[str, int] = {}
    for labels, n in samples.items():
        label = dict(pair.split("=", 1) for pair in labels.split(","))
        by_reason[label["reason"]] = by_reason.get(label["reason"], 0) + int(n)
        table = label.get("table", "") + (f"/index/{label['index']}" if "index" in label else "")
        by_table[table] = by_table.get(table, 0) + int(n)
    return by_reason, by_table


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A Prometheus server scraping 127.0.0.1:<port> every second: (its URL, the port ddbload should use)."""
    binary = shutil.which("prometheus")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("prometheus is missing under CI=true (scripts/test.sh installs Debian's package)")
        pytest.skip("prometheus is not installed")
    target, web = free_port(), free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 900ms}\n"
        f"scrape_configs: [{{job_name: ddbload, static_configs: [{{targets: ['127.0.0.1:{target}']}}]}}]\n"
    )
    server = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{web}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{web}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("prometheus did not become ready in 20 s")
        # Prometheus applies new targets a few seconds after it starts: wait for its first (failed) scrape,
        # so the run is scraped from its first second.
        for _ in range(100):
            with urllib.request.urlopen(f"{url}/api/v1/targets", timeout=1) as answer:
                active = json.load(answer)["data"]["activeTargets"]
            if active and not active[0]["lastScrape"].startswith("0001"):
                break
            time.sleep(0.2)
        else:
            pytest.fail("prometheus did not scrape its target in 20 s")
        yield url, target
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_prometheus_scrapes_the_run_and_ends_with_the_results_totals(prometheus, tmp_path):
    url, port = prometheus
    out = tmp_path / "result.json"
    proc = run_cli(
        "run", "--local", "--table-capacity", "2/2", "--rate", "300", "--read-ratio", "0.2", "--duration", "5s",
        "--metrics-addr", f"127.0.0.1:{port}", "--metrics-linger", "3", "--output", str(out),
    )  # fmt: skip
    ended = time.time()
    assert proc.returncode == 0, proc.stderr
    assert f"Prometheus metrics at http://127.0.0.1:{port}/metrics" in proc.stderr
    result = json.loads(out.read_text())
    summary = result["summary"]
    # Queried as the last value seen in the run's window: the linger let the final figures be scraped.
    last = lambda name: query(url, f"last_over_time({name}[5m])")  # noqa: E731

    operations = last("ddbload_operations_total")
    assert operations["operation=read,outcome=ok"] == summary["reads"]["ok"] > 0
    assert operations["operation=write,outcome=ok"] == summary["writes"]["ok"] > 0
    failed = sum(sum(summary[op]["errors"].values()) for op in ("reads", "writes"))
    assert operations["operation=any,outcome=failed"] == failed
    timed_out = summary["reads"]["timed_out"] + summary["writes"]["timed_out"]
    assert operations["operation=any,outcome=timed_out"] == timed_out

    assert last("ddbload_attempts_total")[""] == summary["reads"]["attempts"] + summary["writes"]["attempts"]

    # Throttles are labelled by the table (and index) DynamoDB's answer named and the reason: summed over
    # tables they are the summary's reasons, summed over reasons each table's figure in the summary.
    by_reason, by_table = throttle_sums(last("ddbload_throttled_attempts_total"))
    expected: dict[str, int] = {}
    expected_by_table: dict[str, int] = {}
    for op in ("reads", "writes"):
        for reason, n in summary[op]["throttled_by_reason"].items():
            expected[reason] = expected.get(reason, 0) + n
        for resource, reasons in summary[op]["throttled_by_resource"].items():
            expected_by_table[resource] = expected_by_table.get(resource, 0) + sum(reasons.values())
    assert by_reason == expected and expected, "the 2/2 tables throttle and every reason is counted"
    assert {t: n for t, n in by_table.items() if t} == expected_by_table and expected_by_table

    units = last("ddbload_consumed_capacity_units_total")
    for table, figures in result["consumed_capacity"].items():
        assert units[f"kind=read,table={table}"] == pytest.approx(figures["read_units"], abs=1e-9)
        assert units[f"kind=write,table={table}"] == pytest.approx(figures["write_units"], abs=1e-9)
    assert last("ddbload_arrivals_offered_total")[""] == summary["offered"]
    assert last("ddbload_provisioned_capacity_units")["kind=write,table=Orders"] == 2
    assert last("ddbload_run_finished")[""] == 1

    # The summary's percentiles come from the result's own histograms: the same figures, in seconds.
    latency = last("ddbload_latency_seconds")
    for op, operation in (("reads", "read"), ("writes", "write")):
        for quantile, key in (("0.5", "p50"), ("0.99", "p99")):
            served = latency[f"operation={operation},quantile={quantile}"]
            assert served == pytest.approx(summary[op]["latency_ms"][key] / 1000, rel=1e-6)

    # Each named operation (the workshop's get_product and put_order) by name, ending at the result's figures.
    named = last("ddbload_workload_operations_total")
    named_latency = last("ddbload_workload_latency_seconds")
    for name, op in result["operations"].items():
        assert named[f"name={name},outcome=ok"] == op["ok"] > 0
        assert named[f"name={name},outcome=failed"] == sum(op["errors"].values()) + op["conditional_check_failed"]
        served = named_latency[f"name={name},quantile=0.99"]
        assert served == pytest.approx(op["latency_ms"]["p99"] / 1000, rel=1e-6)
    throttled_by_name = last("ddbload_workload_throttled_attempts_total")
    assert sum(throttled_by_name.values()) == sum(expected.values())
    attempts_by_name = last("ddbload_workload_attempts_total")
    assert attempts_by_name == {f"name={name}": op["attempts"] for name, op in result["operations"].items()}

    # In flight: the throttled 2/2 tables keep arrivals waiting while it runs; none once it has finished.
    assert query(url, "max_over_time(ddbload_in_flight[5m])")[""] >= 1
    assert last("ddbload_in_flight")[""] == 0

    # Scraped while it ran too, not only at the end: a scrape saw the run unfinished with load under way.
    assert query(url, "min_over_time(ddbload_run_finished[5m])")[""] == 0
    during = query(url, "max_over_time((ddbload_elapsed_seconds and ddbload_run_finished == 0)[5m:1s])")
    assert during[""] >= 1

    # Every query of the Grafana dashboard shipped in the package finds data from the run at some instant of
    # its last seconds (a counter that first appears late, as throttles do, needs two scrapes for a rate).
    dashboard = json.loads(resources.files("ddbload").joinpath("grafana/ddbload-dashboard.json").read_text())
    instants = [ended - 0.5 * i for i in range(1, 13)]
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            assert any(query(url, target["expr"], at=t) for t in instants), (panel["title"], target["expr"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metrics-addr", "localhost"], "--metrics-addr: 'localhost' is not HOST:PORT"),
        (["--metrics-addr", "127.0.0.1:99999"], "--metrics-addr: '127.0.0.1:99999' is not HOST:PORT"),
        (["--metrics-addr", "::1:9464"], "--metrics-addr: '::1:9464' is not HOST:PORT"),
        (["--metrics-linger", "3"], "--metrics-linger: it keeps --metrics-addr's endpoint up"),
        (["--metrics-addr", "127.0.0.1:0", "--metrics-linger", "-1"], "--metrics-linger: '-1' is not a number"),
    ],
)
def test_a_bad_metrics_option_is_one_line_exit_2_and_nothing_runs(args, message, tmp_path):
    proc = run_cli("run", "--local", "--duration", "1s", "--output", str(tmp_path / "r.json"), *args)
    assert refusal(proc).startswith(f"ddbload: error: {message}")
    assert not (tmp_path / "r.json").exists()


def test_a_taken_port_is_refused_before_the_run(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_cli("run", "--local", "--duration", "1s", "--metrics-addr", f"127.0.0.1:{port}",
                       "--output", str(tmp_path / "r.json"))  # fmt: skip
    assert f"--metrics-addr: cannot listen on 127.0.0.1:{port}" in refusal(proc)
    assert not (tmp_path / "r.json").exists()
