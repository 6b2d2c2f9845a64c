//! The audit record of a run: cover, summary, every phase and task with planned, actual and
//! variance, checkpoints with their sign-offs, the rollback section, incidents, metric
//! readings, the end-of-day checklist, contacts, and the full event log, with the log's digest
//! in the summary and in every page's footer. A record printed while the run is still going is
//! marked as partial. `document` lays the record out once as blocks; `html` renders them as a
//! printable page and `pdf` (in `pdf.rs`) as a PDF.

mod document;
pub mod pdf;
pub mod removed;
mod rollback;
mod when;

use crate::live::{self, LiveError, Snapshot};
use crate::store::verify::Verification;
use crate::store::{Store, StoreError};
use chrono::{DateTime, FixedOffset, Utc};
pub use document::document;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use warroom_model::api::{Paper, ReportFormat, Saved};
use warroom_model::live::{RunState, Status};
use warroom_model::{Event, Runbook};

/// Why the audit record could not be made or saved.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The database could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// There is no such run, or its picture could not be computed.
    #[error(transparent)]
    Live(#[from] LiveError),
    /// The PDF could not be laid out.
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
    /// The file could not be written.
    #[error("cannot save the audit record as {path}: {source}")]
    Save {
        /// The file it was to be saved as.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
}

/// Everything the record shows, read once.
#[derive(Debug)]
pub struct Record {
    /// The runbook as it reads now, edits included.
    pub runbook: Runbook,
    /// The run's live picture at `printed_at`.
    pub status: Status,
    /// The whole event log, in log order (every run's, and the runbook's edits).
    pub events: Vec<Event>,
    /// Whether the log is intact, and its digest.
    pub verification: Verification,
    /// When the record was made: the time its status is for.
    pub printed_at: DateTime<Utc>,
    /// Tasks removed from the runbook on which the run recorded something.
    pub removed: Vec<removed::Removed>,
}

impl Record {
    /// Reads the record of `run` (default: the current run) as of `now`.
    pub fn load(store: &Store, run: Option<&str>, now: DateTime<Utc>) -> Result<Self, ReportError> {
        let snap = Snapshot::load(store)?;
        let r = snap.run(run)?;
        let status = live::status(&snap, &r, now)?;
        let (verification, events) = store.verify_against(&snap.state)?;
        let removed = removed::removed(&snap, r.id.as_str());
        Ok(Self { runbook: snap.runbook, status, events, verification, printed_at: now, removed })
    }

    /// Still running: what is printed is not the final record.
    pub fn partial(&self) -> bool {
        !self.status.run.state.is_over()
    }

    /// How the run ended, in words.
    pub fn outcome(&self) -> &'static str {
        use warroom_model::live::RollbackDecision as D;
        match (self.status.run.state, self.status.rollback.decision) {
            (RunState::RolledBack, _) => "rolled back",
            (RunState::Active | RunState::NotStarted, Some(D::Rollback)) => "rolling back",
            (_, Some(D::Rollback)) => "rolled back",
            (RunState::Completed, Some(D::FixForward)) => "went live (fixed forward)",
            (RunState::Completed, _) => "went live",
            (RunState::Abandoned, _) => "abandoned",
            (_, Some(D::FixForward)) => "in progress (fixing forward)",
            _ => "in progress",
        }
    }

    /// People who recorded anything: name → (role, laptops).
    pub fn people(&self) -> BTreeMap<String, (String, Vec<String>)> {
        let mut out: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        for e in &self.events {
            let p = out.entry(e.author.name.clone()).or_insert_with(|| (e.author.role.clone(), Vec::new()));
            let device = e.origin.get(..8).unwrap_or(&e.origin).to_owned();
            if !p.1.contains(&device) {
                p.1.push(device);
            }
        }
        out
    }
}

/// One piece of the record, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The record's title, once, at the top.
    Title(String),
    /// A paragraph.
    Text(String),
    /// Said loudly: a partial record.
    Alert(String),
    /// A section's heading (`Summary`, `Rollback`, …).
    Heading(String),
    /// A heading within a section (a phase, an incident).
    Subheading(String),
    /// Column widths are fractions of the page's width; cells marked `strong` stand out
    /// (a late task, a missing sign-off). With `keyed`, the first column names each row.
    Table {
        /// The column headings; empty when the table has none.
        head: Vec<String>,
        /// Each column's share of the page's width; they add up to 1.
        widths: Vec<f32>,
        /// The rows, each with one cell per column.
        rows: Vec<Vec<Cell>>,
        /// The first column names each row (a label, not data).
        keyed: bool,
    },
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// What it says.
    pub text: String,
    /// Stands out: a late task, a missing sign-off.
    pub strong: bool,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self { text, strong: false }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self { text: text.to_owned(), strong: false }
    }
}

/// The record laid out once, for every format.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// The runbook's title, for the document's metadata and the first page.
    pub title: String,
    /// What every page's footer says before its page number.
    pub footer: String,
    /// The log's SHA-256 digest (hex), printed in the summary.
    pub digest: String,
    /// What the record says about itself: the PDF's document information.
    pub meta: Meta,
    /// Every block, in reading order.
    pub blocks: Vec<Block>,
}

/// What the record says about itself (a PDF's document information).
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// What the record is: an audit record of which run, on which date.
    pub subject: String,
    /// Everyone who recorded anything.
    pub authors: Vec<String>,
    /// The log's digest among them.
    pub keywords: Vec<String>,
    /// When it was printed, in the run's zone.
    pub created: DateTime<FixedOffset>,
}

