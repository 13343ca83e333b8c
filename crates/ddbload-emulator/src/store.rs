//! The endpoint's tables by name, its clock (one for capacity, TTL, auto scaling and client tokens)
//! and the region. Table operations lock the map; item
//! operations only look a table up and then work on that table's own shards.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::autoscaling::AutoScaling;
use crate::clock::Clock;
use crate::disk::Disk;
use crate::error::ApiError;
use crate::shard::Storage;
use crate::stream::{Stream, RETENTION_SECONDS};
use crate::table::Table;

/// Whether a deleted table's stream disabled at `disabled` (the clock's time) is still kept at `now`.
fn still_kept(disabled: f64, now: f64) -> bool {
    now - disabled < RETENTION_SECONDS
}

pub struct Store {
    tables: RwLock<BTreeMap<String, Arc<Table>>>,
    /// Application Auto Scaling's targets, policies and activities.
    pub autoscaling: Mutex<AutoScaling>,
    pub clock: Arc<dyn Clock>,
    /// Wall-clock time (epoch seconds) when the clock read 0: `epoch()` follows the clock from there.
    epoch_at_zero: f64,
    pub region: String,
    /// Under `serve --data-dir`: where tables keep their items and table operations are journaled.
    pub disk: Option<Arc<Disk>>,
    /// Milliseconds a new table stays CREATING (`serve --create-table-ms`; 0: ACTIVE at once).
    create_table_ms: AtomicU64,
    /// Milliseconds a capacity change keeps its table UPDATING (`serve --update-table-ms`; 0: in
    /// force at once).
    update_table_ms: AtomicU64,
    /// Milliseconds a deleted table stays DELETING (`serve --delete-table-ms`; 0: gone at once).
    delete_table_ms: AtomicU64,
    /// Streams of deleted tables, DISABLED and readable for 24 hours after the deletion, as
    /// DynamoDB's DeleteTable documents; each with when it was disabled (the clock's time).
    deleted_streams: Mutex<Vec<(Arc<Stream>, f64)>>,
}

impl Store {
    pub fn new(clock: Arc<dyn Clock>, region: &str) -> Self {
        Self {
            tables: RwLock::default(),
            autoscaling: Mutex::default(),
            epoch_at_zero: epoch_seconds() - clock.now(),
            clock,
            region: region.to_owned(),
            disk: None,
            create_table_ms: AtomicU64::new(0),
            update_table_ms: AtomicU64::new(0),
            delete_table_ms: AtomicU64::new(0),
            deleted_streams: Mutex::default(),
        }
    }

    /// How long each table created from now on stays CREATING before it is ACTIVE.
    pub fn set_create_table_ms(&self, ms: u64) {
        self.create_table_ms.store(ms, Ordering::Relaxed);
    }

    pub fn create_table_ms(&self) -> u64 {
        self.create_table_ms.load(Ordering::Relaxed)
    }

    /// How long each capacity change from now on keeps its table UPDATING, serving the old figures.
    pub fn set_update_table_ms(&self, ms: u64) {
        self.update_table_ms.store(ms, Ordering::Relaxed);
    }

    pub fn update_table_ms(&self) -> u64 {
        self.update_table_ms.load(Ordering::Relaxed)
    }

    /// How long each table deleted from now on stays DELETING before it is gone.
    pub fn set_delete_table_ms(&self, ms: u64) {
        self.delete_table_ms.store(ms, Ordering::Relaxed);
    }

    pub fn delete_table_ms(&self) -> u64 {
        self.delete_table_ms.load(Ordering::Relaxed)
    }

    /// When a table created now becomes ACTIVE, on `epoch()`'s scale (a replayed creation at once).
    pub fn active_at_for_new_table(&self) -> f64 {
        if self.is_replaying() {
            return 0.0;
        }
        self.epoch() + self.create_table_ms() as f64 / 1000.0
    }

    /// A store whose tables keep their items in `disk`.
    pub fn on_disk(clock: Arc<dyn Clock>, region: &str, disk: Disk) -> Self {
        Self {
            disk: Some(Arc::new(disk)),
            ..Store::new(clock, region)
        }
    }

    /// Whether the table operation running now is replayed from `--data-dir`'s journal at start.
    pub fn is_replaying(&self) -> bool {
        self.disk.as_ref().is_some_and(|disk| disk.is_replaying())
    }

    /// Where a table being created keeps its items: on disk, named by the table operation creating
    /// it, or in memory.
    pub fn new_table_storage(&self) -> Storage {
        match &self.disk {
            Some(disk) => Storage::disk(disk, disk.current_seq()),
            None => Storage::memory(),
        }
    }

