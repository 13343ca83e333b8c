"""The endpoint's first validation, through boto3 as an application reaches `ddbload serve`: every failed
constraint of a request's top-level members in one "N validation errors detected" answer, worded and
ordered as DynamoDB answers (a public conformance suite's captures of DynamoDB in us-east-1, 2026), and the
attribute-value and batch-write rules checked in DynamoDB's order.

DynamoDB Local is not the oracle here: it words these refusals its own way (and still checks the table
names of data-plane calls for 3 characters, which DynamoDB no longer does since it takes table ARNs there).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import client_for, pk_table_on

RETURN_VALUES = "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
RETURN_CONSUMED_CAPACITY = "[INDEXES, TOTAL, NONE]"


def refused(call, **params) -> str:
    with pytest.raises(ClientError) as refusal:
        call(**params)
    error = refusal.value.response["Error"]
    assert error["Code"] == "ValidationException", error
    return error["Message"]


def test_every_failed_member_constraint_is_listed_in_dynamodbs_order(offline, local_credentials):
    client = client_for(offline)
    table = pk_table_on(offline, "constraints")
    item = {"pk": {"S": "a"}}
    assert refused(client.put_item, TableName="bad table!@#", Item=item, ReturnValues="INVALID") == (
        f"2 validation errors detected: Value 'INVALID' at 'returnValues' failed to satisfy constraint: Member must "
        f"satisfy enum value set: {RETURN_VALUES}; Value 'bad table!@#' at 'tableName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )
    # UpdateItem lists ReturnConsumedCapacity first, DeleteItem ReturnValues: DynamoDB's own orders.
    assert refused(client.update_item, TableName=table, Key=item, ReturnValues="INVALID",
                   ReturnConsumedCapacity="INVALID") == (
        f"2 validation errors detected: Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: "
        f"Member must satisfy enum value set: {RETURN_CONSUMED_CAPACITY}; Value 'INVALID' at 'returnValues' failed "
        f"to satisfy constraint: Member must satisfy enum value set: {RETURN_VALUES}"
    )  # fmt: skip
    assert refused(client.delete_item, TableName=table, Key=item, ReturnValues="INVALID",
                   ReturnConsumedCapacity="INVALID").startswith(
        "2 validation errors detected: Value 'INVALID' at 'returnValues'"
    )  # fmt: skip
    long_name = "a" * 256
    assert refused(client.get_item, TableName=long_name, Key=item) == (
        f"1 validation error detected: Value '{long_name}' at 'tableName' failed to satisfy constraint: Member must "
        "have length less than or equal to 255"
    )
    assert refused(client.create_table, TableName="ab", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}]) == (
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have "
        "length greater than or equal to 3"
    )  # fmt: skip
    # Elsewhere a short name is one DynamoDB does not have, and a valid value is read as before.
    with pytest.raises(ClientError) as missing:
        client.describe_table(TableName="ab")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert refused(client.delete_item, TableName=table, Key=item, ReturnValues="ALL_NEW") == (
        "Return values set to invalid value"
    )
    assert client.list_tables()["TableNames"] == [table], "nothing was created by a refused call"


def test_attribute_values_and_batch_puts_are_refused_as_dynamodb_refuses_them(offline, local_credentials):
    client = client_for(offline)
    table = pk_table_on(offline, "values")

    def put(value: dict) -> str:
        return refused(client.put_item, TableName=table, Item={"pk": {"S": "a"}, "x": value})

    assert put({"SS": ["a", "a"]}) == "One or more parameter values were invalid: Input collection [a, a] contains " \
        "duplicates."  # fmt: skip
    assert put({"BS": [b"b", b"b"]}) == "One or more parameter values were invalid: Input collection [Yg==, Yg==]" \
        "of type BS contains duplicates."  # fmt: skip
    # A number is read before a second type is refused.
    assert put({"S": "a", "N": "b"}) == "A value provided cannot be converted into a number"
    assert put({"S": "a", "N": "1"}).startswith("Supplied AttributeValue has more than one datatypes set")
    # A batch's put of an item without its key, or with a key of the wrong type, is a key mismatch.
    for item in ({"other": {"S": "a"}}, {"pk": {"N": "1"}}):
        assert refused(client.batch_write_item,
                       RequestItems={table: [{"PutRequest": {"Item": item}}]}) == (
            "The provided key element does not match the schema"
        )  # fmt: skip
    assert client.scan(TableName=table)["Count"] == 0


def test_a_transactional_read_of_a_key_not_of_the_table_is_cancelled_with_a_validation_reason(
    offline, local_credentials
):
    """DynamoDB reports a get's key problem through the cancellation reasons, not as a ValidationException."""
    client = client_for(offline)
    table = pk_table_on(offline, "tx-keys")
    client.put_item(TableName=table, Item={"pk": {"S": "a"}})
    good, bad = ({"Get": {"TableName": table, "Key": key}} for key in ({"pk": {"S": "a"}}, {}))
    with pytest.raises(ClientError) as refusal:
        client.transact_get_items(TransactItems=[good, bad])
    error = refusal.value.response
    assert (error["Error"]["Code"], error["Error"]["Message"]) == (
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]",
    )
    assert error["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ValidationError", "Message": "The provided key element does not match the schema"},
    ]
    assert client.transact_get_items(TransactItems=[good])["Responses"] == [{"Item": {"pk": {"S": "a"}}}]


