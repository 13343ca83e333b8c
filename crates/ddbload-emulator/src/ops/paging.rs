//! What Query and Scan share: Limit, Select, the 1 MB page, filters and projections, the
//! ExclusiveStartKey/LastEvaluatedKey pair, and what reading an index costs.

use serde_json::{json, Value};

use super::common::{shown, Consumed};
use super::page_size::page_size;
use super::write::check_condition;
use crate::capacity::{read_units, Consistency, Kind};
use crate::error::ApiError;
use crate::expr::{Cond, Projection};
use crate::index::{entry_key, EntryKey, Index};
use crate::table::{ItemKey, KeySchema, Table};
use crate::value::{item_from_json, item_size, item_to_json, Item, KeyValue};

pub const PAGE_BYTES: usize = 1024 * 1024;

/// A Query's or Scan's Limit: a 32-bit integer of 1 or more.
pub fn limit(req: &Value, operation: &str) -> Result<Option<usize>, ApiError> {
    let given = req.get("Limit").filter(|v| !v.is_null());
    // Limit is a 32-bit integer: anything else cannot be read into the request at all.
    if let Some(value) = given {
        if value.as_i64().and_then(|n| i32::try_from(n).ok()).is_none() {
            return Err(ApiError::not_an_integer(value));
        }
    }
    match given.and_then(Value::as_i64) {
        Some(n) if n < 1 => Err(ApiError::limit_below_one(operation, n)),
        other => Ok(other.map(|n| n as usize)),
    }
}

/// Whether the read answers only its Count (Select COUNT). Select goes with the projection as
/// DynamoDB checks it: a projection only beside SPECIFIC_ATTRIBUTES (which needs one), and
/// ALL_PROJECTED_ATTRIBUTES only on an index.
pub fn count_only(req: &Value, on_index: bool) -> Result<bool, ApiError> {
    let projection = ["ProjectionExpression", "AttributesToGet"]
        .into_iter()
        .find(|name| req.get(*name).is_some_and(|v| !v.is_null()));
    match (req.get("Select").and_then(Value::as_str), projection) {
        (None, _) | (Some("SPECIFIC_ATTRIBUTES"), Some(_)) => Ok(false),
        (Some("SPECIFIC_ATTRIBUTES"), None) => {
            Err(ApiError::specific_attributes_without_projection())
        }
        (Some(select), Some(parameter)) => {
            Err(ApiError::projection_beside_select(parameter, select))
        }
        (Some("ALL_PROJECTED_ATTRIBUTES"), None) if !on_index => {
            Err(ApiError::all_projected_without_index())
        }
        (Some(select), None) => Ok(select == "COUNT"),
    }
}

/// Select ALL_ATTRIBUTES on a global index that does not project all of them is refused (a local
/// index would read them from the table), once the Select goes with the projection.
pub fn check_select_on_index(req: &Value, index: &Index) -> Result<(), ApiError> {
    count_only(req, true)?;
    let all = req.get("Select").and_then(Value::as_str) == Some("ALL_ATTRIBUTES");
    if all && !index.local && index.projected != crate::index::Projected::All {
        return Err(ApiError::all_attributes_from_partial_gsi(&index.name));
    }
    Ok(())
}

/// Whether a read of `index` answers whole items from the table: Select ALL_ATTRIBUTES on a local
/// index that projects fewer attributes (DynamoDB fetches the rest from the table).
pub fn fetches_from_table(req: &Value, index: &Index) -> bool {
    req.get("Select").and_then(Value::as_str) == Some("ALL_ATTRIBUTES")
        && index.local
        && index.projected != crate::index::Projected::All
}

/// What a Query (`is_query`) or Scan of `index` may read of attributes the index does not hold, as
/// DynamoDB Local answers: a Query's filter on one is refused; a global index refuses to project
/// one; a local index fetches them from the table (true: read whole items), for a Scan's filter too.
pub fn check_index_projects(
    index: &Index,
    base: &KeySchema,
    filter: Option<&Cond>,
    projection: Option<&Projection>,
    is_query: bool,
) -> Result<bool, ApiError> {
    let filtered = filter.map(|f| index.unprojected(f.top_level_names(), base));
    let filtered = filtered.unwrap_or_default();
    if is_query && !filtered.is_empty() {
        return Err(ApiError::filter_not_projected(&index.name, &filtered));
    }
    let projected = projection.map(|p| index.unprojected(p.top_level_names(), base));
    let projected = projected.unwrap_or_default();
    if !index.local && !projected.is_empty() {
        return Err(ApiError::gsi_does_not_project(&index.name, &projected));
    }
    Ok(index.local && !(filtered.is_empty() && projected.is_empty()))
}

