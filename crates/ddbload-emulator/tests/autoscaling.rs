//! Application Auto Scaling on the endpoint, on a manual clock (minutes compressed): the API's
//! targets, policies and activities, and target tracking as DynamoDB's auto scaling acts.

mod common;

use common::Fixture;
use ddbload_emulator::autoscaling::{dispatch, evaluate};
use ddbload_emulator::error::ApiError;
use serde_json::{json, Value};

fn scaling(f: &Fixture, op: &str, body: Value) -> Result<Value, ApiError> {
    dispatch(&f.store, op, body.to_string().as_bytes())
}

fn register(f: &Fixture, min: i64, max: i64) {
    scaling(f, "RegisterScalableTarget", json!({"ServiceNamespace": "dynamodb", "ResourceId": "table/shop",
        "ScalableDimension": "dynamodb:table:WriteCapacityUnits", "MinCapacity": min, "MaxCapacity": max}))
    .unwrap();
}

fn policy(f: &Fixture, target: f64) -> Result<Value, ApiError> {
    scaling(
        f,
        "PutScalingPolicy",
        json!({"PolicyName": "writes", "ServiceNamespace": "dynamodb",
        "ResourceId": "table/shop", "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
        "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": target, "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"}}}),
    )
}

fn wcu(f: &Fixture) -> i64 {
    f.ok("DescribeTable", json!({"TableName": "shop"}))["Table"]["ProvisionedThroughput"]
        ["WriteCapacityUnits"]
        .as_i64()
        .unwrap()
}

/// `per_second` one-unit writes a second for `seconds`, the clock advancing; the throttled ones are dropped.
fn write_for(f: &Fixture, per_second: usize, seconds: usize) {
    for s in 0..seconds {
        for i in 0..per_second {
            let _ = f.call(
                "PutItem",
                json!({"TableName": "shop", "Item": {"pk": {"S": format!("k{s}-{i}")}}}),
            );
        }
        f.clock.advance(1.0);
    }
}

