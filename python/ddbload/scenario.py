"""A run's load in words, from its recorded config: the arrival schedule or the workers, the key
distribution and the hot keys it favoured ("2 min to 1,000/s, 30 s to 8,000/s, 5 min at 8,000/s")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .result_types import RunResult


def span(seconds: float) -> str:
    """90 -> '1 min 30 s', 30 -> '30 s', 7200 -> '2 h'."""
    whole = round(seconds)
    if abs(seconds - whole) > 1e-9:
        return f"{seconds:g} s"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((hours, "h"), (minutes, "min"), (secs, "s")) if n]
    return " ".join(parts) or "0 s"


def rate(per_s: float) -> str:
    return f"{per_s:,.0f}/s" if per_s >= 10 else f"{per_s:g}/s"


def schedule(stages: Sequence[Mapping[str, float]], start_rate: float) -> str:
    """Each stage as a ramp ('2 min to 1,000/s') or, when the rate stays, a hold ('5 min at 8,000/s')."""
    steps, before = [], start_rate
    for stage in stages:
        target = stage["target"]
        verb = "at" if target == before else "to"
        steps.append(f"{span(stage['duration_s'])} {verb} {rate(target)}")
        before = target
    start = f"from {rate(start_rate)}: " if start_rate else ""
    return start + ", ".join(steps)


def keys(distribution: str) -> str:
    """'uniform' -> 'keys picked uniformly'; 'hot:1:0.3' -> '1 hot key takes 30% of the picks'."""
    kind, _, rest = distribution.partition(":")
    if kind == "hot":
        count, _, share = rest.partition(":")
        if count == "1":
            return f"one hot key takes {float(share):.0%} of the picks"
        return f"{count} hot keys take {float(share):.0%} of the picks"
    if kind == "zipf":
        return f"keys picked by a Zipf law (theta {rest or '1.0'})"
    return "keys picked uniformly"


def describe(result: RunResult) -> str:
    """The load in one line: how operations arrived, the mix, and which keys they picked."""
    cfg: Mapping[str, Any] = result["config"]
    if cfg.get("stages"):
        load = f"arrivals {schedule(cfg['stages'], cfg.get('start_rate') or 0.0)}"
    elif cfg.get("rate"):
        load = f"a steady {rate(cfg['rate'])} of arrivals"
    else:
        load = f"{cfg['threads']} workers in a closed loop"
    if result["summary"].get("model") == "open" and cfg.get("max_in_flight"):
        load += f" (at most {cfg['max_in_flight']:,} in flight)"
    reads = cfg.get("read_ratio", 0.8)
    text = f"{load}; {reads:.0%} reads, {keys(cfg.get('key_distribution') or 'uniform')}"
    hot = result.get("hot_keys") or []
    if hot:
        text += "; hot key " + ", ".join(f"{k['key']} ({k['share']:.0%})" for k in hot)
    return text
