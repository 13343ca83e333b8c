//! What the table operations share: throughput and key-schema parameters, and DescribeTable's answer.

use serde_json::{json, Value};

use crate::capacity::TableCapacity;
use crate::error::ApiError;
use crate::store::Store;
use crate::table::{KeyAttr, KeySchema, Table};
use crate::updating::Shown;

/// DynamoDB's default per-table quota ("Service, account, and table quotas").
pub const MAX_UNITS: i64 = 40_000;

pub fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_i64)
}

/// A WarmThroughput parameter's figures, each optional.
pub type WarmFigures = (Option<i64>, Option<i64>);

pub fn warm_figures(req: &Value) -> Option<WarmFigures> {
    req.get("WarmThroughput").map(|w| {
        (
            int(w.get("ReadUnitsPerSecond")),
            int(w.get("WriteUnitsPerSecond")),
        )
    })
}

/// Raises a table's warm throughput to `figures` (a figure not given stays); a figure below the
/// current one is refused. Whether anything changed.
pub fn raise_warm(capacity: &mut TableCapacity, figures: WarmFigures) -> Result<bool, ApiError> {
    let current = capacity.warm;
    let read = figures.0.map_or(current.0, |v| v as f64);
    let write = figures.1.map_or(current.1, |v| v as f64);
    if read < current.0 || write < current.1 {
        return Err(ApiError::warm_throughput_decrease(current.0, current.1));
    }
    capacity.warm = (read, write);
    Ok((read, write) != current)
}

/// A ProvisionedThroughput parameter: both figures, each 1 to the table quota.
pub fn throughput(v: Option<&Value>) -> Result<Option<(i64, i64)>, ApiError> {
    let figures = throughput_present(v)?;
    if let (Some(figures), Some(v)) = (figures, v) {
        check_throughput_bounds(figures, v)?;
    }
    Ok(figures)
}

/// The largest figure DynamoDB takes before its quota is considered: past it, a figure is out of
/// bounds (dynalite's suite records DynamoDB's answer for 1,000,000,000,001).
pub const MAX_FIGURE: i64 = 1_000_000_000_000;

/// A ProvisionedThroughput parameter's figures, each at least 1, without their upper bounds (an
/// index's are checked once its table is found: `check_throughput_bounds`). A figure past i64 is
/// read as i64::MAX: out of bounds, not missing.
pub fn throughput_present(v: Option<&Value>) -> Result<Option<(i64, i64)>, ApiError> {
    let Some(v) = v else { return Ok(None) };
    let figure = |name: &str| {
        let value = v.get(name)?;
        int(Some(value)).or_else(|| value.is_number().then_some(i64::MAX))
    };
    let (Some(r), Some(w)) = (figure("ReadCapacityUnits"), figure("WriteCapacityUnits")) else {
        return Err(ApiError::throughput_below_one());
    };
    if r < 1 || w < 1 {
        return Err(ApiError::throughput_below_one());
    }
    Ok(Some((r, w)))
}

/// Figures read by `throughput_present` (`given` their parameter): within bounds, then within the
/// table quota.
pub fn check_throughput_bounds((r, w): (i64, i64), given: &Value) -> Result<(), ApiError> {
    for (name, figure) in [("ReadCapacityUnits", r), ("WriteCapacityUnits", w)] {
        if figure > MAX_FIGURE {
            let text = given.get(name).map(Value::to_string).unwrap_or_default();
            return Err(ApiError::throughput_out_of_bounds(&text, name));
        }
    }
    if r > MAX_UNITS || w > MAX_UNITS {
        return Err(ApiError::throughput_over_quota());
    }
    Ok(())
}

