//! A Query's key conditions as DynamoDB checks them: a KeyConditionExpression or legacy KeyConditions
//! becomes one condition per attribute, checked on its own before the table is looked up, then
//! against the key schema queried together with the ExclusiveStartKey.

use serde_json::Value;

use crate::error::ApiError;
// One attribute's condition, in the legacy form both ways of writing it reach.
use crate::expr::legacy::Entry as KeyTerm;
use crate::expr::{legacy, Cond, Operand};
use crate::table::{KeyAttr, KeySchema};
use crate::value::{Av, KeyValue};

#[derive(Debug)]
pub struct KeyTerms(Vec<KeyTerm>);

/// What a key condition selects: the partition, and a condition on the sort key.
pub struct KeySelection {
    pub partition: KeyValue,
    pub sort: Option<Cond>,
}

const NOT_INDEXABLE: [&str; 6] = ["NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN"];

impl KeyTerms {
    /// A parsed KeyConditionExpression, walked as DynamoDB walks it: the first operator or operand it
    /// cannot take, from the top and left to right, is the error.
    pub fn from_expression(cond: &Cond) -> Result<KeyTerms, ApiError> {
        let mut terms = KeyTerms(Vec::new());
        terms.walk(cond)?;
        terms.check_count()?;
        Ok(terms)
    }

    /// Legacy KeyConditions, checked as any legacy condition is.
    pub fn from_legacy(req: &Value) -> Result<Option<KeyTerms>, ApiError> {
        let Some(entries) = legacy::conditions(req, "KeyConditions")? else {
            return Ok(None);
        };
        let terms = KeyTerms(entries);
        terms.check_count()?;
        Ok(Some(terms))
    }

    fn check_count(&self) -> Result<(), ApiError> {
        match self.0.len() {
            1 | 2 => Ok(()),
            _ => Err(ApiError::key_conditions_count()),
        }
    }

    fn get(&self, attr: &str) -> Option<&KeyTerm> {
        self.0.iter().find(|t| t.attr == attr)
    }

    fn walk(&mut self, cond: &Cond) -> Result<(), ApiError> {
        let refused = |operator: &str| Err(ApiError::key_condition_operator(operator));
        let (operator, operands): (&str, Vec<&Operand>) = match cond {
            Cond::And(a, b) => {
                self.walk(a)?;
                return self.walk(b);
            }
            Cond::Or(..) => return refused("OR"),
            Cond::Not(..) => return refused("NOT"),
            Cond::In(..) => return refused("IN"),
            Cond::Compare(_, "<>", _) => return refused("<>"),
            Cond::Exists(_) => return refused("attribute_exists"),
            Cond::NotExists(_) => return refused("attribute_not_exists"),
            Cond::AttrType(..) => return refused("attribute_type"),
            Cond::Contains(..) => return refused("contains"),
            Cond::Between(a, low, high) => {
                if !matches!(a, Operand::Path(_)) {
                    return Err(ApiError::key_condition_key_not_first("BETWEEN"));
                }
                ("BETWEEN", vec![a, low, high])
            }
            Cond::BeginsWith(a, b) => {
                if !matches!(a, Operand::Path(_)) {
                    return Err(ApiError::key_condition_key_not_first("begins_with"));
                }
                ("BEGINS_WITH", vec![a, b])
            }
            Cond::Compare(a, op, b) => (*op, vec![a, b]),
        };
        let mut attr: Option<(usize, &str)> = None;
        let mut values = Vec::new();
        for (position, operand) in operands.into_iter().enumerate() {
            match operand {
                Operand::Path(path) => {
                    if attr.is_some() {
                        return Err(ApiError::key_condition_multiple_names());
                    }
                    match path.as_slice() {
                        [crate::expr::PathPart::Attr(name)] => attr = Some((position, name)),
                        _ => return Err(ApiError::key_condition_nested_attributes()),
                    }
                }
                Operand::Value(value) => values.push(value.clone()),
                _ => return Err(ApiError::key_condition_nested_operations()),
            }
        }
        let Some((position, name)) = attr else {
            return Err(ApiError::key_condition_without_key());
        };
        if self.get(name).is_some() {
            return Err(ApiError::key_condition_twice_on_key());
        }
        // `:v < k` is `k > :v`.
        let flipped = position != 0;
        let operator = match (operator, flipped) {
            ("=", _) => "EQ",
            ("<", false) | (">", true) => "LT",
            ("<=", false) | (">=", true) => "LE",
            (">", false) | ("<", true) => "GT",
            (">=", false) | ("<=", true) => "GE",
            (other, _) => other,
        };
        self.0.push(KeyTerm {
            attr: name.to_owned(),
            operator: operator.to_owned(),
            values,
        });
        Ok(())
    }

