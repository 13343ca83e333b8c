//! ExecuteStatement: a PartiQL statement carried out as the operation DynamoDB charges it as. A SELECT
//! whose WHERE gives equality on the whole key (and nothing else) is a GetItem, with equality on the
//! partition key (of the table or the index named) a Query - its sort key's first key-condition test
//! too, ORDER BY its direction - else a Scan; the rest of its WHERE is a filter, which may test key
//! attributes. INSERT is a PutItem that refuses an existing key, UPDATE an UpdateItem and DELETE a
//! DeleteItem of the key the WHERE names (its other conditions a condition). Paging goes through
//! NextToken. BatchExecuteStatement and ExecuteTransaction translate each of their statements here too.

use base64::Engine;
use serde_json::{json, Map, Value};

use super::common::item_param;
use super::partiql::parse;
use super::partiql_ast::{Condition, Operand, OrderKey, Path, SetValue, Statement, Step};
use super::statement_partitions::{Partitions, PARTITION_VALUE};
use crate::error::ApiError;
use crate::store::Store;
use crate::table::{ItemKey, KeySchema};

/// The equivalent request, which operation it is, and how its answer becomes ExecuteStatement's.
pub struct Translated {
    pub operation: &'static str,
    pub request: Value,
    kind: Answer,
    /// A SELECT of nested paths: each item is answered as each path's value under its last
    /// step's name (`SELECT a.b` answers `{"b": ...}`), as DynamoDB answers it.
    nested: Option<Vec<Path>>,
    /// A SELECT of several partition key values: the Query runs once for each.
    partitions: Option<Partitions>,
}

/// A write's ReturnValuesOnConditionCheckFailure goes to the operation that carries it out.
const WRITE_MEMBERS: [&str; 1] = ["ReturnValuesOnConditionCheckFailure"];

#[derive(Clone, Copy, PartialEq)]
enum Answer {
    /// GetItem: its item, or none.
    One,
    /// Query or Scan: a page of items, and a NextToken for the rest.
    Page,
    /// A write: no items.
    Nothing,
    /// INSERT: a key that exists is DuplicateItemException.
    Inserted,
    /// UPDATE or DELETE ... RETURNING: the item it asks for, or none.
    Returned,
    /// EXISTS: a transaction's condition check.
    Check,
}

