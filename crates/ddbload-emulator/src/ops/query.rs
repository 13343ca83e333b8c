//! Query: one partition's items in sort-key order (or reversed), narrowed by a sort-key condition,
//! filtered and projected, paged at Limit or 1 MB; charged once for the bytes read - on the table,
//! or with IndexName on a global secondary index (its own capacity, eventually consistent only).

use std::ops::Bound;
use std::sync::Arc;

use serde_json::Value;

use super::common::{
    check_bindings_have_expressions, check_paths_clear_of_keys, check_projection_clear_of_keys,
    condition, consistency, projection, table_name, Consumed, ReturnCapacity,
};
use super::key_conditions::KeyTerms;
use super::paging::{
    charge_index_read, check_index_projects, check_select_on_index, check_start_key_values,
    count_only, fetch_and_measure, fetches_from_table, index_last_key, index_start_key, limit,
    page, start_key, PageSpec,
};
use crate::capacity::{read_units, Consistency, Kind};
use crate::compact::Stored;
use crate::error::{ApiError, ExprKind};
use crate::expr::{evaluate, legacy, parse_condition, Bindings, Cond, Projection};
use crate::index::{EntryKey, Index};
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::typed_request::given;
use crate::value::{item_to_json, Item, KeyValue};

pub struct Query {
    name: String,
    table: Arc<Table>,
    /// The secondary index queried, and where to start in it.
    index: Option<(Arc<Index>, Option<EntryKey>)>,
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
    /// Whole items from the table for each index row (`fetches_from_table`).
    fetch_whole: bool,
}

pub fn parse(req: &Value, store: &Store) -> Result<Query, ApiError> {
    parse_with(req, store, false)
}

/// A Query carrying out a PartiQL SELECT, whose WHERE may test key attributes beyond what a key
/// condition can say (`sk <> 1`, `NOT sk = 1`): its filter may name them, which a Query's may not.
pub fn parse_for_statement(req: &Value, store: &Store) -> Result<Query, ApiError> {
    parse_with(req, store, true)
}

fn parse_with(req: &Value, store: &Store, filter_may_name_keys: bool) -> Result<Query, ApiError> {
    legacy::check_not_mixed(req)?;
    let name = table_name(req)?;
    check_bindings_have_expressions(
        req,
        &[
            "ProjectionExpression",
            "FilterExpression",
            "KeyConditionExpression",
        ],
    )?;
    // DynamoDB reads QueryFilter's conditions, AttributesToGet and the start key's values before it
    // asks for a key condition; then the expressions (the key condition first), and only then the
    // key conditions' own rules.
    let legacy_filter = legacy::filter(req, "QueryFilter")?;
    legacy::attributes_to_get(req)?;
    check_start_key_values(req)?;
    if !given(req, "KeyConditionExpression") && !given(req, "KeyConditions") {
        return Err(ApiError::query_needs_key_condition());
    }
    let bindings = Bindings::from_request(req)?;
    let key_expression = req
        .get("KeyConditionExpression")
        .and_then(Value::as_str)
        .map(|text| parse_condition(text, ExprKind::KeyCondition, &bindings))
        .transpose()?;
    let filter = match condition(req, "FilterExpression", ExprKind::Filter, &bindings)? {
        Some(filter) => Some(filter),
        None => legacy_filter,
    };
    let projection = projection(req, &bindings)?;
    bindings.check_all_used()?;
    let terms = match &key_expression {
        Some(cond) => KeyTerms::from_expression(cond)?,
        None => KeyTerms::from_legacy(req)?.ok_or_else(ApiError::query_needs_key_condition)?,
    };
    let table = store.table(&name)?;
    let schema = &table.schema;
    let (index, key_schema) = match req.get("IndexName").and_then(Value::as_str) {
        Some(index_name) => {
            let index =
                table.readable_index(index_name, consistency(req) == Consistency::Strong)?;
            let key_schema = index.schema.clone();
            (Some(index), key_schema)
        }
        None => (None, schema.clone()),
    };
    let start_json = req.get("ExclusiveStartKey").and_then(Value::as_object);
    let start_names = schema
        .names()
        .chain(key_schema.names())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let selection = terms.select(&key_schema, schema, start_json, start_names)?;
    if let Some(start) = start_json {
        terms.check_start_within(&key_schema, &selection, start)?;
    }
    check_projection_clear_of_keys(&table, projection.as_ref())?;
    if let Some(filter) = filter.as_ref().filter(|_| !filter_may_name_keys) {
        if let Some(key) = filter.first_attribute_among(&key_schema.names().collect::<Vec<_>>()) {
            return Err(if given(req, "QueryFilter") {
                ApiError::query_filter_on_key(&key)
            } else {
                ApiError::filter_expression_on_key(&key)
            });
        }
    }
    let mut fetch_missing = false;
    if let Some(index) = &index {
        check_select_on_index(req, index)?;
        fetch_missing =
            check_index_projects(index, schema, filter.as_ref(), projection.as_ref(), true)?;
    }
    check_paths_clear_of_keys(&table, filter.as_ref(), &[])?;
    let (start, index) = match index {
        Some(index) => {
            let start = index_start_key(req, schema, &index)?;
            (None, Some((index, start)))
        }
        None => (start_key(req, schema)?, None),
    };
    let on_index = index.is_some();
    let fetch_whole = fetch_missing
        || index
            .as_ref()
            .is_some_and(|(index, _)| fetches_from_table(req, index));
    Ok(Query {
        name,
        table,
        index,
        partition: selection.partition,
        sort: selection.sort,
        start,
        forward: req.get("ScanIndexForward").and_then(Value::as_bool) != Some(false),
        limit: limit(req, "Query")?,
        count_only: count_only(req, on_index)?,
        filter,
        projection,
        consistency: consistency(req),
        capacity: ReturnCapacity::of(req)?,
        fetch_whole,
    })
}

