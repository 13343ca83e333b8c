//! Property tests of request parsing: arbitrary request bodies, values and expressions never panic,
//! and every answer is DynamoDB-shaped JSON (an object, or an error with __type and message).

mod common;

use common::Fixture;
use proptest::prelude::*;
use serde_json::{json, Value};

const OPERATIONS: [&str; 14] = [
    "CreateTable",
    "DescribeTable",
    "UpdateTable",
    "ListTables",
    "DeleteTable",
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchGetItem",
    "BatchWriteItem",
    "Query",
    "Scan",
    "TransactWriteItems",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9:#._ ()=<>-]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("S"),
            Just("N"),
            Just("M"),
            Just("L"),
            Just("SS"),
            Just("NULL"),
            Just("pk"),
            Just("fz1")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("TableName".to_owned()),
                    Just("Key".to_owned()),
                    Just("Item".to_owned()),
                    Just("S".to_owned()),
                    Just("N".to_owned()),
                    Just("pk".to_owned()),
                    Just("ConditionExpression".to_owned()),
                    Just("UpdateExpression".to_owned()),
                    Just("ExpressionAttributeValues".to_owned()),
                    Just("RequestItems".to_owned()),
                    "[a-zA-Z:#]{1,8}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn dynamodb_shaped(answer: &Result<Value, ddbload_emulator::error::ApiError>) -> bool {
    match answer {
        Ok(v) => v.is_object(),
        Err(e) => {
            let body = e.to_json();
            // DynamoDB capitalises Message for its deserializer's errors only.
            let message = if e.code() == "SerializationException" {
                &body["Message"]
            } else {
                &body["message"]
            };
            body["__type"].as_str().is_some_and(|t| t.contains('#')) && message.is_string()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_requests_get_dynamodb_answers(op in 0..OPERATIONS.len(), body in json_value()) {
        let f = Fixture::new();
        f.table("fz1", None);
        let answer = f.call(OPERATIONS[op], body);
        prop_assert!(dynamodb_shaped(&answer));
    }

    #[test]
    fn arbitrary_expressions_never_crash(text in "[a-z:#()=<> ,.\\[\\]0-9+-]{0,300}|(NOT |AND |OR |\\(|\\)|a|:v|=| ){0,2000}") {
        let f = Fixture::new();
        f.table("fz1", None);
        for field in ["ConditionExpression", "UpdateExpression"] {
            let body = json!({"TableName": "fz1", "Key": {"pk": {"S": "k"}}, field: text,
                "ExpressionAttributeValues": {":v": {"N": "1"}}});
            let answer = f.call("UpdateItem", body);
            prop_assert!(dynamodb_shaped(&answer));
        }
    }

    #[test]
    fn arbitrary_numbers_are_exact_or_refused(text in "[-+]?[0-9]{0,45}(\\.[0-9]{0,45})?([eE][-+]?[0-9]{1,4})?") {
        let f = Fixture::new();
        f.table("fz1", None);
        let answer = f.call("PutItem", json!({"TableName": "fz1", "Item": {"pk": {"S": "n"}, "n": {"N": text}}}));
        prop_assert!(dynamodb_shaped(&answer));
    }
}
