//! BatchGetItem: up to 100 keys over several tables, each charged as its own read; keys whose read
//! is throttled come back as UnprocessedKeys (the whole call fails only when none could be read).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{
    check_bindings_have_expressions, check_projection_clear_of_keys, consistency, projection,
    shown, Consumed, ReturnCapacity,
};
use crate::capacity::{read_units, Consistency, Kind};
use crate::error::ApiError;
use crate::expr::{legacy, Bindings, Projection};
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::{item_from_json, item_size};

pub const MAX_KEYS: usize = 100;

struct TableReads {
    name: String,
    table: Arc<Table>,
    /// Each key with its request JSON (for UnprocessedKeys).
    keys: Vec<(ItemKey, Value)>,
    consistency: Consistency,
    projection: Option<Projection>,
    spec: Value,
}

pub struct BatchGetItem {
    tables: Vec<TableReads>,
    capacity: ReturnCapacity,
}

/// A batch's RequestItems: present (a missing one fails its constraint) and naming a table.
pub fn request_items<'r>(
    req: &'r Value,
    operation: &str,
) -> Result<&'r serde_json::Map<String, Value>, ApiError> {
    let items = req
        .get("RequestItems")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::missing("requestItems"))?;
    if items.is_empty() {
        return Err(ApiError::request_items_empty(operation));
    }
    Ok(items)
}

pub fn parse(req: &Value, store: &Store) -> Result<BatchGetItem, ApiError> {
    let request = request_items(req, "BatchGetItem")?;
    for (name, spec) in request {
        if spec
            .get("Keys")
            .and_then(Value::as_array)
            .is_some_and(|keys| keys.len() > MAX_KEYS)
        {
            return Err(ApiError::batch_get_table_too_many(name, MAX_KEYS));
        }
    }
    let total: usize = request
        .values()
        .map(|t| t.get("Keys").and_then(Value::as_array).map_or(0, Vec::len))
        .sum();
    if total > MAX_KEYS {
        return Err(ApiError::batch_get_too_many());
    }
    // As DynamoDB: every table's part is checked (keys' values, duplicates, expressions) before any
    // table is looked up, so a malformed request is a ValidationException even for a missing table.
    let mut read = Vec::with_capacity(request.len());
    for (name, spec) in request {
        if !super::common::is_valid_table_name(name) {
            return Err(ApiError::bad_table_name());
        }
        match spec
            .get("Keys")
            .filter(|v| !v.is_null())
            .map(Value::as_array)
        {
            None => {
                return Err(ApiError::missing(&format!(
                    "requestItems.{name}.member.keys"
                )))
            }
            Some(Some(keys)) if keys.is_empty() => {
                return Err(ApiError::empty_list(&format!(
                    "requestItems.{name}.member.keys"
                )))
            }
            Some(None) => return Err(ApiError::keys_not_a_list()),
            Some(Some(_)) => {}
        }
        legacy::check_not_mixed(spec)?;
        check_bindings_have_expressions(spec, &["ProjectionExpression"])?;
        let bindings = Bindings::from_request(spec)?;
        let projection = projection(spec, &bindings)?;
        bindings.check_all_used()?;
        let mut given = Vec::new();
        for key_json in spec
            .get("Keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = item_from_json(key_json)?;
            if given.iter().any(|(seen, _)| *seen == key) {
                return Err(ApiError::duplicate_keys());
            }
            given.push((key, key_json));
        }
        read.push((name, spec, projection, given));
    }
    let mut tables = Vec::with_capacity(read.len());
    for (name, spec, projection, given) in read {
        let table = store.table(name)?;
        check_projection_clear_of_keys(&table, projection.as_ref())?;
        let mut seen = BTreeSet::new();
        let mut keys = Vec::new();
        for (key, key_json) in given {
            let key = table.schema.key_param(&key)?;
            if !seen.insert(key.clone()) {
                return Err(ApiError::duplicate_keys());
            }
            keys.push((key, key_json.clone()));
        }
        tables.push(TableReads {
            name: name.clone(),
            table,
            keys,
            consistency: consistency(spec),
            projection,
            spec: spec.clone(),
        });
    }
    Ok(BatchGetItem {
        tables,
        capacity: ReturnCapacity::of(req)?,
    })
}

impl BatchGetItem {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let (mut responses, mut unprocessed, mut consumed) = (json!({}), json!({}), Vec::new());
        let (mut served, mut throttle) = (0usize, None);
        for reads in self.tables {
            let (mut found, mut left, mut units) = (Vec::new(), Vec::new(), 0.0);
            for (key, key_json) in reads.keys {
                let item = reads.table.shard_of(&key).get(&key);
                let cost = read_units(item.as_ref().map_or(0, item_size), reads.consistency);
                match reads
                    .table
                    .charge(Kind::Read, Some(&key.partition), cost, now)
                {
                    Ok(()) => {
                        units += cost;
                        served += 1;
                        if let Some(item) = &item {
                            found.push(shown(item, &reads.projection));
                        }
                    }
                    Err(err) => {
                        throttle = Some(err);
                        left.push(key_json);
                    }
                }
            }
            responses[&reads.name] = Value::Array(found);
            if !left.is_empty() {
                let mut rest = reads.spec.clone();
                rest["Keys"] = Value::Array(left);
                unprocessed[&reads.name] = rest;
            }
            consumed.extend(self.capacity.entry(&reads.name, &Consumed::table(units)));
        }
        if served == 0 {
            if let Some(err) = throttle {
                return Err(err);
            }
        }
        let mut out = json!({"Responses": responses, "UnprocessedKeys": unprocessed});
        if self.capacity != ReturnCapacity::None {
            out["ConsumedCapacity"] = Value::Array(consumed);
        }
        Ok(out)
    }
}
