//! TagResource: adds or replaces a table's tags (at most 50; keys up to 128 characters, values 256).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::store::Store;
use crate::table::Table;

pub const MAX_TAGS: usize = 50;

pub struct TagResource {
    table: Arc<Table>,
    tags: BTreeMap<String, String>,
}

/// A `Tags` list (`[{Key, Value}]`), checked.
pub fn tags(list: Option<&Value>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    for tag in list.and_then(Value::as_array).into_iter().flatten() {
        let key = tag
            .get("Key")
            .and_then(Value::as_str)
            .filter(|k| (1..=128).contains(&k.chars().count()) && k.chars().all(allowed_in_tag));
        let value = tag
            .get("Value")
            .and_then(Value::as_str)
            .filter(|v| v.chars().count() <= 256 && v.chars().all(allowed_in_tag));
        let (Some(key), Some(value)) = (key, value) else {
            return Err(ApiError::invalid_tag());
        };
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(ApiError::reserved_tag_key());
        }
        out.insert(key.to_owned(), value.to_owned());
    }
    Ok(out)
}

/// The characters a tag key or value may hold (Tagging resources in DynamoDB, tag restrictions).
fn allowed_in_tag(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

pub fn arn(req: &Value) -> Result<&str, ApiError> {
    req.get("ResourceArn")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing("resourceArn"))
}

/// A table whose tags may change now: not while it is CREATING or DELETING.
pub fn changeable(store: &Store, table: Arc<Table>) -> Result<Arc<Table>, ApiError> {
    table.refuse_change_unless_active(store.epoch())?;
    Ok(table)
}

pub fn parse(req: &Value, store: &Store) -> Result<TagResource, ApiError> {
    let tags = tags(req.get("Tags"))?;
    if tags.is_empty() {
        return Err(ApiError::missing("tags"));
    }
    Ok(TagResource {
        table: changeable(store, store.table_by_arn(arn(req)?)?)?,
        tags,
    })
}

impl TagResource {
    pub fn apply(self, _store: &Store) -> Result<Value, ApiError> {
        let mut state = self.table.state();
        let settings = &mut state.settings;
        let mut merged = settings.tags.clone();
        merged.extend(self.tags);
        if merged.len() > MAX_TAGS {
            return Err(ApiError::too_many_tags(MAX_TAGS));
        }
        settings.tags = merged;
        Ok(json!({}))
    }
}
