//! What Query and Scan share: Limit, Select, the 1 MB page, filters and projections, and the
//! ExclusiveStartKey/LastEvaluatedKey pair.

use serde_json::{json, Value};

use super::common::shown;
use super::write::check_condition;
use crate::error::ApiError;
use crate::expr::{Cond, Projection};
use crate::table::{ItemKey, KeySchema};
use crate::value::{item_from_json, item_size, item_to_json, Item};

pub const PAGE_BYTES: usize = 1024 * 1024;

pub fn limit(req: &Value) -> Result<Option<usize>, ApiError> {
    match req.get("Limit").and_then(Value::as_i64) {
        Some(n) if n < 1 => Err(ApiError::validation(
            "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value \
             greater than or equal to 1",
        )),
        other => Ok(other.map(|n| n as usize)),
    }
}

/// Select: ALL_ATTRIBUTES (default), COUNT, or SPECIFIC_ATTRIBUTES with a projection.
pub fn count_only(req: &Value, has_projection: bool) -> Result<bool, ApiError> {
    match (req.get("Select").and_then(Value::as_str), has_projection) {
        (None, _) | (Some("ALL_ATTRIBUTES"), false) | (Some("SPECIFIC_ATTRIBUTES"), true) => Ok(false),
        (Some("COUNT"), false) => Ok(true),
        (Some("ALL_PROJECTED_ATTRIBUTES"), _) => Err(ApiError::unsupported("Select ALL_PROJECTED_ATTRIBUTES (indexes)")),
        _ => Err(ApiError::validation(
            "Cannot specify the AttributesToGet or ProjectionExpression when choosing to get ALL_ATTRIBUTES or \
             COUNT",
        )),
    }
}

pub fn start_key(req: &Value, schema: &KeySchema) -> Result<Option<ItemKey>, ApiError> {
    req.get("ExclusiveStartKey")
        .map(|k| schema.key_param(&item_from_json(k)?))
        .transpose()
        .map_err(|_| {
            ApiError::validation(
                "The provided starting key is invalid: The provided key element does not match the schema",
            )
        })
}

pub struct PageSpec<'a> {
    pub limit: Option<usize>,
    pub count_only: bool,
    pub filter: &'a Option<Cond>,
    pub projection: &'a Option<Projection>,
}

/// Walks candidates in order until Limit or 1 MB; answers the page and the bytes it read.
pub fn page(
    spec: &PageSpec<'_>,
    schema: &KeySchema,
    candidates: impl Iterator<Item = (ItemKey, Item)>,
) -> Result<(Value, usize), ApiError> {
    let (mut items, mut scanned, mut bytes, mut last) = (Vec::new(), 0usize, 0usize, None);
    let mut candidates = candidates.peekable();
    while let Some((key, item)) = candidates.next() {
        scanned += 1;
        bytes += item_size(&item);
        if check_condition(spec.filter, Some(&item))? {
            items.push(item);
        }
        if spec.limit.is_some_and(|m| scanned >= m) || bytes >= PAGE_BYTES {
            if spec.limit.is_some() || candidates.peek().is_some() {
                last = Some(key);
            }
            break;
        }
    }
    let mut out = json!({"Count": items.len(), "ScannedCount": scanned});
    if !spec.count_only {
        out["Items"] = Value::Array(items.iter().map(|i| shown(i, spec.projection)).collect());
    }
    if let Some(key) = last {
        out["LastEvaluatedKey"] = item_to_json(&schema.key_item(&key));
    }
    Ok((out, bytes))
}
