//! Before a workload file's load: each table found (or created with `--create-tables`) and its items
//! seeded. Nothing is written until every table has been checked.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::TableDescription;
use aws_sdk_dynamodb::Client;
use rand::rngs::SmallRng;
use tokio::sync::mpsc::UnboundedSender;

use super::events::Event;
use crate::config::RunConfig;
use crate::control_plane;
use crate::error::EngineError;
use crate::plan::tables::PlanTable;
use crate::plan::Plan;
use crate::workload::seeding::{seed_items, SeedTarget};
use crate::workload::tables::TableInfo;

const ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

/// Checks every table of the plan, creates the missing ones when allowed, and seeds items 0..items
/// (an item already at a seeded key, ddbload's or not, is left as it is).
pub async fn prepare_plan_tables(
    client: &Client,
    config: &RunConfig,
    plan: &Plan,
    rng: &mut SmallRng,
    events: &UnboundedSender<Event>,
) -> Result<BTreeMap<String, TableInfo>, EngineError> {
    let endpoint = config.connection.label();
    let mut found: Vec<Option<TableDescription>> = Vec::new();
    for table in &plan.tables {
        let description = control_plane::describe(client, &table.name, &endpoint).await?;
        if description.is_none() && !config.create_tables {
            return Err(EngineError::Table(format!(
                "--workload: table {} (tables.{}) not found in {} at {endpoint}; create it or pass \
                 --create-tables",
                table.name, table.alias, config.connection.region
            )));
        }
        if let Some(description) = &description {
            check_keys(table, description)?;
        }
        found.push(description);
    }
    let mut info = BTreeMap::new();
    let mut created = Vec::new();
    for (table, description) in plan.tables.iter().zip(found) {
        let is_new = description.is_none();
        if is_new {
            let _ = events.send(Event::phase(
                "setup",
                format!("creating table {}", table.name),
            ));
            table
                .create(client, &endpoint)
                .await
                .map_err(|e| after(e, &created))?;
            created.push(table.name.clone());
        }
        let description =
            control_plane::wait_active(client, &table.name, &endpoint, ACTIVE_TIMEOUT)
                .await
                .map_err(|e| after(e, &created))?;
        info.insert(
            table.name.clone(),
            TableInfo::from_description(&table.alias, &description, is_new),
        );
        // A distributed run's task 0 seeds; the others start once it has.
        if table.items > 0 && config.task.unwrap_or(0) == 0 {
            let _ = events.send(Event::phase(
                "setup",
                format!("seeding {} items into {}", table.items, table.name),
            ));
            let target = SeedTarget {
                table: &table.name,
                partition: &table.partition.name,
                replaces_own: false,
                endpoint: &endpoint,
            };
            let total = table.items;
            seed_items(
                &target,
                client,
                0..=table.items - 1,
                |done| {
                    let _ = events.send(Event::Seed {
                        what: format!("{} items", table.name),
                        done,
                        total,
                    });
                },
                |n| table.item(n, rng),
            )
            .await
            .map_err(|(e, _)| after(e, &created))?;
        }
    }
    Ok(info)
}

/// An existing table must have the file's key schema: a different one would make every request fail.
fn check_keys(table: &PlanTable, description: &TableDescription) -> Result<(), EngineError> {
    let keys: Vec<(String, bool)> = description
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str() == "HASH",
            )
        })
        .collect();
    let mut wanted = vec![(table.partition.name.clone(), true)];
    wanted.extend(table.sort.iter().map(|s| (s.name.clone(), false)));
    if keys != wanted {
        let show = |k: &[(String, bool)]| {
            k.iter()
                .map(|(n, hash)| format!("{n} ({})", if *hash { "partition" } else { "sort" }))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(EngineError::Table(format!(
            "--workload: table {} is keyed {}, the file says {}",
            table.name,
            show(&keys),
            show(&wanted)
        )));
    }
    Ok(())
}

fn after(cause: EngineError, created: &[String]) -> EngineError {
    if created.is_empty() {
        return cause;
    }
    EngineError::AfterWrites {
        cause: Box::new(cause),
        left_behind: format!(
            "created table(s) {} (remove with `aws dynamodb delete-table --table-name NAME`)",
            created.join(", ")
        ),
    }
}