/// Text for HTML: `&`, `<`, `>` and quotes escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body { font-family: "Noto Sans", "DejaVu Sans", sans-serif; font-size: 10.5pt; color: #111; margin: 24px; }
h1 { font-size: 18pt; margin: 0 0 4px; } h2 { font-size: 14pt; margin: 18px 0 6px; border-bottom: 2px solid #333; }
h3 { font-size: 11.5pt; margin: 12px 0 4px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; table-layout: fixed; }
th, td { border: 1px solid #999; padding: 3px 5px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e8e8e8; } thead { display: table-header-group; } tr { page-break-inside: avoid; }
.alert { border: 3px solid #b3261e; color: #b3261e; padding: 6px 10px; font-weight: 700; }
.strong { color: #b3261e; font-weight: 700; }
footer { position: fixed; bottom: 0; left: 0; right: 0; font-size: 8pt; color: #444; border-top: 1px solid #999; padding: 2px 24px; background: #fff; overflow-wrap: anywhere; }
@page { size: PAPER; margin: 14mm 12mm 18mm; @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; } }
@media screen { footer { position: static; margin-top: 24px; } }
"#;

/// The record in `format`, laid out for `paper`.
pub fn render(rec: &Record, format: ReportFormat, paper: Paper) -> Result<Vec<u8>, ReportError> {
    Ok(match format {
        ReportFormat::Html => html(rec, paper).into_bytes(),
        ReportFormat::Pdf => pdf::render(&document(rec), paper)?,
    })
}

/// Saves the record in `dir` under `file_name`. The file appears whole or not at all: it is
/// written aside, synced and renamed into place.
pub fn save(rec: &Record, format: ReportFormat, paper: Paper, dir: &Path) -> Result<Saved, ReportError> {
    let bytes = render(rec, format, paper)?;
    let name = file_name(rec, format);
    let path = dir.join(&name);
    let shown = path.display().to_string();
    let failed = |source| ReportError::Save { path: shown.clone(), source };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let aside = dir.join(format!(".{name}.part"));
    let written = std::fs::File::create(&aside).and_then(|mut f| {
        f.write_all(&bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&aside, &path)) {
        if let Err(r) = std::fs::remove_file(&aside) {
            tracing::warn!("could not remove the unfinished report {}: {r}", aside.display());
        }
        return Err(failed(e));
    }
    Ok(Saved { path: shown, bytes: bytes.len() as u64 })
}

/// A file name that says what the record is and when it was printed, in the run's zone:
/// `audit-record-<runbook>-<run>-<YYYYMMDD-HHMM>[-partial].pdf`.
pub fn file_name(rec: &Record, format: ReportFormat) -> String {
    let slug: String = rec
        .runbook
        .title
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => Some(c.to_ascii_lowercase()),
            _ if c.is_alphanumeric() => None,
            _ => Some('-'),
        })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .take(6)
        .collect::<Vec<_>>()
        .join("-");
    let stamp = match rec.status.run.tz.parse::<chrono_tz::Tz>() {
        Ok(tz) => rec.printed_at.with_timezone(&tz).format("%Y%m%d-%H%M").to_string(),
        Err(_) => rec.printed_at.format("%Y%m%d-%H%MZ").to_string(),
    };
    let partial = if rec.partial() { "-partial" } else { "" };
    let ext = match format {
        ReportFormat::Pdf => "pdf",
        ReportFormat::Html => "html",
    };
    format!("audit-record-{slug}-{}-{stamp}{partial}.{ext}", rec.status.run.id)
}

/// The record as a printable page (print stylesheet: page numbers, repeated table headers).
pub fn html(rec: &Record, paper: Paper) -> String {
    let doc = document(rec);
    let mut h = String::new();
    put!(
        h,
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}</style></head><body>",
        esc(&doc.title),
        STYLE.replace("PAPER", paper.css())
    );
    put!(h, "<footer>{}</footer>", esc(&doc.footer));
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                put!(h, "<h1>{}</h1>", esc(t));
            }
            Block::Text(t) => {
                put!(h, "<p>{}</p>", esc(t));
            }
            Block::Alert(t) => {
                put!(h, "<p class=\"alert\">{}</p>", esc(t));
            }
            Block::Heading(t) => {
                put!(h, "<h2>{}</h2>", esc(t));
            }
            Block::Subheading(t) => {
                put!(h, "<h3>{}</h3>", esc(t));
            }
            Block::Table { head, widths, rows, keyed } => {
                h.push_str("<table><colgroup>");
                for w in widths {
                    put!(h, "<col style=\"width:{:.1}%\">", w * 100.0);
                }
                h.push_str("</colgroup>");
                if !head.is_empty() {
                    h.push_str("<thead><tr>");
                    for c in head {
                        put!(h, "<th>{}</th>", esc(c));
                    }
                    h.push_str("</tr></thead>");
                }
                h.push_str("<tbody>");
                for row in rows {
                    h.push_str("<tr>");
                    for (i, c) in row.iter().enumerate() {
                        let tag = if *keyed && i == 0 { "th" } else { "td" };
                        let class = if c.strong { " class=\"strong\"" } else { "" };
                        put!(h, "<{tag}{class}>{}</{tag}>", esc(&c.text));
                    }
                    h.push_str("</tr>");
                }
                h.push_str("</tbody></table>");
            }
        }
    }
    h.push_str("</body></html>");
    h
}

#[cfg(test)]
mod tests;
