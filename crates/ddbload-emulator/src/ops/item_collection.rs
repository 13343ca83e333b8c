//! ReturnItemCollectionMetrics: on a table with a local secondary index, a write's answer carries
//! the size of the item collection it changed (the partition's items and their local index entries);
//! a batch's or a transaction's, each collection it changed, by table.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::query::lowest_key;
use crate::table::{ItemKey, Table};
use crate::value::{item_to_json, Item, KeyValue};

const BYTES_PER_GB: f64 = (1u64 << 30) as f64;

/// Whether the request asks for the metrics (the member's values are checked by `constraints`).
pub fn wanted(req: &Value) -> bool {
    req.get("ReturnItemCollectionMetrics")
        .and_then(Value::as_str)
        == Some("SIZE")
}

/// The metrics of the collection `key` belongs to, read after the write; None when the table has
/// no local secondary index (DynamoDB answers nothing then).
pub fn metrics(table: &Table, key: &ItemKey) -> Option<Value> {
    let indexes = table.indexes();
    if !indexes.iter().any(|index| index.local) {
        return None;
    }
    let first = ItemKey::new(key.partition.clone(), None);
    let mut bytes = 0usize;
    {
        let shard = table.shard_of(&first);
        for (row, stored) in shard.items.range(std::ops::Bound::Included(&first)) {
            if row.partition != key.partition || row.hash != first.hash {
                break;
            }
            bytes += stored.size();
        }
    }
    for index in indexes.iter().filter(|index| index.local) {
        let entries = index.entries();
        for (entry, stored) in entries.range((first.clone(), 0, lowest_key())..) {
            if entry.0.partition != key.partition || entry.0.hash != first.hash {
                break;
            }
            bytes += stored.size();
        }
    }
    // DynamoDB gives a range of whole gigabytes around its estimate, [0.0, 1.0] for a small one.
    let lower = (bytes as f64 / BYTES_PER_GB).floor();
    let mut collection_key = Item::new();
    collection_key.insert(table.schema.partition.name.clone(), key.partition.to_av());
    Some(json!({
        "ItemCollectionKey": item_to_json(&collection_key),
        "SizeEstimateRangeGB": [lower, lower + 1.0],
    }))
}

/// The metrics of every collection some writes changed, by table name, each collection once
/// (BatchWriteItem's and TransactWriteItems' `ItemCollectionMetrics`); None when none of the tables
/// has a local secondary index. Read after the writes, with no shard locked.
pub fn metrics_by_table<'w>(
    written: impl Iterator<Item = (&'w str, &'w Table, &'w ItemKey)>,
) -> Option<Value> {
    let mut seen = BTreeSet::<(&str, &KeyValue)>::new();
    let mut by_table = BTreeMap::<&str, Vec<Value>>::new();
    for (name, table, key) in written {
        if seen.insert((name, &key.partition)) {
            if let Some(collection) = metrics(table, key) {
                by_table.entry(name).or_default().push(collection);
            }
        }
    }
    (!by_table.is_empty()).then(|| json!(by_table))
}
