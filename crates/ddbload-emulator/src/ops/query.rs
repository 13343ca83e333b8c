//! Query: one partition's items in sort-key order (or reversed), narrowed by a sort-key condition,
//! filtered and projected, paged at Limit or 1 MB; charged once for the bytes read.

use std::sync::Arc;

use serde_json::Value;

use super::common::{
    check_bindings_have_expressions, condition, consistency, projection, refuse_unsupported,
    table_name, ReturnCapacity,
};
use super::paging::{count_only, limit, page, start_key, PageSpec};
use crate::capacity::{read_units, Consistency, Kind};
use crate::error::{ApiError, ExprKind};
use crate::expr::{evaluate, parse_condition, Bindings, Cond, Operand, PathPart, Projection};
use crate::store::Store;
use crate::table::{ItemKey, KeySchema, Table};
use crate::value::{Item, KeyValue};

pub struct Query {
    name: String,
    table: Arc<Table>,
    schema: KeySchema,
    partition: KeyValue,
    sort: Option<Cond>,
    filter: Option<Cond>,
    projection: Option<Projection>,
    start: Option<ItemKey>,
    forward: bool,
    limit: Option<usize>,
    count_only: bool,
    consistency: Consistency,
    capacity: ReturnCapacity,
}

fn key_attribute(cond: &Cond) -> Option<&str> {
    let operand = match cond {
        Cond::Compare(a, _, _) | Cond::Between(a, _, _) | Cond::BeginsWith(a, _) => a,
        _ => return None,
    };
    match operand {
        Operand::Path(p) if p.len() == 1 => match &p[0] {
            PathPart::Attr(n) => Some(n.as_str()),
            PathPart::Index(_) => None,
        },
        _ => None,
    }
}

/// A key condition: partition key equality, and optionally one sort-key condition.
fn key_condition(schema: &KeySchema, cond: Cond) -> Result<(KeyValue, Option<Cond>), ApiError> {
    let mut parts = Vec::new();
    let mut pending = vec![cond];
    while let Some(cond) = pending.pop() {
        match cond {
            Cond::And(a, b) => {
                pending.push(*b);
                pending.push(*a);
            }
            Cond::Or(..) | Cond::Not(..) | Cond::In(..) => return Err(ApiError::validation(
                "Invalid operator used in KeyConditionExpression: OR, NOT and IN are not allowed",
            )),
            other => parts.push(other),
        }
    }
    let missed = || {
        ApiError::validation(format!(
            "Query condition missed key schema element: {}",
            schema.partition.name
        ))
    };
    let (mut partition, mut sort) = (None, None);
    for part in parts {
        let attr = key_attribute(&part)
            .ok_or_else(|| ApiError::validation("Query key condition not supported"))?
            .to_owned();
        if attr == schema.partition.name {
            let Cond::Compare(_, "=", Operand::Value(v)) = &part else {
                return Err(ApiError::validation("Query key condition not supported"));
            };
            if v.type_name() != schema.partition.kind {
                return Err(ApiError::validation(
                    "One or more parameter values were invalid: Condition parameter type does not match schema type",
                ));
            }
            partition = KeyValue::of(v);
        } else if schema.sort.as_ref().is_some_and(|s| s.name == attr) && sort.is_none() {
            if matches!(&part, Cond::Compare(_, "<>", _)) {
                return Err(ApiError::validation(
                    "Unsupported operator on KeyConditionExpression: operator: <>",
                ));
            }
            sort = Some(part);
        } else {
            return Err(missed());
        }
    }
    Ok((partition.ok_or_else(missed)?, sort))
}

pub fn parse(req: &Value, store: &Store) -> Result<Query, ApiError> {
    refuse_unsupported(
        req,
        &[
            "KeyConditions",
            "QueryFilter",
            "AttributesToGet",
            "ConditionalOperator",
            "IndexName",
        ],
    )?;
    let name = table_name(req)?;
    let bindings = Bindings::from_request(req)?;
    check_bindings_have_expressions(
        req,
        &bindings,
        &[
            "KeyConditionExpression",
            "FilterExpression",
            "ProjectionExpression",
        ],
    )?;
    let key_text = req
        .get("KeyConditionExpression")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ApiError::validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
            )
        })?;
    let key_cond = parse_condition(key_text, ExprKind::KeyCondition, &bindings)?;
    let filter = condition(req, "FilterExpression", ExprKind::Filter, &bindings)?;
    let projection = projection(req, &bindings)?;
    bindings.check_all_used()?;
    let table = store.table(&name)?;
    let schema = table.schema();
    let (partition, sort) = key_condition(&schema, key_cond)?;
    let start = start_key(req, &schema)?;
    Ok(Query {
        name,
        table,
        partition,
        sort,
        start,
        forward: req.get("ScanIndexForward").and_then(Value::as_bool) != Some(false),
        limit: limit(req)?,
        count_only: count_only(req, projection.is_some())?,
        filter,
        projection,
        consistency: consistency(req),
        capacity: ReturnCapacity::of(req)?,
        schema,
    })
}

impl Query {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let first = ItemKey::new(self.partition.clone(), None);
        let mut rows: Vec<(ItemKey, Item)> = Vec::new();
        {
            let shard = self.table.shard_of(&first);
            for (key, item) in shard.items.range(first.clone()..) {
                if key.partition != self.partition || key.hash != first.hash {
                    break;
                }
                if let Some(cond) = &self.sort {
                    if !evaluate(cond, item)? {
                        continue;
                    }
                }
                rows.push((key.clone(), item.clone()));
            }
        }
        if !self.forward {
            rows.reverse();
        }
        if let Some(start) = &self.start {
            let forward = self.forward;
            rows.retain(|(k, _)| {
                if forward {
                    k.sort > start.sort
                } else {
                    k.sort < start.sort
                }
            });
        }
        let spec = PageSpec {
            limit: self.limit,
            count_only: self.count_only,
            filter: &self.filter,
            projection: &self.projection,
        };
        let (out, bytes) = page(&spec, &self.schema, rows.into_iter())?;
        let units = read_units(bytes, self.consistency);
        self.table
            .charge(Kind::Read, Some(&self.partition), units, now)?;
        Ok(self.capacity.add_to(out, &self.name, units))
    }
}
