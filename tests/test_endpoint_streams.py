"""DynamoDB Streams on ddbload's endpoint, read as a Lambda-style poller reads them (boto3's
dynamodbstreams client): every change in order with the images the view type asks for, the same records
DynamoDB Local writes for the same writes (single writes, a batch, a transaction, PartiQL), LATEST and
AFTER_SEQUENCE_NUMBER iterators, and a disabled stream's closed shard. Retention and iterator expiry are
checked on a simulated clock in the emulator crate's tests/streams.rs."""

from __future__ import annotations

import uuid

import boto3
import ddbload
import pytest
from botocore.exceptions import ClientError


def _clients(url: str):
    kwargs = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    return boto3.client("dynamodb", **kwargs), boto3.client("dynamodbstreams", **kwargs)


@pytest.fixture(scope="module")
def emulator():
    with ddbload.Emulator() as server:
        yield server


@pytest.fixture
def both(endpoint, emulator):
    return _clients(endpoint), _clients(emulator.url)


def _table(dynamodb, view: str) -> str:
    name = f"streams-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )
    return name


def _shard(streams, arn: str) -> str:
    return streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]


def _read_all(streams, arn: str, kind: str = "TRIM_HORIZON", sequence: str | None = None) -> list[dict]:
    """Every record from the iterator on, following NextShardIterator until a read returns none."""
    kwargs = {"StreamArn": arn, "ShardId": _shard(streams, arn), "ShardIteratorType": kind}
    if sequence:
        kwargs["SequenceNumber"] = sequence
    iterator = streams.get_shard_iterator(**kwargs)["ShardIterator"]
    records: list[dict] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=2)
        records += page["Records"]
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
    return records


def _changes(records: list[dict]) -> list[tuple]:
    """What a consumer acts on: the event, the key and the images (not IDs, times or sequence numbers)."""
    return [
        (r["eventName"], r["dynamodb"]["Keys"], r["dynamodb"].get("NewImage"), r["dynamodb"].get("OldImage"),
         r["dynamodb"]["StreamViewType"])
        for r in records
    ]  # fmt: skip


def _application_writes(dynamodb, name: str) -> None:
    def item(pk: str, **attributes: int) -> dict:
        return {"pk": {"S": pk}, **{k: {"N": str(v)} for k, v in attributes.items()}}

    dynamodb.put_item(TableName=name, Item=item("a", v=1))
    dynamodb.put_item(TableName=name, Item=item("a", v=1))  # changes nothing: no record
    dynamodb.update_item(TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = v + :one",
                         ExpressionAttributeValues={":one": {"N": "1"}})  # fmt: skip
    dynamodb.put_item(TableName=name, Item=item("b", v=5))
    dynamodb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": item("c", v=7)}}, {"DeleteRequest": {"Key": {"pk": {"S": "b"}}}},
    ]})  # fmt: skip
    dynamodb.transact_write_items(TransactItems=[
        {"Update": {"TableName": name, "Key": {"pk": {"S": "c"}}, "UpdateExpression": "REMOVE v"}},
        {"Put": {"TableName": name, "Item": item("d", v=9)}},
    ])  # fmt: skip
    dynamodb.execute_statement(Statement=f"UPDATE \"{name}\" SET w = 3 WHERE pk = 'd'")
    dynamodb.delete_item(TableName=name, Key={"pk": {"S": "a"}})
    dynamodb.delete_item(TableName=name, Key={"pk": {"S": "nobody"}})  # deletes nothing: no record


def test_a_consumer_reads_every_change_in_order_as_dynamodb_local_writes_it(both):
    seen = []
    for dynamodb, streams in both:
        name = _table(dynamodb, "NEW_AND_OLD_IMAGES")
        _application_writes(dynamodb, name)
        arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [arn]
        records = _read_all(streams, arn)
        sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
        assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
        seen.append(_changes(records))
    local, emulated = seen
    assert emulated == local
    assert [(event, keys["pk"]["S"]) for event, keys, *_ in emulated] == [
        ("INSERT", "a"), ("MODIFY", "a"), ("INSERT", "b"), ("INSERT", "c"), ("REMOVE", "b"),
        ("MODIFY", "c"), ("INSERT", "d"), ("MODIFY", "d"), ("REMOVE", "a"),
    ]  # fmt: skip


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"])
def test_each_view_type_carries_the_images_it_names(both, view):
    seen = []
    for dynamodb, streams in both:
        name = _table(dynamodb, view)
        _application_writes(dynamodb, name)
        seen.append(_changes(_read_all(streams, dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"])))
    assert seen[1] == seen[0]
    assert all((new is not None) == (view == "NEW_IMAGE" and event != "REMOVE") for event, _, new, _, _ in seen[1])


def test_iterators_start_where_asked_and_a_disabled_streams_shard_closes(both):
    ends = []
    for dynamodb, streams in both:
        name = _table(dynamodb, "KEYS_ONLY")
        dynamodb.put_item(TableName=name, Item={"pk": {"S": "before"}})
        arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        shard = _shard(streams, arn)
        latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")
        dynamodb.put_item(TableName=name, Item={"pk": {"S": "after"}})
        after_latest = streams.get_records(ShardIterator=latest["ShardIterator"])["Records"]
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in after_latest] == ["after"]
        first = _read_all(streams, arn)[0]["dynamodb"]["SequenceNumber"]
        following = _read_all(streams, arn, "AFTER_SEQUENCE_NUMBER", first)
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in following] == ["after"]

        with pytest.raises(ClientError) as refused:
            dynamodb.update_table(
                TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
            )
        assert refused.value.response["Error"]["Message"] == "Table already has an enabled stream"
        dynamodb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        dynamodb.put_item(TableName=name, Item={"pk": {"S": "unrecorded"}})
        with pytest.raises(ClientError) as refused:
            dynamodb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        assert refused.value.response["Error"]["Message"] == "Table has no stream to disable"
        described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
        table = dynamodb.describe_table(TableName=name)["Table"]
        assert "StreamSpecification" not in table and table["LatestStreamArn"] == arn
        assert described["StreamStatus"] == "DISABLED"
        last = following[-1]["dynamodb"]["SequenceNumber"]
        assert described["Shards"][0]["SequenceNumberRange"]["EndingSequenceNumber"] == last
        ends.append([r["dynamodb"]["Keys"]["pk"]["S"] for r in _read_all(streams, arn)])
        with pytest.raises(ClientError) as refused:
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER")
        assert refused.value.response["Error"]["Code"] == "ValidationException"
        with pytest.raises(ClientError) as refused:
            streams.describe_stream(StreamArn=arn + "x")
        assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert ends == [["before", "after"], ["before", "after"]]


def test_a_deleted_tables_stream_is_disabled_and_still_read_as_dynamodb_local_keeps_it(both):
    """DeleteTable's documentation: the table's stream goes DISABLED and is deleted after 24 hours. A
    consumer still drains the last changes, on both endpoints (the 24 hours are checked on a simulated
    clock in tests/streams.rs)."""
    read = []
    for dynamodb, streams in both:
        name = _table(dynamodb, "NEW_IMAGE")
        dynamodb.put_item(TableName=name, Item={"pk": {"S": "last-order"}})
        arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        dynamodb.delete_table(TableName=name)
        assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLED"
        assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [arn]
        read.append(_changes(_read_all(streams, arn)))
    assert (
        read[0] == read[1] == [("INSERT", {"pk": {"S": "last-order"}}, {"pk": {"S": "last-order"}}, None, "NEW_IMAGE")]
    )
