//! GetItem: one item by key, charged as a read (4 KB units; eventual reads cost half).

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{
    check_bindings_have_expressions, check_projection_clear_of_keys, consistency, item_param,
    projection, shown, table_name, Consumed, ReturnCapacity,
};
use crate::capacity::{read_units, Consistency, Kind};
use crate::error::ApiError;
use crate::expr::{legacy, Bindings, Projection};
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::item_size;

pub struct GetItem {
    name: String,
    table: Arc<Table>,
    key: ItemKey,
    consistency: Consistency,
    projection: Option<Projection>,
    capacity: ReturnCapacity,
}

pub fn parse(req: &Value, store: &Store) -> Result<GetItem, ApiError> {
    legacy::check_not_mixed(req)?;
    let name = table_name(req)?;
    check_bindings_have_expressions(req, &["ProjectionExpression"])?;
    let bindings = Bindings::from_request(req)?;
    let projection = projection(req, &bindings)?;
    bindings.check_all_used()?;
    let capacity = ReturnCapacity::of(req)?;
    let key_item = item_param(req, "Key")?;
    let table = store.table(&name)?;
    let key = table.schema.key_param(&key_item)?;
    check_projection_clear_of_keys(&table, projection.as_ref())?;
    Ok(GetItem {
        name,
        table,
        key,
        consistency: consistency(req),
        projection,
        capacity,
    })
}

impl GetItem {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let item = self.table.shard_of(&self.key).get(&self.key);
        let units = read_units(item.as_ref().map_or(0, item_size), self.consistency);
        self.table
            .charge(Kind::Read, Some(&self.key.partition), units, now)?;
        let mut out = json!({});
        if let Some(item) = &item {
            out["Item"] = shown(item, &self.projection);
        }
        Ok(self
            .capacity
            .add_to(out, &self.name, &Consumed::table(units)))
    }
}
