//! What the endpoint counts per table and operation each slice of a second, as DynamoDB reports it to
//! CloudWatch:
//! SuccessfulRequestLatency (its own service time), ThrottledRequests and ConditionalCheckFailedRequests.
//! Units consumed and throttle events are kept by each table's capacity (capacity.rs).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use crate::capacity::{slice_of, SECONDS_KEPT, SLICES_PER_SECOND};
use crate::error::ApiError;

// The operations DynamoDB reports SuccessfulRequestLatency and ThrottledRequests for.
use crate::faults::DATA_PLANE as OPERATIONS;

/// One slice (capacity.rs's tenth of a second) of one table's requests of one operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestSlice {
    pub slice: i64,
    /// Latency of the successful requests, in milliseconds: sum, count, min, max.
    pub latency_sum_ms: f64,
    pub latency_count: u64,
    pub latency_min_ms: f64,
    pub latency_max_ms: f64,
    pub throttled: u64,
    pub conditional_check_failed: u64,
}

impl RequestSlice {
    fn new(slice: i64) -> Self {
        Self {
            slice,
            latency_sum_ms: 0.0,
            latency_count: 0,
            latency_min_ms: f64::INFINITY,
            latency_max_ms: 0.0,
            throttled: 0,
            conditional_check_failed: 0,
        }
    }
}

type Series = VecDeque<RequestSlice>;

/// Per (table, operation): the slices of the last `SECONDS_KEPT` seconds that saw a request.
#[derive(Default)]
pub struct RequestMetrics {
    series: Mutex<HashMap<(String, &'static str), Series>>,
}

impl RequestMetrics {
    /// Counts one answered request at clock time `now` for every table it names.
    pub fn record(
        &self,
        operation: &str,
        request: &Value,
        now: f64,
        took: Duration,
        result: &Result<Value, ApiError>,
    ) {
        let Some(&operation) = OPERATIONS.iter().find(|op| **op == operation) else {
            return;
        };
        let tables = tables_of(request);
        if tables.is_empty() {
            return;
        }
        let slice = slice_of(now);
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        for table in tables {
            let entry = series.entry((table, operation)).or_default();
            let current = current_slice(entry, slice);
            match result {
                Ok(_) => {
                    let ms = took.as_secs_f64() * 1000.0;
                    current.latency_sum_ms += ms;
                    current.latency_count += 1;
                    current.latency_min_ms = current.latency_min_ms.min(ms);
                    current.latency_max_ms = current.latency_max_ms.max(ms);
                }
                Err(err) if is_throttle(err) => current.throttled += 1,
                Err(err) if err.kind.ends_with("#ConditionalCheckFailedException") => {
                    current.conditional_check_failed += 1
                }
                Err(_) => {}
            }
        }
    }

    /// Counts a throttle the fault injection answered for `table` (the request never reached it).
    pub fn record_injected_throttle(&self, operation: &str, table: &str, now: f64) {
        let Some(&operation) = OPERATIONS.iter().find(|op| **op == operation) else {
            return;
        };
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let entry = series.entry((table.to_owned(), operation)).or_default();
        current_slice(entry, slice_of(now)).throttled += 1;
    }

    /// A copy of the slices of `table`'s `operation` (oldest first).
    pub fn slices(&self, table: &str, operation: &str) -> Vec<RequestSlice> {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        OPERATIONS
            .iter()
            .find(|op| **op == operation)
            .and_then(|op| series.get(&(table.to_owned(), *op)))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// A copy of every operation's slices of `table`, added up slice by slice (for metrics
    /// without an Operation dimension, such as ConditionalCheckFailedRequests).
    pub fn table_slices(&self, table: &str) -> Vec<RequestSlice> {
        let mut all: Vec<RequestSlice> = OPERATIONS
            .iter()
            .flat_map(|op| self.slices(table, op))
            .collect();
        all.sort_by_key(|s| s.slice);
        let mut merged: Vec<RequestSlice> = Vec::new();
        for s in all {
            match merged.last_mut() {
                Some(last) if last.slice == s.slice => {
                    last.latency_sum_ms += s.latency_sum_ms;
                    last.latency_count += s.latency_count;
                    last.latency_min_ms = last.latency_min_ms.min(s.latency_min_ms);
                    last.latency_max_ms = last.latency_max_ms.max(s.latency_max_ms);
                    last.throttled += s.throttled;
                    last.conditional_check_failed += s.conditional_check_failed;
                }
                _ => merged.push(s),
            }
        }
        merged
    }
}

fn current_slice(series: &mut Series, slice: i64) -> &mut RequestSlice {
    if series.back().is_none_or(|s| s.slice < slice) {
        while series
            .front()
            .is_some_and(|s| s.slice <= slice - SECONDS_KEPT * SLICES_PER_SECOND)
        {
            series.pop_front();
        }
        series.push_back(RequestSlice::new(slice));
    }
    series.back_mut().expect("pushed above")
}

/// A throttle as DynamoDB counts ThrottledRequests: the request was refused for capacity, or a
/// transaction was cancelled because one of its actions was.
fn is_throttle(err: &ApiError) -> bool {
    if err
        .kind
        .ends_with("#ProvisionedThroughputExceededException")
        || err.kind.ends_with("#ThrottlingException")
        || err.kind.ends_with("#RequestLimitExceeded")
    {
        return true;
    }
    err.extra.iter().any(|(name, reasons)| {
        *name == "CancellationReasons"
            && reasons.as_array().is_some_and(|all| {
                all.iter()
                    .any(|r| r.get("Code").and_then(Value::as_str) == Some("ThrottlingError"))
            })
    })
}

/// Every table a request names: TableName, a batch's RequestItems, a transaction's actions.
pub fn tables_of(request: &Value) -> Vec<String> {
    if let Some(name) = request.get("TableName").and_then(Value::as_str) {
        return vec![name.to_owned()];
    }
    if let Some(items) = request.get("RequestItems").and_then(Value::as_object) {
        return items.keys().cloned().collect();
    }
    let mut tables: Vec<String> = request
        .get("TransactItems")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| {
            item.as_object()?
                .values()
                .find_map(|action| action.get("TableName")?.as_str().map(str::to_owned))
        })
        .collect();
    tables.sort();
    tables.dedup();
    tables
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_transaction_counts_once_for_each_table_it_names() {
        let request = json!({"TransactItems": [
            {"Put": {"TableName": "Orders", "Item": {}}},
            {"Update": {"TableName": "Products", "Key": {}}},
            {"Update": {"TableName": "Products", "Key": {}}},
        ]});
        assert_eq!(tables_of(&request), ["Orders", "Products"]);
        let metrics = RequestMetrics::default();
        let ok = Ok(json!({}));
        metrics.record(
            "TransactWriteItems",
            &request,
            10.25,
            Duration::from_millis(3),
            &ok,
        );
        metrics.record(
            "TransactWriteItems",
            &request,
            10.28,
            Duration::from_millis(5),
            &ok,
        );
        let seconds = metrics.slices("Products", "TransactWriteItems");
        assert_eq!(seconds.len(), 1);
        assert_eq!(
            (
                seconds[0].latency_count,
                seconds[0].latency_min_ms,
                seconds[0].latency_max_ms
            ),
            (2, 3.0, 5.0)
        );
    }
}
