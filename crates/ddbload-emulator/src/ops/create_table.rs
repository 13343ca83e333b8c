//! CreateTable: key schema, billing mode (provisioned figures within the table quota, or on-demand
//! with an optional OnDemandThroughput cap) and global secondary index definitions.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{refuse_unsupported, table_name};
use super::table_common::{describe, int, key_schema, new_gsi_warm, throughput};
use crate::capacity::{Mode, TableCapacity};
use crate::error::ApiError;
use crate::index::{Index, Projected};
use crate::store::{epoch_seconds, Store};
use crate::table::{Gsi, KeySchema, Table, TableMeta};

pub struct CreateTable {
    name: String,
    schema: KeySchema,
    definitions: Value,
    billing_mode: String,
    provisioned: (i64, i64),
    gsis: Vec<Gsi>,
    index_schemas: Vec<(KeySchema, Projected)>,
    locals: Vec<(Gsi, KeySchema, Projected)>,
    on_demand_max: Option<(Option<f64>, Option<f64>)>,
    tags: std::collections::BTreeMap<String, String>,
}

pub fn on_demand_max(v: &Value) -> (Option<f64>, Option<f64>) {
    let get = |k| int(v.get(k)).filter(|n| *n > 0).map(|n| n as f64);
    (get("MaxReadRequestUnits"), get("MaxWriteRequestUnits"))
}

/// DynamoDB's per-table limit on global secondary indexes.
pub const MAX_GSIS: usize = 20;

/// An index's capacity mode: its own provisioned figures, or on-demand.
pub fn index_mode(provisioned: Option<(i64, i64)>) -> Mode {
    match provisioned {
        Some((read, write)) => Mode::Provisioned {
            read: read as f64,
            write: write as f64,
        },
        None => Mode::OnDemand,
    }
}

fn projected(projection: Option<&Value>) -> Result<Projected, ApiError> {
    let kind = projection
        .and_then(|p| p.get("ProjectionType"))
        .and_then(Value::as_str)
        .unwrap_or("ALL");
    match kind {
        "ALL" => Ok(Projected::All),
        "KEYS_ONLY" => Ok(Projected::KeysOnly),
        "INCLUDE" => Ok(Projected::Include(
            projection
                .and_then(|p| p.get("NonKeyAttributes"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        )),
        other => Err(ApiError::validation(format!(
            "Unknown ProjectionType: {other}"
        ))),
    }
}

/// DynamoDB's per-table limit on local secondary indexes.
pub const MAX_LSIS: usize = 5;

/// LocalSecondaryIndexes: on a table with a sort key, each keyed by the table's partition key and a
/// sort key of its own.
fn local_indexes(
    req: &Value,
    table: &KeySchema,
    definitions: &[Value],
) -> Result<Vec<(Gsi, KeySchema, Projected)>, ApiError> {
    let Some(list) = req.get("LocalSecondaryIndexes").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    let invalid = |detail: String| {
        ApiError::validation(format!(
            "One or more parameter values were invalid: {detail}"
        ))
    };
    if table.sort.is_none() {
        return Err(invalid(
            "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
                .into(),
        ));
    }
    if list.len() > MAX_LSIS {
        return Err(invalid(format!(
            "LocalSecondaryIndex count exceeds the per-table limit of {MAX_LSIS}"
        )));
    }
    let mut out = Vec::with_capacity(list.len());
    for l in list {
        let name = l
            .get("IndexName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !super::common::is_valid_table_name(name) {
            return Err(ApiError::bad_table_name());
        }
        let schema = key_schema(l.get("KeySchema").unwrap_or(&Value::Null), definitions)?;
        if schema.partition != table.partition || schema.sort.is_none() {
            return Err(invalid(format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: {name}"
            )));
        }
        let described = Gsi {
            name: name.to_owned(),
            key_schema: l.get("KeySchema").cloned().unwrap_or(Value::Null),
            projection: l
                .get("Projection")
                .cloned()
                .unwrap_or(json!({"ProjectionType": "ALL"})),
            provisioned: None,
            warm: (0, 0),
        };
        out.push((described, schema, projected(l.get("Projection"))?));
    }
    Ok(out)
}

pub fn parse(req: &Value, _store: &Store) -> Result<CreateTable, ApiError> {
    refuse_unsupported(req, &["StreamSpecification", "SSESpecification"])?;
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
    if req
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_array)
        .is_some_and(|g| g.len() > MAX_GSIS)
    {
        return Err(ApiError::validation(format!(
            "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSIS}"
        )));
    }
    let mut gsis = Vec::new();
    let mut index_schemas = Vec::new();
    for g in req
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let index_schema = key_schema(g.get("KeySchema").unwrap_or(&Value::Null), &definitions)?;
        let index_name = g
            .get("IndexName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !super::common::is_valid_table_name(index_name) {
            return Err(ApiError::bad_table_name());
        }
        let provisioned = throughput(g.get("ProvisionedThroughput"))?;
        if billing_mode == "PROVISIONED" && provisioned.is_none() {
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: \
                 {index_name}"
            )));
        }
        index_schemas.push((index_schema, projected(g.get("Projection"))?));
        gsis.push(Gsi {
            name: index_name.to_owned(),
            key_schema: g.get("KeySchema").cloned().unwrap_or(Value::Null),
            projection: g
                .get("Projection")
                .cloned()
                .unwrap_or(json!({"ProjectionType": "ALL"})),
            provisioned,
            warm: new_gsi_warm(),
        });
    }
    let locals = local_indexes(req, &schema, &definitions)?;
    Ok(CreateTable {
        name,
        schema,
        definitions: Value::Array(definitions),
        billing_mode,
        provisioned,
        gsis,
        index_schemas,
        locals,
        on_demand_max: req.get("OnDemandThroughput").map(on_demand_max),
        tags: super::tag_resource::tags(req.get("Tags"))?,
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
        let arn = store.arn(&self.name);
        let mut indexes: Vec<Index> = self
            .gsis
            .iter()
            .zip(self.index_schemas)
            .map(|(gsi, (schema, projected))| Index {
                name: gsi.name.clone(),
                arn: format!("{arn}/index/{}", gsi.name),
                local: false,
                schema,
                projected,
                entries: Default::default(),
                capacity: std::sync::Mutex::new(TableCapacity::new(
                    index_mode(gsi.provisioned),
                    now,
                )),
            })
            .collect();
        let mut lsis = Vec::with_capacity(self.locals.len());
        for (described, schema, projected) in self.locals {
            indexes.push(Index {
                arn: format!("{arn}/index/{}", described.name),
                name: described.name.clone(),
                local: true,
                schema,
                projected,
                entries: Default::default(),
                capacity: std::sync::Mutex::new(TableCapacity::new(Mode::OnDemand, now)),
            });
            lsis.push(described);
        }
        let meta = TableMeta {
            arn: store.arn(&self.name),
            name: self.name.clone(),
            schema: self.schema,
            attribute_definitions: self.definitions,
            gsis: self.gsis,
            lsis,
            created: epoch_seconds(),
            last_switch_to_on_demand: (self.billing_mode == "PAY_PER_REQUEST").then(epoch_seconds),
            billing_mode: self.billing_mode,
            provisioned: self.provisioned,
            ttl_attribute: None,
            tags: self.tags,
        };
        let table = Arc::new(Table::new(meta, capacity, indexes));
        let mut tables = store.tables_mut();
        if tables.contains_key(&self.name) {
            return Err(ApiError::table_exists(&self.name));
        }
        tables.insert(self.name, table.clone());
        Ok(json!({ "TableDescription": describe(&table) }))
    }
}
