//! One table: its definition, its items in shards by partition-key hash (so operations on different
//! items run in parallel, and Scan follows a stable hash order as DynamoDB's does), its capacity
//! state, and the keys that transactions in flight hold.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use serde_json::Value;

use crate::capacity::{Kind, TableCapacity};
use crate::compact::Stored;
use crate::error::ApiError;
use crate::index::{Index, IndexWrite};
use crate::shard::{Shard, Storage};
use crate::stream::{Origin, Stream};
use crate::updating::CapacityUpdate;
use crate::value::{Av, Item, KeyValue};

pub const ACCOUNT: &str = "000000000000";
pub const SHARDS: usize = 64;
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;
pub const MAX_SORT_KEY_BYTES: usize = 1024;
/// Items Time to Live's sweep reads in one table per sweep (whole shards, at least one): a large
/// table is swept over several sweeps, as DynamoDB deletes expired items within days, not seconds,
/// and a sweep holds up the server thread it runs on.
pub const TTL_ITEMS_PER_SWEEP: usize = 20_000;

#[derive(Debug, Clone, PartialEq)]
pub struct KeyAttr {
    pub name: String,
    /// "S", "N" or "B".
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeySchema {
    pub partition: KeyAttr,
    pub sort: Option<KeyAttr>,
}

/// An item's full key, ordered by partition-key hash first: the order of shards and of Scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemKey {
    pub hash: u64,
    pub partition: KeyValue,
    /// Boxed: most tables have no sort key, and every stored item holds its key (48 bytes inline).
    pub sort: Option<Box<KeyValue>>,
}

/// The shard a partition-key hash falls in: its top bits, so shards follow the hash order.
pub fn shard_of_hash(hash: u64) -> usize {
    (hash >> (64 - SHARDS.trailing_zeros())) as usize
}

impl ItemKey {
    pub fn new(partition: KeyValue, sort: Option<KeyValue>) -> ItemKey {
        ItemKey {
            hash: partition.stable_hash(),
            partition,
            sort: sort.map(Box::new),
        }
    }

    pub fn shard(&self) -> usize {
        shard_of_hash(self.hash)
    }
}

impl KeyAttr {
    /// A key attribute's value, checked: present, of this attribute's type, not an empty string or
    /// binary. `in_item` words the faults as for an item (PutItem) rather than a Key parameter.
    pub fn key_value(&self, value: Option<&Av>, in_item: bool) -> Result<KeyValue, ApiError> {
        let attr = self;
        let value = value.ok_or_else(|| {
            if in_item {
                ApiError::item_missing_key(&attr.name)
            } else {
                ApiError::key_schema_mismatch()
            }
        })?;
        if value.type_name() != attr.kind {
            return Err(if in_item {
                ApiError::item_key_type_mismatch(&attr.name, &attr.kind, value.type_name())
            } else {
                ApiError::key_schema_mismatch()
            });
        }
        let key = KeyValue::of(value).expect("key types are S, N or B");
        match &key {
            KeyValue::S(s) if s.is_empty() => {
                return Err(ApiError::empty_key_value(&attr.name, false, in_item))
            }
            KeyValue::B(b) if b.is_empty() => {
                return Err(ApiError::empty_key_value(&attr.name, true, in_item))
            }
            _ => {}
        }
        Ok(key)
    }
}

impl KeySchema {
    /// The key attributes: the partition key, then the sort key if any.
    pub fn attrs(&self) -> impl Iterator<Item = &KeyAttr> {
        std::iter::once(&self.partition).chain(self.sort.as_ref())
    }

