//! Tables on disk for `serve --data-dir`: one redb database file holding every table's items (a
//! redb table per shard) and a journal of the table operations that made the tables, replayed when
//! the endpoint starts again on the same directory.
//!
//! A shard's writes are held in memory (reads see them) and written a thousand at a time without
//! waiting for the disk; every sweep of the server's clock, and when it stops, the endpoint writes
//! what is held and makes it durable (`Table::write_to_disk`, `Disk::flush`), so a crash loses at
//! most the last few seconds.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, RwLock};

use redb::{Database, Durability, ReadableTable, TableDefinition, TypeName};
use serde_json::Value;

use crate::compact::{decode_key, encode_key, Stored};
use crate::shard::Rows;
use crate::table::{lock, ItemKey, SHARDS};

/// The database file `--data-dir` holds.
pub const FILE_NAME: &str = "ddbload.redb";
/// redb's page cache: what a disk-backed endpoint holds of its items in memory.
const CACHE_BYTES: usize = 64 * 1024 * 1024;
/// Sequence number -> `{"operation": ..., "request": ...}` of each table operation that succeeded.
const JOURNAL: TableDefinition<u64, &str> = TableDefinition::new("journal");
/// The region the tables were made in: their ARNs, and the journal's (TagResource names ARNs).
const REGION: TableDefinition<(), &str> = TableDefinition::new("region");

/// Item keys on disk, ordered exactly as `ItemKey` orders them (hash, then key values: numbers by
/// value, not by their bytes).
#[derive(Debug)]
pub struct DiskKey;

impl redb::Value for DiskKey {
    type SelfType<'a> = &'a [u8];
    type AsBytes<'a> = &'a [u8];

    fn fixed_width() -> Option<usize> {
        None
    }

    fn from_bytes<'a>(data: &'a [u8]) -> &'a [u8]
    where
        Self: 'a,
    {
        data
    }

    fn as_bytes<'a, 'b: 'a>(value: &'a &'b [u8]) -> &'a [u8]
    where
        Self: 'b,
    {
        value
    }

    fn type_name() -> TypeName {
        TypeName::new("ddbload::ItemKey")
    }
}

impl redb::Key for DiskKey {
    fn compare(data1: &[u8], data2: &[u8]) -> Ordering {
        // The hash comes first and almost always differs: decode only on a tie.
        data1[..8]
            .cmp(&data2[..8])
            .then_with(|| decode_key(data1).cmp(&decode_key(data2)))
    }
}

/// One shard's items, by name (`items/<incarnation>/<shard>`).
type Items<'name> = TableDefinition<'name, DiskKey, &'static [u8]>;

/// A table operation as the journal keeps it.
pub struct JournalEntry {
    pub seq: u64,
    pub operation: String,
    pub request: Value,
}

/// A disk fault: the endpoint cannot go on with what it promised to keep, so the request fails loudly.
fn fault(error: impl fmt::Display) -> ! {
    panic!("ddbload serve --data-dir: the data file failed: {error}")
}

trait OrFault<T> {
    fn or_fault(self) -> T;
}

impl<T, E: fmt::Display> OrFault<T> for Result<T, E> {
    fn or_fault(self) -> T {
        self.unwrap_or_else(|e| fault(e))
    }
}

pub struct Disk {
    /// None once closed (the server stopped): a straggler, such as an index's backfill, then reads
    /// nothing.
    db: RwLock<Option<Database>>,
    path: PathBuf,
    /// The next journal sequence number; held while a table operation runs, so they run one at a time.
    next_seq: Mutex<u64>,
    /// The sequence number of the table operation running now (CreateTable names its items by it).
    current_seq: AtomicU64,
    /// Whether the table operation running now is replayed from the journal.
    replaying: AtomicBool,
    /// Items of deleted tables, deleted once the DeleteTable is journaled: a crash in between leaves
    /// them to the replayed DeleteTable, never a table come back empty.
    to_drop: Mutex<Vec<u64>>,
}