fn name_of(element: &Value) -> &str {
    element
        .get("AttributeName")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn key_type(element: &Value) -> Option<&str> {
    element.get("KeyType").and_then(Value::as_str)
}

/// A table's KeySchema: as an index's, after DynamoDB's first check of a table's, that it names no
/// more attributes than AttributeDefinitions defines.
pub fn table_key_schema(schema: &Value, definitions: &[Value]) -> Result<KeySchema, ApiError> {
    let keys = schema.as_array().map_or(0, Vec::len);
    if (1..=2).contains(&keys) && keys > definitions.len() {
        return Err(ApiError::key_attributes_exceed_definitions());
    }
    key_schema(schema, definitions)
}

/// A KeySchema checked in DynamoDB's order: its length, every attribute defined, two different
/// attributes, HASH then RANGE.
pub fn key_schema(schema: &Value, definitions: &[Value]) -> Result<KeySchema, ApiError> {
    let elements = schema
        .as_array()
        .filter(|a| (1..=2).contains(&a.len()))
        .ok_or_else(ApiError::key_schema_length)?;
    let keys: Vec<&str> = elements.iter().map(name_of).collect();
    let defined: Vec<&str> = definitions.iter().map(name_of).collect();
    if keys.iter().any(|key| !defined.contains(key)) {
        return Err(ApiError::key_attribute_undefined(&keys, &defined));
    }
    if keys.len() == 2 && keys[0] == keys[1] {
        return Err(ApiError::hash_and_range_same_name());
    }
    if key_type(&elements[0]) != Some("HASH") {
        return Err(ApiError::first_key_not_hash());
    }
    if elements
        .get(1)
        .is_some_and(|e| key_type(e) != Some("RANGE"))
    {
        return Err(ApiError::second_key_not_range());
    }
    let attr = |e: &Value| -> Result<KeyAttr, ApiError> {
        let name = name_of(e);
        let kind = definitions
            .iter()
            .find(|d| name_of(d) == name)
            .and_then(|d| d.get("AttributeType").and_then(Value::as_str))
            .ok_or_else(|| ApiError::key_attribute_undefined(&keys, &defined))?;
        if !matches!(kind, "S" | "N" | "B") {
            return Err(ApiError::invalid_attribute_type(kind));
        }
        Ok(KeyAttr {
            name: name.to_owned(),
            kind: kind.to_owned(),
        })
    };
    Ok(KeySchema {
        partition: attr(&elements[0])?,
        sort: elements.get(1).map(attr).transpose()?,
    })
}

pub fn key_schema_json(schema: &KeySchema) -> Value {
    let mut out = vec![json!({"AttributeName": schema.partition.name, "KeyType": "HASH"})];
    if let Some(sort) = &schema.sort {
        out.push(json!({"AttributeName": sort.name, "KeyType": "RANGE"}));
    }
    Value::Array(out)
}

/// A table's id as DynamoDB writes it, a version-4 UUID: the same for the table's life, from its
/// creation time and ARN (a table created again under the same name gets another).
fn table_id(table: &Table) -> String {
    let arn = crate::value::fnv1a(table.arn.bytes());
    let bits = (u128::from(table.created.to_bits()) << 64) | u128::from(arn);
    // Version 4 in the third group's first digit, the RFC 4122 variant in the fourth's.
    let bits = (bits & !(0xf_u128 << 76)) | (0x4_u128 << 76);
    let bits = (bits & !(0x3_u128 << 62)) | (0x2_u128 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// ProvisionedThroughput as DescribeTable gives it for a table or a global index: the figures, the
/// decreases on this day of the endpoint's clock, and when they were last raised and lowered; while
/// an update of them is under way, what DynamoDB shows then (`updating::Shown`).
fn provisioned_throughput(capacity: &TableCapacity, shown: Option<&Shown>, store: &Store) -> Value {
    let (read, write) = shown.map_or(&capacity.billing, |s| s.billing).units();
    let now = store.now();
    let mut described = json!({
        "NumberOfDecreasesToday": crate::autoscaling::decreases_today(&capacity.decreases, now),
        "ReadCapacityUnits": read,
        "WriteCapacityUnits": write,
    });
    let asked = |asked: bool| shown.filter(|_| asked).map(|s| s.requested);
    let change = shown.map(|s| s.change);
    if let Some(raised) = asked(change.is_some_and(|c| c.raised)).or(capacity.last_increase) {
        described["LastIncreaseDateTime"] = json!(store.epoch_of(raised));
    }
    let lowered = asked(change.is_some_and(|c| c.lowered)).or(capacity.decreases.last().copied());
    if let Some(lowered) = lowered {
        described["LastDecreaseDateTime"] = json!(store.epoch_of(lowered));
    }
    described
}

/// DescribeTable's TableDescription (also what CreateTable, UpdateTable and DeleteTable answer).
pub fn describe(table: &Table, store: &Store) -> Value {
    let epoch = store.epoch();
    let state = table.state_at(store.now());
    let creating = table.is_creating(epoch);
    let updating = state.updating.as_ref();
    let shown = updating.map(|update| update.shown_for_table(&state.capacity.billing));
    let (settings, cap) = (&state.settings, &state.capacity);
    let mut d = json!({
        "TableName": table.name,
        "TableArn": table.arn,
        "TableId": table_id(table),
        "TableStatus": match (creating, table.is_deleting(epoch), updating) {
            (true, _, _) => "CREATING",
            (_, true, _) => "DELETING",
            (_, _, Some(_)) => "UPDATING",
            _ => "ACTIVE",
        },
        "CreationDateTime": table.created,
        "AttributeDefinitions": table.attribute_definitions(),
        "KeySchema": key_schema_json(&table.schema),
        "ItemCount": table.item_count(),
        "TableSizeBytes": table.size_bytes(),
        "BillingModeSummary": {
            "BillingMode": shown.as_ref().map_or(&cap.billing, |s| s.billing).name()
        },
        "WarmThroughput": {
            "ReadUnitsPerSecond": cap.warm.0 as i64,
            "WriteUnitsPerSecond": cap.warm.1 as i64,
            "Status": "ACTIVE",
        },
        "DeletionProtectionEnabled": settings.deletion_protection,
    });
    d["ProvisionedThroughput"] = provisioned_throughput(cap, shown.as_ref(), store);
    if let Some(class) = &settings.table_class {
        d["TableClassSummary"] = json!({ "TableClass": class });
    }
    // A new on-demand table's switch time appears once it is ACTIVE, as in DynamoDB.
    if let Some(at) = settings.last_switch_to_on_demand.filter(|_| !creating) {
        d["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"] = json!(at);
    }
    if cap.on_demand_max != (None, None) {
        d["OnDemandThroughput"] = json!({
            "MaxReadRequestUnits": cap.on_demand_max.0.map_or(-1, |v| v as i64),
            "MaxWriteRequestUnits": cap.on_demand_max.1.map_or(-1, |v| v as i64),
        });
    }
    let described = |index: &crate::index::Index| {
        json!({
            "IndexName": index.name,
            "KeySchema": index.described_key_schema,
            "Projection": index.described_projection,
            "IndexArn": index.arn,
            "ItemCount": index.len(),
            "IndexSizeBytes": index.size_bytes(),
        })
    };
    if let Some(stream) = table.stream() {
        d["StreamSpecification"] =
            json!({"StreamEnabled": true, "StreamViewType": stream.view_type.name()});
    }
    if let Some(latest) = table.streams().last() {
        d["LatestStreamLabel"] = json!(latest.label);
        d["LatestStreamArn"] = json!(latest.arn);
    }
    let indexes = table.indexes();
    let locals: Vec<Value> = indexes
        .iter()
        .filter(|i| i.local)
        .map(|i| described(i))
        .collect();
    if !locals.is_empty() {
        d["LocalSecondaryIndexes"] = Value::Array(locals);
    }
    let globals: Vec<Value> = indexes
        .iter()
        .filter(|i| !i.local)
        .map(|index| {
            let capacity = crate::table::lock(&index.capacity);
            let shown =
                updating.and_then(|update| update.shown_for_index(index, &capacity.billing));
            let mut g = described(index);
            if creating {
                g["IndexStatus"] = json!("CREATING");
            } else if index.is_backfilling() {
                g["IndexStatus"] = json!("CREATING");
                g["Backfilling"] = json!(true);
            } else if shown.is_some() {
                g["IndexStatus"] = json!("UPDATING");
            } else {
                g["IndexStatus"] = json!("ACTIVE");
            }
            g["ProvisionedThroughput"] = provisioned_throughput(&capacity, shown.as_ref(), store);
            g["WarmThroughput"] = json!({
                "ReadUnitsPerSecond": capacity.warm.0 as i64,
                "WriteUnitsPerSecond": capacity.warm.1 as i64,
                "Status": "ACTIVE",
            });
            g
        })
        .collect();
    // A table DELETING is described without its global indexes, as dynalite's suite records of
    // DynamoDB's DeleteTable answer.
    if !globals.is_empty() && !table.is_deleting(epoch) {
        d["GlobalSecondaryIndexes"] = Value::Array(globals);
    }
    d
}
