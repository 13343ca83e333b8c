"""The offline endpoint tells the truth: the same request sequences go to Amazon's DynamoDB Local and to
ddbload's emulator, and the answers (items, errors, condition failures, pagination) must match,
capacity aside."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable

import boto3
import ddbload
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import SIGNED

IGNORED = {"ResponseMetadata", "ConsumedCapacity"}


@pytest.fixture(scope="module")
def emulator():
    with ddbload.Emulator() as server:
        yield server


def _client(url: str):
    return boto3.client(
        "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


@pytest.fixture(scope="module")
def both(endpoint, emulator):
    return _client(endpoint), _client(emulator.url)


def outcome(call: Callable[[], dict]) -> Any:
    """A response without transport details, or the error code (and cancellation reasons)."""
    try:
        response = call()
    except ClientError as e:
        reasons = [r.get("Code") for r in e.response.get("CancellationReasons", [])]
        return ("error", e.response["Error"]["Code"], reasons)
    return {k: v for k, v in response.items() if k not in IGNORED}


def refused_alike(both, method: str, **kwargs) -> str:
    """The message of the ValidationException both endpoints answer, which must be the same."""
    messages = set()
    for client in both:
        with pytest.raises(ClientError) as refusal:
            getattr(client, method)(**kwargs)
        assert refusal.value.response["Error"]["Code"] == "ValidationException"
        messages.add(refusal.value.response["Error"]["Message"])
    assert len(messages) == 1, messages
    return messages.pop()


def same(both, method: str, **kwargs) -> Any:
    local, emulated = (outcome(lambda c=c: getattr(c, method)(**kwargs)) for c in both)
    assert emulated == local, f"{method}({kwargs})"
    return local


@pytest.fixture
def tables(both):
    """A table keyed by pk, and one keyed by pk + sk (number), made on both endpoints."""
    suffix = uuid.uuid4().hex[:8]
    simple, ranged = f"diff-simple-{suffix}", f"diff-ranged-{suffix}"
    for client in both:
        client.create_table(
            TableName=simple,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
        client.create_table(
            TableName=ranged,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        )
    return simple, ranged


def test_items_conditions_and_updates(both, tables):
    simple, _ = tables
    item = {"pk": {"S": "p1"}, "price": {"N": "19.990"}, "stock": {"N": "5"}, "tags": {"SS": ["a", "b"]}}
    same(both, "put_item", TableName=simple, Item=item)
    same(both, "get_item", TableName=simple, Key={"pk": {"S": "p1"}})
    same(both, "get_item", TableName=simple, Key={"pk": {"S": "missing"}})
    same(both, "put_item", TableName=simple, Item=item, ConditionExpression="attribute_not_exists(pk)")
    same(
        both, "update_item", TableName=simple, Key={"pk": {"S": "p1"}},
        UpdateExpression="SET stock = stock - :q, sold = if_not_exists(sold, :zero) + :q REMOVE tags",
        ConditionExpression="stock >= :q", ExpressionAttributeValues={":q": {"N": "2"}, ":zero": {"N": "0"}},
        ReturnValues="ALL_NEW",
    )  # fmt: skip
    same(
        both, "update_item", TableName=simple, Key={"pk": {"S": "p1"}}, UpdateExpression="SET stock = stock - :q",
        ConditionExpression="stock >= :q", ExpressionAttributeValues={":q": {"N": "99"}},
    )  # fmt: skip
    same(
        both, "get_item", TableName=simple, Key={"pk": {"S": "p1"}}, ProjectionExpression="#s, sold",
        ExpressionAttributeNames={"#s": "stock"},
    )  # fmt: skip
    same(
        both, "delete_item", TableName=simple, Key={"pk": {"S": "p1"}}, ConditionExpression="price > :p",
        ExpressionAttributeValues={":p": {"N": "20"}},
    )  # fmt: skip
    same(both, "delete_item", TableName=simple, Key={"pk": {"S": "p1"}}, ReturnValues="ALL_OLD")
    same(both, "get_item", TableName=simple, Key={"pk": {"S": "p1"}})


def test_a_missing_attribute_is_unequal_to_anything_and_orders_against_nothing(both, tables):
    """`status <> :v` holds on an item without status (or without the item), `<` and `=` do not, and NOT
    turns each (a public conformance suite checks the first against DynamoDB itself)."""
    simple, _ = tables
    names, value = {"#s": "status", "#t": "other"}, {":v": {"S": "working"}}
    for n, condition in enumerate(["#s <> :v", ":v <> #s", "#s <> #t", "#s.x <> :v", "NOT (#s = :v)", "#s < :v",
                                   "#s = :v", "NOT (#s <> :v)", "#s <> :v OR #s < :v"]):  # fmt: skip
        values = value if ":v" in condition else None
        params = {"ExpressionAttributeNames": {k: v for k, v in names.items() if k in condition}}
        if values:
            params["ExpressionAttributeValues"] = values
        same(both, "put_item", TableName=simple, Item={"pk": {"S": f"m{n}"}}, ConditionExpression=condition, **params)
        same(both, "get_item", TableName=simple, Key={"pk": {"S": f"m{n}"}}, ConsistentRead=True)


def test_restating_on_demand_is_accepted_and_changes_nothing(both, tables):
    simple, _ = tables
    for client in both:
        described = client.update_table(TableName=simple, BillingMode="PAY_PER_REQUEST")["TableDescription"]
        mode, status = described["BillingModeSummary"]["BillingMode"], described["TableStatus"]
        assert (mode, status) == ("PAY_PER_REQUEST", "ACTIVE")
    same(both, "update_table", TableName=simple)  # nothing asked at all: refused by both
    same(both, "put_item", TableName=simple, Item={"pk": {"S": "still-writable"}})


def test_validation_errors(both, tables):
    simple, ranged = tables
    same(both, "put_item", TableName=simple, Item={"other": {"S": "x"}})
    same(both, "put_item", TableName=simple, Item={"pk": {"N": "1"}})
    same(both, "get_item", TableName=ranged, Key={"pk": {"S": "x"}})
    same(both, "get_item", TableName="diff-no-such-table", Key={"pk": {"S": "x"}})
    same(
        both, "put_item", TableName=simple, Item={"pk": {"S": "x"}}, ConditionExpression="attribute_not_exists(pk)",
        ExpressionAttributeValues={":unused": {"S": "y"}},
    )  # fmt: skip
    same(both, "create_table", TableName=simple, BillingMode="PAY_PER_REQUEST",
         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])  # fmt: skip


def test_batches(both, tables):
    simple, _ = tables
    writes = [{"PutRequest": {"Item": {"pk": {"S": f"b{i}"}, "n": {"N": str(i)}}}} for i in range(20)]
    same(both, "batch_write_item", RequestItems={simple: writes})
    keys = [{"pk": {"S": f"b{i}"}} for i in range(0, 30, 3)]
    responses = [c.batch_get_item(RequestItems={simple: {"Keys": keys}}) for c in both]
    found = [sorted(r["Responses"][simple], key=lambda i: i["pk"]["S"]) for r in responses]
    assert found[0] == found[1] and len(found[0]) == 7
    assert all(not r.get("UnprocessedKeys") for r in responses)
    same(both, "batch_get_item", RequestItems={simple: {"Keys": [keys[0], keys[0]]}})


def test_query_conditions_order_and_pagination(both, tables):
    _, ranged = tables
    for sk in range(1, 13):
        same(both, "put_item", TableName=ranged, Item={"pk": {"S": "q"}, "sk": {"N": str(sk)}, "v": {"S": f"v{sk}"}})
    same(both, "put_item", TableName=ranged, Item={"pk": {"S": "other"}, "sk": {"N": "1"}})
    values = {":p": {"S": "q"}, ":a": {"N": "3"}, ":b": {"N": "9"}}
    for condition in ("pk = :p", "pk = :p AND sk < :a", "pk = :p AND sk BETWEEN :a AND :b", "pk = :p AND sk >= :b"):
        used = {k: v for k, v in values.items() if k in condition}
        same(both, "query", TableName=ranged, KeyConditionExpression=condition, ExpressionAttributeValues=used)
    same(
        both, "query", TableName=ranged, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "q"}},
        ScanIndexForward=False, Limit=4,
    )  # fmt: skip
    same(
        both, "query", TableName=ranged, KeyConditionExpression="pk = :p", FilterExpression="v <> :v",
        ExpressionAttributeValues={":p": {"S": "q"}, ":v": {"S": "v2"}}, Select="COUNT",
    )  # fmt: skip
    # Page through 12 items 5 at a time: same pages, same LastEvaluatedKey.
    start = None
    for _ in range(4):
        extra = {"ExclusiveStartKey": start} if start else {}
        page = same(
            both, "query", TableName=ranged, KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "q"}}, Limit=5, **extra,
        )  # fmt: skip
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert start is None
    same(
        both, "query", TableName=ranged, KeyConditionExpression="sk = :a", ExpressionAttributeValues={":a": {"N": "3"}}
    )


def test_scan_pagination_covers_the_same_items(both, tables):
    simple, _ = tables
    for i in range(11):
        same(both, "put_item", TableName=simple, Item={"pk": {"S": f"s{i:02}"}, "even": {"BOOL": i % 2 == 0}})
    results = []
    for client in both:
        items, start, pages = [], None, 0
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page = client.scan(TableName=simple, Limit=4, **extra)
            pages += 1
            items += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        results.append((sorted(i["pk"]["S"] for i in items), pages))
    assert results[0] == results[1]
    count = same(both, "scan", TableName=simple, FilterExpression="even = :t",
                 ExpressionAttributeValues={":t": {"BOOL": True}}, Select="COUNT")  # fmt: skip
    assert count["Count"] == 6


def test_transactions(both, tables):
    simple, _ = tables
    same(both, "put_item", TableName=simple, Item={"pk": {"S": "stock"}, "n": {"N": "3"}})
    order = {
        "Put": {
            "TableName": simple,
            "Item": {"pk": {"S": "order-1"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    decrement = {
        "Update": {
            "TableName": simple, "Key": {"pk": {"S": "stock"}}, "UpdateExpression": "SET n = n - :q",
            "ConditionExpression": "n >= :q", "ExpressionAttributeValues": {":q": {"N": "2"}},
        }
    }  # fmt: skip
    same(both, "transact_write_items", TransactItems=[order, decrement])
    # Both actions fail now: the order exists and stock is 1.
    same(both, "transact_write_items", TransactItems=[order, decrement])
    same(both, "get_item", TableName=simple, Key={"pk": {"S": "stock"}})
    # Two actions on one item: conditions are checked first, then the repeat is refused.
    same(both, "transact_write_items", TransactItems=[decrement, decrement])
    twice = {"Put": {"TableName": simple, "Item": {"pk": {"S": "n2"}}}}
    same(both, "transact_write_items", TransactItems=[order, twice, twice])


def test_transactional_reads(both, tables):
    simple, ranged = tables
    same(both, "put_item", TableName=simple, Item={"pk": {"S": "r1"}, "a": {"N": "1"}, "b": {"S": "x"}})
    same(both, "put_item", TableName=ranged, Item={"pk": {"S": "r1"}, "sk": {"N": "2"}, "c": {"BOOL": True}})
    gets = [
        {"Get": {"TableName": simple, "Key": {"pk": {"S": "r1"}}, "ProjectionExpression": "#a",
                 "ExpressionAttributeNames": {"#a": "a"}}},
        {"Get": {"TableName": ranged, "Key": {"pk": {"S": "r1"}, "sk": {"N": "2"}}}},
        {"Get": {"TableName": simple, "Key": {"pk": {"S": "missing"}}}},
    ]  # fmt: skip
    answer = same(both, "transact_get_items", TransactItems=gets)
    assert answer["Responses"][0] == {"Item": {"a": {"N": "1"}}}
    # One item twice, an unknown table, an unused name: refused alike. (A key missing its sort key is left
    # out: DynamoDB Local cancels the transaction with no reasons, where the emulator gives the
    # ValidationError reason DynamoDB gives - test_endpoint_constraints.py.)
    same(both, "transact_get_items", TransactItems=[gets[0], gets[0]])
    same(both, "transact_get_items", TransactItems=[{"Get": {"TableName": "nope", "Key": {"pk": {"S": "r1"}}}}])
    unused = {"Get": {"TableName": simple, "Key": {"pk": {"S": "r1"}}, "ExpressionAttributeNames": {"#z": "z"}}}
    same(both, "transact_get_items", TransactItems=[unused])


def exact(call: Callable[[], dict]) -> Any:
    """A response with ConsumedCapacity kept, or the error code and message."""
    try:
        response = call()
    except ClientError as e:
        return ("error", e.response["Error"]["Code"], e.response["Error"]["Message"])
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def same_exactly(both, method: str, **kwargs) -> Any:
    """Like `same`, but error messages and ConsumedCapacity must match too."""
    local, emulated = (exact(lambda c=c: getattr(c, method)(**kwargs)) for c in both)
    assert emulated == local, f"{method}({kwargs})"
    return local


def test_legacy_parameters_act_as_dynamodb_not_ignored(both, tables):
    simple, ranged = tables
    item = {"pk": {"S": "old"}, "a": {"N": "1"}, "s": {"S": "abc"}, "tags": {"SS": ["x", "y"]}}
    same(both, "put_item", TableName=simple, Item=item)
    for expected in (
        {"a": {"Value": {"N": "1"}}},
        {"a": {"Value": {"N": "2"}}},
        {"a": {"Exists": False}},
        {"missing": {"Exists": False}},
        {"a": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "0"}]}},
        {"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "ab"}]}},
        {"tags": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "z"}]}},
        {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "0"}, {"N": "5"}]}},
        {"missing": {"ComparisonOperator": "NULL"}},
        {"a": {"ComparisonOperator": "EQ", "AttributeValueList": []}},
        {"a": {"Exists": True}},
        {"a": {"Exists": False, "Value": {"N": "1"}}},
    ):
        same_exactly(both, "put_item", TableName=simple, Item=item, Expected=expected)
    same_exactly(both, "put_item", TableName=simple, Item=item, ConditionalOperator="OR",
                 Expected={"a": {"Value": {"N": "9"}}, "s": {"Value": {"S": "abc"}}})  # fmt: skip
    same_exactly(both, "delete_item", TableName=simple, Key={"pk": {"S": "old"}},
                 Expected={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "2"}]}})  # fmt: skip
    same_exactly(both, "get_item", TableName=simple, Key={"pk": {"S": "old"}}, AttributesToGet=["a", "s"])
    same_exactly(both, "get_item", TableName=simple, Key={"pk": {"S": "old"}}, AttributesToGet=["a"],
                 ProjectionExpression="a")  # fmt: skip
    same_exactly(both, "put_item", TableName=simple, Item=item, Expected={"a": {"Value": {"N": "1"}}},
                 ConditionExpression="attribute_exists(a)")  # fmt: skip
    same_exactly(
        both, "update_item", TableName=simple, Key={"pk": {"S": "old"}}, ReturnValues="ALL_NEW",
        AttributeUpdates={"a": {"Action": "ADD", "Value": {"N": "5"}}, "s": {"Action": "DELETE"},
                          "tags": {"Action": "DELETE", "Value": {"SS": ["x"]}},
                          "n": {"Action": "PUT", "Value": {"S": "new"}}},
    )  # fmt: skip
    for sk in range(1, 6):
        same(
            both,
            "put_item",
            TableName=ranged,
            Item={"pk": {"S": "k"}, "sk": {"N": str(sk)}, "odd": {"BOOL": sk % 2 == 1}},
        )
    same_exactly(
        both, "query", TableName=ranged,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "k"}]},
                       "sk": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "2"}]}},
        QueryFilter={"odd": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}},
    )  # fmt: skip
    # KeyConditions alone is no mixing with a projection or filter expression, as DynamoDB allows; beside a
    # KeyConditionExpression it is, and the message lists each kind in DynamoDB's order.
    key_k = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "k"}]}}
    same_exactly(both, "query", TableName=ranged, KeyConditions=key_k, ProjectionExpression="odd")
    same_exactly(both, "query", TableName=ranged, KeyConditions=key_k, FilterExpression="odd = :t",
                 ExpressionAttributeValues={":t": {"BOOL": True}})  # fmt: skip
    # A filter may not read the key it queries by, whichever way it is written.
    same_exactly(both, "query", TableName=ranged, KeyConditions=key_k, FilterExpression="odd = :t OR sk > :two",
                 ExpressionAttributeValues={":t": {"BOOL": True}, ":two": {"N": "2"}})  # fmt: skip
    same_exactly(both, "query", TableName=ranged, KeyConditionExpression="pk = :k", FilterExpression="size(pk) > :two",
                 ExpressionAttributeValues={":k": {"S": "k"}, ":two": {"N": "2"}})  # fmt: skip
    same_exactly(both, "query", TableName=ranged, KeyConditions=key_k,
                 QueryFilter={"sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "2"}]}})  # fmt: skip
    same_exactly(both, "query", TableName=ranged, KeyConditions=key_k, KeyConditionExpression="pk = :k",
                 AttributesToGet=["odd"], ExpressionAttributeValues={":k": {"S": "k"}})  # fmt: skip
    below_3 = {"sk": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "3"}]}}
    scans = [sorted(c.scan(TableName=ranged, ScanFilter=below_3)["Items"], key=lambda i: i["sk"]["N"]) for c in both]
    assert scans[0] == scans[1] and len(scans[0]) == 2


def test_return_values_projections_and_numbers(both, tables):
    simple, _ = tables
    doc = {"pk": {"S": "d"}, "a": {"N": "1"}, "b": {"M": {"c": {"N": "2"}, "d": {"N": "3"}}},
           "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}}  # fmt: skip
    same(both, "put_item", TableName=simple, Item=doc)
    same_exactly(both, "get_item", TableName=simple, Key={"pk": {"S": "d"}}, ProjectionExpression="b.c, l[2], l[0]")
    same_exactly(both, "get_item", TableName=simple, Key={"pk": {"S": "d"}}, ProjectionExpression="l[5], b.zz, a")
    for rv in ("UPDATED_OLD", "UPDATED_NEW", "ALL_OLD", "ALL_NEW"):
        same_exactly(both, "update_item", TableName=simple, Key={"pk": {"S": "d"}}, UpdateExpression="SET a = a + :v",
                     ExpressionAttributeValues={":v": {"N": "1"}}, ReturnValues=rv)  # fmt: skip
    same_exactly(both, "put_item", TableName=simple, Item=doc, ReturnValues="UPDATED_NEW")
    # A SET value may be parenthesised as a whole operand; a path after the parenthesis may not.
    for update in ("SET a = (a) + :v", "SET a = (:v)", "SET a = (a + :v)", "SET a = ((a)+(:v))", "SET a = (:v) + (a)",
                   "SET a = if_not_exists(a, (:v))", "SET a = (a + :v) - :v", "SET a = :v + (a - :v)",
                   "SET a = (a).b + :v", "SET a = (a)[0]", "SET a = a + :v + :v"):  # fmt: skip
        same_exactly(both, "update_item", TableName=simple, Key={"pk": {"S": "d"}}, UpdateExpression=update,
                     ExpressionAttributeValues={":v": {"N": "1"}}, ReturnValues="UPDATED_NEW")  # fmt: skip
    for text in ("9.9999999999999999999999999999999999999E+125", "1E-130", "-0", "0.000", "12.50", "1e5", ".5",
                 "1234567890123456789012345678901234567800", "111111111111111111111111111111111111111", "1E+126",
                 "1E-131"):  # fmt: skip
        same_exactly(both, "put_item", TableName=simple, Item={"pk": {"S": "n"}, "n": {"N": text}})
        same_exactly(both, "get_item", TableName=simple, Key={"pk": {"S": "n"}})
    same(
        both,
        "put_item",
        TableName=simple,
        Item={"pk": {"S": "n"}, "n": {"N": "9.9999999999999999999999999999999999999E+125"}},
    )
    same_exactly(both, "update_item", TableName=simple, Key={"pk": {"S": "n"}}, UpdateExpression="ADD n :v",
                 ExpressionAttributeValues={":v": {"N": "9.9999999999999999999999999999999999999E+125"}})  # fmt: skip


def _table_with_gsis(both, prefix: str, attributes: dict[str, str], indexes: list[dict]) -> str:
    """An on-demand table keyed by pk (string) with `indexes` over `attributes` (name: type), on both."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    definitions += [{"AttributeName": a, "AttributeType": kind} for a, kind in attributes.items()]
    for client in both:
        client.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=definitions,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], GlobalSecondaryIndexes=indexes,
        )  # fmt: skip
    return name


