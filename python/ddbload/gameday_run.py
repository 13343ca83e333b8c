"""A GameDay timeline carried out during a run: each action at its offset from the load's start, on a
thread of its own, through the same code as `capacity set`; the tables' settings are backed up before the
first action and put back at the end (also after Ctrl-C). Stage actions are the engine's own schedule:
here they are only recorded."""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _engine, capacity, endpoint_faults, scaling
from .capacity import Connection, TableChange
from .endpoint_faults import FaultError
from .endpoints import is_loopback
from .gameday_plan import Action, actions_of
from .gameday_recovery import episodes
from .result import Result

# How long the restore at the end waits for a table still changing before it leaves it as it is.
RESTORE_WAIT_S = 300


@dataclass
class Done:
    """One step carried out: an action, or the undoing of one after its `for`."""

    action: Action
    undo: bool
    planned_s: float
    applied_s: float | None = None  # seconds after the load began; None if it never ran
    outcome: str = "not reached"  # "done", "failed: ...", "not reached" (the run ended first)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.action.to_json(), "undo": self.undo, "planned_s": self.planned_s,
            "applied_s": self.applied_s, "outcome": self.outcome, "what": self.action.describe(),
        }  # fmt: skip


def runner_for(config: _engine.LoadConfig, backup_dir: Path) -> TimelineRunner | None:
    """The runner of `config`'s timeline (None without one). Faults exist only on ddbload's endpoint: a
    timeline with one against any other endpoint is a ConfigError, before anything is sent."""
    encoded = config.timeline
    if encoded is None:
        return None
    actions = actions_of(encoded, config.duration_s)
    fault = next((a for a in actions if a.kind == "fault"), None)
    if fault is not None and not is_loopback(config.endpoint_url):
        raise _config_error(f"{encoded['source']}: action {fault.number}: faults exist only on ddbload's offline "
                            "endpoint (--local, or a loopback --endpoint-url of `ddbload serve`)")  # fmt: skip
    if not backup_dir.is_dir():
        raise _config_error(f"{backup_dir} is not a folder", option="--backup-dir")
    conn = Connection(config.region, config.profile, config.endpoint_url)
    return TimelineRunner(actions, conn, backup_dir, seed=config.seed or 0)


def _config_error(reason: str, option: str = "--timeline") -> _engine.ConfigError:
    error = _engine.ConfigError(f"{option}: {reason}")
    error.option, error.reason = option, reason
    return error


def attach(result: Result, runner: TimelineRunner) -> Result:
    """The result with the timeline's steps, their episodes and the restore as its `timeline`."""
    data = result.data
    data["timeline"] = {
        "steps": [step.to_json() for step in runner.steps],
        "episodes": episodes(result.data, runner.steps),
        "backup": str(runner.backup) if runner.backup else None,
        "restored": runner.restored,
    }
    return Result(data)


