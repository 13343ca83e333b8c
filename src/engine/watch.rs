//! Watching the tables' provisioned figures during a run (DescribeTable every few seconds), so each
//! second of the time series says what capacity was in force: auto scaling changes it mid-run.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;

use crate::report::Provisioned;

/// How often the figures are read: often enough to show auto scaling's steps, rare enough to cost
/// nothing against DescribeTable's limits.
pub const EVERY: Duration = Duration::from_secs(2);

pub struct CapacityWatch {
    pub client: Client,
    pub tables: Vec<String>,
}

impl CapacityWatch {
    /// The tables' provisioned figures now; a table that could not be read keeps its last figures.
    pub async fn poll(&self, last: &mut BTreeMap<String, Provisioned>) {
        for table in &self.tables {
            let Ok(out) = self.client.describe_table().table_name(table).send().await else {
                continue;
            };
            let Some(desc) = out.table() else { continue };
            let on_demand = desc
                .billing_mode_summary()
                .and_then(|b| b.billing_mode())
                .is_some_and(|m| m.as_str() == "PAY_PER_REQUEST");
            let throughput = desc.provisioned_throughput();
            let figure = |v: Option<i64>| {
                if on_demand {
                    None
                } else {
                    v.filter(|n| *n > 0)
                }
            };
            last.insert(
                table.clone(),
                Provisioned {
                    read: figure(throughput.and_then(|t| t.read_capacity_units())),
                    write: figure(throughput.and_then(|t| t.write_capacity_units())),
                },
            );
        }
    }
}