    /// Checks the terms and `start` (the ExclusiveStartKey, if any) against `schema`, the key schema
    /// queried (the table's, `table`, or an index's), in DynamoDB's order; `start_names` is how many
    /// attributes the start key must hold (the table's key and, on an index, the index's).
    pub fn select(
        &self,
        schema: &KeySchema,
        table: &KeySchema,
        start: Option<&serde_json::Map<String, Value>>,
        start_names: usize,
    ) -> Result<KeySelection, ApiError> {
        if start.is_some_and(|s| s.len() != start_names) {
            return Err(ApiError::start_key_incomplete());
        }
        let keys = std::iter::once((&schema.partition, true))
            .chain(schema.sort.as_ref().map(|s| (s, false)));
        for (key, is_partition) in keys {
            if let Some(start) = start {
                check_start_piece(start, key)?;
            }
            if is_partition && schema.sort.is_none() && self.0.len() > 1 {
                return Err(ApiError::key_condition_unsupported());
            }
            let Some(term) = self.get(&key.name) else {
                if is_partition || self.0.len() > 1 {
                    return Err(ApiError::query_missed_key(&key.name));
                }
                continue;
            };
            if NOT_INDEXABLE.contains(&term.operator.as_str()) {
                return Err(ApiError::not_indexable_operator());
            }
            if term.values.iter().any(|v| v.type_name() != key.kind) {
                return Err(ApiError::key_condition_type_mismatch());
            }
            if is_partition && term.operator != "EQ" {
                return Err(ApiError::key_condition_unsupported());
            }
        }
        if let Some(start) = start {
            check_start_is_a_table_key(start, table)?;
        }
        let partition_term = self
            .get(&schema.partition.name)
            .expect("the partition key's term was checked");
        let partition = KeyValue::of(&partition_term.values[0]).expect("a key type was checked");
        let sort_term = schema.sort.as_ref().and_then(|s| self.get(&s.name));
        let sort = sort_term
            .map(|t| legacy::comparison(&t.attr, &t.operator, t.values.clone()))
            .transpose()?;
        Ok(KeySelection { partition, sort })
    }

    /// Whether a start key lies within these conditions: its partition is the one queried and its
    /// sort key meets the sort condition; DynamoDB refuses one that does not.
    pub fn check_start_within(
        &self,
        schema: &KeySchema,
        selection: &KeySelection,
        start: &serde_json::Map<String, Value>,
    ) -> Result<(), ApiError> {
        let start_value = |key: &KeyAttr| {
            start
                .get(&key.name)
                .and_then(|v| Av::from_json(v).ok())
                .and_then(|v| KeyValue::of(&v))
        };
        let same_partition = start_value(&schema.partition).as_ref() == Some(&selection.partition);
        match (&schema.sort, &selection.sort) {
            (Some(sort), Some(cond)) => {
                let mut item = crate::value::Item::new();
                if let Some(value) = start.get(&sort.name).and_then(|v| Av::from_json(v).ok()) {
                    item.insert(sort.name.clone(), value);
                }
                if !crate::expr::evaluate(cond, &item)? {
                    return Err(ApiError::start_key_outside_sort_condition());
                }
                if !same_partition {
                    return Err(ApiError::query_of_one_row_restarted());
                }
            }
            _ if !same_partition => return Err(ApiError::start_key_outside_query()),
            _ => {}
        }
        Ok(())
    }
}

/// The table's key within a start key: exactly its attributes, each valid.
fn check_start_is_a_table_key(
    start: &serde_json::Map<String, Value>,
    table: &KeySchema,
) -> Result<(), ApiError> {
    for key in table.attrs() {
        if !start.contains_key(&key.name) {
            return Err(ApiError::start_key_not_a_key(
                &ApiError::key_schema_mismatch(),
            ));
        }
        check_start_piece(start, key).map_err(|e| ApiError::start_key_not_a_key(&e))?;
    }
    Ok(())
}

/// One key attribute of a start key: present, of the key's type, not empty.
fn check_start_piece(
    start: &serde_json::Map<String, Value>,
    key: &KeyAttr,
) -> Result<(), ApiError> {
    let json = start
        .get(&key.name)
        .ok_or_else(ApiError::start_key_incomplete)?;
    let value = Av::from_json(json).map_err(|_| ApiError::key_schema_mismatch())?;
    key.key_value(Some(&value), false).map(|_| ())
}
