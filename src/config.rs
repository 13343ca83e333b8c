//! RunConfig: every user input of a load test, checked once by `validate` with messages that name the option.

use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::connection::Connection;
pub use crate::error::ConfigError;
use crate::workload::keys::KeyDistribution;
use crate::workload::money;

/// How product lookups are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadOp {
    Get,
    BatchGet,
    Query,
}

impl FromStr for ReadOp {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "get" => Ok(Self::Get),
            "batch-get" => Ok(Self::BatchGet),
            "query" => Ok(Self::Query),
            other => Err(ConfigError::new(
                "--read-op",
                format!("expected get, batch-get or query, got {other:?}"),
            )),
        }
    }
}

/// Which client sends the load's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientKind {
    /// GetItem, PutItem, BatchGetItem and TransactWriteItems signed and sent by ddbload's fast path
    /// (src/fastpath); Query through the SDK.
    Fast,
    /// Every operation through the AWS SDK for Rust.
    Sdk,
}

impl FromStr for ClientKind {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "fast" => Ok(Self::Fast),
            "sdk" => Ok(Self::Sdk),
            other => Err(ConfigError::new(
                "--client",
                format!("expected fast or sdk, got {other:?}"),
            )),
        }
    }
}

/// How orders are created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WriteOp {
    /// PutItem of the order, never overwriting an existing item.
    Put,
    /// TransactWriteItems: the order plus a stock decrement on each ordered product.
    Transact,
}

impl FromStr for WriteOp {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "put" => Ok(Self::Put),
            "transact" => Ok(Self::Transact),
            other => Err(ConfigError::new(
                "--write-op",
                format!("expected put or transact, got {other:?}"),
            )),
        }
    }
}

/// One stage of a load shape: ramp linearly from the previous rate to `target` over `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stage {
    #[serde(rename = "duration_s", serialize_with = "serialize_secs")]
    pub duration: Duration,
    pub target: f64,
}

/// A GameDay timeline's `stage` action: from second `at` of the run (until `until`, if its `for` ends
/// it) the open model's rate goes to `rate`, reached over `ramp` seconds (0: at once).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateChange {
    pub at: f64,
    pub until: Option<f64>,
    pub rate: f64,
    pub ramp: f64,
}

/// A GameDay timeline as ddbload.gameday_plan encoded it: the option it came from (`--timeline`, or
/// `--workload` for a file's `timeline:`), where (named in messages) and its entries. Carried out around
/// the run by ddbload.gameday_run; the engine itself follows only its stage actions (`rate_changes`).
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub option: &'static str,
    pub encoded: String,
}

/// Parses `--stages 2m:1000,30s:8000`: DURATION:TARGET pairs.
pub fn parse_stages(text: &str) -> Result<Vec<Stage>, ConfigError> {
    let bad = |why: String| {
        ConfigError::new(
            "--stages",
            format!("expected DURATION:RATE pairs such as 2m:1000,30s:8000 ({why}), got {text:?}"),
        )
    };
    let mut stages = Vec::new();
    for part in text.split(',') {
        let (duration, target) = part
            .trim()
            .split_once(':')
            .ok_or_else(|| bad(format!("no ':' in {part:?}")))?;
        let duration = parse_duration("--stages", duration).map_err(|e| bad(e.message))?;
        let target: f64 = target
            .trim()
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| bad(format!("rate {target:?} is not a number of at least 0")))?;
        stages.push(Stage { duration, target });
    }
    Ok(stages)
}

