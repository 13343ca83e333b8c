//! CreateTable, DescribeTable, UpdateTable, ListTables and DeleteTable through dispatch.

mod common;

use common::Fixture;
use serde_json::json;

#[test]
fn create_table_validates_like_dynamodb() {
    let f = Fixture::new();
    f.table("orders", Some(5));
    assert_eq!(
        f.err(
            "CreateTable",
            json!({"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
        )
        .code(),
        "ResourceInUseException"
    );
    let base = |name: &str, units: serde_json::Value| {
        json!({
        "TableName": name, "ProvisionedThroughput": units,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    };
    let e = f.err(
        "CreateTable",
        base(
            "ab",
            json!({"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
        ),
    );
    assert_eq!(
        e.message,
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member \
         must have length greater than or equal to 3"
    );
    // Each failed constraint is listed; a name of a table that cannot exist, elsewhere, is one
    // DynamoDB does not have.
    let e = f.err(
        "CreateTable",
        base(
            "a!",
            json!({"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
        ),
    );
    assert!(
        e.message.starts_with(
            "2 validation errors detected: Value 'a!' at 'tableName' failed to \
        satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        ),
        "{}",
        e.message
    );
    let e = f.err("DescribeTable", json!({"TableName": "ab"}));
    assert_eq!(e.code(), "ResourceNotFoundException", "{}", e.message);
    let e = f.err(
        "CreateTable",
        base(
            "big",
            json!({"ReadCapacityUnits": 99_999_999_999i64, "WriteCapacityUnits": 1}),
        ),
    );
    assert_eq!(
        e.message,
        "Cannot increase provisioned throughput to more than 40,000 units per table"
    );
    // Past 10^12 a figure is out of bounds, before the quota (dynalite's suite records DynamoDB's
    // wording); an index's figures are bounded only once its table is found.
    let e = f.err(
        "CreateTable",
        base(
            "big",
            json!({"ReadCapacityUnits": 1_000_000_000_000i64, "WriteCapacityUnits": 1_000_000_000_001i64}),
        ),
    );
    assert_eq!(
        e.message,
        "Given value 1000000000001 for WriteCapacityUnits is out of bounds"
    );
    let huge = json!({"ReadCapacityUnits": 1_000_000_000_001i64, "WriteCapacityUnits": 1});
    let e = f.err(
        "UpdateTable",
        json!({"TableName": "nowhere", "GlobalSecondaryIndexUpdates": [
            {"Update": {"IndexName": "abc", "ProvisionedThroughput": huge}}]}),
    );
    assert_eq!(
        (e.code(), e.message.as_str()),
        (
            "ResourceNotFoundException",
            "Requested resource not found: Table: nowhere not found"
        )
    );
    // Once the table is found, an index Update past 10^12 is blocked, whether or not the index
    // exists (dynalite's suite records it for one that does not).
    f.table("found", Some(5));
    let e = f.err(
        "UpdateTable",
        json!({"TableName": "found", "GlobalSecondaryIndexUpdates": [
            {"Update": {"IndexName": "abc", "ProvisionedThroughput": huge}}]}),
    );
    assert_eq!(
        e.message,
        "This operation cannot be performed with given input values. Please contact DynamoDB service team for more info: Action Blocked: IndexUpdate"
    );
    let e = f.err(
        "UpdateTable",
        json!({"TableName": "found", "GlobalSecondaryIndexUpdates": [
            {"Update": {"IndexName": "abc", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}}]}),
    );
    assert!(
        e.message.contains("abc"),
        "a missing index within bounds: {}",
        e.message
    );
    let e = f.err(
        "UpdateTable",
        json!({"TableName": "nowhere", "ProvisionedThroughput": huge}),
    );
    assert_eq!(
        e.message,
        "Given value 1000000000001 for ReadCapacityUnits is out of bounds"
    );
    let e = f.err(
        "CreateTable",
        base(
            "big",
            json!({"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}),
        ),
    );
    assert!(e.message.contains("at least 1"));
    let e = f.err(
        "CreateTable",
        base(
            "big",
            json!({"ReadCapacityUnits": 1e30, "WriteCapacityUnits": 1}),
        ),
    );
    assert!(
        e.message
            .ends_with("for ReadCapacityUnits is out of bounds"),
        "{}",
        e.message
    );
}

#[test]
fn describe_table_counts_items_and_bytes() {
    let f = Fixture::new();
    f.table("prod", None);
    f.put("prod", json!({"pk": {"S": "a"}, "n": {"N": "12345"}}));
    f.put("prod", json!({"pk": {"S": "b"}}));
    let t = &f.ok("DescribeTable", json!({"TableName": "prod"}))["Table"];
    assert_eq!(t["ItemCount"], 2);
    assert_eq!(t["TableSizeBytes"], (2 + 1) + (1 + 4) + (2 + 1));
    assert_eq!(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        f.err("DescribeTable", json!({"TableName": "nope"})).code(),
        "ResourceNotFoundException"
    );
}

#[test]
fn update_table_switches_modes_within_the_daily_limit() {
    let f = Fixture::new();
    f.table("t01", Some(2));
    for round in 0..4 {
        f.ok(
            "UpdateTable",
            json!({"TableName": "t01", "BillingMode": "PAY_PER_REQUEST"}),
        );
        f.ok(
            "UpdateTable",
            json!({"TableName": "t01", "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 2 + round, "WriteCapacityUnits": 2}}),
        );
    }
    let fifth = f.err(
        "UpdateTable",
        json!({"TableName": "t01", "BillingMode": "PAY_PER_REQUEST"}),
    );
    assert_eq!(fifth.code(), "LimitExceededException");
    f.clock.advance(86_400.0);
    f.ok(
        "UpdateTable",
        json!({"TableName": "t01", "BillingMode": "PAY_PER_REQUEST"}),
    );
    // Said again, it is accepted and changes nothing.
    f.ok(
        "UpdateTable",
        json!({"TableName": "t01", "BillingMode": "PAY_PER_REQUEST"}),
    );
    f.ok("UpdateTable", json!({"TableName": "t01", "WarmThroughput": {"ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 8000}}));
    let lower = f.err(
        "UpdateTable",
        json!({"TableName": "t01", "WarmThroughput": {"ReadUnitsPerSecond": 100}}),
    );
    assert!(lower.message.contains("cannot be decreased"));
    assert_eq!(
        f.err("UpdateTable", json!({"TableName": "t01"})).message,
        "Nothing to update"
    );
}

#[test]
fn list_and_delete_tables() {
    let f = Fixture::new();
    for name in ["aaa", "bbb", "ccc"] {
        f.table(name, None);
    }
    let page = f.ok("ListTables", json!({"Limit": 2}));
    assert_eq!(page["TableNames"], json!(["aaa", "bbb"]));
    let rest = f.ok(
        "ListTables",
        json!({"ExclusiveStartTableName": page["LastEvaluatedTableName"]}),
    );
    assert_eq!(rest["TableNames"], json!(["ccc"]));
    assert_eq!(
        f.err("ListTables", json!({"Limit": 0})).message,
        "Limit must be greater than or equal to 1"
    );
    assert_eq!(
        f.err("ListTables", json!({"Limit": 101})).message,
        "Limit in ListTables must be <= 100"
    );
    assert_eq!(
        f.ok("DeleteTable", json!({"TableName": "bbb"}))["TableDescription"]["TableStatus"],
        "DELETING"
    );
    assert_eq!(
        f.ok("ListTables", json!({}))["TableNames"],
        json!(["aaa", "ccc"])
    );
    assert_eq!(
        f.err("DeleteTable", json!({"TableName": "bbb"})).code(),
        "ResourceNotFoundException"
    );
}

#[test]
fn an_index_update_the_endpoint_does_not_model_is_refused_not_ignored() {
    let f = Fixture::new();
    f.table("t02", None);
    let refused = f.err(
        "UpdateTable",
        json!({"TableName": "t02", "GlobalSecondaryIndexUpdates": [{"Update": {
            "IndexName": "g", "WarmThroughput": {"ReadUnitsPerSecond": 20000}}}]}),
    );
    assert_eq!(refused.code(), "ValidationException");
    assert!(
        refused.message.contains("WarmThroughput"),
        "{}",
        refused.message
    );
}

#[test]
fn a_new_table_is_creating_for_the_time_asked_and_refuses_reads_writes_and_deletion_meanwhile() {
    let f = Fixture::new();
    f.store.set_create_table_ms(1500);
    let created = f.ok("CreateTable", carts_with_an_index());
    assert_eq!(created["TableDescription"]["TableStatus"], "CREATING");
    let described = f.ok("DescribeTable", json!({"TableName": "carts"}));
    assert_eq!(described["Table"]["TableStatus"], "CREATING");
    assert_eq!(
        described["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"],
        "CREATING"
    );
    assert_eq!(
        f.ok("ListTables", json!({}))["TableNames"],
        json!(["carts"])
    );
    let item = json!({"TableName": "carts", "Item": {"pk": {"S": "a"}}});
    let refused = f.err("PutItem", item.clone());
    assert_eq!(
        (refused.code(), refused.message.as_str()),
        ("ResourceNotFoundException", "Requested resource not found")
    );
    let refused = f.err(
        "GetItem",
        json!({"TableName": "carts", "Key": {"pk": {"S": "a"}}}),
    );
    assert_eq!(refused.code(), "ResourceNotFoundException");
    let in_use = (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being created: carts",
    );
    let arn = described["Table"]["TableArn"].clone();
    changes_to_carts_are_refused(&f, &arn, in_use);
    // As recorded from DynamoDB: a second CreateTable is told the table is being created, and
    // UpdateTimeToLive does not find it yet.
    let refused = f.err(
        "CreateTable",
        json!({"TableName": "carts", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
    );
    assert_eq!((refused.code(), refused.message.as_str()), in_use);
    let refused = f.err(
        "UpdateTimeToLive",
        json!({"TableName": "carts",
            "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
    );
    assert_eq!(
        (refused.code(), refused.message.as_str()),
        (
            "ResourceNotFoundException",
            "Requested resource not found: Table: carts not found"
        )
    );
    // Reading its settings is allowed meanwhile.
    f.ok("ListTagsOfResource", json!({"ResourceArn": arn}));
    f.ok("DescribeTimeToLive", json!({"TableName": "carts"}));

    f.clock.advance(1.0);
    assert_eq!(
        f.ok("DescribeTable", json!({"TableName": "carts"}))["Table"]["TableStatus"],
        "CREATING"
    );
    f.clock.advance(0.6);
    let described = f.ok("DescribeTable", json!({"TableName": "carts"}));
    assert_eq!(described["Table"]["TableStatus"], "ACTIVE");
    assert_eq!(
        described["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"],
        "ACTIVE"
    );
    f.ok("PutItem", item);
    assert_eq!(
        f.ok("DescribeTable", json!({"TableName": "carts"}))["Table"]["ItemCount"],
        1
    );
    f.ok("DeleteTable", json!({"TableName": "carts"}));
}

#[test]
fn an_index_without_its_projection_type_or_with_attributes_it_cannot_project_is_refused() {
    let f = Fixture::new();
    let create = |projection: Option<serde_json::Value>, index_list: &str| {
        let mut index = json!({"IndexName": "by_b",
            "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]});
        if let Some(p) = projection {
            index["Projection"] = p;
        }
        json!({"TableName": "indexed", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"},
                                     {"AttributeName": "c", "AttributeType": "S"},
                                     {"AttributeName": "b", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
            index_list: [index]})
    };
    let invalid = "One or more parameter values were invalid: ";
    for (projection, list, message) in [
        (Some(json!({})), "LocalSecondaryIndexes", format!("{invalid}Unknown ProjectionType: null")),
        (Some(json!({"NonKeyAttributes": ["d"]})), "GlobalSecondaryIndexes", format!("{invalid}Unknown ProjectionType: null")),
        (Some(json!({"ProjectionType": "ALL", "NonKeyAttributes": ["d"]})), "LocalSecondaryIndexes",
            format!("{invalid}ProjectionType is ALL, but NonKeyAttributes is specified")),
        (Some(json!({"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["d"]})), "GlobalSecondaryIndexes",
            format!("{invalid}ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified")),
        (None, "GlobalSecondaryIndexes", "1 validation error detected: Value null at \
            'globalSecondaryIndexes.1.member.projection' failed to satisfy constraint: Member must not be null".into()),
    ] {
        let refused = f.err("CreateTable", create(projection, list));
        assert_eq!(
            (refused.code(), refused.message.as_str()),
            ("ValidationException", message.as_str())
        );
    }
    // Nothing was created: the same name is free for a valid definition.
    assert_eq!(f.ok("ListTables", json!({}))["TableNames"], json!([]));
    f.ok(
        "CreateTable",
        create(
            Some(json!({"ProjectionType": "INCLUDE", "NonKeyAttributes": ["d"]})),
            "LocalSecondaryIndexes",
        ),
    );
}

#[test]
fn new_figures_keep_the_table_updating_for_the_time_asked_and_the_old_ones_serve_meanwhile() {
    let f = Fixture::new();
    f.store.set_update_table_ms(1500);
    let units = |r: i64, w: i64| json!({"ReadCapacityUnits": r, "WriteCapacityUnits": w});
    f.ok(
        "CreateTable",
        json!({"TableName": "orders", "ProvisionedThroughput": units(2, 2),
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "st", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by_st", "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "st", "KeyType": "HASH"}],
                "ProvisionedThroughput": units(2, 2)}]}),
    );
    let answered = f.ok(
        "UpdateTable",
        json!({"TableName": "orders", "ProvisionedThroughput": units(40, 40),
            "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "by_st",
                "ProvisionedThroughput": units(40, 40)}}]}),
    );
    let table = &answered["TableDescription"];
    assert_eq!(table["TableStatus"], "UPDATING");
    assert_eq!(table["ProvisionedThroughput"]["WriteCapacityUnits"], 2);
    // The raise is dated when asked for, as DynamoDB shows it, and again when it completes.
    let asked = table["ProvisionedThroughput"]["LastIncreaseDateTime"]
        .as_f64()
        .expect("dated");
    assert_eq!(
        table["GlobalSecondaryIndexes"][0]["IndexStatus"],
        "UPDATING"
    );
    assert_eq!(
        table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["WriteCapacityUnits"],
        2
    );
    let in_use = (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table IOPS are currently being updated. \
         Table: orders",
    );
    let refused = f.err(
        "UpdateTable",
        json!({"TableName": "orders", "ProvisionedThroughput": units(50, 50)}),
    );
    assert_eq!((refused.code(), refused.message.as_str()), in_use);
    let refused = f.err(
        "UpdateTable",
        json!({"TableName": "orders", "DeletionProtectionEnabled": true}),
    );
    assert_eq!(
        (refused.code(), refused.message.as_str()),
        (
            "ResourceInUseException",
            "Table needs to be in ACTIVE status to modify deletion protection setting."
        )
    );
    let refused = f.err("DeleteTable", json!({"TableName": "orders"}));
    assert_eq!(
        (refused.code(), refused.message.as_str()),
        (
            "ResourceInUseException",
            "Attempt to change a resource which is still in use: Table: orders is in the process of \
             being updated."
        )
    );
    // 2 write units a second with 300 seconds of burst: the 601st write in the same instant throttles.
    let write = |n: usize| {
        f.call(
            "PutItem",
            json!({"TableName": "orders", "Item": {"pk": {"S": format!("o{n}")}}}),
        )
    };
    let throttled = (0..700).position(|n| write(n).is_err());
    assert_eq!(throttled, Some(600));

    f.clock.advance(1.4);
    let described = f.ok("DescribeTable", json!({"TableName": "orders"}));
    assert_eq!(described["Table"]["TableStatus"], "UPDATING");
    f.clock.advance(0.2);
    let described = f.ok("DescribeTable", json!({"TableName": "orders"}));
    assert_eq!(described["Table"]["TableStatus"], "ACTIVE");
    let figures = &described["Table"]["ProvisionedThroughput"];
    assert_eq!(figures["WriteCapacityUnits"], 40);
    let completed = figures["LastIncreaseDateTime"].as_f64().expect("dated");
    assert!(
        (completed - asked - 1.5).abs() < 0.01,
        "{asked} {completed}"
    );
    let index = &described["Table"]["GlobalSecondaryIndexes"][0];
    assert_eq!(index["IndexStatus"], "ACTIVE");
    assert_eq!(index["ProvisionedThroughput"]["ReadCapacityUnits"], 40);
    // A second at the new figure: 40 more writes go through, where the old one allowed 2.
    f.clock.advance(1.0);
    let passed = (1000..1100).take_while(|n| write(*n).is_ok()).count();
    assert!(passed >= 40, "{passed} writes passed");

    // A decrease is counted in the day's decreases once it completes.
    let answered = f.ok(
        "UpdateTable",
        json!({"TableName": "orders", "ProvisionedThroughput": units(40, 30)}),
    );
    let figures = &answered["TableDescription"]["ProvisionedThroughput"];
    assert_eq!(
        (
            &figures["WriteCapacityUnits"],
            &figures["NumberOfDecreasesToday"]
        ),
        (&json!(40), &json!(0))
    );
    assert!(figures["LastDecreaseDateTime"].is_number());
    f.clock.advance(1.5);
    let described = f.ok("DescribeTable", json!({"TableName": "orders"}));
    let figures = &described["Table"]["ProvisionedThroughput"];
    assert_eq!(
        (
            &figures["WriteCapacityUnits"],
            &figures["NumberOfDecreasesToday"]
        ),
        (&json!(30), &json!(1))
    );

    // A switch to on-demand is UPDATING too: it shows the new mode at once, as DynamoDB does, and
    // the provisioned figures serve until it completes ("Considerations when switching capacity
    // modes": "your table delivers throughput consistent with the previously provisioned" units).
    let answered = f.ok(
        "UpdateTable",
        json!({"TableName": "orders", "BillingMode": "PAY_PER_REQUEST"}),
    );
    let table = &answered["TableDescription"];
    assert_eq!(table["TableStatus"], "UPDATING");
    assert_eq!(
        table["BillingModeSummary"]["BillingMode"],
        "PAY_PER_REQUEST"
    );
    assert_eq!(table["ProvisionedThroughput"]["WriteCapacityUnits"], 0);
    assert_eq!(
        table["GlobalSecondaryIndexes"][0]["IndexStatus"],
        "UPDATING"
    );
    // 30 units a second, the burst credit spent above: a few dozen writes, where on-demand's 4,000
    // units a second would let thousands through.
    let throttled = (2000..7000).position(|n| write(n).is_err());
    assert!(throttled.is_some_and(|n| n < 200), "{throttled:?}");
    f.clock.advance(1.5);
    let described = f.ok("DescribeTable", json!({"TableName": "orders"}))["Table"].clone();
    assert_eq!(described["TableStatus"], "ACTIVE");
    assert_eq!(
        described["BillingModeSummary"]["BillingMode"],
        "PAY_PER_REQUEST"
    );
    assert!(described["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"].is_number());
    f.ok("DeleteTable", json!({"TableName": "orders"}));
}

#[test]
fn a_deleted_table_is_deleting_for_the_time_asked_then_gone_and_its_name_free_again() {
    let f = Fixture::new();
    f.store.set_delete_table_ms(2000);
    f.ok("CreateTable", carts_with_an_index());
    f.put("carts", json!({"pk": {"S": "a"}}));
    let answered = f.ok("DeleteTable", json!({"TableName": "carts"}));
    assert_eq!(answered["TableDescription"]["TableStatus"], "DELETING");
    // Without its global indexes, as dynalite's suite records DynamoDB's answer.
    assert!(answered["TableDescription"]
        .get("GlobalSecondaryIndexes")
        .is_none());
    let described = f.ok("DescribeTable", json!({"TableName": "carts"}));
    assert_eq!(described["Table"]["TableStatus"], "DELETING");
    // Listed until it is gone, as a poller of ListTables waits for it to go.
    assert_eq!(
        f.ok("ListTables", json!({}))["TableNames"],
        json!(["carts"])
    );
    let refused = f.err(
        "GetItem",
        json!({"TableName": "carts", "Key": {"pk": {"S": "a"}}}),
    );
    assert_eq!(refused.code(), "ResourceNotFoundException");
    let being_deleted = (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being deleted: carts",
    );
    let arn = described["Table"]["TableArn"].clone();
    changes_to_carts_are_refused(&f, &arn, being_deleted);
    let create = json!({"TableName": "carts", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]});
    let refused = f.err("CreateTable", create.clone());
    assert_eq!(
        (refused.code(), refused.message.as_str()),
        ("ResourceInUseException", "Table already exists: carts")
    );

    f.clock.advance(2.0);
    let refused = f.err("DescribeTable", json!({"TableName": "carts"}));
    assert_eq!(refused.code(), "ResourceNotFoundException");
    assert_eq!(f.ok("ListTables", json!({}))["TableNames"], json!([]));
    let created = f.ok("CreateTable", create);
    assert_eq!(created["TableDescription"]["TableStatus"], "ACTIVE");
    assert_eq!(f.get("carts", "a"), None);
}

/// CreateTable of an on-demand `carts` table with one global index.
fn carts_with_an_index() -> serde_json::Value {
    json!({"TableName": "carts", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "st", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [{"IndexName": "by_st", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "st", "KeyType": "HASH"}]}]})
}

/// DeleteTable, UpdateTable, TagResource and UntagResource of `carts` each answer `expected`.
fn changes_to_carts_are_refused(f: &Fixture, arn: &serde_json::Value, expected: (&str, &str)) {
    for (operation, body) in [
        ("DeleteTable", json!({"TableName": "carts"})),
        (
            "UpdateTable",
            json!({"TableName": "carts", "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
        ),
        (
            "TagResource",
            json!({"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]}),
        ),
        (
            "UntagResource",
            json!({"ResourceArn": arn, "TagKeys": ["k"]}),
        ),
    ] {
        let refused = f.err(operation, body);
        assert_eq!(
            (refused.code(), refused.message.as_str()),
            expected,
            "{operation}"
        );
    }
}
