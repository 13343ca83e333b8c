//! LoadConfig: the Python face of RunConfig, keyword-only, validated on construction.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt, PyString};
use rust_decimal::Decimal;

use super::convert::config_err;
use super::errors::ConfigError as ConfigErrorType;
use super::run_options::{self, RUN_OPTIONS};
use crate::config::{
    parse_duration, parse_stages, secs_to_duration, ConfigError, RunConfig, Stage,
};

/// A ConfigError from LoadConfig as a Python caller reads it: "threads: must be ..." instead of
/// "--threads: must be ...", keeping `option` (the CLI flag) and `reason` (set by `to_pyerr`).
fn keyword_form(py: Python<'_>, err: PyErr) -> PyErr {
    if !err.is_instance_of::<ConfigErrorType>(py) {
        return err;
    }
    let value = err.value(py);
    let read = |name: &str| value.getattr(name).and_then(|v| v.extract::<String>());
    let (Ok(option), Ok(reason)) = (read("option"), read("reason")) else {
        return err;
    };
    let Some(flag) = option.strip_prefix("--") else {
        return err;
    };
    let rewritten = ConfigErrorType::new_err(format!("{}: {reason}", flag.replace('-', "_")));
    let new_value = rewritten.value(py);
    if new_value.setattr("option", &option).is_err()
        || new_value.setattr("reason", &reason).is_err()
    {
        return err;
    }
    rewritten
}

/// A validated load-test configuration. Every argument is keyword-only; bad values raise
/// ddbload.ConfigError (or TypeError for a float given as money) and nothing is sent.
#[pyclass(frozen, module = "ddbload._engine")]
#[derive(Clone)]
pub struct LoadConfig {
    pub inner: RunConfig,
}

#[pymethods]
impl LoadConfig {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        // Errors name the keyword (`threads`), as a Python caller wrote it; the CLI flag (`--threads`)
        // stays on the exception for the command line.
        let build = || -> PyResult<Self> {
            let mut c = RunConfig::default();
            let Some(options) = options else {
                return Ok(Self { inner: c });
            };
            let mut given = Vec::with_capacity(options.len());
            for (key, value) in options.iter() {
                let key: String = key.extract()?;
                let Some(index) = run_options::position(&key) else {
                    return Err(PyTypeError::new_err(format!(
                        "LoadConfig() got an unexpected keyword argument '{key}'"
                    )));
                };
                if !value.is_none() {
                    given.push((index, value));
                }
            }
            check_span(&given)?;
            check_model(&given)?;
            // In the table's order, whatever the caller's: the first bad value found is the same one.
            given.sort_by_key(|(index, _)| *index);
            for (index, value) in &given {
                let option = &RUN_OPTIONS[*index];
                (option.apply)(&mut c, value, option.keyword, option.flag)?;
            }
            c.validate().map_err(config_err)?;
            c.rate_changes = run_options::rate_changes(py, &c)?;
            Ok(Self { inner: c })
        };
        build().map_err(|err| keyword_form(py, err))
    }

    /// This config's task in a distributed run (None: a run of its own).
    #[getter]
    fn task(&self) -> Option<u32> {
        self.inner.task
    }
    #[getter]
    fn threads(&self) -> u32 {
        self.inner.threads
    }
    #[getter]
    fn duration_s(&self) -> f64 {
        self.inner.duration.as_secs_f64()
    }
    #[getter]
    fn region(&self) -> &str {
        &self.inner.connection.region
    }
    #[getter]
    fn endpoint_url(&self) -> Option<&str> {
        self.inner.connection.endpoint_url.as_deref()
    }
    #[getter]
    fn products_table(&self) -> &str {
        &self.inner.products_table
    }
    #[getter]
    fn orders_table(&self) -> &str {
        &self.inner.orders_table
    }
    #[getter]
    fn read_ratio(&self) -> f64 {
        self.inner.read_ratio
    }
    #[getter]
    fn run_id(&self) -> Option<&str> {
        self.inner.run_id.as_deref()
    }
    #[getter]
    fn seed(&self) -> Option<u64> {
        self.inner.seed
    }
    #[getter]
    fn price_min(&self) -> Decimal {
        self.inner.price_min
    }
    #[getter]
    fn price_max(&self) -> Decimal {
        self.inner.price_max
    }
    /// Open model: the constant arrival rate, if one was given.
    #[getter]
    fn rate(&self) -> Option<f64> {
        self.inner.rate
    }
    /// True when arrivals follow a schedule (rate or stages) rather than workers in a loop.
    #[getter]
    fn open_model(&self) -> bool {
        self.inner.is_open_model()
    }
    #[getter]
    fn profile(&self) -> Option<&str> {
        self.inner.connection.profile.as_deref()
    }
    /// The GameDay timeline `ddbload.run` carries out (from `timeline`, or the workload file's own), as
    /// ddbload.gameday_plan encoded it: {"source", "entries"}; None without one.
    #[getter]
    fn timeline<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .timeline
            .as_ref()
            .map(|t| py.import("json")?.call_method1("loads", (&t.encoded,)))
            .transpose()
    }

    /// The configuration as JSON, as it appears under "config" in a result.
    fn to_json(&self) -> String {
        serde_json::to_string(&self.inner).expect("config serializes")
    }

    fn __repr__(&self) -> String {
        format!("LoadConfig({})", self.to_json())
    }
}

