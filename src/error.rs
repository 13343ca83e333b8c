//! EngineError: why a run could not start or finish, sorted the way the Python exceptions are.

use crate::config::ConfigError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    /// Bad input, found before anything was sent.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A table is missing, of an unusable shape, or empty.
    #[error("{0}")]
    Table(String),
    /// The endpoint could not be reached at all.
    #[error("{0}")]
    Endpoint(String),
    /// No usable AWS credentials.
    #[error("{0}")]
    Credentials(String),
    /// DynamoDB refused a setup call (access denied, limit exceeded, ...).
    #[error("{0}")]
    Aws(String),
    /// Cancelled before the load began: nothing was measured.
    #[error("interrupted before the load began")]
    Interrupted,
    /// Data read from a table or generated could not be represented exactly.
    #[error("{0}")]
    Data(String),
}
