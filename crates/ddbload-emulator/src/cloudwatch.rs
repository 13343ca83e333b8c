//! CloudWatch on the endpoint (Smithy RPC v2 CBOR, the protocol the AWS SDKs speak to CloudWatch):
//! GetMetricData for the AWS/DynamoDB namespace from the endpoint's own accounting (units consumed,
//! throttle events by reason, ThrottledRequests, ConditionalCheckFailedRequests and
//! SuccessfulRequestLatency, per table, global index and operation, at any period from one second),
//! and PutMetricData / GetMetricData / GetMetricStatistics for custom namespaces. What it does not do
//! (metric math, percentiles, paging, other operations) is refused with CloudWatch's error, never
//! answered partly. `cloudwatch_json` serves the same operations in CloudWatch's JSON protocol.

use std::collections::BTreeMap;

use bytes::Bytes;
use ciborium::value::{Integer, Value};
use http_body_util::Full;
use hyper::{Response, StatusCode};

use crate::capacity::{Kind, Limit, SliceTally, SLICES_PER_SECOND};
use crate::custom_metrics::{Agg, MetricKey};
use crate::ops::Shared;
use crate::request_metrics::RequestSlice;
use crate::store::Store;

pub const PATH_PREFIX: &str = "/service/GraniteServiceVersion20100801/operation/";
const OPERATIONS: [&str; 6] = [
    "GetMetricData",
    "GetMetricStatistics",
    "PutMetricData",
    "PutMetricAlarm",
    "DescribeAlarms",
    "DeleteAlarms",
];
pub const NAMESPACE: &str = "AWS/DynamoDB";
const MAX_QUERIES: usize = 500;
const DEFAULT_MAX_DATAPOINTS: usize = 100_800;
const MAX_DIMENSIONS: usize = 30;
pub const STATS: [&str; 5] = ["Sum", "Average", "Minimum", "Maximum", "SampleCount"];
/// Metrics DynamoDB publishes that the endpoint does not compute: asking for one is an error, so an
/// empty answer is never mistaken for "nothing happened".
const NOT_COMPUTED: [&str; 28] = [
    "AccountMaxReads",
    "AccountMaxTableLevelReads",
    "AccountMaxTableLevelWrites",
    "AccountMaxWrites",
    "AccountProvisionedReadCapacityUtilization",
    "AccountProvisionedWriteCapacityUtilization",
    "AgeOfOldestUnreplicatedRecord",
    "ConsumedChangeDataCaptureUnits",
    "FailedToReplicateRecordCount",
    "MaxProvisionedTableReadCapacityUtilization",
    "MaxProvisionedTableWriteCapacityUtilization",
    "OnDemandMaxReadRequestUnits",
    "OnDemandMaxWriteRequestUnits",
    "OnlineIndexConsumedWriteCapacity",
    "OnlineIndexPercentageProgress",
    "OnlineIndexThrottleEvents",
    "PendingReplicationCount",
    "ProvisionedReadCapacityUnits",
    "ProvisionedWriteCapacityUnits",
    "ReplicationLatency",
    "ReturnedBytes",
    "ReturnedItemCount",
    "ReturnedRecordsCount",
    "SystemErrors",
    "ThrottledPutRecordCount",
    "TimeToLiveDeletedCount",
    "TransactionConflict",
    "UserErrors",
];

/// A CBOR answer: status, body, and for errors the code the SDKs read from x-amzn-query-error.
pub struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) query_error: Option<String>,
}

impl Answer {
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: map(vec![
                ("__type", text(&format!("com.amazonaws.cloudwatch#{code}"))),
                ("message", text(&message.into())),
            ]),
            query_error: Some(format!("{code};Sender")),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::error(400, "InvalidParameterValue", message)
    }

    pub fn into_response(self, id: u64) -> Response<Full<Bytes>> {
        let mut body = Vec::new();
        ciborium::ser::into_writer(&self.body, &mut body).expect("CBOR values serialize");
        self.respond(
            id,
            &[
                ("content-type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
            ],
            body,
        )
    }

    /// The HTTP answer in either protocol: the status, request ID and query error code with the
    /// protocol's `headers` and its encoding of the body.
    pub fn respond(
        &self,
        id: u64,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Response<Full<Bytes>> {
        let mut response = Response::builder()
            .status(StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST))
            .header(crate::http_edges::REQUEST_ID, crate::server::request_id(id));
        for (name, value) in headers {
            response = response.header(*name, *value);
        }
        if let Some(code) = &self.query_error {
            response = response.header("x-amzn-query-error", code);
        }
        response
            .body(Full::new(Bytes::from(body)))
            .expect("static response parts are valid")
    }
}

