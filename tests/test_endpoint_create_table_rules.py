"""CreateTable's key schema over HTTP, as an application's SDK sends it to `ddbload serve`: each malformed
key schema is refused with DynamoDB's message, checked in DynamoDB's order, and creates nothing; a table
that is created gets a TableId shaped as DynamoDB's (a version-4 UUID).

DynamoDB Local refuses the same requests with wording of its own ("Two keys can not have the same name",
"Invalid key order. ..."), so it is the oracle only for "refused, and nothing created"; the messages are
DynamoDB's own, as recorded from the service by the public emulator suite named in issue 30.
"""

from __future__ import annotations

import re
import uuid

import pytest
from botocore.exceptions import ClientError
from conftest import client_for

PT = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}


def defined(*names: str) -> list[dict]:
    return [{"AttributeName": n, "AttributeType": "S"} for n in names]


def keys(*pairs: tuple[str, str]) -> list[dict]:
    return [{"AttributeName": n, "KeyType": t} for n, t in pairs]


# (attribute definitions, key schema, DynamoDB's message): the first rule broken is the one reported.
MALFORMED = {
    "more keys than definitions": (
        defined("a"), keys(("a", "HASH"), ("a", "HASH")),
        "Invalid KeySchema: Some index key attribute have no definition",
    ),
    "a key not defined": (
        defined("b"), keys(("a", "HASH")),
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]",
    ),
    "one attribute twice": (
        defined("a", "b"), keys(("a", "HASH"), ("a", "HASH")),
        "Both the Hash Key and the Range Key element in the KeySchema have the same name",
    ),
    "two hash keys": (
        defined("a", "b"), keys(("a", "HASH"), ("b", "HASH")),
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
    ),
    "range first": (
        defined("a", "b"), keys(("a", "RANGE"), ("b", "HASH")),
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
    ),
    "a definition that is no key": (
        defined("a", "b"), keys(("a", "HASH")),
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
        "number of attributes defined in AttributeDefinitions",
    ),
}  # fmt: skip


def refused(client, definitions: list[dict], schema: list[dict]) -> dict:
    name = f"keys-{uuid.uuid4().hex[:8]}"
    with pytest.raises(ClientError) as refusal:
        client.create_table(
            TableName=name, AttributeDefinitions=definitions, KeySchema=schema, ProvisionedThroughput=PT
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName=name)  # a refused CreateTable created nothing
    return refusal.value.response["Error"]


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_key_schema_is_refused_with_dynamodbs_message(served, case):
    definitions, schema, message = MALFORMED[case]
    error = refused(client_for(served), definitions, schema)
    assert (error["Code"], error["Message"]) == ("ValidationException", message)


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_dynamodb_local_refuses_the_same_key_schemas(endpoint, case):
    definitions, schema, _ = MALFORMED[case]
    assert refused(client_for(endpoint), definitions, schema)["Code"] == "ValidationException"


def test_the_throughput_is_checked_before_the_key_schema(served):
    client = client_for(served)
    with pytest.raises(ClientError) as refusal:
        client.create_table(TableName="keys-late", AttributeDefinitions=[], KeySchema=keys(("a", "HASH")),
                            BillingMode="PAY_PER_REQUEST", ProvisionedThroughput=PT)  # fmt: skip
    assert "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified" in str(refusal.value)


