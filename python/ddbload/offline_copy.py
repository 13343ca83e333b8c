"""Production's capacity settings copied onto ddbload's offline endpoint: billing mode, provisioned figures
of each table and global index, warm throughput, auto scaling targets and policies (no items)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import capacity, scaling
from .capacity import Connection

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
        notes += [f"{saved['name']}: {note}" for note in scaling_notes]
        change.scaling_first = False  # targets register on the provisioned figures
        if capacity.apply(target, change):
            capacity.wait_until_settled(target, change.table, lambda state, waited: None)
        capacity.apply_warm(target, change)
        capacity.apply_scaling(target, change)
    return notes
