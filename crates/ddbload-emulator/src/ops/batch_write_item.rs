//! BatchWriteItem: up to 25 puts and deletes over several tables, all validated before any is written;
//! each is charged on its own, and throttled ones come back as UnprocessedItems.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{json, Value};

use super::batch_get_item::request_items;
use super::common::{is_valid_table_name, Consumed, ReturnCapacity, MAX_ITEM_BYTES};
use super::item_collection;
use super::write::WritePlan;
use crate::error::ApiError;
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::{item_from_json, item_size, Item};

pub const MAX_REQUESTS: usize = 25;

struct Write {
    name: String,
    table: Arc<Table>,
    key: ItemKey,
    /// The item to put, or None to delete.
    item: Option<Item>,
    request: Value,
}

pub struct BatchWriteItem {
    writes: Vec<Write>,
    capacity: ReturnCapacity,
    collection_metrics: bool,
}

pub fn parse(req: &Value, store: &Store) -> Result<BatchWriteItem, ApiError> {
    let request = request_items(req, "BatchWriteItem")?;
    for (name, list) in request {
        if let Some(list) = list.as_array().filter(|list| list.len() > MAX_REQUESTS) {
            let echo = ApiError::java_echo("WriteRequest", list);
            return Err(ApiError::batch_write_table_too_many(
                name,
                &echo,
                MAX_REQUESTS,
            ));
        }
    }
    // As DynamoDB: the whole request is checked (names, counts, values, sizes) before any table is
    // looked up, so a malformed request is a ValidationException even when a table does not exist.
    let mut read = Vec::new();
    for (name, list) in request {
        if !is_valid_table_name(name) {
            return Err(ApiError::bad_table_name());
        }
        let list = list
            .as_array()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| ApiError::batch_write_list_empty(name))?;
        for write in list {
            let (put, delete) = (write.get("PutRequest"), write.get("DeleteRequest"));
            let (given, is_put) = match (put, delete) {
                (Some(put), None) => {
                    let item = item_from_json(put.get("Item").ok_or_else(ApiError::null_item)?)?;
                    if item_size(&item) > MAX_ITEM_BYTES {
                        return Err(ApiError::item_too_large());
                    }
                    (item, true)
                }
                (None, Some(delete)) => {
                    let key = delete.get("Key").ok_or_else(|| ApiError::missing("key"))?;
                    (item_from_json(key)?, false)
                }
                _ => return Err(ApiError::attribute_value_many_types()),
            };
            read.push((name, given, is_put, write));
        }
    }
    if read.len() > MAX_REQUESTS {
        return Err(ApiError::batch_write_too_many());
    }
    let mut writes = Vec::with_capacity(read.len());
    let mut seen = BTreeSet::new();
    for (name, given, is_put, write) in read {
        let table = store.table(name)?;
        let (key, item) = if is_put {
            table.check_index_keys(&given)?;
            (table.schema.key_of_batch_put(&given)?, Some(given))
        } else {
            (table.schema.key_param(&given)?, None)
        };
        if !seen.insert((name.clone(), key.clone())) {
            return Err(ApiError::duplicate_keys());
        }
        writes.push(Write {
            name: name.clone(),
            table,
            key,
            item,
            request: write.clone(),
        });
    }
    Ok(BatchWriteItem {
        writes,
        capacity: ReturnCapacity::of(req)?,
        collection_metrics: item_collection::wanted(req),
    })
}

impl BatchWriteItem {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let mut unprocessed = BTreeMap::<String, Vec<Value>>::new();
        let mut by_table = BTreeMap::<String, Consumed>::new();
        let (mut served, mut throttle) = (0usize, None);
        let mut written = Vec::new();
        for write in self.writes {
            let mut shard = write.table.shard_of(&write.key);
            if write.table.is_claimed(&write.key) {
                unprocessed
                    .entry(write.name)
                    .or_default()
                    .push(write.request);
                continue;
            }
            let plan = WritePlan::new(
                &write.table,
                &write.key,
                shard.get(&write.key).as_ref(),
                write.item.as_ref(),
                false,
            );
            match plan.charge(&write.table, &write.key, now) {
                Ok(()) => {
                    served += 1;
                    let consumed = plan.consumed();
                    by_table
                        .entry(write.name.clone())
                        .or_default()
                        .add(&consumed);
                    if self.collection_metrics {
                        written.push((write.name, write.table.clone(), write.key.clone()));
                    }
                    match write.item {
                        Some(item) => {
                            shard.put(write.key, item);
                        }
                        None => {
                            shard.delete(&write.key);
                        }
                    }
                }
                Err(err) => {
                    throttle = Some(err);
                    unprocessed
                        .entry(write.name)
                        .or_default()
                        .push(write.request);
                }
            }
        }
        if served == 0 {
            if let Some(err) = throttle {
                return Err(err);
            }
        }
        let mut out = json!({"UnprocessedItems": unprocessed});
        let changed = written
            .iter()
            .map(|(name, table, key)| (name.as_str(), &**table, key));
        if let Some(metrics) = item_collection::metrics_by_table(changed) {
            out["ItemCollectionMetrics"] = metrics;
        }
        Ok(self.capacity.add_list_to(out, &by_table))
    }
}
