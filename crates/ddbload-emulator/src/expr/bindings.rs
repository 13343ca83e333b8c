//! ExpressionAttributeNames and ExpressionAttributeValues of one request, checked and tracked: values
//! are validated as items are (errors name the key), and names or values no expression used are refused.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::error::{ApiError, ExprKind};
use crate::value::Av;

/// DynamoDB's first checks of a names or values map, before any of its entries is read: not empty,
/// and every key the sigil and then letters, digits or underscores.
fn check_keys(
    map: &serde_json::Map<String, Value>,
    sigil: char,
    field: &str,
) -> Result<(), ApiError> {
    if map.is_empty() {
        return Err(ApiError::bindings_empty(field));
    }
    let well_formed = |key: &str| {
        key.strip_prefix(sigil).is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    };
    match map.keys().find(|key| !well_formed(key)) {
        Some(key) => Err(ApiError::binding_key_invalid(field, key)),
        None => Ok(()),
    }
}

#[derive(Debug, Default)]
pub struct Bindings {
    names: BTreeMap<String, String>,
    values: BTreeMap<String, Av>,
    used_names: RefCell<BTreeSet<String>>,
    used_values: RefCell<BTreeSet<String>>,
}

impl Bindings {
    pub fn from_request(request: &Value) -> Result<Self, ApiError> {
        // An attribute name is at most 64 KB (DynamoDB's limit, with its message).
        const MAX_NAME_BYTES: usize = 65536;
        let mut names = BTreeMap::new();
        if let Some(map) = request
            .get("ExpressionAttributeNames")
            .and_then(Value::as_object)
        {
            check_keys(map, '#', "ExpressionAttributeNames")?;
            for (k, v) in map {
                let name = v.as_str().ok_or_else(ApiError::attribute_names_not_text)?;
                if name.len() >= MAX_NAME_BYTES {
                    return Err(ApiError::attribute_name_too_large(k, MAX_NAME_BYTES));
                }
                if name.is_empty() {
                    return Err(ApiError::empty_attribute_name_for(k));
                }
                names.insert(k.clone(), name.to_owned());
            }
        }
        let mut values = BTreeMap::new();
        if let Some(map) = request
            .get("ExpressionAttributeValues")
            .and_then(Value::as_object)
        {
            check_keys(map, ':', "ExpressionAttributeValues")?;
            for (k, v) in map {
                let value = Av::from_json(v).map_err(|e| ApiError::invalid_value(k, &e))?;
                values.insert(k.clone(), value);
            }
        }
        Ok(Self {
            names,
            values,
            ..Self::default()
        })
    }

    pub fn has_names(&self) -> bool {
        !self.names.is_empty()
    }

    pub fn has_values(&self) -> bool {
        !self.values.is_empty()
    }

    /// The attribute a `#name` stands for; None when ExpressionAttributeNames does not define it.
    pub fn name(&self, alias: &str) -> Option<String> {
        self.used_names.borrow_mut().insert(alias.to_owned());
        self.names.get(alias).cloned()
    }

    pub fn value(&self, placeholder: &str, kind: ExprKind) -> Result<Av, ApiError> {
        self.used_values.borrow_mut().insert(placeholder.to_owned());
        self.values
            .get(placeholder)
            .cloned()
            .ok_or_else(|| ApiError::undefined_attribute_value(kind, placeholder))
    }

    /// DynamoDB refuses names and values that no expression used.
    pub fn check_all_used(&self) -> Result<(), ApiError> {
        let unused = |all: Vec<&String>, used: &BTreeSet<String>| -> Vec<String> {
            all.into_iter()
                .filter(|k| !used.contains(*k))
                .cloned()
                .collect()
        };
        let names = unused(self.names.keys().collect(), &self.used_names.borrow());
        if !names.is_empty() {
            return Err(ApiError::unused_attribute_names(&names));
        }
        let values = unused(self.values.keys().collect(), &self.used_values.borrow());
        if !values.is_empty() {
            return Err(ApiError::unused_attribute_values(&values));
        }
        Ok(())
    }
}
