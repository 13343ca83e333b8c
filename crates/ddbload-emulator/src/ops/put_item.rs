//! PutItem: writes a whole item (conditionally), charged by the larger of the old and new item.

use serde_json::Value;

use super::common::{item_param, MAX_ITEM_BYTES};
use super::keyed_write::{write_options, KeyedWrite};
use super::write::Change;
use crate::error::ApiError;
use crate::store::Store;
use crate::value::item_size;

pub fn parse(req: &Value, store: &Store) -> Result<KeyedWrite, ApiError> {
    let options = write_options(req)?;
    let item = item_param(req, "Item")?;
    if item_size(&item) > MAX_ITEM_BYTES {
        return Err(ApiError::item_too_large());
    }
    let table = store.table(&options.name)?;
    let key = table.schema.key_of_item(&item)?;
    options.check_paths_clear_of_keys(&table)?;
    Ok(KeyedWrite {
        options,
        table,
        key,
        change: Change::Put(item),
    })
}
