//! A PartiQL SELECT whose WHERE names several partition key values (`pk IN [...]`, or `pk = a OR
//! pk = b`): one Query per value, in the order given, as DynamoDB reads it instead of a Scan. A
//! page ends where one of its Queries ends early (Limit or 1 MB); its NextToken says which value
//! and where in it the next page starts.

use base64::Engine;
use serde_json::{json, Value};

use super::common::{Consumed, ReturnCapacity};
use crate::error::ApiError;

/// The value placeholder the Query's KeyConditionExpression names for the partition key.
pub const PARTITION_VALUE: &str = ":partition";

pub struct Partitions {
    values: Vec<Value>,
    /// Where this page starts: the value's position, and the key within its partition.
    start: (usize, Option<Value>),
    capacity: ReturnCapacity,
}

impl Partitions {
    /// The distinct `values` (first mention first), starting where `req`'s NextToken says.
    pub fn new(values: Vec<Value>, req: &Value) -> Result<Self, ApiError> {
        let mut distinct: Vec<Value> = Vec::with_capacity(values.len());
        for value in values {
            if !distinct.contains(&value) {
                distinct.push(value);
            }
        }
        let start = match req.get("NextToken").and_then(Value::as_str) {
            None => (0, None),
            Some(token) => {
                decode(token, distinct.len()).ok_or_else(ApiError::statement_bad_next_token)?
            }
        };
        Ok(Self {
            values: distinct,
            start,
            capacity: ReturnCapacity::of(req)?,
        })
    }

    /// Runs `query` (a Query request naming PARTITION_VALUE) for each value in turn, through
    /// `run`, and answers as one Query would: Items, LastEvaluatedKey's place as `NextToken`, and
    /// the capacity of them all.
    pub fn run(
        &self,
        query: &Value,
        run: impl Fn(&str, &Value) -> Result<Value, ApiError>,
    ) -> Result<Value, ApiError> {
        let table = query["TableName"].as_str().unwrap_or_default().to_owned();
        let mut limit = query.get("Limit").and_then(Value::as_u64);
        let (mut at, mut start_key) = self.start.clone();
        let mut items = Vec::new();
        let mut consumed = Consumed::default();
        let mut next = None;
        while at < self.values.len() {
            let mut request = query.clone();
            request["ExpressionAttributeValues"][PARTITION_VALUE] = self.values[at].clone();
            request["ReturnConsumedCapacity"] = json!("INDEXES");
            if let Some(key) = start_key.take() {
                request["ExclusiveStartKey"] = key;
            }
            if let Some(limit) = limit {
                request["Limit"] = json!(limit);
            }
            let out = run("Query", &request)?;
            if let Some(found) = out["Items"].as_array() {
                items.extend(found.iter().cloned());
            }
            consumed.add(&Consumed::of_entry(&out["ConsumedCapacity"]));
            if let Some(last) = out.get("LastEvaluatedKey") {
                next = Some((at, Some(last.clone())));
                break;
            }
            at += 1;
            if let Some(left) = &mut limit {
                *left = left.saturating_sub(out["ScannedCount"].as_u64().unwrap_or(0));
                if *left == 0 {
                    next = (at < self.values.len()).then_some((at, None));
                    break;
                }
            }
        }
        let mut answer = json!({ "Items": items });
        if let Some(place) = next {
            answer["NextToken"] = json!(encode(place));
        }
        Ok(self.capacity.add_to(answer, &table, &consumed))
    }
}

/// A NextToken: the value's position and the start key, as base64 of a JSON array (a single
/// Query's token is an object, so neither is taken for the other).
fn encode((at, key): (usize, Option<Value>)) -> String {
    base64::engine::general_purpose::STANDARD.encode(json!([at, key]).to_string())
}

fn decode(token: &str, values: usize) -> Option<(usize, Option<Value>)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    let Value::Array(place) = serde_json::from_slice::<Value>(&bytes).ok()? else {
        return None;
    };
    let at = usize::try_from(place.first()?.as_u64()?)
        .ok()
        .filter(|at| *at < values)?;
    match place.get(1)? {
        Value::Null => Some((at, None)),
        key @ Value::Object(_) => Some((at, Some(key.clone()))),
        _ => None,
    }
}
