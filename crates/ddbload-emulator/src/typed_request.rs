//! The typed decoding layer: every member of a request is checked against its JSON type in the service
//! model before any validation, as DynamoDB's deserializer does, and refused with its
//! SerializationException wording; a member given as null is dropped, as absent.

use serde_json::Value;

use crate::error::ApiError;
use crate::request_shapes::{Kind, OPERATIONS, SHAPES};

/// Where a value sits: DynamoDB's deserializer words a mismatch differently for a structure's member
/// than for a list's member or a map's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Field,
    Element,
}

/// Whether a request (or one of its structures) gives `member`: null is absent, as DynamoDB reads it.
pub fn given(request: &Value, member: &str) -> bool {
    request.get(member).is_some_and(|v| !v.is_null())
}

/// Whether `operation` is one of DynamoDB's (implemented here or not).
pub fn is_operation(operation: &str) -> bool {
    OPERATIONS
        .binary_search_by(|(name, _)| (*name).cmp(operation))
        .is_ok()
}

/// Checks `request` (a JSON object) against `operation`'s input shape, dropping null members.
/// An operation the model does not know is left to the router, which refuses it.
pub fn check(operation: &str, request: &mut Value) -> Result<(), ApiError> {
    match OPERATIONS.binary_search_by(|(name, _)| (*name).cmp(operation)) {
        Ok(at) => check_value(OPERATIONS[at].1, request, Place::Field),
        Err(_) => Ok(()),
    }
}

fn check_value(shape: u16, value: &mut Value, place: Place) -> Result<(), ApiError> {
    let kind = SHAPES[usize::from(shape)].kind;
    if let (Kind::Boolean, Value::String(text)) = (kind, &*value) {
        // DynamoDB's parser reads a boolean from text as Java does ("true" in any case is true, other
        // words false: `"NULL": "no"` is then validation's error), but a number in text is its error.
        if text.trim().parse::<f64>().is_err() {
            *value = Value::Bool(text.eq_ignore_ascii_case("true"));
            return Ok(());
        }
    }
    match (kind, value) {
        // Null elements are left to validation; null members were dropped by their structure.
        (_, Value::Null)
        | (Kind::String, Value::String(_))
        | (Kind::Boolean, Value::Bool(_))
        | (Kind::Integer | Kind::Long | Kind::Double, Value::Number(_))
        | (Kind::Timestamp, Value::Number(_) | Value::String(_)) => Ok(()),
        (Kind::Blob, Value::String(text)) => check_base64(text),
        (Kind::List(member), Value::Array(items)) => items
            .iter_mut()
            .try_for_each(|item| check_value(member, item, Place::Element)),
        (Kind::Map(member), Value::Object(entries)) => entries
            .values_mut()
            .try_for_each(|item| check_value(member, item, Place::Element)),
        (Kind::Structure(members), Value::Object(fields)) => {
            fields.retain(|_, v| !v.is_null());
            for (name, field) in fields.iter_mut() {
                if let Some((_, member)) = members.iter().find(|(m, _)| m == name) {
                    check_value(*member, field, Place::Field)?;
                }
            }
            Ok(())
        }
        (_, wrong) => Err(mismatch(shape, wrong, place)),
    }
}

/// DynamoDB's error for `value` where `shape` belongs.
fn mismatch(shape: u16, value: &Value, place: Place) -> ApiError {
    let kind = SHAPES[usize::from(shape)].kind;
    match (kind, value) {
        (Kind::List(_), Value::Object(_)) => ApiError::object_not_expected(),
        (Kind::Map(_), Value::Array(_)) => ApiError::unrecognized_collection(&java(shape)),
        (Kind::List(_) | Kind::Map(_), _) if place == Place::Element => {
            ApiError::nested_collection()
        }
        (Kind::List(_) | Kind::Map(_), _) => ApiError::unexpected_field_type(),
        (_, Value::Array(_)) => ApiError::unrecognized_collection_class(&java(shape)),
        (Kind::Structure(_), _) if place == Place::Element => ApiError::unexpected_value_type(),
        (Kind::Structure(_), _) => ApiError::unexpected_field_type(),
        (_, Value::Object(_)) => ApiError::object_not_expected(),
        (Kind::Blob, _) => ApiError::blob_not_text(),
        (Kind::Boolean, Value::String(_)) => ApiError::unexpected_token(),
        (_, scalar) => {
            ApiError::not_convertible(token(scalar), java(shape).trim_start_matches("java.lang."))
        }
    }
}

/// The JSON parser's name for a scalar token.
fn token(value: &Value) -> &'static str {
    match value {
        Value::Bool(true) => "TRUE_VALUE",
        Value::Bool(false) => "FALSE_VALUE",
        Value::Number(n) if n.is_f64() => "DECIMAL_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        _ => "NULL_VALUE",
    }
}

