//! `check_workload`: a workload file's JSON form compiled by the engine, so Python can place the
//! engine's findings at their line and column before a LoadConfig is built.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::plan::Plan;
use crate::workload::keys::KeyDistribution;

/// Compiles the workload (JSON text); a mistake is a ValueError "workload.<path>: why".
#[pyfunction]
pub fn check_workload(workload: &str) -> PyResult<()> {
    let value: serde_json::Value = serde_json::from_str(workload)
        .map_err(|e| PyValueError::new_err(format!("workload: not JSON: {e}")))?;
    Plan::compile(&value, KeyDistribution::default())
        .map(|_| ())
        .map_err(|e| PyValueError::new_err(e.to_string()))
}
