"""After the run: advise and support-case (limits, languages, figures), compare (merged histograms),
thresholds (exit codes), the notebook view."""

from __future__ import annotations

import copy
import json
import math
import re
from datetime import datetime, timedelta

import ddbload
import pytest
from conftest import run_cli
from ddbload import _engine
from ddbload.advise import SUMMARY_LIMIT, advise, support_case
from ddbload.figures import figures


@pytest.fixture(scope="module")
def clean_result(endpoint, tmp_path_factory) -> dict:
    """A real 3-second run against DynamoDB Local, on fresh tables, at a set rate: the advice for it must
    not depend on how fast this machine's client and DynamoDB Local are (8 closed workers against a
    warmed-up DynamoDB Local peaked at 2,078 writes/s, whose doubled target passed a new table's 4,000
    warm writes/s and turned a clean run's "keep" into "raise-warm")."""
    folder = tmp_path_factory.mktemp("after")
    out = folder / "clean.json"
    proc = run_cli(
        "run", "--endpoint-url", endpoint, "--products-table", "after-products", "--orders-table", "after-orders",
        "--create-tables", "--seed-products", "100", "--rate", "500", "--duration", "3s", "--output", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


@pytest.fixture
def throttled_result(clean_result) -> dict:
    """The same figures as if both tables had been provisioned at RCU 2 / WCU 2 and mostly throttled."""
    result = copy.deepcopy(clean_result)
    for info in result["tables"].values():
        info.update(billing_mode="PROVISIONED", read_capacity_units=2, write_capacity_units=2)
    result["summary"]["writes"]["throttled_attempts"] = 3 * result["summary"]["writes"]["ok"]
    result["summary"]["throttle_rate"] = 0.6
    return result


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_advice_for_a_result_without_the_optional_max_attempts(throttled_result, lang):
    """The schema leaves config.max_attempts optional (a result written elsewhere may lack it)."""
    del throttled_result["config"]["max_attempts"]
    text = "\n".join(advise(throttled_result, lang).details)
    assert {"en": "made up to ? attempts", "ko": "최대 ?회"}[lang] in text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_advice_summary_fits_and_differs_between_clean_and_throttled(clean_result, throttled_result, lang):
    clean, throttled = advise(clean_result, lang), advise(throttled_result, lang)
    assert len(clean.summary) <= SUMMARY_LIMIT and len(throttled.summary) <= SUMMARY_LIMIT
    assert clean.summary != throttled.summary
    assert {p.action for p in throttled.plans} == {"on-demand-warm"}
    assert {p.action for p in clean.plans} == {"keep"}
    word = "on-demand" if lang == "en" else "온디맨드"
    assert word in throttled.summary and word not in clean.summary.split(":", 1)[1].split(";")[0]


@pytest.mark.parametrize(
    ("lang", "server_side"), [("en", "measured inside DynamoDB"), ("ko", "DynamoDB 내부에서 측정")]
)
def test_alarm_advice_keeps_client_and_server_side_latency_apart(throttled_result, lang, server_side):
    """CloudWatch's SuccessfulRequestLatency is server-side; this test's p99 is client-side."""
    text = "\n".join(advise(throttled_result, lang).details)
    alarms = text.split("SuccessfulRequestLatency", 1)[1].split("\n")[0]
    f = figures(throttled_result)
    client_p99 = f"{max(f['read_p99_ms'], f['write_p99_ms']) * 2:.1f} ms"
    assert server_side in alarms and "Average" in alarms
    assert client_p99 in alarms.split("Average", 1)[1], "the client-side figure is not given for the server metric"


def test_advice_figures_match_the_result(throttled_result):
    f = figures(throttled_result)
    text = "\n".join(advise(throttled_result, "en").details)
    assert f"Reads {f['reads_per_s']:,.1f}/s" in text
    assert f"Throttled attempts: {f['throttle_rate']:.2%}" in text
    orders = next(p for p in advise(throttled_result).plans if p.role == "orders")
    assert orders.target[1] == math.ceil(orders.peak[1] * 2)
    # Warm throughput is raised to the target, never below what the table already has.
    assert f"{max(orders.target[1], orders.warm[1]):,} writes/s" in text
    assert "4 times in 24 hours" in text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_support_case_title_and_body_fit_200_characters_together(clean_result, throttled_result, lang):
    long_names = copy.deepcopy(throttled_result)
    for table in long_names["tables"].values():
        table["name"] = "prod-eu-commerce-" + table["name"] + "-2026-black-friday"
    long_names["tables"] = {t["name"]: t for t in long_names["tables"].values()}
    for result in (clean_result, throttled_result, long_names):
        title, body = support_case(result, lang)
        assert title and len(title) + len(body) <= 200, (title, body)
        assert result["run_id"] in body


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_an_offline_run_says_so_and_an_aws_run_does_not(clean_result, lang):
    # clean_result ran against DynamoDB Local on loopback.
    offline = advise(clean_result, lang)
    # The verdict comes first, then where the run went.
    first = offline.details.index("")
    where = offline.details[first + 1]
    assert clean_result["config"]["endpoint_url"] in where and "AWS" in where
    title, _ = support_case(clean_result, lang)
    assert title.startswith("[") and "AWS" in title
    on_aws = copy.deepcopy(clean_result)
    on_aws["config"]["endpoint_url"] = None
    assert not any("AWS" in line and "rerun" in line.lower() for line in advise(on_aws, lang).details[:6])
    assert not support_case(on_aws, lang)[0].startswith("[")


def test_korean_text_has_no_english_sentence(clean_result, throttled_result):
    # A peak 100 times the clean run's: near a partition's limit and above the table quota, so the notes show.
    busy = copy.deepcopy(clean_result)
    for row in busy["timeseries"]:
        row["read_units"] *= 100
        row["write_units"] *= 100
        for units in row["units"].values():  # advise sizes each table by its own busiest second
            units["read_units"] *= 100
            units["write_units"] *= 100
    assert any(line.startswith("  참고: ") for line in advise(busy, "ko").details)
    for result in (clean_result, throttled_result, busy):
        title, body = support_case(result, "ko")
        advice = advise(result, "ko")
        for text in (title, body, advice.summary, *advice.details):
            # Table names, ids and units are single tokens; three English words in a row are a sentence.
            assert not re.search(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}", text), text


@pytest.mark.parametrize(("lang", "place"), [("en", "against a local endpoint"), ("ko", "로컬 엔드포인트에서")])
def test_an_offline_run_is_not_said_to_have_run_in_a_region(clean_result, tmp_path, lang, place):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(clean_result))
    advice = run_cli("advise", str(path), "--lang", lang)
    assert advice.returncode == 0, advice.stderr
    [measured] = [line for line in advice.stdout.splitlines() if line.startswith(("Run ", "실행 "))]
    assert clean_result["run_id"] in measured and place in measured and "us-east-1" not in measured, measured


