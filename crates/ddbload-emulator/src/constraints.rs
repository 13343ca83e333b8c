//! The constraints of a request's top-level members, checked after its JSON types and before anything
//! else, every violation listed in one "N validation errors detected" answer as DynamoDB gives it:
//! a TableName's characters and length, the enumerations' values, the members that must be present.
//! Each operation's members come in the order DynamoDB lists them (a public conformance suite's
//! captures of DynamoDB, us-east-1, 2026; the enumerations' value order is DynamoDB's too).

use serde_json::Value;

use crate::error::ApiError;
use crate::ops::common::{name_violations, table_name_violations};

/// DynamoDB lists at most this many violations.
const MAX_LISTED: usize = 10;

const RETURN_VALUES: &[&str] = &["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"];
const RETURN_CONSUMED_CAPACITY: &[&str] = &["INDEXES", "TOTAL", "NONE"];
const RETURN_ITEM_COLLECTION_METRICS: &[&str] = &["SIZE", "NONE"];
const SELECT: &[&str] = &[
    "SPECIFIC_ATTRIBUTES",
    "COUNT",
    "ALL_ATTRIBUTES",
    "ALL_PROJECTED_ATTRIBUTES",
];
const KEY_TYPES: &[&str] = &["HASH", "RANGE"];
const TABLE_CLASSES: &[&str] = &["STANDARD", "STANDARD_INFREQUENT_ACCESS"];
const ATTRIBUTE_TYPES: &[&str] = &["B", "N", "S"];
/// A table's key has a partition key and at most a sort key.
const MAX_KEY_ELEMENTS: usize = 2;

/// What one member must satisfy.
enum Rule {
    /// A table's name, `min` characters long at least.
    TableName {
        min: usize,
    },
    OneOf(&'static [&'static str]),
    Required,
    /// A table's name given to start after (ListTables): checked only when present.
    StartTableName,
    /// A key schema: at most two elements, each HASH or RANGE.
    KeySchema,
    /// Attribute definitions, each of type B, N or S.
    AttributeTypes,
}

use Rule::{AttributeTypes, KeySchema, OneOf, Required, StartTableName, TableName};

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
        "BatchWriteItem" | "TransactWriteItems" => &[
            ("ReturnConsumedCapacity", OneOf(RETURN_CONSUMED_CAPACITY)),
            (
                "ReturnItemCollectionMetrics",
                OneOf(RETURN_ITEM_COLLECTION_METRICS),
            ),
        ],
        "Query" | "Scan" => &[
            ("ReturnConsumedCapacity", OneOf(RETURN_CONSUMED_CAPACITY)),
            ("Select", OneOf(SELECT)),
            ("TableName", TableName { min: 1 }),
        ],
        "CreateTable" => &[
            ("AttributeDefinitions", AttributeTypes),
            ("KeySchema", KeySchema),
            ("TableClass", OneOf(TABLE_CLASSES)),
            ("TableName", TableName { min: 3 }),
        ],
        "UpdateTable" => &[
            ("TableClass", OneOf(TABLE_CLASSES)),
            ("TableName", TableName { min: 1 }),
        ],
        "ListTables" => &[("ExclusiveStartTableName", StartTableName)],
        "DescribeTable" | "DeleteTable" | "DescribeTimeToLive" | "UpdateTimeToLive" => {
            &[("TableName", TableName { min: 1 })]
        }
        _ => &[],
    }
}

/// Refuses `request` with every constraint its members fail, if any.
pub fn check(operation: &str, request: &Value) -> Result<(), ApiError> {
    // CreateTable answers a missing name on its own, in words of its own.
    if operation == "CreateTable" && request.get("TableName").is_none_or(Value::is_null) {
        return Err(ApiError::parameter_required("TableName"));
    }
    let mut found = Vec::new();
    for (member, rule) in rules(operation) {
        let value = request.get(*member).filter(|v| !v.is_null());
        // Named only when something is wrong: this runs on every call.
        let field = || ApiError::field_name(member);
        match (rule, value) {
            (Required, None) | (TableName { .. }, None) => found.push(ApiError::violation(
                None,
                &field(),
                ApiError::NOT_NULL.into(),
            )),
            (TableName { min }, Some(name)) => found.extend(table_name_violations(
                name.as_str().unwrap_or_default(),
                *min,
            )),
            (StartTableName, Some(name)) => found.extend(name_violations(
                name.as_str().unwrap_or_default(),
                3,
                &field(),
            )),
            (OneOf(values), given @ Some(_))
                if given
                    .and_then(Value::as_str)
                    .is_some_and(|given| !values.contains(&given)) =>
            {
                enum_violation(given, values, &field(), &mut found)
            }
            (KeySchema, Some(Value::Array(elements))) => {
                key_schema_violations(elements, &field(), &mut found)
            }
            (AttributeTypes, Some(Value::Array(definitions))) => {
                for (at, definition) in definitions.iter().enumerate() {
                    let field = format!("{}.{}.member.attributeType", field(), at + 1);
                    enum_violation(
                        definition.get("AttributeType"),
                        ATTRIBUTE_TYPES,
                        &field,
                        &mut found,
                    );
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

/// A value outside `values` (a missing one is another rule's business).
fn enum_violation(given: Option<&Value>, values: &[&str], field: &str, found: &mut Vec<String>) {
    let Some(given) = given.and_then(Value::as_str) else {
        return;
    };
    if !values.contains(&given) {
        let constraint = ApiError::enum_constraint(values);
        found.push(ApiError::violation(Some(given), field, constraint));
    }
}

/// More than two key elements (echoed as DynamoDB's Java model prints them), or a key type that is
/// neither HASH nor RANGE.
fn key_schema_violations(elements: &[Value], field: &str, found: &mut Vec<String>) {
    if elements.len() > MAX_KEY_ELEMENTS {
        let text = |element: &Value, member: &str| {
            element
                .get(member)
                .and_then(Value::as_str)
                .unwrap_or("null")
                .to_owned()
        };
        let echo: Vec<String> = elements
            .iter()
            .map(|e| {
                format!(
                    "KeySchemaElement(attributeName={}, keyType={})",
                    text(e, "AttributeName"),
                    text(e, "KeyType")
                )
            })
            .collect();
        let constraint = ApiError::max_length_constraint(MAX_KEY_ELEMENTS);
        found.push(ApiError::violation(
            Some(&format!("[{}]", echo.join(", "))),
            field,
            constraint,
        ));
    }
    for (at, element) in elements.iter().enumerate() {
        let field = format!("{field}.{}.member.keyType", at + 1);
        enum_violation(element.get("KeyType"), KEY_TYPES, &field, found);
    }
}
