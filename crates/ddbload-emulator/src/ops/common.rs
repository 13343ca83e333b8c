//! What the operations' parse steps share: table names, typed parameters (ReturnConsumedCapacity,
//! ReturnValues, consistency), expressions with their bindings, and refusing what is not implemented.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::capacity::Consistency;
use crate::error::{ApiError, ExprKind};
use crate::expr::{
    legacy, parse_condition, parse_projection, project, Action, Bindings, Cond, Projection,
};
use crate::table::Table;
use crate::typed_request::given;
use crate::value::{item_from_json, item_to_json, Item};

pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// DynamoDB table names: 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.' (CreateTable reference).
pub fn is_valid_table_name(name: &str) -> bool {
    (3..=255).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The characters a table name may hold, as DynamoDB's constraint message writes them.
pub const TABLE_NAME_PATTERN: &str = "[a-zA-Z0-9_.-]+";

/// The constraints `name` fails as a TableName: its characters (an empty name is only too short),
/// then its length. `min` is 3 for CreateTable; other operations take names of 1 character on
/// (DynamoDB answers a shorter one than 3 as a table it does not have).
pub fn table_name_violations(name: &str, min: usize) -> Vec<String> {
    name_violations(name, min, "tableName")
}

/// As `table_name_violations`, for a member named `field` that holds a table's name.
pub fn name_violations(name: &str, min: usize, field: &str) -> Vec<String> {
    let mut found = Vec::new();
    let violation = |constraint| ApiError::violation(Some(name), field, constraint);
    if !name.is_empty()
        && !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        found.push(violation(ApiError::pattern_constraint(TABLE_NAME_PATTERN)));
    }
    if name.len() < min {
        found.push(violation(ApiError::min_length_constraint(min)));
    }
    if name.len() > 255 {
        found.push(violation(ApiError::max_length_constraint(255)));
    }
    found
}

/// The request's TableName, present and valid (the request's constraints, `constraints.rs`, have
/// usually refused a bad one already; a transaction's members are checked here).
pub fn table_name(req: &Value) -> Result<String, ApiError> {
    let name = req
        .get("TableName")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing("tableName"))?;
    let violations = table_name_violations(name, 1);
    if !violations.is_empty() {
        return Err(ApiError::violations(violations));
    }
    Ok(name.to_owned())
}

pub fn item_param(req: &Value, field: &str) -> Result<Item, ApiError> {
    item_from_json(
        req.get(field)
            .ok_or_else(|| ApiError::missing(&ApiError::field_name(field)))?,
    )
}

pub fn consistency(req: &Value) -> Consistency {
    if req.get("ConsistentRead").and_then(Value::as_bool) == Some(true) {
        Consistency::Strong
    } else {
        Consistency::Eventual
    }
}

/// Parameters of DynamoDB's legacy (pre-expression) API and others the emulator does not implement:
/// refused with a message naming them, never accepted and ignored.
pub fn refuse_unsupported(req: &Value, parameters: &[&str]) -> Result<(), ApiError> {
    for parameter in parameters {
        if given(req, parameter) {
            return Err(ApiError::unsupported(&format!("the {parameter} parameter")));
        }
    }
    Ok(())
}

/// ReturnConsumedCapacity: NONE, TOTAL or INDEXES.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnCapacity {
    None,
    Total,
    Indexes,
}

impl ReturnCapacity {
    pub fn of(req: &Value) -> Result<Self, ApiError> {
        match req.get("ReturnConsumedCapacity").and_then(Value::as_str) {
            None | Some("NONE") => Ok(Self::None),
            Some("TOTAL") => Ok(Self::Total),
            Some("INDEXES") => Ok(Self::Indexes),
            Some(other) => Err(ApiError::return_consumed_capacity(other)),
        }
    }

