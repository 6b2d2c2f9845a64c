//! Markdown runbook import. Decodes and repairs the bytes, reads them with a real Markdown
//! parser, and recognises sections and table columns by meaning (English and Vietnamese, any
//! order, extra columns kept). Either the whole runbook comes back with a report of warnings,
//! or an error lists every problem with its line: nothing half-imported.

pub(crate) mod blocks;
pub mod json;
mod sheet;
mod table;
pub mod times;
pub(crate) mod vocab;

use crate::encoding::{self, DecodeError};
use blocks::{Block, Inline, Kind};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
pub use table::parse_condition;
use vocab::{Key, Section, fold};
use warroom_model::{ChecklistItem, CommandRef, Field, RawSection, RollbackStep, Runbook, Window};

/// Larger files are refused: a real runbook is a few hundred kilobytes at most.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Something at a line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The line in the file, from 1.
    pub line: usize,
    /// What is wrong there, in English (`` `25:99` is not a time: … ``).
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What an import did, for the person who ran it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The file's name as given, for messages.
    pub file: String,
    /// Set when the text was repaired (double-encoded UTF-8) or transcoded (UTF-16).
    pub repaired: Option<String>,
    /// What was let through but deserves a look (an unknown table, a task without an owner).
    pub warnings: Vec<Diagnostic>,
    /// How many phases were read.
    pub phases: usize,
    /// How many tasks were read, checkpoints included.
    pub tasks: usize,
    /// How many of those tasks are checkpoints.
    pub checkpoints: usize,
    /// How many emergency contacts were read.
    pub contacts: usize,
    /// How many rollback steps were read.
    pub rollback_steps: usize,
    /// How many metrics were read.
    pub metrics: usize,
}

impl ImportReport {
    fn new(file: &str, repaired: Option<String>, warnings: Vec<Diagnostic>, rb: &Runbook) -> Self {
        Self {
            file: file.into(),
            repaired,
            warnings,
            phases: rb.phases.len(),
            tasks: rb.tasks().count(),
            checkpoints: rb.tasks().filter(|t| t.checkpoint).count(),
            contacts: rb.contacts.len(),
            rollback_steps: rb.rollback.steps.len(),
            metrics: rb.metrics.len(),
        }
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} phases, {} tasks ({} checkpoints), {} contacts, {} rollback steps, {} metrics",
            self.file, self.phases, self.tasks, self.checkpoints, self.contacts, self.rollback_steps, self.metrics
        )?;
        if let Some(r) = &self.repaired {
            writeln!(f, "note: {r}")?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {}:{}: {}", self.file, w.line, w.message)?;
        }
        Ok(())
    }
}

/// Why a file was not imported; nothing of it was.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    /// The bytes are not text in an encoding warroom reads.
    #[error("{file}: {err}")]
    Decode {
        /// The file's name as given.
        file: String,
        /// What was wrong with the bytes.
        err: DecodeError,
    },
    /// The file is larger than `MAX_BYTES`.
    #[error("{file}: the file is {size} bytes; runbooks larger than {limit} bytes are refused")]
    TooLarge {
        /// The file's name as given.
        file: String,
        /// Its size, in bytes.
        size: usize,
        /// The largest size accepted, in bytes.
        limit: usize,
    },
    /// No table with a time column and a task column: this is not a runbook.
    #[error(
        "{file}: no timeline found: expected a table with a time column and a task column, such as `| Time | Task | Owner | Status |`"
    )]
    NoTimeline {
        /// The file's name as given.
        file: String,
    },
    /// The file reads as a runbook but has problems, each at its line.
    #[error("{file}: {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  {file}:{}: {}", p.line, p.message)).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The file's name as given.
        file: String,
        /// Every problem found, in line order.
        problems: Vec<Diagnostic>,
    },
}

/// A runbook and the report of its import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The runbook read.
    pub runbook: Runbook,
    /// What was read, repaired and warned about.
    pub report: ImportReport,
}

/// Imports a Markdown runbook from its bytes; `file` names it in messages.
pub fn import_markdown(file: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge { file: file.into(), size: bytes.len(), limit: MAX_BYTES });
    }
    let decoded = encoding::decode(bytes).map_err(|err| ImportError::Decode { file: file.into(), err })?;
    let repaired = match (decoded.repair_note(), decoded.source_encoding) {
        (Some(note), _) => Some(note),
        (None, Some(enc)) => Some(format!("decoded from {enc}")),
        (None, None) => None,
    };
    let mut b = Builder::new(file, &decoded.text);
    b.run();
    b.finish(repaired)
}

