//! UpdateItem: SET/REMOVE/ADD/DELETE on one item (created when missing), conditionally; ReturnValues
//! UPDATED_* answer only the updated paths, as DynamoDB documents.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{
    check_bindings_have_expressions, check_paths_clear_of_keys, item_param,
    old_item_on_condition_failure, table_name, write_condition, ReturnCapacity, ReturnValues,
};
use super::item_collection;
use super::write::{write_one, Change};
use crate::error::ApiError;
use crate::expr::{
    legacy, parse_update, project, updated_paths, Action, Bindings, Cond, PathPart, Projection,
};
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::{item_to_json, Item};

pub struct UpdateItem {
    name: String,
    table: Arc<Table>,
    key: ItemKey,
    actions: Vec<Action>,
    condition: Option<Cond>,
    return_values: ReturnValues,
    return_old_on_failure: bool,
    capacity: ReturnCapacity,
    collection_metrics: bool,
}

/// Key attributes cannot be updated.
pub fn check_key_untouched(table: &Table, actions: &[Action]) -> Result<(), ApiError> {
    let schema = &table.schema;
    for action in actions {
        if let PathPart::Attr(name) = &action.path()[0] {
            if schema.is_key_attribute(name) {
                return Err(ApiError::update_of_key(name));
            }
        }
    }
    Ok(())
}

pub fn parse(req: &Value, store: &Store) -> Result<UpdateItem, ApiError> {
    legacy::check_not_mixed(req)?;
    let name = table_name(req)?;
    check_bindings_have_expressions(req, &["UpdateExpression", "ConditionExpression"])?;
    let bindings = Bindings::from_request(req)?;
    let actions = match req.get("UpdateExpression").and_then(Value::as_str) {
        Some(text) => parse_update(text, &bindings)?,
        None => legacy::attribute_updates(req)?.unwrap_or_default(),
    };
    let condition = write_condition(req, &bindings)?;
    bindings.check_all_used()?;
    let return_values = ReturnValues::of(
        req,
        &[
            ReturnValues::AllOld,
            ReturnValues::UpdatedOld,
            ReturnValues::AllNew,
            ReturnValues::UpdatedNew,
        ],
    )?;
    let return_old_on_failure = old_item_on_condition_failure(req)?;
    let capacity = ReturnCapacity::of(req)?;
    let collection_metrics = item_collection::wanted(req);
    let key_item = item_param(req, "Key")?;
    let table = store.table(&name)?;
    let key = table.schema.key_param(&key_item)?;
    check_key_untouched(&table, &actions)?;
    check_paths_clear_of_keys(&table, condition.as_ref(), &actions)?;
    Ok(UpdateItem {
        name,
        table,
        key,
        actions,
        condition,
        return_values,
        return_old_on_failure,
        capacity,
        collection_metrics,
    })
}

impl UpdateItem {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let touched = Projection::new(&updated_paths(&self.actions), true)?;
        let collection = self.collection_metrics.then(|| self.key.clone());
        let written = write_one(
            store,
            &self.table,
            self.key,
            Change::Update(self.actions),
            &self.condition,
            self.return_old_on_failure,
        )?;
        let empty = Item::new();
        let attributes = match self.return_values {
            ReturnValues::None => None,
            ReturnValues::AllOld => written.old.clone(),
            ReturnValues::AllNew => written.new.clone(),
            ReturnValues::UpdatedOld => {
                Some(project(written.old.as_ref().unwrap_or(&empty), &touched))
            }
            ReturnValues::UpdatedNew => {
                Some(project(written.new.as_ref().unwrap_or(&empty), &touched))
            }
        };
        let mut out = json!({});
        if let Some(attributes) = attributes.filter(|a| !a.is_empty()) {
            out["Attributes"] = item_to_json(&attributes);
        }
        if let Some(metrics) =
            collection.and_then(|key| item_collection::metrics(&self.table, &key))
        {
            out["ItemCollectionMetrics"] = metrics;
        }
        Ok(self.capacity.add_to(out, &self.name, &written.consumed))
    }
}
