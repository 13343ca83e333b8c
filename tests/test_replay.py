"""`ddbload replay`: traces in each input format, written by a generator with a known per-second rate
curve, operation mix and key counts, replayed against ddbload's endpoint and DynamoDB Local; the run's
rows, operations, top keys and the items left in the tables must be the trace's."""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from datetime import timedelta

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


def rehearsal_tables(dynamodb, prefix: str, orders_index: str | None = None) -> tuple[str, str]:
    """Fresh on-demand (products, orders) tables in DynamoDB Local, keyed as the trace's; orders with a
    global index `orders_index` on `customer` when asked."""
    suffix = random.Random().randrange(10**9)
    products, orders = f"{prefix}Products{suffix}", f"{prefix}Orders{suffix}"
    for table, key in ((products, "product_id"), (orders, "order_id")):
        extra: dict = {}
        if table == orders and orders_index:
            index = {"IndexName": orders_index, "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                     "Projection": {"ProjectionType": "ALL"}}  # fmt: skip
            extra = {"GlobalSecondaryIndexes": [index]}
        names = [key] + (["customer"] if extra else [])
        dynamodb.create_table(
            TableName=table, KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in names],
            BillingMode="PAY_PER_REQUEST", **extra,
        )  # fmt: skip
    return products, orders


def test_replay_against_dynamodb_local_maps_tables_reads_their_keys_and_writes_the_orders(
    tmp_path, dynamodb, local_credentials
):
    calls = generated_calls(rates=[60, 90, 30])
    products, orders = rehearsal_tables(dynamodb, "Rehearsal")
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


def checkout_calls() -> list[dict]:
    """Second 0: ten checkouts, each a TransactWriteItems putting order t-i and updating product s-i's
    stock. Second 1: each order looked up with its product (TransactGetItems) and three products read at
    once (BatchGetItem). Second 2: every third order cancelled (a Delete with a ConditionCheck on its
    product). A Query every second, which is not replayed."""
    at = lambda second, n: START + timedelta(seconds=second, milliseconds=90 * n)  # noqa: E731
    order, product = (lambda i: {"order_id": f"t-{i}"}), (lambda i: {"product_id": f"s-{i}"})
    calls = [{"time": at(s, 11), "op": "Query", "table": "Orders", "key": None} for s in range(3)]
    for i in range(10):
        members = [("Orders", "Put", order(i)), ("Products", "Update", product(i))]
        calls.append({"time": at(0, i), "op": "TransactWriteItems", "members": members})
        members = [("Orders", "Get", order(i)), ("Products", "Get", product(i))]
        calls.append({"time": at(1, i), "op": "TransactGetItems", "members": members})
        members = [("Products", "", product((i + k) % 10)) for k in range(3)]
        calls.append({"time": at(1, i), "op": "BatchGetItem", "members": members})
        if i % 3 == 0:
            members = [("Orders", "Delete", order(i)), ("Products", "ConditionCheck", product(i))]
            calls.append({"time": at(2, i), "op": "TransactWriteItems", "members": members})
    return calls


def test_transactions_and_batch_reads_are_replayed_member_by_member(tmp_path, dynamodb, local_credentials):
    """Against DynamoDB Local: each transaction and BatchGetItem is sent as one request of its kind on
    the trace's keys, so the orders left and the products updated are the trace's."""
    products, orders = rehearsal_tables(dynamodb, "Checkout")
    # Production's shapes, for --items-from-table: orders have a status, products a stock.
    dynamodb.put_item(TableName=orders, Item={"order_id": {"S": "earlier"}, "status": {"S": "PAID"}})
    dynamodb.put_item(TableName=products, Item={"product_id": {"S": "kept"}, "stock": {"N": "4"}})
    calls = checkout_calls()
    (tmp_path / "trace").mkdir()
    trace = write("s3-gzip", tmp_path / "trace", calls)

    mapping = f"Products={products},Orders={orders}"
    result = replay(tmp_path, trace, "--endpoint-url", dynamodb.meta.endpoint_url, "--tables-map", mapping,
                    "--items-from-table")  # fmt: skip

    def named(call: dict) -> str:
        if call["op"] == "BatchGetItem":
            return f"BatchGetItem {products} x3"
        tables = {"Orders": orders, "Products": products}
        return call["op"] + " " + ", ".join(f"{a} {tables[t]}" for t, a, _ in call["members"])

    mix = Counter(named(c) for c in calls if c["op"] != "Query")
    assert result["replay"]["operations"] == dict(mix)
    assert result["replay"]["not_replayed"] == {"Query (its key's value is not in the record)": 3}
    # Every request succeeded (a ConditionCheck's condition is not in the trace: it always holds).
    assert {name: op["ok"] for name, op in result["operations"].items()} == dict(mix), result["operations"]
    assert result["summary"]["offered"] == sum(mix.values())
    left = {item["order_id"]: item for item in scan_all(dynamodb, orders)}
    assert set(left) == {"earlier"} | {f"t-{i}" for i in range(10) if i % 3}
    assert all(item.get("status") for item in left.values()), left
    stocked = {item["product_id"]: item for item in scan_all(dynamodb, products)}
    assert set(stocked) == {"kept"} | {f"s-{i}" for i in range(10)}
    assert all("stock" in item for item in stocked.values()), stocked


