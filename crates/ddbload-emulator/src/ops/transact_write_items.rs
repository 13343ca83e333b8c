//! TransactWriteItems: up to 100 actions, all or nothing. The keys are claimed first (a key another
//! transaction holds cancels this one with TransactionConflict, and single writes to a claimed key
//! get TransactionConflictException), then their shards are locked in a fixed order, every action
//! is checked, and only if all pass is anything written. Transactional writes cost two units per KB
//! (developer guide; DynamoDB Local charges one).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::common::Consumed;
use super::common::{
    check_bindings_have_expressions, check_paths_clear_of_keys, condition, item_param,
    old_item_on_condition_failure, refuse_unsupported, table_name, ReturnCapacity, MAX_ITEM_BYTES,
};
use super::item_collection;
use super::transaction::{
    conflict_reason, lock_shards, no_reason, throttled_reason, transact_items,
};
use super::update_item::{check_index_keys_set_from_item, check_key_untouched};
use super::write::{check_condition, WritePlan};
use crate::error::{ApiError, ExprKind};
use crate::expr::{apply_update, parse_update, Action, Bindings, Cond};
use crate::store::Store;
use crate::table::{ItemKey, Table};
use crate::value::{item_size, item_to_json, Item};

/// A ClientRequestToken is 1 to 36 characters (TransactWriteItems API reference).
const MAX_TOKEN_CHARS: usize = 36;
/// The aggregate size of a transaction's items (TransactWriteItems API reference).
const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;
/// ClientRequestToken idempotency lasts ten minutes (TransactWriteItems API reference).
const TOKEN_SECONDS: f64 = 600.0;

enum Change {
    Put(Item),
    Update(Vec<Action>),
    Delete,
    Check,
}

struct TxAction {
    name: String,
    table: Arc<Table>,
    key: ItemKey,
    condition: Option<Cond>,
    change: Change,
    return_old_on_failure: bool,
}

/// The keys a transaction holds, by table.
type Claims = Vec<(Arc<Table>, Vec<ItemKey>)>;

pub struct TransactWriteItems {
    actions: Vec<TxAction>,
    capacity: ReturnCapacity,
    collection_metrics: bool,
    token: Option<(String, String)>,
}

/// Answers of recent requests by ClientRequestToken, so a retried transaction is not applied twice.
#[derive(Default)]
/// Each answer is kept with the time (the endpoint's clock) it was given.
pub struct Tokens(Mutex<HashMap<String, (f64, String, Value)>>);

fn parse_action(entry: &Value, store: &Store) -> Result<TxAction, ApiError> {
    let kinds = ["Put", "Update", "Delete", "ConditionCheck"];
    let present: Vec<&str> = kinds
        .iter()
        .copied()
        .filter(|k| entry.get(*k).is_some())
        .collect();
    let [kind] = present.as_slice() else {
        return Err(ApiError::transact_item_kinds());
    };
    let body = &entry[*kind];
    refuse_unsupported(
        body,
        &["Expected", "ConditionalOperator", "AttributeUpdates"],
    )?;
    let name = table_name(body)?;
    check_bindings_have_expressions(body, &["UpdateExpression", "ConditionExpression"])?;
    let bindings = Bindings::from_request(body)?;
    let condition = condition(body, "ConditionExpression", ExprKind::Condition, &bindings)?;
    let table = store.table(&name)?;
    let schema = &table.schema;
    let (key, change) = match *kind {
        "Put" => {
            let item = item_param(body, "Item")?;
            if item_size(&item) > MAX_ITEM_BYTES {
                return Err(ApiError::item_too_large());
            }
            // DynamoDB Local refuses an empty or too long index key for the whole request; a
            // mistyped one cancels the transaction (below, in apply).
            table.check_index_keys_not_empty(&item)?;
            table.check_index_key_sizes(&item)?;
            (schema.key_of_item(&item)?, Change::Put(item))
        }
        "Update" => {
            let text = body
                .get("UpdateExpression")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::missing("updateExpression"))?;
            let actions = parse_update(text, &bindings)?;
            check_key_untouched(&table, &actions)?;
            (
                schema.key_param(&item_param(body, "Key")?)?,
                Change::Update(actions),
            )
        }
        "Delete" => (schema.key_param(&item_param(body, "Key")?)?, Change::Delete),
        _ => {
            if condition.is_none() {
                return Err(ApiError::missing("conditionExpression"));
            }
            (schema.key_param(&item_param(body, "Key")?)?, Change::Check)
        }
    };
    let actions: &[Action] = match &change {
        Change::Update(actions) => actions,
        _ => &[],
    };
    check_paths_clear_of_keys(&table, condition.as_ref(), actions)?;
    bindings.check_all_used()?;
    Ok(TxAction {
        name,
        table,
        key,
        condition,
        change,
        return_old_on_failure: old_item_on_condition_failure(body)?,
    })
}

