//! StreamSpecification, as CreateTable and UpdateTable take it: enable a stream of one view type, or
//! disable the table's stream.

use std::sync::Arc;

use serde_json::Value;

use crate::error::ApiError;
use crate::store::Store;
use crate::stream::{Stream, ViewType};
use crate::table::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamChange {
    Enable(ViewType),
    Disable,
}

pub fn parse(req: &Value) -> Result<Option<StreamChange>, ApiError> {
    let Some(spec) = req.get("StreamSpecification") else {
        return Ok(None);
    };
    let enabled = spec
        .get("StreamEnabled")
        .and_then(Value::as_bool)
        .ok_or_else(|| ApiError::missing("streamSpecification.streamEnabled"))?;
    let view = spec.get("StreamViewType").and_then(Value::as_str);
    match (enabled, view) {
        (true, None) => Err(ApiError::stream_view_type_missing()),
        (true, Some(view)) => ViewType::parse(view)
            .map(|v| Some(StreamChange::Enable(v)))
            .ok_or_else(|| ApiError::stream_view_type_invalid(view)),
        (false, Some(_)) => Err(ApiError::stream_view_type_when_disabled()),
        (false, None) => Ok(Some(StreamChange::Disable)),
    }
}

/// Whether the change can be made to `table` as it is: one enabled stream at a time.
pub fn check(change: StreamChange, table: &Table) -> Result<(), ApiError> {
    match (change, table.stream().is_some()) {
        (StreamChange::Enable(_), true) => Err(ApiError::stream_already_enabled()),
        (StreamChange::Disable, false) => Err(ApiError::no_stream_to_disable()),
        _ => Ok(()),
    }
}

pub fn apply(change: StreamChange, table: &Table, store: &Store) {
    match change {
        StreamChange::Enable(view) => table.enable_stream(Arc::new(Stream::new(
            &table.name,
            &table.arn,
            table.schema.clone(),
            view,
            &store.region,
            store.clock.clone(),
            store.epoch() - store.now(),
        ))),
        StreamChange::Disable => table.disable_stream(),
    }
}
