//! A workload file's request sent through the AWS SDK (`--client sdk`): the plan's DynamoDB JSON read
//! into the SDK's builders field by field (a field it does not read is an error, never dropped), and the
//! SDK's answer read back into the fast path's Answer, so both clients settle an attempt the same way.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::RequestId;
use aws_sdk_dynamodb::types::{
    ConditionCheck, ConsumedCapacity, Delete, DeleteRequest, Get, KeysAndAttributes, Put,
    PutRequest, ReturnConsumedCapacity, ReturnValue, ReturnValuesOnConditionCheckFailure, Select,
    TransactGetItem, TransactWriteItem, Update, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use serde_json::{Map, Value};

use super::classify::{classify, classify_cancellation_reasons, classify_transact, AttemptResult};
use super::ops::Item;
use crate::fastpath::wire::{
    item_from_json, write_item, Answer, Consumed, IndexUnits, OneOrMany, Unprocessed, Unsupported,
};
use crate::fastpath::{Operation, Sent};

type Fields = Map<String, Value>;

/// The condition, names and values a write or a transaction's action may carry.
macro_rules! conditions {
    ($builder:expr, $body:expr) => {
        $builder
            .set_condition_expression($body.text("ConditionExpression"))
            .set_expression_attribute_names($body.names()?)
            .set_expression_attribute_values($body.item("ExpressionAttributeValues")?)
            .set_return_values_on_condition_check_failure($body.on_failure())
    };
}

/// A single-item call sent once its body is all read (build the call first: `done` checks every field
/// was read), and its one ConsumedCapacity kept.
macro_rules! single {
    ($call:expr, $body:expr) => {{
        $body.done()?;
        settled($call.send().await, classify, |o| Answer {
            consumed_capacity: one(o.consumed_capacity()),
            ..Answer::default()
        })
    }};
}

/// Sends `body` (the request as the fast path would send it) through the SDK.
pub async fn sdk_send(client: &Client, operation: Operation, body: &[u8]) -> Sent {
    let fields = match serde_json::from_slice(body) {
        Ok(Value::Object(fields)) => fields,
        _ => return not_sent(Unsupported("a request body that is not a JSON object")),
    };
    match send(client, operation, Body::new(&fields)).await {
        Ok(sent) => sent,
        Err(what) => not_sent(what),
    }
}

fn not_sent(Unsupported(what): Unsupported) -> Sent {
    Sent {
        answer: Err(AttemptResult::Failed(format!("RequestNotSent: {what}"))),
        request_id: None,
    }
}

async fn send(client: &Client, operation: Operation, mut b: Body<'_>) -> Result<Sent, Unsupported> {
    let rcc = b.rcc()?;
    Ok(match operation {
        Operation::GetItem => {
            let call = client
                .get_item()
                .set_table_name(b.text("TableName"))
                .set_key(b.item("Key")?)
                .set_consistent_read(b.flag("ConsistentRead"))
                .set_projection_expression(b.text("ProjectionExpression"))
                .set_expression_attribute_names(b.names()?)
                .set_return_consumed_capacity(rcc);
            b.done()?;
            settled(call.send().await, classify, |o| Answer {
                consumed_capacity: one(o.consumed_capacity()),
                item: o.item().map(|_| serde::de::IgnoredAny),
                ..Answer::default()
            })
        }
        Operation::PutItem => {
            let call = client
                .put_item()
                .set_table_name(b.text("TableName"))
                .set_item(b.item("Item")?)
                .set_return_values(b.return_values())
                .set_return_consumed_capacity(rcc);
            let call = conditions!(call, b);
            single!(call, b)
        }
        Operation::UpdateItem => {
            let call = client
                .update_item()
                .set_table_name(b.text("TableName"))
                .set_key(b.item("Key")?)
                .set_update_expression(b.text("UpdateExpression"))
                .set_return_values(b.return_values())
                .set_return_consumed_capacity(rcc);
            let call = conditions!(call, b);
            single!(call, b)
        }
        Operation::DeleteItem => {
            let call = client
                .delete_item()
                .set_table_name(b.text("TableName"))
                .set_key(b.item("Key")?)
                .set_return_values(b.return_values())
                .set_return_consumed_capacity(rcc);
            let call = conditions!(call, b);
            single!(call, b)
        }
        Operation::Query => {
            let call = client
                .query()
                .set_table_name(b.text("TableName"))
                .set_index_name(b.text("IndexName"))
                .set_key_condition_expression(b.text("KeyConditionExpression"))
                .set_filter_expression(b.text("FilterExpression"))
                .set_projection_expression(b.text("ProjectionExpression"))
                .set_expression_attribute_names(b.names()?)
                .set_expression_attribute_values(b.item("ExpressionAttributeValues")?)
                .set_limit(b.number("Limit")?)
                .set_consistent_read(b.flag("ConsistentRead"))
                .set_scan_index_forward(b.flag("ScanIndexForward"))
                .set_select(b.text("Select").map(|v| Select::from(v.as_str())))
                .set_exclusive_start_key(b.item("ExclusiveStartKey")?)
                .set_return_consumed_capacity(rcc);
            b.done()?;
            settled(call.send().await, classify, |o| Answer {
                consumed_capacity: one(o.consumed_capacity()),
                last_evaluated_key: o.last_evaluated_key().map(item_json),
                ..Answer::default()
            })
        }
        Operation::Scan => {
            let call = client
                .scan()
                .set_table_name(b.text("TableName"))
                .set_index_name(b.text("IndexName"))
                .set_filter_expression(b.text("FilterExpression"))
                .set_projection_expression(b.text("ProjectionExpression"))
                .set_expression_attribute_names(b.names()?)
                .set_expression_attribute_values(b.item("ExpressionAttributeValues")?)
                .set_limit(b.number("Limit")?)
                .set_consistent_read(b.flag("ConsistentRead"))
                .set_segment(b.number("Segment")?)
                .set_total_segments(b.number("TotalSegments")?)
                .set_exclusive_start_key(b.item("ExclusiveStartKey")?)
                .set_return_consumed_capacity(rcc);
            b.done()?;
            settled(call.send().await, classify, |o| Answer {
                consumed_capacity: one(o.consumed_capacity()),
                last_evaluated_key: o.last_evaluated_key().map(item_json),
                ..Answer::default()
            })
        }
        Operation::BatchGetItem => {
            let call = client
                .batch_get_item()
                .set_request_items(Some(b.each_table(keys_and_attributes)?))
                .set_return_consumed_capacity(rcc);
            b.done()?;
            settled(call.send().await, classify, |o| Answer {
                consumed_capacity: many(o.consumed_capacity()),
                unprocessed_keys: o.unprocessed_keys().map(|left| {
                    by_table(left, |k| Unprocessed {
                        keys: k.keys().iter().map(item_json).collect(),
                    })
                }),
                ..Answer::default()
            })
        }
        Operation::BatchWriteItem => {
            let call = client
                .batch_write_item()
                .set_request_items(Some(b.each_table(write_requests)?))
                .set_return_consumed_capacity(rcc);
            b.done()?;
            settled(call.send().await, classify, |o| Answer {
                consumed_capacity: many(o.consumed_capacity()),
                unprocessed_items: o.unprocessed_items().map(|left| {
                    by_table(left, |w| {
                        Value::Array(w.iter().map(write_request_json).collect())
                    })
                }),
                ..Answer::default()
            })
        }
        Operation::TransactWriteItems => {
            let actions = b.list("TransactItems", transact_write_item)?;
            let call = client
                .transact_write_items()
                .set_transact_items(Some(actions))
                .set_client_request_token(b.text("ClientRequestToken"))
                .set_return_consumed_capacity(rcc);
            b.done()?;
            settled(call.send().await, classify_transact, |o| Answer {
                consumed_capacity: many(o.consumed_capacity()),
                ..Answer::default()
            })
        }
        Operation::TransactGetItems => {
            let gets = b.list("TransactItems", transact_get_item)?;
            let call = client
                .transact_get_items()
                .set_transact_items(Some(gets))
                .set_return_consumed_capacity(rcc);
            b.done()?;
            settled(call.send().await, classify_transact_get, |o| Answer {
                consumed_capacity: many(o.consumed_capacity()),
                ..Answer::default()
            })
        }
    })
}

/// The SDK's answer as the fast path's: the request ID, the answer's parts, or the error classified.
fn settled<O: RequestId, E>(
    sent: Result<O, SdkError<E>>,
    classify_error: impl Fn(&SdkError<E>) -> AttemptResult,
    answer: impl Fn(&O) -> Answer,
) -> Sent
where
    SdkError<E>: RequestId,
{
    match sent {
        Ok(out) => Sent {
            answer: Ok(answer(&out)),
            request_id: out.request_id().map(str::to_owned),
        },
        Err(err) => Sent {
            answer: Err(classify_error(&err)),
            request_id: err.request_id().map(str::to_owned),
        },
    }
}

fn classify_transact_get(
    err: &SdkError<aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsError>,
) -> AttemptResult {
    use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsError;
    match err.as_service_error() {
        Some(TransactGetItemsError::TransactionCanceledException(cancelled)) => {
            classify_cancellation_reasons(cancelled.cancellation_reasons())
        }
        _ => classify(err),
    }
}

/// A batch's undone part, table by table, as the fast path keeps it.
fn by_table<T, U, C: FromIterator<(String, U)>>(
    left: &HashMap<String, T>,
    each: impl Fn(&T) -> U,
) -> C {
    left.iter()
        .map(|(table, t)| (table.clone(), each(t)))
        .collect()
}

fn one(consumed: Option<&ConsumedCapacity>) -> Option<OneOrMany> {
    consumed.map(|c| OneOrMany::One(consumed_of(c)))
}

fn many(consumed: &[ConsumedCapacity]) -> Option<OneOrMany> {
    Some(OneOrMany::Many(consumed.iter().map(consumed_of).collect()))
}

fn consumed_of(c: &ConsumedCapacity) -> Consumed {
    Consumed {
        table_name: c.table_name().map(str::to_owned),
        capacity_units: c.capacity_units(),
        global_secondary_indexes: c.global_secondary_indexes().map(|indexes| {
            indexes
                .iter()
                .map(|(name, units)| {
                    let capacity_units = units.capacity_units();
                    (name.clone(), IndexUnits { capacity_units })
                })
                .collect()
        }),
    }
}

/// An item as DynamoDB's JSON (the answer's keys, sent back as they are).
fn item_json(item: &Item) -> Map<String, Value> {
    let mut out = Vec::with_capacity(128);
    match write_item(&mut out, item).map(|()| serde_json::from_slice(&out)) {
        Ok(Ok(Value::Object(map))) => map,
        _ => Map::new(),
    }
}

fn write_request_json(write: &WriteRequest) -> Value {
    let mut request = Map::new();
    if let Some(put) = write.put_request() {
        let item = Value::Object(item_json(put.item()));
        request.insert(
            "PutRequest".into(),
            Value::Object(Map::from_iter([("Item".into(), item)])),
        );
    }
    if let Some(delete) = write.delete_request() {
        let key = Value::Object(item_json(delete.key()));
        request.insert(
            "DeleteRequest".into(),
            Value::Object(Map::from_iter([("Key".into(), key)])),
        );
    }
    Value::Object(request)
}

fn keys_and_attributes(b: &mut Body<'_>) -> Result<KeysAndAttributes, Unsupported> {
    let keys = b.list("Keys", |k| k.whole_item())?;
    let wanted = KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .set_consistent_read(b.flag("ConsistentRead"))
        .set_projection_expression(b.text("ProjectionExpression"))
        .set_expression_attribute_names(b.names()?)
        .build()
        .map_err(|_| Unsupported("a BatchGetItem table without keys"))?;
    b.done()?;
    Ok(wanted)
}

fn write_requests(b: &mut Body<'_>) -> Result<Vec<WriteRequest>, Unsupported> {
    let Some(Value::Array(writes)) = b.fields_value() else {
        return Err(Unsupported(
            "BatchWriteItem's writes of a table are not a list",
        ));
    };
    writes
        .iter()
        .map(|write| {
            let Value::Object(write) = write else {
                return Err(Unsupported("a BatchWriteItem write that is not an object"));
            };
            let mut w = Body::new(write);
            let request = match (w.object("PutRequest"), w.object("DeleteRequest")) {
                (Some(put), None) => {
                    let item = Body::new(put).required_item("Item")?;
                    let put = PutRequest::builder().set_item(Some(item)).build();
                    WriteRequest::builder()
                        .put_request(put.map_err(|_| BUILD)?)
                        .build()
                }
                (None, Some(delete)) => {
                    let key = Body::new(delete).required_item("Key")?;
                    let delete = DeleteRequest::builder().set_key(Some(key)).build();
                    WriteRequest::builder()
                        .delete_request(delete.map_err(|_| BUILD)?)
                        .build()
                }
                _ => {
                    return Err(Unsupported(
                        "a BatchWriteItem write that is not one PutRequest or DeleteRequest",
                    ))
                }
            };
            w.done()?;
            Ok(request)
        })
        .collect()
}

const BUILD: Unsupported = Unsupported("a request the SDK could not build");

fn transact_write_item(b: &mut Body<'_>) -> Result<TransactWriteItem, Unsupported> {
    let action = TransactWriteItem::builder();
    let built = if let Some(put) = b.object("Put") {
        let mut p = Body::new(put);
        let put = Put::builder()
            .set_table_name(p.text("TableName"))
            .set_item(p.item("Item")?);
        let put = conditions!(put, p).build();
        p.done()?;
        action.put(put.map_err(|_| BUILD)?)
    } else if let Some(update) = b.object("Update") {
        let mut u = Body::new(update);
        let update = Update::builder()
            .set_table_name(u.text("TableName"))
            .set_key(u.item("Key")?)
            .set_update_expression(u.text("UpdateExpression"));
        let update = conditions!(update, u).build();
        u.done()?;
        action.update(update.map_err(|_| BUILD)?)
    } else if let Some(delete) = b.object("Delete") {
        let mut d = Body::new(delete);
        let delete = Delete::builder()
            .set_table_name(d.text("TableName"))
            .set_key(d.item("Key")?);
        let delete = conditions!(delete, d).build();
        d.done()?;
        action.delete(delete.map_err(|_| BUILD)?)
    } else if let Some(check) = b.object("ConditionCheck") {
        let mut c = Body::new(check);
        let check = ConditionCheck::builder()
            .set_table_name(c.text("TableName"))
            .set_key(c.item("Key")?);
        let check = conditions!(check, c).build();
        c.done()?;
        action.condition_check(check.map_err(|_| BUILD)?)
    } else {
        return Err(Unsupported(
            "a TransactWriteItems action that is not Put, Update, Delete or ConditionCheck",
        ));
    };
    b.done()?;
    Ok(built.build())
}

fn transact_get_item(b: &mut Body<'_>) -> Result<TransactGetItem, Unsupported> {
    let Some(get) = b.object("Get") else {
        return Err(Unsupported("a TransactGetItems entry that is not a Get"));
    };
    let mut g = Body::new(get);
    let get = Get::builder()
        .set_table_name(g.text("TableName"))
        .set_key(g.item("Key")?)
        .set_projection_expression(g.text("ProjectionExpression"))
        .set_expression_attribute_names(g.names()?)
        .build();
    g.done()?;
    b.done()?;
    Ok(TransactGetItem::builder()
        .get(get.map_err(|_| BUILD)?)
        .build())
}

/// One JSON object of the request, read field by field; `done` refuses any field left unread, so a
/// field the plan writes and this path does not know is an error instead of a request sent without it.
struct Body<'a> {
    fields: &'a Fields,
    read: Vec<&'a str>,
    /// For `each_table`: the value of the table being read.
    current: Option<&'a Value>,
}