/// Answers one CloudWatch operation.
pub fn dispatch(store: &Store, shared: &Shared, operation: &str, body: &[u8]) -> Answer {
    if !OPERATIONS.contains(&operation) {
        return Answer::error(
            400,
            "UnknownOperationException",
            format!(
                "ddbload's endpoint answers CloudWatch's {} only, not {operation}",
                OPERATIONS.join(", ")
            ),
        );
    }
    let request: Value = match ciborium::de::from_reader(body) {
        Ok(value) => value,
        Err(err) => {
            return Answer::error(
                400,
                "SerializationException",
                format!("the request body is not CBOR: {err}"),
            )
        }
    };
    let answer = match operation {
        "PutMetricData" => crate::put_metric_data::apply(store, shared, &request),
        "GetMetricData" => GetMetricData::parse(&request).map(|query| query.answer(store, shared)),
        "GetMetricStatistics" => crate::get_metric_statistics::answer(store, shared, &request),
        alarm => crate::alarms::dispatch(store, shared, alarm, &request),
    };
    answer.unwrap_or_else(|refused| refused)
}

/// The empty answer of an operation that returns nothing.
pub fn empty() -> Answer {
    ok(Value::Map(Vec::new()))
}

/// A successful answer with `body`.
pub fn ok(body: Value) -> Answer {
    Answer {
        status: 200,
        body,
        query_error: None,
    }
}

/// One metric, one statistic, one period: a GetMetricData query's MetricStat (or an alarm's metric).
#[derive(Debug, Clone)]
pub struct MetricQuery {
    id: String,
    label: String,
    pub metric: String,
    dimensions: BTreeMap<String, String>,
    pub namespace: String,
    pub period: i64,
    pub stat: String,
    unit: Option<String>,
    return_data: bool,
}

impl MetricQuery {
    /// An alarm's metric: any unit, no id or label.
    pub fn of(
        namespace: String,
        metric: String,
        dimensions: BTreeMap<String, String>,
        stat: String,
        period: i64,
    ) -> Self {
        Self {
            id: String::new(),
            label: String::new(),
            metric,
            dimensions,
            namespace,
            period,
            stat,
            unit: None,
            return_data: true,
        }
    }

    /// Only datapoints put with this unit (CloudWatch's Unit filter).
    pub fn with_unit(mut self, unit: Option<String>) -> Self {
        self.unit = unit;
        self
    }

    /// The statistic per period over [start, end): (period start in epoch seconds, value).
    pub fn values(&self, store: &Store, shared: &Shared, start: f64, end: f64) -> Vec<(i64, f64)> {
        bucketed(self, store, shared, start, end)
            .into_iter()
            .filter_map(|(t, agg)| agg.stat(&self.stat).map(|v| (t, v)))
            .collect()
    }
}

struct GetMetricData {
    queries: Vec<MetricQuery>,
    start: f64,
    end: f64,
    descending: bool,
    max_datapoints: usize,
}

pub type Fields<'a> = BTreeMap<&'a str, &'a Value>;

/// A CBOR map's fields by name; a name not in `allowed` is refused (not silently dropped).
pub fn fields<'a>(value: &'a Value, what: &str, allowed: &[&str]) -> Result<Fields<'a>, Answer> {
    let Value::Map(pairs) = value else {
        return Err(Answer::invalid(format!("{what} must be a structure")));
    };
    let mut out = BTreeMap::new();
    for (key, value) in pairs {
        let Value::Text(name) = key else {
            return Err(Answer::invalid(format!(
                "{what}: member names must be text"
            )));
        };
        if !allowed.contains(&name.as_str()) {
            return Err(Answer::invalid(format!(
                "{what}.{name} is not implemented by ddbload's endpoint"
            )));
        }
        if !matches!(value, Value::Null) {
            out.insert(name.as_str(), value);
        }
    }
    Ok(out)
}

