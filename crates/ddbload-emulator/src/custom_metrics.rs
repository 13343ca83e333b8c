//! Metrics put with CloudWatch's PutMetricData (any namespace but AWS/...), kept by the second for three
//! hours so GetMetricData can answer them: what `ddbload run --cloudwatch-metrics` publishes, readable
//! back offline.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use crate::capacity::SECONDS_KEPT;

/// More distinct metrics than this (namespace, name, dimensions) are refused: memory stays bounded.
pub const MAX_SERIES: usize = 10_000;

/// Samples added up: CloudWatch's statistics over a second or a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agg {
    pub sum: f64,
    pub count: f64,
    pub min: f64,
    pub max: f64,
}

impl Agg {
    pub fn one(value: f64) -> Agg {
        Agg {
            sum: value,
            count: 1.0,
            min: value,
            max: value,
        }
    }

    pub fn add(&mut self, other: Agg) {
        self.sum += other.sum;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// CloudWatch's statistic `name` (Sum, Average, Minimum, Maximum, SampleCount); None without samples.
    pub fn stat(&self, name: &str) -> Option<f64> {
        if self.count == 0.0 {
            return None;
        }
        Some(match name {
            "Sum" => self.sum,
            "Average" => self.sum / self.count,
            "Minimum" => self.min,
            "Maximum" => self.max,
            _ => self.count,
        })
    }
}

/// A metric's identity: namespace, name and dimensions (sorted by name).
pub type MetricKey = (String, String, BTreeMap<String, String>);

/// One metric's seconds: its unit (as first put) and each epoch second's samples.
struct Series {
    unit: Option<String>,
    seconds: BTreeMap<i64, Agg>,
}

#[derive(Default)]
pub struct CustomMetrics {
    series: Mutex<HashMap<MetricKey, Series>>,
}

impl CustomMetrics {
    /// Adds samples at epoch second `second`; Err when the metric would be one too many.
    pub fn put(
        &self,
        key: MetricKey,
        unit: Option<String>,
        second: i64,
        agg: Agg,
    ) -> Result<(), String> {
        let mut all = self.series.lock().unwrap_or_else(|p| p.into_inner());
        if !all.contains_key(&key) && all.len() >= MAX_SERIES {
            return Err(format!(
                "ddbload's endpoint keeps at most {MAX_SERIES} custom metrics"
            ));
        }
        let series = all.entry(key).or_insert_with(|| Series {
            unit,
            seconds: BTreeMap::new(),
        });
        series
            .seconds
            .entry(second)
            .and_modify(|a| a.add(agg))
            .or_insert(agg);
        let newest = *series.seconds.keys().next_back().expect("inserted above");
        series.seconds.retain(|s, _| *s > newest - SECONDS_KEPT);
        Ok(())
    }

    /// The unit the metric was first put with, if it was put with one.
    pub fn unit(&self, key: &MetricKey) -> Option<String> {
        let all = self.series.lock().unwrap_or_else(|p| p.into_inner());
        all.get(key).and_then(|series| series.unit.clone())
    }

    /// The metric's seconds (epoch) with their samples; empty when `unit` is given and differs.
    pub fn seconds(&self, key: &MetricKey, unit: Option<&str>) -> Vec<(i64, Agg)> {
        let all = self.series.lock().unwrap_or_else(|p| p.into_inner());
        match all.get(key) {
            Some(series) if unit.is_none() || unit == series.unit.as_deref() => {
                series.seconds.iter().map(|(s, a)| (*s, *a)).collect()
            }
            _ => Vec::new(),
        }
    }
}
