"""ReturnItemCollectionMetrics SIZE through boto3 at `ddbload serve`: on a table with a local secondary index a
PutItem, UpdateItem or DeleteItem answers the collection's partition key and a range of whole gigabytes around its
size; a table without one answers nothing; batch and transaction writes refuse SIZE rather than ignore it.

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


@pytest.mark.parametrize("method", ["batch_write_item", "transact_write_items"])
def test_batch_and_transaction_writes_refuse_size_rather_than_ignore_it(offline, local_credentials, method):
    client, table = client_for(offline), lsi_table_on(offline)
    item = {"pk": {"S": "customer-2"}, "sk": {"S": "order-1"}}
    params = (
        {"RequestItems": {table: [{"PutRequest": {"Item": item}}]}}
        if method == "batch_write_item"
        else {"TransactItems": [{"Put": {"TableName": table, "Item": item}}]}
    )
    with pytest.raises(ClientError) as refusal:
        getattr(client, method)(ReturnItemCollectionMetrics="SIZE", **params)
    assert refusal.value.response["Error"]["Code"] == "ValidationException"
    assert "ReturnItemCollectionMetrics SIZE" in refusal.value.response["Error"]["Message"]
    assert "Item" not in client.get_item(TableName=table, Key=item, ConsistentRead=True)
