//! The run's result as serde data: summary, consumed capacity, time series and mergeable histograms.
//! Its JSON form is an interface (python/ddbload/schema/result.schema.json); no printing here.

use std::collections::BTreeMap;

use base64::Engine as _;
use hdrhistogram::serialization::{Serializer as _, V2DeflateSerializer};
use hdrhistogram::Histogram;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::RunConfig;
use crate::key_counts::{KeySecond, KeysOf};
use crate::metrics::{Interval, Metrics, OpCounts, OpSecond, OpStats};
use crate::request_ids::RequestIds;
use crate::workload::tables::TableInfo;
use crate::workload::ConsumedUnits;

pub const SCHEMA_VERSION: u32 = 1;

/// A table's provisioned figures at one moment (None: on-demand, or not read).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Provisioned {
    pub read: Option<i64>,
    pub write: Option<i64>,
}

/// One row of the time series: what completed during second `t` (which lasted `seconds`, less than 1
/// only for the last, partial second).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimeseriesRow {
    pub t: u64,
    pub seconds: f64,
    /// Open model: the operations the schedule called for this second, those offered (scheduled
    /// arrivals), and those dropped; absent for closed-loop runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<u64>,
    /// Requests sent that second, retries included.
    pub attempts: u64,
    pub reads_ok: u64,
    pub writes_ok: u64,
    pub throttled: u64,
    /// That second's throttled attempts by DynamoDB's reason.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub throttled_by_reason: BTreeMap<String, u64>,
    /// That second's throttles whose answer named the table or index, by reason.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub throttled_by_resource: BTreeMap<String, BTreeMap<String, u64>>,
    pub errors: u64,
    #[serde(with = "rust_decimal::serde::float")]
    pub read_units: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub write_units: Decimal,
    pub p99_ms: Option<f64>,
    /// Per operation kind: that second's p50 and p99 (None: none completed).
    pub read_p50_ms: Option<f64>,
    pub read_p99_ms: Option<f64>,
    pub write_p50_ms: Option<f64>,
    pub write_p99_ms: Option<f64>,
    /// Units each table consumed that second.
    pub units: BTreeMap<String, UnitTotals>,
    /// Each table's provisioned figures in force that second (auto scaling may change them).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub provisioned: BTreeMap<String, Provisioned>,
    /// Each named operation's second (those that ended, were throttled or failed that second).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub operations: BTreeMap<String, OperationSecond>,
    /// Each table's and index's busiest keys that second, by attempts.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub keys: BTreeMap<String, Vec<KeySecond>>,
}

/// One named operation's second in the time series.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OperationSecond {
    pub attempts: u64,
    pub ok: u64,
    pub throttled: u64,
    pub errors: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// An interval's named operations with their latency histograms, by name.
pub fn named_seconds<'a>(
    interval: &'a Interval,
    names: &'a [String],
) -> impl Iterator<Item = (&'a String, &'a OpSecond)> {
    names
        .iter()
        .zip(&interval.operations)
        .filter(|(_, s)| s.ok + s.throttled + s.errors > 0)
}

impl TimeseriesRow {
    pub fn from_interval(
        t: u64,
        seconds: f64,
        interval: &Interval,
        tables: &TableNames,
        operation_names: &[String],
        provisioned: &BTreeMap<String, Provisioned>,
        target_rate: Option<f64>,
    ) -> Self {
        let h = &interval.latency_us;
        let at =
            |h: &Histogram<u64>, q: f64| (!h.is_empty()).then(|| us_to_ms(h.value_at_quantile(q)));
        let c = &interval.capacity;
        Self {
            t,
            seconds,
            offered: target_rate.map(|_| interval.offered),
            dropped: target_rate.map(|_| interval.dropped),
            target_rate: target_rate.map(|r| (r * 10.0).round() / 10.0),
            attempts: interval.attempts,
            reads_ok: interval.reads_ok,
            writes_ok: interval.writes_ok,
            throttled: interval.throttled,
            throttled_by_reason: interval.throttled_by_reason.clone(),
            throttled_by_resource: interval.throttled_by_resource.clone(),
            errors: interval.errors,
            read_units: interval.capacity.read_units(),
            write_units: interval.capacity.write_units(),
            p99_ms: at(h, 0.99),
            read_p50_ms: at(&interval.read_latency_us, 0.5),
            read_p99_ms: at(&interval.read_latency_us, 0.99),
            write_p50_ms: at(&interval.write_latency_us, 0.5),
            write_p99_ms: at(&interval.write_latency_us, 0.99),
            units: tables.units(c),
            provisioned: provisioned.clone(),
            operations: named_seconds(interval, operation_names)
                .map(|(name, s)| {
                    let second = OperationSecond {
                        attempts: s.attempts,
                        ok: s.ok,
                        throttled: s.throttled,
                        errors: s.errors,
                        p50_ms: at(&s.latency_us, 0.5),
                        p99_ms: at(&s.latency_us, 0.99),
                    };
                    (name.clone(), second)
                })
                .collect(),
            keys: interval.keys.second(&tables.0),
        }
    }
}

