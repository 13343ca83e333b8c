//! What TransactWriteItems and TransactGetItems share: the cancellation reasons and shard locking in
//! one global order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::table::{ShardGuard, Table};

/// A transaction holds 1 to 100 actions (TransactWriteItems and TransactGetItems API references).
const MAX_ACTIONS: usize = 100;

/// The request's TransactItems, refused unless it holds 1 to 100 actions.
pub fn transact_items<'r>(req: &'r Value, class: &str) -> Result<&'r Vec<Value>, ApiError> {
    let items = req
        .get("TransactItems")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::missing("transactItems"))?;
    if items.is_empty() || items.len() > MAX_ACTIONS {
        let echo = ApiError::java_echo(class, items);
        return Err(ApiError::transact_items_length(
            &echo,
            items.len(),
            MAX_ACTIONS,
        ));
    }
    Ok(items)
}

/// A cancellation reason: an action whose item another transaction holds.
pub fn conflict_reason() -> Value {
    json!({"Code": "TransactionConflict", "Message": ApiError::transaction_conflict().message})
}

/// A cancellation reason: an action its table or index had no capacity for.
pub fn throttled_reason() -> Value {
    json!({"Code": "ThrottlingError", "Message": ApiError::THROTTLED_IN_TRANSACTION})
}

/// A cancellation reason: an action that would have succeeded.
pub fn no_reason() -> Value {
    json!({"Code": "None"})
}

/// Locks every (table, shard) the actions touch in one global order (table name, shard), so two
/// transactions cannot deadlock.
pub fn lock_shards<'a>(
    touched: impl Iterator<Item = (&'a str, &'a Arc<Table>, usize)>,
) -> BTreeMap<(&'a str, usize), ShardGuard<'a>> {
    let mut order: BTreeMap<(&str, usize), &Arc<Table>> = BTreeMap::new();
    for (name, table, shard) in touched {
        order.entry((name, shard)).or_insert(table);
    }
    order
        .into_iter()
        .map(|(at, table)| (at, table.shard(at.1)))
        .collect()
}

/// Refuses two actions on one item, as DynamoDB does before anything runs.
pub fn refuse_repeated_items<'a>(
    keys: impl Iterator<Item = (&'a str, &'a crate::table::ItemKey)>,
) -> Result<(), ApiError> {
    let mut seen = BTreeSet::new();
    for key in keys {
        if !seen.insert(key) {
            return Err(ApiError::transaction_same_item_twice());
        }
    }
    Ok(())
}