impl<'a> Body<'a> {
    fn new(fields: &'a Fields) -> Self {
        Self {
            fields,
            read: Vec::with_capacity(fields.len()),
            current: None,
        }
    }

    fn get(&mut self, name: &'a str) -> Option<&'a Value> {
        let value = self.fields.get(name)?;
        self.read.push(name);
        Some(value)
    }

    fn text(&mut self, name: &'a str) -> Option<String> {
        self.get(name).and_then(Value::as_str).map(str::to_owned)
    }

    fn flag(&mut self, name: &'a str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    fn number(&mut self, name: &'a str) -> Result<Option<i32>, Unsupported> {
        self.get(name)
            .map(|v| {
                v.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or(Unsupported("a number field out of range"))
            })
            .transpose()
    }

    fn object(&mut self, name: &'a str) -> Option<&'a Fields> {
        self.get(name).and_then(Value::as_object)
    }

    fn item(&mut self, name: &'a str) -> Result<Option<Item>, Unsupported> {
        self.object(name).map(item_from_json).transpose()
    }

    fn required_item(&mut self, name: &'a str) -> Result<Item, Unsupported> {
        let item = self
            .item(name)?
            .ok_or(Unsupported("a write without its item or key"))?;
        self.done()?;
        Ok(item)
    }

    /// This whole object as an item (a key in a list of keys).
    fn whole_item(&mut self) -> Result<Item, Unsupported> {
        self.read = self.fields.keys().map(String::as_str).collect();
        item_from_json(self.fields)
    }

    fn names(&mut self) -> Result<Option<HashMap<String, String>>, Unsupported> {
        self.object("ExpressionAttributeNames")
            .map(|names| {
                names
                    .iter()
                    .map(|(k, v)| {
                        Ok((
                            k.clone(),
                            v.as_str()
                                .ok_or(Unsupported("a name that is not text"))?
                                .to_owned(),
                        ))
                    })
                    .collect()
            })
            .transpose()
    }

    fn return_values(&mut self) -> Option<ReturnValue> {
        self.text("ReturnValues")
            .map(|v| ReturnValue::from(v.as_str()))
    }

    fn on_failure(&mut self) -> Option<ReturnValuesOnConditionCheckFailure> {
        self.text("ReturnValuesOnConditionCheckFailure")
            .map(|v| ReturnValuesOnConditionCheckFailure::from(v.as_str()))
    }

    fn rcc(&mut self) -> Result<Option<ReturnConsumedCapacity>, Unsupported> {
        Ok(self
            .text("ReturnConsumedCapacity")
            .map(|v| ReturnConsumedCapacity::from(v.as_str())))
    }

    fn list<T>(
        &mut self,
        name: &'a str,
        mut each: impl FnMut(&mut Body<'_>) -> Result<T, Unsupported>,
    ) -> Result<Vec<T>, Unsupported> {
        let Some(Value::Array(entries)) = self.get(name) else {
            return Err(Unsupported("a list field that is not a list"));
        };
        entries
            .iter()
            .map(|entry| match entry {
                Value::Object(fields) => each(&mut Body::new(fields)),
                _ => Err(Unsupported("a list entry that is not an object")),
            })
            .collect()
    }

    /// RequestItems: each table's value read by `each`.
    fn each_table<T>(
        &mut self,
        mut each: impl FnMut(&mut Body<'_>) -> Result<T, Unsupported>,
    ) -> Result<HashMap<String, T>, Unsupported> {
        let tables = self
            .object("RequestItems")
            .ok_or(Unsupported("a batch without RequestItems"))?;
        tables
            .iter()
            .map(|(table, value)| {
                let empty = Fields::new();
                let mut body = Body::new(value.as_object().unwrap_or(&empty));
                body.current = Some(value);
                Ok((table.clone(), each(&mut body)?))
            })
            .collect()
    }

    fn fields_value(&mut self) -> Option<&'a Value> {
        self.current
    }

    fn done(&self) -> Result<(), Unsupported> {
        match self
            .fields
            .keys()
            .find(|k| !self.read.contains(&k.as_str()))
        {
            None => Ok(()),
            Some(_) => Err(Unsupported("a request field the SDK path does not read")),
        }
    }
}
