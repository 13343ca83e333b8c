"""Expression faults over HTTP, as an SDK sends them, against ddbload's endpoint and DynamoDB Local (the
oracle): reserved words as attribute names, undefined names and values, functions misused or given the
wrong operands, operands that are one path, overlapping or conflicting paths, ADD and DELETE operand
types, a key condition's operators, and the text a syntax error quotes - each refused with the same code
and message by both. Also one valid request that was refused: AttributeUpdates' ADD of a list appends to it on both.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import assert_refused_alike, client_for, pk_table_on

KEY = {"pk": {"S": "k"}}
V = {":v": {"N": "1"}}
PATHS = "must remove or rewrite one of these paths"
CASES = {
    "a reserved word": ("get_item", {"Key": KEY, "ProjectionExpression": "status"},
                        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    "a reserved word before an undefined name": (
        "get_item", {"Key": KEY, "ProjectionExpression": "#a, abort"},
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: abort"),
    "an undefined name": (
        "get_item", {"Key": KEY, "ProjectionExpression": "#a"},
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; "
        "attribute name: #a"),
    "a reserved word in an update": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET total = :v", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: total"),
    "a function alone": ("scan", {"FilterExpression": "size(a)"},
                         "Invalid FilterExpression: The function is not allowed to be used this way in an "
                         "expression; function: size"),
    "a condition function compared": (
        "scan", {"FilterExpression": "attribute_not_exists(a) > b"},
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: "
        "attribute_not_exists"),
    "two operands for attribute_exists": (
        "scan", {"FilterExpression": "attribute_exists(a, b)"},
        "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: "
        "attribute_exists, number of operands: 2"),
    "a value where a path belongs": (
        "scan", {"FilterExpression": "attribute_exists(:v)", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: Operator or function requires a document path; operator or function: "
        "attribute_exists"),
    "one path on both sides": (
        "scan", {"FilterExpression": "a = a"},
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this "
        "operator or function; operator: =, first operand: [a]"),
    "overlapping update paths": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET c[1].a = :v REMOVE c", "ExpressionAttributeValues": V},
        f"Invalid UpdateExpression: Two document paths overlap with each other; {PATHS}; path one: [c, [1], a], "
        "path two: [c]"),
    "conflicting update paths": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET a.b = :v, a[1] = :v", "ExpressionAttributeValues": V},
        f"Invalid UpdateExpression: Two document paths conflict with each other; {PATHS}; path one: [a, b], "
        "path two: [a, [1]]"),
    "conflicting projected paths": (
        "get_item", {"Key": KEY, "ProjectionExpression": "a.b, a[1]"},
        f"Invalid ProjectionExpression: Two document paths conflict with each other; {PATHS}; path one: [a, b], "
        "path two: [a, [1]]"),
    "ADD of a list": (
        "update_item", {"Key": KEY, "UpdateExpression": "ADD a :l", "ExpressionAttributeValues": {":l": {"L": []}}},
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: "
        "LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    "DELETE of a number": (
        "update_item", {"Key": KEY, "UpdateExpression": "DELETE a :v", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand "
        "type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    "an empty binary set": ("put_item", {"Item": {**KEY, "b": {"BS": []}}},
                            "One or more parameter values were invalid: Binary sets should not be empty"),
    "AttributeUpdates' DELETE of a string": (
        "update_item", {"Key": KEY, "AttributeUpdates": {"a": {"Action": "DELETE", "Value": {"S": "x"}}}},
        "One or more parameter values were invalid: DELETE action with value is not supported for the type "
        "STRING"),
    "AttributeUpdates' ADD without a value": (
        "update_item", {"Key": KEY, "AttributeUpdates": {"a": {"Action": "ADD"}}},
        "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is "
        "specified"),
    "an undefined value after a reserved word": (
        "scan", {"FilterExpression": ":x < abOrT"},
        "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: abOrT"),
    "update paths before an undefined value": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET d.b = :undefined, d = :v", "ExpressionAttributeValues": V},
        f"Invalid UpdateExpression: Two document paths overlap with each other; {PATHS}; path one: [d, b], "
        "path two: [d]"),
    "update paths before a function's operands": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET d.b = :v, d = if_not_exists(a)",
                        "ExpressionAttributeValues": V},
        f"Invalid UpdateExpression: Two document paths overlap with each other; {PATHS}; path one: [d, b], "
        "path two: [d]"),
    "a syntax error at the end, quoted to the end with its spaces": (
        "scan", {"FilterExpression": "a = b AND  "},
        'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "AND  "'),
    "a syntax error before the end, quoted to the end": (
        "scan", {"FilterExpression": "a = b  c  "},
        'Invalid FilterExpression: Syntax error; token: "c", near: "b  c  "'),
    "a syntax error in the middle, quoted to the token after": (
        "scan", {"FilterExpression": "a  =  = b  "},
        'Invalid FilterExpression: Syntax error; token: "=", near: "=  = b"'),
    "OR in a key condition": (
        "query", {"KeyConditionExpression": "pk = :v OR pk = :w",
                  "ExpressionAttributeValues": {":v": {"S": "a"}, ":w": {"S": "b"}}},
        "Invalid operator used in KeyConditionExpression: OR"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_expression_faults_are_refused_as_dynamodb_local_refuses_them(emulator_url, endpoint, case):
    assert_refused_alike((endpoint, emulator_url), *CASES[case])


def test_attribute_updates_add_appends_a_list_on_both(emulator_url, endpoint):
    answers = []
    for url in (endpoint, emulator_url):
        client, table = client_for(url), pk_table_on(url, "faults")
        client.put_item(TableName=table, Item={**KEY, "b": {"L": [{"S": "a"}]}})
        client.update_item(
            TableName=table, Key=KEY,
            AttributeUpdates={"b": {"Action": "ADD", "Value": {"L": [{"S": "b"}]}},
                              "n": {"Action": "ADD", "Value": {"L": [{"N": "1"}]}}},
        )  # fmt: skip
        answers.append(client.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"])
    assert answers[0] == answers[1] == {**KEY, "b": {"L": [{"S": "a"}, {"S": "b"}]}, "n": {"L": [{"N": "1"}]}}


# Faults found against an item holding s (a string), l (an empty list) and m (an empty map).
ITEM = {**KEY, "s": {"S": "x"}, "l": {"L": []}, "m": {"M": {}}}
MISSING = "The provided expression refers to an attribute that does not exist in the item"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
BAD_PATH = "The document path provided in the update expression is invalid for update"
ITEM_CASES = {
    "list_append of a missing attribute": ("SET l = list_append(nothing, :l)", {":l": {"L": []}}, MISSING),
    "arithmetic on a missing attribute": ("SET x = y + :v", V, MISSING),
    "arithmetic on a string": ("SET x = s + :v", V, WRONG_TYPE),
    "ADD to a string": ("ADD s :v", V, WRONG_TYPE),
    "DELETE from a string": ("DELETE s :ss", {":ss": {"SS": ["a"]}}, WRONG_TYPE),
    "REMOVE inside a string": ("REMOVE s.a", None, BAD_PATH),
    "REMOVE an index of a map": ("REMOVE m[1]", None, BAD_PATH),
    "DELETE under a missing map": ("DELETE zz.y :ss", {":ss": {"SS": ["a"]}}, BAD_PATH),
}  # fmt: skip


@pytest.mark.parametrize("case", ITEM_CASES, ids=list(ITEM_CASES))
def test_update_faults_against_the_item_are_refused_as_dynamodb_local_refuses_them(emulator_url, endpoint, case):
    expression, values, message = ITEM_CASES[case]
    for url in (endpoint, emulator_url):
        client, table = client_for(url), pk_table_on(url, "faults")
        client.put_item(TableName=table, Item=ITEM)
        params = {"ExpressionAttributeValues": values} if values else {}
        with pytest.raises(ClientError) as refused:
            client.update_item(TableName=table, Key=KEY, UpdateExpression=expression, **params)
        assert refused.value.response["Error"]["Message"] == message, url


def test_removing_a_missing_last_element_is_nothing_on_both(emulator_url, endpoint):
    for url in (endpoint, emulator_url):
        client, table = client_for(url), pk_table_on(url, "faults")
        client.put_item(TableName=table, Item=ITEM)
        client.update_item(TableName=table, Key=KEY, UpdateExpression="REMOVE l[5], m.zz, zz")
        assert client.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"] == ITEM
