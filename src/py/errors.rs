//! The exception hierarchy under ddbload.DdbLoadError, and the one conversion from EngineError.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;

use crate::error::EngineError;

create_exception!(
    ddbload._engine,
    DdbLoadError,
    PyException,
    "Base of every ddbload error."
);
create_exception!(
    ddbload._engine,
    ConfigError,
    DdbLoadError,
    "Bad input; nothing was sent."
);
create_exception!(
    ddbload._engine,
    TableError,
    DdbLoadError,
    "A table is missing, empty or unusable."
);
create_exception!(
    ddbload._engine,
    EndpointError,
    DdbLoadError,
    "The DynamoDB endpoint cannot be reached."
);
create_exception!(
    ddbload._engine,
    CredentialsError,
    DdbLoadError,
    "No usable AWS credentials."
);
create_exception!(
    ddbload._engine,
    AwsError,
    DdbLoadError,
    "DynamoDB refused a setup call."
);
create_exception!(
    ddbload._engine,
    DataError,
    DdbLoadError,
    "A value cannot be represented exactly."
);
create_exception!(
    ddbload._engine,
    PartialSetupError,
    DdbLoadError,
    "Setup failed after it had written to DynamoDB; the message says what was left behind."
);
create_exception!(
    ddbload._engine,
    InternalError,
    DdbLoadError,
    "A failure inside ddbload itself."
);

pub fn to_pyerr(err: EngineError) -> PyErr {
    let text = err.to_string();
    match err {
        EngineError::Config(config) => with_option(ConfigError::new_err(text), &config),
        EngineError::Table(_) => TableError::new_err(text),
        EngineError::Endpoint(_) => EndpointError::new_err(text),
        EngineError::Credentials(_) => CredentialsError::new_err(text),
        EngineError::Aws(_) => AwsError::new_err(text),
        EngineError::Data(_) => DataError::new_err(text),
        EngineError::AfterWrites { .. } => PartialSetupError::new_err(text),
        EngineError::Internal(_) => InternalError::new_err(text),
        EngineError::Interrupted => PyKeyboardInterrupt::new_err(text),
    }
}

/// A ConfigError carries the option it names (`.option`, as the CLI spells it) and why (`.reason`), so
/// callers need not take the message apart.
fn with_option(err: PyErr, config: &crate::error::ConfigError) -> PyErr {
    Python::attach(|py| {
        let value = err.value(py);
        // Setting attributes on a fresh exception instance cannot fail short of memory exhaustion; the
        // message alone still names the option then.
        let _ = value.setattr("option", config.option);
        let _ = value.setattr("reason", &config.message);
    });
    err
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("DdbLoadError", py.get_type::<DdbLoadError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("TableError", py.get_type::<TableError>())?;
    m.add("EndpointError", py.get_type::<EndpointError>())?;
    m.add("CredentialsError", py.get_type::<CredentialsError>())?;
    m.add("AwsError", py.get_type::<AwsError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("PartialSetupError", py.get_type::<PartialSetupError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}
