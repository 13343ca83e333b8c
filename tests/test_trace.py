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
from ddbload.trace.partiql import parse
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


def test_partiql_and_query_calls_count_for_their_tables_and_keys(tmp_path):
    """PartiQL records name no tableName: each statement's table and the key values its WHERE names (as
    CloudTrail logs them, other values redacted) count; a Query's logged key value counts as its key;
    an index's key does not count as its table's."""
    at = START + timedelta(milliseconds=10)
    select = "SELECT * FROM \"Products\" WHERE product_id = 'p-1' AND price = ***(Redacted)"
    calls = [
        {"time": at, "op": "ExecuteStatement", "statements": [select]},
        {"time": at, "op": "ExecuteStatement",
         "statements": ["UPDATE Products SET a = 'x WHERE' WHERE product_id = 'p-1'"]},
        {"time": at, "op": "ExecuteStatement", "statements": ["INSERT INTO Orders VALUE {'order_id' : ***(Redacted)}"]},
        {"time": at, "op": "ExecuteStatement", "statements": ["SELECT * FROM Orders.byCustomer WHERE customer = 'c'"]},
        {"time": at, "op": "BatchExecuteStatement", "statements": [select, select.replace("p-1", "p-2")]},
        {"time": at, "op": "Query", "table": "Products",
         "params": {"keyConditionExpression": "product_id = :v", "expressionAttributeValues": {":v": {"S": "p-2"}}}},
    ]  # fmt: skip
    write_lines(tmp_path / "export.jsonl", calls)
    found = stats(str(tmp_path / "export.jsonl"))

    assert {(o["table"], o["operation"]): o["calls"] for o in found["operations"]} == {
        ("Products", "ExecuteStatement"): 2, ("Orders", "ExecuteStatement"): 2,
        ("Products", "BatchExecuteStatement"): 1, ("Products", "Query"): 1,
    }  # fmt: skip
    keys = {json.loads(k["key"])["product_id"]: k["calls"] for k in found["top_keys"]["Products"]}
    assert keys == {"p-1": 3, "p-2": 2}
    assert "Orders" not in found["top_keys"]


@pytest.mark.parametrize(
    ("text", "verb", "table", "index", "where"),
    [
        # DynamoDB's documented CloudTrail examples, then quoting, an OR, RETURNING and a literal first.
        ("SELECT * FROM Music WHERE Artist = 'No One You Know' AND SongTitle = 'Call Me Today' AND nonKeyAttr = "
         "***(Redacted)", "SELECT", "Music", None, {"Artist": "No One You Know", "SongTitle": "Call Me Today"}),
        ("UPDATE Music SET Album = ***(Redacted) WHERE Artist = 'No One You Know' AND SongTitle = 'Call Me Today'",
         "UPDATE", "Music", None, {"Artist": "No One You Know", "SongTitle": "Call Me Today"}),
        ("INSERT INTO Music VALUE {'Artist' : ***(Redacted), 'SongTitle' : ***(Redacted)}",
         "INSERT", "Music", None, {}),
        ('select "a" from "My ""T"""."idx" where "pk" = \'it\'\'s\'', "SELECT", 'My "T"', "idx", {"pk": "it's"}),
        ("DELETE FROM T WHERE pk = 5 OR pk = 6", "DELETE", "T", None, None),
        ("DELETE FROM T WHERE pk = -5.5e3 AND (sk > 1 OR sk < 0) RETURNING ALL OLD *",
         "DELETE", "T", None, {"pk": "-5.5e3"}),
        ("SELECT * FROM T WHERE 7 = pk", "SELECT", "T", None, {"pk": "7"}),
        # ORDER BY ends the WHERE clause; a bracket inside a literal or a quoted name is text.
        ("SELECT * FROM T WHERE pk = 'x' ORDER BY sk DESC", "SELECT", "T", None, {"pk": "x"}),
        ("SELECT * FROM T WHERE pk = '(' AND \"[\" = 'b'", "SELECT", "T", None, {"pk": "(", "[": "b"}),
    ],
)  # fmt: skip
def test_a_logged_partiql_statement_is_read_for_its_table_and_key(text, verb, table, index, where):
    found = parse(text)
    assert (found.verb, found.table, found.index, found.equalities) == (verb, table, index, where)


def test_a_statement_names_the_attributes_its_where_compares_whatever_with():
    """`pk = ?` or `pk IN [...]` name the key without its value: the replay must not read them as a scan."""
    found = parse('SELECT * FROM T WHERE pk = ? AND "sk" IN [1, 2] AND size(tags) > 3 ORDER BY other')
    assert found.equalities == {}
    assert found.names == {"pk", "sk", "tags"}
