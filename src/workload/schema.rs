//! A table's key schema as DescribeTable gives it, and how to make key values of each attribute type.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, KeyType, ScalarAttributeType, TableDescription};

use crate::error::EngineError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    S,
    N,
    B,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAttr {
    pub name: String,
    pub kind: KeyKind,
}

impl KeyAttr {
    /// A key value of this attribute's type: `text` for strings and binary, `number` for numbers.
    pub fn value(&self, text: &str, number: u64) -> AttributeValue {
        match self.kind {
            KeyKind::S => AttributeValue::S(text.to_owned()),
            KeyKind::N => AttributeValue::N(number.to_string()),
            KeyKind::B => AttributeValue::B(Blob::new(text.as_bytes())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySchema {
    pub partition: KeyAttr,
    pub sort: Option<KeyAttr>,
}

impl KeySchema {
    pub fn from_description(table: &TableDescription) -> Result<Self, EngineError> {
        let table_name = table.table_name().unwrap_or("?");
        let kind_of = |name: &str| -> Result<KeyKind, EngineError> {
            let def = table
                .attribute_definitions()
                .iter()
                .find(|d| d.attribute_name() == name)
                .ok_or_else(|| {
                    EngineError::Table(format!(
                        "table {table_name}: key attribute {name} has no attribute definition"
                    ))
                })?;
            Ok(match def.attribute_type() {
                ScalarAttributeType::N => KeyKind::N,
                ScalarAttributeType::B => KeyKind::B,
                _ => KeyKind::S,
            })
        };
        let mut partition = None;
        let mut sort = None;
        for element in table.key_schema() {
            let attr = KeyAttr {
                name: element.attribute_name().to_owned(),
                kind: kind_of(element.attribute_name())?,
            };
            match element.key_type() {
                KeyType::Hash => partition = Some(attr),
                _ => sort = Some(attr),
            }
        }
        let partition = partition.ok_or_else(|| {
            EngineError::Table(format!("table {table_name} has no partition key"))
        })?;
        Ok(Self { partition, sort })
    }

    /// The key attributes of `item` only.
    pub fn key_of(
        &self,
        item: &HashMap<String, AttributeValue>,
    ) -> Option<HashMap<String, AttributeValue>> {
        let mut key = HashMap::with_capacity(2);
        for attr in std::iter::once(&self.partition).chain(self.sort.as_ref()) {
            key.insert(attr.name.clone(), item.get(&attr.name)?.clone());
        }
        Some(key)
    }

    /// Key attribute names, for a ProjectionExpression.
    pub fn names(&self) -> Vec<&str> {
        std::iter::once(&self.partition)
            .chain(self.sort.as_ref())
            .map(|a| a.name.as_str())
            .collect()
    }
}

/// A short printable form of a key value, for order lines and messages.
pub fn label(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.clone(),
        AttributeValue::B(b) => b.as_ref().iter().map(|x| format!("{x:02x}")).collect(),
        other => format!("{other:?}"),
    }
}
