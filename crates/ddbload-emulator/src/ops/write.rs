//! The single-item write path PutItem, UpdateItem and DeleteItem share: lock the item's shard, refuse
//! a key a transaction holds, work out the new item, charge capacity (a refused condition still
//! consumes it, as in DynamoDB), check the condition, then write.

use crate::capacity::write_units;
use crate::error::ApiError;
use crate::expr::{apply_update, evaluate, Action, Cond};
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::{item_size, Item};

use super::common::{condition_failed, Consumed, MAX_ITEM_BYTES};

pub enum Change {
    Put(Item),
    Update(Vec<Action>),
    Delete,
}

pub struct Written {
    pub old: Option<Item>,
    pub new: Option<Item>,
    pub consumed: Consumed,
}

pub fn check_condition(cond: &Option<Cond>, current: Option<&Item>) -> Result<bool, ApiError> {
    match cond {
        Some(cond) => evaluate(cond, current.unwrap_or(&Item::new())),
        None => Ok(true),
    }
}

pub fn write_one(
    store: &Store,
    table: &Table,
    key: ItemKey,
    change: Change,
    cond: &Option<Cond>,
    return_old_on_failure: bool,
) -> Result<Written, ApiError> {
    let now = store.now();
    let mut shard = table.shard_of(&key);
    if table.is_claimed(&key) {
        return Err(ApiError::transaction_conflict());
    }
    let old = shard.get(&key).cloned();
    let new = match change {
        Change::Put(item) => Some(item),
        Change::Update(actions) => {
            let mut item = old
                .clone()
                .unwrap_or_else(|| table.meta().schema.key_item(&key));
            apply_update(&mut item, &actions)?;
            if item_size(&item) > MAX_ITEM_BYTES {
                return Err(ApiError::updated_item_too_large());
            }
            Some(item)
        }
        Change::Delete => None,
    };
    let size = new
        .as_ref()
        .map_or(0, item_size)
        .max(old.as_ref().map_or(0, item_size));
    let units = write_units(size, false);
    let index_writes = table.index_writes(&key, old.as_ref(), new.as_ref());
    table.charge_write(&key.partition, units, &index_writes, now)?;
    let consumed = consumed_by(table, units, &index_writes);
    if !check_condition(cond, old.as_ref())? {
        return Err(condition_failed(old.as_ref(), return_old_on_failure));
    }
    match &new {
        Some(item) => {
            shard.put(key, item.clone());
        }
        None => {
            shard.delete(&key);
        }
    }
    Ok(Written { old, new, consumed })
}

/// The table's and each index's units of one write.
pub fn consumed_by(
    table: &Table,
    units: f64,
    index_writes: &[crate::index::IndexWrite],
) -> Consumed {
    let mut consumed = Consumed::table(units);
    for write in index_writes {
        let index = &table.indexes[write.index];
        let by_index = if index.local {
            &mut consumed.local_indexes
        } else {
            &mut consumed.indexes
        };
        *by_index.entry(index.name.clone()).or_default() += write.units;
    }
    consumed
}
