//! CreateTable: key schema, billing mode (provisioned figures within the table quota, or on-demand
//! with an optional OnDemandThroughput cap) and global secondary index definitions.

use std::sync::Arc;

use serde_json::{json, Value};

use super::common::{refuse_unsupported, table_name};
use super::stream_spec::StreamChange;
use super::table_common::{
    describe, int, key_schema, raise_warm, table_key_schema, throughput, warm_figures, WarmFigures,
};
use crate::capacity::{Billing, TableCapacity};
use crate::error::ApiError;
use crate::index::{Index, IndexDefinition, Projected};
use crate::store::Store;
use crate::table::{KeySchema, Table, TableSettings, TableState};

pub struct CreateTable {
    name: String,
    schema: KeySchema,
    definitions: Value,
    billing: Billing,
    /// Global indexes with their provisioned figures (None: on-demand), then local ones.
    gsis: Vec<(IndexDefinition, Option<(i64, i64)>)>,
    locals: Vec<IndexDefinition>,
    on_demand_max: Option<(Option<f64>, Option<f64>)>,
    tags: std::collections::BTreeMap<String, String>,
    stream: Option<StreamChange>,
    warm: Option<WarmFigures>,
    deletion_protection: bool,
    table_class: Option<String>,
}

/// An index element's IndexName, refused unless it is a valid name.
pub fn index_name(element: &Value) -> Result<&str, ApiError> {
    let name = element
        .get("IndexName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if super::common::is_valid_table_name(name) {
        Ok(name)
    } else {
        Err(ApiError::bad_table_name())
    }
}

/// An index's definition from its CreateTable (or UpdateTable Create) element, found at `path`.
pub fn index_definition(
    element: &Value,
    name: &str,
    local: bool,
    schema: KeySchema,
    path: &str,
) -> Result<IndexDefinition, ApiError> {
    // An index's own on-demand maximum and warm throughput are not modelled: refused, not ignored.
    for member in ["OnDemandThroughput", "WarmThroughput"] {
        if element.get(member).is_some_and(|v| !v.is_null()) {
            return Err(ApiError::unsupported(&format!(
                "{member} on a global secondary index"
            )));
        }
    }
    Ok(IndexDefinition {
        name: name.to_owned(),
        local,
        schema,
        projected: projected(element.get("Projection"), path)?,
        described_key_schema: element.get("KeySchema").cloned().unwrap_or(Value::Null),
        described_projection: element
            .get("Projection")
            .cloned()
            .unwrap_or(json!({"ProjectionType": "ALL"})),
    })
}

pub fn on_demand_max(v: &Value) -> (Option<f64>, Option<f64>) {
    let get = |k| int(v.get(k)).filter(|n| *n > 0).map(|n| n as f64);
    (get("MaxReadRequestUnits"), get("MaxWriteRequestUnits"))
}

/// DynamoDB's per-table limit on global secondary indexes.
pub const MAX_GSIS: usize = 20;

/// An index's billing: its own provisioned figures, or on-demand.
pub fn index_billing(provisioned: Option<(i64, i64)>) -> Billing {
    match provisioned {
        Some((read, write)) => Billing::provisioned(read, write),
        None => Billing::OnDemand,
    }
}

/// An index's Projection (`path`: the index's place in the request, for DynamoDB's message when it
/// is missing). A type that lists no attributes must not be given NonKeyAttributes.
fn projected(projection: Option<&Value>, path: &str) -> Result<Projected, ApiError> {
    let Some(projection) = projection.filter(|p| !p.is_null()) else {
        return Err(ApiError::missing(&format!("{path}.projection")));
    };
    let kind = projection.get("ProjectionType").and_then(Value::as_str);
    let lists_attributes = projection
        .get("NonKeyAttributes")
        .is_some_and(|v| !v.is_null());
    match kind {
        None => Err(ApiError::projection_type_missing()),
        Some(kind @ ("ALL" | "KEYS_ONLY")) if lists_attributes => {
            Err(ApiError::projection_lists_attributes(kind))
        }
        Some("ALL") => Ok(Projected::All),
        Some("KEYS_ONLY") => Ok(Projected::KeysOnly),
        Some("INCLUDE") if !lists_attributes => Err(ApiError::include_lists_no_attributes()),
        Some("INCLUDE") => {
            let names: Vec<String> = projection
                .get("NonKeyAttributes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let distinct: std::collections::HashSet<&String> = names.iter().collect();
            if distinct.len() < names.len() {
                return Err(ApiError::projected_attribute_twice());
            }
            Ok(Projected::Include(names))
        }
        Some(other) => Err(ApiError::unknown_projection_type(other)),
    }
}

/// A global index's ProvisionedThroughput (`given`): required on a provisioned table, refused on an
/// on-demand one.
pub fn check_index_throughput(
    index: &str,
    provisioned_table: bool,
    given: bool,
) -> Result<(), ApiError> {
    match (provisioned_table, given) {
        (true, false) => Err(ApiError::index_needs_throughput(index)),
        (false, true) => Err(ApiError::index_throughput_with_on_demand(index)),
        _ => Ok(()),
    }
}

/// DynamoDB's per-table limit on NonKeyAttributes, summed over all indexes (an attribute projected
/// into two indexes counts twice).
pub const MAX_PROJECTED_ATTRIBUTES: usize = 100;

/// Refuses indexes that together project more than `MAX_PROJECTED_ATTRIBUTES` attributes.
pub fn check_projected_total<'a>(
    indexes: impl IntoIterator<Item = &'a Projected>,
) -> Result<(), ApiError> {
    let total: usize = indexes
        .into_iter()
        .map(|projected| match projected {
            Projected::Include(names) => names.len(),
            Projected::All | Projected::KeysOnly => 0,
        })
        .sum();
    if total > MAX_PROJECTED_ATTRIBUTES {
        return Err(ApiError::too_many_projected_attributes());
    }
    Ok(())
}

