//! The control plane: DescribeTable, CreateTable, UpdateTable, ListTables, the waits for ACTIVE, and
//! the mapping of their SDK errors to what the user reads - shared by a run's setup and the admin commands.

use std::time::Duration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndexUpdate, KeySchemaElement, KeyType,
    ProvisionedThroughput, ScalarAttributeType, TableDescription, TableStatus,
    UpdateGlobalSecondaryIndexAction, WarmThroughput,
};
use aws_sdk_dynamodb::Client;

use crate::capacity::CapacitySettings;
use crate::error::{root_cause, EngineError};

/// Turns a failed setup call into the error the user should see.
pub fn setup_error<E>(err: SdkError<E>, what: &str, endpoint: &str) -> EngineError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => EngineError::Endpoint(format!(
            "cannot reach DynamoDB at {endpoint} ({what}): {}",
            root_cause(&err, 200)
        )),
        _ => {
            let code = err.code().unwrap_or("Unknown").to_owned();
            let message = err.message().unwrap_or_default().to_owned();
            let text = format!("{what}: {code}: {message}");
            match code.as_str() {
                "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "ExpiredTokenException"
                | "MissingAuthenticationTokenException" => EngineError::Credentials(text),
                _ if matches!(err, SdkError::ServiceError(_)) => EngineError::Aws(text),
                _ => EngineError::Endpoint(format!(
                    "unexpected answer from {endpoint} ({what}): {}",
                    root_cause(&err, 200)
                )),
            }
        }
    }
}

/// DescribeTable; Ok(None) when the table does not exist.
pub async fn describe(
    client: &Client,
    table: &str,
    endpoint: &str,
) -> Result<Option<TableDescription>, EngineError> {
    match client.describe_table().table_name(table).send().await {
        Ok(out) => Ok(out.table),
        Err(err) if err.code() == Some("ResourceNotFoundException") => Ok(None),
        Err(err) => Err(setup_error(
            err,
            &format!("DescribeTable {table}"),
            endpoint,
        )),
    }
}

/// Creates an on-demand table keyed by one string attribute.
pub async fn create(
    client: &Client,
    table: &str,
    partition_key: &str,
    endpoint: &str,
) -> Result<(), EngineError> {
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(partition_key)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("name and type are set"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(partition_key)
                .key_type(KeyType::Hash)
                .build()
                .expect("name and type are set"),
        )
        .send()
        .await
        .map_err(|err| setup_error(err, &format!("CreateTable {table}"), endpoint))?;
    Ok(())
}

/// Polls DescribeTable until the table is ACTIVE (at most `timeout`).
pub async fn wait_active(
    client: &Client,
    table: &str,
    endpoint: &str,
    timeout: Duration,
) -> Result<TableDescription, EngineError> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(desc) = describe(client, table, endpoint).await? {
            if desc.table_status() == Some(&TableStatus::Active) {
                return Ok(desc);
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(EngineError::Table(format!(
                "table {table} did not become ACTIVE within {}s",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Every table name in the region (ListTables, all pages).
pub async fn list_table_names(client: &Client, endpoint: &str) -> Result<Vec<String>, EngineError> {
    let mut names = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .list_tables()
            .set_exclusive_start_table_name(start)
            .send()
            .await
            .map_err(|err| setup_error(err, "ListTables", endpoint))?;
        names.extend(page.table_names().iter().cloned());
        start = page.last_evaluated_table_name().map(str::to_owned);
        if start.is_none() {
            return Ok(names);
        }
    }
}

/// Capacity settings of the named tables; a missing one is a TableError naming it.
pub async fn describe_capacity(
    client: &Client,
    names: &[String],
    endpoint: &str,
) -> Result<Vec<CapacitySettings>, EngineError> {
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let desc = describe(client, name, endpoint)
            .await?
            .ok_or_else(|| EngineError::Table(format!("table {name} not found at {endpoint}")))?;
        out.push(CapacitySettings::from_description(&desc));
    }
    Ok(out)
}

/// One table's change: billing mode, provisioned units for the table and named indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapacityChange {
    pub billing_mode: Option<BillingMode>,
    pub units: Option<(i64, i64)>,
    pub index_units: Vec<(String, i64, i64)>,
}

pub async fn apply_change(
    client: &Client,
    table: &str,
    change: &CapacityChange,
    endpoint: &str,
) -> Result<(), EngineError> {
    let throughput = |(read, write): (i64, i64)| {
        ProvisionedThroughput::builder()
            .read_capacity_units(read)
            .write_capacity_units(write)
            .build()
            .expect("both units are set")
    };
    let mut update = client
        .update_table()
        .table_name(table)
        .set_billing_mode(change.billing_mode.clone())
        .set_provisioned_throughput(change.units.map(throughput));
    for (index, read, write) in &change.index_units {
        let action = UpdateGlobalSecondaryIndexAction::builder()
            .index_name(index)
            .provisioned_throughput(throughput((*read, *write)))
            .build()
            .expect("name and throughput are set");
        update = update.global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder().update(action).build(),
        );
    }
    update
        .send()
        .await
        .map_err(|err| setup_error(err, &format!("UpdateTable {table}"), endpoint))?;
    Ok(())
}

/// A pair of table-level figures UpdateTable sets on its own (read, write).
#[derive(Debug, Clone, Copy)]
pub enum TableFigures {
    /// Warm throughput, units a second (DynamoDB cannot lower it).
    Warm,
    /// An on-demand table's maximum, request units a second (-1 for no maximum).
    OnDemandMax,
}

/// Sets the table's warm throughput or on-demand maximum.
pub async fn apply_figures(
    client: &Client,
    table: &str,
    figures: TableFigures,
    (read, write): (i64, i64),
    endpoint: &str,
) -> Result<(), EngineError> {
    let update = client.update_table().table_name(table);
    let (update, what) = match figures {
        TableFigures::Warm => (
            update.warm_throughput(
                WarmThroughput::builder()
                    .read_units_per_second(read)
                    .write_units_per_second(write)
                    .build(),
            ),
            "warm throughput",
        ),
        TableFigures::OnDemandMax => (
            update.on_demand_throughput(
                aws_sdk_dynamodb::types::OnDemandThroughput::builder()
                    .max_read_request_units(read)
                    .max_write_request_units(write)
                    .build(),
            ),
            "on-demand maximum",
        ),
    };
    update
        .send()
        .await
        .map_err(|err| setup_error(err, &format!("UpdateTable {table} ({what})"), endpoint))?;
    Ok(())
}

/// The account's and each table's capacity quotas (DescribeLimits), read and write units.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CapacityLimits {
    pub account_max_read: Option<i64>,
    pub account_max_write: Option<i64>,
    pub table_max_read: Option<i64>,
    pub table_max_write: Option<i64>,
}

pub async fn describe_limits(
    client: &Client,
    endpoint: &str,
) -> Result<CapacityLimits, EngineError> {
    let limits = client
        .describe_limits()
        .send()
        .await
        .map_err(|err| setup_error(err, "DescribeLimits", endpoint))?;
    Ok(CapacityLimits {
        account_max_read: limits.account_max_read_capacity_units(),
        account_max_write: limits.account_max_write_capacity_units(),
        table_max_read: limits.table_max_read_capacity_units(),
        table_max_write: limits.table_max_write_capacity_units(),
    })
}
