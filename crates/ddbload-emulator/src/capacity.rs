//! The emulator's capacity model, after the DynamoDB developer guide: read/write unit rounding,
//! provisioned token buckets with up to 300 s of burst credit, on-demand tables that serve their warm
//! throughput (12,000 / 4,000 for a new table) or twice their previous peak, per-partition-key limits
//! of 3,000 read and 1,000 write units per second, and the 4-per-24-hours switch to on-demand.
//! Time comes from a Clock (clock.rs) so the model is tested on simulated time.

use std::collections::{HashMap, VecDeque};

use crate::error::ApiError;
use crate::value::KeyValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    Eventual,
    Strong,
    Transactional,
}

/// Read units for `bytes` read in one item (or one Query/Scan page): 4 KB blocks, rounded up.
pub fn read_units(bytes: usize, consistency: Consistency) -> f64 {
    let blocks = bytes.div_ceil(4096).max(1) as f64;
    blocks
        * match consistency {
            Consistency::Eventual => 0.5,
            Consistency::Strong => 1.0,
            Consistency::Transactional => 2.0,
        }
}

/// Write units for an item of `bytes`: 1 KB blocks, rounded up; transactions cost double.
pub fn write_units(bytes: usize, transactional: bool) -> f64 {
    let blocks = bytes.div_ceil(1024).max(1) as f64;
    if transactional {
        blocks * 2.0
    } else {
        blocks
    }
}

pub const BURST_SECONDS: f64 = 300.0;
pub const PARTITION_READ: f64 = 3000.0;
pub const PARTITION_WRITE: f64 = 1000.0;
pub const NEW_ON_DEMAND: (f64, f64) = (12000.0, 4000.0);
pub const TABLE_QUOTA: f64 = 40000.0;
pub const SWITCHES_PER_DAY: usize = 4;
pub const GROWTH_WINDOW_S: f64 = 1800.0;

/// A token bucket: `rate` units a second, holding at most `capacity`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub rate: f64,
    pub capacity: f64,
    tokens: f64,
    last: f64,
}

impl Bucket {
    pub fn full(rate: f64, burst_seconds: f64, now: f64) -> Self {
        let capacity = (rate * burst_seconds).max(rate);
        Self {
            rate,
            capacity,
            tokens: capacity,
            last: now,
        }
    }

    fn refill(&mut self, now: f64) {
        if now > self.last {
            self.tokens = (self.tokens + (now - self.last) * self.rate).min(self.capacity);
            self.last = now;
        }
    }

    /// Whether a request may go ahead: any credit left lets it through (it may go into debt, as a
    /// large item does), none throttles it.
    pub fn allows(&mut self, now: f64) -> bool {
        self.refill(now);
        self.tokens > 0.0
    }

    pub fn take(&mut self, units: f64) {
        self.tokens -= units;
    }

    /// This bucket at a new rate: the credit it holds now is kept, up to the new capacity.
    fn resized(&mut self, rate: f64, burst_seconds: f64, now: f64) -> Bucket {
        let tokens = self.tokens(now);
        let mut bucket = Bucket::full(rate, burst_seconds, now);
        bucket.tokens = tokens.min(bucket.capacity);
        bucket
    }

    pub fn tokens(&mut self, now: f64) -> f64 {
        self.refill(now);
        self.tokens
    }
}

/// How a table or index is billed: the one place its mode and provisioned figures live.
#[derive(Debug, Clone, PartialEq)]
pub enum Billing {
    Provisioned { read: f64, write: f64 },
    OnDemand,
}

impl Billing {
    pub fn provisioned(read: i64, write: i64) -> Billing {
        Billing::Provisioned {
            read: read as f64,
            write: write as f64,
        }
    }

    /// The provisioned figures as DescribeTable gives them (0, 0 when on-demand).
    pub fn units(&self) -> (i64, i64) {
        match self {
            Billing::Provisioned { read, write } => (*read as i64, *write as i64),
            Billing::OnDemand => (0, 0),
        }
    }

    pub fn is_provisioned(&self) -> bool {
        matches!(self, Billing::Provisioned { .. })
    }

    /// DynamoDB's name for the mode.
    pub fn name(&self) -> &'static str {
        match self {
            Billing::Provisioned { .. } => "PROVISIONED",
            Billing::OnDemand => "PAY_PER_REQUEST",
        }
    }
}

