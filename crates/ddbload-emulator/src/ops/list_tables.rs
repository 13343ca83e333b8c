//! ListTables: table names in order, 1 to 100 a page, from ExclusiveStartTableName.

use serde_json::{json, Value};

use super::table_common::int;
use crate::error::ApiError;
use crate::store::Store;

pub struct ListTables {
    limit: usize,
    start: Option<String>,
}

pub fn parse(req: &Value, _store: &Store) -> Result<ListTables, ApiError> {
    let limit = match req.get("Limit") {
        None => 100,
        Some(v) => match int(Some(v)) {
            Some(n) if n < 1 => return Err(ApiError::list_tables_limit_below_one()),
            Some(n) if n <= 100 => n as usize,
            _ => return Err(ApiError::list_tables_limit_over_100()),
        },
    };
    Ok(ListTables {
        limit,
        start: req
            .get("ExclusiveStartTableName")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

impl ListTables {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let tables = store.tables();
        let epoch = store.epoch();
        let names: Vec<&String> = tables
            .iter()
            .filter(|(_, table)| !table.is_gone(epoch))
            .map(|(name, _)| name)
            .filter(|n| self.start.as_deref().is_none_or(|s| n.as_str() > s))
            .take(self.limit + 1)
            .collect();
        let mut out = json!({ "TableNames": names.iter().take(self.limit).collect::<Vec<_>>() });
        if names.len() > self.limit {
            out["LastEvaluatedTableName"] = json!(names[self.limit - 1]);
        }
        Ok(out)
    }
}
