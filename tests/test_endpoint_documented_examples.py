"""The AWS SDK's own documented examples (botocore's examples-1.json for DynamoDB and DynamoDB Streams), sent to
`ddbload serve` as an application would send them: every answer's JSON holds only members of the operation's
output shape, each of its type (botocore's validator over the service model), and the items answered are the
ones the examples document. The second oracle issue 30 names where the emulator suites are silent.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import boto3
import botocore
from botocore.validate import ParamValidator
from conftest import client_for

EXAMPLES = Path(botocore.__file__).parent / "data" / "{}" / "2012-08-10" / "examples-1.json"

# The order an application would call them in: the table, its items, reads, changes, then removal.
DYNAMODB_ORDER = [
    "CreateTable", "PutItem", "BatchWriteItem", "GetItem", "UpdateItem", "BatchGetItem", "Query", "Scan",
    "DescribeTable", "UpdateTable", "DescribeLimits", "ListTables", "DeleteItem", "DeleteTable",
]  # fmt: skip


def examples(service: str) -> dict[str, dict]:
    """Each operation's first documented example: {"input": ..., "output": ...}."""
    documented = json.loads(Path(str(EXAMPLES).format(service)).read_text())
    return {operation: found[0] for operation, found in documented["examples"].items()}


def raw_answers(client) -> list[dict]:
    """The JSON bodies `client` receives, in order, before boto3 parses (and drops what it does not know)."""
    bodies: list[dict] = []

    def keep(http_response, **_):
        bodies.append(json.loads(http_response.content or b"{}"))

    client.meta.events.register("after-call", keep)
    return bodies


def shape_faults(client, operation: str, body: dict) -> str:
    """What in `body` the operation's output shape does not allow: an unknown member, a value of another type."""
    shape = client.meta.service_model.operation_model(operation).output_shape
    report = ParamValidator().validate(body, shape)
    # The model's minimums are for requests: DynamoDB itself answers NumberOfDecreasesToday 0 (min 1).
    report._errors = [error for error in report._errors if error[0] not in ("invalid range", "invalid length")]
    return report.generate_report()


def call(client, bodies: list[dict], operation: str, request: dict) -> dict:
    method = botocore.xform_name(operation)
    parsed = getattr(client, method)(**request)
    faults = shape_faults(client, operation, bodies[-1])
    assert not faults, f"{operation}: {faults}"
    return parsed


def items_by_title(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def test_every_documented_dynamodb_example_is_answered_in_the_shape_and_with_the_items_documented(served):
    client = client_for(served)
    bodies = raw_answers(client)
    documented = examples("dynamodb")
    assert sorted(documented) == sorted(DYNAMODB_ORDER)
    answers = {}
    for operation in DYNAMODB_ORDER:
        request = copy.deepcopy(documented[operation]["input"])
        if operation == "UpdateTable":
            request["TableName"] = "Music"  # the example names another table than the others use
        answers[operation] = call(client, bodies, operation, request)
    out = {operation: example["output"] for operation, example in documented.items()}
    assert answers["GetItem"]["Item"] == out["GetItem"]["Item"]
    assert answers["UpdateItem"]["Attributes"] == out["UpdateItem"]["Attributes"]
    assert items_by_title(answers["BatchGetItem"]["Responses"]["Music"]) == items_by_title(
        out["BatchGetItem"]["Responses"]["Music"]
    )
    assert answers["PutItem"]["ConsumedCapacity"] == out["PutItem"]["ConsumedCapacity"]
    assert (answers["Query"]["Count"], answers["Query"]["ScannedCount"]) == (2, 2)
    assert (answers["Scan"]["Count"], answers["Scan"]["ScannedCount"]) == (2, 3)
    assert items_by_title(answers["Scan"]["Items"]) == items_by_title(out["Scan"]["Items"])
    described = answers["DescribeTable"]["Table"]
    assert described["KeySchema"] == out["DescribeTable"]["Table"]["KeySchema"]
    assert described["ItemCount"] == 3
    assert answers["UpdateTable"]["TableDescription"]["TableName"] == "Music"
    assert "Music" in answers["ListTables"]["TableNames"]
    assert answers["DeleteTable"]["TableDescription"]["TableName"] == "Music"
    assert set(answers["DescribeLimits"]) >= set(out["DescribeLimits"])


def test_every_documented_streams_example_is_answered_in_the_shape_documented(served):
    """The streams examples name a stream of their own (Forum's, in us-west-2): the same calls go to the
    stream of a Forum table made here, with its ARN, shard and iterator in their place."""
    tables = client_for(served)
    tables.create_table(
        TableName="Forum",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("ForumName", "Subject")],
        KeySchema=[{"AttributeName": "ForumName", "KeyType": "HASH"}, {"AttributeName": "Subject", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    tables.put_item(TableName="Forum", Item={"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "Rehearsals"}})
    streams = boto3.client(
        "dynamodbstreams", endpoint_url=served, region_name="us-east-1", aws_access_key_id="local",
        aws_secret_access_key="local",
    )  # fmt: skip
    bodies = raw_answers(streams)
    documented = examples("dynamodbstreams")
    assert sorted(documented) == ["DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"]
    listed = call(streams, bodies, "ListStreams", documented["ListStreams"]["input"])
    arn = next(s["StreamArn"] for s in listed["Streams"] if s["TableName"] == "Forum")
    described = call(streams, bodies, "DescribeStream", {**documented["DescribeStream"]["input"], "StreamArn": arn})
    assert (
        described["StreamDescription"]["KeySchema"]
        == (documented["DescribeStream"]["output"]["StreamDescription"]["KeySchema"])
    )
    shard = described["StreamDescription"]["Shards"][0]["ShardId"]
    iterator_request = {**documented["GetShardIterator"]["input"], "StreamArn": arn, "ShardId": shard}
    iterator = call(streams, bodies, "GetShardIterator", iterator_request)["ShardIterator"]
    records = call(streams, bodies, "GetRecords", {"ShardIterator": iterator})["Records"]
    assert [r["eventName"] for r in records] == ["INSERT"]
    assert records[0]["dynamodb"]["NewImage"]["Subject"] == {"S": "Rehearsals"}
