//! What PutItem and DeleteItem share: the request options they read alike (in DynamoDB's order of
//! checks) and one apply - write or remove the item by key, answer the old item and the capacity.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{
    check_bindings_have_expressions, check_paths_clear_of_keys, old_item_on_condition_failure,
    table_name, write_condition, ReturnCapacity, ReturnValues,
};
use super::item_collection;
use super::write::{write_one, Change};
use crate::error::ApiError;
use crate::expr::{legacy, Bindings, Cond};
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::item_to_json;

/// The options of a PutItem or DeleteItem request besides its item or key.
pub struct WriteOptions {
    pub name: String,
    condition: Option<Cond>,
    return_values: ReturnValues,
    return_old_on_failure: bool,
    capacity: ReturnCapacity,
    collection_metrics: bool,
}

pub fn write_options(req: &Value) -> Result<WriteOptions, ApiError> {
    legacy::check_not_mixed(req)?;
    let name = table_name(req)?;
    check_bindings_have_expressions(req, &["ConditionExpression"])?;
    let bindings = Bindings::from_request(req)?;
    let condition = write_condition(req, &bindings)?;
    bindings.check_all_used()?;
    Ok(WriteOptions {
        name,
        condition,
        return_values: ReturnValues::of(req, &[ReturnValues::AllOld])?,
        return_old_on_failure: old_item_on_condition_failure(req)?,
        capacity: ReturnCapacity::of(req)?,
        collection_metrics: item_collection::wanted(req),
    })
}

impl WriteOptions {
    /// The condition reaches into no key attribute of `table` or its indexes.
    pub fn check_paths_clear_of_keys(&self, table: &Table) -> Result<(), ApiError> {
        check_paths_clear_of_keys(table, self.condition.as_ref(), &[])
    }
}

/// A parsed PutItem or DeleteItem.
pub struct KeyedWrite {
    pub options: WriteOptions,
    pub table: Arc<Table>,
    pub key: ItemKey,
    pub change: Change,
}

impl KeyedWrite {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let options = self.options;
        let collection = options.collection_metrics.then(|| self.key.clone());
        let written = write_one(
            store,
            &self.table,
            self.key,
            self.change,
            &options.condition,
            options.return_old_on_failure,
        )?;
        let mut out = json!({});
        if let (ReturnValues::AllOld, Some(old)) = (options.return_values, &written.old) {
            out["Attributes"] = item_to_json(old);
        }
        if let Some(metrics) =
            collection.and_then(|key| item_collection::metrics(&self.table, &key))
        {
            out["ItemCollectionMetrics"] = metrics;
        }
        Ok(options
            .capacity
            .add_to(out, &options.name, &written.consumed))
    }
}
