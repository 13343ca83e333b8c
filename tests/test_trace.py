"""`ddbload trace stats`: traces written in each input format by a generator with a known per-second rate
curve, operation mix and key distribution; the statistics must give them back exactly."""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from datetime import timedelta
from importlib import resources

import jsonschema
import pytest
from conftest import refusal, run_cli
from trace_files import START, record, write_csv, write_lines, write_s3

RATES = [3, 8, 20, 40, 25, 12, 6, 0, 4, 9]  # calls in each second; second 7 is quiet
SCHEMA = json.loads(resources.files("ddbload").joinpath("schema/trace_stats.schema.json").read_text())


def generated_calls(seed: int = 7) -> list[dict]:
    """Calls with a zipf-like key draw on Products and uniform keys on Orders."""
    rng = random.Random(seed)
    calls = []
    for second, rate in enumerate(RATES):
        for n in range(rate):
            when = START + timedelta(seconds=second, milliseconds=rng.randrange(1000))
            if n % 4 == 3:
                calls.append({"time": when, "op": "PutItem", "table": "Orders", "key": {"order_id": f"o-{second}-{n}"}})
            elif n % 4 == 2:
                calls.append({"time": when, "op": "Query", "table": "Orders", "key": None})
            else:
                rank = min(int(rng.paretovariate(1.2)), 30)
                calls.append({"time": when, "op": "GetItem", "table": "Products", "key": {"product_id": f"p{rank}"}})
    return calls


def stats(*args: str) -> dict:
    proc = run_cli("trace", "stats", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    jsonschema.validate(found, SCHEMA)
    return found


@pytest.mark.parametrize("layout", ["s3-gzip", "json-lines", "csv"])
def test_statistics_equal_the_generated_trace(tmp_path, layout):
    calls = generated_calls()
    if layout == "s3-gzip":
        write_s3(tmp_path, calls)
        found = stats(str(tmp_path))
        assert found["skipped"]["management"] == 1
    elif layout == "json-lines":
        write_lines(tmp_path / "export.jsonl", calls)
        found = stats(str(tmp_path / "export.jsonl"))
    else:
        write_csv(tmp_path / "trace.csv", calls)
        found = stats(str(tmp_path / "trace.csv"))

    assert found["calls"] == sum(RATES)
    assert found["first_second"] == int(START.timestamp())
    assert found["calls_per_second"] == RATES
    assert found["busiest"] == {"second": int(START.timestamp()) + 3, "calls": 40}
    mix = Counter((c["table"], c["op"]) for c in calls)
    assert {(o["table"], o["operation"]): o["calls"] for o in found["operations"]} == dict(mix)
    products = Counter(c["key"]["product_id"] for c in calls if c["table"] == "Products")
    expected = sorted(products.items(), key=lambda kv: (-kv[1], json.dumps({"product_id": kv[0]})))[:10]
    top = found["top_keys"]["Products"]
    assert [(json.loads(k["key"])["product_id"], k["calls"]) for k in top] == expected
    assert all(k["lower"] == k["upper"] == k["calls"] for k in top)  # exact: few distinct keys
    assert top[0]["share"] == pytest.approx(expected[0][1] / sum(products.values()))


def test_terminal_and_html_show_the_busiest_second_and_top_key(tmp_path):
    calls = generated_calls()
    write_lines(tmp_path / "t.jsonl", calls)
    proc = run_cli("trace", "stats", str(tmp_path / "t.jsonl"), "--html", str(tmp_path / "t.html"))
    assert proc.returncode == 0, proc.stderr
    assert "busiest second 2026-11-27 09:00:03 UTC with 40 calls" in proc.stdout
    assert "calls per second" in proc.stdout  # the terminal chart's title
    page = (tmp_path / "t.html").read_text()
    assert "Plotly" in page or "ddbloadCharts" in page
    assert "p1" in page
    # A file ddbload did not write is never overwritten.
    (tmp_path / "mine.html").write_text("<html>my notes</html>")
    line = refusal(run_cli("trace", "stats", str(tmp_path / "t.jsonl"), "--html", str(tmp_path / "mine.html")))
    assert "--html" in line and "refusing to overwrite" in line
    assert (tmp_path / "mine.html").read_text() == "<html>my notes</html>"


def test_bad_records_are_one_line_or_counted_with_skip_bad(tmp_path):
    good = [record(c) for c in generated_calls()[:5]]
    no_key = record({"time": START, "op": "GetItem", "table": "Products", "key": None})
    unknown = dict(good[0], eventName="DropEverything")
    lines = [json.dumps(r) for r in good[:2]] + [json.dumps(no_key)] + [json.dumps(r) for r in good[2:]]
    lines.append(json.dumps(unknown))
    (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n")

    line = refusal(run_cli("trace", "stats", str(tmp_path / "bad.jsonl")))
    assert "bad.jsonl: record 3: GetItem on Products has no key" in line

    found = stats(str(tmp_path / "bad.jsonl"), "--skip-bad")
    assert found["calls"] == 5
    assert len(found["bad_records"]) == 2
    assert "unknown operation 'DropEverything'" in found["bad_records"][1]

    with gzip.open(tmp_path / "cut.json.gz", "wt") as f:
        json.dump({"Records": good}, f)
    whole = (tmp_path / "cut.json.gz").read_bytes()
    (tmp_path / "cut.json.gz").write_bytes(whole[: len(whole) // 2])
    line = refusal(run_cli("trace", "stats", str(tmp_path / "cut.json.gz")))
    assert "cut.json.gz" in line and "cannot be read to the end" in line


def test_missing_trace_is_one_line():
    assert "no-such-trace.json.gz" in refusal(run_cli("trace", "stats", "no-such-trace.json.gz"))
