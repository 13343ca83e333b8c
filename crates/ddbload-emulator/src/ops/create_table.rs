//! CreateTable: key schema, billing mode (provisioned figures within the table quota, or on-demand
//! with an optional OnDemandThroughput cap) and global secondary index definitions.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{refuse_unsupported, table_name};
use super::table_common::{describe, int, key_schema, new_gsi_warm, throughput};
use crate::capacity::{Mode, TableCapacity};
use crate::error::ApiError;
use crate::store::{epoch_seconds, Store};
use crate::table::{Gsi, KeySchema, Table, TableMeta};

pub struct CreateTable {
    name: String,
    schema: KeySchema,
    definitions: Value,
    billing_mode: String,
    provisioned: (i64, i64),
    gsis: Vec<Gsi>,
    on_demand_max: Option<(Option<f64>, Option<f64>)>,
}

pub fn on_demand_max(v: &Value) -> (Option<f64>, Option<f64>) {
    let get = |k| int(v.get(k)).filter(|n| *n > 0).map(|n| n as f64);
    (get("MaxReadRequestUnits"), get("MaxWriteRequestUnits"))
}

pub fn parse(req: &Value, _store: &Store) -> Result<CreateTable, ApiError> {
    refuse_unsupported(
        req,
        &[
            "LocalSecondaryIndexes",
            "StreamSpecification",
            "SSESpecification",
        ],
    )?;
    let name = table_name(req)?;
    let definitions = req
        .get("AttributeDefinitions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let schema = key_schema(req.get("KeySchema").unwrap_or(&Value::Null), &definitions)?;
    let billing_mode = req
        .get("BillingMode")
        .and_then(Value::as_str)
        .unwrap_or("PROVISIONED")
        .to_owned();
    let provisioned = match billing_mode.as_str() {
        "PROVISIONED" => throughput(req.get("ProvisionedThroughput"))?.ok_or_else(|| {
            ApiError::validation("No provisioned throughput specified for the table")
        })?,
        "PAY_PER_REQUEST" => {
            if req.get("ProvisionedThroughput").is_some() {
                return Err(ApiError::validation(
                    "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits \
                     can be specified when BillingMode is PAY_PER_REQUEST",
                ));
            }
            (0, 0)
        }
        other => return Err(ApiError::validation(format!("Invalid BillingMode {other}"))),
    };
    let mut gsis = Vec::new();
    for g in req
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        key_schema(g.get("KeySchema").unwrap_or(&Value::Null), &definitions)?;
        let index_name = g
            .get("IndexName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !super::common::is_valid_table_name(index_name) {
            return Err(ApiError::bad_table_name());
        }
        gsis.push(Gsi {
            name: index_name.to_owned(),
            key_schema: g.get("KeySchema").cloned().unwrap_or(Value::Null),
            projection: g
                .get("Projection")
                .cloned()
                .unwrap_or(json!({"ProjectionType": "ALL"})),
            provisioned: throughput(g.get("ProvisionedThroughput"))?,
            warm: new_gsi_warm(),
        });
    }
    Ok(CreateTable {
        name,
        schema,
        definitions: Value::Array(definitions),
        billing_mode,
        provisioned,
        gsis,
        on_demand_max: req.get("OnDemandThroughput").map(on_demand_max),
    })
}

impl CreateTable {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let mode = if self.billing_mode == "PROVISIONED" {
            Mode::Provisioned {
                read: self.provisioned.0 as f64,
                write: self.provisioned.1 as f64,
            }
        } else {
            Mode::OnDemand
        };
        let mut capacity = TableCapacity::new(mode, now);
        if let Some(max) = self.on_demand_max {
            capacity.on_demand_max = max;
            capacity.reset_buckets(now);
        }
        let meta = TableMeta {
            arn: store.arn(&self.name),
            name: self.name.clone(),
            schema: self.schema,
            attribute_definitions: self.definitions,
            gsis: self.gsis,
            created: epoch_seconds(),
            last_switch_to_on_demand: (self.billing_mode == "PAY_PER_REQUEST").then(epoch_seconds),
            billing_mode: self.billing_mode,
            provisioned: self.provisioned,
        };
        let table = Arc::new(Table::new(meta, capacity));
        let mut tables = store.tables_mut();
        if tables.contains_key(&self.name) {
            return Err(ApiError::table_exists(&self.name));
        }
        tables.insert(self.name, table.clone());
        Ok(json!({ "TableDescription": describe(&table) }))
    }
}
