"""`ddbload run --workload FILE`: your own tables and operations, run end to end against DynamoDB Local and
the offline endpoint, with the items in the tables afterwards checked against the counted successes (items
added, counters incremented, conditional failures that left their item as it was). Mistakes in the file
are one line naming the file, line and column, exit 2, with nothing created."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import ddbload
import pytest
from conftest import client_for, refusal, run_cli, scan_all
from ddbload import _engine
from ddbload.workload_file import text_json

COUPONS_LEFT = 3


def write_file(tmp_path: Path, name: str, text: str) -> tuple[Path, Path]:
    """The workload file written as NAME.yaml, and where its run's result goes."""
    workload = tmp_path / f"{name}.yaml"
    workload.write_text(text)
    return workload, tmp_path / "result.json"


def run_file(workload: Path, out: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`ddbload run --workload FILE --create-tables ARGS` against `url`, its result written to `out`."""
    return run_cli(
        "run", "--workload", str(workload), "--create-tables", "--endpoint-url", url, "--output", str(out), *args
    )  # fmt: skip


def checkout_file(suffix: str) -> str:
    return f"""\
# A checkout: carts read by key and through a GSI, a visit counter, new carts, and limited coupons.
version: 1
tables:
  carts:
    table: carts-{suffix}
    partition_key: {{name: user, type: S}}
    key_prefix: "user-"
    items: 40
    indexes:
      - name: by_status
        partition_key: {{name: status, type: S}}
    item:
      status: {{choice: [OPEN, PAID]}}
      total: {{decimal: {{min: "0.01", max: "999.99"}}}}
      tags: {{list: {{of: {{string: {{length: [3, 8]}}}}, length: [0, 3]}}}}
      address: {{map: {{city: {{choice: [Lyon, Oslo]}}, zip: {{int: {{min: 10000, max: 99999}}}}}}}}
      expires: {{now: {{plus_seconds: 86400}}}}
  coupons:
    table: coupons-{suffix}
    partition_key: {{name: code, type: S}}
    sort_key: {{name: batch, type: N}}
    items_per_partition: 2
    items: 6
    item:
      left: {{const: {COUPONS_LEFT}}}
operations:
  - name: view_cart
    weight: 30
    get: {{table: carts}}
  - name: visit
    weight: 20
    update:
      table: carts
      add: {{visits: {{const: 1}}}}
      set: {{seen_by: {{uuid: {{}}}}}}
      condition: attribute_exists(#u)
      names: {{"#u": user}}
      return_values: UPDATED_NEW
  - name: new_cart
    weight: 10
    put:
      table: carts
      condition: attribute_not_exists(#u)
      names: {{"#u": user}}
  - name: open_carts
    weight: 10
    query: {{table: carts, index: by_status, partition: {{const: OPEN}}, limit: 5, pages: 3,
             filter: "#t > :min", names: {{"#t": total}}, values: {{":min": {{const: 0}}}}}}
  - name: claim_coupon
    weight: 30
    update:
      table: coupons
      add: {{left: {{const: -1}}}}
      condition: "#l > :zero"
      names: {{"#l": left}}
      values: {{":zero": {{const: 0}}}}
  - name: checkout
    weight: 10
    transact:
      - update:
          table: coupons
          add: {{left: {{const: -1}}}}
          condition: "#l > :zero"
          names: {{"#l": left}}
          values: {{":zero": {{const: 0}}}}
      - put: {{table: carts, condition: attribute_not_exists(#u), names: {{"#u": user}}}}
"""


# Each operation goes through the fast client or, with --client sdk, the AWS SDK: the same counts either way.
CLIENTS = pytest.mark.parametrize("client", ["fast", "sdk"])


@CLIENTS
def test_a_workload_file_runs_and_the_tables_hold_what_it_counted(target, tmp_path, client):
    suffix = uuid.uuid4().hex[:8]
    workload, out = write_file(tmp_path, "checkout", checkout_file(suffix))
    proc = run_file(workload, out, target, "--duration", "2s", "--rate", "200", "--client", client)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    ops = result["operations"]
    assert sorted(ops) == ["checkout", "claim_coupon", "new_cart", "open_carts", "view_cart", "visit"]
    for name in ("view_cart", "visit", "new_cart", "open_carts"):
        assert ops[name]["ok"] > 0 and ops[name]["errors"] == {}, (name, ops[name])
    summary = result["summary"]
    assert summary["reads"]["ok"] == ops["view_cart"]["ok"] + ops["open_carts"]["ok"]
    # About 20 of the 40 seeded carts are OPEN (fewer than 10 has odds of 1 in 100,000), 5 a page, 3 pages
    # at most: each query operation followed LastEvaluatedKey twice, so sent 3 requests (its filter
    # drops nothing, and DynamoDB applies Limit before it).
    # An operation the deadline cut may have sent one or two of its pages: those are attempts too.
    open_carts = ops["open_carts"]
    unfinished = open_carts.get("cut_at_deadline", 0) + open_carts.get("timed_out", 0)
    assert 3 * open_carts["ok"] <= open_carts["attempts"] <= 3 * (open_carts["ok"] + unfinished), open_carts
    writes = ("visit", "new_cart", "claim_coupon", "checkout")
    assert summary["writes"]["ok"] == sum(ops[name]["ok"] for name in writes)

    client = client_for(target)
    carts = scan_all(client, f"carts-{suffix}")
    # Every seeded cart plus every new cart the run counted (alone or in a checkout); the seeded ones
    # keyed user-0 .. user-39.
    assert len(carts) == 40 + ops["new_cart"]["ok"] + ops["checkout"]["ok"]
    assert {f"user-{i}" for i in range(40)} <= {c["user"] for c in carts}
    # Each counted visit added one to a cart's counter, and only to carts that existed.
    assert sum(c.get("visits", 0) for c in carts) == ops["visit"]["ok"]
    for cart in carts:
        # Drawn in cents (DynamoDB drops trailing zeros: 297.10 is stored as 297.1).
        total = cart["total"]
        assert isinstance(total, Decimal) and (total * 100) % 1 == 0 and Decimal("0.01") <= total <= Decimal("999.99")
        assert cart["status"] in ("OPEN", "PAID")

    coupons = scan_all(client, f"coupons-{suffix}")
    assert len(coupons) == 6 and {(c["code"], c["batch"]) for c in coupons} == {
        (f"{i // 2}", Decimal(i % 2)) for i in range(6)
    }
    # 18 coupons for ~80 claims: once a coupon is gone its claims fail the condition and change nothing,
    # and a checkout whose coupon was gone wrote no cart either (the transaction is all or nothing).
    claimed = sum(COUPONS_LEFT - c["left"] for c in coupons)
    assert claimed == ops["claim_coupon"]["ok"] + ops["checkout"]["ok"]
    assert all(c["left"] >= 0 for c in coupons)
    assert ops["claim_coupon"]["conditional_check_failed"] > 0
    assert ops["checkout"]["conditional_check_failed"] > 0 and ops["checkout"]["errors"] == {}

    units = result["consumed_capacity"]
    assert units[f"carts-{suffix}"]["read_units"] > 0 and units[f"carts-{suffix}"]["write_units"] > 0
    assert units[f"coupons-{suffix}"]["write_units"] > 0
    assert result["tables"][f"carts-{suffix}"]["role"] == "carts"
    assert result["tables"][f"carts-{suffix}"]["created_by_run"] is True


def test_the_workshop_names_its_two_operations_and_fail_if_reads_them(offline, tmp_path):
    url = offline
    out = tmp_path / "result.json"
    base = ["run", "--duration", "2s", "--rate", "100", "--endpoint-url", url, "--create-tables",
            "--seed-products", "20", "--write-op", "transact"]  # fmt: skip
    proc = run_cli(*base, "--output", str(out), "--fail-if", "op.place_order.p99_ms>100000")
    failed = run_cli(*base, "--fail-if", "op.get_product.ok>0", "--fail-if", "op.checkout.ok<1")
    malformed = run_cli(*base, "--fail-if", "op.get_product.speed>1")
    assert proc.returncode == 0, proc.stderr
    assert failed.returncode == 1, failed.stderr
    broken = [line for line in failed.stderr.splitlines() if line.startswith("threshold broken")]
    assert broken[0].startswith("threshold broken: op.get_product.ok>0 (measured "), broken
    assert broken[1] == (
        "threshold broken: op.checkout.ok<1 (the run has no such operation: its operations are get_product, "
        "place_order)"
    )
    assert "unknown figure 'speed'" in refusal(malformed)
    result = json.loads(out.read_text())
    ops, summary = result["operations"], result["summary"]
    assert sorted(ops) == ["get_product", "place_order"]
    assert ops["get_product"]["ok"] == summary["reads"]["ok"] > 0
    assert ops["place_order"]["ok"] == summary["writes"]["ok"] > 0
    assert ops["place_order"]["attempts"] == summary["writes"]["attempts"]


MISTAKES = [
    # (what is wrong, the text replaced, its replacement, where the message points, what it says)
    ("a float price", 'min: "0.01"', "min: 0.01", ":14:25:", "0.01 is a float"),
    ("a misspelt key", "get: {table: carts}", "get: {tabel: carts}", ":29:11:", "unknown key 'tabel'"),
    ("an unknown table", "table: coupons\n", "table: coupon\n", ":52:7:", 'no table "coupon"'),
    ("an index the table lacks", "index: by_status", "index: by_state", ":47:27:", 'no index "by_state"'),
    (
        "a put asking for new values",
        "condition: attribute_not_exists(#u)\n",
        "return_values: ALL_NEW\n",
        ":43:7:",
        "'ALL_NEW' is not one of ['NONE', 'ALL_OLD']",
    ),
]


@pytest.mark.parametrize(("what", "old", "new", "where", "says"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_mistake_in_the_file_is_one_line_with_its_line_and_nothing_is_created(
    endpoint, tmp_path, what, old, new, where, says
):
    suffix = uuid.uuid4().hex[:8]
    text = checkout_file(suffix)
    assert old in text, what
    workload = tmp_path / "checkout.yaml"
    workload.write_text(text.replace(old, new, 1))
    proc = run_cli(
        "run", "--workload", str(workload), "--create-tables", "--duration", "2s", "--endpoint-url", endpoint
    )  # fmt: skip
    line = refusal(proc)
    assert line.startswith(f"ddbload: error: --workload: {workload}{where}"), line
    assert says in line, line
    assert not [t for t in client_for(endpoint).list_tables()["TableNames"] if suffix in t]


def test_python_takes_a_dict_and_refuses_a_float_with_a_type_error_message():
    workload = {
        "tables": {"t": {"partition_key": {"name": "id", "type": "S"}, "items": 5}},
        "operations": [{"name": "read", "get": {"table": "t"}}],
    }
    config = ddbload.LoadConfig(workload=workload, duration="1s")
    assert config is not None
    workload["tables"]["t"]["item"] = {"price": {"decimal": {"min": 1.5, "max": "9.99"}}}
    where = r"the workload dict at tables\.t\.item\.price\.decimal\.min"
    with pytest.raises(_engine.ConfigError, match=rf"^workload: {where}: 1\.5 is a float"):
        ddbload.LoadConfig(workload=workload)


@pytest.mark.parametrize("preset", ["ycsb-a", "ycsb-d", "ycsb-e"])
def test_a_ycsb_preset_seeds_1kb_records_and_runs_its_mix(offline, preset, tmp_path):
    url = offline
    table = f"ycsb-{uuid.uuid4().hex[:8]}"
    out = tmp_path / "result.json"
    proc = run_cli(
        "run", "--workload", preset, "--table", f"usertable={table}", "--create-tables", "--duration", "2s",
        "--rate", "300", "--endpoint-url", url, "--output", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    records = scan_all(client_for(url), table)
    result = json.loads(out.read_text())
    ops = result["operations"]
    expected = {"ycsb-a": ["read", "update"], "ycsb-d": ["insert", "read"], "ycsb-e": ["insert", "scan"]}[preset]
    assert sorted(ops) == expected
    for name in expected:
        assert ops[name]["ok"] > 0 and ops[name]["errors"] == {}, (name, ops[name])
    inserted = ops.get("insert", {}).get("ok", 0)
    assert len(records) == 1000 + inserted
    assert all(sum(len(record[f"field{i}"]) for i in range(10)) == 1000 for record in records)
    assert result["config"]["workload"]["description"].startswith("YCSB core workload")


def test_workload_workshop_is_the_default_run(offline, tmp_path):
    url = offline
    out = tmp_path / "result.json"
    base = [
        "run",
        "--duration",
        "1s",
        "--rate",
        "50",
        "--endpoint-url",
        url,
        "--create-tables",
        "--seed-products",
        "5",
    ]
    proc = run_cli(*base, "--workload", "workshop", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert "workload" not in result["config"] and sorted(result["operations"]) == ["get_product", "put_order"]


HOT_COUNTER = """\
tables:
  counters:
    table: counters-{suffix}
    partition_key: {{name: id, type: S}}
    items: 3
    billing: {{read: 1, write: 1}}
    item: {{hits: {{const: 0}}}}
operations:
  - {{name: bump, weight: 1, update: {{table: counters, add: {{hits: {{const: 1}}}}}}}}
"""


# 1 WCU with DynamoDB's burst (up to 300 s of unused capacity) holds about 300 writes: 750 must throttle.
def test_a_file_table_under_capacity_is_named_in_the_summary_and_advise_report_compare_take_the_result(
    offline, tmp_path
):
    suffix = uuid.uuid4().hex[:8]
    url = offline
    workload, out = write_file(tmp_path, "hot", HOT_COUNTER.format(suffix=suffix))
    proc = run_file(workload, out, url, "--duration", "3s", "--rate", "250")
    hits = sum(int(item["hits"]) for item in scan_all(client_for(url), f"counters-{suffix}"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    bump = result["operations"]["bump"]
    assert bump["throttled_attempts"] > 0 and hits == bump["ok"]
    # Three keys drawn uniformly: each is a third of the table's draws, named for advice on hot keys.
    assert sorted((h["key"], round(h["share"], 3)) for h in result["hot_keys"]) == [
        ("0", 0.333),
        ("1", 0.333),
        ("2", 0.333),
    ]
    text = " ".join(proc.stdout.split())
    assert f"counters-{suffix}: provisioned 1 WCU = 1 writes/s of items up to 1 KB" in text, text
    assert "Per operation" in text and "bump" in text
    # The file has no reads: no empty reads row in the operations and latency tables.
    assert "│ writes" in proc.stdout and "│ reads" not in proc.stdout
    for command in (("advise", str(out)), ("report", str(out), "--output", str(tmp_path / "r.html"))):
        done = run_cli(*command)
        assert done.returncode == 0, (command, done.stderr)
    page = (tmp_path / "r.html").read_text()
    assert f"<th>operation bump</th><td>{bump['per_second']:,.1f}/s, p99 {bump['latency_ms']['p99']:.2f} ms" in page
    # compare gives each named operation's rate and p99, the p99 of both runs from merged histograms.
    compared = run_cli("compare", str(out), str(out))
    assert compared.returncode == 0, compared.stderr
    row = next(line for line in compared.stdout.splitlines() if "bump p99 ms" in line)
    assert row.count(f"{bump['latency_ms']['p99']:,.2f}") == 3, row
    # ... and each table's busiest second and throttles (the run against itself: the same figures).
    peak = max(r["units"][f"counters-{suffix}"]["write_units"] for r in result["timeseries"] if r["seconds"] >= 1)
    row = next(line for line in compared.stdout.splitlines() if "peak write units/s" in line)
    assert row.count(f"{peak:,.1f}") == 2, row
    row = next(line for line in compared.stdout.splitlines() if f"counters-{suffix} throttled" in line)
    assert row.count(f"{bump['throttled_attempts']:,.1f}") == 2, row


def test_table_renames_are_checked_before_anything_is_sent(tmp_path, endpoint):
    workload = tmp_path / "checkout.yaml"
    workload.write_text(checkout_file("x"))
    base = ("run", "--endpoint-url", endpoint, "--duration", "1s", "--create-tables")
    line = refusal(run_cli(*base, "--workload", str(workload), "--table", "basket=Other"))
    assert line == f"ddbload: error: --table: {workload} has no table 'basket' (its tables: carts, coupons)"
    assert "expected NAME=TABLE" in refusal(run_cli(*base, "--workload", str(workload), "--table", "carts"))
    assert "give the file with --workload" in refusal(run_cli(*base, "--table", "carts=Other"))


def test_the_readme_example_is_a_valid_workload_file():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("## Your own workload") :]
    example = section[section.index("```yaml\n") + len("```yaml\n") : section.index("```\n", section.index("```yaml"))]
    document = json.loads(text_json(example, "README.md"))
    assert [op["name"] for op in document["operations"]][-1] == "checkout"


GSI_BOUND = """\
tables:
  orders:
    table: gsi-orders-{suffix}
    partition_key: {{name: id, type: S}}
    billing: {{read: 100, write: 100}}
    indexes:
      - name: by_status
        partition_key: {{name: status, type: S}}
        billing: {{read: 1, write: 1}}
    item:
      status: {{choice: [OPEN, PAID]}}
operations:
  - {{name: place, put: {{table: orders}}}}
"""


def test_an_index_under_capacity_is_named_as_the_cause_by_the_result_and_advise(offline, tmp_path):
    """The table has 100 WCU, its GSI 1: every write to the table also writes the index, so the index
    throttles the table's writes (about 300 writes of burst, then 1 a second), and advise says so."""
    suffix = uuid.uuid4().hex[:8]
    url = offline
    workload, out = write_file(tmp_path, "gsi", GSI_BOUND.format(suffix=suffix))
    table = f"gsi-orders-{suffix}"
    checks = [f"table.{table}.by_status.throttled>0", f"table.{table}.throttled>0",
              f"table.{table}.peak_write_units_per_s>1000", f"table.{table}.by_status.write_units>100000",
              "table.Carts.throttled>0"]  # fmt: skip
    proc = run_file(workload, out, url, "--duration", "3s", "--rate", "250", *(f"--fail-if={c}" for c in checks))
    malformed = run_cli("run", "--workload", str(workload), "--endpoint-url", url, "--fail-if", f"table.{table}.p99>1")
    # The index throttled the table's writes (exit 1, named with its count); the table itself never did,
    # and a table the run does not have cannot pass.
    assert proc.returncode == 1, proc.stderr
    broken = [line for line in proc.stderr.splitlines() if line.startswith("threshold broken")]
    assert len(broken) == 2, broken
    assert re.fullmatch(rf"threshold broken: table\.{table}\.by_status\.throttled>0 \(measured \d+\)", broken[0])
    assert broken[1] == (
        f"threshold broken: table.Carts.throttled>0 (the run has no such table or index: it has {table}, "
        f"{table}.by_status)"
    )
    assert "--fail-if: unknown figure 'p99' of a table" in refusal(malformed)
    result = json.loads(out.read_text())
    index = f"gsi-orders-{suffix}/index/by_status"
    # The index's units are kept apart from the table's: every counted put of a small new item wrote one
    # unit to each, and the index's figures can be checked like a table's.
    place = result["operations"]["place"]
    consumed = result["consumed_capacity"]
    assert consumed[table]["write_units"] == consumed[index]["write_units"] == place["ok"] > 0, consumed
    # The report draws the index's units against its own capacity.
    page = tmp_path / "gsi.html"
    assert run_cli("report", str(out), "--output", str(page)).returncode == 0
    texts = {json.loads(f'"{t}"') for t in re.findall(r'"text":"((?:[^"\\]|\\.)*)"', page.read_text())}
    assert any(t.startswith(f"{index} (provisioned") and t.endswith("consumed and provisioned units") for t in texts), (
        texts
    )
    by_resource = result["operations"]["place"]["throttled_by_resource"]
    measured = int(broken[0].rsplit(" ", 1)[1].rstrip(")"))
    assert measured == by_resource[index]["IndexWriteProvisionedThroughputExceeded"] > 0
    assert table not in by_resource
    # DynamoDB's own view (the endpoint's CloudWatch metrics) puts the throttle events on the index and
    # counts the same units; requests cut at the deadline were counted by the endpoint alone.
    cut = result["summary"]["writes"]["cut_at_deadline"]
    view = result["server_view"]["tables"]
    events = view[index]["throttle_events_by_metric"]["WriteProvisionedThroughputThrottleEvents"]
    assert 0 <= events - measured <= cut, (events, measured, cut)
    assert "throttle_events_by_metric" not in view[table]
    for name in (table, index):
        assert 0 <= view[name]["consumed_write_units"] - consumed[name]["write_units"] <= cut, (view[name], cut)
    advice = run_cli("advise", str(out))
    assert advice.returncode == 0, advice.stderr
    assert "DynamoDB throttled the writes at the index by_status, not at the table" in " ".join(advice.stdout.split())


LATEST = """\
tables:
  feed:
    table: feed-{suffix}
    partition_key: {{name: id, type: S}}
    key_prefix: "post-"
    items: 100
    item: {{kind: {{const: seeded}}}}
operations:
  - {{name: post, weight: 1, update: {{table: feed, key: new, set: {{kind: {{const: new}}}}}}}}
  - {{name: like, weight: 4, update: {{table: feed, distribution: {distribution}, add: {{likes: {{const: 1}}}}}}}}
"""


def test_latest_reads_find_the_newest_inserts_first(offline, tmp_path):
    """YCSB's "latest": likes go to the newest posts. Every like lands on a post in the table (the sums
    match), and nearly all of them on posts this run wrote; with zipf over the seeded posts none do."""
    likes_on = {}
    for distribution in ("latest", "zipf"):
        suffix = uuid.uuid4().hex[:8]
        workload, out = write_file(tmp_path, distribution, LATEST.format(suffix=suffix, distribution=distribution))
        proc = run_file(workload, out, offline, "--duration", "3s", "--rate", "200")
        assert proc.returncode == 0, proc.stderr
        ops = json.loads(out.read_text())["operations"]
        posts = scan_all(client_for(offline), f"feed-{suffix}")
        assert len(posts) == 100 + ops["post"]["ok"] and ops["post"]["ok"] > 50, ops["post"]
        # An update creates the item it names: a like sent before its post's insert makes the post (kind
        # comes with the insert, or never: "neither").
        likes = {
            kind: sum(int(p.get("likes", 0)) for p in posts if p.get("kind") == kind) for kind in ("seeded", "new")
        }
        likes["neither"] = sum(int(p.get("likes", 0)) for p in posts if "kind" not in p)
        # The seeded posts' likes by half: post-0..49 and post-50..99.
        seeded = [p for p in posts if p.get("kind") == "seeded"]
        for half, numbers in (("older", range(50)), ("newer", range(50, 100))):
            likes[half] = sum(int(p.get("likes", 0)) for p in seeded if int(p["id"].removeprefix("post-")) in numbers)
        assert likes["seeded"] + likes["new"] + likes["neither"] == ops["like"]["ok"] > 200
        likes_on[distribution] = likes
    latest, zipf = likes_on["latest"], likes_on["zipf"]
    # Zipf 0.99 over a window of 100 posts back from the newest: once 40 posts are in (a second at this
    # rate) 83% of likes land on them, once 100 are in all do; the rest go to the newest seeded posts.
    assert latest["new"] >= 0.75 * ops["like"]["ok"], latest
    # About 80% of the seeded posts' likes go to the newer half (zipf's ranks 1-50 of the window before
    # new posts push them back); with some 70 such likes, twice the older half is a bound chance won't cross.
    assert latest["newer"] >= 2 * latest["older"], latest
    # Zipf over the seeded posts likes the first ones most, and never a new post.
    assert zipf["new"] == 0 and zipf["neither"] == 0 and zipf["older"] > zipf["newer"], zipf


SHIFTING_SALE = """\
tables:
  views:
    table: views-{suffix}
    partition_key: {{name: id, type: S}}
    item: {{created: {{now: {{}}}}}}
  sales:
    table: sales-{suffix}
    partition_key: {{name: id, type: S}}
    item: {{created: {{now: {{}}}}}}
operations:
  - {{name: browse, weights: [100, 0], put: {{table: views}}}}
  - {{name: buy, weights: [0, 100], put: {{table: sales}}}}
"""


def test_per_stage_weights_shift_the_mix_when_the_stage_changes(offline, tmp_path):
    """Browsing only in the first 3-second stage, buying only in the second: each write stamps the second
    it was generated in, into its own table, so the tables show which stage sent what."""
    suffix = uuid.uuid4().hex[:8]
    url = offline
    workload, out = write_file(tmp_path, "sale", SHIFTING_SALE.format(suffix=suffix))
    csv_path, report = tmp_path / "sale.csv", tmp_path / "sale.html"
    proc = run_file(workload, out, url, "--stages", "3s:50,3s:50", "--start-rate", "50", "--csv", str(csv_path),
                    "--report", str(report), "--progress", "always")  # fmt: skip
    mismatched = run_cli("run", "--workload", str(workload), "--stages", "6s:50", "--endpoint-url", url)
    views = scan_all(client_for(url), f"views-{suffix}")
    sales = scan_all(client_for(url), f"sales-{suffix}")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    ops = result["operations"]
    assert (len(views), len(sales)) == (ops["browse"]["ok"], ops["buy"]["ok"])
    assert 140 <= len(views) <= 160 and 140 <= len(sales) <= 160, ops
    # Every view came before every sale (to the clock's whole second); had the mix not shifted, views
    # and sales would each span the whole 6 seconds.
    viewed = [int(v["created"]) for v in views]
    sold = [int(s["created"]) for s in sales]
    assert max(viewed) <= min(sold) + 1, (sorted(viewed)[-3:], sorted(sold)[:3])
    assert max(sold) - min(sold) >= 2 and max(viewed) - min(viewed) >= 2

    # Each second names the operations that ended in it: they add up to the totals, and the time series
    # shows the shift (an operation's second is the one it ended in, and the seconds' edges are the
    # engine's clock, not the schedule's: around 3 s a few may fall either side).
    rows = result["timeseries"]
    ended = {name: [row.get("operations", {}).get(name, {}).get("ok", 0) for row in rows] for name in ("browse", "buy")}
    for name, counts in ended.items():
        assert sum(counts) == ops[name]["ok"], (name, counts)
    assert ended["buy"][:2] == [0, 0] and ended["buy"][2] <= 2 and sum(ended["browse"][4:]) == 0, ended
    assert min(ended["browse"][:3]) >= 45 and min(ended["buy"][3:6]) >= 45, ended
    assert all(row["operations"]["browse"]["p99_ms"] is not None for row in rows[:3]), rows[:3]
    # The CSV has each operation's columns, the same figures; the live lines end with each operation's rate;
    # the report draws each operation's rate and latency over time.
    table = list(csv.DictReader(csv_path.read_text().splitlines()))
    assert [int(line["browse:ok_per_s"] != "0.0") for line in table[:3]] == [1, 1, 1], table[:3]
    bought = sum(float(line["buy:ok_per_s"]) * float(line["seconds"]) for line in table)
    # Each table's units a second: views wrote in the first stage, sales in the second.
    assert [float(line[f"views-{suffix}:write_units_per_s"]) > 40 for line in table[:6]] == [True] * 3 + [False] * 3
    assert [float(line[f"sales-{suffix}:write_units_per_s"]) > 40 for line in table[:6]] == [False] * 3 + [True] * 3
    assert bought == pytest.approx(ops["buy"]["ok"])
    p99s = [str(row.get("operations", {}).get("buy", {}).get("p99_ms") or "") for row in rows]
    assert [line["buy:p99_ms"] for line in table] == p99s
    assert "per operation: completed/s" in proc.stderr
    assert re.search(r"browse \d+/s", proc.stderr) and re.search(r"buy \d+/s", proc.stderr), proc.stderr
    # ... and with each table's read/write units that second: views written only in the first stage.
    assert re.search(rf"views-{suffix} 0/[1-9]\d*", proc.stderr), proc.stderr
    # advise sizes each table by its own busiest second: each took 50 writes/s in its own stage (shared by
    # the run's overall peak, each would look half as busy).
    advice = run_cli("advise", str(out))
    assert advice.returncode == 0, advice.stderr
    text = " ".join(advice.stdout.split())
    for table in (f"views-{suffix}", f"sales-{suffix}"):
        peak = re.search(rf"- {table} \([a-z]+\): .*?peak demand about [\d.]+ read / ([\d.]+) write units/s", text)
        assert peak and 45 <= float(peak.group(1)) <= 56, (table, text)
    traces = {json.loads(f'"{name}"') for name in re.findall(r'"name":"((?:[^"\\]|\\.)*)"', report.read_text())}
    assert {"browse/s", "buy/s", "browse p99", "buy p99"} <= traces, traces
    assert "the workload's weights are given for 2 stages; --stages gives 1" in refusal(mismatched)


BATCHES = """\
tables:
  source:
    table: source-{suffix}
    partition_key: {{name: id, type: S}}
    items: 50
    item: {{size: {{int: {{min: 1, max: 9}}}}}}
    indexes:
      - name: by_size
        partition_key: {{name: size, type: N}}
  sink:
    table: sink-{suffix}
    partition_key: {{name: id, type: S}}
    key_prefix: "in-"
    items: 10
    item: {{size: {{int: {{min: 1, max: 9}}}}}}
  scratch:
    table: scratch-{suffix}
    partition_key: {{name: id, type: N}}
    items: 40
    billing: {{read: 1, write: 1}}
operations:
  - {{name: fetch, weight: 2, batch_get: {{table: source, count: 20}}}}
  - {{name: load, weight: 2, batch_write: {{table: sink, count: 10}}}}
  - {{name: purge, weight: 1, batch_write: {{table: scratch, count: 5, delete: true}}}}
  - {{name: browse_all, weight: 1, scan: {{table: source, limit: 10, pages: 10, segments: 2}}}}
  - {{name: bundle, weight: 2, transact_get: [{{get: {{table: source}}}}, {{get: {{table: scratch}}}}]}}
  - {{name: fetch_both, weight: 2, batch_get: [{{table: source, count: 3}}, {{table: sink, count: 2}}]}}
  - {{name: browse_sizes, weight: 1, scan: {{table: source, index: by_size, limit: 50}}}}
"""


@CLIENTS
def test_batches_scans_and_transactional_reads_count_what_they_did(target, tmp_path, client):
    suffix = uuid.uuid4().hex[:8]
    workload, out = write_file(tmp_path, "batches", BATCHES.format(suffix=suffix))
    proc = run_file(workload, out, target, "--duration", "2s", "--rate", "60", "--client", client)
    assert proc.returncode == 0, proc.stderr
    assert f"seeding source-{suffix} items: 50/50" in proc.stderr
    ops = json.loads(out.read_text())["operations"]
    for name in ("fetch", "load", "purge", "browse_all", "bundle", "fetch_both", "browse_sizes"):
        assert ops[name]["ok"] > 0 and ops[name]["errors"] == {}, (name, ops[name])
    # 50 items in 2 segments, 10 a page: a segment takes several pages (a page short of 10 ends it), so
    # each scan operation sent more than one request and at most one per 10 items and one more.
    scan = ops["browse_all"]
    assert scan["ok"] < scan["attempts"] <= 6 * scan["ok"], scan
    client = client_for(target)
    # Each counted load wrote its 10 new items (UnprocessedItems, if any, were sent again) beside the 10 seeded.
    assert len(scan_all(client, f"sink-{suffix}")) == 10 + 10 * ops["load"]["ok"]
    # Each purge deleted 5 distinct seeded keys: at most 5 per purge are gone, and some are.
    left = len(scan_all(client, f"scratch-{suffix}"))
    assert 40 - 5 * ops["purge"]["ok"] <= left < 40
    units = json.loads(out.read_text())["consumed_capacity"]
    assert units[f"source-{suffix}"]["read_units"] > 0 and units[f"sink-{suffix}"]["write_units"] >= 10
    # Only the two-table batch reads sink, and only the index scan reads the index.
    assert units[f"sink-{suffix}"]["read_units"] > 0
    assert units[f"source-{suffix}/index/by_size"]["read_units"] > 0, units


HOT_DEAL = """\
tables:
  deals:
    table: deals-{suffix}
    partition_key: {{name: id, type: S}}
    key_prefix: "deal-"
    items: 200
operations:
  - {{name: bump, weight: 1, update: {{table: deals, distribution: "hot:1:0.3", add: {{hits: {{const: 1}}}}}}}}
"""


def test_the_busiest_key_is_counted_first_within_1_percent_and_advise_names_it(offline, tmp_path):
    """`keys` counts attempts per partition key in bounded memory: on a hot:1:0.3 run the hot deal ranks
    first, and its count is within 1% of the exact count its own counter attribute holds afterwards
    (every bump added 1; nothing was throttled on an on-demand table)."""
    suffix = uuid.uuid4().hex[:8]
    workload, out = write_file(tmp_path, "hot", HOT_DEAL.format(suffix=suffix))
    proc = run_file(workload, out, offline, "--duration", "3s", "--rate", "1000")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    keys = result["keys"][f"deals-{suffix}"]
    hot = result["hot_keys"][0]["key"]
    first = keys["attempts"][0]
    exact = {item["id"]: int(item.get("hits", 0)) for item in scan_all(client_for(offline), f"deals-{suffix}")}
    assert first["key"] == hot and abs(first["count"] - exact[hot]) <= 0.01 * exact[hot], (first, exact[hot])
    assert keys["attempts_total"] == result["operations"]["bump"]["attempts"] == sum(exact.values())
    assert 0.25 <= first["share"] <= 0.35 and keys["throttles"] == [], keys
    # Each second of the time series has its own busiest keys: the hot deal first every full second, its
    # seconds adding up to its count; the report draws them over time.
    table = f"deals-{suffix}"
    full = [row for row in result["timeseries"] if row["seconds"] == 1.0]
    assert full and all(row["keys"][table][0]["key"] == hot for row in full), [r.get("keys") for r in full]
    seconds = sum(
        k["count"] for row in result["timeseries"] for k in row.get("keys", {}).get(table, []) if k["key"] == hot
    )
    assert abs(seconds - first["count"]) <= 0.01 * first["count"], (seconds, first)
    page = tmp_path / "hot.html"
    assert run_cli("report", str(out), "--output", str(page)).returncode == 0
    assert f'"name":"{hot}"' in page.read_text()
    advice = run_cli("advise", str(out))
    assert advice.returncode == 0, advice.stderr
    text = " ".join(advice.stdout.split())
    assert re.search(rf"key {hot} took \d+% of the requests to deals-{suffix}", text), text
