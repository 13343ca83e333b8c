//! Query and Scan through dispatch: key conditions, order and pages; Scan's stable hash order and
//! parallel segments.

mod common;

use std::collections::BTreeSet;

use common::Fixture;
use serde_json::{json, Value};

fn filled(f: &Fixture) {
    f.ranged("rng");
    for pk in ["a", "b"] {
        for sk in 1..=5 {
            f.put("rng", json!({"pk": {"S": pk}, "sk": {"N": sk.to_string()}}));
        }
    }
}

fn sks(out: &Value) -> Vec<String> {
    out["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sk"]["N"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn query_follows_the_sort_key_both_ways_and_pages() {
    let f = Fixture::new();
    filled(&f);
    let q = |extra: Value| {
        let mut body = json!({"TableName": "rng", "KeyConditionExpression": "pk = :p AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {":p": {"S": "a"}, ":lo": {"N": "2"}, ":hi": {"N": "4"}}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        f.ok("Query", body)
    };
    assert_eq!(sks(&q(json!({}))), ["2", "3", "4"]);
    assert_eq!(sks(&q(json!({"ScanIndexForward": false}))), ["4", "3", "2"]);
    let first = q(json!({"Limit": 2}));
    assert_eq!(sks(&first), ["2", "3"]);
    let next = q(json!({"Limit": 2, "ExclusiveStartKey": first["LastEvaluatedKey"]}));
    assert_eq!(sks(&next), ["4"]);
    let counted = q(json!({"Select": "COUNT"}));
    assert_eq!(
        (counted["Count"].clone(), counted.get("Items")),
        (json!(3), None)
    );
    let index = f.err(
        "Query",
        json!({"TableName": "rng", "IndexName": "gsi", "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "a"}}}),
    );
    assert_eq!(
        (index.code(), index.message.as_str()),
        (
            "ValidationException",
            "The table does not have the specified index: gsi"
        )
    );
}

#[test]
fn scan_order_is_stable_and_segments_split_the_table() {
    let f = Fixture::new();
    f.table("scn", None);
    for i in 0..200 {
        f.put("scn", json!({"pk": {"S": format!("key-{i}")}}));
    }
    let keys = |out: &Value| -> Vec<String> {
        out["Items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["pk"]["S"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut paged = Vec::new();
    let mut start = None;
    loop {
        let mut body = json!({"TableName": "scn", "Limit": 33});
        if let Some(key) = start.take() {
            body["ExclusiveStartKey"] = key;
        }
        let out = f.ok("Scan", body);
        paged.extend(keys(&out));
        match out.get("LastEvaluatedKey") {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
    }
    let whole = keys(&f.ok("Scan", json!({"TableName": "scn"})));
    assert_eq!(paged, whole, "pages follow one stable order");
    assert_eq!(whole.iter().collect::<BTreeSet<_>>().len(), 200);
    let mut sorted = whole.clone();
    sorted.sort();
    assert_ne!(whole, sorted, "hash order, not key order");
    let mut segments = BTreeSet::new();
    for segment in 0..4 {
        let part = keys(&f.ok(
            "Scan",
            json!({"TableName": "scn", "Segment": segment, "TotalSegments": 4}),
        ));
        for key in part {
            assert!(segments.insert(key), "segments do not overlap");
        }
    }
    assert_eq!(segments.len(), 200);
    assert_eq!(
        f.err("Scan", json!({"TableName": "scn", "Segment": 0}))
            .message,
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"
    );
    assert_eq!(
        f.err(
            "Scan",
            json!({"TableName": "scn", "Segment": 4, "TotalSegments": 4})
        )
        .message,
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4"
    );
    assert!(f
        .err(
            "Scan",
            json!({"TableName": "scn", "Segment": -1, "TotalSegments": 4})
        )
        .message
        .contains("'segment'"));
}

/// 25 items of 43,415 bytes: their billed sizes reach 1 MB only with the 25th, but DynamoDB sizes a
/// page as it stores items (names in one byte, 18 bytes per started 3 KB) and ends it after 24,
/// with a LastEvaluatedKey even when the page ends with the table.
#[test]
fn a_page_ends_where_dynamodb_sizes_one_megabyte() {
    let f = Fixture::new();
    f.table("big", None);
    f.ranged("bigr");
    let b = "b".repeat(43_411);
    for i in 0..25 {
        f.put(
            "big",
            json!({"pk": {"S": format!("{i:02}")}, "b": {"S": b}}),
        );
    }
    let out = f.ok("Scan", json!({"TableName": "big", "Select": "COUNT"}));
    assert_eq!(
        (out["Count"].clone(), out["ScannedCount"].clone()),
        (json!(24), json!(24))
    );
    let rest = f.ok(
        "Scan",
        json!({"TableName": "big", "ExclusiveStartKey": out["LastEvaluatedKey"]}),
    );
    assert_eq!(rest["Count"], 1);
    assert!(rest.get("LastEvaluatedKey").is_none());

    for sk in 0..24 {
        let b = "b".repeat(43_400);
        f.put(
            "bigr",
            json!({"pk": {"S": "p"}, "sk": {"N": sk.to_string()}, "b": {"S": b}}),
        );
    }
    let page = f.ok(
        "Query",
        json!({"TableName": "bigr", "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": {"S": "p"}}, "Select": "COUNT"}),
    );
    let sizes = 24 * (2 + (43_400 + 3 + 1) + (1 + 1 + 1) + 15 * (18 + 2));
    assert!(sizes >= 1 << 20, "the 24th item reaches 1 MB: {sizes}");
    assert_eq!(page["Count"], 24);
    assert_eq!(page["LastEvaluatedKey"]["sk"]["N"], "23");
}

#[test]
fn a_segments_start_key_must_lie_in_that_segment() {
    let f = Fixture::new();
    f.table("seg", None);
    for i in 0..50 {
        f.put("seg", json!({"pk": {"S": format!("k{i}")}}));
    }
    let first = f.ok(
        "Scan",
        json!({"TableName": "seg", "Segment": 0, "TotalSegments": 2, "Limit": 1}),
    );
    let start = first["LastEvaluatedKey"].clone();
    // Paged within one segment, with a start key each time, the segment's items come once each.
    let whole = f.ok(
        "Scan",
        json!({"TableName": "seg", "Segment": 1, "TotalSegments": 2}),
    )["Items"]
        .clone();
    let (mut paged, mut from) = (Vec::new(), None::<Value>);
    loop {
        let mut body = json!({"TableName": "seg", "Segment": 1, "TotalSegments": 2, "Limit": 4});
        if let Some(key) = from.take() {
            body["ExclusiveStartKey"] = key;
        }
        let page = f.ok("Scan", body);
        paged.extend(page["Items"].as_array().unwrap().iter().cloned());
        match page.get("LastEvaluatedKey") {
            Some(key) => from = Some(key.clone()),
            None => break,
        }
    }
    assert_eq!(Value::Array(paged), whole);
    assert!(whole.as_array().unwrap().len() > 4);
    let wrong = f.err(
        "Scan",
        json!({"TableName": "seg", "Segment": 1, "TotalSegments": 2, "ExclusiveStartKey": start}),
    );
    assert_eq!(
        wrong.message,
        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use \
         ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 1"
    );
    // Beyond 4,096 segments some hold no prefix of the hash, and are empty - the last ones too (their
    // range starts past every hash); all segments together hold each item once.
    for segment in [1, 999_999] {
        let empty = f.ok(
            "Scan",
            json!({"TableName": "seg", "Segment": segment, "TotalSegments": 1_000_000}),
        );
        assert_eq!(empty["Count"], 0, "segment {segment}");
    }
    let mut seen = 0;
    for segment in 0..5000 {
        let part = f.ok(
            "Scan",
            json!({"TableName": "seg", "Segment": segment, "TotalSegments": 5000, "Select": "COUNT"}),
        );
        seen += part["Count"].as_i64().unwrap();
    }
    assert_eq!(seen, 50);
}

#[test]
fn size_counts_a_strings_characters_not_its_bytes() {
    let f = Fixture::new();
    f.table("sized", None);
    f.put("sized", json!({"pk": {"S": "accented"}, "b": {"S": "abÿ"}}));
    f.put("sized", json!({"pk": {"S": "four"}, "b": {"S": "abcd"}}));
    let out = f.ok(
        "Scan",
        json!({"TableName": "sized", "FilterExpression": "size(b) = :n",
               "ExpressionAttributeValues": {":n": {"N": "3"}}}),
    );
    assert_eq!(out["Items"][0]["pk"]["S"], "accented");
    assert_eq!(out["Count"], 1);
}

fn query_error(f: &Fixture, body: Value) -> String {
    f.err("Query", body).message
}

/// A KeyConditionExpression is walked from the top, left to right, before the table is looked up:
/// the first operator or operand a key condition cannot take names the error.
#[test]
fn key_condition_expressions_are_refused_as_dynamodb_refuses_them() {
    let f = Fixture::new();
    let cases = [
        ("a > :v and b > :v or a > :v", "Invalid operator used in KeyConditionExpression: OR"),
        ("a <> :v", "Invalid operator used in KeyConditionExpression: <>"),
        ("attribute_exists(a)", "Invalid operator used in KeyConditionExpression: attribute_exists"),
        ("contains(a, :v)", "Invalid operator used in KeyConditionExpression: contains"),
        (
            ":v between a and :v",
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand",
        ),
        ("size(a) = :v", "KeyConditionExpressions cannot contain nested operations"),
        ("a = b", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
        ("a.b = :v", "KeyConditionExpressions cannot have conditions on nested attributes"),
        (":v = :v", "Invalid condition in KeyConditionExpression: No key attribute specified"),
        ("a = :v and a > :v", "KeyConditionExpressions must only contain one condition per key"),
        ("a = :v and b > :v and c > :v", "Conditions can be of length 1 or 2 only"),
    ];
    for (expression, message) in cases {
        let mut body = json!({"TableName": "no-such-table", "KeyConditionExpression": expression});
        if expression.contains(":v") {
            body["ExpressionAttributeValues"] = json!({":v": {"S": "x"}});
        }
        assert_eq!(query_error(&f, body), message, "{expression}");
    }
    let typed = json!({"TableName": "no-such-table", "KeyConditionExpression": "attribute_type(a, :t)",
                       "ExpressionAttributeValues": {":t": {"N": "1"}}});
    assert_eq!(
        query_error(&f, typed),
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; \
         operator or function: attribute_type, operand type: N"
    );
}

/// Against the table: an operator no index can serve, a value of the wrong type, a missing key, and
/// start keys outside what the conditions select.
#[test]
fn key_conditions_are_checked_against_the_key_schema_and_the_start_key() {
    let f = Fixture::new();
    filled(&f);
    let legacy = |conditions: Value| {
        query_error(&f, json!({"TableName": "rng", "KeyConditions": conditions}))
    };
    assert_eq!(
        legacy(json!({"pk": {"ComparisonOperator": "NULL"}})),
        "Attempted conditional constraint is not an indexable operation"
    );
    assert_eq!(
        legacy(json!({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}})),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
    assert_eq!(
        legacy(json!({"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}})),
        "Query condition missed key schema element: pk"
    );
    assert_eq!(
        legacy(json!({"pk": {"ComparisonOperator": "LT", "AttributeValueList": [{"BOOL": true}]}})),
        "One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type"
    );
    let from = |condition: &str, start: Value| {
        let mut values = json!({":p": {"S": "a"}});
        if condition.contains(":s") {
            values[":s"] = json!({"N": "3"});
        }
        query_error(
            &f,
            json!({"TableName": "rng", "KeyConditionExpression": condition,
                   "ExpressionAttributeValues": values, "ExclusiveStartKey": start}),
        )
    };
    assert_eq!(
        from("pk = :p", json!({"pk": {"S": "b"}, "sk": {"N": "1"}})),
        "The provided starting key is outside query boundaries based on provided conditions"
    );
    assert_eq!(
        from(
            "pk = :p AND sk > :s",
            json!({"pk": {"S": "a"}, "sk": {"N": "1"}})
        ),
        "The provided starting key does not match the range key predicate"
    );
    assert_eq!(
        from(
            "pk = :p AND sk > :s",
            json!({"pk": {"S": "b"}, "sk": {"N": "4"}})
        ),
        "The query can return at most one row and cannot be restarted"
    );
    assert_eq!(
        from("pk = :p", json!({"pk": {"S": "a"}})),
        "The provided starting key is invalid"
    );
    // Written with the value first, the comparison is turned round: 3 < sk is sk > 3.
    let reversed = f.ok(
        "Query",
        json!({"TableName": "rng", "KeyConditionExpression": "pk = :p AND :s < sk",
               "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "3"}}}),
    );
    assert_eq!(sks(&reversed), ["4", "5"]);
}

/// Key attributes are scalars: a path into one is refused, naming the table's key or an index's;
/// ALL_ATTRIBUTES from a global index that projects fewer is refused. Both were answered before.
#[test]
fn paths_into_keys_and_all_attributes_from_a_partial_index_are_refused() {
    let f = Fixture::new();
    f.ok(
        "CreateTable",
        json!({
            "TableName": "keyed", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "gk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by-gk",
                "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        }),
    );
    let scan = |body: Value| f.err("Scan", body).message;
    assert_eq!(
        scan(json!({"TableName": "keyed", "ProjectionExpression": "pk.a"})),
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"
    );
    assert_eq!(
        scan(json!({"TableName": "keyed", "FilterExpression": "gk[1] = :v",
                    "ExpressionAttributeValues": {":v": {"S": "x"}}})),
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: gk"
    );
    let query = f.err(
        "Query",
        json!({"TableName": "keyed", "IndexName": "by-gk", "Select": "ALL_ATTRIBUTES",
               "KeyConditionExpression": "gk = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}),
    );
    assert_eq!(
        query.message,
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for \
         global secondary index by-gk because its projection type is not ALL"
    );
}

/// Select ALL_ATTRIBUTES on a local index that projects only keys answers whole items, read from
/// the table as DynamoDB reads them; it answered the projected keys only.
#[test]
fn all_attributes_from_a_local_index_are_read_from_the_table() {
    let f = Fixture::new();
    f.ok(
        "CreateTable",
        json!({
            "TableName": "local", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"},
                                     {"AttributeName": "lk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "LocalSecondaryIndexes": [{"IndexName": "by-lk",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "lk", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        }),
    );
    let item = json!({"pk": {"S": "p"}, "sk": {"S": "1"}, "lk": {"S": "x"}, "extra": {"N": "7"}});
    f.put("local", item.clone());
    let read = |select: &str| {
        let query = f.ok(
            "Query",
            json!({"TableName": "local", "IndexName": "by-lk", "Select": select,
                   "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}}),
        );
        let scan = f.ok(
            "Scan",
            json!({"TableName": "local", "IndexName": "by-lk", "Select": select}),
        );
        (query["Items"][0].clone(), scan["Items"][0].clone())
    };
    assert_eq!(read("ALL_ATTRIBUTES"), (item.clone(), item));
    let (projected, _) = read("ALL_PROJECTED_ATTRIBUTES");
    assert!(projected.get("extra").is_none());
}

/// A reserved word as an attribute name is refused in every expression (DynamoDB Local agrees), and
/// reported before an undefined `#name` even when written after it; an alias stands in for one.
#[test]
fn reserved_words_are_refused_as_attribute_names() {
    let f = Fixture::new();
    f.table("words", None);
    f.put("words", json!({"pk": {"S": "k"}, "status": {"S": "open"}}));
    let get = |body: Value| {
        let mut req = json!({"TableName": "words", "Key": {"pk": {"S": "k"}}});
        for (k, v) in body.as_object().unwrap() {
            req[k] = v.clone();
        }
        f.call("GetItem", req)
    };
    assert_eq!(
        get(json!({"ProjectionExpression": "status"}))
            .unwrap_err()
            .message,
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status"
    );
    assert_eq!(
        get(json!({"ProjectionExpression": "#a, ABSoLUTE"}))
            .unwrap_err()
            .message,
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: ABSoLUTE"
    );
    assert_eq!(
        get(json!({"ProjectionExpression": "#a"}))
            .unwrap_err()
            .message,
        "Invalid ProjectionExpression: An expression attribute name used in the document path is \
         not defined; attribute name: #a"
    );
    let aliased =
        get(json!({"ProjectionExpression": "#s", "ExpressionAttributeNames": {"#s": "status"}}))
            .unwrap();
    assert_eq!(aliased["Item"], json!({"status": {"S": "open"}}));
    let update = f.err(
        "UpdateItem",
        json!({"TableName": "words", "Key": {"pk": {"S": "k"}}, "UpdateExpression": "SET total = :v",
               "ExpressionAttributeValues": {":v": {"N": "1"}}}),
    );
    assert_eq!(
        update.message,
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: total"
    );
}

/// Functions parse whatever their operands, and DynamoDB's faults follow once the text parses, in its
/// order: a misused function, a reserved word, an undefined name, the operand count, non-distinct
/// operands, then an operand of the wrong kind.
#[test]
fn function_and_operand_faults_are_reported_in_dynamodbs_order() {
    let f = Fixture::new();
    let filter = |expression: &str| {
        let mut body = json!({"TableName": "no-such-table", "FilterExpression": expression});
        if expression.contains(":a") {
            body["ExpressionAttributeValues"] = json!({":a": {"S": "1"}});
        }
        if expression.contains("#a") {
            body["ExpressionAttributeNames"] = json!({"#a": "a"});
        }
        f.err("Scan", body).message
    };
    let invalid = "Invalid FilterExpression: ";
    let cases = [
        ("attribute_not_exists(things) > b", "The function is not allowed to be used this way in an expression; function: attribute_not_exists"),
        ("size(contains(a, b)) > a", "The function is not allowed to be used this way in an expression; function: contains"),
        ("size(things)", "The function is not allowed to be used this way in an expression; function: size"),
        ("a between b and attribute_exists(things)", "The function is not allowed to be used this way in an expression; function: attribute_exists"),
        ("attribute_exists(views, c) and a = a", "Attribute name is a reserved keyword; reserved keyword: views"),
        // An undefined value is deferred too, and reported after a reserved word.
        (":x < abOrT", "Attribute name is a reserved keyword; reserved keyword: abOrT"),
        ("attribute_exists(things, b)", "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"),
        ("begins_with(things, size(a), b)", "Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 3"),
        ("#a <> a", "The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a]"),
        ("contains(ab.bc[1].a, ab.bc[1].#a)", "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [ab, bc, [1], a]"),
        ("attribute_exists(:a) and b = c", "Operator or function requires a document path; operator or function: attribute_exists"),
        ("attribute_not_exists(size(:a))", "Operator or function requires a document path; operator or function: attribute_not_exists"),
    ];
    for (expression, message) in cases {
        assert_eq!(
            filter(expression),
            format!("{invalid}{message}"),
            "{expression}"
        );
    }
    // The size of a literal is known without an item: a filter comparing it holds everywhere.
    f.table("lits", None);
    f.put("lits", json!({"pk": {"S": "k"}}));
    let out = f.ok(
        "Scan",
        json!({"TableName": "lits", "FilterExpression": "size(:s) = :n",
               "ExpressionAttributeValues": {":s": {"S": "abÿ"}, ":n": {"N": "3"}}}),
    );
    assert_eq!(out["Count"], 1);
}
