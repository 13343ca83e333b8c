//! CloudWatch alarms on the endpoint: PutMetricAlarm, DescribeAlarms and DeleteAlarms for alarms on one
//! metric (custom or AWS/DynamoDB). An alarm's state is evaluated when it is described, from the
//! metric's last EvaluationPeriods periods, as CloudWatch evaluates it; actions, metric math, percentile
//! statistics and anomaly thresholds are refused, never stored and ignored.

use std::collections::BTreeMap;
use std::sync::Mutex;

use ciborium::value::Value;

use crate::cloudwatch::{
    as_int, as_text, dimensions, empty, fields, map, number, ok, required, text, Answer,
    MetricQuery, STATS,
};
use crate::ops::Shared;
use crate::store::Store;

/// More alarms than this are refused (CloudWatch's quota is per account; memory stays bounded here).
const MAX_ALARMS: usize = 5_000;
const COMPARISONS: [&str; 4] = [
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
];
const MISSING: [&str; 4] = ["missing", "notBreaching", "breaching", "ignore"];

#[derive(Debug, Clone)]
struct Alarm {
    query: MetricQuery,
    evaluation_periods: i64,
    datapoints_to_alarm: i64,
    threshold: f64,
    comparison: String,
    treat_missing: String,
}

#[derive(Default)]
pub struct Alarms {
    by_name: Mutex<BTreeMap<String, Alarm>>,
}

pub fn dispatch(
    store: &Store,
    shared: &Shared,
    operation: &str,
    request: &Value,
) -> Result<Answer, Answer> {
    match operation {
        "PutMetricAlarm" => put(shared, request),
        "DescribeAlarms" => describe(store, shared, request),
        _ => delete(shared, request),
    }
}

fn put(shared: &Shared, request: &Value) -> Result<Answer, Answer> {
    let r = fields(
        request,
        "PutMetricAlarmInput",
        &[
            "AlarmName",
            "AlarmDescription",
            "ActionsEnabled",
            "OKActions",
            "AlarmActions",
            "InsufficientDataActions",
            "MetricName",
            "Namespace",
            "Statistic",
            "ExtendedStatistic",
            "Dimensions",
            "Period",
            "Unit",
            "EvaluationPeriods",
            "DatapointsToAlarm",
            "Threshold",
            "ComparisonOperator",
            "TreatMissingData",
            "EvaluateLowSampleCountPercentile",
            "Metrics",
            "Tags",
            "ThresholdMetricId",
        ],
    )?;
    for unsupported in [
        "ExtendedStatistic",
        "EvaluateLowSampleCountPercentile",
        "Metrics",
        "ThresholdMetricId",
        "Unit",
        "Tags",
    ] {
        if r.contains_key(unsupported) {
            return Err(Answer::invalid(format!(
                "{unsupported} is not implemented by ddbload's endpoint"
            )));
        }
    }
    for actions in ["OKActions", "AlarmActions", "InsufficientDataActions"] {
        if matches!(r.get(actions), Some(Value::Array(list)) if !list.is_empty()) {
            return Err(Answer::invalid(format!(
                "{actions}: ddbload's endpoint does not carry out alarm actions"
            )));
        }
    }
    let what = "PutMetricAlarmInput";
    let name = as_text(required(&r, "AlarmName", what)?, "AlarmName")?;
    let statistic = as_text(required(&r, "Statistic", what)?, "Statistic")?;
    if !STATS.contains(&statistic.as_str()) {
        return Err(Answer::invalid(format!(
            "Statistic {statistic}: one of {}",
            STATS.join(", ")
        )));
    }
    let period = as_int(required(&r, "Period", what)?, "Period")?;
    if !(matches!(period, 10 | 30) || (period > 0 && period % 60 == 0)) {
        return Err(Answer::invalid(format!(
            "The parameter Period must be 10, 30 or a multiple of 60, got {period}"
        )));
    }
    let evaluation_periods = as_int(
        required(&r, "EvaluationPeriods", what)?,
        "EvaluationPeriods",
    )?;
    let datapoints_to_alarm = match r.get("DatapointsToAlarm") {
        Some(v) => as_int(v, "DatapointsToAlarm")?,
        None => evaluation_periods,
    };
    if evaluation_periods < 1 || !(1..=evaluation_periods).contains(&datapoints_to_alarm) {
        return Err(Answer::invalid(
            "EvaluationPeriods must be at least 1, and DatapointsToAlarm from 1 to EvaluationPeriods",
        ));
    }
    let comparison = as_text(
        required(&r, "ComparisonOperator", what)?,
        "ComparisonOperator",
    )?;
    if !COMPARISONS.contains(&comparison.as_str()) {
        return Err(Answer::invalid(format!(
            "ComparisonOperator {comparison}: one of {}",
            COMPARISONS.join(", ")
        )));
    }
    let treat_missing = match r.get("TreatMissingData") {
        Some(v) => as_text(v, "TreatMissingData")?,
        None => "missing".to_owned(),
    };
    if !MISSING.contains(&treat_missing.as_str()) {
        return Err(Answer::invalid(format!(
            "TreatMissingData {treat_missing}: one of {}",
            MISSING.join(", ")
        )));
    }
    let alarm = Alarm {
        query: MetricQuery::of(
            as_text(required(&r, "Namespace", what)?, "Namespace")?,
            as_text(required(&r, "MetricName", what)?, "MetricName")?,
            dimensions(r.get("Dimensions").copied())?,
            statistic,
            period,
        ),
        evaluation_periods,
        datapoints_to_alarm,
        threshold: number(required(&r, "Threshold", what)?, "Threshold")?,
        comparison,
        treat_missing,
    };
    let mut alarms = shared
        .alarms
        .by_name
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if !alarms.contains_key(&name) && alarms.len() >= MAX_ALARMS {
        return Err(Answer::error(
            400,
            "LimitExceeded",
            format!("ddbload's endpoint keeps at most {MAX_ALARMS} alarms"),
        ));
    }
    alarms.insert(name, alarm);
    Ok(empty())
}

