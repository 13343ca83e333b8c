//! ExecuteStatement: a PartiQL statement carried out as the operation DynamoDB charges it as. A SELECT
//! with equality on the whole key is a GetItem, with equality on the partition key (of the table or the
//! index named) a Query, else a Scan; the rest of its WHERE is a filter. INSERT is a PutItem that
//! refuses an existing key, UPDATE an UpdateItem and DELETE a DeleteItem of the key the WHERE names
//! (its other comparisons a condition). Paging goes through NextToken. BatchExecuteStatement and
//! ExecuteTransaction translate each of their statements here too.

use base64::Engine;
use serde_json::{json, Map, Value};

use super::common::item_param;
use super::partiql::{parse, Operand, Path, SetValue, Statement, Step, Term};
use crate::error::ApiError;
use crate::store::Store;
use crate::table::{ItemKey, KeyAttr, KeySchema};

/// The equivalent request, which operation it is, and how its answer becomes ExecuteStatement's.
pub struct Translated {
    pub operation: &'static str,
    pub request: Value,
    kind: Answer,
    /// A SELECT of nested paths: each item is answered as each path's value under its last
    /// step's name (`SELECT a.b` answers `{"b": ...}`), as DynamoDB answers it.
    nested: Option<Vec<Path>>,
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
            let mut translated = select(request, &schema, index, terms, req, placeholders)?;
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
            let mut clauses = Vec::new();
            if !set.is_empty() {
                let parts: Vec<String> = set
                    .iter()
                    .map(|(name, value)| {
                        let target = placeholders.name(name);
                        let value = match value {
                            SetValue::One(operand) => placeholders.operand(operand),
                            SetValue::Arithmetic(left, operator, right) => format!(
                                "{} {operator} {}",
                                placeholders.operand(left),
                                placeholders.operand(right)
                            ),
                        };
                        format!("{target} = {value}")
                    })
                    .collect();
                clauses.push(format!("SET {}", parts.join(", ")));
            }
            if !remove.is_empty() {
                let parts: Vec<String> = remove.iter().map(|n| placeholders.name(n)).collect();
                clauses.push(format!("REMOVE {}", parts.join(", ")));
            }
            // UPDATE changes an item that exists: it never creates one.
            let mut conditions = vec![format!(
                "attribute_exists({})",
                placeholders.name(&schema.partition.name)
            )];
            conditions.extend(rest.iter().map(|t| placeholders.term(t)));
            request.insert("TableName".into(), json!(table));
            request.insert("Key".into(), Value::Object(key));
            request.insert("UpdateExpression".into(), json!(clauses.join(" ")));
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
                let conditions: Vec<String> = rest.iter().map(|t| placeholders.term(t)).collect();
                request.insert(
                    "ConditionExpression".into(),
                    json!(conditions.join(" AND ")),
                );
            }
            request.insert("TableName".into(), json!(table));
            request.insert("Key".into(), Value::Object(key));
            placeholders.into_request(&mut request);
            returned("DeleteItem", request, returning)
        }
    };
    if let (false, Value::Object(fields)) = (translated.is_read(), &mut translated.request) {
        copy_members(req, fields, &WRITE_MEMBERS);
    }
    Ok(translated)
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
    /// A SELECT, as opposed to INSERT, UPDATE or DELETE.
    pub fn is_read(&self) -> bool {
        matches!(self.kind, Answer::One | Answer::Page)
    }

    /// An UPDATE or DELETE with a RETURNING clause.
    pub fn returns(&self) -> bool {
        self.kind == Answer::Returned
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
            Answer::Nothing | Answer::Inserted => Vec::new(),
        };
        for item in &mut items {
            *item = self.shown(item);
        }
        answer.insert("Items".into(), Value::Array(items));
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
    terms: Vec<Term>,
    req: &Value,
    mut placeholders: Placeholders,
) -> Result<Translated, ApiError> {
    let equal_to = |attribute: &str| {
        terms
            .iter()
            .position(|t| t.attribute == attribute && t.operator == "=")
    };
    // DynamoDB reads `pk IN [...]` as one query per value, in the list's order: not done here.
    if terms
        .iter()
        .any(|t| t.attribute == schema.partition.name && t.operator == "IN")
    {
        return Err(ApiError::unsupported(
            "PartiQL's IN on the partition key in ExecuteStatement",
        ));
    }
    let partition = equal_to(&schema.partition.name);
    let sort = schema.sort.as_ref().map(|s| equal_to(&s.name));
    // With the partition key given this is a query, whose filter cannot name the sort key.
    let sort_in = |s: &KeyAttr| {
        terms
            .iter()
            .any(|t| t.attribute == s.name && t.operator == "IN")
    };
    if partition.is_some() && schema.sort.as_ref().is_some_and(sort_in) {
        return Err(ApiError::unsupported(
            "PartiQL's IN on the sort key of a query in ExecuteStatement",
        ));
    }
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
        });
    }
    if let Some(token) = req.get("NextToken").and_then(Value::as_str) {
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
    let operation = match partition {
        Some(at) => {
            let pk = rest.remove(at);
            let mut key_conditions = vec![placeholders.term(&pk)];
            if let Some(sort_key) = &schema.sort {
                // Only what a key condition can say; any other term on the sort key filters.
                let keyed = |t: &Term| {
                    t.attribute == sort_key.name
                        && matches!(
                            t.operator,
                            "=" | "<" | "<=" | ">" | ">=" | "BETWEEN" | "begins_with"
                        )
                };
                if let Some(at) = rest.iter().position(keyed) {
                    key_conditions.push(placeholders.term(&rest.remove(at)));
                }
            }
            request.insert(
                "KeyConditionExpression".into(),
                json!(key_conditions.join(" AND ")),
            );
            "Query"
        }
        None => "Scan",
    };
    if !rest.is_empty() {
        let filters: Vec<String> = rest.iter().map(|t| placeholders.term(t)).collect();
        request.insert("FilterExpression".into(), json!(filters.join(" AND ")));
    }
    placeholders.into_request(&mut request);
    Ok(Translated {
        operation,
        request: Value::Object(request),
        kind: Answer::Page,
        nested: None,
    })
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

/// The key the WHERE names by equality on every key attribute, and its other comparisons.
fn whole_key(
    schema: &KeySchema,
    mut terms: Vec<Term>,
) -> Result<(Map<String, Value>, Vec<Term>), ApiError> {
    let mut key = Map::new();
    for attribute in schema.names() {
        let at = terms
            .iter()
            .position(|t| t.attribute == attribute && t.operator == "=")
            .ok_or_else(ApiError::statement_needs_whole_key)?;
        let term = terms.remove(at);
        key.insert(attribute.to_owned(), term.values[0].clone());
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

    fn operand(&mut self, operand: &Operand) -> String {
        match operand {
            Operand::Name(name) => self.name(name),
            Operand::Value(value) => self.value(value),
        }
    }

    fn term(&mut self, term: &Term) -> String {
        let name = self.name(&term.attribute);
        match term.operator {
            function @ ("begins_with" | "contains" | "attribute_type") => {
                format!("{function}({name}, {})", self.value(&term.values[0]))
            }
            function @ ("attribute_exists" | "attribute_not_exists") => {
                format!("{function}({name})")
            }
            "IN" => {
                let listed: Vec<String> = term.values.iter().map(|v| self.value(v)).collect();
                format!("{name} IN ({})", listed.join(", "))
            }
            "BETWEEN" => {
                let (low, high) = (self.value(&term.values[0]), self.value(&term.values[1]));
                format!("{name} BETWEEN {low} AND {high}")
            }
            operator => format!("{name} {operator} {}", self.value(&term.values[0])),
        }
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
