//! DeleteItem: removes one item by key (conditionally), charged by the deleted item's size.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{
    check_bindings_have_expressions, item_param, old_item_on_condition_failure,
    refuse_item_collection_metrics, table_name, write_condition, ReturnCapacity, ReturnValues,
};
use super::write::{write_one, Change};
use crate::error::ApiError;
use crate::expr::{legacy, Bindings, Cond};
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::item_to_json;

pub struct DeleteItem {
    name: String,
    table: Arc<Table>,
    key: ItemKey,
    condition: Option<Cond>,
    return_values: ReturnValues,
    return_old_on_failure: bool,
    capacity: ReturnCapacity,
}

pub fn parse(req: &Value, store: &Store) -> Result<DeleteItem, ApiError> {
    legacy::check_not_mixed(req)?;
    refuse_item_collection_metrics(req)?;
    let name = table_name(req)?;
    let bindings = Bindings::from_request(req)?;
    check_bindings_have_expressions(req, &bindings, &["ConditionExpression"])?;
    let condition = write_condition(req, &bindings)?;
    bindings.check_all_used()?;
    let return_values = ReturnValues::of(req, &[ReturnValues::AllOld])?;
    let return_old_on_failure = old_item_on_condition_failure(req)?;
    let capacity = ReturnCapacity::of(req)?;
    let key_item = item_param(req, "Key")?;
    let table = store.table(&name)?;
    let key = table.meta().schema.key_param(&key_item)?;
    Ok(DeleteItem {
        name,
        table,
        key,
        condition,
        return_values,
        return_old_on_failure,
        capacity,
    })
}

impl DeleteItem {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let written = write_one(
            store,
            &self.table,
            self.key,
            Change::Delete,
            &self.condition,
            self.return_old_on_failure,
        )?;
        let mut out = json!({});
        if let (ReturnValues::AllOld, Some(old)) = (self.return_values, &written.old) {
            out["Attributes"] = item_to_json(old);
        }
        Ok(self.capacity.add_to(out, &self.name, &written.consumed))
    }
}
