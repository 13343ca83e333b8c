//! A workload file's operations: each compiled once, then written as DynamoDB JSON per request with
//! fresh keys and values.

use rand::Rng;

use super::generate::Generator;
use super::spec::{Spec, SpecError};
use super::tables::PlanTable;
use crate::fastpath::wire::{list, write_item, write_value, Item, Object, Unsupported};
use crate::fastpath::Operation;
use crate::workload::keys::{KeyDistribution, KeyPicker};
use crate::workload::schema::label;

/// Which item an operation acts on: one of the seeded items by a distribution, or a new one.
#[derive(Debug, Clone)]
pub enum KeySource {
    Seeded(KeyPicker),
    /// The newest items first: the picker draws how far back from the newest (YCSB's "latest").
    Latest(KeyPicker),
    New,
}

/// A write's condition or a Query/Scan's filter with their placeholders (names fixed, values generated
/// per request), and a write's ReturnValues.
#[derive(Debug, Clone, Default)]
pub struct Condition {
    pub expression: Option<String>,
    pub filter: Option<String>,
    pub names: Vec<(String, String)>,
    pub values: Vec<(String, Generator)>,
    pub return_values: Option<String>,
}

#[derive(Debug, Clone)]
pub enum OpKind {
    Get {
        consistent: bool,
    },
    Put,
    Update {
        set: Vec<(String, Generator)>,
        add: Vec<(String, Generator)>,
        remove: Vec<String>,
    },
    Delete,
    /// BatchGetItem of `count` distinct seeded items.
    BatchGet {
        count: usize,
        consistent: bool,
    },
    /// BatchGetItem of several tables: each part a `BatchGet` of its own table (each table once).
    BatchGetTables(Vec<PlanOp>),
    /// BatchWriteItem of `count` new items (PutRequest), or of `count` distinct seeded keys
    /// (DeleteRequest).
    BatchWrite {
        count: usize,
        delete: bool,
    },
    /// Scan pages of the table (or of its `index`): one segment of `segments` drawn per operation
    /// (a parallel scan's worker), up to `pages` pages of `limit` items.
    Scan {
        index: Option<String>,
        limit: Option<i64>,
        pages: u32,
        segments: u32,
        consistent: bool,
    },
    /// TransactGetItems of these gets, each its own table and key.
    TransactGet(Vec<PlanOp>),
    /// A transaction's ConditionCheck: the condition alone, nothing written.
    Check,
    /// TransactWriteItems of these actions (put, update, delete, check), each with its own table and key.
    Transact(Vec<PlanOp>),
    Query {
        index: Option<String>,
        /// The partition value: a generator, or (None) the partition of a drawn item.
        partition: Option<Generator>,
        limit: Option<i64>,
        /// Pages one operation reads at most (following LastEvaluatedKey).
        pages: u32,
        consistent: bool,
    },
}

