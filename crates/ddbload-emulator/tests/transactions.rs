//! TransactWriteItems through dispatch: all or nothing, cancellation reasons, the 400 KB limit,
//! conflicts with transactions in flight, and ClientRequestToken idempotency.

mod common;

use common::Fixture;
use ddbload_emulator::table::ItemKey;
use ddbload_emulator::value::KeyValue;
use serde_json::{json, Value};

fn stock(f: &Fixture) {
    f.table("prd", None);
    f.put("prd", json!({"pk": {"S": "p1"}, "stock": {"N": "5"}}));
}

fn order(qty: &str) -> Value {
    json!({"TransactItems": [
        {"Put": {"TableName": "prd", "Item": {"pk": {"S": "order-1"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": "prd", "Key": {"pk": {"S": "p1"}}, "UpdateExpression": "SET stock = stock - :q",
            "ConditionExpression": "stock >= :q", "ExpressionAttributeValues": {":q": {"N": qty}}}}],
        "ReturnConsumedCapacity": "TOTAL"})
}

fn reasons(err: &ddbload_emulator::error::ApiError) -> Vec<String> {
    err.to_json()["CancellationReasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn all_or_nothing_with_reasons_and_double_units() {
    let f = Fixture::new();
    stock(&f);
    let refused = f.err("TransactWriteItems", order("9"));
    assert_eq!(refused.code(), "TransactionCanceledException");
    assert_eq!(reasons(&refused), ["None", "ConditionalCheckFailed"]);
    assert!(f.get("prd", "order-1").is_none(), "nothing written");
    let done = f.ok("TransactWriteItems", order("2"));
    // Transactional writes cost 2 units per KB (developer guide); DynamoDB Local charges 1.
    assert_eq!(done["ConsumedCapacity"][0]["CapacityUnits"], 4.0);
    assert_eq!(f.get("prd", "p1").unwrap()["stock"], json!({"N": "3"}));
}

#[test]
fn an_update_past_400_kb_cancels_the_transaction() {
    let f = Fixture::new();
    f.table("prd", None);
    f.put(
        "prd",
        json!({"pk": {"S": "big"}, "a": {"S": "x".repeat(300_000)}}),
    );
    let grow = json!({"TransactItems": [{"Update": {"TableName": "prd", "Key": {"pk": {"S": "big"}},
        "UpdateExpression": "SET b = :b", "ExpressionAttributeValues": {":b": {"S": "y".repeat(200_000)}}}}]});
    let e = f.err("TransactWriteItems", grow);
    assert_eq!(reasons(&e), ["ValidationError"]);
    assert!(f.get("prd", "big").unwrap().get("b").is_none());
}

#[test]
fn a_key_held_by_a_transaction_in_flight_conflicts() {
    let f = Fixture::new();
    stock(&f);
    let table = f.store.table("prd").unwrap();
    let held = ItemKey::new(KeyValue::S("p1".into()), None);
    table.claim(std::slice::from_ref(&held)).unwrap();
    let e = f.err("TransactWriteItems", order("1"));
    assert_eq!(reasons(&e), ["None", "TransactionConflict"]);
    let single = f.err(
        "PutItem",
        json!({"TableName": "prd", "Item": {"pk": {"S": "p1"}}}),
    );
    assert_eq!(single.code(), "TransactionConflictException");
    table.release(&[held]);
    f.ok("TransactWriteItems", order("1"));
}

#[test]
fn a_transactional_read_of_a_held_key_conflicts_and_charges_double() {
    let f = Fixture::new();
    stock(&f);
    let read = json!({"TransactItems": [
        {"Get": {"TableName": "prd", "Key": {"pk": {"S": "p1"}}}},
        {"Get": {"TableName": "prd", "Key": {"pk": {"S": "nobody"}}}}],
        "ReturnConsumedCapacity": "TOTAL"});
    let table = f.store.table("prd").unwrap();
    let held = ItemKey::new(KeyValue::S("p1".into()), None);
    table.claim(std::slice::from_ref(&held)).unwrap();
    let e = f.err("TransactGetItems", read.clone());
    assert_eq!(e.code(), "TransactionCanceledException");
    assert_eq!(reasons(&e), ["TransactionConflict", "None"]);
    table.release(&[held]);
    let answer = f.ok("TransactGetItems", read);
    assert_eq!(answer["Responses"][0]["Item"]["stock"], json!({"N": "5"}));
    assert_eq!(answer["Responses"][1], json!({}));
    // Two small items read transactionally: two units each.
    assert_eq!(answer["ConsumedCapacity"][0]["CapacityUnits"], json!(4.0));
}

#[test]
fn a_retried_client_request_token_is_applied_once() {
    let f = Fixture::new();
    stock(&f);
    let mut request = order("1");
    request["ClientRequestToken"] = json!("token-1");
    f.ok("TransactWriteItems", request.clone());
    f.ok("TransactWriteItems", request.clone());
    assert_eq!(
        f.get("prd", "p1").unwrap()["stock"],
        json!({"N": "4"}),
        "applied once"
    );
    request["TransactItems"][1]["Update"]["ExpressionAttributeValues"][":q"] = json!({"N": "2"});
    assert_eq!(
        f.err("TransactWriteItems", request).code(),
        "IdempotentParameterMismatchException"
    );
}
