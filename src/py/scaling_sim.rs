//! The offline endpoint's target tracking replayed over a per-second demand, for `ddbload cost`.

use pyo3::prelude::*;
use rust_decimal::prelude::ToPrimitive;

use super::convert::extract_decimal;

/// (the provisioned figure in force each second, the seconds whose demand was above it) for `demand`
/// (Decimal units a second) under a target-tracking policy at `target_percent`, from `min` within `max`.
#[pyfunction]
pub fn simulate_autoscaling(
    demand: Vec<Bound<'_, PyAny>>,
    min: i64,
    max: i64,
    target_percent: Bound<'_, PyAny>,
) -> PyResult<(Vec<i64>, usize)> {
    let units = demand
        .iter()
        .map(|value| {
            let exact = extract_decimal("demand", "demand", value)?;
            Ok(exact.to_f64().unwrap_or(f64::MAX))
        })
        .collect::<PyResult<Vec<f64>>>()?;
    let target = extract_decimal("target_percent", "target_percent", &target_percent)?
        .to_f64()
        .unwrap_or(70.0);
    let run = ddbload_emulator::autoscaling::simulate(&units, min, max, target);
    Ok((run.provisioned, run.short_seconds))
}
