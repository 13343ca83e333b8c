//! CloudWatch: GetMetricData for DynamoDB's own metrics of a run (`server_view`; the queries asked in
//! batches of 500, every page read, each answer as (epoch second, value) pairs oldest first), and
//! PutMetricData for `--cloudwatch-metrics` (1,000 datums a call, one-second resolution).

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricDatum, MetricStat, ScanBy, StandardUnit,
};
use aws_sdk_cloudwatch::Client;
use serde::{Deserialize, Serialize};

use super::sdk_failure;
use crate::connection::{Connection, Retries};
use crate::error::EngineError;

/// GetMetricData takes at most this many queries a call.
const QUERIES_PER_CALL: usize = 500;
/// PutMetricData takes at most this many datums a call.
pub const DATUMS_PER_CALL: usize = 1000;
const DYNAMODB: &str = "AWS/DynamoDB";
/// More pages than this for one run's window is not an answer about one run.
const MAX_PAGES: usize = 100;

/// One metric of the AWS/DynamoDB namespace, one statistic, one period.
#[derive(Debug, Clone, Deserialize)]
pub struct MetricQuery {
    pub id: String,
    /// AWS/DynamoDB unless given.
    #[serde(default)]
    pub namespace: Option<String>,
    pub metric: String,
    pub stat: String,
    pub period: i32,
    pub dimensions: Vec<(String, String)>,
}

/// A query's datapoints, oldest first.
#[derive(Debug, Clone, Serialize, Default)]
pub struct MetricSeries {
    pub id: String,
    pub timestamps: Vec<i64>,
    pub values: Vec<f64>,
}

/// Asks CloudWatch (or the endpoint override) for `queries` over [start, end) in epoch seconds.
pub async fn metric_data(
    conn: &Connection,
    queries: &[MetricQuery],
    start: f64,
    end: f64,
) -> Result<Vec<MetricSeries>, EngineError> {
    // One attempt: after a run against an endpoint that stopped answering, the view is not worth
    // three more attempt timeouts.
    let client = Client::new(&conn.sdk_config(Retries::Engine).await?);
    let endpoint = where_asked(conn);
    let mut found: Vec<MetricSeries> = queries
        .iter()
        .map(|q| MetricSeries {
            id: q.id.clone(),
            ..MetricSeries::default()
        })
        .collect();
    for (batch, chunk) in queries.chunks(QUERIES_PER_CALL).enumerate() {
        let mut token = None;
        for page_number in 1.. {
            if page_number > MAX_PAGES {
                return Err(EngineError::Aws(format!(
                    "cloudwatch:GetMetricData: more than {MAX_PAGES} pages for one run's window"
                )));
            }
            let page = client
                .get_metric_data()
                .set_metric_data_queries(Some(chunk.iter().map(sdk_query).collect()))
                .start_time(DateTime::from_secs_f64(start))
                .end_time(DateTime::from_secs_f64(end))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token)
                .send()
                .await
                .map_err(|err| {
                    sdk_failure(err, "cloudwatch:GetMetricData", "CloudWatch", &endpoint)
                })?;
            for result in page.metric_data_results() {
                let Some(index) = chunk
                    .iter()
                    .position(|q| Some(q.id.as_str()) == result.id())
                else {
                    continue;
                };
                let series = &mut found[batch * QUERIES_PER_CALL + index];
                series
                    .timestamps
                    .extend(result.timestamps().iter().map(DateTime::secs));
                series.values.extend_from_slice(result.values());
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(found)
}

pub fn sdk_dimensions(pairs: &[(String, String)]) -> Vec<Dimension> {
    pairs
        .iter()
        .map(|(name, value)| Dimension::builder().name(name).value(value).build())
        .collect()
}

fn sdk_query(query: &MetricQuery) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(query.namespace.as_deref().unwrap_or(DYNAMODB))
        .metric_name(&query.metric)
        .set_dimensions(Some(sdk_dimensions(&query.dimensions)))
        .build();
    MetricDataQuery::builder()
        .id(&query.id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(query.period)
                .stat(&query.stat)
                .build(),
        )
        .return_data(true)
        .build()
}

/// One value to put: a metric of the namespace with its dimensions, at an epoch time.
#[derive(Debug, Clone, Deserialize)]
pub struct Datum {
    pub name: String,
    pub dimensions: Vec<(String, String)>,
    pub timestamp: f64,
    pub value: f64,
    pub unit: String,
}

/// Puts `datums` into `namespace` at one-second resolution, DATUMS_PER_CALL a call; returns the calls.
pub async fn put_metric_data(
    conn: &Connection,
    namespace: &str,
    datums: &[Datum],
) -> Result<usize, EngineError> {
    let client = Client::new(&conn.sdk_config(Retries::Sdk).await?);
    let endpoint = where_asked(conn);
    let mut calls = 0;
    for chunk in datums.chunks(DATUMS_PER_CALL) {
        client
            .put_metric_data()
            .namespace(namespace)
            .set_metric_data(Some(chunk.iter().map(sdk_datum).collect()))
            .send()
            .await
            .map_err(|err| sdk_failure(err, "cloudwatch:PutMetricData", "CloudWatch", &endpoint))?;
        calls += 1;
    }
    Ok(calls)
}

fn sdk_datum(datum: &Datum) -> MetricDatum {
    MetricDatum::builder()
        .metric_name(&datum.name)
        .set_dimensions(Some(sdk_dimensions(&datum.dimensions)))
        .timestamp(DateTime::from_secs_f64(datum.timestamp))
        .value(datum.value)
        .unit(StandardUnit::from(datum.unit.as_str()))
        .storage_resolution(1)
        .build()
}

/// CloudWatch's endpoint in the connection's region, or the override.
pub fn where_asked(conn: &Connection) -> String {
    conn.endpoint_url.clone().map_or_else(
        || format!("monitoring.{}.amazonaws.com", conn.region),
        |url| crate::connection::redacted(&url),
    )
}