/// DynamoDB's per-table limit on local secondary indexes.
pub const MAX_LSIS: usize = 5;

/// LocalSecondaryIndexes: on a table with a sort key, each keyed by the table's partition key and a
/// sort key of its own.
fn local_indexes(
    req: &Value,
    table: &KeySchema,
    definitions: &[Value],
) -> Result<Vec<IndexDefinition>, ApiError> {
    let Some(list) = req.get("LocalSecondaryIndexes").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    if list.is_empty() {
        return Err(ApiError::index_list_empty("Local"));
    }
    if table.sort.is_none() {
        return Err(ApiError::lsi_needs_range_key());
    }
    if list.len() > MAX_LSIS {
        return Err(ApiError::too_many_lsis(MAX_LSIS));
    }
    let mut out = Vec::with_capacity(list.len());
    for (at, l) in list.iter().enumerate() {
        let name = index_name(l)?;
        let schema = key_schema(l.get("KeySchema").unwrap_or(&Value::Null), definitions)?;
        if schema.partition != table.partition || schema.sort.is_none() {
            return Err(ApiError::lsi_hash_key_differs(name));
        }
        let path = format!("localSecondaryIndexes.{}.member", at + 1);
        out.push(index_definition(l, name, true, schema, &path)?);
    }
    Ok(out)
}

/// Every attribute a table with indexes defines is a key of the table or of an index, as DynamoDB
/// requires (its message lists the keys used in the order first used).
fn check_definitions_used<'d>(
    definitions: &[Value],
    table: &KeySchema,
    indexes: impl Iterator<Item = &'d IndexDefinition>,
) -> Result<(), ApiError> {
    let mut used: Vec<&str> = Vec::new();
    for name in table.names().chain(indexes.flat_map(|i| i.schema.names())) {
        if !used.contains(&name) {
            used.push(name);
        }
    }
    let defined: Vec<&str> = definitions
        .iter()
        .filter_map(|d| d.get("AttributeName").and_then(Value::as_str))
        .collect();
    if defined.iter().all(|name| used.contains(name)) {
        return Ok(());
    }
    Err(ApiError::definitions_not_used(&defined, &used))
}

