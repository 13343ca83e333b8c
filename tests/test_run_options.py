"""Every run option is defined once, in the engine's table (src/py/run_options.rs, `_engine.run_options()`),
and is the same option everywhere: the `run` command's flags are built from it, the defaults it shows are
the engine's, and _engine.pyi's LoadConfig keywords and the README's flag table (a row per flag, with its
default) are checked against it here."""

from __future__ import annotations

import argparse
import ast
import json
import re
from pathlib import Path

import ddbload
import pytest
from ddbload.cli import build_parser
from ddbload.cli.run import config_kwargs

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
STUB = ROOT / "python" / "ddbload" / "_engine.pyi"
OPTIONS = ddbload._engine.run_options()
TYPED = {"count": int, "number": float}
# LoadConfig keywords a distributed run's driver sets for its tasks, never a user.
TASK_ONLY = {"_task", "_hold_start", "_catalog"}
# LoadConfig keywords whose flag `run` offers in a group of its own (with the flags that go with it).
OWN_GROUP = {"timeline": ["--timeline", "t.yaml"]}


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


def _stub_keywords() -> list[str]:
    """LoadConfig's keywords as _engine.pyi declares them (what users' type checkers see)."""
    tree = ast.parse(STUB.read_text())
    config = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "LoadConfig")
    new = next(f for f in config.body if isinstance(f, ast.FunctionDef) and f.name == "__new__")
    return [a.arg for a in new.args.kwonlyargs]


def test_every_run_flag_has_a_readme_row_and_every_row_a_flag():
    flags, rows = set(_run_flags()), set(_readme_rows())
    assert flags - rows == set(), "run flags missing from the README's flag table"
    assert rows - flags == set(), "README rows for flags `run` does not have"


def test_the_readme_gives_each_options_default():
    rows = _readme_rows()
    for option in OPTIONS:
        if option["default"] is not None:
            assert option["default"] in rows[option["flag"]], (option["flag"], option["default"])
    for flag, action in _run_flags().items():
        if action.default not in (None, False, argparse.SUPPRESS) and not isinstance(action.default, list):
            assert str(action.default) in rows[flag], (flag, action.default, rows[flag])


OPEN_MODEL_ONLY = {"start_rate": {"stages": "1s:10"}, "max_in_flight": {"rate": 10}}


@pytest.mark.parametrize("option", [o for o in OPTIONS if o["default"] is not None], ids=lambda o: o["keyword"])
def test_the_default_an_option_shows_is_the_engines(option):
    given = TYPED.get(option["kind"], str)(option["default"])
    # Options of the open model are refused without one.
    model = OPEN_MODEL_ONLY.get(option["keyword"], {})
    engine_default = json.loads(ddbload.LoadConfig(**model).to_json())
    assert json.loads(ddbload.LoadConfig(**model, **{option["keyword"]: given}).to_json()) == engine_default
    assert option["default"] in _run_flags()[option["flag"]].help


def test_every_option_is_a_run_flag_and_is_passed_on():
    flags = _run_flags()
    for option in OPTIONS:
        args = _run_parser().parse_args(_example(option))
        assert option["keyword"] in config_kwargs(args), option["flag"]
        assert flags[option["flag"]].help, option["flag"]


def test_a_flag_left_out_is_a_keyword_left_out():
    """The engine's default applies; the connection flags, which commands without a LoadConfig share,
    keep theirs in the parser."""
    assert config_kwargs(_run_parser().parse_args([])) == {"region": "us-east-1"}


def test_the_stub_declares_every_keyword_the_engine_takes():
    keywords = [o["keyword"] for o in OPTIONS]
    assert set(_stub_keywords()) == set(keywords) | TASK_ONLY | set(OWN_GROUP)
    for keyword in TASK_ONLY | set(OWN_GROUP):  # accepted, and typed in the stub, though not generated flags
        ddbload.LoadConfig(**{keyword: None})


@pytest.mark.parametrize("keyword", sorted(OWN_GROUP))
def test_a_flag_of_its_own_group_is_passed_on(keyword):
    args = _run_parser().parse_args(OWN_GROUP[keyword])
    assert config_kwargs(args)[keyword] == OWN_GROUP[keyword][1]


def test_an_unknown_keyword_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="unexpected keyword argument 'thread'"):
        ddbload.LoadConfig(thread=4)  # type: ignore[call-arg]


def _example(option: dict) -> list[str]:
    """Command-line words that give the option a value."""
    if option["kind"] == "switch":
        return [option["flag"]]
    value = {"count": "3", "number": "2"}.get(option["kind"], "x")
    if option["choices"]:
        value = option["choices"][-1]
    return [option["flag"], value]
