"""Scale-out on a real local Ray cluster (a head and a second node on this machine): the parts add up
to the merged result, percentiles come from merged histograms, every counted write is in the table
once, and Ctrl-C on the driver or a killed task still leaves a merged result."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from collections import Counter
from decimal import Decimal
from importlib import resources

import boto3
import ddbload
import jsonschema
import pytest
from conftest import LOCAL_ENV, read_until, run_cli, start_cli
from ddbload import _engine
from trace_files import RATES, WORKLOAD, generated_calls, write

OPS = ("reads", "writes")


@pytest.fixture(scope="module")
def cluster():
    """Head plus one node, one CPU each. The nodes' processes inherit this environment: on EC2 their
    credentials come from the instance role, here from the dummy keys every local endpoint accepts."""
    saved = {key: os.environ.get(key) for key in LOCAL_ENV}
    os.environ.update(LOCAL_ENV)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ray.cluster_utils import Cluster

        c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
        c.add_node(num_cpus=1)
        c.wait_for_nodes()
    yield c.address
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c.shutdown()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def emulator():
    emu = ddbload.Emulator()
    yield emu.url
    emu.stop()


def _run(cluster: str, url: str, tmp_path, name: str, *args: str, timeout: float = 180):
    out = tmp_path / f"{name}.json"
    proc = run_cli(
        "run", "--endpoint-url", url, "--ray", cluster, "--output", str(out), "--progress", "always",
        "--products-table", f"ray-products-{name}", "--orders-table", f"ray-orders-{name}",
        "--create-tables", "--seed-products", "200", *args, timeout=timeout,
    )  # fmt: skip
    return proc, (json.loads(out.read_text()) if out.exists() else None)


def _start(cluster: str, url: str, out, name: str, duration: str) -> subprocess.Popen[str]:
    """A 4-worker run on the cluster in the background, a progress line a second on stderr."""
    return start_cli(
        "run", "--endpoint-url", url, "--ray", cluster, "--threads", "4", "--duration", duration,
        "--create-tables", "--seed-products", "100", "--products-table", f"ray-products-{name}",
        "--orders-table", f"ray-orders-{name}", "--output", str(out), "--progress", "always",
    )  # fmt: skip


def _count_orders(url: str, table: str, run_id: str) -> tuple[int, int]:
    """Orders of `run_id` in the table, and how many distinct ids they have."""
    client = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")  # fmt: skip
    ids = []
    for page in client.get_paginator("scan").paginate(TableName=table):
        ids += [item["order_id"]["S"] for item in page["Items"] if item.get("run_id", {}).get("S") == run_id]
    return len(ids), len(set(ids))


@pytest.mark.parametrize("where", ["offline", "dynamodb-local"])
def test_parts_add_up_and_percentiles_come_from_merged_histograms(cluster, emulator, endpoint, tmp_path, where):
    url = emulator if where == "offline" else endpoint
    proc, result = _run(cluster, url, tmp_path, where, "--ray-tasks", "3", "--threads", "6", "--duration", "4s")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(resources.files("ddbload").joinpath("schema/result.schema.json").read_text())
    jsonschema.validate(result, schema)
    parts = result["parts"]
    assert [p["status"] for p in parts] == ["ok", "ok", "ok"]
    assert [p["threads"] for p in parts] == [2, 2, 2] and result["config"]["threads"] == 6
    assert result["distributed"] == {"ray_address": cluster, "tasks": 3, "nodes": 2, "lost": 0}
    for op in OPS:
        merged = result["summary"][op]
        for count in ("ok", "attempts", "throttled_attempts", "gave_up", "cut_at_deadline"):
            assert merged[count] == sum(p["summary"][op][count] for p in parts), (op, count)
        assert merged["ok"] == sum(row[f"{op}_ok"] for row in result["timeseries"])
        hist = _engine.merge_histograms([p["histograms"][op] for p in parts])
        _, (p50, p99) = _engine.histogram_quantiles(hist, [0.5, 0.99])
        assert (merged["latency_ms"]["p50"], merged["latency_ms"]["p99"]) == (p50, p99)
        assert hist == result["histograms"][op]
    for table, units in result["consumed_capacity"].items():
        assert units["write_units"] == sum(p["consumed_capacity"][table]["write_units"] for p in parts)
    # Every task's counted product reads are in the merged busiest keys' total.
    (products,) = [name for name in result["keys"] if "products" in name]
    assert result["keys"][products]["attempts_total"] == result["summary"]["reads"]["attempts"] > 0
    # Every write the tasks counted is in the table, under its own id (a shared id would overwrite), and
    # every order in the table was counted: writes on the wire at the deadline got the grace to answer.
    # (A write waiting out a throttle's backoff at the deadline is timed out, never sent again: a fast
    # machine outruns a new on-demand table's 4,000 WCU here.)
    writes = result["summary"]["writes"]
    stored, distinct = _count_orders(url, f"ray-orders-{where}", result["run_id"])
    assert writes["ok"] > 0 and stored == distinct
    assert writes["cut_at_deadline"] == 0 and stored == writes["ok"], (stored, writes)
    # cleanup --run-id removes the whole distributed run's orders.
    cleaned = run_cli("cleanup", "--run-id", result["run_id"], "--orders-table", f"ray-orders-{where}",
                      "--endpoint-url", url)  # fmt: skip
    assert cleaned.returncode == 0, cleaned.stderr
    assert _count_orders(url, f"ray-orders-{where}", result["run_id"]) == (0, 0)
    # One merged progress line a second, on the driver.
    assert proc.stderr.count("1s/4s") == 1 and "3 tasks on 2 nodes" in proc.stderr
    # The summary says the run was spread over Ray.
    assert "on Ray: 3 tasks on 2 nodes" in " ".join(proc.stdout.split())
    # compare, advise and report take it as any result.
    report = tmp_path / "r.html"
    assert run_cli("report", str(tmp_path / f"{where}.json"), "--output", str(report)).returncode == 0
    assert run_cli("advise", str(tmp_path / f"{where}.json")).returncode == 0


COUNTERS_FILE = """\
tables:
  counters:
    table: ray-counters
    partition_key: {name: id, type: N}
    items: 20
    item: {hits: {const: 0}}
