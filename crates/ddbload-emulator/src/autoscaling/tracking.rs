//! Target tracking as DynamoDB's auto scaling does it ("Managing throughput capacity automatically
//! with DynamoDB auto scaling"): its CloudWatch alarms scale out when consumed utilization stays above
//! the target for 2 consecutive minutes (to consumed / target) and scale in when it stays 20% or more
//! below the target for 15 consecutive minutes, always within the target's min and max, and within
//! DynamoDB's limit on decreases. Simplified: utilization is judged against the figure in force now.

use super::{Dimension, Policy, Target};
use crate::capacity::{Kind, TableCapacity};
use crate::ops::table_common::MAX_UNITS;
use crate::store::Store;
use crate::table::{lock, Table};
use crate::updating::{CapacityUpdate, Change};

const SCALE_OUT_MINUTES: usize = 2;
const SCALE_IN_MINUTES: usize = 15;
const SCALE_IN_BELOW: f64 = 0.8;
/// Decreases a day before each further one needs an hour without a decrease ("Service quotas").
const FREE_DECREASES: usize = 4;

/// The capacity a target scales: the table's or the index's (None: no such index).
fn with_capacity<T>(
    table: &Table,
    index: Option<&str>,
    act: impl FnOnce(&mut TableCapacity) -> T,
) -> Option<T> {
    match index {
        Some(name) => {
            let index = global_index(table, name)?;
            let done = act(&mut lock(&index.capacity));
            Some(done)
        }
        None => Some(act(&mut table.state().capacity)),
    }
}

/// The table's global index of that name, the only kind auto scaling scales.
fn global_index(table: &Table, name: &str) -> Option<std::sync::Arc<crate::index::Index>> {
    table.index(name).ok().filter(|index| !index.local)
}

fn kind(dimension: Dimension) -> Kind {
    if dimension.is_read() {
        Kind::Read
    } else {
        Kind::Write
    }
}

/// The provisioned figure of a target's dimension, if the table or index is provisioned.
fn provisioned(table: &Table, index: Option<&str>, dimension: Dimension) -> Option<i64> {
    with_capacity(table, index, |capacity| {
        let (read, write) = capacity.billing.units();
        capacity
            .billing
            .is_provisioned()
            .then_some(if dimension.is_read() { read } else { write })
    })
    .flatten()
}

fn consumed(
    table: &Table,
    index: Option<&str>,
    dimension: Dimension,
    now: f64,
    minutes: usize,
) -> Vec<f64> {
    with_capacity(table, index, |capacity| {
        capacity.consumed_by_minute(kind(dimension), now, minutes)
    })
    .unwrap_or_default()
}

/// Sets a target's figure from `current` to `new` and records the change, in one hold of the table's
/// state; false (nothing done) when the table is UPDATING by then, as its UpdateTable would be refused.
/// With `serve --update-table-ms` (`delay` seconds) the change goes as an UpdateTable's does: the table
/// is UPDATING, the old figure serves until the change completes, and it is recorded then.
fn set(
    table: &Table,
    index: Option<&str>,
    dimension: Dimension,
    (current, new): (i64, i64),
    (now, delay): (f64, f64),
) -> bool {
    let mut state = table.state_at(now);
    if state.updating.is_some() {
        return false;
    }
    let change = Change {
        lowered: new < current,
        raised: new > current,
    };
    let mut table_capacity = state.capacity.clone();
    let (table_change, indexes) = match index {
        Some(name) => {
            let Some(index) = global_index(table, name) else {
                return false;
            };
            let mut capacity = lock(&index.capacity).clone();
            capacity.set_provisioned(kind(dimension), new as f64, now);
            (Change::default(), vec![(index, capacity.billing, change)])
        }
        None => {
            table_capacity.set_provisioned(kind(dimension), new as f64, now);
            (change, Vec::new())
        }
    };
    let until = now + delay.max(0.0);
    CapacityUpdate::new((now, until), (table_capacity, table_change), indexes, None)
        .begin(&mut state);
    true
}

/// Whether one more decrease is allowed now: 4 a day (by the endpoint's clock), then one an hour.
pub fn decrease_allowed(decreases: &[f64], now: f64) -> bool {
    decreases_today(decreases, now) < FREE_DECREASES
        || decreases.last().is_none_or(|last| now - last >= 3_600.0)
}

