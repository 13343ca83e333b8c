"""ExpressionAttributeNames and ExpressionAttributeValues without an expression to use them, over HTTP as an
SDK sends them: refused before anything in them is read, with DynamoDB's message, the names first.

DynamoDB Local answers the same messages for maps that hold something (the oracle below); an empty map
it treats as absent, where DynamoDB refuses it too (as recorded from the service by the public emulator
suite named in issue 30), so that case is checked on ddbload's endpoint alone.
"""

from __future__ import annotations

import uuid

import ddbload
import pytest
from botocore.exceptions import ClientError
from conftest import client_for

KEY = {"pk": {"S": "k"}}
# A value DynamoDB could not read: refused for coming without an expression before it is read.
UNREADABLE = {":v": {"N": "not a number"}}
CASES = {
    "GetItem names": ("get_item", {"Key": KEY, "ExpressionAttributeNames": {"#a": "a"}},
                      "ExpressionAttributeNames can only be specified when using expressions"),
    "Query values": ("query", {"ExpressionAttributeValues": UNREADABLE},
                     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression "
                     "and KeyConditionExpression are null"),
    "Query names before values": ("query", {"ExpressionAttributeNames": {"#a": "a"}, "ExpressionAttributeValues":
                                            UNREADABLE},
                                  "ExpressionAttributeNames can only be specified when using expressions"),
    "Scan values beside a projection": ("scan", {"ProjectionExpression": "pk", "ExpressionAttributeValues": UNREADABLE},
                                        "ExpressionAttributeValues can only be specified when using expressions: "
                                        "FilterExpression is null"),
    "UpdateItem values": ("update_item", {"Key": KEY, "ExpressionAttributeValues": UNREADABLE},
                          "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression "
                          "and ConditionExpression are null"),
}  # fmt: skip


@pytest.fixture(scope="module")
def emulator():
    with ddbload.Emulator() as server:
        yield server.url


def table_on(url: str) -> str:
    name = f"params-{uuid.uuid4().hex[:8]}"
    client_for(url).create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )  # fmt: skip
    return name


def refusal(url: str, method: str, params: dict) -> tuple[str, str]:
    with pytest.raises(ClientError) as refused:
        getattr(client_for(url), method)(TableName=table_on(url), **params)
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bindings_without_an_expression_are_refused_as_dynamodb_local_refuses_them(emulator, endpoint, case):
    method, params, message = CASES[case]
    assert refusal(emulator, method, params) == ("ValidationException", message)
    assert refusal(endpoint, method, params) == ("ValidationException", message)


def test_an_empty_names_map_without_an_expression_is_refused(emulator):
    assert refusal(emulator, "query", {"ExpressionAttributeNames": {}}) == (
        "ValidationException", "ExpressionAttributeNames can only be specified when using expressions",
    )  # fmt: skip