    /// The key attributes' names, partition key first.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.attrs().map(|a| a.name.as_str())
    }

    fn key(&self, source: &Item, in_item: bool) -> Result<ItemKey, ApiError> {
        let partition = self
            .partition
            .key_value(source.get(&self.partition.name), in_item)?;
        let sort = match &self.sort {
            Some(sort) => Some(sort.key_value(source.get(&sort.name), in_item)?),
            None => None,
        };
        if partition.size() > MAX_PARTITION_KEY_BYTES {
            return Err(ApiError::partition_key_too_large());
        }
        if sort.as_ref().is_some_and(|s| s.size() > MAX_SORT_KEY_BYTES) {
            return Err(ApiError::sort_key_too_large());
        }
        Ok(ItemKey::new(partition, sort))
    }

    /// The key of a whole item (PutItem, BatchWriteItem).
    pub fn key_of_item(&self, item: &Item) -> Result<ItemKey, ApiError> {
        self.key(item, true)
    }

    /// The key of an item a BatchWriteItem puts: DynamoDB words a missing or mistyped key attribute
    /// there as for a `Key` parameter, and an empty one as for an item.
    pub fn key_of_batch_put(&self, item: &Item) -> Result<ItemKey, ApiError> {
        if self.attrs().any(|attr| {
            item.get(&attr.name)
                .is_none_or(|v| v.type_name() != attr.kind)
        }) {
            return Err(ApiError::key_schema_mismatch());
        }
        self.key(item, true)
    }

    /// A `Key` parameter: exactly the key attributes, of the right types.
    pub fn key_param(&self, key: &Item) -> Result<ItemKey, ApiError> {
        if key.len() != 1 + usize::from(self.sort.is_some()) {
            return Err(ApiError::key_schema_mismatch());
        }
        self.key(key, false)
    }

    pub fn key_item(&self, key: &ItemKey) -> Item {
        let mut item = self.sort_item(key);
        item.insert(self.partition.name.clone(), key.partition.to_av());
        item
    }

    /// The sort key attribute of `key` alone (what a Query's sort key condition reads).
    pub fn sort_item(&self, key: &ItemKey) -> Item {
        let mut item = Item::new();
        if let (Some(sort), Some(sk)) = (&self.sort, &key.sort) {
            item.insert(sort.name.clone(), sk.to_av());
        }
        item
    }

    pub fn is_key_attribute(&self, name: &str) -> bool {
        self.partition.name == name || self.sort.as_ref().is_some_and(|s| s.name == name)
    }
}

/// What UpdateTable, UpdateTimeToLive and tagging change besides capacity.
#[derive(Debug, Clone, Default)]
pub struct TableSettings {
    pub last_switch_to_on_demand: Option<f64>,
    /// The Time to Live attribute, when TTL is enabled.
    pub ttl_attribute: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// DeletionProtectionEnabled: DeleteTable is refused while it is on.
    pub deletion_protection: bool,
    /// The table class asked for (STANDARD or STANDARD_INFREQUENT_ACCESS); None when never given,
    /// which DescribeTable shows as no TableClassSummary. It changes no behaviour, only pricing.
    pub table_class: Option<String>,
}

/// A table's changeable state under one lock: its settings and its capacity (billing mode and
/// provisioned figures included, in `capacity.billing`).
#[derive(Debug, Clone)]
pub struct TableState {
    pub settings: TableSettings,
    pub capacity: TableCapacity,
    /// A capacity change not yet in force: the table is UPDATING until it is.
    pub updating: Option<CapacityUpdate>,
}

impl TableState {
    /// Completes the capacity change in progress once its time is over.
    pub fn settle(&mut self, now: f64) {
        if self
            .updating
            .as_ref()
            .is_some_and(|update| now >= update.until)
        {
            if let Some(update) = self.updating.take() {
                update.complete(self);
            }
        }
    }
}

/// The table's indexes at one moment: UpdateTable adds or removes one by replacing the whole list,
/// so a request keeps the list it started with.
pub type Indexes = Arc<Vec<Arc<Index>>>;

/// What hears of a table's writes: its indexes and, when enabled, its stream.
type Followers = (Indexes, Option<Arc<Stream>>);

