//! `workload init`'s reading of a table: its key schema, indexes, billing and TTL attribute, and a
//! bounded Scan of its items in DynamoDB JSON, for the draft to follow their shape.

use aws_sdk_dynamodb::types::{KeySchemaElement, KeyType, TableDescription};
use aws_sdk_dynamodb::Client;
use serde_json::{json, Value};

use crate::control_plane::{describe, setup_error};
use crate::error::EngineError;
use crate::fastpath::wire::write_item;

/// The table's description and up to `sample` of its items.
pub async fn sample_table(
    client: &Client,
    table: &str,
    sample: u32,
    endpoint: &str,
) -> Result<Value, EngineError> {
    let Some(description) = describe(client, table, endpoint).await? else {
        return Err(EngineError::Table(format!(
            "--from-table: table {table} not found at {endpoint}"
        )));
    };
    let ttl = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|err| setup_error(err, &format!("DescribeTimeToLive {table}"), endpoint))?;
    let ttl_attribute = ttl
        .time_to_live_description()
        .filter(|t| {
            t.time_to_live_status()
                .is_some_and(|s| s.as_str() == "ENABLED")
        })
        .and_then(|t| t.attribute_name())
        .map(str::to_owned);
    let mut shape = shape_of(&description);
    shape["ttl_attribute"] = json!(ttl_attribute);
    shape["items"] = Value::Array(scan(client, table, sample, endpoint).await?);
    Ok(shape)
}

/// Keys, indexes and billing as the workload file writes them.
fn shape_of(description: &TableDescription) -> Value {
    let types: Vec<(&str, &str)> = description
        .attribute_definitions()
        .iter()
        .map(|d| (d.attribute_name(), d.attribute_type().as_str()))
        .collect();
    let key = |elements: &[KeySchemaElement], kind: KeyType| {
        elements.iter().find(|e| *e.key_type() == kind).map(|e| {
            let name = e.attribute_name();
            let ty = types
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("S", |(_, t)| t);
            json!({"name": name, "type": ty})
        })
    };
    let mut indexes = Vec::new();
    for gsi in description.global_secondary_indexes() {
        indexes.push(json!({
            "name": gsi.index_name(),
            "partition_key": key(gsi.key_schema(), KeyType::Hash),
            "sort_key": key(gsi.key_schema(), KeyType::Range),
        }));
    }
    for lsi in description.local_secondary_indexes() {
        indexes.push(json!({
            "name": lsi.index_name(),
            "local": true,
            "sort_key": key(lsi.key_schema(), KeyType::Range),
        }));
    }
    let provisioned = description.provisioned_throughput();
    let on_demand = description
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .is_some_and(|m| m.as_str() == "PAY_PER_REQUEST");
    let billing = match provisioned {
        Some(p) if !on_demand && p.read_capacity_units().unwrap_or(0) > 0 => json!({
            "read": p.read_capacity_units(),
            "write": p.write_capacity_units(),
        }),
        _ => json!("on_demand"),
    };
    json!({
        "table": description.table_name(),
        "partition_key": key(description.key_schema(), KeyType::Hash),
        "sort_key": key(description.key_schema(), KeyType::Range),
        "indexes": indexes,
        "billing": billing,
    })
}

/// Up to `sample` items (a paginated Scan), each in DynamoDB JSON.
async fn scan(
    client: &Client,
    table: &str,
    sample: u32,
    endpoint: &str,
) -> Result<Vec<Value>, EngineError> {
    let mut items = Vec::new();
    let mut start_key = None;
    while items.len() < sample as usize {
        let page = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start_key)
            .limit((sample as usize - items.len()).min(1000) as i32)
            .send()
            .await
            .map_err(|err| setup_error(err, &format!("Scan {table}"), endpoint))?;
        for item in page.items() {
            let mut out = Vec::new();
            write_item(&mut out, item)
                .map_err(|e| EngineError::Data(format!("{table}: an item holds {}", e.0)))?;
            items.push(serde_json::from_slice(&out).expect("write_item writes JSON"));
        }
        start_key = page.last_evaluated_key().cloned();
        if start_key.is_none() {
            break;
        }
    }
    Ok(items)
}
