//! DescribeTable: the table's definition, capacity settings and item count.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::table_name;
use super::table_common::describe;
use crate::error::ApiError;
use crate::store::Store;
use crate::table::Table;

pub struct DescribeTable {
    table: Arc<Table>,
}

pub fn parse(req: &Value, store: &Store) -> Result<DescribeTable, ApiError> {
    Ok(DescribeTable {
        table: store.control_plane_table(&table_name(req)?)?,
    })
}

impl DescribeTable {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        Ok(json!({ "Table": describe(&self.table, store) }))
    }
}
