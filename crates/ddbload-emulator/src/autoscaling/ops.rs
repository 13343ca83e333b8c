//! The Application Auto Scaling operations the endpoint answers (parse, then apply): Register- and
//! DeregisterScalableTarget, DescribeScalableTargets, Put-, Delete- and DescribeScalingPolicies,
//! DescribeScalingActivities. Only the `dynamodb` namespace and target tracking are implemented;
//! anything else is refused by name.

use serde_json::{json, Value};

use super::{evaluate, parse_resource, Dimension, Policy, Suspended, Target};
use crate::error::ApiError;
use crate::store::Store;
use crate::table::{lock, ACCOUNT};

fn text<'a>(req: &'a Value, field: &str) -> Result<&'a str, ApiError> {
    req.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::autoscaling_missing(field))
}

/// ServiceNamespace, ResourceId and ScalableDimension: a DynamoDB table or index dimension.
fn target_key(req: &Value, store: &Store) -> Result<(String, Dimension), ApiError> {
    let namespace = text(req, "ServiceNamespace")?;
    if namespace != "dynamodb" {
        return Err(ApiError::autoscaling_namespace(namespace));
    }
    let resource = text(req, "ResourceId")?;
    let dimension_text = text(req, "ScalableDimension")?;
    let dimension = Dimension::parse(dimension_text)
        .ok_or_else(|| ApiError::autoscaling_dimension(dimension_text))?;
    let (table, index) =
        parse_resource(resource).ok_or_else(|| ApiError::autoscaling_resource_id(resource))?;
    if index.is_some() != dimension.on_index() {
        return Err(ApiError::autoscaling_dimension_mismatch(
            dimension_text,
            resource,
        ));
    }
    let found = store
        .any_table(&table)
        .is_some_and(|t| index.as_ref().is_none_or(|i| t.index(i).is_ok()));
    if !found {
        return Err(ApiError::autoscaling_no_such_resource(resource));
    }
    Ok((resource.to_owned(), dimension))
}

fn not_registered(resource: &str, dimension: Dimension) -> ApiError {
    ApiError::autoscaling_target_not_registered(resource, dimension.name())
}

fn count(req: &Value, field: &str) -> Result<Option<i64>, ApiError> {
    match req.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .filter(|n| *n >= 1)
            .map(Some)
            .ok_or_else(|| ApiError::autoscaling_count(field)),
    }
}

fn arn(kind: &str, store: &Store, id: u64) -> String {
    format!(
        "arn:aws:application-autoscaling:{}:{ACCOUNT}:{kind}/ddbload{id:012}",
        store.region
    )
}

fn target_json(t: &Target) -> Value {
    json!({
        "ServiceNamespace": "dynamodb", "ResourceId": t.resource, "ScalableDimension": t.dimension.name(),
        "MinCapacity": t.min, "MaxCapacity": t.max, "CreationTime": t.created, "ScalableTargetARN": t.arn,
        "RoleARN": format!("arn:aws:iam::{ACCOUNT}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"),
        "SuspendedState": {
            "DynamicScalingInSuspended": t.suspended.scale_in,
            "DynamicScalingOutSuspended": t.suspended.scale_out,
            "ScheduledScalingSuspended": t.suspended.scheduled,
        },
    })
}

fn alarms(p: &Policy) -> Value {
    let name = |level: &str| format!("TargetTracking-{}-{level}-ddbload", p.resource);
    json!([
        {"AlarmName": name("AlarmHigh"), "AlarmARN": format!("arn:aws:cloudwatch:::alarm:{}", name("AlarmHigh"))},
        {"AlarmName": name("AlarmLow"), "AlarmARN": format!("arn:aws:cloudwatch:::alarm:{}", name("AlarmLow"))},
    ])
}

fn policy_json(p: &Policy) -> Value {
    let mut config = json!({
        "TargetValue": p.target,
        "PredefinedMetricSpecification": {"PredefinedMetricType": p.metric},
        "DisableScaleIn": p.disable_scale_in,
    });
    config["ScaleOutCooldown"] = json!(p.scale_out_cooldown as i64);
    config["ScaleInCooldown"] = json!(p.scale_in_cooldown as i64);
    json!({
        "PolicyARN": p.arn, "PolicyName": p.name, "ServiceNamespace": "dynamodb", "ResourceId": p.resource,
        "ScalableDimension": p.dimension.name(), "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": config, "Alarms": alarms(p), "CreationTime": p.created,
    })
}