def test_indexes_are_kept_queried_and_charged_the_same(both):
    name = _table_with_gsis(both, "diff-gsi", {"gk": "S", "gs": "N"}, [
        {"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"},
         "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}, {"AttributeName": "gs", "KeyType": "RANGE"}]},
    ])  # fmt: skip
    put = {"TableName": name, "ReturnConsumedCapacity": "INDEXES"}
    same_exactly(both, "put_item", Item={"pk": {"S": "p1"}, "gk": {"S": "g1"}, "gs": {"N": "2"}}, **put)
    same_exactly(both, "put_item", Item={"pk": {"S": "p1"}, "gk": {"S": "g1"}, "gs": {"N": "2"}}, **put)
    same_exactly(both, "put_item", Item={"pk": {"S": "p2"}, "gk": {"S": "g1"}, "gs": {"N": "1"}}, **put)
    same_exactly(both, "put_item", Item={"pk": {"S": "p3"}}, **put)
    same_exactly(
        both, "put_item", Item={"pk": {"S": "p1"}, "gk": {"S": "g2"}, "gs": {"N": "2"}, "x": {"S": "y"}}, **put
    )
    same_exactly(both, "query", TableName=name, IndexName="gsi", KeyConditionExpression="gk = :g",
                 ExpressionAttributeValues={":g": {"S": "g1"}}, ReturnConsumedCapacity="INDEXES")  # fmt: skip
    same_exactly(both, "delete_item", TableName=name, Key={"pk": {"S": "p2"}}, ReturnConsumedCapacity="INDEXES")
    same_exactly(both, "query", TableName=name, IndexName="gsi", KeyConditionExpression="gk = :g",
                 ExpressionAttributeValues={":g": {"S": "g1"}})  # fmt: skip
    scans = [c.scan(TableName=name, IndexName="gsi")["Items"] for c in both]
    assert [i["pk"] for i in scans[0]] == [i["pk"] for i in scans[1]] and len(scans[0]) == 1


def test_ttl_limits_and_consumed_capacity(both, tables):
    simple, _ = tables
    same_exactly(both, "describe_time_to_live", TableName=simple)
    spec = {"Enabled": True, "AttributeName": "expires_at"}
    same_exactly(both, "update_time_to_live", TableName=simple, TimeToLiveSpecification=spec)
    same_exactly(both, "update_time_to_live", TableName=simple, TimeToLiveSpecification=spec)
    same_exactly(both, "update_time_to_live", TableName=simple,
                 TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"})  # fmt: skip
    same_exactly(both, "describe_time_to_live", TableName=simple)
    same_exactly(both, "describe_limits")
    writes = [{"PutRequest": {"Item": {"pk": {"S": f"c{i}"}}}} for i in range(5)]
    same_exactly(both, "batch_write_item", RequestItems={simple: writes}, ReturnConsumedCapacity="TOTAL")
    same_exactly(both, "get_item", TableName=simple, Key={"pk": {"S": "c1"}}, ReturnConsumedCapacity="TOTAL")
    same_exactly(both, "put_item", TableName=simple, Item={"pk": {"S": "c9"}, "s": {"S": "x" * 3000}},
                 ReturnConsumedCapacity="INDEXES")  # fmt: skip
    # Transactional writes cost two units per KB ("Capacity unit consumption for transactions" in the
    # developer guide); DynamoDB Local charges one, so here the endpoint must charge exactly double.
    transaction = [{"Put": {"TableName": simple, "Item": {"pk": {"S": "t1"}}}},
                   {"Update": {"TableName": simple, "Key": {"pk": {"S": "t2"}}, "UpdateExpression": "SET a = :v",
                               "ExpressionAttributeValues": {":v": {"N": "2"}}}}]  # fmt: skip
    local, emulated = (c.transact_write_items(TransactItems=transaction, ReturnConsumedCapacity="TOTAL") for c in both)
    assert emulated["ConsumedCapacity"][0]["CapacityUnits"] == 2 * local["ConsumedCapacity"][0]["CapacityUnits"] == 4.0


def test_local_indexes_are_the_same(both):
    name = f"diff-lsi-{uuid.uuid4().hex[:8]}"
    for client in both:
        client.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"},
                                  {"AttributeName": "price", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            LocalSecondaryIndexes=[{"IndexName": "by-price", "Projection": {"ProjectionType": "ALL"},
                                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                  {"AttributeName": "price", "KeyType": "RANGE"}]}],
        )  # fmt: skip
    for sk, price in ((1, "30"), (2, "10"), (3, "20")):
        item = {"pk": {"S": "c"}, "sk": {"N": str(sk)}, "price": {"N": price}}
        same_exactly(both, "put_item", TableName=name, Item=item, ReturnConsumedCapacity="INDEXES")
    same_exactly(both, "query", TableName=name, IndexName="by-price", ConsistentRead=True, Limit=2,
                 KeyConditionExpression="pk = :c", ExpressionAttributeValues={":c": {"S": "c"}},
                 ReturnConsumedCapacity="INDEXES")  # fmt: skip