pub fn required<'a>(fields: &Fields<'a>, name: &str, what: &str) -> Result<&'a Value, Answer> {
    fields.get(name).copied().ok_or_else(|| {
        Answer::error(
            400,
            "MissingParameter",
            format!("The parameter {what}.{name} is required."),
        )
    })
}

pub fn as_text(value: &Value, what: &str) -> Result<String, Answer> {
    match value {
        Value::Text(s) => Ok(s.clone()),
        _ => Err(Answer::invalid(format!("{what} must be a string"))),
    }
}

pub fn as_int(value: &Value, what: &str) -> Result<i64, Answer> {
    match value {
        Value::Integer(i) => i64::try_from(i128::from(*i))
            .map_err(|_| Answer::invalid(format!("{what} is out of range"))),
        _ => Err(Answer::invalid(format!("{what} must be an integer"))),
    }
}

/// A metric's dimensions (at most 30), by name.
pub fn dimensions(list: Option<&Value>) -> Result<BTreeMap<String, String>, Answer> {
    let mut dimensions = BTreeMap::new();
    let Some(list) = list else {
        return Ok(dimensions);
    };
    let Value::Array(list) = list else {
        return Err(Answer::invalid("Dimensions must be a list"));
    };
    if list.len() > MAX_DIMENSIONS {
        return Err(Answer::invalid(format!(
            "a metric has at most {MAX_DIMENSIONS} dimensions"
        )));
    }
    for dimension in list {
        let d = fields(dimension, "Dimension", &["Name", "Value"])?;
        dimensions.insert(
            as_text(required(&d, "Name", "Dimension")?, "Dimension.Name")?,
            as_text(required(&d, "Value", "Dimension")?, "Dimension.Value")?,
        );
    }
    Ok(dimensions)
}

/// A number (CBOR float or integer) that is finite.
pub fn number(value: &Value, what: &str) -> Result<f64, Answer> {
    let n = match value {
        Value::Float(f) => *f,
        Value::Integer(i) => i128::from(*i) as f64,
        _ => return Err(Answer::invalid(format!("{what} must be a number"))),
    };
    if n.is_finite() {
        Ok(n)
    } else {
        Err(Answer::invalid(format!(
            "The value {n} for parameter {what} is invalid."
        )))
    }
}

/// Epoch seconds: CBOR's tag 1, or the plain number CloudWatch's JSON protocol sends.
pub fn as_timestamp(value: &Value, what: &str) -> Result<f64, Answer> {
    let seconds = match value {
        Value::Tag(1, inner) => inner.as_ref(),
        plain => plain,
    };
    match seconds {
        Value::Integer(i) => Ok(i128::from(*i) as f64),
        Value::Float(f) if f.is_finite() => Ok(*f),
        _ => Err(Answer::invalid(format!("{what} must be a timestamp"))),
    }
}

/// A window's start and end, the start first.
pub fn window(fields: &Fields<'_>, what: &str) -> Result<(f64, f64), Answer> {
    let start = as_timestamp(required(fields, "StartTime", what)?, "StartTime")?;
    let end = as_timestamp(required(fields, "EndTime", what)?, "EndTime")?;
    if start >= end {
        return Err(Answer::invalid(
            "The parameter StartTime must be less than the parameter EndTime.",
        ));
    }
    Ok((start, end))
}

/// A period GetMetricData and GetMetricStatistics accept: 1, 5, 10, 20, 30 or a multiple of 60.
pub fn check_period(period: i64) -> Result<i64, Answer> {
    if matches!(period, 1 | 5 | 10 | 20 | 30) || (period > 0 && period % 60 == 0) {
        Ok(period)
    } else {
        Err(Answer::invalid(format!(
            "The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60, got {period}"
        )))
    }
}

