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
from .endpoints import is_loopback
from .figures import figures, offered_per_s

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
THROTTLED = 0.01
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
    action: str = ""  # "on-demand-warm", "raise-warm", "raise-provisioned", "keep"
    hot_key_suspected: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class Advice:
    summary: str
    details: list[str]
    plans: list[TablePlan]


def _table_plans(result: dict[str, Any], f: dict[str, float]) -> list[TablePlan]:
    total_read = sum(u["read_units"] for u in result["consumed_capacity"].values()) or 1.0
    total_write = sum(u["write_units"] for u in result["consumed_capacity"].values()) or 1.0
    throttled = f["throttle_rate"] >= THROTTLED
    # DynamoDB names a hot key range outright when it throttles for one.
    summary = result["summary"]
    key_range = any(
        "KeyRange" in reason for op in ("reads", "writes") for reason in summary[op].get("throttled_by_reason", {})
    )
    # Under throttling the consumed units understate demand. An open-model run knows its demand: the
    # arrivals it offered per completed operation. A closed loop does not (its workers waited instead
    # of sending): scale by the share of attempts that got through, an estimate said as such.
    completed = summary["reads"]["ok"] + summary["writes"]["ok"]
    if summary.get("model") == "open" and summary.get("offered"):
        demand = summary["offered"] / max(completed, 1)
    else:
        demand = 1.0 / max(1.0 - f["throttle_rate"], 0.05)
    plans = []
    for name, info in sorted(result["tables"].items()):
        units = result["consumed_capacity"].get(name, {"read_units": 0.0, "write_units": 0.0})
        peak = (
            f["peak_read_units_per_s"] * units["read_units"] / total_read * demand,
            f["peak_write_units_per_s"] * units["write_units"] / total_write * demand,
        )
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
        if max(target) > TABLE_QUOTA:
            plan.notes.append(
                f"the target exceeds the default per-table quota of {TABLE_QUOTA:,} units/s: request an increase"
            )
        if peak[0] > PARTITION_LIMIT[0] * 0.8 or peak[1] > PARTITION_LIMIT[1] * 0.8:
            plan.notes.append("near one partition's limit if traffic concentrates on few keys")
        plans.append(plan)
    return plans


def _warm_target(plan: TablePlan) -> tuple[int, int]:
    return (max(plan.target[0], plan.warm[0]), max(plan.target[1], plan.warm[1]))


# --- wording, one table of phrases per language --------------------------------------------------

TEXT = {
    "en": {
        "on-demand-warm": "{t}: on-demand + warm {r:,}R/{w:,}W per s",
        "raise-warm": "{t}: warm throughput {r:,}R/{w:,}W per s",
        "raise-provisioned": "{t}: RCU {r:,}/WCU {w:,}, auto scaling min the same",
        "keep": "{t}: keep settings",
        "before": "Before: {actions}; alarm on throttles and 80% use.",
        "after_throttled": "If it goes wrong: raise warm throughput/capacity at once, keep retries with backoff, "
        "open a support case.",
        "after_clean": "If it goes wrong: raise warm throughput or switch to on-demand, retry with backoff, "
        "open a support case.",
        "short_before": "Before: pre-warm or raise capacity to 2x the tested peak; alarm at 80%.",
        "case_title": "Peak-event capacity plan review: {tables} ({region})",
        "case_title_short": "Capacity plan review ({region})",
        "case_body": "Test {run}: {r:,.0f} reads/s, {w:,.0f} writes/s, {thr:.1%} throttled. Plan: {plan}. "
        "Please review.",
        "case_plan_short": "capacity for 2x the tested peak, 80% alarms",
        "case_plan_warm": "{t} warm {r:,}R/{w:,}W",
        "case_plan_od": "{t} on-demand, warm {r:,}R/{w:,}W",
        "case_plan_prov": "{t} RCU {r:,}/WCU {w:,}",
        "case_plan_keep": "keep capacity (2x tested peak), 80% alarms",
    },
    "ko": {
        "on-demand-warm": "{t}: 온디맨드 + 웜 처리량 읽기 {r:,}/쓰기 {w:,}",
        "raise-warm": "{t}: 웜 처리량 읽기 {r:,}/쓰기 {w:,}",
        "raise-provisioned": "{t}: RCU {r:,}/WCU {w:,}, 오토스케일링 최소값 동일",
        "keep": "{t}: 현재 설정 유지",
        "before": "사전: {actions}; 스로틀과 사용률 80% 알람 설정.",
        "after_throttled": "그래도 문제 시: 웜 처리량·용량 즉시 상향, 백오프 재시도 유지, 지원 케이스 오픈.",
        "after_clean": "그래도 문제 시: 웜 처리량 상향 또는 온디맨드 전환, 백오프 재시도, 지원 케이스 오픈.",
        "short_before": "사전: 테스트 최대치의 2배로 웜 처리량·용량 확보, 사용률 80% 알람.",
        "case_title": "피크 이벤트 용량 계획 검토 요청: {tables} ({region})",
        "case_title_short": "피크 이벤트 용량 계획 검토 요청 ({region})",
        "case_body": "부하 테스트 {run}: 읽기 {r:,.0f}/초, 쓰기 {w:,.0f}/초, 스로틀 {thr:.1%}. 계획: {plan}. 검토 부탁드립니다.",
        "case_plan_warm": "{t} 웜 읽기 {r:,}/쓰기 {w:,}",
        "case_plan_od": "{t} 온디맨드, 웜 읽기 {r:,}/쓰기 {w:,}",
        "case_plan_prov": "{t} RCU {r:,}/WCU {w:,}",
        "case_plan_keep": "현재 용량 유지(테스트 최대치의 2배 감당), 80% 알람",
        "case_plan_short": "테스트 최대치의 2배 용량, 80% 알람",
    },
}