/// A table. Its identity (name, ARN, key schema) is fixed at creation and read without a lock; its
/// index list is replaced whole (`indexes`, a leaf lock held only to copy the list); what changes
/// sits behind locks taken only in this order, so no two requests can wait on each other:
///   0. under `--data-dir`, the journal's (`Disk::record`: table operations run one at a time),
///   1. the endpoint's auto scaling (`Store::autoscaling`),
///   2. shards (a transaction takes several in (table name, shard) order), then the claims,
///   3. `state` (settings and capacity),
///   4. an index's capacity, then an index's entries.
///
/// No lock is taken while holding a later one; the claims and index entries are leaves, and so is
/// redb's one write transaction (`disk.rs`).
pub struct Table {
    pub name: String,
    pub arn: String,
    pub schema: KeySchema,
    /// Grows when UpdateTable creates an index on new attributes.
    attribute_definitions: Mutex<Value>,
    pub created: f64,
    /// When the table is ACTIVE (epoch seconds): before, it is CREATING.
    pub active_at: f64,
    /// Global then local secondary indexes. A write reads the list under its shard's lock, so an
    /// index's backfill (which takes each shard's lock in turn) misses no write.
    indexes: RwLock<Indexes>,
    state: Mutex<TableState>,
    shards: Vec<Mutex<Shard>>,
    /// The stream every change is recorded in, while one is enabled (a leaf lock).
    stream: RwLock<Option<Arc<Stream>>>,
    /// Every stream the table has had, the latest last (ListStreams, LatestStreamArn).
    streams: Mutex<Vec<Arc<Stream>>>,
    /// Keys held by transactions in flight: other writes to them conflict.
    claims: Mutex<HashSet<ItemKey>>,
    /// Under `serve --data-dir`, the table operation that created the table: its items' name on disk.
    pub incarnation: Option<u64>,
    /// The shard Time to Live's next sweep starts at.
    ttl_next_shard: AtomicUsize,
    /// When a table being deleted is gone (epoch seconds, as f64 bits); 0: not being deleted.
    gone_at: AtomicU64,
    item_count: AtomicI64,
    size_bytes: AtomicI64,
}