fn names(request: &Value, what: &str, allowed: &[&str]) -> Result<Vec<String>, Answer> {
    let r = fields(request, what, allowed)?;
    match r.get("AlarmNames") {
        None => Ok(Vec::new()),
        Some(Value::Array(list)) => list.iter().map(|v| as_text(v, "AlarmNames")).collect(),
        Some(_) => Err(Answer::invalid("AlarmNames must be a list")),
    }
}

fn describe(store: &Store, shared: &Shared, request: &Value) -> Result<Answer, Answer> {
    // Filters other than names (prefixes, states, paging) are refused by `fields`.
    let wanted = names(request, "DescribeAlarmsInput", &["AlarmNames"])?;
    let alarms = shared
        .alarms
        .by_name
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let now = store.epoch();
    let described = alarms
        .iter()
        .filter(|(name, _)| wanted.is_empty() || wanted.contains(name))
        .map(|(name, alarm)| {
            let (state, reason) = alarm.state(store, shared, now);
            map(vec![
                ("AlarmName", text(name)),
                ("Namespace", text(&alarm.query.namespace)),
                ("MetricName", text(&alarm.query.metric)),
                ("StateValue", text(state)),
                ("StateReason", text(&reason)),
                ("Statistic", text(&alarm.query.stat)),
                ("Period", Value::Integer(alarm.query.period.into())),
                (
                    "EvaluationPeriods",
                    Value::Integer(alarm.evaluation_periods.into()),
                ),
                ("Threshold", Value::Float(alarm.threshold)),
                ("ComparisonOperator", text(&alarm.comparison)),
            ])
        })
        .collect();
    Ok(ok(map(vec![("MetricAlarms", Value::Array(described))])))
}

fn delete(shared: &Shared, request: &Value) -> Result<Answer, Answer> {
    let gone = names(request, "DeleteAlarmsInput", &["AlarmNames"])?;
    let mut alarms = shared
        .alarms
        .by_name
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(missing) = gone.iter().find(|name| !alarms.contains_key(*name)) {
        return Err(Answer::error(
            404,
            "ResourceNotFound",
            format!("Alarm {missing} does not exist"),
        ));
    }
    for name in gone {
        alarms.remove(&name);
    }
    Ok(empty())
}

impl Alarm {
    fn breaches(&self, value: f64) -> bool {
        match self.comparison.as_str() {
            "GreaterThanThreshold" => value > self.threshold,
            "GreaterThanOrEqualToThreshold" => value >= self.threshold,
            "LessThanThreshold" => value < self.threshold,
            _ => value <= self.threshold,
        }
    }

