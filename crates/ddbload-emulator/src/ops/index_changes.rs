//! UpdateTable's GlobalSecondaryIndexUpdates Create and Delete on a live table: a created index is
//! CREATING while a background thread backfills it from the table's items, shard by shard (not
//! charged to the table, as DynamoDB documents), then ACTIVE; a deleted index goes at once.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::create_table::{index_billing, index_definition, index_name, MAX_GSIS};
use super::table_common::{key_schema, throughput};
use crate::error::ApiError;
use crate::index::{Index, IndexDefinition};
use crate::table::{Table, SHARDS};

/// A pause between shards, so CREATING and Backfilling can be seen even on a small table.
const PAUSE_BETWEEN_SHARDS: Duration = Duration::from_millis(5);

/// One Create or Delete of a global secondary index.
pub enum IndexChange {
    Create {
        definition: Box<IndexDefinition>,
        provisioned: Option<(i64, i64)>,
    },
    Delete(String),
}

/// The Create or Delete in `update`, if it is one (Update is UpdateTable's own).
pub fn parse(update: &Value, definitions: &[Value]) -> Result<Option<IndexChange>, ApiError> {
    if let Some(create) = update.get("Create") {
        if let Some(member) = create.as_object().and_then(|o| {
            o.keys().find(|k| {
                !matches!(
                    k.as_str(),
                    "IndexName" | "KeySchema" | "Projection" | "ProvisionedThroughput"
                )
            })
        }) {
            return Err(ApiError::unsupported(&format!(
                "{member} in a GlobalSecondaryIndexUpdates Create"
            )));
        }
        let name = index_name(create)?;
        let schema = key_schema(create.get("KeySchema").unwrap_or(&Value::Null), definitions)?;
        return Ok(Some(IndexChange::Create {
            definition: Box::new(index_definition(
                create,
                name,
                false,
                schema,
                "globalSecondaryIndexUpdates.1.member.create",
            )?),
            provisioned: throughput(create.get("ProvisionedThroughput"))?,
        }));
    }
    Ok(update.get("Delete").map(|delete| {
        IndexChange::Delete(
            delete
                .get("IndexName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        )
    }))
}

/// An index key attribute the table defines already keeps the type the table gives it, whatever the
/// request's AttributeDefinitions say: DynamoDB accepts the request and keeps the stored type.
pub fn keep_defined_types(change: &mut Option<IndexChange>, table: &Table) {
    let Some(IndexChange::Create { definition, .. }) = change else {
        return;
    };
    let defined = table.attribute_definitions();
    let schema = &mut definition.schema;
    for key in std::iter::once(&mut schema.partition).chain(schema.sort.as_mut()) {
        let stored = defined
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["AttributeName"] == key.name.as_str())
            .and_then(|d| d["AttributeType"].as_str());
        if let Some(kind) = stored {
            key.kind = kind.to_owned();
        }
    }
}

/// Checks the change against the table as it is (called under the table's state lock).
pub fn check(change: &IndexChange, table: &Table, provisioned_table: bool) -> Result<(), ApiError> {
    let indexes = table.indexes();
    if let IndexChange::Create { definition, .. } = change {
        match indexes.iter().find(|i| i.name == definition.name) {
            Some(index) if index.is_backfilling() => return Err(ApiError::index_being_created()),
            Some(_) => return Err(ApiError::index_exists()),
            None => {}
        }
    }
    if indexes.iter().any(|i| i.is_backfilling()) {
        return Err(ApiError::one_index_change_at_a_time());
    }
    match change {
        IndexChange::Create {
            definition,
            provisioned,
        } => {
            if indexes.iter().filter(|i| !i.local).count() >= MAX_GSIS {
                return Err(ApiError::too_many_gsis());
            }
            super::create_table::check_projected_total(
                indexes
                    .iter()
                    .map(|index| &index.projected)
                    .chain([&definition.projected]),
            )?;
            super::create_table::check_index_throughput(
                &definition.name,
                provisioned_table,
                provisioned.is_some(),
            )
        }
        IndexChange::Delete(name) => match indexes.iter().find(|i| &i.name == name) {
            Some(index) if !index.local => Ok(()),
            _ => Err(ApiError::index_not_found(name)),
        },
    }
}

/// Carries the change out: a created index is listed (and indexes every write from now on) before
/// its backfill begins (none when `backfill` is false: replayed at start, the endpoint indexes the
/// items itself once the replay is done). An on-demand table's new index is on-demand.
pub fn apply(
    change: IndexChange,
    table: &Arc<Table>,
    provisioned_table: bool,
    now: f64,
    backfill: bool,
) {
    let mut indexes: Vec<Arc<Index>> = table.indexes().iter().cloned().collect();
    match change {
        IndexChange::Create {
            definition,
            provisioned,
        } => {
            let index = Arc::new(Index::new(
                *definition,
                &table.arn,
                index_billing(provisioned.filter(|_| provisioned_table)),
                now,
            ));
            index.set_backfilling(backfill);
            let globals = indexes.iter().take_while(|i| !i.local).count();
            indexes.insert(globals, index.clone());
            table.set_indexes(indexes);
            if backfill {
                let table = table.clone();
                std::thread::spawn(move || fill(&table, &index));
            }
        }
        IndexChange::Delete(name) => {
            indexes.retain(|i| i.name != name);
            table.set_indexes(indexes);
        }
    }
}

/// Indexes every item the table holds, one shard at a time under that shard's lock: a write to a
/// shard already done found the index listed; a write to one not yet done is read here.
fn fill(table: &Table, index: &Index) {
    for shard in 0..SHARDS {
        let guard = table.shard(shard);
        for (key, item) in guard.items.iter() {
            index.apply(&key, None, Some(&item.decode()), &table.schema);
        }
        drop(guard);
        std::thread::sleep(PAUSE_BETWEEN_SHARDS);
    }
    index.set_backfilling(false);
}