/// Whether the caller gave `keyword` (a value other than None).
fn gives(given: &[(usize, Bound<'_, PyAny>)], keyword: &str) -> bool {
    given
        .iter()
        .any(|(i, _)| RUN_OPTIONS[*i].keyword == keyword)
}

/// The run's length comes from one of minutes, duration or stages.
fn check_span(given: &[(usize, Bound<'_, PyAny>)]) -> PyResult<()> {
    let has = |keyword: &str| gives(given, keyword);
    if has("stages") && (has("minutes") || has("duration")) {
        return Err(config_err(ConfigError::new(
            "--stages",
            "the stages set the run's length: leave out minutes/duration",
        )));
    }
    if has("minutes") && has("duration") {
        return Err(config_err(ConfigError::new(
            "--minutes",
            "give either minutes or duration, not both",
        )));
    }
    Ok(())
}

/// Options of one load model only are refused in the other, instead of being silently ignored.
fn check_model(given: &[(usize, Bound<'_, PyAny>)]) -> PyResult<()> {
    let has = |keyword: &str| gives(given, keyword);
    let open = has("rate") || has("stages") || has("_replay");
    let refused = if open && has("threads") {
        Some((
            "--threads",
            "an open-model run (--rate or --stages) has no workers: arrivals follow the schedule and \
             --max-in-flight bounds what is on the wire; leave out --threads",
        ))
    } else if !open && has("max_in_flight") {
        Some((
            "--max-in-flight",
            "only an open-model run (--rate or --stages) has arrivals in flight; closed workers have \
             one each (--threads)",
        ))
    } else if !has("stages") && has("start_rate") {
        Some((
            "--start-rate",
            "only --stages ramps from a start rate; give --stages",
        ))
    } else {
        None
    };
    match refused {
        Some((flag, reason)) => Err(config_err(ConfigError::new(flag, reason))),
        None => Ok(()),
    }
}

/// A plain number (int or float) for a duration; durations are not money, so floats are fine.
pub fn number(option: &'static str, value: &Bound<'_, PyAny>) -> PyResult<f64> {
    if value.is_instance_of::<pyo3::types::PyBool>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{option} must be a number, not bool"
        )));
    }
    if value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>() {
        return value.extract();
    }
    Err(config_err(ConfigError::new(
        option,
        format!("expected a number, got {}", value.repr()?),
    )))
}

/// Stages as text ("2m:1000,30s:8000") or a list of (duration, rate) pairs, the duration as text
/// ("2m") or seconds.
/// More stages than any event shape needs; also what stops an endless iterator.
const MAX_STAGES: usize = 1000;

pub fn stages_of(value: &Bound<'_, PyAny>) -> PyResult<Vec<Stage>> {
    if value.is_instance_of::<PyString>() {
        return parse_stages(&value.extract::<String>()?).map_err(config_err);
    }
    let bad = || {
        config_err(ConfigError::new(
            "--stages",
            format!(
                "expected \"2m:1000,30s:8000\" or [(\"2m\", 1000), ...], got {}",
                value.repr().map(|r| r.to_string()).unwrap_or_default()
            ),
        ))
    };
    let mut out = Vec::new();
    for pair in value.try_iter().map_err(|_| bad())? {
        if out.len() == MAX_STAGES {
            // An endless iterator must not hang the caller.
            return Err(config_err(ConfigError::new(
                "--stages",
                format!("at most {MAX_STAGES} stages"),
            )));
        }
        let (duration, target): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
            pair?.extract().map_err(|_| bad())?;
        let duration = if duration.is_instance_of::<PyString>() {
            parse_duration("--stages", &duration.extract::<String>()?).map_err(config_err)?
        } else {
            secs_to_duration("--stages", number("--stages", &duration)?).map_err(config_err)?
        };
        let target = number("--stages", &target)?;
        if !(target.is_finite() && target >= 0.0) {
            return Err(bad());
        }
        out.push(Stage { duration, target });
    }
    if out.is_empty() {
        return Err(bad());
    }
    Ok(out)
}