def test_parallel_scan_segments_cover_the_table_once(both, tables):
    simple, _ = tables
    for i in range(40):
        same(both, "put_item", TableName=simple, Item={"pk": {"S": f"seg{i:02}"}})
    for client in both:
        seen = []
        for segment in range(3):
            seen += [i["pk"]["S"] for i in client.scan(TableName=simple, Segment=segment, TotalSegments=3)["Items"]]
        assert sorted(seen) == [f"seg{i:02}" for i in range(40)], "every item once, across the segments"
    same_exactly(both, "scan", TableName=simple, Segment=0, TotalSegments=1, Select="COUNT")


def _unvalidated(url: str):
    """A boto3 client that sends what it is given: the endpoint, not botocore, must refuse it."""
    return boto3.client(
        "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )  # fmt: skip


def test_requests_dynamodb_refuses_are_refused_not_accepted(endpoint, emulator, tables):
    """From the second hostile campaign: each of these answered 200 from the endpoint."""
    simple, _ = tables
    both = (_unvalidated(endpoint), _unvalidated(emulator.url))
    name = _table_with_gsis(both, "diff-gsikeys", {"gn": "N", "gs": "S"}, [
        {"IndexName": "by-number", "Projection": {"ProjectionType": "ALL"},
         "KeySchema": [{"AttributeName": "gn", "KeyType": "HASH"}]},
        {"IndexName": "by-string", "Projection": {"ProjectionType": "KEYS_ONLY"},
         "KeySchema": [{"AttributeName": "gs", "KeyType": "HASH"}]},
    ])  # fmt: skip
    # An index key of the wrong type, or an empty string index key, in every kind of write.
    # In a transaction DynamoDB Local cancels a mistyped index key (reason ValidationError) and refuses an
    # empty one for the whole request.
    for item, in_transaction in (
        ({"pk": {"S": "a"}, "gn": {"S": "not a number"}}, ("TransactionCanceledException", ["ValidationError"])),
        ({"pk": {"S": "a"}, "gs": {"S": ""}}, ("ValidationException", [])),
    ):
        assert same(both, "put_item", TableName=name, Item=item)[1] == "ValidationException"
        assert same(both, "batch_write_item", RequestItems={name: [{"PutRequest": {"Item": item}}]})[1] == (
            "ValidationException"
        )
        transaction = same(both, "transact_write_items", TransactItems=[{"Put": {"TableName": name, "Item": item}}])
        assert transaction[1:] == in_transaction
    same(both, "update_item", TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET gn = :s",
         ExpressionAttributeValues={":s": {"S": "x"}})  # fmt: skip
    assert same(both, "scan", TableName=name)["Count"] == 0, "nothing refused was written"
    # A ClientRequestToken of 37 characters; an attribute name of 1 MB; BatchGetItem with Keys null.
    token = same(both, "transact_write_items", ClientRequestToken="x" * 37,
                 TransactItems=[{"Put": {"TableName": simple, "Item": {"pk": {"S": "t"}}}}])  # fmt: skip
    assert token[1] == "ValidationException"
    huge = same(both, "get_item", TableName=simple, Key={"pk": {"S": "t"}}, ProjectionExpression="#n",
                ExpressionAttributeNames={"#n": "x" * 1_000_000})  # fmt: skip
    assert huge[1] == "ValidationException"
    for url in (endpoint, emulator.url):
        request = urllib.request.Request(
            url, data=json.dumps({"RequestItems": {simple: {"Keys": None}}}).encode(),
            headers={"X-Amz-Target": "DynamoDB_20120810.BatchGetItem", "Content-Type": "application/x-amz-json-1.0",
                     **SIGNED},
        )  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 400 and b"ValidationException" in refused.value.read(), url


def test_what_dynamodb_local_cannot_answer_is_refused_as_dynamodb_documents(emulator, tables):
    """DynamoDB Local has no tagging (UnknownOperationException) and fails Scan Limit 1e23 with a 500
    InternalFailure; DynamoDB's documented answers are a ValidationException for a reserved or malformed
    tag, and a Limit that is not a 32-bit integer cannot be read into the request."""
    simple, _ = tables
    client = _unvalidated(emulator.url)
    arn = client.describe_table(TableName=simple)["Table"]["TableArn"]
    bad_tags = ({"Key": "aws:owner", "Value": "me"}, {"Key": "a#b", "Value": "v"}, {"Key": "k" * 129, "Value": "v"})
    for tags in ([tag] for tag in bad_tags):
        with pytest.raises(ClientError) as refused:
            client.tag_resource(ResourceArn=arn, Tags=tags)
        assert refused.value.response["Error"]["Code"] == "ValidationException", tags
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    with pytest.raises(ClientError) as refused:
        client.scan(TableName=simple, Limit=10**23)
    assert refused.value.response["Error"]["Code"] == "SerializationException"


def test_partiql_statements_read_and_write_as_dynamodb_local_does(both, tables):
    """ExecuteStatement: each statement's items, errors and the table it leaves, against DynamoDB Local."""
    _, ranged = tables

    def statement(text: str, parameters: list | None = None, **kwargs) -> Any:
        if parameters is not None:
            kwargs["Parameters"] = parameters
        return same(both, "execute_statement", Statement=text, **kwargs)

    statement(f"INSERT INTO \"{ranged}\" VALUE {{'pk': 'a', 'sk': 1, 'x': 5, 'tags': <<'r', 's'>>}}")
    statement(f"INSERT INTO \"{ranged}\" VALUE {{'pk': ?, 'sk': ?, 'm': {{'l': [TRUE, NULL, 'it''s']}}}}",
              [{"S": "a"}, {"N": "2"}])  # fmt: skip
    statement(f"INSERT INTO \"{ranged}\" VALUE {{'pk': 'b', 'sk': 1}}")
    assert statement(f"SELECT * FROM \"{ranged}\" WHERE pk = 'a' AND sk = 1")["Items"][0]["x"] == {"N": "5"}
    assert len(statement(f'SELECT * FROM "{ranged}" WHERE pk = ?', [{"S": "a"}])["Items"]) == 2
    statement(f"SELECT x, sk FROM \"{ranged}\" WHERE pk = 'a' AND sk > 1")
    statement(f"SELECT * FROM \"{ranged}\" WHERE pk = 'a' AND sk BETWEEN 1 AND 2 AND x = 5")
    statement(f'SELECT * FROM "{ranged}" WHERE x = 5')
    statement(f"UPDATE \"{ranged}\" SET x = 7, y = 'q' REMOVE tags WHERE pk = 'a' AND sk = 1")
    statement(f"SELECT * FROM \"{ranged}\" WHERE pk = 'a' AND sk = 1")
    statement(f"DELETE FROM \"{ranged}\" WHERE pk = 'b' AND sk = 1")
    statement(f"DELETE FROM \"{ranged}\" WHERE pk = 'nope' AND sk = 1")
    assert len(statement(f'SELECT * FROM "{ranged}"')["Items"]) == 2
    # Paging: a page of one item and a NextToken; the tokens differ by endpoint, the pages do not.
    pages = []
    for client in both:
        first = client.execute_statement(Statement=f'SELECT * FROM "{ranged}"', Limit=1)
        rest = client.execute_statement(Statement=f'SELECT * FROM "{ranged}"', NextToken=first["NextToken"])
        pages.append((first["Items"], rest["Items"]))
    assert pages[0] == pages[1]
    # Errors: an update of no item, a statement not well formed, a WHERE without the whole key, an
    # item without its key, too few parameters, a table that does not exist.
    statement(f"UPDATE \"{ranged}\" SET x = 1 WHERE pk = 'zz' AND sk = 1")
    statement(f'SELEC * FROM "{ranged}"')
    statement(f"SELECT * FROM \"{ranged}\" WHERE pk = 'a' AND")
    statement(f"UPDATE \"{ranged}\" SET x = 1 WHERE pk = 'a'")
    statement(f"INSERT INTO \"{ranged}\" VALUE {{'pk': 'c'}}")
    statement(f'SELECT * FROM "{ranged}" WHERE pk = ? AND sk = ?', [{"S": "a"}])
    statement('SELECT * FROM "no-such-table"')


def test_partiql_nested_paths_and_begins_with_as_dynamodb_local_does(both, tables):
    """A SELECT of nested paths answers each value under its last step's name; begins_with() filters (with a
    key condition or on its own); ExecuteTransaction answers nested paths as a projection, unflattened."""
    simple, ranged = tables
    lines = {"L": [{"S": "1 Road"}, {"S": "Flat 2"}]}
    order = {"pk": {"S": "c-1"}, "name": {"S": "abc"}, "address": {"M": {"city": {"S": "Leeds"}, "lines": lines}}}
    same(both, "put_item", TableName=simple, Item=order)
    same(both, "put_item", TableName=ranged, Item={"pk": {"S": "c-1"}, "sk": {"N": "10"}, "name": {"S": "abd"}})
    same(both, "put_item", TableName=ranged, Item={"pk": {"S": "c-1"}, "sk": {"N": "20"}, "name": {"S": "xyz"}})
    for text in [
        f"SELECT address.city FROM \"{simple}\" WHERE pk = 'c-1'",
        f"SELECT address.city, name, address.lines[1] FROM \"{simple}\" WHERE pk = 'c-1'",
        f'SELECT "address"."city" FROM "{simple}"',
        f"SELECT address.nowhere FROM \"{simple}\" WHERE pk = 'c-1'",
        f"SELECT * FROM \"{simple}\" WHERE begins_with(name, 'ab')",
        f"SELECT * FROM \"{simple}\" WHERE begins_with(pk, 'c-')",
        f"SELECT * FROM \"{ranged}\" WHERE pk = 'c-1' AND begins_with(name, 'ab')",
        f'SELECT * FROM "{simple}" WHERE begins_with(name, ?)',
    ]:
        parameters = {"Parameters": [{"S": "a"}]} if "?" in text else {}
        answer = same(both, "execute_statement", Statement=text, **parameters)
    assert answer["Items"] == [order]
    read = f"SELECT address.lines[0] FROM \"{simple}\" WHERE pk = 'c-1'"
    assert same(both, "execute_transaction", TransactStatements=[{"Statement": read}])["Responses"] == [
        {"Item": {"address": {"M": {"lines": {"L": [{"S": "1 Road"}]}}}}}
    ]


def test_partiql_in_missing_and_functions_filter_as_dynamodb_local_does(both, tables):
    """IN, IS [NOT] MISSING, contains() and attribute_type() in WHERE: the same items as DynamoDB Local, for a
    scan, a query and an UPDATE's condition."""
    _, ranged = tables
    items = [
        {"pk": {"S": "a"}, "sk": {"N": "1"}, "tags": {"SS": ["x", "y"]}, "name": {"S": "abc"}},
        {"pk": {"S": "a"}, "sk": {"N": "2"}, "name": {"N": "5"}},
        {"pk": {"S": "b"}, "sk": {"N": "1"}},
    ]
    for item in items:
        same(both, "put_item", TableName=ranged, Item=item)
    table = f'"{ranged}"'
    for text in [
        f"SELECT * FROM {table} WHERE contains(tags, 'x')",
        f"SELECT * FROM {table} WHERE attribute_type(name, 'N')",
        f"SELECT * FROM {table} WHERE name IS MISSING",
        f"SELECT * FROM {table} WHERE name IS NOT MISSING",
        f"SELECT * FROM {table} WHERE sk IN [1, 3]",
        f"SELECT * FROM {table} WHERE sk IN (1, 3)",
        f"SELECT * FROM {table} WHERE pk = 'a' AND name IS MISSING",
        f"UPDATE {table} SET seen = TRUE WHERE pk = 'a' AND sk = 1 AND name IS NOT MISSING",
        f"UPDATE {table} SET seen = TRUE WHERE pk = 'b' AND sk = 1 AND name IS NOT MISSING",
        f"SELECT * FROM {table} WHERE seen IS NOT MISSING",
        f"SELECT * FROM {table} WHERE pk = 'a' AND sk IN [2]",
    ]:
        same(both, "execute_statement", Statement=text)


def test_partiql_duplicate_insert_is_dynamodbs_documented_error(emulator, tables):
    """Where DynamoDB Local differs from DynamoDB's API reference, the reference: an INSERT of a key that
    exists is DuplicateItemException (Local answers the code 'DuplicateItem'), a missing Statement is
    validation's error (Local: InternalFailure). ConsumedCapacity is asked too (Local gives none)."""
    _, ranged = tables
    client = _client(emulator.url)
    client.execute_statement(Statement=f"INSERT INTO \"{ranged}\" VALUE {{'pk': 'd', 'sk': 1}}")
    with pytest.raises(ClientError) as refused:
        client.execute_statement(Statement=f"INSERT INTO \"{ranged}\" VALUE {{'pk': 'd', 'sk': 1}}")
    assert refused.value.response["Error"]["Code"] == "DuplicateItemException"
    assert refused.value.response["Error"]["Message"] == "Duplicate primary key exists in table"
    used = client.execute_statement(
        Statement=f"SELECT * FROM \"{ranged}\" WHERE pk = 'd' AND sk = 1", ReturnConsumedCapacity="TOTAL"
    )
    assert used["ConsumedCapacity"]["CapacityUnits"] == 0.5  # charged as the GetItem it is
    # A statement left out is validation's error (DynamoDB Local answers InternalFailure here).
    with pytest.raises(ClientError) as refused:
        _unvalidated(emulator.url).execute_statement()
    assert "Value null at 'statement'" in refused.value.response["Error"]["Message"]
    # PartiQL DynamoDB reads but does not carry out is refused in its words, not called malformed.
    with pytest.raises(ClientError) as refused:
        client.execute_statement(Statement=f"SELECT * FROM \"{ranged}\" WHERE name LIKE 'd%'")
    assert refused.value.response["Error"]["Message"] == "Unsupported operator in Condition Expression. Operator: like"


def test_a_batch_is_validated_whole_before_its_tables_are_looked_up(both):
    """A malformed batch is validation's error even when its table does not exist (as DynamoDB checks the
    whole request first); it was ResourceNotFoundException."""
    missing = f"diff-missing-{uuid.uuid4().hex[:8]}"
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"k{n}"}}}} for n in range(26)]
    same(both, "batch_write_item", RequestItems={missing: puts})
    same(both, "batch_write_item", RequestItems={missing: [{"PutRequest": {"Item": {"pk": {"N": "x1"}}}}]})
    big = {"pk": {"S": "k"}, "blob": {"S": "x" * 400_000}}
    same(both, "batch_write_item", RequestItems={missing: [{"PutRequest": {"Item": big}}]})
    key = {"pk": {"S": "k"}}
    same(both, "batch_get_item", RequestItems={missing: {"Keys": [key, key]}})
    same(both, "batch_get_item", RequestItems={missing: {"Keys": [{"pk": {"N": "1e999"}}]}})
    # A well-formed batch on a missing table is still ResourceNotFoundException.
    same(both, "batch_get_item", RequestItems={missing: {"Keys": [key]}})


