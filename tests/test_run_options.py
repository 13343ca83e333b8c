"""Every run option is the same option everywhere: the `run` command's flags, the LoadConfig keywords the
CLI passes to the engine, and the README's flag table (a row per flag, with the parser's default)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import ddbload
from ddbload.cli import build_parser
from ddbload.cli.run import config_kwargs, shape_options

README = Path(__file__).resolve().parents[1] / "README.md"
# LoadConfig keywords a distributed run's driver sets for its tasks, never a user.
TASK_ONLY = {"task", "hold_start", "catalog"}


def _run_parser() -> argparse.ArgumentParser:
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return commands.choices["run"]


def _run_flags() -> dict[str, argparse.Action]:
    return {o: a for a in _run_parser()._actions for o in a.option_strings if o.startswith("--") and o != "--help"}


def _readme_rows() -> dict[str, str]:
    """Each flag of the README's table, with its row's default cell."""
    rows = {}
    for line in README.read_text().splitlines():
        if line.startswith("| `--"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]  # "\|" is a pipe inside a cell
            for flag in re.findall(r"--[a-z][a-z0-9-]*", cells[0]):
                rows[flag] = cells[1]
    return rows


def _keywords() -> set[str]:
    signature = ddbload.LoadConfig.__text_signature__ or ""
    return set(re.findall(r"(\w+)=", signature))


def test_every_run_flag_has_a_readme_row_and_every_row_a_flag():
    flags, rows = set(_run_flags()), set(_readme_rows())
    assert flags - rows == set(), "run flags missing from the README's flag table"
    assert rows - flags == set(), "README rows for flags `run` does not have"


def test_the_readme_gives_the_parsers_defaults():
    rows = _readme_rows()
    for flag, action in _run_flags().items():
        if action.default not in (None, False, argparse.SUPPRESS) and not isinstance(action.default, list):
            assert str(action.default) in rows[flag], (flag, action.default, rows[flag])


def test_every_engine_keyword_is_a_run_flag_and_is_passed_on():
    args = _run_parser().parse_args([])
    passed = set(config_kwargs(args)) | set(shape_options(args)) | {"minutes", "duration"}
    keywords = _keywords() - TASK_ONLY
    assert keywords, "LoadConfig has no text signature"
    assert keywords == passed
    flags = _run_flags()
    for keyword in keywords:
        assert f"--{keyword.replace('_', '-')}" in flags, keyword
