//! UntagResource: removes a table's tags by key.

use std::sync::Arc;

use serde_json::{json, Value};

use super::tag_resource::arn;
use crate::error::ApiError;
use crate::store::Store;
use crate::table::Table;

pub struct UntagResource {
    table: Arc<Table>,
    keys: Vec<String>,
}

pub fn parse(req: &Value, store: &Store) -> Result<UntagResource, ApiError> {
    let keys = req
        .get("TagKeys")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::missing("tagKeys"))?
        .iter()
        .map(|k| {
            k.as_str()
                .map(str::to_owned)
                .ok_or_else(ApiError::tag_keys_not_text)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(UntagResource {
        table: super::tag_resource::changeable(store, store.table_by_arn(arn(req)?)?)?,
        keys,
    })
}

impl UntagResource {
    pub fn apply(self, _store: &Store) -> Result<Value, ApiError> {
        let mut state = self.table.state();
        let settings = &mut state.settings;
        for key in &self.keys {
            settings.tags.remove(key);
        }
        Ok(json!({}))
    }
}