def test_a_tables_id_is_a_version_4_uuid_that_stays_the_same(served):
    client = client_for(served)
    name = f"keys-{uuid.uuid4().hex[:8]}"
    created = client.create_table(TableName=name, AttributeDefinitions=defined("a"), KeySchema=keys(("a", "HASH")),
                                  BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableId"]  # fmt: skip
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", created), created
    assert client.describe_table(TableName=name)["Table"]["TableId"] == created


def index(name: str, key: str) -> dict:
    schema = keys(("pk", "HASH"), (key, "RANGE"))
    return {"IndexName": name, "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}


@pytest.mark.parametrize("kind", ["two global", "global and local"])
def test_two_indexes_under_one_name_are_refused_and_nothing_is_created(served, endpoint, kind):
    """DynamoDB Local refuses them too (in its own words); ddbload answers DynamoDB's message."""
    second = "LocalSecondaryIndexes" if kind == "global and local" else "GlobalSecondaryIndexes"
    for url in (served, endpoint):
        client, name = client_for(url), f"indexes-{uuid.uuid4().hex[:8]}"
        request = {"GlobalSecondaryIndexes": [index("by-placed", "placed")], "BillingMode": "PAY_PER_REQUEST",
                   "AttributeDefinitions": defined("pk", "sk", "placed", "shipped"),
                   "KeySchema": keys(("pk", "HASH"), ("sk", "RANGE"))}  # fmt: skip
        request.setdefault(second, []).append(index("by-placed", "shipped"))
        with pytest.raises(ClientError) as refusal:
            client.create_table(TableName=name, **request)
        assert refusal.value.response["Error"]["Code"] == "ValidationException"
        if url == served:
            assert refusal.value.response["Error"]["Message"] == (
                "One or more parameter values were invalid: Duplicate index name: by-placed"
            )
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_table(TableName=name)


def test_table_class_and_warm_throughput_are_kept_and_what_is_not_modelled_is_refused(served):
    """DynamoDB Local accepts TableClass and ignores it; DynamoDB shows it in TableClassSummary, as ddbload does.
    Members ddbload does not model (a resource policy, vector indexes, global-table settings) are refused."""
    client, name = client_for(served), f"class-{uuid.uuid4().hex[:8]}"
    table = {"AttributeDefinitions": defined("a"), "KeySchema": keys(("a", "HASH")), "BillingMode": "PAY_PER_REQUEST"}
    warm = {"ReadUnitsPerSecond": 15000}
    created = client.create_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS", WarmThroughput=warm,
                                  **table)["TableDescription"]  # fmt: skip
    assert created["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert created["WarmThroughput"]["ReadUnitsPerSecond"] == 15000
    assert "TableClassSummary" not in client.create_table(TableName=f"{name}-plain", **table)["TableDescription"]
    client.update_table(TableName=name, TableClass="STANDARD")
    assert client.describe_table(TableName=name)["Table"]["TableClassSummary"] == {"TableClass": "STANDARD"}
    with pytest.raises(ClientError, match="failed to satisfy constraint: Member must satisfy enum value set"):
        client.update_table(TableName=name, TableClass="COLD")
    with pytest.raises(ClientError, match="does not support the ResourcePolicy parameter"):
        client.create_table(TableName=f"{name}-policy", ResourcePolicy="{}", **table)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName=f"{name}-policy")
    gsi = {"IndexName": "by-b", "KeySchema": keys(("b", "HASH")), "Projection": {"ProjectionType": "ALL"},
           "OnDemandThroughput": {"MaxReadRequestUnits": 100}}  # fmt: skip
    with pytest.raises(ClientError, match="does not support OnDemandThroughput on a global secondary index"):
        client.create_table(TableName=f"{name}-gsi", AttributeDefinitions=defined("a", "b"),
                            KeySchema=keys(("a", "HASH")), GlobalSecondaryIndexes=[gsi],
                            BillingMode="PAY_PER_REQUEST")  # fmt: skip


def test_an_on_demand_tables_global_index_is_given_no_throughput(served):
    """DynamoDB refuses ProvisionedThroughput for a global index of a PAY_PER_REQUEST table - at CreateTable,
    and in UpdateTable's index Create or Update - in these words (as its users quote them, e.g.
    bchew/dynamodump#266). DynamoDB Local accepts it and ignores it, so it cannot be the oracle here."""
    client, name = client_for(served), f"on-demand-{uuid.uuid4().hex[:8]}"
    should_not = ("One or more parameter values were invalid: ProvisionedThroughput should not be specified for "
                  "index: {} when BillingMode is PAY_PER_REQUEST")  # fmt: skip
    table = {"BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": defined("pk", "sk", "placed"),
             "KeySchema": keys(("pk", "HASH"), ("sk", "RANGE"))}  # fmt: skip
    with pytest.raises(ClientError) as refusal:
        provisioned_index = {**index("by-placed", "placed"), "ProvisionedThroughput": PT}
        client.create_table(TableName=name, **table, GlobalSecondaryIndexes=[provisioned_index])
    assert refusal.value.response["Error"]["Message"] == should_not.format("by-placed")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName=name)
    client.create_table(TableName=name, **table, GlobalSecondaryIndexes=[index("by-placed", "placed")])
    updates = [
        {"Update": {"IndexName": "by-placed", "ProvisionedThroughput": PT}},
        {"Create": {**index("by-placed-too", "placed"), "ProvisionedThroughput": PT}},
    ]
    for update in updates:
        with pytest.raises(ClientError) as refusal:
            client.update_table(TableName=name, AttributeDefinitions=defined("pk", "placed"),
                                GlobalSecondaryIndexUpdates=[update])  # fmt: skip
        assert refusal.value.response["Error"]["Message"] == should_not.format(next(iter(update.values()))["IndexName"])
    described = client.describe_table(TableName=name)["Table"]
    assert [g["IndexName"] for g in described["GlobalSecondaryIndexes"]] == ["by-placed"]
    assert described["GlobalSecondaryIndexes"][0].get("ProvisionedThroughput", {}).get("ReadCapacityUnits", 0) == 0
    # Switching the table to PROVISIONED in the same request gives its index figures of its own.
    client.update_table(
        TableName=name, BillingMode="PROVISIONED", ProvisionedThroughput=PT, GlobalSecondaryIndexUpdates=updates[:1]
    )
    index_figures = client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]
    assert (index_figures["ReadCapacityUnits"], index_figures["WriteCapacityUnits"]) == (1, 1)


