//! BatchGetItem and BatchWriteItem through dispatch: limits, validation, and unprocessed parts when
//! throttled.

mod common;

use common::Fixture;
use serde_json::json;

#[test]
fn batch_write_validates_before_writing_anything() {
    let f = Fixture::new();
    f.table("bat", None);
    let e = f.err("BatchWriteItem", json!({"RequestItems": {"bat": null}}));
    assert_eq!(
        e.message,
        "The batch write request list for a table cannot be null or empty: bat"
    );
    let puts: Vec<_> = (0..26)
        .map(|i| json!({"PutRequest": {"Item": {"pk": {"S": format!("k{i}")}}}}))
        .collect();
    let e = f.err("BatchWriteItem", json!({"RequestItems": {"bat": puts}}));
    assert!(
        e.message.starts_with("1 validation error detected: Value '{bat=[com.amazonaws.dynamodb.v20120810.WriteRequest@"),
        "{}",
        e.message
    );
    assert!(e.message.ends_with("]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"));
    // 25 for each of two tables: too many for one call.
    f.table("bat2", None);
    let e = f.err(
        "BatchWriteItem",
        json!({"RequestItems": {"bat": puts[..25], "bat2": puts[..25]}}),
    );
    assert_eq!(
        e.message,
        "Too many items requested for the BatchWriteItem call"
    );
    let bad = json!({"RequestItems": {"bat": [
        {"PutRequest": {"Item": {"pk": {"S": "ok"}}}}, {"PutRequest": {"Item": {"pk": {"N": "1"}}}}]}});
    assert_eq!(f.err("BatchWriteItem", bad).code(), "ValidationException");
    assert!(
        f.get("bat", "ok").is_none(),
        "nothing written when one request is invalid"
    );
    let dup = json!({"RequestItems": {"bat": [
        {"PutRequest": {"Item": {"pk": {"S": "d"}}}}, {"DeleteRequest": {"Key": {"pk": {"S": "d"}}}}]}});
    assert_eq!(
        f.err("BatchWriteItem", dup).message,
        "Provided list of item keys contains duplicates"
    );
}

#[test]
fn throttled_batch_parts_come_back_unprocessed() {
    let f = Fixture::new();
    f.table("tight", Some(1));
    // 300 s of burst at 1 WCU: 300 writes, then one a second.
    let puts = |from: usize| -> Vec<_> {
        (from..from + 25)
            .map(|i| json!({"PutRequest": {"Item": {"pk": {"S": format!("k{i}")}}}}))
            .collect()
    };
    for round in 0..11 {
        let out = f.ok(
            "BatchWriteItem",
            json!({"RequestItems": {"tight": puts(round * 25)}}),
        );
        assert_eq!(out["UnprocessedItems"], json!({}));
    }
    let fifteen: Vec<_> = puts(275).into_iter().take(15).collect();
    f.ok(
        "BatchWriteItem",
        json!({"RequestItems": {"tight": fifteen}}),
    );
    // 10 units of burst left: 10 of the next 25 go through, 15 come back.
    let out = f.ok(
        "BatchWriteItem",
        json!({"RequestItems": {"tight": puts(500)}, "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(
        out["UnprocessedItems"]["tight"].as_array().unwrap().len(),
        15
    );
    assert_eq!(out["ConsumedCapacity"][0]["CapacityUnits"], 10.0);
    let all_throttled = f.err(
        "BatchWriteItem",
        json!({"RequestItems": {"tight": puts(1000)}}),
    );
    assert_eq!(
        all_throttled.code(),
        "ProvisionedThroughputExceededException"
    );
}

#[test]
fn batch_get_limits_and_reads() {
    let f = Fixture::new();
    f.table("bat", None);
    for i in 0..3 {
        f.put(
            "bat",
            json!({"pk": {"S": format!("k{i}")}, "v": {"N": i.to_string()}}),
        );
    }
    let keys: Vec<_> = (0..101)
        .map(|i| json!({"pk": {"S": format!("k{i}")}}))
        .collect();
    let e = f.err(
        "BatchGetItem",
        json!({"RequestItems": {"bat": {"Keys": keys}}}),
    );
    assert_eq!(
        e.message,
        "1 validation error detected: Value at 'RequestItems.bat.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100"
    );
    let e = f.err(
        "BatchGetItem",
        json!({"RequestItems": {"bat": {"Keys": keys[..50]}, "bat2": {"Keys": keys[50..]}}}),
    );
    assert_eq!(
        e.message,
        "Too many items requested for the BatchGetItem call"
    );
    let out = f.ok("BatchGetItem", json!({"RequestItems": {"bat": {
        "Keys": [{"pk": {"S": "k0"}}, {"pk": {"S": "k2"}}, {"pk": {"S": "k9"}}], "ProjectionExpression": "v"}},
        "ReturnConsumedCapacity": "TOTAL"}));
    let mut found: Vec<_> = out["Responses"]["bat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["v"]["N"].clone())
        .collect();
    found.sort_by_key(|v| v.to_string());
    assert_eq!(found, [json!("0"), json!("2")]);
    assert_eq!(out["ConsumedCapacity"][0]["CapacityUnits"], 1.5);
}
