//! DescribeLimits: the account and table capacity quotas the endpoint enforces (DynamoDB's defaults).

use serde_json::{json, Value};

use super::table_common::MAX_UNITS;
use crate::error::ApiError;
use crate::store::Store;

/// DynamoDB's default per-account quota in a region.
pub const ACCOUNT_MAX_UNITS: i64 = 80_000;

pub struct DescribeLimits;

pub fn parse(_req: &Value, _store: &Store) -> Result<DescribeLimits, ApiError> {
    Ok(DescribeLimits)
}

impl DescribeLimits {
    pub fn apply(self, _store: &Store) -> Result<Value, ApiError> {
        Ok(json!({
            "AccountMaxReadCapacityUnits": ACCOUNT_MAX_UNITS,
            "AccountMaxWriteCapacityUnits": ACCOUNT_MAX_UNITS,
            "TableMaxReadCapacityUnits": MAX_UNITS,
            "TableMaxWriteCapacityUnits": MAX_UNITS,
        }))
    }
}