/// The limit a throttled request ran into: the last part of DynamoDB's ThrottlingReasons reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    ProvisionedThroughput,
    KeyRangeThroughput,
    AccountLimit,
    MaxOnDemandThroughput,
}

impl Limit {
    pub const ALL: [Limit; 4] = [
        Limit::ProvisionedThroughput,
        Limit::KeyRangeThroughput,
        Limit::AccountLimit,
        Limit::MaxOnDemandThroughput,
    ];
}

/// A throttled request: which resource (table or index), reads or writes, and the limit. Its display
/// is DynamoDB's reason, e.g. `IndexWriteProvisionedThroughputExceeded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub on_index: bool,
    pub kind: Kind,
    pub limit: Limit,
}

impl Throttle {
    /// The same throttle, met on an index's own capacity.
    pub fn on_index(self) -> Throttle {
        Throttle {
            on_index: true,
            ..self
        }
    }
}

impl std::fmt::Display for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let resource = if self.on_index { "Index" } else { "Table" };
        let kind = match self.kind {
            Kind::Read => "Read",
            Kind::Write => "Write",
        };
        let limit = match self.limit {
            Limit::ProvisionedThroughput => "ProvisionedThroughputExceeded",
            Limit::KeyRangeThroughput => "KeyRangeThroughputExceeded",
            Limit::AccountLimit => "AccountLimitExceeded",
            Limit::MaxOnDemandThroughput => "MaxOnDemandThroughputExceeded",
        };
        write!(f, "{resource}{kind}{limit}")
    }
}

/// Per table: its limits, buckets, peaks and mode-switch history.
#[derive(Debug, Clone)]
pub struct TableCapacity {
    pub billing: Billing,
    pub warm: (f64, f64),
    pub on_demand_max: (Option<f64>, Option<f64>),
    read: Bucket,
    write: Bucket,
    keys: HashMap<KeyValue, (Bucket, Bucket)>,
    /// The previous peak on-demand capacity follows (2x of it), settled every 30 minutes from the
    /// highest units consumed in one second since then; and the second being counted.
    peak: (f64, f64),
    recent_peak: (f64, f64),
    recent_since: f64,
    second: (i64, f64, f64),
    pub switches_to_on_demand: Vec<f64>,
    /// Units consumed in each of the last minutes (minute index, read, write): what auto scaling's
    /// utilization alarms look at.
    minutes: VecDeque<(i64, f64, f64)>,
    /// When provisioned figures were lowered (DynamoDB limits decreases a day), and last raised.
    pub decreases: Vec<f64>,
    pub last_increase: Option<f64>,
    /// When this capacity began to be measured: minutes before it have no data.
    since: f64,
    /// Each slice's units consumed and throttle events (slices with neither are absent), for the
    /// endpoint's CloudWatch metrics; the last `SECONDS_KEPT`.
    slices: VecDeque<SliceTally>,
}

/// Seconds of consumption and throttle events kept for CloudWatch (GetMetricData): three hours.
pub const SECONDS_KEPT: i64 = 3 * 3600;
/// The endpoint counts CloudWatch's figures by the tenth of a second, finer than any period, so a
/// window that starts inside a second (a run's load, after its setup) gets only its own requests.
pub const SLICES_PER_SECOND: i64 = 10;

/// The slice of the clock `now` is in.
pub fn slice_of(now: f64) -> i64 {
    (now * SLICES_PER_SECOND as f64).floor() as i64
}

/// One slice (a tenth of a second) of a table's or index's capacity as CloudWatch counts it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SliceTally {
    /// The clock's slice (`slice_of(now)`).
    pub slice: i64,
    pub read_units: f64,
    pub write_units: f64,
    /// Throttle events by `Limit` (in `Limit::ALL`'s order) for reads, then for writes.
    pub throttles: [u32; 8],
}

impl SliceTally {
    /// This slice's throttle events of `kind` against `limit`.
    pub fn throttle_events(&self, kind: Kind, limit: Limit) -> u32 {
        self.throttles[throttle_slot(kind, limit)]
    }
}

fn throttle_slot(kind: Kind, limit: Limit) -> usize {
    let offset = if kind == Kind::Read { 0 } else { 4 };
    offset
        + Limit::ALL
            .iter()
            .position(|l| *l == limit)
            .expect("every limit is listed")
}