impl Disk {
    /// Opens (or creates) `dir/ddbload.redb` for tables of `region`, creating `dir` if it does not
    /// exist. Every fault is an InvalidData error that names the path; so is a file of another region.
    pub fn open(dir: &Path, region: &str) -> io::Result<Disk> {
        let refused = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
        if dir.exists() && !dir.is_dir() {
            return Err(refused(format!("{} is not a directory", dir.display())));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| refused(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(FILE_NAME);
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(&path)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => refused(format!(
                    "cannot open {}: another ddbload serve has it open",
                    path.display()
                )),
                e => refused(format!("cannot open {}: {e}", path.display())),
            })?;
        let disk = Disk {
            db: RwLock::new(Some(db)),
            path,
            next_seq: Mutex::new(0),
            current_seq: AtomicU64::new(0),
            replaying: AtomicBool::new(false),
            to_drop: Mutex::default(),
        };
        let last = disk.journal()?.last().map_or(0, |entry| entry.seq);
        *lock(&disk.next_seq) = last + 1;
        let kept = disk.write(Durability::Immediate, |txn| {
            let mut table = txn.open_table(REGION).or_fault();
            let kept = table.get(()).or_fault().map(|r| r.value().to_owned());
            if kept.is_none() {
                table.insert((), region).or_fault();
            }
            kept
        });
        match kept {
            Some(kept) if kept != region => Err(refused(format!(
                "{} holds tables of region {kept}, not {region}: serve it in {kept}",
                disk.path.display()
            ))),
            _ => Ok(disk),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every table operation recorded, oldest first.
    pub fn journal(&self) -> io::Result<Vec<JournalEntry>> {
        let invalid = |e: &dyn fmt::Display| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("cannot read {}: {e}", self.path.display()),
            )
        };
        let Some(read) = self.begin_read() else {
            return Ok(Vec::new());
        };
        let journal = match read.open_table(JOURNAL) {
            Ok(journal) => journal,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(invalid(&e)),
        };
        let mut entries = Vec::new();
        for row in journal.iter().map_err(|e| invalid(&e))? {
            let (seq, text) = row.map_err(|e| invalid(&e))?;
            let mut record: Value = serde_json::from_str(text.value()).map_err(|e| invalid(&e))?;
            entries.push(JournalEntry {
                seq: seq.value(),
                operation: record["operation"].as_str().unwrap_or_default().to_owned(),
                request: record["request"].take(),
            });
        }
        Ok(entries)
    }

    /// Runs one table operation and journals it if it succeeds, or replays journal entry
    /// `replaying` (not journaled again). Table operations run one at a time.
    pub fn record<T, E>(
        &self,
        operation: &str,
        request: &Value,
        replaying: Option<u64>,
        run: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let mut next = lock(&self.next_seq);
        let seq = replaying.unwrap_or(*next);
        self.current_seq.store(seq, AtomicOrdering::Release);
        self.replaying
            .store(replaying.is_some(), AtomicOrdering::Release);
        let result = run();
        self.replaying.store(false, AtomicOrdering::Release);
        *next = (*next).max(seq + 1);
        if result.is_ok() && replaying.is_none() {
            let record = serde_json::json!({"operation": operation, "request": request});
            self.write(Durability::Immediate, |txn| {
                txn.open_table(JOURNAL)
                    .or_fault()
                    .insert(seq, record.to_string().as_str())
                    .or_fault();
            });
        }
        let dropped = std::mem::take(&mut *lock(&self.to_drop));
        for incarnation in dropped {
            self.drop_table(incarnation);
        }
        result
    }

    /// The sequence number of the table operation running now.
    pub fn current_seq(&self) -> u64 {
        self.current_seq.load(AtomicOrdering::Acquire)
    }

    /// Whether the table operation running now is replayed from the journal at start.
    pub fn is_replaying(&self) -> bool {
        self.replaying.load(AtomicOrdering::Acquire)
    }

    /// One shard of the table that operation `incarnation` created.
    pub fn shard(self: &Arc<Self>, incarnation: u64, shard: usize) -> DiskShard {
        DiskShard {
            disk: self.clone(),
            name: shard_name(incarnation, shard),
            pending: BTreeMap::new(),
        }
    }

    /// Deletes the items of the table that operation `incarnation` created, once the operation
    /// running now (a DeleteTable) is journaled.
    pub fn drop_after_journal(&self, incarnation: u64) {
        lock(&self.to_drop).push(incarnation);
    }

    fn drop_table(&self, incarnation: u64) {
        self.write(Durability::Immediate, |txn| {
            for shard in 0..SHARDS {
                txn.delete_table(Items::new(&shard_name(incarnation, shard)))
                    .or_fault();
            }
        });
    }

    /// Makes every write so far durable.
    pub fn flush(&self) {
        if self.is_open() {
            self.write(Durability::Immediate, |_| ());
        }
    }

