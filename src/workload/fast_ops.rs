//! One attempt of a hot operation through the fast path: the same requests `ops` sends through the
//! SDK, written as DynamoDB's JSON, and the answer read into the same Attempt.

use super::ops::{decimal_units, Attempt, ConsumedUnits, PlanRequest, Request, Workshop};
use super::sdk_plan::sdk_send;
use crate::fastpath::wire::{
    item_from_json, list, write_item, write_transact_item, Answer, Consumed, Object, Unsupported,
};
use crate::fastpath::{FastClient, Operation, Sent};
use crate::plan::{OpKind, Plan};
use crate::workload::classify::AttemptResult;

impl Workshop {
    pub(super) async fn fast_attempt(&self, fast: &FastClient, request: &mut Request) -> Attempt {
        let mut capacity = ConsumedUnits::default();
        let mut body = Vec::with_capacity(512);
        let operation = match self.write_request(&mut body, request) {
            Ok(operation) => operation,
            Err(Unsupported(what)) => {
                return Attempt {
                    result: AttemptResult::Failed(format!("RequestNotSent: {what}")),
                    capacity,
                    request_id: None,
                }
            }
        };
        let write = !request.is_read();
        let sent = fast.send(operation, body).await;
        let result = match sent.answer {
            Ok(answer) => {
                for consumed in answer.consumed_capacity.iter().flat_map(|c| c.iter()) {
                    self.add_units(
                        &mut capacity,
                        consumed.table_name.as_deref(),
                        consumed.capacity_units,
                        write,
                    );
                }
                let left = answer
                    .unprocessed_keys
                    .as_ref()
                    .and_then(|u| u.get(&self.products_table))
                    .map(|u| u.keys.as_slice())
                    .unwrap_or_default();
                match request {
                    Request::BatchGet(keys) if !left.is_empty() => {
                        match left.iter().map(item_from_json).collect() {
                            Ok(remaining) => {
                                *keys = remaining;
                                AttemptResult::throttled("UnprocessedKeys")
                            }
                            Err(_) => AttemptResult::Retryable("ResponseError".into()),
                        }
                    }
                    _ => AttemptResult::Ok,
                }
            }
            Err(result) => result,
        };
        Attempt {
            result,
            capacity,
            request_id: sent.request_id,
        }
    }

    fn write_request(
        &self,
        out: &mut Vec<u8>,
        request: &Request,
    ) -> Result<Operation, Unsupported> {
        let mut object = Object::new(out);
        let operation = match request {
            Request::Get(index) => {
                object.string("TableName", &self.products_table);
                object.item("Key", &self.catalog.products[*index].key)?;
                object.bool("ConsistentRead", self.consistent_reads);
                Operation::GetItem
            }
            Request::BatchGet(keys) => {
                let mut tables = Object::new(object.field("RequestItems"));
                let mut wanted = Object::new(tables.field(&self.products_table));
                list(wanted.field("Keys"), keys, write_item)?;
                wanted.bool("ConsistentRead", self.consistent_reads);
                wanted.end();
                tables.end();
                Operation::BatchGetItem
            }
            Request::Put(item) => {
                object.string("TableName", &self.orders_table);
                object.item("Item", item)?;
                object.string("ConditionExpression", "attribute_not_exists(#pk)");
                let mut names = Object::new(object.field("ExpressionAttributeNames"));
                names.string("#pk", &self.orders.schema.partition.name);
                names.end();
                Operation::PutItem
            }
            Request::Transact(actions) => {
                list(object.field("TransactItems"), actions, write_transact_item)?;
                Operation::TransactWriteItems
            }
            Request::Query(_) => return Err(Unsupported("Query (sent through the SDK)")),
            Request::Plan(_) => {
                return Err(Unsupported("a workload file's request in the workshop"))
            }
        };
        object.string("ReturnConsumedCapacity", "TOTAL");
        object.end();
        Ok(operation)
    }
}

/// The client a workload file's requests go through: the fast path, or the SDK (`--client sdk`).
pub(super) enum Sender<'a> {
    Fast(&'a FastClient),
    Sdk(&'a aws_sdk_dynamodb::Client),
}

impl Sender<'_> {
    async fn send(&self, operation: Operation, body: Vec<u8>) -> Sent {
        match self {
            Sender::Fast(fast) => fast.send(operation, body).await,
            Sender::Sdk(client) => sdk_send(client, operation, &body).await,
        }
    }
}

