"""Ctrl-C: the CLI stops within about a second, prints and writes the partial result, exits 130."""

from __future__ import annotations

import _thread
import json
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from importlib import resources

import ddbload
import jsonschema
import pytest
from conftest import cli_env, sigint_default


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_the_cli_with_a_partial_result(endpoint, tables, tmp_path, signum):
    products, orders = tables
    out = tmp_path / "partial.json"
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "ddbload", "run",
            "--threads", "20",
            "--minutes", "5",
            "--endpoint-url", endpoint,
            "--products-table", products,
            "--orders-table", orders,
            "--create-tables",
            "--seed-products", "200",
            "--progress", "always",
            "--output", str(out),
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(), preexec_fn=sigint_default,
    )  # fmt: skip
    assert proc.stderr is not None
    seen = []
    # Wait for two seconds of load to be reported, then interrupt.
    for line in proc.stderr:
        seen.append(line)
        if sum(bool(re.match(r"\s*\d+s/\d+s ", s)) for s in seen) >= 2:
            break
    sent_at, sent_wall = time.monotonic(), time.time()
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=30)
    took = time.monotonic() - sent_at
    assert proc.returncode == 130, "".join(seen) + stderr
    assert took < 2.5, f"took {took:.1f}s to print, write and exit"
    result = json.loads(out.read_text())
    schema = json.loads(resources.files("ddbload").joinpath("schema/result.schema.json").read_text())
    jsonschema.validate(result, schema)  # an interrupted result follows the schema too
    # README: it stops sending within a second. The run's window ends when the last operation ended.
    started = datetime.fromisoformat(result["started_at"].replace("Z", "+00:00")).timestamp()
    assert started + result["duration_s"] - sent_wall < 1.0, started + result["duration_s"] - sent_wall
    assert result["interrupted"] is True
    assert result["summary"]["writes"]["ok"] > 0
    assert 1.5 < result["duration_s"] < 60
    assert "interrupted" in stdout


def test_ctrl_c_in_python_raises_run_interrupted_with_the_partial_result(endpoint, tables, local_credentials):
    products, orders = tables
    config = ddbload.LoadConfig(
        endpoint_url=endpoint,
        products_table=products,
        orders_table=orders,
        create_tables=True,
        seed_products=50,
        threads=4,
        minutes=5,
    )
    ticks = []

    def on_event(event):
        if event["type"] == "tick":
            ticks.append(event)
            if len(ticks) == 2:
                # What Ctrl-C does: KeyboardInterrupt in the main thread.
                threading.Timer(0.05, _thread.interrupt_main).start()

    started = time.monotonic()
    with pytest.raises(ddbload.RunInterrupted) as caught:
        ddbload.run(config, progress=on_event)
    assert time.monotonic() - started < 10
    partial = caught.value.result
    assert partial is not None and partial.interrupted
    assert partial.reads["ok"] > 0
    assert isinstance(caught.value, KeyboardInterrupt)


def test_ctrl_c_during_seeding_stops_at_once_with_nothing_measured(endpoint, tables, local_credentials):
    products, orders = tables
    config = ddbload.LoadConfig(
        endpoint_url=endpoint,
        products_table=products,
        orders_table=orders,
        create_tables=True,
        seed_products=500_000,
        minutes=1,
    )
    seeded = []

    def on_event(event):
        if event["type"] == "seed":
            seeded.append(event["done"])
            if len(seeded) == 1:
                threading.Timer(0.05, _thread.interrupt_main).start()

    started = time.monotonic()
    with pytest.raises(ddbload.RunInterrupted) as caught:
        ddbload.run(config, progress=on_event)
    assert time.monotonic() - started < 15
    assert caught.value.result is None
    assert seeded[-1] < 500_000
