//! `serve --data-dir`: tables and their items outlive the server. A server on a directory is
//! stopped and another started on it; what a client reads from the second is what it wrote to the
//! first (items, indexes built before and after, TTL and tags, deleted tables gone).

mod common;

use common::http::{body, Client};
use ddbload_emulator::Emulator;
use serde_json::{json, Value};

fn start(dir: &std::path::Path) -> Emulator {
    let server = Emulator::start_on_disk("127.0.0.1", 0, 2, "us-east-1", dir).unwrap();
    assert!(server.warnings.is_empty(), "{:?}", server.warnings);
    server
}

fn ok(client: &mut Client, operation: &str, request: Value) -> Value {
    let answer = client.dynamodb(operation, &request).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{operation}: {answer}");
    body(&answer)
}

fn orders_table() -> Value {
    json!({
        "TableName": "orders",
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "customer", "AttributeType": "S"}
        ],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "by-customer",
            "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}
        }]
    })
}

fn order(pk: &str, sk: i64, customer: &str) -> Value {
    json!({"pk": {"S": pk}, "sk": {"N": sk.to_string()}, "customer": {"S": customer},
           "total": {"N": "19.99"}})
}

fn query_count(client: &mut Client, request: Value) -> u64 {
    ok(client, "Query", request)["Count"].as_u64().unwrap()
}

