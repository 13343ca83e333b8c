//! Capacity admin calls: list and describe tables, and apply one table's capacity change.

use aws_sdk_dynamodb::types::{
    BillingMode, GlobalSecondaryIndexUpdate, ProvisionedThroughput,
    UpdateGlobalSecondaryIndexAction, WarmThroughput,
};
use aws_sdk_dynamodb::Client;

use crate::capacity::TableCapacity;
use crate::error::EngineError;
use crate::workload::tables::{describe, setup_error};

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
) -> Result<Vec<TableCapacity>, EngineError> {
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let desc = describe(client, name, endpoint)
            .await?
            .ok_or_else(|| EngineError::Table(format!("table {name} not found at {endpoint}")))?;
        out.push(TableCapacity::from_description(&desc));
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

/// Raises a table's warm throughput (DynamoDB cannot lower it).
pub async fn apply_warm(
    client: &Client,
    table: &str,
    read: i64,
    write: i64,
    endpoint: &str,
) -> Result<(), EngineError> {
    let warm = WarmThroughput::builder()
        .read_units_per_second(read)
        .write_units_per_second(write)
        .build();
    client
        .update_table()
        .table_name(table)
        .warm_throughput(warm)
        .send()
        .await
        .map_err(|err| {
            setup_error(
                err,
                &format!("UpdateTable {table} (warm throughput)"),
                endpoint,
            )
        })?;
    Ok(())
}
