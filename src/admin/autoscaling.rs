//! Application Auto Scaling of tables and GSIs for the capacity commands: read the scalable targets
//! and target-tracking policies, and register, change or remove them. An endpoint without the API
//! (DynamoDB Local) or a caller without permission gets "not available", not a failure.

use aws_sdk_applicationautoscaling::error::ProvideErrorMetadata;
use aws_sdk_applicationautoscaling::types::{
    MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension, ServiceNamespace,
    SuspendedState, TargetTrackingScalingPolicyConfiguration,
};
use aws_sdk_applicationautoscaling::Client;
use serde::{Deserialize, Serialize};

use crate::connection::{Connection, Retries};
use crate::error::{root_cause, EngineError};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScalingTarget {
    /// `table/T` or `table/T/index/I`.
    pub resource: String,
    /// e.g. `dynamodb:table:WriteCapacityUnits`.
    pub dimension: String,
    pub min: i32,
    pub max: i32,
    pub suspended_in: bool,
    pub suspended_out: bool,
    pub suspended_scheduled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrackingPolicy {
    pub resource: String,
    pub dimension: String,
    pub name: String,
    /// "TargetTrackingScaling" (the only type ddbload can restore).
    pub policy_type: String,
    pub target_value: Option<f64>,
    pub metric: Option<String>,
    pub scale_in_cooldown: Option<i32>,
    pub scale_out_cooldown: Option<i32>,
    pub disable_scale_in: Option<bool>,
}

/// A table's auto scaling, or why it could not be read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Scaling {
    pub available: bool,
    pub reason: Option<String>,
    pub targets: Vec<ScalingTarget>,
    pub policies: Vec<TrackingPolicy>,
}

/// One change to make.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ScalingChange {
    Register(ScalingTarget),
    PutPolicy(TrackingPolicy),
    DeletePolicy {
        resource: String,
        dimension: String,
        name: String,
    },
    Deregister {
        resource: String,
        dimension: String,
    },
}

pub async fn client(conn: &Connection) -> Result<Client, EngineError> {
    Ok(Client::new(&conn.sdk_config(Retries::Sdk).await?))
}

fn failure<E: ProvideErrorMetadata + std::error::Error + 'static>(
    what: &str,
    err: &E,
) -> EngineError {
    let code = err.code().unwrap_or("Unknown");
    let message = err
        .message()
        .map_or_else(|| root_cause(err, 200), str::to_owned);
    EngineError::Aws(format!("{what}: {code}: {message}"))
}

/// Every scalable target and policy of `table` and of its `indexes`.
pub async fn describe(client: &Client, table: &str, indexes: &[String]) -> Scaling {
    let resources: Vec<String> = std::iter::once(format!("table/{table}"))
        .chain(indexes.iter().map(|i| format!("table/{table}/index/{i}")))
        .collect();
    let targets = client
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Dynamodb)
        .set_resource_ids(Some(resources.clone()))
        .send()
        .await;
    let targets = match targets {
        Ok(out) => out,
        Err(err) => {
            return Scaling {
                available: false,
                reason: Some(format!(
                    "auto scaling not readable here ({})",
                    err.code()
                        .unwrap_or("no Application Auto Scaling API at this endpoint")
                )),
                ..Scaling::default()
            }
        }
    };
    let mut scaling = Scaling {
        available: true,
        ..Scaling::default()
    };
    for t in targets.scalable_targets() {
        let suspended = t.suspended_state();
        scaling.targets.push(ScalingTarget {
            resource: t.resource_id().to_owned(),
            dimension: t.scalable_dimension().as_str().to_owned(),
            min: t.min_capacity(),
            max: t.max_capacity(),
            suspended_in: suspended
                .and_then(|s| s.dynamic_scaling_in_suspended())
                .unwrap_or(false),
            suspended_out: suspended
                .and_then(|s| s.dynamic_scaling_out_suspended())
                .unwrap_or(false),
            suspended_scheduled: suspended
                .and_then(|s| s.scheduled_scaling_suspended())
                .unwrap_or(false),
        });
    }
    for resource in &resources {
        let Ok(out) = client
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::Dynamodb)
            .resource_id(resource)
            .send()
            .await
        else {
            continue;
        };
        for p in out.scaling_policies() {
            let config = p.target_tracking_scaling_policy_configuration();
            scaling.policies.push(TrackingPolicy {
                resource: p.resource_id().to_owned(),
                dimension: p.scalable_dimension().as_str().to_owned(),
                name: p.policy_name().to_owned(),
                policy_type: p.policy_type().as_str().to_owned(),
                target_value: config.map(|c| c.target_value()),
                metric: config
                    .and_then(|c| c.predefined_metric_specification())
                    .map(|m| m.predefined_metric_type().as_str().to_owned()),
                scale_in_cooldown: config.and_then(|c| c.scale_in_cooldown()),
                scale_out_cooldown: config.and_then(|c| c.scale_out_cooldown()),
                disable_scale_in: config.and_then(|c| c.disable_scale_in()),
            });
        }
    }
    scaling
}

