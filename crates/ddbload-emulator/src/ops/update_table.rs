//! UpdateTable: billing mode (4 switches to on-demand per 24 hours), provisioned throughput for the
//! table and its GSIs, warm throughput (raise only) and on-demand maximums. The request is read and
//! checked in `parse` with no lock held; `apply` checks what depends on the table's state under its
//! state lock and changes everything or nothing. New figures or a new mode are in force at once, or
//! after `serve --update-table-ms` with the table UPDATING meanwhile (`updating`). Creating and
//! deleting a global index is `index_changes`' work.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{refuse_unsupported, table_name};
use super::create_table::{index_billing, on_demand_max};
use super::index_changes::{self, IndexChange};
use super::stream_spec::StreamChange;
use super::table_common::{
    check_throughput_bounds, describe, raise_warm, throughput, throughput_present, warm_figures,
    WarmFigures, MAX_FIGURE,
};
use crate::capacity::{Billing, TableCapacity};
use crate::error::ApiError;
use crate::store::Store;
use crate::table::{lock, Indexes, Table};
use crate::updating::{CapacityUpdate, Change};

/// A billing mode named by the request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NewMode {
    Provisioned,
    OnDemand,
}

pub struct UpdateTable {
    table: Arc<Table>,
    /// The table's indexes as this request found them (positions below are into this list).
    indexes: Indexes,
    mode: Option<NewMode>,
    throughput: Option<(i64, i64)>,
    /// GSI updates: the index's position in `table.indexes` and its new figures.
    index_throughput: Vec<(usize, (i64, i64))>,
    has_index_updates: bool,
    /// A global index created or deleted (one per request, as DynamoDB allows).
    index_change: Option<IndexChange>,
    /// A stream enabled or disabled.
    stream: Option<StreamChange>,
    /// AttributeDefinitions given with a created index, merged into the table's.
    attribute_definitions: Vec<Value>,
    warm: Option<WarmFigures>,
    deletion_protection: Option<bool>,
    table_class: Option<String>,
    on_demand_max: Option<(Option<f64>, Option<f64>)>,
    /// Replayed from `--data-dir`'s journal at start: done as it was, without the limits on how
    /// often (all replayed operations happen at one moment, so they would count them wrongly),
    /// and an index it creates is filled from the items afterwards, not backfilled.
    replaying: bool,
}

/// GlobalSecondaryIndexUpdates as DynamoDB checks them before it looks the table up: an Update
/// names its index (the one member today's API model requires of it; dynalite's older record of
/// DynamoDB required ProvisionedThroughput too), and no index is named twice.
fn check_index_updates_shape(updates: &[&Value]) -> Result<(), ApiError> {
    let mut missing = Vec::new();
    for (at, update) in updates.iter().enumerate() {
        let Some(u) = update.get("Update") else {
            continue;
        };
        if u.get("IndexName").is_none_or(Value::is_null) {
            let path = format!(
                "globalSecondaryIndexUpdates.{}.member.update.indexName",
                at + 1
            );
            missing.push(ApiError::violation(None, &path, ApiError::NOT_NULL.into()));
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::violations(missing));
    }
    let mut named = std::collections::HashSet::new();
    for update in updates {
        let index = ["Create", "Update", "Delete"]
            .iter()
            .find_map(|action| update.get(*action)?.get("IndexName")?.as_str());
        if let Some(index) = index.filter(|index| !named.insert(*index)) {
            return Err(ApiError::index_updated_twice(index));
        }
    }
    Ok(())
}

