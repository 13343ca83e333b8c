"""Capacity admin: plan a change (provisioned, on-demand, warm throughput), back up the current
settings first, apply it table by table waiting for ACTIVE, and restore from a backup."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from . import _engine, scaling
from .endpoints import redacted, same_endpoint

BACKUP_KIND = "ddbload-capacity-backup"
# The backup format this ddbload writes and reads.
BACKUP_VERSION = 1
# DynamoDB's table names (CreateTable API reference).
TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
# DynamoDB's capacity figures are Longs of at least 1 (API reference, ProvisionedThroughput).
MAX_UNITS = 2**63 - 1
# The default per-table quota ("Service, account, and table quotas"): more is refused unless raised.
DEFAULT_TABLE_QUOTA = 40_000
BILLING_MODES = ("PROVISIONED", "PAY_PER_REQUEST")
# DynamoDB: a table may switch from provisioned to on-demand at most 4 times in any 24 hours
# (developer guide, "Considerations when switching capacity modes").
SWITCHES_TO_ON_DEMAND_PER_DAY = 4


class BackupError(ValueError):
    """A backup file cannot be used; the message says why."""


@dataclass
class Connection:
    region: str = "us-east-1"
    profile: str | None = None
    endpoint_url: str | None = None

    def kwargs(self) -> dict[str, Any]:
        return {"region": self.region, "profile": self.profile, "endpoint_url": self.endpoint_url}


@dataclass
class TableChange:
    """What one table needs; empty fields mean no change."""

    table: str
    billing_mode: str | None = None
    units: tuple[int, int] | None = None
    index_units: dict[str, tuple[int, int]] = field(default_factory=dict)
    warm: tuple[int, int] | None = None
    on_demand_max: tuple[int, int] | None = None  # request units a second; -1 for no maximum
    # Auto scaling changes (see scaling.py), made before the units (to hold them) or after (to restore).
    scaling: list[dict[str, Any]] = field(default_factory=list)
    scaling_first: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.billing_mode or self.units or self.index_units or self.warm or self.on_demand_max or self.scaling
        )

    def describe(self) -> str:
        parts = []
        if self.billing_mode == "PAY_PER_REQUEST":
            parts.append("switch to on-demand")
        elif self.units:
            mode = "switch to provisioned" if self.billing_mode else "provisioned"
            parts.append(f"{mode} RCU {self.units[0]} / WCU {self.units[1]}")
        if self.index_units:
            parts.append("indexes " + ", ".join(f"{n} {r}/{w}" for n, (r, w) in sorted(self.index_units.items())))
        if self.warm:
            parts.append(f"warm throughput {self.warm[0]} reads/s, {self.warm[1]} writes/s")
        if self.on_demand_max:
            shown = ["none" if n < 0 else str(n) for n in self.on_demand_max]
            parts.append(f"on-demand maximum {shown[0]} reads/s, {shown[1]} writes/s")
        if self.scaling:
            parts.append(f"auto scaling: {len(self.scaling)} change(s)")
        return "; ".join(parts) or "no change"

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "billing_mode": self.billing_mode,
            "units": list(self.units) if self.units else None,
            "index_units": {k: list(v) for k, v in self.index_units.items()},
            "warm": list(self.warm) if self.warm else None,
            "on_demand_max": list(self.on_demand_max) if self.on_demand_max else None,
            "scaling": self.scaling,
        }


def check_units(flag: str, value: int | None, minimum: int = 1) -> str | None:
    """Why a capacity figure cannot be sent (None when it can): checked before the first call."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{flag} must be a whole number, got {value!r}"
    if not minimum <= value <= MAX_UNITS:
        return f"{flag} must be between {minimum} and {MAX_UNITS}, got {value}"
    return None


def quota_note(units: tuple[int, int] | None, what: str) -> str | None:
    if units and max(units) > DEFAULT_TABLE_QUOTA:
        return (
            f"{what} above DynamoDB's default per-table quota of {DEFAULT_TABLE_QUOTA:,} units: DynamoDB refuses it "
            "unless the account's quota was raised"
        )
    return None


def account_of(arn: str | None) -> str | None:
    """The account id in a DynamoDB table ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME)."""
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


