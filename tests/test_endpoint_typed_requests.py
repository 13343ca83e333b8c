"""The endpoint's typed decoding layer, over HTTP as an application's SDK reaches it: a member of the wrong
JSON type is DynamoDB's SerializationException with its deserializer's wording, before any validation or
table lookup; a member given as null is absent, as DynamoDB reads it.

DynamoDB Local is not the oracle here: it answers `"TableName": true` with ResourceNotFoundException and a
wrong AttributeValue type with InternalFailure. The expected messages are DynamoDB's own, as recorded from
the service by the public emulator suite named in issue 30 (the rules, not its tests, are ours).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import SIGNED

NESTED = (
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class "
    "(sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base "
    "of loader 'bootstrap')"
)
ATTRIBUTE_VALUE = "com.amazonaws.dynamodb.v20120810.AttributeValue"


def post(url: str, operation: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "X-Amz-Target": f"DynamoDB_20120810.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
            **SIGNED,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def table_keyed_by_k(url: str, name: str):
    """An on-demand table `name` keyed by k (a string) at `url`, and the boto3 client that made it."""
    client = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1")
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
    )  # fmt: skip
    return client


CASES = [
    ("GetItem", {"TableName": True}, "TRUE_VALUE cannot be converted to String"),
    ("GetItem", {"TableName": 2147483648}, "NUMBER_VALUE cannot be converted to String"),
    ("GetItem", {"TableName": 34.56}, "DECIMAL_VALUE cannot be converted to String"),
    ("GetItem", {"TableName": []}, "Unrecognized collection type class java.lang.String"),
    ("GetItem", {"TableName": {}}, "Start of structure or map found where not expected"),
    ("GetItem", {"TableName": "t", "ConsistentRead": "23"}, "Unexpected token received from parser"),
    ("Query", {"TableName": "t", "Limit": "23"}, "STRING_VALUE cannot be converted to Integer"),
    ("Query", {"TableName": "t", "Limit": False}, "FALSE_VALUE cannot be converted to Integer"),
    ("PutItem", {"TableName": "t", "Item": 23}, "Unexpected field type"),
    ("PutItem", {"TableName": "t", "Item": []},
     f"Unrecognized collection type java.util.Map<java.lang.String, {ATTRIBUTE_VALUE}>"),
    ("PutItem", {"TableName": "t", "Item": {"a": "x"}}, "Unexpected value type in payload"),
    ("PutItem", {"TableName": "t", "Item": {"a": []}}, f"Unrecognized collection type class {ATTRIBUTE_VALUE}"),
    ("PutItem", {"TableName": "t", "Item": {"a": {"N": 5}}}, "NUMBER_VALUE cannot be converted to String"),
    ("PutItem", {"TableName": "t", "Item": {"a": {"NULL": "23"}}}, "Unexpected token received from parser"),
    ("PutItem", {"TableName": "t", "Item": {"a": {"SS": {}}}}, "Start of structure or map found where not expected"),
    ("PutItem", {"TableName": "t", "Item": {"a": {"M": {"b": {"L": [7]}}}}}, "Unexpected value type in payload"),
    ("PutItem", {"TableName": "t", "Item": {"a": {"B": True}}},
     "only base-64-encoded strings are convertible to bytes"),
    ("PutItem", {"TableName": "t", "Item": {"a": {"B": "23456"}}},
     "Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
    ("PutItem", {"TableName": "t", "Item": {"a": {"BS": ["+/+="]}}}, "Invalid last non-pad Base64 character dectected"),
    ("CreateTable", {"TableName": "t", "ProvisionedThroughput": "23"}, "Unexpected field type"),
    ("CreateTable", {"TableName": "t", "ProvisionedThroughput": {"ReadCapacityUnits": "5"}},
     "STRING_VALUE cannot be converted to Long"),
    ("BatchWriteItem", {"RequestItems": {"t": True}}, NESTED),
    ("BatchGetItem", {"RequestItems": {"t": {"Keys": [23]}}}, NESTED),
    ("TransactWriteItems", {"TransactItems": [{"Put": 5}]}, "Unexpected field type"),
]  # fmt: skip


@pytest.mark.parametrize(("operation", "body", "message"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_member_of_the_wrong_type_is_dynamodbs_serialization_error(offline, operation, body, message):
    status, answer = post(offline, operation, body)
    assert (status, answer) == (400, {"__type": "com.amazon.coral.service#SerializationException", "Message": message})


def test_the_type_error_comes_before_validation_and_null_members_are_absent(offline, local_credentials):
    """A request with a type error and a missing table name is a serialization error, not a validation one;
    `"Limit": null` is no limit, and the SDK reads the capitalised Message DynamoDB sends."""
    status, answer = post(offline, "Query", {"Limit": "23"})
    assert status == 400 and answer["__type"].endswith("#SerializationException"), answer

    client = table_keyed_by_k(offline, "typed")
    client.put_item(TableName="typed", Item={"k": {"S": "a"}, "n": {"N": "1"}})
    status, answer = post(
        offline, "Query",
        {"TableName": "typed", "KeyConditionExpression": "k = :k", "ExpressionAttributeValues": {":k": {"S": "a"}},
         "Limit": None, "ExclusiveStartKey": None},
    )  # fmt: skip
    assert status == 200 and answer["Count"] == 1, answer
    # A boolean given as a word is read as Java reads it (false unless "true"); a number in text is not.
    status, answer = post(offline, "PutItem", {"TableName": "typed", "Item": {"k": {"S": "b"}, "z": {"NULL": "no"}}})
    assert (status, answer["__type"]) == (400, "com.amazon.coral.validate#ValidationException"), answer
    assert answer["message"].endswith("Null attribute value types must have the value of true"), answer

    with pytest.raises(ClientError) as refused:
        client.put_item(TableName="typed", Item={"k": {"B": b"ab"}, "n": {"N": "1"}})
    assert refused.value.response["Error"]["Code"] == "ValidationException"  # well typed: validation speaks
    # An SDK with its own checks off sends the wrong type; it reads DynamoDB's code and capitalised Message.
    unchecked = boto3.client(
        "dynamodb", endpoint_url=offline, region_name="us-east-1", config=Config(parameter_validation=False)
    )
    with pytest.raises(ClientError) as refused:
        unchecked.put_item(TableName="typed", Item={"k": {"S": 1}})
    error = refused.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("SerializationException", "NUMBER_VALUE cannot be converted to String")
    assert client.scan(TableName="typed")["Count"] == 1


def test_a_member_that_names_no_type_is_ignored_as_dynamodb_ignores_it(offline, local_credentials):
    """DynamoDB's decoder ignores an AttributeValue member it does not know: alone, the value is empty;
    beside a type, the type stands (as recorded from the service by the public emulator suite)."""
    client = table_keyed_by_k(offline, "untyped")
    for value in ({"a": ""}, {"L": [{"a": {}}]}):
        status, answer = post(offline, "PutItem", {"TableName": "untyped", "Item": {"k": {"S": "a"}, "x": value}})
        assert (status, answer["__type"]) == (400, "com.amazon.coral.validate#ValidationException"), answer
        assert answer["message"].endswith("Supplied AttributeValue is empty, must contain exactly one of the "
                                          "supported datatypes"), answer  # fmt: skip
    status, answer = post(offline, "PutItem", {"TableName": "untyped", "Item": {"k": {"S": "b", "note": "x"}}})
    assert status == 200, answer
    assert client.get_item(TableName="untyped", Key={"k": {"S": "b"}})["Item"] == {"k": {"S": "b"}}
