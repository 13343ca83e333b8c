"""Auto scaling in the capacity commands: read each table's scalable targets and target-tracking
policies, hold new provisioned figures by suspending dynamic scaling, raise the minimums ahead of an
event, and put targets, policies and suspended states back exactly from a backup."""

from __future__ import annotations

import json
from typing import Any

from . import _engine

DIMENSIONS = {
    "table": ("dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"),
    "index": ("dynamodb:index:ReadCapacityUnits", "dynamodb:index:WriteCapacityUnits"),
}
METRICS = {"Read": "DynamoDBReadCapacityUtilization", "Write": "DynamoDBWriteCapacityUtilization"}
# The target utilization of the policies ddbload registers itself (DynamoDB's console default).
DEFAULT_TARGET = 70.0
Scaling = dict[str, Any]


def attach(tables: list[dict[str, Any]], kwargs: dict[str, Any]) -> None:
    """Adds each table's auto scaling (targets, policies, or why they could not be read) as
    `autoscaling`."""
    if not tables:
        return
    wanted = {t["name"]: [i["name"] for i in t["indexes"]] for t in tables}
    found = json.loads(_engine.describe_scaling(tables=wanted, **kwargs))
    for t in tables:
        t["autoscaling"] = found.get(
            t["name"], {"available": False, "reason": "not read", "targets": [], "policies": []}
        )


def resources(table: dict[str, Any]) -> list[tuple[str, str]]:
    """(resource id, kind) of the table and each GSI."""
    name = table["name"]
    return [(f"table/{name}", "table")] + [(f"table/{name}/index/{i['name']}", "index") for i in table["indexes"]]


def targets(table: dict[str, Any]) -> list[dict[str, Any]]:
    return list((table.get("autoscaling") or {}).get("targets") or [])


def policies(table: dict[str, Any]) -> list[dict[str, Any]]:
    return list((table.get("autoscaling") or {}).get("policies") or [])


def register(target: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"op": "register", **{**target, **changes}}