fn suspended(req: &Value, current: Suspended) -> Suspended {
    let Some(state) = req.get("SuspendedState") else {
        return current;
    };
    let flag = |k: &str, was: bool| state.get(k).and_then(Value::as_bool).unwrap_or(was);
    Suspended {
        scale_in: flag("DynamicScalingInSuspended", current.scale_in),
        scale_out: flag("DynamicScalingOutSuspended", current.scale_out),
        scheduled: flag("ScheduledScalingSuspended", current.scheduled),
    }
}

fn register(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let key = target_key(req, store)?;
    let (min, max) = (count(req, "MinCapacity")?, count(req, "MaxCapacity")?);
    let arn = {
        let mut scaling = lock(&store.autoscaling);
        scaling.next_id += 1;
        let id = scaling.next_id;
        let existing = scaling.targets.get(&key).cloned();
        let (Some(min), Some(max)) = (
            min.or(existing.as_ref().map(|t| t.min)),
            max.or(existing.as_ref().map(|t| t.max)),
        ) else {
            return Err(ApiError::autoscaling_capacity_required());
        };
        if min > max {
            return Err(ApiError::autoscaling_min_over_max(min, max));
        }
        let target = Target {
            resource: key.0.clone(),
            dimension: key.1,
            min,
            max,
            suspended: suspended(
                req,
                existing.as_ref().map(|t| t.suspended).unwrap_or_default(),
            ),
            created: existing
                .as_ref()
                .map_or_else(|| store.epoch(), |t| t.created),
            arn: existing.map_or_else(|| arn("scalable-target", store, id), |t| t.arn),
        };
        let arn = target.arn.clone();
        scaling.targets.insert(key, target);
        arn
    };
    // A minimum above the current figure (or a maximum below it) applies at once.
    evaluate(store, store.now());
    Ok(json!({ "ScalableTargetARN": arn }))
}

fn deregister(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let key = target_key(req, store)?;
    let mut scaling = lock(&store.autoscaling);
    if scaling.targets.remove(&key).is_none() {
        return Err(not_registered(&key.0, key.1));
    }
    scaling
        .policies
        .retain(|(resource, dimension, _), _| (resource, *dimension) != (&key.0, key.1));
    Ok(json!({}))
}

/// ResourceIds and ScalableDimension narrow a describe call.
fn wanted(req: &Value, resource: &str, dimension: Dimension) -> bool {
    let ids_ok = req
        .get("ResourceIds")
        .and_then(Value::as_array)
        .is_none_or(|ids| ids.iter().any(|id| id.as_str() == Some(resource)));
    let single_ok = req
        .get("ResourceId")
        .and_then(Value::as_str)
        .is_none_or(|id| id == resource);
    let dimension_ok = req
        .get("ScalableDimension")
        .and_then(Value::as_str)
        .is_none_or(|d| d == dimension.name());
    ids_ok && single_ok && dimension_ok
}

fn check_namespace(req: &Value) -> Result<(), ApiError> {
    match text(req, "ServiceNamespace")? {
        "dynamodb" => Ok(()),
        other => Err(ApiError::autoscaling_namespace(other)),
    }
}

fn describe_targets(store: &Store, req: &Value) -> Result<Value, ApiError> {
    check_namespace(req)?;
    let scaling = lock(&store.autoscaling);
    let targets: Vec<Value> = scaling
        .targets
        .values()
        .filter(|t| wanted(req, &t.resource, t.dimension))
        .map(target_json)
        .collect();
    Ok(json!({ "ScalableTargets": targets }))
}