/// Everything one load test needs; built by the Python front or by tests, then `validate`d.
#[derive(Debug, Clone, Serialize)]
pub struct RunConfig {
    pub threads: u32,
    #[serde(rename = "duration_s", serialize_with = "serialize_secs")]
    pub duration: Duration,
    /// Region, profile and endpoint (in the result JSON as `region`, `profile`, `endpoint_url`).
    #[serde(flatten)]
    pub connection: Connection,
    pub products_table: String,
    pub orders_table: String,
    pub create_tables: bool,
    pub seed_products: u64,
    pub read_ratio: f64,
    pub read_op: ReadOp,
    pub batch_size: u32,
    pub consistent_reads: bool,
    pub write_op: WriteOp,
    pub max_attempts: u32,
    /// How many of the slowest calls, and of the first throttled calls per reason, keep their request IDs.
    pub keep_request_ids: u32,
    /// After the deadline, how long operations on the wire may take to answer (then they are cut).
    #[serde(rename = "grace_s", serialize_with = "serialize_secs")]
    pub grace: Duration,
    pub client: ClientKind,
    pub seed: Option<u64>,
    pub run_id: Option<String>,
    pub price_min: Decimal,
    pub price_max: Decimal,
    pub max_quantity: u32,
    pub max_lines: u32,
    pub ttl_hours: u32,
    pub sample_products: u32,
    /// Capacity tables created by this run get after seeding: None = on-demand, Some((rcu, wcu)) =
    /// provisioned (as the workshop sets its tables before a test).
    pub table_capacity: Option<(u32, u32)>,
    /// Open model: a constant arrival rate (operations per second) for `duration`.
    pub rate: Option<f64>,
    /// Open model: a load shape in stages (the duration is their sum).
    pub stages: Vec<Stage>,
    /// The rate the first stage ramps from.
    pub start_rate: f64,
    /// Open model: most requests in flight at once; arrivals beyond wait (their wait counts in
    /// latency), and arrivals beyond as many again are dropped and counted.
    pub max_in_flight: u32,
    #[serde(serialize_with = "serialize_display")]
    pub key_distribution: KeyDistribution,
    /// One task of a distributed run (0-based): its order ids carry it, so tasks sharing a run id and
    /// seed never write the same order, and its random streams are its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<u32>,
    /// After setup, wait for a start time sent through `RunHandle::begin_handle` (a distributed run's
    /// agreed start) before the load.
    #[serde(skip)]
    pub hold_start: bool,
    /// The products to read and order, as `Catalog::to_json` writes them, instead of sampling the
    /// table (a distributed run's tasks share task 0's sample).
    #[serde(skip)]
    pub catalog: Option<String>,
    /// A workload file's JSON form (None: the workshop). Its tables and operations replace the
    /// products/orders options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<serde_json::Value>,
    #[serde(skip)]
    pub timeline: Option<Timeline>,
    /// The timeline's stage actions, which change the open model's schedule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rate_changes: Vec<RateChange>,
    /// `ddbload replay`: arrivals from a trace's calls instead of a schedule (None: a schedule or
    /// workers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<ReplayConfig>,
}

/// A replay's arrivals: the spool `ddbload replay` wrote from the trace (one call a line, sorted by
/// second) and how to lay it on the run's clock.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ReplayConfig {
    pub spool: std::path::PathBuf,
    /// The trace's timeline is compressed by this (2: twice as fast).
    pub speed: f64,
    /// The calls in each second of the trace, from its first to its last: its length (a loop starts
    /// again after it) and each run second's target.
    pub per_second: Vec<u64>,
    /// Start the trace again when it ends, until the run's length.
    #[serde(default, rename = "loop")]
    pub repeat: bool,
}

impl ReplayConfig {
    /// The trace's length in seconds.
    pub fn span_s(&self) -> u64 {
        self.per_second.len() as u64
    }
}

fn serialize_display<T: std::fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

fn serialize_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            threads: 20,
            duration: Duration::from_secs(60),
            connection: Connection {
                region: "us-east-1".into(),
                profile: None,
                endpoint_url: None,
            },
            products_table: "Products".into(),
            orders_table: "Orders".into(),
            create_tables: false,
            seed_products: 0,
            read_ratio: 0.8,
            read_op: ReadOp::Get,
            batch_size: 10,
            consistent_reads: false,
            write_op: WriteOp::Put,
            max_attempts: 3,
            keep_request_ids: 20,
            grace: DEFAULT_GRACE,
            client: ClientKind::Fast,
            seed: None,
            run_id: None,
            price_min: Decimal::new(100, 2),
            price_max: Decimal::new(50000, 2),
            max_quantity: 5,
            max_lines: 5,
            ttl_hours: 24,
            sample_products: 10_000,
            table_capacity: None,
            rate: None,
            stages: Vec::new(),
            start_rate: 0.0,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            key_distribution: KeyDistribution::Uniform,
            task: None,
            hold_start: false,
            catalog: None,
            workload: None,
            timeline: None,
            rate_changes: Vec::new(),
            replay: None,
        }
    }
}