pub fn translate(req: &Value, store: &Store) -> Result<Translated, ApiError> {
    let text = req
        .get("Statement")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing("statement"))?;
    let parameters = req
        .get("Parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let statement = parse(text, &parameters)?;
    let mut request = Map::new();
    copy_members(req, &mut request, &["ReturnConsumedCapacity"]);
    let mut placeholders = Placeholders::default();
    let mut translated = match statement {
        Statement::Select {
            table,
            index,
            projection,
            terms,
            order,
        } => {
            let schema = key_schema(store, &table, index.as_deref())?;
            request.insert("TableName".into(), json!(table));
            // Nested paths are picked from whole items (a projected list would come back
            // compacted, and the read costs the same either way); top-level names are a
            // ProjectionExpression.
            let nested = projection
                .clone()
                .filter(|paths| paths.iter().any(|(_, steps)| !steps.is_empty()));
            if let (Some(names), None) = (&projection, &nested) {
                let listed: Vec<String> = names.iter().map(|(n, _)| placeholders.name(n)).collect();
                request.insert("ProjectionExpression".into(), json!(listed.join(", ")));
            }
            copy_members(req, &mut request, &["ConsistentRead", "Limit"]);
            let mut translated = select(request, &schema, index, terms, order, req, placeholders)?;
            translated.nested = nested;
            translated
        }
        Statement::Insert { table, item } => {
            let schema = key_schema(store, &table, None)?;
            for attribute in schema.names() {
                if !item.contains_key(attribute) {
                    return Err(ApiError::statement_item_lacks_key(attribute));
                }
            }
            let condition = format!(
                "attribute_not_exists({})",
                placeholders.name(&schema.partition.name)
            );
            request.insert("TableName".into(), json!(table));
            request.insert("Item".into(), Value::Object(item));
            request.insert("ConditionExpression".into(), json!(condition));
            placeholders.into_request(&mut request);
            Translated {
                operation: "PutItem",
                request: Value::Object(request),
                kind: Answer::Inserted,
                nested: None,
                partitions: None,
            }
        }
        Statement::Update {
            table,
            set,
            remove,
            terms,
            returning,
        } => {
            let schema = key_schema(store, &table, None)?;
            let (key, rest) = whole_key(&schema, terms)?;
            let clauses = update_expression(&set, &remove, &mut placeholders);
            // UPDATE changes an item that exists: it never creates one.
            let mut conditions = vec![format!(
                "attribute_exists({})",
                placeholders.name(&schema.partition.name)
            )];
            conditions.extend(rest.iter().map(|t| placeholders.condition(t)));
            request.insert("TableName".into(), json!(table));
            request.insert("Key".into(), Value::Object(key));
            request.insert("UpdateExpression".into(), json!(clauses));
            request.insert(
                "ConditionExpression".into(),
                json!(conditions.join(" AND ")),
            );
            placeholders.into_request(&mut request);
            returned("UpdateItem", request, returning)
        }
        Statement::Delete {
            table,
            terms,
            returning,
        } => {
            let schema = key_schema(store, &table, None)?;
            let (key, rest) = whole_key(&schema, terms)?;
            if !rest.is_empty() {
                let conditions = placeholders.all_of(&rest);
                request.insert("ConditionExpression".into(), json!(conditions));
            }
            request.insert("TableName".into(), json!(table));
            request.insert("Key".into(), Value::Object(key));
            placeholders.into_request(&mut request);
            returned("DeleteItem", request, returning)
        }
        Statement::Exists {
            table,
            terms,
            negated,
        } => {
            if negated {
                return Err(ApiError::not_exists_unsupported());
            }
            let schema = key_schema(store, &table, None)?;
            request.insert("TableName".into(), json!(table));
            // Without a whole key and a condition besides, there is no check to make: ExecuteTransaction
            // refuses it naming the statement (`is_complete_check`).
            if let Ok((key, rest)) = whole_key(&schema, terms) {
                if !rest.is_empty() {
                    let conditions = placeholders.all_of(&rest);
                    request.insert("Key".into(), Value::Object(key));
                    request.insert("ConditionExpression".into(), json!(conditions));
                }
            }
            placeholders.into_request(&mut request);
            Translated {
                operation: "ConditionCheck",
                request: Value::Object(request),
                kind: Answer::Check,
                nested: None,
                partitions: None,
            }
        }
    };
    if let (false, Value::Object(fields)) = (translated.is_read(), &mut translated.request) {
        copy_members(req, fields, &WRITE_MEMBERS);
    }
    Ok(translated)
}

/// An UPDATE's SET and REMOVE as an UpdateExpression: set_add and set_delete are its ADD and
/// DELETE clauses.
fn update_expression(
    set: &[(Path, SetValue)],
    remove: &[Path],
    placeholders: &mut Placeholders,
) -> String {
    let mut assigned = Vec::new();
    let mut added = Vec::new();
    let mut deleted = Vec::new();
    for (path, value) in set {
        let target = placeholders.path(path);
        match value {
            SetValue::One(operand) => {
                assigned.push(format!("{target} = {}", placeholders.operand(operand)));
            }
            SetValue::Arithmetic(left, operator, right) => {
                let (left, right) = (placeholders.operand(left), placeholders.operand(right));
                assigned.push(format!("{target} = {left} {operator} {right}"));
            }
            SetValue::ListAppend(first, second) => {
                let (first, second) = (placeholders.operand(first), placeholders.operand(second));
                assigned.push(format!("{target} = list_append({first}, {second})"));
            }
            SetValue::SetMembers(action, members) => {
                let members = placeholders.value(members);
                let clause = format!("{target} {members}");
                if *action == "ADD" {
                    added.push(clause);
                } else {
                    deleted.push(clause);
                }
            }
        }
    }
    let removed: Vec<String> = remove.iter().map(|p| placeholders.path(p)).collect();
    [
        ("SET", assigned),
        ("REMOVE", removed),
        ("ADD", added),
        ("DELETE", deleted),
    ]
    .into_iter()
    .filter(|(_, parts)| !parts.is_empty())
    .map(|(clause, parts)| format!("{clause} {}", parts.join(", ")))
    .collect::<Vec<_>>()
    .join(" ")
}