def _action_text(plan: TablePlan, lang: str) -> str:
    words = TEXT[lang]
    if plan.action in ("on-demand-warm", "raise-warm"):
        r, w = _warm_target(plan)
    else:
        r, w = plan.target
    return words[plan.action].format(t=plan.name, r=r, w=w)


def summarize(plans: list[TablePlan], throttled: bool, lang: str) -> str:
    words = TEXT[lang]
    after = words["after_throttled" if throttled else "after_clean"]
    actions = "; ".join(_action_text(p, lang) for p in plans)
    for before in (words["before"].format(actions=actions), words["short_before"]):
        text = f"{before} {after}"
        if len(text) <= SUMMARY_LIMIT:
            return text
    return f"{words['short_before']} {after}"[:SUMMARY_LIMIT]


def _load_shape(result: dict[str, Any], lang: str) -> str:
    """'20 workers' for a closed loop; the offered arrival rate for an open-model run (Korean: with its particle)."""
    cfg = result["config"]
    if result["summary"].get("model") == "open":
        offered = offered_per_s(result)
        return f"arrivals offered at {offered:,.0f}/s" if lang == "en" else f"초당 {offered:,.0f}건의 도착으로"
    return f"{cfg['threads']} workers" if lang == "en" else f"워커 {cfg['threads']}개로"