fn put_policy(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let (resource, dimension) = target_key(req, store)?;
    let name = text(req, "PolicyName")?.to_owned();
    match req.get("PolicyType").and_then(Value::as_str) {
        Some("TargetTrackingScaling") => {}
        other => return Err(ApiError::autoscaling_policy_type(other)),
    }
    let config = req
        .get("TargetTrackingScalingPolicyConfiguration")
        .ok_or_else(ApiError::autoscaling_configuration_required)?;
    let target = config
        .get("TargetValue")
        .and_then(Value::as_f64)
        .ok_or_else(ApiError::autoscaling_target_value_required)?;
    // DynamoDB's target utilization range (developer guide, "Managing throughput capacity with auto scaling").
    if !(20.0..=90.0).contains(&target) {
        return Err(ApiError::autoscaling_target_value(target));
    }
    let metric = config
        .get("PredefinedMetricSpecification")
        .and_then(|m| m.get("PredefinedMetricType"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let expected = if dimension.is_read() {
        "DynamoDBReadCapacityUtilization"
    } else {
        "DynamoDBWriteCapacityUtilization"
    };
    if metric != expected {
        return Err(ApiError::autoscaling_metric(
            expected,
            dimension.name(),
            metric,
        ));
    }
    let seconds = |k: &str| {
        config
            .get(k)
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
            .max(0.0)
    };
    let mut scaling = lock(&store.autoscaling);
    if !scaling.targets.contains_key(&(resource.clone(), dimension)) {
        return Err(not_registered(&resource, dimension));
    }
    scaling.next_id += 1;
    let id = scaling.next_id;
    let key = (resource.clone(), dimension, name.clone());
    let previous = scaling.policies.get(&key).cloned();
    let policy = Policy {
        name,
        resource,
        dimension,
        target,
        metric: metric.to_owned(),
        scale_out_cooldown: seconds("ScaleOutCooldown"),
        scale_in_cooldown: seconds("ScaleInCooldown"),
        disable_scale_in: config
            .get("DisableScaleIn")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        created: previous
            .as_ref()
            .map_or_else(|| store.epoch(), |p| p.created),
        arn: previous
            .as_ref()
            .map_or_else(|| arn("scalingPolicy", store, id), |p| p.arn.clone()),
        last_scale_out: previous.as_ref().and_then(|p| p.last_scale_out),
        last_scale_in: previous.as_ref().and_then(|p| p.last_scale_in),
    };
    let out = json!({"PolicyARN": policy.arn, "Alarms": alarms(&policy)});
    scaling.policies.insert(key, policy);
    Ok(out)
}

fn delete_policy(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let (resource, dimension) = target_key(req, store)?;
    let name = text(req, "PolicyName")?.to_owned();
    let mut scaling = lock(&store.autoscaling);
    if scaling
        .policies
        .remove(&(resource.clone(), dimension, name.clone()))
        .is_none()
    {
        return Err(ApiError::autoscaling_policy_not_found(
            &resource,
            dimension.name(),
            &name,
        ));
    }
    Ok(json!({}))
}

fn describe_policies(store: &Store, req: &Value) -> Result<Value, ApiError> {
    check_namespace(req)?;
    let names: Option<Vec<&str>> = req
        .get("PolicyNames")
        .and_then(Value::as_array)
        .map(|n| n.iter().filter_map(Value::as_str).collect());
    let scaling = lock(&store.autoscaling);
    let policies: Vec<Value> = scaling
        .policies
        .values()
        .filter(|p| wanted(req, &p.resource, p.dimension))
        .filter(|p| names.as_ref().is_none_or(|n| n.contains(&p.name.as_str())))
        .map(policy_json)
        .collect();
    Ok(json!({ "ScalingPolicies": policies }))
}

fn describe_activities(store: &Store, req: &Value) -> Result<Value, ApiError> {
    check_namespace(req)?;
    let scaling = lock(&store.autoscaling);
    let now = store.epoch();
    let activities: Vec<Value> = scaling
        .activities
        .iter()
        .rev()
        .filter(|a| wanted(req, &a.resource, a.dimension))
        .map(|a| a.to_json(now))
        .collect();
    Ok(json!({ "ScalingActivities": activities }))
}

pub fn run(store: &Store, operation: &str, req: &Value) -> Result<Value, ApiError> {
    match operation {
        "RegisterScalableTarget" => register(store, req),
        "DeregisterScalableTarget" => deregister(store, req),
        "DescribeScalableTargets" => describe_targets(store, req),
        "PutScalingPolicy" => put_policy(store, req),
        "DeleteScalingPolicy" => delete_policy(store, req),
        "DescribeScalingPolicies" => describe_policies(store, req),
        "DescribeScalingActivities" => describe_activities(store, req),
        other => Err(ApiError::autoscaling_unknown_operation(other)),
    }
}
