//! Table calls before any load: describe (or create) both tables, record their capacity settings,
//! wait for ACTIVE, and sample product keys; the SDK-error mapping setup calls share.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType, TableDescription, TableStatus,
};
use aws_sdk_dynamodb::Client;
use serde::Serialize;

use super::catalog::{PRICE_ATTR, STOCK_ATTR};
use super::schema::KeySchema;
use crate::capacity::TableCapacity;
use crate::error::{root_cause, EngineError};

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
            root_cause(&err, 200)
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
                    root_cause(&err, 200)
                )),
            }
        }
    }
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
