//! Typed errors of the library. The binary adds context and maps them to exit codes (2 for all of them;
//! 1 is reserved for `--check` drift, which is not an error).

use std::path::PathBuf;

/// A problem with one input: which file, which line (JSON Lines), which JSON path, what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {path}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct InputError {
    pub file: String,
    pub line: Option<u64>,
    /// JSON path, `$` for the document root.
    pub path: String,
    pub message: String,
}

impl InputError {
    pub fn new(
        file: impl Into<String>,
        line: Option<u64>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            line,
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} input error(s)", .0.len())]
    Inputs(Vec<InputError>),
    #[error("{0}")]
    Plan(String),
    #[error("rendering template {template}")]
    Render {
        template: String,
        #[source]
        source: tera::Error,
    },
    #[error("{path}: {message}")]
    Output { path: PathBuf, message: String },
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
