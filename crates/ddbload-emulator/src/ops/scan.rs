//! Scan: every item in partition-key hash order (a stable order, as DynamoDB's), or one segment of it
//! for a parallel scan, filtered and projected, paged at Limit or 1 MB; charged for the bytes read.

use std::sync::Arc;

use serde_json::Value;

use super::common::{
    check_bindings_have_expressions, condition, consistency, projection, refuse_unsupported,
    table_name, ReturnCapacity,
};
use super::paging::{count_only, limit, page, start_key, PageSpec};
use crate::capacity::{read_units, Consistency, Kind};
use crate::error::{ApiError, ExprKind};
use crate::expr::{Bindings, Cond, Projection};
use crate::store::Store;
use crate::table::{ItemKey, KeySchema, Table, SHARDS};
use crate::value::Item;

pub const MAX_SEGMENTS: i64 = 1_000_000;

pub struct Scan {
    name: String,
    table: Arc<Table>,
    schema: KeySchema,
    filter: Option<Cond>,
    projection: Option<Projection>,
    start: Option<ItemKey>,
    /// The hash range of this segment: [low, high).
    hashes: (u64, u128),
    limit: Option<usize>,
    count_only: bool,
    consistency: Consistency,
    capacity: ReturnCapacity,
}

fn segment_range(req: &Value) -> Result<(u64, u128), ApiError> {
    let segment = req.get("Segment").and_then(Value::as_i64);
    let total = req.get("TotalSegments").and_then(Value::as_i64);
    let constraint = |field: &str, value: i64, max: i64| {
        ApiError::validation(format!(
            "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must \
             have value less than or equal to {max}"
        ))
    };
    match (segment, total) {
        (None, None) => Ok((0, 1u128 << 64)),
        (Some(_), None) => Err(ApiError::validation("If segment is specified, total segment must also be specified")),
        (None, Some(_)) => Err(ApiError::validation(
            "If total segments is specified, a particular segment must also be specified for this request",
        )),
        (Some(_), Some(total)) if !(1..=MAX_SEGMENTS).contains(&total) => {
            Err(constraint("totalSegments", total, MAX_SEGMENTS))
        }
        (Some(segment), Some(total)) if !(0..total).contains(&segment) => {
            Err(constraint("segment", segment, total - 1))
        }
        (Some(segment), Some(total)) => {
            let width = (1u128 << 64) / total as u128;
            let low = width * segment as u128;
            let high = if segment == total - 1 { 1u128 << 64 } else { low + width };
            Ok((low as u64, high))
        }
    }
}

pub fn parse(req: &Value, store: &Store) -> Result<Scan, ApiError> {
    refuse_unsupported(
        req,
        &[
            "ScanFilter",
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
        &["FilterExpression", "ProjectionExpression"],
    )?;
    let filter = condition(req, "FilterExpression", ExprKind::Filter, &bindings)?;
    let projection = projection(req, &bindings)?;
    bindings.check_all_used()?;
    let hashes = segment_range(req)?;
    let table = store.table(&name)?;
    let schema = table.schema();
    Ok(Scan {
        name,
        start: start_key(req, &schema)?,
        table,
        schema,
        hashes,
        limit: limit(req)?,
        count_only: count_only(req, projection.is_some())?,
        filter,
        projection,
        consistency: consistency(req),
        capacity: ReturnCapacity::of(req)?,
    })
}

impl Scan {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        // Items are collected shard by shard in hash order, up to what one page can hold.
        let mut rows: Vec<(ItemKey, Item)> = Vec::new();
        let budget = self.limit.unwrap_or(usize::MAX);
        let mut bytes = 0usize;
        let (low, high) = self.hashes;
        for index in 0..SHARDS {
            let shard = self.table.shard(index);
            for (key, item) in shard.items.iter() {
                let in_segment = key.hash >= low && u128::from(key.hash) < high;
                let after_start = self.start.as_ref().is_none_or(|s| key > s);
                if in_segment && after_start {
                    bytes += crate::value::item_size(item);
                    rows.push((key.clone(), item.clone()));
                }
                if rows.len() > budget || bytes > 2 * super::paging::PAGE_BYTES {
                    break;
                }
            }
            if rows.len() > budget || bytes > 2 * super::paging::PAGE_BYTES {
                break;
            }
        }
        let spec = PageSpec {
            limit: self.limit,
            count_only: self.count_only,
            filter: &self.filter,
            projection: &self.projection,
        };
        let (out, read) = page(&spec, &self.schema, rows.into_iter())?;
        let units = read_units(read, self.consistency);
        self.table.charge(Kind::Read, None, units, now)?;
        Ok(self.capacity.add_to(out, &self.name, units))
    }
}
