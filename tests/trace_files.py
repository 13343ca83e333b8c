"""Trace files as CloudTrail delivers them (gzip'd `{"Records": [...]}`, out of time order), as JSON lines,
and as a CSV, written from a list of calls {time, op, table, key}: shared by the trace and replay tests."""

from __future__ import annotations

import csv
import gzip
import json
import random
from datetime import datetime, timedelta, timezone

START = datetime(2026, 11, 27, 9, 0, 0, tzinfo=timezone.utc)


def record(call: dict) -> dict:
    """A CloudTrail data event of `call`; a call with `members` [(table, action, key)] lists them as
    CloudTrail does: a transaction's under requestItems with their operation, a BatchGetItem's keys per
    table. A PartiQL call's `statements` go under `statement` (one) or `requestItems` (a batch's) or
    `transactStatements`; a call's `params` (a Query's expressions, a Scan's limit) are added as given."""
    params: dict = {"tableName": call["table"]} if call.get("table") else {}
    if call.get("key") is not None:
        params["key"] = call["key"]
    params.update(call.get("params", {}))
    statements = call.get("statements", [])
    if call["op"] == "ExecuteStatement":
        params["statement"] = statements[0]
    elif call["op"] == "BatchExecuteStatement":
        params["requestItems"] = [{"statement": s} for s in statements]
    elif call["op"] == "ExecuteTransaction":
        params["transactStatements"] = [{"statement": s} for s in statements]
    if call["op"] == "BatchGetItem":
        params["requestItems"] = {}
        for table, _, key in call["members"]:
            params["requestItems"].setdefault(table, {"keys": []})["keys"].append(key)
        for table in call.get("consistent", ()):
            params["requestItems"][table]["consistentRead"] = True
    elif "members" in call:
        params["requestItems"] = [{"operation": a, "tableName": t, "key": k} for t, a, k in call["members"]]
    return {
        "eventVersion": "1.09", "eventSource": "dynamodb.amazonaws.com", "eventName": call["op"],
        "eventTime": call["time"].strftime("%Y-%m-%dT%H:%M:%SZ"), "awsRegion": "us-east-1",
        "eventCategory": "Data", "managementEvent": False, "requestParameters": params,
        "requestID": "R" + call["time"].isoformat(),
    }  # fmt: skip


def management() -> dict:
    when = START.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"eventSource": "dynamodb.amazonaws.com", "eventName": "DescribeTable", "managementEvent": True,
            "eventTime": when, "requestParameters": {"tableName": "Orders"}}  # fmt: skip


def write_s3(folder, calls: list[dict]) -> None:
    """Two gzip'd `{"Records": [...]}` files, records out of time order, as CloudTrail delivers them."""
    records = [record(c) for c in calls] + [management()]
    random.Random(1).shuffle(records)
    half = len(records) // 2
    for i, part in enumerate((records[:half], records[half:])):
        with gzip.open(folder / f"trail-{i}.json.gz", "wt") as f:
            json.dump({"Records": part}, f)


def write_lines(path, calls: list[dict]) -> None:
    path.write_text("".join(json.dumps(record(c)) + "\n" for c in calls))


def write_csv(path, calls: list[dict]) -> None:
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["time", "operation", "table", "key"])
        for c in calls:
            key = json.dumps({k: {"S": v} for k, v in c["key"].items()}) if c["key"] else ""
            out.writerow([c["time"].isoformat(), c["op"], c["table"], key])


def write(layout: str, folder, calls: list[dict]) -> str:
    """The trace in `layout` (s3-gzip, json-lines, csv) under `folder`; the path to give the command."""
    if layout == "s3-gzip":
        write_s3(folder, calls)
        return str(folder)
    if layout == "json-lines":
        write_lines(folder / "export.jsonl", calls)
        return str(folder / "export.jsonl")
    write_csv(folder / "trace.csv", calls)
    return str(folder / "trace.csv")


# A replay's trace: calls in each second, and Products' ten most read keys' counts (distinct, so their
# order is the trace's); 75 other keys share the rest of the reads.
RATES = [300, 600, 900, 600, 300, 150]  # calls in each trace second
TOP_COUNTS = [240, 200, 170, 140, 115, 95, 80, 66, 55, 45]
WORKLOAD = """\
version: 1
tables:
  Products:
    partition_key: {name: product_id, type: S}
    items: 1
  Orders:
    partition_key: {name: order_id, type: S}
    items: 1
    item:
      total: {decimal: {min: "1.00", max: "99.99"}}
operations:
  - {name: read, get: {table: Products}}
"""


def generated_calls(rates: list[int] = RATES, seed: int = 5) -> list[dict]:
    """Each second's calls: every third an order written (PutItem, later UpdateItem and DeleteItem of
    orders already put), the rest product reads with exact key counts."""
    rng = random.Random(seed)
    slots = [(second, n) for second, rate in enumerate(rates) for n in range(rate)]
    reads = [s for s in slots if s[1] % 3 != 0]
    keys = [f"p{rank}" for rank, count in enumerate(TOP_COUNTS) for _ in range(count)]
    keys += [f"q{n % 75}" for n in range(len(reads) - len(keys))]
    rng.shuffle(keys)
    by_slot = dict(zip(reads, keys))
    calls, orders = [], []
    for second, n in slots:
        when = START + timedelta(seconds=second, milliseconds=rng.randrange(1000))
        if n % 3 != 0:
            calls.append(
                {"time": when, "op": "GetItem", "table": "Products", "key": {"product_id": by_slot[(second, n)]}}
            )
        elif n % 9 == 3 and orders:
            calls.append({"time": when, "op": "UpdateItem", "table": "Orders", "key": {"order_id": rng.choice(orders)}})
        elif n % 9 == 6 and orders:
            calls.append({"time": when, "op": "DeleteItem", "table": "Orders", "key": {"order_id": orders.pop(0)}})
        else:
            orders.append(f"o-{second}-{n}")
            calls.append({"time": when, "op": "PutItem", "table": "Orders", "key": {"order_id": orders[-1]}})
    return calls
