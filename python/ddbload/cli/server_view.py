"""DynamoDB's own view of a run: run's --server-view-wait, and `ddbload server-view RESULT` to read it later."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .. import _engine
from ..console import make_console
from ..gameday_plan import duration_seconds
from ..output import OutputPathError
from ..result import Result
from ..result_types import RunResult
from ..server_view import fetch, lines
from .common import EXIT_FAILED, EXIT_OK, Fail

DEFAULT_WAIT = "3m"
MAX_WAIT_S = 3600.0


def add_server_view_flags(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--server-view-wait",
        metavar="DURATION",
        help="after a run against AWS, wait up to this long for CloudWatch to publish DynamoDB's own metrics "
        f"of the run (the result's server_view; default: {DEFAULT_WAIT}; 0 skips them); an endpoint's are read at once",
    )


def add_commands(commands: Any) -> None:
    p = commands.add_parser(
        "server-view",
        help="DynamoDB's own metrics of a run (CloudWatch) beside the run's, added to the result",
    )
    p.add_argument("result", metavar="RESULT.json")
    p.add_argument(
        "--wait",
        metavar="DURATION",
        default="0",
        help="wait up to this long for CloudWatch to publish the run's last minute (default: 0, ask once)",
    )
    p.add_argument("--endpoint-url", help="ask this endpoint instead of the run's own (e.g. a restarted ddbload serve)")
    p.add_argument("--json", action="store_true", help="print server_view as JSON instead of the summary lines")
    p.set_defaults(handler=cmd_server_view)


def wait_of(flag: str, text: str | None) -> float:
    """A wait in seconds (0 to an hour); bad input is one line naming the flag."""
    seconds = duration_seconds(DEFAULT_WAIT if text is None else text)
    if seconds is None or not 0 <= seconds <= MAX_WAIT_S:
        raise Fail(f"{flag}: {text!r} is not a duration from 0 to 1h (e.g. 3m, 90s, 0)")
    return seconds


def with_server_view(result: Result, args: argparse.Namespace, endpoint_url: str | None) -> Result:
    """The result with server_view added (the run's window at `endpoint_url`, or CloudWatch in the run's
    region); when it cannot be read, the result as it was and one line on stderr saying why."""
    wait = wait_of("--server-view-wait", args.server_view_wait)
    if endpoint_url is None and wait == 0:
        return result
    if endpoint_url is None and result.interrupted:
        print("ddbload: server view skipped (the run was interrupted); `ddbload server-view RESULT --wait 5m` reads it",
              file=sys.stderr)  # fmt: skip
        return result
    data = result.data
    if endpoint_url is None:
        print(
            f"ddbload: reading DynamoDB's own metrics of the run from CloudWatch (up to {wait:g} s; Ctrl-C skips)",
            file=sys.stderr,
        )
    try:
        view = _fetch(data, endpoint_url, wait)
    except _engine.DdbLoadError as e:
        print(f"ddbload: no server view (DynamoDB's own metrics of the run): {e}", file=sys.stderr)
        return result
    except KeyboardInterrupt:
        print("ddbload: server view skipped; `ddbload server-view RESULT` reads it later", file=sys.stderr)
        return result
    data["server_view"] = view
    return Result(data)


def _fetch(data: RunResult, endpoint_url: str | None, wait: float) -> dict[str, Any]:
    """server_view of the run in `data`, in its region with its profile, progress lines on stderr."""
    return fetch(
        data,
        region=data["config"]["region"],
        profile=data["config"].get("profile"),
        endpoint_url=endpoint_url,
        wait_s=wait,
        progress=lambda line: print(f"ddbload: {line}", file=sys.stderr),
    )


def cmd_server_view(args: argparse.Namespace) -> int:
    from .after import load_result

    data: RunResult = load_result(args.result)
    wait = wait_of("--wait", args.wait)
    endpoint_url = args.endpoint_url or data["config"].get("endpoint_url")
    try:
        view = _fetch(data, endpoint_url, wait)
    except _engine.ConfigError as e:
        raise Fail(str(e)) from None
    except _engine.DdbLoadError as e:
        print(f"ddbload: {e}", file=sys.stderr)
        return EXIT_FAILED
    data["server_view"] = view
    try:
        Result(data).save(args.result)
    except (OSError, OutputPathError) as e:
        print(f"ddbload: could not add server_view to {args.result}: {e}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(view, indent=2))
    else:
        console = make_console(stderr=False)
        for line in lines(data):
            console.print(line, highlight=False)
        console.print(f"server_view added to {args.result}", highlight=False)
    return EXIT_OK