pub const MAX_THREADS: u32 = 10_000;
/// A distributed run's task indexes (three digits in order ids).
pub const MAX_TASK: u32 = 999;
/// Requests on the wire at once (so connections) in the open model: 100 holds 20,000 ops/s at 5 ms.
/// Far more turns any hiccup into a storm of new connections that slows every request (measured on
/// loopback: 500 in flight lost the schedule at 24,000/s where 100 held it at 30,000/s).
pub const DEFAULT_MAX_IN_FLIGHT: u32 = 100;
pub const MAX_RATE: f64 = 10_000_000.0;
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

impl RunConfig {
    /// Whether arrivals follow a schedule (open model) rather than workers in a loop.
    pub fn is_open_model(&self) -> bool {
        self.rate.is_some() || !self.stages.is_empty() || self.replay.is_some()
    }

    fn validate_open_model(&self) -> Result<(), ConfigError> {
        if let Some(replay) = &self.replay {
            if self.rate.is_some() || !self.stages.is_empty() {
                return Err(ConfigError::new(
                    "--rate",
                    "a replay's arrivals are the trace's; leave out --rate and --stages",
                ));
            }
            if !(replay.speed.is_finite() && replay.speed > 0.0 && replay.speed <= 1000.0) {
                return Err(ConfigError::new(
                    "--speed",
                    format!("must be more than 0 and at most 1000, got {}", replay.speed),
                ));
            }
            if replay.per_second.iter().sum::<u64>() == 0 {
                return Err(ConfigError::new("--speed", "the trace has no calls"));
            }
        }
        if self.rate.is_some() && !self.stages.is_empty() {
            return Err(ConfigError::new(
                "--rate",
                "give either --rate or --stages, not both",
            ));
        }
        if let Some(rate) = self.rate {
            if !(rate.is_finite() && rate > 0.0 && rate <= MAX_RATE) {
                return Err(ConfigError::new(
                    "--rate",
                    format!("must be more than 0 and at most {MAX_RATE} operations a second, got {rate}"),
                ));
            }
        }
        let total: Duration = self.stages.iter().map(|s| s.duration).sum();
        if !self.stages.is_empty() && (total.is_zero() || total > MAX_DURATION) {
            return Err(ConfigError::new(
                "--stages",
                format!(
                    "must last more than 0 and at most 24h, got {}s",
                    total.as_secs_f64()
                ),
            ));
        }
        if let Some(stage) = self
            .stages
            .iter()
            .find(|s| !(s.target.is_finite() && s.target <= MAX_RATE))
        {
            return Err(ConfigError::new(
                "--stages",
                format!(
                    "a stage's rate must be at most {MAX_RATE}, got {}",
                    stage.target
                ),
            ));
        }
        if !(self.start_rate.is_finite() && self.start_rate >= 0.0 && self.start_rate <= MAX_RATE) {
            return Err(ConfigError::new(
                "--start-rate",
                format!("must be between 0 and {MAX_RATE}, got {}", self.start_rate),
            ));
        }
        if !(1..=1_000_000).contains(&self.max_in_flight) {
            return Err(ConfigError::new(
                "--max-in-flight",
                format!("must be between 1 and 1000000, got {}", self.max_in_flight),
            ));
        }
        Ok(())
    }

    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_workload()?;
        self.validate_open_model()?;
        self.validate_load()?;
        self.validate_tables()?;
        self.validate_orders()?;
        self.validate_products()
    }

    /// A workload file compiles (every mistake found before anything is sent) and runs on the fast client.
    fn validate_workload(&self) -> Result<(), ConfigError> {
        if let Some(file) = &self.workload {
            let plan = crate::plan::Plan::compile(file, self.key_distribution)
                .map_err(|e| ConfigError::new("--workload", e.to_string()))?;
            let stages = plan.stage_count();
            if stages > 1 && stages != self.stages.len() {
                return Err(ConfigError::new(
                    "--stages",
                    format!(
                        "the workload's weights are given for {stages} stages; --stages gives {}",
                        self.stages.len()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Workers, length, mix, retries, and a distributed run's task number.
    fn validate_load(&self) -> Result<(), ConfigError> {
        if self.task.is_some_and(|t| t > MAX_TASK) {
            return Err(ConfigError::new(
                "task",
                format!(
                    "must be between 0 and {MAX_TASK}, got {}",
                    self.task.unwrap_or(0)
                ),
            ));
        }
        between("--threads", self.threads, 1, MAX_THREADS)?;
        if self.duration.is_zero() || self.duration > MAX_DURATION {
            return Err(ConfigError::new(
                "--duration",
                format!(
                    "must be more than 0 and at most 24h, got {}s",
                    self.duration.as_secs_f64()
                ),
            ));
        }
        if !(0.0..=1.0).contains(&self.read_ratio) {
            return Err(ConfigError::new(
                "--read-ratio",
                format!("must be between 0 and 1, got {}", self.read_ratio),
            ));
        }
        if self.batch_size < 1 || self.batch_size > 100 {
            return Err(ConfigError::new(
                "--batch-size",
                format!(
                    "must be between 1 and 100 (BatchGetItem's limit), got {}",
                    self.batch_size
                ),
            ));
        }
        if self.grace > crate::connection::ATTEMPT_TIMEOUT {
            return Err(ConfigError::new(
                "--grace",
                format!(
                    "must be at most {}s (the attempt timeout), got {}s",
                    crate::connection::ATTEMPT_TIMEOUT.as_secs(),
                    self.grace.as_secs_f64()
                ),
            ));
        }
        between("--max-attempts", self.max_attempts, 1, 20)?;
        between("--keep-request-ids", self.keep_request_ids, 0, 1000)
    }

    /// Where requests go, the two tables' names, and the run id stored on orders.
    fn validate_tables(&self) -> Result<(), ConfigError> {
        self.connection.validate()?;
        check_table_name("--products-table", &self.products_table)?;
        check_table_name("--orders-table", &self.orders_table)?;
        if self.products_table == self.orders_table {
            return Err(ConfigError::new(
                "--orders-table",
                format!(
                    "must differ from --products-table, both are {:?}",
                    self.orders_table
                ),
            ));
        }
        if let Some(run_id) = &self.run_id {
            check_name("--run-id", run_id, |c| {
                c.is_ascii_alphanumeric() || c == '-' || c == '_'
            })?;
            if run_id.len() > 64 {
                return Err(ConfigError::new(
                    "--run-id",
                    format!("must be at most 64 characters, got {}", run_id.len()),
                ));
            }
        }
        Ok(())
    }

    /// Prices, quantities and lines, and that the largest order can be totalled exactly.
    fn validate_orders(&self) -> Result<(), ConfigError> {
        if self.price_min <= Decimal::ZERO {
            return Err(ConfigError::new(
                "--price-min",
                format!("must be more than 0, got {}", self.price_min),
            ));
        }
        if self.price_max < self.price_min {
            return Err(ConfigError::new(
                "--price-max",
                format!(
                    "must be at least --price-min ({}), got {}",
                    self.price_min, self.price_max
                ),
            ));
        }
        between("--max-quantity", self.max_quantity, 1, 1000)?;
        between("--max-lines", self.max_lines, 1, 25)?;
        let scale = money::price_scale(self.price_min, self.price_max);
        let exact_total = money::mantissa_at(self.price_min, scale).is_some()
            && money::largest_total(self.price_max, scale, self.max_quantity, self.max_lines)
                .is_some();
        if !exact_total {
            return Err(ConfigError::new(
                "--price-max",
                format!(
                    "{}: an order of {} lines of {} units could total more digits than an exact decimal \
                     holds (28); lower --price-max, --max-quantity or --max-lines",
                    self.price_max, self.max_lines, self.max_quantity
                ),
            ));
        }
        Ok(())
    }

    /// Sampling and seeding products, and how long generated orders live.
    fn validate_products(&self) -> Result<(), ConfigError> {
        if self.sample_products < 1 {
            return Err(ConfigError::new(
                "--sample-products",
                format!("must be at least 1, got {}", self.sample_products),
            ));
        }
        if self.seed_products > 10_000_000 {
            return Err(ConfigError::new(
                "--seed-products",
                format!("must be at most 10000000, got {}", self.seed_products),
            ));
        }
        if self.ttl_hours > 24 * 365 {
            return Err(ConfigError::new(
                "--ttl-hours",
                format!("must be at most 8760 (a year), got {}", self.ttl_hours),
            ));
        }
        Ok(())
    }
}

/// `value` within `low..=high`, or "must be between LOW and HIGH, got VALUE" naming `option`.
fn between(option: &'static str, value: u32, low: u32, high: u32) -> Result<(), ConfigError> {
    if (low..=high).contains(&value) {
        return Ok(());
    }
    Err(ConfigError::new(
        option,
        format!("must be between {low} and {high}, got {value}"),
    ))
}

fn check_name(
    option: &'static str,
    value: &str,
    ok: impl Fn(char) -> bool,
) -> Result<(), ConfigError> {
    if value.is_empty() || !value.chars().all(ok) {
        return Err(ConfigError::new(option, format!("invalid value {value:?}")));
    }
    Ok(())
}

/// DynamoDB's table-name rule, one definition shared with the offline endpoint.
pub use ddbload_emulator::is_valid_table_name;

fn check_table_name(option: &'static str, name: &str) -> Result<(), ConfigError> {
    if !is_valid_table_name(name) {
        return Err(ConfigError::new(
            option,
            format!(
                "{name:?} is not a valid table name (3-255 characters of letters, digits, '_', '-', '.')"
            ),
        ));
    }
    Ok(())
}

/// Parses --table-capacity: "on-demand" or "RCU/WCU" such as "2/2".
pub fn parse_table_capacity(text: &str) -> Result<Option<(u32, u32)>, ConfigError> {
    if text == "on-demand" {
        return Ok(None);
    }
    let bad = || {
        ConfigError::new(
            "--table-capacity",
            format!("expected on-demand or RCU/WCU such as 2/2, got {text:?}"),
        )
    };
    let (r, w) = text.split_once('/').ok_or_else(bad)?;
    let units = |v: &str| v.trim().parse::<u32>().ok().filter(|n| *n >= 1);
    Ok(Some((units(r).ok_or_else(bad)?, units(w).ok_or_else(bad)?)))
}

/// How long operations on the wire at the deadline may take to answer, unless `--grace` says.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(2);

/// Parses "90s", "5m", "1.5m", "1h30m", "250ms" or a bare number of seconds.
pub fn parse_duration(option: &'static str, text: &str) -> Result<Duration, ConfigError> {
    let bad = || {
        ConfigError::new(
            option,
            format!("expected a duration like 90s, 5m or 1h30m, got {text:?}"),
        )
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    if let Ok(secs) = text.parse::<f64>() {
        return secs_to_duration(option, secs);
    }
    let mut total = 0.0_f64;
    let mut rest = text;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    secs_to_duration(option, total)
}

/// Converts --minutes (fractions allowed: 0.5 is 30 s), naming the value as the user gave it.
pub fn minutes_to_duration(minutes: f64) -> Result<Duration, ConfigError> {
    if !minutes.is_finite() || minutes <= 0.0 || minutes > 24.0 * 60.0 {
        return Err(ConfigError::new(
            "--minutes",
            format!("must be more than 0 and at most 1440 (24h), got {minutes}"),
        ));
    }
    Ok(Duration::from_secs_f64(minutes * 60.0))
}

/// Converts a number of seconds (which may be a fraction, e.g. --minutes 0.5 * 60) to a Duration.
pub fn secs_to_duration(option: &'static str, secs: f64) -> Result<Duration, ConfigError> {
    if !secs.is_finite() || secs <= 0.0 {
        return Err(ConfigError::new(
            option,
            format!("must be more than 0, got {secs}"),
        ));
    }
    if secs > MAX_DURATION.as_secs_f64() {
        return Err(ConfigError::new(
            option,
            format!("must be at most 24h, got {secs}s"),
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Parses a decimal number exactly: digits rust_decimal cannot hold are an error, never rounded.
pub fn parse_decimal_exact(option: &'static str, text: &str) -> Result<Decimal, ConfigError> {
    let trimmed = text.trim();
    let looks_numeric = !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'));
    if !looks_numeric {
        return Err(ConfigError::new(
            option,
            format!("expected a decimal number like 19.99, got {text:?}"),
        ));
    }
    Decimal::from_str_exact(trimmed).map_err(|_| {
        ConfigError::new(
            option,
            format!("{text} has more digits than an exact decimal can hold (at most 28 significant digits)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        RunConfig::default().validate().unwrap();
    }

    #[test]
    fn each_bad_field_names_its_option() {
        type Mutation = Box<dyn Fn(&mut RunConfig)>;
        let cases: Vec<(&str, Mutation)> = vec![
            ("--threads", Box::new(|c| c.threads = 0)),
            ("--duration", Box::new(|c| c.duration = Duration::ZERO)),
            ("--read-ratio", Box::new(|c| c.read_ratio = 1.5)),
            ("--read-ratio", Box::new(|c| c.read_ratio = f64::NAN)),
            (
                "--products-table",
                Box::new(|c| c.products_table = "a b".into()),
            ),
            (
                "--orders-table",
                Box::new(|c| c.orders_table = c.products_table.clone()),
            ),
            (
                "--endpoint-url",
                Box::new(|c| c.connection.endpoint_url = Some("localhost:8000".into())),
            ),
            ("--batch-size", Box::new(|c| c.batch_size = 101)),
            ("--max-attempts", Box::new(|c| c.max_attempts = 0)),
            ("--run-id", Box::new(|c| c.run_id = Some("a/b".into()))),
            ("--price-min", Box::new(|c| c.price_min = Decimal::ZERO)),
            (
                "--price-max",
                Box::new(|c| c.price_max = Decimal::new(50, 2)),
            ),
            (
                "--region",
                Box::new(|c| c.connection.region = "US East".into()),
            ),
            (
                "--price-max",
                Box::new(|c| {
                    c.price_max = Decimal::from_str_exact("9.999999999999999999999999999").unwrap();
                }),
            ),
            ("--price-max", Box::new(|c| c.price_max = Decimal::MAX)),
        ];
        for (option, mutate) in cases {
            let mut config = RunConfig::default();
            mutate(&mut config);
            let err = config.validate().expect_err(option);
            assert_eq!(err.option, option, "{err}");
            assert!(err.to_string().starts_with(option));
        }
    }

    #[test]
    fn durations_parse_in_several_forms() {
        let d = |s| parse_duration("--duration", s).unwrap();
        assert_eq!(d("90s"), Duration::from_secs(90));
        assert_eq!(d("90"), Duration::from_secs(90));
        assert_eq!(d("1.5m"), Duration::from_secs(90));
        assert_eq!(d("1h30m"), Duration::from_secs(5400));
        assert_eq!(d("250ms"), Duration::from_millis(250));
        assert_eq!(minutes_to_duration(0.5).unwrap(), Duration::from_secs(30));
        assert!(minutes_to_duration(-2.0)
            .unwrap_err()
            .message
            .contains("got -2"));
        for bad in ["", "0", "-5s", "5x", "m", "1h30", "inf"] {
            assert!(parse_duration("--duration", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decimals_are_exact_or_rejected() {
        assert_eq!(
            parse_decimal_exact("--price-min", "19.99").unwrap(),
            Decimal::new(1999, 2)
        );
        let err =
            parse_decimal_exact("--price-min", "1.00000000000000000000000000001").unwrap_err();
        assert!(err.message.contains("more digits"), "{err}");
        assert!(parse_decimal_exact("--price-min", "1e5").is_err());
        assert!(parse_decimal_exact("--price-min", "abc").is_err());
        assert_eq!(parse_table_capacity("2/2").unwrap(), Some((2, 2)));
        assert_eq!(parse_table_capacity("on-demand").unwrap(), None);
        assert!(parse_table_capacity("0/2").is_err());
    }
}