operations:
  - {name: bump, weight: 3, update: {table: counters, add: {hits: {const: 1}}}}
  - {name: peek, weight: 1, get: {table: counters}}
"""


def test_a_workload_file_runs_on_every_task_and_its_operations_merge(cluster, emulator, tmp_path):
    """The file lives on the driver only: the tasks get its JSON form. Task 0 seeds; every counted
    increment from every task is in the table."""
    workload = tmp_path / "counters.yaml"
    workload.write_text(COUNTERS_FILE)
    out = tmp_path / "counters.json"
    proc = run_cli(
        "run", "--endpoint-url", emulator, "--ray", cluster, "--ray-tasks", "2", "--workload", str(workload),
        "--create-tables", "--rate", "200", "--duration", "3s", "--output", str(out), timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert [p["status"] for p in result["parts"]] == ["ok", "ok"]
    bump, peek = result["operations"]["bump"], result["operations"]["peek"]
    assert bump["ok"] + peek["ok"] == result["summary"]["reads"]["ok"] + result["summary"]["writes"]["ok"]
    assert bump["ok"] == result["summary"]["writes"]["ok"] > 0 and peek["errors"] == {}
    merged = _engine.merge_histograms([p["histograms"]["operations"]["bump"]["latency"] for p in result["parts"]])
    assert merged == result["histograms"]["operations"]["bump"]["latency"]
    _, (p99,) = _engine.histogram_quantiles(merged, [0.99])
    assert bump["latency_ms"]["p99"] == p99
    # Each second's per-operation figures are both tasks' added (p99 from that second's merged histograms):
    # they add up to the totals, and every whole second has a p99 for bump.
    rows = result["timeseries"]
    for name, op in result["operations"].items():
        assert sum(row.get("operations", {}).get(name, {}).get("ok", 0) for row in rows) == op["ok"], name
    full = [row for row in rows if row["seconds"] == 1.0]
    assert full and all(row["operations"]["bump"]["p99_ms"] is not None for row in full), full
    client = boto3.client("dynamodb", endpoint_url=emulator, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")  # fmt: skip
    items = client.scan(TableName="ray-counters")["Items"]
    assert len(items) == 20, "seeded once, by task 0"
    assert sum(int(item["hits"]["N"]) for item in items) == bump["ok"]


def test_an_open_model_schedule_is_split_between_the_tasks(cluster, emulator, tmp_path):
    proc, result = _run(cluster, emulator, tmp_path, "open", "--rate", "600", "--duration", "4s")
    assert proc.returncode == 0, proc.stderr
    assert [p["rate"] for p in result["parts"]] == [300.0, 300.0]
    summary = result["summary"]
    assert abs(summary["offered"] - 2400) <= 4, summary["offered"]
    assert summary["dropped"] == 0
    done = summary["reads"]["ok"] + summary["writes"]["ok"]
    assert abs(done - 2400) <= 2400 * 0.02, done
    full = [row for row in result["timeseries"] if row["seconds"] == 1.0]
    assert full and all(row["target_rate"] == 600.0 for row in full), full
    # All tasks began at the agreed instant: each full second has both tasks' arrivals.
    assert all(abs(row["offered"] - 600) <= 4 for row in full), full


def test_the_driver_serves_the_merged_figures_at_metrics(cluster, emulator, tmp_path):
    """--metrics-addr on a Ray run: the driver's /metrics holds the merged tasks' totals and percentiles."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    scraped: list[str] = []
    done = threading.Event()

    def scrape() -> None:
        while not done.is_set():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as answer:
                    scraped.append(answer.read().decode())
            except OSError:
                pass
            time.sleep(0.3)

    scraper = threading.Thread(target=scrape)
    scraper.start()
    try:
        proc, result = _run(cluster, emulator, tmp_path, "metrics", "--rate", "200", "--duration", "3s",
                            "--metrics-addr", f"127.0.0.1:{port}", "--metrics-linger", "2")  # fmt: skip
    finally:
        done.set()
        scraper.join()
    assert proc.returncode == 0, proc.stderr
    final = [text for text in scraped if "ddbload_run_finished 1.0" in text]
    assert final and any("ddbload_run_finished 0.0" in text for text in scraped)
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in final[-1].splitlines() if line[0] != "#"
    }
    summary = result["summary"]
    assert samples['ddbload_operations_total{operation="read",outcome="ok"}'] == summary["reads"]["ok"] > 0
    assert samples['ddbload_operations_total{operation="write",outcome="ok"}'] == summary["writes"]["ok"] > 0
    assert samples["ddbload_arrivals_offered_total"] == summary["offered"]
    p99 = samples['ddbload_latency_seconds{operation="read",quantile="0.99"}']
    assert p99 == pytest.approx(summary["reads"]["latency_ms"]["p99"] / 1000, rel=1e-6)
    # While it ran, the merged seconds carried their histograms: percentiles were served before the end.
    assert any('ddbload_latency_seconds_count{operation="read"}' in t for t in scraped if "finished 0.0" in t)