    /// ALARM, OK or INSUFFICIENT_DATA from the last EvaluationPeriods whole periods before `now`,
    /// missing periods treated as TreatMissingData says.
    fn state(&self, store: &Store, shared: &Shared, now: f64) -> (&'static str, String) {
        let period = self.query.period as f64;
        let end = (now / period).floor() * period;
        let start = end - period * self.evaluation_periods as f64;
        let values = self.query.values(store, shared, start, end);
        let present = values.len() as i64;
        let missing = self.evaluation_periods - present;
        let mut breaching = values.iter().filter(|(_, v)| self.breaches(*v)).count() as i64;
        match self.treat_missing.as_str() {
            "breaching" => breaching += missing,
            "missing" | "ignore" if present == 0 => {
                return (
                    "INSUFFICIENT_DATA",
                    format!(
                        "no datapoints in the last {} period(s)",
                        self.evaluation_periods
                    ),
                )
            }
            _ => {}
        }
        let reason = format!(
            "{breaching} of the last {} period(s) breached the threshold ({present} with data)",
            self.evaluation_periods
        );
        if breaching >= self.datapoints_to_alarm {
            ("ALARM", reason)
        } else {
            ("OK", reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    fn call(store: &Store, shared: &Shared, operation: &str, body: Vec<(&str, Value)>) -> Answer {
        let mut bytes = Vec::new();
        ciborium::ser::into_writer(&map(body), &mut bytes).expect("serializes");
        crate::cloudwatch::dispatch(store, shared, operation, &bytes)
    }

    fn state(store: &Store, shared: &Shared) -> Option<String> {
        let answer = call(
            store,
            shared,
            "DescribeAlarms",
            vec![("AlarmNames", Value::Array(vec![text("hot")]))],
        );
        let Value::Map(body) = answer.body else {
            panic!("a map")
        };
        let Value::Array(alarms) = &body[0].1 else {
            panic!("a list")
        };
        let Value::Map(fields) = alarms.first()? else {
            panic!("a map")
        };
        fields.iter().find_map(|(k, v)| match (k, v) {
            (Value::Text(k), Value::Text(v)) if k == "StateValue" => Some(v.clone()),
            _ => None,
        })
    }

    #[test]
    fn an_alarm_fires_on_a_breaching_period_and_is_gone_once_deleted() {
        let store = Store::new(Arc::new(ManualClock::default()), "us-east-1");
        let shared = Shared::default();
        let alarm = |actions: Vec<Value>| {
            vec![
                ("AlarmName", text("hot")),
                ("Namespace", text("shop")),
                ("MetricName", text("Throttles")),
                ("Statistic", text("Sum")),
                ("Period", Value::Integer(10.into())),
                ("EvaluationPeriods", Value::Integer(1.into())),
                ("Threshold", Value::Float(0.0)),
                ("ComparisonOperator", text("GreaterThanThreshold")),
                ("AlarmActions", Value::Array(actions)),
            ]
        };
        let refused = call(
            &store,
            &shared,
            "PutMetricAlarm",
            alarm(vec![text("arn:sns")]),
        );
        assert_eq!(refused.status, 400);
        assert_eq!(
            call(&store, &shared, "PutMetricAlarm", alarm(vec![])).status,
            200
        );
        assert_eq!(state(&store, &shared).as_deref(), Some("INSUFFICIENT_DATA"));
        let last_period = (store.epoch() / 10.0).floor() * 10.0 - 5.0;
        let datum = map(vec![
            ("MetricName", text("Throttles")),
            ("Value", Value::Float(3.0)),
            ("StorageResolution", Value::Integer(1.into())),
            (
                "Timestamp",
                Value::Tag(1, Box::new(Value::Float(last_period))),
            ),
        ]);
        let put = vec![
            ("Namespace", text("shop")),
            ("MetricData", Value::Array(vec![datum])),
        ];
        assert_eq!(call(&store, &shared, "PutMetricData", put).status, 200);
        assert_eq!(state(&store, &shared).as_deref(), Some("ALARM"));
        let names = || vec![("AlarmNames", Value::Array(vec![text("hot")]))];
        assert_eq!(call(&store, &shared, "DeleteAlarms", names()).status, 200);
        assert_eq!(state(&store, &shared), None);
        assert_eq!(call(&store, &shared, "DeleteAlarms", names()).status, 404);
    }
}