/// How many of `decreases` fell on the day `now` falls on (DescribeTable's NumberOfDecreasesToday).
pub fn decreases_today(decreases: &[f64], now: f64) -> usize {
    let today = (now / 86_400.0).floor();
    decreases
        .iter()
        .filter(|t| (*t / 86_400.0).floor() == today)
        .count()
}

/// What one target should be set to now, and why; None to leave it.
fn decide(
    target: &Target,
    policies: &[&Policy],
    current: i64,
    minutes: &[f64],
    decreases_ok: bool,
    now: f64,
) -> Option<(i64, String, usize)> {
    // Suspended dynamic scaling does nothing at all: not even min and max are enforced.
    let dynamic = !(target.suspended.scale_in && target.suspended.scale_out);
    if dynamic && current < target.min {
        return Some((
            target.min,
            format!("the minimum capacity is {}", target.min),
            usize::MAX,
        ));
    }
    if dynamic && current > target.max {
        return Some((
            target.max,
            format!("the maximum capacity is {}", target.max),
            usize::MAX,
        ));
    }
    let utilization: Vec<f64> = minutes
        .iter()
        .map(|units| units / 60.0 / current as f64 * 100.0)
        .collect();
    for (i, policy) in policies.iter().enumerate() {
        if utilization.len() < SCALE_OUT_MINUTES {
            break;
        }
        let last = &utilization[utilization.len() - SCALE_OUT_MINUTES..];
        let cooled = policy
            .last_scale_out
            .is_none_or(|t| now - t >= policy.scale_out_cooldown);
        if !target.suspended.scale_out && cooled && last.iter().all(|u| *u > policy.target) {
            let busiest = minutes[minutes.len() - SCALE_OUT_MINUTES..]
                .iter()
                .fold(0.0_f64, |a, b| a.max(*b));
            let wanted = (busiest / 60.0 / (policy.target / 100.0)).ceil() as i64;
            let new = wanted.clamp(target.min, target.max);
            if new > current {
                let cause = format!(
                    "monitor alarm TargetTracking-{}-AlarmHigh in state ALARM: utilization above {}% for {SCALE_OUT_MINUTES} minutes; triggered policy {}",
                    target.resource, policy.target, policy.name
                );
                return Some((new, cause, i));
            }
        }
    }
    for (i, policy) in policies.iter().enumerate() {
        let cooled = policy
            .last_scale_in
            .is_none_or(|t| now - t >= policy.scale_in_cooldown);
        let quiet = utilization.len() >= SCALE_IN_MINUTES
            && utilization
                .iter()
                .all(|u| *u < policy.target * SCALE_IN_BELOW);
        if policy.disable_scale_in
            || target.suspended.scale_in
            || !cooled
            || !quiet
            || !decreases_ok
        {
            continue;
        }
        let average = minutes.iter().sum::<f64>() / minutes.len() as f64;
        let wanted = (average / 60.0 / (policy.target / 100.0)).ceil().max(1.0) as i64;
        let new = wanted.clamp(target.min, target.max);
        if new < current {
            let cause = format!(
                "monitor alarm TargetTracking-{}-AlarmLow in state ALARM: utilization 20% below {}% for {SCALE_IN_MINUTES} minutes; triggered policy {}",
                target.resource, policy.target, policy.name
            );
            return Some((new, cause, i));
        }
    }
    None
}

/// One dimension under target tracking, second by second (`simulate`).
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// The provisioned figure in force in each second.
    pub provisioned: Vec<i64>,
    /// Seconds whose demand was above the figure in force (DynamoDB would have throttled some of it,
    /// burst credit aside).
    pub short_seconds: usize,
}