def test_cli_advise_and_support_case(clean_result, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(clean_result))
    advice = run_cli("advise", str(path), "--lang", "ko")
    assert advice.returncode == 0 and "사전" in advice.stdout
    case = run_cli("support-case", str(path))
    assert case.returncode == 0 and clean_result["run_id"] in case.stdout
    assert run_cli("advise", str(tmp_path / "missing.json")).returncode == 2


def test_merged_percentiles_come_from_merged_histograms(clean_result, throttled_result):
    a = clean_result["histograms"]["reads"]
    count, (p50, p99, top) = _engine.histogram_quantiles(a, [0.5, 0.99, 1.0])
    # The latency histogram holds the successes and the reads cut at the run's end (their wait so far):
    # on a slow machine a read or two are still in flight at the deadline.
    reads = clean_result["summary"]["reads"]
    assert count == reads["ok"] + reads["timed_out"]
    twice_count, twice = _engine.histogram_quantiles(_engine.merge_histograms([a, a]), [0.5, 0.99, 1.0])
    assert twice_count == 2 * count and twice == [p50, p99, top]
    writes = clean_result["histograms"]["writes"]
    both_count, (both_p50, _, both_max) = _engine.histogram_quantiles(
        _engine.merge_histograms([a, writes]), [0.5, 0.99, 1.0]
    )
    w_count, (w_p50, _, w_max) = _engine.histogram_quantiles(writes, [0.5, 0.99, 1.0])
    assert both_count == count + w_count
    assert both_max == max(top, w_max)
    assert min(p50, w_p50) <= both_p50 <= max(p50, w_p50)


def test_cli_compare_shows_runs_side_by_side(clean_result, throttled_result, tmp_path):
    a, b = tmp_path / "mine.json", tmp_path / "colleague.json"
    a.write_text(json.dumps(clean_result))
    slower = copy.deepcopy(clean_result)
    slower["summary"]["reads"]["per_second"] *= 2
    b.write_text(json.dumps(slower))
    proc = run_cli("compare", str(a), str(b))
    assert proc.returncode == 0, proc.stderr
    assert "mine" in proc.stdout and "colleague" in proc.stdout and "all runs" in proc.stdout
    assert "(+100%)" in proc.stdout
    _, (merged_p99,) = _engine.histogram_quantiles(
        _engine.merge_histograms([clean_result["histograms"]["reads"]] * 2), [0.99]
    )
    read_p99_row = next(line for line in proc.stdout.splitlines() if "read p99 ms" in line)
    assert f"{merged_p99:,.2f}" in read_p99_row


def _rows(out: str) -> dict[str, str]:
    """A rich table's lines by their first cell."""
    return {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 2}


def test_compare_shows_each_tables_capacity_and_adds_rates_only_of_runs_at_the_same_time(
    clean_result, throttled_result, tmp_path
):
    a, b, later = tmp_path / "on-demand.json", tmp_path / "at-2-2.json", tmp_path / "later.json"
    a.write_text(json.dumps(clean_result))
    b.write_text(json.dumps(throttled_result))
    an_hour_later = copy.deepcopy(throttled_result)
    start = datetime.fromisoformat(clean_result["started_at"].replace("Z", "+00:00")) + timedelta(hours=1)
    an_hour_later["started_at"] = start.isoformat().replace("+00:00", "Z")
    later.write_text(json.dumps(an_hour_later))
    f = figures(clean_result)
    together = run_cli("compare", str(a), str(b))
    assert together.returncode == 0, together.stderr
    row = _rows(together.stdout)["after-products capacity"]
    assert "on-demand" in row and "provisioned 2/2" in row
    assert f"{2 * f['reads_per_s']:,.1f}" in _rows(together.stdout)["reads/s"]
    apart = run_cli("compare", str(a), str(later))
    assert apart.returncode == 0, apart.stderr
    assert _rows(apart.stdout)["reads/s"].rstrip("│ ").endswith("-")
    assert "rates are added only for runs that overlapped in time; these did not" in apart.stdout