    /// The ConsumedCapacity entry for one table, when asked.
    pub fn entry(self, table: &str, consumed: &Consumed) -> Option<Value> {
        match self {
            Self::None => None,
            Self::Total => Some(json!({"TableName": table, "CapacityUnits": consumed.total()})),
            Self::Indexes => {
                let mut entry = json!({
                    "TableName": table, "CapacityUnits": consumed.total(), "Table": {"CapacityUnits": consumed.table}
                });
                for (field, units) in [
                    ("GlobalSecondaryIndexes", &consumed.indexes),
                    ("LocalSecondaryIndexes", &consumed.local_indexes),
                ] {
                    if !units.is_empty() {
                        entry[field] = units
                            .iter()
                            .map(|(name, units)| (name.clone(), json!({"CapacityUnits": units})))
                            .collect::<serde_json::Map<_, _>>()
                            .into();
                    }
                }
                Some(entry)
            }
        }
    }

    pub fn add_to(self, mut out: Value, table: &str, consumed: &Consumed) -> Value {
        if let Some(entry) = self.entry(table, consumed) {
            out["ConsumedCapacity"] = entry;
        }
        out
    }

    /// Batch and transaction answers carry one entry per table, when asked.
    pub fn add_list_to(self, mut out: Value, by_table: &BTreeMap<String, Consumed>) -> Value {
        if self != Self::None {
            out["ConsumedCapacity"] = by_table
                .iter()
                .filter_map(|(name, consumed)| self.entry(name, consumed))
                .collect();
        }
        out
    }
}

/// Units one request consumed: on the table itself and on each index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Consumed {
    pub table: f64,
    pub indexes: BTreeMap<String, f64>,
    pub local_indexes: BTreeMap<String, f64>,
}

impl Consumed {
    pub fn table(units: f64) -> Consumed {
        Consumed {
            table: units,
            ..Consumed::default()
        }
    }

    pub fn total(&self) -> f64 {
        self.table + self.indexes.values().sum::<f64>() + self.local_indexes.values().sum::<f64>()
    }

