//! What crosses the boundary between the UI and a backend (Tauri commands or `warroom serve`):
//! typed results and a typed error, never a bare string.

use crate::runbook::Runbook;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure, so the UI can choose what to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request cannot be met as given (bad input, a refused import).
    Invalid,
    /// Nothing to show yet (no runbook imported).
    NotFound,
    /// The database cannot be used (read-only, corrupt, newer, disk full).
    Storage,
    /// The backend could not be reached.
    Unavailable,
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// The runbook a backend holds, and whether it is the bundled demo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loaded {
    pub runbook: Runbook,
    pub is_demo: bool,
}
