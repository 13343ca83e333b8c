//! DeleteTable: removes the table and its items at once.

use serde_json::{json, Value};

use super::common::table_name;
use super::table_common::describe;
use crate::error::ApiError;
use crate::store::Store;

pub struct DeleteTable {
    name: String,
}

pub fn parse(req: &Value, _store: &Store) -> Result<DeleteTable, ApiError> {
    Ok(DeleteTable {
        name: table_name(req)?,
    })
}

impl DeleteTable {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let mut tables = store.tables_mut();
        match tables.get(&self.name) {
            None => return Err(ApiError::table_not_found_named(&self.name)),
            Some(table) => {
                table.refuse_change_while_creating(store.epoch())?;
                let state = table.state_at(store.now());
                if state.updating.is_some() {
                    return Err(ApiError::table_being_updated(&self.name));
                }
                if state.settings.deletion_protection {
                    return Err(ApiError::deletion_protected());
                }
            }
        }
        let table = tables
            .remove(&self.name)
            .expect("looked up under the same lock");
        drop(tables);
        if let (Some(disk), Some(incarnation)) = (&store.disk, table.incarnation) {
            // A write still under way on the table now writes to memory, not to deleted storage.
            for shard in 0..crate::table::SHARDS {
                *table.shard(shard).items = crate::shard::Shard::default();
            }
            disk.drop_after_journal(incarnation);
        }
        let mut description = describe(&table, store);
        description["TableStatus"] = json!("DELETING");
        Ok(json!({ "TableDescription": description }))
    }
}
