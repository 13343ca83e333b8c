//! RunHandle: a started run seen from Python - poll events with the GIL released, await them, cancel,
//! and collect the result. Dropping a handle cancels its run, so no load outlives its caller.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

use super::config::LoadConfig;
use super::errors::to_pyerr;
use crate::engine::{self, Event};
use crate::error::EngineError;

type Outcome = Arc<Mutex<Option<Result<String, EngineError>>>>;

#[pyclass(frozen, module = "ddbload._engine")]
pub struct RunHandle {
    events: Arc<tokio::sync::Mutex<UnboundedReceiver<Event>>>,
    outcome: Outcome,
    cancel: CancellationToken,
    begin: Arc<tokio::sync::watch::Sender<Option<f64>>>,
}

/// Starts a run of `config` on the engine's own threads and returns at once.
#[pyfunction]
pub fn start(config: &LoadConfig) -> PyResult<RunHandle> {
    let handle = engine::start(config.inner.clone()).map_err(to_pyerr)?;
    let (cancel, begin) = (handle.cancel_token(), handle.begin_handle());
    Ok(RunHandle {
        events: Arc::new(tokio::sync::Mutex::new(handle.events)),
        outcome: Arc::default(),
        cancel,
        begin,
    })
}

/// Turns one received event into what Python sees: its JSON, or None once the run has ended.
fn absorb(event: Option<Event>, outcome: &Outcome) -> Option<String> {
    match event {
        Some(Event::Finished(result)) => {
            let json = (*result).map(|report| report.to_json());
            *outcome.lock().expect("outcome lock") = Some(json);
            None
        }
        Some(event) => Some(event.to_json()),
        None => {
            let mut slot = outcome.lock().expect("outcome lock");
            slot.get_or_insert_with(|| {
                Err(EngineError::Internal(
                    "the engine stopped without a result".into(),
                ))
            });
            None
        }
    }
}

#[pymethods]
impl RunHandle {
    /// Waits up to `timeout_s` for the next event (GIL released). Returns its JSON, or None on timeout
    /// or when the run has ended (then `done` is True).
    fn poll(&self, py: Python<'_>, timeout_s: f64) -> Option<String> {
        if self.is_done() {
            return None;
        }
        let (events, outcome) = (self.events.clone(), self.outcome.clone());
        let wait = Duration::from_secs_f64(timeout_s.clamp(0.0, 3600.0));
        py.detach(move || {
            pyo3_async_runtimes::tokio::get_runtime().block_on(async move {
                let mut rx = events.lock().await;
                match tokio::time::timeout(wait, rx.recv()).await {
                    Ok(event) => absorb(event, &outcome),
                    Err(_) => None,
                }
            })
        })
    }

    /// Awaitable: the next event's JSON, or None when the run has ended.
    fn next_event<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (events, outcome) = (self.events.clone(), self.outcome.clone());
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            if outcome.lock().expect("outcome lock").is_some() {
                return Ok(None);
            }
            let mut rx = events.lock().await;
            Ok(absorb(rx.recv().await, &outcome))
        })
    }

    /// A run configured with hold_start=True begins its load at this time (seconds since the Unix
    /// epoch; at once if it has passed). It says "ready" (a phase event) when it is waiting for it.
    fn begin_at(&self, unix_seconds: f64) {
        let _ = self.begin.send(Some(unix_seconds));
    }

    /// Asks the run to stop: no new requests; the partial result follows.
    fn cancel(&self) {
        self.cancel.cancel();
    }

    /// True once the run has ended (with a result or an error).
    #[getter]
    fn done(&self) -> bool {
        self.is_done()
    }

    /// The result JSON; raises the run's error if it failed.
    fn result(&self) -> PyResult<String> {
        match &*self.outcome.lock().expect("outcome lock") {
            Some(Ok(json)) => Ok(json.clone()),
            Some(Err(err)) => Err(to_pyerr(err.clone())),
            None => Err(PyRuntimeError::new_err("the run has not finished yet")),
        }
    }
}

impl RunHandle {
    fn is_done(&self) -> bool {
        self.outcome.lock().expect("outcome lock").is_some()
    }
}

impl Drop for RunHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