    pub fn tables(&self) -> RwLockReadGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.tables
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn tables_mut(&self) -> RwLockWriteGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.tables
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A table for a read or write of its items: one still CREATING is not found yet, and one
    /// DELETING no longer, as in DynamoDB.
    pub fn table(&self, name: &str) -> Result<Arc<Table>, ApiError> {
        let epoch = self.epoch();
        self.any_table(name)
            .filter(|table| !table.is_creating(epoch) && !table.is_deleting(epoch))
            .ok_or_else(ApiError::table_not_found)
    }

    /// A table for a table operation, whose not-found error names the table (CREATING or not).
    pub fn control_plane_table(&self, name: &str) -> Result<Arc<Table>, ApiError> {
        self.any_table(name)
            .ok_or_else(|| ApiError::table_not_found_named(name))
    }

    /// The table of that name, whatever its status (one whose DELETING is over is gone).
    pub fn any_table(&self, name: &str) -> Option<Arc<Table>> {
        let epoch = self.epoch();
        self.tables()
            .get(name)
            .filter(|table| !table.is_gone(epoch))
            .cloned()
    }

    /// Keeps a deleted table's streams (already disabled) readable for 24 hours from when each was
    /// disabled.
    pub fn keep_streams_of_deleted_table(&self, streams: Vec<Arc<Stream>>) {
        let now = self.now();
        let mut kept = crate::table::lock(&self.deleted_streams);
        kept.extend(streams.into_iter().map(|stream| {
            let disabled = stream.disabled_at().unwrap_or(now);
            (stream, disabled)
        }));
    }

    /// The streams of deleted tables, within their 24 hours.
    pub fn streams_of_deleted_tables(&self) -> Vec<Arc<Stream>> {
        let now = self.now();
        crate::table::lock(&self.deleted_streams)
            .iter()
            .filter(|(_, disabled)| still_kept(*disabled, now))
            .map(|(stream, _)| stream.clone())
            .collect()
    }

    /// Lets go of the tables whose DELETING is over, and of deleted tables' streams past 24 hours.
    fn forget_gone_tables(&self) {
        let epoch = self.epoch();
        if self.tables().values().any(|table| table.is_gone(epoch)) {
            self.tables_mut().retain(|_, table| !table.is_gone(epoch));
        }
        let now = self.now();
        crate::table::lock(&self.deleted_streams)
            .retain(|(_, disabled)| still_kept(*disabled, now));
    }

    /// Seconds on the endpoint's clock: what capacity, auto scaling, TTL and client tokens follow.
    pub fn now(&self) -> f64 {
        self.clock.now()
    }

    /// The endpoint's clock as epoch seconds (TTL values, timestamps in answers).
    pub fn epoch(&self) -> f64 {
        self.epoch_at_zero + self.clock.now()
    }

    /// A time on the endpoint's clock (`now`'s seconds) as epoch seconds.
    pub fn epoch_of(&self, at: f64) -> f64 {
        self.epoch_at_zero + at
    }

    /// What the endpoint does by itself as its clock runs: deletes expired items in every table
    /// with TTL enabled, evaluates every auto scaling target's policies and, on disk, makes the
    /// writes so far durable. The server calls it
    /// every few seconds of its clock (`server::SWEEP_SECONDS`). Returns the items deleted.
    pub fn tick(&self) -> usize {
        self.forget_gone_tables();
        let epoch = self.epoch();
        let tables: Vec<Arc<Table>> = self.tables().values().cloned().collect();
        let expired = tables
            .iter()
            .filter(|t| !t.is_deleting(epoch))
            .map(|t| t.expire(epoch))
            .sum();
        crate::autoscaling::evaluate(self, self.now());
        self.flush_disk();
        expired
    }

    /// On disk: writes every table's writes held in memory and makes everything durable.
    pub fn flush_disk(&self) {
        let Some(disk) = &self.disk else {
            return;
        };
        let tables: Vec<Arc<Table>> = self.tables().values().cloned().collect();
        for table in tables {
            table.write_to_disk();
        }
        disk.flush();
    }

    /// The table an ARN names (tagging takes ARNs).
    pub fn table_by_arn(&self, arn: &str) -> Result<Arc<Table>, ApiError> {
        let prefix = format!(
            "arn:aws:dynamodb:{}:{}:table/",
            self.region,
            crate::table::ACCOUNT
        );
        match arn.strip_prefix(&prefix) {
            Some(name) if !name.contains('/') => self
                .any_table(name)
                .ok_or_else(|| ApiError::resource_not_found(arn)),
            _ => Err(ApiError::invalid_table_arn(arn)),
        }
    }

    pub fn arn(&self, table: &str) -> String {
        format!(
            "arn:aws:dynamodb:{}:{}:table/{table}",
            self.region,
            crate::table::ACCOUNT
        )
    }
}

pub fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| (d.as_millis() as f64) / 1000.0)
        .unwrap_or_default()
}
