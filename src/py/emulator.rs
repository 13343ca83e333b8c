//! The offline endpoint for Python: start it on a loopback port, read its URL, stop it.

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;

use ddbload_emulator::Emulator as Server;

/// A DynamoDB-compatible endpoint that throttles like DynamoDB, holding its tables in memory or, with
/// `data_dir`, on disk (kept across restarts). Stops when stopped, when used as a context manager, or
/// when garbage-collected.
#[pyclass(module = "ddbload._engine")]
pub struct Emulator {
    server: Option<Server>,
    url: String,
    warnings: Vec<String>,
}

#[pymethods]
impl Emulator {
    #[new]
    #[pyo3(signature = (*, host="127.0.0.1".to_owned(), port=0, threads=1, region="us-east-1".to_owned(), data_dir=None))]
    fn new(
        py: Python<'_>,
        host: String,
        port: u16,
        threads: usize,
        region: String,
        data_dir: Option<PathBuf>,
    ) -> PyResult<Self> {
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
        Ok(Self {
            url: server.url(),
            warnings: server.warnings.clone(),
            server: Some(server),
        })
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
