//! UpdateTimeToLive: turns TTL on (naming the attribute) or off; expired items are then deleted in
//! the background without consuming capacity (Store::tick).

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::table_name;
use crate::error::ApiError;
use crate::store::Store;
use crate::table::Table;

pub struct UpdateTimeToLive {
    table: Arc<Table>,
    enabled: bool,
    attribute: String,
}

pub fn parse(req: &Value, store: &Store) -> Result<UpdateTimeToLive, ApiError> {
    let name = table_name(req)?;
    let spec = req
        .get("TimeToLiveSpecification")
        .ok_or_else(|| ApiError::missing("timeToLiveSpecification"))?;
    let enabled = spec
        .get("Enabled")
        .and_then(Value::as_bool)
        .ok_or_else(|| ApiError::missing("timeToLiveSpecification.enabled"))?;
    let attribute = spec
        .get("AttributeName")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::missing("timeToLiveSpecification.attributeName"))?;
    let table = store.control_plane_table(&name)?;
    // Recorded from DynamoDB: a table still CREATING is not found here, where other changes answer
    // ResourceInUseException; one DELETING is treated alike.
    let epoch = store.epoch();
    if table.is_creating(epoch) || table.is_deleting(epoch) {
        return Err(ApiError::table_not_found_named(&name));
    }
    Ok(UpdateTimeToLive {
        table,
        enabled,
        attribute: attribute.to_owned(),
    })
}

impl UpdateTimeToLive {
    pub fn apply(self, _store: &Store) -> Result<Value, ApiError> {
        let mut state = self.table.state();
        let settings = &mut state.settings;
        match (&settings.ttl_attribute, self.enabled) {
            (Some(current), _) if *current != self.attribute => {
                return Err(ApiError::ttl_on_other_attribute())
            }
            (Some(_), true) => return Err(ApiError::ttl_already_enabled()),
            (None, false) => return Err(ApiError::ttl_already_disabled()),
            _ => {}
        }
        settings.ttl_attribute = self.enabled.then(|| self.attribute.clone());
        Ok(
            json!({"TimeToLiveSpecification": {"Enabled": self.enabled, "AttributeName": self.attribute}}),
        )
    }
}
