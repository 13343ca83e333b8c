//! ListTagsOfResource: a table's tags, in key order.
//!
//! All of them in one answer, and never a NextToken, as DynamoDB does: a table has at most 50 tags, and
//! DynamoDB's team says the operation does not page at the API level (aws/aws-sdk#583), so a NextToken
//! sent (only its type and length are checked) changes nothing.

use std::sync::Arc;

use serde_json::{json, Value};

use super::tag_resource::arn;
use crate::error::ApiError;
use crate::store::Store;
use crate::table::Table;

pub struct ListTagsOfResource {
    table: Arc<Table>,
}

pub fn parse(req: &Value, store: &Store) -> Result<ListTagsOfResource, ApiError> {
    Ok(ListTagsOfResource {
        table: store.table_by_arn(arn(req)?)?,
    })
}

impl ListTagsOfResource {
    pub fn apply(self, _store: &Store) -> Result<Value, ApiError> {
        let tags: Vec<Value> = self
            .table
            .state()
            .settings
            .tags
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        Ok(json!({ "Tags": tags }))
    }
}
