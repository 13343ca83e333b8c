//! How writes are charged and applied. `WritePlan` is the one rule every write follows (sizes, units,
//! index writes; then charge). `write_one` is the single-item path PutItem, UpdateItem and
//! DeleteItem share: lock the item's shard, refuse a key a transaction holds, work out the new item,
//! check the condition (which decides first: an update's own faults count only once it passes),
//! charge capacity (a refused condition still consumes it, as in DynamoDB), then write.

use crate::capacity::write_units;
use crate::error::ApiError;
use crate::expr::{apply_update, evaluate, Action, Cond};
use crate::index::IndexWrite;
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::{item_size, Item};

use super::common::{condition_failed, Consumed, MAX_ITEM_BYTES};
use super::update_item::check_index_keys_set_from_item;

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
    let old = shard.get(&key);
    let new = match change {
        Change::Put(item) => {
            table.check_index_keys(&item)?;
            Ok(Some(item))
        }
        Change::Update(actions) => updated_item(table, &key, old.as_ref(), &actions).map(Some),
        Change::Delete => Ok(None),
    };
    // DynamoDB tests an update's condition before it works out the update: when the condition
    // fails, that is the answer, whatever the update would have met (a missing operand, a type).
    if !check_condition(cond, old.as_ref())? {
        let after = match &new {
            Ok(new) => new.as_ref(),
            Err(_) => old.as_ref(),
        };
        WritePlan::new(table, &key, old.as_ref(), after, false).charge(table, &key, now)?;
        return Err(condition_failed(old.as_ref(), return_old_on_failure));
    }
    let new = new?;
    let plan = WritePlan::new(table, &key, old.as_ref(), new.as_ref(), false);
    plan.charge(table, &key, now)?;
    let consumed = plan.consumed();
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

/// The item `actions` make of `old` (or of the key alone), checked as a stored item must be.
fn updated_item(
    table: &Table,
    key: &ItemKey,
    old: Option<&Item>,
    actions: &[Action],
) -> Result<Item, ApiError> {
    let mut item = old.cloned().unwrap_or_else(|| table.schema.key_item(key));
    apply_update(&mut item, actions)?;
    if item_size(&item) > MAX_ITEM_BYTES {
        return Err(ApiError::updated_item_too_large());
    }
    check_index_keys_set_from_item(table, actions, &item)?;
    table.check_index_keys(&item)?;
    Ok(item)
}

/// The one write rule PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems share:
/// what a write from `old` to `new` costs the table (the larger item's 1 KB units) and each index it
/// changes, worked out before anything is charged; transactional writes cost double on both.
pub struct WritePlan {
    pub units: f64,
    pub index_writes: Vec<IndexWrite>,
}

impl WritePlan {
    pub fn new(
        table: &Table,
        key: &ItemKey,
        old: Option<&Item>,
        new: Option<&Item>,
        transactional: bool,
    ) -> WritePlan {
        let size = new.map_or(0, item_size).max(old.map_or(0, item_size));
        let mut index_writes = table.index_writes(key, old, new);
        if transactional {
            for write in &mut index_writes {
                write.units *= 2.0;
            }
        }
        WritePlan {
            units: write_units(size, transactional),
            index_writes,
        }
    }

    /// Charges the table and its indexes, all or nothing (Err: the throttle, naming what ran out).
    pub fn charge(&self, table: &Table, key: &ItemKey, now: f64) -> Result<(), ApiError> {
        table.charge_write(&key.partition, self.units, &self.index_writes, now)
    }

    /// Whether the write may go ahead (see `Table::admit_write`); `take` charges it after.
    pub fn admit(&self, table: &Table, key: &ItemKey, now: f64) -> Result<(), ApiError> {
        table.admit_write(&key.partition, &self.index_writes, now)
    }

    pub fn take(&self, table: &Table, key: &ItemKey, now: f64) {
        table.take_write(&key.partition, self.units, &self.index_writes, now)
    }

    /// The table's and each index's units, as ReturnConsumedCapacity gives them.
    pub fn consumed(&self) -> Consumed {
        let mut consumed = Consumed::table(self.units);
        for write in &self.index_writes {
            let index = &write.index;
            let by_index = if index.local {
                &mut consumed.local_indexes
            } else {
                &mut consumed.indexes
            };
            *by_index.entry(index.name.clone()).or_default() += write.units;
        }
        consumed
    }
}
