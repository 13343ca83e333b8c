"""The after-the-run commands: compare, advise, support-case and report."""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path
from typing import Any, cast

from .. import _engine
from ..advise import advise, kept_request_ids, support_case
from ..compare import comparison_table
from ..console import make_console
from ..output import OutputPathError, check_output_path, write_text
from ..result_types import RunResult
from ..thresholds import Threshold
from .common import EXIT_OK, Fail

# How every report ddbload writes begins (report_html.render): only a file that opens so is ours.
REPORT_HEAD = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>ddbload run "


def add_commands(commands: Any) -> None:
    compare = commands.add_parser("compare", help="runs side by side, changes against the first")
    compare.add_argument("results", nargs="+", metavar="RESULT.json", help="result files from --output")
    compare.set_defaults(handler=cmd_compare)

    for name, text, handler in (
        ("advise", "what to do before the event and if it still goes wrong", cmd_advise),
        (
            "support-case",
            "a support-case title and body (at most 200 characters together) asking to check the plan",
            cmd_support_case,
        ),
    ):
        p = commands.add_parser(name, help=text)
        p.add_argument("result", metavar="RESULT.json")
        p.add_argument("--lang", choices=["en", "ko"], default="en", help="language (default: en)")
        p.set_defaults(handler=handler)

    report = commands.add_parser("report", help="a self-contained HTML report with charts")
    report.add_argument("result", metavar="RESULT.json")
    report.add_argument("--output", default=None, help="HTML file (default: RESULT.html beside the result)")
    report.set_defaults(handler=cmd_report)


def load_result(path_text: str) -> RunResult:
    path = Path(path_text)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise Fail(f"{path}: {e.strerror}") from None
    except ValueError:
        raise Fail(f"{path}: not valid JSON") from None
    if not isinstance(data, dict) or data.get("tool", {}).get("name") != "ddbload":
        raise Fail(f"{path}: not a ddbload result")
    if data.get("schema_version") != 1:
        raise Fail(f"{path}: result schema version {data.get('schema_version')!r} is not supported (expected 1)")
    problem = schema_problem(data)
    if problem:
        raise Fail(f"{path}: not a usable ddbload result: {problem}")
    return cast("RunResult", data)  # it fits the schema the type follows


def schema_problem(data: dict[str, Any]) -> str | None:
    """The first way `data` breaks the result JSON Schema, in one short phrase (None when it fits)."""
    import jsonschema

    schema = json.loads(resources.files("ddbload").joinpath("schema/result.schema.json").read_text(encoding="utf-8"))
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is None:
        return None
    where = ".".join(str(p) for p in error.absolute_path) or "the top level"
    message = error.message if len(error.message) <= 120 else error.message[:117] + "..."
    return f"{where}: {message}"


def check_report_path(path: Path) -> None:
    """Like result files: never replace an HTML file ddbload did not write."""
    check_output_path(path, is_ours=lambda prefix: prefix.startswith(REPORT_HEAD))


def render_report(result: RunResult, thresholds: list[Threshold] | None = None) -> str:
    from ..report_html import render

    return render(result, thresholds)


def write_report(result: RunResult, path: Path, thresholds: list[Threshold] | None = None) -> None:
    check_report_path(path)
    write_text(path, render_report(result, thresholds))


def cmd_compare(args: argparse.Namespace) -> int:
    results = [load_result(p) for p in args.results]
    names = [Path(p).stem for p in args.results]
    make_console().print(comparison_table(results, names))
    return EXIT_OK


def cmd_advise(args: argparse.Namespace) -> int:
    advice = advise(load_result(args.result), args.lang)
    print(advice.summary)
    print()
    print("\n".join(advice.details))
    return EXIT_OK


def cmd_support_case(args: argparse.Namespace) -> int:
    result = load_result(args.result)
    title, body = support_case(result, args.lang)
    print(title)
    print()
    print(body)
    # Request IDs the 200 characters had no room for: to paste into the case's first reply.
    left = [i for i in kept_request_ids(result) if i not in body]
    if left:
        print()
        print(f"Request IDs for the case's first reply ({len(left)}):")
        for request_id in left:
            print(request_id)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.output) if args.output else Path(args.result).with_suffix(".html")
    try:
        check_report_path(out)
    except OutputPathError as e:
        raise Fail(f"--output: {e}") from None
    result = load_result(args.result)
    try:
        write_report(result, out)
    except OutputPathError as e:
        raise Fail(f"--output: {e}") from None
    except _engine.DataError as e:
        raise Fail(f"{args.result}: {e}") from None
    print(f"Report written to {out}")
    return EXIT_OK