/// Imports a runbook file: a spreadsheet (by its name), Markdown, or the JSON export (recognised
/// by its opening brace).
pub fn import_file(file: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    if sheet::is_sheet(file, bytes) {
        return sheet::import_sheet(file, bytes);
    }
    let starts_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !starts_json {
        return import_markdown(file, bytes);
    }
    json::import_json(file, bytes)
}

struct Builder<'a> {
    file: &'a str,
    text: &'a str,
    blocks: Vec<Block>,
    consumed: Vec<bool>,
    rb: Runbook,
    warnings: Vec<Diagnostic>,
    problems: Vec<Diagnostic>,
    section: Option<Section>,
    section_level: u8,
    sub: Option<Section>,
    /// The last heading, and whether a phase was made from it.
    heading: Option<(String, u8, usize, Option<String>, bool)>,
    /// Timeline position, for putting times after midnight on the next day.
    last_minutes: Option<u32>,
    day: u8,
    runbook_id: Option<String>,
}

fn diag(line: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic { line, message: message.into() }
}

const PHASE_WORDS: &[&str] = &["phase", "stage", "giai doan", "buoc", "step", "wave", "dot", "part", "phan"];

impl<'a> Builder<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        let blocks = blocks::parse(text);
        let consumed = vec![false; blocks.len()];
        Self {
            file,
            text,
            blocks,
            consumed,
            rb: Runbook::default(),
            warnings: Vec::new(),
            problems: Vec::new(),
            section: None,
            section_level: 0,
            sub: None,
            heading: None,
            last_minutes: None,
            day: 0,
            runbook_id: None,
        }
    }

    fn ctx(&self) -> Option<Section> {
        self.sub.or(self.section)
    }

    fn label(&mut self, key: &str, words: &str) {
        if !self.rb.labels.iter().any(|f| f.name == key) {
            self.rb.labels.push(Field { name: key.into(), value: words.into() });
        }
    }

    fn run(&mut self) {
        let blocks = std::mem::take(&mut self.blocks);
        for (i, block) in blocks.iter().enumerate() {
            let used = match &block.kind {
                Kind::Heading { level, text, id } => self.on_heading(*level, text, id.clone(), block.line),
                Kind::Para(lines) => self.on_para(lines),
                Kind::Table { header, header_cells, rows } => self.on_table(header, *header_cells, rows, block.line),
                Kind::Code { text } => self.on_code(text, block.line),
                Kind::List { items } => self.on_list(items),
                Kind::Html { text } => self.on_html(text),
                Kind::Rule => true,
            };
            self.consumed[i] = used;
        }
        self.blocks = blocks;
    }

    fn on_html(&mut self, html: &str) -> bool {
        let t = html.trim();
        if let Some(rest) = t.strip_prefix("<!--").and_then(|r| r.strip_suffix("-->"))
            && let Some(id) = rest.trim().strip_prefix("warroom:runbook")
        {
            self.runbook_id = Some(id.trim().to_owned());
            return true;
        }
        false
    }

    fn on_heading(&mut self, level: u8, text: &Inline, id: Option<String>, line: usize) -> bool {
        let words = text.plain.clone();
        if level == 1 && self.rb.title.is_empty() {
            self.rb.title = words;
            return true;
        }
        let is_phase = is_phase_heading(&words);
        match (is_phase, vocab::section(&words)) {
            (false, Some(kind)) => {
                self.label(kind.key(), &words);
                let top = matches!(
                    kind,
                    Section::Overview
                        | Section::Contacts
                        | Section::Timeline
                        | Section::Rollback
                        | Section::Monitoring
                        | Section::Commands
                ) || self.section.is_none()
                    || level <= self.section_level;
                if top {
                    self.section = Some(kind);
                    self.section_level = level;
                    self.sub = None;
                } else {
                    self.sub = Some(kind);
                }
                self.heading = Some((words, level, line, id, true));
            }
            _ => {
                if level <= self.section_level {
                    self.section = None;
                    self.section_level = level;
                }
                self.sub = None;
                self.heading = Some((words, level, line, id, false));
            }
        }
        true
    }

    fn on_para(&mut self, lines: &[(Inline, usize)]) -> bool {
        let mut used = false;
        let preamble = matches!(self.ctx(), None | Some(Section::Overview));
        for (inline, line) in lines {
            if self.ctx() == Some(Section::Deadline) {
                self.deadline_line(&inline.plain);
                used = true;
                continue;
            }
            let Some((k, value)) = key_value(inline) else {
                continue;
            };
            match vocab::key(&k) {
                Some(key) => {
                    used |= self.overview_key(key, &k, &value, *line);
                }
                None if preamble && inline.lead_strong.is_some() => {
                    self.rb.overview.push(Field { name: k, value });
                    used = true;
                }
                None => {}
            }
        }
        used
    }

    fn overview_key(&mut self, key: Key, words: &str, value: &str, line: usize) -> bool {
        self.label(key.key(), words);
        match key {
            Key::Version => self.rb.version = Some(value.into()),
            Key::Date => self.rb.date = Some(value.into()),
            Key::GoLiveDay => self.rb.go_live_day = Some(value.into()),
            Key::Hypercare => {
                self.rb.hypercare = Some(value.into());
                self.rb.hypercare_hours = times::parse_duration(value).map(|m| m / 60);
            }
            Key::Window => match times::parse_range(value) {
                Ok(r) => {
                    let end_day = u8::from(r.end <= r.start);
                    self.rb.window = Some(Window { start: r.start, end: r.end, end_day });
                }
                Err(e) => self.problems.push(diag(line, format!("go-live window: {}", e.0))),
            },
        }
        true
    }

    fn deadline_line(&mut self, text: &str) {
        if self.rb.rollback.deadline.is_none()
            && let Some(t) = times::find_time(text)
        {
            self.rb.rollback.deadline = Some(t);
            self.rb.rollback.deadline_day = u8::from(self.rb.window.as_ref().is_some_and(|w| t < w.start));
        }
        self.rb.rollback.deadline_notes.push(text.to_owned());
    }

    fn on_code(&mut self, code: &str, line: usize) -> bool {
        match self.ctx() {
            Some(Section::RollbackSteps | Section::Rollback) => {
                self.steps_from_code(code, line);
                true
            }
            Some(Section::Commands) => {
                self.commands_from_code(code);
                true
            }
            _ => false,
        }
    }

    fn steps_from_code(&mut self, code: &str, line: usize) {
        for raw in code.lines() {
            let l = raw.trim();
            if l.is_empty() {
                continue;
            }
            if let Some(comment) = l.strip_prefix('#') {
                let comment = comment.trim();
                if let Some(title) = numbered(comment) {
                    let n = self.rb.rollback.steps.len() + 1;
                    let (title, duration_min) = times::split_duration_suffix(title);
                    self.rb.rollback.steps.push(RollbackStep {
                        id: format!("r{n}"),
                        title,
                        duration_min,
                        ..RollbackStep::default()
                    });
                } else if let Some(step) = self.rb.rollback.steps.last_mut() {
                    step.notes.push(comment.to_owned());
                } else {
                    self.warnings
                        .push(diag(line, format!("comment `{comment}` before the first rollback step ignored")));
                }
            } else if let Some(step) = self.rb.rollback.steps.last_mut() {
                step.commands.push(l.to_owned());
            } else {
                let n = self.rb.rollback.steps.len() + 1;
                self.rb.rollback.steps.push(RollbackStep {
                    id: format!("r{n}"),
                    title: l.to_owned(),
                    commands: vec![l.to_owned()],
                    ..RollbackStep::default()
                });
            }
        }
    }

    fn commands_from_code(&mut self, code: &str) {
        let mut label = String::new();
        let mut pending = String::new();
        for raw in code.lines() {
            let l = raw.trim_end();
            if l.trim().is_empty() {
                continue;
            }
            if let Some(c) = l.trim_start().strip_prefix('#') {
                label = c.trim().to_owned();
                continue;
            }
            if !pending.is_empty() {
                pending.push('\n');
            }
            pending.push_str(l.trim());
            if !l.ends_with('\\') {
                let n = self.rb.commands.len() + 1;
                self.rb.commands.push(CommandRef {
                    id: format!("x{n}"),
                    label: label.clone(),
                    command: std::mem::take(&mut pending),
                });
            }
        }
    }

    fn on_list(&mut self, items: &[blocks::Item]) -> bool {
        let ctx = self.ctx();
        let all_tasks = items.iter().all(|i| i.checked.is_some());
        match ctx {
            Some(Section::Deadline) => {
                for it in items {
                    self.deadline_line(&it.inline.plain);
                }
                true
            }
            Some(Section::RollbackSteps) => {
                for it in items {
                    let n = self.rb.rollback.steps.len() + 1;
                    let (title, duration_min) = times::split_duration_suffix(&it.inline.text);
                    self.rb.rollback.steps.push(RollbackStep {
                        id: format!("r{n}"),
                        title,
                        commands: it.inline.codes.clone(),
                        notes: Vec::new(),
                        duration_min,
                    });
                }
                true
            }
            Some(Section::Commands) => {
                for it in items.iter().filter(|i| !i.inline.codes.is_empty()) {
                    let n = self.rb.commands.len() + 1;
                    let label = it.inline.plain.split(':').next().unwrap_or_default().trim().to_owned();
                    self.rb.commands.push(CommandRef {
                        id: format!("x{n}"),
                        label,
                        command: it.inline.codes.join("\n"),
                    });
                }
                true
            }
            Some(Section::Checklist) => {
                self.checklist(items);
                true
            }
            Some(Section::Overview) | None if !all_tasks => {
                let mut used = false;
                for it in items {
                    if let Some((k, v)) = key_value(&it.inline)
                        && let Some(key) = vocab::key(&k)
                    {
                        used |= self.overview_key(key, &k, &v, it.line);
                    }
                }
                used
            }
            _ if all_tasks && !ctx.is_some_and(Section::is_rollback_part) => {
                self.checklist(items);
                true
            }
            _ => false,
        }
    }

    fn checklist(&mut self, items: &[blocks::Item]) {
        for it in items {
            let n = self.rb.checklist.len() + 1;
            self.rb.checklist.push(ChecklistItem {
                id: format!("k{n}"),
                text: it.inline.text.clone(),
                checked: it.checked.unwrap_or(false),
            });
        }
    }

    fn finish(mut self, repaired: Option<String>) -> Result<Imported, ImportError> {
        if self.rb.title.is_empty() {
            let stem = std::path::Path::new(self.file)
                .file_stem()
                .map_or_else(|| "Runbook".to_owned(), |s| s.to_string_lossy().into_owned());
            self.warnings.push(diag(1, format!("no `# Title` heading; using `{stem}`")));
            self.rb.title = stem;
        }
        self.keep_unrecognised();
        let mut seen = std::collections::HashMap::new();
        for t in self.rb.tasks() {
            if let Some(first) = seen.insert(t.id.clone(), t.title.clone()) {
                self.problems.push(diag(1, format!("task id `{}` is used twice (`{first}` and `{}`)", t.id, t.title)));
            }
        }
        for t in self.rb.tasks() {
            for a in &t.after {
                if !seen.contains_key(a) {
                    self.problems.push(diag(1, format!("task `{}` waits for `{a}`, which is not a task id", t.id)));
                }
            }
        }
        for p in &self.rb.phases {
            if p.tasks.is_empty() {
                self.warnings.push(diag(1, format!("phase `{}` has no tasks", p.display_name())));
            }
        }
        if !self.problems.is_empty() {
            self.problems.sort_by_key(|p| p.line);
            return Err(ImportError::Invalid { file: self.file.into(), problems: self.problems });
        }
        if self.rb.tasks().next().is_none() {
            return Err(ImportError::NoTimeline { file: self.file.into() });
        }
        self.rb.phases.retain(|p| !p.tasks.is_empty());
        self.rb.id = self.runbook_id.take().unwrap_or_else(|| {
            let digest = Sha256::digest(self.text.as_bytes());
            hex::encode(&digest[..8])
        });
        let rb = self.rb;
        let report = ImportReport::new(self.file, repaired, self.warnings, &rb);
        Ok(Imported { runbook: rb, report })
    }

    /// Sections with content the importer did not use are kept verbatim for export.
    fn keep_unrecognised(&mut self) {
        let mut heading: Option<String> = None;
        let mut body: Vec<String> = Vec::new();
        let mut sections: Vec<(Option<String>, Vec<String>, usize)> = Vec::new();
        let mut first_line = 1;
        for (i, b) in self.blocks.iter().enumerate() {
            if let Kind::Heading { level, text, .. } = &b.kind {
                if !body.is_empty() {
                    sections.push((heading.take(), std::mem::take(&mut body), first_line));
                }
                heading = Some(format!("{} {}", "#".repeat(usize::from(*level)), text.text));
                continue;
            }
            if !self.consumed[i] && !matches!(b.kind, Kind::Rule) {
                if body.is_empty() {
                    first_line = b.line;
                }
                body.push(self.text[b.range.clone()].trim_end().to_owned());
            }
        }
        if !body.is_empty() {
            sections.push((heading, body, first_line));
        }
        for (heading, body, line) in sections {
            let n = self.rb.appendix.len() + 1;
            let heading = heading.unwrap_or_default();
            self.warnings.push(diag(
                line,
                format!(
                    "content under `{}` was not recognised; it is kept as written",
                    heading.trim_start_matches('#').trim()
                ),
            ));
            self.rb.appendix.push(RawSection { id: format!("a{n}"), heading, markdown: body.join("\n\n") });
        }
    }
}

