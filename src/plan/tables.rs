//! A workload file's tables: key schema, indexes, the items seeded into them and how their keys are made.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use rand::Rng;

use super::generate::Generator;
use super::spec::{Spec, SpecError};
use crate::control_plane::setup_error;
use crate::error::EngineError;
use crate::fastpath::wire::Item;
use aws_sdk_dynamodb::types::AttributeValue;

/// A key attribute: its name and DynamoDB type (S, N or B).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyAttribute {
    pub name: String,
    pub kind: ScalarAttributeType,
}

impl KeyAttribute {
    fn compile(spec: &Spec) -> Result<KeyAttribute, SpecError> {
        spec.only(&["name", "type"])?;
        let kind_spec = spec.required("type")?;
        let kind = match kind_spec.str()? {
            "S" => ScalarAttributeType::S,
            "N" => ScalarAttributeType::N,
            "B" => ScalarAttributeType::B,
            other => return Err(kind_spec.error(&format!("{other:?} is not S, N or B"))),
        };
        Ok(KeyAttribute {
            name: spec.required("name")?.str()?.to_owned(),
            kind,
        })
    }

    /// The value numbered `n`: "<prefix><n>" for S, n for N, n's 8 bytes for B.
    fn value(&self, prefix: &str, n: u64) -> AttributeValue {
        match self.kind {
            ScalarAttributeType::N => AttributeValue::N(n.to_string()),
            ScalarAttributeType::B => AttributeValue::B(Blob::new(n.to_be_bytes().to_vec())),
            _ => AttributeValue::S(format!("{prefix}{n}")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Index {
    pub name: String,
    pub local: bool,
    pub partition: KeyAttribute,
    pub sort: Option<KeyAttribute>,
    /// A global index's capacity when the run creates it.
    pub billing: Billing,
}

/// Capacity for a table the run creates: on-demand, or provisioned read/write units (indexes alike).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Billing {
    OnDemand,
    Provisioned { read: i64, write: i64 },
}

#[derive(Debug, Clone)]
pub struct PlanTable {
    /// The name operations use.
    pub alias: String,
    /// The DynamoDB table.
    pub name: String,
    pub partition: KeyAttribute,
    pub sort: Option<KeyAttribute>,
    pub key_prefix: String,
    pub items_per_partition: u64,
    pub indexes: Vec<Index>,
    /// Items 0..items are seeded and are the keys reads draw from.
    pub items: u64,
    /// Keys sampled from the table (`workload init`): reads draw from these instead, nothing is seeded.
    pub sampled_keys: Vec<Item>,
    pub attributes: Vec<(String, Generator)>,
    pub billing: Billing,
    /// A table some operation reads `latest`: its new items are numbered in sequence.
    pub inserts: Option<std::sync::Arc<super::inserts::Inserts>>,
}

impl PlanTable {
    pub fn compile(alias: &str, spec: &Spec) -> Result<PlanTable, SpecError> {
        spec.only(&[
            "table",
            "partition_key",
            "sort_key",
            "key_prefix",
            "items_per_partition",
            "indexes",
            "items",
            "keys",
            "item",
            "billing",
        ])?;
        let partition = KeyAttribute::compile(&spec.required("partition_key")?)?;
        let sort = spec
            .get("sort_key")
            .map(|s| KeyAttribute::compile(&s))
            .transpose()?;
        let items_per_partition = positive(spec, "items_per_partition")?.unwrap_or(1);
        if items_per_partition > 1 && sort.is_none() {
            return Err(spec.error("items_per_partition above 1 needs a sort_key"));
        }
        let billing = compile_billing(spec)?;
        let mut indexes = Vec::new();
        if let Some(list) = spec.get("indexes") {
            for index in list.array()? {
                indexes.push(compile_index(&index, &partition, billing)?);
            }
        }
        let mut attributes = Vec::new();
        if let Some(item) = spec.get("item") {
            for (name, generator) in item.fields()? {
                if name == partition.name || sort.as_ref().is_some_and(|s| s.name == name) {
                    return Err(generator
                        .error("a key attribute is made from the item's number, not generated"));
                }
                attributes.push((name, Generator::compile(&generator)?));
            }
        }
        let sampled_keys = match spec.get("keys") {
            None => Vec::new(),
            Some(list) => list
                .array()?
                .iter()
                .map(|key| sampled_key(key, &partition, sort.as_ref()))
                .collect::<Result<_, _>>()?,
        };
        if !sampled_keys.is_empty() && spec.get("items").is_some() {
            return Err(spec.error(
                "keys (the table's own, drawn by reads) and items (seeded by ddbload) exclude each other",
            ));
        }
        Ok(PlanTable {
            sampled_keys,
            alias: alias.to_owned(),
            name: spec
                .get("table")
                .map(|t| t.str().map(str::to_owned))
                .transpose()?
                .unwrap_or_else(|| alias.to_owned()),
            partition,
            sort,
            key_prefix: spec
                .get("key_prefix")
                .map(|p| p.str().map(str::to_owned))
                .transpose()?
                .unwrap_or_default(),
            items_per_partition,
            indexes,
            items: spec
                .get("items")
                .map(|spec| {
                    let n = spec.as_int()?;
                    u64::try_from(n).map_err(|_| spec.error("expected 0 or more"))
                })
                .transpose()?
                .unwrap_or(0),
            attributes,
            billing,
            inserts: None,
        })
    }

    /// How many keys seeded draws pick from: the sampled keys, or the seeded items.
    pub fn drawable(&self) -> u64 {
        if self.sampled_keys.is_empty() {
            self.items
        } else {
            self.sampled_keys.len() as u64
        }
    }

    /// The key of item number `n`: the n-th sampled key, or one made from the number (partition
    /// n / items_per_partition, sort n % items_per_partition).
    pub fn key(&self, n: u64) -> Item {
        if let Some(key) = self.sampled_keys.get(n as usize) {
            return key.clone();
        }
        let mut key = Item::with_capacity(2);
        let per = self.items_per_partition;
        key.insert(
            self.partition.name.clone(),
            self.partition.value(&self.key_prefix, n / per),
        );
        if let Some(sort) = &self.sort {
            key.insert(sort.name.clone(), sort.value("", n % per));
        }
        key
    }

    /// Item number `n`: its key and generated attributes.
    pub fn item(&self, n: u64, rng: &mut impl Rng) -> Item {
        let mut item = self.key(n);
        for (name, generator) in &self.attributes {
            item.insert(name.clone(), generator.value(rng));
        }
        item
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// CreateTable with the file's keys, indexes and billing.
    pub async fn create(&self, client: &Client, endpoint: &str) -> Result<(), EngineError> {
        let element = |a: &KeyAttribute, t: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(&a.name)
                .key_type(t)
                .build()
                .expect("name and type are set")
        };
        let schema = |p: &KeyAttribute, s: &Option<KeyAttribute>| {
            let mut keys = vec![element(p, KeyType::Hash)];
            keys.extend(s.iter().map(|s| element(s, KeyType::Range)));
            keys
        };
        let mut defined: Vec<&KeyAttribute> = Vec::new();
        for attribute in [Some(&self.partition), self.sort.as_ref()]
            .into_iter()
            .flatten()
            .chain(
                self.indexes
                    .iter()
                    .flat_map(|i| [Some(&i.partition), i.sort.as_ref()])
                    .flatten(),
            )
        {
            if !defined.iter().any(|d| d.name == attribute.name) {
                defined.push(attribute);
            }
        }
        let throughput = provisioned(self.billing);
        let all = Projection::builder()
            .projection_type(ProjectionType::All)
            .build();
        let mut request = client
            .create_table()
            .table_name(&self.name)
            .set_key_schema(Some(schema(&self.partition, &self.sort)))
            .set_attribute_definitions(Some(
                defined
                    .iter()
                    .map(|a| {
                        AttributeDefinition::builder()
                            .attribute_name(&a.name)
                            .attribute_type(a.kind.clone())
                            .build()
                            .expect("name and type are set")
                    })
                    .collect(),
            ));
        request = match throughput.clone() {
            None => request.billing_mode(BillingMode::PayPerRequest),
            Some(t) => request
                .billing_mode(BillingMode::Provisioned)
                .provisioned_throughput(t),
        };
        for index in &self.indexes {
            let keys = schema(&index.partition, &index.sort);
            request = if index.local {
                request.local_secondary_indexes(
                    LocalSecondaryIndex::builder()
                        .index_name(&index.name)
                        .set_key_schema(Some(keys))
                        .projection(all.clone())
                        .build()
                        .expect("name, keys and projection are set"),
                )
            } else {
                request.global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(&index.name)
                        .set_key_schema(Some(keys))
                        .projection(all.clone())
                        .set_provisioned_throughput(provisioned(index.billing))
                        .build()
                        .expect("name, keys and projection are set"),
                )
            };
        }
        request
            .send()
            .await
            .map_err(|err| setup_error(err, &format!("CreateTable {}", self.name), endpoint))?;
        Ok(())
    }
}

/// One sampled key: `{attribute: value}` for each key attribute, N as an integer or exact decimal
/// string, B as base64.
fn sampled_key(
    spec: &Spec,
    partition: &KeyAttribute,
    sort: Option<&KeyAttribute>,
) -> Result<Item, SpecError> {
    let names: Vec<&str> = [Some(partition), sort]
        .into_iter()
        .flatten()
        .map(|a| a.name.as_str())
        .collect();
    spec.only(&names)?;
    let mut key = Item::new();
    for attribute in [Some(partition), sort].into_iter().flatten() {
        let value = spec.required(&attribute.name)?;
        let typed = match (&attribute.kind, value.value()) {
            (ScalarAttributeType::S, serde_json::Value::String(s)) => AttributeValue::S(s.clone()),
            (ScalarAttributeType::N, serde_json::Value::Number(n)) if n.is_i64() || n.is_u64() => {
                AttributeValue::N(n.to_string())
            }
            (ScalarAttributeType::N, serde_json::Value::String(s))
                if s.parse::<rust_decimal::Decimal>().is_ok() =>
            {
                AttributeValue::N(s.clone())
            }
            (ScalarAttributeType::B, serde_json::Value::String(s)) => {
                use base64::Engine as _;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .map_err(|_| value.error("a binary key is written in base64"))?;
                AttributeValue::B(Blob::new(bytes))
            }
            (kind, _) => {
                return Err(value.error(&format!(
                    "expected a value of type {} for key attribute {}",
                    kind.as_str(),
                    attribute.name
                )))
            }
        };
        key.insert(attribute.name.clone(), typed);
    }
    Ok(key)
}

/// CreateTable's figures for `billing` (None: on-demand).
fn provisioned(billing: Billing) -> Option<ProvisionedThroughput> {
    match billing {
        Billing::OnDemand => None,
        Billing::Provisioned { read, write } => Some(
            ProvisionedThroughput::builder()
                .read_capacity_units(read)
                .write_capacity_units(write)
                .build()
                .expect("both figures are set"),
        ),
    }
}

fn positive(spec: &Spec, key: &str) -> Result<Option<u64>, SpecError> {
    spec.get(key)
        .map(|n| {
            let v = n.as_int()?;
            u64::try_from(v)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| n.error("expected a whole number above 0"))
        })
        .transpose()
}

fn compile_index(
    spec: &Spec,
    table_partition: &KeyAttribute,
    table_billing: Billing,
) -> Result<Index, SpecError> {
    spec.only(&["name", "partition_key", "sort_key", "local", "billing"])?;
    let local = spec
        .get("local")
        .map(|l| {
            l.value()
                .as_bool()
                .ok_or_else(|| l.error("expected true or false"))
        })
        .transpose()?
        .unwrap_or(false);
    let partition = match spec.get("partition_key") {
        Some(p) => KeyAttribute::compile(&p)?,
        None if local => table_partition.clone(),
        None => return Err(spec.error("partition_key is required for a global index")),
    };
    if local && partition != *table_partition {
        return Err(spec.error("a local index shares the table's partition key"));
    }
    let sort = spec
        .get("sort_key")
        .map(|s| KeyAttribute::compile(&s))
        .transpose()?;
    if local && sort.is_none() {
        return Err(spec.error("a local index needs a sort_key"));
    }
    // A global index of a provisioned table has its own figures (the table's unless given); an
    // on-demand table's indexes are on-demand, and a local index shares the table's.
    let billing = match (spec.get("billing"), table_billing) {
        (None, billing) => billing,
        (Some(b), _) if local => return Err(b.error("a local index uses its table's capacity")),
        (Some(b), Billing::OnDemand) => {
            return Err(b.error("an on-demand table's indexes are on-demand too"))
        }
        (Some(_), Billing::Provisioned { .. }) => compile_billing(spec)?,
    };
    Ok(Index {
        name: spec.required("name")?.str()?.to_owned(),
        local,
        partition,
        sort,
        billing,
    })
}

fn compile_billing(spec: &Spec) -> Result<Billing, SpecError> {
    let Some(billing) = spec.get("billing") else {
        return Ok(Billing::OnDemand);
    };
    if billing.value().as_str() == Some("on_demand") {
        return Ok(Billing::OnDemand);
    }
    billing.only(&["read", "write"])?;
    let units = |key: &str| -> Result<i64, SpecError> {
        let v = billing.int(key)?;
        if v < 1 {
            return Err(billing
                .required(key)?
                .error("expected 1 or more capacity units"));
        }
        Ok(v)
    };
    Ok(Billing::Provisioned {
        read: units("read")?,
        write: units("write")?,
    })
}