def test_ctrl_c_on_the_driver_stops_every_task_and_writes_the_merged_partial_result(cluster, emulator, tmp_path):
    out = tmp_path / "stopped.json"
    proc = _start(cluster, emulator, out, "c", "60s")
    read_until(proc, "2s/60s")
    interrupted_at = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=30)
    assert proc.returncode == 130, rest
    assert time.monotonic() - interrupted_at < 10
    result = json.loads(out.read_text())
    # Stopped within 2 s of the interrupt, which came after the line for second 2.
    assert result["interrupted"] is True and result["duration_s"] < 5.5, result["duration_s"]
    assert [p["status"] for p in result["parts"]] == ["interrupted", "interrupted"]
    assert result["summary"]["reads"]["ok"] == sum(p["summary"]["reads"]["ok"] for p in result["parts"]) > 0


def test_a_killed_task_is_reported_and_the_run_goes_on(cluster, emulator, tmp_path):
    out = tmp_path / "lost.json"
    proc = _start(cluster, emulator, out, "k", "8s")
    lines = read_until(proc, "2s/8s")
    # The task processes are Ray actors named after their class.
    pids = subprocess.run(["pgrep", "-f", "ray::TaskRunner"], capture_output=True, text=True).stdout.split()
    assert len(pids) == 2, pids
    os.kill(int(pids[-1]), signal.SIGKILL)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 1, "".join(lines) + rest
    assert "was lost" in rest and "the result covers the other tasks" in rest
    result = json.loads(out.read_text())
    statuses = sorted(p["status"] for p in result["parts"])
    assert statuses == ["lost", "ok"], result["parts"]
    assert result["distributed"]["lost"] == 1
    ok = next(p for p in result["parts"] if p["status"] == "ok")
    assert result["summary"]["writes"]["ok"] == ok["summary"]["writes"]["ok"] > 0
    assert result["duration_s"] == pytest.approx(8, abs=1)


