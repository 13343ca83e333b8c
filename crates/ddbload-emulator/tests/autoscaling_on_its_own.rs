//! Auto scaling acts on the endpoint's own clock, with no API call after the setup: the real HTTP
//! server on a simulated clock, a 5-RCU table read above its 70% target for two whole minutes,
//! and the table's RCU raised by the server's sweep alone.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::http::{body, Client};
use ddbload_emulator::clock::ManualClock;
use ddbload_emulator::Emulator;
use serde_json::{json, Value};

fn read_capacity(client: &mut Client) -> i64 {
    let described = body(
        &client
            .dynamodb("DescribeTable", &json!({"TableName": "Products"}))
            .unwrap(),
    );
    described["Table"]["ProvisionedThroughput"]["ReadCapacityUnits"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_target_tracking_policy_raises_capacity_by_itself_after_two_minutes_above_target() {
    let clock = Arc::new(ManualClock::default());
    let server = Emulator::start_with_clock("127.0.0.1", 0, 2, "us-east-1", clock.clone()).unwrap();
    let mut client = Client::new(&server.addr.to_string());
    let setup: [(&str, Value); 4] = [
        (
            "DynamoDB_20120810.CreateTable",
            json!({
                "TableName": "Products",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            }),
        ),
        (
            "DynamoDB_20120810.PutItem",
            json!({"TableName": "Products", "Item": {"id": {"S": "p1"}}}),
        ),
        (
            "AnyScaleFrontendService.RegisterScalableTarget",
            json!({
                "ServiceNamespace": "dynamodb", "ResourceId": "table/Products",
                "ScalableDimension": "dynamodb:table:ReadCapacityUnits", "MinCapacity": 5, "MaxCapacity": 400
            }),
        ),
        (
            "AnyScaleFrontendService.PutScalingPolicy",
            json!({
                "PolicyName": "reads70", "ServiceNamespace": "dynamodb", "ResourceId": "table/Products",
                "ScalableDimension": "dynamodb:table:ReadCapacityUnits", "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 70.0,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}
                }
            }),
        ),
    ];
    for (target, request) in setup {
        let answer = client.post(target, &request).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{target}: {answer}");
    }
    // Two whole minutes of 10 strongly consistent reads a second: 200% of 5 RCU (burst credit
    // serves what the table's rate does not).
    for _ in 0..120 {
        for _ in 0..10 {
            client
                .dynamodb(
                    "GetItem",
                    &json!({"TableName": "Products", "Key": {"id": {"S": "p1"}}, "ConsistentRead": true}),
                )
                .unwrap();
        }
        clock.advance(1.0);
    }
    assert_eq!(
        read_capacity(&mut client),
        5,
        "nothing scales before the sweep sees two whole minutes"
    );
    clock.advance(5.0);
    let waited = Instant::now();
    let mut units = read_capacity(&mut client);
    while units == 5 && waited.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
        units = read_capacity(&mut client);
    }
    // 600 units a minute consumed = 10 a second; at a 70% target: 10 / 0.7 -> 15.
    assert_eq!(units, 15, "read capacity after the sweep");
    let activities = body(
        &client
            .autoscaling(
                "DescribeScalingActivities",
                &json!({"ServiceNamespace": "dynamodb"}),
            )
            .unwrap(),
    );
    let descriptions: Vec<&str> = activities["ScalingActivities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["Description"].as_str())
        .collect();
    assert!(
        descriptions.contains(&"Setting read capacity units to 15."),
        "{descriptions:?}"
    );
}
