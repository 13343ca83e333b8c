//! Table setup before any load: describe (or create) both tables, record their capacity settings,
//! seed the catalog with BatchWriteItem, and sample product keys.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, PutRequest,
    ScalarAttributeType, TableDescription, TableStatus, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use rand::Rng;
use rust_decimal::Decimal;
use serde::Serialize;

use super::catalog::{random_price, seed_item, PRICE_ATTR, STOCK_ATTR};
use super::schema::{KeyKind, KeySchema};
use crate::capacity::TableCapacity;
use crate::error::EngineError;

type Item = HashMap<String, AttributeValue>;

/// A table's capacity settings when the run started, recorded in the result for later advice.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableInfo {
    pub role: &'static str,
    pub created_by_run: bool,
    #[serde(flatten)]
    pub capacity: TableCapacity,
}

impl TableInfo {
    pub fn from_description(
        role: &'static str,
        table: &TableDescription,
        created_by_run: bool,
    ) -> Self {
        Self {
            role,
            created_by_run,
            capacity: TableCapacity::from_description(table),
        }
    }
}

/// Turns a failed setup call into the error the user should see.
pub fn setup_error<E>(err: SdkError<E>, what: &str, endpoint: &str) -> EngineError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => EngineError::Endpoint(format!(
            "cannot reach DynamoDB at {endpoint} ({what}): {}",
            root_cause(&err)
        )),
        _ => {
            let code = err.code().unwrap_or("Unknown").to_owned();
            let message = err.message().unwrap_or_default().to_owned();
            let text = format!("{what}: {code}: {message}");
            match code.as_str() {
                "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "ExpiredTokenException"
                | "MissingAuthenticationTokenException" => EngineError::Credentials(text),
                _ if matches!(err, SdkError::ServiceError(_)) => EngineError::Aws(text),
                _ => EngineError::Endpoint(format!(
                    "unexpected answer from {endpoint} ({what}): {}",
                    DisplayErrorContext(&err)
                )),
            }
        }
    }
}

/// The innermost error's text ("Connection refused (os error 111)"), without the wrappers' debug dumps.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// DescribeTable; Ok(None) when the table does not exist.
pub async fn describe(
    client: &Client,
    table: &str,
    endpoint: &str,
) -> Result<Option<TableDescription>, EngineError> {
    match client.describe_table().table_name(table).send().await {
        Ok(out) => Ok(out.table),
        Err(err) if err.code() == Some("ResourceNotFoundException") => Ok(None),
        Err(err) => Err(setup_error(
            err,
            &format!("DescribeTable {table}"),
            endpoint,
        )),
    }
}

/// Creates an on-demand table keyed by one string attribute.
pub async fn create(
    client: &Client,
    table: &str,
    partition_key: &str,
    endpoint: &str,
) -> Result<(), EngineError> {
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(partition_key)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("name and type are set"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(partition_key)
                .key_type(KeyType::Hash)
                .build()
                .expect("name and type are set"),
        )
        .send()
        .await
        .map_err(|err| setup_error(err, &format!("CreateTable {table}"), endpoint))?;
    Ok(())
}

