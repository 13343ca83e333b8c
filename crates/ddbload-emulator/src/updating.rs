//! A capacity change in progress: what UpdateTable asked for while its table is UPDATING
//! (`serve --update-table-ms`), put in force when that time is over, as DynamoDB serves the old
//! figures until an update completes.

use std::sync::Arc;

use crate::capacity::{Billing, TableCapacity};
use crate::index::Index;
use crate::table::{lock, TableState};

#[derive(Clone)]
pub struct CapacityUpdate {
    /// When the table is ACTIVE again, on the endpoint's clock.
    pub until: f64,
    /// The table's capacity as the request worked it out: its figures and records of changes.
    table: TableCapacity,
    /// Each global index whose billing or figures change, with its new ones.
    indexes: Vec<(Arc<Index>, Billing)>,
    /// LastUpdateToPayPerRequestDateTime (epoch seconds) when the update switches to on-demand.
    switch_epoch: Option<f64>,
}

impl std::fmt::Debug for CapacityUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CapacityUpdate")
            .field("until", &self.until)
            .field("billing", &self.table.billing)
            .field("indexes", &self.indexes.len())
            .finish()
    }
}

impl CapacityUpdate {
    pub fn new(
        until: f64,
        table: TableCapacity,
        indexes: Vec<(Arc<Index>, Billing)>,
        switch_epoch: Option<f64>,
    ) -> Self {
        Self {
            until,
            table,
            indexes,
            switch_epoch,
        }
    }

    /// Whether `index`'s figures change with this update (DescribeTable shows it UPDATING).
    pub fn changes_index(&self, index: &Index) -> bool {
        self.indexes
            .iter()
            .any(|(changed, _)| std::ptr::eq(changed.as_ref(), index))
    }

    /// Puts the new figures in force, as of the moment the update completed.
    pub fn complete(self, state: &mut TableState) {
        state.capacity.take_figures(self.table, self.until);
        for (index, billing) in self.indexes {
            let mut capacity = lock(&index.capacity);
            capacity.billing = billing;
            capacity.reset_buckets(self.until);
        }
        if let Some(at) = self.switch_epoch {
            state.settings.last_switch_to_on_demand = Some(at);
        }
    }
}