impl OpKind {
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            OpKind::Get { .. }
                | OpKind::Query { .. }
                | OpKind::BatchGet { .. }
                | OpKind::BatchGetTables(_)
                | OpKind::Scan { .. }
                | OpKind::TransactGet(_)
        )
    }

    /// The TransactItems member an action is written under.
    fn transact_member(&self) -> &'static str {
        match self {
            OpKind::Put => "Put",
            OpKind::Update { .. } => "Update",
            OpKind::Delete => "Delete",
            OpKind::Get { .. } => "Get",
            _ => "ConditionCheck",
        }
    }

    /// Requests one operation may send in a row when each answers with more to read.
    pub fn pages(&self) -> u32 {
        match self {
            OpKind::Query { pages, .. } | OpKind::Scan { pages, .. } => *pages,
            _ => 1,
        }
    }

    fn operation(&self) -> Operation {
        match self {
            OpKind::Get { .. } => Operation::GetItem,
            OpKind::Put => Operation::PutItem,
            OpKind::Update { .. } => Operation::UpdateItem,
            OpKind::Delete => Operation::DeleteItem,
            OpKind::Query { .. } => Operation::Query,
            OpKind::Transact(_) | OpKind::Check => Operation::TransactWriteItems,
            OpKind::BatchGet { .. } | OpKind::BatchGetTables(_) => Operation::BatchGetItem,
            OpKind::BatchWrite { .. } => Operation::BatchWriteItem,
            OpKind::Scan { .. } => Operation::Scan,
            OpKind::TransactGet(_) => Operation::TransactGetItems,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PlanOp {
    pub name: String,
    /// Its weight in each stage of the run (one figure: the same in every stage).
    pub weights: Vec<u64>,
    pub table: usize,
    pub kind: OpKind,
    pub keys: KeySource,
    pub condition: Condition,
}

const KINDS: [&str; 10] = [
    "get",
    "put",
    "update",
    "delete",
    "query",
    "scan",
    "batch_get",
    "batch_write",
    "transact",
    "transact_get",
];
/// The kinds that are one request of one table (the others are lists of actions).
const SINGLE: usize = 8;
/// What a transaction's actions may be.
const ACTIONS: [&str; 4] = ["put", "update", "delete", "check"];

impl PlanOp {
    pub fn compile(
        spec: &Spec,
        tables: &[PlanTable],
        default_distribution: KeyDistribution,
    ) -> Result<PlanOp, SpecError> {
        let mut known = vec!["name", "weight", "weights"];
        known.extend(KINDS);
        spec.only(&known)?;
        let name = spec.required("name")?.str()?.to_owned();
        let weights = compile_weights(spec)?;
        let kinds = KINDS.iter().filter(|k| spec.get(k).is_some()).count();
        if let Some(list) = spec
            .get("batch_get")
            .filter(|l| kinds == 1 && l.value().is_array())
        {
            let kind = Self::compile_batch_get_tables(&list, tables, default_distribution)?;
            return Ok(PlanOp {
                name,
                weights,
                table: kind[0].table,
                kind: OpKind::BatchGetTables(kind),
                keys: KeySource::New,
                condition: Condition::default(),
            });
        }
        for (list_kind, allowed) in [("transact", &ACTIONS[..]), ("transact_get", &["get"][..])] {
            let Some(list) = spec.get(list_kind).filter(|_| kinds == 1) else {
                continue;
            };
            let mut actions = Vec::new();
            for action in list.array()? {
                action.only(allowed)?;
                let compiled =
                    Self::compile_action(&action, allowed, tables, default_distribution)?;
                if compiled.condition.return_values.is_some() {
                    return Err(action.error(
                        "a transaction's actions return nothing: return_values does not apply",
                    ));
                }
                actions.push(compiled);
            }
            if actions.is_empty() || actions.len() > 100 {
                return Err(list.error("a transaction has 1 to 100 actions"));
            }
            if let Some(get) = actions
                .iter()
                .position(|a| matches!(a.kind, OpKind::Get { consistent: true }))
            {
                return Err(list.array()?[get].error(
                    "TransactGetItems reads are always consistent: consistent_read does not apply",
                ));
            }
            let table = actions[0].table;
            let kind = if list_kind == "transact" {
                OpKind::Transact(actions)
            } else {
                OpKind::TransactGet(actions)
            };
            return Ok(PlanOp {
                name,
                weights,
                table,
                kind,
                keys: KeySource::New,
                condition: Condition::default(),
            });
        }
        let mut op = Self::compile_action(spec, &KINDS[..SINGLE], tables, default_distribution)?;
        op.name = name;
        op.weights = weights;
        Ok(op)
    }

    /// `batch_get: [{table, count, ...}, ...]`: a BatchGetItem of several tables, each table once.
    fn compile_batch_get_tables(
        list: &Spec,
        tables: &[PlanTable],
        default_distribution: KeyDistribution,
    ) -> Result<Vec<PlanOp>, SpecError> {
        let mut parts: Vec<PlanOp> = Vec::new();
        for body in list.array()? {
            let part = Self::compile_body("batch_get", &body, tables, default_distribution)?;
            if parts.iter().any(|p| p.table == part.table) {
                return Err(body.error("each table once in a batch_get list"));
            }
            parts.push(part);
        }
        let total: usize = parts.iter().map(PlanOp::batch_keys).sum();
        if parts.is_empty() || total > 100 {
            return Err(list.error("a BatchGetItem reads 1 to 100 keys"));
        }
        Ok(parts)
    }

    /// Keys a single-table BatchGetItem reads (0 for any other operation).
    fn batch_keys(&self) -> usize {
        match self.kind {
            OpKind::BatchGet { count, .. } => count,
            _ => 0,
        }
    }

    /// The item this request acts on: a seeded one by the distribution, or a new one.
    fn number(&self, table: &PlanTable, rng: &mut impl Rng) -> u64 {
        match &self.keys {
            KeySource::Seeded(picker) => picker.pick(rng) as u64,
            KeySource::Latest(picker) => table
                .inserts
                .as_ref()
                .expect("compile gives a table read latest its inserts")
                .latest(picker.pick(rng) as u64),
            KeySource::New => match &table.inserts {
                Some(inserts) => inserts.next(),
                None => table.drawable() + (rng.random::<u64>() >> 2),
            },
        }
    }

    /// Up to `count` distinct seeded item numbers (a batch refuses the same key twice).
    fn distinct(&self, rng: &mut impl Rng, count: usize) -> Vec<u64> {
        match &self.keys {
            KeySource::Seeded(picker) => picker
                .pick_distinct(rng, count)
                .into_iter()
                .map(|n| n as u64)
                .collect(),
            KeySource::Latest(_) | KeySource::New => Vec::new(),
        }
    }

    /// This operation and, for a transaction, each of its actions.
    pub fn with_actions(&self) -> impl Iterator<Item = &PlanOp> {
        let actions = match &self.kind {
            OpKind::Transact(actions)
            | OpKind::TransactGet(actions)
            | OpKind::BatchGetTables(actions) => &actions[..],
            _ => &[],
        };
        std::iter::once(self).chain(actions)
    }

    /// Its weight in stage `stage` of the run.
    pub fn weight_in(&self, stage: usize) -> u64 {
        self.weights[stage.min(self.weights.len() - 1)]
    }

    /// One request's worth: `{kind: {table, ...}}` with kind one of `kinds`.
    fn compile_action(
        spec: &Spec,
        kinds: &[&str],
        tables: &[PlanTable],
        default_distribution: KeyDistribution,
    ) -> Result<PlanOp, SpecError> {
        let present: Vec<&str> = kinds
            .iter()
            .copied()
            .filter(|k| spec.get(k).is_some())
            .collect();
        let [kind_name] = present[..] else {
            return Err(spec.error(&format!(
                "expected exactly one of {} (found {})",
                kinds.join(", "),
                if present.is_empty() {
                    "none".to_owned()
                } else {
                    present.join(", ")
                }
            )));
        };
        let body = spec.required(kind_name)?;
        Self::compile_body(kind_name, &body, tables, default_distribution)
    }

    /// One request's body of kind `kind_name`: its table, key source, condition and kind's fields.
    fn compile_body(
        kind_name: &str,
        body: &Spec,
        tables: &[PlanTable],
        default_distribution: KeyDistribution,
    ) -> Result<PlanOp, SpecError> {
        let mut body_keys = vec![
            "table",
            "key",
            "distribution",
            "condition",
            "names",
            "values",
        ];
        body_keys.extend(match kind_name {
            "get" => &["consistent_read"][..],
            "update" => &["set", "add", "remove", "return_values"][..],
            "put" | "delete" => &["return_values"][..],
            "query" => &[
                "index",
                "partition",
                "limit",
                "pages",
                "consistent_read",
                "filter",
            ][..],
            "batch_get" => &["count", "consistent_read"][..],
            "scan" => &[
                "index",
                "limit",
                "pages",
                "segments",
                "consistent_read",
                "filter",
            ][..],
            "batch_write" => &["count", "delete"][..],
            _ => &[][..],
        });
        body.only(&body_keys)?;
        let table_spec = body.required("table")?;
        let alias = table_spec.str()?;
        let table = tables
            .iter()
            .position(|t| t.alias == alias)
            .ok_or_else(|| {
                table_spec.error(&format!(
                    "no table {alias:?} under tables (there are: {})",
                    tables
                        .iter()
                        .map(|t| t.alias.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let kind = compile_kind(kind_name, body, &tables[table])?;
        let keys = compile_keys(kind_name, body, &tables[table], default_distribution)?;
        let condition = compile_condition(body, &kind)?;
        if matches!(kind, OpKind::Check) && condition.expression.is_none() {
            return Err(body.error("a check needs its condition"));
        }
        Ok(PlanOp {
            name: String::new(),
            weights: vec![0],
            table,
            kind,
            keys,
            condition,
        })
    }

    /// Writes one request's body: keys drawn, values generated. The operation it is.
    pub fn write(
        &self,
        out: &mut Vec<u8>,
        tables: &[PlanTable],
        rng: &mut impl Rng,
    ) -> Result<Operation, Unsupported> {
        self.write_keyed(out, tables, rng, None)
            .map(|(operation, _)| operation)
    }

    /// As `write`, with the partition-key value a single-item request or a Query goes to (as text).
    /// When a replay names the keys (`given`, one per member: a single-item request's, a
    /// transaction's actions', a BatchGetItem's or BatchWriteItem's), the request acts on them
    /// instead of drawn ones.
    pub fn write_keyed(
        &self,
        out: &mut Vec<u8>,
        tables: &[PlanTable],
        rng: &mut impl Rng,
        given: Option<&[Item]>,
    ) -> Result<(Operation, Option<String>), Unsupported> {
        let member = |i: usize| match given {
            None => Ok(None),
            Some(keys) => keys.get(i).map(Some).ok_or(Unsupported(
                "a replayed call with fewer keys than its operation's members",
            )),
        };
        let mut key = None;
        let mut object = Object::new(out);
        match &self.kind {
            OpKind::Transact(actions) | OpKind::TransactGet(actions) => {
                let list = object.field("TransactItems");
                list.push(b'[');
                for (i, action) in actions.iter().enumerate() {
                    if i > 0 {
                        list.push(b',');
                    }
                    let mut wrapper = Object::new(list);
                    let mut fields = Object::new(wrapper.field(action.kind.transact_member()));
                    action.write_fields(&mut fields, tables, rng, &mut None, member(i)?)?;
                    fields.end();
                    wrapper.end();
                }
                list.push(b']');
            }
            OpKind::BatchGet { .. } => {
                let mut items = Object::new(object.field("RequestItems"));
                self.write_batch_get(&mut items, tables, rng, given)?;
                items.end();
            }
            OpKind::BatchGetTables(parts) => {
                let total: usize = parts.iter().map(PlanOp::batch_keys).sum();
                if given.is_some_and(|keys| keys.len() != total) {
                    return Err(Unsupported("a replayed BatchGetItem of another size"));
                }
                let mut items = Object::new(object.field("RequestItems"));
                let mut start = 0;
                for part in parts {
                    let end = start + part.batch_keys();
                    let keys = given.map(|keys| &keys[start..end]);
                    part.write_batch_get(&mut items, tables, rng, keys)?;
                    start = end;
                }
                items.end();
            }
            OpKind::BatchWrite { count, delete } => {
                let table = &tables[self.table];
                if given.is_some_and(|keys| keys.len() != *count) {
                    return Err(Unsupported("a replayed BatchWriteItem of another size"));
                }
                let mut items = Object::new(object.field("RequestItems"));
                let writes = items.field(&table.name);
                writes.push(b'[');
                // A replayed call's keys are the trace's: nothing is drawn.
                let numbers = if given.is_some() {
                    vec![0; *count]
                } else if *delete {
                    self.distinct(rng, *count)
                } else {
                    (0..*count)
                        .map(|_| table.drawable() + (rng.random::<u64>() >> 2))
                        .collect()
                };
                for (i, n) in numbers.into_iter().enumerate() {
                    if i > 0 {
                        writes.push(b',');
                    }
                    let key = given.map(|keys| &keys[i]);
                    let mut request = Object::new(writes);
                    if *delete {
                        let mut fields = Object::new(request.field("DeleteRequest"));
                        fields.item("Key", &key.cloned().unwrap_or_else(|| table.key(n)))?;
                        fields.end();
                    } else {
                        let mut item = table.item(n, rng);
                        item.extend(
                            key.into_iter()
                                .flatten()
                                .map(|(k, v)| (k.clone(), v.clone())),
                        );
                        let mut fields = Object::new(request.field("PutRequest"));
                        fields.item("Item", &item)?;
                        fields.end();
                    }
                    request.end();
                }
                writes.push(b']');
                items.end();
            }
            _ => self.write_fields(&mut object, tables, rng, &mut key, member(0)?)?,
        }
        // INDEXES: each global index's units apart from its table's (an index has capacity of its own).
        object.string("ReturnConsumedCapacity", "INDEXES");
        object.end();
        Ok((self.kind.operation(), key))
    }

    /// A single-table BatchGetItem's entry under RequestItems: its keys (given, or distinct drawn ones).
    fn write_batch_get(
        &self,
        items: &mut Object,
        tables: &[PlanTable],
        rng: &mut impl Rng,
        given: Option<&[Item]>,
    ) -> Result<(), Unsupported> {
        let OpKind::BatchGet { count, consistent } = &self.kind else {
            return Err(Unsupported("a batch_get part of another kind"));
        };
        let table = &tables[self.table];
        let mut wanted = Object::new(items.field(&table.name));
        let keys: Vec<Item> = match given {
            Some(keys) if keys.len() == *count => keys.to_vec(),
            Some(_) => return Err(Unsupported("a replayed BatchGetItem of another size")),
            None => self
                .distinct(rng, *count)
                .into_iter()
                .map(|n| table.key(n))
                .collect(),
        };
        list(wanted.field("Keys"), &keys, write_item)?;
        wanted.bool("ConsistentRead", *consistent);
        wanted.end();
        Ok(())
    }

    /// The request's own members: table, key or item, expressions (a transaction's action alike).
    fn write_fields(
        &self,
        object: &mut Object,
        tables: &[PlanTable],
        rng: &mut impl Rng,
        key: &mut Option<String>,
        given: Option<&Item>,
    ) -> Result<(), Unsupported> {
        let table = &tables[self.table];
        // A replayed call's key is the trace's: nothing is drawn (a draw may take a new item's number).
        let number = if given.is_some() {
            0
        } else {
            self.number(table, rng)
        };
        let key_of = |n: u64| given.cloned().unwrap_or_else(|| table.key(n));
        let partition_of = |item: &Item| item.get(&table.partition.name).map(label);
        object.string("TableName", &table.name);
        let mut names: Names = self
            .condition
            .names
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str()))
            .collect();
        let mut values: Values = self
            .condition
            .values
            .iter()
            .map(|(k, g)| (k.clone(), g.value(rng)))
            .collect();
        match &self.kind {
            OpKind::Get { consistent } => {
                let drawn = key_of(number);
                *key = partition_of(&drawn);
                object.item("Key", &drawn)?;
                // Only when true: false is DynamoDB's default, and a TransactGetItems Get has no
                // ConsistentRead member (compile refuses a consistent one there).
                if *consistent {
                    object.bool("ConsistentRead", true);
                }
            }
            OpKind::Put => {
                let mut item = table.item(number, rng);
                item.extend(
                    given
                        .into_iter()
                        .flatten()
                        .map(|(k, v)| (k.clone(), v.clone())),
                );
                *key = partition_of(&item);
                object.item("Item", &item)?;
            }
            OpKind::Delete | OpKind::Check => {
                let drawn = key_of(number);
                *key = partition_of(&drawn);
                object.item("Key", &drawn)?;
            }
            OpKind::Scan {
                index,
                limit,
                segments,
                consistent,
                ..
            } => {
                if let Some(index) = index {
                    object.string("IndexName", index);
                }
                if let Some(limit) = limit {
                    object.number("Limit", *limit);
                }
                if *segments > 1 {
                    object.number("Segment", rng.random_range(0..*segments));
                    object.number("TotalSegments", *segments);
                }
                object.bool("ConsistentRead", *consistent);
            }
            OpKind::Transact(_)
            | OpKind::TransactGet(_)
            | OpKind::BatchGet { .. }
            | OpKind::BatchGetTables(_)
            | OpKind::BatchWrite { .. } => {
                return Err(Unsupported(
                    "a batch or a transaction as one request's member",
                ))
            }
            OpKind::Update { set, add, remove } => {
                let drawn = key_of(number);
                *key = partition_of(&drawn);
                object.item("Key", &drawn)?;
                let mut clauses = Vec::new();
                let sets = placeholders("ddbset", set, &mut names, &mut values, rng);
                if !sets.is_empty() {
                    let parts: Vec<String> =
                        sets.iter().map(|(n, v)| format!("{n} = {v}")).collect();
                    clauses.push(format!("SET {}", parts.join(", ")));
                }
                let adds = placeholders("ddbadd", add, &mut names, &mut values, rng);
                if !adds.is_empty() {
                    let parts: Vec<String> = adds.iter().map(|(n, v)| format!("{n} {v}")).collect();
                    clauses.push(format!("ADD {}", parts.join(", ")));
                }
                if !remove.is_empty() {
                    let mut parts = Vec::new();
                    for (i, attribute) in remove.iter().enumerate() {
                        let n = format!("#ddbremove{i}");
                        names.push((n.clone(), attribute.as_str()));
                        parts.push(n);
                    }
                    clauses.push(format!("REMOVE {}", parts.join(", ")));
                }
                object.string("UpdateExpression", &clauses.join(" "));
            }
            OpKind::Query {
                index,
                partition,
                limit,
                consistent,
                ..
            } => {
                let (attribute, value) = match (index, partition) {
                    (Some(index), Some(generator)) => {
                        let index = table.index(index).expect("checked at compile");
                        (index.partition.name.as_str(), generator.value(rng))
                    }
                    (None, Some(generator)) => {
                        (table.partition.name.as_str(), generator.value(rng))
                    }
                    (_, None) => {
                        let key = key_of(number);
                        let name = table.partition.name.as_str();
                        (name, key[name].clone())
                    }
                };
                if let Some(index) = index {
                    object.string("IndexName", index);
                }
                *key = Some(label(&value));
                names.push(("#ddbpk".into(), attribute));
                values.push((":ddbpk".into(), value));
                object.string("KeyConditionExpression", "#ddbpk = :ddbpk");
                if let Some(limit) = limit {
                    object.number("Limit", *limit);
                }
                object.bool("ConsistentRead", *consistent);
            }
        }
        if let Some(condition) = &self.condition.expression {
            object.string("ConditionExpression", condition);
        }
        if let Some(filter) = &self.condition.filter {
            object.string("FilterExpression", filter);
        }
        if let Some(returned) = &self.condition.return_values {
            object.string("ReturnValues", returned);
        }
        if !names.is_empty() {
            let mut map = Object::new(object.field("ExpressionAttributeNames"));
            for (placeholder, name) in &names {
                map.string(placeholder, name);
            }
            map.end();
        }
        if !values.is_empty() {
            let mut map = Object::new(object.field("ExpressionAttributeValues"));
            for (placeholder, value) in &values {
                write_value(map.field(placeholder), value)?;
            }
            map.end();
        }
        Ok(())
    }
}

type Names<'a> = Vec<(String, &'a str)>;
type Values = Vec<(String, aws_sdk_dynamodb::types::AttributeValue)>;

/// "#<prefix>i" and ":<prefix>i" for each attribute of `list`, its value generated.
fn placeholders<'a>(
    prefix: &str,
    list: &'a [(String, Generator)],
    names: &mut Names<'a>,
    values: &mut Values,
    rng: &mut impl Rng,
) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    for (i, (attribute, generator)) in list.iter().enumerate() {
        let (n, v) = (format!("#{prefix}{i}"), format!(":{prefix}{i}"));
        names.push((n.clone(), attribute.as_str()));
        values.push((v.clone(), generator.value(rng)));
        parts.push((n, v));
    }
    parts
}

/// `weight: N` (default 1), or `weights: [N, ...]`, one per stage of the run's `--stages`.
fn compile_weights(spec: &Spec) -> Result<Vec<u64>, SpecError> {
    let weight = |w: &Spec| u64::try_from(w.as_int()?).map_err(|_| w.error("expected 0 or more"));
    match (spec.get("weight"), spec.get("weights")) {
        (Some(_), Some(both)) => {
            Err(both.error("give weight (every stage) or weights (one per stage), not both"))
        }
        (Some(w), None) => Ok(vec![weight(&w)?]),
        (None, Some(list)) => {
            let weights = list
                .array()?
                .iter()
                .map(weight)
                .collect::<Result<Vec<_>, _>>()?;
            if weights.is_empty() {
                return Err(list.error("expected one weight per stage"));
            }
            Ok(weights)
        }
        (None, None) => Ok(vec![1]),
    }
}

/// `count`: items in one batch request, 1 to DynamoDB's `most` (100 reads, 25 writes).
fn batch_count(body: &Spec, most: usize) -> Result<usize, SpecError> {
    let spec = body.required("count")?;
    spec.as_int()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| (1..=most).contains(n))
        .ok_or_else(|| spec.error(&format!("expected 1 to {most} items in one request")))
}

fn consistent(body: &Spec) -> Result<bool, SpecError> {
    body.get("consistent_read")
        .map(|c| {
            c.value()
                .as_bool()
                .ok_or_else(|| c.error("expected true or false"))
        })
        .transpose()
        .map(|c| c.unwrap_or(false))
}

fn generators(spec: Option<Spec>) -> Result<Vec<(String, Generator)>, SpecError> {
    let Some(spec) = spec else {
        return Ok(Vec::new());
    };
    spec.fields()?
        .into_iter()
        .map(|(name, g)| Ok((name, Generator::compile(&g)?)))
        .collect()
}

fn compile_kind(kind: &str, body: &Spec, table: &PlanTable) -> Result<OpKind, SpecError> {
    Ok(match kind {
        "get" => OpKind::Get {
            consistent: consistent(body)?,
        },
        "put" => OpKind::Put,
        "delete" => OpKind::Delete,
        "check" => OpKind::Check,
        "batch_get" => OpKind::BatchGet {
            count: batch_count(body, 100)?,
            consistent: consistent(body)?,
        },
        "batch_write" => OpKind::BatchWrite {
            count: batch_count(body, 25)?,
            delete: body
                .get("delete")
                .map(|d| {
                    d.value()
                        .as_bool()
                        .ok_or_else(|| d.error("expected true or false"))
                })
                .transpose()?
                .unwrap_or(false),
        },
        "update" => {
            let set = generators(body.get("set"))?;
            let add = generators(body.get("add"))?;
            let remove = match body.get("remove") {
                None => Vec::new(),
                Some(list) => list
                    .array()?
                    .iter()
                    .map(|a| a.str().map(str::to_owned))
                    .collect::<Result<_, _>>()?,
            };
            if set.is_empty() && add.is_empty() && remove.is_empty() {
                return Err(body.error("an update needs set, add or remove"));
            }
            let keys = [Some(&table.partition), table.sort.as_ref()];
            for name in set
                .iter()
                .map(|(n, _)| n)
                .chain(add.iter().map(|(n, _)| n))
                .chain(&remove)
            {
                if keys.iter().flatten().any(|k| &k.name == name) {
                    return Err(body.error(&format!(
                        "{name:?} is a key attribute: an update cannot change it"
                    )));
                }
            }
            OpKind::Update { set, add, remove }
        }
        "query" => {
            let index = compile_index(body, table)?;
            let partition = body
                .get("partition")
                .map(|p| Generator::compile(&p))
                .transpose()?;
            if index
                .as_deref()
                .is_some_and(|i| !table.index(i).expect("checked").local)
                && partition.is_none()
            {
                return Err(body.error("a query on a global index needs partition: a generator of its partition key's values"));
            }
            OpKind::Query {
                index,
                partition,
                limit: limit(body)?,
                pages: bounded(body, "pages", 1000)?,
                consistent: consistent(body)?,
            }
        }
        "scan" => OpKind::Scan {
            index: compile_index(body, table)?,
            limit: limit(body)?,
            pages: bounded(body, "pages", 1000)?,
            segments: bounded(body, "segments", 1_000_000)?,
            consistent: consistent(body)?,
        },
        _ => unreachable!("kind names come from KINDS"),
    })
}

/// `index`: the name of one of the table's indexes, or absent.
fn compile_index(body: &Spec, table: &PlanTable) -> Result<Option<String>, SpecError> {
    let Some(i) = body.get("index") else {
        return Ok(None);
    };
    let name = i.str()?;
    if table.index(name).is_none() {
        return Err(i.error(&format!("table {:?} has no index {name:?}", table.alias)));
    }
    Ok(Some(name.to_owned()))
}

/// `limit`: items a page reads at most (absent: DynamoDB's 1 MB page).
fn limit(body: &Spec) -> Result<Option<i64>, SpecError> {
    body.get("limit")
        .map(|l| {
            l.as_int()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| l.error("expected a whole number above 0"))
        })
        .transpose()
}