def test_between_bounds_are_checked_before_anything_is_read(both, emulator, tables):
    """A BETWEEN of values the wrong way round, or of two types, is validation's error with DynamoDB's
    message; it was a condition that could never hold. On an existing table DynamoDB Local agrees. For a
    table that does not exist DynamoDB Local looks the table up first (ResourceNotFoundException), while
    DynamoDB validates first: the public emulator suite recorded against DynamoDB (mhart/dynalite's
    deleteItem validations, run on a missing table) expects these ValidationExceptions, so that is checked."""
    simple, _ = tables
    missing = f"diff-missing-{uuid.uuid4().hex[:8]}"
    key = {"pk": {"S": "k"}}
    reversed_legacy = {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "a"}]}}
    condition = "a between :lo and :hi"
    for low, high in (({"S": "b"}, {"S": "a"}), ({"N": "1"}, {"S": "a"})):
        values = {":lo": low, ":hi": high}
        same(both, "delete_item", TableName=simple, Key=key, ConditionExpression=condition,
             ExpressionAttributeValues=values)  # fmt: skip
    same(both, "delete_item", TableName=simple, Key=key, Expected=reversed_legacy)
    with pytest.raises(ClientError) as refused:
        _client(emulator.url).delete_item(TableName=missing, Key=key, Expected=reversed_legacy)
    assert refused.value.response["Error"]["Message"] == (
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
    )
    with pytest.raises(ClientError) as refused:
        _client(emulator.url).delete_item(
            TableName=missing, Key={"pk": {"S": "k"}}, ConditionExpression="a between :lo and :hi",
            ExpressionAttributeValues={":lo": {"S": "b"}, ":hi": {"S": "a"}},
        )  # fmt: skip
    assert refused.value.response["Error"]["Message"] == (
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to "
        "lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"
    )


def test_partiql_batches_and_transactions_as_dynamodb_local_does(both, tables):
    """BatchExecuteStatement and ExecuteTransaction: each statement's answer or error (codes, messages and
    the item a failed condition returns), the whole request's refusals, and the table they leave."""
    _, ranged = tables
    table = f'"{ranged}"'

    def batch(*statements: str | dict, **kwargs) -> Any:
        listed = [{"Statement": s} if isinstance(s, str) else s for s in statements]
        return same(both, "batch_execute_statement", Statements=listed, **kwargs)

    def transaction(*statements: str | dict, **kwargs) -> Any:
        listed = [{"Statement": s} if isinstance(s, str) else s for s in statements]
        return same(both, "execute_transaction", TransactStatements=listed, **kwargs)

    written = batch(
        f"INSERT INTO {table} VALUE {{'pk': 'a', 'sk': 1, 'v': 1}}",
        f"INSERT INTO {table} VALUE {{'pk': 'b', 'sk': 2, 'v': 3}}",
        f"UPDATE {table} SET v = 5 WHERE pk = 'zz' AND sk = 9",
        f"SELEC * FROM {table}",
    )
    assert [r.get("Error", {}).get("Code") for r in written["Responses"]] == [
        None, None, "ConditionalCheckFailed", "ValidationError"
    ]  # fmt: skip
    # A statement on a missing table: the same code on both. DynamoDB Local words it "Cannot do operations
    # on a non-existent table"; DynamoDB's data plane says "Requested resource not found" (as the public
    # emulator suite recorded against DynamoDB for GetItem, Query and the batches), which ddbload follows.
    missing = [{"Statement": "DELETE FROM \"diff-no-such-table\" WHERE pk = 'a' AND sk = 1"}]
    local, emulated = (c.batch_execute_statement(Statements=missing)["Responses"][0]["Error"] for c in both)
    assert local["Code"] == emulated["Code"] == "ResourceNotFound"
    assert emulated["Message"] == "Requested resource not found"
    read = batch(
        f"SELECT * FROM {table} WHERE pk = 'a' AND sk = 1",
        f"SELECT * FROM {table} WHERE pk = 'nobody' AND sk = 1",
        {"Statement": f"SELECT v FROM {table} WHERE pk = ? AND sk = ?", "Parameters": [{"S": "b"}, {"N": "2"}],
         "ConsistentRead": True},
        f"SELECT * FROM {table} WHERE pk = 'a'",
    )  # fmt: skip
    assert read["Responses"][0]["Item"]["v"] == {"N": "1"} and "Item" not in read["Responses"][1]
    batch(f"INSERT INTO {table} VALUE {{'pk': 'a', 'sk': 1}}")  # DuplicateItem
    batch({"Statement": f"DELETE FROM {table} WHERE pk = 'b' AND sk = 2 AND v = 99",
           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})  # fmt: skip
    # The whole batch is refused: reads with writes, one key twice.
    batch(f"SELECT * FROM {table} WHERE pk = 'a' AND sk = 1", f"DELETE FROM {table} WHERE pk = 'b' AND sk = 2")
    batch(f"SELECT * FROM {table} WHERE pk = 'a' AND sk = 1", f"SELECT v FROM {table} WHERE pk = 'a' AND sk = 1")

    assert transaction(
        f"INSERT INTO {table} VALUE {{'pk': 'c', 'sk': 1}}",
        f"UPDATE {table} SET v = 10 WHERE pk = 'a' AND sk = 1",
        ClientRequestToken=f"diff-{uuid.uuid4().hex[:12]}",
    ) == {"Responses": []}
    transaction(
        f"INSERT INTO {table} VALUE {{'pk': 'c', 'sk': 1}}", f"UPDATE {table} SET v = 11 WHERE pk = 'a' AND sk = 1"
    )
    transaction(f"UPDATE {table} SET v = 1 WHERE pk = 'nobody' AND sk = 1")
    assert transaction(
        f"SELECT * FROM {table} WHERE pk = 'a' AND sk = 1", f"SELECT * FROM {table} WHERE pk = 'nobody' AND sk = 1"
    )["Responses"] == [{"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "10"}}}, {}]
    transaction(f"SELECT * FROM {table} WHERE pk = 'a'")
    transaction(f"SELECT * FROM {table} WHERE pk = 'a' AND sk = 1", f"DELETE FROM {table} WHERE pk = 'c' AND sk = 1")
    transaction(f"UPDATE {table} SET v = 1 WHERE pk = 'a' AND sk = 1", f"DELETE FROM {table} WHERE pk = 'a' AND sk = 1")
    transaction("DELETE FROM \"diff-no-such-table\" WHERE pk = 'a' AND sk = 1")
    transaction(f"SELEC * FROM {table}")
    same(both, "scan", TableName=ranged, ConsistentRead=True)


def test_partiql_conditions_return_the_old_item_and_capacity_adds_up(emulator, tables):
    """A refused condition returns the item when ReturnValuesOnConditionCheckFailure asks (ExecuteStatement,
    a batch's statement, a transaction's reason: DynamoDB Local agrees); a batch's ConsumedCapacity is each
    table's sum and a transaction's is TransactGetItems' double (Local reports no capacity for PartiQL)."""
    _, ranged = tables
    client = _client(emulator.url)
    client.execute_statement(Statement=f"INSERT INTO \"{ranged}\" VALUE {{'pk': 'b', 'sk': 2, 'v': 3}}")
    old = {"pk": {"S": "b"}, "sk": {"N": "2"}, "v": {"N": "3"}}
    failing = f"DELETE FROM \"{ranged}\" WHERE pk = 'b' AND sk = 2 AND v = 99"
    with pytest.raises(ClientError) as refused:
        client.execute_statement(Statement=failing, ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert refused.value.response["Item"] == old
    answered = client.batch_execute_statement(
        Statements=[{"Statement": failing, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}]
    )
    assert answered["Responses"][0]["Error"]["Item"] == old
    with pytest.raises(ClientError) as refused:
        client.execute_transaction(
            TransactStatements=[{"Statement": failing, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}]
        )
    assert refused.value.response["CancellationReasons"][0]["Item"] == old
    two_reads = [{"Statement": f"SELECT * FROM \"{ranged}\" WHERE pk = 'b' AND sk = 2"}] * 2
    batch = client.batch_execute_statement(Statements=two_reads[:1], ReturnConsumedCapacity="TOTAL")
    assert batch["ConsumedCapacity"] == [{"TableName": ranged, "CapacityUnits": 0.5}]
    transaction = client.execute_transaction(TransactStatements=two_reads[:1], ReturnConsumedCapacity="TOTAL")
    assert transaction["ConsumedCapacity"] == [{"TableName": ranged, "CapacityUnits": 2.0}]
    # 26 statements: refused whole, naming the member and its bound.
    with pytest.raises(ClientError) as refused:
        client.batch_execute_statement(Statements=two_reads[:1] * 26)
    assert (
        "at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25"
        in (refused.value.response["Error"]["Message"])
    )


def test_a_transaction_over_4_mb_is_refused_whole(both, tables):
    """Ten items of 350 KB go through, twelve (4,200,086 bytes) are refused and nothing of them is written."""
    simple, _ = tables
    for count in (10, 12):
        puts = [{"Put": {"TableName": simple, "Item": {"pk": {"S": f"{count}-{n}"}, "p": {"S": "x" * 350_000}}}}
                for n in range(count)]  # fmt: skip
        same(both, "transact_write_items", TransactItems=puts)
        same(both, "get_item", TableName=simple, Key={"pk": {"S": f"{count}-0"}}, ProjectionExpression="pk")
    with pytest.raises(ClientError, match=r"Transaction payload size cannot exceed 4MB\. Payload Size: 4200086"):
        both[1].transact_write_items(TransactItems=puts)


def test_a_syntax_error_quotes_the_tokens_around_it_as_dynamodb_does(both, tables):
    """The bad token and the text from the token before it to the token after it, in the message."""
    simple, _ = tables
    for expression in ["!!! INVALID !!!", "!!invalid", "a !! b", "!a", "a,,b", "a b", "#", "a.", "a[x]", "a[-1]"]:
        same_exactly(both, "get_item", TableName=simple, Key={"pk": {"S": "x"}}, ProjectionExpression=expression)


def test_deletion_protection_refuses_deletion_until_turned_off(both):
    name = f"diff-protected-{uuid.uuid4().hex[:8]}"
    for client in both:
        created = client.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )  # fmt: skip
        assert created["TableDescription"]["DeletionProtectionEnabled"] is True
    same_exactly(both, "delete_table", TableName=name)  # refused alike, in the same words
    for client in both:
        assert client.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is True
        client.update_table(TableName=name, DeletionProtectionEnabled=False)
        assert client.delete_table(TableName=name)["TableDescription"]["DeletionProtectionEnabled"] is False


KEYS_ONLY = {"ProjectionType": "KEYS_ONLY"}


def _index(name: str, keys: tuple[str, ...], projection: dict) -> dict:
    """An index definition: its hash key, then its range key if given."""
    key_schema = [{"AttributeName": key, "KeyType": kind} for key, kind in zip(keys, ("HASH", "RANGE"))]
    return {"IndexName": name, "KeySchema": key_schema, "Projection": projection}


def _indexed_table_request(name: str, attributes, global_indexes: list, local_indexes: list | None = None) -> dict:
    """CreateTable of an on-demand table keyed by pk + sk with the given indexes."""
    request = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t} for a, t in attributes],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    }
    if global_indexes:
        request["GlobalSecondaryIndexes"] = global_indexes
    if local_indexes:
        request["LocalSecondaryIndexes"] = local_indexes
    return request