def test_empty_index_lists_and_attributes_no_key_uses_are_refused_and_create_nothing(served, endpoint):
    """An empty GlobalSecondaryIndexes or LocalSecondaryIndexes list, and (on a table with indexes) an attribute
    defined that no key of the table or of an index uses, are refused in DynamoDB's words: the empty lists as the
    public emulator suite records them, the unused definition as boto3 users quote it (aws-samples/
    aws-batch-processing-job-repo#4). DynamoDB Local refuses the empty global list and the unused definitions in
    words of its own, and accepts an empty local list, so it is the oracle only for those refusals."""
    table = {"BillingMode": "PAY_PER_REQUEST", "KeySchema": keys(("pk", "HASH"), ("sk", "RANGE"))}
    by_placed = {
        "IndexName": "by-placed",
        "KeySchema": keys(("placed", "HASH")),
        "Projection": {"ProjectionType": "ALL"},
    }
    cases = {
        "empty global list": (
            {"AttributeDefinitions": defined("pk", "sk"), "GlobalSecondaryIndexes": []},
            "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty",
        ),
        "empty local list": (
            {"AttributeDefinitions": defined("pk", "sk"), "LocalSecondaryIndexes": []},
            "One or more parameter values were invalid: List of LocalSecondaryIndexes is empty",
        ),
        "a definition no key uses": (
            {"AttributeDefinitions": defined("pk", "sk", "placed", "note"), "GlobalSecondaryIndexes": [by_placed]},
            "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
            "AttributeDefinitions: [pk, sk, placed, note], keys used: [pk, sk, placed]",
        ),
    }  # fmt: skip
    for case, (request, message) in cases.items():
        for url in (served, endpoint):
            if url == endpoint and case == "empty local list":
                continue  # DynamoDB Local creates this table
            client, name = client_for(url), f"lists-{uuid.uuid4().hex[:8]}"
            with pytest.raises(ClientError) as refusal:
                client.create_table(TableName=name, **table, **request)
            assert refusal.value.response["Error"]["Code"] == "ValidationException", case
            if url == served:
                assert refusal.value.response["Error"]["Message"] == message, case
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                client.describe_table(TableName=name)
