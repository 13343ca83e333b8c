//! CloudWatch's PutMetricData on the endpoint: each datum checked as CloudWatch checks it (a namespace
//! not under AWS/, at most 1,000 datums a call, one value, values with counts, or statistic values) and
//! kept by the second for GetMetricData. Entity metric data is refused, not dropped.

use ciborium::value::Value;

use crate::cloudwatch::{
    as_int, as_text, as_timestamp, dimensions, empty, fields, number, required, Answer,
};
use crate::custom_metrics::Agg;
use crate::ops::Shared;
use crate::store::Store;

const MAX_DATUMS: usize = 1000;
const MAX_VALUES: usize = 150;

pub fn apply(store: &Store, shared: &Shared, request: &Value) -> Result<Answer, Answer> {
    let top = fields(
        request,
        "PutMetricDataInput",
        &[
            "Namespace",
            "MetricData",
            "EntityMetricData",
            "StrictEntityValidation",
        ],
    )?;
    if top.contains_key("EntityMetricData") || top.contains_key("StrictEntityValidation") {
        return Err(Answer::invalid(
            "EntityMetricData is not implemented by ddbload's endpoint; give MetricData",
        ));
    }
    let namespace = as_text(
        required(&top, "Namespace", "PutMetricDataInput")?,
        "Namespace",
    )?;
    if namespace.is_empty() || namespace.len() > 255 || namespace.starts_with("AWS/") {
        return Err(Answer::invalid(format!(
            "The value {namespace} for parameter Namespace is invalid."
        )));
    }
    let Value::Array(datums) = required(&top, "MetricData", "PutMetricDataInput")? else {
        return Err(Answer::invalid("MetricData must be a list"));
    };
    if datums.is_empty() || datums.len() > MAX_DATUMS {
        return Err(Answer::invalid(format!(
            "The collection MetricData must have 1 to {MAX_DATUMS} members, got {}",
            datums.len()
        )));
    }
    // Every datum is checked before any is kept: a refused call keeps nothing.
    let parsed = datums
        .iter()
        .map(|d| Datum::parse(d, store.epoch()))
        .collect::<Result<Vec<_>, _>>()?;
    for datum in parsed {
        let key = (namespace.clone(), datum.name, datum.dimensions);
        shared
            .custom
            .put(key, datum.unit, datum.second, datum.agg)
            .map_err(|message| Answer::error(400, "LimitExceeded", message))?;
    }
    Ok(empty())
}

struct Datum {
    name: String,
    dimensions: std::collections::BTreeMap<String, String>,
    unit: Option<String>,
    second: i64,
    agg: Agg,
}

fn numbers(value: &Value, what: &str) -> Result<Vec<f64>, Answer> {
    let Value::Array(list) = value else {
        return Err(Answer::invalid(format!("{what} must be a list")));
    };
    if list.len() > MAX_VALUES {
        return Err(Answer::invalid(format!(
            "{what} holds at most {MAX_VALUES} numbers, got {}",
            list.len()
        )));
    }
    list.iter().map(|v| number(v, what)).collect()
}

impl Datum {
    fn parse(value: &Value, now_epoch: f64) -> Result<Datum, Answer> {
        let d = fields(
            value,
            "MetricDatum",
            &[
                "MetricName",
                "Dimensions",
                "Timestamp",
                "Value",
                "StatisticValues",
                "Values",
                "Counts",
                "Unit",
                "StorageResolution",
            ],
        )?;
        let name = as_text(required(&d, "MetricName", "MetricDatum")?, "MetricName")?;
        let dimensions = dimensions(d.get("Dimensions").copied())?;
        let resolution = match d.get("StorageResolution") {
            None => 60,
            Some(v) => as_int(v, "StorageResolution")?,
        };
        if resolution != 1 && resolution != 60 {
            return Err(Answer::invalid(format!(
                "The value {resolution} for parameter StorageResolution is invalid: 1 or 60"
            )));
        }
        let at = match d.get("Timestamp") {
            None => now_epoch,
            Some(v) => as_timestamp(v, "Timestamp")?,
        };
        let second = at.floor() as i64;
        // Standard resolution is kept by the minute.
        let second = second - second.rem_euclid(resolution);
        Ok(Datum {
            name,
            dimensions,
            unit: d.get("Unit").map(|u| as_text(u, "Unit")).transpose()?,
            second,
            agg: samples(&d)?,
        })
    }
}

/// A datum's samples: Value, Values with Counts, or StatisticValues - exactly one of them.
fn samples(d: &crate::cloudwatch::Fields<'_>) -> Result<Agg, Answer> {
    let given = ["Value", "Values", "StatisticValues"]
        .iter()
        .filter(|k| d.contains_key(**k))
        .count();
    if given != 1 {
        return Err(Answer::error(
            400,
            "InvalidParameterCombination",
            "A metric datum takes exactly one of Value, Values and StatisticValues",
        ));
    }
    if let Some(v) = d.get("Value") {
        return Ok(Agg::one(number(v, "Value")?));
    }
    if let Some(v) = d.get("Values") {
        let values = numbers(v, "Values")?;
        let counts = match d.get("Counts") {
            Some(c) => numbers(c, "Counts")?,
            None => vec![1.0; values.len()],
        };
        if counts.len() != values.len() || values.is_empty() {
            return Err(Answer::invalid(
                "Values and Counts must hold the same number of members, at least one",
            ));
        }
        let mut agg = Agg {
            sum: 0.0,
            count: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        };
        for (value, count) in values.iter().zip(&counts) {
            agg.add(Agg {
                sum: value * count,
                count: *count,
                min: *value,
                max: *value,
            });
        }
        return Ok(agg);
    }
    let stats = fields(
        d["StatisticValues"],
        "StatisticSet",
        &["SampleCount", "Sum", "Minimum", "Maximum"],
    )?;
    let get = |name: &str| -> Result<f64, Answer> {
        number(required(&stats, name, "StatisticSet")?, name)
    };
    Ok(Agg {
        sum: get("Sum")?,
        count: get("SampleCount")?,
        min: get("Minimum")?,
        max: get("Maximum")?,
    })
}
