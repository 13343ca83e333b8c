//! What the engine tells its caller while it works; all but `Finished` serialize to one JSON object.

use serde::Serialize;

use super::aggregate::Released;
use crate::error::EngineError;
use crate::report::{RunResult, TimeseriesRow};

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A setup step began ("connecting", "creating", "seeding", "sampling", "load").
    Phase {
        phase: &'static str,
        message: String,
    },
    /// Seeding progress: items written so far, and what they are ("products", or a workload file's
    /// table).
    Seed { what: String, done: u64, total: u64 },
    /// One completed second of load, with its latency histogram (encoded as in the result), so a
    /// distributed run can merge seconds exactly.
    Tick {
        #[serde(flatten)]
        row: Box<TimeseriesRow>,
        latency_histogram: String,
        read_latency_histogram: String,
        write_latency_histogram: String,
        /// Each named operation's latency that second, by name.
        #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        operation_histograms: std::collections::BTreeMap<String, String>,
    },
    /// A run held for its start (`hold_start`) says which products it sampled, so a distributed
    /// driver can hand the same catalog to its other tasks.
    Catalog { products: serde_json::Value },
    /// The last event: the report, or why there is none.
    #[serde(skip)]
    Finished(Box<Result<RunResult, EngineError>>),
}

impl Event {
    pub fn phase(phase: &'static str, message: impl Into<String>) -> Self {
        Self::Phase {
            phase,
            message: message.into(),
        }
    }

    pub fn tick(released: Released) -> Self {
        Self::Tick {
            row: Box::new(released.row),
            latency_histogram: released.latency_histogram,
            read_latency_histogram: released.read_latency_histogram,
            write_latency_histogram: released.write_latency_histogram,
            operation_histograms: released.operation_histograms,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events serialize")
    }
}
