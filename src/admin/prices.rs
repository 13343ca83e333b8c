//! The AWS Price List API (pricing:GetProducts): every AmazonDynamoDB product of one region, as the JSON
//! documents the API answers with (`ddbload cost --prices live` picks the prices out of them).

use aws_sdk_pricing::types::{Filter, FilterType};
use aws_sdk_pricing::Client;

use super::sdk_failure;
use crate::connection::{Connection, Retries};
use crate::error::EngineError;

/// Answers longer than this many pages are not a price list for one service and region.
const MAX_PAGES: usize = 200;

/// The product documents of AmazonDynamoDB in `region_code`, all pages; `conn` is where the API is
/// asked (its region is the Price List endpoint's, e.g. us-east-1).
pub async fn dynamodb_products(
    conn: &Connection,
    region_code: &str,
) -> Result<Vec<String>, EngineError> {
    let client = Client::new(&conn.sdk_config(Retries::Sdk).await?);
    let filter = Filter::builder()
        .r#type(FilterType::TermMatch)
        .field("regionCode")
        .value(region_code)
        .build()
        .expect("type, field and value are set");
    let mut products = Vec::new();
    let mut token = None;
    for _ in 0..MAX_PAGES {
        let page = client
            .get_products()
            .service_code("AmazonDynamoDB")
            .format_version("aws_v1")
            .filters(filter.clone())
            .set_next_token(token)
            .send()
            .await
            .map_err(|err| {
                sdk_failure(
                    err,
                    "pricing:GetProducts",
                    "the AWS Price List API",
                    &where_asked(conn),
                )
            })?;
        products.extend(page.price_list().iter().cloned());
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(products);
        }
    }
    Err(EngineError::Aws(format!(
        "pricing:GetProducts: more than {MAX_PAGES} pages for AmazonDynamoDB in {region_code}"
    )))
}

/// The endpoint asked: the override, or the Price List API's own in the connection's region.
fn where_asked(conn: &Connection) -> String {
    conn.endpoint_url.clone().map_or_else(
        || format!("api.pricing.{}.amazonaws.com", conn.region),
        |url| crate::connection::redacted(&url),
    )
}