/// Carries out `changes` in order; the first failure stops and is returned.
pub async fn apply(client: &Client, changes: &[ScalingChange]) -> Result<(), EngineError> {
    for change in changes {
        match change {
            ScalingChange::Register(t) => {
                let suspended = SuspendedState::builder()
                    .dynamic_scaling_in_suspended(t.suspended_in)
                    .dynamic_scaling_out_suspended(t.suspended_out)
                    .scheduled_scaling_suspended(t.suspended_scheduled)
                    .build();
                client
                    .register_scalable_target()
                    .service_namespace(ServiceNamespace::Dynamodb)
                    .resource_id(&t.resource)
                    .scalable_dimension(ScalableDimension::from(t.dimension.as_str()))
                    .min_capacity(t.min)
                    .max_capacity(t.max)
                    .suspended_state(suspended)
                    .send()
                    .await
                    .map_err(|e| failure(&format!("RegisterScalableTarget {}", t.resource), &e))?;
            }
            ScalingChange::PutPolicy(p) => {
                if p.policy_type != "TargetTrackingScaling" {
                    return Err(EngineError::Aws(format!(
                        "policy {} on {} is {}: ddbload restores only target-tracking policies",
                        p.name, p.resource, p.policy_type
                    )));
                }
                let mut config = TargetTrackingScalingPolicyConfiguration::builder()
                    .target_value(p.target_value.unwrap_or(70.0))
                    .set_scale_in_cooldown(p.scale_in_cooldown)
                    .set_scale_out_cooldown(p.scale_out_cooldown)
                    .set_disable_scale_in(p.disable_scale_in);
                if let Some(metric) = &p.metric {
                    config = config.predefined_metric_specification(
                        PredefinedMetricSpecification::builder()
                            .predefined_metric_type(MetricType::from(metric.as_str()))
                            .build()
                            .map_err(|e| EngineError::Internal(e.to_string()))?,
                    );
                }
                client
                    .put_scaling_policy()
                    .service_namespace(ServiceNamespace::Dynamodb)
                    .resource_id(&p.resource)
                    .scalable_dimension(ScalableDimension::from(p.dimension.as_str()))
                    .policy_name(&p.name)
                    .policy_type(PolicyType::TargetTrackingScaling)
                    .target_tracking_scaling_policy_configuration(
                        config
                            .build()
                            .map_err(|e| EngineError::Internal(e.to_string()))?,
                    )
                    .send()
                    .await
                    .map_err(|e| {
                        failure(
                            &format!("PutScalingPolicy {} on {}", p.name, p.resource),
                            &e,
                        )
                    })?;
            }
            ScalingChange::DeletePolicy {
                resource,
                dimension,
                name,
            } => {
                client
                    .delete_scaling_policy()
                    .service_namespace(ServiceNamespace::Dynamodb)
                    .resource_id(resource)
                    .scalable_dimension(ScalableDimension::from(dimension.as_str()))
                    .policy_name(name)
                    .send()
                    .await
                    .map_err(|e| {
                        failure(&format!("DeleteScalingPolicy {name} on {resource}"), &e)
                    })?;
            }
            ScalingChange::Deregister {
                resource,
                dimension,
            } => {
                client
                    .deregister_scalable_target()
                    .service_namespace(ServiceNamespace::Dynamodb)
                    .resource_id(resource)
                    .scalable_dimension(ScalableDimension::from(dimension.as_str()))
                    .send()
                    .await
                    .map_err(|e| failure(&format!("DeregisterScalableTarget {resource}"), &e))?;
            }
        }
    }
    Ok(())
}
