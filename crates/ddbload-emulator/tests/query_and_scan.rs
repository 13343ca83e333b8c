//! Query and Scan through dispatch: key conditions, order and pages; Scan's stable hash order and
//! parallel segments.

mod common;

use std::collections::BTreeSet;

use common::Fixture;
use serde_json::{json, Value};

fn filled(f: &Fixture) {
    f.ranged("rng");
    for pk in ["a", "b"] {
        for sk in 1..=5 {
            f.put("rng", json!({"pk": {"S": pk}, "sk": {"N": sk.to_string()}}));
        }
    }
}

fn sks(out: &Value) -> Vec<String> {
    out["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sk"]["N"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn query_follows_the_sort_key_both_ways_and_pages() {
    let f = Fixture::new();
    filled(&f);
    let q = |extra: Value| {
        let mut body = json!({"TableName": "rng", "KeyConditionExpression": "pk = :p AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {":p": {"S": "a"}, ":lo": {"N": "2"}, ":hi": {"N": "4"}}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        f.ok("Query", body)
    };
    assert_eq!(sks(&q(json!({}))), ["2", "3", "4"]);
    assert_eq!(sks(&q(json!({"ScanIndexForward": false}))), ["4", "3", "2"]);
    let first = q(json!({"Limit": 2}));
    assert_eq!(sks(&first), ["2", "3"]);
    let next = q(json!({"Limit": 2, "ExclusiveStartKey": first["LastEvaluatedKey"]}));
    assert_eq!(sks(&next), ["4"]);
    let counted = q(json!({"Select": "COUNT"}));
    assert_eq!(
        (counted["Count"].clone(), counted.get("Items")),
        (json!(3), None)
    );
    let index = f.err(
        "Query",
        json!({"TableName": "rng", "IndexName": "gsi", "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "a"}}}),
    );
    assert_eq!(index.code(), "ResourceNotFoundException");
}

#[test]
fn scan_order_is_stable_and_segments_split_the_table() {
    let f = Fixture::new();
    f.table("scn", None);
    for i in 0..200 {
        f.put("scn", json!({"pk": {"S": format!("key-{i}")}}));
    }
    let keys = |out: &Value| -> Vec<String> {
        out["Items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["pk"]["S"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut paged = Vec::new();
    let mut start = None;
    loop {
        let mut body = json!({"TableName": "scn", "Limit": 33});
        if let Some(key) = start.take() {
            body["ExclusiveStartKey"] = key;
        }
        let out = f.ok("Scan", body);
        paged.extend(keys(&out));
        match out.get("LastEvaluatedKey") {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
    }
    let whole = keys(&f.ok("Scan", json!({"TableName": "scn"})));
    assert_eq!(paged, whole, "pages follow one stable order");
    assert_eq!(whole.iter().collect::<BTreeSet<_>>().len(), 200);
    let mut sorted = whole.clone();
    sorted.sort();
    assert_ne!(whole, sorted, "hash order, not key order");
    let mut segments = BTreeSet::new();
    for segment in 0..4 {
        let part = keys(&f.ok(
            "Scan",
            json!({"TableName": "scn", "Segment": segment, "TotalSegments": 4}),
        ));
        for key in part {
            assert!(segments.insert(key), "segments do not overlap");
        }
    }
    assert_eq!(segments.len(), 200);
    assert_eq!(
        f.err("Scan", json!({"TableName": "scn", "Segment": 0}))
            .message,
        "If segment is specified, total segment must also be specified"
    );
    assert!(f
        .err(
            "Scan",
            json!({"TableName": "scn", "Segment": 4, "TotalSegments": 4})
        )
        .message
        .contains("'segment'"));
}

/// 25 items of 43,415 bytes: their billed sizes reach 1 MB only with the 25th, but DynamoDB sizes a
/// page as it stores items (names in one byte, 18 bytes per started 3 KB) and ends it after 24,
/// with a LastEvaluatedKey even when the page ends with the table.
#[test]
fn a_page_ends_where_dynamodb_sizes_one_megabyte() {
    let f = Fixture::new();
    f.table("big", None);
    f.ranged("bigr");
    let b = "b".repeat(43_411);
    for i in 0..25 {
        f.put(
            "big",
            json!({"pk": {"S": format!("{i:02}")}, "b": {"S": b}}),
        );
    }
    let out = f.ok("Scan", json!({"TableName": "big", "Select": "COUNT"}));
    assert_eq!(
        (out["Count"].clone(), out["ScannedCount"].clone()),
        (json!(24), json!(24))
    );
    let rest = f.ok(
        "Scan",
        json!({"TableName": "big", "ExclusiveStartKey": out["LastEvaluatedKey"]}),
    );
    assert_eq!(rest["Count"], 1);
    assert!(rest.get("LastEvaluatedKey").is_none());

    for sk in 0..24 {
        let b = "b".repeat(43_400);
        f.put(
            "bigr",
            json!({"pk": {"S": "p"}, "sk": {"N": sk.to_string()}, "b": {"S": b}}),
        );
    }
    let page = f.ok(
        "Query",
        json!({"TableName": "bigr", "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": {"S": "p"}}, "Select": "COUNT"}),
    );
    let sizes = 24 * (2 + (43_400 + 3 + 1) + (1 + 1 + 1) + 15 * (18 + 2));
    assert!(sizes >= 1 << 20, "the 24th item reaches 1 MB: {sizes}");
    assert_eq!(page["Count"], 24);
    assert_eq!(page["LastEvaluatedKey"]["sk"]["N"], "23");
}

#[test]
fn a_segments_start_key_must_lie_in_that_segment() {
    let f = Fixture::new();
    f.table("seg", None);
    for i in 0..50 {
        f.put("seg", json!({"pk": {"S": format!("k{i}")}}));
    }
    let first = f.ok(
        "Scan",
        json!({"TableName": "seg", "Segment": 0, "TotalSegments": 2, "Limit": 1}),
    );
    let start = first["LastEvaluatedKey"].clone();
    let wrong = f.err(
        "Scan",
        json!({"TableName": "seg", "Segment": 1, "TotalSegments": 2, "ExclusiveStartKey": start}),
    );
    assert_eq!(
        wrong.message,
        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use \
         ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 1"
    );
    // Beyond 4,096 segments some hold no prefix of the hash, and are empty.
    let empty = f.ok(
        "Scan",
        json!({"TableName": "seg", "Segment": 1, "TotalSegments": 1_000_000}),
    );
    assert_eq!(empty["Count"], 0);
}

#[test]
fn size_counts_a_strings_characters_not_its_bytes() {
    let f = Fixture::new();
    f.table("sized", None);
    f.put("sized", json!({"pk": {"S": "accented"}, "b": {"S": "abÿ"}}));
    f.put("sized", json!({"pk": {"S": "four"}, "b": {"S": "abcd"}}));
    let out = f.ok(
        "Scan",
        json!({"TableName": "sized", "FilterExpression": "size(b) = :n",
               "ExpressionAttributeValues": {":n": {"N": "3"}}}),
    );
    assert_eq!(out["Items"][0]["pk"]["S"], "accented");
    assert_eq!(out["Count"], 1);
}