@dataclass
class TimelineRunner:
    actions: list[Action]
    conn: Connection
    backup_dir: Path
    seed: int = 0  # the run's --seed: the same seed hits the same requests with the same faults
    steps: list[Done] = field(default_factory=list)
    backup: Path | None = None
    restored: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.steps = sorted(
            [Done(a, False, a.at_s) for a in self.actions]
            + [Done(a, True, a.at_s + a.for_s) for a in self.actions if a.for_s is not None],
            key=lambda d: (d.planned_s, d.undo),
        )
        self._began = threading.Event()
        self._stop = threading.Event()
        self._start = 0.0
        self._before: dict[int, tuple[int, int]] = {}  # action number -> the figures it replaced
        self._faults: dict[int, int] = {}  # action number -> the endpoint's fault id, while it lasts
        self._saved: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._carry_out, name="ddbload-timeline", daemon=True)

    def progress(self, event: dict[str, Any]) -> None:
        """Chained into the run's progress. When the load begins (the tables exist by then), backs up every
        table the timeline touches to a capacity backup file, then starts the clock."""
        if event.get("type") != "phase" or event.get("phase") != "load" or self._began.is_set():
            return
        self._start = time.monotonic()
        self._began.set()
        tables = sorted({a.table for a in self.actions if a.kind not in ("fault", "stage")})
        try:
            if tables:
                self._saved = capacity.describe(self.conn, tables)
                self.backup = capacity.write_backup(self._saved, [], self.conn, self.backup_dir, capacity.utc_now())
        except (_engine.DdbLoadError, OSError, ValueError) as e:
            for step in self.steps:
                step.outcome = f"not carried out: the tables could not be backed up first ({e})"
            return
        self._thread.start()

    def finish(self) -> None:
        """Stops the steps not yet reached, ends the faults still set and puts every table back as the
        backup recorded it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        for fault_id in self._faults.values():
            with suppress(FaultError):
                endpoint_faults.remove(str(self.conn.endpoint_url), fault_id)
        self._faults.clear()
        for saved in self._saved:
            try:
                # A change just made is still UPDATING (DynamoDB refuses another until it is ACTIVE);
                # a table that does not settle within RESTORE_WAIT_S is left, and the result says so.
                now = capacity.wait_until_settled(
                    self.conn, saved["name"], lambda state, waited: None, timeout_s=RESTORE_WAIT_S
                )
                change = capacity.plan_restore(now, saved)
                change.scaling, _ = scaling.plan_restore(now, saved)
                change.scaling_first = False
                if capacity.apply(self.conn, change):
                    capacity.wait_until_settled(self.conn, change.table, lambda state, waited: None)
                capacity.apply_on_demand_max(self.conn, change)
                capacity.apply_scaling(self.conn, change)
                self.restored.append(f"{saved['name']}: {change.describe()}")
            except (_engine.DdbLoadError, TimeoutError, ValueError) as e:
                self.restored.append(f"{saved['name']}: not restored ({e}); use capacity restore {self.backup}")

    def _carry_out(self) -> None:
        done: set[int] = set()  # actions carried out: only those are undone
        for step in self.steps:
            delay = self._start + step.planned_s - time.monotonic()
            if self._stop.wait(max(0.0, delay)):
                return
            if step.undo and step.action.number not in done:
                step.outcome = "skipped: the action was not carried out"
                continue
            step.applied_s = round(time.monotonic() - self._start, 3)
            try:
                self._apply(step)
                step.outcome = "done"
                done.add(step.action.number)
            except (_engine.DdbLoadError, TimeoutError, ValueError) as e:
                step.outcome = f"failed: {e}"

    def _apply(self, step: Done) -> None:
        carry_out = {
            "stage": lambda step: None,  # the engine's schedule changes the rate at that second itself
            "fault": self._fault,
            "capacity": self._capacity,
            "on_demand_max": self._on_demand_max,
            "autoscaling": self._autoscaling,
        }[step.action.kind]
        carry_out(step)

    def _fault(self, step: Done) -> None:
        url, number = str(self.conn.endpoint_url), step.action.number
        if step.undo:
            fault_id = self._faults.pop(number, None)
            if fault_id is not None:
                endpoint_faults.remove(url, fault_id)
        else:
            # With a `for`, the endpoint ends the fault itself too: paused requests wait no longer than that.
            self._faults[number] = endpoint_faults.inject(url, step.action.fault or {}, self.seed, step.action.for_s)

    def _figures(self, step: Done, have: tuple[int, int]) -> tuple[int, int]:
        """What a capacity or on-demand-maximum step sets: the action's figures, or back to what it replaced."""
        action = step.action
        if step.undo:
            return self._before[action.number]
        self._before[action.number] = have
        return (action.read or have[0], action.write or have[1])

    def _capacity(self, step: Done) -> None:
        (now,) = capacity.describe(self.conn, [step.action.table])
        if now["billing_mode"] != "PROVISIONED":
            raise ValueError(f"{step.action.table} is on-demand; a capacity action sets provisioned figures")
        figures = (now["read_capacity_units"], now["write_capacity_units"])
        wanted = self._figures(step, figures)
        if wanted != figures:
            capacity.apply(self.conn, TableChange(step.action.table, units=wanted))

    def _on_demand_max(self, step: Done) -> None:
        (now,) = capacity.describe(self.conn, [step.action.table])
        if now["billing_mode"] != "PAY_PER_REQUEST":
            raise ValueError(f"{step.action.table} is provisioned; an on-demand maximum applies to on-demand tables")
        wanted = self._figures(step, capacity.on_demand_max_of(now))
        capacity.apply_on_demand_max(self.conn, TableChange(step.action.table, on_demand_max=wanted))

    def _autoscaling(self, step: Done) -> None:
        (now,) = capacity.describe(self.conn, [step.action.table])
        suspend = step.action.suspend != step.undo  # undoing a suspension resumes, and the other way round
        targets = scaling.targets(now)
        if not targets:
            raise ValueError(f"{step.action.table} has no auto scaling targets")
        changes = [scaling.register(t, suspended_in=suspend, suspended_out=suspend) for t in targets]
        scaling.apply(self.conn.kwargs(), changes)
