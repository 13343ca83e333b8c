//! DynamoDB Streams over HTTP on a simulated clock: records in order with the images asked for, a
//! shard iterator unused for 15 minutes expires, and records older than 24 hours are trimmed - a read
//! before the oldest kept record is TrimmedDataAccessException, as DynamoDB answers.

mod common;

use std::sync::Arc;

use common::http::{body, Client};
use ddbload_emulator::clock::ManualClock;
use ddbload_emulator::Emulator;
use serde_json::{json, Value};

fn call(client: &mut Client, target: &str, request: Value) -> (bool, Value) {
    let answer = client.post(target, &request).unwrap();
    (answer.starts_with("HTTP/1.1 200"), body(&answer))
}

fn ok(client: &mut Client, target: &str, request: Value) -> Value {
    let (ok, answer) = call(client, target, request);
    assert!(ok, "{target}: {answer}");
    answer
}

fn error_type(client: &mut Client, target: &str, request: Value) -> String {
    let (ok, answer) = call(client, target, request);
    assert!(!ok, "{target} succeeded: {answer}");
    answer["__type"]
        .as_str()
        .unwrap()
        .rsplit('#')
        .next()
        .unwrap()
        .to_owned()
}

fn put(client: &mut Client, pk: &str, v: i64) {
    ok(
        client,
        "DynamoDB_20120810.PutItem",
        json!({"TableName": "Orders", "Item": {"pk": {"S": pk}, "v": {"N": v.to_string()}}}),
    );
}

fn iterator(
    client: &mut Client,
    stream: &str,
    shard: &str,
    kind: &str,
    sequence: Option<&str>,
) -> Value {
    let mut request = json!({"StreamArn": stream, "ShardId": shard, "ShardIteratorType": kind});
    if let Some(sequence) = sequence {
        request["SequenceNumber"] = json!(sequence);
    }
    let (_, answer) = call(client, "DynamoDBStreams_20120810.GetShardIterator", request);
    answer
}

