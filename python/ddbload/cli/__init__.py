"""The command line: `ddbload COMMAND ...` (also `python -m ddbload` and the workshop's ddb_load_tester.py)."""

from __future__ import annotations

import argparse
import os
import sys

from .. import _engine
from . import admin, after, cost, findmax, local, plan, replay, run, server_view, trace, workload
from .common import EXIT_BAD_INPUT, Command, Fail, OneLineParser, print_error
from .run import config_from_args

__all__ = ["build_parser", "config_from_args", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="ddbload",
        description="Load-test DynamoDB the way a peak sales event will: product lookups and order "
        "creations at the same time, with throughput, latency percentiles, throttles and capacity.",
    )
    parser.add_argument("--version", action="version", version=f"ddbload {_engine.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    # Registered in the order `ddbload --help` lists them.
    for group in (run, workload, findmax, plan, admin, after, server_view, cost, trace, replay, local):
        group.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Started with stdout or stderr closed (`>&-`): Python has no stream for it; what would be printed
    # there goes nowhere instead of failing the command.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process
    # `ddbload --threads 20` means `ddbload run --threads 20`.
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "run")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_BAD_INPUT
        handler: Command = args.handler
        return handler(args)
    except Fail as e:
        print_error(str(e))
        # An exit, not a return, as for argparse's own errors: callers of main() get SystemExit(2).
        sys.exit(EXIT_BAD_INPUT)
