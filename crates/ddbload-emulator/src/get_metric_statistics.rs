//! CloudWatch's GetMetricStatistics on the endpoint: one metric's statistics per period, read from the
//! same accounting as GetMetricData. Percentiles (ExtendedStatistics) are refused, not left out.

use ciborium::value::{Integer, Value};

use crate::cloudwatch::{
    as_int, as_text, bucketed, check_metric, check_period, dimensions, fields, map, ok, required,
    text, unit_of, window, Answer, MetricQuery, NAMESPACE, STATS,
};
use crate::ops::Shared;
use crate::store::Store;

/// CloudWatch answers at most this many datapoints a call and refuses a request that could need more.
const MAX_DATAPOINTS: f64 = 1440.0;
const WHAT: &str = "GetMetricStatisticsInput";

pub fn answer(store: &Store, shared: &Shared, request: &Value) -> Result<Answer, Answer> {
    let top = fields(
        request,
        WHAT,
        &[
            "Namespace",
            "MetricName",
            "Dimensions",
            "StartTime",
            "EndTime",
            "Period",
            "Statistics",
            "ExtendedStatistics",
            "Unit",
        ],
    )?;
    if top.contains_key("ExtendedStatistics") {
        return Err(Answer::invalid(format!(
            "ExtendedStatistics: ddbload's endpoint does not compute percentiles; ask Statistics ({})",
            STATS.join(", ")
        )));
    }
    let namespace = as_text(required(&top, "Namespace", WHAT)?, "Namespace")?;
    let name = as_text(required(&top, "MetricName", WHAT)?, "MetricName")?;
    check_metric(&namespace, &name)?;
    let (start, end) = window(&top, WHAT)?;
    let period = check_period(as_int(required(&top, "Period", WHAT)?, "Period")?)?;
    let statistics = statistics(top.get("Statistics").copied())?;
    let asked = ((end - start) / period as f64).ceil();
    if asked > MAX_DATAPOINTS {
        return Err(Answer::error(
            400,
            "InvalidParameterCombination",
            format!(
                "You have requested up to {asked} datapoints, which exceeds the limit of 1440. You may \
                 reduce the datapoints requested by increasing Period, or decreasing the time range."
            ),
        ));
    }
    let unit = top.get("Unit").map(|v| as_text(v, "Unit")).transpose()?;
    let dimensions = dimensions(top.get("Dimensions").copied())?;
    let shown_unit = unit.clone().unwrap_or_else(|| {
        if namespace == NAMESPACE {
            unit_of(&name).to_owned()
        } else {
            let key = (namespace.clone(), name.clone(), dimensions.clone());
            shared
                .custom
                .unit(&key)
                .unwrap_or_else(|| "None".to_owned())
        }
    });
    let query = MetricQuery::of(
        namespace,
        name.clone(),
        dimensions,
        "Sum".to_owned(),
        period,
    )
    .with_unit(unit);
    let datapoints = bucketed(&query, store, shared, start, end)
        .into_iter()
        .map(|(at, agg)| {
            let mut point = vec![(
                "Timestamp",
                Value::Tag(1, Box::new(Value::Integer(Integer::from(at)))),
            )];
            for stat in &statistics {
                if let Some(value) = agg.stat(stat) {
                    point.push((stat, Value::Float(value)));
                }
            }
            point.push(("Unit", text(&shown_unit)));
            map(point)
        })
        .collect();
    Ok(ok(map(vec![
        ("Label", text(&name)),
        ("Datapoints", Value::Array(datapoints)),
    ])))
}

/// The asked statistics: one to five of Sum, Average, Minimum, Maximum and SampleCount.
fn statistics(list: Option<&Value>) -> Result<Vec<&'static str>, Answer> {
    let Some(list) = list else {
        return Err(Answer::error(
            400,
            "InvalidParameterCombination",
            "Must specify either Statistics or ExtendedStatistics",
        ));
    };
    let Value::Array(list) = list else {
        return Err(Answer::invalid("Statistics must be a list"));
    };
    if list.is_empty() || list.len() > STATS.len() {
        return Err(Answer::invalid(format!(
            "Statistics must hold 1 to {} of {}",
            STATS.len(),
            STATS.join(", ")
        )));
    }
    list.iter()
        .map(|value| {
            let asked = as_text(value, "Statistics.member")?;
            STATS.iter().find(|s| **s == asked).copied().ok_or_else(|| {
                Answer::invalid(format!(
                    "Statistics: {asked} is not one of {}",
                    STATS.join(", ")
                ))
            })
        })
        .collect()
}
