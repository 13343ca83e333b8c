//! Scan: every item in DynamoDB's order (`key_hash`), or one segment of it for a parallel scan, filtered and projected, paged at Limit or 1 MB; charged for the bytes read -
//! on the table, or with IndexName on a global secondary index.

use std::ops::Bound;
use std::sync::Arc;

use serde_json::Value;

use super::common::{
    check_bindings_have_expressions, check_paths_clear_of_keys, check_projection_clear_of_keys,
    condition, consistency, projection, table_name, Consumed, ReturnCapacity,
};
use super::page_size::page_size;
use super::paging::{
    charge_index_read, check_index_projects, check_select_on_index, check_start_key_values,
    count_only, fetch_from_table, fetches_from_table, index_last_key, index_start_key, limit, page,
    start_key, PageSpec, PAGE_BYTES,
};
use super::query::lowest_key;
use crate::capacity::{read_units, Consistency, Kind};
use crate::error::{ApiError, ExprKind};
use crate::expr::{legacy, Bindings, Cond, Projection};
use crate::index::{EntryKey, Index};
use crate::store::Store;
use crate::table::{shard_of_hash, ItemKey, Table};
use crate::value::{item_to_json, Item};

pub const MAX_SEGMENTS: i64 = 1_000_000;

pub struct Scan {
    name: String,
    table: Arc<Table>,
    index: Option<(Arc<Index>, Option<EntryKey>)>,
    filter: Option<Cond>,
    projection: Option<Projection>,
    start: Option<ItemKey>,
    /// The hash range of this segment: [low, high).
    hashes: (u128, u128),
    limit: Option<usize>,
    count_only: bool,
    consistency: Consistency,
    capacity: ReturnCapacity,
    /// Whole items from the table for each index row (`fetches_from_table`).
    fetch_whole: bool,
    /// Whole items read only for the filter: answered as the index holds them.
    index_view: bool,
}

/// Segment and TotalSegments, checked: both or neither, TotalSegments up to 1,000,000, Segment below it.
fn segment(req: &Value) -> Result<Option<(i64, i64)>, ApiError> {
    let segment = req.get("Segment").and_then(Value::as_i64);
    let total = req.get("TotalSegments").and_then(Value::as_i64);
    match (segment, total) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ApiError::parameter_required_with(
            "TotalSegments",
            "Segment parameter is present",
        )),
        (None, Some(_)) => Err(ApiError::parameter_required_with(
            "Segment",
            "parameter TotalSegments is present",
        )),
        (Some(_), Some(total)) if !(1..=MAX_SEGMENTS).contains(&total) => Err(
            ApiError::value_at_most("totalSegments", total, MAX_SEGMENTS),
        ),
        (Some(segment), Some(total)) if segment >= total => {
            Err(ApiError::segment_not_below_total(segment, total))
        }
        (Some(segment), Some(total)) if segment < 0 => {
            Err(ApiError::value_at_most("segment", segment, total - 1))
        }
        (Some(segment), Some(total)) => Ok(Some((segment, total))),
    }
}

/// The hash range [low, high) a segment scans. DynamoDB splits the order by the hash's first 12
/// bits: segment s of T covers prefixes ceil(4096 s / T) up to ceil(4096 (s + 1) / T), so when T
/// exceeds 4,096 some segments are empty.
/// Both bounds are u128: a segment past the last prefix starts at 2^64, beyond every hash.
fn segment_range(segment: Option<(i64, i64)>) -> (u128, u128) {
    let Some((segment, total)) = segment else {
        return (0, 1u128 << 64);
    };
    let bound = |s: i64| (4096 * s as u128).div_ceil(total as u128) << 52;
    (bound(segment), bound(segment + 1))
}

pub fn parse(req: &Value, store: &Store) -> Result<Scan, ApiError> {
    legacy::check_not_mixed(req)?;
    let name = table_name(req)?;
    check_bindings_have_expressions(req, &["ProjectionExpression", "FilterExpression"])?;
    // DynamoDB's order: AttributesToGet, ScanFilter's conditions and the segments before the
    // expressions and their names and values.
    legacy::attributes_to_get(req)?;
    let legacy_filter = legacy::filter(req, "ScanFilter")?;
    check_start_key_values(req)?;
    let segment = segment(req)?;
    let hashes = segment_range(segment);
    let bindings = Bindings::from_request(req)?;
    let filter = match condition(req, "FilterExpression", ExprKind::Filter, &bindings)? {
        Some(filter) => Some(filter),
        None => legacy_filter,
    };
    let projection = projection(req, &bindings)?;
    bindings.check_all_used()?;
    let table = store.table(&name)?;
    let schema = &table.schema;
    let mut fetch_missing = false;
    let index = match req.get("IndexName").and_then(Value::as_str) {
        Some(index_name) => {
            let index =
                table.readable_index(index_name, consistency(req) == Consistency::Strong)?;
            let start = index_start_key(req, schema, &index)?;
            check_select_on_index(req, &index)?;
            fetch_missing =
                check_index_projects(&index, schema, filter.as_ref(), projection.as_ref(), false)?;
            Some((index, start))
        }
        None => None,
    };
    let start = if index.is_none() {
        start_key(req, schema)?
    } else {
        None
    };
    let start_hash = match (&index, &start) {
        (Some((_, Some(entry))), _) => Some(entry.0.hash),
        (None, Some(key)) => Some(key.hash),
        _ => None,
    };
    if let (Some(hash), Some((segment, total))) = (start_hash, segment) {
        if !(hashes.0..hashes.1).contains(&u128::from(hash)) {
            return Err(ApiError::start_key_in_other_segment(total, segment));
        }
    }
    check_projection_clear_of_keys(&table, projection.as_ref())?;
    check_paths_clear_of_keys(&table, filter.as_ref(), &[])?;
    let select_all = index
        .as_ref()
        .is_some_and(|(index, _)| fetches_from_table(req, index));
    let index_view = fetch_missing && !select_all && projection.is_none();
    let fetch_whole = fetch_missing || select_all;
    Ok(Scan {
        name,
        start,
        index,
        table,
        hashes,
        limit: limit(req, "Scan")?,
        count_only: count_only(req, req.get("IndexName").is_some())?,
        filter,
        projection,
        consistency: consistency(req),
        capacity: ReturnCapacity::of(req)?,
        fetch_whole,
        index_view,
    })
}

