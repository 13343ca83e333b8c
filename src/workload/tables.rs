//! What a run records of its tables (TableInfo), and the sample of product keys it reads from them.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, TableDescription};
use aws_sdk_dynamodb::Client;
use serde::Serialize;

use super::catalog::{PRICE_ATTR, STOCK_ATTR};
use super::schema::KeySchema;
use crate::capacity::CapacitySettings;
use crate::control_plane::setup_error;
use crate::error::EngineError;

type Item = HashMap<String, AttributeValue>;

/// A table's capacity settings when the run started, recorded in the result for later advice.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableInfo {
    /// "products"/"orders" for the workshop; a workload file's name for the table.
    pub role: String,
    pub created_by_run: bool,
    #[serde(flatten)]
    pub capacity: CapacitySettings,
}

impl TableInfo {
    pub fn from_description(role: &str, table: &TableDescription, created_by_run: bool) -> Self {
        Self {
            role: role.to_owned(),
            created_by_run,
            capacity: CapacitySettings::from_description(table),
        }
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