def _details_en(result: dict[str, Any], f: dict[str, float], plans: list[TablePlan]) -> list[str]:
    cfg = result["config"]
    lines = [
        "## What the test measured",
        f"Run {result['run_id']}: {_load_shape(result, 'en')} for {result['duration_s']:.0f} s in {cfg['region']}. "
        f"Reads {f['reads_per_s']:,.1f}/s (p99 {f['read_p99_ms']:.2f} ms), writes {f['writes_per_s']:,.1f}/s "
        f"(p99 {f['write_p99_ms']:.2f} ms). Throttled attempts: {f['throttle_rate']:.2%}; failed operations: "
        f"{f['errors']:,.0f}. Peak consumption: {f['peak_read_units_per_s']:,.1f} read and "
        f"{f['peak_write_units_per_s']:,.1f} write units in one second.",
        "",
        "## Capacity per table (targets are 2x the tested peak: the event may be heavier than the test)",
    ]
    for p in plans:
        now = (
            f"provisioned RCU {p.provisioned[0]}/WCU {p.provisioned[1]}"
            if p.mode == "PROVISIONED"
            else f"on-demand, warm throughput {p.warm[0]:,}/{p.warm[1]:,} units/s"
        )
        lines.append(
            f"- {p.name} ({p.role}): {now}; peak demand about {p.peak[0]:,.1f} read / {p.peak[1]:,.1f} write "
            f"units/s; target {p.target[0]:,} / {p.target[1]:,}."
        )
        r, w = _warm_target(p)
        if p.action == "on-demand-warm":
            lines.append(
                f"  Switch to on-demand and raise warm throughput to {r:,} reads/s and {w:,} writes/s "
                "(UpdateTable WarmThroughput, table and each GSI) at least a day before. Or stay provisioned at "
                f"RCU {p.target[0]:,}/WCU {p.target[1]:,} with the auto scaling minimum raised to the same: "
                "auto scaling reacts in minutes, so a spike is throttled before it catches up."
            )
        elif p.action == "raise-warm":
            lines.append(
                f"  Raise warm throughput to {r:,} reads/s and {w:,} writes/s before the event; on-demand alone "
                "absorbs only twice its previous peak at once and can throttle while it grows."
            )
        elif p.action == "raise-provisioned":
            lines.append(
                f"  Raise provisioned capacity to RCU {p.target[0]:,}/WCU {p.target[1]:,} and the auto scaling "
                "minimum to the same before the event."
            )
        else:
            lines.append("  Current settings cover twice the tested peak.")
        lines.extend(f"  Note: {n}." for n in p.notes)
    lines += [
        "",
        "## Capacity mode switches",
        "A table can switch from provisioned to on-demand at most 4 times in 24 hours; back to provisioned "
        "at any time (with figures for the table and every GSI). Switch a day ahead, not during the event. "
        "Warm throughput is applied asynchronously, cannot be lowered and is charged.",
        "",
        "## Hot keys",
    ]
    if any(p.hot_key_suspected for p in plans):
        lines.append(
            "Requests were throttled while table-level use stayed below its capacity: a few keys may exceed "
            f"one partition's {PARTITION_LIMIT[0]:,} read / {PARTITION_LIMIT[1]:,} write units per second. "
            "Turn on CloudWatch Contributor Insights (throttled keys) to find them, and spread hot items."
        )
    else:
        lines.append("No sign of hot keys in this test: throttles, if any, matched table-level use.")
    lines += [
        "",
        "## Retries",
        f"This test made up to {cfg['max_attempts']} attempts per operation with exponential backoff and "
        f"jitter; {f['errors']:,.0f} operations still failed. Keep SDK retries on (standard mode, backoff with "
        "jitter), retry UnprocessedItems/UnprocessedKeys yourself, and give the checkout path a time budget.",
        "",
        "## Alarms",
        "CloudWatch: ThrottledRequests > 0 and Read/WriteThrottleEvents > 0 per table and GSI; "
        "ConsumedRead/WriteCapacityUnits at 80% of provisioned or warm throughput. SuccessfulRequestLatency "
        "(per operation) is measured inside DynamoDB - no network, SDK or retries - so it sits below the "
        "client-side latency measured here: alarm on its Average at twice a normal day's value. Alarm on "
        f"client-side p99 above {max(f['read_p99_ms'], f['write_p99_ms']) * 2:.1f} ms (twice this test) in your "
        "application's own metrics.",
        "",
        "## If the event still goes wrong",
        "Raise warm throughput or provisioned capacity immediately (or switch to on-demand if a switch is "
        "left), keep backoff retries on, queue order writes rather than drop them, and open a support case "
        "with the table names and times; Enterprise support plans offer an event-readiness review (AWS "
        "Countdown).",
    ]
    return lines


