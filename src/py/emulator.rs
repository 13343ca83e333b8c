//! The offline endpoint for Python: start it on a loopback port, read its URL, stop it.

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

use ddbload_emulator::Emulator as Server;

/// A DynamoDB-compatible endpoint held in memory that throttles like DynamoDB. Stops when stopped,
/// when used as a context manager, or when garbage-collected.
#[pyclass(module = "ddbload._engine")]
pub struct Emulator {
    server: Option<Server>,
    url: String,
}

#[pymethods]
impl Emulator {
    #[new]
    #[pyo3(signature = (*, host="127.0.0.1".to_owned(), port=0, threads=1, region="us-east-1".to_owned()))]
    fn new(host: String, port: u16, threads: usize, region: String) -> PyResult<Self> {
        let server = Server::start(&host, port, threads, &region).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidInput {
                PyValueError::new_err(e.to_string())
            } else {
                PyOSError::new_err(format!("cannot serve on {host}:{port}: {e}"))
            }
        })?;
        Ok(Self {
            url: server.url(),
            server: Some(server),
        })
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
