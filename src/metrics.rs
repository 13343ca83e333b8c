//! Measurement owned by one engine thread: latency histograms, outcome counters, consumed capacity and
//! the current one-second interval. Nothing here is shared, so a request costs no lock and no channel.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::key_counts::KeyCounts;
use crate::request_ids::{KeptCall, RequestIds};
use crate::workload::{AttemptResult, ConsumedUnits, OpRef};

/// Latencies are recorded in microseconds, up to 10 minutes, at 3 significant digits.
pub const LATENCY_MAX_US: u64 = 600_000_000;

pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, LATENCY_MAX_US, 3).expect("static histogram bounds are valid")
}

/// One operation's second: what ended and how fast (its histogram is allocated only for an operation
/// that ran, and has the totals' bounds so seconds of several engines merge exactly).
#[derive(Debug, Clone)]
pub struct OpSecond {
    pub attempts: u64,
    pub ok: u64,
    pub throttled: u64,
    pub errors: u64,
    pub latency_us: Histogram<u64>,
}

impl Default for OpSecond {
    fn default() -> Self {
        Self {
            attempts: 0,
            ok: 0,
            throttled: 0,
            errors: 0,
            latency_us: new_histogram(),
        }
    }
}

impl OpSecond {
    fn merge(&mut self, other: &OpSecond) {
        self.attempts += other.attempts;
        self.ok += other.ok;
        self.throttled += other.throttled;
        self.errors += other.errors;
        self.latency_us
            .add(&other.latency_us)
            .expect("histograms share bounds");
    }
}

/// How a whole operation (all its attempts) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    ConditionalFailed,
    /// A final error (its code); never retried.
    Failed(String),
    /// Every attempt was throttled or failed transiently; the code is the last attempt's.
    GaveUp(String),
    /// Sent, and still unanswered when the grace after the deadline ran out: it may have been
    /// written. A timeout too.
    Cut,
    /// Not finished by the deadline and not on the wire (waiting for a slot, or for a retry): it
    /// was not written. A timeout.
    TimedOut,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The counters of one kind of operation (reads or writes), as the result's summary gives them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OpCounts {
    pub ok: u64,
    /// Reads that succeeded and found no item under their key (among `ok`); in the result only
    /// when some did.
    #[serde(skip_serializing_if = "is_zero")]
    pub not_found: u64,
    /// Every request sent, retries included: the denominator of the throttle rate.
    pub attempts: u64,
    pub throttled_attempts: u64,
    /// Throttled attempts by DynamoDB's ThrottlingReason (or the error code where it gave none).
    pub throttled_by_reason: BTreeMap<String, u64>,
    /// Throttled attempts by the table or index DynamoDB named ("Orders/index/by_status"), then by
    /// reason; throttles that named no resource (DynamoDB Local gives none) are not here.
    pub throttled_by_resource: BTreeMap<String, BTreeMap<String, u64>>,
    pub conditional_check_failed: u64,
    /// Final failures by code; operations that gave up after their last attempt are among them.
    pub errors: BTreeMap<String, u64>,
    pub gave_up: u64,
    /// Operations cut by the deadline: sent, and unanswered after the grace (their effect on the
    /// table is unknown: up to this many may have been written). Counted in `timed_out` too.
    pub cut_at_deadline: u64,
    /// Operations that did not finish by the end of the run (its deadline and grace): a failure to
    /// serve, counted in latency from their intended start to the end (a lower bound).
    pub timed_out: u64,
}