def test_ray_options_misused_are_one_line_and_exit_2(cluster, monkeypatch, capsys):
    proc = run_cli("run", "--endpoint-url", "http://127.0.0.1:1", "--ray-tasks", "2")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    assert "--ray-tasks: only with --ray" in proc.stderr
    proc = run_cli("run", "--endpoint-url", "http://127.0.0.1:1", "--ray", "127.0.0.1:1")
    assert proc.returncode == 2 and "--ray 127.0.0.1:1: no Ray cluster answers there" in proc.stderr
    # An IPv6 address in brackets is an address, not a host name to look up.
    proc = run_cli("run", "--endpoint-url", "http://127.0.0.1:1", "--ray", "[::1]:1")
    assert proc.returncode == 2 and "--ray [::1]:1: no Ray cluster answers there" in proc.stderr, proc.stderr
    assert "not known" not in proc.stderr, proc.stderr
    proc = run_cli("run", "--local", "--ray", cluster)
    assert proc.returncode == 2 and "--ray: --local's endpoint lives in this process" in proc.stderr
    # Without Ray installed (as after a plain install of the wheel).
    import importlib.util

    from ddbload import cli

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "ray" else real_find_spec(name))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--endpoint-url", "http://127.0.0.1:1", "--ray"])
    assert exit_info.value.code == 2
    # The install it names works without a package index that has ddbload: Ray itself, for this Python.
    said = capsys.readouterr().err
    assert f"--ray auto: Ray is not installed for {sys.executable}; {sys.executable} -m pip install 'ray>=2.9'" in said


def test_a_task_orders_from_the_catalog_it_is_given_without_scanning(emulator):
    """Tasks after the first get task 0's sample. The products table here is empty: a run that scanned
    it would refuse to start ("no products to read"); this one orders exactly the given products."""
    client = boto3.client("dynamodb", endpoint_url=emulator, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")  # fmt: skip
    client.create_table(TableName="ray-given-products", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "product_id", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "product_id", "KeyType": "HASH"}])  # fmt: skip
    given = [{"key": {"product_id": {"S": f"given-{i}"}}, "price": f"{i}.25"} for i in range(1, 4)]
    config = ddbload.LoadConfig(
        endpoint_url=emulator, products_table="ray-given-products", orders_table="ray-given-orders",
        create_tables=True, threads=2, duration=1, _catalog=json.dumps(given), _task=1, run_id="given",
    )  # fmt: skip
    result = ddbload.run(config)
    assert result.reads["ok"] > 0 and result.writes["ok"] > 0
    prices = {}
    for page in client.get_paginator("scan").paginate(TableName="ray-given-orders"):
        for item in page["Items"]:
            assert item["order_id"]["S"].startswith("given-t001-")
            for line in item["lines"]["L"]:
                prices[line["M"]["product_id"]["S"]] = line["M"]["unit_price"]["N"]
    assert prices == {"given-1": "1.25", "given-2": "2.25", "given-3": "3.25"}