def test_figures_past_what_dynamodb_takes_are_refused_in_the_order_dynalite_records(offline, local_credentials):
    """Past 10^12 a table's figure is out of bounds before the table is looked up; an index Update's is
    blocked once the table is found, whether or not the index exists (dynalite's suite records both)."""
    client = client_for(offline)
    table = pk_table_on(offline, "bounds")
    huge = {"ReadCapacityUnits": 1_000_000_000_001, "WriteCapacityUnits": 1}
    assert refused(client.update_table, TableName="no-such-table", ProvisionedThroughput=huge) == (
        "Given value 1000000000001 for ReadCapacityUnits is out of bounds"
    )
    index_update = [{"Update": {"IndexName": "no-such-index", "ProvisionedThroughput": huge}}]
    with pytest.raises(ClientError) as missing:
        client.update_table(TableName="no-such-table", GlobalSecondaryIndexUpdates=index_update)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert refused(client.update_table, TableName=table, GlobalSecondaryIndexUpdates=index_update) == (
        "This operation cannot be performed with given input values. Please contact DynamoDB service team for "
        "more info: Action Blocked: IndexUpdate"
    )
    assert client.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"


def test_an_index_scans_start_key_is_refused_as_dynamodb_refuses_it(offline, local_credentials):
    """A Scan of an index whose ExclusiveStartKey holds the wrong number of attributes, or lacks a global
    index's key, is "The provided starting key is invalid"; then one whose index key does not fit is
    "The provided key element does not match the schema", and one whose table key does not fit is that
    after "The provided starting key is invalid: ". dynalite's suite records these answers of DynamoDB;
    DynamoDB Local words the first "Exclusive Start Key must have same size as table's key schema", so
    it is not the oracle here."""
    client = client_for(offline)
    definitions = [("a", "S"), ("b", "S"), ("c", "S"), ("d", "N")]
    client.create_table(
        TableName="starts", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in definitions],
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{"IndexName": "local", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
            {"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]}],
        GlobalSecondaryIndexes=[{"IndexName": "global", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
            {"AttributeName": "c", "KeyType": "HASH"}, {"AttributeName": "d", "KeyType": "RANGE"}]}],
    )  # fmt: skip
    s, n = (lambda v: {"S": v}), (lambda v: {"N": v})
    invalid, mismatch = "The provided starting key is invalid", "The provided key element does not match the schema"
    for index, start, message in [
        ("local", {"a": s("a"), "c": s("c")}, invalid),  # the table's sort key missing: too few
        ("local", {"a": s("a"), "b": s("b"), "c": s("c"), "d": n("1")}, invalid),  # one too many
        ("local", {"a": n("1"), "x": s("x"), "y": s("y")}, mismatch),
        ("local", {"a": s("a"), "b": s("b"), "c": n("1")}, mismatch),
        ("local", {"a": s("a"), "b": n("1"), "c": s("c")}, f"{invalid}: {mismatch}"),  # the table's key
        ("global", {"a": n("1"), "b": n("1"), "c": s("c"), "e": n("1")}, invalid),  # the index's sort key missing
        ("global", {"x": n("1"), "y": n("1"), "c": s("c"), "d": s("d")}, mismatch),
        ("global", {"a": s("a"), "b": s("b"), "c": n("1"), "d": n("1")}, mismatch),
        ("global", {"x": n("1"), "y": n("1"), "c": s("c"), "d": n("1")}, f"{invalid}: {mismatch}"),
    ]:
        assert refused(client.scan, TableName="starts", IndexName=index, ExclusiveStartKey=start) == message, start
    page = client.scan(TableName="starts", IndexName="global",
                       ExclusiveStartKey={"a": s("a"), "b": s("b"), "c": s("c"), "d": n("1")})  # fmt: skip
    assert page["Items"] == [] and page["Count"] == 0