impl OpCounts {
    pub fn merge(&mut self, other: &OpCounts) {
        self.ok += other.ok;
        self.not_found += other.not_found;
        self.attempts += other.attempts;
        self.gave_up += other.gave_up;
        self.cut_at_deadline += other.cut_at_deadline;
        self.timed_out += other.timed_out;
        self.throttled_attempts += other.throttled_attempts;
        for (reason, n) in &other.throttled_by_reason {
            count_reason(&mut self.throttled_by_reason, reason, *n);
        }
        add_by_resource(
            &mut self.throttled_by_resource,
            &other.throttled_by_resource,
        );
        self.conditional_check_failed += other.conditional_check_failed;
        for (code, n) in &other.errors {
            count_reason(&mut self.errors, code, *n);
        }
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    fn throttle(&mut self, reason: &str, resource: Option<&str>) {
        self.throttled_attempts += 1;
        count_reason(&mut self.throttled_by_reason, reason, 1);
        if let Some(resource) = resource {
            count_by_resource(&mut self.throttled_by_resource, resource, reason);
        }
    }
}

/// Totals for one kind of operation (reads or writes). Latency counts successful operations and
/// those that timed out (up to the end of the run).
#[derive(Debug, Clone)]
pub struct OpStats {
    pub counts: OpCounts,
    /// From each operation's intended start (open model: its arrival; closed: its send).
    pub latency_us: Histogram<u64>,
    /// From the first attempt's actual send.
    pub service_us: Histogram<u64>,
}

impl Default for OpStats {
    fn default() -> Self {
        Self {
            counts: OpCounts::default(),
            latency_us: new_histogram(),
            service_us: new_histogram(),
        }
    }
}

impl OpStats {
    /// An operation's end in these totals (`micros` of latency from its intended start).
    fn finish(&mut self, outcome: &Outcome, micros: u64) {
        let counts = &mut self.counts;
        match outcome {
            Outcome::Ok => {
                counts.ok += 1;
                self.latency_us.saturating_record(micros);
            }
            Outcome::ConditionalFailed => counts.conditional_check_failed += 1,
            Outcome::Failed(code) => count_reason(&mut counts.errors, code, 1),
            Outcome::GaveUp(code) => {
                counts.gave_up += 1;
                count_reason(&mut counts.errors, code, 1);
            }
            Outcome::Cut | Outcome::TimedOut => {
                counts.timed_out += 1;
                if *outcome == Outcome::Cut {
                    counts.cut_at_deadline += 1;
                }
                // Its wait so far is a lower bound on its latency: a stall must show in the
                // percentiles, not vanish from them.
                self.latency_us.saturating_record(micros);
            }
        }
    }

    pub fn merge(&mut self, other: &OpStats) {
        self.counts.merge(&other.counts);
        self.latency_us
            .add(&other.latency_us)
            .expect("histograms share bounds");
        self.service_us
            .add(&other.service_us)
            .expect("histograms share bounds");
    }
}

/// What happened during one second, for the time series and the live line.
#[derive(Debug, Clone)]
pub struct Interval {
    /// Open model: arrivals scheduled (offered) and arrivals dropped this second.
    pub offered: u64,
    pub dropped: u64,
    /// Requests sent this second (retries included).
    pub attempts: u64,
    pub reads_ok: u64,
    pub writes_ok: u64,
    pub throttled: u64,
    /// DynamoDB's throttling reasons this second (the reason, or the error code when none was given).
    pub throttled_by_reason: BTreeMap<String, u64>,
    /// The throttles whose answer named the table or index ("Orders/index/by_status"), by reason.
    pub throttled_by_resource: BTreeMap<String, BTreeMap<String, u64>>,
    pub errors: u64,
    pub capacity: ConsumedUnits,
    /// Reads and writes together, and each apart (for the report's per-operation lines).
    pub latency_us: Histogram<u64>,
    pub read_latency_us: Histogram<u64>,
    pub write_latency_us: Histogram<u64>,
    /// Per operation of the workload, by OpRef index (grown as operations end).
    pub operations: Vec<OpSecond>,
    /// This second's attempts by partition key (the time series' busiest keys).
    pub keys: KeyCounts,
}

impl Default for Interval {
    fn default() -> Self {
        Self {
            offered: 0,
            dropped: 0,
            attempts: 0,
            reads_ok: 0,
            writes_ok: 0,
            throttled: 0,
            throttled_by_reason: BTreeMap::new(),
            throttled_by_resource: BTreeMap::new(),
            errors: 0,
            capacity: ConsumedUnits::default(),
            latency_us: new_histogram(),
            read_latency_us: new_histogram(),
            write_latency_us: new_histogram(),
            operations: Vec::new(),
            keys: KeyCounts::default(),
        }
    }
}

impl Interval {
    pub fn merge(&mut self, other: &Interval) {
        self.offered += other.offered;
        self.dropped += other.dropped;
        self.attempts += other.attempts;
        self.reads_ok += other.reads_ok;
        self.writes_ok += other.writes_ok;
        self.throttled += other.throttled;
        for (reason, n) in &other.throttled_by_reason {
            count_reason(&mut self.throttled_by_reason, reason, *n);
        }
        add_by_resource(
            &mut self.throttled_by_resource,
            &other.throttled_by_resource,
        );
        self.errors += other.errors;
        self.capacity.add(&other.capacity);
        for (mine, theirs) in [
            (&mut self.latency_us, &other.latency_us),
            (&mut self.read_latency_us, &other.read_latency_us),
            (&mut self.write_latency_us, &other.write_latency_us),
        ] {
            mine.add(theirs).expect("histograms share bounds");
        }
        if self.operations.len() < other.operations.len() {
            self.operations
                .resize_with(other.operations.len(), OpSecond::default);
        }
        for (mine, theirs) in self.operations.iter_mut().zip(&other.operations) {
            mine.merge(theirs);
        }
        self.keys.merge(&other.keys);
    }