/// Minutes of consumption kept for auto scaling (its scale-in alarm looks 15 minutes back).
pub const MINUTES_KEPT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Read,
    Write,
}

impl TableCapacity {
    pub fn new(billing: Billing, now: f64) -> Self {
        let mut table = Self {
            billing,
            warm: NEW_ON_DEMAND,
            on_demand_max: (None, None),
            read: Bucket::full(1.0, 1.0, now),
            write: Bucket::full(1.0, 1.0, now),
            keys: HashMap::new(),
            peak: (0.0, 0.0),
            recent_peak: (0.0, 0.0),
            recent_since: now,
            second: (now.floor() as i64, 0.0, 0.0),
            switches_to_on_demand: Vec::new(),
            minutes: VecDeque::new(),
            slices: VecDeque::new(),
            decreases: Vec::new(),
            last_increase: None,
            since: now,
        };
        table.reset_buckets(now);
        // A new table starts with its buckets full.
        table.read.tokens = table.read.capacity;
        table.write.tokens = table.write.capacity;
        table
    }

    /// The rate a table serves now, and the limit type that binds it.
    fn rate(&self, kind: Kind) -> (f64, Limit) {
        let pick = |pair: (f64, f64)| if kind == Kind::Read { pair.0 } else { pair.1 };
        match &self.billing {
            Billing::Provisioned { read, write } => (
                if kind == Kind::Read { *read } else { *write },
                Limit::ProvisionedThroughput,
            ),
            Billing::OnDemand => {
                let mut rate = pick(self.warm).max(2.0 * pick(self.peak));
                let mut reason = Limit::KeyRangeThroughput;
                if rate >= TABLE_QUOTA {
                    rate = TABLE_QUOTA;
                    reason = Limit::AccountLimit;
                }
                let cap = if kind == Kind::Read {
                    self.on_demand_max.0
                } else {
                    self.on_demand_max.1
                };
                if let Some(cap) = cap.filter(|c| *c < rate) {
                    rate = cap;
                    reason = Limit::MaxOnDemandThroughput;
                }
                (rate, reason)
            }
        }
    }

    /// Rebuilds the table buckets after a change of mode or figures. Burst credit is unused capacity
    /// earned over time, so a change keeps what was earned, capped at what the new figure can hold.
    pub fn reset_buckets(&mut self, now: f64) {
        let burst = if self.billing.is_provisioned() {
            BURST_SECONDS
        } else {
            1.0
        };
        let (read, _) = self.rate(Kind::Read);
        let (write, _) = self.rate(Kind::Write);
        self.read = self.read.resized(read, burst, now);
        self.write = self.write.resized(write, burst, now);
    }

    fn track_peak(&mut self, kind: Kind, units: f64, now: f64) {
        let minute = (now / 60.0).floor() as i64;
        if self.minutes.back().is_none_or(|m| m.0 != minute) {
            self.minutes.push_back((minute, 0.0, 0.0));
            while self.minutes.len() > MINUTES_KEPT {
                self.minutes.pop_front();
            }
        }
        let current = self.minutes.back_mut().expect("pushed above");
        if kind == Kind::Read {
            current.1 += units;
        } else {
            current.2 += units;
        }
        let second = now.floor() as i64;
        if second != self.second.0 {
            self.second = (second, 0.0, 0.0);
            // A key bucket holds one second of its rate: one untouched for a second is full again
            // and needs no entry (without this, every order key ever written would stay here).
            self.keys
                .retain(|_, (r, w)| r.tokens(now) < r.capacity || w.tokens(now) < w.capacity);
        }
        if kind == Kind::Read {
            self.second.1 += units;
            self.recent_peak.0 = self.recent_peak.0.max(self.second.1);
        } else {
            self.second.2 += units;
            self.recent_peak.1 = self.recent_peak.1.max(self.second.2);
        }
        // On-demand absorbs twice its previous peak at once; growing further takes about 30 minutes.
        if now - self.recent_since >= GROWTH_WINDOW_S {
            self.peak = (
                self.peak.0.max(self.recent_peak.0),
                self.peak.1.max(self.recent_peak.1),
            );
            self.recent_peak = (0.0, 0.0);
            self.recent_since = now;
        }
        if self.billing == Billing::OnDemand {
            // On-demand capacity follows the peak: keep the bucket's rate current.
            let (rate, _) = self.rate(kind);
            let bucket = if kind == Kind::Read {
                &mut self.read
            } else {
                &mut self.write
            };
            if rate > bucket.rate {
                bucket.rate = rate;
                bucket.capacity = rate;
            }
        }
    }

