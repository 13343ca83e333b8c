//! Before the load: both tables checked (or created), the catalog seeded and sampled. Everything that
//! can be refused is refused before the first write (bad input: nothing sent, nothing written); a
//! failure after a write says what it left behind.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{BillingMode, TableDescription, TableStatus};
use aws_sdk_dynamodb::Client;
use rand::rngs::SmallRng;
use tokio::sync::mpsc::UnboundedSender;

use super::events::Event;
use crate::config::RunConfig;
use crate::control_plane::{self, apply_change, CapacityChange};
use crate::error::EngineError;
use crate::workload::catalog::{seed_product_id, Catalog};
use crate::workload::schema::KeySchema;
use crate::workload::seeding::{seed_products, Seeded};
use crate::workload::tables::{self, TableInfo};

const ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

pub struct PreparedTables {
    pub products_schema: KeySchema,
    pub orders_schema: KeySchema,
    pub catalog: Catalog,
    pub info: BTreeMap<String, TableInfo>,
}

/// One of the run's two tables as found before anything is written.
struct Found {
    role: &'static str,
    name: String,
    default_key: &'static str,
    description: Option<TableDescription>,
}

/// What setup has written so far, for the message when it fails afterwards.
#[derive(Default)]
struct Written {
    created: Vec<String>,
    seeded: Seeded,
    capacity_changed: Vec<String>,
}

impl Written {
    fn anything(&self) -> bool {
        !self.created.is_empty() || self.seeded.written > 0 || !self.capacity_changed.is_empty()
    }

    fn describe(&self, config: &RunConfig) -> String {
        let mut parts = Vec::new();
        if !self.created.is_empty() {
            parts.push(format!(
                "created table(s) {} (remove with `aws dynamodb delete-table --table-name NAME`)",
                self.created.join(", ")
            ));
        }
        if self.seeded.written > 0 {
            parts.push(format!(
                "{} seeded products in {} ({}...; the next run reuses them, `ddbload cleanup \
                 --seeded-products --products-table {}` removes them)",
                self.seeded.written,
                config.products_table,
                seed_product_id(1),
                config.products_table
            ));
        }
        if !self.capacity_changed.is_empty() {
            parts.push(format!(
                "capacity changed on {}",
                self.capacity_changed.join(", ")
            ));
        }
        parts.join("; ")
    }
}

/// Checks (or creates) both tables, seeds and samples the catalog.
pub async fn prepare_tables(
    client: &Client,
    config: &RunConfig,
    rng: &mut SmallRng,
    events: &UnboundedSender<Event>,
) -> Result<PreparedTables, EngineError> {
    let endpoint = config.connection.label();
    let mut found = Vec::with_capacity(2);
    for (role, name, default_key) in [
        ("products", &config.products_table, "product_id"),
        ("orders", &config.orders_table, "order_id"),
    ] {
        let description = control_plane::describe(client, name, &endpoint).await?;
        if description.is_none() && !config.create_tables {
            return Err(EngineError::Table(format!(
                "--{role}-table: table {name} not found in {} at {endpoint}; create it or pass \
                 --create-tables",
                config.connection.region
            )));
        }
        found.push(Found {
            role,
            name: name.clone(),
            default_key,
            description,
        });
    }
    let early_catalog = refuse_an_empty_catalog(client, config, &found[0], rng, events).await?;

    let mut written = Written::default();
    match write_phase(
        client,
        config,
        found,
        early_catalog,
        rng,
        events,
        &mut written,
    )
    .await
    {
        Err(cause) if written.anything() => Err(EngineError::AfterWrites {
            cause: Box::new(cause),
            left_behind: written.describe(config),
        }),
        other => other,
    }
}

/// Without seeding, the products table must already hold products: read them now, before any write.
async fn refuse_an_empty_catalog(
    client: &Client,
    config: &RunConfig,
    products: &Found,
    rng: &mut SmallRng,
    events: &UnboundedSender<Event>,
) -> Result<Option<Catalog>, EngineError> {
    if config.seed_products > 0 {
        return Ok(None);
    }
    let Some(description) = &products.description else {
        return Err(EngineError::Table(format!(
            "--products-table: table {} does not exist, and creating it empty leaves nothing to read; \
             add --seed-products N to fill it",
            products.name
        )));
    };
    let schema = KeySchema::from_description(description)?;
    let catalog = sample_catalog(client, config, &schema, rng, events).await?;
    if catalog.is_empty() {
        return Err(EngineError::Table(format!(
            "--products-table: table {} has no products to read; add --seed-products N to fill it",
            products.name
        )));
    }
    Ok(Some(catalog))
}