def partiql_query_and_scan_calls() -> list[dict]:
    """A shop's trace beyond single-item calls, second by second (a call's place in its second is `n`;
    CloudTrail keeps whole seconds, so calls that depend on each other are a second apart).
    Second 0: products s-0..s-4 and s-9 put; ten INSERTs of orders (their keys redacted) and a BatchWriteItem
    putting orders w-0..w-2 (in the shape of a transaction's members). Second 1: each product UPDATEd, and
    product s-7, which does not exist; a transaction inserting an order and updating product s-9.
    Second 2: each product SELECTed by key (one consistently), a BatchExecuteStatement of three SELECTs by
    key, a SELECT of every order and of the orders' index (scans). Second 3: s-0..s-2 DELETEd, four
    Queries of s-3's partition, two Scans of three products, a BatchWriteItem deleting w-0 (in the
    request's shape), a BatchGetItem of both tables, a Scan of the orders' index, a BatchExecuteStatement of
    two INSERTs and one deleting w-2 and a missing order; and calls that cannot be replayed, each once."""
    at = lambda second, n: START + timedelta(seconds=second, milliseconds=40 * n)  # noqa: E731

    def partiql(second: int, n: int, *texts: str, **params) -> dict:
        op = "ExecuteStatement" if len(texts) == 1 else "BatchExecuteStatement"
        return {"time": at(second, n), "op": op, "statements": list(texts), "params": params}

    product, order = (lambda i: {"product_id": f"s-{i}"}), (lambda i: {"order_id": f"w-{i}"})
    insert = "INSERT INTO Orders VALUE {'order_id' : ***(Redacted), 'total' : ***(Redacted)}"
    calls = [{"time": at(0, i), "op": "PutItem", "table": "Products", "key": product(i)} for i in (0, 1, 2, 3, 4, 9)]
    calls += [partiql(0, 6 + i, insert) for i in range(10)]
    calls.append(
        {"time": at(0, 16), "op": "BatchWriteItem", "members": [("Orders", "Put", order(i)) for i in range(3)]}
    )
    for i in (0, 1, 2, 3, 4, 7):
        calls.append(partiql(1, i, f"UPDATE \"Products\" SET stock = ***(Redacted) WHERE product_id = 's-{i}'"))
    for i in range(5):
        calls.append(
            partiql(
                2,
                i,
                f"SELECT * FROM Products WHERE \"product_id\" = 's-{i}'",
                **({"consistentRead": True} if i == 4 else {}),
            )
        )
    calls.append(partiql(2, 6, *(f"SELECT * FROM Products WHERE product_id = 's-{i}'" for i in (1, 2, 3))))
    calls.append(partiql(2, 7, 'SELECT * FROM "Orders" WHERE total > ***(Redacted)'))
    calls.append(partiql(2, 8, 'SELECT order_id FROM "Orders"."byCustomer"'))
    transaction = [insert, "UPDATE Products SET stock = ***(Redacted) WHERE product_id = 's-9'"]
    calls.append({"time": at(1, 9), "op": "ExecuteTransaction", "statements": transaction})
    for i in range(3):
        calls.append(partiql(3, i, f"DELETE FROM Products WHERE product_id = 's-{i}' RETURNING ALL OLD *"))
    query = {"keyConditionExpression": "#p = :p", "expressionAttributeNames": {"#p": "product_id"}}
    for i in range(4):
        logged = {**query, "expressionAttributeValues": {":p": {"S": "s-3"}}, "limit": 10}
        calls.append({"time": at(3, 4 + i), "op": "Query", "table": "Products", "params": logged})
    for i in range(2):
        calls.append({"time": at(3, 8 + i), "op": "Scan", "table": "Products", "params": {"limit": 3}})
    deletes = {"requestItems": {"Orders": [{"deleteRequest": {"key": order(0)}}]}}
    calls.append({"time": at(3, 10), "op": "BatchWriteItem", "params": deletes})
    both = [("Products", "", product(3)), ("Orders", "", order(1)), ("Products", "", product(4))]
    calls.append({"time": at(3, 11), "op": "BatchGetItem", "members": both, "consistent": ["Products"]})
    calls.append(
        {"time": at(3, 12), "op": "Scan", "table": "Orders", "params": {"indexName": "byCustomer", "limit": 5}}
    )
    calls.append(partiql(3, 13, insert, insert))
    calls.append(
        partiql(3, 14, "DELETE FROM Orders WHERE order_id = 'w-2'", "DELETE FROM Orders WHERE order_id = 'w-8'")
    )
    # Not replayable, each for its reason.
    calls.append({"time": at(3, 15), "op": "Query", "table": "Products", "params": query})
    calls.append(partiql(3, 16, 'SELECT * FROM "Orders"."byCustomer" WHERE customer = ***(Redacted)'))
    calls.append(partiql(3, 17, "UPDATE Orders SET total = ***(Redacted) WHERE total = ***(Redacted)"))
    calls.append(partiql(3, 18, "SELECT * FROM Products WHERE product_id = ?"))
    mixed = [("Orders", "Put", order(7)), ("Orders", "Delete", order(8))]
    calls.append({"time": at(3, 19), "op": "BatchWriteItem", "members": mixed})
    keyless = {"requestItems": {"Orders": [{"putRequest": {"item": ["order_id", "total"]}}]}}
    calls.append({"time": at(3, 20), "op": "BatchWriteItem", "params": keyless})
    calls.append({"time": at(3, 21), "op": "Scan", "table": "Orders", "params": {"indexName": "byStatus"}})
    twice = [("Products", "", product(3)), ("Products", "", product(3))]
    calls.append({"time": at(3, 22), "op": "BatchGetItem", "members": twice})
    return calls


