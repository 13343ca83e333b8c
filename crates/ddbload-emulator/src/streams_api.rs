//! DynamoDB Streams' API (X-Amz-Target DynamoDBStreams_20120810.*): ListStreams, DescribeStream,
//! GetShardIterator and GetRecords over the tables' streams, so a consumer (a Lambda-style poller)
//! can be rehearsed offline. Iterators expire after 15 minutes and records after 24 hours of the
//! endpoint's clock, with DynamoDB's errors.

use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::ops::table_common::key_schema_json;
use crate::store::Store;
use crate::stream::{sequence_text, Stream};

pub const TARGET_PREFIX: &str = "DynamoDBStreams_20120810.";

/// A shard iterator is good for 15 minutes after it is issued.
const ITERATOR_SECONDS: f64 = 15.0 * 60.0;
/// GetRecords returns at most 1,000 records, ListStreams and DescribeStream 100 entries.
const MAX_RECORDS: usize = 1000;
const MAX_LISTED: usize = 100;

pub fn dispatch(store: &Store, operation: &str, body: &[u8]) -> Result<Value, ApiError> {
    let req: Value = serde_json::from_slice(body).map_err(ApiError::body_not_json)?;
    if !req.is_object() {
        return Err(ApiError::body_not_object());
    }
    match operation {
        "ListStreams" => list_streams(store, &req),
        "DescribeStream" => describe_stream(store, &req),
        "GetShardIterator" => get_shard_iterator(store, &req),
        "GetRecords" => get_records(store, &req),
        other => Err(ApiError::unknown_operation(other)),
    }
}

fn text<'a>(req: &'a Value, member: &str) -> Result<&'a str, ApiError> {
    req.get(member)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing(&ApiError::field_name(member)))
}

fn limit(req: &Value, max: usize) -> Result<usize, ApiError> {
    match req.get("Limit").and_then(Value::as_i64) {
        None => Ok(max),
        Some(n) if n >= 1 && n as usize <= max => Ok(n as usize),
        Some(n) => Err(ApiError::stream_limit(n, max)),
    }
}

/// Every table's streams, then those of deleted tables (a DELETING table's are among the latter).
fn all_streams(store: &Store) -> Vec<Arc<Stream>> {
    let epoch = store.epoch();
    let mut streams: Vec<Arc<Stream>> = store
        .tables()
        .values()
        .filter(|table| !table.is_gone(epoch) && !table.is_deleting(epoch))
        .flat_map(|table| table.streams())
        .collect();
    streams.extend(store.streams_of_deleted_tables());
    let mut seen = std::collections::HashSet::new();
    streams.retain(|stream| seen.insert(stream.arn.clone()));
    streams
}

/// The stream an ARN names, found through its table ("...:table/NAME/stream/LABEL"), so a poller's
/// every GetRecords does not look through every table; or among the deleted tables' streams.
fn stream_by_arn(store: &Store, arn: &str) -> Result<Arc<Stream>, ApiError> {
    arn.split_once(":table/")
        .and_then(|(_, rest)| rest.split_once("/stream/"))
        .and_then(|(table, _)| store.any_table(table))
        .and_then(|table| table.streams().into_iter().find(|s| s.arn == arn))
        .or_else(|| {
            store
                .streams_of_deleted_tables()
                .into_iter()
                .find(|s| s.arn == arn)
        })
        .ok_or_else(|| ApiError::stream_not_found(arn))
}

fn list_streams(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let limit = limit(req, MAX_LISTED)?;
    let table = req.get("TableName").and_then(Value::as_str);
    if let Some(name) = table {
        let deleted = store.streams_of_deleted_tables();
        if store.any_table(name).is_none() && !deleted.iter().any(|s| s.table == name) {
            return Err(ApiError::table_not_found());
        }
    }
    let start = req.get("ExclusiveStartStreamArn").and_then(Value::as_str);
    let mut streams: Vec<Arc<Stream>> = all_streams(store)
        .into_iter()
        .filter(|s| table.is_none_or(|t| s.table == t))
        .collect();
    streams.sort_by(|a, b| a.arn.cmp(&b.arn));
    let listed: Vec<&Arc<Stream>> = streams
        .iter()
        .filter(|s| start.is_none_or(|after| s.arn.as_str() > after))
        .take(limit + 1)
        .collect();
    let more = listed.len() > limit;
    let page = &listed[..listed.len().min(limit)];
    let mut out = json!({
        "Streams": page.iter().map(|s| json!({
            "StreamArn": s.arn, "TableName": s.table, "StreamLabel": s.label,
        })).collect::<Vec<_>>()
    });
    if more {
        out["LastEvaluatedStreamArn"] = json!(page.last().map(|s| s.arn.clone()));
    }
    Ok(out)
}

