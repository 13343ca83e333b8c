"""Production's capacity settings copied onto ddbload's offline endpoint: billing mode, provisioned figures
of each table and global index, warm throughput, auto scaling targets and policies (no items)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from . import capacity, scaling
from .api import run_prepared
from .capacity import Connection
from .workload_init import index_spec

# The offline endpoint accepts any credentials: real ones are never sent to it.
_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


@contextmanager
def offline_credentials() -> Iterator[None]:
    """Dummy credentials for calls to the offline endpoint; the caller's are put back afterwards."""
    saved = {key: os.environ.get(key) for key in _CREDENTIALS}
    os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def copy_settings(source: list[dict[str, Any]], target: Connection) -> list[str]:
    """Gives each table at `target` the settings `source` (as `capacity.describe` gives them) records;
    the tables must exist there with the same global indexes. Returns notes on what could not be copied."""
    notes = []
    for saved in source:
        (now,) = capacity.describe(target, [saved["name"]])
        missing = {i["name"] for i in saved["indexes"]} - {i["name"] for i in now["indexes"]}
        if missing:
            notes.append(f"{saved['name']}: index(es) {', '.join(sorted(missing))} not in the rehearsal's table")
        change = capacity.plan_restore(now, saved)
        warm = (saved.get("warm_read_units_per_second") or 0, saved.get("warm_write_units_per_second") or 0)
        if any(warm):
            capacity.plan_warm(change, now, *warm)
        change.scaling, scaling_notes = scaling.plan_restore(now, saved)
        if scaling_notes and not change.scaling:  # auto scaling could not be read or written
            notes += [f"{saved['name']}: {note}" for note in scaling_notes]
        change.scaling_first = False  # targets register on the provisioned figures
        if capacity.apply(target, change):
            capacity.wait_until_settled(target, change.table, lambda state, waited: None)
        capacity.apply_warm(target, change)
        capacity.apply_on_demand_max(target, change)
        capacity.apply_scaling(target, change)
    return notes


class _Copied(Exception):
    """Ends a held run once its tables exist and production's settings are on them."""


def rehearsal_workload(shapes: list[dict[str, Any]], workload: dict[str, Any] | None) -> dict[str, Any]:
    """A workload whose tables named in `shapes` (as `_engine.sample_table` gives them) have production's
    keys and global indexes, and the workload's items and generators where it names the same table."""
    base = workload or {"version": 1, "tables": {}, "operations": []}
    tables: dict[str, Any] = {alias: dict(spec) for alias, spec in base["tables"].items()}
    by_name = {spec.get("table", alias): alias for alias, spec in tables.items()}
    for shape in shapes:
        alias = by_name.get(shape["table"], shape["table"])
        spec = tables.setdefault(alias, {"table": shape["table"]})
        spec["partition_key"] = shape["partition_key"]
        spec.pop("sort_key", None)
        if shape.get("sort_key"):
            spec["sort_key"] = shape["sort_key"]
        spec["indexes"] = [index_spec(index) for index in shape["indexes"]]
        spec.pop("billing", None)  # created on-demand; production's capacity is copied after
        if not spec["indexes"]:
            spec.pop("indexes")
    operations = base["operations"] or [{"name": "never_sent", "weight": 1, "put": {"table": next(iter(tables))}}]
    return {"version": 1, "tables": tables, "operations": operations}


def create_copies(config: Any, source: list[dict[str, Any]], target: Connection) -> list[str]:
    """Runs `config` (a held run of a `rehearsal_workload` against `target`) up to its load: its tables are
    created and seeded, then given `source`'s settings; nothing is sent to them after that."""
    notes: list[str] = []

    def copy_then_stop() -> None:
        notes.extend(copy_settings(source, target))
        raise _Copied

    with suppress(_Copied):
        run_prepared(config, copy_then_stop)
    return notes