    /// Charges `units` of `kind` for a request on partition key `key`. Err is the throttle
    /// ("TableReadProvisionedThroughputExceeded", ...) and nothing is charged.
    pub fn charge(
        &mut self,
        kind: Kind,
        key: Option<&KeyValue>,
        units: f64,
        now: f64,
    ) -> Result<(), Throttle> {
        self.admit(kind, key, now)?;
        self.take(kind, key, units, now);
        Ok(())
    }

    /// Whether a request may go ahead (Err names the throttling reason); nothing is taken yet, so a
    /// write that also needs its indexes' capacity can check them all first.
    pub fn admit(&mut self, kind: Kind, key: Option<&KeyValue>, now: f64) -> Result<(), Throttle> {
        let result = self.check(kind, key, now);
        if let Err(throttle) = result {
            self.tally(now).throttles[throttle_slot(kind, throttle.limit)] += 1;
        }
        result
    }

    fn check(&mut self, kind: Kind, key: Option<&KeyValue>, now: f64) -> Result<(), Throttle> {
        let throttle = |limit| Throttle {
            on_index: false,
            kind,
            limit,
        };
        if let Some(key) = key {
            // Look up before inserting: most keys are there already, and cloning one allocates.
            if !self.keys.contains_key(key) {
                self.keys.insert(
                    key.clone(),
                    (
                        Bucket::full(PARTITION_READ, 1.0, now),
                        Bucket::full(PARTITION_WRITE, 1.0, now),
                    ),
                );
            }
            let (r, w) = self.keys.get_mut(key).expect("inserted above");
            let bucket = if kind == Kind::Read { r } else { w };
            if !bucket.allows(now) {
                return Err(throttle(Limit::KeyRangeThroughput));
            }
        }
        let (_, limit) = self.rate(kind);
        let table_bucket = if kind == Kind::Read {
            &mut self.read
        } else {
            &mut self.write
        };
        if !table_bucket.allows(now) {
            return Err(throttle(limit));
        }
        Ok(())
    }

    /// Takes `units` after `admit` let the request through.
    pub fn take(&mut self, kind: Kind, key: Option<&KeyValue>, units: f64, now: f64) {
        if kind == Kind::Read {
            self.read.take(units);
        } else {
            self.write.take(units);
        }
        if let Some((r, w)) = key.and_then(|key| self.keys.get_mut(key)) {
            if kind == Kind::Read { r } else { w }.take(units);
        }
        self.track_peak(kind, units, now);
        let tally = self.tally(now);
        if kind == Kind::Read {
            tally.read_units += units;
        } else {
            tally.write_units += units;
        }
    }

    /// The tally of the slice `now` is in, begun if need be (older than `SECONDS_KEPT` dropped).
    fn tally(&mut self, now: f64) -> &mut SliceTally {
        let slice = slice_of(now);
        // A request that read the clock just before another took this lock counts in the later
        // slice, so the slices stay in order.
        if self.slices.back().is_none_or(|s| s.slice < slice) {
            while self
                .slices
                .front()
                .is_some_and(|s| s.slice <= slice - SECONDS_KEPT * SLICES_PER_SECOND)
            {
                self.slices.pop_front();
            }
            self.slices.push_back(SliceTally {
                slice,
                read_units: 0.0,
                write_units: 0.0,
                throttles: [0; 8],
            });
        }
        self.slices.back_mut().expect("pushed above")
    }

    /// The slices with units consumed or throttle events, oldest first.
    pub fn slices(&self) -> impl Iterator<Item = &SliceTally> {
        self.slices.iter()
    }

    /// Units consumed in each of the (at most `count`) complete minutes before `now` since the
    /// capacity began to be measured, oldest first (minutes without a request count as 0).
    pub fn consumed_by_minute(&self, kind: Kind, now: f64, count: usize) -> Vec<f64> {
        let current = (now / 60.0).floor() as i64;
        let measured = current - (self.since / 60.0).floor() as i64;
        (1..=count.min(measured.max(0) as usize) as i64)
            .rev()
            .map(|back| {
                self.minutes
                    .iter()
                    .find(|m| m.0 == current - back)
                    .map_or(0.0, |m| if kind == Kind::Read { m.1 } else { m.2 })
            })
            .collect()
    }