def _make_indexed_table(both, name: str, attributes, global_indexes: list, local_indexes: list) -> None:
    """A table keyed by pk + sk with the given indexes, made on both endpoints."""
    for client in both:
        client.create_table(**_indexed_table_request(name, attributes, global_indexes, local_indexes))


def test_an_index_key_value_longer_than_dynamodb_allows_is_refused(both, emulator):
    """2,048 bytes for an index's partition key value and 1,024 for its sort key, as for the table's own
    key: every write that would store a longer one is refused, as DynamoDB Local refuses it."""
    name = f"diff-index-keys-{uuid.uuid4().hex[:8]}"
    defined = [("pk", "S"), ("sk", "S"), ("g", "S"), ("gr", "S"), ("l", "S"), ("gb", "B")]
    _make_indexed_table(
        both,
        name,
        defined,
        [_index("by-g", ("g", "gr"), {"ProjectionType": "ALL"}), _index("by-gb", ("gb",), KEYS_ONLY)],
        [_index("by-l", ("pk", "l"), KEYS_ONLY)],
    )
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    refused = ("error", "ValidationException", [])
    # At the limits: stored, and found through the index.
    assert same(both, "put_item", TableName=name, Item={**key, "g": {"S": "x" * 2048}, "gr": {"S": "y" * 1024}}) == {}
    found = same(both, "query", TableName=name, IndexName="by-g", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": {"S": "x" * 2048}})  # fmt: skip
    assert found["Count"] == 1
    # One byte over, counted in UTF-8 bytes (1,025 two-byte characters are 2,050 bytes), binary too,
    # and a sort key value too long even on an item without the index's partition key.
    for too_long in [
        {"g": {"S": "x" * 2049}},
        {"g": {"S": "é" * 1025}},
        {"g": {"S": "x"}, "gr": {"S": "y" * 1025}},
        {"gr": {"S": "y" * 1025}},
        {"l": {"S": "z" * 1025}},
        {"gb": {"B": b"\x00" * 2049}},
    ]:
        assert same(both, "put_item", TableName=name, Item={**key, **too_long}) == refused, too_long
    long_g = {**key, "g": {"S": "x" * 3000}}
    assert same(both, "update_item", TableName=name, Key=key, UpdateExpression="SET g = :v",
                ExpressionAttributeValues={":v": long_g["g"]}) == refused  # fmt: skip
    assert same(both, "batch_write_item", RequestItems={name: [{"PutRequest": {"Item": long_g}}]}) == refused
    assert same(both, "transact_write_items", TransactItems=[{"Put": {"TableName": name, "Item": long_g}}]) == refused
    # Nothing was written by the refused requests: the item is the one stored at the limits.
    stored = same(both, "get_item", TableName=name, Key=key)["Item"]
    assert (len(stored["g"]["S"]), len(stored["gr"]["S"])) == (2048, 1024)
    # DynamoDB Local's message stops at "Size limit exceeded"; DynamoDB's names the attribute, the sizes
    # and the index (as its users quote it, e.g. architect/dynalite#35).
    with pytest.raises(ClientError) as refusal:
        _client(emulator.url).put_item(TableName=name, Item={**key, "g": {"S": "é" * 1025}})
    assert refusal.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Size limit exceeded for Index Key g "
        "Actual Size: 2050 bytes Max Size: 2048 bytes IndexName: by-g"
    )


def test_reading_attributes_an_index_does_not_hold_is_answered_as_dynamodb_local_answers(both):
    """A global index refuses to project or filter on what it does not hold, in DynamoDB Local's words;
    a local index fetches those attributes from the table for a projection (and a Scan's filter), but
    a Query's filter on them is refused."""
    name = f"diff-projects-{uuid.uuid4().hex[:8]}"
    defined = [("pk", "S"), ("sk", "N"), ("g", "S"), ("l", "N")]
    with_a = {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}
    _make_indexed_table(
        both,
        name,
        defined,
        [_index("by-g", ("g",), KEYS_ONLY), _index("by-g-with-a", ("g",), with_a)],
        [_index("by-l", ("pk", "l"), KEYS_ONLY)],
    )
    for n in range(3):
        item = {"pk": {"S": "p"}, "sk": {"N": str(n)}, "g": {"S": f"g{n}"}, "l": {"N": str(10 - n)},
                "a": {"S": "A"}, "b": {"M": {"c": {"S": f"C{n}"}}}, "d": {"S": f"D{n}"}}  # fmt: skip
        same(both, "put_item", TableName=name, Item=item)
    by_g = {"TableName": name, "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "g1"}}}
    by_l = {"TableName": name, "IndexName": "by-l", "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "p"}}}  # fmt: skip

    invalid = "One or more parameter values were invalid: "
    gsi_lacks = invalid + "Global secondary index {} does not project [{}]"
    filter_lacks = invalid + "Secondary index {} does not project one or more filter attributes: [{}]"
    assert refused_alike(both, "query", IndexName="by-g", ProjectionExpression="d, b.c", **by_g) == gsi_lacks.format(
        "by-g", "b, d"
    )
    named = {"ProjectionExpression": "#n", "ExpressionAttributeNames": {"#n": "d"}}
    assert refused_alike(both, "query", IndexName="by-g", **named, **by_g) == gsi_lacks.format("by-g", "d")
    assert refused_alike(
        both, "query", IndexName="by-g-with-a", ProjectionExpression="a, b", **by_g
    ) == gsi_lacks.format("by-g-with-a", "b")
    assert same(both, "query", IndexName="by-g-with-a", ProjectionExpression="a, pk", **by_g)["Items"] == [
        {"a": {"S": "A"}, "pk": {"S": "p"}}
    ]
    legacy_key = {"g": {"AttributeValueList": [{"S": "g1"}], "ComparisonOperator": "EQ"}}
    assert refused_alike(both, "query", TableName=name, IndexName="by-g", KeyConditions=legacy_key,
                   AttributesToGet=["d"]) == gsi_lacks.format("by-g", "d")  # fmt: skip
    assert refused_alike(both, "scan", TableName=name, IndexName="by-g", ProjectionExpression="d") == gsi_lacks.format(
        "by-g", "d"
    )
    assert refused_alike(
        both, "query", IndexName="by-g", FilterExpression="d = :g OR a = :g", ProjectionExpression="sk", **by_g
    ) == filter_lacks.format("by-g", "a, d")
    assert refused_alike(both, "query", TableName=name, IndexName="by-g", KeyConditions=legacy_key,
                   QueryFilter={"d": {"AttributeValueList": [{"S": "D1"}], "ComparisonOperator": "EQ"}},
                   ) == filter_lacks.format("by-g", "d")  # fmt: skip
    assert refused_alike(both, "query", FilterExpression="d = :p", **by_l) == filter_lacks.format("by-l", "d")
    # A local index reads what it does not hold from the table.
    fetched = same(both, "query", ProjectionExpression="b.c, d", **by_l)["Items"]
    assert fetched == [{"b": {"M": {"c": {"S": f"C{n}"}}}, "d": {"S": f"D{n}"}} for n in (2, 1, 0)]
    assert same(both, "query", TableName=name, IndexName="by-l", AttributesToGet=["d"],
                KeyConditions={"pk": {"AttributeValueList": [{"S": "p"}], "ComparisonOperator": "EQ"}},
                )["Items"] == [{"d": {"S": f"D{n}"}} for n in (2, 1, 0)]  # fmt: skip
    assert same(both, "scan", TableName=name, IndexName="by-l", ProjectionExpression="d")["Count"] == 3
    scanned = same(both, "scan", TableName=name, IndexName="by-l", FilterExpression="d = :d",
                   ExpressionAttributeValues={":d": {"S": "D1"}})  # fmt: skip
    assert [item["sk"] for item in scanned["Items"]] == [{"N": "1"}]


def test_functions_an_expression_does_not_take_and_long_in_lists_are_refused(both, tables):
    """size and the condition functions have no place in an update, if_not_exists and list_append none in a
    condition or filter, and IN compares with at most 100 values: refused in DynamoDB Local's words,
    before an undefined name is, and nothing is written."""
    simple, _ = tables
    key = {"pk": {"S": "f"}}
    same(both, "put_item", TableName=simple, Item={**key, "b": {"S": "abc"}})
    update = "Invalid UpdateExpression: The function is not allowed in an update expression; function: "
    for expression, function in [
        ("SET a = size(b)", "size"),
        ("SET a = if_not_exists(b, size(c))", "size"),
        ("SET a = attribute_exists(b)", "attribute_exists"),
        ("SET a = size(#undefined)", "size"),
    ]:
        assert refused_alike(both, "update_item", TableName=simple, Key=key, UpdateExpression=expression) == (
            update + function
        ), expression
    condition = "The function is not allowed in a condition expression; function: "
    one = {":v": {"N": "1"}}
    assert refused_alike(both, "put_item", TableName=simple, Item=key, ExpressionAttributeValues=one,
                         ConditionExpression="if_not_exists(a, :v) = :v",
                         ) == "Invalid ConditionExpression: " + condition + "if_not_exists"  # fmt: skip
    assert refused_alike(both, "scan", TableName=simple, FilterExpression="list_append(a, :l) = :l",
                         ExpressionAttributeValues={":l": {"L": []}},
                         ) == "Invalid FilterExpression: " + condition + "list_append"  # fmt: skip
    values = {f":v{n}": {"N": str(n)} for n in range(101)}
    hundred = ", ".join(list(values)[:100])
    assert same(both, "scan", TableName=simple, FilterExpression=f"b IN ({hundred})",
                ExpressionAttributeValues=dict(list(values.items())[:100]))["Count"] == 0  # fmt: skip
    too_many = "The IN operator is provided with too many operands; number of operands: 101"
    assert refused_alike(both, "put_item", TableName=simple, Item=key, ExpressionAttributeValues=values,
                         ConditionExpression=f"a IN ({', '.join(values)}) AND #undefined = :v0",
                         ) == "Invalid ConditionExpression: " + too_many  # fmt: skip
    long_filter = {"FilterExpression": f"b IN ({', '.join(values)})", "ExpressionAttributeValues": values}
    assert refused_alike(both, "scan", TableName=simple, **long_filter) == "Invalid FilterExpression: " + too_many
    assert same(both, "get_item", TableName=simple, Key=key)["Item"] == {**key, "b": {"S": "abc"}}


def test_index_projections_dynamodb_refuses_are_refused_and_create_nothing(both, emulator):
    """INCLUDE without NonKeyAttributes, an attribute listed twice, and more than 100 projected attributes
    summed over a table's indexes (one projected into two indexes counts twice): refused at CreateTable
    and at UpdateTable's index Create, as DynamoDB Local refuses them; 100 in all is accepted."""
    name = f"diff-projection-{uuid.uuid4().hex[:8]}"
    defined = [("pk", "S"), ("sk", "S"), ("g", "S"), ("h", "S")]
    refused = ("error", "ValidationException", [])

    def include(*names: str) -> dict:
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(names)}

    def attempt(global_indexes: list, local_indexes: list | None = None) -> Any:
        request = _indexed_table_request(name, defined, global_indexes, local_indexes)
        answers = [outcome(lambda c=c: c.create_table(**request)) for c in both]
        return answers[0] if answers[0] == answers[1] else answers

    sixty, forty_one = [f"a{n}" for n in range(60)], [f"a{n}" for n in range(41)]
    for global_indexes, local_indexes in [
        ([_index("by-g", ("g",), {"ProjectionType": "INCLUDE"})], None),
        ([_index("by-g", ("g",), KEYS_ONLY)], [_index("by-l", ("pk", "h"), {"ProjectionType": "INCLUDE"})]),
        ([_index("by-g", ("g",), include("a", "a"))], None),
        ([_index("by-g", ("g",), include(*sixty)), _index("by-h", ("h",), include(*forty_one))], None),
    ]:
        assert attempt(global_indexes, local_indexes) == refused, (global_indexes, local_indexes)
        assert same(both, "describe_table", TableName=name) == ("error", "ResourceNotFoundException", [])
    with pytest.raises(ClientError) as refusal:
        _client(emulator.url).create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "g", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[_index("by-g", ("g",), {"ProjectionType": "INCLUDE"})],
        )
    # DynamoDB Local: "If Projection type INCLUDE is specified, some non-key attributes to include in the
    # projection must be specified as well"; DynamoDB's own words, as quoted in nubo-db/dynoxide#116:
    assert refusal.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified"
    )
    created = attempt([_index("by-g", ("g",), include(*sixty)), _index("by-h", ("h",), include(*forty_one[:40]))])
    assert [answer["TableDescription"]["TableName"] for answer in created] == [name, name]
    for create in [
        _index("by-more", ("h",), include("b")),
        _index("by-more", ("h",), {"ProjectionType": "INCLUDE"}),
    ]:
        assert same(both, "update_table", TableName=name, GlobalSecondaryIndexUpdates=[{"Create": create}],
                    AttributeDefinitions=[{"AttributeName": "h", "AttributeType": "S"}]) == refused  # fmt: skip
    for client in both:
        described = client.describe_table(TableName=name)["Table"]
        assert sorted(index["IndexName"] for index in described["GlobalSecondaryIndexes"]) == ["by-g", "by-h"]


