//! Admin functions for Python: describe and change capacity, clean up generated orders. Each runs on
//! the shared tokio runtime with the GIL released.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::types::BillingMode;
use pyo3::prelude::*;

use super::convert::config_err;
use super::errors::to_pyerr;
use crate::admin::autoscaling;
use crate::admin::cleanup::{cleanup_orders as run_cleanup, CleanupProgress, CleanupTarget};
use crate::connection::{Connection, Retries};
use crate::control_plane::{
    apply_change, apply_figures, describe_capacity as describe, describe_limits as limits,
    list_table_names, CapacityChange, TableFigures,
};
use crate::error::{ConfigError, EngineError};

fn connection(
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<Connection> {
    let conn = Connection {
        region,
        profile,
        endpoint_url,
    };
    conn.validate().map_err(config_err)?;
    Ok(conn)
}

fn block_on<T: Send>(
    py: Python<'_>,
    work: impl Future<Output = Result<T, EngineError>> + Send,
) -> PyResult<T> {
    py.detach(|| pyo3_async_runtimes::tokio::get_runtime().block_on(work))
        .map_err(to_pyerr)
}

/// JSON list of the capacity settings of `tables` (every table in the region when None).
#[pyfunction]
#[pyo3(signature = (*, region="us-east-1".to_owned(), profile=None, endpoint_url=None, tables=None))]
pub fn describe_capacity(
    py: Python<'_>,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
    tables: Option<Vec<String>>,
) -> PyResult<String> {
    let conn = connection(region, profile, endpoint_url)?;
    let found = block_on(py, async move {
        let client = conn.client(Retries::Sdk).await?;
        let names = match tables {
            Some(names) => names,
            None => list_table_names(&client, &conn.label()).await?,
        };
        describe(&client, &names, &conn.label()).await
    })?;
    Ok(serde_json::to_string(&found).expect("capacity serializes"))
}

/// JSON list of the AWS Price List API's product documents (each a JSON string) of AmazonDynamoDB in
/// `region_code`, asked at `region` (a Price List endpoint's region) or `endpoint_url`.
#[pyfunction]
#[pyo3(signature = (*, region_code, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn dynamodb_price_list(
    py: Python<'_>,
    region_code: String,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<Vec<String>> {
    let conn = connection(region, profile, endpoint_url)?;
    block_on(py, async move {
        crate::admin::prices::dynamodb_products(&conn, &region_code).await
    })
}

/// JSON list of CloudWatch's answers (`id`, `timestamps` in epoch seconds, `values`, oldest first) to
/// `queries` (JSON list of `{id, metric, stat, period, dimensions: [[name, value], ...]}` in the
/// AWS/DynamoDB namespace unless `namespace` is given) over [start, end) epoch seconds.
#[pyfunction]
#[pyo3(signature = (*, queries, start, end, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn cloudwatch_get_metric_data(
    py: Python<'_>,
    queries: String,
    start: f64,
    end: f64,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<String> {
    let conn = connection(region, profile, endpoint_url)?;
    let queries: Vec<crate::admin::metric_data::MetricQuery> = serde_json::from_str(&queries)
        .map_err(|e| config_err(ConfigError::new("queries", e.to_string())))?;
    let found = block_on(py, async move {
        crate::admin::metric_data::metric_data(&conn, &queries, start, end).await
    })?;
    Ok(serde_json::to_string(&found).expect("series serialize"))
}

/// Puts `data` (JSON list of `{name, dimensions: [[name, value], ...], timestamp, value, unit}`, epoch
/// seconds) into CloudWatch's `namespace` at one-second resolution; returns the PutMetricData calls made.
#[pyfunction]
#[pyo3(signature = (*, namespace, data, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn cloudwatch_put_metric_data(
    py: Python<'_>,
    namespace: String,
    data: String,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<usize> {
    let conn = connection(region, profile, endpoint_url)?;
    let datums: Vec<crate::admin::metric_data::Datum> = serde_json::from_str(&data)
        .map_err(|e| config_err(ConfigError::new("data", e.to_string())))?;
    block_on(py, async move {
        crate::admin::metric_data::put_metric_data(&conn, &namespace, &datums).await
    })
}

/// Creates CloudWatch alarms: `alarms` is a JSON list of `{name, namespace, metric, dimensions: [[name,
/// value], ...], statistic, period, threshold, comparison}` (one period to alarm, missing data not
/// breaching).
#[pyfunction]
#[pyo3(signature = (*, alarms, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn cloudwatch_put_alarms(
    py: Python<'_>,
    alarms: String,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<()> {
    let conn = connection(region, profile, endpoint_url)?;
    let alarms: Vec<crate::admin::alarms::AlarmSpec> = serde_json::from_str(&alarms)
        .map_err(|e| config_err(ConfigError::new("alarms", e.to_string())))?;
    block_on(py, async move {
        crate::admin::alarms::put_alarms(&conn, &alarms).await
    })
}

/// Each named CloudWatch alarm's state (ALARM, OK, INSUFFICIENT_DATA), by name.
#[pyfunction]
#[pyo3(signature = (*, names, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn cloudwatch_alarm_states(
    py: Python<'_>,
    names: Vec<String>,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<std::collections::BTreeMap<String, String>> {
    let conn = connection(region, profile, endpoint_url)?;
    block_on(py, async move {
        crate::admin::alarms::alarm_states(&conn, &names).await
    })
}

/// Deletes the named CloudWatch alarms.
#[pyfunction]
#[pyo3(signature = (*, names, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn cloudwatch_delete_alarms(
    py: Python<'_>,
    names: Vec<String>,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<()> {
    let conn = connection(region, profile, endpoint_url)?;
    block_on(py, async move {
        crate::admin::alarms::delete_alarms(&conn, &names).await
    })
}

/// JSON of the account's and each table's capacity quotas (DescribeLimits).
#[pyfunction]
#[pyo3(signature = (*, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn describe_limits(
    py: Python<'_>,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<String> {
    let conn = connection(region, profile, endpoint_url)?;
    let found = block_on(py, async move {
        let client = conn.client(Retries::Sdk).await?;
        limits(&client, &conn.label()).await
    })?;
    Ok(serde_json::to_string(&found).expect("limits serialize"))
}

