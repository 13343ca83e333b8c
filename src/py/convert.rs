//! Python values to exact Rust ones: Decimal money (floats refused, over-long digits an error) and
//! integers range-checked into ConfigErrors rather than OverflowErrors.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use rust_decimal::Decimal;

use super::errors::to_pyerr;
use crate::config::parse_decimal_exact;
use crate::error::ConfigError;
use crate::error::EngineError;

pub fn config_err(err: ConfigError) -> PyErr {
    to_pyerr(EngineError::Config(err))
}

/// Money: decimal.Decimal, int or str. A float is a TypeError naming the field.
pub fn extract_decimal(
    field: &str,
    option: &'static str,
    value: &Bound<'_, PyAny>,
) -> PyResult<Decimal> {
    let py = value.py();
    if value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{field} must be a decimal.Decimal (or an int or str), not {}: a binary float cannot \
             hold money exactly; write Decimal(\"{}\")",
            value.get_type().name()?,
            value.str()?
        )));
    }
    let text: String = if value.is_instance_of::<PyInt>() {
        value.str()?.extract()?
    } else if value.is_instance_of::<PyString>() {
        value.extract()?
    } else if value.is_instance(&py.import("decimal")?.getattr("Decimal")?)? {
        if !value.call_method0("is_finite")?.extract::<bool>()? {
            return Err(config_err(ConfigError::new(
                option,
                format!("must be a finite number, got {}", value.str()?),
            )));
        }
        // Fixed-point form: str(Decimal("1E+2")) is "1E+2", format(..., "f") is "100".
        py.import("builtins")?
            .getattr("format")?
            .call1((value, "f"))?
            .extract()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "{field} must be a decimal.Decimal (or an int or str), not {}",
            value.get_type().name()?
        )));
    };
    parse_decimal_exact(option, &text).map_err(config_err)
}

/// A count: an int (not a bool, not a float) that fits `T`, else TypeError or a ConfigError naming
/// the option - never an OverflowError. The real bounds are checked later by RunConfig::validate.
pub fn count<T: TryFrom<i128>>(
    field: &str,
    option: &'static str,
    value: &Bound<'_, PyAny>,
) -> PyResult<T> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{field} must be an int, not {}",
            value.get_type().name()?
        )));
    }
    // Past i128 is out of every range anyway.
    let wide = value.extract::<i128>().unwrap_or(i128::MAX);
    T::try_from(wide).map_err(|_| match value.str() {
        Ok(text) => config_err(ConfigError::new(
            option,
            format!("must be a non-negative whole number in range, got {text}"),
        )),
        Err(err) => err,
    })
}
