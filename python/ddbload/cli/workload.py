"""`ddbload workload init`: draft a runnable workload file from your own tables."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .. import _engine
from ..workload_file import text_json
from ..workload_init import draft
from .common import EXIT_OK, Fail, connection_of, engine_errors
from .options import add_connection_flags

MAX_SAMPLE = 10_000


def add_commands(commands: Any) -> None:
    workload = commands.add_parser("workload", help="draft a workload file of your own tables' traffic")
    actions = workload.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", help="read tables' keys, indexes and a sample of items; write a runnable workload file"
    )
    init.add_argument(
        "--from-table", action="append", required=True, metavar="TABLE", help="a table to draft from (repeatable)"
    )
    init.add_argument("--output", required=True, metavar="FILE", help="the workload file to write (never replaced)")
    init.add_argument("--sample", default="200", metavar="N", help="items sampled per table, 1 to 10000 (default: 200)")
    add_connection_flags(init)
    init.set_defaults(handler=engine_errors(workload_init))


def workload_init(args: argparse.Namespace) -> int:
    if not args.sample.isdigit() or not 1 <= int(args.sample) <= MAX_SAMPLE:
        raise Fail(f"--sample: expected a whole number from 1 to {MAX_SAMPLE}, got {args.sample!r}")
    output = Path(args.output)
    if output.exists():
        raise Fail(f"--output: {output} exists; ddbload writes a new file and never replaces one")
    if not output.parent.is_dir():
        raise Fail(f"--output: folder {output.parent} does not exist")
    sample = int(args.sample)
    samples = []
    for table in args.from_table:
        found = json.loads(_engine.sample_table(table=table, sample=sample, **connection_of(args).kwargs()))
        print(f"read {table}: its description and {len(found['items'])} sampled item(s)", file=sys.stderr)
        samples.append(found)
    text = draft(samples, sample)
    # The draft must compile as it is: a mistake here is ddbload's, and is raised before writing.
    text_json(text, f"the draft of {output}")
    with output.open("x", encoding="utf-8") as f:
        f.write(text)
    ops = text.count("\n- name: ")
    print(f"wrote {output}: {len(samples)} table(s), {ops} operation(s); run it with ddbload run --workload {output}")
    return EXIT_OK