/// Polls DescribeTable until the table is ACTIVE (at most `timeout`).
pub async fn wait_active(
    client: &Client,
    table: &str,
    endpoint: &str,
    timeout: Duration,
) -> Result<TableDescription, EngineError> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(desc) = describe(client, table, endpoint).await? {
            if desc.table_status() == Some(&TableStatus::Active) {
                return Ok(desc);
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(EngineError::Table(format!(
                "table {table} did not become ACTIVE within {}s",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Writes `count` seeded products with BatchWriteItem (25 a request, a few requests in flight),
/// resending UnprocessedItems with backoff. Calls `progress(done)` as batches land.
#[allow(clippy::too_many_arguments)]
pub async fn seed_products(
    client: &Client,
    table: &str,
    schema: &KeySchema,
    count: u64,
    price_range: (Decimal, Decimal),
    rng: &mut impl Rng,
    endpoint: &str,
    mut progress: impl FnMut(u64),
) -> Result<(), EngineError> {
    const BATCH: u64 = 25;
    const IN_FLIGHT: usize = 8;
    let mut tasks = tokio::task::JoinSet::new();
    let mut next = 0u64;
    let mut done = 0u64;
    while done < count {
        while next < count && tasks.len() < IN_FLIGHT {
            let end = (next + BATCH).min(count);
            let requests: Vec<WriteRequest> = (next..end)
                .map(|i| {
                    let price = random_price(rng, price_range.0, price_range.1);
                    let put = PutRequest::builder()
                        .set_item(Some(seed_item(i + 1, schema, price)))
                        .build()
                        .expect("item is set");
                    WriteRequest::builder().put_request(put).build()
                })
                .collect();
            let written = end - next;
            next = end;
            let (client, table, endpoint) = (client.clone(), table.to_owned(), endpoint.to_owned());
            tasks.spawn(async move {
                write_batch(&client, &table, requests, &endpoint)
                    .await
                    .map(|()| written)
            });
        }
        match tasks.join_next().await {
            Some(Ok(Ok(written))) => {
                done += written;
                progress(done);
            }
            Some(Ok(Err(err))) => return Err(err),
            Some(Err(join)) => {
                return Err(EngineError::Aws(format!("seeding task failed: {join}")))
            }
            None => break,
        }
    }
    Ok(())
}

async fn write_batch(
    client: &Client,
    table: &str,
    mut requests: Vec<WriteRequest>,
    endpoint: &str,
) -> Result<(), EngineError> {
    let mut backoff = Duration::from_millis(50);
    for _ in 0..30 {
        let sent = client
            .batch_write_item()
            .request_items(table, requests.clone())
            .send()
            .await;
        let left = match sent {
            Ok(out) => out
                .unprocessed_items()
                .and_then(|u| u.get(table))
                .cloned()
                .unwrap_or_default(),
            Err(err)
                if super::classify::THROTTLE_CODES.contains(&err.code().unwrap_or_default()) =>
            {
                requests.clone()
            }
            Err(err) => {
                return Err(setup_error(
                    err,
                    &format!("BatchWriteItem {table}"),
                    endpoint,
                ))
            }
        };
        if left.is_empty() {
            return Ok(());
        }
        requests = left;
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
    Err(EngineError::Aws(format!(
        "seeding {table}: {} items still unprocessed after 30 attempts (table throttled?)",
        requests.len()
    )))
}

/// Up to `limit` product items (keys, price and stock only) from a paginated Scan.
pub async fn sample_products(
    client: &Client,
    table: &str,
    schema: &KeySchema,
    limit: u32,
    endpoint: &str,
) -> Result<Vec<Item>, EngineError> {
    let mut names = HashMap::new();
    let mut projection = Vec::new();
    for (i, name) in schema
        .names()
        .into_iter()
        .chain([PRICE_ATTR, STOCK_ATTR])
        .enumerate()
    {
        names.insert(format!("#a{i}"), name.to_owned());
        projection.push(format!("#a{i}"));
    }
    let mut items = Vec::new();
    let mut start_key = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .projection_expression(projection.join(", "))
            .set_expression_attribute_names(Some(names.clone()))
            .set_exclusive_start_key(start_key)
            .limit((limit as usize - items.len()).min(1000) as i32)
            .send()
            .await
            .map_err(|err| setup_error(err, &format!("Scan {table}"), endpoint))?;
        items.extend(page.items().iter().cloned());
        start_key = page.last_evaluated_key().cloned();
        if start_key.is_none() || items.len() >= limit as usize {
            return Ok(items);
        }
    }
}

/// Seeding writes with BatchWriteItem, which cannot refuse to overwrite: only string keys (namespaced
/// "ddbload-p-...") or a table this run created are safe.
pub fn check_seedable(
    table: &str,
    schema: &KeySchema,
    created_by_run: bool,
) -> Result<(), EngineError> {
    if schema.partition.kind == KeyKind::S || created_by_run {
        return Ok(());
    }
    Err(EngineError::Table(format!(
        "--seed-products: table {table} has a non-string partition key ({}); ddbload seeds such a \
         table only when it created it (--create-tables), so it can never overwrite your items",
        schema.partition.name
    )))
}