    /// Changes one provisioned figure (auto scaling), keeping the burst credit already earned up to
    /// what the new figure can hold.
    pub fn set_provisioned(&mut self, kind: Kind, units: f64, now: f64) {
        let Billing::Provisioned { read, write } = &mut self.billing else {
            return;
        };
        if kind == Kind::Read {
            *read = units;
        } else {
            *write = units;
        }
        self.reset_buckets(now);
    }

    /// Records a change of provisioned figures: a decrease (which DynamoDB limits a day), an
    /// increase, or both at once (one figure lowered, the other raised).
    pub fn record_change(&mut self, lowered: bool, raised: bool, now: f64) {
        if lowered {
            self.decreases.push(now);
        }
        if raised {
            self.last_increase = Some(now);
        }
    }

    /// Records a switch from provisioned to on-demand; Err when 4 happened in the last 24 hours.
    pub fn record_switch_to_on_demand(&mut self, now: f64) -> Result<(), ApiError> {
        self.switches_to_on_demand.retain(|t| now - t < 86400.0);
        if self.switches_to_on_demand.len() >= SWITCHES_PER_DAY {
            return Err(ApiError::on_demand_switch_limit(SWITCHES_PER_DAY));
        }
        self.switches_to_on_demand.push(now);
        Ok(())
    }

    /// Puts in force at `now` the figures of `changed` (this capacity as an UpdateTable worked it out
    /// when it was requested, with its switches to on-demand), keeping what was consumed meanwhile.
    /// The change itself is recorded by the caller (`record_change`).
    pub fn take_figures(&mut self, changed: TableCapacity, now: f64) {
        self.billing = changed.billing;
        self.warm = changed.warm;
        self.on_demand_max = changed.on_demand_max;
        self.peak = (
            self.peak.0.max(changed.peak.0),
            self.peak.1.max(changed.peak.1),
        );
        self.switches_to_on_demand = changed.switches_to_on_demand;
        self.reset_buckets(now);
    }

