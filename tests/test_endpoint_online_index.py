"""A global secondary index added to a live table on ddbload's endpoint, as an application's migration does
it: UpdateTable creates it CREATING and backfilling, reads of it are refused until it is ACTIVE, then it
holds every item the table holds - the writes made during the backfill included - and can be deleted.
The refusals are checked against DynamoDB Local (which creates an index at once, ACTIVE)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import boto3
import botocore.config
import ddbload
import pytest
from botocore.exceptions import ClientError

ITEMS = 100_000
CATEGORIES = 50
BY_CATEGORY = {
    "IndexName": "by-category",
    "KeySchema": [{"AttributeName": "category", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"},
}
CATEGORY_DEFINITION = [
    {"AttributeName": "category", "AttributeType": "S"},
    {"AttributeName": "pk", "AttributeType": "S"},
]


def _client(url: str):
    return boto3.client(
        "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def _table(client, name: str, **billing) -> None:
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        **(billing or {"BillingMode": "PAY_PER_REQUEST"}),
    )


def _fill(client, name: str, count: int) -> None:
    """`count` items; every tenth has no category (the index is sparse)."""
    for start in range(0, count, 25):
        requests = []
        for n in range(start, min(start + 25, count)):
            item = {"pk": {"S": f"item-{n:06d}"}, "size": {"N": str(n % 7)}}
            if n % 10:
                item["category"] = {"S": f"c{n % CATEGORIES}"}
            requests.append({"PutRequest": {"Item": item}})
        client.batch_write_item(RequestItems={name: requests})


def _index_status(client, name: str) -> list[tuple[str, str, bool]]:
    described = client.describe_table(TableName=name)["Table"]
    return [(g["IndexName"], g["IndexStatus"], g.get("Backfilling", False))
            for g in described.get("GlobalSecondaryIndexes", [])]  # fmt: skip


def _wait_active(client, name: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while any(status != "ACTIVE" for _, status, _ in _index_status(client, name)):
        assert time.monotonic() < deadline, f"{name}: index still not ACTIVE after {timeout} s"
        time.sleep(0.05)


def _query_all(client, name: str, category: str) -> set[str]:
    keys: set[str] = set()
    kwargs = {"TableName": name, "IndexName": "by-category", "KeyConditionExpression": "category = :c",
              "ExpressionAttributeValues": {":c": {"S": category}}}  # fmt: skip
    while True:
        page = client.query(**kwargs)
        keys.update(item["pk"]["S"] for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return keys
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _table_by_category(client, name: str) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    kwargs = {"TableName": name, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        for item in page["Items"]:
            if "category" in item:
                grouped.setdefault(item["category"]["S"], set()).add(item["pk"]["S"])
        if "LastEvaluatedKey" not in page:
            return grouped
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_an_index_created_on_100000_items_holds_every_item_and_every_write_made_while_it_filled():
    with ddbload.Emulator() as server:
        client = _client(server.url)
        name = f"online-{uuid.uuid4().hex[:8]}"
        _table(client, name)
        _fill(client, name, ITEMS)

        created = client.update_table(
            TableName=name,
            AttributeDefinitions=CATEGORY_DEFINITION,
            GlobalSecondaryIndexUpdates=[{"Create": BY_CATEGORY}],
        )["TableDescription"]
        index = created["GlobalSecondaryIndexes"][0]
        assert (index["IndexName"], index["IndexStatus"], index["Backfilling"]) == ("by-category", "CREATING", True)
        assert {"AttributeName": "category", "AttributeType": "S"} in created["AttributeDefinitions"]
        with pytest.raises(ClientError) as refused:
            _query_all(client, name, "c1")
        assert refused.value.response["Error"]["Message"] == "Cannot read from backfilling global secondary index"

        # The application keeps writing while the index fills: new items, items moved to another
        # category, items that lose theirs, items deleted.
        writer = _client(server.url)
        writes = Counter()

        def keep_writing() -> None:
            n = 0
            while _index_status(writer, name)[0][1] != "ACTIVE":
                writer.put_item(TableName=name, Item={"pk": {"S": f"new-{n}"}, "category": {"S": "c-new"}})
                old = f"item-{(n * 7919) % ITEMS:06d}"
                if n % 3 == 0:
                    writer.update_item(TableName=name, Key={"pk": {"S": old}}, UpdateExpression="SET category = :c",
                                       ExpressionAttributeValues={":c": {"S": "c-moved"}})  # fmt: skip
                elif n % 3 == 1:
                    writer.update_item(TableName=name, Key={"pk": {"S": old}}, UpdateExpression="REMOVE category")
                else:
                    writer.delete_item(TableName=name, Key={"pk": {"S": old}})
                writes["during backfill"] += 1
                n += 1

        thread = threading.Thread(target=keep_writing)
        thread.start()
        _wait_active(client, name)
        thread.join(timeout=60)
        assert writes["during backfill"] > 0, "the backfill ended before any write could overlap it"

        expected = _table_by_category(client, name)
        assert {"c-new", "c-moved"} <= expected.keys()
        for category, keys in expected.items():
            assert _query_all(client, name, category) == keys, category
        described = client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
        assert described["ItemCount"] == sum(len(keys) for keys in expected.values())

        deleted = client.update_table(
            TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-category"}}]
        )
        assert "GlobalSecondaryIndexes" not in deleted["TableDescription"]
        with pytest.raises(ClientError):
            _query_all(client, name, "c1")


def test_index_changes_are_refused_as_dynamodb_local_refuses_them(endpoint):
    """Two creations at once, a creation without AttributeDefinitions, an index that exists and the deletion
    of one the table lacks: the same error codes as DynamoDB Local; a created index answers the same
    queries once ACTIVE, and a deleted one leaves DescribeTable."""
    with ddbload.Emulator() as server:
        both = (_client(endpoint), _client(server.url))
        name = f"online-diff-{uuid.uuid4().hex[:8]}"

        def outcome(client, **kwargs):
            try:
                client.update_table(TableName=name, **kwargs)
                return "ok"
            except ClientError as e:
                return e.response["Error"]["Code"]

        def same(**kwargs) -> str:
            local, emulated = (outcome(client, **kwargs) for client in both)
            assert emulated == local, kwargs
            return local

        second = dict(BY_CATEGORY, IndexName="by-category-2")
        for client in both:
            _table(client, name)
            _fill(client, name, 200)
        create = {"AttributeDefinitions": CATEGORY_DEFINITION}
        assert same(**create, GlobalSecondaryIndexUpdates=[{"Create": BY_CATEGORY}, {"Create": second}]) == (
            "LimitExceededException"
        )
        assert same(GlobalSecondaryIndexUpdates=[{"Create": BY_CATEGORY}]) == "ValidationException"
        assert same(GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}]) == "ResourceNotFoundException"
        assert same(**create, GlobalSecondaryIndexUpdates=[{"Create": BY_CATEGORY}]) == "ok"
        for client in both:
            _wait_active(client, name)
        assert same(**create, GlobalSecondaryIndexUpdates=[{"Create": BY_CATEGORY}]) == "ValidationException"
        for category in ("c1", "c7", "none"):
            local, emulated = (_query_all(client, name, category) for client in both)
            assert emulated == local and (len(local) == 4 or category == "none")
        assert same(GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-category"}}]) == "ok"
        # ddbload's endpoint drops a deleted index at once; DynamoDB Local shows it DELETING a while.
        assert _index_status(both[1], name) == []
        deadline = time.monotonic() + 60
        while _index_status(both[0], name) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _index_status(both[0], name) == []


def test_a_provisioned_tables_new_index_needs_its_own_capacity_and_has_it():
    """On a provisioned table the created index must be given ProvisionedThroughput (DynamoDB Local fails
    with InternalFailure here; DynamoDB's documented rule is a ValidationException), and DescribeTable shows
    the figures it was given."""
    with ddbload.Emulator() as server:
        client = _client(server.url)
        name = f"online-prov-{uuid.uuid4().hex[:8]}"
        _table(client, name, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
        with pytest.raises(ClientError) as refused:
            client.update_table(TableName=name, AttributeDefinitions=CATEGORY_DEFINITION,
                                GlobalSecondaryIndexUpdates=[{"Create": BY_CATEGORY}])  # fmt: skip
        assert (
            "ProvisionedThroughput must be specified for index: by-category"
            in refused.value.response["Error"]["Message"]
        )
        figures = {"ReadCapacityUnits": 3, "WriteCapacityUnits": 2}
        provisioned = dict(BY_CATEGORY, ProvisionedThroughput=figures)
        client.update_table(TableName=name, AttributeDefinitions=CATEGORY_DEFINITION,
                            GlobalSecondaryIndexUpdates=[{"Create": provisioned}])  # fmt: skip
        _wait_active(client, name)
        index = client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
        assert {k: index["ProvisionedThroughput"][k] for k in figures} == figures


def test_the_table_keeps_its_figures_and_stays_while_its_new_index_fills():
    """While a new index fills, DynamoDB refuses to change the table's figures or to delete the table, in the
    words a public catalogue of its ResourceInUseException answers records: a peak-day runbook that adds an
    index and raises capacity in one go meets that refusal here too."""
    with ddbload.Emulator() as server:
        client = _client(server.url)
        name = f"online-busy-{uuid.uuid4().hex[:8]}"
        figures = {"ReadCapacityUnits": 1000, "WriteCapacityUnits": 1000}
        _table(client, name, ProvisionedThroughput=figures)
        _fill(client, name, 500)
        index = dict(BY_CATEGORY, ProvisionedThroughput=figures)
        client.update_table(
            TableName=name, AttributeDefinitions=CATEGORY_DEFINITION, GlobalSecondaryIndexUpdates=[{"Create": index}]
        )
        in_use = "Attempt to change a resource which is still in use: "
        raised = {"ReadCapacityUnits": 2000, "WriteCapacityUnits": 2000}
        for call, words in (
            (
                lambda: client.update_table(TableName=name, ProvisionedThroughput=raised),
                f"Can't change table IOPS when an index is being created. Table: {name} Indexes: [by-category]",
            ),
            (
                lambda: client.delete_table(TableName=name),
                "Cannot delete table while indexes are being created, updated, or deleted.",
            ),
        ):
            with pytest.raises(ClientError) as refused:
                call()
            assert refused.value.response["Error"] == {"Code": "ResourceInUseException", "Message": in_use + words}
        _wait_active(client, name)
        updated = client.update_table(TableName=name, ProvisionedThroughput=raised)["TableDescription"]
        assert updated["ProvisionedThroughput"]["WriteCapacityUnits"] == 2000
        client.delete_table(TableName=name)
        assert name not in client.list_tables()["TableNames"]


def test_an_item_whose_value_is_too_long_for_a_new_index_is_left_out_of_it():
    """An item written before the index existed may hold a value longer than an index key can be
    (2,048 bytes): the backfill leaves it out, as DynamoDB leaves out its index key violations, and
    indexes the others."""
    with ddbload.Emulator() as server:
        client = _client(server.url)
        name = f"long-values-{uuid.uuid4().hex[:8]}"
        _table(client, name)
        client.put_item(TableName=name, Item={"pk": {"S": "short"}, "category": {"S": "c1"}})
        client.put_item(TableName=name, Item={"pk": {"S": "long"}, "category": {"S": "c" * 2049}})
        client.update_table(
            TableName=name,
            AttributeDefinitions=CATEGORY_DEFINITION,
            GlobalSecondaryIndexUpdates=[{"Create": BY_CATEGORY}],
        )
        _wait_active(client, name)
        indexed = client.scan(TableName=name, IndexName="by-category")["Items"]
        assert [item["pk"]["S"] for item in indexed] == ["short"]
        assert client.scan(TableName=name, Select="COUNT")["Count"] == 2


def test_attribute_definitions_are_the_attributes_some_key_uses():
    """DescribeTable's AttributeDefinitions hold what a key of the table or of an index uses: an attribute given
    with a created index that no key uses is not kept, and a deleted index's key attribute goes with it. As real
    DynamoDB answers (captured in nubo-db/dynoxide's tests, eu-west-2); DynamoDB Local keeps the unused one."""
    with ddbload.Emulator() as server:
        client = _client(server.url)
        name = f"online-defs-{uuid.uuid4().hex[:8]}"
        _table(client, name)

        def defined() -> list[str]:
            described = client.describe_table(TableName=name)["Table"]
            return sorted(d["AttributeName"] for d in described["AttributeDefinitions"])

        unused = {"AttributeName": "note", "AttributeType": "S"}
        client.update_table(TableName=name, AttributeDefinitions=[*CATEGORY_DEFINITION, unused],
                            GlobalSecondaryIndexUpdates=[{"Create": BY_CATEGORY}])  # fmt: skip
        assert defined() == ["category", "pk"]
        _wait_active(client, name)
        client.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-category"}}])
        deadline = time.monotonic() + 30
        while _index_status(client, name):
            assert time.monotonic() < deadline, "the index is still there"
            time.sleep(0.05)
        assert defined() == ["pk"]


def test_an_index_keyed_on_an_attribute_already_defined_keeps_its_type():
    """Redeclaring a defined attribute with another type while creating an index on it is accepted and the
    table's type is kept, for the table and the new index (real DynamoDB, as paritysuite/dynamodb-conformance#78
    records it; DynamoDB Local refuses the request). The index was keyed on the redeclared type before, and
    every write of the attribute was then refused as a type mismatch."""
    with ddbload.Emulator() as server:
        client = _client(server.url)
        name = f"online-types-{uuid.uuid4().hex[:8]}"
        _table(client, name)
        numbered = [{"AttributeName": "pk", "AttributeType": "N"}, {"AttributeName": "category", "AttributeType": "S"}]
        client.update_table(TableName=name, AttributeDefinitions=numbered,
                            GlobalSecondaryIndexUpdates=[{"Create": BY_CATEGORY}])  # fmt: skip
        _wait_active(client, name)
        types = {
            d["AttributeName"]: d["AttributeType"]
            for d in client.describe_table(TableName=name)["Table"]["AttributeDefinitions"]
        }
        assert types == {"pk": "S", "category": "S"}
        client.put_item(TableName=name, Item={"pk": {"S": "item-1"}, "category": {"S": "c1"}})
        assert _query_all(client, name, "c1") == {"item-1"}


def test_index_updates_are_checked_before_the_table_is_looked_up():
    """An index Update without its IndexName (the member the API model requires of it) is refused as null,
    and two updates of one index are refused, before the table is looked up: DynamoDB's words and order, as
    dynalite's record of DynamoDB has them. DynamoDB Local looks the table up first (and fails with
    InternalFailure on the first)."""
    with ddbload.Emulator() as server:
        client = _client(server.url)
        unvalidated = boto3.client(
            "dynamodb", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="x",
            aws_secret_access_key="x", config=botocore.config.Config(parameter_validation=False),
        )  # fmt: skip
        missing = f"online-none-{uuid.uuid4().hex[:8]}"
        with pytest.raises(ClientError) as refused:
            unvalidated.update_table(TableName=missing, GlobalSecondaryIndexUpdates=[{"Update": {}}])
        assert refused.value.response["Error"]["Message"] == (
            "1 validation error detected: Value null at 'globalSecondaryIndexUpdates.1.member.update.indexName' "
            "failed to satisfy constraint: Member must not be null"
        )
        twice = [{"Delete": {"IndexName": "by-category"}}, {"Delete": {"IndexName": "by-category"}}]
        with pytest.raises(ClientError) as refused:
            client.update_table(TableName=missing, GlobalSecondaryIndexUpdates=twice)
        assert refused.value.response["Error"]["Message"] == (
            "One or more parameter values were invalid: Only one global secondary index update per index is "
            "allowed simultaneously. Index: by-category"
        )