impl Scan {
    fn spec(&self) -> PageSpec<'_> {
        PageSpec {
            limit: self.limit,
            count_only: self.count_only,
            filter: &self.filter,
            projection: &self.projection,
            sort_key: self.table.schema.sort.as_ref().map(|s| s.name.as_str()),
            index_view: self
                .index
                .as_ref()
                .filter(|_| self.index_view)
                .map(|(index, _)| (index.as_ref(), &self.table.schema)),
        }
    }

    fn in_segment(&self, hash: u64) -> bool {
        (self.hashes.0..self.hashes.1).contains(&u128::from(hash))
    }

    /// Enough rows for one page: the limit, or 1 MB as `page` sizes it.
    fn full(&self, rows: usize, paged: usize) -> bool {
        rows >= self.limit.unwrap_or(usize::MAX) || paged >= PAGE_BYTES
    }

    fn page_size(&self, item: &Item) -> usize {
        page_size(
            item,
            self.table.schema.sort.as_ref().map(|s| s.name.as_str()),
        )
    }

    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        match self.index.clone() {
            Some((index, start)) => self.apply_on_index(store, index, start),
            None => self.apply_on_table(store),
        }
    }

    fn apply_on_table(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let mut rows: Vec<(ItemKey, Item)> = Vec::new();
        let mut paged = 0usize;
        // Only the shards the segment's hashes fall in, each from the start key or the segment's first
        // hash: a page costs what it reads, not a walk of the table.
        let (low, high) = self.hashes;
        // An empty segment (past 4,096 segments some are) reads no shard; otherwise both bounds'
        // hashes are below 2^64.
        let shards = if low < high {
            let first =
                shard_of_hash(low as u64).max(self.start.as_ref().map_or(0, ItemKey::shard));
            first..shard_of_hash((high - 1) as u64) + 1
        } else {
            0..0
        };
        'shards: for index in shards {
            let shard = self.table.shard(index);
            let lowest = ItemKey {
                hash: low as u64,
                ..lowest_key()
            };
            let from = match &self.start {
                Some(start) if start.shard() == index => Bound::Excluded(start),
                _ => Bound::Included(&lowest),
            };
            for (key, stored) in shard.items.range(from) {
                if u128::from(key.hash) >= high {
                    break 'shards;
                }
                let item = stored.decode();
                paged += self.page_size(&item);
                rows.push((key.into_owned(), item));
                if self.full(rows.len(), paged) {
                    break 'shards;
                }
            }
        }
        let schema = &self.table.schema;
        let (out, read) = page(&self.spec(), rows.into_iter(), |key, _| {
            item_to_json(&schema.key_item(key))
        })?;
        let units = read_units(read, self.consistency);
        self.table.charge(Kind::Read, None, units, now)?;
        Ok(self
            .capacity
            .add_to(out, &self.name, &Consumed::table(units)))
    }

    fn apply_on_index(
        self,
        store: &Store,
        index: Arc<Index>,
        start: Option<EntryKey>,
    ) -> Result<Value, ApiError> {
        let now = store.now();
        let mut rows: Vec<(EntryKey, Item)> = Vec::new();
        let mut paged = 0usize;
        for (entry, stored) in index.entries().iter() {
            if self.in_segment(entry.0.hash) && start.as_ref().is_none_or(|s| entry > s) {
                let item = stored.decode();
                paged += self.page_size(&item);
                rows.push((entry.clone(), item));
            }
            if self.full(rows.len(), paged) {
                break;
            }
        }
        // Whole items are at least their index rows' size, so the rows read cover the page.
        // A Scan that fetches whole items is charged for them on the index, as DynamoDB Local
        // charges it (a Query charges the table for them: `FetchedRows::charge`).
        if self.fetch_whole {
            fetch_from_table(&self.table, &mut rows);
        }
        let (schema, index_schema) = (&self.table.schema, &index.schema);
        let (out, read) = page(&self.spec(), rows.into_iter(), |_, item| {
            index_last_key(item, schema, index_schema)
        })?;
        let units = read_units(read, self.consistency);
        let consumed = charge_index_read(&self.table, &index, None, units, now)?;
        Ok(self.capacity.add_to(out, &self.name, &consumed))
    }
}
