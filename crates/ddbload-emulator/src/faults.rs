//! Fault injection (a GameDay's `fault` actions, `ddbload serve --fault`): errors (a throttle with the
//! ThrottlingReason given), added latency or no answer at all for a share of one table's item requests
//! (or for the single-item requests to one part of its partition-key space, as one partition failing), for a while (table setup and descriptions
//! are never hit). Set through the admin API on the endpoint's own port (X-Amz-Target
//! `DdbloadAdmin.InjectFault`, `RemoveFault`, `ClearFaults`, `ListFaults`). Which requests are hit
//! follows the fault's seed and the order of the matching requests, so the same seed hits the same
//! requests of a repeated run (up to the timing of the answers).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::store::Store;
use crate::value::{Av, KeyValue};

pub const TARGET_PREFIX: &str = "DdbloadAdmin.";
/// The error codes a fault may answer with, and their HTTP status.
const ERRORS: [(&str, u16); 5] = [
    ("InternalServerError", 500),
    ("ServiceUnavailable", 503),
    ("ThrottlingException", 400),
    ("ProvisionedThroughputExceededException", 400),
    ("RequestLimitExceeded", 400),
];

/// The operations a fault hits (and DynamoDB reports per-operation metrics of).
pub const DATA_PLANE: [&str; 10] = [
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
];

#[derive(Debug, Clone)]
struct Fault {
    id: u64,
    table: Option<String>,
    error: Option<(String, u16)>,
    /// A throttle's ThrottlingReason, e.g. "TableWriteKeyRangeThroughputExceeded".
    reason: Option<String>,
    latency_ms: u64,
    pause: bool,
    rate: f64,
    /// Only requests for one part of the table's partition-key space: (part, of), part from 1.
    partition: Option<(u64, u64)>,
    until: Option<f64>,
    seed: u64,
    seen: u64,
}

/// What a request must suffer: a wait first, then perhaps an error instead of its answer.
#[derive(Debug, Default, PartialEq)]
pub struct Hit {
    pub wait_s: f64,
    pub error: Option<(String, u16)>,
    pub reason: Option<String>,
}

#[derive(Default)]
pub struct Faults {
    any: AtomicBool,
    next_id: AtomicU64,
    active: Mutex<Vec<Fault>>,
}

impl Faults {
    /// The fault hitting a request to `table` now (`now` on the endpoint's clock), if any.
    pub fn hit(&self, table: Option<&str>, now: f64) -> Option<Hit> {
        self.hit_key(table, None, now)
    }

    /// As `hit`, for a request whose partition key hashes to `key_hash` (None: not a single-item
    /// request, which partition faults never hit).
    fn hit_key(&self, table: Option<&str>, key_hash: Option<u64>, now: f64) -> Option<Hit> {
        if !self.any.load(Ordering::Relaxed) {
            return None;
        }
        let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        active.retain(|f| f.until.is_none_or(|until| now < until));
        self.any.store(!active.is_empty(), Ordering::Relaxed);
        let mut hit = Hit::default();
        let mut any = false;
        for fault in active.iter_mut() {
            if fault.table.as_deref().is_some_and(|t| Some(t) != table) {
                continue;
            }
            if let Some((part, of)) = fault.partition {
                if key_hash.is_none_or(|hash| hash % of + 1 != part) {
                    continue;
                }
            }
            fault.seen += 1;
            if draw(fault.seed, fault.id, fault.seen) >= fault.rate {
                continue;
            }
            any = true;
            hit.wait_s += fault.latency_ms as f64 / 1000.0;
            if fault.pause {
                hit.wait_s += fault.until.map_or(3600.0, |until| until - now);
            }
            if hit.error.is_none() {
                hit.error.clone_from(&fault.error);
                hit.reason.clone_from(&fault.reason);
            }
        }
        any.then_some(hit)
    }

    /// The fault hitting one DynamoDB request (`target` its X-Amz-Target, its body naming the table), if
    /// any; cheap when none is set. Only item operations are hit: table setup and descriptions go on.
    pub fn hit_request(&self, store: &Store, target: &str, body: &[u8], now: f64) -> Option<Hit> {
        if !self.any.load(Ordering::Relaxed) {
            return None;
        }
        let operation = target.strip_prefix(crate::ops::TARGET_PREFIX)?;
        if !DATA_PLANE.contains(&operation) {
            return None;
        }
        let req: Value = serde_json::from_slice(body).ok()?;
        let table = table_of(&req);
        let key_hash = table
            .as_deref()
            .and_then(|t| partition_hash(store, t, &req));
        self.hit_key(table.as_deref(), key_hash, now)
    }

