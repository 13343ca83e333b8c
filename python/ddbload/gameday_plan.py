"""A GameDay timeline (`run --timeline FILE`): actions at offsets from the load's start, read and checked
before anything is sent. The file is a YAML (or JSON) list; each entry has `at`, an optional `for` (the
action is undone after it) and one action key."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .endpoint_faults import check_spec

BUILT = ("capacity", "autoscaling", "on_demand_max", "fault", "stage")
MAX_UNITS = 40_000
MAX_RATE = 1_000_000  # the engine's --rate ceiling
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


class TimelineError(ValueError):
    """The timeline cannot be used; one line naming the file and the action."""


@dataclass(frozen=True)
class Action:
    number: int  # its place in the file, from 1
    at_s: float
    for_s: float | None
    kind: str  # one of BUILT
    table: str
    read: int | None = None
    write: int | None = None
    suspend: bool | None = None
    fault: dict[str, Any] | None = None  # the offline endpoint's fault: table, error, latency_ms, pause, rate
    rate: float | None = None  # a stage: the arrival rate it sets
    ramp_s: float | None = None  # a stage: seconds to reach it (None: at once)

    def describe(self) -> str:
        if self.kind == "fault":
            spec = self.fault or {}
            shown = ("error", "reason", "latency_ms", "rate", "partition")
            parts = [f"{k} {spec[k]}" for k in shown if spec.get(k) is not None]
            parts += ["paused"] if spec.get("pause") else []
            what = f"fault on {self.table or 'every table'}: {', '.join(parts)}"
        elif self.kind in ("capacity", "on_demand_max"):
            figures = [f"{kind} {value}" for kind, value in (("read", self.read), ("write", self.write)) if value]
            setting = "provisioned" if self.kind == "capacity" else "on-demand maximum"
            what = f"{self.table} {setting} {', '.join(figures)}"
        elif self.kind == "stage":
            what = f"arrival rate {self.rate:g}/s" + (f" over {self.ramp_s:g} s" if self.ramp_s else "")
        else:
            what = f"auto scaling on {self.table} {'suspended' if self.suspend else 'resumed'}"
        return what + (f" for {self.for_s:g} s" if self.for_s is not None else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number, "at_s": self.at_s, "for_s": self.for_s, "kind": self.kind,
            "table": self.table, "read": self.read, "write": self.write, "suspend": self.suspend,
            "fault": self.fault, "rate": self.rate, "ramp_s": self.ramp_s,
        }  # fmt: skip


def read_entries(path: Path) -> Any:
    """A timeline file's entries as written, not yet checked; unreadable is a TimelineError."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise TimelineError(f"{path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise TimelineError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as e:
        raise TimelineError(f"{path}: not YAML or JSON ({str(e).splitlines()[0]})") from None


def encoded_timeline(source: Any) -> str:
    """LoadConfig(timeline=...): a file's path or a list of actions, as the engine keeps it
    ({"source", "entries"} in JSON); checked whole by `rate_changes` once the run's length is known."""
    if isinstance(source, (str, os.PathLike)):
        return _encoded(str(source), read_entries(Path(source)))
    if isinstance(source, list):
        return _encoded("the timeline", source)
    raise TypeError(f"timeline must be a file's path or a list of actions, not {type(source).__name__}")


def encoded_workload_timeline(source: Any) -> str | None:
    """The `timeline:` of LoadConfig(workload=...)'s file or dict, encoded as `encoded_timeline` does;
    None for a preset or a workload without one."""
    from .workload_file import PRESETS, timeline_of

    if isinstance(source, dict):
        entries = source.get("timeline")
        return None if entries is None else _encoded("the workload dict's timeline", entries)
    if isinstance(source, (str, os.PathLike)) and str(source) not in PRESETS:
        entries = timeline_of(source)
        return None if entries is None else _encoded(f"{source}: timeline", entries)
    return None


def _encoded(source: str, entries: Any) -> str:
    try:
        return json.dumps({"source": source, "entries": entries})
    except (TypeError, ValueError):
        raise TimelineError(f"{source}: holds a value that is not plain YAML (text, numbers, lists, maps)") from None


def actions_of(encoded: dict[str, Any], run_seconds: float) -> list[Action]:
    """The actions of a timeline as LoadConfig.timeline gives it, in time order."""
    return timeline_from(encoded["entries"], encoded["source"], run_seconds)


def rate_changes(encoded: str, run_seconds: float, open_model: bool) -> list[tuple[float, float | None, float, float]]:
    """The whole timeline checked (a TimelineError names what is wrong), and its stage actions as the
    engine's schedule takes them: (at, until, rate, ramp) in seconds."""
    timeline = json.loads(encoded)
    actions = actions_of(timeline, run_seconds)
    stage = next((a for a in actions if a.kind == "stage"), None)
    if stage is not None and not open_model:
        raise TimelineError(f"{timeline['source']}: action {stage.number}: a stage changes the arrival rate of an "
                            "open-model run: give --rate or --stages")  # fmt: skip
    return [
        (a.at_s, None if a.for_s is None else a.at_s + a.for_s, float(a.rate or 0), a.ramp_s or 0.0)
        for a in actions
        if a.kind == "stage"
    ]