/// An UPDATE or DELETE (`operation`) answering the item its RETURNING clause asks for, if any.
fn returned(
    operation: &'static str,
    mut request: Map<String, Value>,
    returning: Option<&'static str>,
) -> Translated {
    if let Some(values) = returning {
        request.insert("ReturnValues".into(), json!(values));
    }
    Translated {
        operation,
        request: Value::Object(request),
        kind: if returning.is_some() {
            Answer::Returned
        } else {
            Answer::Nothing
        },
        nested: None,
        partitions: None,
    }
}

/// The statements of a BatchExecuteStatement or ExecuteTransaction (`member`), 1 to `max` of them.
pub fn statement_list<'r>(
    req: &'r Value,
    member: &str,
    max: usize,
) -> Result<&'r Vec<Value>, ApiError> {
    let field = ApiError::field_name(member);
    let statements = req
        .get(member)
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::missing(&field))?;
    if (1..=max).contains(&statements.len()) {
        Ok(statements)
    } else {
        Err(ApiError::length_constraint(
            &field,
            1,
            max,
            statements.len(),
        ))
    }
}

/// Copies the `members` `from` has into `to`.
pub fn copy_members(from: &Value, to: &mut Map<String, Value>, members: &[&str]) {
    for member in members {
        if let Some(value) = from.get(*member) {
            to.insert((*member).into(), value.clone());
        }
    }
}

impl Translated {
    /// Carries the statement out through `run` (an operation's name and request, its answer): once,
    /// or once for each partition key value a SELECT names.
    pub fn execute(
        &self,
        run: impl Fn(&str, &Value) -> Result<Value, ApiError>,
    ) -> Result<Value, ApiError> {
        if self.is_condition_check() {
            return Err(ApiError::exists_outside_transaction());
        }
        match &self.partitions {
            Some(partitions) => partitions.run(&self.request, run),
            None => run(self.operation, &self.request),
        }
    }

    /// A SELECT, as opposed to INSERT, UPDATE or DELETE.
    pub fn is_read(&self) -> bool {
        matches!(self.kind, Answer::One | Answer::Page)
    }

    /// An UPDATE or DELETE with a RETURNING clause.
    pub fn returns(&self) -> bool {
        self.kind == Answer::Returned
    }

    /// An EXISTS(...): a condition check, which only a transaction carries out.
    pub fn is_condition_check(&self) -> bool {
        self.kind == Answer::Check
    }

    /// An EXISTS(...) of one item's whole key and a condition on it.
    pub fn is_complete_check(&self) -> bool {
        self.is_condition_check() && self.request.get("ConditionExpression").is_some()
    }

    /// An INSERT: a condition failure means its key exists.
    pub fn is_insert(&self) -> bool {
        self.kind == Answer::Inserted
    }

    /// A SELECT of one item by its whole key (a GetItem).
    pub fn is_single_item(&self) -> bool {
        self.kind == Answer::One
    }

    pub fn table(&self) -> &str {
        self.request["TableName"].as_str().unwrap_or_default()
    }

    /// The item the statement reads or writes, when it names one whole key.
    pub fn item_key(&self, store: &Store) -> Option<ItemKey> {
        let schema = &store.table(self.table()).ok()?.schema;
        match item_param(&self.request, "Key") {
            Ok(key) => schema.key_param(&key).ok(),
            Err(_) => schema
                .key_of_item(&item_param(&self.request, "Item").ok()?)
                .ok(),
        }
    }

    /// The statement as one action of TransactGetItems or TransactWriteItems.
    pub fn transaction_action(&self) -> Value {
        let mut action = self.request.clone();
        if let Some(fields) = action.as_object_mut() {
            for member in ["ReturnConsumedCapacity", "ConsistentRead", "Limit"] {
                fields.remove(member);
            }
            // ExecuteTransaction answers nested paths as a projection, unflattened (as DynamoDB
            // Local does), where ExecuteStatement flattens them.
            if let Some(paths) = &self.nested {
                project_paths(fields, paths);
            }
        }
        let kind = match self.operation {
            "GetItem" => "Get",
            "PutItem" => "Put",
            "UpdateItem" => "Update",
            "DeleteItem" => "Delete",
            "ConditionCheck" => "ConditionCheck",
            // Not an action: TransactGetItems and TransactWriteItems refuse it.
            other => other,
        };
        json!({ kind: action })
    }