pub fn parse(req: &Value, store: &Store) -> Result<UpdateTable, ApiError> {
    refuse_unsupported(
        req,
        &[
            "SSESpecification",
            "ReplicaUpdates",
            "MultiRegionConsistency",
            "GlobalTableWitnessUpdates",
            "GlobalTableSettingsReplicationMode",
            "DisassociationProtectionEnabled",
            "VectorIndexUpdates",
        ],
    )?;
    let name = table_name(req)?;
    let new_throughput = throughput(req.get("ProvisionedThroughput"))?;
    let updates: Vec<&Value> = req
        .get("GlobalSecondaryIndexUpdates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let attribute_definitions: Vec<Value> = req
        .get("AttributeDefinitions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    check_index_updates_shape(&updates)?;
    let mut index_figures = Vec::with_capacity(updates.len());
    let mut index_change = None;
    for update in &updates {
        let Some(u) = update.get("Update") else {
            if update.get("Create").is_some() && req.get("AttributeDefinitions").is_none() {
                return Err(ApiError::no_attribute_schema());
            }
            let change = index_changes::parse(update, &attribute_definitions)?
                .ok_or_else(ApiError::index_update_empty)?;
            if index_change.replace(change).is_some() {
                return Err(ApiError::one_index_change_at_a_time());
            }
            continue;
        };
        // An index's warm throughput or on-demand maximum is not modelled: refused, never ignored.
        if let Some(member) = u.as_object().and_then(|o| {
            o.keys()
                .find(|k| !matches!(k.as_str(), "IndexName" | "ProvisionedThroughput"))
        }) {
            return Err(ApiError::unsupported(&format!(
                "{member} in a GlobalSecondaryIndexUpdates Update"
            )));
        }
        let index = u
            .get("IndexName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        index_figures.push((index, throughput_present(u.get("ProvisionedThroughput"))?));
    }
    let table = store.control_plane_table(&name)?;
    table.refuse_change_unless_active(store.epoch())?;
    index_changes::keep_defined_types(&mut index_change, &table);
    let mode = match req.get("BillingMode").and_then(Value::as_str) {
        None => None,
        Some("PAY_PER_REQUEST") if new_throughput.is_some() => {
            return Err(ApiError::throughput_with_on_demand())
        }
        Some("PAY_PER_REQUEST") => Some(NewMode::OnDemand),
        Some("PROVISIONED") => Some(NewMode::Provisioned),
        Some(other) => return Err(ApiError::invalid_billing_mode(other)),
    };
    let indexes = table.indexes();
    let mut index_throughput = Vec::new();
    // An index's figures are bounded once its table is found, as dynalite's suite records
    // DynamoDB's order (a table's own figures are bounded before the lookup): past 10^12 the
    // update is blocked whether or not the index exists; the quota once the index is found.
    for (update, (index, figures)) in updates
        .iter()
        .filter_map(|update| update.get("Update"))
        .zip(index_figures)
    {
        if figures.is_some_and(|(r, w)| r.max(w) > MAX_FIGURE) {
            return Err(ApiError::index_update_blocked());
        }
        let position = indexes
            .iter()
            .position(|i| !i.local && i.name == index)
            .ok_or_else(|| ApiError::index_not_found(&index))?;
        if let (Some(figures), Some(given)) = (figures, update.get("ProvisionedThroughput")) {
            check_throughput_bounds(figures, given)?;
            index_throughput.push((position, figures));
        }
    }
    Ok(UpdateTable {
        replaying: store.is_replaying(),
        table,
        indexes,
        index_change,
        stream: super::stream_spec::parse(req)?,
        attribute_definitions,
        mode,
        throughput: new_throughput,
        index_throughput,
        has_index_updates: !updates.is_empty(),
        warm: warm_figures(req),
        deletion_protection: req
            .get("DeletionProtectionEnabled")
            .and_then(Value::as_bool),
        table_class: req
            .get("TableClass")
            .and_then(Value::as_str)
            .map(str::to_owned),
        on_demand_max: req.get("OnDemandThroughput").map(on_demand_max),
    })
}

impl UpdateTable {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let (table, indexes) = (&self.table, &self.indexes);
        let mut state = table.state_at(now);
        // Checked again under the lock: a DeleteTable may have come between parse and now.
        table.refuse_change_unless_active(store.epoch())?;
        if state.updating.is_some() {
            if self.deletion_protection.is_some() {
                return Err(ApiError::deletion_protection_needs_active());
            }
            return Err(ApiError::table_iops_being_updated(&table.name));
        }
        let mut capacity = state.capacity.clone();
        let before = capacity.billing.clone();
        let mut switched_to_on_demand = false;
        // Each global index's billing after this request (None: unchanged).
        let mut index_billing_after: Vec<Option<Billing>> = vec![None; indexes.len()];
        let mut changed = self.change_billing(
            &mut capacity,
            &mut index_billing_after,
            &mut switched_to_on_demand,
            now,
        )?;
        for (position, (r, w)) in &self.index_throughput {
            if !capacity.billing.is_provisioned() {
                return Err(ApiError::index_throughput_with_on_demand(
                    &indexes[*position].name,
                ));
            }
            index_billing_after[*position] = Some(index_billing(Some((*r, *w))));
            changed = true;
        }
        if capacity.billing.is_provisioned() {
            let unprovisioned = indexes.iter().enumerate().any(|(i, index)| {
                !index.local
                    && !index_billing_after[i]
                        .clone()
                        .unwrap_or_else(|| lock(&index.capacity).billing.clone())
                        .is_provisioned()
            });
            if unprovisioned {
                return Err(ApiError::indexes_need_throughput());
            }
        }
        if let Some(change) = &self.index_change {
            index_changes::check(change, table, capacity.billing.is_provisioned())?;
            changed = true;
        }
        if let Some(change) = self.stream {
            super::stream_spec::check(change, table)?;
            changed = true;
        }
        changed |= self.change_warm(&mut capacity)?;
        if let Some(max) = self.on_demand_max {
            capacity.on_demand_max = max;
            changed = true;
        }
        changed |= self.deletion_protection.is_some() || self.table_class.is_some();
        if !changed {
            return Err(ApiError::nothing_to_update());
        }
        // Changes are recorded (the day's decreases, the dates) when they complete; a replayed journal
        // records none.
        let recorded = |(lowered, raised): (bool, bool)| Change {
            lowered: lowered && !self.replaying,
            raised: raised && !self.replaying,
        };
        let table_figures_change = capacity.billing != before;
        if table_figures_change {
            let creating: Vec<&str> = indexes
                .iter()
                .filter(|index| index.is_backfilling())
                .map(|index| index.name.as_str())
                .collect();
            if !creating.is_empty() {
                return Err(ApiError::table_iops_while_index_created(
                    &table.name,
                    &creating,
                ));
            }
        }
        let table_change = recorded(lowered_and_raised(&before, &capacity.billing));
        if table_change.lowered && !crate::autoscaling::decrease_allowed(&capacity.decreases, now) {
            return Err(ApiError::throughput_decrease_limit());
        }
        // A global index's decreases are limited as its table's are, each index on its own count;
        // checked for every index before any of them changes.
        let mut changed_indexes = Vec::new();
        for (index, billing) in indexes.iter().zip(index_billing_after) {
            let Some(billing) = billing else {
                continue;
            };
            let index_capacity = lock(&index.capacity);
            if index_capacity.billing == billing {
                continue;
            }
            let change = recorded(lowered_and_raised(&index_capacity.billing, &billing));
            if change.lowered
                && !crate::autoscaling::decrease_allowed(&index_capacity.decreases, now)
            {
                return Err(ApiError::throughput_decrease_limit());
            }
            changed_indexes.push((index.clone(), billing, change));
        }
        // New figures or a new mode keep the table UPDATING for `serve --update-table-ms`, serving
        // the old ones meanwhile; anything else (and a replayed journal) is in force at once.
        let provisioned = capacity.billing.is_provisioned();
        let delay = match self.replaying {
            true => 0.0,
            false => store.update_table_ms() as f64 / 1000.0,
        };
        let updating = delay > 0.0 && (table_figures_change || !changed_indexes.is_empty());
        let until = if updating { now + delay } else { now };
        let switch_epoch = switched_to_on_demand.then(|| store.epoch() + (until - now));
        CapacityUpdate::new(
            (now, until),
            (capacity, table_change),
            changed_indexes,
            switch_epoch,
        )
        .begin(&mut state);
        if let Some(protected) = self.deletion_protection {
            state.settings.deletion_protection = protected;
        }
        if let Some(class) = self.table_class {
            state.settings.table_class = Some(class);
        }
        if let Some(change) = self.stream {
            super::stream_spec::apply(change, table, store);
        }
        if let Some(change) = self.index_change {
            table.add_attribute_definitions(&self.attribute_definitions);
            index_changes::apply(change, table, provisioned, now, !self.replaying);
        }
        drop(state);
        Ok(json!({ "TableDescription": describe(table, store) }))
    }

    /// The billing mode and table figures; whether anything changed.
    fn change_billing(
        &self,
        capacity: &mut TableCapacity,
        index_billing_after: &mut [Option<Billing>],
        switched_to_on_demand: &mut bool,
        now: f64,
    ) -> Result<bool, ApiError> {
        let provisioned_now = capacity.billing.is_provisioned();
        match self.mode {
            Some(NewMode::OnDemand) if provisioned_now => {
                if !self.replaying {
                    capacity.record_switch_to_on_demand(now)?;
                }
                let (read, write) = capacity.billing.units();
                capacity.note_previous_provisioned(read as f64, write as f64);
                capacity.billing = Billing::OnDemand;
                *switched_to_on_demand = true;
                for (slot, index) in index_billing_after.iter_mut().zip(self.indexes.iter()) {
                    if !index.local {
                        *slot = Some(Billing::OnDemand);
                    }
                }
                Ok(true)
            }
            Some(NewMode::Provisioned) if !provisioned_now => {
                let (r, w) = self
                    .throughput
                    .ok_or_else(ApiError::table_needs_throughput)?;
                capacity.billing = Billing::provisioned(r, w);
                Ok(true)
            }
            // Restating PAY_PER_REQUEST on an on-demand table is accepted as DynamoDB accepts it
            // (a public conformance suite checks this against DynamoDB), and changes nothing.
            Some(NewMode::OnDemand) => Ok(true),
            _ => {
                let Some((r, w)) = self.throughput else {
                    return Ok(false);
                };
                if !provisioned_now {
                    return Err(ApiError::throughput_with_on_demand());
                }
                let current = capacity.billing.units();
                if (r, w) == current && !self.has_index_updates {
                    return Err(ApiError::throughput_unchanged(current.0, r, current.1, w));
                }
                capacity.billing = Billing::provisioned(r, w);
                Ok(true)
            }
        }
    }

    /// Warm throughput: raised, never lowered; whether it changed.
    fn change_warm(&self, capacity: &mut TableCapacity) -> Result<bool, ApiError> {
        match self.warm {
            Some(figures) => raise_warm(capacity, figures),
            None => Ok(false),
        }
    }
}

/// Whether provisioned figures went down (either of them) and whether they went up (either).
fn lowered_and_raised(before: &Billing, after: &Billing) -> (bool, bool) {
    match (before, after) {
        (
            Billing::Provisioned { read, write },
            Billing::Provisioned {
                read: new_read,
                write: new_write,
            },
        ) => (
            new_read < read || new_write < write,
            new_read > read || new_write > write,
        ),
        _ => (false, false),
    }
}
