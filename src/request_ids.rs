//! The request IDs worth citing in a support case: of the slowest calls, and of the first throttled
//! calls per reason, bounded so that memory does not grow with the length of a run.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// One call (one HTTP request) kept by DynamoDB's request ID.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeptCall {
    pub request_id: String,
    /// "read" or "write".
    pub operation: &'static str,
    /// From the request's send to its answer.
    pub ms: f64,
    /// When it was answered, UTC seconds since the epoch.
    pub at: f64,
}

impl KeptCall {
    pub fn new(request_id: &str, read: bool, took: Duration) -> Self {
        Self {
            request_id: request_id.to_owned(),
            operation: if read { "read" } else { "write" },
            ms: (took.as_secs_f64() * 1e6).round() / 1e3,
            at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| (d.as_secs_f64() * 1e3).round() / 1e3),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RequestIds {
    /// At most `keep`, slowest first once `finish`ed.
    pub slowest: Vec<KeptCall>,
    /// By throttling reason: the first `keep` calls throttled for it, in time order.
    pub throttled: BTreeMap<String, Vec<KeptCall>>,
    #[serde(skip)]
    pub keep: usize,
}

impl RequestIds {
    pub fn new(keep: usize) -> Self {
        Self {
            keep,
            ..Self::default()
        }
    }

    /// Whether a call this slow would be kept (so the caller builds a KeptCall only then).
    pub fn is_slow_enough(&self, took: Duration) -> bool {
        self.keep > 0
            && (self.slowest.len() < self.keep
                || self
                    .fastest_kept()
                    .is_some_and(|(_, ms)| took.as_secs_f64() * 1e3 > ms))
    }

    fn fastest_kept(&self) -> Option<(usize, f64)> {
        self.slowest
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.ms))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    pub fn keep_slow(&mut self, call: KeptCall) {
        if self.keep == 0 {
            return;
        }
        if self.slowest.len() < self.keep {
            self.slowest.push(call);
        } else if let Some((i, ms)) = self.fastest_kept() {
            if call.ms > ms {
                self.slowest[i] = call;
            }
        }
    }

    /// Whether a throttle for `reason` would still be kept.
    pub fn wants_throttled(&self, reason: &str) -> bool {
        self.keep > 0
            && self
                .throttled
                .get(reason)
                .is_none_or(|v| v.len() < self.keep)
    }

    pub fn keep_throttled(&mut self, reason: &str, call: KeptCall) {
        if !self.wants_throttled(reason) {
            return;
        }
        match self.throttled.get_mut(reason) {
            Some(calls) => calls.push(call),
            None => {
                self.throttled.insert(reason.to_owned(), vec![call]);
            }
        }
    }

    /// Adds another thread's kept calls, still within the larger of the two bounds.
    pub fn merge(&mut self, other: &RequestIds) {
        self.keep = self.keep.max(other.keep);
        for call in &other.slowest {
            self.keep_slow(call.clone());
        }
        for (reason, calls) in &other.throttled {
            let mine = self.throttled.entry(reason.clone()).or_default();
            mine.extend(calls.iter().cloned());
            mine.sort_by(|a, b| a.at.total_cmp(&b.at));
            mine.truncate(self.keep);
        }
    }

    /// Slowest first; throttled calls in time order.
    pub fn finish(&mut self) {
        self.slowest.sort_by(|a, b| b.ms.total_cmp(&a.ms));
        for calls in self.throttled.values_mut() {
            calls.sort_by(|a, b| a.at.total_cmp(&b.at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(id: &str, ms: u64) -> KeptCall {
        KeptCall::new(id, true, Duration::from_millis(ms))
    }

    #[test]
    fn keeps_the_slowest_and_the_first_throttled_within_the_bound() {
        let mut ids = RequestIds::new(2);
        for (id, ms) in [("a", 5), ("b", 50), ("c", 1), ("d", 30)] {
            if ids.is_slow_enough(Duration::from_millis(ms)) {
                ids.keep_slow(call(id, ms));
            }
        }
        for id in ["t1", "t2", "t3"] {
            ids.keep_throttled("ThrottlingException", call(id, 1));
        }
        let mut other = RequestIds::new(2);
        other.keep_slow(call("e", 40));
        ids.merge(&other);
        ids.finish();
        let slow: Vec<&str> = ids.slowest.iter().map(|c| c.request_id.as_str()).collect();
        assert_eq!(slow, ["b", "e"]);
        let throttled: Vec<&str> = ids.throttled["ThrottlingException"]
            .iter()
            .map(|c| c.request_id.as_str())
            .collect();
        assert_eq!(throttled, ["t1", "t2"]);
        assert!(!RequestIds::new(0).is_slow_enough(Duration::from_secs(9)));
    }
}