/// The Java type DynamoDB's messages name for a shape.
fn java(shape: u16) -> String {
    let shape = &SHAPES[usize::from(shape)];
    match shape.kind {
        Kind::String => "java.lang.String".into(),
        Kind::Boolean => "java.lang.Boolean".into(),
        Kind::Integer => "java.lang.Integer".into(),
        Kind::Long => "java.lang.Long".into(),
        Kind::Double => "java.lang.Double".into(),
        Kind::Blob => "java.nio.ByteBuffer".into(),
        Kind::Timestamp => "java.util.Date".into(),
        Kind::List(member) => format!("java.util.List<{}>", java(member)),
        Kind::Map(value) => format!("java.util.Map<java.lang.String, {}>", java(value)),
        Kind::Structure(_) => format!("com.amazonaws.dynamodb.v20120810.{}", shape.name),
    }
}

/// Base64's framing as DynamoDB's decoder checks it first: whole groups of four characters, and no
/// bits left over in the last character before the padding. (Its message's spelling is DynamoDB's.)
fn check_base64(text: &str) -> Result<(), ApiError> {
    if text.len() % 4 != 0 {
        return Err(ApiError::base64_length(text.len()));
    }
    let data = text.trim_end_matches('=');
    let unused_bits = match text.len() - data.len() {
        1 => 0b11,
        2 => 0b1111,
        _ => 0,
    };
    let last = data.bytes().last().and_then(sextet).unwrap_or(0);
    if last & unused_bits != 0 {
        return Err(ApiError::base64_last_character());
    }
    Ok(())
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(operation: &str, mut request: Value) -> String {
        check(operation, &mut request).unwrap_err().message
    }

    #[test]
    fn each_kind_of_mismatch_gets_dynamodbs_wording() {
        let cases = [
            (json!({"TableName": true}), "TRUE_VALUE cannot be converted to String"),
            (json!({"TableName": 34.56}), "DECIMAL_VALUE cannot be converted to String"),
            (json!({"TableName": []}), "Unrecognized collection type class java.lang.String"),
            (json!({"TableName": {}}), "Start of structure or map found where not expected"),
            (json!({"ConsistentRead": "23"}), "Unexpected token received from parser"),
            (json!({"ConsistentRead": "2.5"}), "Unexpected token received from parser"),
            (json!({"ConsistentRead": 23}), "NUMBER_VALUE cannot be converted to Boolean"),
            (json!({"Key": 23}), "Unexpected field type"),
            (
                json!({"Key": []}),
                "Unrecognized collection type java.util.Map<java.lang.String, \
                 com.amazonaws.dynamodb.v20120810.AttributeValue>",
            ),
            (json!({"Key": {"a": "x"}}), "Unexpected value type in payload"),
            (
                json!({"Key": {"a": []}}),
                "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue",
            ),
            (json!({"Key": {"a": {"S": 23}}}), "NUMBER_VALUE cannot be converted to String"),
            (json!({"Key": {"a": {"SS": {}}}}), "Start of structure or map found where not expected"),
            (json!({"Key": {"a": {"L": [true]}}}), "Unexpected value type in payload"),
            (
                json!({"Key": {"a": {"B": 23}}}),
                "only base-64-encoded strings are convertible to bytes",
            ),
            (
                json!({"Key": {"a": {"B": "23456"}}}),
                "Base64 encoded length is expected a multiple of 4 bytes but found: 5",
            ),
            (
                json!({"Key": {"a": {"BS": ["+/+="]}}}),
                "Invalid last non-pad Base64 character dectected",
            ),
        ];
        for (request, message) in cases {
            assert_eq!(refused("GetItem", request.clone()), message, "{request}");
        }
        assert_eq!(
            refused("Query", json!({"Limit": "23"})),
            "STRING_VALUE cannot be converted to Integer"
        );
        assert_eq!(
            refused("BatchWriteItem", json!({"RequestItems": {"t": 23}})),
            "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast \
             to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and \
             java.lang.Class are in module java.base of loader 'bootstrap')"
        );
        assert_eq!(
            refused(
                "BatchGetItem",
                json!({"RequestItems": {"t": {"Keys": [true]}}})
            ),
            "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast \
             to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and \
             java.lang.Class are in module java.base of loader 'bootstrap')"
        );
    }

    #[test]
    fn well_typed_requests_pass_and_null_members_are_dropped() {
        let mut request = json!({
            "TableName": "t",
            "ExclusiveStartKey": {"a": {"B": "YWI=", "L": [{"N": "1"}], "M": {"b": {"NULL": true}}}},
            "Limit": null, "Unknown": 5
        });
        check("Query", &mut request).unwrap();
        assert!(request.get("Limit").is_none());
        let mut words = json!({"Item": {"a": {"NULL": "no"}, "b": {"BOOL": "TRUE"}}});
        check("PutItem", &mut words).unwrap();
        assert_eq!(
            words["Item"],
            json!({"a": {"NULL": false}, "b": {"BOOL": true}})
        );
        assert_eq!(request["Unknown"], 5);
        check("NoSuchOperation", &mut json!({"TableName": true})).unwrap();
    }
}
