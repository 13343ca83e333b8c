//! GetItem, PutItem, UpdateItem and DeleteItem through dispatch: conditions, return values, limits.

mod common;

use common::Fixture;
use serde_json::{json, Value};

fn document(f: &Fixture) {
    f.table("docs", None);
    f.put("docs", json!({"pk": {"S": "d"}, "a": {"N": "1"},
        "b": {"M": {"c": {"N": "2"}, "d": {"N": "3"}}}, "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}}));
}

#[test]
fn get_item_projects_nested_paths_and_checks_keys() {
    let f = Fixture::new();
    document(&f);
    let got = f.ok(
        "GetItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "d"}},
        "ProjectionExpression": "b.c, l[2], l[0]"}),
    );
    assert_eq!(
        got["Item"],
        json!({"b": {"M": {"c": {"N": "2"}}}, "l": {"L": [{"N": "1"}, {"N": "3"}]}})
    );
    assert!(f
        .ok(
            "GetItem",
            json!({"TableName": "docs", "Key": {"pk": {"S": "none"}}})
        )
        .get("Item")
        .is_none());
    let wrong = f.err(
        "GetItem",
        json!({"TableName": "docs", "Key": {"pk": {"N": "1"}}}),
    );
    assert_eq!(
        wrong.message,
        "The provided key element does not match the schema"
    );
    let long = f.err(
        "GetItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "k".repeat(2049)}}}),
    );
    // DynamoDB's wording, without a space before the figure (DynamoDB Local words it otherwise).
    assert_eq!(
        long.message,
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
    );
    assert!(f.get("docs", &"k".repeat(2048)).is_none());
    let legacy = f.ok(
        "GetItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "d"}}, "AttributesToGet": ["a", "l"]}),
    );
    assert_eq!(
        legacy["Item"],
        json!({"a": {"N": "1"}, "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}})
    );
    let mixed = f.err(
        "GetItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "d"}}, "AttributesToGet": ["a"], "ProjectionExpression": "a"}),
    );
    assert_eq!(
        mixed.message,
        "Can not use both expression and non-expression parameters in the same request: Non-expression \
         parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
    );
}

#[test]
fn put_item_conditions_and_return_values() {
    let f = Fixture::new();
    document(&f);
    let guarded = json!({"TableName": "docs", "Item": {"pk": {"S": "d"}}, "ConditionExpression": "attribute_not_exists(pk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"});
    let refused = f.err("PutItem", guarded);
    assert_eq!(refused.code(), "ConditionalCheckFailedException");
    assert_eq!(refused.to_json()["Item"]["a"], json!({"N": "1"}));
    let old = f.ok("PutItem", json!({"TableName": "docs", "Item": {"pk": {"S": "d"}, "x": {"S": "y"}}, "ReturnValues": "ALL_OLD"}));
    assert_eq!(old["Attributes"]["a"], json!({"N": "1"}));
    for bad in ["UPDATED_NEW", "ALL_NEW"] {
        let e = f.err(
            "PutItem",
            json!({"TableName": "docs", "Item": {"pk": {"S": "d"}}, "ReturnValues": bad}),
        );
        assert_eq!(e.message, "Return values set to invalid value", "{bad}");
    }
    // A value of no ReturnValue at all fails the member's constraint, before anything is read.
    let e = f.err(
        "PutItem",
        json!({"TableName": "docs", "Item": {"pk": {"S": "d"}}, "ReturnValues": "BOGUS"}),
    );
    assert_eq!(
        e.message,
        "1 validation error detected: Value 'BOGUS' at 'returnValues' failed to satisfy constraint: \
         Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
    );
    let big = f.err(
        "PutItem",
        json!({"TableName": "docs", "Item": {"pk": {"S": "z"}, "s": {"S": "x".repeat(409_600)}}}),
    );
    assert_eq!(
        big.message,
        "Item size has exceeded the maximum allowed size"
    );
    let expected = f.err(
        "PutItem",
        json!({"TableName": "docs", "Item": {"pk": {"S": "d"}}, "Expected": {"x": {"Exists": false}}}),
    );
    assert_eq!(expected.code(), "ConditionalCheckFailedException");
    assert_eq!(
        f.get("docs", "d").unwrap()["x"],
        json!({"S": "y"}),
        "refused requests changed nothing"
    );
}

#[test]
fn update_item_returns_only_the_updated_paths() {
    let f = Fixture::new();
    document(&f);
    let update = |rv: &str| {
        json!({"TableName": "docs", "Key": {"pk": {"S": "d"}},
        "UpdateExpression": "SET a = :v, b.c = :w", "ExpressionAttributeValues": {":v": {"N": "10"}, ":w": {"N": "20"}},
        "ReturnValues": rv})
    };
    // DynamoDB documents UPDATED_* as the updated attributes only; DynamoDB Local returns the whole
    // top-level map `b` (with the untouched `d`), so this is tested against the documented behaviour.
    assert_eq!(
        f.ok("UpdateItem", update("UPDATED_OLD"))["Attributes"],
        json!({"a": {"N": "1"}, "b": {"M": {"c": {"N": "2"}}}})
    );
    assert_eq!(
        f.ok("UpdateItem", update("UPDATED_NEW"))["Attributes"],
        json!({"a": {"N": "10"}, "b": {"M": {"c": {"N": "20"}}}})
    );
    let all = f.ok("UpdateItem", update("ALL_NEW"))["Attributes"].clone();
    assert_eq!(all["b"], json!({"M": {"c": {"N": "20"}, "d": {"N": "3"}}}));
    let key_change = f.err(
        "UpdateItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "d"}},
        "UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}),
    );
    assert!(key_change.message.contains("part of the key"));
}

#[test]
fn number_arithmetic_is_exact_or_refused_and_never_crashes() {
    let f = Fixture::new();
    f.table("nums", None);
    let max = "9.9999999999999999999999999999999999999E+125";
    f.put(
        "nums",
        json!({"pk": {"S": "n"}, "n": {"N": max}, "big": {"N": "1E+20"}}),
    );
    let add = |expr: &str, v: &str| {
        json!({"TableName": "nums", "Key": {"pk": {"S": "n"}},
        "UpdateExpression": expr, "ExpressionAttributeValues": {":v": {"N": v}}, "ReturnValues": "UPDATED_NEW"})
    };
    assert_eq!(
        f.err("UpdateItem", add("ADD n :v", max)).message,
        "DynamoDB only supports precision up to 38 digits"
    );
    assert_eq!(
        f.err("UpdateItem", add("SET big = big + :v", "1E-20"))
            .message,
        "DynamoDB only supports precision up to 38 digits"
    );
    assert_eq!(
        f.ok("UpdateItem", add("SET big = big + :v", "1"))["Attributes"]["big"],
        json!({"N": "100000000000000000001"})
    );
    let out_of_range = f.err("UpdateItem", add("SET x = :v", "1E-131"));
    assert!(out_of_range
        .message
        .starts_with("ExpressionAttributeValues contains invalid value: Number underflow"));
    let stored = f.get("nums", "n").unwrap();
    assert_eq!(
        stored["n"],
        json!({"N": format!("99999999999999999999999999999999999999{}", "0".repeat(88))})
    );
}

#[test]
fn delete_item_conditions() {
    let f = Fixture::new();
    document(&f);
    let guarded = f.err(
        "DeleteItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "d"}},
        "ConditionExpression": "a = :v", "ExpressionAttributeValues": {":v": {"N": "2"}}}),
    );
    assert_eq!(guarded.code(), "ConditionalCheckFailedException");
    let gone = f.ok(
        "DeleteItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "d"}}, "ReturnValues": "ALL_OLD"}),
    );
    assert_eq!(gone["Attributes"]["a"], json!({"N": "1"}));
    assert!(f.get("docs", "d").is_none());
    let e = f.err(
        "DeleteItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "d"}}, "ReturnValues": "UPDATED_OLD"}),
    );
    assert_eq!(e.message, "Return values set to invalid value");
}

#[test]
fn expression_limits_answer_validation_errors() {
    let f = Fixture::new();
    document(&f);
    let cond = |text: String| {
        json!({"TableName": "docs", "Item": {"pk": {"S": "d"}, "a": {"N": "1"}},
        "ConditionExpression": text, "ExpressionAttributeValues": {":v": {"N": "1"}}})
    };
    let nested = format!(
        "{}attribute_exists(a) OR a = :v{}",
        "(".repeat(2000),
        ")".repeat(2000)
    );
    assert_eq!(f.err("PutItem", cond(nested)).code(), "ValidationException");
    let ors = vec!["a = :v"; 10_000].join(" OR ");
    assert!(f
        .err("PutItem", cond(ors))
        .message
        .contains("Expression size has exceeded"));
    let nots = format!("{}a = :v", "NOT ".repeat(10_000));
    assert_eq!(f.err("PutItem", cond(nots)).code(), "ValidationException");
    assert!(
        f.get("docs", "d").is_some(),
        "the endpoint is still serving"
    );
}

#[test]
fn attribute_updates_default_to_put_as_documented() {
    // UpdateItem's API reference: Action "PUT (default)". DynamoDB Local skips an update without an
    // Action, so this is tested against the documented behaviour rather than differentially.
    let f = Fixture::new();
    f.table("docs", None);
    f.ok(
        "UpdateItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "d"}}, "AttributeUpdates": {"n": {"Value": {"S": "new"}}}}),
    );
    assert_eq!(f.get("docs", "d").unwrap()["n"], json!({"S": "new"}));
}

/// AttributeUpdates and Expected faults are worded as DynamoDB Local words them (its wording is
/// DynamoDB's; the value's type is spelled out).
#[test]
fn legacy_update_and_expected_faults_are_worded_as_dynamodb_words_them() {
    let f = Fixture::new();
    f.table("docs", None);
    let update = |updates: Value| {
        f.err(
            "UpdateItem",
            json!({"TableName": "docs", "Key": {"pk": {"S": "d"}}, "AttributeUpdates": updates}),
        )
        .message
    };
    let invalid = "One or more parameter values were invalid: ";
    assert_eq!(
        update(json!({"a": {"Action": "ADD"}})),
        format!("{invalid}Only DELETE action is allowed when no attribute value is specified")
    );
    assert_eq!(
        update(json!({"a": {"Action": "DELETE", "Value": {"S": "x"}}})),
        format!("{invalid}DELETE action with value is not supported for the type STRING")
    );
    assert_eq!(
        update(json!({"a": {"Action": "ADD", "Value": {"B": "eA=="}}})),
        format!("{invalid}ADD action is not supported for the type BINARY")
    );
    let put = |expected: Value| {
        f.err(
            "PutItem",
            json!({"TableName": "docs", "Item": {"pk": {"S": "d"}}, "Expected": expected}),
        )
        .message
    };
    assert_eq!(
        put(json!({"a": {}})),
        format!("{invalid}Value must be provided when Exists is null for Attribute: a")
    );
    assert_eq!(
        put(json!({"a": {"ComparisonOperator": "LT"}})),
        format!("{invalid}Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a")
    );
    assert_eq!(
        put(
            json!({"a": {"Value": {"S": "x"}, "AttributeValueList": [{"S": "x"}], "ComparisonOperator": "EQ"}})
        ),
        format!("{invalid}Value and AttributeValueList cannot be used together for Attribute: a")
    );
    assert_eq!(
        put(json!({"a": {"AttributeValueList": [{"S": "x"}]}})),
        format!("{invalid}AttributeValueList can only be used with a ComparisonOperator for Attribute: a")
    );
}

/// AttributeUpdates' ADD appends a list to a list (or sets it), as DynamoDB and DynamoDB Local do;
/// it was refused. An UpdateExpression's ADD takes a number or set only, DELETE a set only.
#[test]
fn legacy_add_appends_lists_and_update_expressions_check_add_and_delete_operands() {
    let f = Fixture::new();
    f.table("docs", None);
    let key = json!({"pk": {"S": "l"}});
    f.put("docs", json!({"pk": {"S": "l"}, "b": {"L": [{"S": "a"}]}}));
    let out = f.ok(
        "UpdateItem",
        json!({"TableName": "docs", "Key": key, "ReturnValues": "UPDATED_NEW", "AttributeUpdates": {
            "b": {"Action": "ADD", "Value": {"L": [{"S": "b"}]}},
            "n": {"Action": "ADD", "Value": {"L": [{"N": "1"}]}}}}),
    );
    assert_eq!(
        out["Attributes"],
        json!({"b": {"L": [{"S": "a"}, {"S": "b"}]}, "n": {"L": [{"N": "1"}]}})
    );
    let refused = |expression: &str, value: Value| {
        f.err(
            "UpdateItem",
            json!({"TableName": "docs", "Key": key, "UpdateExpression": expression,
                   "ExpressionAttributeValues": {":v": value}}),
        )
        .message
    };
    assert_eq!(
        refused("ADD b :v", json!({"L": [{"S": "c"}]})),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, \
         operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"
    );
    assert_eq!(
        refused("DELETE b :v", json!({"N": "1"})),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, \
         operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"
    );
}

/// Two paths of one update or projection that overlap, or read one node as a map and a list, are
/// refused (the overlap first); they were applied one after the other.
#[test]
fn overlapping_or_conflicting_paths_are_refused() {
    let f = Fixture::new();
    f.table("docs", None);
    let update = |expression: &str| {
        f.err(
            "UpdateItem",
            json!({"TableName": "docs", "Key": {"pk": {"S": "p"}}, "UpdateExpression": expression,
                   "ExpressionAttributeValues": {":v": {"N": "1"}}}),
        )
        .message
    };
    let lead = "must remove or rewrite one of these paths";
    assert_eq!(
        update("SET c[1].a = :v REMOVE c"),
        format!("Invalid UpdateExpression: Two document paths overlap with each other; {lead}; path one: [c, [1], a], path two: [c]")
    );
    // In an update the paths are checked before an undefined value and a function's operands.
    for expression in [
        "SET d.b = :v, d = if_not_exists(a)",
        "SET d.b = :undefined, d = :v",
    ] {
        assert_eq!(
            update(expression),
            format!("Invalid UpdateExpression: Two document paths overlap with each other; {lead}; path one: [d, b], path two: [d]"),
            "{expression}"
        );
    }
    assert_eq!(
        update("SET a.b = :v, a[1] = :v"),
        format!("Invalid UpdateExpression: Two document paths conflict with each other; {lead}; path one: [a, b], path two: [a, [1]]")
    );
    let get = f.err(
        "GetItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "p"}}, "ProjectionExpression": "a.b, a[1]"}),
    );
    assert_eq!(
        get.message,
        format!("Invalid ProjectionExpression: Two document paths conflict with each other; {lead}; path one: [a, b], path two: [a, [1]]")
    );
    f.ok(
        "UpdateItem",
        json!({"TableName": "docs", "Key": {"pk": {"S": "p"}}, "UpdateExpression": "SET b = :v, c = :v, d = :v",
               "ExpressionAttributeValues": {":v": {"N": "1"}}}),
    );
}

/// Update faults found against the item are worded as DynamoDB (and DynamoDB Local) word them: a
/// missing attribute in an operand, an operand of the wrong type, a nested path whose parent is
/// missing or not a container; removing a missing last element is nothing.
#[test]
fn update_faults_found_against_the_item_are_worded_as_dynamodb_words_them() {
    let f = Fixture::new();
    f.table("docs", None);
    f.put(
        "docs",
        json!({"pk": {"S": "u"}, "s": {"S": "x"}, "l": {"L": []}, "m": {"M": {}}}),
    );
    // Each expression with the values it uses (DynamoDB refuses unused ones); no placeholder is a
    // prefix of another.
    let update = |expression: &str| {
        let mut body =
            json!({"TableName": "docs", "Key": {"pk": {"S": "u"}}, "UpdateExpression": expression});
        let values = [
            (":v", json!({"N": "1"})),
            (":l", json!({"L": []})),
            (":ss", json!({"SS": ["a"]})),
        ];
        for (placeholder, value) in values {
            if expression.contains(placeholder) {
                body["ExpressionAttributeValues"][placeholder] = value;
            }
        }
        f.call("UpdateItem", body).err().map(|e| e.message)
    };
    let missing = Some(
        "The provided expression refers to an attribute that does not exist in the item".to_owned(),
    );
    let wrong = Some("An operand in the update expression has an incorrect data type".to_owned());
    let invalid = Some(
        "The document path provided in the update expression is invalid for update".to_owned(),
    );
    assert_eq!(update("SET l = list_append(nothing, :l)"), missing);
    assert_eq!(update("SET x = y + :v"), missing);
    assert_eq!(update("SET x = s + :v"), wrong);
    assert_eq!(update("ADD s :v"), wrong);
    assert_eq!(update("DELETE s :ss"), wrong);
    assert_eq!(update("REMOVE s.a"), invalid);
    assert_eq!(update("REMOVE m[1]"), invalid);
    assert_eq!(update("DELETE zz.y :ss"), invalid);
    assert_eq!(update("REMOVE l[5]"), None);
    assert_eq!(update("REMOVE m.zz"), None);
}
