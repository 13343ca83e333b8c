"""Splits one run's LoadConfig keywords into K tasks' keywords: workers or the schedule shared evenly,
setup (table creation, seeding) done by task 0 alone, run id and seed common to all."""

from __future__ import annotations

import json
import math
from typing import Any

from ..workload_file import workload_json
from .replay_split import replay_shares


def task_count(kwargs: dict[str, Any], wanted: int) -> int:
    """The tasks a run can use: a closed run cannot have more tasks than workers."""
    if kwargs.get("rate") is None and kwargs.get("stages") is None and kwargs.get("_replay") is None:
        return max(1, min(wanted, int(kwargs["threads"])))
    return max(1, wanted)


def split(kwargs: dict[str, Any], tasks: int) -> list[dict[str, Any]]:
    """`tasks` sets of keywords whose load adds up to `kwargs`'s. `kwargs` must carry the run id, seed
    and worker count already (the tasks must agree on them)."""
    shares = []
    threads = int(kwargs["threads"])
    if kwargs.get("workload") is not None and not isinstance(kwargs["workload"], dict):
        # A file on the driver's disk is not on the other nodes: the tasks get its checked JSON form.
        kwargs = dict(kwargs, workload=json.loads(workload_json(kwargs["workload"])))
    open_model = any(kwargs.get(k) is not None for k in ("rate", "stages", "_replay"))
    replays = replay_shares(json.loads(kwargs["_replay"]), tasks) if kwargs.get("_replay") else None
    for task in range(tasks):
        share = dict(kwargs, _task=task, _hold_start=True)
        if replays is not None:
            share["_replay"], share["_replay_spool"] = replays[task]
        if open_model:
            share.pop("threads", None)  # arrivals follow the schedule; an open run has no workers
        else:
            share["threads"] = threads // tasks + (1 if task < threads % tasks else 0)
        if kwargs.get("rate") is not None:
            share["rate"] = float(kwargs["rate"]) / tasks
        if kwargs.get("start_rate") is not None:
            share["start_rate"] = float(kwargs["start_rate"]) / tasks
        if kwargs.get("stages") is not None:
            share["stages"] = [(span, target / tasks) for span, target in stages_of(kwargs["stages"])]
        if kwargs.get("max_in_flight") is not None:
            share["max_in_flight"] = max(1, math.ceil(int(kwargs["max_in_flight"]) / tasks))
        if task > 0:
            # Task 0 creates and seeds the tables before the others start (a workload file's tables too:
            # the engine seeds them on task 0 only).
            share["create_tables"] = False
            share["seed_products"] = 0
            share["table_capacity"] = None
        shares.append({k: v for k, v in share.items() if v is not None})
    return shares


def stages_of(stages: str | list[tuple[str | float, float]]) -> list[tuple[str | float, float]]:
    """`2m:1000,30s:8000` (already validated by LoadConfig) or a list, as (duration, target) pairs."""
    if isinstance(stages, str):
        pairs = [part.strip().rsplit(":", 1) for part in stages.split(",") if part.strip()]
        return [(span.strip(), float(target)) for span, target in pairs]
    return [(span, float(target)) for span, target in stages]
