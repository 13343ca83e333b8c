//! One shard's items: in memory (a sorted map) or, under `serve --data-dir`, on disk (`disk.rs`).
//! Both keep items in `ItemKey` order, so Query and Scan read either the same way.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex};

use crate::compact::Stored;
use crate::disk::{Disk, DiskShard};
use crate::table::{ItemKey, SHARDS};

/// A shard's rows as read: borrowed from memory, or read from disk.
pub type Rows<'a> = Box<dyn Iterator<Item = (Cow<'a, ItemKey>, Cow<'a, Stored>)> + 'a>;

pub enum Shard {
    Memory(BTreeMap<ItemKey, Stored>),
    Disk(DiskShard),
}

impl Default for Shard {
    fn default() -> Self {
        Shard::Memory(BTreeMap::new())
    }
}

impl Shard {
    pub fn get(&self, key: &ItemKey) -> Option<Cow<'_, Stored>> {
        match self {
            Shard::Memory(items) => items.get(key).map(Cow::Borrowed),
            Shard::Disk(disk) => disk.get(key).map(Cow::Owned),
        }
    }

    /// Stores an item, returning the one it replaced.
    pub fn insert(&mut self, key: ItemKey, stored: Stored) -> Option<Stored> {
        match self {
            Shard::Memory(items) => items.insert(key, stored),
            Shard::Disk(disk) => disk.set(key, Some(stored)),
        }
    }

    pub fn remove(&mut self, key: &ItemKey) -> Option<Stored> {
        match self {
            Shard::Memory(items) => items.remove(key),
            Shard::Disk(disk) => disk.set(key.clone(), None),
        }
    }

    /// The items from `from` on, in key order.
    pub fn range(&self, from: Bound<&ItemKey>) -> Rows<'_> {
        match self {
            Shard::Memory(items) => Box::new(
                items
                    .range((from, Bound::Unbounded))
                    .map(|(key, stored)| (Cow::Borrowed(key), Cow::Borrowed(stored))),
            ),
            Shard::Disk(disk) => disk.range(from),
        }
    }

    pub fn iter(&self) -> Rows<'_> {
        self.range(Bound::Unbounded)
    }

    /// On disk: writes the writes held in memory.
    pub fn write_pending(&mut self) {
        if let Shard::Disk(disk) = self {
            disk.write_pending();
        }
    }
}

/// Where a new table keeps its items.
pub struct Storage {
    pub shards: Vec<Shard>,
    /// On disk: the table operation that created the table, which names its items there.
    pub incarnation: Option<u64>,
}

impl Storage {
    pub fn memory() -> Storage {
        Storage {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            incarnation: None,
        }
    }

    pub fn into_shards(self) -> Vec<Mutex<Shard>> {
        self.shards.into_iter().map(Mutex::new).collect()
    }

    pub fn disk(disk: &Arc<Disk>, incarnation: u64) -> Storage {
        Storage {
            shards: (0..SHARDS)
                .map(|shard| Shard::Disk(disk.shard(incarnation, shard)))
                .collect(),
            incarnation: Some(incarnation),
        }
    }
}