pub fn parse(req: &Value, store: &Store) -> Result<TransactWriteItems, ApiError> {
    let entries = transact_items(req, "TransactWriteItem")?;
    let actions = entries
        .iter()
        .map(|entry| parse_action(entry, store))
        .collect::<Result<Vec<_>, _>>()?;
    // Puts count their items, the other actions their keys (what the request itself carries).
    let size: usize = actions
        .iter()
        .map(|action| match &action.change {
            Change::Put(item) => item_size(item),
            _ => item_size(&action.table.schema.key_item(&action.key)),
        })
        .sum();
    if size > MAX_TRANSACTION_BYTES {
        return Err(ApiError::transaction_too_large(size));
    }
    let token = req.get("ClientRequestToken").and_then(Value::as_str);
    if let Some(token) = token {
        if token.is_empty() || token.chars().count() > MAX_TOKEN_CHARS {
            return Err(ApiError::client_token_length(token, MAX_TOKEN_CHARS));
        }
    }
    let token = token.map(|t| {
        (
            t.to_owned(),
            req.get("TransactItems")
                .map(Value::to_string)
                .unwrap_or_default(),
        )
    });
    Ok(TransactWriteItems {
        actions,
        capacity: ReturnCapacity::of(req)?,
        collection_metrics: item_collection::wanted(req),
        token,
    })
}

impl TransactWriteItems {
    pub fn apply(self, store: &Store, tokens: &Tokens) -> Result<Value, ApiError> {
        if let Some((token, body)) = &self.token {
            let mut seen = tokens.0.lock().unwrap_or_else(|p| p.into_inner());
            let now = store.now();
            seen.retain(|_, (at, _, _)| now - *at < TOKEN_SECONDS);
            if let Some((_, earlier, answer)) = seen.get(token) {
                if earlier != body {
                    return Err(ApiError::idempotent_mismatch());
                }
                return Ok(answer.clone());
            }
        }
        let token = self.token.clone();
        let answer = self.run(store)?;
        if let Some((token, body)) = token {
            let mut seen = tokens.0.lock().unwrap_or_else(|p| p.into_inner());
            seen.insert(token, (store.now(), body, answer.clone()));
        }
        Ok(answer)
    }

    fn run(self, store: &Store) -> Result<Value, ApiError> {
        let claimed = self.claim()?;
        let result = self.locked_apply(store);
        for (table, keys) in claimed {
            table.release(&keys);
        }
        result
    }

    /// Claims every key, table by table in name order; a key already claimed cancels the transaction.
    fn claim(&self) -> Result<Claims, ApiError> {
        let mut by_table: BTreeMap<&str, (Arc<Table>, Vec<ItemKey>)> = BTreeMap::new();
        for action in &self.actions {
            let entry = by_table
                .entry(action.name.as_str())
                .or_insert_with(|| (action.table.clone(), Vec::new()));
            if !entry.1.contains(&action.key) {
                entry.1.push(action.key.clone());
            }
        }
        let mut claimed: Vec<(Arc<Table>, Vec<ItemKey>)> = Vec::new();
        for (_, (table, keys)) in by_table {
            if let Err(taken) = table.claim(&keys) {
                for (table, keys) in &claimed {
                    table.release(keys);
                }
                let reasons = self
                    .actions
                    .iter()
                    .map(|a| {
                        if Arc::ptr_eq(&a.table, &table) && taken.contains(&a.key) {
                            conflict_reason()
                        } else {
                            no_reason()
                        }
                    })
                    .collect();
                return Err(ApiError::transaction_cancelled(reasons));
            }
            claimed.push((table, keys));
        }
        Ok(claimed)
    }