/// A metric the endpoint can answer: a custom namespace's, or one of AWS/DynamoDB's it computes.
pub fn check_metric(namespace: &str, name: &str) -> Result<(), Answer> {
    if namespace.starts_with("AWS/") && namespace != NAMESPACE {
        return Err(Answer::invalid(format!(
            "Namespace {namespace}: among AWS's namespaces ddbload's endpoint keeps {NAMESPACE} only"
        )));
    }
    if namespace == NAMESPACE && NOT_COMPUTED.contains(&name) {
        return Err(Answer::invalid(format!(
            "MetricName {name}: ddbload's endpoint does not compute it (it computes consumed units, \
             throttle events by reason, ThrottledRequests, ConditionalCheckFailedRequests and \
             SuccessfulRequestLatency)"
        )));
    }
    Ok(())
}

impl GetMetricData {
    fn parse(request: &Value) -> Result<Self, Answer> {
        let top = fields(
            request,
            "GetMetricDataInput",
            &[
                "MetricDataQueries",
                "StartTime",
                "EndTime",
                "NextToken",
                "ScanBy",
                "MaxDatapoints",
            ],
        )?;
        if top.contains_key("NextToken") {
            return Err(Answer::error(
                400,
                "InvalidNextToken",
                "ddbload's endpoint answers in one page and never gives a NextToken",
            ));
        }
        let (start, end) = window(&top, "GetMetricDataInput")?;
        let descending = match top.get("ScanBy") {
            None => true,
            Some(v) => match as_text(v, "ScanBy")?.as_str() {
                "TimestampDescending" => true,
                "TimestampAscending" => false,
                other => return Err(Answer::invalid(format!("ScanBy: unknown value {other}"))),
            },
        };
        let max_datapoints = match top.get("MaxDatapoints") {
            None => DEFAULT_MAX_DATAPOINTS,
            Some(v) => usize::try_from(as_int(v, "MaxDatapoints")?)
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| Answer::invalid("MaxDatapoints must be positive"))?,
        };
        let Value::Array(list) = required(&top, "MetricDataQueries", "GetMetricDataInput")? else {
            return Err(Answer::invalid("MetricDataQueries must be a list"));
        };
        if list.is_empty() || list.len() > MAX_QUERIES {
            return Err(Answer::invalid(format!(
                "MetricDataQueries must hold 1 to {MAX_QUERIES} queries, got {}",
                list.len()
            )));
        }
        let queries = list
            .iter()
            .map(MetricQuery::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            queries,
            start,
            end,
            descending,
            max_datapoints,
        })
    }

    fn answer(&self, store: &Store, shared: &Shared) -> Answer {
        let mut results = Vec::new();
        let mut total = 0;
        for query in self.queries.iter().filter(|q| q.return_data) {
            let mut points = query.values(store, shared, self.start, self.end);
            if self.descending {
                points.reverse();
            }
            total += points.len();
            results.push(map(vec![
                ("Id", text(&query.id)),
                ("Label", text(&query.label)),
                (
                    "Timestamps",
                    Value::Array(
                        points
                            .iter()
                            .map(|(t, _)| {
                                Value::Tag(1, Box::new(Value::Integer(Integer::from(*t))))
                            })
                            .collect(),
                    ),
                ),
                (
                    "Values",
                    Value::Array(points.iter().map(|(_, v)| Value::Float(*v)).collect()),
                ),
                ("StatusCode", text("Complete")),
                ("Messages", Value::Array(Vec::new())),
            ]));
        }
        if total > self.max_datapoints {
            return Answer::invalid(format!(
                "{total} datapoints are more than MaxDatapoints ({}); ddbload's endpoint does not page: \
                 ask for a longer period or a shorter window",
                self.max_datapoints
            ));
        }
        Answer {
            status: 200,
            body: map(vec![
                ("MetricDataResults", Value::Array(results)),
                ("Messages", Value::Array(Vec::new())),
            ]),
            query_error: None,
        }
    }
}