/// Mutex poisoning would mean a panic under the lock; the data stays usable, so carry on.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Table {
    /// Refuses an item whose value for an index key attribute has the wrong type, is an empty string
    /// or binary, or is longer than an index key may be, as DynamoDB does (an item without the
    /// attribute is simply not indexed).
    pub fn check_index_keys(&self, item: &Item) -> Result<(), ApiError> {
        self.check_index_keys_not_empty(item)?;
        self.check_index_key_types(item)?;
        self.check_index_key_sizes(item)
    }

    /// An index key attribute's string or binary value may hold 2,048 bytes as a partition key and
    /// 1,024 as a sort key, as the table's own keys. Checked whether or not the item has the index's
    /// other key attribute (DynamoDB Local refuses a long sort key value of an unindexed item too).
    pub fn check_index_key_sizes(&self, item: &Item) -> Result<(), ApiError> {
        for (index, attr, value) in self.index_key_values(item) {
            let size = match value {
                Av::S(text) => text.len(),
                Av::B(bytes) => bytes.len(),
                _ => continue,
            };
            let max = if index.schema.partition.name == attr.name {
                MAX_PARTITION_KEY_BYTES
            } else {
                MAX_SORT_KEY_BYTES
            };
            if size > max {
                return Err(ApiError::index_key_too_large(
                    &attr.name,
                    size,
                    max,
                    &index.name,
                ));
            }
        }
        Ok(())
    }

    /// An index key attribute's value must have the index's type.
    pub fn check_index_key_types(&self, item: &Item) -> Result<(), ApiError> {
        for (index, attr, value) in self.index_key_values(item) {
            if value.type_name() != attr.kind {
                return Err(ApiError::index_key_type_mismatch(
                    &attr.name,
                    &attr.kind,
                    value.type_name(),
                    &index.name,
                ));
            }
        }
        Ok(())
    }

    /// An index key attribute's string or binary value must not be empty.
    pub fn check_index_keys_not_empty(&self, item: &Item) -> Result<(), ApiError> {
        for (index, attr, value) in self.index_key_values(item) {
            let empty = match value {
                Av::S(text) => text.is_empty(),
                Av::B(bytes) => bytes.is_empty(),
                _ => false,
            };
            if empty {
                return Err(ApiError::empty_index_key(
                    &index.name,
                    &attr.name,
                    !matches!(value, Av::S(_)),
                ));
            }
        }
        Ok(())
    }

    /// Each index key attribute `item` has: the index, the attribute's definition and its value.
    fn index_key_values<'a>(&self, item: &'a Item) -> Vec<(Arc<Index>, KeyAttr, &'a Av)> {
        let mut found = Vec::new();
        for index in self.indexes().iter() {
            for attr in index.schema.attrs() {
                if let Some(value) = item.get(&attr.name) {
                    found.push((index.clone(), attr.clone(), value));
                }
            }
        }
        found
    }

    pub fn new(
        name: String,
        arn: String,
        schema: KeySchema,
        attribute_definitions: Value,
        created: f64,
        state: TableState,
        indexes: Vec<Index>,
    ) -> Table {
        Table {
            name,
            arn,
            schema,
            attribute_definitions: Mutex::new(attribute_definitions),
            created,
            active_at: 0.0,
            indexes: RwLock::new(Arc::new(indexes.into_iter().map(Arc::new).collect())),
            state: Mutex::new(state),
            shards: Storage::memory().into_shards(),
            incarnation: None,
            ttl_next_shard: AtomicUsize::new(0),
            stream: RwLock::default(),
            streams: Mutex::default(),
            claims: Mutex::default(),
            item_count: AtomicI64::new(0),
            size_bytes: AtomicI64::new(0),
            gone_at: AtomicU64::new(0),
        }
    }

    /// The table CREATING until `at` (epoch seconds), then ACTIVE.
    pub fn active_from(mut self, at: f64) -> Table {
        self.active_at = at;
        self
    }

    /// Whether the table is still CREATING at `epoch` seconds.
    pub fn is_creating(&self, epoch: f64) -> bool {
        epoch < self.active_at
    }

    /// DELETING until `at` (epoch seconds), then gone (`serve --delete-table-ms`).
    pub fn delete_at(&self, at: f64) {
        self.gone_at.store(at.to_bits(), Ordering::Relaxed);
    }

    fn gone_at(&self) -> Option<f64> {
        let bits = self.gone_at.load(Ordering::Relaxed);
        (bits != 0).then(|| f64::from_bits(bits))
    }

    /// Whether the table is DELETING at `epoch` seconds.
    pub fn is_deleting(&self, epoch: f64) -> bool {
        self.gone_at().is_some_and(|at| epoch < at)
    }

    /// Whether a table that was DELETING is gone at `epoch` seconds.
    pub fn is_gone(&self, epoch: f64) -> bool {
        self.gone_at().is_some_and(|at| epoch >= at)
    }

    /// A change of the table's settings (UpdateTable, tags, DeleteTable) is refused while the table is
    /// CREATING or DELETING, as in DynamoDB (UPDATING is for each operation to judge).
    pub fn refuse_change_unless_active(&self, epoch: f64) -> Result<(), ApiError> {
        if self.is_creating(epoch) {
            return Err(ApiError::table_being_created(&self.name));
        }
        if self.is_deleting(epoch) {
            return Err(ApiError::table_being_deleted(&self.name));
        }
        Ok(())
    }

    /// The table keeping its items in `storage` (a new table's are in memory).
    pub fn with_storage(mut self, storage: Storage) -> Table {
        self.incarnation = storage.incarnation;
        self.shards = storage.into_shards();
        self
    }

    /// The definitions of the attributes a key of the table or of one of its indexes uses: one
    /// given with an index and used by none, or left by an index deleted, is not kept (as DynamoDB
    /// answers DescribeTable).
    pub fn attribute_definitions(&self) -> Value {
        let indexes = self.indexes();
        let used = |name: &str| {
            self.schema.names().any(|key| key == name)
                || indexes
                    .iter()
                    .any(|index| index.schema.names().any(|key| key == name))
        };
        let known = lock(&self.attribute_definitions);
        let kept: Vec<Value> = known
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["AttributeName"].as_str().is_some_and(used))
            .cloned()
            .collect();
        Value::Array(kept)
    }

    /// Adds the definitions of attributes the table does not define yet (one no key uses any
    /// more, as a deleted index's, is defined afresh).
    pub fn add_attribute_definitions(&self, definitions: &[Value]) {
        let used = self.attribute_definitions();
        let mut known = lock(&self.attribute_definitions);
        *known = used;
        if let Some(list) = known.as_array_mut() {
            for definition in definitions {
                let name = &definition["AttributeName"];
                if !list.iter().any(|d| &d["AttributeName"] == name) {
                    list.push(definition.clone());
                }
            }
        }
    }

    /// The enabled stream, if any.
    pub fn stream(&self) -> Option<Arc<Stream>> {
        self.stream
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Every stream the table has had, the latest last.
    pub fn streams(&self) -> Vec<Arc<Stream>> {
        lock(&self.streams).clone()
    }

    /// Starts recording changes in `stream` (UpdateTable and CreateTable check none is enabled).
    pub fn enable_stream(&self, stream: Arc<Stream>) {
        lock(&self.streams).push(stream.clone());
        *self
            .stream
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(stream);
    }

    /// Stops recording: the stream's shard closes, its records stay readable for 24 hours.
    pub fn disable_stream(&self) {
        let stream = self
            .stream
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(stream) = stream {
            stream.disable();
        }
    }

    /// The table's indexes now.
    pub fn indexes(&self) -> Indexes {
        self.indexes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Replaces the index list (UpdateTable creating or deleting a global index).
    pub fn set_indexes(&self, indexes: Vec<Arc<Index>>) {
        *self
            .indexes
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(indexes);
    }

    /// The table's settings and capacity (lock order: see `Table`).
    pub fn state(&self) -> MutexGuard<'_, TableState> {
        lock(&self.state)
    }

    /// The table's state at `now` on the endpoint's clock: a capacity change whose time is over is
    /// in force.
    pub fn state_at(&self, now: f64) -> MutexGuard<'_, TableState> {
        let mut state = self.state();
        state.settle(now);
        state
    }

    pub fn shard(&self, index: usize) -> ShardGuard<'_> {
        ShardGuard {
            table: self,
            items: lock(&self.shards[index]),
        }
    }

    pub fn shard_of(&self, key: &ItemKey) -> ShardGuard<'_> {
        self.shard(key.shard())
    }

    pub fn item_count(&self) -> i64 {
        self.item_count.load(Ordering::Relaxed)
    }

    pub fn size_bytes(&self) -> i64 {
        self.size_bytes.load(Ordering::Relaxed)
    }

    /// Charges capacity for a request on `partition` (None: no key, as for Scan). Err is the
    /// throttle DynamoDB answers, naming the reason and the table.
    pub fn charge(
        &self,
        kind: Kind,
        partition: Option<&KeyValue>,
        units: f64,
        now: f64,
    ) -> Result<(), ApiError> {
        let result = self
            .state_at(now)
            .capacity
            .charge(kind, partition, units, now);
        result.map_err(|throttle| ApiError::throttled(throttle, &self.arn))
    }

    /// Whether a request on `partition` may go ahead, taking nothing yet (see `admit_write`).
    pub fn admit(
        &self,
        kind: Kind,
        partition: Option<&KeyValue>,
        now: f64,
    ) -> Result<(), ApiError> {
        let result = self.state_at(now).capacity.admit(kind, partition, now);
        result.map_err(|throttle| ApiError::throttled(throttle, &self.arn))
    }

    /// Takes an admitted request's units.
    pub fn take(&self, kind: Kind, partition: Option<&KeyValue>, units: f64, now: f64) {
        self.state_at(now)
            .capacity
            .take(kind, partition, units, now);
    }

    /// What a write from `old` to `new` costs each index it changes.
    pub fn index_writes(
        &self,
        key: &ItemKey,
        old: Option<&Item>,
        new: Option<&Item>,
    ) -> Vec<IndexWrite> {
        let indexes = self.indexes();
        indexes
            .iter()
            .filter_map(|index| {
                let (units, partition) = index.units(key, old, new, &self.schema)?;
                Some(IndexWrite {
                    index: index.clone(),
                    units,
                    partition,
                })
            })
            .collect()
    }

    /// Charges a write to the table and the indexes it changes, all or nothing: an index out of
    /// capacity throttles the base table's write (the classic GSI back-pressure), naming the index.
    pub fn charge_write(
        &self,
        partition: &KeyValue,
        units: f64,
        index_writes: &[IndexWrite],
        now: f64,
    ) -> Result<(), ApiError> {
        // One hold of the table's state for both, so concurrent writes are charged exactly.
        let mut state = self.state_at(now);
        self.admit_write_to(&mut state.capacity, partition, index_writes, now)?;
        take_write_from(&mut state.capacity, partition, units, index_writes, now);
        Ok(())
    }

    /// Whether a write may go ahead on the table and every global index it changes (Err: the
    /// throttle, naming the table or index); nothing is taken yet. A transaction admits all its
    /// actions before it takes any, so it is admitted whole, as one request is.
    pub fn admit_write(
        &self,
        partition: &KeyValue,
        index_writes: &[IndexWrite],
        now: f64,
    ) -> Result<(), ApiError> {
        self.admit_write_to(
            &mut self.state_at(now).capacity,
            partition,
            index_writes,
            now,
        )
    }

    fn admit_write_to(
        &self,
        base: &mut TableCapacity,
        partition: &KeyValue,
        index_writes: &[IndexWrite],
        now: f64,
    ) -> Result<(), ApiError> {
        base.admit(Kind::Write, Some(partition), now)
            .map_err(|throttle| ApiError::throttled(throttle, &self.arn))?;
        for write in index_writes.iter().filter(|write| !write.index.local) {
            let index = &write.index;
            lock(&index.capacity)
                .admit(Kind::Write, Some(&write.partition), now)
                .map_err(|throttle| ApiError::throttled(throttle.on_index(), &index.arn))?;
        }
        Ok(())
    }

    /// Takes an admitted write's units from the table and its indexes.
    pub fn take_write(
        &self,
        partition: &KeyValue,
        units: f64,
        index_writes: &[IndexWrite],
        now: f64,
    ) {
        take_write_from(
            &mut self.state_at(now).capacity,
            partition,
            units,
            index_writes,
            now,
        );
    }

    pub fn index(&self, name: &str) -> Result<Arc<Index>, ApiError> {
        self.indexes()
            .iter()
            .find(|i| i.name == name)
            .cloned()
            .ok_or_else(|| ApiError::index_not_found(name))
    }

    /// The index a Query or Scan reads: a global one neither strongly consistent nor backfilling.
    pub fn readable_index(&self, name: &str, strong: bool) -> Result<Arc<Index>, ApiError> {
        let index = self
            .index(name)
            .map_err(|_| ApiError::no_such_index(name))?;
        if !index.local && strong {
            return Err(ApiError::consistent_read_on_gsi());
        }
        if index.is_backfilling() {
            return Err(ApiError::index_backfilling());
        }
        Ok(index)
    }

    /// Holds `keys` for a transaction; Err lists the ones another transaction already holds.
    pub fn claim(&self, keys: &[ItemKey]) -> Result<(), Vec<ItemKey>> {
        let mut claims = lock(&self.claims);
        let taken: Vec<ItemKey> = keys
            .iter()
            .filter(|k| claims.contains(*k))
            .cloned()
            .collect();
        if !taken.is_empty() {
            return Err(taken);
        }
        claims.extend(keys.iter().cloned());
        Ok(())
    }

    pub fn release(&self, keys: &[ItemKey]) {
        let mut claims = lock(&self.claims);
        for key in keys {
            claims.remove(key);
        }
    }

    pub fn is_claimed(&self, key: &ItemKey) -> bool {
        lock(&self.claims).contains(key)
    }

    /// Counts the items a table found on disk holds, and indexes them (replayed, an index is
    /// created without a backfill).
    pub fn load_from_disk(&self) {
        let indexes = self.indexes();
        for shard in 0..SHARDS {
            let guard = self.shard(shard);
            for (key, stored) in guard.items.iter() {
                self.item_count.fetch_add(1, Ordering::Relaxed);
                self.size_bytes
                    .fetch_add(stored.size() as i64, Ordering::Relaxed);
                if indexes.is_empty() {
                    continue;
                }
                let item = stored.decode();
                for index in indexes.iter() {
                    index.apply(&key, None, Some(&item), &self.schema);
                }
            }
        }
    }

    /// On disk: writes each shard's writes held in memory.
    pub fn write_to_disk(&self) {
        for shard in 0..SHARDS {
            self.shard(shard).items.write_pending();
        }
    }

    /// Deletes items whose TTL attribute (epoch seconds) is before `now_epoch`, consuming no
    /// capacity; as in DynamoDB, a value more than five years in the past, or not a number, is left.
    /// Reads whole shards from where the last sweep stopped, until `TTL_ITEMS_PER_SWEEP` items.
    pub fn expire(&self, now_epoch: f64) -> usize {
        let Some(attribute) = self.state().settings.ttl_attribute.clone() else {
            return 0;
        };
        let oldest = now_epoch - 5.0 * 365.0 * 86_400.0;
        let (mut expired, mut read) = (0, 0);
        for _ in 0..SHARDS {
            if read >= TTL_ITEMS_PER_SWEEP {
                break;
            }
            let index = self.ttl_next_shard.load(Ordering::Relaxed);
            self.ttl_next_shard
                .store((index + 1) % SHARDS, Ordering::Relaxed);
            let mut shard = self.shard(index);
            let due: Vec<ItemKey> = shard
                .items
                .iter()
                .inspect(|_| read += 1)
                .filter(|(key, item)| {
                    !self.is_claimed(key)
                        && matches!(item.attribute(&attribute), Some(Av::N(n))
                            if n.to_string().parse::<f64>().is_ok_and(|at| at < now_epoch && at > oldest))
                })
                .map(|(key, _)| key.into_owned())
                .collect();
            for key in due {
                shard.delete_by(&key, Origin::TimeToLive);
                expired += 1;
            }
        }
        expired
    }
}

