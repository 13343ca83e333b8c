//! DynamoDB's legacy (pre-expression) parameters, turned into the same parsed forms expressions give:
//! `Expected` and `QueryFilter`/`ScanFilter` (with `ConditionalOperator`) into conditions,
//! `KeyConditions` into a key condition, `AttributeUpdates` into update actions, `AttributesToGet`
//! into a projection. Mixing them with expression parameters is DynamoDB's validation error.

use serde_json::Value;

use super::ast::{Action, Cond, Operand, Path, PathPart};
use crate::error::ApiError;
use crate::typed_request::given;
use crate::value::Av;

// In the order DynamoDB's message lists them.
const LEGACY: [&str; 7] = [
    "AttributesToGet",
    "AttributeUpdates",
    "Expected",
    "QueryFilter",
    "ScanFilter",
    "ConditionalOperator",
    "KeyConditions",
];
const EXPRESSIONS: [&str; 5] = [
    "ProjectionExpression",
    "FilterExpression",
    "KeyConditionExpression",
    "UpdateExpression",
    "ConditionExpression",
];

fn present<'a>(req: &Value, names: &[&'a str]) -> Vec<&'a str> {
    names.iter().copied().filter(|n| given(req, n)).collect()
}

/// Refuses a request that mixes legacy and expression parameters, naming both. KeyConditions without a
/// KeyConditionExpression goes with ProjectionExpression and FilterExpression, as DynamoDB allows.
pub fn check_not_mixed(req: &Value) -> Result<(), ApiError> {
    let mut legacy = present(req, &LEGACY);
    if req.get("KeyConditionExpression").is_none_or(Value::is_null) {
        legacy.retain(|name| *name != "KeyConditions");
    }
    let expressions = present(req, &EXPRESSIONS);
    if !legacy.is_empty() && !expressions.is_empty() {
        return Err(ApiError::mixed_parameters(&legacy, &expressions));
    }
    Ok(())
}

fn attr(name: &str) -> Path {
    vec![PathPart::Attr(name.to_owned())]
}

fn values(spec: &Value) -> Result<Vec<Av>, ApiError> {
    spec.get("AttributeValueList")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(Av::from_json)
        .collect()
}

/// The number of values and their one type, as DynamoDB checks every legacy condition.
fn check_arguments(operator: &str, args: &[Av]) -> Result<(), ApiError> {
    let expected = match operator {
        "NULL" | "NOT_NULL" => 0,
        "BETWEEN" => 2,
        "IN" => usize::MAX,
        "EQ" | "NE" | "LE" | "LT" | "GE" | "GT" | "CONTAINS" | "NOT_CONTAINS" | "BEGINS_WITH" => 1,
        other => return Err(ApiError::legacy_unsupported_operator(other)),
    };
    let count_ok = if expected == usize::MAX {
        !args.is_empty()
    } else {
        args.len() == expected
    };
    if !count_ok {
        return Err(ApiError::legacy_argument_count(operator));
    }
    if args.iter().any(|a| a.type_name() != args[0].type_name()) {
        return Err(ApiError::legacy_values_of_one_type());
    }
    Ok(())
}

fn check_between_order(operator: &str, args: &[Av]) -> Result<(), ApiError> {
    if operator == "BETWEEN" && args[0].compare(&args[1]) == Some(std::cmp::Ordering::Greater) {
        return Err(ApiError::legacy_between_reversed());
    }
    Ok(())
}

/// The types an ordering, membership or prefix operator compares, as DynamoDB checks a QueryFilter,
/// ScanFilter or KeyConditions entry (an `Expected` entry is not checked so). EQ and NE take any
/// type, as documented ("EQ is supported for all data types, including lists and maps").
fn check_operand_types(operator: &str, args: &[Av]) -> Result<(), ApiError> {
    let allowed: &[&str] = match operator {
        "EQ" | "NE" => return Ok(()),
        "BEGINS_WITH" => &["S", "B"],
        _ => &["S", "N", "B"],
    };
    match args.iter().find(|a| !allowed.contains(&a.type_name())) {
        Some(bad) => Err(ApiError::legacy_operator_type(operator, bad.type_name())),
        None => Ok(()),
    }
}

