"""A run's verdict: one word for what it shows (the tables held, they throttled, operations failed, the load
generator was the limit, or the run was cut short) and the reasons, naming the table, index or key."""

from __future__ import annotations

from collections.abc import Mapping

from .figures import figures
from .result_types import Outcome, RunResult, Verdict

# A share of attempts throttled from which the tables did not hold (advise uses the same line).
THROTTLED = 0.01
# A share of operations failed or unanswered from which the run is a failure.
FAILED = 0.001
# A share of arrivals dropped, or a scheduling lag, from which the load generator set the pace.
DROPPED = 0.001
LAG_P99_MS = 100.0
# Most resources named in one verdict: the rest are in the summary's tables.
NAMED = 3

ROLE_OF_OP = {"reads": "products", "writes": "orders"}
KIND_OF_OP = {"reads": "read", "writes": "write"}


def throttles_by_resource(result: RunResult) -> list[tuple[str, str, str, int]]:
    """(table or index, operation kind, reason, throttled attempts), most first. DynamoDB names the resource
    in its ThrottlingReasons; where it named none (DynamoDB Local, old results) the throttle is counted
    against the table the operation loads."""
    by_role: dict[str, str] = {str(info.get("role")): name for name, info in result["tables"].items()}
    rows: list[tuple[str, str, str, int]] = []
    for op in ("reads", "writes"):
        summary = result["summary"][op]
        unnamed = dict(summary.get("throttled_by_reason", {}))
        for resource, reasons in summary.get("throttled_by_resource", {}).items():
            for reason, n in reasons.items():
                rows.append((resource, KIND_OF_OP[op], reason, n))
                unnamed[reason] = unnamed.get(reason, 0) - n
        table = by_role.get(ROLE_OF_OP[op], f"the {ROLE_OF_OP[op]} table")
        rows += [(table, KIND_OF_OP[op], reason, n) for reason, n in unnamed.items() if n > 0]
    return sorted(rows, key=lambda row: -row[3])


def _throttle_reason(resource: str, kind: str, reason: str, n: int, hot: str) -> str:
    what = f"{resource} throttled {n:,} {kind} attempts ({reason})"
    if "KeyRange" in reason:
        return f"{what}: a hot key{hot}; more capacity cannot fix it: spread, shard or cache the key"
    if reason.startswith("Index"):
        return f"{what}: the index's own capacity limited the table's writes" if kind == "write" else what
    if "MaxOnDemand" in reason:
        return f"{what}: the table's on-demand maximum"
    if "Provisioned" in reason:
        return f"{what}: its provisioned capacity"
    return what


def _hot_key_text(result: RunResult) -> str:
    hot = result.get("hot_keys") or []
    if not hot:
        return ""
    keys = ", ".join(f"{k['share']:.0%} to {k['key']}" for k in hot)
    return f" (the key distribution sent {keys})"


def _client_limits(result: RunResult, f: Mapping[str, float]) -> list[str]:
    """Why the load generator, not DynamoDB, set the pace of an open-model run (empty when it did not)."""
    if result["summary"].get("model") != "open":
        return []
    reasons = []
    offered = f["offered"] or 0
    if offered and f["dropped"] / offered >= DROPPED:
        reasons.append(
            f"{f['dropped']:,.0f} of {offered:,.0f} arrivals ({f['dropped'] / offered:.1%}) were dropped: "
            "the load generator could not keep up"
        )
    if f["lag_p99_ms"] >= LAG_P99_MS:
        reasons.append(f"scheduling lag p99 {f['lag_p99_ms']:,.0f} ms: arrivals waited for a free slot")
    if reasons:
        reasons.append("the figures understate the demand: raise --max-in-flight, use a bigger machine or --ray")
    return reasons


def verdict(result: RunResult) -> Verdict:
    """The verdict of `result`. Order of precedence: interrupted, throttled, errors, client_limited, held."""
    f = figures(result)
    findings: list[tuple[Outcome, str]] = []
    if result["interrupted"]:
        findings.append(("interrupted", f"interrupted after {result['duration_s']:.1f} s: the figures cover that part"))
    throttled_rows = throttles_by_resource(result)
    if f["throttle_rate"] >= THROTTLED:
        hot = _hot_key_text(result)
        findings += [("throttled", _throttle_reason(*row, hot=hot)) for row in throttled_rows[:NAMED]]
        findings.append(("throttled", f"{f['throttle_rate']:.1%} of {f['attempts']:,.0f} attempts were throttled"))
    # Operations sent and still unanswered after the grace count against the tables; those that never got
    # a slot before the end are the load generator's (see _client_limits).
    operations = f["errors"] + f["reads_per_s"] * result["duration_s"] + f["writes_per_s"] * result["duration_s"]
    failed = f["errors"] + f["cut_at_deadline"]
    if operations and failed / operations >= FAILED:
        findings.append(
            (
                "errors",
                f"{f['errors']:,.0f} operations failed and {f['cut_at_deadline']:,.0f} sent were unanswered "
                "after the grace",
            )
        )
    findings += [("client_limited", reason) for reason in _client_limits(result, f)]
    if not findings or all(outcome == "interrupted" for outcome, _ in findings):
        findings.append(("held", _held_reason(result, f)))
    outcome = findings[0][0]
    return {"outcome": outcome, "reasons": [reason for _, reason in findings]}


def _held_reason(result: RunResult, f: Mapping[str, float]) -> str:
    text = f"the tables served {f['ops_per_s']:,.0f} operations/s"
    if f["throttled"]:
        text += f"; {f['throttled']:,.0f} throttled attempts ({f['throttle_rate']:.2%}) were retried"
    else:
        text += " with no throttling"
    if result["summary"].get("model", "closed") == "closed":
        threads = result["config"].get("threads", "?")
        text += (
            f"; a closed loop of {threads} workers shows what they could send, not the event's demand: "
            "test a demand with --rate or --stages"
        )
    return text


def line(v: Verdict) -> str:
    """ "Verdict: throttled - first reason" for a terminal or a report header."""
    return f"Verdict: {v['outcome']} - {v['reasons'][0]}" if v["reasons"] else f"Verdict: {v['outcome']}"
