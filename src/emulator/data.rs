//! Item operations: GetItem, PutItem, UpdateItem, DeleteItem, BatchGetItem, BatchWriteItem, Query, Scan
//! and TransactWriteItems - each charged to the table's capacity model before it runs.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::capacity::{read_units, write_units, Consistency, Kind};
use super::error::ApiError;
use super::expr::{
    apply_update, evaluate, parse_condition, parse_projection, parse_update, project, Action,
    Bindings, Cond, Operand, Path, PathPart,
};
use super::store::{table_name, FullKey, Store, Table};
use super::value::{item_from_json, item_size, item_to_json, Item, KeyValue};

const MAX_ITEM_BYTES: usize = 400 * 1024;
const PAGE_BYTES: usize = 1024 * 1024;

fn table_mut<'t>(
    tables: &'t mut BTreeMap<String, Table>,
    name: &str,
) -> Result<&'t mut Table, ApiError> {
    tables
        .get_mut(name)
        .ok_or_else(|| ApiError::not_found(name))
}

fn consistency(req: &Value) -> Consistency {
    if req.get("ConsistentRead").and_then(Value::as_bool) == Some(true) {
        Consistency::Strong
    } else {
        Consistency::Eventual
    }
}

/// The ConsumedCapacity entry a response carries when asked (TOTAL or INDEXES).
fn consumed(req: &Value, table: &str, units: f64) -> Option<Value> {
    match req.get("ReturnConsumedCapacity").and_then(Value::as_str) {
        Some("TOTAL") => Some(json!({"TableName": table, "CapacityUnits": units})),
        Some("INDEXES") => Some(
            json!({"TableName": table, "CapacityUnits": units, "Table": {"CapacityUnits": units}}),
        ),
        _ => None,
    }
}

fn charge(
    table: &mut Table,
    kind: Kind,
    pk: &KeyValue,
    units: f64,
    now: f64,
    region: &str,
) -> Result<(), ApiError> {
    table
        .capacity
        .charge(kind, Some(pk), units, now)
        .map_err(|reason| ApiError::throttled(&reason, &table.arn(region)))
}

fn item_param(req: &Value, field: &str) -> Result<Item, ApiError> {
    item_from_json(req.get(field).ok_or_else(|| {
        ApiError::validation(format!("1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"))
    })?)
}

fn condition(req: &Value, field: &str, bindings: &Bindings) -> Result<Option<Cond>, ApiError> {
    req.get(field)
        .and_then(Value::as_str)
        .map(|text| parse_condition(text, bindings))
        .transpose()
}

fn projection(req: &Value, bindings: &Bindings) -> Result<Option<Vec<Path>>, ApiError> {
    req.get("ProjectionExpression")
        .and_then(Value::as_str)
        .map(|text| parse_projection(text, bindings))
        .transpose()
}

fn shown(item: &Item, paths: &Option<Vec<Path>>) -> Value {
    match paths {
        Some(paths) => item_to_json(&project(item, paths)),
        None => item_to_json(item),
    }
}

fn check_condition(cond: &Option<Cond>, current: Option<&Item>) -> Result<bool, ApiError> {
    let empty = Item::new();
    match cond {
        Some(cond) => evaluate(cond, current.unwrap_or(&empty)),
        None => Ok(true),
    }
}

fn with_capacity(mut out: Value, req: &Value, table: &str, units: f64) -> Value {
    if let Some(cc) = consumed(req, table, units) {
        out["ConsumedCapacity"] = cc;
    }
    out
}

/// Batch and transaction responses carry one ConsumedCapacity entry per table, when asked.
fn with_capacity_list(
    mut out: Value,
    req: &Value,
    units_by_table: &BTreeMap<String, f64>,
) -> Value {
    if consumed(req, "", 0.0).is_some() {
        out["ConsumedCapacity"] = units_by_table
            .iter()
            .filter_map(|(name, units)| consumed(req, name, *units))
            .collect();
    }
    out
}

pub fn get_item(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    let bindings = Bindings::from_request(req)?;
    let paths = projection(req, &bindings)?;
    bindings.check_all_used()?;
    let key_item = item_param(req, "Key")?;
    let now = store.now();
    let mut tables = store.lock();
    let table = table_mut(&mut tables, name)?;
    let key = table.key_param(&key_item)?;
    let size = table.get(&key).map_or(0, item_size);
    let units = read_units(size, consistency(req));
    charge(table, Kind::Read, &key.0, units, now, &store.region)?;
    let mut out = json!({});
    if let Some(item) = table.get(&key) {
        out["Item"] = shown(item, &paths);
    }
    Ok(with_capacity(out, req, name, units))
}