def test_partiql_returning_and_set_arithmetic_as_dynamodb_local_does(both, tables):
    """UPDATE ... SET x = x + 1 and RETURNING (ALL|MODIFIED) (NEW|OLD) *, DELETE ... RETURNING ALL OLD *:
    the items answered, the item left, and the refusals word for word, as DynamoDB Local answers them."""
    simple, _ = tables
    table = f'"{simple}"'

    def run(statement: str, **kwargs) -> Any:
        return same(both, "execute_statement", Statement=statement, **kwargs)

    run(f"INSERT INTO {table} VALUE {{'pk': 'r', 'x': 1, 'y': 'Y'}}")
    where = "WHERE pk = 'r'"
    assert run(f"UPDATE {table} SET x = 5 {where} RETURNING MODIFIED OLD *") == {"Items": [{"x": {"N": "1"}}]}
    assert run(f"UPDATE {table} SET x = x + 2 {where} RETURNING MODIFIED NEW *") == {"Items": [{"x": {"N": "7"}}]}
    assert run(f"UPDATE {table} SET x = 3 + x {where} RETURNING ALL NEW *")["Items"][0]["x"] == {"N": "10"}
    assert run(f"UPDATE {table} SET x = x - ? {where} RETURNING ALL OLD *", Parameters=[{"N": "4"}])["Items"] == [
        {"pk": {"S": "r"}, "x": {"N": "10"}, "y": {"S": "Y"}}
    ]
    assert run(f"UPDATE {table} SET z = y {where}") == {"Items": []}
    batch = same(both, "batch_execute_statement", Statements=[
        {"Statement": f"UPDATE {table} SET x = x + 1 {where} RETURNING ALL NEW *"}])  # fmt: skip
    assert batch["Responses"][0]["Item"]["x"] == {"N": "7"}
    for statement in [
        f"UPDATE {table} SET x = 5 {where} RETURNING ALL NEW x",
        f"DELETE FROM {table} {where} RETURNING ALL NEW *",
        f"DELETE FROM {table} {where} RETURNING MODIFIED OLD *",
        f"UPDATE {table} SET w = w + 1 {where}",
    ]:
        refused_alike(both, "execute_statement", Statement=statement)
    # A value that is no number is refused before the item is read (DynamoDB Local's PartiQL leaves out
    # UpdateItem's "Invalid UpdateExpression: " before the words).
    assert same(both, "execute_statement", Statement=f"UPDATE {table} SET x = x + 's' {where}") == (
        "error", "ValidationException", []
    )  # fmt: skip
    set_difference = {"UpdateExpression": "SET x = :s - x", "ExpressionAttributeValues": {":s": {"SS": ["s"]}}}
    assert refused_alike(both, "update_item", TableName=simple, Key={"pk": {"S": "r"}}, **set_difference) == (
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        "operator or function: -, operand type: SS"
    )
    refused_alike(both, "execute_transaction", TransactStatements=[
        {"Statement": f"UPDATE {table} SET x = 1 {where} RETURNING ALL NEW *"}])  # fmt: skip
    assert run(f"DELETE FROM {table} {where} RETURNING ALL OLD *")["Items"] == [
        {"pk": {"S": "r"}, "x": {"N": "7"}, "y": {"S": "Y"}, "z": {"S": "Y"}}
    ]
    assert run(f"DELETE FROM {table} {where} RETURNING ALL OLD *") == {"Items": []}


def test_paths_names_and_orderings_dynamodb_refuses_before_reading(both, tables):
    """A list index beyond a 32-bit integer, a path of more than 32 levels, an empty name in
    ExpressionAttributeNames, and a value with no order (BOOL, NULL, a set, list or map) given to <, <=,
    >, >= or BETWEEN: refused in DynamoDB Local's words and order, before any item is read."""
    _, ranged = tables
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    same(both, "put_item", TableName=ranged, Item={**key, "lst": {"L": [{"N": "1"}]}})

    def projection(expression: str, **kwargs) -> str:
        return refused_alike(both, "get_item", TableName=ranged, Key=key, ProjectionExpression=expression, **kwargs)

    assert same(both, "get_item", TableName=ranged, Key=key, ProjectionExpression="lst[2147483647]") == {"Item": {}}
    out_of_range = "Invalid ProjectionExpression: List index is not within the allowable range; index: [2147483648]"
    assert projection("lst[2147483648]") == out_of_range
    assert projection("lst[2147483648], #u") == out_of_range
    deep, deeper = ".".join(["a"] * 32), ".".join(["a"] * 33)
    assert same(both, "get_item", TableName=ranged, Key=key, ProjectionExpression=deep) == {"Item": {}}
    too_deep = "The document path has too many nesting levels; nesting levels: 33"
    assert projection(deeper) == "Invalid ProjectionExpression: " + too_deep
    assert projection(deep + "[0]") == "Invalid ProjectionExpression: " + too_deep
    assert "#u" in projection(deeper + ", #u")  # an undefined name is reported first
    condition = {"ConditionExpression": f"attribute_exists({deeper})"}
    assert refused_alike(both, "put_item", TableName=ranged, Item=key, **condition) == (
        "Invalid ConditionExpression: " + too_deep
    )
    assert refused_alike(both, "update_item", TableName=ranged, Key=key,
                         UpdateExpression=f"REMOVE {deeper}") == "Invalid UpdateExpression: " + too_deep  # fmt: skip
    empty_name = "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"
    assert projection("#a", ExpressionAttributeNames={"#a": ""}) == empty_name
    assert projection("#a", ExpressionAttributeNames={"#a": "", "#b": "b"}) == empty_name
    unordered = "Incorrect operand type for operator or function; operator or function: {}, operand type: {}"
    for expression, values, fault in [
        ("a BETWEEN :x AND :y", {":x": {"BOOL": True}, ":y": {"BOOL": True}}, ("BETWEEN", "BOOL")),
        ("a BETWEEN :x AND :y AND #u = :x", {":x": {"BOOL": True}, ":y": {"BOOL": True}}, ("BETWEEN", "BOOL")),
        ("a < :x", {":x": {"NULL": True}}, ("<", "NULL")),
        (":x >= a", {":x": {"SS": ["a"]}}, (">=", "SS")),
    ]:
        checked = {"ConditionExpression": expression, "ExpressionAttributeValues": values}
        assert refused_alike(both, "put_item", TableName=ranged, Item=key, **checked) == (
            "Invalid ConditionExpression: " + unordered.format(*fault)
        )
    filtered = {"FilterExpression": "a < :x", "ExpressionAttributeValues": {":x": {"M": {}}}}
    assert refused_alike(both, "scan", TableName=ranged, **filtered) == (
        "Invalid FilterExpression: " + unordered.format("<", "M")
    )
    assert refused_alike(both, "query", TableName=ranged, KeyConditionExpression="pk = :p AND sk < :x",
                         ExpressionAttributeValues={":p": {"S": "p"}, ":x": {"BOOL": True}},
                         ) == "Invalid KeyConditionExpression: " + unordered.format("<", "BOOL")  # fmt: skip
    assert same(both, "get_item", TableName=ranged, Key=key)["Item"] == {**key, "lst": {"L": [{"N": "1"}]}}


def _sorted_items(answer: Any) -> Any:
    """An ExecuteStatement answer's items in one order (the order of a scan, or of several partitions, is
    DynamoDB Local's own), or its error."""
    if isinstance(answer, tuple):
        return answer
    return sorted(answer["Items"], key=lambda item: json.dumps(item, sort_keys=True))


def _both_answers(both, statement: str) -> list:
    return [outcome(lambda c=c: c.execute_statement(Statement=statement)) for c in both]


def _same_items_where(both, table: str, where: str) -> None:
    """The same items from both endpoints for `SELECT pk, sk ... WHERE where`, which DynamoDB Local answers."""
    answers = _both_answers(both, f"SELECT pk, sk FROM {table} WHERE {where}")
    assert not isinstance(answers[0], tuple), (where, answers[0])
    assert _sorted_items(answers[1]) == _sorted_items(answers[0]), where


def _partiql_items(both, table: str) -> None:
    items = [
        {"pk": {"S": "p"}, "sk": {"N": str(n)}, "a": {"S": "A"}, "b": {"S": "B" if n % 2 else "A"}} for n in range(5)
    ]
    items.append({
        "pk": {"S": "q"}, "sk": {"N": "1"}, "n": {"NULL": True}, "s": {"SS": ["a"]},
        "m": {"M": {"x": {"N": "1"}, "y": {"L": [{"N": "5"}]}}}, "li": {"L": [{"N": "1"}, {"S": "z"}]},
    })  # fmt: skip
    for item in items:
        same(both, "put_item", TableName=table, Item=item)


