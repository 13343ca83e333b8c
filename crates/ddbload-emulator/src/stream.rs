//! A table's DynamoDB stream: every change to an item (not a write that changes nothing) as one record,
//! appended under the item's shard lock so each key's records are in the order its writes were made,
//! kept 24 hours by the endpoint's clock. One shard per stream.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::clock::Clock;
use crate::compact::Stored;
use crate::table::{lock, ItemKey, KeySchema};
use crate::value::{item_size, item_to_json, Item};

/// DynamoDB keeps stream records for 24 hours.
pub const RETENTION_SECONDS: f64 = 24.0 * 3600.0;
/// A stream's first sequence number: DynamoDB's start well above zero; any increasing number will do.
const FIRST_SEQUENCE: u64 = 100_000_000_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewType {
    KeysOnly,
    NewImage,
    OldImage,
    NewAndOldImages,
}

impl ViewType {
    pub fn parse(text: &str) -> Option<ViewType> {
        match text {
            "KEYS_ONLY" => Some(Self::KeysOnly),
            "NEW_IMAGE" => Some(Self::NewImage),
            "OLD_IMAGE" => Some(Self::OldImage),
            "NEW_AND_OLD_IMAGES" => Some(Self::NewAndOldImages),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::KeysOnly => "KEYS_ONLY",
            Self::NewImage => "NEW_IMAGE",
            Self::OldImage => "OLD_IMAGE",
            Self::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }

    fn new_image(self) -> bool {
        matches!(self, Self::NewImage | Self::NewAndOldImages)
    }

    fn old_image(self) -> bool {
        matches!(self, Self::OldImage | Self::NewAndOldImages)
    }
}

/// Who made a change: an application, or DynamoDB's Time to Live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Request,
    TimeToLive,
}

/// One record as kept: the change, its images in the compact item encoding (`compact.rs`, about an
/// item's DynamoDB size each), turned into DynamoDB's JSON only when GetRecords reads it.
pub struct Record {
    pub sequence: u64,
    /// When it was written, on the endpoint's clock.
    pub at: f64,
    event: &'static str,
    key: ItemKey,
    new: Option<Stored>,
    old: Option<Stored>,
    by_time_to_live: bool,
}

struct Log {
    records: VecDeque<Record>,
    next_sequence: u64,
    /// When the stream was disabled (its shard then closed), on the endpoint's clock.
    disabled_at: Option<f64>,
}

pub struct Stream {
    pub arn: String,
    pub label: String,
    pub table: String,
    pub view_type: ViewType,
    pub key_schema: KeySchema,
    /// Epoch seconds when the stream was enabled.
    pub created_epoch: f64,
    pub shard_id: String,
    region: String,
    clock: Arc<dyn Clock>,
    epoch_at_zero: f64,
    log: Mutex<Log>,
}

impl Stream {
    pub fn new(
        table: &str,
        table_arn: &str,
        key_schema: KeySchema,
        view_type: ViewType,
        region: &str,
        clock: Arc<dyn Clock>,
        epoch_at_zero: f64,
    ) -> Stream {
        let created_epoch = epoch_at_zero + clock.now();
        let label = label_of(created_epoch);
        Stream {
            arn: format!("{table_arn}/stream/{label}"),
            shard_id: format!(
                "shardId-{:020}-{:08x}",
                (created_epoch * 1000.0) as u64,
                fnv(&label)
            ),
            label,
            table: table.to_owned(),
            view_type,
            key_schema,
            created_epoch,
            region: region.to_owned(),
            clock,
            epoch_at_zero,
            log: Mutex::new(Log {
                records: VecDeque::new(),
                next_sequence: FIRST_SEQUENCE,
                disabled_at: None,
            }),
        }
    }

    pub fn now(&self) -> f64 {
        self.clock.now()
    }

    pub fn is_enabled(&self) -> bool {
        lock(&self.log).disabled_at.is_none()
    }

    /// When the stream was disabled, on the endpoint's clock (None: still enabled).
    pub fn disabled_at(&self) -> Option<f64> {
        lock(&self.log).disabled_at
    }

    pub fn disable(&self) {
        let now = self.now();
        lock(&self.log).disabled_at.get_or_insert(now);
    }