def describe(conn: Connection, tables: list[str] | None) -> list[dict[str, Any]]:
    """Each table's capacity settings, with its auto scaling targets and policies."""
    found: list[dict[str, Any]] = json.loads(_engine.describe_capacity(tables=tables, **conn.kwargs()))
    scaling.attach(found, conn.kwargs())
    return found


def plan_provisioned(
    current: dict[str, Any], rcu: int, wcu: int, own: dict[str, tuple[int, int]] | None = None
) -> TableChange:
    """Provisioned figures for the table and its GSIs (each GSI at the table's, or its `own`)."""
    change = TableChange(current["name"])
    wanted = {i["name"]: (own or {}).get(i["name"], (rcu, wcu)) for i in current["indexes"]}
    same = (
        current["billing_mode"] == "PROVISIONED"
        and (current["read_capacity_units"], current["write_capacity_units"]) == (rcu, wcu)
        and all((i["read_capacity_units"], i["write_capacity_units"]) == wanted[i["name"]] for i in current["indexes"])
    )
    if same:
        return change
    if current["billing_mode"] != "PROVISIONED":
        change.billing_mode = "PROVISIONED"
    change.units = (rcu, wcu)
    # Switching to provisioned needs figures for every global secondary index too.
    change.index_units = wanted
    return change


def plan_on_demand(current: dict[str, Any]) -> TableChange:
    change = TableChange(current["name"])
    if current["billing_mode"] != "PAY_PER_REQUEST":
        change.billing_mode = "PAY_PER_REQUEST"
    return change


def plan_warm(change: TableChange, current: dict[str, Any], read: int, write: int) -> None:
    have = (current.get("warm_read_units_per_second") or 0, current.get("warm_write_units_per_second") or 0)
    want = (max(read, have[0]), max(write, have[1]))
    if read < have[0] or write < have[1]:
        change.notes.append(f"warm throughput cannot be lowered; it stays at least {have[0]}/{have[1]}")
    if want != have:
        change.warm = want


def plan_restore(current: dict[str, Any], saved: dict[str, Any]) -> TableChange:
    if saved["billing_mode"] == "PAY_PER_REQUEST":
        change = plan_on_demand(current)
    else:
        change = TableChange(current["name"])
        units = (saved["read_capacity_units"], saved["write_capacity_units"])
        saved_indexes = {i["name"]: (i["read_capacity_units"], i["write_capacity_units"]) for i in saved["indexes"]}
        current_indexes = {i["name"]: (i["read_capacity_units"], i["write_capacity_units"]) for i in current["indexes"]}
        current_units = (current["read_capacity_units"], current["write_capacity_units"])
        if current["billing_mode"] != "PROVISIONED":
            change.billing_mode = "PROVISIONED"
        if (
            change.billing_mode
            or current_units != units
            or any(current_indexes.get(n) != u for n, u in saved_indexes.items())
        ):
            change.units = units
            change.index_units = {n: u for n, u in saved_indexes.items() if n in current_indexes}
    if saved["billing_mode"] == "PAY_PER_REQUEST" and on_demand_max_of(current) != on_demand_max_of(saved):
        change.on_demand_max = on_demand_max_of(saved)
    have = (current.get("warm_read_units_per_second") or 0, current.get("warm_write_units_per_second") or 0)
    was = (saved.get("warm_read_units_per_second") or 0, saved.get("warm_write_units_per_second") or 0)
    if have > was:
        change.notes.append(f"warm throughput stays at {have[0]}/{have[1]}: DynamoDB cannot lower it")
    return change