impl MetricQuery {
    fn parse(value: &Value) -> Result<Self, Answer> {
        let query = fields(
            value,
            "MetricDataQuery",
            &[
                "Id",
                "MetricStat",
                "Expression",
                "Label",
                "ReturnData",
                "Period",
                "AccountId",
            ],
        )?;
        for unsupported in ["Expression", "Period", "AccountId"] {
            if query.contains_key(unsupported) {
                return Err(Answer::invalid(format!(
                    "MetricDataQuery.{unsupported}: ddbload's endpoint does not evaluate metric math or \
                     other accounts' metrics; give a MetricStat"
                )));
            }
        }
        let id = as_text(required(&query, "Id", "MetricDataQuery")?, "Id")?;
        let id_ok = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !id_ok || id.len() > 255 {
            return Err(Answer::invalid(format!(
                "The value {id} for parameter MetricDataQueries.member.Id is invalid: it must start \
                 with a lowercase letter and hold only letters, numbers and underscores"
            )));
        }
        let stat = fields(
            required(&query, "MetricStat", "MetricDataQuery")?,
            "MetricStat",
            &["Metric", "Period", "Stat", "Unit"],
        )?;
        let metric = fields(
            required(&stat, "Metric", "MetricStat")?,
            "Metric",
            &["Namespace", "MetricName", "Dimensions"],
        )?;
        let period = check_period(as_int(required(&stat, "Period", "MetricStat")?, "Period")?)?;
        let stat_name = as_text(required(&stat, "Stat", "MetricStat")?, "Stat")?;
        if !STATS.contains(&stat_name.as_str()) {
            return Err(Answer::invalid(format!(
                "Stat {stat_name}: ddbload's endpoint computes {} only",
                STATS.join(", ")
            )));
        }
        let dimensions = dimensions(metric.get("Dimensions").copied())?;
        let name = as_text(required(&metric, "MetricName", "Metric")?, "MetricName")?;
        let namespace = as_text(required(&metric, "Namespace", "Metric")?, "Namespace")?;
        check_metric(&namespace, &name)?;
        Ok(Self {
            label: match query.get("Label") {
                Some(v) => as_text(v, "Label")?,
                None => name.clone(),
            },
            id,
            metric: name,
            dimensions,
            namespace,
            period,
            stat: stat_name,
            unit: stat.get("Unit").map(|v| as_text(v, "Unit")).transpose()?,
            return_data: match query.get("ReturnData") {
                None => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(Answer::invalid("ReturnData must be a boolean")),
            },
        })
    }
}

/// The metric's samples by the epoch time they were counted at, or None when no such metric was put
/// or DynamoDB does not publish it with these dimensions (CloudWatch then answers no datapoints).
fn samples(query: &MetricQuery, store: &Store, shared: &Shared) -> Option<Vec<(f64, Agg)>> {
    if query.namespace != NAMESPACE {
        let key: MetricKey = (
            query.namespace.clone(),
            query.metric.clone(),
            query.dimensions.clone(),
        );
        let found = shared.custom.seconds(&key, query.unit.as_deref());
        return Some(found.into_iter().map(|(s, agg)| (s as f64, agg)).collect());
    }
    // A slice counts at its last moment: the clock's slice s ends at epoch offset + (s + 1) / 10. So
    // a window that starts inside a slice gets it whole (a run's load follows its setup by more
    // than a slice: session.rs).
    let offset = store.epoch() - store.now();
    let epoch = |slice: i64| offset + (slice + 1) as f64 / SLICES_PER_SECOND as f64 - 1e-6;
    dynamodb_samples(query, store, shared)
        .map(|found| found.into_iter().map(|(s, agg)| (epoch(s), agg)).collect())
}

