//! UpdateTable: billing mode (4 switches to on-demand per 24 hours), provisioned throughput for the
//! table and its GSIs, warm throughput (raise only) and on-demand maximums. Checked in full before
//! anything changes.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{refuse_unsupported, table_name};
use super::create_table::on_demand_max;
use super::table_common::{describe, int, throughput};
use crate::capacity::Mode;
use crate::error::ApiError;
use crate::store::{epoch_seconds, Store};
use crate::table::{lock, Table};

pub struct UpdateTable {
    table: Arc<Table>,
    request: Value,
}

pub fn parse(req: &Value, store: &Store) -> Result<UpdateTable, ApiError> {
    refuse_unsupported(
        req,
        &[
            "AttributeDefinitions",
            "StreamSpecification",
            "SSESpecification",
            "ReplicaUpdates",
        ],
    )?;
    let name = table_name(req)?;
    // Figures are checked here, before anything is looked at or changed.
    throughput(req.get("ProvisionedThroughput"))?;
    for update in req
        .get("GlobalSecondaryIndexUpdates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(u) = update.get("Update") else {
            return Err(ApiError::unsupported(
                "creating or deleting indexes (only Update in GlobalSecondaryIndexUpdates)",
            ));
        };
        throughput(u.get("ProvisionedThroughput"))?;
    }
    Ok(UpdateTable {
        table: store.table(&name)?,
        request: req.clone(),
    })
}

impl UpdateTable {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let req = &self.request;
        let now = store.now();
        let mut meta_guard = self.table.meta.write().unwrap_or_else(|p| p.into_inner());
        let mut capacity_guard = lock(&self.table.capacity);
        let mut meta = meta_guard.clone();
        let mut capacity = capacity_guard.clone();
        let mut changed = false;

        let billing = req.get("BillingMode").and_then(Value::as_str);
        let new_throughput = throughput(req.get("ProvisionedThroughput"))?;
        let on_demand_only = || {
            ApiError::validation(
                "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can \
                 be specified when BillingMode is PAY_PER_REQUEST",
            )
        };
        if let Some(mode) = billing.filter(|m| *m != meta.billing_mode) {
            changed = true;
            match mode {
                "PAY_PER_REQUEST" => {
                    if new_throughput.is_some() {
                        return Err(on_demand_only());
                    }
                    capacity
                        .record_switch_to_on_demand(now)
                        .map_err(|m| ApiError::dynamodb("LimitExceededException", m))?;
                    capacity.note_previous_provisioned(
                        meta.provisioned.0 as f64,
                        meta.provisioned.1 as f64,
                    );
                    capacity.mode = Mode::OnDemand;
                    meta.provisioned = (0, 0);
                    meta.last_switch_to_on_demand = Some(epoch_seconds());
                    for g in &mut meta.gsis {
                        g.provisioned = None;
                    }
                }
                "PROVISIONED" => {
                    let (r, w) = new_throughput.ok_or_else(|| {
                        ApiError::validation(
                            "One or more parameter values were invalid: ProvisionedThroughput must be specified \
                             when BillingMode is PROVISIONED",
                        )
                    })?;
                    meta.provisioned = (r, w);
                    capacity.mode = Mode::Provisioned {
                        read: r as f64,
                        write: w as f64,
                    };
                }
                other => return Err(ApiError::validation(format!("Invalid BillingMode {other}"))),
            }
            meta.billing_mode = mode.to_owned();
        } else if let Some((r, w)) = new_throughput {
            if meta.billing_mode != "PROVISIONED" {
                return Err(on_demand_only());
            }
            if (r, w) == meta.provisioned && req.get("GlobalSecondaryIndexUpdates").is_none() {
                return Err(ApiError::validation(format!(
                    "The provisioned throughput for the table will not change. The requested value equals the \
                     current value. Current ReadCapacityUnits provisioned for the table: {}. Requested \
                     ReadCapacityUnits: {r}. Current WriteCapacityUnits provisioned for the table: {}. Requested \
                     WriteCapacityUnits: {w}. Refer to the Amazon DynamoDB Developer Guide for current limits and \
                     how to request higher limits.",
                    meta.provisioned.0, meta.provisioned.1
                )));
            }
            changed = true;
            meta.provisioned = (r, w);
            capacity.mode = Mode::Provisioned {
                read: r as f64,
                write: w as f64,
            };
        }

        for update in req
            .get("GlobalSecondaryIndexUpdates")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let u = &update["Update"];
            let index = u
                .get("IndexName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let gsi = meta
                .gsis
                .iter_mut()
                .find(|g| g.name == index)
                .ok_or_else(|| ApiError::index_not_found(index))?;
            if let Some(p) = throughput(u.get("ProvisionedThroughput"))? {
                gsi.provisioned = Some(p);
                changed = true;
            }
        }
        if meta.billing_mode == "PROVISIONED" && meta.gsis.iter().any(|g| g.provisioned.is_none()) {
            return Err(ApiError::validation(
                "One or more parameter values were invalid: ProvisionedThroughput must be specified for index \
                 when BillingMode is PROVISIONED",
            ));
        }

        if let Some(warm) = req.get("WarmThroughput") {
            let current = capacity.warm;
            let read = int(warm.get("ReadUnitsPerSecond")).map_or(current.0, |v| v as f64);
            let write = int(warm.get("WriteUnitsPerSecond")).map_or(current.1, |v| v as f64);
            if read < current.0 || write < current.1 {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Requested warm throughput is lower than the \
                     current warm throughput (read {}, write {}); it cannot be decreased",
                    current.0, current.1
                )));
            }
            if (read, write) != current {
                capacity.warm = (read, write);
                changed = true;
            }
        }
        if let Some(od) = req.get("OnDemandThroughput") {
            capacity.on_demand_max = on_demand_max(od);
            changed = true;
        }
        if !changed {
            return Err(ApiError::validation("Nothing to update"));
        }
        let lowered = meta.billing_mode == "PROVISIONED"
            && meta_guard.billing_mode == "PROVISIONED"
            && (meta.provisioned.0 < meta_guard.provisioned.0
                || meta.provisioned.1 < meta_guard.provisioned.1);
        if lowered {
            if !crate::autoscaling::decrease_allowed(&capacity.decreases, now) {
                return Err(ApiError::dynamodb(
                    "LimitExceededException",
                    "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC \
                     day. After the first 4 decreases, each subsequent decrease in the same UTC day can be \
                     performed at most once every 3600 seconds.",
                ));
            }
            capacity.decreases.push(now);
        }
        capacity.reset_buckets(now);
        for index in &self.table.indexes {
            let provisioned = meta
                .gsis
                .iter()
                .find(|g| g.name == index.name)
                .and_then(|g| g.provisioned);
            let mut index_capacity = lock(&index.capacity);
            let mode = super::create_table::index_mode(provisioned);
            if index_capacity.mode != mode {
                index_capacity.mode = mode;
                index_capacity.reset_buckets(now);
            }
        }
        *meta_guard = meta;
        *capacity_guard = capacity;
        drop(capacity_guard);
        drop(meta_guard);
        Ok(json!({ "TableDescription": describe(&self.table) }))
    }
}
