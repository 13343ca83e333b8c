//! The emulator's in-memory tables: definitions, items ordered by partition and sort key, and each
//! table's capacity state. One lock guards all tables, so every request (and transaction) is atomic.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::capacity::{Clock, TableCapacity};
use super::error::ApiError;
use super::value::{item_size, Av, Item, KeyValue};

pub const ACCOUNT: &str = "000000000000";

#[derive(Debug, Clone, PartialEq)]
pub struct KeyAttr {
    pub name: String,
    /// "S", "N" or "B".
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct Gsi {
    pub name: String,
    pub key_schema: Value,
    pub projection: Value,
    pub provisioned: Option<(i64, i64)>,
    pub warm: (i64, i64),
}

#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub partition: KeyAttr,
    pub sort: Option<KeyAttr>,
    pub attribute_definitions: Value,
    pub gsis: Vec<Gsi>,
    pub created: f64,
    pub billing_mode: String,
    pub provisioned: (i64, i64),
    pub last_switch_to_on_demand: Option<f64>,
    pub items: BTreeMap<KeyValue, BTreeMap<Option<KeyValue>, Item>>,
    pub item_count: usize,
    pub size_bytes: usize,
    pub capacity: TableCapacity,
}

pub type FullKey = (KeyValue, Option<KeyValue>);

impl Table {
    pub fn arn(&self, region: &str) -> String {
        format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{}", self.name)
    }

    fn key_value(
        &self,
        attr: &KeyAttr,
        value: Option<&Av>,
        strict: bool,
    ) -> Result<KeyValue, ApiError> {
        let value = value.ok_or_else(|| {
            if strict {
                ApiError::validation("The provided key element does not match the schema")
            } else {
                ApiError::validation(format!(
                    "One or more parameter values were invalid: Missing the key {} in the item",
                    attr.name
                ))
            }
        })?;
        if value.type_name() != attr.kind {
            return Err(if strict {
                ApiError::validation("The provided key element does not match the schema")
            } else {
                ApiError::validation(format!(
                    "One or more parameter values were invalid: Type mismatch for key {} expected: {} actual: {}",
                    attr.name,
                    attr.kind,
                    value.type_name()
                ))
            });
        }
        let key = KeyValue::of(value).expect("key types are S, N or B");
        if matches!(&key, KeyValue::S(s) if s.is_empty())
            || matches!(&key, KeyValue::B(b) if b.is_empty())
        {
            return Err(ApiError::validation(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: {}",
                attr.name
            )));
        }
        Ok(key)
    }

    /// The key of a whole item (PutItem, BatchWriteItem).
    pub fn key_of_item(&self, item: &Item) -> Result<FullKey, ApiError> {
        let pk = self.key_value(&self.partition, item.get(&self.partition.name), false)?;
        let sk = match &self.sort {
            Some(sort) => Some(self.key_value(sort, item.get(&sort.name), false)?),
            None => None,
        };
        Ok((pk, sk))
    }

    /// A `Key` parameter: exactly the key attributes, of the right types.
    pub fn key_param(&self, key: &Item) -> Result<FullKey, ApiError> {
        let expected = 1 + usize::from(self.sort.is_some());
        if key.len() != expected {
            return Err(ApiError::validation(
                "The provided key element does not match the schema",
            ));
        }
        let pk = self.key_value(&self.partition, key.get(&self.partition.name), true)?;
        let sk = match &self.sort {
            Some(sort) => Some(self.key_value(sort, key.get(&sort.name), true)?),
            None => None,
        };
        Ok((pk, sk))
    }

    pub fn key_item(&self, key: &FullKey) -> Item {
        let mut item = Item::new();
        item.insert(self.partition.name.clone(), key.0.to_av());
        if let (Some(sort), Some(sk)) = (&self.sort, &key.1) {
            item.insert(sort.name.clone(), sk.to_av());
        }
        item
    }

    pub fn get(&self, key: &FullKey) -> Option<&Item> {
        self.items.get(&key.0)?.get(&key.1)
    }

    pub fn put(&mut self, key: FullKey, item: Item) -> Option<Item> {
        let size = item_size(&item);
        let old = self.items.entry(key.0).or_default().insert(key.1, item);
        match &old {
            Some(previous) => self.size_bytes = self.size_bytes + size - item_size(previous),
            None => {
                self.size_bytes += size;
                self.item_count += 1;
            }
        }
        old
    }

    pub fn delete(&mut self, key: &FullKey) -> Option<Item> {
        let partition = self.items.get_mut(&key.0)?;
        let old = partition.remove(&key.1)?;
        if partition.is_empty() {
            self.items.remove(&key.0);
        }
        self.item_count -= 1;
        self.size_bytes -= item_size(&old);
        Some(old)
    }
}

pub struct Store {
    tables: Mutex<BTreeMap<String, Table>>,
    pub clock: Arc<dyn Clock>,
    pub region: String,
}

impl Store {
    pub fn new(clock: Arc<dyn Clock>, region: &str) -> Self {
        Self {
            tables: Mutex::default(),
            clock,
            region: region.to_owned(),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Table>> {
        // A panic while holding the lock must not take the whole endpoint down.
        self.tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn now(&self) -> f64 {
        self.clock.now()
    }
}

pub fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| (d.as_millis() as f64) / 1000.0)
        .unwrap_or_default()
}

/// A table name from a request, checked like DynamoDB does.
pub fn table_name(request: &Value) -> Result<&str, ApiError> {
    let name = request
        .get("TableName")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"))?;
    check_table_name(name)?;
    Ok(name)
}

fn check_table_name(name: &str) -> Result<(), ApiError> {
    if !crate::config::is_valid_table_name(name) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )));
    }
    Ok(())
}
