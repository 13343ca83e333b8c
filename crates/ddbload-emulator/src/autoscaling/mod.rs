//! Application Auto Scaling for the endpoint's tables and GSIs, on the same port (JSON 1.1,
//! `X-Amz-Target: AnyScaleFrontendService.<Operation>`): scalable targets, target-tracking policies
//! and scaling activities (`ops`), and the policies acting as DynamoDB's do (`tracking`): scale out
//! after 2 minutes above the target, scale in after 15 minutes 20% below it, within min and max.

mod ops;
mod tracking;

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::store::Store;

pub use tracking::{decrease_allowed, decreases_today, evaluate, simulate, Simulated};

pub const TARGET_PREFIX: &str = "AnyScaleFrontendService.";

/// A scalable dimension of a table or GSI, as Application Auto Scaling names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimension {
    TableRead,
    TableWrite,
    IndexRead,
    IndexWrite,
}

impl Dimension {
    pub fn parse(text: &str) -> Option<Dimension> {
        Some(match text {
            "dynamodb:table:ReadCapacityUnits" => Dimension::TableRead,
            "dynamodb:table:WriteCapacityUnits" => Dimension::TableWrite,
            "dynamodb:index:ReadCapacityUnits" => Dimension::IndexRead,
            "dynamodb:index:WriteCapacityUnits" => Dimension::IndexWrite,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Dimension::TableRead => "dynamodb:table:ReadCapacityUnits",
            Dimension::TableWrite => "dynamodb:table:WriteCapacityUnits",
            Dimension::IndexRead => "dynamodb:index:ReadCapacityUnits",
            Dimension::IndexWrite => "dynamodb:index:WriteCapacityUnits",
        }
    }

    pub fn is_read(self) -> bool {
        matches!(self, Dimension::TableRead | Dimension::IndexRead)
    }

    pub fn on_index(self) -> bool {
        matches!(self, Dimension::IndexRead | Dimension::IndexWrite)
    }
}

/// `table/T` or `table/T/index/I`: the table and, for an index, its name.
pub fn parse_resource(resource: &str) -> Option<(String, Option<String>)> {
    let rest = resource.strip_prefix("table/")?;
    match rest.split_once("/index/") {
        Some((table, index)) if !table.is_empty() && !index.is_empty() => {
            Some((table.to_owned(), Some(index.to_owned())))
        }
        None if !rest.is_empty() && !rest.contains('/') => Some((rest.to_owned(), None)),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Suspended {
    pub scale_in: bool,
    pub scale_out: bool,
    pub scheduled: bool,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub resource: String,
    pub dimension: Dimension,
    pub min: i64,
    pub max: i64,
    pub suspended: Suspended,
    pub created: f64,
    pub arn: String,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub resource: String,
    pub dimension: Dimension,
    /// Target utilization, percent.
    pub target: f64,
    pub metric: String,
    pub scale_out_cooldown: f64,
    pub scale_in_cooldown: f64,
    pub disable_scale_in: bool,
    pub created: f64,
    pub arn: String,
    pub last_scale_out: Option<f64>,
    pub last_scale_in: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Activity {
    pub id: String,
    pub resource: String,
    pub dimension: Dimension,
    pub description: String,
    pub cause: String,
    /// Epoch seconds when it began, and when its table is ACTIVE with the new figure (later than
    /// `at` under `serve --update-table-ms`).
    pub at: f64,
    pub ends: f64,
}

impl Activity {
    /// The activity as DescribeScalingActivities gives it at `now` (epoch seconds): InProgress, with
    /// no end, while its table is still UPDATING.
    pub fn to_json(&self, now: f64) -> Value {
        let mut activity = json!({
            "ActivityId": self.id, "ServiceNamespace": "dynamodb", "ResourceId": self.resource,
            "ScalableDimension": self.dimension.name(), "Description": self.description, "Cause": self.cause,
            "StartTime": self.at, "StatusCode": "InProgress",
        });
        if now >= self.ends {
            activity["EndTime"] = json!(self.ends);
            activity["StatusCode"] = json!("Successful");
            activity["StatusMessage"] = json!("Successfully set capacity.");
        }
        activity
    }
}

type TargetKey = (String, Dimension);

/// Every scalable target, policy and activity of the endpoint.
#[derive(Default)]
pub struct AutoScaling {
    pub targets: BTreeMap<TargetKey, Target>,
    /// Policies by target, then name.
    pub policies: BTreeMap<(String, Dimension, String), Policy>,
    /// Newest last.
    pub activities: Vec<Activity>,
    pub next_id: u64,
}

impl AutoScaling {
    pub fn record(
        &mut self,
        resource: &str,
        dimension: Dimension,
        description: String,
        cause: String,
        (at, ends): (f64, f64),
    ) {
        self.next_id += 1;
        self.activities.push(Activity {
            id: format!("ddbload-activity-{:08}", self.next_id),
            resource: resource.to_owned(),
            dimension,
            description,
            cause,
            at,
            ends,
        });
    }
}

/// Routes one Application Auto Scaling request.
pub fn dispatch(store: &Store, operation: &str, body: &[u8]) -> Result<Value, ApiError> {
    let request: Value =
        serde_json::from_slice(body).map_err(ApiError::autoscaling_body_not_json)?;
    if !request.is_object() {
        return Err(ApiError::autoscaling_body_not_object());
    }
    ops::run(store, operation, &request)
}