/// `**Key**: value` or `Key: value`.
fn key_value(inline: &Inline) -> Option<(String, String)> {
    let plain = inline.plain.trim();
    if let Some(strong) = &inline.lead_strong {
        let key = strong.trim_end_matches(':').trim();
        let rest = plain.strip_prefix(strong.as_str())?.trim_start();
        let value = rest.strip_prefix(':').unwrap_or(rest).trim();
        if !key.is_empty() && (strong.ends_with(':') || rest.starts_with(':')) {
            return Some((key.to_owned(), value.to_owned()));
        }
        return None;
    }
    let (k, v) = plain.split_once(':')?;
    (k.chars().count() <= 40 && !k.trim().is_empty()).then(|| (k.trim().to_owned(), v.trim().to_owned()))
}

fn is_phase_heading(heading: &str) -> bool {
    let f = fold(heading);
    let numbered = PHASE_WORDS.iter().any(|w| {
        f.strip_prefix(w).and_then(|r| r.strip_prefix(' ')).is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    });
    numbered || trailing_range(heading).is_some()
}

/// The `(6:00 - 6:30)` at the end of a heading.
fn trailing_range(heading: &str) -> Option<(usize, String)> {
    let t = heading.trim_end();
    let open = t.rfind('(')?;
    let inner = t.strip_suffix(')')?.get(open + 1..)?;
    times::parse_range(inner).is_ok().then(|| (open, inner.to_owned())).or_else(|| {
        // Keep a malformed range so the error can name it, when it looks like one.
        (inner.contains(':') && inner.contains(['-', '–', '—'])).then(|| (open, inner.to_owned()))
    })
}