def test_a_held_run_reports_its_catalog_and_waits_for_its_start(emulator):
    config = ddbload.LoadConfig(
        endpoint_url=emulator, products_table="ray-held-products", orders_table="ray-held-orders",
        create_tables=True, seed_products=40, threads=2, duration=1, _hold_start=True,
    )  # fmt: skip
    handle = _engine.start(config)
    events = []
    while not any(e.get("phase") == "ready" for e in events):
        event = handle.poll(10)
        assert event is not None, events
        events.append(json.loads(event))
    catalog = next(e["products"] for e in events if e["type"] == "catalog")
    assert len(catalog) == 40 and all(Decimal(p["price"]) > 0 for p in catalog)
    # Held: no second of load passes before begin_at.
    assert handle.poll(1.5) is None
    handle.begin_at(time.time())
    ticks = []
    while (event := handle.poll(10)) is not None:
        ticks.append(json.loads(event))
    result = json.loads(handle.result())
    assert result["summary"]["reads"]["ok"] > 0
    assert ticks and all(t["type"] == "tick" and t["latency_histogram"] for t in ticks), ticks


def test_a_replay_is_split_by_key_between_the_tasks_and_adds_up_to_the_trace(cluster, emulator, tmp_path):
    """The spool lives on the driver: each task gets its keys' calls through the object store."""
    calls = generated_calls()
    (tmp_path / "shop.yaml").write_text(WORKLOAD.replace("Products", "RayProducts").replace("Orders", "RayOrders"))
    renamed = [dict(c, table="Ray" + c["table"]) for c in calls]
    (tmp_path / "trace").mkdir()
    trace = write("json-lines", tmp_path / "trace", renamed)
    out = tmp_path / "replay.json"
    proc = run_cli(
        "replay", trace, "--endpoint-url", emulator, "--ray", cluster, "--ray-tasks", "2", "--workload",
        str(tmp_path / "shop.yaml"), "--create-tables", "--speed", "2", "--output", str(out), timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert [p["status"] for p in result["parts"]] == ["ok", "ok"]
    done = [p["summary"]["reads"]["ok"] + p["summary"]["writes"]["ok"] for p in result["parts"]]
    assert sum(done) == len(calls) == result["summary"]["offered"] and min(done) > 0, done
    rows = result["timeseries"]
    assert [row["target_rate"] for row in rows] == [sum(RATES[i : i + 2]) for i in range(0, len(RATES), 2)]
    mix = Counter(f"{c['op']} {c['table']}" for c in renamed)
    assert {name: op["ok"] for name, op in result["operations"].items()} == dict(mix)
    top = [k["key"] for k in result["keys"]["RayProducts"]["attempts"][:10]]
    assert top == [f"p{rank}" for rank in range(10)]


def test_a_spool_goes_to_the_object_store_in_pieces_and_comes_back_whole(cluster, tmp_path):
    """A replay's share travels in pieces (the driver holds one at a time): joined on the task's side,
    they are the file, which the driver no longer keeps."""
    import ray
    from ddbload.distributed.ray_run import connect, spool_pieces

    connect(cluster)
    try:
        share = tmp_path / "replay.spool.task0"
        text = "".join(f'{s}\t0\t{{"id":{{"S":"k{s}"}}}}\n' for s in range(100))
        share.write_text(text)
        pieces = spool_pieces(share, size=256)
        assert len(pieces) == -(-len(text.encode()) // 256) > 1
        assert b"".join(ray.get(pieces)).decode() == text
        assert not share.exists()
    finally:
        ray.shutdown()