/// JSON of one table's key schema, indexes, billing and TTL attribute, with up to `sample` of its
/// items in DynamoDB JSON (`ddbload workload init`).
#[pyfunction]
#[pyo3(signature = (*, table, sample, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn sample_table(
    py: Python<'_>,
    table: String,
    sample: u32,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<String> {
    let conn = connection(region, profile, endpoint_url)?;
    let found = block_on(py, async move {
        let client = conn.client(Retries::Sdk).await?;
        crate::admin::sample::sample_table(&client, &table, sample, &conn.label()).await
    })?;
    Ok(found.to_string())
}

/// Changes one table: billing mode ("PROVISIONED" / "PAY_PER_REQUEST"), provisioned units for the
/// table and named indexes, and/or warm throughput and the on-demand maximum (read, write request
/// units a second; -1 for none), each a separate UpdateTable call.
#[pyfunction]
#[pyo3(signature = (
    *, table, region="us-east-1".to_owned(), profile=None, endpoint_url=None, billing_mode=None,
    read_units=None, write_units=None, index_units=None, warm_read=None, warm_write=None,
    on_demand_max=None,
))]
#[allow(clippy::too_many_arguments)]
pub fn update_capacity(
    py: Python<'_>,
    table: String,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
    billing_mode: Option<String>,
    read_units: Option<i64>,
    write_units: Option<i64>,
    index_units: Option<HashMap<String, (i64, i64)>>,
    warm_read: Option<i64>,
    warm_write: Option<i64>,
    on_demand_max: Option<(i64, i64)>,
) -> PyResult<()> {
    let conn = connection(region, profile, endpoint_url)?;
    let billing_mode = match billing_mode.as_deref() {
        None => None,
        Some("PROVISIONED") => Some(BillingMode::Provisioned),
        Some("PAY_PER_REQUEST") => Some(BillingMode::PayPerRequest),
        Some(other) => {
            return Err(config_err(ConfigError::new(
                "billing_mode",
                format!("expected PROVISIONED or PAY_PER_REQUEST, got {other:?}"),
            )))
        }
    };
    let units = match (read_units, write_units) {
        (Some(r), Some(w)) => Some((r, w)),
        (None, None) => None,
        _ => {
            return Err(config_err(ConfigError::new(
                "--rcu",
                "give both --rcu and --wcu",
            )))
        }
    };
    let warm = match (warm_read, warm_write) {
        (Some(r), Some(w)) => Some((r, w)),
        (None, None) => None,
        _ => {
            return Err(config_err(ConfigError::new(
                "--warm-read",
                "give both --warm-read and --warm-write",
            )))
        }
    };
    let change = CapacityChange {
        billing_mode,
        units,
        index_units: index_units
            .unwrap_or_default()
            .into_iter()
            .map(|(name, (r, w))| (name, r, w))
            .collect(),
    };
    block_on(py, async move {
        let client = conn.client(Retries::Sdk).await?;
        if change != CapacityChange::default() {
            apply_change(&client, &table, &change, &conn.label()).await?;
        }
        if let Some(pair) = warm {
            apply_figures(&client, &table, TableFigures::Warm, pair, &conn.label()).await?;
        }
        if let Some(pair) = on_demand_max {
            apply_figures(
                &client,
                &table,
                TableFigures::OnDemandMax,
                pair,
                &conn.label(),
            )
            .await?;
        }
        Ok(())
    })
}