    fn op_second(&mut self, op: OpRef) -> &mut OpSecond {
        let index = usize::from(op.index);
        if self.operations.len() <= index {
            self.operations.resize_with(index + 1, OpSecond::default);
        }
        &mut self.operations[index]
    }

    pub fn is_empty(&self) -> bool {
        self.offered + self.dropped + self.reads_ok + self.writes_ok + self.throttled + self.errors
            == 0
    }
}

/// Everything one engine thread measured.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub reads: OpStats,
    pub writes: OpStats,
    /// Per operation of the workload, by OpRef index (reads and writes are their sums).
    pub operations: Vec<OpStats>,
    pub capacity: ConsumedUnits,
    pub interval: Interval,
    /// Open model: arrivals scheduled, arrivals dropped (no room even to wait), and the lag from
    /// intended start to actual send (when it grows, the client is the limit, not DynamoDB).
    pub offered: u64,
    pub dropped: u64,
    pub lag_us: Histogram<u64>,
    pub request_ids: RequestIds,
    pub keys: KeyCounts,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            reads: OpStats::default(),
            writes: OpStats::default(),
            operations: Vec::new(),
            capacity: ConsumedUnits::default(),
            interval: Interval::default(),
            offered: 0,
            dropped: 0,
            lag_us: new_histogram(),
            request_ids: RequestIds::default(),
            keys: KeyCounts::default(),
        }
    }
}

/// Adds `n` to `reason`'s count; the key is allocated only the first time it is seen.
fn count_reason(counts: &mut BTreeMap<String, u64>, reason: &str, n: u64) {
    match counts.get_mut(reason) {
        Some(count) => *count += n,
        None => {
            counts.insert(reason.to_owned(), n);
        }
    }
}

type ByResource = BTreeMap<String, BTreeMap<String, u64>>;

fn count_by_resource(counts: &mut ByResource, resource: &str, reason: &str) {
    let reasons = match counts.get_mut(resource) {
        Some(reasons) => reasons,
        None => counts.entry(resource.to_owned()).or_default(),
    };
    count_reason(reasons, reason, 1);
}

fn add_by_resource(mine: &mut ByResource, theirs: &ByResource) {
    for (resource, reasons) in theirs {
        let counts = mine.entry(resource.clone()).or_default();
        for (reason, n) in reasons {
            count_reason(counts, reason, *n);
        }
    }
}

impl Metrics {
    fn stats(&mut self, read: bool) -> &mut OpStats {
        if read {
            &mut self.reads
        } else {
            &mut self.writes
        }
    }

    fn op_stats(&mut self, op: OpRef) -> &mut OpStats {
        let index = usize::from(op.index);
        if self.operations.len() <= index {
            self.operations.resize_with(index + 1, OpStats::default);
        }
        &mut self.operations[index]
    }

    /// A read answered without an item (counted among the operations that succeeded too).
    pub fn record_not_found(&mut self, op: OpRef) {
        self.stats(op.read).counts.not_found += 1;
        self.op_stats(op).counts.not_found += 1;
    }

    pub fn record_attempt(&mut self, op: OpRef) {
        self.stats(op.read).counts.attempts += 1;
        self.op_stats(op).counts.attempts += 1;
        self.interval.attempts += 1;
        self.interval.op_second(op).attempts += 1;
    }

    /// A throttled attempt: DynamoDB's reason (or the error code) and the table or index it named.
    pub fn record_throttle(&mut self, op: OpRef, reason: &str, resource: Option<&str>) {
        self.stats(op.read).counts.throttle(reason, resource);
        self.op_stats(op).counts.throttle(reason, resource);
        self.interval.throttled += 1;
        self.interval.op_second(op).throttled += 1;
        count_reason(&mut self.interval.throttled_by_reason, reason, 1);
        if let Some(resource) = resource {
            count_by_resource(&mut self.interval.throttled_by_resource, resource, reason);
        }
    }

