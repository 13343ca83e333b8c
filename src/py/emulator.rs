//! The offline endpoint for Python: start it on a loopback port, read its URL, stop it.

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;

use ddbload_emulator::Emulator as Server;

/// A DynamoDB-compatible endpoint that throttles like DynamoDB, holding its tables in memory or, with
/// `data_dir`, on disk (kept across restarts). With `create_table_ms`, a new table stays CREATING that
/// long; with `update_table_ms`, a change of capacity keeps its table UPDATING that long, the old
/// figures serving meanwhile; with `delete_table_ms`, a deleted table is DELETING that long, as in
/// DynamoDB. Stops when stopped, when used as a context manager, or when garbage-collected.
#[pyclass(module = "ddbload._engine")]
pub struct Emulator {
    server: Option<Server>,
    url: String,
    warnings: Vec<String>,
}

#[pymethods]
impl Emulator {
    #[new]
    // Each argument is one of the Python constructor's keyword arguments.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (*, host="127.0.0.1".to_owned(), port=0, threads=1, region="us-east-1".to_owned(), data_dir=None, create_table_ms=0, update_table_ms=0, delete_table_ms=0))]
    fn new(
        py: Python<'_>,
        host: String,
        port: u16,
        threads: usize,
        region: String,
        data_dir: Option<PathBuf>,
        create_table_ms: i64,
        update_table_ms: i64,
        delete_table_ms: i64,
    ) -> PyResult<Self> {
        let create_table_ms = check_ms("create_table_ms", create_table_ms)?;
        let update_table_ms = check_ms("update_table_ms", update_table_ms)?;
        let delete_table_ms = check_ms("delete_table_ms", delete_table_ms)?;
        // Opening a data directory replays its tables and reads their items: let Python run meanwhile.
        let started = py.detach(|| match &data_dir {
            Some(dir) => Server::start_on_disk(&host, port, threads, &region, dir),
            None => Server::start(&host, port, threads, &region),
        });
        // ValueError: threads or data_dir refused (the message names which); OSError: the socket.
        let server = started.map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
                PyValueError::new_err(e.to_string())
            }
            _ => PyOSError::new_err(format!("cannot serve on {host}:{port}: {e}")),
        })?;
        server.store.set_create_table_ms(create_table_ms);
        server.store.set_update_table_ms(update_table_ms);
        server.store.set_delete_table_ms(delete_table_ms);
        Ok(Self {
            url: server.url(),
            warnings: server.warnings.clone(),
            server: Some(server),
        })
    }

    /// Milliseconds each table created from now on stays CREATING (0: ACTIVE at once).
    #[getter]
    fn create_table_ms(&self) -> u64 {
        self.server
            .as_ref()
            .map_or(0, |server| server.store.create_table_ms())
    }

    #[setter]
    fn set_create_table_ms(&self, ms: i64) -> PyResult<()> {
        let ms = check_ms("create_table_ms", ms)?;
        if let Some(server) = &self.server {
            server.store.set_create_table_ms(ms);
        }
        Ok(())
    }

    /// Milliseconds each change of capacity from now on keeps its table UPDATING (0: in force at
    /// once).
    #[getter]
    fn update_table_ms(&self) -> u64 {
        self.server
            .as_ref()
            .map_or(0, |server| server.store.update_table_ms())
    }

    #[setter]
    fn set_update_table_ms(&self, ms: i64) -> PyResult<()> {
        let ms = check_ms("update_table_ms", ms)?;
        if let Some(server) = &self.server {
            server.store.set_update_table_ms(ms);
        }
        Ok(())
    }

    /// Milliseconds each table deleted from now on stays DELETING (0: gone at once).
    #[getter]
    fn delete_table_ms(&self) -> u64 {
        self.server
            .as_ref()
            .map_or(0, |server| server.store.delete_table_ms())
    }

    #[setter]
    fn set_delete_table_ms(&self, ms: i64) -> PyResult<()> {
        let ms = check_ms("delete_table_ms", ms)?;
        if let Some(server) = &self.server {
            server.store.set_delete_table_ms(ms);
        }
        Ok(())
    }

    /// Table operations kept in `data_dir` that no longer succeeded when replayed at start.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// The endpoint URL, e.g. http://127.0.0.1:8000.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    #[getter]
    fn port(&self) -> u16 {
        self.server.as_ref().map_or(0, |s| s.addr.port())
    }

    /// Stops serving (open connections are closed).
    fn stop(&mut self, py: Python<'_>) {
        if let Some(mut server) = self.server.take() {
            py.detach(move || server.stop());
        }
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __exit__(
        &mut self,
        py: Python<'_>,
        _exc_type: Option<Bound<'_, PyAny>>,
        _exc: Option<Bound<'_, PyAny>>,
        _tb: Option<Bound<'_, PyAny>>,
    ) {
        self.stop(py);
    }
}

/// The longest CREATING, UPDATING or DELETING period offered: ten minutes (DynamoDB's take seconds to minutes).
const MAX_STATUS_MS: i64 = 600_000;

fn check_ms(name: &str, ms: i64) -> PyResult<u64> {
    u64::try_from(ms)
        .ok()
        .filter(|_| ms <= MAX_STATUS_MS)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "{name} must be between 0 and {MAX_STATUS_MS}, got {ms}"
            ))
        })
}
