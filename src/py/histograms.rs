//! Histogram helpers for Python (compare, thresholds, reports): merge encoded HdrHistograms and read
//! their percentiles - merged counts, never averaged percentiles.

use pyo3::prelude::*;

use super::errors::to_pyerr;
use crate::error::EngineError;
use crate::metrics::new_histogram;
use crate::report::{decode_histogram, encode_histogram};

fn decode(text: &str) -> PyResult<hdrhistogram::Histogram<u64>> {
    decode_histogram(text).ok_or_else(|| {
        to_pyerr(EngineError::Data(
            "not an HdrHistogram V2 (base64) value".into(),
        ))
    })
}

/// Merges encoded histograms (as in a result's "histograms") into one, encoded the same way.
#[pyfunction]
pub fn merge_histograms(encoded: Vec<String>) -> PyResult<String> {
    let mut merged = new_histogram();
    for text in &encoded {
        merged
            .add(decode(text)?)
            .map_err(|e| to_pyerr(EngineError::Data(format!("cannot merge histograms: {e}"))))?;
    }
    Ok(encode_histogram(&merged))
}

/// The latency summary of an encoded histogram (p50, p90, p99, p999, max, mean in milliseconds),
/// computed as the engine computes a result's: for results merged from several parts.
#[pyfunction]
pub fn histogram_summary(encoded: &str) -> PyResult<std::collections::BTreeMap<&'static str, f64>> {
    let l = crate::report::LatencyMs::from_histogram(&decode(encoded)?);
    Ok([
        ("p50", l.p50),
        ("p90", l.p90),
        ("p99", l.p99),
        ("p999", l.p999),
        ("max", l.max),
        ("mean", l.mean),
    ]
    .into())
}

/// Latency in milliseconds at each quantile (0.99 = p99) of an encoded histogram, and its count.
#[pyfunction]
pub fn histogram_quantiles(encoded: &str, quantiles: Vec<f64>) -> PyResult<(u64, Vec<f64>)> {
    let histogram = decode(encoded)?;
    let values = quantiles
        .iter()
        .map(|q| histogram.value_at_quantile(q.clamp(0.0, 1.0)) as f64 / 1000.0)
        .collect();
    Ok((histogram.len(), values))
}
