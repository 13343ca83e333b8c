//! A capacity change in progress: what UpdateTable asked for while its table is UPDATING
//! (`serve --update-table-ms`), put in force when that time is over, as DynamoDB serves the old
//! figures until an update completes. A change in force at once goes the same way, with no wait.

use std::sync::Arc;

use crate::capacity::{Billing, TableCapacity};
use crate::index::Index;
use crate::table::{lock, TableState};

/// New figures for the table or one global index: its billing after, and whether the change lowers
/// and raises provisioned figures (recorded when it completes: the day's decreases, the dates).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Change {
    pub lowered: bool,
    pub raised: bool,
}

#[derive(Clone)]
pub struct CapacityUpdate {
    /// When it was asked for and when the table is ACTIVE again, on the endpoint's clock.
    pub requested: f64,
    pub until: f64,
    /// The table's capacity as the request worked it out, and how its figures change.
    table: TableCapacity,
    table_change: Change,
    /// Each global index whose billing or figures change, with its new billing.
    indexes: Vec<(Arc<Index>, Billing, Change)>,
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

/// What DescribeTable shows of a table or index while its update is under way, as DynamoDB shows it:
/// a new billing mode at once (on-demand's figures as 0), new figures only once in force, and the
/// date of a raise or a decrease as when it was asked for.
pub struct Shown<'a> {
    pub billing: &'a Billing,
    pub change: Change,
    pub requested: f64,
}

impl CapacityUpdate {
    pub fn new(
        (requested, until): (f64, f64),
        (table, table_change): (TableCapacity, Change),
        indexes: Vec<(Arc<Index>, Billing, Change)>,
        switch_epoch: Option<f64>,
    ) -> Self {
        Self {
            requested,
            until,
            table,
            table_change,
            indexes,
            switch_epoch,
        }
    }

    /// What the table shows meanwhile, its figures being `live`.
    pub fn shown_for_table<'a>(&'a self, live: &'a Billing) -> Shown<'a> {
        self.shown(live, &self.table.billing, self.table_change)
    }

    /// What `index` shows meanwhile (None: its figures do not change, and it is not UPDATING).
    pub fn shown_for_index<'a>(&'a self, index: &Index, live: &'a Billing) -> Option<Shown<'a>> {
        let (_, billing, change) = self
            .indexes
            .iter()
            .find(|(changed, _, _)| std::ptr::eq(changed.as_ref(), index))?;
        Some(self.shown(live, billing, *change))
    }

    fn shown<'a>(&self, live: &'a Billing, after: &'a Billing, change: Change) -> Shown<'a> {
        let switches = live.is_provisioned() != after.is_provisioned();
        Shown {
            billing: if switches { after } else { live },
            change,
            requested: self.requested,
        }
    }

    /// Leaves the update under way on `state` until it completes, or puts it in force at once when it
    /// completes when it was asked for.
    pub fn begin(self, state: &mut TableState) {
        if self.until > self.requested {
            state.updating = Some(self);
        } else {
            self.complete(state);
        }
    }

    /// Puts the new figures in force, as of the moment the update completes.
    pub fn complete(self, state: &mut TableState) {
        let at = self.until;
        state.capacity.take_figures(self.table, at);
        let Change { lowered, raised } = self.table_change;
        state.capacity.record_change(lowered, raised, at);
        for (index, billing, change) in self.indexes {
            let mut capacity = lock(&index.capacity);
            capacity.billing = billing;
            capacity.reset_buckets(at);
            capacity.record_change(change.lowered, change.raised, at);
        }
        if let Some(epoch) = self.switch_epoch {
            state.settings.last_switch_to_on_demand = Some(epoch);
        }
    }
}