/// Replaces each index row by its whole item from the table. Call with no index lock held: writes
/// lock a shard before its indexes.
pub fn fetch_from_table(table: &Table, rows: &mut [(EntryKey, Item)]) {
    for (entry, item) in rows.iter_mut() {
        if let Some(stored) = table.shard_of(&entry.2).items.get(&entry.2) {
            *item = stored.decode();
        }
    }
}

/// `fetch_from_table`, keeping the sizes of the index rows and of the items that replaced them,
/// so the index and the table can each be charged for what was read from them.
pub fn fetch_and_measure(table: &Table, rows: &mut [(EntryKey, Item)]) -> FetchedRows {
    let index_row_bytes = rows.iter().map(|(_, row)| item_size(row)).collect();
    fetch_from_table(table, rows);
    let item_bytes = rows.iter().map(|(_, item)| item_size(item)).collect();
    FetchedRows {
        index_row_bytes,
        item_bytes,
    }
}

/// The sizes of the index rows and of the whole items that replaced them (`fetch_and_measure`).
pub struct FetchedRows {
    index_row_bytes: Vec<usize>,
    item_bytes: Vec<usize>,
}

impl FetchedRows {
    /// Charges a read of a local index that fetched whole items: the index for its first `scanned`
    /// rows together, the table for each item they led to, rounded up item by item (as DynamoDB
    /// and DynamoDB Local charge reading attributes a local index does not project).
    pub fn charge(
        &self,
        table: &Table,
        index: &Index,
        partition: Option<&KeyValue>,
        scanned: usize,
        consistency: Consistency,
        now: f64,
    ) -> Result<Consumed, ApiError> {
        let index_bytes = self.index_row_bytes.iter().take(scanned).sum();
        let mut consumed = charge_index_read(
            table,
            index,
            partition,
            read_units(index_bytes, consistency),
            now,
        )?;
        let units: f64 = self
            .item_bytes
            .iter()
            .take(scanned)
            .map(|bytes| read_units(*bytes, consistency))
            .sum();
        if units > 0.0 {
            table.charge(Kind::Read, partition, units, now)?;
            consumed.table += units;
        }
        Ok(consumed)
    }
}

/// A Query's or Scan's ExclusiveStartKey values, checked before the table is looked up. DynamoDB
/// says which key was invalid for most faults, but not for a few number and set faults.
pub fn check_start_key_values(req: &Value) -> Result<(), ApiError> {
    const UNPREFIXED: [&str; 5] = [
        "contains duplicates",
        "number set",
        "numeric value",
        "significant digits",
        "number with magnitude",
    ];
    let Some(start) = req.get("ExclusiveStartKey").and_then(Value::as_object) else {
        return Ok(());
    };
    for value in start.values() {
        if let Err(fault) = crate::value::Av::from_json(value) {
            if UNPREFIXED.iter().any(|m| fault.message.contains(m)) {
                return Err(fault);
            }
            return Err(ApiError::start_key_not_a_key(&fault));
        }
    }
    Ok(())
}

pub fn start_key(req: &Value, schema: &KeySchema) -> Result<Option<ItemKey>, ApiError> {
    req.get("ExclusiveStartKey")
        .map(|k| schema.key_param(&item_from_json(k)?))
        .transpose()
        .map_err(|_| ApiError::invalid_start_key())
}

pub struct PageSpec<'a> {
    pub limit: Option<usize>,
    pub count_only: bool,
    pub filter: &'a Option<Cond>,
    pub projection: &'a Option<Projection>,
    /// The table's sort key attribute, which a page's size counts apart (`page_size`).
    pub sort_key: Option<&'a str>,
    /// Items read whole from the table only to filter them, answered as this index holds them.
    pub index_view: Option<(&'a Index, &'a KeySchema)>,
}