/// The run's tables by ConsumedUnits slot, for figures kept per table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableNames(pub Vec<String>);

impl TableNames {
    /// Units by table; one table in two slots (the workshop's products and orders the same table)
    /// gets their sum.
    pub fn units(&self, capacity: &ConsumedUnits) -> BTreeMap<String, UnitTotals> {
        let mut out: BTreeMap<String, UnitTotals> = BTreeMap::new();
        for (slot, name) in self.0.iter().enumerate() {
            if name.is_empty() {
                continue; // a table slot no table uses (a workload file's index slots come after)
            }
            let entry = out.entry(name.clone()).or_insert(UnitTotals {
                read_units: Decimal::ZERO,
                write_units: Decimal::ZERO,
            });
            entry.read_units += capacity.read[slot];
            entry.write_units += capacity.write[slot];
        }
        out
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LatencyMs {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

impl LatencyMs {
    pub fn from_histogram(h: &Histogram<u64>) -> Self {
        Self {
            p50: us_to_ms(h.value_at_quantile(0.5)),
            p90: us_to_ms(h.value_at_quantile(0.9)),
            p99: us_to_ms(h.value_at_quantile(0.99)),
            p999: us_to_ms(h.value_at_quantile(0.999)),
            max: us_to_ms(h.max()),
            mean: h.mean().round() / 1000.0,
        }
    }
}

fn us_to_ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OpSummary {
    #[serde(flatten)]
    pub counts: OpCounts,
    /// From each operation's intended start (so waiting for a slot or a stalled endpoint counts).
    pub latency_ms: LatencyMs,
    /// From the first attempt's actual send.
    pub service_ms: LatencyMs,
    pub per_second: f64,
}

impl OpSummary {
    fn new(stats: &OpStats, duration_s: f64) -> Self {
        Self {
            counts: stats.counts.clone(),
            latency_ms: LatencyMs::from_histogram(&stats.latency_us),
            service_ms: LatencyMs::from_histogram(&stats.service_us),
            per_second: if duration_s > 0.0 {
                (stats.counts.ok as f64 / duration_s * 10.0).round() / 10.0
            } else {
                0.0
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// "closed" (workers in a loop) or "open" (arrivals on a schedule).
    pub model: &'static str,
    pub reads: OpSummary,
    pub writes: OpSummary,
    /// Open model: arrivals scheduled and dropped, and the lag from intended start to send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduling_lag_ms: Option<LatencyMs>,
    /// Throttled attempts / all attempts (requests sent, retries included): one definition everywhere.
    pub throttle_rate: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitTotals {
    #[serde(with = "rust_decimal::serde::float")]
    pub read_units: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub write_units: Decimal,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Histograms {
    pub encoding: &'static str,
    pub unit: &'static str,
    /// Latency from intended start, per operation.
    pub reads: String,
    pub writes: String,
    /// Service time from the actual send, per operation.
    pub service_reads: String,
    pub service_writes: String,
    /// Per named operation: latency and service time.
    pub operations: BTreeMap<String, OperationHistograms>,
    /// Open model: intended start to send, of arrivals that found a free slot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduling_lag: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OperationHistograms {
    pub latency: String,
    pub service: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// A products-table key the key distribution favours: its share of all product picks (by the
/// distribution, not counted), so advice can tell a hot key from a busy table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HotKey {
    pub table: String,
    pub key: String,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub schema_version: u32,
    pub tool: Tool,
    pub run_id: String,
    pub started_at: String,
    pub duration_s: f64,
    pub interrupted: bool,
    pub config: RunConfig,
    pub tables: BTreeMap<String, TableInfo>,
    pub hot_keys: Vec<HotKey>,
    /// The keys the run sent most attempts (and throttles) to, per table and index slot name.
    pub keys: BTreeMap<String, KeysOf>,
    pub summary: Summary,
    /// Per named operation (the workshop's read and order, or a workload file's operations): the
    /// figures `summary.reads`/`writes` give for all reads and all writes.
    pub operations: BTreeMap<String, OpSummary>,
    pub consumed_capacity: BTreeMap<String, UnitTotals>,
    pub timeseries: Vec<TimeseriesRow>,
    pub histograms: Histograms,
    pub request_ids: RequestIds,
}

/// What a finished (or interrupted) load phase hands to `RunResult::new`.
pub struct Measured {
    pub metrics: Metrics,
    pub timeseries: Vec<TimeseriesRow>,
    pub duration_s: f64,
    pub interrupted: bool,
}

pub struct RunContext {
    pub config: RunConfig,
    pub run_id: String,
    pub started_at: String,
    pub tables: BTreeMap<String, TableInfo>,
    pub hot_keys: Vec<HotKey>,
    /// The workload's operations by OpRef index, and its tables by ConsumedUnits slot.
    pub operation_names: Vec<String>,
    pub table_names: TableNames,
}

impl RunResult {
    pub fn new(ctx: RunContext, measured: Measured) -> Self {
        let Measured {
            mut metrics,
            timeseries,
            duration_s,
            interrupted,
        } = measured;
        let mut request_ids = std::mem::take(&mut metrics.request_ids);
        request_ids.finish();
        let (reads, writes) = (&metrics.reads, &metrics.writes);
        let open = ctx.config.is_open_model();
        let throttled = reads.counts.throttled_attempts + writes.counts.throttled_attempts;
        let attempts = reads.counts.attempts + writes.counts.attempts;
        let consumed_capacity = ctx.table_names.units(&metrics.capacity);
        let empty = OpStats::default();
        let named = || {
            ctx.operation_names
                .iter()
                .enumerate()
                .map(|(i, name)| (name.clone(), metrics.operations.get(i).unwrap_or(&empty)))
        };
        let operations = named()
            .map(|(name, stats)| (name, OpSummary::new(stats, duration_s)))
            .collect();
        let operation_histograms = named()
            .map(|(name, stats)| {
                let histograms = OperationHistograms {
                    latency: encode_histogram(&stats.latency_us),
                    service: encode_histogram(&stats.service_us),
                };
                (name, histograms)
            })
            .collect();
        Self {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "ddbload",
                version: env!("CARGO_PKG_VERSION"),
            },
            run_id: ctx.run_id,
            started_at: ctx.started_at,
            duration_s: (duration_s * 1000.0).round() / 1000.0,
            interrupted,
            tables: ctx.tables,
            hot_keys: ctx.hot_keys,
            keys: metrics.keys.report(&ctx.table_names.0),
            summary: Summary {
                model: if open { "open" } else { "closed" },
                offered: open.then_some(metrics.offered),
                dropped: open.then_some(metrics.dropped),
                scheduling_lag_ms: open.then(|| LatencyMs::from_histogram(&metrics.lag_us)),
                reads: OpSummary::new(reads, duration_s),
                writes: OpSummary::new(writes, duration_s),
                throttle_rate: if attempts > 0 {
                    throttled as f64 / attempts as f64
                } else {
                    0.0
                },
            },
            operations,
            consumed_capacity,
            timeseries,
            histograms: Histograms {
                encoding: "HdrHistogram V2 compressed (deflate), base64",
                unit: "microseconds",
                reads: encode_histogram(&reads.latency_us),
                writes: encode_histogram(&writes.latency_us),
                service_reads: encode_histogram(&reads.service_us),
                service_writes: encode_histogram(&writes.service_us),
                operations: operation_histograms,
                scheduling_lag: open.then(|| encode_histogram(&metrics.lag_us)),
            },
            request_ids,
            config: ctx.config,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serializes")
    }
}

pub fn encode_histogram(h: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    V2DeflateSerializer::new()
        .serialize(h, &mut bytes)
        .expect("serializing to memory cannot fail");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn decode_histogram(text: &str) -> Option<Histogram<u64>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    hdrhistogram::serialization::Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::new_histogram;

    #[test]
    fn the_throttle_rate_is_throttled_attempts_over_all_attempts() {
        // The campaign's case: 26,357 of 28,267 attempts throttled, many operations giving up after
        // three throttled attempts. Each attempt counts once, whatever its operation's end.
        let mut metrics = Metrics::default();
        metrics.reads.counts.attempts = 28_267;
        metrics.reads.counts.throttled_attempts = 26_357;
        metrics.reads.counts.gave_up = 8_000;
        metrics
            .reads
            .counts
            .errors
            .insert("ProvisionedThroughputExceededException".into(), 8_000);
        metrics.reads.counts.ok = 1_910;
        let report = RunResult::new(
            RunContext {
                config: RunConfig::default(),
                run_id: "r".into(),
                started_at: "2026-11-26T00:00:00Z".into(),
                tables: BTreeMap::new(),
                hot_keys: Vec::new(),
                operation_names: vec!["get_product".into(), "put_order".into()],
                table_names: TableNames(vec!["Products".into(), "Orders".into()]),
            },
            Measured {
                metrics,
                timeseries: Vec::new(),
                duration_s: 10.0,
                interrupted: false,
            },
        );
        assert!((report.summary.throttle_rate - 26_357.0 / 28_267.0).abs() < 1e-12);
        assert!(report.summary.throttle_rate > 0.93);
        assert_eq!(report.summary.reads.counts.attempts, 28_267);
        assert_eq!(report.summary.reads.counts.gave_up, 8_000);
    }

    #[test]
    fn histograms_survive_encoding_and_merge_after_decoding() {
        let (mut a, mut b) = (new_histogram(), new_histogram());
        for v in 1..=500u64 {
            a.record(v * 10).unwrap();
            b.record(v * 1000).unwrap();
        }
        let mut merged = decode_histogram(&encode_histogram(&a)).unwrap();
        merged
            .add(decode_histogram(&encode_histogram(&b)).unwrap())
            .unwrap();
        let mut direct = a.clone();
        direct.add(&b).unwrap();
        assert_eq!(merged.len(), 1000);
        assert_eq!(
            merged.value_at_quantile(0.99),
            direct.value_at_quantile(0.99)
        );
    }
}
