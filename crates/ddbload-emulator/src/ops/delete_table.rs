//! DeleteTable: removes the table and its items, at once or after it has been DELETING for
//! `serve --delete-table-ms`.

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
        let epoch = store.epoch();
        let Some(table) = tables
            .get(&self.name)
            .filter(|t| !t.is_gone(epoch))
            .cloned()
        else {
            return Err(ApiError::table_not_found_named(&self.name));
        };
        table.refuse_change_unless_active(epoch)?;
        let state = table.state_at(store.now());
        if state.updating.is_some() {
            return Err(ApiError::table_in_process_of_being_updated(&self.name));
        }
        if state.settings.deletion_protection {
            return Err(ApiError::deletion_protected());
        }
        if table.indexes().iter().any(|index| index.is_backfilling()) {
            return Err(ApiError::table_delete_while_index_changes());
        }
        drop(state);
        // DELETING for `serve --delete-table-ms` (reads and writes of it are refused meanwhile),
        // or gone at once; a replayed journal deletes at once.
        let replaying = store.is_replaying();
        let delay = if replaying {
            0
        } else {
            store.delete_table_ms()
        };
        // Its stream is DISABLED and readable for 24 hours more, with its earlier ones for what is
        // left of theirs; kept before the table goes, so a reader never misses it. A replayed
        // deletion has no records to keep (streams are not kept on disk).
        table.disable_stream();
        if !replaying {
            store.keep_streams_of_deleted_table(table.streams());
        }
        if delay > 0 {
            table.delete_at(epoch + delay as f64 / 1000.0);
        } else {
            tables.remove(&self.name);
        }
        drop(tables);
        // Its items go at once, DELETING or not; a write still under way on the table writes to
        // memory, not to deleted storage.
        for shard in 0..crate::table::SHARDS {
            *table.shard(shard).items = crate::shard::Shard::default();
        }
        if let (Some(disk), Some(incarnation)) = (&store.disk, table.incarnation) {
            disk.drop_after_journal(incarnation);
        }
        let mut description = describe(&table, store);
        description["TableStatus"] = json!("DELETING");
        if let Some(d) = description.as_object_mut() {
            d.remove("GlobalSecondaryIndexes");
        }
        Ok(json!({ "TableDescription": description }))
    }
}