impl Query {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        match self.index.clone() {
            Some((index, start)) => self.apply_on_index(store, index, start),
            None => self.apply_on_table(store),
        }
    }

    fn spec(&self) -> PageSpec<'_> {
        PageSpec {
            limit: self.limit,
            count_only: self.count_only,
            filter: &self.filter,
            projection: &self.projection,
            sort_key: self.table.schema.sort.as_ref().map(|s| s.name.as_str()),
            index_view: None,
        }
    }

    /// Whether a key meets the sort key condition (which names the sort key alone), given its sort
    /// key attribute; `key_item` is only built when there is a condition.
    fn in_range(&self, key_item: impl FnOnce() -> Item) -> Result<bool, ApiError> {
        match &self.sort {
            Some(cond) => evaluate(cond, &key_item()),
            None => Ok(true),
        }
    }

    /// The rows a page can read, in its order: from after the start key, and no more than Limit
    /// (the page stops there).
    fn page_window<T>(&self, rows: &mut Vec<T>, after_start: impl Fn(&T) -> bool) {
        if !self.forward {
            rows.reverse();
        }
        rows.retain(after_start);
        if let Some(limit) = self.limit {
            rows.truncate(limit);
        }
    }

    fn apply_on_table(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let first = ItemKey::new(self.partition.clone(), None);
        let schema = &self.table.schema;
        let rows: Vec<(ItemKey, Stored)> = {
            let shard = self.table.shard_of(&first);
            let mut rows = Vec::new();
            for (key, stored) in shard.items.range(Bound::Included(&first)) {
                if key.partition != self.partition || key.hash != first.hash {
                    break;
                }
                // Tested on the key: only the items the page reads are copied and decoded.
                if self.in_range(|| schema.sort_item(&key))? {
                    rows.push((key, stored));
                }
            }
            let (forward, start) = (self.forward, &self.start);
            self.page_window(&mut rows, |(k, _)| match start {
                None => true,
                Some(start) if forward => k.sort > start.sort,
                Some(start) => k.sort < start.sort,
            });
            rows.into_iter()
                .map(|(key, stored)| (key.into_owned(), stored.into_owned()))
                .collect()
        };
        let decoded = rows.into_iter().map(|(key, stored)| (key, stored.decode()));
        let (out, bytes) = page(&self.spec(), decoded, |key, _| {
            item_to_json(&schema.key_item(key))
        })?;
        let units = read_units(bytes, self.consistency);
        self.table
            .charge(Kind::Read, Some(&self.partition), units, now)?;
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
        let first = ItemKey::new(self.partition.clone(), None);
        let rows: Vec<(EntryKey, Stored)> = {
            let entries = index.entries();
            let mut rows = Vec::new();
            for (entry, stored) in entries.range((first.clone(), 0, lowest_key())..) {
                if entry.0.partition != self.partition || entry.0.hash != first.hash {
                    break;
                }
                if self.in_range(|| index.schema.sort_item(&entry.0))? {
                    rows.push((entry, stored));
                }
            }
            let forward = self.forward;
            self.page_window(&mut rows, |(k, _)| match &start {
                None => true,
                Some(start) if forward => *k > start,
                Some(start) => *k < start,
            });
            rows.into_iter()
                .map(|(entry, stored)| (entry.clone(), stored.clone()))
                .collect()
        };
        let mut fetched = None;
        let decoded: Box<dyn Iterator<Item = (EntryKey, Item)>> = if self.fetch_whole {
            let mut whole: Vec<(EntryKey, Item)> = rows
                .into_iter()
                .map(|(key, stored)| (key, stored.decode()))
                .collect();
            fetched = Some(fetch_and_measure(&self.table, &mut whole));
            Box::new(whole.into_iter())
        } else {
            Box::new(rows.into_iter().map(|(key, stored)| (key, stored.decode())))
        };
        let (schema, index_schema) = (&self.table.schema, &index.schema);
        let (out, bytes) = page(&self.spec(), decoded, |_, item| {
            index_last_key(item, schema, index_schema)
        })?;
        let partition = Some(&self.partition);
        let consumed = match fetched {
            Some(fetched) => {
                let scanned = out["ScannedCount"].as_u64().unwrap_or(0) as usize;
                fetched.charge(
                    &self.table,
                    &index,
                    partition,
                    scanned,
                    self.consistency,
                    now,
                )?
            }
            None => {
                let units = read_units(bytes, self.consistency);
                charge_index_read(&self.table, &index, partition, units, now)?
            }
        };
        Ok(self.capacity.add_to(out, &self.name, &consumed))
    }
}

/// A key smaller than every real one: where an index partition's range starts.
pub fn lowest_key() -> ItemKey {
    let lowest = crate::number::Number::parse("-9.9999999999999999999999999999999999999E+125")
        .expect("in range");
    ItemKey {
        hash: 0,
        partition: KeyValue::N(lowest),
        sort: None,
    }
}