fn return_values(
    req: &Value,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<Option<Value>, ApiError> {
    match req
        .get("ReturnValues")
        .and_then(Value::as_str)
        .unwrap_or("NONE")
    {
        "NONE" => Ok(None),
        "ALL_OLD" | "UPDATED_OLD" => Ok(old.map(item_to_json)),
        "ALL_NEW" | "UPDATED_NEW" => Ok(new.map(item_to_json)),
        other => Err(ApiError::validation(format!(
            "Invalid ReturnValues {other}"
        ))),
    }
}

/// A single-item write goes ahead only if capacity allows it (a refused condition still consumes the
/// units, as in DynamoDB) and its condition holds on the item as it is.
fn admit_write(
    table: &mut Table,
    key: &FullKey,
    units: f64,
    cond: &Option<Cond>,
    now: f64,
    region: &str,
) -> Result<(), ApiError> {
    charge(table, Kind::Write, &key.0, units, now, region)?;
    if !check_condition(cond, table.get(key))? {
        return Err(ApiError::conditional());
    }
    Ok(())
}

/// A single-item write's answer: ReturnValues and ConsumedCapacity, as asked.
fn write_response(
    req: &Value,
    table: &str,
    units: f64,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<Value, ApiError> {
    let mut out = json!({});
    if let Some(attrs) = return_values(req, old, new)? {
        out["Attributes"] = attrs;
    }
    Ok(with_capacity(out, req, table, units))
}

pub fn put_item(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    let bindings = Bindings::from_request(req)?;
    let cond = condition(req, "ConditionExpression", &bindings)?;
    bindings.check_all_used()?;
    let item = item_param(req, "Item")?;
    let size = item_size(&item);
    if size > MAX_ITEM_BYTES {
        return Err(ApiError::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    let now = store.now();
    let mut tables = store.lock();
    let table = table_mut(&mut tables, name)?;
    let key = table.key_of_item(&item)?;
    let units = write_units(size.max(table.get(&key).map_or(0, item_size)), false);
    admit_write(table, &key, units, &cond, now, &store.region)?;
    let old = table.put(key, item);
    write_response(req, name, units, old.as_ref(), None)
}

fn check_key_untouched(table: &Table, actions: &[Action]) -> Result<(), ApiError> {
    for action in actions {
        let (Action::Set(path, _)
        | Action::Remove(path)
        | Action::Add(path, _)
        | Action::Delete(path, _)) = action;
        if let PathPart::Attr(name) = &path[0] {
            if *name == table.partition.name || table.sort.as_ref().is_some_and(|s| s.name == *name)
            {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Cannot update attribute {name}. This attribute is part of the key"
                )));
            }
        }
    }
    Ok(())
}

pub fn update_item(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    let bindings = Bindings::from_request(req)?;
    let actions = match req.get("UpdateExpression").and_then(Value::as_str) {
        Some(text) => parse_update(text, &bindings)?,
        None => Vec::new(),
    };
    let cond = condition(req, "ConditionExpression", &bindings)?;
    bindings.check_all_used()?;
    let key_item = item_param(req, "Key")?;
    let now = store.now();
    let mut tables = store.lock();
    let table = table_mut(&mut tables, name)?;
    let key = table.key_param(&key_item)?;
    check_key_untouched(table, &actions)?;
    let old = table.get(&key).cloned();
    let mut new = old.clone().unwrap_or_else(|| table.key_item(&key));
    apply_update(&mut new, &actions)?;
    let new_size = item_size(&new);
    if new_size > MAX_ITEM_BYTES {
        return Err(ApiError::validation(
            "Item size to update has exceeded the maximum allowed size",
        ));
    }
    let units = write_units(new_size.max(old.as_ref().map_or(0, item_size)), false);
    admit_write(table, &key, units, &cond, now, &store.region)?;
    table.put(key, new.clone());
    write_response(req, name, units, old.as_ref(), Some(&new))
}

pub fn delete_item(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    let bindings = Bindings::from_request(req)?;
    let cond = condition(req, "ConditionExpression", &bindings)?;
    bindings.check_all_used()?;
    let key_item = item_param(req, "Key")?;
    let now = store.now();
    let mut tables = store.lock();
    let table = table_mut(&mut tables, name)?;
    let key = table.key_param(&key_item)?;
    let units = write_units(table.get(&key).map_or(0, item_size), false);
    admit_write(table, &key, units, &cond, now, &store.region)?;
    let old = table.delete(&key);
    write_response(req, name, units, old.as_ref(), None)
}

fn request_items(req: &Value) -> Result<&serde_json::Map<String, Value>, ApiError> {
    req.get("RequestItems")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| ApiError::validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"))
}

pub fn batch_get_item(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let request = request_items(req)?;
    let total: usize = request
        .values()
        .map(|t| t.get("Keys").and_then(Value::as_array).map_or(0, Vec::len))
        .sum();
    if total > 100 {
        return Err(ApiError::validation(
            "Too many items requested for the BatchGetItem call",
        ));
    }
    let now = store.now();
    let mut tables = store.lock();
    let (mut responses, mut unprocessed, mut capacity) = (json!({}), json!({}), Vec::new());
    let (mut served, mut throttle) = (0usize, None);
    for (name, spec) in request {
        let bindings = Bindings::from_request(spec)?;
        let paths = projection(spec, &bindings)?;
        bindings.check_all_used()?;
        let table = table_mut(&mut tables, name)?;
        let read = consistency(spec);
        let mut seen = BTreeSet::new();
        let (mut found, mut left, mut units) = (Vec::new(), Vec::new(), 0.0);
        for key_json in spec
            .get("Keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = table.key_param(&item_from_json(key_json)?)?;
            if !seen.insert(key.clone()) {
                return Err(ApiError::validation(
                    "Provided list of item keys contains duplicates",
                ));
            }
            let cost = read_units(table.get(&key).map_or(0, item_size), read);
            match charge(table, Kind::Read, &key.0, cost, now, &store.region) {
                Ok(()) => {
                    units += cost;
                    served += 1;
                    if let Some(item) = table.get(&key) {
                        found.push(shown(item, &paths));
                    }
                }
                Err(err) => {
                    throttle = Some(err);
                    left.push(key_json.clone());
                }
            }
        }
        responses[name] = Value::Array(found);
        if !left.is_empty() {
            let mut rest = spec.clone();
            rest["Keys"] = Value::Array(left);
            unprocessed[name] = rest;
        }
        if let Some(cc) = consumed(req, name, units) {
            capacity.push(cc);
        }
    }
    if served == 0 {
        if let Some(err) = throttle {
            return Err(err);
        }
    }
    let mut out = json!({"Responses": responses, "UnprocessedKeys": unprocessed});
    if consumed(req, "", 0.0).is_some() {
        out["ConsumedCapacity"] = Value::Array(capacity);
    }
    Ok(out)
}

pub fn batch_write_item(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let request = request_items(req)?;
    let total: usize = request
        .values()
        .map(|v| v.as_array().map_or(0, Vec::len))
        .sum();
    if total > 25 {
        return Err(ApiError::validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"));
    }
    let now = store.now();
    let mut tables = store.lock();
    // Validate every request before writing any.
    let mut plan: Vec<(String, FullKey, Option<Item>, Value)> = Vec::new();
    for (name, writes) in request {
        let table = table_mut(&mut tables, name)?;
        let mut seen = BTreeSet::new();
        for write in writes.as_array().into_iter().flatten() {
            let (key, item) = if let Some(put) = write.get("PutRequest") {
                let item = item_param(put, "Item")?;
                if item_size(&item) > MAX_ITEM_BYTES {
                    return Err(ApiError::validation(
                        "Item size has exceeded the maximum allowed size",
                    ));
                }
                (table.key_of_item(&item)?, Some(item))
            } else if let Some(delete) = write.get("DeleteRequest") {
                (table.key_param(&item_param(delete, "Key")?)?, None)
            } else {
                return Err(ApiError::validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"));
            };
            if !seen.insert(key.clone()) {
                return Err(ApiError::validation(
                    "Provided list of item keys contains duplicates",
                ));
            }
            plan.push((name.clone(), key, item, write.clone()));
        }
    }
    let (mut unprocessed, mut units_by_table) = (
        BTreeMap::<String, Vec<Value>>::new(),
        BTreeMap::<String, f64>::new(),
    );
    let (mut served, mut throttle) = (0usize, None);
    for (name, key, item, write) in plan {
        let table = table_mut(&mut tables, &name)?;
        let size = item
            .as_ref()
            .map_or(0, item_size)
            .max(table.get(&key).map_or(0, item_size));
        let cost = write_units(size, false);
        match charge(table, Kind::Write, &key.0, cost, now, &store.region) {
            Ok(()) => {
                served += 1;
                *units_by_table.entry(name.clone()).or_default() += cost;
                match item {
                    Some(item) => {
                        table.put(key, item);
                    }
                    None => {
                        table.delete(&key);
                    }
                }
            }
            Err(err) => {
                throttle = Some(err);
                unprocessed.entry(name).or_default().push(write);
            }
        }
    }
    if served == 0 {
        if let Some(err) = throttle {
            return Err(err);
        }
    }
    let out = json!({"UnprocessedItems": unprocessed});
    Ok(with_capacity_list(out, req, &units_by_table))
}

/// A Query's key condition: partition key equality, and optionally one sort-key condition.
struct KeyCondition {
    partition: KeyValue,
    sort: Option<Cond>,
}

fn key_condition(table: &Table, cond: Cond) -> Result<KeyCondition, ApiError> {
    let mut parts = Vec::new();
    fn flatten(cond: Cond, out: &mut Vec<Cond>) -> Result<(), ApiError> {
        match cond {
            Cond::And(a, b) => {
                flatten(*a, out)?;
                flatten(*b, out)
            }
            Cond::Or(..) | Cond::Not(..) | Cond::In(..) => Err(ApiError::validation(
                "Invalid operator used in KeyConditionExpression: OR, NOT and IN are not allowed",
            )),
            other => {
                out.push(other);
                Ok(())
            }
        }
    }
    flatten(cond, &mut parts)?;
    let names = |c: &Cond| -> Option<String> {
        let operand = match c {
            Cond::Compare(a, _, _) | Cond::Between(a, _, _) | Cond::BeginsWith(a, _) => a,
            _ => return None,
        };
        match operand {
            Operand::Path(p) if p.len() == 1 => match &p[0] {
                PathPart::Attr(n) => Some(n.clone()),
                PathPart::Index(_) => None,
            },
            _ => None,
        }
    };
    let mut partition = None;
    let mut sort = None;
    for part in parts {
        let attr = names(&part)
            .ok_or_else(|| ApiError::validation("Query key condition not supported"))?;
        if attr == table.partition.name {
            let Cond::Compare(_, "=", Operand::Value(v)) = &part else {
                return Err(ApiError::validation("Query key condition not supported"));
            };
            if v.type_name() != table.partition.kind {
                return Err(ApiError::validation("One or more parameter values were invalid: Condition parameter type does not match schema type"));
            }
            partition = KeyValue::of(v);
        } else if table.sort.as_ref().is_some_and(|s| s.name == attr) && sort.is_none() {
            if matches!(&part, Cond::Compare(_, "<>", _)) {
                return Err(ApiError::validation(
                    "Unsupported operator on KeyConditionExpression: operator: <>",
                ));
            }
            sort = Some(part);
        } else {
            return Err(ApiError::validation(format!(
                "Query condition missed key schema element: {}",
                table.partition.name
            )));
        }
    }
    let partition = partition.ok_or_else(|| {
        ApiError::validation(format!(
            "Query condition missed key schema element: {}",
            table.partition.name
        ))
    })?;
    Ok(KeyCondition { partition, sort })
}

fn limit(req: &Value) -> Result<Option<usize>, ApiError> {
    match req.get("Limit").and_then(Value::as_i64) {
        Some(n) if n < 1 => Err(ApiError::validation("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")),
        other => Ok(other.map(|n| n as usize)),
    }
}

/// What Query and Scan share: walk candidate items in order, stop at Limit or 1 MB, filter, project.
fn page(
    req: &Value,
    table: &Table,
    candidates: impl Iterator<Item = (FullKey, Item)>,
    filter: &Option<Cond>,
    paths: &Option<Vec<Path>>,
) -> Result<(Value, usize), ApiError> {
    let max = limit(req)?;
    let count_only = req.get("Select").and_then(Value::as_str) == Some("COUNT");
    let (mut items, mut scanned, mut bytes, mut last) = (Vec::new(), 0usize, 0usize, None);
    let mut candidates = candidates.peekable();
    while let Some((key, item)) = candidates.next() {
        scanned += 1;
        bytes += item_size(&item);
        if check_condition(filter, Some(&item))? {
            items.push(item);
        }
        let full = max.is_some_and(|m| scanned >= m) || bytes >= PAGE_BYTES;
        if full {
            if max.is_some() || candidates.peek().is_some() {
                last = Some(key);
            }
            break;
        }
    }
    let mut out = json!({"Count": items.len(), "ScannedCount": scanned});
    if !count_only {
        out["Items"] = Value::Array(items.iter().map(|i| shown(i, paths)).collect());
    }
    if let Some(key) = last {
        out["LastEvaluatedKey"] = item_to_json(&table.key_item(&key));
    }
    Ok((out, bytes))
}

fn start_key(req: &Value, table: &Table) -> Result<Option<FullKey>, ApiError> {
    req.get("ExclusiveStartKey")
        .map(|k| table.key_param(&item_from_json(k)?))
        .transpose()
        .map_err(|_| ApiError::validation("The provided starting key is invalid: The provided key element does not match the schema"))
}

pub fn query(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    if req.get("IndexName").is_some() {
        return Err(ApiError::validation(
            "The ddbload emulator does not support Query on indexes (IndexName)",
        ));
    }
    let bindings = Bindings::from_request(req)?;
    let key_text = req
        .get("KeyConditionExpression")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."))?;
    let key_cond = parse_condition(key_text, &bindings)?;
    let filter = condition(req, "FilterExpression", &bindings)?;
    let paths = projection(req, &bindings)?;
    bindings.check_all_used()?;
    let now = store.now();
    let mut tables = store.lock();
    let table = table_mut(&mut tables, name)?;
    let kc = key_condition(table, key_cond)?;
    let start = start_key(req, table)?;
    let forward = req.get("ScanIndexForward").and_then(Value::as_bool) != Some(false);
    let mut rows: Vec<(FullKey, Item)> = Vec::new();
    if let Some(partition) = table.items.get(&kc.partition) {
        for (sk, item) in partition {
            if let Some(cond) = &kc.sort {
                if !evaluate(cond, item)? {
                    continue;
                }
            }
            rows.push(((kc.partition.clone(), sk.clone()), item.clone()));
        }
    }
    if !forward {
        rows.reverse();
    }
    if let Some(start) = &start {
        let position = rows.iter().position(|(k, _)| k == start);
        rows = match position {
            Some(p) => rows.split_off(p + 1),
            None => rows
                .into_iter()
                .filter(|(k, _)| {
                    if forward {
                        k.1 > start.1
                    } else {
                        k.1 < start.1
                    }
                })
                .collect(),
        };
    }
    let (out, bytes) = page(req, table, rows.into_iter(), &filter, &paths)?;
    let units = read_units(bytes, consistency(req));
    charge(table, Kind::Read, &kc.partition, units, now, &store.region)?;
    Ok(with_capacity(out, req, name, units))
}

pub fn scan(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let name = table_name(req)?;
    if req.get("IndexName").is_some() {
        return Err(ApiError::validation(
            "The ddbload emulator does not support Scan on indexes (IndexName)",
        ));
    }
    if req.get("TotalSegments").is_some() {
        return Err(ApiError::validation(
            "The ddbload emulator does not support parallel Scan (Segment/TotalSegments)",
        ));
    }
    let bindings = Bindings::from_request(req)?;
    let filter = condition(req, "FilterExpression", &bindings)?;
    let paths = projection(req, &bindings)?;
    bindings.check_all_used()?;
    let now = store.now();
    let mut tables = store.lock();
    let table = table_mut(&mut tables, name)?;
    let start = start_key(req, table)?;
    let rows: Vec<(FullKey, Item)> = table
        .items
        .iter()
        .flat_map(|(pk, part)| {
            part.iter()
                .map(move |(sk, item)| ((pk.clone(), sk.clone()), item.clone()))
        })
        .filter(|(key, _)| start.as_ref().is_none_or(|s| key > s))
        .collect();
    let (out, bytes) = page(req, table, rows.into_iter(), &filter, &paths)?;
    let units = read_units(bytes, consistency(req));
    table
        .capacity
        .charge(Kind::Read, None, units, now)
        .map_err(|reason| ApiError::throttled(&reason, &table.arn(&store.region)))?;
    Ok(with_capacity(out, req, name, units))
}

/// One action of a TransactWriteItems request, parsed and checked.
struct TxAction {
    table: String,
    key: FullKey,
    cond: Option<Cond>,
    change: TxChange,
}

enum TxChange {
    Put(Item),
    Update(Vec<Action>),
    Delete,
    Check,
}

fn parse_tx_action(tables: &BTreeMap<String, Table>, entry: &Value) -> Result<TxAction, ApiError> {
    let (kind, body) = ["Put", "Update", "Delete", "ConditionCheck"]
        .iter()
        .find_map(|k| entry.get(*k).map(|b| (*k, b)))
        .ok_or_else(|| {
            ApiError::validation(
                "TransactItems can only contain one of Check, Put, Update or Delete",
            )
        })?;
    let name = table_name(body)?;
    let table = tables.get(name).ok_or_else(|| ApiError::not_found(name))?;
    let bindings = Bindings::from_request(body)?;
    let cond = condition(body, "ConditionExpression", &bindings)?;
    let (key, change) = match kind {
        "Put" => {
            let item = item_param(body, "Item")?;
            (table.key_of_item(&item)?, TxChange::Put(item))
        }
        "Update" => {
            let text = body
                .get("UpdateExpression")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let actions = parse_update(text, &bindings)?;
            check_key_untouched(table, &actions)?;
            (
                table.key_param(&item_param(body, "Key")?)?,
                TxChange::Update(actions),
            )
        }
        "Delete" => (
            table.key_param(&item_param(body, "Key")?)?,
            TxChange::Delete,
        ),
        _ => {
            if cond.is_none() {
                return Err(ApiError::validation(
                    "ConditionCheck requires a ConditionExpression",
                ));
            }
            (table.key_param(&item_param(body, "Key")?)?, TxChange::Check)
        }
    };
    bindings.check_all_used()?;
    Ok(TxAction {
        table: name.to_owned(),
        key,
        cond,
        change,
    })
}

pub fn transact_write_items(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let entries = req
        .get("TransactItems")
        .and_then(Value::as_array)
        .filter(|a| (1..=100).contains(&a.len()))
        .ok_or_else(|| ApiError::validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1"))?;
    let now = store.now();
    let mut tables = store.lock();
    let mut actions = Vec::with_capacity(entries.len());
    for entry in entries {
        actions.push(parse_tx_action(&tables, entry)?);
    }
    // Two actions on one item are refused once both pass their conditions (as DynamoDB Local does).
    let mut passed = BTreeSet::new();
    // Work out every new item first: nothing is written unless all actions can go ahead.
    let mut reasons = Vec::with_capacity(actions.len());
    let mut writes = Vec::with_capacity(actions.len());
    let mut units_by_table = BTreeMap::<String, f64>::new();
    for action in &actions {
        let table = table_mut(&mut tables, &action.table)?;
        let current = table.get(&action.key).cloned();
        let new = match &action.change {
            TxChange::Put(item) => Some(item.clone()),
            TxChange::Update(update) => {
                let mut item = current
                    .clone()
                    .unwrap_or_else(|| table.key_item(&action.key));
                apply_update(&mut item, update)?;
                Some(item)
            }
            TxChange::Delete | TxChange::Check => None,
        };
        let size = new
            .as_ref()
            .map_or(0, item_size)
            .max(current.as_ref().map_or(0, item_size));
        let units = write_units(size, true);
        *units_by_table.entry(action.table.clone()).or_default() += units;
        let reason = if table
            .capacity
            .charge(Kind::Write, Some(&action.key.0), units, now)
            .is_err()
        {
            json!({"Code": "ThrottlingError", "Message": "Throughput exceeds the current capacity of your table or index."})
        } else if !check_condition(&action.cond, current.as_ref())? {
            json!({"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"})
        } else if !passed.insert((action.table.clone(), action.key.clone())) {
            return Err(ApiError::validation(
                "Transaction request cannot include multiple operations on one item",
            ));
        } else {
            json!({"Code": "None"})
        };
        reasons.push(reason);
        writes.push(new);
    }
    if reasons.iter().any(|r| r["Code"] != "None") {
        let codes: Vec<&str> = reasons
            .iter()
            .map(|r| r["Code"].as_str().unwrap_or("None"))
            .collect();
        let mut err = ApiError::dynamodb(
            "TransactionCanceledException",
            format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes.join(", ")),
        );
        err.extra
            .push(("CancellationReasons", Value::Array(reasons)));
        return Err(err);
    }
    for (action, new) in actions.iter().zip(writes) {
        let table = table_mut(&mut tables, &action.table)?;
        match (&action.change, new) {
            (TxChange::Delete, _) => {
                table.delete(&action.key);
            }
            (TxChange::Check, _) => {}
            (_, Some(item)) => {
                table.put(action.key.clone(), item);
            }
            (_, None) => {}
        }
    }
    Ok(with_capacity_list(json!({}), req, &units_by_table))
}