/// One attempt of a workload file's request: its body as written, the units it consumed by table.
pub(super) async fn plan_attempt(
    plan: &Plan,
    sender: Sender<'_>,
    request: &mut PlanRequest,
) -> Attempt {
    let mut capacity = ConsumedUnits::default();
    let body = match &request.start_key {
        None => request.body.clone(),
        Some(start) => {
            // The body ends with its closing brace: the next page's start goes just before it.
            let mut body = request.body[..request.body.len() - 1].to_vec();
            body.extend_from_slice(b",\"ExclusiveStartKey\":");
            body.extend_from_slice(start.as_bytes());
            body.push(b'}');
            body
        }
    };
    let sent = sender.send(request.operation, body).await;
    let result = match sent.answer {
        Ok(answer) => {
            for consumed in answer.consumed_capacity.iter().flat_map(|c| c.iter()) {
                add_consumed(plan, consumed, &mut capacity, !request.read);
            }
            if let Some(left) = unprocessed(plan, request, &answer) {
                // What the batch left undone is sent again (with backoff, as DynamoDB asks).
                request.body = left;
                return Attempt {
                    result: AttemptResult::throttled(if request.read {
                        "UnprocessedKeys"
                    } else {
                        "UnprocessedItems"
                    }),
                    capacity,
                    request_id: sent.request_id,
                };
            }
            match answer.last_evaluated_key {
                Some(last) if request.pages_left > 0 => {
                    request.pages_left -= 1;
                    request.start_key = Some(serde_json::Value::Object(last).to_string());
                    AttemptResult::NextPage
                }
                _ if request.operation == Operation::GetItem && answer.item.is_none() => {
                    AttemptResult::NotFound
                }
                _ => AttemptResult::Ok,
            }
        }
        Err(result) => file_transaction_result(plan, request.op, result),
    };
    Attempt {
        result,
        capacity,
        request_id: sent.request_id,
    }
}

/// A batch's undone part as the next request's body (None: it was all done).
fn unprocessed(plan: &Plan, request: &PlanRequest, answer: &Answer) -> Option<Vec<u8>> {
    let mut body = Vec::with_capacity(256);
    let mut object = Object::new(&mut body);
    let kind = &plan.operations[usize::from(request.op)].kind;
    match kind {
        OpKind::BatchGet { .. } | OpKind::BatchGetTables(_) => {
            let left: Vec<_> = answer
                .unprocessed_keys
                .iter()
                .flatten()
                .filter(|(_, u)| !u.keys.is_empty())
                .collect();
            if left.is_empty() {
                return None;
            }
            let mut items = Object::new(object.field("RequestItems"));
            for (table, unprocessed) in left {
                let mut wanted = Object::new(items.field(table));
                let keys = serde_json::Value::Array(
                    unprocessed
                        .keys
                        .iter()
                        .cloned()
                        .map(serde_json::Value::Object)
                        .collect(),
                );
                wanted
                    .field("Keys")
                    .extend_from_slice(keys.to_string().as_bytes());
                wanted.bool("ConsistentRead", consistent_read(plan, kind, table));
                wanted.end();
            }
            items.end();
        }
        OpKind::BatchWrite { .. } => {
            let left = answer.unprocessed_items.as_ref()?;
            if left
                .values()
                .all(|w| w.as_array().is_none_or(Vec::is_empty))
            {
                return None;
            }
            let items = serde_json::Value::Object(left.clone()).to_string();
            object
                .field("RequestItems")
                .extend_from_slice(items.as_bytes());
        }
        _ => return None,
    }
    object.string("ReturnConsumedCapacity", "TOTAL");
    object.end();
    Some(body)
}

/// Whether a BatchGetItem's reads of `table` are consistent (each table of several has its own).
fn consistent_read(plan: &Plan, kind: &OpKind, table: &str) -> bool {
    match kind {
        OpKind::BatchGet { consistent, .. } => *consistent,
        OpKind::BatchGetTables(parts) => parts.iter().any(|part| {
            plan.tables[part.table].name == table
                && matches!(
                    part.kind,
                    OpKind::BatchGet {
                        consistent: true,
                        ..
                    }
                )
        }),
        _ => false,
    }
}

/// A file's transaction, cancelled: the throttled action's table is named, and any failed condition
/// is the file's own (the fast client reads a later action's as the workshop's stock check).
fn file_transaction_result(plan: &Plan, op: u16, result: AttemptResult) -> AttemptResult {
    let (OpKind::Transact(actions) | OpKind::TransactGet(actions)) =
        &plan.operations[usize::from(op)].kind
    else {
        return result;
    };
    match result {
        AttemptResult::Failed(code) if code == "TransactionCanceled/InsufficientStock" => {
            AttemptResult::ConditionalFailed
        }
        AttemptResult::Throttled {
            code,
            cause: Some(mut cause),
        } => {
            if let (None, Some(action)) = (&cause.resource, cause.transaction_action) {
                cause.resource = actions
                    .get(action)
                    .map(|a| plan.tables[a.table].name.clone());
            }
            AttemptResult::Throttled {
                code,
                cause: Some(cause),
            }
        }
        other => other,
    }
}

/// One answer's ConsumedCapacity: each global index with a slot of its own gets its units, the table
/// the rest (its own and its local indexes'), all as Decimals so the parts add up to the total.
fn add_consumed(plan: &Plan, consumed: &Consumed, capacity: &mut ConsumedUnits, write: bool) {
    let table = consumed.table_name.as_deref();
    let mut table_part = decimal_units(consumed.capacity_units);
    for (index, units) in consumed.global_secondary_indexes.iter().flatten() {
        if let Some(slot) = table.and_then(|t| plan.index_slot(t, index)) {
            let units = decimal_units(units.capacity_units);
            capacity.add_units(Some(slot), units, write);
            table_part -= units;
        }
    }
    capacity.add_units(table.and_then(|t| plan.table_slot(t)), table_part, write);
}
