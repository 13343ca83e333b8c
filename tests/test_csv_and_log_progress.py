"""Per-second rows as CSV (`--csv`), and progress when stderr is a log rather than a terminal."""

from __future__ import annotations

import csv
import json
import re

from conftest import run_cli


def test_csv_has_one_row_a_second_matching_the_result(tmp_path):
    out, rows_csv = tmp_path / "run.json", tmp_path / "rows.csv"
    proc = run_cli("run", "--local", "--rate", "200", "--duration", "3s", "--output", str(out), "--csv", str(rows_csv))
    assert proc.returncode == 0, proc.stderr
    assert f"CSV written to {rows_csv}" in proc.stdout
    result = json.loads(out.read_text())
    with rows_csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(result["timeseries"])
    for line, row in zip(rows, result["timeseries"]):
        assert int(line["reads_ok"]) == row["reads_ok"] and int(line["offered"]) == row["offered"]
        assert float(line["reads_per_s"]) == round(row["reads_ok"] / (row["seconds"] or 1.0), 3)
        assert float(line["target_rate"]) == row["target_rate"]
        for table, units in row["units"].items():
            assert float(line[f"{table}:write_units_per_s"]) == round(units["write_units"] / row["seconds"], 3)
    assert any(name.endswith(":provisioned_read") for name in rows[0])
    assert {f"{table}:read_units_per_s" for table in result["consumed_capacity"]} <= set(rows[0])


def test_csv_never_overwrites_a_file_it_did_not_write(tmp_path):
    theirs = tmp_path / "numbers.csv"
    theirs.write_text("month,revenue\n2026-11,123.45\n")
    proc = run_cli("run", "--local", "--duration", "1s", "--csv", str(theirs))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"ddbload: error: --csv: {theirs} exists and was not written by ddbload; refusing to overwrite it"
    ], proc.stderr
    assert theirs.read_text() == "month,revenue\n2026-11,123.45\n"


def test_a_log_gets_a_progress_line_every_ten_seconds(tmp_path):
    # stderr is a pipe here, as in CI or `| tee`: not a line a second, but not silence either.
    proc = run_cli("run", "--local", "--threads", "2", "--duration", "12s", timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    ticks = [line for line in lines if re.match(r"\s*\d+s/\d+s ", line)]
    assert len(ticks) == 1 and ticks[0].lstrip().startswith("10s/12s"), proc.stderr
    assert lines[lines.index(ticks[0]) - 1].split() == [
        "time",
        "reads/s",
        "writes/s",
        "p99",
        "ms",
        "throttled/s",
        "errors",
    ]
    # The setup steps show too, once the run is past the calls that can refuse bad input.
    assert lines[0].startswith("connecting: region us-east-1, endpoint http://127.0.0.1:"), proc.stderr
    assert "seeding products: 1,000/1,000" in lines and any(line.startswith("load: run ") for line in lines)
    never = run_cli("run", "--local", "--threads", "2", "--duration", "1s", "--progress", "never")
    assert never.returncode == 0 and never.stderr == "", never.stderr