pub fn parse(req: &Value, _store: &Store) -> Result<CreateTable, ApiError> {
    refuse_unsupported(
        req,
        &[
            "SSESpecification",
            "ResourcePolicy",
            "GlobalTableSourceArn",
            "GlobalTableSettingsReplicationMode",
            "VectorIndexes",
        ],
    )?;
    let stream = super::stream_spec::parse(req)?;
    let name = table_name(req)?;
    let definitions = req
        .get("AttributeDefinitions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let billing = match req
        .get("BillingMode")
        .and_then(Value::as_str)
        .unwrap_or("PROVISIONED")
    {
        "PROVISIONED" => {
            let (read, write) = throughput(req.get("ProvisionedThroughput"))?
                .ok_or_else(ApiError::no_table_throughput)?;
            Billing::provisioned(read, write)
        }
        "PAY_PER_REQUEST" => {
            if req.get("ProvisionedThroughput").is_some() {
                return Err(ApiError::throughput_with_on_demand());
            }
            Billing::OnDemand
        }
        other => return Err(ApiError::invalid_billing_mode(other)),
    };
    let schema = table_key_schema(req.get("KeySchema").unwrap_or(&Value::Null), &definitions)?;
    let indexed = ["LocalSecondaryIndexes", "GlobalSecondaryIndexes"]
        .iter()
        .any(|field| req.get(field).is_some());
    if !indexed && schema.sort.iter().count() + 1 != definitions.len() {
        return Err(ApiError::definitions_not_key_attributes());
    }
    let global_list = req.get("GlobalSecondaryIndexes").and_then(Value::as_array);
    if global_list.is_some_and(|g| g.len() > MAX_GSIS) {
        return Err(ApiError::too_many_gsis());
    }

    let mut gsis = Vec::new();
    for (at, g) in req
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let index_schema = key_schema(g.get("KeySchema").unwrap_or(&Value::Null), &definitions)?;
        let index_name = index_name(g)?;
        let provisioned = throughput(g.get("ProvisionedThroughput"))?;
        check_index_throughput(index_name, billing.is_provisioned(), provisioned.is_some())?;
        gsis.push((
            index_definition(
                g,
                index_name,
                false,
                index_schema,
                &format!("globalSecondaryIndexes.{}.member", at + 1),
            )?,
            provisioned,
        ));
    }
    let locals = local_indexes(req, &schema, &definitions)?;
    // Local indexes are checked first, as DynamoDB checks them.
    if global_list.is_some_and(Vec::is_empty) {
        return Err(ApiError::index_list_empty("Global"));
    }
    if indexed {
        check_definitions_used(
            &definitions,
            &schema,
            gsis.iter().map(|(d, _)| d).chain(&locals),
        )?;
    }
    check_projected_total(
        gsis.iter()
            .map(|(definition, _)| &definition.projected)
            .chain(locals.iter().map(|definition| &definition.projected)),
    )?;
    let mut names = std::collections::HashSet::new();
    let all = gsis.iter().map(|(definition, _)| definition).chain(&locals);
    if let Some(twice) = all
        .map(|definition| &definition.name)
        .find(|name| !names.insert(*name))
    {
        return Err(ApiError::duplicate_index_name(twice));
    }
    Ok(CreateTable {
        name,
        schema,
        definitions: Value::Array(definitions),
        billing,
        gsis,
        locals,
        on_demand_max: req.get("OnDemandThroughput").map(on_demand_max),
        tags: super::tag_resource::tags(req.get("Tags"))?,
        stream,
        warm: warm_figures(req),
        deletion_protection: req
            .get("DeletionProtectionEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        table_class: req
            .get("TableClass")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

impl CreateTable {
    pub fn apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let mut capacity = TableCapacity::new(self.billing.clone(), now);
        if let Some(max) = self.on_demand_max {
            capacity.on_demand_max = max;
            capacity.reset_buckets(now);
        }
        // A new table's warm throughput may be raised above the default, not lowered below it.
        if let Some(figures) = self.warm {
            raise_warm(&mut capacity, figures)?;
            capacity.reset_buckets(now);
        }
        let arn = store.arn(&self.name);
        let mut indexes: Vec<Index> = self
            .gsis
            .into_iter()
            .map(|(definition, provisioned)| {
                Index::new(definition, &arn, index_billing(provisioned), now)
            })
            .collect();
        indexes.extend(
            self.locals
                .into_iter()
                .map(|definition| Index::new(definition, &arn, Billing::OnDemand, now)),
        );
        let state = TableState {
            settings: TableSettings {
                last_switch_to_on_demand: (self.billing == Billing::OnDemand)
                    .then(|| store.epoch()),
                ttl_attribute: None,
                tags: self.tags,
                deletion_protection: self.deletion_protection,
                table_class: self.table_class,
            },
            capacity,
            updating: None,
        };
        let table = Arc::new(
            Table::new(
                self.name.clone(),
                arn,
                self.schema,
                self.definitions,
                store.epoch(),
                state,
                indexes,
            )
            .with_storage(store.new_table_storage())
            .active_from(store.active_at_for_new_table()),
        );
        if let Some(change @ StreamChange::Enable(_)) = self.stream {
            super::stream_spec::apply(change, &table, store);
        }
        let mut tables = store.tables_mut();
        let epoch = store.epoch();
        match tables.get(&self.name).filter(|t| !t.is_gone(epoch)) {
            Some(t) if t.is_creating(epoch) => {
                return Err(ApiError::table_being_created(&self.name))
            }
            Some(_) => return Err(ApiError::table_exists(&self.name)),
            None => {}
        }
        tables.insert(self.name, table.clone());
        drop(tables);
        Ok(json!({ "TableDescription": describe(&table, store) }))
    }
}
