//! What the engine tells its caller while it works; all but `Finished` serialize to one JSON object.

use serde::Serialize;

use crate::error::EngineError;
use crate::report::{RunReport, TimeseriesRow};

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A setup step began ("connecting", "creating", "seeding", "sampling", "load").
    Phase {
        phase: &'static str,
        message: String,
    },
    /// Seeding progress: products written so far.
    Seed { done: u64, total: u64 },
    /// One completed second of load.
    Tick(TimeseriesRow),
    /// The last event: the report, or why there is none.
    #[serde(skip)]
    Finished(Box<Result<RunReport, EngineError>>),
}

impl Event {
    pub fn phase(phase: &'static str, message: impl Into<String>) -> Self {
        Self::Phase {
            phase,
            message: message.into(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events serialize")
    }
}
