//! DeleteItem: removes one item by key (conditionally), charged by the deleted item's size.

use serde_json::Value;

use super::common::item_param;
use super::keyed_write::{write_options, KeyedWrite};
use super::write::Change;
use crate::error::ApiError;
use crate::store::Store;

pub fn parse(req: &Value, store: &Store) -> Result<KeyedWrite, ApiError> {
    let options = write_options(req)?;
    let key_item = item_param(req, "Key")?;
    let table = store.table(&options.name)?;
    let key = table.schema.key_param(&key_item)?;
    options.check_paths_clear_of_keys(&table)?;
    Ok(KeyedWrite {
        options,
        table,
        key,
        change: Change::Delete,
    })
}
