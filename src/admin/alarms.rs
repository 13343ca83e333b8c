//! CloudWatch alarms for `--cloudwatch-alarm`: created on the run's own metrics before the load, their
//! states read while it runs, deleted after it.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
use aws_sdk_cloudwatch::Client;
use serde::Deserialize;

use super::metric_data::{sdk_dimensions, where_asked};
use super::sdk_failure;
use crate::connection::{Connection, Retries};
use crate::error::EngineError;

/// One alarm on a metric of the run (Statistic over Period seconds, one period to alarm).
#[derive(Debug, Clone, Deserialize)]
pub struct AlarmSpec {
    pub name: String,
    pub namespace: String,
    pub metric: String,
    pub dimensions: Vec<(String, String)>,
    pub statistic: String,
    pub period: i32,
    pub threshold: f64,
    pub comparison: String,
}

async fn client(conn: &Connection) -> Result<(Client, String), EngineError> {
    Ok((
        Client::new(&conn.sdk_config(Retries::Sdk).await?),
        where_asked(conn),
    ))
}

/// Creates (or replaces) each alarm.
pub async fn put_alarms(conn: &Connection, alarms: &[AlarmSpec]) -> Result<(), EngineError> {
    let (client, endpoint) = client(conn).await?;
    for alarm in alarms {
        client
            .put_metric_alarm()
            .alarm_name(&alarm.name)
            .alarm_description("created by ddbload for one run; deleted when the run ends")
            .namespace(&alarm.namespace)
            .metric_name(&alarm.metric)
            .set_dimensions(Some(sdk_dimensions(&alarm.dimensions)))
            .statistic(Statistic::from(alarm.statistic.as_str()))
            .period(alarm.period)
            .evaluation_periods(1)
            .threshold(alarm.threshold)
            .comparison_operator(ComparisonOperator::from(alarm.comparison.as_str()))
            .treat_missing_data("notBreaching")
            .send()
            .await
            .map_err(|err| {
                sdk_failure(err, "cloudwatch:PutMetricAlarm", "CloudWatch", &endpoint)
            })?;
    }
    Ok(())
}

/// Each named alarm's state (ALARM, OK, INSUFFICIENT_DATA).
pub async fn alarm_states(
    conn: &Connection,
    names: &[String],
) -> Result<BTreeMap<String, String>, EngineError> {
    let (client, endpoint) = client(conn).await?;
    let answer = client
        .describe_alarms()
        .set_alarm_names(Some(names.to_vec()))
        .send()
        .await
        .map_err(|err| sdk_failure(err, "cloudwatch:DescribeAlarms", "CloudWatch", &endpoint))?;
    Ok(answer
        .metric_alarms()
        .iter()
        .filter_map(|alarm| {
            Some((
                alarm.alarm_name()?.to_owned(),
                alarm.state_value()?.as_str().to_owned(),
            ))
        })
        .collect())
}

pub async fn delete_alarms(conn: &Connection, names: &[String]) -> Result<(), EngineError> {
    let (client, endpoint) = client(conn).await?;
    client
        .delete_alarms()
        .set_alarm_names(Some(names.to_vec()))
        .send()
        .await
        .map_err(|err| sdk_failure(err, "cloudwatch:DeleteAlarms", "CloudWatch", &endpoint))?;
    Ok(())
}
