//! A workload file's operations: each compiled once, then written as DynamoDB JSON per request with
//! fresh keys and values.

use rand::Rng;

use super::generate::Generator;
use super::spec::{Spec, SpecError};
use super::tables::PlanTable;
use crate::fastpath::wire::{write_value, Object, Unsupported};
use crate::fastpath::Operation;
use crate::workload::keys::{KeyDistribution, KeyPicker};

/// Which item an operation acts on: one of the seeded items by a distribution, or a new one.
#[derive(Debug, Clone)]
pub enum KeySource {
    Seeded(KeyPicker),
    New,
}

/// A condition expression with its placeholders: names fixed, values generated per request.
#[derive(Debug, Clone, Default)]
pub struct Condition {
    pub expression: Option<String>,
    pub names: Vec<(String, String)>,
    pub values: Vec<(String, Generator)>,
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
        matches!(self, OpKind::Get { .. } | OpKind::Query { .. })
    }

    /// The TransactItems member an action is written under.
    fn transact_member(&self) -> &'static str {
        match self {
            OpKind::Put => "Put",
            OpKind::Update { .. } => "Update",
            OpKind::Delete => "Delete",
            _ => "ConditionCheck",
        }
    }

    /// Requests one operation may send in a row when each answers with more to read.
    pub fn pages(&self) -> u32 {
        match self {
            OpKind::Query { pages, .. } => *pages,
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
        }
    }
}

#[derive(Debug, Clone)]
pub struct PlanOp {
    pub name: String,
    pub weight: u64,
    pub table: usize,
    pub kind: OpKind,
    pub keys: KeySource,
    pub condition: Condition,
}

const KINDS: [&str; 6] = ["get", "put", "update", "delete", "query", "transact"];
/// What a transaction's actions may be.
const ACTIONS: [&str; 4] = ["put", "update", "delete", "check"];

