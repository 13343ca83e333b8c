//! Deleting the orders load tests created, and nothing else: an item is deleted only when a condition
//! re-checks, at delete time, that ddbload generated it for the run being cleaned up.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{AttributeValue, Select};
use aws_sdk_dynamodb::Client;
use serde::Serialize;

use crate::error::EngineError;
use crate::workload::catalog::{GENERATED_BY_ATTR, GENERATOR};
use crate::workload::orders::RUN_ID_ATTR;
use crate::workload::schema::KeySchema;
use crate::workload::tables::{describe, setup_error};

const DELETES_IN_FLIGHT: usize = 16;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CleanupProgress {
    pub scanned: u64,
    pub matched: u64,
    pub deleted: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CleanupReport {
    pub table: String,
    pub run_id: Option<String>,
    pub dry_run: bool,
    pub matched: u64,
    pub deleted: u64,
    /// Matching orders still in the table afterwards (counted again after deleting).
    pub remaining: u64,
    pub interrupted: bool,
}

/// The filter both the scan and every delete's condition use.
struct OrderFilter {
    expression: &'static str,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl OrderFilter {
    fn new(run_id: Option<&str>) -> Self {
        let names = HashMap::from([
            ("#g".to_owned(), GENERATED_BY_ATTR.to_owned()),
            ("#r".to_owned(), RUN_ID_ATTR.to_owned()),
        ]);
        let mut values = HashMap::from([(":g".to_owned(), AttributeValue::S(GENERATOR.into()))]);
        let expression = match run_id {
            Some(id) => {
                values.insert(":r".to_owned(), AttributeValue::S(id.to_owned()));
                "#g = :g AND #r = :r"
            }
            None => "#g = :g AND attribute_exists(#r)",
        };
        Self {
            expression,
            names,
            values,
        }
    }
}

/// Scans `table` for the run's orders (all runs' with `run_id` None) and deletes them unless
/// `dry_run`. `progress` is called after each page; returning false stops early (interrupted).
pub async fn cleanup_orders(
    client: &Client,
    table: &str,
    run_id: Option<&str>,
    dry_run: bool,
    endpoint: &str,
    mut progress: impl FnMut(&CleanupProgress) -> bool,
) -> Result<CleanupReport, EngineError> {
    let desc = describe(client, table, endpoint).await?.ok_or_else(|| {
        EngineError::Table(format!(
            "--orders-table: table {table} not found at {endpoint}"
        ))
    })?;
    let schema = KeySchema::from_description(&desc)?;
    let filter = OrderFilter::new(run_id);
    let mut names = filter.names.clone();
    let projection: Vec<String> = schema
        .names()
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            names.insert(format!("#k{i}"), name.to_owned());
            format!("#k{i}")
        })
        .collect();

    let mut state = CleanupProgress::default();
    let mut interrupted = false;
    let mut start_key = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .filter_expression(filter.expression)
            .projection_expression(projection.join(", "))
            .set_expression_attribute_names(Some(names.clone()))
            .set_expression_attribute_values(Some(filter.values.clone()))
            .set_exclusive_start_key(start_key)
            .send()
            .await
            .map_err(|err| setup_error(err, &format!("Scan {table}"), endpoint))?;
        state.scanned += page.scanned_count().max(0) as u64;
        state.matched += page.items().len() as u64;
        if !dry_run {
            state.deleted += delete_keys(client, table, page.items(), &filter, endpoint).await?;
        }
        start_key = page.last_evaluated_key().cloned();
        if !progress(&state) {
            interrupted = true;
            break;
        }
        if start_key.is_none() {
            break;
        }
    }
    let remaining = if dry_run {
        state.matched
    } else {
        count_matching(client, table, &filter, endpoint).await?
    };
    Ok(CleanupReport {
        table: table.to_owned(),
        run_id: run_id.map(str::to_owned),
        dry_run,
        matched: state.matched,
        deleted: state.deleted,
        remaining,
        interrupted,
    })
}

async fn delete_keys(
    client: &Client,
    table: &str,
    keys: &[HashMap<String, AttributeValue>],
    filter: &OrderFilter,
    endpoint: &str,
) -> Result<u64, EngineError> {
    let mut deleted = 0;
    for chunk in keys.chunks(DELETES_IN_FLIGHT) {
        let mut tasks = tokio::task::JoinSet::new();
        for key in chunk {
            let request = client
                .delete_item()
                .table_name(table)
                .set_key(Some(key.clone()))
                .condition_expression(filter.expression)
                .set_expression_attribute_names(Some(filter.names.clone()))
                .set_expression_attribute_values(Some(filter.values.clone()));
            tasks.spawn(request.send());
        }
        while let Some(joined) = tasks.join_next().await {
            match joined.map_err(|e| EngineError::Aws(format!("delete task failed: {e}")))? {
                Ok(_) => deleted += 1,
                // Changed since the scan: no longer ours to delete.
                Err(err) if err.code() == Some("ConditionalCheckFailedException") => {}
                Err(err) => return Err(setup_error(err, &format!("DeleteItem {table}"), endpoint)),
            }
        }
    }
    Ok(deleted)
}

async fn count_matching(
    client: &Client,
    table: &str,
    filter: &OrderFilter,
    endpoint: &str,
) -> Result<u64, EngineError> {
    let mut count = 0;
    let mut start_key = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .select(Select::Count)
            .filter_expression(filter.expression)
            .set_expression_attribute_names(Some(filter.names.clone()))
            .set_expression_attribute_values(Some(filter.values.clone()))
            .set_exclusive_start_key(start_key)
            .send()
            .await
            .map_err(|err| setup_error(err, &format!("Scan {table}"), endpoint))?;
        count += page.count().max(0) as u64;
        start_key = page.last_evaluated_key().cloned();
        if start_key.is_none() {
            return Ok(count);
        }
    }
}
