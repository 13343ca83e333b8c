//! The engine: connects, prepares the tables, runs the load on its own threads, and reports events
//! (phases, seeding progress, one row a second) and finally the result over one channel.

mod aggregate;
mod events;
mod load;
mod pacer;
mod plan_setup;
mod replay;
pub mod schedule;
mod session;
mod setup;
mod watch;
mod worker;

use std::sync::Arc;
use std::thread;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio_util::sync::CancellationToken;

pub use events::Event;

use crate::config::RunConfig;
use crate::error::EngineError;
use crate::report::RunResult;

/// A running load test: its event stream and the means to stop it.
pub struct RunHandle {
    pub events: UnboundedReceiver<Event>,
    cancel: CancellationToken,
    begin: Arc<tokio::sync::watch::Sender<Option<f64>>>,
}

impl RunHandle {
    /// Stops the run: no new requests; what was measured is still reported.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A token that cancels this run, for callers that keep `events` elsewhere.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Where a run started with `hold_start` learns its start: send the wall-clock time (seconds
    /// since the Unix epoch; a time already past starts it at once).
    pub fn begin_handle(&self) -> Arc<tokio::sync::watch::Sender<Option<f64>>> {
        self.begin.clone()
    }

    /// Blocks until the run ends, dropping progress events. For tests and Rust callers.
    pub fn wait(mut self) -> Result<RunResult, EngineError> {
        while let Some(event) = self.events.blocking_recv() {
            if let Event::Finished(result) = event {
                return *result;
            }
        }
        Err(EngineError::Internal(
            "the engine stopped without a result".into(),
        ))
    }
}

/// Validates `config` (nothing is sent if it is bad), then starts the run on its own thread.
pub fn start(config: RunConfig) -> Result<RunHandle, EngineError> {
    config.validate()?;
    let (tx, rx) = unbounded_channel();
    let cancel = CancellationToken::new();
    let engine_cancel = cancel.clone();
    let (begin, begin_rx) = tokio::sync::watch::channel(None);
    thread::Builder::new()
        .name("ddbload-engine".into())
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| EngineError::Internal(format!("cannot start the engine runtime: {e}")))
                .and_then(|rt| rt.block_on(session::run(config, &tx, &engine_cancel, begin_rx)));
            let _ = tx.send(Event::Finished(Box::new(result)));
        })
        .map_err(|e| EngineError::Internal(format!("cannot start the engine thread: {e}")))?;
    Ok(RunHandle {
        events: rx,
        cancel,
        begin: Arc::new(begin),
    })
}