    /// Units from an operation's ConsumedCapacity entry as ReturnCapacity::Indexes writes it.
    pub fn of_entry(entry: &Value) -> Consumed {
        let units = |field: &str| -> BTreeMap<String, f64> {
            entry[field]
                .as_object()
                .map(|indexes| {
                    indexes
                        .iter()
                        .map(|(name, used)| {
                            (name.clone(), used["CapacityUnits"].as_f64().unwrap_or(0.0))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        Consumed {
            table: entry["Table"]["CapacityUnits"].as_f64().unwrap_or(0.0),
            indexes: units("GlobalSecondaryIndexes"),
            local_indexes: units("LocalSecondaryIndexes"),
        }
    }

    pub fn add(&mut self, other: &Consumed) {
        self.table += other.table;
        for (name, units) in &other.indexes {
            *self.indexes.entry(name.clone()).or_default() += units;
        }
        for (name, units) in &other.local_indexes {
            *self.local_indexes.entry(name.clone()).or_default() += units;
        }
    }
}

/// ReturnValues of single-item writes; each operation allows its own subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnValues {
    None,
    AllOld,
    UpdatedOld,
    AllNew,
    UpdatedNew,
}

impl ReturnValues {
    pub fn of(req: &Value, allowed: &[ReturnValues]) -> Result<Self, ApiError> {
        let value = match req.get("ReturnValues").and_then(Value::as_str) {
            None | Some("NONE") => Self::None,
            Some("ALL_OLD") => Self::AllOld,
            Some("UPDATED_OLD") => Self::UpdatedOld,
            Some("ALL_NEW") => Self::AllNew,
            Some("UPDATED_NEW") => Self::UpdatedNew,
            Some(_) => return Err(ApiError::return_values()),
        };
        if value != Self::None && !allowed.contains(&value) {
            return Err(ApiError::return_values());
        }
        Ok(value)
    }
}

/// ReturnValuesOnConditionCheckFailure: whether a refused condition answers with the item.
pub fn old_item_on_condition_failure(req: &Value) -> Result<bool, ApiError> {
    match req
        .get("ReturnValuesOnConditionCheckFailure")
        .and_then(Value::as_str)
    {
        None | Some("NONE") => Ok(false),
        Some("ALL_OLD") => Ok(true),
        Some(other) => Err(ApiError::return_values_on_condition_check_failure(other)),
    }
}

/// A condition-type expression parameter, parsed, if present.
pub fn condition(
    req: &Value,
    field: &str,
    kind: ExprKind,
    bindings: &Bindings,
) -> Result<Option<Cond>, ApiError> {
    req.get(field)
        .and_then(Value::as_str)
        .map(|text| parse_condition(text, kind, bindings))
        .transpose()
}

/// ProjectionExpression, or the legacy AttributesToGet.
pub fn projection(req: &Value, bindings: &Bindings) -> Result<Option<Projection>, ApiError> {
    if let Some(paths) = legacy::attributes_to_get(req)? {
        return Ok(Some(Projection::new(&paths, false)?));
    }
    req.get("ProjectionExpression")
        .and_then(Value::as_str)
        .map(|text| Projection::new(&parse_projection(text, bindings)?, false))
        .transpose()
}

/// ConditionExpression, or the legacy Expected (with ConditionalOperator).
pub fn write_condition(req: &Value, bindings: &Bindings) -> Result<Option<Cond>, ApiError> {
    match condition(req, "ConditionExpression", ExprKind::Condition, bindings)? {
        Some(cond) => Ok(Some(cond)),
        None => legacy::expected(req),
    }
}

pub fn shown(item: &Item, projection: &Option<Projection>) -> Value {
    match projection {
        Some(p) => item_to_json(&project(item, p)),
        None => item_to_json(item),
    }
}

/// DynamoDB refuses ExpressionAttributeNames given (even empty) without any of the operation's
/// `expressions`, then ExpressionAttributeValues without any expression that takes values (all but
/// ProjectionExpression); checked before the names and values themselves. `expressions` in the order
/// DynamoDB's message lists them.
pub fn check_bindings_have_expressions(req: &Value, expressions: &[&str]) -> Result<(), ApiError> {
    if given(req, "ExpressionAttributeNames") && !expressions.iter().any(|e| given(req, e)) {
        return Err(ApiError::names_without_expression());
    }
    let taking_values: Vec<&str> = expressions
        .iter()
        .copied()
        .filter(|e| *e != "ProjectionExpression")
        .collect();
    if !taking_values.is_empty()
        && given(req, "ExpressionAttributeValues")
        && !taking_values.iter().any(|e| given(req, e))
    {
        return Err(ApiError::values_without_expression(&taking_values));
    }
    Ok(())
}

/// A condition (a write's, or a filter) and update actions (either may be absent) reach into no
/// key attribute of the table or its indexes.
pub fn check_paths_clear_of_keys(
    table: &Table,
    condition: Option<&Cond>,
    actions: &[Action],
) -> Result<(), ApiError> {
    let mut heads: Vec<&str> = actions.iter().flat_map(Action::nested_path_heads).collect();
    if let Some(condition) = condition {
        heads.extend(condition.nested_path_heads());
    }
    check_no_path_into_keys(table, &heads)
}

/// A projection reaches into no key attribute of the table or its indexes.
pub fn check_projection_clear_of_keys(
    table: &Table,
    projection: Option<&Projection>,
) -> Result<(), ApiError> {
    match projection {
        Some(projection) => check_no_path_into_keys(table, &projection.nested_path_heads()),
        None => Ok(()),
    }
}

/// Key attributes are scalars: a path into one (`k.a`, `k[0]`) in a projection, condition or
/// update is DynamoDB's validation error, checked over the table's key, then every index's.
fn check_no_path_into_keys(table: &Table, heads: &[&str]) -> Result<(), ApiError> {
    for key in table.schema.attrs() {
        if heads.contains(&key.name.as_str()) {
            return Err(ApiError::path_into_key("Key", &key.name));
        }
    }
    for index in table.indexes().iter() {
        for key in index.schema.attrs() {
            if heads.contains(&key.name.as_str()) {
                return Err(ApiError::path_into_key("IndexKey", &key.name));
            }
        }
    }
    Ok(())
}

/// A ConditionalCheckFailedException, carrying the item when ReturnValuesOnConditionCheckFailure
/// asked for it.
pub fn condition_failed(old: Option<&Item>, return_old: bool) -> ApiError {
    let mut err = ApiError::conditional();
    if let (true, Some(item)) = (return_old, old) {
        err.extra.push(("Item", item_to_json(item)));
    }
    err
}