    /// An item the SELECT read, as ExecuteStatement answers it (see `nested`).
    fn shown(&self, item: &Value) -> Value {
        match &self.nested {
            Some(paths) => flattened(item, paths),
            None => item.clone(),
        }
    }

    /// ExecuteStatement's answer from the equivalent operation's.
    pub fn answer(&self, result: Result<Value, ApiError>) -> Result<Value, ApiError> {
        let out = match result {
            Err(e)
                if self.kind == Answer::Inserted
                    && e.code().ends_with("ConditionalCheckFailedException") =>
            {
                return Err(ApiError::duplicate_item())
            }
            other => other?,
        };
        let mut answer = Map::new();
        let mut items: Vec<Value> = match self.kind {
            Answer::One => out.get("Item").cloned().into_iter().collect(),
            Answer::Page => out
                .get("Items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            Answer::Returned => out.get("Attributes").cloned().into_iter().collect(),
            Answer::Nothing | Answer::Inserted | Answer::Check => Vec::new(),
        };
        for item in &mut items {
            *item = self.shown(item);
        }
        answer.insert("Items".into(), Value::Array(items));
        if let Some(token) = out.get("NextToken") {
            answer.insert("NextToken".into(), token.clone());
        }
        if let Some(last) = out.get("LastEvaluatedKey") {
            let token = base64::engine::general_purpose::STANDARD.encode(last.to_string());
            answer.insert("NextToken".into(), json!(token));
        }
        if let Some(consumed) = out.get("ConsumedCapacity") {
            answer.insert("ConsumedCapacity".into(), consumed.clone());
        }
        Ok(Value::Object(answer))
    }
}

/// `paths` as the request's ProjectionExpression (`#p0.#p1[2], ...`), their names added to its
/// ExpressionAttributeNames.
fn project_paths(request: &mut Map<String, Value>, paths: &[Path]) {
    let mut names = Map::new();
    let mut alias = |name: &str| {
        let alias = format!("#p{}", names.len());
        names.insert(alias.clone(), json!(name));
        alias
    };
    let listed: Vec<String> = paths
        .iter()
        .map(|(name, steps)| {
            let mut text = alias(name);
            for step in steps {
                match step {
                    Step::Name(member) => text.push_str(&format!(".{}", alias(member))),
                    Step::Index(index) => text.push_str(&format!("[{index}]")),
                }
            }
            text
        })
        .collect();
    request.insert("ProjectionExpression".into(), json!(listed.join(", ")));
    let given = request
        .entry("ExpressionAttributeNames")
        .or_insert_with(|| json!({}));
    if let Some(given) = given.as_object_mut() {
        given.extend(names);
    }
}

/// An item (DynamoDB JSON) answered as its `paths`' values, each under its last step's name.
fn flattened(item: &Value, paths: &[Path]) -> Value {
    let mut answer = Map::new();
    for (name, steps) in paths {
        let mut value = item.get(name);
        let mut label = name.clone();
        for step in steps {
            value = match step {
                Step::Name(member) => {
                    label = member.clone();
                    value.and_then(|v| v.get("M")).and_then(|m| m.get(member))
                }
                Step::Index(index) => {
                    label.push_str(&format!("[{index}]"));
                    value.and_then(|v| v.get("L")).and_then(|l| l.get(*index))
                }
            };
        }
        if let Some(value) = value {
            answer.insert(label, value.clone());
        }
    }
    Value::Object(answer)
}

/// SELECT as GetItem, Query or Scan, by the equalities its WHERE gives on the key it reads.
fn select(
    mut request: Map<String, Value>,
    schema: &KeySchema,
    index: Option<String>,
    terms: Vec<Condition>,
    order: Option<Vec<OrderKey>>,
    req: &Value,
    mut placeholders: Placeholders,
) -> Result<Translated, ApiError> {
    let equal_to = |attribute: &str| {
        terms
            .iter()
            .position(|t| t.equality_on(attribute).is_some())
    };
    let partition = equal_to(&schema.partition.name);
    // Several partition key values, when the WHERE gives no single one: one Query for each.
    let several = match partition {
        Some(_) => None,
        None => terms
            .iter()
            .enumerate()
            .find_map(|(at, t)| Some((at, t.values_of(&schema.partition.name)?))),
    };
    let sort = schema.sort.as_ref().map(|s| equal_to(&s.name));
    let forward = match &order {
        None => true,
        Some(keys) => order_direction(
            keys,
            schema,
            &terms,
            partition.is_some() || several.is_some(),
        )?,
    };
    let key_given = partition.is_some() && sort.is_none_or(|s| s.is_some());
    if index.is_none() && key_given && terms.len() == 1 + usize::from(sort.is_some()) {
        let (key, _) = whole_key(schema, terms)?;
        request.remove("Limit");
        request.insert("Key".into(), Value::Object(key));
        placeholders.into_request(&mut request);
        return Ok(Translated {
            operation: "GetItem",
            request: Value::Object(request),
            kind: Answer::One,
            nested: None,
            partitions: None,
        });
    }
    let several_at = several.as_ref().map(|(at, _)| *at);
    let partitions = match several {
        Some((_, values)) => Some(Partitions::new(values, req)?),
        None => None,
    };
    if let Some(token) = req
        .get("NextToken")
        .and_then(Value::as_str)
        .filter(|_| partitions.is_none())
    {
        let start = base64::engine::general_purpose::STANDARD
            .decode(token)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .filter(Value::is_object)
            .ok_or_else(ApiError::statement_bad_next_token)?;
        request.insert("ExclusiveStartKey".into(), start);
    }
    if let Some(index) = index {
        request.insert("IndexName".into(), json!(index));
    }
    let mut rest = terms;
    let partition_at = partition.or(several_at);
    let operation = match partition_at {
        Some(at) => {
            let pk = rest.remove(at);
            let mut key_conditions = vec![if partitions.is_some() {
                let name = placeholders.name(&schema.partition.name);
                format!("{name} = {PARTITION_VALUE}")
            } else {
                placeholders.condition(&pk)
            }];
            if let Some(sort_key) = &schema.sort {
                // Only what a key condition can say; any other test of the sort key filters.
                if let Some(at) = rest
                    .iter()
                    .position(|t| t.is_sort_key_condition(&sort_key.name))
                {
                    key_conditions.push(placeholders.condition(&rest.remove(at)));
                }
            }
            request.insert(
                "KeyConditionExpression".into(),
                json!(key_conditions.join(" AND ")),
            );
            if !forward {
                request.insert("ScanIndexForward".into(), json!(false));
            }
            "Query"
        }
        None => "Scan",
    };
    if !rest.is_empty() {
        let filter = placeholders.all_of(&rest);
        request.insert("FilterExpression".into(), json!(filter));
    }
    if partitions.is_some() {
        // Each Query's own value is set here as it runs.
        placeholders
            .values
            .insert(PARTITION_VALUE.into(), Value::Null);
        request.remove("ReturnConsumedCapacity");
    }
    placeholders.into_request(&mut request);
    Ok(Translated {
        operation,
        request: Value::Object(request),
        kind: Answer::Page,
        nested: None,
        partitions,
    })
}

/// Whether an ORDER BY reads the sort key forward (ascending); the partition key's own order
/// means nothing within one partition. Refused as DynamoDB refuses it without a WHERE, without a
/// partition key to query, or naming an attribute outside the key read.
fn order_direction(
    keys: &[OrderKey],
    schema: &KeySchema,
    terms: &[Condition],
    partition_given: bool,
) -> Result<bool, ApiError> {
    if terms.is_empty() {
        return Err(ApiError::order_by_needs_where());
    }
    if !partition_given {
        return Err(ApiError::order_by_needs_partition_key());
    }
    if let Some((outside, _)) = keys
        .iter()
        .find(|(name, _)| !schema.names().any(|key| key == name))
    {
        return Err(ApiError::order_by_not_key(outside));
    }
    let sort_descending = schema.sort.as_ref().and_then(|sort| {
        keys.iter()
            .find(|(name, _)| *name == sort.name)
            .map(|(_, descending)| *descending)
    });
    Ok(!sort_descending.unwrap_or(false))
}

/// The table's key schema, or the named index's.
fn key_schema(store: &Store, table: &str, index: Option<&str>) -> Result<KeySchema, ApiError> {
    let found = store.table(table)?;
    match index {
        None => Ok(found.schema.clone()),
        Some(name) => found
            .index(name)
            .map(|i| i.schema.clone())
            .map_err(|_| ApiError::no_such_index(name)),
    }
}

/// The key the WHERE names by equality on every key attribute, and its other conditions.
fn whole_key(
    schema: &KeySchema,
    mut terms: Vec<Condition>,
) -> Result<(Map<String, Value>, Vec<Condition>), ApiError> {
    let mut key = Map::new();
    for attribute in schema.names() {
        let (at, value) = terms
            .iter()
            .enumerate()
            .find_map(|(at, t)| Some((at, t.equality_on(attribute)?.clone())))
            .ok_or_else(ApiError::statement_needs_whole_key)?;
        terms.remove(at);
        key.insert(attribute.to_owned(), value);
    }
    Ok((key, terms))
}

/// Expression attribute names and values, numbered as they are used.
#[derive(Default)]
struct Placeholders {
    names: Map<String, Value>,
    values: Map<String, Value>,
}

impl Placeholders {
    fn name(&mut self, name: &str) -> String {
        let existing = self
            .names
            .iter()
            .find(|(_, v)| v.as_str() == Some(name))
            .map(|(k, _)| k.clone());
        existing.unwrap_or_else(|| {
            let placeholder = format!("#n{}", self.names.len());
            self.names.insert(placeholder.clone(), json!(name));
            placeholder
        })
    }

