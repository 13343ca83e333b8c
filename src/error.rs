//! EngineError: why a run could not start or finish, sorted the way the Python exceptions are; and
//! ConfigError, the one for bad input. A leaf: it uses no other module of the crate.

/// A rejected input: which option (as the CLI spells it) and why, in one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{option}: {message}")]
pub struct ConfigError {
    pub option: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(option: &'static str, message: impl Into<String>) -> Self {
        Self {
            option,
            message: message.into(),
        }
    }
}

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
    /// Setup failed after it had written to DynamoDB (tables created, products seeded): not "nothing
    /// sent", so it is not bad input; `left_behind` says what remains and how to remove it.
    #[error("{cause}; left behind: {left_behind}")]
    AfterWrites {
        cause: Box<EngineError>,
        left_behind: String,
    },
    /// A failure inside ddbload itself (a thread or runtime that would not start, a task that died).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The innermost cause of an error as one line of at most `max` characters, without the wrappers'
/// debug dumps ("Connection refused (os error 111)").
pub fn root_cause(err: &(dyn std::error::Error + 'static), max: usize) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() <= max {
        text
    } else {
        text.chars().take(max.saturating_sub(3)).collect::<String>() + "..."
    }
}