def test_partiql_where_with_or_not_parentheses_paths_and_size_as_dynamodb_local_does(both, tables):
    """A WHERE of OR, NOT, parentheses, nested paths, size(), IS [NOT] NULL, a value before its attribute and two
    attributes compared: the same items as DynamoDB Local, as a query, a scan and an UPDATE's or DELETE's
    condition; ORDER BY the sort key in the order asked, and ORDER BY's refusals word for word."""
    _, ranged = tables
    _partiql_items(both, ranged)
    table = f'"{ranged}"'
    for where in [
        "sk = 1 OR sk = 3",
        "pk = 'p' AND (sk = 1 OR sk = 3)",
        "pk = 'p' AND NOT sk = 1",
        "pk = 'p' AND NOT (sk = 1 OR sk = 2)",
        "(pk = 'p') AND sk > 2",
        "((pk = 'q'))",
        "pk = 'q' AND NOT NOT sk = 1",
        "pk = 'p' AND a = b",
        "'p' = pk AND sk > 2",
        "2 < sk",
        "pk = 'q' AND x IS NULL",
        "pk = 'q' AND n IS NULL",
        "pk = 'q' AND x IS NOT NULL",
        "pk = 'q' AND NOT x = 1",
        "pk = 'q' AND m.x = 1",
        "pk = 'q' AND m.y[0] = 5",
        "pk = 'q' AND li[1] = 'z'",
        "pk = 'q' AND m.z IS MISSING",
        "pk = 'q' AND size(li) = 2",
        "pk = 'q' AND 2 = size(li)",
        "pk = 'q' AND size(li) BETWEEN 1 AND 3",
        "pk = 'q' AND contains(m.y, 5)",
        "pk = 'q' AND attribute_type(m.x, 'N')",
        "a IS MISSING OR b = 'B'",
        "pk = 'q' OR a = 'A'",
    ]:
        _same_items_where(both, table, where)
    # A value before the sort key in a key condition: DynamoDB Local reads `2 < sk` there as `sk < 2` (in a
    # filter it reads it right); `2 < sk` means what `sk > 2` means.
    turned = both[1].execute_statement(Statement=f"SELECT sk FROM {table} WHERE pk = 'p' AND 2 < sk")
    assert [item["sk"]["N"] for item in turned["Items"]] == ["3", "4"]
    descending = same(
        both, "execute_statement", Statement=f"SELECT pk, sk FROM {table} WHERE pk = 'p' ORDER BY sk DESC"
    )
    assert [item["sk"]["N"] for item in descending["Items"]] == ["4", "3", "2", "1", "0"]
    same(both, "execute_statement", Statement=f"SELECT pk, sk FROM {table} WHERE pk = 'p' ORDER BY pk, sk ASC")
    for statement in [
        f"SELECT sk FROM {table} ORDER BY sk DESC",
        f"SELECT sk FROM {table} WHERE sk > 2 ORDER BY sk",
        f"SELECT sk FROM {table} WHERE pk = 'p' ORDER BY a",
    ]:
        refused_alike(both, "execute_statement", Statement=statement)
    # Conditions of writes: the item changes, or the condition fails, as on DynamoDB Local.
    guarded = "pk = 'q' AND sk = 1 AND (m.x = 1 OR NOT size(li) > 1)"
    same(both, "execute_statement", Statement=f"UPDATE {table} SET z = 1 WHERE {guarded}")
    same(both, "execute_statement", Statement=f"DELETE FROM {table} WHERE pk = 'p' AND sk = 4 AND (a = 'Z' OR b = 'x')")
    same(both, "execute_statement", Statement=f"DELETE FROM {table} WHERE pk = 'p' AND sk = 3 AND NOT (a = 'Z')")
    refused_alike(
        both, "execute_statement", Statement=f"UPDATE {table} SET z = 1 WHERE pk = 'q' AND (sk = 1 OR sk = 2)"
    )
    left = _both_answers(both, f"SELECT * FROM {table}")
    assert _sorted_items(left[1]) == _sorted_items(left[0])
    assert len(left[0]["Items"]) == 5  # sk 3 deleted, sk 4 kept


def test_partiql_updates_of_nested_paths_sets_and_lists_as_dynamodb_local_does(both, tables):
    """UPDATE ... SET m.x = 7, li[0] = 9, m.w = m.x + 1, s = set_add(s, <<...>>), set_delete, list_append
    (appended and prepended), REMOVE m.y: the item each leaves and what RETURNING answers, as on DynamoDB
    Local; set_add of another attribute is refused with Local's words."""
    _, ranged = tables
    _partiql_items(both, ranged)
    table = f'"{ranged}"'
    key = "WHERE pk = 'q' AND sk = 1"
    for assignment in [
        "SET m.x = 7",
        "SET li[0] = 9",
        "REMOVE m.y",
        "SET m.w = m.x + 1",
        "SET s = set_add(s, <<'b', 'c'>>)",
        "SET li = list_append(li, [3])",
        "SET li = list_append([0], li)",
        "SET s = set_delete(s, <<'a'>>), t = set_add(t, <<1>>)",
    ]:
        same(both, "execute_statement", Statement=f"UPDATE {table} {assignment} {key}")
    item = same(both, "execute_statement", Statement=f"SELECT * FROM {table} {key}")["Items"][0]
    assert item["m"] == {"M": {"x": {"N": "7"}, "w": {"N": "8"}}}
    assert item["li"] == {"L": [{"N": "0"}, {"N": "9"}, {"S": "z"}, {"N": "3"}]}
    assert sorted(item["s"]["SS"]) == ["b", "c"] and item["t"] == {"NS": ["1"]}
    deleted = f"UPDATE {table} SET s = set_delete(s, <<'b'>>) {key} RETURNING MODIFIED NEW *"
    returned = same(both, "execute_statement", Statement=deleted)
    assert returned["Items"] == [{"s": {"SS": ["c"]}}]
    assert "SET_ADD must equal the assignment value" in refused_alike(
        both, "execute_statement", Statement=f"UPDATE {table} SET u = set_add(s, <<'x'>>) {key}"
    )
    refused_alike(both, "execute_statement", Statement=f"UPDATE {table} SET nowhere.x = 1 {key}")


def test_partiql_several_partition_keys_are_one_query_each(both, emulator, tables):
    """pk IN [...] and pk = a OR pk = b: the same items as DynamoDB Local (whose order among partitions is its
    own), each partition read by a Query - the capacity is the sum of the single-partition SELECTs', not a
    Scan's - and Limit with NextToken pages through every item once."""
    _, ranged = tables
    _partiql_items(both, ranged)
    filler = "x" * 3000
    for n in range(20):  # Other partitions a Scan would read and charge for.
        same(both, "put_item", TableName=ranged, Item={"pk": {"S": f"other-{n}"}, "sk": {"N": "0"}, "f": {"S": filler}})
    table = f'"{ranged}"'
    for where in [
        "pk IN ['q', 'p']",
        "pk IN ['q', 'q']",
        "pk IN ['zz', 'q']",
        "pk = 'q' OR pk = 'p'",
        "(pk = 'p' OR pk = 'q') AND sk >= 1",
        "pk IN ['q', 'p'] AND a = 'A'",
    ]:
        _same_items_where(both, table, where)
    client = _client(emulator.url)

    def units(where: str) -> float:
        answer = client.execute_statement(
            Statement=f"SELECT * FROM {table} WHERE {where}", ReturnConsumedCapacity="TOTAL"
        )
        return answer["ConsumedCapacity"]["CapacityUnits"]

    scanned = units("a = 'A' OR a IS MISSING")
    assert units("pk IN ['q', 'p']") == units("pk = 'q'") + units("pk = 'p'") < scanned
    assert units("pk = 'p' OR pk = 'q'") == units("pk IN ['q', 'p']")
    # The partitions in the order given; within each, the sort key's order (reversed by ORDER BY).
    ordered = client.execute_statement(Statement=f"SELECT pk, sk FROM {table} WHERE pk IN ['q', 'p'] ORDER BY sk DESC")
    assert [(i["pk"]["S"], i["sk"]["N"]) for i in ordered["Items"]] == [("q", "1")] + [
        ("p", str(n)) for n in (4, 3, 2, 1, 0)
    ]
    pages, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = client.execute_statement(
            Statement=f"SELECT pk, sk FROM {table} WHERE pk IN ['p', 'zz', 'q']", Limit=2, **kwargs
        )
        pages.append(page["Items"])
        token = page.get("NextToken")
        if not token:
            break
    read = [(i["pk"]["S"], i["sk"]["N"]) for page in pages for i in page]
    assert read == [("p", str(n)) for n in range(5)] + [("q", "1")]
    assert all(len(page) <= 2 for page in pages)
    with pytest.raises(ClientError, match="Invalid NextToken"):
        client.execute_statement(Statement=f"SELECT * FROM {table} WHERE pk IN ['p', 'q']", NextToken="bm9wZQ==")


def test_partiql_exists_is_a_transactions_condition_check(both, tables):
    """EXISTS(SELECT ... WHERE whole key AND condition) in ExecuteTransaction checks the item as
    TransactWriteItems' ConditionCheck does: the writes happen when it holds and the transaction is cancelled
    when it does not; EXISTS elsewhere, without a condition, or NOT EXISTS, and MISSING as a value, are refused
    in DynamoDB Local's words."""
    _, ranged = tables
    _partiql_items(both, ranged)
    table = f'"{ranged}"'

    def transaction(*statements: str) -> Any:
        return same(both, "execute_transaction", TransactStatements=[{"Statement": s} for s in statements])

    update = f"UPDATE {table} SET checked = checked + 1 WHERE pk = 'p' AND sk = 2"
    same(both, "execute_statement", Statement=f"UPDATE {table} SET checked = 0 WHERE pk = 'p' AND sk = 2")
    transaction(f"EXISTS(SELECT * FROM {table} WHERE pk = 'p' AND sk = 1 AND a = 'A')", update)
    cancelled = transaction(f"EXISTS(SELECT * FROM {table} WHERE pk = 'p' AND sk = 1 AND a = 'Z')", update)
    assert cancelled == ("error", "TransactionCanceledException", ["ConditionalCheckFailed", "None"])
    read = same(both, "execute_statement", Statement=f"SELECT checked FROM {table} WHERE pk = 'p' AND sk = 2")
    assert read["Items"] == [{"checked": {"N": "1"}}]
    for statements in (
        [f"EXISTS(SELECT * FROM {table} WHERE pk = 'p' AND sk = 1)", update],
        [f"EXISTS(SELECT * FROM {table} WHERE pk = 'p' AND a = 'A')", update],
        [f"NOT EXISTS(SELECT * FROM {table} WHERE pk = 'p' AND sk = 1 AND a = 'A')", update],
    ):
        refused_alike(both, "execute_transaction", TransactStatements=[{"Statement": s} for s in statements])
    alone = f"EXISTS(SELECT * FROM {table} WHERE pk = 'p' AND sk = 1 AND a = 'A')"
    assert refused_alike(both, "execute_statement", Statement=alone) == (
        "EXISTS can only be used in ExecuteTransaction write requests."
    )
    batch = same(both, "batch_execute_statement", Statements=[{"Statement": alone}])
    assert batch["Responses"][0]["Error"]["Code"] == "ValidationError"
    refused_alike(both, "execute_statement", Statement=f"UPDATE {table} SET a = MISSING WHERE pk = 'p' AND sk = 1")


def test_list_indexes_in_one_update_name_the_list_as_it_was(both, tables):
    """Several list indexes in one UpdateExpression each name an element of the list before the update,
    whatever the order written: REMOVE l[0], l[2] removes the first and third elements, writes past the end
    append in index order, as DynamoDB Local (and dynalite's record of DynamoDB) answer."""
    simple, _ = tables
    key = {"pk": {"S": "lists"}}
    values = {":a": {"S": "a"}, ":b": {"S": "b"}, ":n": {"N": "2"}}
    for expression in [
        "REMOVE l[0], l[2]",
        "REMOVE l[2], l[0]",
        "SET l[9] = :a, l[7] = :b",
        "SET l[3] = :a REMOVE l[0]",
        "SET l[8] = :a REMOVE l[0], l[1]",
        "SET l[7] = :a ADD l[6] :n",
    ]:
        item = {**key, "l": {"L": [{"N": str(n)} for n in range(5)]}}
        same(both, "put_item", TableName=simple, Item=item)
        used = {k: v for k, v in values.items() if k in expression}
        extra = {"ExpressionAttributeValues": used} if used else {}
        answer = same(both, "update_item", TableName=simple, Key=key, UpdateExpression=expression,
                      ReturnValues="ALL_NEW", **extra)  # fmt: skip
        assert answer["Attributes"]["l"]["L"], expression
    assert answer["Attributes"]["l"]["L"][-2:] == [{"N": "2"}, {"S": "a"}]


