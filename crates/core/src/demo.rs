//! The bundled demo runbook (the ERP team's seed, UTF-8), opened when there is no data yet.

use crate::import::{ImportError, Imported, import_markdown};

pub const FILE_NAME: &str = "go-live-runbook.md";
pub const MARKDOWN: &str = include_str!("../demo/go-live-runbook.md");

/// The demo runbook, imported.
pub fn runbook() -> Result<Imported, ImportError> {
    import_markdown(FILE_NAME, MARKDOWN.as_bytes())
}