def test_queries_scans_and_partiql_are_replayed_as_their_classic_requests(tmp_path, dynamodb, local_credentials):
    """Against DynamoDB Local: each PartiQL call is sent as its classic equivalent on the key its statement
    names (an INSERT on a new key, an UPDATE only of an item that exists), a Query on its logged partition,
    a Scan as one page of its logged Limit, of the table or its index; the orders inserted and the products
    updated and deleted are the trace's, and what cannot be replayed is counted with its reason."""
    products, orders = rehearsal_tables(dynamodb, "PartiQL", orders_index="byCustomer")
    calls = partiql_query_and_scan_calls()
    (tmp_path / "trace").mkdir()
    trace = write("s3-gzip", tmp_path / "trace", calls)
    mapping = f"Products={products},Orders={orders}"
    result = replay(tmp_path, trace, "--endpoint-url", dynamodb.meta.endpoint_url, "--tables-map", mapping)

    sent = {
        f"PutItem {products}": 6,
        f"ExecuteStatement INSERT {orders} as PutItem": 10,
        f"BatchWriteItem Put {orders} x3": 1,
        f"ExecuteStatement UPDATE {products} as UpdateItem": 6,
        f"ExecuteStatement SELECT {products} as GetItem": 4,
        f"ExecuteStatement SELECT {products} consistent as GetItem": 1,
        f"BatchExecuteStatement SELECT {products} x3 as BatchGetItem": 1,
        f"ExecuteStatement SELECT {orders} as Scan": 1,
        f"ExecuteStatement SELECT {orders} index byCustomer as Scan": 1,
        f"ExecuteTransaction INSERT {orders}, UPDATE {products} as TransactWriteItems": 1,
        f"ExecuteStatement DELETE {products} as DeleteItem": 3,
        f"Query {products} limit 10": 4,
        f"Scan {products} limit 3": 2,
        f"BatchWriteItem Delete {orders} x1": 1,
        f"BatchGetItem {products} x2, {orders} x1 consistent {products}": 1,
        f"Scan {orders} limit 5 index byCustomer": 1,
        f"BatchExecuteStatement INSERT {orders} x2 as BatchWriteItem": 1,
        f"BatchExecuteStatement DELETE {orders} x2 as BatchWriteItem": 1,
    }
    assert result["replay"]["operations"] == sent
    assert result["replay"]["not_replayed"] == {
        "BatchGetItem (the same key twice)": 1,
        "BatchWriteItem (a member's key is not in the record)": 1,
        "BatchWriteItem (of puts and deletes together)": 1,
        "ExecuteStatement (SELECT from an index by its partition, whose value is not logged)": 1,
        "ExecuteStatement (SELECT whose key value is not a literal)": 1,
        "ExecuteStatement (UPDATE without its whole key)": 1,
        "Query (its key's value is not in the record)": 1,
        f"Scan (of index byStatus, which {orders} does not have)": 1,
    }
    done = {name: op["ok"] + op["conditional_check_failed"] for name, op in result["operations"].items()}
    assert done == sent, result["operations"]
    # Only the UPDATE of product s-7, which does not exist, failed its condition: PartiQL's UPDATE never
    # creates an item. Every SELECT by key found its product.
    failed = {name: op["conditional_check_failed"] for name, op in result["operations"].items()}
    assert failed == {name: int(name.startswith("ExecuteStatement UPDATE")) for name in sent}, failed
    assert result["operations"][f"ExecuteStatement SELECT {products} as GetItem"].get("not_found", 0) == 0
    left = {item["order_id"] for item in scan_all(dynamodb, orders)}
    inserted = {key for key in left if key.startswith("ddbload-insert-")}
    assert len(inserted) == 13 and left - inserted == {"w-1"}, left
    assert {item["product_id"] for item in scan_all(dynamodb, products)} == {"s-3", "s-4", "s-9"}


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
    top = result["keys"]["Products"]["attempts"]
    # p0's 240 calls a pass, twice, now over p0#0 ... p0#3: about 120 each. Which key is hottest is
    # chance: the split is random, and p1's 200 calls can give one of its four keys more than any of p0's.
    p0 = {k["key"]: k["count"] for k in top if k["key"].startswith("p0#")}
    assert sorted(p0) == [f"p0#{k}" for k in range(4)], top
    assert all(60 < count < 240 for count in p0.values()), p0
    assert "#" in top[0]["key"] and 60 < top[0]["count"] < 240, top[0]