fn describe_stream(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let stream = stream_by_arn(store, text(req, "StreamArn")?)?;
    limit(req, MAX_LISTED)?;
    let (first, _) = stream.range();
    let mut range = json!({ "StartingSequenceNumber": sequence_text(first) });
    if let Some(ending) = stream.ending_sequence() {
        range["EndingSequenceNumber"] = json!(sequence_text(ending));
    }
    // One shard: a start after it lists none.
    let shards = if req.get("ExclusiveStartShardId").and_then(Value::as_str)
        == Some(stream.shard_id.as_str())
    {
        json!([])
    } else {
        json!([{ "ShardId": stream.shard_id, "SequenceNumberRange": range }])
    };
    Ok(json!({
        "StreamDescription": {
            "StreamArn": stream.arn,
            "StreamLabel": stream.label,
            "StreamStatus": if stream.is_enabled() { "ENABLED" } else { "DISABLED" },
            "StreamViewType": stream.view_type.name(),
            "CreationRequestDateTime": stream.created_epoch,
            "TableName": stream.table,
            "KeySchema": key_schema_json(&stream.key_schema),
            "Shards": shards,
        }
    }))
}

fn get_shard_iterator(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let stream = stream_by_arn(store, text(req, "StreamArn")?)?;
    let shard = text(req, "ShardId")?;
    let kind = text(req, "ShardIteratorType")?;
    if shard != stream.shard_id {
        return Err(ApiError::shard_not_found(shard));
    }
    let (first, last) = stream.range();
    let next = last.map_or(first, |l| l + 1);
    let sequence = || -> Result<u64, ApiError> {
        req.get("SequenceNumber")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s < next)
            .ok_or_else(ApiError::invalid_sequence_number)
    };
    let position = match kind {
        "TRIM_HORIZON" => first,
        "LATEST" => next,
        "AT_SEQUENCE_NUMBER" => sequence()?,
        "AFTER_SEQUENCE_NUMBER" => sequence()? + 1,
        other => return Err(ApiError::shard_iterator_type(other)),
    };
    if position < first {
        return Err(ApiError::trimmed(&stream.arn));
    }
    Ok(json!({ "ShardIterator": iterator(&stream, position) }))
}

fn get_records(store: &Store, req: &Value) -> Result<Value, ApiError> {
    let limit = limit(req, MAX_RECORDS)?;
    let (arn, position, issued) =
        parse_iterator(text(req, "ShardIterator")?).ok_or_else(ApiError::invalid_iterator)?;
    let stream = stream_by_arn(store, &arn)?;
    let now = stream.now();
    if now - issued > ITERATOR_SECONDS {
        return Err(ApiError::iterator_expired(issued, now));
    }
    let (records, next) = stream
        .read(position, limit)
        .ok_or_else(|| ApiError::trimmed(&stream.arn))?;
    let mut out = json!({ "Records": records });
    if !stream.is_exhausted(next) {
        out["NextShardIterator"] = json!(iterator(&stream, next));
    }
    Ok(out)
}

/// An iterator names the stream, the next sequence number to read and when it was issued.
fn iterator(stream: &Stream, position: u64) -> String {
    let plain = format!("{}|{position}|{}", stream.arn, stream.now());
    base64::engine::general_purpose::STANDARD.encode(plain)
}

fn parse_iterator(text: &str) -> Option<(String, u64, f64)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    let plain = String::from_utf8(bytes).ok()?;
    let mut parts = plain.rsplitn(3, '|');
    let issued = parts.next()?.parse().ok()?;
    let position = parts.next()?.parse().ok()?;
    Some((parts.next()?.to_owned(), position, issued))
}