/// A whole number from 1 to `most` under `key` (absent: 1).
fn bounded(body: &Spec, key: &str, most: u32) -> Result<u32, SpecError> {
    match body.get(key) {
        None => Ok(1),
        Some(p) => p
            .as_int()
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (1..=most).contains(n))
            .ok_or_else(|| p.error(&format!("expected a whole number from 1 to {most}"))),
    }
}

fn compile_keys(
    kind: &str,
    body: &Spec,
    table: &PlanTable,
    default_distribution: KeyDistribution,
) -> Result<KeySource, SpecError> {
    if kind == "scan" {
        // A scan reads segments, not keys.
        return Ok(KeySource::New);
    }
    let deletes = body.get("delete").and_then(|d| d.value().as_bool()) == Some(true);
    let source = match body.get("key") {
        None if kind == "put" || (kind == "batch_write" && !deletes) => "new",
        None => "seeded",
        Some(k) => match k.str()? {
            s @ ("new" | "seeded") => s,
            other => return Err(k.error(&format!("expected seeded or new, got {other:?}"))),
        },
    };
    if source == "new" {
        if kind == "batch_get" || (kind == "batch_write" && deletes) {
            return Err(
                body.error("a batch reads or deletes seeded keys (key: new has no item yet)")
            );
        }
        if body.get("distribution").is_some() {
            return Err(body.error("distribution applies to seeded keys, not new ones"));
        }
        return Ok(KeySource::New);
    }
    if table.drawable() == 0 {
        return Err(body.error(&format!(
            "table {:?} has no items or keys to draw from (set items, or keys, or key: new)",
            table.alias
        )));
    }
    let n = table.drawable() as usize;
    let distribution = match body.get("distribution") {
        None => default_distribution,
        Some(d) => match latest_theta(d.str()?).map_err(|why| d.error(why))? {
            Some(theta) => {
                if deletes || kind == "batch_get" || kind == "batch_write" {
                    return Err(d.error("latest draws one key at a time: not for a batch"));
                }
                return Ok(KeySource::Latest(KeyPicker::new(
                    KeyDistribution::Zipf { theta },
                    n,
                )));
            }
            None => d
                .str()?
                .parse()
                .map_err(|e: crate::error::ConfigError| d.error(&e.message))?,
        },
    };
    Ok(KeySource::Seeded(KeyPicker::new(distribution, n)))
}

