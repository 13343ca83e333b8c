//! The endpoint cannot hang: throttled writes (table and index), UpdateTable and Application Auto
//! Scaling calls from many clients at once, over HTTP on 4 server threads, for 20 seconds. Every
//! request must be answered within 5 seconds (the socket's read timeout is the watchdog).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

use common::http::Client;
use ddbload_emulator::Emulator;
use serde_json::json;

const RUN_FOR: Duration = Duration::from_secs(20);

#[test]
fn throttled_writes_and_capacity_changes_never_hang_the_endpoint() {
    let server = Emulator::start("127.0.0.1", 0, 4, "us-east-1").unwrap();
    let addr = server.addr.to_string();
    let created = Client::new(&addr)
        .dynamodb(
            "CreateTable",
            &json!({
                "TableName": "Orders",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [
                    {"AttributeName": "id", "AttributeType": "S"},
                    {"AttributeName": "status", "AttributeType": "S"}
                ],
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                "GlobalSecondaryIndexes": [{
                    "IndexName": "by_status",
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
                }]
            }),
        )
        .unwrap();
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");

    let answered = Arc::new(AtomicU64::new(0));
    let throttled = Arc::new(AtomicU64::new(0));
    let stop_at = Instant::now() + RUN_FOR;
    let mut clients = Vec::new();
    for client in 0..8u64 {
        let (addr, answered, throttled) = (addr.clone(), answered.clone(), throttled.clone());
        clients.push(std::thread::spawn(move || -> Result<(), String> {
            let mut n = 0u64;
            let mut connection = Client::new(&addr);
            while Instant::now() < stop_at {
                n += 1;
                // 8 KB items: 8 write units each, so the table (not only its index) throttles.
                let item = json!({
                    "id": {"S": format!("{client}-{n}")}, "status": {"S": "NEW"}, "note": {"S": "x".repeat(8000)}
                });
                let answer = connection
                    .dynamodb("PutItem", &json!({"TableName": "Orders", "Item": item}))?;
                if answer.contains("ThrottlingReasons") {
                    throttled.fetch_add(1, Ordering::Relaxed);
                }
                answered.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    for client in 0..4u64 {
        let (addr, answered) = (addr.clone(), answered.clone());
        clients.push(std::thread::spawn(move || -> Result<(), String> {
            let mut n = 0i64;
            let mut connection = Client::new(&addr);
            while Instant::now() < stop_at {
                n += 1;
                let units = 1 + (n % 3);
                let answer = if client % 2 == 0 {
                    connection.dynamodb(
                        "UpdateTable",
                        &json!({
                            "TableName": "Orders",
                            "ProvisionedThroughput": {"ReadCapacityUnits": units, "WriteCapacityUnits": units},
                            "GlobalSecondaryIndexUpdates": [{"Update": {
                                "IndexName": "by_status",
                                "ProvisionedThroughput": {"ReadCapacityUnits": units, "WriteCapacityUnits": units}
                            }}]
                        }),
                    )?
                } else {
                    let resource = if n % 2 == 0 {
                        "table/Orders"
                    } else {
                        "table/Orders/index/by_status"
                    };
                    let dimension = if n % 2 == 0 {
                        "dynamodb:table:WriteCapacityUnits"
                    } else {
                        "dynamodb:index:WriteCapacityUnits"
                    };
                    connection.autoscaling(
                        "RegisterScalableTarget",
                        &json!({
                            "ServiceNamespace": "dynamodb", "ResourceId": resource,
                            "ScalableDimension": dimension, "MinCapacity": units, "MaxCapacity": 5
                        }),
                    )?
                };
                assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
                answered.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    let failures: Vec<String> = clients
        .into_iter()
        .filter_map(|c| c.join().unwrap().err())
        .collect();
    assert!(
        failures.is_empty(),
        "requests went unanswered: {failures:?}"
    );
    let listed = Client::new(&addr)
        .dynamodb("ListTables", &json!({}))
        .unwrap();
    assert!(listed.contains("Orders"), "{listed}");
    assert!(
        throttled.load(Ordering::Relaxed) > 0,
        "the writes were meant to be throttled: {} answered",
        answered.load(Ordering::Relaxed)
    );
}
