"""`ddbload findmax` against the offline endpoint, whose limit is known: a table provisioned at 100 WCU."""

from __future__ import annotations

import json
import signal
from importlib import resources

import jsonschema
import pytest
from conftest import read_until, refusal, run_cli, start_cli, start_serve


def test_findmax_finds_a_provisioned_tables_write_capacity():
    """Orders at 100 WCU, each order one write unit, burst credit spent first (as the event's first
    minutes would): the highest rate that holds is within 5% of 100 writes/s, and the step above it
    names Orders."""
    server, url = start_serve()
    try:
        setup = run_cli(
            "run", "--endpoint-url", url, "--create-tables", "--seed-products", "50", "--table-capacity", "100/100",
            "--rate", "1", "--duration", "1s", "--no-save",
        )  # fmt: skip
        assert setup.returncode == 0, setup.stderr
        spend = run_cli("run", "--endpoint-url", url, "--rate", "4000", "--read-ratio", "0", "--duration", "10s",
                        "--no-save")  # fmt: skip
        assert spend.returncode == 0, spend.stderr

        proc = run_cli(
            "findmax", "--endpoint-url", url, "--sla", "throttle_rate<0.001", "--read-ratio", "0",
            "--start-at", "25", "--step-seconds", "4", "--max-rate", "1000", "--forecast", "80", "--json",
            timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        found = json.loads(proc.stdout)
        jsonschema.validate(
            found, json.loads(resources.files("ddbload").joinpath("schema/findmax.schema.json").read_text())
        )
        assert 95 <= found["max_rate"] <= 105, found
        assert found["headroom"] == pytest.approx(found["max_rate"] / 80)
        assert [s["rate"] for s in found["steps"][:4]] == [25, 50, 100, 200]
        assert all(s["held"] for s in found["steps"][:3])
        limit = found["limited_by"]
        assert limit["rate"] > found["max_rate"] and limit["rate"] <= found["max_rate"] * 1.05
        assert any("Orders" in why for why in limit["slas"] + limit["throttled_by"]), limit
        # Each step was shown as it finished.
        assert proc.stderr.count("step ") == len(found["steps"])
    finally:
        server.terminate()
        server.communicate(timeout=10)


INDEX_LIMITED = """\
tables:
  orders:
    table: fm-orders
    partition_key: {name: id, type: S}
    billing: {read: 100, write: 1000}
    indexes:
      - name: by_status
        partition_key: {name: status, type: S}
        billing: {read: 100, write: 50}
    item:
      status: {choice: [OPEN, PAID]}
operations:
  - {name: place, put: {table: orders}}
"""


def test_findmax_finds_a_global_index_that_limits_the_tables_writes(tmp_path):
    """A workload file whose table has 1,000 WCU and its index 50: every order writes both, so the index
    is the limit (its burst credit spent first). The highest rate that holds is within 5% of 50 orders/s,
    and the step above it names the index, not the table. Steps held below the index's capacity earn it
    burst credit that would carry the next step: the index's own consumption against its capacity
    breaks such a step."""
    workload = tmp_path / "orders.yaml"
    workload.write_text(INDEX_LIMITED)
    server, url = start_serve()
    try:
        # 50 WCU x 300 s of burst credit: 15,000 index writes, spent by 8 s at 3,000/s.
        spend = run_cli("run", "--endpoint-url", url, "--workload", str(workload), "--create-tables",
                        "--rate", "3000", "--duration", "8s", "--no-save")  # fmt: skip
        assert spend.returncode == 0, spend.stderr
        proc = run_cli(
            "findmax", "--endpoint-url", url, "--workload", str(workload), "--sla", "throttle_rate<0.001",
            "--start-at", "12.5", "--step-seconds", "4", "--max-rate", "400", "--json", "--progress", "never",
            timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        found = json.loads(proc.stdout)
        assert 47.5 <= found["max_rate"] <= 52.5, found
        limit = found["limited_by"]
        # The step above broke at the index: throttled there, or consuming above its capacity (burst credit).
        assert any("fm-orders/index/by_status write (IndexWriteProvisionedThroughputExceeded)" in why
                   for why in limit["throttled_by"]) or any(why.startswith("fm-orders/index/by_status consumed")
                                                           for why in limit["slas"]), limit  # fmt: skip
        assert not any(why.startswith("fm-orders ") for why in limit["throttled_by"]), limit
    finally:
        server.terminate()
        server.communicate(timeout=10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sla", "p99<5"], "--sla: unknown metric 'p99'"),
        (["--sla", "p99_ms<5", "--start-at", "0"], "--start-at: 0 must be above 0"),
        (["--sla", "p99_ms<5", "--start-at", "500", "--max-rate", "100"], "--start-at: 500 is above --max-rate 100"),
        (["--sla", "p99_ms<5", "--precision", "1.5"], "--precision: 1.5 must be between 0 and 1"),
        (["--sla", "p99_ms<5", "--read-ratio", "2"], "--read-ratio"),
        ([], "the following arguments are required: --sla"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_runs(args, message):
    proc = run_cli("findmax", "--endpoint-url", "http://127.0.0.1:1", *args)
    assert message in refusal(proc)


def test_ctrl_c_prints_what_the_finished_steps_found():
    proc = start_cli("findmax", "--local", "--sla", "throttle_rate<0.5", "--start-at", "20", "--step-seconds", "2",
                     "--progress", "never", "--json")  # fmt: skip
    read_until(proc, "step 2:")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    found = json.loads(out)
    assert [s["rate"] for s in found["steps"]] == [20] and found["max_rate"] == 20
    assert "findmax: interrupted; what it found so far:" in err