impl PlanOp {
    pub fn compile(
        spec: &Spec,
        tables: &[PlanTable],
        default_distribution: KeyDistribution,
    ) -> Result<PlanOp, SpecError> {
        let mut known = vec!["name", "weight"];
        known.extend(KINDS);
        spec.only(&known)?;
        let name = spec.required("name")?.str()?.to_owned();
        let weight = match spec.get("weight") {
            None => 1,
            Some(w) => u64::try_from(w.as_int()?).map_err(|_| w.error("expected 0 or more"))?,
        };
        if let Some(list) = spec.get("transact") {
            let mut actions = Vec::new();
            for action in list.array()? {
                action.only(&ACTIONS)?;
                actions.push(Self::compile_action(
                    &action,
                    &ACTIONS,
                    tables,
                    default_distribution,
                )?);
            }
            if actions.is_empty() || actions.len() > 100 {
                return Err(list.error("a transaction has 1 to 100 actions"));
            }
            if spec.fields()?.len() > 3 {
                return Err(spec.error(&format!("expected exactly one of {}", KINDS.join(", "))));
            }
            return Ok(PlanOp {
                name,
                weight,
                table: actions[0].table,
                kind: OpKind::Transact(actions),
                keys: KeySource::New,
                condition: Condition::default(),
            });
        }
        let mut op = Self::compile_action(spec, &KINDS[..5], tables, default_distribution)?;
        op.name = name;
        op.weight = weight;
        Ok(op)
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
            "update" => &["set", "add", "remove"][..],
            "query" => &["index", "partition", "limit", "pages", "consistent_read"][..],
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
        let kind = compile_kind(kind_name, &body, &tables[table])?;
        let keys = compile_keys(kind_name, &body, &tables[table], default_distribution)?;
        let condition = compile_condition(&body, &kind)?;
        if matches!(kind, OpKind::Check) && condition.expression.is_none() {
            return Err(body.error("a check needs its condition"));
        }
        Ok(PlanOp {
            name: String::new(),
            weight: 0,
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
        let mut object = Object::new(out);
        match &self.kind {
            OpKind::Transact(actions) => {
                let list = object.field("TransactItems");
                list.push(b'[');
                for (i, action) in actions.iter().enumerate() {
                    if i > 0 {
                        list.push(b',');
                    }
                    let mut wrapper = Object::new(list);
                    let mut fields = Object::new(wrapper.field(action.kind.transact_member()));
                    action.write_fields(&mut fields, tables, rng)?;
                    fields.end();
                    wrapper.end();
                }
                list.push(b']');
            }
            _ => self.write_fields(&mut object, tables, rng)?,
        }
        object.string("ReturnConsumedCapacity", "TOTAL");
        object.end();
        Ok(self.kind.operation())
    }

    /// The request's own members: table, key or item, expressions (a transaction's action alike).
    fn write_fields(
        &self,
        object: &mut Object,
        tables: &[PlanTable],
        rng: &mut impl Rng,
    ) -> Result<(), Unsupported> {
        let table = &tables[self.table];
        let number = match &self.keys {
            KeySource::Seeded(picker) => picker.pick(rng) as u64,
            KeySource::New => table.drawable() + (rng.random::<u64>() >> 2),
        };
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
                object.item("Key", &table.key(number))?;
                object.bool("ConsistentRead", *consistent);
            }
            OpKind::Put => object.item("Item", &table.item(number, rng))?,
            OpKind::Delete | OpKind::Check => object.item("Key", &table.key(number))?,
            OpKind::Transact(_) => return Err(Unsupported("a transaction inside a transaction")),
            OpKind::Update { set, add, remove } => {
                object.item("Key", &table.key(number))?;
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
                        let key = table.key(number);
                        let name = table.partition.name.as_str();
                        (name, key[name].clone())
                    }
                };
                if let Some(index) = index {
                    object.string("IndexName", index);
                }
                names.push(("#ddbpk".into(), attribute));
                values.push((":ddbpk".into(), value));
                object.string("KeyConditionExpression", "#ddbpk = :ddbpk");
                if let Some(limit) = limit {
                    let field = object.field("Limit");
                    field.extend_from_slice(limit.to_string().as_bytes());
                }
                object.bool("ConsistentRead", *consistent);
            }
        }
        if let Some(condition) = &self.condition.expression {
            object.string("ConditionExpression", condition);
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
            let index = match body.get("index") {
                None => None,
                Some(i) => {
                    let name = i.str()?;
                    if table.index(name).is_none() {
                        return Err(
                            i.error(&format!("table {:?} has no index {name:?}", table.alias))
                        );
                    }
                    Some(name.to_owned())
                }
            };
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
            let limit = match body.get("limit") {
                None => None,
                Some(l) => Some(
                    l.as_int()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| l.error("expected a whole number above 0"))?,
                ),
            };
            let pages = match body.get("pages") {
                None => 1,
                Some(p) => p
                    .as_int()
                    .ok()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| p.error("expected a whole number from 1 to 1000"))?,
            };
            OpKind::Query {
                index,
                partition,
                limit,
                pages,
                consistent: consistent(body)?,
            }
        }
        _ => unreachable!("kind names come from KINDS"),
    })
}

fn compile_keys(
    kind: &str,
    body: &Spec,
    table: &PlanTable,
    default_distribution: KeyDistribution,
) -> Result<KeySource, SpecError> {
    let source = match body.get("key") {
        None if kind == "put" => "new",
        None => "seeded",
        Some(k) => match k.str()? {
            s @ ("new" | "seeded") => s,
            other => return Err(k.error(&format!("expected seeded or new, got {other:?}"))),
        },
    };
    if source == "new" {
        if body.get("distribution").is_some() {
            return Err(body.error("distribution applies to seeded keys, not new ones"));
        }
        return Ok(KeySource::New);
    }
    let distribution = match body.get("distribution") {
        None => default_distribution,
        Some(d) => d
            .str()?
            .parse()
            .map_err(|e: crate::error::ConfigError| d.error(&e.message))?,
    };
    if table.drawable() == 0 {
        return Err(body.error(&format!(
            "table {:?} has no items or keys to draw from (set items, or keys, or key: new)",
            table.alias
        )));
    }
    Ok(KeySource::Seeded(KeyPicker::new(
        distribution,
        table.drawable() as usize,
    )))
}

fn compile_condition(body: &Spec, kind: &OpKind) -> Result<Condition, SpecError> {
    let expression = body
        .get("condition")
        .map(|c| c.str().map(str::to_owned))
        .transpose()?;
    if expression.is_some() && kind.is_read() {
        return Err(body.error("a read has no condition (use a filter in a later version)"));
    }
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
    if expression.is_none() && (!names.is_empty() || !values.is_empty()) {
        return Err(body.error("names and values go with a condition"));
    }
    Ok(Condition {
        expression,
        names,
        values,
    })
}