/// One `{ComparisonOperator, AttributeValueList}` on attribute `name`.
pub fn comparison(name: &str, operator: &str, args: Vec<Av>) -> Result<Cond, ApiError> {
    check_arguments(operator, &args)?;
    check_between_order(operator, &args)?;
    let path = || Operand::Path(attr(name));
    let mut args = args.into_iter().map(Operand::Value);
    let mut next = || args.next().expect("argument count checked");
    Ok(match operator {
        "NULL" => Cond::NotExists(attr(name)),
        "NOT_NULL" => Cond::Exists(attr(name)),
        "EQ" => Cond::Compare(path(), "=", next()),
        "NE" => Cond::Not(Box::new(Cond::Compare(path(), "=", next()))),
        "LE" => Cond::Compare(path(), "<=", next()),
        "LT" => Cond::Compare(path(), "<", next()),
        "GE" => Cond::Compare(path(), ">=", next()),
        "GT" => Cond::Compare(path(), ">", next()),
        "CONTAINS" => Cond::Contains(path(), next()),
        "NOT_CONTAINS" => Cond::Not(Box::new(Cond::Contains(path(), next()))),
        "BEGINS_WITH" => Cond::BeginsWith(path(), next()),
        "BETWEEN" => {
            let low = next();
            Cond::Between(path(), low, next())
        }
        _ => Cond::In(path(), args.collect()),
    })
}

fn combine(conditions: Vec<Cond>, req: &Value) -> Result<Option<Cond>, ApiError> {
    let or = match req.get("ConditionalOperator").and_then(Value::as_str) {
        None | Some("AND") => false,
        Some("OR") => true,
        Some(other) => return Err(ApiError::conditional_operator(other)),
    };
    Ok(conditions.into_iter().reduce(|a, b| {
        if or {
            Cond::Or(Box::new(a), Box::new(b))
        } else {
            Cond::And(Box::new(a), Box::new(b))
        }
    }))
}

/// `Expected` (and `ConditionalOperator`) as a condition.
pub fn expected(req: &Value) -> Result<Option<Cond>, ApiError> {
    let Some(map) = req.get("Expected").and_then(Value::as_object) else {
        return Ok(None);
    };
    let mut conditions = Vec::with_capacity(map.len());
    for (name, spec) in map {
        let value = spec.get("Value").map(Av::from_json).transpose()?;
        let exists = spec.get("Exists").and_then(Value::as_bool);
        let listed = given(spec, "AttributeValueList");
        if listed && value.is_some() {
            return Err(ApiError::value_with_value_list(name));
        }
        let cond = match (
            spec.get("ComparisonOperator").and_then(Value::as_str),
            exists,
            value,
        ) {
            (Some(_), Some(_), _) => return Err(ApiError::exists_with_operator(name)),
            (Some(operator), None, None) if !listed && !matches!(operator, "NULL" | "NOT_NULL") => {
                return Err(ApiError::operator_without_values(operator, name))
            }
            (Some(operator), None, value) => {
                let mut args = values(spec)?;
                if let Some(v) = value {
                    args.insert(0, v);
                }
                comparison(name, operator, args)?
            }
            (None, _, _) if listed => return Err(ApiError::value_list_without_operator(name)),
            (None, Some(false), Some(_)) => return Err(ApiError::value_with_exists_false(name)),
            (None, Some(false), None) => Cond::NotExists(attr(name)),
            (None, _, Some(v)) => Cond::Compare(Operand::Path(attr(name)), "=", Operand::Value(v)),
            (None, exists, None) => {
                let exists = if exists.is_some() { "true" } else { "null" };
                return Err(ApiError::value_missing_with_exists(name, exists));
            }
        };
        conditions.push(cond);
    }
    combine(conditions, req)
}

