"""The summary and the live lines as a user reads them in an 80-column terminal: no number cut, the
throttled tables' capacity arithmetic spelled out, and where to look next."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from conftest import cli_env, run_cli
from ddbload.live import format_tick, tick_header
from ddbload.result import Result
from ddbload.summary import print_summary
from rich.console import Console


@pytest.fixture(scope="module")
def under_capacity(tmp_path_factory) -> dict:
    """The workshop's under-capacity rehearsal, offline: both tables at RCU 2 / WCU 2."""
    out = tmp_path_factory.mktemp("summary") / "2-2.json"
    proc = run_cli("run", "--local", "--table-capacity", "2/2", "--threads", "4", "--duration", "3s",
                   "--output", str(out))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def _summary_at(width: int, data: dict) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    print_summary(Result(data), console)
    return console.export_text()


def test_the_summary_fits_80_columns_with_every_number_whole(under_capacity):
    text = _summary_at(80, under_capacity)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    for op in ("reads", "writes"):
        figures = under_capacity["summary"][op]
        assert f"{figures['ok']:,}" in text and f"{figures['per_second']:,.1f}" in text
        assert f"{figures['latency_ms']['p99']:,.2f}" in text
    for units in under_capacity["consumed_capacity"].values():
        assert f"{units['read_units']:,.1f}" in text and f"{units['write_units']:,.1f}" in text


def test_a_throttled_run_explains_each_tables_arithmetic_and_points_to_advise(under_capacity):
    assert under_capacity["summary"]["reads"]["throttled_attempts"] > 0
    text = " ".join(_summary_at(200, under_capacity).split())
    products = next(n for n, t in under_capacity["tables"].items() if t["role"] == "products")
    assert f"{products}: provisioned 2 RCU = 4 eventually consistent reads/s of items up to 4 KB" in text
    reads_rcu = under_capacity["consumed_capacity"][products]["read_units"] / under_capacity["duration_s"]
    assert f"the run consumed {reads_rcu:,.1f} RCU/s" in text
    # No result file was named here (test_kept_results checks the path a run prints).
    assert "What to change before the event: run again with --output FILE, then ddbload advise FILE" in text
    gave_up = sum(under_capacity["summary"][op]["gave_up"] for op in ("reads", "writes"))
    assert f"Gave up after 3 attempts: {gave_up:,} operations (they are the errors above)" in text


def test_a_clean_run_has_no_throttle_explanation(under_capacity):
    clean = json.loads(json.dumps(under_capacity))
    for op in ("reads", "writes"):
        clean["summary"][op]["throttled_attempts"] = 0
    assert "ddbload advise" not in _summary_at(80, clean)


@pytest.mark.parametrize("open_model", [False, True])
def test_live_lines_fit_80_columns_under_their_header(open_model):
    row = {"t": 300, "seconds": 1.0, "reads_ok": 123_456, "writes_ok": 34_567, "p99_ms": 1234.5,
           "throttled": 12_345, "errors": 1_234}  # fmt: skip
    if open_model:
        row.update(target_rate=160_000.0, dropped=2_000)
    header, line = tick_header(open_model), format_tick(row, 300)
    assert len(header) <= 80 and len(line) <= 80, (header, line)
    expected = ["300s/300s", *(["160,000"] if open_model else []), "123,456", "34,567"]
    assert line.split()[: len(expected)] == expected
    # Each figure sits under its heading (right-aligned to the same column).
    for name, value in (("reads/s", "123,456"), ("p99 ms", "1234.5"), ("errors", "1,234")):
        assert header.index(name) + len(name) == line.index(value) + len(value)


def test_piped_output_honours_columns(tmp_path):
    """`ddbload run ... | cat` with COLUMNS=80: every line of the summary and of the progress fits."""
    proc = subprocess.run(
        [sys.executable, "-m", "ddbload", "run", "--local", "--table-capacity", "2/2", "--rate", "1000",
         "--duration", "3s", "--progress", "always", "--no-save"],
        capture_output=True, text=True, timeout=120, env={**cli_env(), "COLUMNS": "80"}, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Verdict: throttled" in proc.stdout
    for stream in (proc.stdout, proc.stderr):
        lines = stream.splitlines()
        assert max(len(line) for line in lines) <= 80, max(lines, key=len)
