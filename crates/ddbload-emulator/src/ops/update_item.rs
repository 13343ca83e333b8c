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
    legacy, parse_update, project, updated_paths, Action, Bindings, Cond, Operand, PathPart,
    Projection,
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

/// The type an update gives an attribute when the request itself fixes it: a value, arithmetic (a
/// number), list_append (a list), if_not_exists' default; None when it is read from the item.
fn given_type(operand: &Operand) -> Option<&'static str> {
    match operand {
        Operand::Value(value) => Some(value.type_name()),
        Operand::Plus(..) | Operand::Minus(..) => Some("N"),
        Operand::ListAppend(..) => Some("L"),
        Operand::IfNotExists(_, default) => given_type(default),
        Operand::Path(_) | Operand::Size(_) => None,
    }
}

/// The index key attribute a SET or ADD of a whole attribute writes, with the action.
fn index_key_writes<'a>(
    table: &Table,
    actions: &'a [Action],
) -> Vec<(Arc<crate::index::Index>, crate::table::KeyAttr, &'a Action)> {
    let mut found = Vec::new();
    for index in table.indexes().iter() {
        for attr in index.schema.attrs() {
            let writes = actions.iter().find(|action| {
                matches!(action, Action::Set(..) | Action::Add(..))
                    && matches!(action.path().as_slice(), [PathPart::Attr(name)] if *name == attr.name)
            });
            if let Some(action) = writes {
                found.push((index.clone(), attr.clone(), action));
            }
        }
    }
    found
}

/// An update that gives an index key attribute a value of another type than the index's key, where
/// the request fixes the type (`given_type`, or ADD's value): refused before the item is read.
pub fn check_index_key_types_given(table: &Table, actions: &[Action]) -> Result<(), ApiError> {
    for (index, attr, action) in index_key_writes(table, actions) {
        let given = match action {
            Action::Set(_, operand) => given_type(operand),
            Action::Add(_, value) => Some(value.type_name()),
            _ => None,
        };
        if let Some(given) = given.filter(|given| *given != attr.kind) {
            return Err(ApiError::index_key_type_mismatch(
                &attr.name,
                &attr.kind,
                given,
                &index.name,
            ));
        }
    }
    Ok(())
}

/// A SET of an index key attribute to a value read from the item (`SET g = e`) that is not of the
/// index key's type, in DynamoDB's words for it; `item` is the item as updated.
pub fn check_index_keys_set_from_item(
    table: &Table,
    actions: &[Action],
    item: &Item,
) -> Result<(), ApiError> {
    for (_, attr, action) in index_key_writes(table, actions) {
        // A type the request fixes wrongly is `check_index_key_types_given`'s fault (a transaction
        // finds it here); one it fixes rightly can still come out otherwise (if_not_exists).
        let set = matches!(action, Action::Set(_, operand)
            if given_type(operand).is_none_or(|given| given == attr.kind));
        if set
            && item
                .get(&attr.name)
                .is_some_and(|v| v.type_name() != attr.kind)
        {
            return Err(ApiError::index_key_set_to_unsupported_type());
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
    check_index_key_types_given(&table, &actions)?;
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
