//! Global secondary indexes: each keeps the projected copy of every base item that has its key
//! attributes (a sparse index), is maintained on every write, has capacity of its own, and is charged
//! for the writes that change it ("Provisioned throughput considerations for GSIs").

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

use crate::capacity::{write_units, Billing, TableCapacity};
use crate::compact::Stored;
use crate::table::{lock, ItemKey, KeySchema};
use crate::value::{item_size, Item, KeyValue};

/// What an index keeps of each item.
#[derive(Debug, Clone, PartialEq)]
pub enum Projected {
    All,
    KeysOnly,
    Include(Vec<String>),
}

/// An index entry's position: the index key first (hash order, then sort), then among entries of
/// one index key the order DynamoDB returns them in (`key_hash::base_key_hash`), then the base key.
pub type EntryKey = (ItemKey, u64, ItemKey);

/// The position of base item `base`'s entry under `index_key`.
pub fn entry_key(index_key: ItemKey, base: ItemKey) -> EntryKey {
    let tie = crate::key_hash::base_key_hash(&base.partition, base.sort.as_deref());
    (index_key, tie, base)
}

/// An index as CreateTable defines it: fixed for the table's life.
pub struct IndexDefinition {
    pub name: String,
    /// A local secondary index: same partition key as the table, charged to the table's capacity.
    pub local: bool,
    pub schema: KeySchema,
    pub projected: Projected,
    /// `KeySchema` and `Projection` as the request gave them, for DescribeTable.
    pub described_key_schema: Value,
    pub described_projection: Value,
}

/// An index: its definition, its entries and its own capacity (a global index's billing is its own;
/// a local one draws on its table's and keeps this on-demand and unused).
pub struct Index {
    pub name: String,
    pub arn: String,
    pub local: bool,
    pub schema: KeySchema,
    pub projected: Projected,
    pub described_key_schema: Value,
    pub described_projection: Value,
    pub entries: Mutex<BTreeMap<EntryKey, Stored>>,
    pub capacity: Mutex<TableCapacity>,
    /// Created on a table that holds items and not yet filled from them (CREATING).
    backfilling: AtomicBool,
}

/// What one write does to one index: the units it costs, and the index partition it lands on.
pub struct IndexWrite {
    pub index: std::sync::Arc<Index>,
    pub units: f64,
    pub partition: KeyValue,
}

impl Index {
    pub fn new(definition: IndexDefinition, table_arn: &str, billing: Billing, now: f64) -> Index {
        Index {
            arn: format!("{table_arn}/index/{}", definition.name),
            name: definition.name,
            local: definition.local,
            schema: definition.schema,
            projected: definition.projected,
            described_key_schema: definition.described_key_schema,
            described_projection: definition.described_projection,
            entries: Mutex::default(),
            capacity: Mutex::new(TableCapacity::new(billing, now)),
            backfilling: AtomicBool::new(false),
        }
    }

    pub fn is_backfilling(&self) -> bool {
        self.backfilling.load(Ordering::Acquire)
    }

    pub fn set_backfilling(&self, backfilling: bool) {
        self.backfilling.store(backfilling, Ordering::Release);
    }

    /// The index key of `item`, or None when it lacks an index key attribute (or has the wrong type,
    /// or is too long: writes refuse both, so only items there before a backfill can, and DynamoDB
    /// leaves those out of the index as key violations).
    pub fn key_of(&self, item: &Item) -> Option<ItemKey> {
        let value = |attr: &crate::table::KeyAttr, max: usize| {
            item.get(&attr.name)
                .filter(|v| v.type_name() == attr.kind)
                .and_then(KeyValue::of)
                .filter(|key| key.size() <= max)
        };
        let partition = value(
            &self.schema.partition,
            crate::table::MAX_PARTITION_KEY_BYTES,
        )?;
        let sort = match &self.schema.sort {
            Some(attr) => Some(value(attr, crate::table::MAX_SORT_KEY_BYTES)?),
            None => None,
        };
        Some(ItemKey::new(partition, sort))
    }

    /// The item as the index stores it.
    pub fn project(&self, item: &Item, base: &KeySchema) -> Item {
        match &self.projected {
            Projected::All => item.clone(),
            Projected::KeysOnly | Projected::Include(_) => item
                .iter()
                .filter(|(name, _)| self.projects(name, base))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// Whether the index holds attribute `name` of its items (`base`: the table's key schema).
    pub fn projects(&self, name: &str, base: &KeySchema) -> bool {
        let key = || base.is_key_attribute(name) || self.schema.is_key_attribute(name);
        match &self.projected {
            Projected::All => true,
            Projected::KeysOnly => key(),
            Projected::Include(extra) => key() || extra.iter().any(|e| e == name),
        }
    }

    /// The attributes among `names` the index does not hold, in name order.
    pub fn unprojected<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
        base: &KeySchema,
    ) -> Vec<&'a str> {
        let mut missing: Vec<&str> = names
            .into_iter()
            .filter(|name| !self.projects(name, base))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    fn entry(
        &self,
        key: &ItemKey,
        item: Option<&Item>,
        base: &KeySchema,
    ) -> Option<(EntryKey, Item)> {
        let item = item?;
        Some((
            entry_key(self.key_of(item)?, key.clone()),
            self.project(item, base),
        ))
    }

    /// The write units a base write from `old` to `new` costs this index (as DynamoDB Local
    /// measures them: a new or removed entry one write, a changed entry one write of the larger
    /// size, an index key that changed a delete plus a put, an unchanged entry nothing).
    pub fn units(
        &self,
        key: &ItemKey,
        old: Option<&Item>,
        new: Option<&Item>,
        base: &KeySchema,
    ) -> Option<(f64, KeyValue)> {
        let before = self.entry(key, old, base);
        let after = self.entry(key, new, base);
        match (before, after) {
            (None, None) => None,
            (None, Some((k, item))) => Some((write_units(item_size(&item), false), k.0.partition)),
            (Some((k, item)), None) => Some((write_units(item_size(&item), false), k.0.partition)),
            (Some((k1, i1)), Some((k2, i2))) if k1 == k2 => (i1 != i2).then(|| {
                (
                    write_units(item_size(&i1).max(item_size(&i2)), false),
                    k2.0.partition,
                )
            }),
            (Some((_, i1)), Some((k2, i2))) => Some((
                write_units(item_size(&i1), false) + write_units(item_size(&i2), false),
                k2.0.partition,
            )),
        }
    }

    /// Moves the entry for base item `key` from `old` to `new`.
    pub fn apply(&self, key: &ItemKey, old: Option<&Item>, new: Option<&Item>, base: &KeySchema) {
        let mut entries = self.entries();
        if let Some((entry, _)) = self.entry(key, old, base) {
            entries.remove(&entry);
        }
        if let Some((entry, item)) = self.entry(key, new, base) {
            entries.insert(entry, Stored::encode(&item));
        }
    }

    /// The index's entries, each item stored compactly as the table's are.
    pub fn entries(&self) -> MutexGuard<'_, BTreeMap<EntryKey, Stored>> {
        lock(&self.entries)
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn size_bytes(&self) -> usize {
        self.entries().values().map(Stored::size).sum()
    }
}