def test_document_paths_into_key_attributes_are_refused_as_dynamodb_refuses_them(both, emulator):
    """A path into a key attribute of the table (pk.x) or of an index (g[0]) in a projection, a condition or an
    update's path or operand is refused with DynamoDB Local's words, by GetItem, BatchGetItem, TransactGetItems,
    PutItem, DeleteItem, UpdateItem and TransactWriteItems; each was answered 200 before. ListTables'
    ExclusiveStartTableName must be a table's name."""
    name = f"diff-keypaths-{uuid.uuid4().hex[:8]}"
    keys_only = {"ProjectionType": "KEYS_ONLY"}
    attributes = [("pk", "S"), ("sk", "N"), ("g", "S"), ("l", "N")]
    _make_indexed_table(
        both, name, attributes, [_index("by-g", ("g",), keys_only)], [_index("by-l", ("pk", "l"), keys_only)]
    )
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    same(both, "put_item", TableName=name, Item={**key, "g": {"S": "g"}, "l": {"N": "1"}, "m": {"M": {}}})
    value = {":v": {"S": "x"}}
    on = {"TableName": name, "Key": key}
    refusals = [
        ("get_item", {**on, "ProjectionExpression": "pk.b.c"}),
        ("get_item", {**on, "ProjectionExpression": "l[1]"}),
        ("batch_get_item", {"RequestItems": {name: {"Keys": [key], "ProjectionExpression": "sk.x"}}}),
        ("transact_get_items", {"TransactItems": [{"Get": {**on, "ProjectionExpression": "g[0]"}}]}),
        ("update_item", {**on, "UpdateExpression": "SET g.x = :v", "ExpressionAttributeValues": value}),
        ("update_item", {**on, "UpdateExpression": "SET e = l[1]"}),
        ("update_item", {**on, "UpdateExpression": "REMOVE g.x"}),
        ("update_item", {**on, "UpdateExpression": "SET e = :v", "ConditionExpression": "size(l[0]) > :v",
                         "ExpressionAttributeValues": value}),
        ("put_item", {"TableName": name, "Item": {**key, "sk": {"N": "9"}},
                      "ConditionExpression": "attribute_not_exists(g.x)"}),
        ("delete_item", {**on, "ConditionExpression": "pk.x = :v", "ExpressionAttributeValues": value}),
        ("transact_write_items", {"TransactItems": [{"Put": {
            "TableName": name, "Item": key, "ConditionExpression": "attribute_exists(l[0])"}}]}),
    ]  # fmt: skip
    for method, request in refusals:
        message = refused_alike(both, method, **request)
        assert message.startswith("Key attributes must be scalars; list random access '[]' and map lookup '.'"), (
            method, request, message,
        )  # fmt: skip
    # DynamoDB Local checks a ConditionCheck's condition only against the item (ConditionalCheckFailed); the
    # endpoint refuses it as it refuses the same condition on a Put, before anything is read.
    check = {"ConditionCheck": {**on, "ConditionExpression": "attribute_exists(pk.x)"}}
    with pytest.raises(ClientError, match="Key attributes must be scalars"):
        both[1].transact_write_items(TransactItems=[check])
    # A path into an attribute that is no key is still read as before.
    assert same(both, "get_item", TableName=name, Key=key, ProjectionExpression="m.x") == {"Item": {}}
    # DynamoDB Local answers its own "Invalid table/index name" here; DynamoDB lists the member's constraints
    # (as dynalite records it), as it does for every other member.
    with pytest.raises(ClientError) as refused:
        _unvalidated(emulator.url).list_tables(ExclusiveStartTableName="a;")
    assert refused.value.response["Error"]["Message"] == (
        "2 validation errors detected: Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'exclusiveStartTableName' "
        "failed to satisfy constraint: Member must have length greater than or equal to 3"
    )


def test_a_local_index_query_reading_from_the_table_charges_the_table_item_by_item(both):
    """A Query of a local index that reads attributes it does not project (Select ALL_ATTRIBUTES, or a
    ProjectionExpression) is charged on the index for its own rows and on the table for each item fetched,
    rounded up item by item: DynamoDB Local's figures (and dynalite's record of DynamoDB: 3 + 1 units for three
    items, two of them just under 4 KB)."""
    name = f"diff-lsi-fetch-{uuid.uuid4().hex[:8]}"
    keys_only = {"ProjectionType": "KEYS_ONLY"}
    _make_indexed_table(
        both, name, [("pk", "S"), ("sk", "N"), ("l", "N")], [], [_index("by-l", ("pk", "l"), keys_only)]
    )
    big = "e" * 4062
    for item in [
        {"pk": {"S": "z"}, "sk": {"N": "1"}, "l": {"N": "1"}},
        {"pk": {"S": "z"}, "sk": {"N": "3"}, "l": {"N": "3"}, "e": {"M": {"e3": {"S": big}}}},
        {"pk": {"S": "z"}, "sk": {"N": "4"}, "l": {"N": "4"}, "e": {"M": {"ee4": {"S": "e4"}, "eee4": {"S": big}}}},
    ]:
        same(both, "put_item", TableName=name, Item=item)
    query = {"TableName": name, "IndexName": "by-l", "KeyConditionExpression": "pk = :p",
             "ExpressionAttributeValues": {":p": {"S": "z"}}, "ReturnConsumedCapacity": "INDEXES"}  # fmt: skip
    for extra in (
        {"Select": "ALL_ATTRIBUTES", "ConsistentRead": True},
        {"Select": "ALL_ATTRIBUTES"},
        {"ProjectionExpression": "e"},
        {},
    ):
        local, emulated = (client.query(**query, **extra)["ConsumedCapacity"] for client in both)
        assert emulated == local, extra
    assert local["Table"] == {"CapacityUnits": 0.0}  # keys only: nothing fetched
    fetched = both[1].query(**query, Select="ALL_ATTRIBUTES", ConsistentRead=True)["ConsumedCapacity"]
    assert fetched["Table"] == {"CapacityUnits": 3.0} and fetched["CapacityUnits"] == 4.0


def test_parenthesised_operands_in_conditions_are_read_as_dynamodb_reads_them(both, tables):
    """`(size(b)) = :n`, `(b) BETWEEN ...`, `:v = (b)`, `begins_with((b), :v)`: a parenthesised operand in a
    condition or filter is valid DynamoDB (DynamoDB Local, and dynalite's record of DynamoDB); such requests were
    refused as syntax errors. Redundant parentheses are still refused, in DynamoDB Local's words."""
    simple, _ = tables
    item = {"pk": {"S": "paren"}, "b": {"S": "abc"}, "c": {"N": "1"}}
    same(both, "put_item", TableName=simple, Item=item)
    values = {":n": {"N": "3"}, ":s": {"S": "abc"}, ":c": {"N": "1"}}
    for condition in [
        "(size(b)) = :n",
        "((size(b)) = :n) AND c = :c",
        "(b) = :s",
        ":s = (b)",
        "(b) BETWEEN :s AND :s",
        "(b) IN (:s)",
        "begins_with((b), :s)",
        "(c) > (:c)",
        "size((b)) = :n",
        "((b) = :s)",
    ]:
        used = {k: v for k, v in values.items() if k in condition}
        answer = same(both, "scan", TableName=simple, FilterExpression=condition, ExpressionAttributeValues=used)
        assert answer["Items"] == ([] if condition == "(c) > (:c)" else [item]), condition
        same(both, "delete_item", TableName=simple, Key={"pk": {"S": "nothing"}}, ConditionExpression=condition,
             ExpressionAttributeValues=used)  # fmt: skip
    refused_alike(
        both, "scan", TableName=simple, FilterExpression="((b)) = :s", ExpressionAttributeValues={":s": {"S": "a"}}
    )


def test_partiql_negated_in_and_between_and_what_dynamodb_refuses(both, tables):
    """NOT IN, NOT BETWEEN and a parenthesised operand select the same items as on DynamoDB Local; LIKE, a
    function PartiQL for DynamoDB does not have, DISTINCT, two tables, INSERT ... SELECT and an UPDATE without
    WHERE are refused in DynamoDB Local's words (they were the emulator's own "does not support", or "not well
    formed")."""
    _, ranged = tables
    _partiql_items(both, ranged)
    table = f'"{ranged}"'
    for where in ["pk = 'p' AND sk NOT IN [1, 3]", "sk NOT BETWEEN 1 AND 2", "(a) IS NOT MISSING", "(sk) > 2"]:
        _same_items_where(both, table, where)
    for statement in [
        f"SELECT pk FROM {table} WHERE a LIKE 'A%'",
        f"SELECT pk FROM {table} WHERE a NOT LIKE 'A%'",
        f"SELECT pk FROM {table} WHERE upper(a) = 'A'",
        f"UPDATE {table} SET a = upper(a) WHERE pk = 'p' AND sk = 1",
        f"SELECT DISTINCT a FROM {table}",
        f"SELECT a FROM {table}, {table}",
        f"INSERT INTO {table} SELECT * FROM {table}",
        f"UPDATE {table} SET a = 1",
    ]:
        refused_alike(both, "execute_statement", Statement=statement)


def test_a_failing_condition_is_the_answer_before_the_update_is_worked_out(both):
    """`SET view_count = view_count + :one` with `attribute_exists(pk)` on a missing item: the application
    expects ConditionalCheckFailed, not the ValidationException the update alone would meet."""
    name = _table_with_gsis(both, "diff-cond-first", {"gk": "S"}, [
        {"IndexName": "by-gk", "Projection": {"ProjectionType": "KEYS_ONLY"},
         "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}]},
    ])  # fmt: skip
    same(both, "put_item", TableName=name, Item={"pk": {"S": "p1"}, "n": {"N": "1"}, "s": {"S": "x"}})
    missing = {"TableName": name, "ConditionExpression": "attribute_exists(pk)"}
    one = {":one": {"N": "1"}}
    failed = ("error", "ConditionalCheckFailedException", [])
    for key, update, values in [
        ("absent", "SET view_count = view_count + :one", one),  # the operand is missing
        ("p1", "SET view_count = n + s", None),  # a string in arithmetic, on an item the condition refuses
        ("p1", "SET gk = n", None),  # an index key set to a number read from the item
    ]:
        condition = "attribute_exists(pk)" if key == "absent" else "attribute_exists(nope)"
        kwargs = {**missing, "ConditionExpression": condition, "Key": {"pk": {"S": key}}, "UpdateExpression": update}
        if values:
            kwargs["ExpressionAttributeValues"] = values
        assert same(both, "update_item", **kwargs) == failed, update
        transaction = {"Update": {k: v for k, v in kwargs.items()}}
        assert same(both, "transact_write_items", TransactItems=[transaction]) == (
            "error", "TransactionCanceledException", ["ConditionalCheckFailed"],
        ), update  # fmt: skip
    # With the condition passing, the update's own fault is the answer on both.
    same(both, "update_item", TableName=name, Key={"pk": {"S": "p1"}}, UpdateExpression="SET view_count = n + s")
    assert same(both, "get_item", TableName=name, Key={"pk": {"S": "p1"}})["Item"]["n"] == {"N": "1"}


def test_select_against_the_projection_is_refused_in_dynamodbs_words(both, tables):
    """Each Select a projection (or its lack) does not go with, on Query and Scan, also on an index whose
    projection would refuse ALL_ATTRIBUTES: the Select is reported first."""
    simple, _ = tables
    keyed = _table_with_gsis(both, "diff-select", {"gk": "S"}, [
        {"IndexName": "by-gk", "Projection": {"ProjectionType": "KEYS_ONLY"},
         "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}]},
    ])  # fmt: skip
    expression = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}}
    legacy = {"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}}}
    cases = [
        ({"Select": "SPECIFIC_ATTRIBUTES"}, expression,
         "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
        ({"Select": "ALL_ATTRIBUTES", "ProjectionExpression": "pk"}, expression,
         "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
        ({"Select": "COUNT", "AttributesToGet": ["pk"]}, legacy,
         "Cannot specify the AttributesToGet when choosing to get only the Count"),
        ({"Select": "ALL_PROJECTED_ATTRIBUTES", "ProjectionExpression": "pk"}, expression,
         "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES"),
        ({"Select": "ALL_PROJECTED_ATTRIBUTES"}, expression,
         "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    ]  # fmt: skip
    for select, key_condition, message in cases:
        assert refused_alike(both, "scan", TableName=simple, **select) == message
        assert refused_alike(both, "query", TableName=simple, **select, **key_condition) == message
    on_index = {"TableName": keyed, "IndexName": "by-gk", "Select": "ALL_ATTRIBUTES", "ProjectionExpression": "pk"}
    assert refused_alike(both, "scan", **on_index) == cases[1][2]
