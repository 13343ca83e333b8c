"""Capacity planning rules without a server: what changes, what cannot, and the switch limit."""

from __future__ import annotations

import json
from datetime import timedelta

from ddbload import capacity


def table(**overrides):
    base = {
        "name": "Orders",
        "billing_mode": "PROVISIONED",
        "status": "ACTIVE",
        "read_capacity_units": 2,
        "write_capacity_units": 2,
        "warm_read_units_per_second": 12000,
        "warm_write_units_per_second": 4000,
        "last_switch_to_on_demand": None,
        "indexes": [{"name": "gsi", "status": "ACTIVE", "read_capacity_units": 2, "write_capacity_units": 2}],
        # As scaling.attach records it where Application Auto Scaling cannot be read.
        "autoscaling": {"available": False, "reason": "not read", "targets": [], "policies": []},
    }
    return {**base, **overrides}


def test_provisioned_figures_already_in_place_change_nothing():
    assert not capacity.plan_provisioned(table(), 2, 2).changes_anything
    change = capacity.plan_provisioned(table(), 10, 5)
    assert change.units == (10, 5) and change.index_units == {"gsi": (10, 5)}
    assert change.billing_mode is None


def test_warm_throughput_is_only_ever_raised():
    change = capacity.plan_on_demand(table())
    capacity.plan_warm(change, table(), 20000, 1000)
    assert change.warm == (20000, 4000)
    assert any("cannot be lowered" in note for note in change.notes)


def test_fourth_switch_in_a_day_is_the_last_and_a_fifth_would_be_refused(tmp_path):
    now = capacity.utc_now()
    conn = capacity.Connection()
    on_demand = capacity.TableChange("Orders", billing_mode="PAY_PER_REQUEST")
    for hours_ago in (30, 20, 10, 5):  # the first is older than 24 hours and does not count
        capacity.write_backup([table()], [on_demand], conn, tmp_path, now - timedelta(hours=hours_ago))
    assert "switch 4 of 4" in capacity.switch_limit_note(table(), tmp_path, now)
    recent = (now - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert "refuse" in capacity.switch_limit_note(table(last_switch_to_on_demand=recent), tmp_path, now)


def test_backups_never_overwrite_each_other(tmp_path):
    now = capacity.utc_now()
    paths = {capacity.write_backup([table()], [], capacity.Connection(), tmp_path, now) for _ in range(3)}
    assert len(paths) == 3
    for path in paths:
        assert json.loads(path.read_text())["kind"] == "ddbload-capacity-backup"
        capacity.read_backup(path)