    pub fn add_capacity(&mut self, capacity: &ConsumedUnits) {
        self.capacity.add(capacity);
        self.interval.capacity.add(capacity);
    }

    pub fn record_arrival(&mut self) {
        self.offered += 1;
        self.interval.offered += 1;
    }

    pub fn record_dropped(&mut self) {
        self.dropped += 1;
        self.interval.dropped += 1;
    }

    pub fn record_lag(&mut self, lag: Duration) {
        self.lag_us
            .saturating_record((lag.as_micros() as u64).max(1));
    }

    /// An operation's end: `latency` from its intended start, `service` from its first send.
    pub fn record_timed(
        &mut self,
        op: OpRef,
        outcome: Outcome,
        latency: Duration,
        service: Duration,
    ) {
        if outcome == Outcome::Ok {
            let micros = (service.as_micros() as u64).max(1);
            self.stats(op.read).service_us.saturating_record(micros);
            self.op_stats(op).service_us.saturating_record(micros);
        }
        self.record(op, outcome, latency);
    }

    /// An operation's end, timed from its send (closed model: intended start and send are one).
    pub fn record(&mut self, op: OpRef, outcome: Outcome, latency: Duration) {
        let micros = (latency.as_micros() as u64).max(1);
        self.stats(op.read).finish(&outcome, micros);
        self.op_stats(op).finish(&outcome, micros);
        match outcome {
            Outcome::Ok => {
                self.interval.latency_us.saturating_record(micros);
                if op.read {
                    self.interval.reads_ok += 1;
                    self.interval.read_latency_us.saturating_record(micros);
                } else {
                    self.interval.writes_ok += 1;
                    self.interval.write_latency_us.saturating_record(micros);
                }
                let second = self.interval.op_second(op);
                second.ok += 1;
                second.latency_us.saturating_record(micros);
            }
            Outcome::ConditionalFailed | Outcome::Failed(_) | Outcome::GaveUp(_) => {
                self.interval.errors += 1;
                self.interval.op_second(op).errors += 1;
            }
            Outcome::Cut | Outcome::TimedOut => {
                self.interval.latency_us.saturating_record(micros);
            }
        }
    }

    /// Keeps `id` if the call was among the slowest so far, or among the first throttled for its reason.
    pub fn keep_request_id(
        &mut self,
        id: &str,
        read: bool,
        took: Duration,
        result: &AttemptResult,
    ) {
        if self.request_ids.is_slow_enough(took) {
            self.request_ids.keep_slow(KeptCall::new(id, read, took));
        }
        if let Some((reason, _)) = result.throttle() {
            if self.request_ids.wants_throttled(reason) {
                self.request_ids
                    .keep_throttled(reason, KeptCall::new(id, read, took));
            }
        }
    }

    /// Hands over the interval so far and starts a new one.
    pub fn take_interval(&mut self) -> Interval {
        std::mem::take(&mut self.interval)
    }

