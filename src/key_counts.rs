//! The keys a run sent most requests to, per table and index (as Contributor Insights shows them, from
//! the client's side): attempts and throttled attempts by partition-key value, in bounded memory
//! (Filtered Space-Saving, the `topk` crate), merged across engine threads.

use std::collections::BTreeMap;

use serde::Serialize;
use topk::FilteredSpaceSaving;

/// Keys each sketch follows: a key with more than 1/TRACKED of a table's attempts is always among them.
pub const TRACKED: usize = 64;
/// Keys the result lists per table or index.
pub const REPORTED: usize = 10;
/// Keys each second of the time series lists per table or index.
pub const PER_SECOND: usize = 5;

#[derive(Clone)]
struct Sketches {
    attempts: FilteredSpaceSaving<String>,
    /// By key and throttling reason.
    throttles: FilteredSpaceSaving<(String, String)>,
}

impl Default for Sketches {
    fn default() -> Self {
        Self {
            attempts: FilteredSpaceSaving::new(TRACKED),
            throttles: FilteredSpaceSaving::new(TRACKED),
        }
    }
}

/// One engine thread's counts (or all threads', merged), by ConsumedUnits slot (table or index).
#[derive(Clone, Default)]
pub struct KeyCounts {
    slots: Vec<Option<Sketches>>,
}

impl std::fmt::Debug for KeyCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyCounts({} slots)", self.slots.len())
    }
}

impl KeyCounts {
    /// One attempt at `key` of slot `slot`; `throttled` names its reason when it was throttled.
    pub fn record(&mut self, slot: usize, key: &str, throttled: Option<&str>) {
        if self.slots.len() <= slot {
            self.slots.resize_with(slot + 1, || None);
        }
        let sketches = self.slots[slot].get_or_insert_with(Sketches::default);
        sketches.attempts.insert(key.to_owned(), 1);
        if let Some(reason) = throttled {
            sketches
                .throttles
                .insert((key.to_owned(), reason.to_owned()), 1);
        }
    }

    pub fn merge(&mut self, other: &KeyCounts) {
        if self.slots.len() < other.slots.len() {
            self.slots.resize_with(other.slots.len(), || None);
        }
        for (mine, theirs) in self.slots.iter_mut().zip(&other.slots) {
            match (mine.as_mut(), theirs) {
                (_, None) => {}
                (None, Some(theirs)) => *mine = Some(theirs.clone()),
                (Some(mine), Some(theirs)) => {
                    // Same TRACKED on both sides: a merge cannot fail.
                    let _ = mine.attempts.merge(&theirs.attempts);
                    let _ = mine.throttles.merge(&theirs.throttles);
                }
            }
        }
    }

    /// Each slot that saw any attempt, by its name in `slot_names`, with its sketches.
    fn named<'a>(
        &'a self,
        slot_names: &'a [String],
    ) -> impl Iterator<Item = (&'a String, &'a Sketches)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(slot, sketches)| {
                let name = slot_names.get(slot).filter(|n| !n.is_empty())?;
                Some((name, sketches.as_ref()?))
            })
    }

    /// The busiest keys of each slot that saw any, named by `slot_names`.
    pub fn report(&self, slot_names: &[String]) -> BTreeMap<String, KeysOf> {
        self.named(slot_names)
            .map(|(name, sketches)| {
                let total = sketches.attempts.count();
                let attempts = top(&sketches.attempts)
                    .map(|((key, ()), count, error)| KeyCount {
                        share: count as f64 / total.max(1) as f64,
                        key,
                        count,
                        error,
                        reason: None,
                    })
                    .collect();
                let throttles = top(&sketches.throttles)
                    .map(|((key, reason), count, error)| KeyCount {
                        share: count as f64 / sketches.throttles.count().max(1) as f64,
                        key,
                        count,
                        error,
                        reason: Some(reason),
                    })
                    .collect();
                (
                    name.clone(),
                    KeysOf {
                        attempts_total: total,
                        attempts,
                        throttles,
                    },
                )
            })
            .collect()
    }
}

impl KeyCounts {
    /// A second's PER_SECOND busiest keys of each slot that saw any, with their attempts.
    pub fn second(&self, slot_names: &[String]) -> BTreeMap<String, Vec<KeySecond>> {
        self.named(slot_names)
            .map(|(name, sketches)| {
                let busiest = top(&sketches.attempts)
                    .take(PER_SECOND)
                    .map(|((key, ()), count, _)| KeySecond { key, count })
                    .collect();
                (name.clone(), busiest)
            })
            .collect()
    }
}

/// One of a second's busiest keys of a table or index.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeySecond {
    pub key: String,
    pub count: u64,
}

/// The REPORTED busiest entries of a sketch: (key and reason, count, its possible overcount).
fn top<K: KeyParts>(
    sketch: &FilteredSpaceSaving<K>,
) -> impl Iterator<Item = ((String, K::Reason), u64, u64)> {
    sketch
        .clone()
        .into_sorted_vec()
        .into_iter()
        .take(REPORTED)
        .map(|(key, counter)| {
            (
                key.parts(),
                counter.estimated_count(),
                counter.associated_error(),
            )
        })
}

trait KeyParts: Eq + std::hash::Hash + Clone {
    type Reason;
    fn parts(self) -> (String, Self::Reason);
}

impl KeyParts for String {
    type Reason = ();
    fn parts(self) -> (String, ()) {
        (self, ())
    }
}

impl KeyParts for (String, String) {
    type Reason = String;
    fn parts(self) -> (String, String) {
        self
    }
}

/// One table's or index's busiest keys, as the result's `keys` holds them.
#[derive(Debug, Clone, Serialize)]
pub struct KeysOf {
    /// Every attempt counted at this table or index (the shares' denominator).
    pub attempts_total: u64,
    pub attempts: Vec<KeyCount>,
    pub throttles: Vec<KeyCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyCount {
    /// The partition-key value (bytes in hex).
    pub key: String,
    /// Attempts counted (an upper bound: at most `error` more than were sent).
    pub count: u64,
    pub error: u64,
    /// Of the table's or index's attempts (or throttles).
    pub share: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_with_a_third_of_the_attempts_ranks_first_with_its_exact_count() {
        let mut threads = [KeyCounts::default(), KeyCounts::default()];
        for n in 0..30_000u32 {
            let key = if n % 3 == 0 {
                "hot".to_owned()
            } else {
                format!("k{n}")
            };
            let throttled = (n % 3 == 0 && n % 2 == 0).then_some("KeyRange");
            threads[(n % 2) as usize].record(1, &key, throttled);
        }
        let [mut all, other] = threads;
        all.merge(&other);
        let keys = all.report(&["".into(), "Orders".into()]);
        let orders = &keys["Orders"];
        assert_eq!(orders.attempts_total, 30_000);
        let first = &orders.attempts[0];
        assert_eq!(first.key, "hot");
        assert!(first.count.abs_diff(10_000) <= 100, "{first:?}");
        assert_eq!(orders.throttles[0].key, "hot");
        assert_eq!(orders.throttles[0].reason.as_deref(), Some("KeyRange"));
    }
}