/// A server on a simulated clock with table Orders streaming `view`: the clock, server, client, stream ARN.
fn orders_with_stream(view: &str) -> (Arc<ManualClock>, Emulator, Client, String) {
    let clock = Arc::new(ManualClock::default());
    let server = Emulator::start_with_clock("127.0.0.1", 0, 2, "us-east-1", clock.clone()).unwrap();
    let mut client = Client::new(&server.addr.to_string());
    let created = ok(
        &mut client,
        "DynamoDB_20120810.CreateTable",
        json!({
            "TableName": "Orders", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": view}
        }),
    );
    let stream = created["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_owned();
    (clock, server, client, stream)
}

#[test]
fn records_are_kept_24_hours_and_iterators_15_minutes() {
    let (clock, _server, mut client, stream) = orders_with_stream("NEW_AND_OLD_IMAGES");
    put(&mut client, "old", 1);
    let described = ok(
        &mut client,
        "DynamoDBStreams_20120810.DescribeStream",
        json!({"StreamArn": stream}),
    );
    let shard = described["StreamDescription"]["Shards"][0]["ShardId"]
        .as_str()
        .unwrap()
        .to_owned();
    let first =
        iterator(&mut client, &stream, &shard, "TRIM_HORIZON", None)["ShardIterator"].clone();

    // 15 minutes and a second later the iterator has expired; a new one reads the record.
    clock.advance(15.0 * 60.0 + 1.0);
    let expired = json!({"ShardIterator": first});
    assert_eq!(
        error_type(&mut client, "DynamoDBStreams_20120810.GetRecords", expired),
        "ExpiredIteratorException"
    );
    let fresh =
        iterator(&mut client, &stream, &shard, "TRIM_HORIZON", None)["ShardIterator"].clone();
    let read = ok(
        &mut client,
        "DynamoDBStreams_20120810.GetRecords",
        json!({"ShardIterator": fresh}),
    );
    let old_sequence = read["Records"][0]["dynamodb"]["SequenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        read["Records"][0]["dynamodb"]["NewImage"]["pk"],
        json!({"S": "old"})
    );

    // A day later the first record is trimmed: reading at it is refused, the horizon has moved on.
    clock.advance(24.0 * 3600.0);
    put(&mut client, "new", 2);
    let at_old = iterator(
        &mut client,
        &stream,
        &shard,
        "AT_SEQUENCE_NUMBER",
        Some(&old_sequence),
    );
    assert_eq!(
        at_old["__type"].as_str().unwrap().rsplit('#').next(),
        Some("TrimmedDataAccessException")
    );
    let kept =
        iterator(&mut client, &stream, &shard, "TRIM_HORIZON", None)["ShardIterator"].clone();
    let read = ok(
        &mut client,
        "DynamoDBStreams_20120810.GetRecords",
        json!({"ShardIterator": kept}),
    );
    let keys: Vec<&Value> = read["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["dynamodb"]["Keys"]["pk"])
        .collect();
    assert_eq!(keys, [&json!({"S": "new"})]);
}

#[test]
fn an_item_time_to_live_deletes_is_a_remove_record_by_dynamodb_itself() {
    let (clock, _server, mut client, stream) = orders_with_stream("OLD_IMAGE");
    ok(
        &mut client,
        "DynamoDB_20120810.UpdateTimeToLive",
        json!({"TableName": "Orders", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires_at"}}),
    );
    // A minute ago (TTL ignores times more than five years past).
    let expired_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 60;
    let item = json!({"TableName": "Orders", "Item": {"pk": {"S": "gone"}, "expires_at": {"N": expired_at.to_string()}}});
    ok(&mut client, "DynamoDB_20120810.PutItem", item);
    ok(
        &mut client,
        "DynamoDB_20120810.DeleteItem",
        json!({"TableName": "Orders", "Key": {"pk": {"S": "none"}}}),
    );
    clock.advance(10.0);
    let shard = ok(
        &mut client,
        "DynamoDBStreams_20120810.DescribeStream",
        json!({"StreamArn": stream}),
    )["StreamDescription"]["Shards"][0]["ShardId"]
        .as_str()
        .unwrap()
        .to_owned();
    let waited = std::time::Instant::now();
    loop {
        let start =
            iterator(&mut client, &stream, &shard, "TRIM_HORIZON", None)["ShardIterator"].clone();
        let read = ok(
            &mut client,
            "DynamoDBStreams_20120810.GetRecords",
            json!({"ShardIterator": start}),
        );
        let records = read["Records"].as_array().unwrap();
        if records.len() == 2 {
            assert_eq!(records[0]["eventName"], "INSERT");
            assert!(records[0].get("userIdentity").is_none());
            assert_eq!(records[1]["eventName"], "REMOVE");
            assert_eq!(
                records[1]["dynamodb"]["OldImage"]["pk"],
                json!({"S": "gone"})
            );
            assert_eq!(
                records[1]["userIdentity"],
                json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"})
            );
            break;
        }
        assert!(
            waited.elapsed().as_secs() < 5,
            "no REMOVE record after the sweep: {read}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_deleted_tables_stream_is_disabled_and_readable_for_24_hours() {
    // DeleteTable's documentation: "the corresponding stream on that table goes into the DISABLED
    // state, and the stream is automatically deleted after 24 hours" - a consumer still drains it.
    let (clock, _server, mut client, stream) = orders_with_stream("NEW_IMAGE");
    put(&mut client, "last", 1);
    ok(
        &mut client,
        "DynamoDB_20120810.DeleteTable",
        json!({"TableName": "Orders"}),
    );
    let described = ok(
        &mut client,
        "DynamoDBStreams_20120810.DescribeStream",
        json!({"StreamArn": stream}),
    );
    let description = &described["StreamDescription"];
    assert_eq!(description["StreamStatus"], "DISABLED");
    let shard = description["Shards"][0]["ShardId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(description["Shards"][0]["SequenceNumberRange"]["EndingSequenceNumber"].is_string());
    let listed = ok(
        &mut client,
        "DynamoDBStreams_20120810.ListStreams",
        json!({"TableName": "Orders"}),
    );
    assert_eq!(
        listed["Streams"],
        json!([{"StreamArn": stream, "TableName": "Orders", "StreamLabel": stream.rsplit('/').next()}])
    );
    let from =
        iterator(&mut client, &stream, &shard, "TRIM_HORIZON", None)["ShardIterator"].clone();
    let read = ok(
        &mut client,
        "DynamoDBStreams_20120810.GetRecords",
        json!({"ShardIterator": from}),
    );
    assert_eq!(
        read["Records"][0]["dynamodb"]["NewImage"]["pk"],
        json!({"S": "last"})
    );

    clock.advance(24.0 * 3600.0 + 1.0);
    assert_eq!(
        error_type(
            &mut client,
            "DynamoDBStreams_20120810.DescribeStream",
            json!({"StreamArn": stream})
        ),
        "ResourceNotFoundException"
    );
    let listed = ok(
        &mut client,
        "DynamoDBStreams_20120810.ListStreams",
        json!({}),
    );
    assert_eq!(listed["Streams"], json!([]));
}

#[test]
fn a_table_deleting_lists_its_stream_once() {
    let (_clock, server, mut client, stream) = orders_with_stream("KEYS_ONLY");
    server.store.set_delete_table_ms(60_000);
    let deleted = ok(
        &mut client,
        "DynamoDB_20120810.DeleteTable",
        json!({"TableName": "Orders"}),
    );
    assert_eq!(deleted["TableDescription"]["TableStatus"], "DELETING");
    let listed = ok(
        &mut client,
        "DynamoDBStreams_20120810.ListStreams",
        json!({}),
    );
    let arns: Vec<&Value> = listed["Streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["StreamArn"])
        .collect();
    assert_eq!(arns, [&json!(stream)]);
}