/// `Phase 1: Chuẩn bị (6:00 - 6:30)` → (`Phase 1`, `Chuẩn bị`, `6:00 - 6:30`).
fn split_phase_heading(heading: &str) -> (Option<String>, String, Option<String>) {
    let (rest, range) = match trailing_range(heading) {
        Some((open, range)) => (heading[..open].trim_end(), Some(range)),
        None => (heading.trim(), None),
    };
    let f = fold(rest);
    let has_word = PHASE_WORDS.iter().any(|w| f.starts_with(&format!("{w} ")));
    if has_word && let Some(pos) = rest.find([':', '–', '—', '-', '.']) {
        let label = rest[..pos].trim();
        let sep_len = rest[pos..].chars().next().map_or(1, char::len_utf8);
        let name = rest[pos + sep_len..].trim();
        if label.split_whitespace().count() <= 3 {
            return (Some(label.to_owned()), name.to_owned(), range);
        }
    }
    (None, rest.to_owned(), range)
}

fn numbered(comment: &str) -> Option<&str> {
    let digits = comment.find(|c: char| !c.is_ascii_digit())?;
    if digits == 0 {
        return None;
    }
    let rest = &comment[digits..];
    rest.strip_prefix('.').or_else(|| rest.strip_prefix(')')).map(str::trim)
}

#[cfg(test)]
mod tests;
