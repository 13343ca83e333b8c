//! Test helpers: a store on a manual clock, requests sent through `dispatch` as JSON, tables made quickly.
#![allow(dead_code)]

pub mod http;

use std::sync::Arc;

use ddbload_emulator::clock::ManualClock;
use ddbload_emulator::error::ApiError;
use ddbload_emulator::{dispatch, Shared, Store};
use serde_json::{json, Value};

pub struct Fixture {
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub shared: Shared,
}

impl Fixture {
    pub fn new() -> Fixture {
        let clock = Arc::new(ManualClock::default());
        Fixture {
            store: Store::new(clock.clone(), "us-east-1"),
            clock,
            shared: Shared::default(),
        }
    }

    pub fn call(&self, operation: &str, body: Value) -> Result<Value, ApiError> {
        let target = format!("DynamoDB_20120810.{operation}");
        dispatch(
            &self.store,
            &self.shared,
            &target,
            body.to_string().as_bytes(),
        )
    }

    pub fn ok(&self, operation: &str, body: Value) -> Value {
        self.call(operation, body.clone())
            .unwrap_or_else(|e| panic!("{operation} {body}: {} {}", e.code(), e.message))
    }

    pub fn err(&self, operation: &str, body: Value) -> ApiError {
        match self.call(operation, body.clone()) {
            Ok(v) => panic!("{operation} {body} succeeded: {v}"),
            Err(e) => e,
        }
    }

    /// A table keyed by `pk` (S), on-demand, or provisioned at `units` read and write.
    pub fn table(&self, name: &str, units: Option<i64>) {
        let mut body = json!({
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        });
        match units {
            Some(n) => {
                body["ProvisionedThroughput"] =
                    json!({"ReadCapacityUnits": n, "WriteCapacityUnits": n});
            }
            None => body["BillingMode"] = json!("PAY_PER_REQUEST"),
        }
        self.ok("CreateTable", body);
    }

    /// A table keyed by `pk` (S) and `sk` (N), on-demand.
    pub fn ranged(&self, name: &str) {
        self.ok(
            "CreateTable",
            json!({
                "TableName": name, "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            }),
        );
    }

    pub fn put(&self, table: &str, item: Value) {
        self.ok("PutItem", json!({"TableName": table, "Item": item}));
    }

    pub fn get(&self, table: &str, pk: &str) -> Option<Value> {
        self.ok(
            "GetItem",
            json!({"TableName": table, "Key": {"pk": {"S": pk}}}),
        )
        .get("Item")
        .cloned()
    }
}