def plan_hold(table: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Changes that suspend dynamic scaling on every target, so manual figures are not undone."""
    changes = [
        register(t, suspended_in=True, suspended_out=True)
        for t in targets(table)
        if not (t["suspended_in"] and t["suspended_out"])
    ]
    notes = (
        [f"auto scaling suspended on {len(changes)} target(s) so the new figures hold; `capacity restore` resumes it"]
        if changes
        else []
    )
    return changes, notes


def plan_minimums(
    table: dict[str, Any],
    minimum: tuple[int, int] | None,
    maximum: tuple[int, int] | None,
    own: dict[str, tuple[int, int]] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Raises (or sets) minimums and maximums on the table's and GSIs' read and write targets (a GSI
    named in `own` takes its own minimums); registers a target with a target-tracking policy where there
    is none and a maximum is given."""
    existing = {(t["resource"], t["dimension"]): t for t in targets(table)}
    changes: list[dict[str, Any]] = []
    notes: list[str] = []
    for resource, kind in resources(table):
        index = resource.split("/index/", 1)[1] if kind == "index" else None
        lows = (own or {}).get(index or "", minimum)
        for position, dimension in enumerate(DIMENSIONS[kind]):
            low = lows[position] if lows else None
            high = maximum[position] if maximum else None
            current = existing.get((resource, dimension))
            short = f"{resource} {'read' if position == 0 else 'write'}"
            if current is None:
                if low is None or high is None:
                    notes.append(f"{short}: no auto scaling; give --autoscale-min and --autoscale-max to register it")
                    continue
                target = {"resource": resource, "dimension": dimension, "min": low, "max": high,
                          "suspended_in": False, "suspended_out": False, "suspended_scheduled": False}  # fmt: skip
                metric = METRICS["Read" if position == 0 else "Write"]
                changes.append(register(target))
                changes.append({"op": "put_policy", "resource": resource, "dimension": dimension,
                                "name": f"ddbload-{metric}", "policy_type": "TargetTrackingScaling",
                                "target_value": DEFAULT_TARGET, "metric": metric, "scale_in_cooldown": None,
                                "scale_out_cooldown": None, "disable_scale_in": None})  # fmt: skip
                notes.append(f"{short}: registered {low}-{high} with a {DEFAULT_TARGET:.0f}% target-tracking policy")
                continue
            new_min = current["min"] if low is None else low
            new_max = current["max"] if high is None else high
            if new_min > new_max:
                raise ValueError(
                    f"{short}: minimum {new_min} would exceed its maximum {new_max}; raise it with --autoscale-max"
                )
            if (new_min, new_max) != (current["min"], current["max"]):
                changes.append(register(current, min=new_min, max=new_max))
                notes.append(f"{short}: min/max {current['min']}/{current['max']} -> {new_min}/{new_max}")
    return changes, notes


def _policy_key(p: dict[str, Any]) -> tuple[str, str, str]:
    return (p["resource"], p["dimension"], p["name"])


def plan_restore(current: dict[str, Any], saved: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Changes that put targets, policies and suspended states back as `saved` recorded them."""
    if not (saved["autoscaling"] or {}).get("available", False):
        return [], []
    if not (current.get("autoscaling") or {}).get("available", False):
        return [], ["auto scaling cannot be read here: left as it is"]
    changes = _changes_back(current, saved)
    notes = [f"auto scaling: {len(changes)} change(s) to put targets and policies back"] if changes else []
    return changes, notes


def _changes_back(current: dict[str, Any], saved: dict[str, Any]) -> list[dict[str, Any]]:
    """Register/put what `saved` had and `current` lacks or differs in; remove what `saved` did not have."""
    now_targets = {(t["resource"], t["dimension"]): t for t in targets(current)}
    was_targets = {(t["resource"], t["dimension"]): t for t in targets(saved)}
    now_policies = {_policy_key(p): p for p in policies(current)}
    was_policies = {_policy_key(p): p for p in policies(saved)}
    changes = [register(t) for key, t in was_targets.items() if now_targets.get(key) != t]
    changes += [{"op": "put_policy", **p} for key, p in was_policies.items() if now_policies.get(key) != p]
    changes += [
        {"op": "delete_policy", "resource": key[0], "dimension": key[1], "name": key[2]}
        for key in now_policies.keys() - was_policies.keys()
        if key[:2] in was_targets
    ]
    changes += [
        {"op": "deregister", "resource": key[0], "dimension": key[1]} for key in now_targets.keys() - was_targets.keys()
    ]
    return changes


def apply(kwargs: dict[str, Any], changes: list[dict[str, Any]]) -> bool:
    if changes:
        _engine.apply_scaling(changes=json.dumps(changes), **kwargs)
    return False  # no table status to wait for


def rows(table: dict[str, Any]) -> list[tuple[str, ...]]:
    """Lines for `capacity show`: each target with its policies."""
    scaling = table.get("autoscaling") or {}
    if not scaling.get("available", False):
        return [(table["name"], "-", "-", "-", "-", scaling.get("reason") or "not read")]
    by_target: dict[tuple[str, str], list[str]] = {}
    for p in policies(table):
        described = f"{p['name']}: target {p['target_value']}%" if p.get("target_value") is not None else p["name"]
        cooldowns = [f"{k} {p[k]}s" for k in ("scale_out_cooldown", "scale_in_cooldown") if p.get(k) is not None]
        by_target.setdefault((p["resource"], p["dimension"]), []).append(
            described + (f" ({', '.join(cooldowns)})" if cooldowns else "")
        )
    out: list[tuple[str, ...]] = []
    for t in targets(table):
        suspended = [name for name, flag in (("in", t["suspended_in"]), ("out", t["suspended_out"])) if flag]
        out.append(
            (
                t["resource"],
                t["dimension"].rsplit(":", 1)[-1].replace("CapacityUnits", ""),
                str(t["min"]),
                str(t["max"]),
                ", ".join(suspended) or "-",
                "; ".join(by_target.get((t["resource"], t["dimension"]), [])) or "no policy",
            )
        )
    return out or [(table["name"], "-", "-", "-", "-", "no auto scaling")]


def problem(scaling: Any) -> str | None:
    """Why a backup's auto scaling record cannot be used (None when it can)."""
    if not isinstance(scaling, dict):
        return "its auto scaling record is not an object"
    for key in ("targets", "policies"):
        if not isinstance(scaling.get(key), list):
            return f"its auto scaling {key} are missing (not a list)"
    for t in scaling["targets"]:
        ok = (
            isinstance(t, dict)
            and isinstance(t.get("resource"), str)
            and isinstance(t.get("dimension"), str)
            and all(isinstance(t.get(k), int) and not isinstance(t.get(k), bool) and t[k] >= 0 for k in ("min", "max"))
            and all(isinstance(t.get(k), bool) for k in ("suspended_in", "suspended_out", "suspended_scheduled"))
        )
        if not ok:
            return "an auto scaling target is damaged"
    for p in scaling["policies"]:
        if not (isinstance(p, dict) and all(isinstance(p.get(k), str) for k in ("resource", "dimension", "name"))):
            return "an auto scaling policy is damaged"
    return None
