//! Exports a runbook as Markdown (the layout it was written in, importable again), as JSON
//! (the documented schema in docs/json-schema.md) and as CSV (one row per task). Once a run
//! exists, each task's status and actual times fill the status cells and extra columns.

mod csv_out;
mod markdown;

use serde::Serialize;
use std::collections::BTreeMap;
use warroom_model::{RUNBOOK_SCHEMA, Runbook};

pub use csv_out::to_csv;
pub use markdown::to_markdown;

/// What a run knows of one task, for filling in an export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskProgress {
    /// `pending`, `active`, `done`, `skipped`, `failed`, `blocked`.
    pub status: String,
    /// Local `HH:MM` of the actual start and finish.
    pub actual_start: Option<String>,
    pub actual_finish: Option<String>,
}

impl TaskProgress {
    pub fn is_done(&self) -> bool {
        self.status == "done"
    }
}

/// Task id → progress; empty before a run.
pub type Progress = BTreeMap<warroom_model::TaskId, TaskProgress>;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("CSV output is not UTF-8: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
}

/// The JSON export: the runbook under a schema marker, and progress once a run exists.
pub fn to_json(rb: &Runbook, progress: &Progress) -> Result<String, ExportError> {
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        #[serde(flatten)]
        runbook: &'a Runbook,
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        progress: &'a Progress,
    }
    let mut s = serde_json::to_string_pretty(&Doc { schema: RUNBOOK_SCHEMA, runbook: rb, progress })?;
    s.push('\n');
    Ok(s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Format {
    Markdown,
    Json,
    Csv,
}

/// Exports in `format`.
pub fn export(rb: &Runbook, progress: &Progress, format: Format) -> Result<String, ExportError> {
    match format {
        Format::Markdown => Ok(to_markdown(rb, progress)),
        Format::Json => to_json(rb, progress),
        Format::Csv => to_csv(rb, progress),
    }
}

#[cfg(test)]
mod tests;