/// `latest` or `latest:THETA`: zipfian over how far back from the newest item (YCSB's default skew
/// 0.99); None for any other distribution.
fn latest_theta(text: &str) -> Result<Option<f64>, &'static str> {
    let Some(rest) = text.strip_prefix("latest") else {
        return Ok(None);
    };
    match rest.strip_prefix(':') {
        None if rest.is_empty() => Ok(Some(0.99)),
        Some(theta) => match theta.parse::<f64>() {
            Ok(t) if t > 0.0 && t <= 10.0 => Ok(Some(t)),
            _ => Err("latest:THETA takes a THETA more than 0 and at most 10"),
        },
        None => Err("expected latest or latest:THETA"),
    }
}

fn compile_condition(body: &Spec, kind: &OpKind) -> Result<Condition, SpecError> {
    let expression = body
        .get("condition")
        .map(|c| c.str().map(str::to_owned))
        .transpose()?;
    if expression.is_some() && kind.is_read() {
        return Err(body.error("a read has no condition (a query or a scan takes a filter)"));
    }
    let filter = body
        .get("filter")
        .map(|f| f.str().map(str::to_owned))
        .transpose()?;
    let return_values = match body.get("return_values") {
        None => None,
        Some(r) => {
            // PutItem and DeleteItem can return only the old item (API reference, ReturnValues).
            let allowed: &[&str] = if matches!(kind, OpKind::Update { .. }) {
                &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]
            } else {
                &["NONE", "ALL_OLD"]
            };
            let value = r.str()?;
            if !allowed.contains(&value) {
                return Err(r.error(&format!(
                    "ReturnValues here is one of {}, not {value:?}",
                    allowed.join(", ")
                )));
            }
            Some(value.to_owned())
        }
    };
    let names = match body.get("names") {
        None => Vec::new(),
        Some(n) => n
            .fields()?
            .into_iter()
            .map(|(k, v)| {
                if !k.starts_with('#') {
                    return Err(v.error("a name placeholder starts with #"));
                }
                Ok((k, v.str()?.to_owned()))
            })
            .collect::<Result<_, SpecError>>()?,
    };
    let values = generators(body.get("values"))?;
    for (placeholder, _) in &values {
        if !placeholder.starts_with(':') {
            return Err(body.error(&format!(
                "value placeholder {placeholder:?} must start with :"
            )));
        }
    }
    if expression.is_none() && filter.is_none() && (!names.is_empty() || !values.is_empty()) {
        return Err(body.error("names and values go with a condition or a filter"));
    }
    Ok(Condition {
        expression,
        filter,
        names,
        values,
        return_values,
    })
}