/// Deletes the orders a run (or every run, with run_id None) generated in `table`, or with
/// seeded_products the products --seed-products wrote; JSON report. `progress(dict_json)` is called
/// after each scanned page; Ctrl-C stops between pages.
#[pyfunction]
#[pyo3(signature = (
    *, table, run_id=None, seeded_products=false, dry_run=false, region="us-east-1".to_owned(),
    profile=None, endpoint_url=None, progress=None,
))]
#[allow(clippy::too_many_arguments)]
pub fn cleanup_orders(
    py: Python<'_>,
    table: String,
    run_id: Option<String>,
    seeded_products: bool,
    dry_run: bool,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let conn = connection(region, profile, endpoint_url)?;
    let target = match (run_id, seeded_products) {
        (Some(_), true) => {
            return Err(config_err(ConfigError::new(
                "--seeded-products",
                "give either a run id or seeded_products, not both",
            )))
        }
        (Some(id), false) => CleanupTarget::Run(id),
        (None, false) => CleanupTarget::AllRuns,
        (None, true) => CleanupTarget::SeededProducts,
    };
    let report = block_on(py, async move {
        let client = conn.client(Retries::Sdk).await?;
        let on_page = |state: &CleanupProgress| {
            Python::attach(|py| {
                if let Some(callback) = &progress {
                    let json = serde_json::to_string(state).expect("progress serializes");
                    if callback.call1(py, (json,)).is_err() {
                        return false;
                    }
                }
                py.check_signals().is_ok()
            })
        };
        run_cleanup(&client, &table, &target, dry_run, &conn.label(), on_page).await
    })?;
    Ok(serde_json::to_string(&report).expect("report serializes"))
}

/// JSON object: for each table (with its GSI names), its scalable targets and target-tracking
/// policies, or why they could not be read.
#[pyfunction]
#[pyo3(signature = (*, tables, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn describe_scaling(
    py: Python<'_>,
    tables: HashMap<String, Vec<String>>,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<String> {
    let conn = connection(region, profile, endpoint_url)?;
    let found = block_on(py, async move {
        let client = autoscaling::client(&conn).await?;
        let mut out = std::collections::BTreeMap::new();
        for (table, indexes) in &tables {
            out.insert(
                table.clone(),
                autoscaling::describe(&client, table, indexes).await,
            );
        }
        Ok(out)
    })?;
    Ok(serde_json::to_string(&found).expect("scaling serializes"))
}

/// Carries out a JSON list of auto scaling changes (register, put_policy, delete_policy,
/// deregister) in order.
#[pyfunction]
#[pyo3(signature = (*, changes, region="us-east-1".to_owned(), profile=None, endpoint_url=None))]
pub fn apply_scaling(
    py: Python<'_>,
    changes: String,
    region: String,
    profile: Option<String>,
    endpoint_url: Option<String>,
) -> PyResult<()> {
    let conn = connection(region, profile, endpoint_url)?;
    let changes: Vec<autoscaling::ScalingChange> = serde_json::from_str(&changes).map_err(|e| {
        config_err(ConfigError::new(
            "changes",
            format!("not a list of auto scaling changes: {e}"),
        ))
    })?;
    block_on(py, async move {
        let client = autoscaling::client(&conn).await?;
        autoscaling::apply(&client, &changes).await
    })
}
