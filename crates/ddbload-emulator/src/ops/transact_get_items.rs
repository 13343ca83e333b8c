//! TransactGetItems: up to 100 gets read together as of one moment. Their shards are locked in the
//! global transaction order; an item a TransactWriteItems holds cancels the read with
//! TransactionConflict. Each get costs two read units per 4 KB (transactional reads, developer guide).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{
    check_bindings_have_expressions, item_param, projection, refuse_unsupported, shown, table_name,
    Consumed, ReturnCapacity,
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

fn parse_get(n: usize, entry: &Value, store: &Store) -> Result<Get, ApiError> {
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
    let key = table.schema.key_param(&item_param(body, "Key")?)?;
    Ok(Get {
        name,
        table,
        key,
        projection,
    })
}

pub fn parse(req: &Value, store: &Store) -> Result<TransactGetItems, ApiError> {
    let entries = transact_items(req)?;
    let gets = entries
        .iter()
        .enumerate()
        .map(|(n, entry)| parse_get(n + 1, entry, store))
        .collect::<Result<Vec<_>, _>>()?;
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
                .charge(Kind::Read, Some(&get.key.partition), units, now)
                .is_err()
            {
                throttled_reason()
            } else {
                no_reason()
            };
            reasons.push(reason);
            responses.push(match &item {
                Some(item) => json!({"Item": shown(item, &get.projection)}),
                None => json!({}),
            });
        }
        if reasons.iter().any(|r| r["Code"] != "None") {
            return Err(ApiError::transaction_cancelled(reasons));
        }
        let out = json!({ "Responses": responses });
        Ok(self.capacity.add_list_to(out, &by_table))
    }
}
