//! One run from start to report: configuration, setup, load, and the result.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::primitives::{DateTime, DateTimeFormat};
use aws_sdk_dynamodb::Client;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::events::Event;
use super::load::{run_load, LoadPlan};
use super::plan_setup::prepare_plan_tables;
use super::schedule::Schedule;
use super::setup::{prepare_tables, PreparedTables};
use super::watch::CapacityWatch;
use crate::config::{ClientKind, RunConfig};
use crate::connection::Retries;
use crate::error::ConfigError;
use crate::error::EngineError;
use crate::fastpath::FastPath;
use crate::plan::tables::PlanTable;
use crate::plan::{KeySource, Plan};
use crate::report::{HotKey, RunContext, RunResult, TableNames};
use crate::workload::catalog::Catalog;
use crate::workload::keys::KeyPicker;
use crate::workload::orders::OrderGenerator;
use crate::workload::schema::KeySchema;
use crate::workload::tables::TableInfo;
use crate::workload::{Workload, Workshop};

/// Longer than the tenth of a second ddbload's endpoint counts CloudWatch's figures by.
const SETUP_QUIET: Duration = Duration::from_millis(150);

/// What setup prepared: the workshop's tables and catalog, or a workload file's plan and tables.
enum Prepared {
    Workshop(PreparedTables),
    File(Plan, BTreeMap<String, TableInfo>),
}

pub async fn run(
    mut config: RunConfig,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
    begin: watch::Receiver<Option<f64>>,
) -> Result<RunResult, EngineError> {
    if !config.stages.is_empty() {
        config.duration = config.stages.iter().map(|s| s.duration).sum();
    }
    // The seed actually used is recorded, so any run can be repeated with --seed.
    let seed = *config.seed.get_or_insert_with(rand::random);
    let mut rng = SmallRng::seed_from_u64(seed);
    let run_id = config
        .run_id
        .get_or_insert_with(|| new_run_id(&now_rfc3339(), &mut rng))
        .clone();

    let _ = events.send(Event::phase(
        "connecting",
        format!(
            "region {}, endpoint {}",
            config.connection.region,
            config.connection.label()
        ),
    ));
    // Setup (credentials, table creation, seeding) can take long: a cancel ends it at once.
    let setup = async {
        let sdk = config.connection.sdk_config(Retries::Engine).await?;
        let client = Client::new(&sdk);
        let prepared = match &config.workload {
            Some(file) => {
                let mut plan = Plan::compile(file, config.key_distribution)
                    .map_err(|e| ConfigError::new("--workload", e.to_string()))?;
                plan.place_inserts(seed, config.task);
                let info = prepare_plan_tables(&client, &config, &plan, &mut rng, events).await?;
                Prepared::File(plan, info)
            }
            None => Prepared::Workshop(prepare_tables(&client, &config, &mut rng, events).await?),
        };
        Ok::<_, EngineError>((sdk, prepared))
    };
    let (sdk, prepared) = tokio::select! {
        ready = setup => ready?,
        _ = cancel.cancelled() => return Err(EngineError::Interrupted),
    };

    let (workload, info, hot_keys, what) = match prepared {
        Prepared::Workshop(prepared) => {
            if config.hold_start && config.catalog.is_none() {
                let _ = events.send(Event::Catalog {
                    products: prepared.catalog.to_json(),
                });
            }
            let PreparedTables {
                products_schema,
                orders_schema,
                catalog,
                info,
            } = prepared;
            let shop = build_workshop(
                &config,
                products_schema,
                orders_schema,
                catalog,
                &run_id,
                &mut rng,
            );
            let what = format!("{} products in the catalog", shop.catalog.len());
            let hot_keys = hot_keys(&shop);
            (Workload::Workshop(shop), info, hot_keys, what)
        }
        Prepared::File(plan, info) => {
            let what = format!(
                "{} operation(s) on {} table(s)",
                plan.operations.len(),
                plan.tables.len()
            );
            let hot_keys = plan_hot_keys(&plan);
            (Workload::File(plan), info, hot_keys, what)
        }
    };
    let load = if config.is_open_model() {
        format!("an open model (at most {} in flight)", config.max_in_flight)
    } else {
        format!("{} workers", config.threads)
    };
    let _ = events.send(Event::phase(
        "load",
        format!(
            "run {run_id}: {load} for {}s, {what}",
            config.duration.as_secs_f64(),
        ),
    ));
    let fast = match config.client {
        ClientKind::Fast => FastPath::new(&sdk).await,
        ClientKind::Sdk => None,
    };
    let operation_names = workload.operation_names();
    let table_names = TableNames(workload.slot_names());
    let plan = load_plan(&config, sdk, workload, fast, seed, begin);
    // A quiet moment between setup and load: DynamoDB's own metrics of the run (server_view) from
    // ddbload's endpoint, counted by the tenth of a second, then hold none of the seeding.
    tokio::time::sleep(SETUP_QUIET).await;
    // When the load begins, after setup (tables created, items seeded): the result's time series, the
    // report's clock and server_view's window count from here.
    let started_at = now_rfc3339();
    let measured = run_load(plan, events, cancel).await;
    Ok(RunResult::new(
        RunContext {
            config,
            run_id,
            started_at,
            tables: info,
            hot_keys,
            operation_names,
            table_names,
        },
        measured,
    ))
}

