"""A result's tables and global indexes by the names its consumed capacity uses: "TABLE", or
"TABLE/index/NAME" for a workload file's global index (units kept apart since ddbload 0.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INDEX = "/index/"


def split(name: str) -> tuple[str, str | None]:
    """("TABLE", None) or ("TABLE", "INDEX")."""
    table, _, index = name.partition(INDEX)
    return table, index or None


def figure_prefix(name: str) -> str:
    """Where a table's or index's `--fail-if` figures are named: "table.TABLE" or "table.TABLE.INDEX"."""
    return "table." + ".".join(part for part in split(name) if part)


def resource_info(result: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A table's description in the result, or for "TABLE/index/NAME" its table's billing mode with the
    index's own capacity figures; {} for a name the result does not describe."""
    table, index = split(name)
    info: dict[str, Any] = dict(result["tables"].get(table, {}))
    if index is None or not info:
        return info
    own = next((i for i in info.get("indexes", []) if i["name"] == index), None)
    if own is None:
        return {}
    return {
        "billing_mode": info["billing_mode"],
        "role": f"index of {info.get('role', table)}",
        **{key: own.get(key) for key in ("read_capacity_units", "write_capacity_units",
                                         "warm_read_units_per_second", "warm_write_units_per_second")},
    }  # fmt: skip