    /// After a switch from provisioned, the previous peak is at least half the provisioned figures.
    pub fn note_previous_provisioned(&mut self, read: f64, write: f64) {
        self.peak = (self.peak.0.max(read / 2.0), self.peak.1.max(write / 2.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ManualClock};

    #[test]
    fn units_follow_the_developer_guide_examples() {
        // "Read capacity units": an 8 KB item costs 2 strongly consistent RCU, 1 eventually consistent.
        assert_eq!(read_units(8 * 1024, Consistency::Strong), 2.0);
        assert_eq!(read_units(8 * 1024, Consistency::Eventual), 1.0);
        // A 4.5 KB item rounds up to 8 KB; transactional reads cost double.
        assert_eq!(read_units(4608, Consistency::Transactional), 4.0);
        // "Write capacity units": a 500-byte item costs 1 WCU, a 3.5 KB item costs 4.
        assert_eq!(write_units(500, false), 1.0);
        assert_eq!(write_units(3584, false), 4.0);
        assert_eq!(write_units(3584, true), 8.0);
        assert_eq!(read_units(0, Consistency::Eventual), 0.5);
    }

    #[test]
    fn refilled_partition_keys_are_forgotten_and_a_hot_one_is_not() {
        // Provisioned at the quota: the table's own bucket never binds here, only the keys'.
        let mut table = TableCapacity::new(Billing::provisioned(40_000, 40_000), 0.0);
        let key = |n: i64| KeyValue::N(crate::number::Number::from_i64(n));
        for n in 0..5_000 {
            table.charge(Kind::Write, Some(&key(n)), 1.0, 0.5).unwrap();
        }
        // A hot key spends its 1,000 write units a second and is throttled.
        for _ in 0..1_000 {
            table.charge(Kind::Write, Some(&key(-1)), 1.0, 0.9).unwrap();
        }
        assert!(table.charge(Kind::Write, Some(&key(-1)), 1.0, 0.9).is_err());
        assert_eq!(table.keys.len(), 5_001);
        // In the next second the 5,000 refilled keys are gone (`track_peak`). The hot key is kept: 300 units back
        // of its 1,000, a 350-unit write takes it into debt and the next is throttled (a forgotten
        // key would have had 650 left).
        table
            .charge(Kind::Write, Some(&key(-1)), 350.0, 1.2)
            .unwrap();
        assert_eq!(table.keys.len(), 1);
        assert!(table.charge(Kind::Write, Some(&key(-1)), 1.0, 1.2).is_err());
    }

    #[test]
    fn provisioned_tables_spend_burst_then_serve_their_rate() {
        let clock = ManualClock::default();
        let mut table = TableCapacity::new(
            Billing::Provisioned {
                read: 2.0,
                write: 2.0,
            },
            clock.now(),
        );
        // 300 s of unused capacity: 600 units of burst.
        let mut served = 0.0;
        while table.charge(Kind::Read, None, 1.0, clock.now()).is_ok() {
            served += 1.0;
        }
        assert_eq!(served, 600.0);
        let reason = table
            .charge(Kind::Read, None, 1.0, clock.now())
            .unwrap_err();
        assert_eq!(reason.to_string(), "TableReadProvisionedThroughputExceeded");
        // Then 2 units a second.
        let mut per_second: Vec<f64> = Vec::new();
        for _ in 0..10 {
            clock.advance(1.0);
            let mut n = 0.0;
            while table.charge(Kind::Read, None, 0.5, clock.now()).is_ok() {
                n += 0.5;
            }
            per_second.push(n);
        }
        assert!(
            per_second.iter().all(|n| (*n - 2.0).abs() < 1e-9),
            "{per_second:?}"
        );
    }

    #[test]
    fn a_hot_key_throttles_below_the_table_figure() {
        let clock = ManualClock::default();
        let mut table = TableCapacity::new(
            Billing::Provisioned {
                read: 40000.0,
                write: 40000.0,
            },
            clock.now(),
        );
        let hot = KeyValue::S("hot".into());
        let mut written = 0.0;
        while table
            .charge(Kind::Write, Some(&hot), 1.0, clock.now())
            .is_ok()
        {
            written += 1.0;
        }
        assert_eq!(written, PARTITION_WRITE);
        assert_eq!(
            table
                .charge(Kind::Write, Some(&hot), 1.0, clock.now())
                .unwrap_err()
                .to_string(),
            "TableWriteKeyRangeThroughputExceeded"
        );
        assert!(table
            .charge(
                Kind::Write,
                Some(&KeyValue::S("cold".into())),
                1.0,
                clock.now()
            )
            .is_ok());
    }

    #[test]
    fn on_demand_serves_warm_throughput_then_twice_its_peak() {
        let clock = ManualClock::default();
        let mut table = TableCapacity::new(Billing::OnDemand, clock.now());
        let mut n = 0.0;
        while table.charge(Kind::Write, None, 1.0, clock.now()).is_ok() {
            n += 1.0;
        }
        assert_eq!(
            n, NEW_ON_DEMAND.1,
            "a new table serves 4,000 writes at once"
        );
        table.warm = (12000.0, 10000.0);
        table.reset_buckets(clock.now());
        clock.advance(1.0);
        let mut n = 0.0;
        while table.charge(Kind::Write, None, 1.0, clock.now()).is_ok() {
            n += 1.0;
        }
        assert!(
            n >= 10000.0,
            "warm throughput raises what it serves at once: {n}"
        );
        table.on_demand_max = (None, Some(100.0));
        table.reset_buckets(clock.now());
        clock.advance(1.0);
        let mut n = 0.0;
        let reason = loop {
            match table.charge(Kind::Write, None, 1.0, clock.now()) {
                Ok(()) => n += 1.0,
                Err(reason) => break reason,
            }
        };
        assert_eq!(
            (n, reason.to_string().as_str()),
            (100.0, "TableWriteMaxOnDemandThroughputExceeded")
        );
    }

    #[test]
    fn a_fifth_switch_to_on_demand_in_a_day_is_refused() {
        let clock = ManualClock::default();
        let mut table = TableCapacity::new(Billing::OnDemand, 0.0);
        for _ in 0..4 {
            table.record_switch_to_on_demand(clock.now()).unwrap();
            clock.advance(3600.0);
        }
        assert!(table.record_switch_to_on_demand(clock.now()).is_err());
        clock.advance(86400.0);
        assert!(table.record_switch_to_on_demand(clock.now()).is_ok());
    }
}
