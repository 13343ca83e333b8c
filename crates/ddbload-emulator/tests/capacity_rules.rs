//! The capacity model through dispatch on a manual clock: provisioned burst then rate, a hot key,
//! on-demand's new-table throughput, and exact accounting under concurrency.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use common::Fixture;
use serde_json::json;

fn get(
    f: &Fixture,
    table: &str,
    pk: &str,
) -> Result<serde_json::Value, ddbload_emulator::error::ApiError> {
    f.call(
        "GetItem",
        json!({"TableName": table, "Key": {"pk": {"S": pk}}, "ReturnConsumedCapacity": "TOTAL"}),
    )
}

#[test]
fn provisioned_tables_spend_their_burst_then_serve_their_rate() {
    let f = Fixture::new();
    f.table("two", Some(2));
    let mut served = 0;
    while get(&f, "two", &format!("k{served}")).is_ok() {
        served += 1;
    }
    // 300 s x 2 RCU of burst at half a unit per eventually consistent read.
    assert_eq!(served, 1200);
    let throttle = get(&f, "two", "x").unwrap_err();
    assert_eq!(
        throttle.to_json()["ThrottlingReasons"][0]["reason"],
        "TableReadProvisionedThroughputExceeded"
    );
    f.clock.advance(1.0);
    let mut next_second = 0;
    while get(&f, "two", &format!("n{next_second}")).is_ok() {
        next_second += 1;
    }
    assert_eq!(
        next_second, 4,
        "2 RCU = 4 eventually consistent reads a second"
    );
}

#[test]
fn one_hot_key_is_throttled_below_the_table_figure() {
    let f = Fixture::new();
    f.table("hot", None);
    let mut written = 0;
    let reason = loop {
        match f.call(
            "PutItem",
            json!({"TableName": "hot", "Item": {"pk": {"S": "deal"}}}),
        ) {
            Ok(_) => written += 1,
            Err(e) => break e.to_json()["ThrottlingReasons"][0]["reason"].clone(),
        }
    };
    assert_eq!(
        (written, reason),
        (1000, json!("TableWriteKeyRangeThroughputExceeded"))
    );
    f.put("hot", json!({"pk": {"S": "another"}}));
}

#[test]
fn many_threads_consume_exactly_what_the_table_grants() {
    let f = Arc::new(Fixture::new());
    f.table("shared", Some(10));
    // Burst: 300 s x 10 WCU = 3,000 writes of one unit, whatever the concurrency.
    let ok = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (f, ok) = (f.clone(), ok.clone());
            std::thread::spawn(move || {
                for i in 0..1000 {
                    let body =
                        json!({"TableName": "shared", "Item": {"pk": {"S": format!("t{t}-{i}")}}});
                    if f.call("PutItem", body).is_ok() {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(ok.load(Ordering::Relaxed), 3000);
    let count = f.ok("DescribeTable", json!({"TableName": "shared"}))["Table"]["ItemCount"].clone();
    assert_eq!(count, 3000);
}

#[test]
fn concurrent_transactions_on_one_item_conflict_as_in_dynamodb() {
    let f = Arc::new(Fixture::new());
    f.table("txn", None);
    f.put("txn", json!({"pk": {"S": "p"}, "n": {"N": "0"}}));
    let (done, conflicts) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    // Overlap is a matter of timing: rounds of 4 threads started together, until one conflicts.
    for _round in 0..50 {
        let start = Arc::new(std::sync::Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (f, done, conflicts, start) = (f.clone(), done.clone(), conflicts.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    for _ in 0..100 {
                        let body = json!({"TransactItems": [{"Update": {"TableName": "txn", "Key": {"pk": {"S": "p"}},
                            "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]});
                        match f.call("TransactWriteItems", body) {
                            Ok(_) => done.fetch_add(1, Ordering::Relaxed),
                            Err(e) => {
                                let reason = e.to_json()["CancellationReasons"][0]["Code"].clone();
                                assert_eq!(reason, "TransactionConflict");
                                conflicts.fetch_add(1, Ordering::Relaxed)
                            }
                        };
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        // A second of simulated time: the hot key's 1,000 write units a second are never the limit.
        f.clock.advance(1.0);
        if conflicts.load(Ordering::Relaxed) > 0 {
            break;
        }
    }
    let (done, conflicts) = (
        done.load(Ordering::Relaxed),
        conflicts.load(Ordering::Relaxed),
    );
    let n = f.get("txn", "p").unwrap()["n"]["N"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    assert_eq!(
        n, done,
        "every committed transaction counted once, no lost update"
    );
    assert!(conflicts > 0, "overlapping transactions conflict");
}