def timeline_from(entries: Any, where: str, run_seconds: float) -> list[Action]:
    """The actions of a timeline already read (`where` names it in messages), in time order."""
    if not isinstance(entries, list) or not entries:
        raise TimelineError(f"{where}: expected a list of actions, each with `at` and one action")
    actions = [_action(f"{where}: action {n}", n, entry, run_seconds) for n, entry in enumerate(entries, 1)]
    return sorted(actions, key=lambda a: (a.at_s, a.number))


def _action(where: str, number: int, entry: Any, run_seconds: float) -> Action:
    if not isinstance(entry, dict):
        raise TimelineError(f"{where}: expected a mapping with `at` and one action")
    keys = [str(k) for k in entry if k not in ("at", "for")]
    if len(keys) != 1:
        got = ", ".join(keys) or "none"
        raise TimelineError(f"{where}: expected one action ({', '.join(BUILT)}), got {got}")
    kind = keys[0]
    if kind not in BUILT:
        raise TimelineError(f"{where}: unknown action `{kind}` (known: {', '.join(BUILT)})")
    at_s, for_s = _timing(where, entry, run_seconds)
    body = entry[kind]
    if kind == "fault":
        problem = check_spec(body)
        if problem:
            raise TimelineError(f"{where}: fault: {problem}")
        return Action(number, at_s, for_s, kind, str(body.get("table") or ""), fault=dict(body))
    if kind == "stage":
        return _stage(where, number, at_s, for_s, body)
    if not isinstance(body, dict) or not isinstance(body.get("table"), str) or not body["table"]:
        raise TimelineError(f"{where}: {kind} needs a `table`")
    if kind in ("capacity", "on_demand_max"):
        read, write = _figures(where, kind, body)
        return Action(number, at_s, for_s, kind, body["table"], read=read, write=write)
    modes = [k for k in ("suspend", "resume") if body.get(k) is True]
    if set(body) - {"table", "suspend", "resume"} or len(modes) != 1:
        raise TimelineError(f"{where}: autoscaling takes table and `suspend: true` or `resume: true`")
    return Action(number, at_s, for_s, kind, body["table"], suspend=modes[0] == "suspend")


def _stage(where: str, number: int, at_s: float, for_s: float | None, body: Any) -> Action:
    if not isinstance(body, dict) or set(body) - {"rate", "ramp"} or "rate" not in body:
        raise TimelineError(f"{where}: stage takes rate and an optional ramp (e.g. stage: {{rate: 800, ramp: 30s}})")
    rate = body["rate"]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= MAX_RATE:
        raise TimelineError(
            f"{where}: stage rate must be a number of operations a second from 0 to {MAX_RATE:,}, got {rate!r}"
        )
    ramp_s = _seconds(where, "ramp", body["ramp"]) if "ramp" in body else None
    if ramp_s is not None and for_s is not None and ramp_s > for_s:
        raise TimelineError(f"{where}: stage ramp ({ramp_s:g} s) is longer than its `for` ({for_s:g} s)")
    return Action(number, at_s, for_s, "stage", "", rate=float(rate), ramp_s=ramp_s or None)


def _timing(where: str, entry: dict[str, Any], run_seconds: float) -> tuple[float, float | None]:
    if "at" not in entry:
        raise TimelineError(f"{where}: `at` is missing (e.g. at: 2m)")
    at_s = _seconds(where, "at", entry["at"])
    if at_s >= run_seconds:
        raise TimelineError(f"{where}: at {entry['at']} is not before the run's end ({run_seconds:g} s)")
    for_s = _seconds(where, "for", entry["for"]) if "for" in entry else None
    if for_s is not None and for_s <= 0:
        raise TimelineError(f"{where}: `for` must be above 0, got {entry['for']!r}")
    return at_s, for_s


def _figures(where: str, kind: str, body: dict[str, Any]) -> tuple[int | None, int | None]:
    figures = {k: body.get(k) for k in ("read", "write")}
    for name, value in figures.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_UNITS:
            raise TimelineError(f"{where}: {kind} {name} must be a whole number from 1 to {MAX_UNITS:,}, got {value!r}")
    if set(body) - {"table", "read", "write"} or not any(figures.values()):
        raise TimelineError(f"{where}: {kind} takes table and read and/or write (e.g. write: 50)")
    return figures["read"], figures["write"]


def duration_seconds(value: Any) -> float | None:
    """2m, 30s, 1.5h, 500ms or a number of seconds; None when it is none of those."""
    match = _DURATION.match(str(value).strip()) if not isinstance(value, bool) else None
    return None if match is None else float(match.group(1)) * _SECONDS[match.group(2)]


def _seconds(where: str, name: str, value: Any) -> float:
    seconds = duration_seconds(value)
    if seconds is None:
        raise TimelineError(f"{where}: `{name}` must be a duration such as 30s, 2m or 90, got {value!r}")
    return seconds
