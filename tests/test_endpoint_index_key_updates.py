"""An update that gives an index key attribute a value of the wrong type, against `ddbload serve` as an
application meets it: refused in DynamoDB's two wordings, and nothing written.

DynamoDB words the fault by where the type comes from. A type the request itself fixes (a value, `+`/`-`,
list_append, if_not_exists' default, ADD, AttributeUpdates) is "Type mismatch for Index Key ...", found
before the item is read; a value read from the item (`SET gk = n`) is "The update expression attempted to
update the secondary index key to unsupported type", the message DynamoDB's API reference lists and users
quote. DynamoDB Local answers both with a shortened "Type mismatch for Index Key" and tests the condition
first even for a type the request fixes; dynalite's suite, recorded against DynamoDB, has the order and
the wording followed here."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError
from conftest import client_for

MISMATCH = (
    "One or more parameter values were invalid: Type mismatch for Index Key gk Expected: S Actual: {} IndexName: by-gk"
)
FROM_ITEM = "The update expression attempted to update the secondary index key to unsupported type"


@pytest.fixture(scope="module")
def table(served):
    dynamodb = client_for(served)
    name = f"index-key-updates-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "gk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-gk",
                "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    dynamodb.put_item(TableName=name, Item={"pk": {"S": "p"}, "n": {"N": "7"}, "s": {"S": "fine"}})
    return dynamodb, name


def refusal(table, **update) -> str:
    dynamodb, name = table
    with pytest.raises(ClientError) as refused:
        dynamodb.update_item(TableName=name, Key={"pk": {"S": "p"}}, **update)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    return refused.value.response["Error"]["Message"]


NUMBER = {":n": {"N": "1"}}


@pytest.mark.parametrize(
    ("update", "actual"),
    [
        ({"UpdateExpression": "SET gk = :n", "ExpressionAttributeValues": NUMBER}, "N"),
        ({"UpdateExpression": "SET gk = n + :n", "ExpressionAttributeValues": NUMBER}, "N"),
        ({"UpdateExpression": "SET gk = list_append(:l, :l)", "ExpressionAttributeValues": {":l": {"L": []}}}, "L"),
        ({"UpdateExpression": "SET gk = if_not_exists(s, :n)", "ExpressionAttributeValues": NUMBER}, "N"),
        ({"UpdateExpression": "ADD gk :n", "ExpressionAttributeValues": NUMBER}, "N"),
        ({"AttributeUpdates": {"gk": {"Value": {"N": "1"}}}}, "N"),
    ],
)
def test_a_type_the_request_gives_is_a_type_mismatch_even_when_the_condition_fails(table, update, actual):
    assert refusal(table, **update) == MISMATCH.format(actual)
    if "UpdateExpression" in update:
        # Found before the item is read: a condition that fails does not hide it.
        assert refusal(table, ConditionExpression="attribute_exists(nope)", **update) == MISMATCH.format(actual)


def test_in_a_transaction_each_wording_is_the_cancellation_reason(table):
    dynamodb, name = table
    for update, message in (
        ("SET gk = :n", MISMATCH.format("N")),
        ("SET gk = n", FROM_ITEM),
        ("SET gk = if_not_exists(n, :s)", FROM_ITEM),  # a string by default, a number from the item
    ):
        values = {":n": {"N": "1"}} if ":n" in update else {":s": {"S": "x"}} if ":s" in update else {}
        values = {"ExpressionAttributeValues": values} if values else {}
        action = {"TableName": name, "Key": {"pk": {"S": "p"}}, "UpdateExpression": update, **values}
        with pytest.raises(ClientError) as cancelled:
            dynamodb.transact_write_items(TransactItems=[{"Update": action}])
        assert cancelled.value.response["CancellationReasons"] == [{"Code": "ValidationError", "Message": message}]


@pytest.mark.parametrize(
    "update",
    ["SET gk = n", "SET gk = if_not_exists(n, :s)"],
)
def test_a_value_read_from_the_item_is_the_unsupported_type_message(table, update):
    dynamodb, name = table
    values = {"ExpressionAttributeValues": {":s": {"S": "x"}}} if ":s" in update else {}
    assert refusal(table, UpdateExpression=update, **values) == FROM_ITEM
    # Nothing was written, and a string read from the item is indexed as any other.
    assert "gk" not in dynamodb.get_item(TableName=name, Key={"pk": {"S": "p"}})["Item"]
    dynamodb.update_item(TableName=name, Key={"pk": {"S": "p"}}, UpdateExpression="SET gk = s")
    found = dynamodb.query(
        TableName=name,
        IndexName="by-gk",
        KeyConditionExpression="gk = :g",
        ExpressionAttributeValues={":g": {"S": "fine"}},
    )
    assert found["Items"] == [{"pk": {"S": "p"}, "gk": {"S": "fine"}}]
    dynamodb.update_item(TableName=name, Key={"pk": {"S": "p"}}, UpdateExpression="REMOVE gk")
