//! ExecuteTransaction: up to 100 PartiQL statements, all whole-key SELECTs or all writes, carried out
//! together as the TransactGetItems or TransactWriteItems they translate to (and charged as it is).

use serde_json::{json, Map, Value};

use super::execute_statement::{copy_members, statement_list, translate, Translated};
use crate::error::ApiError;
use crate::store::Store;

/// A transaction holds 1 to 100 statements (ExecuteTransaction API reference).
const MAX_STATEMENTS: usize = 100;

pub fn apply(
    req: &Value,
    store: &Store,
    execute: impl Fn(&str, &Value) -> Result<Value, ApiError>,
) -> Result<Value, ApiError> {
    let statements = statement_list(req, "TransactStatements", MAX_STATEMENTS)?;
    let mut translated: Vec<Translated> = Vec::with_capacity(statements.len());
    for (n, statement) in statements.iter().enumerate() {
        let statement = translate(statement, store)?;
        if statement.is_read() && !statement.is_single_item() {
            return Err(ApiError::transaction_select_not_single_item(n));
        }
        if statement.is_condition_check() && !statement.is_complete_check() {
            return Err(ApiError::exists_not_single_item_check(n));
        }
        if statement.returns() {
            return Err(ApiError::transaction_returning(n));
        }
        translated.push(statement);
    }
    let reads = translated.iter().filter(|t| t.is_read()).count();
    if reads != 0 && reads != translated.len() {
        return Err(ApiError::transaction_statements_mixed());
    }
    let mut request = Map::new();
    request.insert(
        "TransactItems".into(),
        translated
            .iter()
            .map(Translated::transaction_action)
            .collect(),
    );
    copy_members(req, &mut request, &["ReturnConsumedCapacity"]);
    if reads == 0 {
        copy_members(req, &mut request, &["ClientRequestToken"]);
    }
    let operation = if reads == 0 {
        "TransactWriteItems"
    } else {
        "TransactGetItems"
    };
    let out = execute(operation, &Value::Object(request))
        .map_err(|err| inserts_of_existing_keys(err, &translated))?;
    let mut answer = json!({ "Responses": out.get("Responses").cloned().unwrap_or(json!([])) });
    if let Some(consumed) = out.get("ConsumedCapacity") {
        answer["ConsumedCapacity"] = consumed.clone();
    }
    Ok(answer)
}

/// A cancelled transaction's INSERT of a key that exists: a ValidationError reason saying so (as
/// DynamoDB Local answers), where TransactWriteItems saw only its condition fail.
fn inserts_of_existing_keys(err: ApiError, statements: &[Translated]) -> ApiError {
    let Some((_, Value::Array(reasons))) =
        err.extra.iter().find(|(k, _)| *k == "CancellationReasons")
    else {
        return err;
    };
    let reasons: Vec<Value> = reasons
        .iter()
        .zip(statements)
        .map(|(reason, statement)| {
            if statement.is_insert() && reason["Code"] == "ConditionalCheckFailed" {
                ApiError::duplicate_item_in_transaction()
            } else {
                reason.clone()
            }
        })
        .collect();
    ApiError::transaction_cancelled(reasons)
}
