//! Before the load: SDK configuration and credentials, both tables checked (or created), the catalog
//! seeded and sampled. Every failure here is reported before a single load request is sent.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::TableStatus;
use aws_sdk_dynamodb::Client;
use rand::rngs::SmallRng;
use tokio::sync::mpsc::UnboundedSender;

use super::events::Event;
use aws_sdk_dynamodb::types::BillingMode;

use crate::admin::tables::{apply_change, CapacityChange};
use crate::config::RunConfig;
use crate::error::EngineError;
use crate::workload::catalog::Catalog;
use crate::workload::schema::KeySchema;
use crate::workload::tables::{self, TableInfo};

pub struct PreparedTables {
    pub products_schema: KeySchema,
    pub orders_schema: KeySchema,
    pub catalog: Catalog,
    pub info: BTreeMap<String, TableInfo>,
}

/// Checks (or creates) both tables, seeds and samples the catalog.
pub async fn prepare_tables(
    client: &Client,
    config: &RunConfig,
    rng: &mut SmallRng,
    events: &UnboundedSender<Event>,
) -> Result<PreparedTables, EngineError> {
    let endpoint = config.connection().label();
    let mut info = BTreeMap::new();
    let mut schemas = Vec::new();
    for (role, table, default_key) in [
        ("products", &config.products_table, "product_id"),
        ("orders", &config.orders_table, "order_id"),
    ] {
        let (desc, created) = match tables::describe(client, table, &endpoint).await? {
            Some(desc) if desc.table_status() == Some(&TableStatus::Creating) => {
                let _ = events.send(Event::phase(
                    "creating",
                    format!("waiting for {table} to become ACTIVE"),
                ));
                (
                    tables::wait_active(client, table, &endpoint, Duration::from_secs(300)).await?,
                    false,
                )
            }
            Some(desc) => (desc, false),
            None if config.create_tables => {
                let _ = events.send(Event::phase(
                    "creating",
                    format!("creating {role} table {table} (on-demand, key {default_key})"),
                ));
                tables::create(client, table, default_key, &endpoint).await?;
                (
                    tables::wait_active(client, table, &endpoint, Duration::from_secs(300)).await?,
                    true,
                )
            }
            None => {
                return Err(EngineError::Table(format!(
                    "--{role}-table: table {table} not found in {} at {endpoint}; \
                     create it or pass --create-tables",
                    config.region
                )))
            }
        };
        schemas.push(KeySchema::from_description(&desc)?);
        info.insert(
            table.clone(),
            TableInfo::from_description(role, &desc, created),
        );
    }
    let orders_schema = schemas.pop().expect("two tables");
    let products_schema = schemas.pop().expect("two tables");

    if config.seed_products > 0 {
        let created = info[&config.products_table].created_by_run;
        tables::check_seedable(&config.products_table, &products_schema, created)?;
        let total = config.seed_products;
        let _ = events.send(Event::phase(
            "seeding",
            format!("writing {total} products to {}", config.products_table),
        ));
        tables::seed_products(
            client,
            &config.products_table,
            &products_schema,
            total,
            (config.price_min, config.price_max),
            rng,
            &endpoint,
            |done| {
                let _ = events.send(Event::Seed { done, total });
            },
        )
        .await?;
    }

    let _ = events.send(Event::phase(
        "sampling",
        format!(
            "reading up to {} product keys from {}",
            config.sample_products, config.products_table
        ),
    ));
    let items = tables::sample_products(
        client,
        &config.products_table,
        &products_schema,
        config.sample_products,
        &endpoint,
    )
    .await?;
    let catalog = Catalog::from_items(
        &items,
        &products_schema,
        rng,
        config.price_min,
        config.price_max,
    )?;
    if catalog.is_empty() {
        return Err(EngineError::Table(format!(
            "--products-table: table {} has no products to read; add --seed-products N to fill it",
            config.products_table
        )));
    }
    // As in the workshop: the tables get their test capacity after they are filled.
    if let Some((read, write)) = config.table_capacity {
        for (name, table_info) in info.iter_mut().filter(|(_, t)| t.created_by_run) {
            let _ = events.send(Event::phase(
                "capacity",
                format!("setting {name} to provisioned RCU {read} / WCU {write}"),
            ));
            let change = CapacityChange {
                billing_mode: Some(BillingMode::Provisioned),
                units: Some((i64::from(read), i64::from(write))),
                index_units: Vec::new(),
            };
            apply_change(client, name, &change, &endpoint).await?;
            let desc =
                tables::wait_active(client, name, &endpoint, Duration::from_secs(300)).await?;
            *table_info = TableInfo::from_description(table_info.role, &desc, true);
        }
    }
    Ok(PreparedTables {
        products_schema,
        orders_schema,
        catalog,
        info,
    })
}
