//! Time to Live, tags and DescribeLimits through dispatch.

mod common;

use common::Fixture;
use ddbload_emulator::table::TTL_ITEMS_PER_SWEEP;
use serde_json::json;

#[test]
fn ttl_is_switched_like_dynamodb_and_expires_items_without_capacity() {
    let f = Fixture::new();
    f.table("ttl", Some(1));
    let spec = |enabled: bool, attr: &str| {
        json!({"TableName": "ttl",
        "TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attr}})
    };
    assert_eq!(
        f.ok("DescribeTimeToLive", json!({"TableName": "ttl"}))["TimeToLiveDescription"]
            ["TimeToLiveStatus"],
        "DISABLED"
    );
    f.ok("UpdateTimeToLive", spec(true, "expires_at"));
    assert_eq!(
        f.err("UpdateTimeToLive", spec(true, "expires_at")).message,
        "TimeToLive is already enabled"
    );
    assert_eq!(
        f.err("UpdateTimeToLive", spec(true, "other")).message,
        "TimeToLive is active on a different AttributeName"
    );
    let described = f.ok("DescribeTimeToLive", json!({"TableName": "ttl"}));
    assert_eq!(
        described["TimeToLiveDescription"],
        json!({"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"})
    );
    let now = 1_800_000_000.0;
    f.put(
        "ttl",
        json!({"pk": {"S": "old"}, "expires_at": {"N": "1799999999"}}),
    );
    f.put(
        "ttl",
        json!({"pk": {"S": "new"}, "expires_at": {"N": "1800000100"}}),
    );
    f.put(
        "ttl",
        json!({"pk": {"S": "text"}, "expires_at": {"S": "1799999999"}}),
    );
    f.put(
        "ttl",
        json!({"pk": {"S": "ancient"}, "expires_at": {"N": "1"}}),
    );
    // The endpoint's clock drives expiry: move it to `now`.
    f.clock.advance(now - f.store.epoch());
    assert_eq!(f.store.tick(), 1);
    assert!(f.get("ttl", "old").is_none());
    for kept in ["new", "text", "ancient"] {
        assert!(f.get("ttl", kept).is_some(), "{kept}");
    }
    f.ok("UpdateTimeToLive", spec(false, "expires_at"));
    assert_eq!(
        f.err("UpdateTimeToLive", spec(false, "expires_at")).message,
        "TimeToLive is already disabled"
    );
}

#[test]
fn a_large_tables_expired_items_go_over_several_sweeps() {
    let f = Fixture::new();
    f.table("big", Some(40_000));
    f.ok(
        "UpdateTimeToLive",
        json!({"TableName": "big",
        "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires_at"}}),
    );
    let items = 2 * TTL_ITEMS_PER_SWEEP + 1_000;
    for i in 0..items {
        f.put(
            "big",
            json!({"pk": {"S": format!("k{i}")}, "expires_at": {"N": "1799999999"}}),
        );
    }
    f.clock.advance(1_800_000_000.0 - f.store.epoch());
    // A sweep reads whole shards until it has read its share: some of the table, not all of it.
    let first = f.store.tick();
    assert!(
        (TTL_ITEMS_PER_SWEEP..items).contains(&first),
        "{first} of {items}"
    );
    let (mut deleted, mut sweeps) = (first, 1);
    while deleted < items && sweeps < 5 {
        deleted += f.store.tick();
        sweeps += 1;
    }
    assert_eq!(deleted, items);
    assert!((2..=3).contains(&sweeps), "{sweeps} sweeps");
    let described = f.ok("DescribeTable", json!({"TableName": "big"}));
    assert_eq!(described["Table"]["ItemCount"], json!(0));
}

#[test]
fn tags_and_limits() {
    let f = Fixture::new();
    f.table("tagged", None);
    let arn = f.ok("DescribeTable", json!({"TableName": "tagged"}))["Table"]["TableArn"].clone();
    f.ok("TagResource", json!({"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "shop"}, {"Key": "env", "Value": "rehearsal"}]}));
    f.ok(
        "UntagResource",
        json!({"ResourceArn": arn, "TagKeys": ["env"]}),
    );
    let tags = f.ok("ListTagsOfResource", json!({"ResourceArn": arn}));
    assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "shop"}]));
    let missing = f.err(
        "ListTagsOfResource",
        json!({"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/nope"}),
    );
    assert_eq!(missing.code(), "ResourceNotFoundException");
    let limits = f.ok("DescribeLimits", json!({}));
    assert_eq!(limits["TableMaxWriteCapacityUnits"], 40000);
    assert_eq!(limits["AccountMaxReadCapacityUnits"], 80000);
}