def test_a_bad_trace_is_one_line_naming_the_record_or_counted_with_skip_bad(tmp_path):
    calls = generated_calls(rates=[30, 30])
    good = [record(c) for c in calls]
    no_key = record({"time": START, "op": "GetItem", "table": "Products", "key": None})
    unknown = dict(good[0], eventName="DropEverything")
    stranger = record({"time": START, "op": "GetItem", "table": "Customers", "key": {"product_id": "x"}})
    keyless = record({"time": START, "op": "TransactWriteItems",
                      "members": [("Orders", "Put", {"order_id": "o-1"}), ("Products", "Update", None)]})  # fmt: skip
    (tmp_path / "shop.yaml").write_text(WORKLOAD)
    workload = ("--local", "--workload", str(tmp_path / "shop.yaml"))
    mapped = ("--tables-map", "Products=Products,Orders=Orders")

    for bad, words in ((no_key, "record 3: GetItem on Products has no key"),
                       (keyless, "record 3: TransactWriteItems's member 2 on Products has no key"),
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


def test_seed_keys_puts_the_items_partiql_reads_by_key_but_not_a_querys_partition_or_a_scan(tmp_path):
    """Offline, --seed-keys: the products SELECTed by key, alone or in a batch, are put first, so none is
    missing; a Query's partition and a Scan name no item and seed nothing; an INSERT's new order is not
    seeded (the INSERT puts it)."""
    at = lambda n: START + timedelta(milliseconds=100 * n)  # noqa: E731
    select = "SELECT * FROM Products WHERE product_id = 'p-{}'"
    calls = [{"time": at(n), "op": "ExecuteStatement", "statements": [select.format(n)]} for n in range(1, 6)]
    calls.append({"time": at(6), "op": "BatchExecuteStatement", "statements": [select.format(6), select.format(7)]})
    query = {"keyConditionExpression": "product_id = :p", "expressionAttributeValues": {":p": {"S": "p-8"}}}
    calls.append({"time": at(8), "op": "Query", "table": "Products", "params": query})
    calls.append({"time": at(9), "op": "Scan", "table": "Products", "params": {"limit": 2}})
    insert = "INSERT INTO Orders VALUE {'order_id' : ***(Redacted)}"
    calls.append({"time": at(9), "op": "ExecuteStatement", "statements": [insert]})
    result = replay(tmp_path, *offline(tmp_path, calls), "--seed-keys")

    assert result["replay"]["seeded_keys"] == 7
    gets = result["operations"]["ExecuteStatement SELECT Products as GetItem"]
    assert (gets["ok"], gets.get("not_found", 0)) == (5, 0)
    batch = result["operations"]["BatchExecuteStatement SELECT Products x2 as BatchGetItem"]
    assert batch["ok"] == 1 and batch.get("not_found", 0) == 0
    assert result["operations"]["Query Products"]["ok"] == 1
    assert result["operations"]["Scan Products limit 2"]["ok"] == 1
    assert result["operations"]["ExecuteStatement INSERT Orders as PutItem"]["ok"] == 1
    assert result["summary"]["offered"] == len(calls)


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


def test_seed_keys_puts_each_transaction_members_key_unless_the_transaction_puts_it(tmp_path, dynamodb):
    """--seed-keys against DynamoDB Local: every key a transaction or a batch reads, updates, deletes or
    checks is put first; an order its checkout puts is not (its transaction puts it)."""
    products, orders = rehearsal_tables(dynamodb, "Seeded")
    calls = [c for c in checkout_calls() if c["op"] != "TransactWriteItems" or c["members"][0][1] == "Delete"]
    (tmp_path / "trace").mkdir()
    trace = write("json-lines", tmp_path / "trace", calls)
    mapping = f"Products={products},Orders={orders}"
    result = replay(tmp_path, trace, "--endpoint-url", dynamodb.meta.endpoint_url, "--tables-map", mapping,
                    "--seed-keys")  # fmt: skip

    # Orders t-0..t-9 (read, then every third deleted) and products s-0..s-9 (read, checked) were seeded.
    assert result["replay"]["seeded_keys"] == 20
    assert {item["order_id"] for item in scan_all(dynamodb, orders)} == {f"t-{i}" for i in range(10) if i % 3}
    assert {item["product_id"] for item in scan_all(dynamodb, products)} == {f"s-{i}" for i in range(10)}
    assert all(op["ok"] == op["attempts"] for op in result["operations"].values()), result["operations"]


def test_a_trace_longer_than_a_sorted_run_is_merged_in_time_order_and_seeds_each_key_once(tmp_path, monkeypatch):
    """The spool and the seeding are sorted on disk in runs (CHUNK_CALLS calls each): with runs of 7,
    both still come out whole - every call once in time order, every key to seed once."""
    from ddbload.trace import replay_plan

    monkeypatch.setattr(replay_plan, "CHUNK_CALLS", 7)
    calls = generated_calls(rates=[20, 30, 10])
    random.Random(3).shuffle(calls)  # CloudTrail's files are not in time order
    (tmp_path / "trace").mkdir()
    trace = write("json-lines", tmp_path / "trace", calls)

    def shape(table: str) -> replay_plan.TableShape:
        name = "product_id" if table == "Products" else "order_id"
        return replay_plan.TableShape(table, {"name": name, "type": "S"}, None, {})

    options = replay_plan.ReplayOptions(seed_keys=True)
    prepared = replay_plan.prepare([tmp_path / "trace" / "export.jsonl"], options, shape, tmp_path)
    assert trace.endswith("export.jsonl")

    lines = prepared.spool.read_text().splitlines()
    assert [int(line.split("\t")[0]) for line in lines] == sorted(int(line.split("\t")[0]) for line in lines)
    assert prepared.per_second == [20, 30, 10] and len(lines) == len(calls)
    # A key is seeded when its first call (by second, then file order) is not its put.
    first: dict[str, str] = {}
    for c in sorted(calls, key=lambda c: c["time"].replace(microsecond=0)):
        first.setdefault(next(iter(c["key"].values())), c["op"])
    wanted = sorted(key for key, op in first.items() if op != "PutItem")
    assert prepared.seeding is not None
    seeded = [line.split("\t")[2] for line in prepared.seeding.spool.read_text().splitlines()]
    assert sorted(next(iter(json.loads(key).values()))["S"] for key in seeded) == wanted
    assert prepared.seeding.keys == len(wanted)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["replay.spool", "seed.spool", "trace"]
