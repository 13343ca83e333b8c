//! BatchExecuteStatement: up to 25 PartiQL statements, all whole-key SELECTs or all writes, each
//! carried out as its own GetItem, PutItem, UpdateItem or DeleteItem and answered on its own: the
//! item read, or the statement's error under DynamoDB's BatchStatementError codes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::common::{Consumed, ReturnCapacity};
use super::execute_statement::{statement_list, translate, Translated};
use crate::error::ApiError;
use crate::store::Store;

/// A batch holds 1 to 25 statements (BatchExecuteStatement API reference).
const MAX_STATEMENTS: usize = 25;

pub fn apply(
    req: &Value,
    store: &Store,
    execute: impl Fn(&str, &Value) -> Result<Value, ApiError>,
) -> Result<Value, ApiError> {
    let statements = statement_list(req, "Statements", MAX_STATEMENTS)?;
    let capacity = ReturnCapacity::of(req)?;
    let translated: Vec<Result<Translated, ApiError>> =
        statements.iter().map(|s| translate_one(s, store)).collect();
    let parsed = || translated.iter().filter_map(|t| t.as_ref().ok());
    if parsed().any(Translated::is_read) && parsed().any(|t| !t.is_read()) {
        return Err(ApiError::batch_statements_mixed());
    }
    let mut seen = BTreeSet::new();
    for statement in parsed() {
        if let Some(key) = statement.item_key(store) {
            if !seen.insert((statement.table().to_owned(), key)) {
                return Err(ApiError::duplicate_keys());
            }
        }
    }
    let mut by_table: BTreeMap<String, Consumed> = BTreeMap::new();
    let responses: Vec<Value> = translated
        .into_iter()
        .map(|statement| {
            let statement = match statement {
                Ok(statement) => statement,
                Err(err) => return json!({ "Error": statement_error(&err) }),
            };
            let mut response = json!({ "TableName": statement.table() });
            match statement.answer(execute(statement.operation, &statement.request)) {
                Ok(out) => {
                    if let Some(item) = out["Items"].get(0) {
                        response["Item"] = item.clone();
                    }
                    if let Some(entry) = out.get("ConsumedCapacity") {
                        by_table
                            .entry(statement.table().to_owned())
                            .or_default()
                            .add(&Consumed::of_entry(entry));
                    }
                }
                Err(err) => response["Error"] = statement_error(&err),
            }
            response
        })
        .collect();
    Ok(capacity.add_list_to(json!({ "Responses": responses }), &by_table))
}

/// One statement of the batch, asking its operation for capacity by index so the batch can add it up.
fn translate_one(statement: &Value, store: &Store) -> Result<Translated, ApiError> {
    let mut request = statement.clone();
    request["ReturnConsumedCapacity"] = json!("INDEXES");
    let translated = translate(&request, store)?;
    if translated.is_condition_check() {
        return Err(ApiError::exists_outside_transaction());
    }
    if translated.is_read() && !translated.is_single_item() {
        return Err(ApiError::batch_select_not_single_item());
    }
    Ok(translated)
}

/// A statement's error as BatchStatementError: DynamoDB's code without "Exception", and the item
/// when ReturnValuesOnConditionCheckFailure asked for it.
fn statement_error(err: &ApiError) -> Value {
    let code = match err.code() {
        "ValidationException" => "ValidationError",
        "ThrottlingException" => "ThrottlingError",
        other => other.strip_suffix("Exception").unwrap_or(other),
    };
    let mut error = json!({ "Code": code, "Message": err.message });
    if let Some((_, item)) = err.extra.iter().find(|(key, _)| *key == "Item") {
        error["Item"] = item.clone();
    }
    error
}
