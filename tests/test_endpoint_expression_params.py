"""ExpressionAttributeNames and ExpressionAttributeValues over HTTP, as an SDK sends them: given without an
expression to use them, refused before anything in them is read, the names first; given empty or with a
malformed key, refused before any entry is read; all with DynamoDB's messages.

DynamoDB Local answers the same messages in these cases (the oracle below), except that it treats an
empty map without an expression as absent, and that it asks a Query for its key condition, and a Scan
for its names and values, before the checks DynamoDB makes first (AttributesToGet, the legacy filter,
the segments: DynamoDB's order as recorded from the service by the public emulator suite named in issue
30). Those cases are checked on ddbload's endpoint alone.
"""

from __future__ import annotations

import pytest
from conftest import api_refusal, assert_refused_alike

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
    "an empty names map": ("get_item", {"Key": KEY, "ProjectionExpression": "pk", "ExpressionAttributeNames": {}},
                           "ExpressionAttributeNames must not be empty"),
    "a names key without #": ("get_item", {"Key": KEY, "ProjectionExpression": "#a",
                                           "ExpressionAttributeNames": {"#a": "pk", "a": "pk"}},
                              'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
    "an empty values map": ("put_item", {"Item": KEY, "ConditionExpression": "attribute_exists(pk)",
                                         "ExpressionAttributeValues": {}},
                            "ExpressionAttributeValues must not be empty"),
    "every values key before any value": ("put_item", {"Item": KEY, "ConditionExpression": "attribute_exists(pk)",
                                                       "ExpressionAttributeValues": {**UNREADABLE, "v": {"S": "x"}}},
                                          'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'),
}  # fmt: skip
EQ_OF_TWO = {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}, {"N": "2"}]}}
# DynamoDB's order where DynamoDB Local has another: (method, request, words of the first rule broken).
DYNAMODB_ORDER = {
    "Query: AttributesToGet before the key condition": (
        "query", {"AttributesToGet": ["a", "a"]}, "Duplicate value in attribute name: a"),
    "Query: QueryFilter before the key condition": (
        "query", {"QueryFilter": EQ_OF_TWO}, "Invalid number of argument(s) for the EQ ComparisonOperator"),
    "Scan: AttributesToGet before ScanFilter": (
        "scan", {"AttributesToGet": ["a", "a"], "ScanFilter": EQ_OF_TWO}, "Duplicate value in attribute name: a"),
    "Scan: the segments before the names": (
        "scan", {"Segment": 1, "FilterExpression": "#a = :v", "ExpressionAttributeNames": {"a": "a"},
                 "ExpressionAttributeValues": {":v": {"S": "x"}}}, "TotalSegments parameter is required"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bindings_without_an_expression_are_refused_as_dynamodb_local_refuses_them(emulator_url, endpoint, case):
    assert_refused_alike((emulator_url, endpoint), *CASES[case])


@pytest.mark.parametrize("case", DYNAMODB_ORDER, ids=list(DYNAMODB_ORDER))
def test_query_and_scan_check_in_dynamodbs_order(emulator_url, case):
    method, params, words = DYNAMODB_ORDER[case]
    code, message = api_refusal(emulator_url, method, params)
    assert code == "ValidationException" and words in message, message


def test_an_empty_names_map_without_an_expression_is_refused(emulator_url):
    assert api_refusal(emulator_url, "query", {"ExpressionAttributeNames": {}}) == (
        "ValidationException", "ExpressionAttributeNames can only be specified when using expressions",
    )  # fmt: skip
