//! TransactGetItems: up to 100 gets read together as of one moment. Their shards are locked in the
//! global transaction order; an item a TransactWriteItems holds cancels the read with
//! TransactionConflict. Each get costs two read units per 4 KB (transactional reads, developer guide).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{
    check_bindings_have_expressions, check_projection_clear_of_keys, item_param, projection,
    refuse_unsupported, shown, table_name, Consumed, ReturnCapacity,
};
use super::transaction::{
    conflict_reason, lock_shards, no_reason, refuse_repeated_items, throttled_reason,
    transact_items,
};
use crate::capacity::{read_units, Consistency, Kind};
use crate::error::ApiError;
use crate::expr::{Bindings, Projection};
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::item_size;

struct Get {
    name: String,
    table: Arc<Table>,
    key: ItemKey,
    projection: Option<Projection>,
}

pub struct TransactGetItems {
    gets: Vec<Get>,
    capacity: ReturnCapacity,
}

/// A get as read from the request (Err: the request is refused), or the problem with its key, which
/// cancels the transaction with a ValidationError reason instead, as in DynamoDB.
fn parse_get(n: usize, entry: &Value, store: &Store) -> Result<Result<Get, ApiError>, ApiError> {
    let body = entry
        .get("Get")
        .filter(|b| b.is_object())
        .ok_or_else(|| ApiError::missing(&format!("transactItems.{n}.member.get")))?;
    refuse_unsupported(body, &["AttributesToGet"])?;
    let name = table_name(body)?;
    check_bindings_have_expressions(body, &["ProjectionExpression"])?;
    let bindings = Bindings::from_request(body)?;
    let projection = projection(body, &bindings)?;
    bindings.check_all_used()?;
    let table = store.table(&name)?;
    let key = match table.schema.key_param(&item_param(body, "Key")?) {
        Ok(key) => key,
        Err(problem) => return Ok(Err(problem)),
    };
    check_projection_clear_of_keys(&table, projection.as_ref())?;
    Ok(Ok(Get {
        name,
        table,
        key,
        projection,
    }))
}

pub fn parse(req: &Value, store: &Store) -> Result<TransactGetItems, ApiError> {
    let entries = transact_items(req, "TransactGetItem")?;
    let parsed = entries
        .iter()
        .enumerate()
        .map(|(n, entry)| parse_get(n + 1, entry, store))
        .collect::<Result<Vec<_>, _>>()?;
    if parsed.iter().any(Result::is_err) {
        let reasons = parsed.iter().map(|get| match get {
            Err(problem) => json!({"Code": "ValidationError", "Message": problem.message}),
            Ok(_) => no_reason(),
        });
        return Err(ApiError::transaction_cancelled(reasons.collect()));
    }
    let gets: Vec<Get> = parsed.into_iter().flatten().collect();
    refuse_repeated_items(gets.iter().map(|g| (g.name.as_str(), &g.key)))?;
    Ok(TransactGetItems {
        gets,
        capacity: ReturnCapacity::of(req)?,
    })
}

impl TransactGetItems {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let guards = lock_shards(
            self.gets
                .iter()
                .map(|g| (g.name.as_str(), &g.table, g.key.shard())),
        );
        let mut reasons = Vec::with_capacity(self.gets.len());
        let mut responses = Vec::with_capacity(self.gets.len());
        let mut by_table = BTreeMap::<String, Consumed>::new();
        let mut admitted = Vec::with_capacity(self.gets.len());
        for get in &self.gets {
            let item = guards[&(get.name.as_str(), get.key.shard())].get(&get.key);
            let units = read_units(
                item.as_ref().map_or(0, item_size),
                Consistency::Transactional,
            );
            by_table
                .entry(get.name.clone())
                .or_default()
                .add(&Consumed::table(units));
            let reason = if get.table.is_claimed(&get.key) {
                conflict_reason()
            } else if get
                .table
                .admit(Kind::Read, Some(&get.key.partition), now)
                .is_err()
            {
                throttled_reason()
            } else {
                // Admitted against the capacity there was before the transaction, as one request.
                admitted.push((get, units));
                no_reason()
            };
            reasons.push(reason);
            responses.push(match &item {
                Some(item) => json!({"Item": shown(item, &get.projection)}),
                None => json!({}),
            });
        }
        for (get, units) in admitted {
            get.table
                .take(Kind::Read, Some(&get.key.partition), units, now);
        }
        if reasons.iter().any(|r| r["Code"] != "None") {
            return Err(ApiError::transaction_cancelled(reasons));
        }
        let out = json!({ "Responses": responses });
        Ok(self.capacity.add_list_to(out, &by_table))
    }
}
