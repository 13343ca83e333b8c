//! LoadConfig: the Python face of RunConfig, keyword-only, validated on construction.

use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt, PyString};
use rust_decimal::Decimal;

use super::convert::{config_err, count, extract_decimal};
use super::errors::ConfigError as ConfigErrorType;
use crate::config::{
    minutes_to_duration, parse_duration, parse_stages, parse_table_capacity, secs_to_duration,
    ConfigError, RunConfig, Stage,
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
    #[pyo3(signature = (
        *, threads=None, minutes=None, duration=None, region=None, profile=None, endpoint_url=None,
        products_table=None, orders_table=None, create_tables=false, seed_products=None, read_ratio=None,
        read_op=None, batch_size=None, consistent_reads=false, write_op=None, max_attempts=None, client=None,
        seed=None, run_id=None, price_min=None, price_max=None, max_quantity=None, max_lines=None,
        ttl_hours=None, sample_products=None, table_capacity=None, rate=None, stages=None,
        start_rate=None, max_in_flight=None, key_distribution=None, task=None, hold_start=false,
        catalog=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        threads: Option<Bound<'_, PyAny>>,
        minutes: Option<Bound<'_, PyAny>>,
        duration: Option<Bound<'_, PyAny>>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        products_table: Option<String>,
        orders_table: Option<String>,
        create_tables: bool,
        seed_products: Option<Bound<'_, PyAny>>,
        read_ratio: Option<f64>,
        read_op: Option<String>,
        batch_size: Option<Bound<'_, PyAny>>,
        consistent_reads: bool,
        write_op: Option<String>,
        max_attempts: Option<Bound<'_, PyAny>>,
        client: Option<String>,
        seed: Option<Bound<'_, PyAny>>,
        run_id: Option<String>,
        price_min: Option<Bound<'_, PyAny>>,
        price_max: Option<Bound<'_, PyAny>>,
        max_quantity: Option<Bound<'_, PyAny>>,
        max_lines: Option<Bound<'_, PyAny>>,
        ttl_hours: Option<Bound<'_, PyAny>>,
        sample_products: Option<Bound<'_, PyAny>>,
        table_capacity: Option<String>,
        rate: Option<Bound<'_, PyAny>>,
        stages: Option<Bound<'_, PyAny>>,
        start_rate: Option<Bound<'_, PyAny>>,
        max_in_flight: Option<Bound<'_, PyAny>>,
        key_distribution: Option<String>,
        task: Option<Bound<'_, PyAny>>,
        hold_start: bool,
        catalog: Option<String>,
    ) -> PyResult<Self> {
        // Errors name the keyword (`threads`), as a Python caller wrote it; the CLI flag (`--threads`)
        // stays on the exception for the command line.
        let build = move || -> PyResult<Self> {
            let mut c = RunConfig::default();
            if let Some(v) = stages {
                if minutes.is_some() || duration.is_some() {
                    return Err(config_err(ConfigError::new(
                        "--stages",
                        "the stages set the run's length: leave out minutes/duration",
                    )));
                }
                c.stages = stages_of(&v)?;
                c.duration = c.stages.iter().map(|s| s.duration).sum();
            }
            if let Some(v) = rate {
                c.rate = Some(number("--rate", &v)?);
            }
            if let Some(v) = start_rate {
                c.start_rate = number("--start-rate", &v)?;
            }
            if let Some(v) = max_in_flight {
                c.max_in_flight = count("max_in_flight", "--max-in-flight", &v)?;
            }
            if let Some(v) = key_distribution {
                c.key_distribution = v.parse().map_err(config_err)?;
            }
            c.duration = match (minutes, duration) {
                _ if !c.stages.is_empty() => c.duration,
                (Some(_), Some(_)) => {
                    return Err(config_err(ConfigError::new(
                        "--minutes",
                        "give either minutes or duration, not both",
                    )))
                }
                (Some(m), None) => {
                    minutes_to_duration(number("--minutes", &m)?).map_err(config_err)?
                }
                (None, Some(d)) if d.is_instance_of::<PyString>() => {
                    parse_duration("--duration", &d.extract::<String>()?).map_err(config_err)?
                }
                (None, Some(d)) => {
                    secs_to_duration("--duration", number("--duration", &d)?).map_err(config_err)?
                }
                (None, None) => c.duration,
            };
            if let Some(v) = threads {
                c.threads = count("threads", "--threads", &v)?;
            }
            if let Some(v) = region {
                c.connection.region = v;
            }
            c.connection.profile = profile;
            c.connection.endpoint_url = endpoint_url;
            if let Some(v) = products_table {
                c.products_table = v;
            }
            if let Some(v) = orders_table {
                c.orders_table = v;
            }
            c.create_tables = create_tables;
            if let Some(v) = seed_products {
                c.seed_products = count("seed_products", "--seed-products", &v)?;
            }
            if let Some(v) = read_ratio {
                c.read_ratio = v;
            }
            if let Some(v) = read_op {
                c.read_op = v.parse().map_err(config_err)?;
            }
            if let Some(v) = batch_size {
                c.batch_size = count("batch_size", "--batch-size", &v)?;
            }
            c.consistent_reads = consistent_reads;
            if let Some(v) = write_op {
                c.write_op = v.parse().map_err(config_err)?;
            }
            if let Some(v) = max_attempts {
                c.max_attempts = count("max_attempts", "--max-attempts", &v)?;
            }
            if let Some(v) = client {
                c.client = v.parse().map_err(config_err)?;
            }
            c.seed = seed.map(|v| count("seed", "--seed", &v)).transpose()?;
            c.run_id = run_id;
            if let Some(v) = price_min {
                c.price_min = extract_decimal("price_min", "--price-min", &v)?;
            }
            if let Some(v) = price_max {
                c.price_max = extract_decimal("price_max", "--price-max", &v)?;
            }
            if let Some(v) = max_quantity {
                c.max_quantity = count("max_quantity", "--max-quantity", &v)?;
            }
            if let Some(v) = max_lines {
                c.max_lines = count("max_lines", "--max-lines", &v)?;
            }
            if let Some(v) = ttl_hours {
                c.ttl_hours = count("ttl_hours", "--ttl-hours", &v)?;
            }
            if let Some(v) = sample_products {
                c.sample_products = count("sample_products", "--sample-products", &v)?;
            }
            if let Some(v) = table_capacity {
                c.table_capacity = parse_table_capacity(&v).map_err(config_err)?;
            }
            c.task = task.map(|v| count("task", "task", &v)).transpose()?;
            c.hold_start = hold_start;
            c.catalog = catalog;
            c.validate().map_err(config_err)?;
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

    /// The configuration as JSON, as it appears under "config" in a result.
    fn to_json(&self) -> String {
        serde_json::to_string(&self.inner).expect("config serializes")
    }

    fn __repr__(&self) -> String {
        format!("LoadConfig({})", self.to_json())
    }
}

/// A plain number (int or float) for a duration; durations are not money, so floats are fine.
fn number(option: &'static str, value: &Bound<'_, PyAny>) -> PyResult<f64> {
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
fn stages_of(value: &Bound<'_, PyAny>) -> PyResult<Vec<Stage>> {
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