#[test]
fn tables_and_items_are_back_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("ddbload-data-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let server = start(&dir);
        let mut client = Client::new(&server.addr.to_string());
        ok(&mut client, "CreateTable", orders_table());
        for sk in 0..300 {
            let customer = if sk % 3 == 0 { "alice" } else { "bob" };
            ok(
                &mut client,
                "PutItem",
                json!({"TableName": "orders", "Item": order("o", sk, customer)}),
            );
        }
        ok(
            &mut client,
            "DeleteItem",
            json!({"TableName": "orders",
            "Key": {"pk": {"S": "o"}, "sk": {"N": "0"}}}),
        );
        ok(
            &mut client,
            "UpdateItem",
            json!({"TableName": "orders",
            "Key": {"pk": {"S": "o"}, "sk": {"N": "3"}},
            "UpdateExpression": "SET customer = :c", "ExpressionAttributeValues": {":c": {"S": "carol"}}}),
        );
        ok(
            &mut client,
            "UpdateTimeToLive",
            json!({"TableName": "orders",
            "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}),
        );
        ok(
            &mut client,
            "TagResource",
            json!({
            "ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/orders",
            "Tags": [{"Key": "team", "Value": "checkout"}]}),
        );
        // A table deleted, then one of the same name created: only the second's items come back.
        let scratch = json!({"TableName": "scratch", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]});
        ok(&mut client, "CreateTable", scratch.clone());
        ok(
            &mut client,
            "PutItem",
            json!({"TableName": "scratch", "Item": {"pk": {"S": "old"}}}),
        );
        ok(&mut client, "DeleteTable", json!({"TableName": "scratch"}));
        ok(&mut client, "CreateTable", scratch);
        ok(
            &mut client,
            "PutItem",
            json!({"TableName": "scratch", "Item": {"pk": {"S": "new"}}}),
        );
    }
    let server = start(&dir);
    let mut client = Client::new(&server.addr.to_string());
    let tables = ok(&mut client, "ListTables", json!({}));
    assert_eq!(tables["TableNames"], json!(["orders", "scratch"]));
    let described =
        ok(&mut client, "DescribeTable", json!({"TableName": "orders"}))["Table"].clone();
    assert_eq!(described["ItemCount"], json!(299));
    assert_eq!(
        described["GlobalSecondaryIndexes"][0]["IndexName"],
        json!("by-customer")
    );
    let item = ok(
        &mut client,
        "GetItem",
        json!({"TableName": "orders",
        "Key": {"pk": {"S": "o"}, "sk": {"N": "42"}}}),
    );
    assert_eq!(item["Item"], order("o", 42, "alice"));
    let gone = ok(
        &mut client,
        "GetItem",
        json!({"TableName": "orders",
        "Key": {"pk": {"S": "o"}, "sk": {"N": "0"}}}),
    );
    assert_eq!(gone.get("Item"), None);
    // Sort order by number, not by the bytes: 2 comes before 10.
    let first = ok(
        &mut client,
        "Query",
        json!({"TableName": "orders", "Limit": 2,
        "KeyConditionExpression": "pk = :o", "ExpressionAttributeValues": {":o": {"S": "o"}}}),
    );
    assert_eq!(first["Items"][0]["sk"], json!({"N": "1"}));
    assert_eq!(first["Items"][1]["sk"], json!({"N": "2"}));
    let by = |customer: &str| {
        json!({"TableName": "orders", "IndexName": "by-customer",
        "KeyConditionExpression": "customer = :c", "ExpressionAttributeValues": {":c": {"S": customer}}})
    };
    assert_eq!(query_count(&mut client, by("alice")), 98);
    assert_eq!(query_count(&mut client, by("carol")), 1);
    assert_eq!(query_count(&mut client, by("bob")), 200);
    let ttl = ok(
        &mut client,
        "DescribeTimeToLive",
        json!({"TableName": "orders"}),
    );
    assert_eq!(
        ttl["TimeToLiveDescription"]["AttributeName"],
        json!("expires")
    );
    let tags = ok(
        &mut client,
        "ListTagsOfResource",
        json!({
        "ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/orders"}),
    );
    assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "checkout"}]));
    let scratch = ok(&mut client, "Scan", json!({"TableName": "scratch"}));
    assert_eq!(scratch["Items"], json!([{"pk": {"S": "new"}}]));
    // An index created on a table that already holds items backfills from disk, and is there
    // again after the next restart.
    ok(
        &mut client,
        "UpdateTable",
        json!({"TableName": "orders",
        "AttributeDefinitions": [{"AttributeName": "total", "AttributeType": "N"}],
        "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by-total",
            "KeySchema": [{"AttributeName": "total", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}),
    );
    // Stopping (here, dropping) the server closes the data file even while the backfill runs.
    drop(server);
    let server = start(&dir);
    let mut client = Client::new(&server.addr.to_string());
    let by_total = json!({"TableName": "orders", "IndexName": "by-total",
        "KeyConditionExpression": "#t = :t", "ExpressionAttributeNames": {"#t": "total"},
        "ExpressionAttributeValues": {":t": {"N": "19.99"}}});
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while client
        .dynamodb("Query", &by_total)
        .unwrap()
        .contains("ValidationException")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "by-total never became queryable"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut counted = 0;
    while counted != 299 && std::time::Instant::now() < deadline {
        counted = query_count(&mut client, by_total.clone());
    }
    assert_eq!(counted, 299);
    // Replayed, deleting an index waits for the index created before it to be ACTIVE, as it did.
    ok(
        &mut client,
        "UpdateTable",
        json!({"TableName": "orders",
        "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by-customer"}}]}),
    );
    // Writes held in memory over items on disk: a deletion hides one, a new item joins in order.
    let key = |sk: i64| json!({"pk": {"S": "o"}, "sk": {"N": sk.to_string()}});
    ok(
        &mut client,
        "DeleteItem",
        json!({"TableName": "orders", "Key": key(1)}),
    );
    ok(
        &mut client,
        "PutItem",
        json!({"TableName": "orders", "Item": order("o", 1000, "bob")}),
    );
    let sort_keys = |client: &mut Client| -> Vec<Value> {
        let all = json!({"TableName": "orders", "KeyConditionExpression": "pk = :o",
            "ExpressionAttributeValues": {":o": {"S": "o"}}});
        let items = ok(client, "Query", all)["Items"]
            .as_array()
            .unwrap()
            .clone();
        items.iter().map(|item| item["sk"]["N"].clone()).collect()
    };
    let expected: Vec<Value> = (2..300)
        .chain([1000])
        .map(|n| json!(n.to_string()))
        .collect();
    assert_eq!(sort_keys(&mut client), expected);
    drop(server);
    let server = start(&dir);
    let mut client = Client::new(&server.addr.to_string());
    let refused = client.dynamodb("Query", &by("alice")).unwrap();
    assert!(refused.contains("ValidationException"), "{refused}");
    assert_eq!(query_count(&mut client, by_total), 299);
    assert_eq!(sort_keys(&mut client), expected);
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_is_not_a_data_dir_and_two_servers_do_not_share_one() {
    let base =
        std::env::temp_dir().join(format!("ddbload-data-dir-refusals-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let file = base.join("not-a-dir");
    std::fs::write(&file, "mine").unwrap();
    let error = Emulator::start_on_disk("127.0.0.1", 0, 1, "us-east-1", &file)
        .err()
        .unwrap();
    assert!(error.to_string().contains("is not a directory"), "{error}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    let dir = base.join("data");
    let _first = start(&dir);
    let error = Emulator::start_on_disk("127.0.0.1", 0, 1, "us-east-1", &dir)
        .err()
        .unwrap();
    assert!(error.to_string().contains("cannot open"), "{error}");
    drop(_first);
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn a_data_dir_keeps_its_region_and_replays_without_the_limits_on_how_often() {
    let dir = std::env::temp_dir().join(format!("ddbload-data-dir-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let units = |n: i64| json!({"ReadCapacityUnits": n, "WriteCapacityUnits": n});
    {
        let server = start(&dir);
        let mut client = Client::new(&server.addr.to_string());
        ok(
            &mut client,
            "CreateTable",
            json!({"TableName": "carts", "ProvisionedThroughput": units(100),
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
        );
        // Four decreases at once are what a day allows; the fifth is refused.
        for n in [90, 80, 70, 60] {
            ok(
                &mut client,
                "UpdateTable",
                json!({"TableName": "carts", "ProvisionedThroughput": units(n)}),
            );
        }
        let refused = client
            .dynamodb(
                "UpdateTable",
                &json!({"TableName": "carts", "ProvisionedThroughput": units(50)}),
            )
            .unwrap();
        assert!(refused.contains("LimitExceededException"), "{refused}");
    }
    let error = Emulator::start_on_disk("127.0.0.1", 0, 1, "eu-west-1", &dir)
        .err()
        .unwrap();
    assert!(
        error
            .to_string()
            .contains("holds tables of region us-east-1, not eu-west-1"),
        "{error}"
    );
    // Replayed, the decreases are done again without being counted: the table is at 60, and the
    // day's count starts again.
    let server = start(&dir);
    let mut client = Client::new(&server.addr.to_string());
    let described = ok(&mut client, "DescribeTable", json!({"TableName": "carts"}));
    assert_eq!(
        described["Table"]["ProvisionedThroughput"]["ReadCapacityUnits"],
        json!(60)
    );
    ok(
        &mut client,
        "UpdateTable",
        json!({"TableName": "carts", "ProvisionedThroughput": units(50)}),
    );
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}