/// Walks candidates in order until Limit or 1 MB (as DynamoDB sizes a page); answers the page and
/// the bytes it read (item sizes, for capacity). A page that Limit or 1 MB ends has a
/// LastEvaluatedKey even when nothing follows, as DynamoDB's has. `last_key` gives a candidate's
/// LastEvaluatedKey.
pub fn page<K>(
    spec: &PageSpec<'_>,
    candidates: impl Iterator<Item = (K, Item)>,
    last_key: impl Fn(&K, &Item) -> Value,
) -> Result<(Value, usize), ApiError> {
    let (mut items, mut scanned, mut bytes, mut paged) = (Vec::new(), 0usize, 0usize, 0usize);
    let mut last = None;
    for (key, item) in candidates {
        scanned += 1;
        bytes += item_size(&item);
        paged += page_size(&item, spec.sort_key);
        let matched = check_condition(spec.filter, Some(&item))?;
        if spec.limit.is_some_and(|m| scanned >= m) || paged >= PAGE_BYTES {
            last = Some(last_key(&key, &item));
            if matched {
                items.push(item);
            }
            break;
        }
        if matched {
            items.push(item);
        }
    }
    let mut out = json!({"Count": items.len(), "ScannedCount": scanned});
    if !spec.count_only {
        if let Some((index, base)) = spec.index_view {
            items = items.iter().map(|item| index.project(item, base)).collect();
        }
        out["Items"] = Value::Array(items.iter().map(|i| shown(i, spec.projection)).collect());
    }
    if let Some(key) = last {
        out["LastEvaluatedKey"] = key;
    }
    Ok((out, bytes))
}

/// The LastEvaluatedKey of an index row: the index's key attributes and the table's.
pub fn index_last_key(item: &Item, base: &KeySchema, index: &KeySchema) -> Value {
    let keys: Item = item
        .iter()
        .filter(|(name, _)| base.is_key_attribute(name) || index.is_key_attribute(name))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    item_to_json(&keys)
}

/// An index's ExclusiveStartKey: the index key and the table key it names. As dynalite's suite
/// records DynamoDB's answers: a start key that does not hold as many attributes as the table's and
/// the index's keys together, or lacks a global index's key attribute, is "The provided starting key
/// is invalid"; then an index key that does not fit is "The provided key element does not match the
/// schema", and a table key that does not fit the same with "The provided starting key is invalid: "
/// before it.
pub fn index_start_key(
    req: &Value,
    base: &KeySchema,
    index: &Index,
) -> Result<Option<EntryKey>, ApiError> {
    let Some(json) = req.get("ExclusiveStartKey") else {
        return Ok(None);
    };
    let given = json.as_object().map_or(0, |start| start.len());
    let names: std::collections::BTreeSet<&str> = base
        .attrs()
        .chain(index.schema.attrs())
        .map(|attr| attr.name.as_str())
        .collect();
    let lacks_index_key = !index.local
        && index
            .schema
            .attrs()
            .any(|attr| json.get(&attr.name).is_none());
    if given != names.len() || lacks_index_key {
        return Err(ApiError::start_key_incomplete());
    }
    let item = item_from_json(json).map_err(|_| ApiError::key_schema_mismatch())?;
    let index_key = index
        .key_of(&item)
        .ok_or_else(ApiError::key_schema_mismatch)?;
    let table_key = base
        .key_of_item(&item)
        .map_err(|_| ApiError::invalid_start_key())?;
    Ok(Some(entry_key(index_key, table_key)))
}

/// Charges a read of `units` on an index (`partition`: None for a Scan): a local index draws on its
/// table's capacity, a global one on its own and is throttled as the index. Returns the units
/// consumed, under the index's name.
pub fn charge_index_read(
    table: &Table,
    index: &Index,
    partition: Option<&KeyValue>,
    units: f64,
    now: f64,
) -> Result<Consumed, ApiError> {
    let mut consumed = Consumed::table(0.0);
    if index.local {
        table.charge(Kind::Read, partition, units, now)?;
        consumed.local_indexes.insert(index.name.clone(), units);
    } else {
        // The table's state first: an update of the index's figures whose time is over completes.
        drop(table.state_at(now));
        crate::table::lock(&index.capacity)
            .charge(Kind::Read, partition, units, now)
            .map_err(|throttle| ApiError::throttled(throttle.on_index(), &index.arn))?;
        consumed.indexes.insert(index.name.clone(), units);
    }
    Ok(consumed)
}