def _details_ko(result: dict[str, Any], f: dict[str, float], plans: list[TablePlan]) -> list[str]:
    cfg = result["config"]
    lines = [
        "## 테스트 측정 결과",
        f"실행 {result['run_id']}: {cfg['region']}에서 {_load_shape(result, 'ko')} {result['duration_s']:.0f}초. "
        f"읽기 {f['reads_per_s']:,.1f}/초 (p99 {f['read_p99_ms']:.2f} ms), 쓰기 {f['writes_per_s']:,.1f}/초 "
        f"(p99 {f['write_p99_ms']:.2f} ms). 스로틀된 시도 {f['throttle_rate']:.2%}, 실패한 작업 {f['errors']:,.0f}건. "
        f"초당 최대 소비: 읽기 {f['peak_read_units_per_s']:,.1f}, 쓰기 {f['peak_write_units_per_s']:,.1f} 단위.",
        "",
        "## 테이블별 용량 (목표치 = 테스트 최대치의 2배: 실제 이벤트는 더 클 수 있음)",
    ]
    for p in plans:
        now = (
            f"프로비저닝 RCU {p.provisioned[0]}/WCU {p.provisioned[1]}"
            if p.mode == "PROVISIONED"
            else f"온디맨드, 웜 처리량 {p.warm[0]:,}/{p.warm[1]:,} 단위/초"
        )
        lines.append(
            f"- {p.name} ({p.role}): {now}; 최대 수요 약 읽기 {p.peak[0]:,.1f} / 쓰기 {p.peak[1]:,.1f} 단위/초; "
            f"목표 {p.target[0]:,} / {p.target[1]:,}."
        )
        r, w = _warm_target(p)
        if p.action == "on-demand-warm":
            lines.append(
                f"  이벤트 최소 하루 전 온디맨드로 전환하고 웜 처리량을 읽기 {r:,}/초, 쓰기 {w:,}/초로 올리십시오 "
                f"(테이블과 각 GSI). 또는 프로비저닝 RCU {p.target[0]:,}/WCU {p.target[1]:,}로 올리고 오토스케일링 "
                "최소값도 같게 하십시오: 오토스케일링은 수 분 걸려 급증을 놓칩니다."
            )
        elif p.action == "raise-warm":
            lines.append(
                f"  이벤트 전 웜 처리량을 읽기 {r:,}/초, 쓰기 {w:,}/초로 올리십시오. 온디맨드는 이전 최대치의 2배까지만 "
                "즉시 수용합니다."
            )
        elif p.action == "raise-provisioned":
            lines.append(
                f"  이벤트 전 프로비저닝 용량을 RCU {p.target[0]:,}/WCU {p.target[1]:,}로, 오토스케일링 최소값도 "
                "같게 올리십시오."
            )
        else:
            lines.append("  현재 설정이 테스트 최대치의 2배를 감당합니다.")
        lines.extend(f"  참고: {n}." for n in p.notes)
    lines += [
        "",
        "## 용량 모드 전환",
        "프로비저닝에서 온디맨드로의 전환은 테이블당 24시간에 최대 4회, 프로비저닝으로의 전환은 언제든 가능합니다 "
        "(테이블과 모든 GSI의 수치 필요). 이벤트 중이 아니라 하루 전에 전환하십시오. 웜 처리량은 비동기로 적용되며 "
        "낮출 수 없고 과금됩니다.",
        "",
        "## 핫 키",
    ]
    if any(p.hot_key_suspected for p in plans):
        lines.append(
            "테이블 전체 사용량이 용량보다 낮은데 스로틀이 발생했습니다: 일부 키가 파티션 한도(초당 읽기 "
            f"{PARTITION_LIMIT[0]:,} / 쓰기 {PARTITION_LIMIT[1]:,} 단위)를 넘었을 수 있습니다. CloudWatch Contributor "
            "Insights(스로틀된 키)로 찾아 분산하십시오."
        )
    else:
        lines.append("이번 테스트에서는 핫 키 징후가 없습니다.")
    lines += [
        "",
        "## 재시도",
        f"이 테스트는 작업당 최대 {cfg['max_attempts']}회, 지터가 있는 지수 백오프로 시도했고 {f['errors']:,.0f}건이 "
        "최종 실패했습니다. SDK 재시도(standard 모드)를 유지하고 UnprocessedItems/UnprocessedKeys는 직접 재시도하십시오.",
        "",
        "## 알람",
        "CloudWatch: 테이블과 GSI별 ThrottledRequests > 0, Read/WriteThrottleEvents > 0; ConsumedRead/WriteCapacityUnits가 "
        "용량 또는 웜 처리량의 80%. SuccessfulRequestLatency(작업별)는 DynamoDB 내부에서 측정되어 네트워크, SDK, 재시도 "
        "시간이 빠지므로 여기서 잰 클라이언트 측 지연보다 낮습니다. 평소 값의 2배를 넘는 Average에 알람을 거십시오. "
        f"클라이언트 측 p99 {max(f['read_p99_ms'], f['write_p99_ms']) * 2:.1f} ms(이 테스트의 2배) 초과 알람은 "
        "애플리케이션 자체 지표에 거십시오.",
        "",
        "## 그래도 문제가 생기면",
        "즉시 웜 처리량이나 프로비저닝 용량을 올리고(전환 횟수가 남았다면 온디맨드 전환), 백오프 재시도를 유지하고, "
        "주문 쓰기는 버리지 말고 큐에 넣으십시오. 테이블 이름과 시각을 적어 지원 케이스를 여십시오 (Enterprise 지원은 "
        "AWS Countdown 이벤트 준비 검토 제공).",
    ]
    return lines