async fn write_phase(
    client: &Client,
    config: &RunConfig,
    found: Vec<Found>,
    early_catalog: Option<Catalog>,
    rng: &mut SmallRng,
    events: &UnboundedSender<Event>,
    written: &mut Written,
) -> Result<PreparedTables, EngineError> {
    let endpoint = config.connection.label();
    let mut info = BTreeMap::new();
    let mut schemas = Vec::with_capacity(2);
    for table in found {
        let (desc, created) = ready_table(client, &table, &endpoint, events, written).await?;
        schemas.push(KeySchema::from_description(&desc)?);
        info.insert(
            table.name.clone(),
            TableInfo::from_description(table.role, &desc, created),
        );
    }
    let orders_schema = schemas.pop().expect("two tables");
    let products_schema = schemas.pop().expect("two tables");

    if config.seed_products > 0 {
        seed(
            client,
            config,
            &products_schema,
            &endpoint,
            rng,
            events,
            written,
        )
        .await?;
    }

    let catalog = match early_catalog {
        Some(catalog) => catalog,
        None => sample_catalog(client, config, &products_schema, rng, events).await?,
    };
    if catalog.is_empty() {
        return Err(EngineError::Table(format!(
            "--products-table: table {} has no products to read; add --seed-products N to fill it",
            config.products_table
        )));
    }
    // As in the workshop: the tables get their test capacity after they are filled.
    if let Some(units) = config.table_capacity {
        set_test_capacity(client, units, &mut info, &endpoint, events, written).await?;
    }
    Ok(PreparedTables {
        products_schema,
        orders_schema,
        catalog,
        info,
    })
}

/// Writes `--seed-products` products; what it wrote is kept in `written` even when it fails.
async fn seed(
    client: &Client,
    config: &RunConfig,
    products_schema: &KeySchema,
    endpoint: &str,
    rng: &mut SmallRng,
    events: &UnboundedSender<Event>,
    written: &mut Written,
) -> Result<(), EngineError> {
    let total = config.seed_products;
    let _ = events.send(Event::phase(
        "seeding",
        format!("writing {total} products to {}", config.products_table),
    ));
    let seeding = seed_products(
        client,
        &config.products_table,
        products_schema,
        total,
        (config.price_min, config.price_max),
        rng,
        endpoint,
        |done| {
            let _ = events.send(Event::Seed {
                what: "products".into(),
                done,
                total,
            });
        },
    )
    .await;
    written.seeded = match seeding {
        Ok(seeded) => seeded,
        Err((err, seeded)) => {
            written.seeded = seeded;
            return Err(err);
        }
    };
    if written.seeded.skipped > 0 {
        let _ = events.send(Event::phase(
            "seeding",
            format!(
                "skipped {} product keys that hold items ddbload did not write (left untouched)",
                written.seeded.skipped
            ),
        ));
    }
    Ok(())
}

/// Sets the tables this run created to provisioned `(read, write)` units, waiting for each.
async fn set_test_capacity(
    client: &Client,
    (read, write): (u32, u32),
    info: &mut BTreeMap<String, TableInfo>,
    endpoint: &str,
    events: &UnboundedSender<Event>,
    written: &mut Written,
) -> Result<(), EngineError> {
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
        apply_change(client, name, &change, endpoint).await?;
        written.capacity_changed.push(name.clone());
        let desc = control_plane::wait_active(client, name, endpoint, ACTIVE_TIMEOUT).await?;
        *table_info = TableInfo::from_description(&table_info.role, &desc, true);
    }
    Ok(())
}

/// The table ACTIVE and described: waited for, created, or as found. True when this run created it.
async fn ready_table(
    client: &Client,
    table: &Found,
    endpoint: &str,
    events: &UnboundedSender<Event>,
    written: &mut Written,
) -> Result<(TableDescription, bool), EngineError> {
    let name = &table.name;
    match &table.description {
        Some(desc) if desc.table_status() == Some(&TableStatus::Creating) => {
            let _ = events.send(Event::phase(
                "creating",
                format!("waiting for {name} to become ACTIVE"),
            ));
            Ok((
                control_plane::wait_active(client, name, endpoint, ACTIVE_TIMEOUT).await?,
                false,
            ))
        }
        Some(desc) => Ok((desc.clone(), false)),
        None => {
            let _ = events.send(Event::phase(
                "creating",
                format!(
                    "creating {} table {name} (on-demand, key {})",
                    table.role, table.default_key
                ),
            ));
            control_plane::create(client, name, table.default_key, endpoint).await?;
            written.created.push(name.clone());
            Ok((
                control_plane::wait_active(client, name, endpoint, ACTIVE_TIMEOUT).await?,
                true,
            ))
        }
    }
}

/// Reads up to --sample-products keys (and prices) and builds the catalog orders draw from.
async fn sample_catalog(
    client: &Client,
    config: &RunConfig,
    schema: &KeySchema,
    rng: &mut SmallRng,
    events: &UnboundedSender<Event>,
) -> Result<Catalog, EngineError> {
    if let Some(text) = &config.catalog {
        let catalog = Catalog::from_json(text, schema)?;
        let _ = events.send(Event::phase(
            "sampling",
            format!("using the catalog given ({} products)", catalog.len()),
        ));
        catalog.check_totals(config.max_quantity, config.max_lines)?;
        return Ok(catalog);
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
        schema,
        config.sample_products,
        &config.connection.label(),
    )
    .await?;
    let catalog = Catalog::from_items(&items, schema, rng, config.price_min, config.price_max)?;
    catalog.check_totals(config.max_quantity, config.max_lines)?;
    Ok(catalog)
}
