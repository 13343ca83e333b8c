"""ReturnItemCollectionMetrics SIZE through boto3 at `ddbload serve`: on a table with a local secondary index a
PutItem, UpdateItem or DeleteItem answers the collection's partition key and a range of whole gigabytes around its
size, BatchWriteItem and TransactWriteItems each collection they changed by table; a table without one answers
nothing.

DynamoDB Local is not the oracle here: it answers no ItemCollectionMetrics at all. DynamoDB's answer is documented
(API reference, ItemCollectionMetrics) and checked by a public conformance suite against DynamoDB itself.
"""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError
from conftest import client_for, pk_table_on


def lsi_table_on(url: str) -> str:
    name = f"collections-{uuid.uuid4().hex[:8]}"
    client_for(url).create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "placed")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{
            "IndexName": "by-placed", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "placed", "KeyType": "RANGE"}],
        }],
    )  # fmt: skip
    return name


def test_each_single_write_answers_its_item_collection(offline, local_credentials):
    client, table = client_for(offline), lsi_table_on(offline)
    collection = {"ItemCollectionKey": {"pk": {"S": "customer-1"}}, "SizeEstimateRangeGB": [0.0, 1.0]}
    order = {"pk": {"S": "customer-1"}, "sk": {"S": "order-1"}, "placed": {"S": "2026-11-27"}}
    answer = client.put_item(TableName=table, Item=order, ReturnItemCollectionMetrics="SIZE")
    assert answer["ItemCollectionMetrics"] == collection
    answer = client.update_item(
        TableName=table, Key={"pk": {"S": "customer-1"}, "sk": {"S": "order-2"}},
        UpdateExpression="SET order_total = :t", ExpressionAttributeValues={":t": {"N": "19.99"}},
        ReturnItemCollectionMetrics="SIZE", ReturnValues="ALL_NEW",
    )  # fmt: skip
    assert answer["ItemCollectionMetrics"] == collection
    assert answer["Attributes"]["order_total"] == {"N": "19.99"}
    answer = client.delete_item(TableName=table, Key={"pk": {"S": "customer-1"}, "sk": {"S": "order-1"}},
                                ReturnItemCollectionMetrics="SIZE")  # fmt: skip
    assert answer["ItemCollectionMetrics"] == collection
    # Not asked for (NONE, the default): not answered.
    assert "ItemCollectionMetrics" not in client.put_item(TableName=table, Item=order)
    assert "ItemCollectionMetrics" not in client.put_item(TableName=table, Item=order,
                                                          ReturnItemCollectionMetrics="NONE")  # fmt: skip
    # The writes happened as they would without the metrics.
    items = client.query(TableName=table, KeyConditionExpression="pk = :p", ConsistentRead=True,
                         ExpressionAttributeValues={":p": {"S": "customer-1"}})["Items"]  # fmt: skip
    assert sorted(item["sk"]["S"] for item in items) == ["order-1", "order-2"]


def test_a_table_without_a_local_index_answers_no_metrics(offline, local_credentials):
    client, table = client_for(offline), pk_table_on(offline, "no-collections")
    answer = client.put_item(TableName=table, Item={"pk": {"S": "a"}}, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in answer
    assert client.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def test_batch_and_transaction_writes_answer_each_collection_they_change_by_table(offline, local_credentials):
    client, table, plain = client_for(offline), lsi_table_on(offline), pk_table_on(offline, "no-collections")

    def collection(customer: str) -> dict:
        return {"ItemCollectionKey": {"pk": {"S": customer}}, "SizeEstimateRangeGB": [0.0, 1.0]}

    def order(customer: str, n: int) -> dict:
        return {"pk": {"S": customer}, "sk": {"S": f"order-{n}"}}

    puts = [{"PutRequest": {"Item": order(c, n)}} for c, n in (("customer-2", 1), ("customer-2", 2), ("customer-3", 1))]
    answer = client.batch_write_item(
        RequestItems={table: puts, plain: [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]},
        ReturnItemCollectionMetrics="SIZE",
    )
    # One entry per collection changed, none for the table without a local index.
    assert answer["ItemCollectionMetrics"] == {table: [collection("customer-2"), collection("customer-3")]}
    assert len(client.scan(TableName=table)["Items"]) == 3
    answer = client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": order("customer-4", 1)}},
            {"ConditionCheck": {"TableName": table, "Key": order("customer-2", 1),
                                "ConditionExpression": "attribute_exists(pk)"}},
        ],
        ReturnItemCollectionMetrics="SIZE",
    )  # fmt: skip
    assert answer["ItemCollectionMetrics"] == {table: [collection("customer-4")]}
    assert "ItemCollectionMetrics" not in client.batch_write_item(RequestItems={table: puts[:1]})


@pytest.mark.parametrize("method", ["batch_write_item", "transact_write_items"])
def test_a_value_other_than_size_or_none_is_refused_and_nothing_written(offline, local_credentials, method):
    client, table = client_for(offline), lsi_table_on(offline)
    item = {"pk": {"S": "customer-5"}, "sk": {"S": "order-1"}}
    params = (
        {"RequestItems": {table: [{"PutRequest": {"Item": item}}]}}
        if method == "batch_write_item"
        else {"TransactItems": [{"Put": {"TableName": table, "Item": item}}]}
    )
    with pytest.raises(ClientError) as refusal:
        getattr(client, method)(ReturnItemCollectionMetrics="ALL", **params)
    assert refusal.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'ALL' at 'returnItemCollectionMetrics' failed to satisfy constraint: "
        "Member must satisfy enum value set: [SIZE, NONE]"
    )
    assert "Item" not in client.get_item(TableName=table, Key=item, ConsistentRead=True)