/// Everything the load phase needs, from the checked configuration and what setup found.
fn load_plan(
    config: &RunConfig,
    sdk: SdkConfig,
    workload: Workload,
    fast: Option<Arc<FastPath>>,
    seed: u64,
    begin: watch::Receiver<Option<f64>>,
) -> LoadPlan {
    let mut tables = workload.table_names();
    tables.sort();
    tables.dedup();
    let watch = CapacityWatch {
        client: Client::new(&sdk),
        tables,
    };
    LoadPlan {
        fast,
        watch: Some(watch),
        workload: Arc::new(workload),
        sdk,
        workers: config.threads,
        duration: config.duration,
        grace: config.grace,
        max_attempts: config.max_attempts,
        keep_request_ids: config.keep_request_ids as usize,
        read_ratio: config.read_ratio,
        // Tasks of one distributed run share the seed (so the run id and key base agree) but not
        // their request streams.
        seed: config.task.map_or(seed, |task| {
            seed ^ (u64::from(task) + 1).wrapping_mul(0xA24B_AED4_963E_E407)
        }),
        schedule: schedule(config),
        replay: config.replay.clone(),
        max_in_flight: config.max_in_flight,
        begin: config.hold_start.then_some(begin),
    }
}

/// Up to three products the key distribution sends at least 1% of the picks to.
fn hot_keys(workload: &Workshop) -> Vec<HotKey> {
    workload
        .keys
        .busiest(3, 0.01)
        .into_iter()
        .map(|(index, share)| HotKey {
            table: workload.products_table.clone(),
            key: workload.catalog.products[index].label.clone(),
            share,
        })
        .collect()
}

/// A workload file's keys drawn most: per table, the share of that table's seeded-key draws each of up
/// to three keys gets (each operation's distribution weighted by its share of those draws), at least 1%.
fn plan_hot_keys(plan: &Plan) -> Vec<HotKey> {
    let mut hot = Vec::new();
    for (slot, table) in plan.tables.iter().enumerate() {
        let drawing: Vec<_> = plan
            .operations
            .iter()
            .filter_map(|op| match &op.keys {
                KeySource::Seeded(picker)
                    if op.table == slot && op.weights.iter().any(|w| *w > 0) =>
                {
                    Some((op.weights.iter().sum::<u64>(), picker))
                }
                _ => None,
            })
            .collect();
        let total: u64 = drawing.iter().map(|(w, _)| w).sum();
        let mut shares: BTreeMap<usize, f64> = BTreeMap::new();
        for (weight, picker) in &drawing {
            for (index, share) in picker.busiest(3, 0.0) {
                *shares.entry(index).or_default() += share * *weight as f64 / total as f64;
            }
        }
        let mut ranked: Vec<(usize, f64)> =
            shares.into_iter().filter(|(_, s)| *s >= 0.01).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (index, share) in ranked.into_iter().take(3) {
            hot.push(HotKey {
                table: table.name.clone(),
                key: key_label(table, &table.key(index as u64)),
                share,
            });
        }
    }
    hot
}

/// A key as text: its partition value, then its sort value after "/" (bytes in base64).
fn key_label(table: &PlanTable, key: &crate::fastpath::wire::Item) -> String {
    use aws_sdk_dynamodb::types::AttributeValue;
    use base64::Engine as _;
    [Some(&table.partition), table.sort.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|attribute| key.get(&attribute.name))
        .map(|value| match value {
            AttributeValue::S(s) | AttributeValue::N(s) => s.clone(),
            AttributeValue::B(b) => base64::engine::general_purpose::STANDARD.encode(b.as_ref()),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// What the workers send: the two tables, the products to read and order, and how orders are made.
fn build_workshop(
    config: &RunConfig,
    products_schema: KeySchema,
    orders_schema: KeySchema,
    catalog: Catalog,
    run_id: &str,
    rng: &mut SmallRng,
) -> Workshop {
    Workshop {
        products_table: config.products_table.clone(),
        orders_table: config.orders_table.clone(),
        products_schema,
        keys: KeyPicker::new(config.key_distribution, catalog.len()),
        catalog,
        orders: OrderGenerator {
            run_id: run_id.to_owned(),
            numeric_base: rng.random_range(1..900_000) * 1_000_000_000_000,
            task: config.task,
            schema: orders_schema,
            max_lines: config.max_lines,
            max_quantity: config.max_quantity,
            ttl: (config.ttl_hours > 0)
                .then(|| Duration::from_secs(u64::from(config.ttl_hours) * 3600)),
        },
        read_op: config.read_op,
        write_op: config.write_op,
        batch_size: config.batch_size as usize,
        consistent_reads: config.consistent_reads,
    }
}

fn now_rfc3339() -> String {
    DateTime::from(SystemTime::now())
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
}

/// "20261125-173012-3fa9": sortable by time, unique enough for one operator's runs.
fn new_run_id(started_at: &str, rng: &mut SmallRng) -> String {
    let digits: String = started_at
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    let (date, time) = digits.split_at(digits.len().min(8));
    format!("{date}-{time}-{:04x}", rng.random::<u16>())
}

/// The open model's schedule, when the config asks for one.
fn schedule(config: &RunConfig) -> Option<Schedule> {
    let base = match (config.rate, config.stages.is_empty()) {
        (Some(rate), _) => Schedule::constant(rate, config.duration),
        (None, false) => Schedule::stages(config.start_rate, &config.stages),
        (None, true) => return None,
    };
    Some(base.with_changes(&config.rate_changes))
}