/// An AWS/DynamoDB metric's samples by the endpoint clock's slice.
fn dynamodb_samples(
    query: &MetricQuery,
    store: &Store,
    shared: &Shared,
) -> Option<Vec<(i64, Agg)>> {
    let dims = &query.dimensions;
    let table = dims.get("TableName")?;
    let names: Vec<&str> = dims.keys().map(String::as_str).collect();
    let by_operation = |pick: fn(&RequestSlice) -> Option<Agg>| {
        let operation = dims.get("Operation")?;
        let slices = shared.requests.slices(table, operation);
        Some(
            slices
                .iter()
                .filter_map(|s| Some((s.slice, pick(s)?)))
                .collect(),
        )
    };
    match (query.metric.as_str(), names.as_slice()) {
        ("SuccessfulRequestLatency", ["Operation", "TableName"]) => by_operation(|s| {
            (s.latency_count > 0).then_some(Agg {
                sum: s.latency_sum_ms,
                count: s.latency_count as f64,
                min: s.latency_min_ms,
                max: s.latency_max_ms,
            })
        }),
        ("ThrottledRequests", ["Operation", "TableName"]) => {
            by_operation(|s| (s.throttled > 0).then(|| Agg::one(s.throttled as f64)))
        }
        ("ConditionalCheckFailedRequests", ["TableName"]) => Some(
            shared
                .requests
                .table_slices(table)
                .iter()
                .filter(|s| s.conditional_check_failed > 0)
                .map(|s| (s.slice, Agg::one(s.conditional_check_failed as f64)))
                .collect(),
        ),
        (name, ["TableName"] | ["GlobalSecondaryIndexName", "TableName"]) => {
            let pick = capacity_metric(name)?;
            let tallies = tallies(store, table, dims.get("GlobalSecondaryIndexName"))?;
            Some(
                tallies
                    .iter()
                    .filter_map(|t| pick(t).filter(|v| *v > 0.0).map(|v| (t.slice, Agg::one(v))))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// A table's (or one of its global indexes') slices of capacity.
fn tallies(store: &Store, table: &str, index: Option<&String>) -> Option<Vec<SliceTally>> {
    let table = store.any_table(table)?;
    match index {
        None => Some(table.state().capacity.slices().copied().collect()),
        Some(name) => {
            let index = table.index(name).ok().filter(|i| !i.local)?;
            let capacity = crate::table::lock(&index.capacity);
            Some(capacity.slices().copied().collect())
        }
    }
}

type Pick = Box<dyn Fn(&SliceTally) -> Option<f64>>;

/// How a capacity metric is read from a slice's tally.
fn capacity_metric(name: &str) -> Option<Pick> {
    let events = |kind: Kind, limits: &'static [Limit]| -> Pick {
        Box::new(move |t: &SliceTally| {
            Some(
                limits
                    .iter()
                    .map(|l| f64::from(t.throttle_events(kind, *l)))
                    .sum(),
            )
        })
    };
    let (kind, rest) = if let Some(rest) = name.strip_prefix("Read") {
        (Kind::Read, rest)
    } else if let Some(rest) = name.strip_prefix("Write") {
        (Kind::Write, rest)
    } else {
        return match name {
            "ConsumedReadCapacityUnits" => Some(Box::new(|t: &SliceTally| Some(t.read_units))),
            "ConsumedWriteCapacityUnits" => Some(Box::new(|t: &SliceTally| Some(t.write_units))),
            _ => None,
        };
    };
    let limits: &'static [Limit] = match rest {
        "ThrottleEvents" => &Limit::ALL,
        "ProvisionedThroughputThrottleEvents" => &[Limit::ProvisionedThroughput],
        "KeyRangeThroughputThrottleEvents" => &[Limit::KeyRangeThroughput],
        "AccountLimitThrottleEvents" => &[Limit::AccountLimit],
        "MaxOnDemandThroughputThrottleEvents" => &[Limit::MaxOnDemandThroughput],
        _ => return None,
    };
    Some(events(kind, limits))
}

/// The unit CloudWatch gives each metric (a query asking another unit gets no datapoints).
pub fn unit_of(metric: &str) -> &'static str {
    match metric {
        "SuccessfulRequestLatency" => "Milliseconds",
        _ => "Count",
    }
}

/// The samples counted in [start, end) added up per period, by the period's start in epoch seconds.
/// The endpoint counts by the tenth of a second, so a window that begins inside a second (a run's
/// load, just after its setup) gets only what came after its start.
pub fn bucketed(
    query: &MetricQuery,
    store: &Store,
    shared: &Shared,
    start: f64,
    end: f64,
) -> Vec<(i64, Agg)> {
    let dynamodb = query.namespace == NAMESPACE;
    if dynamodb
        && query
            .unit
            .as_deref()
            .is_some_and(|u| u != unit_of(&query.metric))
    {
        return Vec::new();
    }
    let mut periods: BTreeMap<i64, Agg> = BTreeMap::new();
    let counted = samples(query, store, shared).unwrap_or_default();
    for (at, agg) in counted
        .into_iter()
        .filter(|(at, _)| *at >= start && *at < end)
    {
        let epoch = at.floor() as i64;
        let start = epoch - epoch.rem_euclid(query.period);
        periods
            .entry(start)
            .and_modify(|a| a.add(agg))
            .or_insert(agg);
    }
    periods.into_iter().collect()
}

pub fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

pub fn map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Map(pairs.into_iter().map(|(k, v)| (text(k), v)).collect())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    fn request(query: Vec<(&str, Value)>) -> Vec<u8> {
        let metric = map(vec![
            ("Namespace", text(NAMESPACE)),
            ("MetricName", text("ConsumedWriteCapacityUnits")),
            (
                "Dimensions",
                Value::Array(vec![map(vec![
                    ("Name", text("TableName")),
                    ("Value", text("Orders")),
                ])]),
            ),
        ]);
        let mut stat = vec![
            ("Metric", metric),
            ("Period", Value::Integer(60.into())),
            ("Stat", text("Sum")),
        ];
        let mut fields = vec![("Id", text("q0"))];
        for (name, value) in query {
            if name == "Stat" {
                stat.retain(|(n, _)| *n != name);
                stat.push((name, value));
            } else {
                fields.push((name, value));
            }
        }
        fields.push(("MetricStat", map(stat)));
        let body = map(vec![
            ("MetricDataQueries", Value::Array(vec![map(fields)])),
            (
                "StartTime",
                Value::Tag(1, Box::new(Value::Integer(0.into()))),
            ),
            ("EndTime", Value::Tag(1, Box::new(Value::Float(4e9)))),
        ]);
        let mut bytes = Vec::new();
        ciborium::ser::into_writer(&body, &mut bytes).expect("serializes");
        bytes
    }

    fn code(answer: &Answer) -> Option<&str> {
        answer.query_error.as_deref()
    }

    #[test]
    fn what_the_endpoint_does_not_compute_is_refused_not_answered_empty() {
        let store = Store::new(Arc::new(ManualClock::default()), "us-east-1");
        let shared = Shared::default();
        let ask = |extra| dispatch(&store, &shared, "GetMetricData", &request(extra));
        let plain = ask(vec![]);
        assert_eq!((plain.status, code(&plain)), (200, None));
        for refused in [
            vec![("Expression", text("SUM(METRICS())"))],
            vec![("Stat", text("p99"))],
            vec![("Unknown", text("x"))],
        ] {
            let answer = ask(refused);
            assert_eq!(
                (answer.status, code(&answer)),
                (400, Some("InvalidParameterValue;Sender"))
            );
        }
        let other = dispatch(&store, &shared, "PutDashboard", &request(vec![]));
        assert_eq!(code(&other), Some("UnknownOperationException;Sender"));
        let put = |namespace: &str, datum: Vec<(&str, Value)>| {
            let body = map(vec![
                ("Namespace", text(namespace)),
                ("MetricData", Value::Array(vec![map(datum)])),
            ]);
            let mut bytes = Vec::new();
            ciborium::ser::into_writer(&body, &mut bytes).expect("serializes");
            dispatch(&store, &shared, "PutMetricData", &bytes)
        };
        let value = || vec![("MetricName", text("Hits")), ("Value", Value::Float(1.0))];
        assert_eq!(put("shop", value()).status, 200);
        assert_eq!(
            code(&put("AWS/DynamoDB", value())),
            Some("InvalidParameterValue;Sender")
        );
        let both = vec![
            ("MetricName", text("Hits")),
            ("Value", Value::Float(1.0)),
            ("Values", Value::Array(vec![Value::Float(2.0)])),
        ];
        assert_eq!(
            code(&put("shop", both)),
            Some("InvalidParameterCombination;Sender")
        );
    }
}