    /// Adds another thread's totals (not its interval).
    pub fn merge_totals(&mut self, other: &Metrics) {
        self.reads.merge(&other.reads);
        self.writes.merge(&other.writes);
        if self.operations.len() < other.operations.len() {
            self.operations
                .resize_with(other.operations.len(), OpStats::default);
        }
        for (mine, theirs) in self.operations.iter_mut().zip(&other.operations) {
            mine.merge(theirs);
        }
        self.capacity.add(&other.capacity);
        self.offered += other.offered;
        self.dropped += other.dropped;
        self.lag_us
            .add(&other.lag_us)
            .expect("histograms share bounds");
        self.request_ids.merge(&other.request_ids);
        self.keys.merge(&other.keys);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::ops::{WORKSHOP_READ as READ, WORKSHOP_WRITE as WRITE};

    #[test]
    fn each_second_keeps_its_throttling_reasons_and_merges_them() {
        let (read, write) = (
            "TableReadProvisionedThroughputExceeded",
            "TableWriteKeyRangeThroughputExceeded",
        );
        let mut m = Metrics::default();
        m.record_throttle(READ, read, None);
        m.record_throttle(WRITE, write, None);
        m.record_throttle(WRITE, write, None);
        let mut first = m.take_interval();
        m.record_throttle(READ, read, None);
        let second = m.take_interval();
        assert_eq!(first.throttled_by_reason[write], 2);
        assert_eq!(
            second.throttled_by_reason.len(),
            1,
            "a new second starts empty"
        );
        first.merge(&second);
        assert_eq!((first.throttled_by_reason[read], first.throttled), (2, 4));
        assert_eq!(m.reads.counts.throttled_by_reason[read], 2);
    }

    #[test]
    fn a_throttle_counts_against_the_index_dynamodb_named() {
        let reason = "IndexWriteProvisionedThroughputExceeded";
        let mut a = Metrics::default();
        a.record_throttle(WRITE, reason, Some("Orders/index/by_status"));
        a.record_throttle(WRITE, "ProvisionedThroughputExceededException", None);
        let mut b = Metrics::default();
        b.record_throttle(WRITE, reason, Some("Orders/index/by_status"));
        a.merge_totals(&b);
        let counts = &a.writes.counts;
        assert_eq!(
            counts.throttled_by_resource["Orders/index/by_status"][reason],
            2
        );
        assert_eq!(
            counts.throttled_by_resource.len(),
            1,
            "no resource, no entry"
        );
        assert_eq!(counts.throttled_attempts, 3);
    }

    #[test]
    fn merged_histograms_give_the_percentiles_of_all_samples() {
        let (mut a, mut b, mut all) = (Metrics::default(), Metrics::default(), Metrics::default());
        for i in 1..=1000u64 {
            let latency = Duration::from_micros(i * 37 % 5000 + 100);
            let target = if i % 3 == 0 { &mut a } else { &mut b };
            target.record(READ, Outcome::Ok, latency);
            all.record(READ, Outcome::Ok, latency);
        }
        a.merge_totals(&b);
        for q in [0.5, 0.9, 0.99, 0.999] {
            assert_eq!(
                a.reads.latency_us.value_at_quantile(q),
                all.reads.latency_us.value_at_quantile(q)
            );
        }
        assert_eq!(a.reads.counts.ok, 1000);
        // A naive average of the two halves' p99 is not the p99 of the whole.
        assert_eq!(a.reads.latency_us.max(), all.reads.latency_us.max());
    }

    #[test]
    fn outcomes_land_in_their_counters_and_the_interval() {
        let mut m = Metrics::default();
        m.record_throttle(WRITE, "TableWriteProvisionedThroughputExceeded", None);
        m.record(WRITE, Outcome::ConditionalFailed, Duration::from_millis(1));
        m.record(
            WRITE,
            Outcome::Failed("ValidationException".into()),
            Duration::from_millis(1),
        );
        m.record(READ, Outcome::Ok, Duration::from_millis(2));
        assert_eq!(m.writes.counts.throttled_attempts, 1);
        assert_eq!(
            m.writes.counts.throttled_by_reason["TableWriteProvisionedThroughputExceeded"],
            1
        );
        assert_eq!(m.writes.counts.conditional_check_failed, 1);
        assert_eq!(m.writes.counts.errors["ValidationException"], 1);
        assert_eq!(m.reads.counts.ok, 1);
        let interval = m.take_interval();
        assert_eq!(
            (interval.reads_ok, interval.throttled, interval.errors),
            (1, 1, 2)
        );
        assert!(m.interval.is_empty());
        assert_eq!(m.reads.counts.ok, 1, "totals survive taking the interval");
    }

    #[test]
    fn gave_up_operations_are_errors_and_cut_ones_are_not() {
        let mut m = Metrics::default();
        for _ in 0..3 {
            m.record_attempt(READ);
            m.record_throttle(READ, "TableReadProvisionedThroughputExceeded", None);
        }
        m.record(
            READ,
            Outcome::GaveUp("ProvisionedThroughputExceededException".into()),
            Duration::from_millis(9),
        );
        m.record_attempt(READ);
        m.record(READ, Outcome::Cut, Duration::from_millis(1));
        assert_eq!(
            (m.reads.counts.attempts, m.reads.counts.throttled_attempts),
            (4, 3)
        );
        assert_eq!(
            (m.reads.counts.gave_up, m.reads.counts.cut_at_deadline),
            (1, 1)
        );
        m.record(READ, Outcome::TimedOut, Duration::from_millis(2));
        assert_eq!(
            (m.reads.counts.timed_out, m.reads.counts.cut_at_deadline),
            (2, 1),
            "a cut operation timed out; one that never went out is not cut"
        );
        assert_eq!(m.reads.latency_us.len(), 2, "both count in latency");
        assert_eq!(m.reads.counts.error_count(), 1);
        assert_eq!(m.take_interval().errors, 1);
    }
}