def test_thresholds_pass_fail_and_malformed(endpoint, tables, tmp_path):
    products, orders = tables
    base = ["run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
            "--create-tables", "--seed-products", "50", "--threads", "2", "--duration", "1s"]  # fmt: skip
    passed = run_cli(*base, "--fail-if", "p99_ms>100000", "--fail-if", "throttle_rate>0.5")
    assert passed.returncode == 0, passed.stderr
    failed = run_cli(*base, "--fail-if", "reads_per_s>0", "--fail-if", "errors>1000")
    assert failed.returncode == 1
    # One line per broken threshold (the setup steps a piped run shows come before them).
    lines = [line for line in failed.stderr.splitlines() if line.startswith("threshold broken")]
    assert len(lines) == 1 and lines[0].startswith("threshold broken: reads_per_s>0 (measured "), failed.stderr
    out = tmp_path / "never.json"
    for bad in ("p99_ms>>5", "latency>5", "p99_ms>fast"):
        proc = run_cli("run", "--endpoint-url", endpoint, "--products-table", "never-made-products",
                       "--create-tables", "--output", str(out), "--fail-if", bad)  # fmt: skip
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--fail-if" in proc.stderr, proc.stderr
    assert not out.exists()


def test_result_renders_in_a_notebook(clean_result):
    result = ddbload.Result(clean_result)
    html = result._repr_html_()
    assert f"{clean_result['summary']['reads']['ok']:,}" in html and "<table>" in html
    summary, timeseries = result.to_pandas()
    assert list(summary.index) == ["reads", "writes"]
    assert summary.loc["writes", "ok"] == clean_result["summary"]["writes"]["ok"]
    assert len(timeseries) == len(clean_result["timeseries"])


def test_a_key_range_throttling_reason_is_reported_as_a_hot_key(clean_result):
    result = copy.deepcopy(clean_result)
    result["summary"]["writes"]["throttled_attempts"] = 40
    result["summary"]["writes"]["throttled_by_reason"] = {"TableWriteKeyRangeThroughputExceeded": 40}
    text = "\n".join(advise(result, "en").details)
    assert "Contributor Insights" in text
    assert "Contributor Insights" not in "\n".join(advise(clean_result, "en").details)


@pytest.mark.parametrize("command", ["advise", "support-case", "report", "compare"])
@pytest.mark.parametrize(
    ("damage", "where"),
    [
        (lambda r: r["summary"]["reads"].pop("ok"), "summary.reads"),
        (lambda r: r["summary"]["writes"].update(latency_ms="fast"), "summary.writes.latency_ms"),
        (lambda r: r.update(timeseries={"t": 1}), "timeseries"),
        (lambda r: r["consumed_capacity"].update(x={"read_units": "many"}), "consumed_capacity.x"),
    ],
)
def test_a_damaged_result_is_one_line_not_a_traceback(clean_result, tmp_path, command, damage, where):
    result = copy.deepcopy(clean_result)
    damage(result)
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(result))
    proc = run_cli(command, str(path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "not a usable ddbload result" in proc.stderr and where in proc.stderr, proc.stderr


def test_throttle_rate_is_throttled_attempts_over_attempts(clean_result):
    summary = clean_result["summary"]
    attempts = summary["reads"]["attempts"] + summary["writes"]["attempts"]
    throttled = summary["reads"]["throttled_attempts"] + summary["writes"]["throttled_attempts"]
    assert attempts >= summary["reads"]["ok"] + summary["writes"]["ok"]
    assert summary["throttle_rate"] == (throttled / attempts if attempts else 0.0)
    assert figures(clean_result)["attempts"] == attempts


def test_advice_says_how_long_throttling_lasted_before_auto_scaling_caught_up(clean_result):
    result = copy.deepcopy(clean_result)
    orders = next(name for name, info in result["tables"].items() if info["role"] == "orders")
    rows = result["timeseries"]
    for i, row in enumerate(rows):
        row["provisioned"] = {orders: {"read": 10, "write": 10 if i < 2 else 29}}
        row["throttled"] = 40 if i < 2 else 0
    text = "\n".join(advise(result).details)
    step_at = rows[2]["t"]
    expected = (
        f"Auto scaling raised {orders}'s write capacity from 10 to 29 at {step_at}s, "
        f"{step_at - rows[0]['t']}s after throttling began (80 throttled attempts before it caught up)."
    )
    assert expected in text, text
    assert "오토 스케일링" in "\n".join(advise(result, "ko").details)