    /// One admin request (`operation` after the prefix).
    pub fn admin(&self, store: &Store, operation: &str, body: &[u8]) -> Result<Value, ApiError> {
        let req: Value = serde_json::from_slice(body).map_err(ApiError::body_not_json)?;
        let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        match operation {
            "InjectFault" => {
                let fault = self.parse(&req, store.now())?;
                let id = fault.id;
                active.push(fault);
                self.any.store(true, Ordering::Relaxed);
                Ok(json!({ "FaultId": id }))
            }
            "RemoveFault" => {
                let id = req.get("FaultId").and_then(Value::as_u64).unwrap_or(0);
                let before = active.len();
                active.retain(|f| f.id != id);
                self.any.store(!active.is_empty(), Ordering::Relaxed);
                Ok(json!({ "Removed": before - active.len() }))
            }
            "ClearFaults" => {
                let cleared = active.len();
                active.clear();
                self.any.store(false, Ordering::Relaxed);
                Ok(json!({ "Cleared": cleared }))
            }
            "ListFaults" => Ok(json!({ "Faults": active.iter().map(|f| json!({
                "FaultId": f.id, "TableName": f.table, "Error": f.error.as_ref().map(|e| &e.0),
                "Reason": f.reason, "Partition": f.partition.map(|(part, of)| format!("{part}/{of}")),
                "LatencyMs": f.latency_ms, "Pause": f.pause, "Rate": f.rate, "Matched": f.seen,
            })).collect::<Vec<_>>() })),
            other => Err(ApiError::unknown_operation(other)),
        }
    }

    fn parse(&self, req: &Value, now: f64) -> Result<Fault, ApiError> {
        let known = [
            "TableName",
            "Error",
            "LatencyMs",
            "Pause",
            "Rate",
            "Seconds",
            "Seed",
            "Reason",
            "Partition",
        ];
        if let Some(member) = req
            .as_object()
            .and_then(|o| o.keys().find(|k| !known.contains(&k.as_str())))
        {
            return Err(ApiError::fault_unknown_member(member));
        }
        let error = match req.get("Error").and_then(Value::as_str) {
            None => None,
            Some(code) => Some(
                ERRORS
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map(|(c, s)| ((*c).to_owned(), *s))
                    .ok_or_else(|| ApiError::fault_unknown_error(&ERRORS.map(|e| e.0)))?,
            ),
        };
        let reason = req.get("Reason").and_then(Value::as_str).map(str::to_owned);
        if let Some(reason) = &reason {
            let throttle = error.as_ref().is_some_and(|(code, _)| {
                code == "ProvisionedThroughputExceededException" || code == "ThrottlingException"
            });
            if !throttle || !is_throttling_reason(reason) {
                return Err(ApiError::fault_reason());
            }
        }
        let partition = match req.get("Partition") {
            None | Some(Value::Null) => None,
            Some(given) => Some(
                given
                    .as_str()
                    .and_then(|text| text.split_once('/'))
                    .and_then(|(part, of)| {
                        Some((
                            part.trim().parse::<u64>().ok()?,
                            of.trim().parse::<u64>().ok()?,
                        ))
                    })
                    .filter(|(part, of)| (1..=1000).contains(of) && (1..=*of).contains(part))
                    .filter(|_| req.get("TableName").is_some_and(Value::is_string))
                    .ok_or_else(ApiError::fault_partition)?,
            ),
        };
        let number = |name: &str| req.get(name).and_then(Value::as_f64);
        let rate = number("Rate").unwrap_or(1.0);
        if !(rate > 0.0 && rate <= 1.0) {
            return Err(ApiError::fault_rate());
        }
        let latency_ms = req.get("LatencyMs").and_then(Value::as_u64).unwrap_or(0);
        let pause = req.get("Pause").and_then(Value::as_bool).unwrap_or(false);
        if error.is_none() && latency_ms == 0 && !pause {
            return Err(ApiError::fault_without_effect());
        }
        let seconds = number("Seconds");
        if seconds.is_some_and(|s| s <= 0.0) {
            return Err(ApiError::fault_seconds());
        }
        Ok(Fault {
            id: self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
            table: req
                .get("TableName")
                .and_then(Value::as_str)
                .map(str::to_owned),
            error,
            reason,
            latency_ms,
            pause,
            rate,
            partition,
            until: seconds.map(|s| now + s),
            seed: req.get("Seed").and_then(Value::as_u64).unwrap_or(0),
            seen: 0,
        })
    }
}

