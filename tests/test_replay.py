"""`ddbload replay`: traces in each input format, written by a generator with a known per-second rate
curve, operation mix and key counts, replayed against ddbload's endpoint and DynamoDB Local; the run's
rows, operations, top keys and the items left in the tables must be the trace's."""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter

import pytest
from conftest import refusal, run_cli, scan_all
from trace_files import RATES, START, WORKLOAD, generated_calls, record, write


def offline(tmp_path, calls: list[dict], layout: str = "json-lines") -> list[str]:
    """The trace of `calls` written in `layout`, and the flags that replay it on `--local` with WORKLOAD."""
    (tmp_path / "trace").mkdir()
    trace = write(layout, tmp_path / "trace", calls)
    (tmp_path / "shop.yaml").write_text(WORKLOAD)
    return [trace, "--local", "--workload", str(tmp_path / "shop.yaml")]


def replay(tmp_path, *args: str) -> dict:
    out = tmp_path / "replay.json"
    proc = run_cli("replay", *args, "--output", str(out), "--progress", "never")
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def expected_rows(speed: int) -> list[int]:
    """Each run second's calls: the trace seconds it covers at `speed`."""
    return [sum(RATES[i : i + speed]) for i in range(0, len(RATES), speed)]


@pytest.mark.parametrize(("layout", "speed"), [("s3-gzip", 2), ("json-lines", 1), ("csv", 2)])
def test_replay_sends_the_trace_on_its_timeline_to_its_keys(tmp_path, layout, speed):
    calls = generated_calls()
    result = replay(tmp_path, *offline(tmp_path, calls, layout), "--speed", str(speed))

    rows = result["timeseries"]
    assert len(rows) == len(RATES) // speed
    for row, want in zip(rows, expected_rows(speed)):
        assert abs(row["offered"] - want) <= want / 100, (row["t"], row["offered"], want)
        assert row["target_rate"] == want
    assert result["summary"]["offered"] == len(calls) == result["replay"]["calls"]

    mix = Counter(f"{c['op']} {c['table']}" for c in calls)
    assert {name: op["ok"] for name, op in result["operations"].items()} == dict(mix)
    assert result["replay"]["operations"] == dict(mix)

    top = [k["key"] for k in result["keys"]["Products"]["attempts"][:10]]
    assert top == [f"p{rank}" for rank in range(10)]
    # The rehearsal's Products table is empty: every read found nothing, and says so.
    assert result["summary"]["reads"]["not_found"] == mix["GetItem Products"]


def test_replay_against_dynamodb_local_maps_tables_reads_their_keys_and_writes_the_orders(
    tmp_path, dynamodb, local_credentials
):
    calls = generated_calls(rates=[60, 90, 30])
    suffix = random.Random().randrange(10**9)
    products, orders = f"RehearsalProducts{suffix}", f"RehearsalOrders{suffix}"
    for table, key in ((products, "product_id"), (orders, "order_id")):
        dynamodb.create_table(
            TableName=table, KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        )  # fmt: skip
    present = {"p0", "p1", "q3"}
    for key in present:
        dynamodb.put_item(TableName=products, Item={"product_id": {"S": key}, "name": {"S": "kept"}})
    # Production's orders have a status and a total: --items-from-table writes orders of that shape.
    earlier = {"o-earlier-1", "o-earlier-2"}
    for key in earlier:
        item = {"order_id": {"S": key}, "status": {"S": "PAID"}, "total": {"N": "12.50"}}
        dynamodb.put_item(TableName=orders, Item=item)
    (tmp_path / "trace").mkdir()
    trace = write("json-lines", tmp_path / "trace", calls)
    endpoint = dynamodb.meta.endpoint_url

    mapping = f"Products={products},Orders={orders}"
    result = replay(tmp_path, trace, "--endpoint-url", endpoint, "--tables-map", mapping, "--items-from-table")

    reads = [c for c in calls if c["op"] == "GetItem"]
    missing = sum(1 for c in reads if c["key"]["product_id"] not in present)
    assert result["summary"]["reads"]["ok"] == len(reads)
    assert result["summary"]["reads"]["not_found"] == missing
    # The orders the trace put and did not delete are in the table, keyed as in the trace.
    alive: dict[str, bool] = {}
    for c in calls:
        if c["table"] == "Orders":
            alive[c["key"]["order_id"]] = c["op"] != "DeleteItem"
    left = scan_all(dynamodb, orders)
    assert {item["order_id"] for item in left} == {key for key, kept in alive.items() if kept} | earlier
    assert all({"status", "total"} <= item.keys() for item in left), left[:3]
    assert {item["product_id"] for item in scan_all(dynamodb, products)} == present


def test_hash_keys_keep_the_distribution_and_never_send_a_trace_key(tmp_path):
    calls = generated_calls(rates=[300, 300])
    result = replay(tmp_path, *offline(tmp_path, calls), "--hash-keys")

    top = result["keys"]["Products"]["attempts"][:10]
    product_counts = Counter(c["key"]["product_id"] for c in calls if c["table"] == "Products")
    assert [k["count"] for k in top] == sorted(product_counts.values(), reverse=True)[:10]
    text = (tmp_path / "replay.json").read_text()
    assert all(f'"{key}"' not in text for key in product_counts)
    assert all(k["key"].startswith("h") and len(k["key"]) == 25 for k in top)


