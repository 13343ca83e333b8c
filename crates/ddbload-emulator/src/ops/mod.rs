//! One module per operation: `parse` turns the request JSON into a typed request (every check that
//! needs no item or table state, with no lock held), `apply` checks what depends on that state and
//! carries it out on the store. `dispatch` routes by X-Amz-Target.

mod batch_execute_statement;
mod batch_get_item;
mod batch_write_item;
pub(crate) mod common;
mod create_table;
mod delete_item;
mod delete_table;
mod describe_limits;
mod describe_table;
mod describe_time_to_live;
mod execute_statement;
mod execute_transaction;
mod get_item;
mod index_changes;
mod item_collection;
mod key_conditions;
mod keyed_write;
mod list_tables;
mod list_tags_of_resource;
mod page_size;
mod paging;
mod partiql;
mod partiql_ast;
mod partiql_lexer;
mod put_item;
mod query;
mod scan;
mod statement_partitions;
mod stream_spec;
pub(crate) mod table_common;
mod tag_resource;
mod transact_get_items;
mod transact_write_items;
mod transaction;
mod untag_resource;
mod update_item;
mod update_table;
mod update_time_to_live;
mod write;

use serde_json::Value;

pub use common::is_valid_table_name;
pub use create_table::MAX_GSIS;
pub use transact_write_items::Tokens;

use crate::error::ApiError;
use crate::store::Store;

pub const TARGET_PREFIX: &str = "DynamoDB_20120810.";

/// Everything requests share beyond the tables: transaction tokens seen recently, faults injected,
/// and each table's requests per second (for CloudWatch's SuccessfulRequestLatency and the like).
#[derive(Default)]
pub struct Shared {
    pub tokens: Tokens,
    pub faults: crate::faults::Faults,
    pub requests: crate::request_metrics::RequestMetrics,
    pub custom: crate::custom_metrics::CustomMetrics,
    pub alarms: crate::alarms::Alarms,
}

/// Routes one request by its X-Amz-Target and answers it.
pub fn dispatch(
    store: &Store,
    shared: &Shared,
    target: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    dispatch_signed(store, shared, target, body, Ok(()))
}

/// As `dispatch`, with what is wrong with the call's signature (`signature`), in DynamoDB's order:
/// the body must be JSON (an empty one is `{}`), then the target one of DynamoDB's operations, then
/// the signature whole, before anything else is read.
pub fn dispatch_signed(
    store: &Store,
    shared: &Shared,
    target: &str,
    body: &[u8],
    signature: Result<(), ApiError>,
) -> Result<Value, ApiError> {
    let mut request: Value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).map_err(|_| ApiError::call_not_json())?
    };
    let operation = target
        .strip_prefix(TARGET_PREFIX)
        .filter(|operation| crate::typed_request::is_operation(operation))
        .ok_or_else(ApiError::unknown_target)?;
    signature?;
    // DynamoDB reads no call from an empty body, not even one without parameters (ListTables sends {}).
    if body.is_empty() {
        return Err(ApiError::empty_body());
    }
    if !request.is_object() {
        return Err(ApiError::body_not_object());
    }
    crate::typed_request::check(operation, &mut request)?;
    crate::constraints::check(operation, &request)?;
    let started = std::time::Instant::now();
    let result = route(store, shared, operation, &request);
    shared
        .requests
        .record(operation, &request, store.now(), started.elapsed(), &result);
    result
}

/// The operations that make or change tables: on disk, they are journaled and replayed at start.
const TABLE_OPERATIONS: [&str; 6] = [
    "CreateTable",
    "UpdateTable",
    "DeleteTable",
    "UpdateTimeToLive",
    "TagResource",
    "UntagResource",
];

fn route(store: &Store, shared: &Shared, operation: &str, req: &Value) -> Result<Value, ApiError> {
    match &store.disk {
        Some(disk) if TABLE_OPERATIONS.contains(&operation) => {
            disk.record(operation, req, None, || {
                answer(store, shared, operation, req)
            })
        }
        _ => answer(store, shared, operation, req),
    }
}

/// Replays the table operations journaled on disk, so the tables are as they were (without the
/// limits on how often, and without backfills: see `update_table`), then counts the items each
/// holds and fills its indexes from them. Returns a line for each operation that no longer succeeds.
pub fn replay_journal(store: &Store) -> std::io::Result<Vec<String>> {
    let Some(disk) = &store.disk else {
        return Ok(Vec::new());
    };
    let shared = Shared::default();
    let mut warnings = Vec::new();
    for entry in disk.journal()? {
        let (operation, req) = (entry.operation.as_str(), &entry.request);
        if let Err(e) = disk.record(operation, req, Some(entry.seq), || {
            answer(store, &shared, operation, req)
        }) {
            warnings.push(format!(
                "{}: {operation} number {} no longer succeeds: {}",
                disk.path().display(),
                entry.seq,
                e.message
            ));
        }
    }
    let tables: Vec<_> = store.tables().values().cloned().collect();
    for table in tables {
        table.load_from_disk();
    }
    Ok(warnings)
}

fn answer(store: &Store, shared: &Shared, operation: &str, req: &Value) -> Result<Value, ApiError> {
    match operation {
        "CreateTable" => create_table::parse(req, store)?.apply(store),
        "DescribeTable" => describe_table::parse(req, store)?.apply(store),
        "UpdateTable" => update_table::parse(req, store)?.apply(store),
        "ListTables" => list_tables::parse(req, store)?.apply(store),
        "DeleteTable" => delete_table::parse(req, store)?.apply(store),
        "GetItem" => get_item::parse(req, store)?.apply(store),
        "PutItem" => put_item::parse(req, store)?.apply(store),
        "UpdateItem" => update_item::parse(req, store)?.apply(store),
        "DeleteItem" => delete_item::parse(req, store)?.apply(store),
        "BatchGetItem" => batch_get_item::parse(req, store)?.apply(store),
        "BatchWriteItem" => batch_write_item::parse(req, store)?.apply(store),
        "Query" => query::parse(req, store)?.apply(store),
        "Scan" => scan::parse(req, store)?.apply(store),
        "TransactGetItems" => transact_get_items::parse(req, store)?.apply(store),
        "TransactWriteItems" => {
            transact_write_items::parse(req, store)?.apply(store, &shared.tokens)
        }
        "ExecuteStatement" => {
            let statement = execute_statement::translate(req, store)?;
            statement.answer(statement.execute(|operation, request| match operation {
                "Query" => {
                    query::parse_for_statement(request, store).and_then(|query| query.apply(store))
                }
                operation => route(store, shared, operation, request),
            }))
        }
        "BatchExecuteStatement" => {
            batch_execute_statement::apply(req, store, |operation, request| {
                route(store, shared, operation, request)
            })
        }
        "ExecuteTransaction" => execute_transaction::apply(req, store, |operation, request| {
            route(store, shared, operation, request)
        }),
        "UpdateTimeToLive" => update_time_to_live::parse(req, store)?.apply(store),
        "DescribeTimeToLive" => describe_time_to_live::parse(req, store)?.apply(store),
        "TagResource" => tag_resource::parse(req, store)?.apply(store),
        "UntagResource" => untag_resource::parse(req, store)?.apply(store),
        "ListTagsOfResource" => list_tags_of_resource::parse(req, store)?.apply(store),
        "DescribeLimits" => describe_limits::parse(req, store)?.apply(store),
        other => Err(ApiError::unknown_operation(other)),
    }
}