/// Resource + operation + limit, as DynamoDB's ThrottlingReason names them.
fn is_throttling_reason(reason: &str) -> bool {
    let rest = reason
        .strip_prefix("Table")
        .or_else(|| reason.strip_prefix("Index"));
    let rest = rest.and_then(|r| r.strip_prefix("Read").or_else(|| r.strip_prefix("Write")));
    rest.is_some_and(|limit| {
        [
            "ProvisionedThroughputExceeded",
            "KeyRangeThroughputExceeded",
            "AccountLimitExceeded",
            "MaxOnDemandThroughputExceeded",
        ]
        .contains(&limit)
    })
}

/// A uniform draw in [0, 1) from the fault's seed and the number of the matching request (SplitMix64).
fn draw(seed: u64, fault: u64, n: u64) -> f64 {
    let mut z =
        seed ^ fault.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ n.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The partition-key hash of a single-item request (GetItem, PutItem, UpdateItem, DeleteItem) to
/// `table`, as the table orders its items by; None for any other request.
fn partition_hash(store: &Store, table: &str, req: &Value) -> Option<u64> {
    let schema = store.any_table(table)?.schema.clone();
    let key = req.get("Key").or_else(|| req.get("Item"))?;
    let value = Av::from_json(key.get(&schema.partition.name)?).ok()?;
    Some(KeyValue::of(&value)?.stable_hash())
}

/// The table a DynamoDB request is for: TableName, or the first of a batch's or transaction's tables.
pub fn table_of(req: &Value) -> Option<String> {
    if let Some(name) = req.get("TableName").and_then(Value::as_str) {
        return Some(name.to_owned());
    }
    if let Some(items) = req.get("RequestItems").and_then(Value::as_object) {
        return items.keys().next().cloned();
    }
    req.get("TransactItems")?
        .as_array()?
        .iter()
        .find_map(|item| {
            item.as_object()?
                .values()
                .find_map(|action| action.get("TableName")?.as_str().map(str::to_owned))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_of_requests_is_hit_and_the_same_seed_hits_the_same_ones() {
        let pattern = |seed: u64| {
            let faults = Faults::default();
            let mut fault = faults
                .parse(&json!({"TableName": "t", "Error": "InternalServerError", "Rate": 0.05, "Seed": seed}), 0.0)
                .expect("valid");
            fault.id = 1;
            faults.active.lock().expect("lock").push(fault);
            faults.any.store(true, Ordering::Relaxed);
            (0..10_000)
                .map(|_| faults.hit(Some("t"), 1.0).is_some())
                .collect::<Vec<_>>()
        };
        let hits = pattern(7);
        let share = hits.iter().filter(|h| **h).count() as f64 / hits.len() as f64;
        assert!((0.04..0.06).contains(&share), "{share}");
        assert_eq!(hits, pattern(7));
        assert_ne!(hits, pattern(8));
    }

    #[test]
    fn other_tables_and_ended_faults_are_not_hit() {
        let faults = Faults::default();
        let fault = faults
            .parse(
                &json!({"TableName": "t", "LatencyMs": 200, "Seconds": 10}),
                0.0,
            )
            .expect("valid");
        faults.active.lock().expect("lock").push(fault);
        faults.any.store(true, Ordering::Relaxed);
        assert_eq!(faults.hit(Some("u"), 1.0), None);
        assert_eq!(
            faults.hit(Some("t"), 1.0),
            Some(Hit {
                wait_s: 0.2,
                error: None,
                reason: None
            })
        );
        assert_eq!(faults.hit(Some("t"), 11.0), None);
    }
}