def test_loop_and_scale_keys_extend_a_short_trace(tmp_path):
    calls = generated_calls()
    loop = ("--speed", "3", "--loop", "--duration", "4s", "--scale-keys", "4")
    result = replay(tmp_path, *offline(tmp_path, calls, "csv"), *loop)

    assert result["summary"]["offered"] == 2 * len(calls)
    top = result["keys"]["Products"]["attempts"][0]
    # p0's 240 calls a pass, twice, now over p0#0 ... p0#3: about 120 each.
    assert top["key"].startswith("p0#")
    assert 60 < top["count"] < 240


def test_a_bad_trace_is_one_line_naming_the_record_or_counted_with_skip_bad(tmp_path):
    calls = generated_calls(rates=[30, 30])
    good = [record(c) for c in calls]
    no_key = record({"time": START, "op": "GetItem", "table": "Products", "key": None})
    unknown = dict(good[0], eventName="DropEverything")
    stranger = record({"time": START, "op": "GetItem", "table": "Customers", "key": {"product_id": "x"}})
    (tmp_path / "shop.yaml").write_text(WORKLOAD)
    workload = ("--local", "--workload", str(tmp_path / "shop.yaml"))
    mapped = ("--tables-map", "Products=Products,Orders=Orders")

    for bad, words in ((no_key, "record 3: GetItem on Products has no key"),
                       (unknown, "record 3: unknown operation 'DropEverything'"),
                       (stranger, "table 'Customers' is not in --tables-map")):  # fmt: skip
        lines = [json.dumps(r) for r in [*good[:2], bad, *good[2:]]]
        (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n")
        line = refusal(run_cli("replay", str(tmp_path / "bad.jsonl"), *workload, *mapped, "--output", "r.json"))
        assert "bad.jsonl" in line and words in line, line
        assert not (tmp_path / "r.json").exists()

    with gzip.open(tmp_path / "cut.json.gz", "wt") as f:
        json.dump({"Records": good}, f)
    whole = (tmp_path / "cut.json.gz").read_bytes()
    (tmp_path / "cut.json.gz").write_bytes(whole[: len(whole) // 2])
    line = refusal(run_cli("replay", str(tmp_path / "cut.json.gz"), *workload))
    assert "cut.json.gz" in line and "cannot be read to the end" in line

    lines = [json.dumps(r) for r in [*good[:2], no_key, unknown, stranger, *good[2:]]]
    (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n")
    result = replay(tmp_path, str(tmp_path / "bad.jsonl"), *workload, *mapped, "--skip-bad")
    assert result["replay"]["bad_records"] == 3
    assert result["summary"]["offered"] == len(good)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--speed", "0"], "--speed: 0 must be more than 0"),
        (["--speed", "fast"], "--speed: 'fast' is not a number"),
        (["--from", "yesterday"], "--from: 'yesterday' is not an ISO 8601 time"),
        (["--loop"], "--loop: give the run's length with --minutes or --duration"),
        (["--minutes", "2"], "--minutes: the trace sets the replay's length"),
        (["--ray", "--ray-tasks", "0"], "--ray-tasks must be between 1 and 1000"),
        (["--tables-map", "Products"], "--tables-map: expected PROD=REHEARSAL, got 'Products'"),
        (["--scale-keys", "0"], "--scale-keys: 0 must be at least 1"),
        (["--rate", "100"], "--rate: a replay's arrivals are the trace's"),
    ],
)
def test_bad_options_are_one_line_and_send_nothing(tmp_path, args, words):
    line = refusal(run_cli("replay", *offline(tmp_path, generated_calls(rates=[10])), *args))
    assert words in line, line


def test_local_without_the_tables_key_schema_is_refused(tmp_path):
    (tmp_path / "trace").mkdir()
    trace = write("json-lines", tmp_path / "trace", generated_calls(rates=[10]))
    line = refusal(run_cli("replay", trace, "--local"))
    assert "CloudTrail does not log its key types" in line, line


def test_seed_keys_puts_the_keys_the_trace_reads_before_replaying_it(tmp_path):
    calls = generated_calls(rates=[300, 300])
    result = replay(tmp_path, *offline(tmp_path, calls), "--seed-keys")

    products = {c["key"]["product_id"] for c in calls if c["op"] == "GetItem"}
    # Orders are put before they are updated or deleted: only the products' keys need an item.
    assert result["replay"]["seeded_keys"] == len(products)
    assert result["summary"]["reads"]["ok"] == sum(1 for c in calls if c["op"] == "GetItem")
    assert result["summary"]["reads"].get("not_found", 0) == 0
    # The seeding is not part of the measured run.
    assert result["summary"]["offered"] == len(calls)
