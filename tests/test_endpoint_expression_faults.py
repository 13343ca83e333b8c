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
    # A name followed by "(" is parsed as a call; the name is checked once the whole text parses, before
    # any other fault found on the way.
    "a syntax error inside an unknown function's call": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET a = if_not_exist(a, 100)"},
        'Invalid UpdateExpression: Syntax error; token: "100", near: ", 100)"'),
    "an unknown function before an undefined value": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET a = :v, b = bar(:u)", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: Invalid function name; function: bar"),
    "an unknown function as a condition": (
        "put_item", {"Item": KEY, "ConditionExpression": "foo(a) AND size(a)"},
        "Invalid ConditionExpression: Invalid function name; function: foo"),
    "an unknown function before one path on both sides": (
        "scan", {"FilterExpression": "a = a AND whatever((:v)) > a", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: Invalid function name; function: whatever"),
    "a function name is case-sensitive": (
        "scan", {"FilterExpression": "attribute_exists(a) AND Attribute_exists(#x)"},
        "Invalid FilterExpression: Invalid function name; function: Attribute_exists"),
    "an unknown function before a repeated section": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET a = :v SET b = foo(:v)", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: Invalid function name; function: foo"),
    "a syntax error after a repeated section": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET a = :v SET b = :v c", "ExpressionAttributeValues": V},
        'Invalid UpdateExpression: Syntax error; token: "c", near: ":v c"'),
    "a reserved word before a repeated section": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET a = :v SET status = :v", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    "a repeated section before overlapping paths and an operand count": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET a = :v REMOVE a SET b = if_not_exists(a)",
                        "ExpressionAttributeValues": V},
        'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
    # Arithmetic stands only as a SET action's value; anywhere else its operator is a syntax error.
    "arithmetic in a filter": ("scan", {"FilterExpression": "a > b + c"},
                               'Invalid FilterExpression: Syntax error; token: "+", near: "b + c"'),
    "arithmetic as a condition function's operand": (
        "put_item", {"Item": KEY, "ConditionExpression": "attribute_exists(a - b)"},
        'Invalid ConditionExpression: Syntax error; token: "-", near: "a - b"'),
    "arithmetic as an update function's operand": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET a = if_not_exists(b + :v, :v)",
                        "ExpressionAttributeValues": V},
        'Invalid UpdateExpression: Syntax error; token: "+", near: "b + :v"'),
    "list_append in arithmetic": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET a = list_append(b, :v) + :v",
                        "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: "
        "list_append"),
    # A name is an ASCII letter, then ASCII letters, digits and underscores.
    "a name starting with an underscore": ("scan", {"FilterExpression": "a = b AND _c = d"},
                                           'Invalid FilterExpression: Syntax error; token: "_", near: "AND _c"'),
    "a name with a letter outside ASCII": ("get_item", {"Key": KEY, "ProjectionExpression": "a, pré"},
                                           'Invalid ProjectionExpression: Syntax error; token: "é", near: "pré"'),
    "a call without operands": ("scan", {"FilterExpression": "size() > a"},
                                'Invalid FilterExpression: Syntax error; token: ")", near: "() >"'),
    "a bad first token, quoted with the spaces before it": (
        "scan", {"FilterExpression": "  = a"}, 'Invalid FilterExpression: Syntax error; token: "=", near: "  = a"'),
    # Of an update's operand faults DynamoDB reports the last; of a condition's, the first.
    "the last of an update's operand faults": (
        "update_item", {"Key": KEY, "UpdateExpression": "ADD c :l SET b = :s + :v",
                        "ExpressionAttributeValues": {**V, ":s": {"S": "x"}, ":l": {"L": []}}},
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, "
        "operand type: S"),
    "the last of an update's operand faults, across SET actions": (
        "update_item", {"Key": KEY, "UpdateExpression": "SET b = :s + :v, a = if_not_exists(:v, a)",
                        "ExpressionAttributeValues": {**V, ":s": {"S": "x"}}},
        "Invalid UpdateExpression: Operator or function requires a document path; operator or function: "
        "if_not_exists"),
    "the first of a condition's operand faults": (
        "scan", {"FilterExpression": "begins_with(a, :v) AND begins_with(a, :l)",
                 "ExpressionAttributeValues": {**V, ":l": {"L": []}}},
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: "
        "begins_with, operand type: N"),
    "an operand function standing as a condition before OR": (
        "scan", {"FilterExpression": "size(a, b) OR a = :v", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size"),
    "if_not_exists standing as a condition": (
        "scan", {"FilterExpression": "if_not_exists(a, :v) OR a = :v", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: The function is not allowed in a condition expression; function: if_not_exists"),
    "one path as BETWEEN's operand and bound": (
        "scan", {"FilterExpression": "a BETWEEN :v AND a", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this "
        "operator or function; operator: BETWEEN, first operand: [a]"),
    "one path as IN's operand and option": (
        "scan", {"FilterExpression": "a IN (:v, a)", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this "
        "operator or function; operator: IN, first operand: [a]"),
    "a parenthesised IN option is no redundant parenthesis, a parenthesised operand in it is": (
        "scan", {"FilterExpression": "a IN ((b), :v) AND c IN (((d)))", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: The expression has redundant parentheses;"),
    # Redundant parentheses are met where they close: after a syntax error before them, before one after.
    "a syntax error before redundant parentheses": (
        "scan", {"FilterExpression": "a - b > ((c))"},
        'Invalid FilterExpression: Syntax error; token: "-", near: "a - b"'),
    "redundant parentheses before a syntax error": (
        "scan", {"FilterExpression": "a > ((b)) AND c - d > e"},
        "Invalid FilterExpression: The expression has redundant parentheses;"),
    "redundant parentheses before an unknown function": (
        "scan", {"FilterExpression": "a > whatever((:v), ((b)))", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: The expression has redundant parentheses;"),
    "IN before parentheses is no call": ("scan", {"FilterExpression": " IN (a)"},
                                         'Invalid FilterExpression: Syntax error; token: "IN", near: " IN ("'),
    "size is a number to begins_with": (
        "scan", {"FilterExpression": "begins_with(a, size(b))"},
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: "
        "begins_with, operand type: N"),
    "a misused function before a fault of the same kind inside it": (
        "scan", {"FilterExpression": "size(if_not_exists(a, :v), b)", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size"),
    "a list index with a leading zero": ("get_item", {"Key": KEY, "ProjectionExpression": "l[01]"},
                                         'Invalid ProjectionExpression: Syntax error; token: "1", near: "01]"'),
    "a syntax error after a list index out of range": (
        "get_item", {"Key": KEY, "ProjectionExpression": "l[0].q, l[2147483648],  "},
        'Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ",  "'),
    # A name that is no function, a misused function, a reserved word and a list index out of range: the
    # first in the text.
    "a reserved word before a misused function": (
        "scan", {"FilterExpression": "status = :v AND size(a)", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    "a misused function before a reserved word": (
        "scan", {"FilterExpression": "size(a) AND status = :v", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size"),
    "a list index out of range before an unknown function": (
        "scan", {"FilterExpression": "l[4294967296] = :v AND foo(a)", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: List index is not within the allowable range; index: [4294967296]"),
    "an unknown function before a list index out of range": (
        "scan", {"FilterExpression": "foo(a) AND l[4294967296] = :v", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: Invalid function name; function: foo"),
    # The rest of a condition's faults: the first in the text.
    "an undefined name before an unordered comparison": (
        "scan", {"FilterExpression": "#x = :v AND a < :ss", "ExpressionAttributeValues": {**V, ":ss": {"SS": ["a"]}}},
        "Invalid FilterExpression: An expression attribute name used in the document path is not defined; "
        "attribute name: #x"),
    "one path on both sides before BETWEEN's bounds of two types": (
        "scan", {"FilterExpression": "a = a AND b BETWEEN :s AND :v",
                 "ExpressionAttributeValues": {**V, ":s": {"S": "x"}}},
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this "
        "operator or function; operator: =, first operand: [a]"),
    "an operand count before an undefined value": (
        "scan", {"FilterExpression": "contains(a) AND b = :zz"},
        "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: "
        "contains, number of operands: 1"),
    "a value where a path belongs before one path on both sides": (
        "scan", {"FilterExpression": "attribute_exists(:v) AND a = a", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: Operator or function requires a document path; operator or function: "
        "attribute_exists"),
    "a path too deep before an undefined name, in a filter (in a projection the name comes first)": (
        "scan", {"FilterExpression": ".".join(["a"] * 33) + " = :v AND #u = :v", "ExpressionAttributeValues": V},
        "Invalid FilterExpression: The document path has too many nesting levels; nesting levels: 33"),
    "an unfinished call": ("scan", {"FilterExpression": "foo(a"},
                           'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "a"'),
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
    "SET under a missing map, of a missing attribute: the path first": ("SET zz.y = nothing", None, BAD_PATH),
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
