//! CloudWatch in its JSON protocol (awsJson1_0, X-Amz-Target `GraniteServiceVersion20100801.<Operation>`),
//! as boto3 and other SDKs without RPC v2 CBOR speak it: the request is read into the CBOR model, answered
//! by the same code as the CBOR protocol, and written back as JSON with timestamps as epoch seconds.

use bytes::Bytes;
use ciborium::value::{Integer, Value};
use http_body_util::Full;
use hyper::Response;
use serde_json::Value as Json;

use crate::cloudwatch::Answer;
use crate::ops::Shared;
use crate::store::Store;

pub const TARGET_PREFIX: &str = "GraniteServiceVersion20100801.";

/// Answers one CloudWatch operation sent as JSON.
pub fn respond(
    store: &Store,
    shared: &Shared,
    operation: &str,
    body: Option<&[u8]>,
    id: u64,
) -> Response<Full<Bytes>> {
    let answer = match body.map(serde_json::from_slice::<Json>) {
        None => Answer::error(
            413,
            "InvalidParameterValue",
            "the request body could not be read",
        ),
        Some(Err(err)) => Answer::error(
            400,
            "SerializationException",
            format!("the request body is not JSON: {err}"),
        ),
        Some(Ok(request)) => {
            let mut cbor = Vec::new();
            ciborium::ser::into_writer(&to_cbor(&request), &mut cbor)
                .expect("CBOR values serialize");
            crate::cloudwatch::dispatch(store, shared, operation, &cbor)
        }
    };
    let json = serde_json::to_vec(&to_json(&answer.body)).expect("JSON values serialize");
    answer.respond(id, &[("content-type", "application/x-amz-json-1.0")], json)
}

fn to_cbor(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(Integer::from(i)),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Text(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(to_cbor).collect()),
        Json::Object(members) => Value::Map(
            members
                .iter()
                .map(|(k, v)| (Value::Text(k.clone()), to_cbor(v)))
                .collect(),
        ),
    }
}

/// An answer's CBOR as JSON: a timestamp (tag 1) becomes its epoch seconds. Answers hold no byte
/// strings (they would become null).
fn to_json(cbor: &Value) -> Json {
    match cbor {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Integer(i) => Json::from(i64::try_from(i128::from(*i)).unwrap_or(i64::MAX)),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Text(s) => Json::String(s.clone()),
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(pairs) => Json::Object(
            pairs
                .iter()
                .filter_map(|(k, v)| match k {
                    Value::Text(name) => Some((name.clone(), to_json(v))),
                    _ => None,
                })
                .collect(),
        ),
        Value::Tag(_, inner) => to_json(inner),
        _ => Json::Null,
    }
}
