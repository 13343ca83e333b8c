//! Table operations: CreateTable, DescribeTable, UpdateTable (billing mode, provisioned throughput incl.
//! GSIs, warm throughput, on-demand maximums), ListTables, DeleteTable.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::capacity::{Mode, TableCapacity, NEW_ON_DEMAND};
use super::error::ApiError;
use super::store::{epoch_seconds, table_name, Gsi, KeyAttr, Store, Table};

fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_i64)
}

fn throughput(v: Option<&Value>, what: &str) -> Result<Option<(i64, i64)>, ApiError> {
    let Some(v) = v else { return Ok(None) };
    let (Some(r), Some(w)) = (
        int(v.get("ReadCapacityUnits")),
        int(v.get("WriteCapacityUnits")),
    ) else {
        return Err(ApiError::validation(format!(
            "{what}: ReadCapacityUnits and WriteCapacityUnits are required"
        )));
    };
    if r < 1 || w < 1 {
        return Err(ApiError::validation(
            "One or more parameter values were invalid: Provisioned throughput must be at least 1",
        ));
    }
    Ok(Some((r, w)))
}

fn key_attrs(
    schema: &Value,
    definitions: &[Value],
) -> Result<(KeyAttr, Option<KeyAttr>), ApiError> {
    let elements = schema
        .as_array()
        .filter(|a| (1..=2).contains(&a.len()))
        .ok_or_else(|| ApiError::validation("1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have length between 1 and 2"))?;
    let attr = |e: &Value| -> Result<KeyAttr, ApiError> {
        let name = e
            .get("AttributeName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = definitions
            .iter()
            .find(|d| d.get("AttributeName").and_then(Value::as_str) == Some(name))
            .and_then(|d| d.get("AttributeType").and_then(Value::as_str))
            .ok_or_else(|| ApiError::validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [".to_owned() + name + "], AttributeDefinitions: []"))?;
        if !matches!(kind, "S" | "N" | "B") {
            return Err(ApiError::validation(format!(
                "Invalid AttributeType {kind}"
            )));
        }
        Ok(KeyAttr {
            name: name.to_owned(),
            kind: kind.to_owned(),
        })
    };
    let role = |e: &Value| {
        e.get("KeyType")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let hash = elements.iter().find(|e| role(e) == "HASH").ok_or_else(|| {
        ApiError::validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    })?;
    let range = elements.iter().find(|e| role(e) == "RANGE");
    Ok((attr(hash)?, range.map(attr).transpose()?))
}

pub fn create_table(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    let definitions = req
        .get("AttributeDefinitions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (partition, sort) = key_attrs(req.get("KeySchema").unwrap_or(&Value::Null), &definitions)?;
    let billing_mode = req
        .get("BillingMode")
        .and_then(Value::as_str)
        .unwrap_or("PROVISIONED")
        .to_owned();
    let provisioned = match billing_mode.as_str() {
        "PROVISIONED" => throughput(req.get("ProvisionedThroughput"), "ProvisionedThroughput")?.ok_or_else(|| {
            ApiError::validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
        })?,
        "PAY_PER_REQUEST" => {
            if req.get("ProvisionedThroughput").is_some() {
                return Err(ApiError::validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"));
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
        key_attrs(g.get("KeySchema").unwrap_or(&Value::Null), &definitions)?;
        gsis.push(Gsi {
            name: g
                .get("IndexName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            key_schema: g.get("KeySchema").cloned().unwrap_or(Value::Null),
            projection: g
                .get("Projection")
                .cloned()
                .unwrap_or(json!({"ProjectionType": "ALL"})),
            provisioned: throughput(g.get("ProvisionedThroughput"), "GlobalSecondaryIndex")?,
            warm: (NEW_ON_DEMAND.0 as i64, NEW_ON_DEMAND.1 as i64),
        });
    }
    let now = store.now();
    let mode = if billing_mode == "PROVISIONED" {
        Mode::Provisioned {
            read: provisioned.0 as f64,
            write: provisioned.1 as f64,
        }
    } else {
        Mode::OnDemand
    };
    let mut capacity = TableCapacity::new(mode, now);
    if let Some(od) = req.get("OnDemandThroughput") {
        capacity.on_demand_max = on_demand_max(od);
        capacity.reset_buckets(now);
    }
    let table = Table {
        name: name.to_owned(),
        partition,
        sort,
        attribute_definitions: Value::Array(definitions),
        gsis,
        created: epoch_seconds(),
        last_switch_to_on_demand: (billing_mode == "PAY_PER_REQUEST").then(epoch_seconds),
        billing_mode,
        provisioned,
        items: BTreeMap::new(),
        item_count: 0,
        size_bytes: 0,
        capacity,
    };
    let mut tables = store.lock();
    if tables.contains_key(name) {
        return Err(ApiError::dynamodb(
            "ResourceInUseException",
            format!("Table already exists: {name}"),
        ));
    }
    let description = describe(&table, &store.region);
    tables.insert(name.to_owned(), table);
    Ok(json!({ "TableDescription": description }))
}

fn on_demand_max(v: &Value) -> (Option<f64>, Option<f64>) {
    let get = |k| int(v.get(k)).filter(|n| *n > 0).map(|n| n as f64);
    (get("MaxReadRequestUnits"), get("MaxWriteRequestUnits"))
}

pub fn describe(table: &Table, region: &str) -> Value {
    let cap = &table.capacity;
    let mut d = json!({
        "TableName": table.name,
        "TableArn": table.arn(region),
        "TableId": format!("{:032x}", table.created.to_bits()),
        "TableStatus": "ACTIVE",
        "CreationDateTime": table.created,
        "AttributeDefinitions": table.attribute_definitions,
        "KeySchema": key_schema(table),
        "ItemCount": table.item_count,
        "TableSizeBytes": table.size_bytes,
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": table.provisioned.0,
            "WriteCapacityUnits": table.provisioned.1,
        },
        "BillingModeSummary": { "BillingMode": table.billing_mode },
        "WarmThroughput": {
            "ReadUnitsPerSecond": cap.warm.0 as i64,
            "WriteUnitsPerSecond": cap.warm.1 as i64,
            "Status": "ACTIVE",
        },
        "DeletionProtectionEnabled": false,
    });
    if let Some(at) = table.last_switch_to_on_demand {
        d["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"] = json!(at);
    }
    if cap.on_demand_max != (None, None) {
        d["OnDemandThroughput"] = json!({
            "MaxReadRequestUnits": cap.on_demand_max.0.map_or(-1, |v| v as i64),
            "MaxWriteRequestUnits": cap.on_demand_max.1.map_or(-1, |v| v as i64),
        });
    }
    if !table.gsis.is_empty() {
        d["GlobalSecondaryIndexes"] = Value::Array(
            table
                .gsis
                .iter()
                .map(|g| {
                    let (r, w) = g.provisioned.unwrap_or((0, 0));
                    json!({
                        "IndexName": g.name,
                        "KeySchema": g.key_schema,
                        "Projection": g.projection,
                        "IndexStatus": "ACTIVE",
                        "IndexArn": format!("{}/index/{}", table.arn(region), g.name),
                        "ItemCount": 0,
                        "IndexSizeBytes": 0,
                        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": r, "WriteCapacityUnits": w},
                        "WarmThroughput": {"ReadUnitsPerSecond": g.warm.0, "WriteUnitsPerSecond": g.warm.1, "Status": "ACTIVE"},
                    })
                })
                .collect(),
        );
    }
    d
}

fn key_schema(table: &Table) -> Value {
    let mut schema = vec![json!({"AttributeName": table.partition.name, "KeyType": "HASH"})];
    if let Some(sort) = &table.sort {
        schema.push(json!({"AttributeName": sort.name, "KeyType": "RANGE"}));
    }
    Value::Array(schema)
}

pub fn describe_table(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    let tables = store.lock();
    let table = tables.get(name).ok_or_else(|| ApiError::not_found(name))?;
    Ok(json!({ "Table": describe(table, &store.region) }))
}

pub fn list_tables(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let limit = int(req.get("Limit")).unwrap_or(100).clamp(1, 100) as usize;
    let start = req.get("ExclusiveStartTableName").and_then(Value::as_str);
    let tables = store.lock();
    let names: Vec<&String> = tables
        .keys()
        .filter(|n| start.is_none_or(|s| n.as_str() > s))
        .take(limit + 1)
        .collect();
    let mut out = json!({ "TableNames": names.iter().take(limit).collect::<Vec<_>>() });
    if names.len() > limit {
        out["LastEvaluatedTableName"] = json!(names[limit - 1]);
    }
    Ok(out)
}

pub fn delete_table(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    let mut tables = store.lock();
    let table = tables
        .remove(name)
        .ok_or_else(|| ApiError::not_found(name))?;
    let mut description = describe(&table, &store.region);
    description["TableStatus"] = json!("DELETING");
    Ok(json!({ "TableDescription": description }))
}

pub fn update_table(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    let now = store.now();
    let mut tables = store.lock();
    let table = tables
        .get_mut(name)
        .ok_or_else(|| ApiError::not_found(name))?;
    let mut next = table.clone();
    let mut changed = false;

    let billing = req.get("BillingMode").and_then(Value::as_str);
    let new_throughput = throughput(req.get("ProvisionedThroughput"), "ProvisionedThroughput")?;
    if let Some(mode) = billing.filter(|m| *m != next.billing_mode) {
        changed = true;
        match mode {
            "PAY_PER_REQUEST" => {
                if new_throughput.is_some() {
                    return Err(ApiError::validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"));
                }
                next.capacity
                    .record_switch_to_on_demand(now)
                    .map_err(|m| ApiError::dynamodb("LimitExceededException", m))?;
                next.capacity.note_previous_provisioned(
                    next.provisioned.0 as f64,
                    next.provisioned.1 as f64,
                );
                next.capacity.mode = Mode::OnDemand;
                next.provisioned = (0, 0);
                next.last_switch_to_on_demand = Some(epoch_seconds());
                for g in &mut next.gsis {
                    g.provisioned = None;
                }
            }
            "PROVISIONED" => {
                let (r, w) = new_throughput.ok_or_else(|| ApiError::validation("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED"))?;
                next.provisioned = (r, w);
                next.capacity.mode = Mode::Provisioned {
                    read: r as f64,
                    write: w as f64,
                };
            }
            other => return Err(ApiError::validation(format!("Invalid BillingMode {other}"))),
        }
        next.billing_mode = mode.to_owned();
    } else if let Some((r, w)) = new_throughput {
        if next.billing_mode != "PROVISIONED" {
            return Err(ApiError::validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"));
        }
        if (r, w) == next.provisioned && req.get("GlobalSecondaryIndexUpdates").is_none() {
            return Err(ApiError::validation(format!(
                "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: {}. Requested ReadCapacityUnits: {r}. Current WriteCapacityUnits provisioned for the table: {}. Requested WriteCapacityUnits: {w}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
                next.provisioned.0, next.provisioned.1
            )));
        }
        changed = true;
        next.provisioned = (r, w);
        next.capacity.mode = Mode::Provisioned {
            read: r as f64,
            write: w as f64,
        };
    }

    for update in req
        .get("GlobalSecondaryIndexUpdates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(u) = update.get("Update") else {
            return Err(ApiError::validation(
                "The ddbload emulator supports only Update in GlobalSecondaryIndexUpdates",
            ));
        };
        let index = u
            .get("IndexName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let gsi = next
            .gsis
            .iter_mut()
            .find(|g| g.name == index)
            .ok_or_else(|| {
                ApiError::dynamodb(
                    "ResourceNotFoundException",
                    format!("Requested resource not found: Index: {index} not found"),
                )
            })?;
        if let Some(p) = throughput(u.get("ProvisionedThroughput"), "GlobalSecondaryIndexUpdate")? {
            gsi.provisioned = Some(p);
            changed = true;
        }
    }
    if next.billing_mode == "PROVISIONED" && next.gsis.iter().any(|g| g.provisioned.is_none()) {
        return Err(ApiError::validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index when BillingMode is PROVISIONED"));
    }

    if let Some(warm) = req.get("WarmThroughput") {
        let current = next.capacity.warm;
        let read = int(warm.get("ReadUnitsPerSecond")).map_or(current.0, |v| v as f64);
        let write = int(warm.get("WriteUnitsPerSecond")).map_or(current.1, |v| v as f64);
        if read < current.0 || write < current.1 {
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: Requested warm throughput is lower than the current warm throughput (read {}, write {}); it cannot be decreased",
                current.0, current.1
            )));
        }
        if (read, write) != current {
            next.capacity.warm = (read, write);
            changed = true;
        }
    }
    if let Some(od) = req.get("OnDemandThroughput") {
        next.capacity.on_demand_max = on_demand_max(od);
        changed = true;
    }
    if !changed {
        return Err(ApiError::validation("Nothing to update"));
    }
    next.capacity.reset_buckets(now);
    *table = next;
    Ok(json!({ "TableDescription": describe(table, &store.region) }))
}
