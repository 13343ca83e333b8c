//! Seeding (`--seed-products`, a workload file's `items`): items written with conditional PutItem, so an
//! item ddbload did not create is never replaced (its key is skipped and counted), throttled writes
//! retried with backoff.

use std::time::Duration;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use rand::Rng;
use rust_decimal::Decimal;
use tokio::task::JoinSet;

use super::catalog::{random_price, seed_item, GENERATED_BY_ATTR, GENERATOR};
use super::classify::THROTTLE_CODES;
use super::schema::KeySchema;
use crate::control_plane::setup_error;
use crate::error::EngineError;

const IN_FLIGHT: usize = 32;
const MAX_ATTEMPTS: u32 = 30;
/// Progress is reported after this many items, not after every one.
const PROGRESS_EVERY: u64 = 25;

/// What seeding did: products written, and keys skipped because an item ddbload did not create was there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seeded {
    pub written: u64,
    pub skipped: u64,
}

/// Writes products 1..=`count`; calls `progress(done)` as they land. On failure the error comes with
/// what was written before it.
#[allow(clippy::too_many_arguments)]
pub async fn seed_products(
    client: &Client,
    table: &str,
    schema: &KeySchema,
    count: u64,
    price_range: (Decimal, Decimal),
    rng: &mut impl Rng,
    endpoint: &str,
    progress: impl FnMut(u64),
) -> Result<Seeded, (EngineError, Seeded)> {
    let target = SeedTarget {
        table,
        partition: &schema.partition.name,
        replaces_own: true,
        endpoint,
    };
    seed_items(&target, client, 1..=count, progress, |n| {
        let price = random_price(rng, price_range.0, price_range.1)
            .expect("price bounds are checked by RunConfig::validate");
        seed_item(n, schema, price)
    })
    .await
}

/// Where seeded items go, and whether an item ddbload wrote before (marked `generated_by`) may be
/// replaced; any other item already at a key is left as it is.
pub struct SeedTarget<'a> {
    pub table: &'a str,
    pub partition: &'a str,
    pub replaces_own: bool,
    pub endpoint: &'a str,
}

/// Writes `make(n)` for every n of `numbers` with conditional PutItem, `IN_FLIGHT` at a time; calls
/// `progress(done)` as they land. On failure the error comes with what was written before it.
pub async fn seed_items(
    target: &SeedTarget<'_>,
    client: &Client,
    numbers: std::ops::RangeInclusive<u64>,
    mut progress: impl FnMut(u64),
    mut make: impl FnMut(u64) -> std::collections::HashMap<String, AttributeValue>,
) -> Result<Seeded, (EngineError, Seeded)> {
    let count = numbers.clone().count() as u64;
    let mut numbers = numbers.peekable();
    let mut tasks = JoinSet::new();
    let mut seeded = Seeded::default();
    let mut reported = 0u64;
    loop {
        while tasks.len() < IN_FLIGHT {
            let Some(n) = numbers.next() else { break };
            let item = make(n);
            let (client, table, endpoint) = (
                client.clone(),
                target.table.to_owned(),
                target.endpoint.to_owned(),
            );
            let (partition, replaces_own) = (target.partition.to_owned(), target.replaces_own);
            tasks.spawn(async move {
                put_unless_foreign(&client, &table, &partition, replaces_own, item, &endpoint).await
            });
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        match joined {
            Ok(Ok(true)) => seeded.written += 1,
            Ok(Ok(false)) => seeded.skipped += 1,
            Ok(Err(err)) => return Err((err, seeded)),
            Err(join) => {
                let err = EngineError::Internal(format!("seeding task failed: {join}"));
                return Err((err, seeded));
            }
        }
        let done = seeded.written + seeded.skipped;
        if done - reported >= PROGRESS_EVERY || done == count {
            progress(done);
            reported = done;
        }
    }
    Ok(seeded)
}

/// One product: Ok(true) written, Ok(false) skipped because the key holds an item ddbload did not write.
async fn put_unless_foreign(
    client: &Client,
    table: &str,
    partition: &str,
    replaces_own: bool,
    item: std::collections::HashMap<String, AttributeValue>,
    endpoint: &str,
) -> Result<bool, EngineError> {
    let mut backoff = Duration::from_millis(50);
    for _ in 0..MAX_ATTEMPTS {
        let request = client
            .put_item()
            .table_name(table)
            .set_item(Some(item.clone()))
            .expression_attribute_names("#pk", partition);
        let request = if replaces_own {
            request
                .condition_expression("attribute_not_exists(#pk) OR #g = :g")
                .expression_attribute_names("#g", GENERATED_BY_ATTR)
                .expression_attribute_values(":g", AttributeValue::S(GENERATOR.into()))
        } else {
            request.condition_expression("attribute_not_exists(#pk)")
        };
        let sent = request.send().await;
        match sent {
            Ok(_) => return Ok(true),
            Err(err) if err.code() == Some("ConditionalCheckFailedException") => return Ok(false),
            Err(err) if THROTTLE_CODES.contains(&err.code().unwrap_or_default()) => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
            Err(err) => {
                return Err(setup_error(
                    err,
                    &format!("PutItem {table} (seeding)"),
                    endpoint,
                ))
            }
        }
    }
    Err(EngineError::Aws(format!(
        "seeding {table}: an item was still throttled after {MAX_ATTEMPTS} attempts; raise the table's \
         write capacity or seed fewer items"
    )))
}