    fn value(&mut self, value: &Value) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value.clone());
        placeholder
    }

    /// A document path as `#n0.#n1[2]`.
    fn path(&mut self, (name, steps): &Path) -> String {
        let mut text = self.name(name);
        for step in steps {
            match step {
                Step::Name(member) => {
                    let member = self.name(member);
                    text.push('.');
                    text.push_str(&member);
                }
                Step::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        text
    }

    fn operand(&mut self, operand: &Operand) -> String {
        match operand {
            Operand::Path(path) => self.path(path),
            Operand::Value(value) => self.value(value),
            Operand::Size(path) => format!("size({})", self.path(path)),
        }
    }

    /// A WHERE condition in a condition expression's words; AND, OR and NOT in parentheses.
    fn condition(&mut self, condition: &Condition) -> String {
        match condition {
            Condition::All(all) => self.joined(all, " AND "),
            Condition::Any(any) => self.joined(any, " OR "),
            Condition::Not(inner) => format!("(NOT {})", self.condition(inner)),
            Condition::Compare(left, operator, right) => {
                let left = self.operand(left);
                format!("{left} {operator} {}", self.operand(right))
            }
            Condition::Between(operand, low, high) => {
                let operand = self.operand(operand);
                let low = self.operand(low);
                format!("{operand} BETWEEN {low} AND {}", self.operand(high))
            }
            Condition::In(operand, values) => {
                let operand = self.operand(operand);
                let listed: Vec<String> = values.iter().map(|v| self.value(v)).collect();
                format!("{operand} IN ({})", listed.join(", "))
            }
            Condition::Function(function, path, value) => {
                let path = self.path(path);
                match value {
                    Some(value) => format!("{function}({path}, {})", self.value(value)),
                    None => format!("{function}({path})"),
                }
            }
        }
    }

    /// A WHERE's top-level conditions, joined by AND as a whole expression (no parentheses round).
    fn all_of(&mut self, conditions: &[Condition]) -> String {
        let parts: Vec<String> = conditions.iter().map(|c| self.condition(c)).collect();
        parts.join(" AND ")
    }

    fn joined(&mut self, conditions: &[Condition], joiner: &str) -> String {
        let parts: Vec<String> = conditions.iter().map(|c| self.condition(c)).collect();
        format!("({})", parts.join(joiner))
    }

    fn into_request(self, request: &mut Map<String, Value>) {
        if !self.names.is_empty() {
            request.insert("ExpressionAttributeNames".into(), Value::Object(self.names));
        }
        if !self.values.is_empty() {
            request.insert(
                "ExpressionAttributeValues".into(),
                Value::Object(self.values),
            );
        }
    }
}