def switch_limit_note(current: dict[str, Any], backup_dir: Path, now: datetime) -> str:
    """How this switch to on-demand stands against the 4-per-24-hours limit, from what is known here:
    the table's last switch time and the plans in ddbload's own backup files."""
    name = current["name"]
    since = now - timedelta(hours=24)
    planned = []
    for path in backup_dir.glob("capacity-backup-*.json"):
        try:
            backup = json.loads(path.read_text(encoding="utf-8"))
            saved_at = datetime.fromisoformat(backup["saved_at"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if saved_at >= since and any(
            p.get("table") == name and p.get("billing_mode") == "PAY_PER_REQUEST" for p in backup.get("plan", [])
        ):
            planned.append(saved_at)
    used = len(planned)
    last = current.get("last_switch_to_on_demand")
    if last:
        # DynamoDB reports only the latest switch; count it unless a backup here explains it.
        when = datetime.fromisoformat(last.replace("Z", "+00:00"))
        if when >= since and not any(timedelta(0) <= when - at <= timedelta(minutes=30) for at in planned):
            used += 1
    limit = SWITCHES_TO_ON_DEMAND_PER_DAY
    if used >= limit:
        return f"DynamoDB will likely refuse: {used} switches to on-demand seen in the last 24 hours (limit {limit})"
    return (
        f"uses switch {used + 1} of {limit} to on-demand allowed in 24 hours"
        f"{' (counted from the table and backups here; other tools may have used more)' if used else ''}"
    )


def write_backup(
    tables: list[dict[str, Any]], plan: list[TableChange], conn: Connection, folder: Path, now: datetime
) -> Path:
    """Saves the current settings (and the plan) to a new capacity-backup-<time>.json; never overwrites."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    accounts = sorted({a for a in (account_of(t.get("arn")) for t in tables) if a})
    data = {
        "kind": BACKUP_KIND,
        "version": BACKUP_VERSION,
        "saved_at": now.isoformat(),
        "region": conn.region,
        "endpoint_url": redacted(conn.endpoint_url),
        "account": accounts[0] if len(accounts) == 1 else None,
        "tables": tables,
        "plan": [c.to_json() for c in plan if c.changes_anything],
    }
    for n in range(100):
        path = folder / f"capacity-backup-{stamp}{'' if n == 0 else f'-{n}'}.json"
        try:
            with path.open("x", encoding="utf-8") as out:
                json.dump(data, out, indent=2)
                out.write("\n")
            return path
        except FileExistsError:
            continue
    raise OSError(f"no free backup file name in {folder}")


def read_backup(path: Path) -> dict[str, Any]:
    """The backup's content, checked field by field: a damaged or edited backup is refused whole,
    before anything is sent, rather than applied in part."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise BackupError(f"cannot read {path}: {e.strerror}") from None
    except ValueError:
        raise BackupError(f"{path} is not valid JSON") from None
    if not isinstance(data, dict) or data.get("kind") != BACKUP_KIND:
        raise BackupError(f"{path} is not a ddbload capacity backup")
    if data.get("version") != BACKUP_VERSION:
        raise BackupError(
            f"{path} is a capacity backup of version {data.get('version')!r}; this ddbload reads version "
            f"{BACKUP_VERSION}"
        )
    tables = data.get("tables")
    if not isinstance(tables, list) or not tables:
        raise BackupError(f"{path} is damaged: its table list is missing or empty")
    for index, t in enumerate(tables):
        problem = _table_problem(t)
        if problem:
            name = t.get("name") if isinstance(t, dict) and isinstance(t.get("name"), str) else f"#{index + 1}"
            raise BackupError(f"{path} is damaged: table {name}: {problem}")
    return data


def _table_problem(t: Any) -> str | None:
    if not isinstance(t, dict):
        return "not an object"
    if not isinstance(t.get("name"), str) or not t["name"]:
        return "no name"
    if not TABLE_NAME.fullmatch(t["name"]):
        return "its name is not a DynamoDB table name (3-255 characters of a-z, A-Z, 0-9, _ . -)"
    if "autoscaling" not in t:
        return "its auto scaling record is missing (every backup of this version has one)"
    if t.get("billing_mode") not in BILLING_MODES:
        return f"unknown billing mode {t.get('billing_mode')!r}"
    provisioned = t["billing_mode"] == "PROVISIONED"
    warm = (
        check_units(key, t.get(key), minimum=0) for key in ("warm_read_units_per_second", "warm_write_units_per_second")
    )
    return (
        _units_problem(t, provisioned)
        or next((problem for problem in warm if problem), None)
        or scaling.problem(t["autoscaling"])
        or _indexes_problem(t.get("indexes"), provisioned)
    )


def _units_problem(entry: dict[str, Any], provisioned: bool, index: str | None = None) -> str | None:
    """What is wrong with a table's read/write units, or with those of its index named `index`."""
    for key in ("read_capacity_units", "write_capacity_units"):
        value = entry.get(key)
        if provisioned and value is None:
            return (
                f"index {index}: provisioned, but {key} is missing" if index else f"provisioned, but {key} is missing"
            )
        problem = check_units(f"index {index} {key}" if index else key, value)
        if problem:
            return problem
    return None


def _indexes_problem(indexes: Any, provisioned: bool) -> str | None:
    if not isinstance(indexes, list):
        return "its index list is missing"
    for i in indexes:
        if not isinstance(i, dict) or not isinstance(i.get("name"), str) or not i["name"]:
            return "an index entry has no name"
        problem = _units_problem(i, provisioned, index=i["name"])
        if problem:
            return problem
    return None


def origin_mismatch(backup: dict[str, Any], conn: Connection, current: list[dict[str, Any]]) -> str | None:
    """Why this backup does not belong where it is being restored (None when it does)."""
    saved = (backup.get("region"), backup.get("endpoint_url"))
    if saved[0] != conn.region or not same_endpoint(saved[1], conn.endpoint_url):
        where = f"region {saved[0]}" + (f" at {redacted(saved[1])}" if saved[1] else "")
        here = f"region {conn.region}" + (f" at {redacted(conn.endpoint_url)}" if conn.endpoint_url else "")
        return f"it was taken in {where}, and this restore goes to {here}"
    accounts = {a for a in (account_of(t.get("arn")) for t in current) if a}
    if backup.get("account") and accounts and accounts != {backup["account"]}:
        return f"it was taken in account {backup['account']}, and these tables are in {', '.join(sorted(accounts))}"
    return None


def is_settled(table: dict[str, Any]) -> bool:
    """Whether the table and its indexes are ACTIVE: no change of theirs is under way."""
    return table["status"] == "ACTIVE" and all(i["status"] == "ACTIVE" for i in table["indexes"])


def wait_until_settled(
    conn: Connection, table: str, on_wait: Callable[[str, float], None], timeout_s: float = 1800
) -> dict[str, Any]:
    """Polls DescribeTable until the table and its indexes are ACTIVE; `on_wait(status, seconds)`."""
    started = time.monotonic()
    while True:
        (current,) = describe(conn, [table])
        if is_settled(current):
            return current
        waited = time.monotonic() - started
        if waited > timeout_s:
            raise TimeoutError(f"{table} is still {current['status']} after {waited:.0f}s")
        on_wait(current["status"], waited)
        time.sleep(1.0)


def apply(conn: Connection, change: TableChange) -> bool:
    """Sends the billing mode / units part of a change; False when there is none."""
    if change.billing_mode or change.units or change.index_units:
        _engine.update_capacity(
            table=change.table,
            billing_mode=change.billing_mode,
            read_units=change.units[0] if change.units else None,
            write_units=change.units[1] if change.units else None,
            index_units=change.index_units or None,
            **conn.kwargs(),
        )
        return True
    return False


def apply_scaling(conn: Connection, change: TableChange) -> bool:
    """Sends the auto scaling part of a change; False (nothing to wait for)."""
    return scaling.apply(conn.kwargs(), change.scaling)


def apply_on_demand_max(conn: Connection, change: TableChange) -> bool:
    """Sends the on-demand maximum part (a separate UpdateTable); False when there is none."""
    if change.on_demand_max:
        _engine.update_capacity(table=change.table, on_demand_max=change.on_demand_max, **conn.kwargs())
        return True
    return False


def on_demand_max_of(table: dict[str, Any]) -> tuple[int, int]:
    """A table's on-demand maximum as UpdateTable takes it: -1 where there is none."""
    read, write = table.get("on_demand_max_read_request_units"), table.get("on_demand_max_write_request_units")
    return (read if read and read > 0 else -1, write if write and write > 0 else -1)


def apply_warm(conn: Connection, change: TableChange) -> bool:
    """Sends the warm-throughput part (a separate UpdateTable); False when there is none."""
    if change.warm:
        _engine.update_capacity(
            table=change.table, warm_read=change.warm[0], warm_write=change.warm[1], **conn.kwargs()
        )
        return True
    return False


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
