//! Global secondary indexes through dispatch: maintained on every write (sparse, projected), queried
//! and scanned, charged per write as DynamoDB Local measures it, reported in ConsumedCapacity
//! INDEXES, and - the Prime Day trap - a provisioned GSI out of write capacity throttles the table.

mod common;

use common::Fixture;
use serde_json::{json, Value};

fn orders(f: &Fixture, gsi_units: Option<i64>) {
    let mut gsi = json!({"IndexName": "by-customer",
        "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "placed", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}});
    let mut body = json!({"TableName": "orders",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "customer", "AttributeType": "S"}, {"AttributeName": "placed", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]});
    match gsi_units {
        Some(n) => {
            gsi["ProvisionedThroughput"] = json!({"ReadCapacityUnits": n, "WriteCapacityUnits": n});
            body["ProvisionedThroughput"] =
                json!({"ReadCapacityUnits": 1000, "WriteCapacityUnits": 1000});
        }
        None => body["BillingMode"] = json!("PAY_PER_REQUEST"),
    }
    body["GlobalSecondaryIndexes"] = json!([gsi]);
    f.ok("CreateTable", body);
}

fn put(
    f: &Fixture,
    pk: &str,
    customer: Option<&str>,
    placed: i64,
) -> Result<Value, ddbload_emulator::error::ApiError> {
    let mut item = json!({"pk": {"S": pk}, "placed": {"N": placed.to_string()}, "total": {"N": "9.99"}, "note": {"S": "x"}});
    if let Some(c) = customer {
        item["customer"] = json!({"S": c});
    }
    f.call(
        "PutItem",
        json!({"TableName": "orders", "Item": item, "ReturnConsumedCapacity": "INDEXES"}),
    )
}

fn query(f: &Fixture, customer: &str) -> Value {
    f.ok("Query", json!({"TableName": "orders", "IndexName": "by-customer",
        "KeyConditionExpression": "customer = :c", "ExpressionAttributeValues": {":c": {"S": customer}},
        "ReturnConsumedCapacity": "INDEXES"}))
}

#[test]
fn writes_keep_the_index_and_queries_read_it_in_sort_order() {
    let f = Fixture::new();
    orders(&f, None);
    put(&f, "o3", Some("ann"), 30).unwrap();
    put(&f, "o1", Some("ann"), 10).unwrap();
    put(&f, "o2", Some("bob"), 20).unwrap();
    put(&f, "o4", None, 40).unwrap();
    let ann = query(&f, "ann");
    let placed: Vec<&str> = ann["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["placed"]["N"].as_str().unwrap())
        .collect();
    assert_eq!(placed, ["10", "30"]);
    // INCLUDE projection: keys plus `total`, not `note`.
    assert!(ann["Items"][0].get("note").is_none() && ann["Items"][0].get("total").is_some());
    assert_eq!(ann["ConsumedCapacity"]["Table"]["CapacityUnits"], 0.0);
    assert_eq!(
        ann["ConsumedCapacity"]["GlobalSecondaryIndexes"]["by-customer"]["CapacityUnits"],
        0.5
    );
    // Moving an order to another customer moves its entry; deleting it removes it.
    put(&f, "o1", Some("bob"), 10).unwrap();
    assert_eq!(query(&f, "ann")["Count"], 1);
    f.ok(
        "DeleteItem",
        json!({"TableName": "orders", "Key": {"pk": {"S": "o3"}}}),
    );
    assert_eq!(query(&f, "ann")["Count"], 0);
    assert_eq!(query(&f, "bob")["Count"], 2);
    let scanned = f.ok(
        "Scan",
        json!({"TableName": "orders", "IndexName": "by-customer"}),
    );
    assert_eq!(
        scanned["Count"], 2,
        "the order without a customer is not in the sparse index"
    );
    let strong = f.err("Query", json!({"TableName": "orders", "IndexName": "by-customer", "ConsistentRead": true,
        "KeyConditionExpression": "customer = :c", "ExpressionAttributeValues": {":c": {"S": "bob"}}}));
    assert_eq!(
        strong.message,
        "Consistent reads are not supported on global secondary indexes"
    );
    let described = f.ok("DescribeTable", json!({"TableName": "orders"}));
    assert_eq!(
        described["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"],
        2
    );
}

#[test]
fn index_writes_are_charged_like_dynamodb() {
    let f = Fixture::new();
    orders(&f, None);
    let units = |out: Value| {
        let cc = &out["ConsumedCapacity"];
        (
            cc["CapacityUnits"].as_f64().unwrap(),
            cc["GlobalSecondaryIndexes"]["by-customer"]["CapacityUnits"].as_f64(),
        )
    };
    assert_eq!(
        units(put(&f, "o1", Some("ann"), 1).unwrap()),
        (2.0, Some(1.0)),
        "new entry"
    );
    assert_eq!(
        units(put(&f, "o1", Some("ann"), 1).unwrap()),
        (1.0, None),
        "identical: the index is untouched"
    );
    assert_eq!(
        units(put(&f, "o1", Some("bob"), 1).unwrap()),
        (3.0, Some(2.0)),
        "key changed: delete + put"
    );
    assert_eq!(
        units(put(&f, "o2", None, 1).unwrap()),
        (1.0, None),
        "not in the sparse index"
    );
}

#[test]
fn an_under_provisioned_index_throttles_the_tables_writes() {
    let f = Fixture::new();
    orders(&f, Some(1));
    // The GSI has 1 WCU: 300 s of burst, then it refuses; the table itself has 1,000.
    let mut written = 0;
    let throttle = loop {
        match put(&f, &format!("o{written}"), Some("ann"), written) {
            Ok(_) => written += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(written, 300);
    assert_eq!(throttle.code(), "ProvisionedThroughputExceededException");
    let reason = &throttle.to_json()["ThrottlingReasons"][0];
    assert_eq!(reason["reason"], "IndexWriteProvisionedThroughputExceeded");
    assert!(reason["resource"]
        .as_str()
        .unwrap()
        .ends_with("/index/by-customer"));
    assert!(
        f.get("orders", "o300").is_none(),
        "the throttled write did not happen"
    );
    put(&f, "no-customer", None, 1).expect("writes that skip the index still go through");
}

#[test]
fn local_indexes_share_the_tables_partition_and_capacity() {
    let f = Fixture::new();
    f.ok("CreateTable", json!({"TableName": "carts", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "price", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "LocalSecondaryIndexes": [{"IndexName": "by-price", "Projection": {"ProjectionType": "KEYS_ONLY"},
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "price", "KeyType": "RANGE"}]}]}));
    for (sk, price) in [(1, "30"), (2, "10"), (3, "20")] {
        let out = f.ok(
            "PutItem",
            json!({"TableName": "carts", "ReturnConsumedCapacity": "INDEXES",
            "Item": {"pk": {"S": "c"}, "sk": {"N": sk.to_string()}, "price": {"N": price}}}),
        );
        assert_eq!(
            out["ConsumedCapacity"]["LocalSecondaryIndexes"]["by-price"]["CapacityUnits"],
            1.0
        );
    }
    let cheapest = f.ok("Query", json!({"TableName": "carts", "IndexName": "by-price", "ConsistentRead": true,
        "KeyConditionExpression": "pk = :c", "ExpressionAttributeValues": {":c": {"S": "c"}}, "Limit": 2}));
    let prices: Vec<&str> = cheapest["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["price"]["N"].as_str().unwrap())
        .collect();
    assert_eq!(prices, ["10", "20"]);
    assert!(
        cheapest["LastEvaluatedKey"].get("price").is_some()
            && cheapest["LastEvaluatedKey"].get("sk").is_some()
    );
    let no_sort = f.err("CreateTable", json!({"TableName": "bad", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "price", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "LocalSecondaryIndexes": [{"IndexName": "lsi", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "price", "KeyType": "RANGE"}]}]}));
    assert!(no_sort.message.contains("does not have a range key"));
}
