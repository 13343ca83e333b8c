//! A table's capacity settings as DescribeTable reports them: billing mode, provisioned, warm and
//! on-demand figures for the table and each global secondary index. Also the shape of a backup.

use aws_sdk_dynamodb::primitives::DateTimeFormat;
use aws_sdk_dynamodb::types::TableDescription;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CapacitySettings {
    pub name: String,
    /// The table's ARN: its account and region, recorded in backups so a restore elsewhere is noticed.
    #[serde(default)]
    pub arn: Option<String>,
    pub billing_mode: String,
    pub status: String,
    pub read_capacity_units: Option<i64>,
    pub write_capacity_units: Option<i64>,
    pub warm_read_units_per_second: Option<i64>,
    pub warm_write_units_per_second: Option<i64>,
    pub on_demand_max_read_request_units: Option<i64>,
    pub on_demand_max_write_request_units: Option<i64>,
    pub item_count: Option<i64>,
    /// When the table last switched to on-demand (the 4-per-24h limit counts such switches).
    pub last_switch_to_on_demand: Option<String>,
    pub indexes: Vec<IndexCapacity>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexCapacity {
    pub name: String,
    pub status: String,
    pub read_capacity_units: Option<i64>,
    pub write_capacity_units: Option<i64>,
    pub warm_read_units_per_second: Option<i64>,
    pub warm_write_units_per_second: Option<i64>,
}

/// DynamoDB reports 0 provisioned units for on-demand tables; absent is clearer.
fn units(v: Option<i64>) -> Option<i64> {
    v.filter(|n| *n > 0)
}

impl CapacitySettings {
    pub fn from_description(table: &TableDescription) -> Self {
        let billing = table.billing_mode_summary();
        let provisioned = table.provisioned_throughput();
        let warm = table.warm_throughput();
        let on_demand = table.on_demand_throughput();
        Self {
            name: table.table_name().unwrap_or_default().to_owned(),
            arn: table.table_arn().map(str::to_owned),
            // Tables created before billing modes existed report no summary: they are provisioned.
            billing_mode: billing
                .and_then(|b| b.billing_mode())
                .map_or("PROVISIONED", |m| m.as_str())
                .to_owned(),
            status: table
                .table_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            read_capacity_units: units(provisioned.and_then(|p| p.read_capacity_units())),
            write_capacity_units: units(provisioned.and_then(|p| p.write_capacity_units())),
            warm_read_units_per_second: warm.and_then(|w| w.read_units_per_second()),
            warm_write_units_per_second: warm.and_then(|w| w.write_units_per_second()),
            on_demand_max_read_request_units: on_demand.and_then(|o| o.max_read_request_units()),
            on_demand_max_write_request_units: on_demand.and_then(|o| o.max_write_request_units()),
            item_count: table.item_count(),
            last_switch_to_on_demand: billing
                .and_then(|b| b.last_update_to_pay_per_request_date_time())
                .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
            indexes: table
                .global_secondary_indexes()
                .iter()
                .map(|g| IndexCapacity {
                    name: g.index_name().unwrap_or_default().to_owned(),
                    status: g
                        .index_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    read_capacity_units: units(
                        g.provisioned_throughput()
                            .and_then(|p| p.read_capacity_units()),
                    ),
                    write_capacity_units: units(
                        g.provisioned_throughput()
                            .and_then(|p| p.write_capacity_units()),
                    ),
                    warm_read_units_per_second: g
                        .warm_throughput()
                        .and_then(|w| w.read_units_per_second()),
                    warm_write_units_per_second: g
                        .warm_throughput()
                        .and_then(|w| w.write_units_per_second()),
                })
                .collect(),
        }
    }
}
