"""Shared by the command modules: exit codes, bad input (`Fail`), error lines and the connection the flags give."""

from __future__ import annotations

import argparse
import functools
import json
import signal
import sys
from typing import Any, Callable, NoReturn, cast

from .. import _engine
from ..capacity import Connection
from ..workload_file import workload_json

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130

# Errors that mean the input (flags, tables, endpoint, credentials) was wrong: nothing was sent.
BAD_INPUT_ERRORS = (
    _engine.ConfigError,
    _engine.TableError,
    _engine.EndpointError,
    _engine.CredentialsError,
    _engine.DataError,
)

Command = Callable[[argparse.Namespace], int]


class Fail(Exception):
    """Bad input: nothing was sent or written. `main` prints the message as one line and exits 2."""


def print_error(message: str) -> None:
    print(f"ddbload: error: {message}", file=sys.stderr)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the option and value, and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise Fail(message)


def engine_failure(error: _engine.DdbLoadError) -> int:
    """The exit code for an engine error: bad input is raised as Fail; anything else is printed, 1."""
    if isinstance(error, BAD_INPUT_ERRORS):
        raise Fail(str(error)) from None
    print_error(str(error))
    return EXIT_FAILED


def engine_errors(command: Command) -> Command:
    """`command` with the engine's errors turned into exit codes by `engine_failure`."""

    @functools.wraps(command)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except _engine.DdbLoadError as e:
            return engine_failure(e)

    return wrapped


def connection_of(args: argparse.Namespace) -> Connection:
    return Connection(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)


def stop_on_sigterm() -> None:
    """SIGTERM (`kill`, a container stopping) ends the command as Ctrl-C does."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def workload_document(source: str, workshop_refused: str) -> dict[str, Any]:
    """A workload file's JSON form, read and checked; its mistake, or the workshop preset (which has no
    file of tables) with `workshop_refused` as the reason, is one line."""
    try:
        document = json.loads(workload_json(source))
    except _engine.ConfigError as e:
        raise Fail(str(e)) from None
    if document is None:
        raise Fail(f"--workload: give a workload file; {workshop_refused}")
    return cast(dict[str, Any], document)