/// One locked shard: reads and writes of its items keep the table's counters exact.
/// Takes an admitted write's units from the table (`base`, held by the caller) and its indexes.
fn take_write_from(
    base: &mut TableCapacity,
    partition: &KeyValue,
    units: f64,
    index_writes: &[IndexWrite],
    now: f64,
) {
    let mut base_units = units;
    for write in index_writes {
        if write.index.local {
            // A local index's writes are the table's own.
            base_units += write.units;
        } else {
            lock(&write.index.capacity).take(Kind::Write, Some(&write.partition), write.units, now);
        }
    }
    base.take(Kind::Write, Some(partition), base_units, now);
}

pub struct ShardGuard<'t> {
    table: &'t Table,
    pub items: MutexGuard<'t, Shard>,
}

impl ShardGuard<'_> {
    /// Who must hear of a write: the table's indexes and its stream; None when there are neither.
    fn followers(&self) -> Option<Followers> {
        let indexes = self.table.indexes();
        let stream = self.table.stream();
        (!indexes.is_empty() || stream.is_some()).then_some((indexes, stream))
    }

    /// Every write goes through here when it has `followers`: each index moves the item's entry
    /// from `old` (as stored) to `new`, and the stream, if one is enabled, records the change.
    fn follow_write(
        &self,
        (indexes, stream): Followers,
        key: &ItemKey,
        old: Option<&Stored>,
        new: Option<&Item>,
        origin: Origin,
    ) {
        let old = old.map(Stored::decode);
        for index in indexes.iter() {
            index.apply(key, old.as_ref(), new, &self.table.schema);
        }
        if let Some(stream) = stream {
            stream.record(key, old.as_ref(), new, origin);
        }
    }

    /// The item at `key`, decoded.
    pub fn get(&self, key: &ItemKey) -> Option<Item> {
        self.items.get(key).map(|stored| stored.decode())
    }

    pub fn put(&mut self, key: ItemKey, item: Item) {
        // The item it replaces is looked up (read from disk, under --data-dir) only for an index or
        // a stream; the insert below finds it again for the sizes.
        if let Some(followers) = self.followers() {
            let old = self.items.get(&key);
            self.follow_write(
                followers,
                &key,
                old.as_deref(),
                Some(&item),
                Origin::Request,
            );
        }
        let stored = Stored::encode(&item);
        let size = stored.size() as i64;
        let old_size = self.items.insert(key, stored).map(|old| old.size() as i64);
        self.table
            .size_bytes
            .fetch_add(size - old_size.unwrap_or(0), Ordering::Relaxed);
        if old_size.is_none() {
            self.table.item_count.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn delete(&mut self, key: &ItemKey) {
        self.delete_by(key, Origin::Request);
    }

    /// Deletes for a request, or for Time to Live (which its stream record says).
    pub fn delete_by(&mut self, key: &ItemKey, origin: Origin) {
        let Some(old) = self.items.remove(key) else {
            return;
        };
        if let Some(followers) = self.followers() {
            self.follow_write(followers, key, Some(&old), None, origin);
        }
        self.table.item_count.fetch_sub(1, Ordering::Relaxed);
        self.table
            .size_bytes
            .fetch_sub(old.size() as i64, Ordering::Relaxed);
    }
}