    /// Records a change of the item at `key` from `old` to `new` (None: absent); a write that leaves
    /// the item as it was is not recorded, as DynamoDB does.
    pub fn record(&self, key: &ItemKey, old: Option<&Item>, new: Option<&Item>, origin: Origin) {
        if old == new {
            return;
        }
        let event = match (old, new) {
            (None, Some(_)) => "INSERT",
            (Some(_), Some(_)) => "MODIFY",
            _ => "REMOVE",
        };
        let now = self.now();
        // Encoded before the log is locked (writes to every shard share it); numbered under it.
        let mut record = Record {
            sequence: 0,
            at: now,
            event,
            key: key.clone(),
            new: new
                .filter(|_| self.view_type.new_image())
                .map(Stored::encode),
            old: old
                .filter(|_| self.view_type.old_image())
                .map(Stored::encode),
            by_time_to_live: origin == Origin::TimeToLive,
        };
        let mut log = lock(&self.log);
        if log.disabled_at.is_some() {
            return;
        }
        record.sequence = log.next_sequence;
        log.next_sequence += 1;
        log.records.push_back(record);
        trim(&mut log, now);
    }

    /// The log with records past retention dropped, and its first sequence number still kept (or
    /// the next to be written).
    fn trimmed_log(&self) -> (std::sync::MutexGuard<'_, Log>, u64) {
        let mut log = lock(&self.log);
        trim(&mut log, self.now());
        let first = log
            .records
            .front()
            .map_or(log.next_sequence, |r| r.sequence);
        (log, first)
    }

    /// The first sequence number still kept (or the next to be written), and the last written.
    pub fn range(&self) -> (u64, Option<u64>) {
        let (log, first) = self.trimmed_log();
        let last = (log.next_sequence > FIRST_SEQUENCE).then(|| log.next_sequence - 1);
        (first, last)
    }

    /// The shard's ending sequence number once the stream is disabled.
    pub fn ending_sequence(&self) -> Option<u64> {
        let log = lock(&self.log);
        log.disabled_at.map(|_| log.next_sequence.saturating_sub(1))
    }

    /// Up to `limit` records from sequence number `from` on, and where the next read starts; None
    /// when `from` has been trimmed (older than 24 hours).
    pub fn read(&self, from: u64, limit: usize) -> Option<(Vec<Value>, u64)> {
        let (log, first) = self.trimmed_log();
        if from < first {
            return None;
        }
        // Sequence numbers follow one another in the log, so `from` is found by subtraction.
        let skip =
            usize::try_from(from - first).map_or(log.records.len(), |n| n.min(log.records.len()));
        let read: Vec<&Record> = log.records.range(skip..).take(limit).collect();
        let next = read.last().map_or(from, |last| last.sequence + 1);
        Some((read.into_iter().map(|r| self.json_of(r)).collect(), next))
    }

    /// A record as GetRecords answers it.
    fn json_of(&self, record: &Record) -> Value {
        let keys = self.key_schema.key_item(&record.key);
        let mut size = item_size(&keys);
        let mut change = json!({
            "ApproximateCreationDateTime": (self.epoch_at_zero + record.at).floor(),
            "Keys": item_to_json(&keys),
            "SequenceNumber": sequence_text(record.sequence),
            "StreamViewType": self.view_type.name(),
        });
        for (member, image) in [("NewImage", &record.new), ("OldImage", &record.old)] {
            if let Some(image) = image {
                let item = image.decode();
                change[member] = item_to_json(&item);
                size += item_size(&item);
            }
        }
        change["SizeBytes"] = json!(size);
        let id = (u128::from(fnv(&self.arn)) << 64) | u128::from(record.sequence);
        let mut answer = json!({
            "eventID": format!("{id:032x}"),
            "eventName": record.event,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            "dynamodb": change,
        });
        if record.by_time_to_live {
            answer["userIdentity"] =
                json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
        }
        answer
    }

    /// Whether the shard is closed and `from` is past its last record: a reader is done.
    pub fn is_exhausted(&self, from: u64) -> bool {
        let log = lock(&self.log);
        log.disabled_at.is_some() && from >= log.next_sequence
    }
}

fn trim(log: &mut Log, now: f64) {
    while log
        .records
        .front()
        .is_some_and(|r| now - r.at > RETENTION_SECONDS)
    {
        log.records.pop_front();
    }
}

pub fn sequence_text(sequence: u64) -> String {
    format!("{sequence:021}")
}

/// A stream label as DynamoDB writes one: the enabling time, ISO 8601 to the millisecond.
fn label_of(epoch: f64) -> String {
    let millis = (epoch * 1000.0) as i64;
    let (days, rest) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

/// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_iso_dates_to_the_millisecond() {
        assert_eq!(label_of(0.0), "1970-01-01T00:00:00.000");
        assert_eq!(label_of(1_796_000_000.123), "2026-11-30T00:53:20.123");
    }
}