/// One entry of a `QueryFilter`, `ScanFilter` or `KeyConditions` map.
#[derive(Debug)]
pub struct Entry {
    pub attr: String,
    pub operator: String,
    pub values: Vec<Av>,
}

/// The entries of a `QueryFilter`, `ScanFilter` or `KeyConditions` map: each attribute's operator and
/// values, checked as DynamoDB checks them.
pub fn conditions(req: &Value, field: &str) -> Result<Option<Vec<Entry>>, ApiError> {
    let Some(map) = req.get(field).and_then(Value::as_object) else {
        return Ok(None);
    };
    let mut entries = Vec::with_capacity(map.len());
    for (name, spec) in map {
        let operator = spec
            .get("ComparisonOperator")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::missing("comparisonOperator"))?;
        let args = values(spec)?;
        check_arguments(operator, &args)?;
        check_operand_types(operator, &args)?;
        check_between_order(operator, &args)?;
        entries.push(Entry {
            attr: name.clone(),
            operator: operator.to_owned(),
            values: args,
        });
    }
    Ok(Some(entries))
}

/// `QueryFilter` or `ScanFilter` (and `ConditionalOperator`) as a condition.
pub fn filter(req: &Value, field: &str) -> Result<Option<Cond>, ApiError> {
    let Some(entries) = conditions(req, field)? else {
        return Ok(None);
    };
    let conditions = entries
        .into_iter()
        .map(|e| comparison(&e.attr, &e.operator, e.values))
        .collect::<Result<Vec<_>, _>>()?;
    combine(conditions, req)
}

/// `AttributeUpdates` as update actions: PUT sets, DELETE removes (or takes values from a set), ADD
/// adds to a number or a set.
pub fn attribute_updates(req: &Value) -> Result<Option<Vec<Action>>, ApiError> {
    let Some(map) = req.get("AttributeUpdates").and_then(Value::as_object) else {
        return Ok(None);
    };
    let mut actions = Vec::with_capacity(map.len());
    for (name, spec) in map {
        let value = spec.get("Value").map(Av::from_json).transpose()?;
        let action = spec.get("Action").and_then(Value::as_str).unwrap_or("PUT");
        actions.push(match (action, value) {
            ("PUT", Some(v)) => Action::Set(attr(name), Operand::Value(v)),
            ("PUT" | "ADD", None) => return Err(ApiError::put_without_value()),
            ("DELETE", None) => Action::Remove(attr(name)),
            ("DELETE", Some(v @ (Av::Ss(_) | Av::Ns(_) | Av::Bs(_)))) => {
                Action::Delete(attr(name), v)
            }
            ("DELETE", Some(v)) => return Err(ApiError::delete_value_not_set(v.type_name())),
            // A list is appended to (DynamoDB and DynamoDB Local do so, in AttributeUpdates only).
            ("ADD", Some(v @ (Av::N(_) | Av::Ss(_) | Av::Ns(_) | Av::Bs(_) | Av::L(_)))) => {
                Action::Add(attr(name), v)
            }
            ("ADD", Some(v)) => return Err(ApiError::add_unsupported(v.type_name())),
            (other, _) => return Err(ApiError::attribute_update_action(name, other)),
        });
    }
    Ok(Some(actions))
}

/// `AttributesToGet` as the paths of a projection.
pub fn attributes_to_get(req: &Value) -> Result<Option<Vec<Path>>, ApiError> {
    let Some(list) = req.get("AttributesToGet").and_then(Value::as_array) else {
        return Ok(None);
    };
    let mut paths = Vec::with_capacity(list.len());
    for name in list {
        let name = name
            .as_str()
            .ok_or_else(ApiError::attributes_to_get_not_text)?;
        let path = attr(name);
        if paths.contains(&path) {
            return Err(ApiError::duplicate_attribute_name(name));
        }
        paths.push(path);
    }
    if paths.is_empty() {
        return Err(ApiError::empty_list("attributesToGet"));
    }
    Ok(Some(paths))
}
