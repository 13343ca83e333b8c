//! The constraints of a request's top-level members, checked after its JSON types and before anything
//! else, every violation listed in one "N validation errors detected" answer as DynamoDB gives it:
//! a TableName's characters and length, the enumerations' values, the members that must be present.
//! Each operation's members come in the order DynamoDB lists them (a public conformance suite's
//! captures of DynamoDB, us-east-1, 2026; the enumerations' value order is DynamoDB's too).

use serde_json::Value;

use crate::error::ApiError;
use crate::ops::common::table_name_violations;

/// DynamoDB lists at most this many violations.
const MAX_LISTED: usize = 10;

const RETURN_VALUES: &[&str] = &["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"];
const RETURN_CONSUMED_CAPACITY: &[&str] = &["INDEXES", "TOTAL", "NONE"];
const RETURN_ITEM_COLLECTION_METRICS: &[&str] = &["SIZE", "NONE"];

/// What one member must satisfy.
enum Rule {
    /// A table's name, `min` characters long at least.
    TableName {
        min: usize,
    },
    OneOf(&'static [&'static str]),
    Required,
}

use Rule::{OneOf, Required, TableName};

/// Each checked operation's members, in DynamoDB's order.
fn rules(operation: &str) -> &'static [(&'static str, Rule)] {
    match operation {
        "PutItem" => &[
            ("ReturnValues", OneOf(RETURN_VALUES)),
            ("ReturnConsumedCapacity", OneOf(RETURN_CONSUMED_CAPACITY)),
            (
                "ReturnItemCollectionMetrics",
                OneOf(RETURN_ITEM_COLLECTION_METRICS),
            ),
            ("TableName", TableName { min: 1 }),
            ("Item", Required),
        ],
        "DeleteItem" => &[
            ("ReturnValues", OneOf(RETURN_VALUES)),
            ("ReturnConsumedCapacity", OneOf(RETURN_CONSUMED_CAPACITY)),
            (
                "ReturnItemCollectionMetrics",
                OneOf(RETURN_ITEM_COLLECTION_METRICS),
            ),
            ("TableName", TableName { min: 1 }),
            ("Key", Required),
        ],
        "UpdateItem" => &[
            ("ReturnConsumedCapacity", OneOf(RETURN_CONSUMED_CAPACITY)),
            ("ReturnValues", OneOf(RETURN_VALUES)),
            (
                "ReturnItemCollectionMetrics",
                OneOf(RETURN_ITEM_COLLECTION_METRICS),
            ),
            ("TableName", TableName { min: 1 }),
            ("Key", Required),
        ],
        "GetItem" => &[
            ("ReturnConsumedCapacity", OneOf(RETURN_CONSUMED_CAPACITY)),
            ("TableName", TableName { min: 1 }),
            ("Key", Required),
        ],
        "Query" | "Scan" => &[
            ("ReturnConsumedCapacity", OneOf(RETURN_CONSUMED_CAPACITY)),
            ("TableName", TableName { min: 1 }),
        ],
        "CreateTable" => &[("TableName", TableName { min: 3 })],
        "DescribeTable" | "DeleteTable" | "UpdateTable" | "DescribeTimeToLive"
        | "UpdateTimeToLive" => &[("TableName", TableName { min: 1 })],
        _ => &[],
    }
}

/// Refuses `request` with every constraint its members fail, if any.
pub fn check(operation: &str, request: &Value) -> Result<(), ApiError> {
    let mut found = Vec::new();
    for (member, rule) in rules(operation) {
        let value = request.get(*member).filter(|v| !v.is_null());
        let field = ApiError::field_name(member);
        match (rule, value) {
            (Required, None) | (TableName { .. }, None) => {
                found.push(ApiError::violation(None, &field, ApiError::NOT_NULL.into()))
            }
            (TableName { min }, Some(name)) => found.extend(table_name_violations(
                name.as_str().unwrap_or_default(),
                *min,
            )),
            (OneOf(values), Some(given)) => {
                let given = given.as_str().unwrap_or_default();
                if !values.contains(&given) {
                    let constraint = ApiError::enum_constraint(values);
                    found.push(ApiError::violation(Some(given), &field, constraint));
                }
            }
            _ => {}
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    found.truncate(MAX_LISTED);
    Err(ApiError::violations(found))
}