    /// Closes the file, so another server can open the directory (`Store::flush_disk` first makes
    /// every write durable).
    pub fn close(&self) {
        *self.db.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn is_open(&self) -> bool {
        self.db.read().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// A snapshot to read, or None once closed.
    fn begin_read(&self) -> Option<redb::ReadTransaction> {
        let db = self.db.read().unwrap_or_else(|p| p.into_inner());
        Some(db.as_ref()?.begin_read().or_fault())
    }

    fn write<T>(
        &self,
        durability: Durability,
        work: impl FnOnce(&redb::WriteTransaction) -> T,
    ) -> T {
        let db = self.db.read().unwrap_or_else(|p| p.into_inner());
        let db = db
            .as_ref()
            .unwrap_or_else(|| fault("written after the server stopped"));
        let mut txn = db.begin_write().or_fault();
        txn.set_durability(durability);
        let out = work(&txn);
        txn.commit().or_fault();
        out
    }
}

fn shard_name(incarnation: u64, shard: usize) -> String {
    format!("items/{incarnation}/{shard}")
}

/// Writes a shard holds before writing them to disk in one transaction: a commit per request would
/// cost more than the request (and redb frees pages only at commits that wait for the disk).
const PENDING_WRITES: usize = 1024;

/// One shard's items on disk, and its writes not yet written there (reads see them first).
pub struct DiskShard {
    disk: Arc<Disk>,
    name: String,
    /// Item or deletion by key, newest only.
    pending: BTreeMap<ItemKey, Option<Stored>>,
}

impl DiskShard {
    fn definition(&self) -> Items<'_> {
        Items::new(&self.name)
    }

    fn read(&self) -> Option<redb::ReadOnlyTable<DiskKey, &'static [u8]>> {
        let txn = self.disk.begin_read()?;
        match txn.open_table(self.definition()) {
            Ok(table) => Some(table),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(e) => fault(e),
        }
    }

    pub fn get(&self, key: &ItemKey) -> Option<Stored> {
        if let Some(pending) = self.pending.get(key) {
            return pending.clone();
        }
        let table = self.read()?;
        let found = table.get(encode_key(key).as_slice()).or_fault();
        found.map(|value| Stored::from_disk(value.value()))
    }

    /// Stores `stored` at `key` (None deletes it), returning what was there.
    pub fn set(&mut self, key: ItemKey, stored: Option<Stored>) -> Option<Stored> {
        let old = self.get(&key);
        if old.is_none() && stored.is_none() {
            return None;
        }
        self.pending.insert(key, stored);
        if self.pending.len() >= PENDING_WRITES {
            self.write_pending();
        }
        old
    }

    /// Writes the pending writes to disk (not waiting for the disk: `Disk::flush` does).
    pub fn write_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let definition = self.definition();
        self.disk.write(Durability::Eventual, |txn| {
            let mut table = txn.open_table(definition).or_fault();
            for (key, stored) in pending {
                let key = encode_key(&key);
                match stored {
                    Some(stored) => drop(table.insert(key.as_slice(), stored.to_disk()).or_fault()),
                    None => drop(table.remove(key.as_slice()).or_fault()),
                }
            }
        });
    }

    /// The shard's items from `from` on, in key order: the pending writes over one disk snapshot.
    pub fn range(&self, from: Bound<&ItemKey>) -> Rows<'_> {
        let on_disk: Rows<'_> = match self.read() {
            None => Box::new(std::iter::empty()),
            Some(table) => {
                let start = from.map(encode_key);
                let bounds = (start.as_ref().map(Vec::as_slice), Bound::Unbounded);
                let rows = table.range::<&[u8]>(bounds).or_fault();
                Box::new(rows.map(|row| {
                    let (key, value) = row.or_fault();
                    (
                        Cow::Owned(decode_key(key.value())),
                        Cow::Owned(Stored::from_disk(value.value())),
                    )
                }))
            }
        };
        let pending = self.pending.range((from, Bound::Unbounded));
        Box::new(Overlaid {
            pending: pending.peekable(),
            on_disk: on_disk.peekable(),
        })
    }
}

/// Pending writes merged over rows read from disk, both in key order: a pending write replaces the
/// row of its key, and a pending deletion hides it.
struct Overlaid<'a, P: Iterator<Item = (&'a ItemKey, &'a Option<Stored>)>> {
    pending: std::iter::Peekable<P>,
    on_disk: std::iter::Peekable<Rows<'a>>,
}

impl<'a, P: Iterator<Item = (&'a ItemKey, &'a Option<Stored>)>> Iterator for Overlaid<'a, P> {
    type Item = (Cow<'a, ItemKey>, Cow<'a, Stored>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let order = match (self.pending.peek(), self.on_disk.peek()) {
                (None, None) => return None,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((pending, _)), Some((on_disk, _))) => (*pending).cmp(on_disk.as_ref()),
            };
            if order == Ordering::Greater {
                return self.on_disk.next();
            }
            if order == Ordering::Equal {
                self.on_disk.next();
            }
            let (key, stored) = self.pending.next().expect("peeked");
            if let Some(stored) = stored {
                return Some((Cow::Borrowed(key), Cow::Borrowed(stored)));
            }
        }
    }
}
