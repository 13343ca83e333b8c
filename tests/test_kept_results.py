"""A run without --output keeps its result JSON in ./ddbload-runs/ and names the real path in the
next-step command; --no-save keeps nothing; a file in the folder's place is refused before the run."""

from __future__ import annotations

import json
import re

from conftest import run_cli


def test_a_run_without_output_keeps_its_result_and_the_advise_command_works_as_printed(tmp_path):
    # A hot key throttles within 2 s (5,400 read units/s on one key range, whose bucket holds one second of
    # its 3,000), so the summary gives its next step.
    proc = run_cli(
        "run", "--local", "--key-distribution", "hot:1:0.9", "--consistent-reads", "--rate", "6000",
        "--read-ratio", "1", "--duration", "4s", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [kept] = list((tmp_path / "ddbload-runs").iterdir())
    result = json.loads(kept.read_text())
    assert kept.name == f"{result['run_id']}.json"
    assert result["summary"]["reads"]["throttled_attempts"] > 0
    assert f"Result kept in ddbload-runs/{kept.name} (--no-save skips it)" in proc.stdout
    [command] = re.findall(r"What to change before the event: (ddbload advise \S+)", proc.stdout)
    assert command == f"ddbload advise ddbload-runs/{kept.name}"
    advice = run_cli(*command.split()[1:], cwd=tmp_path)
    assert advice.returncode == 0, advice.stderr
    assert "spread the hot key" in advice.stdout


def test_no_save_keeps_nothing(endpoint, tables, tmp_path):
    products, orders = tables
    proc = run_cli(
        "run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "10", "--duration", "1s", "--no-save", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []
    assert "kept" not in proc.stdout


def test_a_file_where_the_runs_folder_goes_is_refused_before_anything_is_sent(endpoint, dynamodb, tables, tmp_path):
    (tmp_path / "ddbload-runs").write_text("mine\n")
    products, orders = tables
    proc = run_cli(
        "run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "10", "--duration", "1s", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "ddbload-runs is not a folder" in proc.stderr, proc.stderr
    assert (tmp_path / "ddbload-runs").read_text() == "mine\n"
    assert products not in dynamodb.list_tables()["TableNames"]