/// Replays a per-second demand (units a second) against one table's or index's dimension under a
/// target-tracking policy, with the same decisions the endpoint's auto scaling takes: evaluated at
/// each minute's end from the units consumed in each past minute (at most what was provisioned:
/// throttled demand is not consumed, as in CloudWatch), starting at `min`.
pub fn simulate(demand: &[f64], min: i64, max: i64, target_percent: f64) -> Simulated {
    let target = Target {
        resource: "table/simulated".into(),
        dimension: Dimension::TableWrite,
        min,
        max,
        suspended: Default::default(),
        created: 0.0,
        arn: String::new(),
    };
    let policy = Policy {
        name: "simulated".into(),
        resource: target.resource.clone(),
        dimension: target.dimension,
        target: target_percent,
        metric: String::new(),
        scale_out_cooldown: 0.0,
        scale_in_cooldown: 0.0,
        disable_scale_in: false,
        created: 0.0,
        arn: String::new(),
        last_scale_out: None,
        last_scale_in: None,
    };
    let mut current = min;
    let mut provisioned = Vec::with_capacity(demand.len());
    let mut short_seconds = 0;
    let mut minutes: Vec<f64> = Vec::new();
    let mut this_minute = 0.0;
    let mut decreases: Vec<f64> = Vec::new();
    for (second, wanted) in demand.iter().enumerate() {
        provisioned.push(current);
        if *wanted > current as f64 {
            short_seconds += 1;
        }
        this_minute += wanted.min(current as f64);
        if (second + 1) % 60 != 0 {
            continue;
        }
        minutes.push(this_minute);
        this_minute = 0.0;
        let now = (second + 1) as f64;
        let recent = &minutes[minutes.len().saturating_sub(SCALE_IN_MINUTES)..];
        if let Some((new, _, _)) = decide(
            &target,
            &[&policy],
            current,
            recent,
            decrease_allowed(&decreases, now),
            now,
        ) {
            let new = new.min(MAX_UNITS);
            if new < current {
                decreases.push(now);
            }
            current = new;
        }
    }
    Simulated {
        provisioned,
        short_seconds,
    }
}

/// Evaluates every scalable target once: `Store::tick` does so every few seconds of the endpoint's
/// clock, and RegisterScalableTarget at once (a new minimum applies immediately).
pub fn evaluate(store: &Store, now: f64) {
    let mut scaling = lock(&store.autoscaling);
    let mut actions = Vec::new();
    for target in scaling.targets.values() {
        let Some((table_name, index)) = super::parse_resource(&target.resource) else {
            continue;
        };
        let Some(table) = store.any_table(&table_name) else {
            continue;
        };
        // A table UPDATING refuses UpdateTable: auto scaling tries again at its next evaluation.
        // A table DELETING is left alone.
        if table.state_at(now).updating.is_some() || table.is_deleting(store.epoch()) {
            continue;
        }
        let Some(current) = provisioned(&table, index.as_deref(), target.dimension) else {
            continue;
        };
        let mine: Vec<&Policy> = scaling
            .policies
            .values()
            .filter(|p| p.resource == target.resource && p.dimension == target.dimension)
            .collect();
        let minutes = consumed(
            &table,
            index.as_deref(),
            target.dimension,
            now,
            SCALE_IN_MINUTES,
        );
        let decreases_ok = with_capacity(&table, index.as_deref(), |capacity| {
            decrease_allowed(&capacity.decreases, now)
        })
        .unwrap_or(true);
        if let Some((wanted, mut cause, policy)) =
            decide(target, &mine, current, &minutes, decreases_ok, now)
        {
            // Whatever a target's min or max says, DynamoDB never sets more than the table quota.
            let new = wanted.min(MAX_UNITS);
            if new == current {
                continue;
            }
            if new < wanted {
                cause.push_str(&format!(
                    "; capped at the table quota of {MAX_UNITS} units (asked for {wanted})"
                ));
            }
            let policy = mine.get(policy).map(|p| p.name.clone());
            actions.push(Action {
                table,
                index,
                resource: target.resource.clone(),
                dimension: target.dimension,
                current,
                new,
                cause,
                policy,
            });
        }
    }
    let delay = store.update_table_ms() as f64 / 1000.0;
    for action in actions {
        let figures = (action.current, action.new);
        if !set(
            &action.table,
            action.index.as_deref(),
            action.dimension,
            figures,
            (now, delay),
        ) {
            continue;
        }
        if let Some(name) = &action.policy {
            let key = (action.resource.clone(), action.dimension, name.clone());
            if let Some(p) = scaling.policies.get_mut(&key) {
                if action.new > action.current {
                    p.last_scale_out = Some(now);
                } else {
                    p.last_scale_in = Some(now);
                }
            }
        }
        let unit = if action.dimension.is_read() {
            "read"
        } else {
            "write"
        };
        let description = format!("Setting {unit} capacity units to {}.", action.new);
        scaling.record(
            &action.resource,
            action.dimension,
            description,
            action.cause,
            (store.epoch(), store.epoch() + delay),
        );
    }
}

/// One change `evaluate` decided on.
struct Action {
    table: std::sync::Arc<Table>,
    index: Option<String>,
    resource: String,
    dimension: Dimension,
    current: i64,
    new: i64,
    cause: String,
    policy: Option<String>,
}