fn activities(f: &Fixture) -> Vec<Value> {
    scaling(
        f,
        "DescribeScalingActivities",
        json!({"ServiceNamespace": "dynamodb"}),
    )
    .unwrap()["ScalingActivities"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn the_api_keeps_targets_and_policies_and_refuses_what_it_cannot_do() {
    let f = Fixture::new();
    f.table("shop", Some(10));
    assert_eq!(
        policy(&f, 70.0).unwrap_err().code(),
        "ObjectNotFoundException"
    );
    register(&f, 5, 100);
    let arn = policy(&f, 70.0).unwrap()["PolicyARN"].clone();
    assert!(arn
        .as_str()
        .unwrap()
        .starts_with("arn:aws:application-autoscaling:"));
    assert_eq!(policy(&f, 95.0).unwrap_err().code(), "ValidationException");
    let targets = scaling(
        &f,
        "DescribeScalableTargets",
        json!({"ServiceNamespace": "dynamodb", "ResourceIds": ["table/shop"]}),
    )
    .unwrap();
    let target = &targets["ScalableTargets"][0];
    assert_eq!(
        (target["MinCapacity"].clone(), target["MaxCapacity"].clone()),
        (json!(5), json!(100))
    );
    assert_eq!(target["SuspendedState"]["DynamicScalingInSuspended"], false);
    let policies = scaling(
        &f,
        "DescribeScalingPolicies",
        json!({"ServiceNamespace": "dynamodb"}),
    )
    .unwrap();
    assert_eq!(
        policies["ScalingPolicies"][0]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"],
        70.0
    );
    let other = scaling(
        &f,
        "DescribeScalableTargets",
        json!({"ServiceNamespace": "ecs"}),
    )
    .unwrap_err();
    assert_eq!(other.code(), "ValidationException");
    let missing = scaling(&f, "RegisterScalableTarget", json!({"ServiceNamespace": "dynamodb", "ResourceId": "table/nope",
        "ScalableDimension": "dynamodb:table:ReadCapacityUnits", "MinCapacity": 1, "MaxCapacity": 2})).unwrap_err();
    assert_eq!(missing.code(), "ValidationException");
    scaling(
        &f,
        "DeregisterScalableTarget",
        json!({"ServiceNamespace": "dynamodb", "ResourceId": "table/shop",
        "ScalableDimension": "dynamodb:table:WriteCapacityUnits"}),
    )
    .unwrap();
    let policies = scaling(
        &f,
        "DescribeScalingPolicies",
        json!({"ServiceNamespace": "dynamodb"}),
    )
    .unwrap();
    assert_eq!(
        policies["ScalingPolicies"],
        json!([]),
        "deregistering removes the target's policies"
    );
}

#[test]
fn it_scales_out_after_two_minutes_above_target_and_not_on_a_one_minute_spike() {
    let f = Fixture::new();
    f.table("shop", Some(10));
    register(&f, 5, 100);
    policy(&f, 70.0).unwrap();
    // A one-minute spike (burst credit serves it), then a quiet minute: no scale-out.
    write_for(&f, 20, 60);
    write_for(&f, 0, 60);
    evaluate(&f.store, f.store.now());
    assert_eq!(wcu(&f), 10);
    // Two minutes at 20 writes a second against 10 WCU: 200% > 70%, so ceil(20 / 0.7) = 29.
    write_for(&f, 20, 60);
    evaluate(&f.store, f.store.now());
    assert_eq!(wcu(&f), 10, "one minute above is not two");
    write_for(&f, 20, 60);
    evaluate(&f.store, f.store.now());
    assert_eq!(wcu(&f), 29);
    let activity = &activities(&f)[0];
    assert_eq!(
        activity["Description"],
        "Setting write capacity units to 29."
    );
    assert!(activity["Cause"].as_str().unwrap().contains("AlarmHigh"));
}

#[test]
fn it_scales_in_after_fifteen_quiet_minutes_within_min_and_max() {
    let f = Fixture::new();
    f.table("shop", Some(100));
    register(&f, 20, 1000);
    policy(&f, 70.0).unwrap();
    // 10 writes a second against 100 WCU: 10%, well under 0.8 x 70%.
    write_for(&f, 10, 14 * 60);
    evaluate(&f.store, f.store.now());
    assert_eq!(wcu(&f), 100, "14 quiet minutes are not 15");
    write_for(&f, 10, 60);
    evaluate(&f.store, f.store.now());
    // ceil(10 / 0.7) = 15, but the minimum is 20.
    assert_eq!(wcu(&f), 20);
    assert!(activities(&f)[0]["Cause"]
        .as_str()
        .unwrap()
        .contains("AlarmLow"));
}

#[test]
fn raising_the_minimum_applies_at_once_and_the_maximum_caps_scale_out() {
    let f = Fixture::new();
    f.table("shop", Some(10));
    register(&f, 50, 60);
    assert_eq!(
        wcu(&f),
        50,
        "a minimum above the current figure applies at once"
    );
    policy(&f, 50.0).unwrap();
    write_for(&f, 60, 120);
    evaluate(&f.store, f.store.now());
    assert_eq!(wcu(&f), 60, "scale-out stops at the maximum");
}

#[test]
fn suspended_scaling_holds_the_figure() {
    let f = Fixture::new();
    f.table("shop", Some(10));
    register(&f, 5, 100);
    policy(&f, 70.0).unwrap();
    scaling(
        &f,
        "RegisterScalableTarget",
        json!({"ServiceNamespace": "dynamodb", "ResourceId": "table/shop",
        "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
        "SuspendedState": {"DynamicScalingOutSuspended": true, "DynamicScalingInSuspended": true}}),
    )
    .unwrap();
    write_for(&f, 20, 120);
    evaluate(&f.store, f.store.now());
    assert_eq!(wcu(&f), 10);
}

#[test]
fn provisioned_decreases_are_limited_per_day() {
    let f = Fixture::new();
    f.table("shop", Some(100));
    let lower = |units: i64| {
        f.call(
            "UpdateTable",
            json!({"TableName": "shop",
        "ProvisionedThroughput": {"ReadCapacityUnits": units, "WriteCapacityUnits": units}}),
        )
    };
    for units in [90, 80, 70, 60] {
        lower(units).unwrap();
    }
    assert_eq!(lower(50).unwrap_err().code(), "LimitExceededException");
    f.clock.advance(3600.0);
    lower(50).unwrap();
    assert_eq!(lower(100).map(|_| ()), Ok(()), "increases are not limited");
}

#[test]
fn a_minimum_past_the_table_quota_sets_the_quota_not_more() {
    let f = Fixture::new();
    f.table("shop", Some(10));
    register(&f, i64::MAX, i64::MAX);
    assert_eq!(
        wcu(&f),
        40_000,
        "DynamoDB's per-table quota caps what auto scaling sets"
    );
    let last = activities(&f).into_iter().next().unwrap();
    assert!(
        last["Cause"]
            .as_str()
            .unwrap()
            .contains("capped at the table quota"),
        "{last}"
    );
}

#[test]
fn a_simulated_flat_load_under_the_target_is_never_short() {
    let run = ddbload_emulator::autoscaling::simulate(&[60.0; 1800], 100, 1000, 70.0);
    assert_eq!(run.short_seconds, 0);
    assert!(run.provisioned.iter().all(|p| *p == 100));
}

#[test]
fn a_simulated_surge_is_short_until_two_minutes_above_target_have_passed() {
    // 10 minutes at 50 units/s, then 300 units/s: target tracking needs two minutes above 70% first.
    let demand: Vec<f64> = (0..1200)
        .map(|s| if s < 600 { 50.0 } else { 300.0 })
        .collect();
    let run = ddbload_emulator::autoscaling::simulate(&demand, 100, 1000, 70.0);
    assert!(run.short_seconds >= 120, "{}", run.short_seconds);
    assert_eq!(run.provisioned[600], 100);
    // Throttled demand is not consumed: each step can only see 100% of what was provisioned, so it
    // climbs by 1/0.7 at a time until the demand fits.
    assert_eq!(run.provisioned[720 + 1], 143);
    assert!(*run.provisioned.last().unwrap() >= 300);
}

#[test]
fn a_table_updating_is_left_alone_until_its_update_completes() {
    let f = Fixture::new();
    f.store.set_update_table_ms(600_000);
    f.table("shop", Some(10));
    register(&f, 1, 100);
    policy(&f, 50.0).unwrap();
    let figures = json!({"ReadCapacityUnits": 10, "WriteCapacityUnits": 20});
    let updated = f.ok(
        "UpdateTable",
        json!({"TableName": "shop", "ProvisionedThroughput": figures}),
    );
    assert_eq!(updated["TableDescription"]["TableStatus"], "UPDATING");
    // Two minutes at 100% of the 10 units still serving: the scale-out its UpdateTable would ask
    // for is refused in AWS while the table is UPDATING, so none is made or recorded.
    write_for(&f, 10, 120);
    evaluate(&f.store, f.store.now());
    assert_eq!(wcu(&f), 10);
    assert!(activities(&f).is_empty(), "{:?}", activities(&f));
    f.clock.advance(600.0);
    assert_eq!(
        wcu(&f),
        20,
        "the update completed with the figure asked for"
    );
}

#[test]
fn with_update_table_ms_a_scaling_action_keeps_the_table_updating_and_its_activity_in_progress() {
    let f = Fixture::new();
    f.store.set_update_table_ms(30_000);
    f.table("shop", Some(10));
    register(&f, 50, 60);
    let table = &f.ok("DescribeTable", json!({"TableName": "shop"}))["Table"];
    assert_eq!(table["TableStatus"], "UPDATING");
    assert_eq!(
        wcu(&f),
        10,
        "the old figure serves until the change completes"
    );
    let activity = &activities(&f)[0];
    assert_eq!(activity["StatusCode"], "InProgress");
    assert!(activity.get("EndTime").is_none(), "{activity}");
    f.clock.advance(30.0);
    let table = &f.ok("DescribeTable", json!({"TableName": "shop"}))["Table"];
    assert_eq!(table["TableStatus"], "ACTIVE");
    assert_eq!(wcu(&f), 50);
    let activity = &activities(&f)[0];
    assert_eq!(activity["StatusCode"], "Successful");
    let took = activity["EndTime"].as_f64().unwrap() - activity["StartTime"].as_f64().unwrap();
    assert!((took - 30.0).abs() < 1e-3, "{took}");
    assert_eq!(
        activities(&f).len(),
        1,
        "one action, not one per evaluation"
    );
}