    fn locked_apply(self, store: &Store) -> Result<Value, ApiError> {
        let now = store.now();
        let mut guards = lock_shards(
            self.actions
                .iter()
                .map(|a| (a.name.as_str(), &a.table, a.key.shard())),
        );
        let mut passed = BTreeSet::new();
        let mut reasons = Vec::with_capacity(self.actions.len());
        let mut writes = Vec::with_capacity(self.actions.len());
        let mut by_table = BTreeMap::<String, Consumed>::new();
        let mut admitted = Vec::with_capacity(self.actions.len());
        for action in &self.actions {
            let guard = &guards[&(action.name.as_str(), action.key.shard())];
            let current = guard.get(&action.key);
            let condition_passes = check_condition(&action.condition, current.as_ref())?;
            // As in UpdateItem, the condition decides first: when it fails, the reason is
            // ConditionalCheckFailed whatever the update would have met, and the charge is the
            // write's (the item unchanged when the update cannot be worked out).
            let is_update = matches!(action.change, Change::Update(_));
            let new = match &action.change {
                Change::Put(item) => Some(item.clone()),
                Change::Update(update) => {
                    let mut item = current
                        .clone()
                        .unwrap_or_else(|| action.table.schema.key_item(&action.key));
                    let worked_out = apply_update(&mut item, update)
                        .and_then(|()| action.table.check_index_keys_not_empty(&item))
                        .and_then(|()| action.table.check_index_key_sizes(&item));
                    match worked_out {
                        Ok(()) => Some(item),
                        Err(_) if !condition_passes => current.clone(),
                        Err(fault) => return Err(fault),
                    }
                }
                Change::Delete | Change::Check => None,
            };
            let judged = condition_passes || !is_update;
            // A condition check is charged as a write of the item that stays as it is.
            let after = match &action.change {
                Change::Check => current.as_ref(),
                _ => new.as_ref(),
            };
            let plan = WritePlan::new(&action.table, &action.key, current.as_ref(), after, true);
            by_table
                .entry(action.name.clone())
                .or_default()
                .add(&plan.consumed());
            // As DynamoDB (and DynamoDB Local) answer them: a bad index key cancels the transaction
            // with a ValidationError reason, not a request-level ValidationException.
            let index_problem = new.as_ref().filter(|_| judged).and_then(|n| {
                let set_from_item = match &action.change {
                    Change::Update(update) => {
                        check_index_keys_set_from_item(&action.table, update, n).err()
                    }
                    _ => None,
                };
                set_from_item.or_else(|| action.table.check_index_key_types(n).err())
            });
            let reason = if let Some(problem) = index_problem {
                json!({"Code": "ValidationError", "Message": problem.message})
            } else if judged && new.as_ref().is_some_and(|n| item_size(n) > MAX_ITEM_BYTES) {
                json!({"Code": "ValidationError", "Message": ApiError::updated_item_too_large().message})
            } else if plan.admit(&action.table, &action.key, now).is_err() {
                throttled_reason()
            } else {
                // Admitted against the capacity there was before the transaction; charged below
                // whether or not the transaction goes through.
                admitted.push((action, plan));
                if !condition_passes {
                    let mut reason = json!({"Code": "ConditionalCheckFailed", "Message": ApiError::conditional().message});
                    if let (true, Some(item)) = (action.return_old_on_failure, &current) {
                        reason["Item"] = item_to_json(item);
                    }
                    reason
                } else if !passed.insert((action.name.clone(), action.key.clone())) {
                    // Two actions on one item are refused once both pass their conditions (as DynamoDB Local does).
                    return Err(ApiError::transaction_same_item_twice());
                } else {
                    no_reason()
                }
            };
            reasons.push(reason);
            writes.push(new);
        }
        for (action, plan) in &admitted {
            plan.take(&action.table, &action.key, now);
        }
        if reasons.iter().any(|r| r["Code"] != "None") {
            return Err(ApiError::transaction_cancelled(reasons));
        }
        for (action, new) in self.actions.iter().zip(writes) {
            let guard = guards
                .get_mut(&(action.name.as_str(), action.key.shard()))
                .expect("locked above");
            match (&action.change, new) {
                (Change::Delete, _) => {
                    guard.delete(&action.key);
                }
                (Change::Check, _) | (_, None) => {}
                (_, Some(item)) => {
                    guard.put(action.key.clone(), item);
                }
            }
        }
        drop(guards);
        let mut out = json!({});
        if self.collection_metrics {
            let changed = self
                .actions
                .iter()
                .filter(|a| !matches!(a.change, Change::Check));
            let changed = changed.map(|a| (a.name.as_str(), &*a.table, &a.key));
            if let Some(metrics) = item_collection::metrics_by_table(changed) {
                out["ItemCollectionMetrics"] = metrics;
            }
        }
        Ok(self.capacity.add_list_to(out, &by_table))
    }
}