DEMAND_UNKNOWN = {
    "en": "## Demand\nThis closed-loop run was throttled, so its demand is unknown: workers waited for throttled "
    "answers instead of sending, and the figures above are estimates. Measure the demand with arrivals that do not "
    "wait: `ddbload run --rate {rate} ...` (or `--stages` for a ramp).",
    "ko": "## 수요\n이 폐쇄 루프 실행은 스로틀되어 실제 수요를 알 수 없습니다: 워커가 스로틀된 응답을 기다리느라 요청을 "
    "보내지 못했으므로 위 수치는 추정치입니다. 기다리지 않는 도착률로 수요를 측정하세요: "
    "`ddbload run --rate {rate} ...` (램프는 `--stages`).",
}


OFFLINE = {
    "en": "## Where this ran\nAgainst a local endpoint ({url}), not DynamoDB: an offline rehearsal. The figures show "
    "how the plan behaves under DynamoDB's rules; rerun against your tables on AWS before acting on them or "
    "opening a support case.",
    "ko": "## 실행 위치\n로컬 엔드포인트({url})에서 실행되었으며 DynamoDB가 아닙니다: 오프라인 리허설입니다. 수치는 "
    "DynamoDB 규칙에서 계획이 어떻게 동작하는지 보여 줍니다. 조치하거나 지원 케이스를 열기 전에 AWS의 테이블로 "
    "다시 실행하세요.",
}
OFFLINE_TITLE = {"en": "[offline - rerun on AWS] ", "ko": "[오프라인 - AWS 재실행 필요] "}


def offline_endpoint(result: dict[str, Any]) -> str | None:
    """The run's endpoint when it was a loopback address (DynamoDB Local, ddbload's own), else None."""
    url = result["config"].get("endpoint_url")
    return url if is_loopback(url) else None


def advise(result: dict[str, Any], lang: str = "en") -> Advice:
    if lang not in TEXT:
        raise ValueError(f"--lang: expected en or ko, got {lang!r}")
    f = figures(result)
    plans = _table_plans(result, f)
    throttled = f["throttle_rate"] >= THROTTLED
    details = _details_en(result, f, plans) if lang == "en" else _details_ko(result, f, plans)
    offline = offline_endpoint(result)
    if offline:
        details = [OFFLINE[lang].format(url=offline), "", *details]
    if result["summary"].get("model", "closed") == "closed" and throttled:
        rate = math.ceil((f["reads_per_s"] + f["writes_per_s"]) / max(1.0 - f["throttle_rate"], 0.05))
        details += ["", DEMAND_UNKNOWN[lang].format(rate=rate)]
    scaled = timeline.steps(result)
    if scaled:
        details += ["", "## Auto scaling during the test" if lang == "en" else "## 테스트 중 오토 스케일링"]
        details += [f"- {timeline.describe(step, lang)}" for step in scaled]
    return Advice(summarize(plans, throttled, lang), details, plans)


def support_case(result: dict[str, Any], lang: str = "en") -> tuple[str, str]:
    """A support-case title and body of at most 200 characters together: the test run and the planned fix."""
    advice = advise(result, lang)
    words = TEXT[lang]
    f = figures(result)
    region = result["config"]["region"]
    prefix = OFFLINE_TITLE[lang] if offline_endpoint(result) else ""
    titles = [
        prefix + words["case_title"].format(tables="/".join(p.name for p in advice.plans), region=region),
        prefix + words["case_title_short"].format(region=region),
    ]
    parts = []
    for p in advice.plans:
        if p.action in ("on-demand-warm", "raise-warm"):
            r, w = _warm_target(p)
            key = "case_plan_od" if p.action == "on-demand-warm" else "case_plan_warm"
            parts.append(words[key].format(t=p.name, r=r, w=w))
        elif p.action == "raise-provisioned":
            parts.append(words["case_plan_prov"].format(t=p.name, r=p.target[0], w=p.target[1]))
    plan = "; ".join(parts) or words["case_plan_keep"]
    fields = {"run": result["run_id"], "r": f["reads_per_s"], "w": f["writes_per_s"], "thr": f["throttle_rate"]}
    bodies = [
        words["case_body"].format(plan=plan, **fields),
        words["case_body"].format(plan=words["case_plan_short"], **fields),
    ]
    # The fullest title and body that fit together; the tables' names go before the plan's detail.
    for title, body in ((t, b) for t in titles for b in bodies):
        if len(title) + len(body) <= CASE_BODY_LIMIT:
            return title, body
    # Only very long run ids get here: they come first in the body, so the cut keeps them.
    return titles[1], bodies[1][: CASE_BODY_LIMIT - len(titles[1])]
