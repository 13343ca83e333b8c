//! DescribeTimeToLive: whether TTL is on, and on which attribute.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::table_name;
use crate::error::ApiError;
use crate::store::Store;
use crate::table::Table;

pub struct DescribeTimeToLive {
    table: Arc<Table>,
}

pub fn parse(req: &Value, store: &Store) -> Result<DescribeTimeToLive, ApiError> {
    Ok(DescribeTimeToLive {
        table: store.control_plane_table(&table_name(req)?)?,
    })
}

impl DescribeTimeToLive {
    pub fn apply(self, _store: &Store) -> Result<Value, ApiError> {
        Ok(match &self.table.state().settings.ttl_attribute {
            Some(attribute) => {
                json!({"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": attribute}})
            }
            None => json!({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}),
        })
    }
}
