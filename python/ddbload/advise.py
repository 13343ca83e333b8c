"""`ddbload advise` and `ddbload support-case`: what to do before a peak event and if it still goes
wrong, derived deterministically from a result's figures and the tables' capacity at run time.
English and Korean. The rules follow the AWS DynamoDB developer guide ("Warm throughput",
"Considerations when switching capacity modes", "Best practices for designing and using partition keys
effectively", "Error retries and exponential backoff")."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import timeline
from .cost import cents, hour_estimate
from .endpoints import is_loopback
from .figures import figures, offered_per_s, own_peaks
from .result_types import RunResult, Summary
from .server_view import client_gap
from .verdict import THROTTLED, throttles_by_resource, verdict
from .verdict import line as verdict_line

SUMMARY_LIMIT = 300
# The workshop's limit for a support case: title and body together.
CASE_BODY_LIMIT = 200
# Plan for twice the tested peak: the event may be heavier than the rehearsal, and on-demand absorbs
# up to twice its previous peak at once.
HEADROOM = 2.0
# A new on-demand table serves this much at once (its default warm throughput).
ON_DEMAND_BASE = (12000, 4000)
# DynamoDB's per-partition ceiling, units per second (read, write).
PARTITION_LIMIT = (3000, 1000)
# Default per-table throughput quota, read and write units per second (raisable).
TABLE_QUOTA = 40000


@dataclass
class TablePlan:
    name: str
    role: str
    mode: str
    provisioned: tuple[int | None, int | None]
    warm: tuple[int, int]
    peak: tuple[float, float]
    target: tuple[int, int]
    # "on-demand-warm", "raise-warm", "raise-provisioned", "raise-index", "hot-key", "measure-demand", "keep"
    action: str = ""
    hot_key_suspected: bool = False
    sized: bool = True  # False for a closed run: its peak is what the workers sent, not a demand
    index: str = ""  # "raise-index": the index whose capacity throttled the table's writes
    notes: list[str] = field(default_factory=list)  # names of phrases in Phrases.notes


@dataclass
class Advice:
    summary: str
    details: list[str]
    plans: list[TablePlan]


def _table_plans(result: RunResult, f: dict[str, float]) -> list[TablePlan]:
    total_read = sum(u["read_units"] for u in result["consumed_capacity"].values()) or 1.0
    total_write = sum(u["write_units"] for u in result["consumed_capacity"].values()) or 1.0
    throttled = f["throttle_rate"] >= THROTTLED
    # DynamoDB names a hot key range outright when it throttles for one.
    summary = result["summary"]
    key_range = any(
        "KeyRange" in reason for op in ("reads", "writes") for reason in summary[op].get("throttled_by_reason", {})
    )
    demand = _demand_per_completed(summary)
    throttle_rows = throttles_by_resource(result) if throttled else []
    plans = []
    for name, info in sorted(result["tables"].items()):
        units = result["consumed_capacity"].get(name, {"read_units": 0.0, "write_units": 0.0})
        own = own_peaks(result, name)
        peak = own or (
            # Results from before per-table seconds: the run's peak shared by the table's part of the units.
            f["peak_read_units_per_s"] * units["read_units"] / total_read,
            f["peak_write_units_per_s"] * units["write_units"] / total_write,
        )
        peak = (peak[0] * (demand or 1.0), peak[1] * (demand or 1.0))
        target = (max(1, math.ceil(peak[0] * HEADROOM)), max(1, math.ceil(peak[1] * HEADROOM)))
        warm = (
            info.get("warm_read_units_per_second") or ON_DEMAND_BASE[0],
            info.get("warm_write_units_per_second") or ON_DEMAND_BASE[1],
        )
        plan = TablePlan(
            name=name,
            role=info.get("role", "?"),
            mode=info["billing_mode"],
            provisioned=(info.get("read_capacity_units"), info.get("write_capacity_units")),
            warm=warm,
            peak=peak,
            target=target,
        )
        if plan.mode == "PROVISIONED":
            rcu, wcu = plan.provisioned
            used = max(peak[0] / max(rcu or 1, 1), peak[1] / max(wcu or 1, 1))
            if throttled or used > 0.8:
                plan.action = "on-demand-warm"
            else:
                plan.action = "raise-provisioned" if target[0] > (rcu or 0) or target[1] > (wcu or 0) else "keep"
            plan.hot_key_suspected = (throttled and used < 0.8) or key_range
        else:
            plan.action = "raise-warm" if target[0] > warm[0] or target[1] > warm[1] else "keep"
            plan.hot_key_suspected = throttled or key_range
        if demand is None:
            plan.sized = False
            if plan.action in SIZING_ACTIONS:
                plan.action = "measure-demand"
        _blame_index_or_key(plan, throttle_rows)
        if max(target) > TABLE_QUOTA:
            plan.notes.append("quota")
        if peak[0] > PARTITION_LIMIT[0] * 0.8 or peak[1] > PARTITION_LIMIT[1] * 0.8:
            plan.notes.append("partition")
        plans.append(plan)
    return plans


# Actions that set capacity figures from the run's demand: a closed loop cannot give them one.
SIZING_ACTIONS = ("on-demand-warm", "raise-warm", "raise-provisioned")


def _demand_per_completed(summary: Summary) -> float | None:
    """How many operations were wanted per operation completed, or None when the run cannot tell.

    An open-model run knows its demand: the arrivals it offered, each counted once however often it was
    retried, per completed operation. A closed loop does not: its workers wait for each answer, so what
    they sent is what came back, not what the event will ask.
    """
    completed = summary["reads"]["ok"] + summary["writes"]["ok"]
    if summary.get("model") == "open" and summary.get("offered"):
        return summary["offered"] / max(completed, 1)
    return None


def _blame_index_or_key(plan: TablePlan, rows: list[tuple[str, str, str, int]]) -> None:
    """When DynamoDB named an index or a key range as what throttled the table, and not the table's own
    capacity, the plan fixes that instead: more table capacity would not help."""
    own = [row for row in rows if row[0] == plan.name]
    indexes = [row for row in rows if row[0].startswith(f"{plan.name}/index/")]
    table_limited = any("KeyRange" not in reason for _, _, reason, _ in own)
    if indexes and not table_limited:
        plan.action, plan.index = "raise-index", indexes[0][0].split("/index/", 1)[1]
    elif any("KeyRange" in reason for _, _, reason, _ in own) and not table_limited:
        plan.action, plan.hot_key_suspected = "hot-key", True


# --- wording: one table of phrases per language; a new language is a new table ---------------------


@dataclass(frozen=True)
class Phrases:
    """Every sentence of the advice in one language, as str.format templates.

    A table's fields: {table}, {role}, {rcu}, {wcu}, {warm_r}, {warm_w}, {peak_r}, {peak_w}, {target_r},
    {target_w}, and {r}, {w}: what to set (warm throughput when warming, else provisioned capacity).
    A run's fields: every figure of figures() by name, {run_id}, {region}, {place}, {duration_s}, {load},
    {max_attempts}, {client_p99_ms} (the alarm's threshold), {partition_r}, {partition_w}.
    """

    # The summary: one action per table, between what to do before and what to do if it goes wrong.
    actions: dict[str, str]  # by TablePlan.action; a table's fields
    before: str  # {actions}
    short_before: str  # when the actions make the summary too long
    short_before_unsized: str  # the same for a closed run, which sizes nothing
    after_throttled: str
    after_clean: str
    # The details, a section at a time; the section's heading first.
    offline: str  # {url}
    measured_head: str
    measured: str  # a run's fields
    load_closed: str  # {threads}
    load_open: str  # {offered_per_s}
    capacity_head: str
    capacity_head_unsized: str  # a closed run: no targets
    now_provisioned: str  # a table's fields
    now_on_demand: str  # a table's fields
    table: str  # a table's fields and {now}
    table_unsized: str  # a table's fields and {now}: a closed run's table, sized from nothing
    steps: dict[str, str]  # by TablePlan.action; a table's fields
    note: str  # {note}
    notes: dict[str, str]  # by the names in TablePlan.notes; {quota}
    modes_head: str
    modes: str
    hot_keys_head: str
    hot_keys: str  # a run's fields
    hot_key_named: str  # {table}, {reason}, {n}, {keys}, {partition_r}, {partition_w}
    hot_key_share: str  # {key}, {share}, {table}
    busiest_key: str  # {key}, {share}, {table}, {count}, {total}, {throttled}
    server_latency: str  # {source}, {kind}, {server}, {client}, {gap}
    kinds: dict[str, str]  # reads, writes
    no_hot_keys: str
    verdict_head: str
    outcomes: dict[str, str]  # the verdict's outcome in words, by outcome
    retries_head: str
    retries: str  # a run's fields
    alarms_head: str
    alarms: str  # a run's fields
    still_wrong_head: str
    still_wrong: str
    demand_closed: str  # a run's fields and {threads}
    scaling_head: str
    # GameDay episodes (run --timeline): {what}, {at_s}, {began_s}, {recovery_s}, {throttled}, {errors}
    gameday_head: str
    gameday_recovered: str
    gameday_not_recovered: str
    gameday_none: str
    dropped: str  # {dropped}, {offered}, {dropped_share}
    cost: str  # {on_demand}, {peak}, {scaled}, {short}, {date}, {region}, {lower}
    cost_lower: str  # appended when the run was throttled
    # The support case.
    case_title: str  # {tables}, {region}
    in_region: str  # {region}: where an AWS run ran ({place} in a run's fields)
    in_local: str  # where an offline run ran
    case_title_short: str  # {region}
    offline_title: str
    case_body: str  # {run_id}, {plan} and the figures by name
    case_plans: dict[str, str]  # by TablePlan.action but "keep"; a table's fields
    case_plan_keep: str
    case_plan_short: str
    case_plan_short_unsized: str  # a closed run: sizing waits for a --rate run


EN = Phrases(
    actions={
        "on-demand-warm": "{table}: on-demand, warm {r:,} reads/s + {w:,} writes/s",
        "raise-warm": "{table}: warm throughput {r:,} reads/s + {w:,} writes/s",
        "raise-provisioned": "{table}: RCU {r:,}/WCU {w:,}, auto scaling min the same",
        "raise-index": "{table}: index {index} WCU {target_w:,} (the index throttled, not the table)",
        "hot-key": "{table}: spread the hot key (more capacity will not help)",
        "measure-demand": "{table}: short of what the test sent; size it from a --rate run at the forecast",
        "keep": "{table}: keep settings",
    },
    before="Before: {actions}; alarm on throttles and 80% use.",
    short_before="Before: pre-warm or raise capacity to 2x the tested peak; alarm at 80%.",
    short_before_unsized="Before: measure the demand at the event's forecast (--rate), size capacity from that run; "
    "alarm at 80%.",
    after_throttled="If it goes wrong: raise warm throughput/capacity at once, keep retries with backoff, "
    "open a support case.",
    after_clean="If it goes wrong: raise warm throughput or switch to on-demand, retry with backoff, "
    "open a support case.",
    offline="## Where this ran\nAgainst a local endpoint ({url}), not DynamoDB: an offline rehearsal. The figures "
    "show how the plan behaves under DynamoDB's rules; rerun against your tables on AWS before acting on them or "
    "opening a support case.",
    measured_head="## What the test measured",
    measured="Run {run_id}: {load} for {duration_s:.0f} s {place}. Reads {reads_per_s:,.1f}/s "
    "(p99 {read_p99_ms:.2f} ms), writes {writes_per_s:,.1f}/s (p99 {write_p99_ms:.2f} ms). Throttled attempts: "
    "{throttle_rate:.2%}; failed operations: {errors:,.0f}; unanswered by the end of the run (timed out): "
    "{timed_out:,.0f}. Peak consumption: {peak_read_units_per_s:,.1f} read and "
    "{peak_write_units_per_s:,.1f} write units in one second.",
    load_closed="{threads} workers",
    load_open="arrivals offered at {offered_per_s:,.0f}/s",
    capacity_head="## Capacity per table (targets are 2x the tested peak: the event may be heavier than the test)",
    capacity_head_unsized="## Capacity per table",
    now_provisioned="provisioned RCU {rcu}/WCU {wcu}",
    now_on_demand="on-demand, warm throughput {warm_r:,}/{warm_w:,} units/s",
    table="- {table} ({role}): {now}; peak demand about {peak_r:,.1f} read / {peak_w:,.1f} write units/s; "
    "target {target_r:,} / {target_w:,}.",
    table_unsized="- {table} ({role}): {now}; peak consumed {peak_r:,.1f} read / {peak_w:,.1f} write units/s "
    "(what the workers sent, not the event's demand).",
    steps={
        "on-demand-warm": "Switch to on-demand and raise warm throughput to {r:,} reads/s and {w:,} writes/s "
        "(UpdateTable WarmThroughput, table and each GSI) at least a day before. Or stay provisioned at "
        "RCU {target_r:,}/WCU {target_w:,} with the auto scaling minimum raised to the same: "
        "auto scaling reacts in minutes, so a spike is throttled before it catches up.",
        "raise-warm": "Raise warm throughput to {r:,} reads/s and {w:,} writes/s before the event; on-demand alone "
        "absorbs only twice its previous peak at once and can throttle while it grows.",
        "raise-provisioned": "Raise provisioned capacity to RCU {r:,}/WCU {w:,} and the auto scaling minimum to the "
        "same before the event.",
        "raise-index": "DynamoDB throttled the writes at the index {index}, not at the table: a write to the "
        "table also writes each GSI it touches, and a GSI with too little write capacity throttles the table's "
        "writes. Give {index} at least the table's write target, WCU {target_w:,} (or its own warm throughput "
        "on-demand), before the event.",
        "hot-key": "DynamoDB throttled a key range, not the table: more capacity will not help. See Hot keys.",
        "measure-demand": "The table was throttled or near its capacity under this test, so it needs more; how "
        "much depends on the event's demand, which a closed loop cannot measure (see Demand). Size it from a "
        "run at the forecast: `ddbload run --rate FORECAST` or `--stages`, then `ddbload advise` on that result.",
        "keep": "Current settings cover twice the tested peak.",
    },
    note="Note: {note}.",
    notes={
        "quota": "the target exceeds the default per-table quota of {quota:,} units/s: request an increase",
        "partition": "near one partition's limit if traffic concentrates on few keys",
    },
    modes_head="## Capacity mode switches",
    modes="A table can switch from provisioned to on-demand at most 4 times in 24 hours; back to provisioned "
    "at any time (with figures for the table and every GSI). Switch a day ahead, not during the event. "
    "Warm throughput is applied asynchronously, cannot be lowered and is charged.",
    hot_keys_head="## Hot keys",
    hot_keys="Requests were throttled while table-level use stayed below its capacity: a few keys may exceed "
    "one partition's {partition_r:,} read / {partition_w:,} write units per second. "
    "Turn on CloudWatch Contributor Insights (throttled keys) to find them, and spread hot items.",
    hot_key_named="DynamoDB throttled {n:,} requests on {table} for one key range ({reason}): a key took more "
    "than one partition's {partition_r:,} read / {partition_w:,} write units per second. {keys}More capacity "
    "cannot fix a hot key. Spread it: cache its reads (DAX or in the application), shard its writes over "
    "suffixes (key#1..key#N), or split the item; find others with CloudWatch Contributor Insights.",
    hot_key_share="The key distribution sent {share:.0%} of the picks on {table} to {key}. ",
    busiest_key="Counted: key {key} took {share:.0%} of the requests to {table} ({count:,} of {total:,}), "
    "{throttled:,} of them throttled.",
    server_latency="DynamoDB's own view ({source}): {kind} took {server:.2f} ms on average inside DynamoDB and "
    "{client:.2f} ms at the client. The {gap:.2f} ms between them is the network, TLS, retries and queueing: "
    "look there first when latency is the complaint.",
    kinds={"reads": "reads", "writes": "writes"},
    no_hot_keys="No sign of hot keys in this test: throttles, if any, matched table-level use.",
    verdict_head="## Verdict",
    outcomes={
        "held": "Held: the tables served the load.",
        "throttled": "Throttled: the tables did not serve the load.",
        "errors": "Errors: operations failed.",
        "client_limited": "Client-limited: the load generator, not DynamoDB, set the pace.",
        "interrupted": "Interrupted: the figures cover part of the run.",
    },
    retries_head="## Retries",
    retries="This test made up to {max_attempts} attempts per operation with exponential backoff and "
    "jitter; {errors:,.0f} operations still failed. Keep SDK retries on (standard mode, backoff with "
    "jitter), retry UnprocessedItems/UnprocessedKeys yourself, and give the checkout path a time budget.",
    alarms_head="## Alarms",
    alarms="CloudWatch: ThrottledRequests > 0 and Read/WriteThrottleEvents > 0 per table and GSI; "
    "ConsumedRead/WriteCapacityUnits at 80% of provisioned or warm throughput. SuccessfulRequestLatency "
    "(per operation) is measured inside DynamoDB - no network, SDK or retries - so it sits below the "
    "client-side latency measured here: alarm on its Average at twice a normal day's value. Alarm on "
    "client-side p99 above {client_p99_ms:.1f} ms (twice this test) in your application's own metrics.",
    still_wrong_head="## If the event still goes wrong",
    still_wrong="Raise warm throughput or provisioned capacity immediately (or switch to on-demand if a switch is "
    "left), keep backoff retries on, queue order writes rather than drop them, and open a support case "
    "with the table names and times; Enterprise support plans offer an event-readiness review (AWS "
    "Countdown).",
    demand_closed="## Demand\nA closed loop of {threads} workers sends only as fast as answers come back: the "
    "{ops_per_s:,.0f} operations/s it reached are what these workers could send here, not the event's demand, so "
    "no capacity above is sized from them. Measure at the event's forecast with arrivals that do not wait: "
    "`ddbload run --rate FORECAST ...` (operations a second), or `--stages` for the ramp.",
    scaling_head="## Auto scaling during the test",
    gameday_head="## GameDay: what each action did",
    gameday_recovered=(
        "{what} at {at_s} s: throttles and errors rose from {began_s} s and were back to their earlier level "
        "{recovery_s} s later ({throttled} throttled, {errors} errors). If that is longer than your users can "
        "wait, keep that capacity in hand before the event (a higher auto scaling minimum, warm throughput) "
        "instead of counting on it to come back"
    ),
    gameday_not_recovered=(
        "{what} at {at_s} s: throttles and errors rose from {began_s} s and had not come back to their earlier "
        "level by the end ({throttled} throttled, {errors} errors): the tables did not recover on their own; "
        "rehearse the runbook's fix, or undo the action sooner"
    ),
    gameday_none="{what} at {at_s} s: no rise in throttles or errors: the tables had room for it",
    cost="## What an hour of this demand would cost\nOn-demand ${on_demand}, provisioned at the peak ${peak}, "
    "provisioned with auto scaling ${scaled} ({short:,} s short of demand while it caught up; prices of {date}, "
    "{region}). Other lengths and prices: `ddbload cost RESULT.json --hours H`.{lower}",
    cost_lower=" A lower bound: throttled demand consumed no units.",
    dropped="{dropped:,.0f} of {offered:,.0f} arrivals ({dropped_share:.1%}) were dropped: the load generator, not "
    "DynamoDB, could not keep up (its wait queue was full), so these figures understate the demand. Raise "
    "--max-in-flight, run on a bigger machine or spread the load with --ray, then rerun.",
    case_title="Peak-event capacity plan review: {tables} ({region})",
    in_region="in {region}",
    in_local="against a local endpoint",
    case_title_short="Capacity plan review ({region})",
    offline_title="[offline - rerun on AWS] ",
    case_body="Test {run_id}: {reads_per_s:,.0f} reads/s, {writes_per_s:,.0f} writes/s, {throttle_rate:.1%} "
    "throttled. Plan: {plan}. Please review.",
    case_plans={
        "on-demand-warm": "{table} on-demand, warm {r:,}R/{w:,}W",
        "raise-warm": "{table} warm {r:,}R/{w:,}W",
        "raise-provisioned": "{table} RCU {r:,}/WCU {w:,}",
        "raise-index": "{table} index {index} WCU {target_w:,}",
        "hot-key": "{table} spread hot key",
        "measure-demand": "{table} size from a --rate run",
    },
    case_plan_keep="keep capacity (2x tested peak), 80% alarms",
    case_plan_short="capacity for 2x the tested peak, 80% alarms",
    case_plan_short_unsized="size from a --rate run; 80% alarms",
)

KO = Phrases(
    actions={
        "on-demand-warm": "{table}: 온디맨드, 웜 처리량 초당 읽기 {r:,}건·쓰기 {w:,}건",
        "raise-warm": "{table}: 웜 처리량 초당 읽기 {r:,}건·쓰기 {w:,}건",
        "raise-provisioned": "{table}: RCU {r:,}/WCU {w:,}, 오토스케일링 최소값 동일",
        "raise-index": "{table}: 인덱스 {index} WCU {target_w:,} (테이블이 아니라 인덱스가 스로틀됨)",
        "hot-key": "{table}: 핫 키 분산 (용량 증설로는 해결되지 않음)",
        "measure-demand": "{table}: 테스트 부하보다 용량 부족; 예측치로 --rate 실행 후 산정",
        "keep": "{table}: 현재 설정 유지",
    },
    before="사전: {actions}; 스로틀과 사용률 80% 알람 설정.",
    short_before="사전: 테스트 최대치의 2배로 웜 처리량·용량 확보, 사용률 80% 알람.",
    short_before_unsized="사전: 이벤트 예측치로 수요 측정(--rate) 후 그 결과로 용량 산정, 사용률 80% 알람.",
    after_throttled="그래도 문제 시: 웜 처리량·용량 즉시 상향, 백오프 재시도 유지, 지원 케이스 오픈.",
    after_clean="그래도 문제 시: 웜 처리량 상향 또는 온디맨드 전환, 백오프 재시도, 지원 케이스 오픈.",
    offline="## 실행 위치\n로컬 엔드포인트({url})에서 실행되었으며 DynamoDB가 아닙니다: 오프라인 리허설입니다. 수치는 "
    "DynamoDB 규칙에서 계획이 어떻게 동작하는지 보여 줍니다. 조치하거나 지원 케이스를 열기 전에 AWS의 테이블로 "
    "다시 실행하세요.",
    measured_head="## 테스트 측정 결과",
    measured="실행 {run_id}: {place} {load} {duration_s:.0f}초. 읽기 {reads_per_s:,.1f}/초 (p99 {read_p99_ms:.2f} ms), "
    "쓰기 {writes_per_s:,.1f}/초 (p99 {write_p99_ms:.2f} ms). 스로틀된 시도 {throttle_rate:.2%}, 실패한 작업 "
    "{errors:,.0f}건, 실행 종료까지 응답 없음(시간 초과) {timed_out:,.0f}건. "
    "초당 최대 소비: 읽기 {peak_read_units_per_s:,.1f}, 쓰기 {peak_write_units_per_s:,.1f} 단위.",
    # Korean puts the particle on the load: "워커 20개로", "초당 2,000건의 도착으로".
    load_closed="워커 {threads}개로",
    load_open="초당 {offered_per_s:,.0f}건의 도착으로",
    capacity_head="## 테이블별 용량 (목표치 = 테스트 최대치의 2배: 실제 이벤트는 더 클 수 있음)",
    capacity_head_unsized="## 테이블별 용량",
    now_provisioned="프로비저닝 RCU {rcu}/WCU {wcu}",
    now_on_demand="온디맨드, 웜 처리량 {warm_r:,}/{warm_w:,} 단위/초",
    table="- {table} ({role}): {now}; 최대 수요 약 읽기 {peak_r:,.1f} / 쓰기 {peak_w:,.1f} 단위/초; "
    "목표 {target_r:,} / {target_w:,}.",
    table_unsized="- {table} ({role}): {now}; 최대 소비 읽기 {peak_r:,.1f} / 쓰기 {peak_w:,.1f} 단위/초 "
    "(워커가 보낸 양이며 이벤트 수요가 아님).",
    steps={
        "on-demand-warm": "이벤트 최소 하루 전 온디맨드로 전환하고 웜 처리량을 읽기 {r:,}/초, 쓰기 {w:,}/초로 "
        "올리십시오 (테이블과 각 GSI). 또는 프로비저닝 RCU {target_r:,}/WCU {target_w:,}로 올리고 오토스케일링 "
        "최소값도 같게 하십시오: 오토스케일링은 수 분 걸려 급증을 놓칩니다.",
        "raise-warm": "이벤트 전 웜 처리량을 읽기 {r:,}/초, 쓰기 {w:,}/초로 올리십시오. 온디맨드는 이전 최대치의 "
        "2배까지만 즉시 수용합니다.",
        "raise-provisioned": "이벤트 전 프로비저닝 용량을 RCU {r:,}/WCU {w:,}로, 오토스케일링 최소값도 같게 "
        "올리십시오.",
        "raise-index": "DynamoDB는 테이블이 아니라 인덱스 {index}에서 쓰기를 스로틀했습니다: 테이블에 대한 쓰기는 "
        "관련된 각 GSI에도 쓰이며, 쓰기 용량이 부족한 GSI는 테이블의 쓰기를 스로틀합니다. 이벤트 전에 {index}에 "
        "최소한 테이블의 쓰기 목표치인 WCU {target_w:,}(온디맨드라면 인덱스 자체의 웜 처리량)를 주십시오.",
        "hot-key": "DynamoDB는 테이블이 아니라 하나의 키 범위를 스로틀했습니다: 용량을 늘려도 해결되지 않습니다. "
        "핫 키 항목을 보십시오.",
        "measure-demand": "이 테스트에서 테이블이 스로틀되었거나 용량 한도에 가까웠으므로 용량이 더 필요합니다. "
        "얼마나 필요한지는 이벤트 수요에 달려 있으며, 폐쇄 루프로는 수요를 측정할 수 없습니다(수요 항목 참조). "
        "예측치로 실행하여 산정하십시오: `ddbload run --rate FORECAST` 또는 `--stages`, 그 결과에 `ddbload advise`.",
        "keep": "현재 설정이 테스트 최대치의 2배를 감당합니다.",
    },
    note="참고: {note}.",
    notes={
        "quota": "목표치가 테이블당 기본 할당량 {quota:,} 유닛/초를 넘습니다: 할당량 증가를 요청하세요",
        "partition": "트래픽이 소수의 키에 몰리면 파티션 하나의 한도에 가깝습니다",
    },
    modes_head="## 용량 모드 전환",
    modes="프로비저닝에서 온디맨드로의 전환은 테이블당 24시간에 최대 4회, 프로비저닝으로의 전환은 언제든 가능합니다 "
    "(테이블과 모든 GSI의 수치 필요). 이벤트 중이 아니라 하루 전에 전환하십시오. 웜 처리량은 비동기로 적용되며 "
    "낮출 수 없고 과금됩니다.",
    hot_keys_head="## 핫 키",
    hot_keys="테이블 전체 사용량이 용량보다 낮은데 스로틀이 발생했습니다: 일부 키가 파티션 한도(초당 읽기 "
    "{partition_r:,} / 쓰기 {partition_w:,} 단위)를 넘었을 수 있습니다. CloudWatch Contributor "
    "Insights(스로틀된 키)로 찾아 분산하십시오.",
    hot_key_named="DynamoDB가 {table}의 한 키 범위에 대해 {n:,}건을 스로틀했습니다({reason}): 한 키가 파티션 "
    "한도(초당 읽기 {partition_r:,} / 쓰기 {partition_w:,} 단위)를 넘었습니다. {keys}용량을 늘려도 핫 키는 "
    "해결되지 않습니다. 분산하십시오: 읽기는 캐시(DAX 또는 애플리케이션), 쓰기는 접미사로 샤딩(key#1..key#N), "
    "또는 항목 분할; 다른 핫 키는 CloudWatch Contributor Insights로 찾으십시오.",
    hot_key_share="키 분포가 {table} 선택의 {share:.0%}를 {key}에 보냈습니다. ",
    busiest_key="집계: 키 {key}가 {table} 요청의 {share:.0%}({total:,}건 중 {count:,}건)를 받았고, 그중 "
    "{throttled:,}건이 스로틀되었습니다.",
    server_latency="DynamoDB 자체 지표({source}): {kind}는 DynamoDB 내부에서 평균 {server:.2f} ms, 클라이언트에서 "
    "{client:.2f} ms 걸렸습니다. 그 차이 {gap:.2f} ms는 네트워크, TLS, 재시도, 대기열입니다: 지연 시간이 문제라면 "
    "먼저 이곳을 보십시오.",
    kinds={"reads": "읽기", "writes": "쓰기"},
    no_hot_keys="이번 테스트에서는 핫 키 징후가 없습니다.",
    verdict_head="## 판정",
    outcomes={
        "held": "유지: 테이블이 부하를 처리했습니다.",
        "throttled": "스로틀: 테이블이 부하를 처리하지 못했습니다.",
        "errors": "오류: 작업이 실패했습니다.",
        "client_limited": "클라이언트 한계: DynamoDB가 아니라 부하 생성기가 속도를 정했습니다.",
        "interrupted": "중단: 수치는 실행의 일부만 다룹니다.",
    },
    retries_head="## 재시도",
    retries="이 테스트는 작업당 최대 {max_attempts}회, 지터가 있는 지수 백오프로 시도했고 {errors:,.0f}건이 "
    "최종 실패했습니다. SDK 재시도(standard 모드)를 유지하고 UnprocessedItems/UnprocessedKeys는 직접 재시도하십시오.",
    alarms_head="## 알람",
    alarms="CloudWatch: 테이블과 GSI별 ThrottledRequests > 0, Read/WriteThrottleEvents > 0; ConsumedRead/WriteCapacityUnits가 "
    "용량 또는 웜 처리량의 80%. SuccessfulRequestLatency(작업별)는 DynamoDB 내부에서 측정되어 네트워크, SDK, 재시도 "
    "시간이 빠지므로 여기서 잰 클라이언트 측 지연보다 낮습니다. 평소 값의 2배를 넘는 Average에 알람을 거십시오. "
    "클라이언트 측 p99 {client_p99_ms:.1f} ms(이 테스트의 2배) 초과 알람은 애플리케이션 자체 지표에 거십시오.",
    still_wrong_head="## 그래도 문제가 생기면",
    still_wrong="즉시 웜 처리량이나 프로비저닝 용량을 올리고(전환 횟수가 남았다면 온디맨드 전환), 백오프 재시도를 "
    "유지하고, 주문 쓰기는 버리지 말고 큐에 넣으십시오. 테이블 이름과 시각을 적어 지원 케이스를 여십시오 "
    "(Enterprise 지원은 AWS Countdown 이벤트 준비 검토 제공).",
    demand_closed="## 수요\n워커 {threads}개의 폐쇄 루프는 응답이 오는 만큼만 보냅니다: 도달한 초당 "
    "{ops_per_s:,.0f}건은 이 워커들이 보낼 수 있었던 양이지 이벤트 수요가 아니므로, 위 용량은 이 값으로 산정하지 "
    "않았습니다. 기다리지 않는 도착으로 이벤트 예측치에서 측정하세요: `ddbload run --rate FORECAST ...`(초당 작업 수), "
    "램프는 `--stages`.",
    scaling_head="## 테스트 중 오토 스케일링",
    gameday_head="## GameDay: 각 조치의 영향",
    gameday_recovered=(
        "{at_s}초의 {what}: {began_s}초부터 스로틀과 오류가 늘었고 {recovery_s}초 뒤 이전 수준으로 돌아왔습니다 "
        "(스로틀 {throttled}건, 오류 {errors}건). 사용자가 기다릴 수 있는 시간보다 길다면 이벤트 전에 그만큼의 "
        "용량을 미리 확보하세요 (더 높은 오토 스케일링 최소값, 웜 처리량)"
    ),
    gameday_not_recovered=(
        "{at_s}초의 {what}: {began_s}초부터 스로틀과 오류가 늘었고 테스트가 끝날 때까지 이전 수준으로 돌아오지 "
        "않았습니다 (스로틀 {throttled}건, 오류 {errors}건): 런북의 조치를 리허설하거나 조치를 더 빨리 되돌리세요"
    ),
    gameday_none="{at_s}초의 {what}: 스로틀과 오류가 늘지 않았습니다: 테이블에 여유가 있었습니다",
    cost="## 이 수요가 1시간 이어질 때의 비용\n온디맨드 ${on_demand}, 피크로 고정한 프로비저닝 ${peak}, 오토 스케일링 "
    "프로비저닝 ${scaled}(따라잡는 동안 수요보다 모자란 시간 {short:,}초; {date} 기준 {region} 가격). 다른 기간과 "
    "가격: `ddbload cost <결과 JSON> --hours H`.{lower}",
    cost_lower=" 하한값입니다: 스로틀된 수요는 용량을 소비하지 않았습니다.",
    dropped="도착 {offered:,.0f}건 중 {dropped:,.0f}건({dropped_share:.1%})이 버려졌습니다: DynamoDB가 아니라 부하 "
    "생성기가 따라가지 못했습니다(대기열이 가득 참). 따라서 이 수치는 수요를 실제보다 적게 보여 줍니다. "
    "--max-in-flight를 늘리거나 더 큰 머신에서 실행하거나 --ray로 부하를 나눈 뒤 다시 실행하세요.",
    case_title="피크 이벤트 용량 계획 검토 요청: {tables} ({region})",
    in_region="{region}에서",
    in_local="로컬 엔드포인트에서",
    case_title_short="피크 이벤트 용량 계획 검토 요청 ({region})",
    offline_title="[오프라인 - AWS 재실행 필요] ",
    case_body="부하 테스트 {run_id}: 읽기 {reads_per_s:,.0f}/초, 쓰기 {writes_per_s:,.0f}/초, 스로틀 "
    "{throttle_rate:.1%}. 계획: {plan}. 검토 부탁드립니다.",
    case_plans={
        "on-demand-warm": "{table} 온디맨드, 웜 읽기 {r:,}/쓰기 {w:,}",
        "raise-warm": "{table} 웜 읽기 {r:,}/쓰기 {w:,}",
        "raise-provisioned": "{table} RCU {r:,}/WCU {w:,}",
        "raise-index": "{table} 인덱스 {index} WCU {target_w:,}",
        "hot-key": "{table} 핫 키 분산",
        "measure-demand": "{table} --rate 실행으로 산정",
    },
    case_plan_keep="현재 용량 유지(테스트 최대치의 2배 감당), 80% 알람",
    case_plan_short="테스트 최대치의 2배 용량, 80% 알람",
    case_plan_short_unsized="--rate로 수요 측정 후 용량 산정, 80% 알람",
)

PHRASES = {"en": EN, "ko": KO}


def _phrases(lang: str) -> Phrases:
    if lang not in PHRASES:
        raise ValueError(f"--lang: expected {' or '.join(PHRASES)}, got {lang!r}")
    return PHRASES[lang]


# --- building the advice from the figures and a table of phrases -----------------------------------


def _table_fields(plan: TablePlan) -> dict[str, Any]:
    """A table's fields for the phrases: its settings now, its peak, its target and what to set."""
    if plan.action in ("on-demand-warm", "raise-warm"):
        # Warm throughput is raised to the target, never below what the table already has.
        r, w = max(plan.target[0], plan.warm[0]), max(plan.target[1], plan.warm[1])
    else:
        r, w = plan.target
    return {
        "table": plan.name,
        "role": plan.role,
        "rcu": plan.provisioned[0],
        "wcu": plan.provisioned[1],
        "warm_r": plan.warm[0],
        "warm_w": plan.warm[1],
        "peak_r": plan.peak[0],
        "peak_w": plan.peak[1],
        "target_r": plan.target[0],
        "target_w": plan.target[1],
        "r": r,
        "w": w,
        "index": plan.index,
    }


def _run_fields(result: RunResult, f: dict[str, float], words: Phrases) -> dict[str, Any]:
    """A run's fields for the phrases: its figures by name and what the figures do not say."""
    cfg = result["config"]
    if result["summary"].get("model") == "open":
        load = words.load_open.format(offered_per_s=offered_per_s(result))
    else:
        load = words.load_closed.format(threads=cfg["threads"])
    return {
        **f,
        "run_id": result["run_id"],
        "region": cfg["region"],
        "place": words.in_local if offline_endpoint(result) else words.in_region.format(region=cfg["region"]),
        "duration_s": result["duration_s"],
        "load": load,
        "max_attempts": cfg.get("max_attempts", "?"),  # optional in the schema: a result from elsewhere may lack it
        "client_p99_ms": max(f["read_p99_ms"], f["write_p99_ms"]) * 2,
        "partition_r": PARTITION_LIMIT[0],
        "partition_w": PARTITION_LIMIT[1],
    }


def summarize(plans: list[TablePlan], throttled: bool, lang: str) -> str:
    words = _phrases(lang)
    after = words.after_throttled if throttled else words.after_clean
    actions = "; ".join(words.actions[p.action].format(**_table_fields(p)) for p in plans)
    text = f"{words.before.format(actions=actions)} {after}"
    if len(text) <= SUMMARY_LIMIT:
        return text
    short = words.short_before if all(p.sized for p in plans) else words.short_before_unsized
    return f"{short} {after}"[:SUMMARY_LIMIT]


def _table_lines(plan: TablePlan, words: Phrases) -> list[str]:
    """A table's line in the capacity section: where it stands, then what to do and any notes, indented."""
    fields = _table_fields(plan)
    now = (words.now_provisioned if plan.mode == "PROVISIONED" else words.now_on_demand).format(**fields)
    return [
        (words.table if plan.sized else words.table_unsized).format(now=now, **fields),
        "  " + words.steps[plan.action].format(**fields),
        *("  " + words.note.format(note=words.notes[name].format(quota=TABLE_QUOTA)) for name in plan.notes),
    ]


def _sections(result: RunResult, f: dict[str, float], plans: list[TablePlan], lang: str) -> list[list[str]]:
    """The details, a section at a time: a heading (or a paragraph that starts with one) and its lines."""
    words = _phrases(lang)
    fields = _run_fields(result, f, words)
    offline = offline_endpoint(result)
    run_verdict = result.get("verdict") or verdict(result)
    if lang == "en":
        sections = [[words.verdict_head, verdict_line(run_verdict), *(f"- {r}" for r in run_verdict["reasons"][1:])]]
    else:  # the reasons are English; the sections below say the same in this language
        sections = [[words.verdict_head, words.outcomes[run_verdict["outcome"]]]]
    if offline:
        sections.append([words.offline.format(url=offline)])
    hot_keys = _hot_key_text(result, words, fields) if any(p.hot_key_suspected for p in plans) else words.no_hot_keys
    measured = [words.measured_head, words.measured.format(**fields)]
    if f["dropped"]:
        share = f["dropped"] / f["offered"] if f["offered"] else 1.0
        measured.append(words.dropped.format(dropped=f["dropped"], offered=f["offered"], dropped_share=share))
    measured += _server_latency(result, words)
    sections += [
        measured,
        [
            words.capacity_head if all(p.sized for p in plans) else words.capacity_head_unsized,
            *(line for p in plans for line in _table_lines(p, words)),
        ],
        [words.modes_head, words.modes],
        [words.hot_keys_head, hot_keys, *_busiest_keys(result, words)],
        [words.retries_head, words.retries.format(**fields)],
        [words.alarms_head, words.alarms.format(**fields)],
        [words.still_wrong_head, words.still_wrong],
    ]
    if result["summary"].get("model", "closed") == "closed":
        sections.append([words.demand_closed.format(threads=result["config"]["threads"], **fields)])
    scaled = timeline.steps(result)
    if scaled:
        sections.append([words.scaling_head, *(f"- {timeline.describe(step, lang)}" for step in scaled)])
    episodes = (result.get("timeline") or {}).get("episodes") or []
    if episodes:
        sections.append([words.gameday_head, *(f"- {_episode_text(e, words)}" for e in episodes)])
    hour = _hour_cost(result, words) if result["summary"].get("model") == "open" else None
    if hour:
        sections.append([hour])
    return sections


def _episode_text(episode: dict[str, Any], words: Phrases) -> str:
    if episode["began_s"] is None:
        template = words.gameday_none
    elif episode["recovered_s"] is None:
        template = words.gameday_not_recovered
    else:
        template = words.gameday_recovered
    return template.format(**episode)


def _hour_cost(result: RunResult, words: Phrases) -> str | None:
    """An hour of the run's demand in each capacity mode at the shipped prices (None for a region they lack)."""
    priced = hour_estimate(result)
    if priced is None:
        return None
    prices, estimated = priced
    modes = estimated["modes"]
    return words.cost.format(
        on_demand=cents(modes["on_demand"]["usd"]),
        peak=cents(modes["provisioned_peak"]["usd"]),
        scaled=cents(modes["provisioned_autoscaling"]["usd"]),
        short=modes["provisioned_autoscaling"]["throttled_seconds"],
        date=prices.dated.isoformat(),
        region=prices.region,
        lower=words.cost_lower if estimated["lower_bound"] else "",
    )


def kept_request_ids(result: RunResult) -> list[str]:
    """The request IDs a support case should cite: of the throttled calls (per reason, first first), else
    of the slowest calls."""
    kept = result.get("request_ids")
    if not kept:
        return []
    throttled = [c["request_id"] for calls in kept["throttled"].values() for c in calls]
    return throttled or [c["request_id"] for c in kept["slowest"]]


def _with_request_ids(body: str, result: RunResult, room: int) -> str:
    """`body` and as many request IDs as fit in `room` characters (`kept_request_ids`' order)."""
    cited: list[str] = []
    for request_id in kept_request_ids(result):
        text = f"{body} IDs: {' '.join([*cited, request_id])}"
        if len(text) > room:
            break
        cited.append(request_id)
    return f"{body} IDs: {' '.join(cited)}" if cited else body


def _hot_key_text(result: RunResult, words: Phrases, fields: dict[str, Any]) -> str:
    """The hot keys section: the key range DynamoDB named, and the keys the distribution favoured."""
    ranges = [row for row in throttles_by_resource(result) if "KeyRange" in row[2]]
    if not ranges:
        return words.hot_keys.format(**fields)
    table, _, reason, n = ranges[0]
    keys = "".join(
        words.hot_key_share.format(key=k["key"], share=k["share"], table=k["table"])
        for k in result.get("hot_keys", [])
        if k["table"] == table  # the keys of the table DynamoDB named
    )
    return words.hot_key_named.format(
        table=table, reason=reason, n=n, keys=keys, partition_r=PARTITION_LIMIT[0], partition_w=PARTITION_LIMIT[1]
    )


# A key with at least this share of a table's (or index's) counted requests is named by advise.
BUSIEST_SHARE = 0.1
BUSIEST_MIN_REQUESTS = 100


def _busiest_keys(result: RunResult, words: Phrases) -> list[str]:
    """The counted busiest key of each table or index where one key took a large share."""
    lines = []
    for name, keys in (result.get("keys") or {}).items():
        if not keys["attempts"] or keys["attempts_total"] < BUSIEST_MIN_REQUESTS:
            continue
        top = keys["attempts"][0]
        if top["share"] < BUSIEST_SHARE:
            continue
        throttled = sum(t["count"] for t in keys["throttles"] if t["key"] == top["key"])
        lines.append(words.busiest_key.format(key=top["key"], share=top["share"], table=name, count=top["count"],
                                              total=keys["attempts_total"], throttled=throttled))  # fmt: skip
    return lines


def _server_latency(result: RunResult, words: Phrases) -> list[str]:
    """DynamoDB's own latency beside the client's, from the result's server_view."""
    view = result.get("server_view")
    if not view:
        return []
    return [
        words.server_latency.format(
            source=view["source"], kind=words.kinds[kind], server=server, client=client, gap=max(client - server, 0.0)
        )
        for kind, server, client in client_gap(result, view)
    ]


def offline_endpoint(result: RunResult) -> str | None:
    """The run's endpoint when it was a loopback address (DynamoDB Local, ddbload's own), else None."""
    url = result["config"].get("endpoint_url")
    return url if is_loopback(url) else None


def advise(result: RunResult, lang: str = "en") -> Advice:
    _phrases(lang)  # an unknown language fails before any work
    f = figures(result)
    plans = _table_plans(result, f)
    details: list[str] = []
    for section in _sections(result, f, plans, lang):
        if details:
            details.append("")  # a blank line between sections
        details += section
    return Advice(summarize(plans, f["throttle_rate"] >= THROTTLED, lang), details, plans)


def support_case(result: RunResult, lang: str = "en") -> tuple[str, str]:
    """A support-case title and body of at most 200 characters together: the test run and the planned fix."""
    advice = advise(result, lang)
    words = _phrases(lang)
    region = result["config"]["region"]
    prefix = words.offline_title if offline_endpoint(result) else ""
    titles = [
        prefix + words.case_title.format(tables="/".join(p.name for p in advice.plans), region=region),
        prefix + words.case_title_short.format(region=region),
    ]
    changes = [words.case_plans[p.action].format(**_table_fields(p)) for p in advice.plans if p.action != "keep"]
    fields = {**figures(result), "run_id": result["run_id"]}
    bodies = [
        words.case_body.format(plan="; ".join(changes) or words.case_plan_keep, **fields),
        words.case_body.format(
            plan=words.case_plan_short if all(p.sized for p in advice.plans) else words.case_plan_short_unsized,
            **fields,
        ),
    ]
    # The fullest title and body that fit together with at least one request ID (of a throttled call, else
    # of the slowest: support looks those up), else the fullest that fit; the tables' names go before the
    # plan's detail.
    pairs = [(t, b) for t in titles for b in bodies]
    for title, body in pairs:
        cited = _with_request_ids(body, result, CASE_BODY_LIMIT - len(title))
        if cited != body:
            return title, cited
    for title, body in pairs:
        if len(title) + len(body) <= CASE_BODY_LIMIT:
            return title, body
    # Only very long run ids get here: they come first in the body, so the cut keeps them.
    return titles[1], bodies[1][: CASE_BODY_LIMIT - len(titles[1])]
