//! Markdown runbook import. Decodes and repairs the bytes, reads them with a real Markdown
//! parser, and recognises sections and table columns by meaning (English and Vietnamese, any
//! order, extra columns kept). What can be understood is imported and every line that could
//! not be is listed with its line; in `Mode::Strict` any such line refuses the whole file.

pub(crate) mod blocks;
mod code;
mod days;
pub mod json;
mod lists;
mod sections;
mod sheet;
mod table;
pub mod tidy;
pub mod times;
pub(crate) mod vocab;

use crate::encoding::{self, DecodeError};
use blocks::{Block, Inline, Kind};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
pub use table::parse_condition;
use vocab::{Key, Section, fold};
use warroom_model::{Field, RawSection, Runbook, Window};

/// Larger files are refused: a real runbook is a few hundred kilobytes at most.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// What to do with a line that cannot be understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Import the rest, and list the line among the report's problems.
    #[default]
    Lenient,
    /// Refuse the whole file (`warroom import --strict`): all or nothing.
    Strict,
}

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
    /// Lines that could not be imported as written (a bad time, a ragged row): left out or
    /// cut, in line order. Always empty after a strict import.
    pub problems: Vec<Diagnostic>,
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
            problems: Vec::new(),
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
        if !self.problems.is_empty() {
            writeln!(
                f,
                "{} line(s) could not be imported as written (`--strict` refuses the file instead):",
                self.problems.len()
            )?;
        }
        for p in tidy::grouped(&self.problems) {
            writeln!(f, "problem: {}:{}: {}", self.file, p.line, p.message)?;
        }
        for w in tidy::grouped(&self.warnings) {
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
    #[error(
        "{file}: the file is {} MB; warroom imports runbooks up to {} MB (a real runbook is a few hundred KB): remove embedded images or data, or split it",
        size.div_ceil(1024 * 1024), limit / (1024 * 1024)
    )]
    TooLarge {
        /// The file's name as given.
        file: String,
        /// Its size, in bytes.
        size: usize,
        /// The largest size accepted, in bytes.
        limit: usize,
    },
    /// No tasks at all (no table with a task column, no list of tasks under a heading), and no
    /// rollback plan or contacts either.
    #[error(
        "{file}:{line}: no timeline found from here on: expected a table with a time column and a task column, such as `| Time | Task | Owner | Status |`, or task items (`- [ ] Backup DB (DBA)`) under a heading or a bold time line such as `**06:00 - 07:00: Prepare**`"
    )]
    NoTimeline {
        /// The file's name as given.
        file: String,
        /// The first line after the title, where a timeline was looked for.
        line: usize,
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

/// Imports a Markdown runbook from its bytes; `file` names it in messages. A line that cannot
/// be understood is left out and listed in the report's problems.
pub fn import_markdown(file: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    import_markdown_with(file, bytes, Mode::Lenient)
}

/// `import_markdown`, with `Mode::Strict` refusing the file at the first line not understood.
pub fn import_markdown_with(file: &str, bytes: &[u8], mode: Mode) -> Result<Imported, ImportError> {
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
    if b.rb.tasks().next().is_none() {
        // No table and no list under a phase heading: a runbook of plain lists, read again
        // with every list outside a known section as tasks.
        let mut again = Builder::new(file, &decoded.text);
        again.lists_are_tasks = true;
        again.run();
        if again.rb.tasks().next().is_some() {
            b = again;
        }
    }
    b.finish(repaired, mode)
}

/// Imports a runbook file: a spreadsheet (by its name), Markdown, or the JSON export (recognised
/// by its opening brace).
pub fn import_file(file: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    import_file_with(file, bytes, Mode::Lenient)
}

/// `import_file` in the given mode.
pub fn import_file_with(file: &str, bytes: &[u8], mode: Mode) -> Result<Imported, ImportError> {
    if sheet::is_sheet(file, bytes) {
        return sheet::import_sheet(file, bytes, mode);
    }
    let starts_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !starts_json {
        return import_markdown_with(file, bytes, mode);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge { file: file.into(), size: bytes.len(), limit: MAX_BYTES });
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
    last_minutes: Option<i32>,
    /// The day the next task falls on, from the go-live day: set by day headings, moved on by
    /// times that run past midnight.
    day: i16,
    runbook_id: Option<String>,
    /// The line each task was read from, by id.
    task_lines: std::collections::HashMap<String, usize>,
    /// The number of the first `Day N` heading seen (0 or 1): that day is the go-live day.
    day_base: Option<u16>,
    /// The go-live date (from the window line or the go-live day), or the first dated heading's.
    date_anchor: Option<chrono::NaiveDate>,
    /// Under a phase or day heading, or a bold time line: list items there are tasks.
    list_phase: bool,
    /// The runbook has no timeline but lists: every list outside a known section is tasks.
    lists_are_tasks: bool,
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
            task_lines: std::collections::HashMap::new(),
            day_base: None,
            date_anchor: None,
            list_phase: false,
            lists_are_tasks: false,
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
                Kind::Code { text, lang } => self.on_code(text, lang, block.line),
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
        let mut section = vocab::section(&words);
        let under_rollback = self.section.is_some_and(Section::is_rollback_part) && level > self.section_level;
        if section == Some(Section::RollbackSteps) && !under_rollback && !vocab::says_rollback(&words) {
            // `Cutover Window Steps`: the cutover's steps, not the rollback's.
            section = None;
        }
        // `Checklist - End of Day 1` is a checklist, not a day.
        let names_day = matches!(section, None | Some(Section::Timeline)) && self.day_heading(&words);
        let is_phase = names_day || is_phase_heading(&words);
        self.list_phase = is_phase;
        match (is_phase, section) {
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

    /// A heading or bold line that names a day (`T-1`, `Day 2`, a date) moves the timeline to
    /// that day; times after it count from its midnight.
    fn day_heading(&mut self, words: &str) -> bool {
        use chrono::Datelike as _;
        let year = self.date_anchor.map_or(2000, |d| d.year());
        let Some(mark) = days::day_of(words, year) else {
            return false;
        };
        self.day = match mark {
            days::DayMark::Offset(n) => n,
            days::DayMark::Numbered(n) => {
                let base = *self.day_base.get_or_insert(n.min(1));
                i16::try_from(i32::from(n) - i32::from(base)).unwrap_or(0)
            }
            days::DayMark::Date(d) => {
                let anchor = *self.date_anchor.get_or_insert(d);
                i16::try_from((d - anchor).num_days()).unwrap_or(0)
            }
        };
        self.last_minutes = None;
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
            if self.bold_phase_line(inline, *line) {
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
        if tidy::is_placeholder(value) {
            // `Date:` or `Migration Date: [Date]`: a form field not filled in.
            return true;
        }
        match key {
            Key::Version => self.rb.version = Some(value.into()),
            Key::Date => self.rb.date = Some(value.into()),
            Key::GoLiveDay => {
                self.date_anchor = self.date_anchor.or_else(|| days::iso_date(value));
                self.rb.go_live_day = Some(value.into());
            }
            Key::Hypercare => {
                self.rb.hypercare = Some(value.into());
                self.rb.hypercare_hours = times::parse_duration(value).map(|m| m / 60);
            }
            Key::Window => match times::parse_range(value) {
                Ok(r) => {
                    let end_day = u8::from(r.end <= r.start);
                    self.rb.window = Some(Window { start: r.start, end: r.end, end_day });
                    if let Some(date) = &r.date {
                        self.date_anchor = self.date_anchor.or_else(|| days::iso_date(date));
                        if self.rb.date.is_none() {
                            self.rb.date = Some(date.clone());
                        }
                    }
                    if let Some(zone) = r.zone {
                        self.note_zone(&zone, line);
                    }
                }
                Err(e) => self.problems.push(diag(line, format!("go-live window: {}", e.0))),
            },
            Key::Zone => match times::zone_of(value).or_else(|| known_iana(value)) {
                Some(iana) => self.rb.zone = Some(iana),
                None => self.warnings.push(diag(
                    line,
                    format!("time zone `{value}` is not known: write an IANA name such as Asia/Ho_Chi_Minh, or UTC"),
                )),
            },
        }
        true
    }

    /// A zone written next to a time: the runbook's zone when it has none; otherwise a warning
    /// when it names another one (the time is kept as written).
    fn note_zone(&mut self, zone: &times::ZoneMark, line: usize) -> bool {
        match &self.rb.zone {
            None => {
                self.rb.zone = Some(zone.iana.clone());
                true
            }
            Some(z) if *z == zone.iana => true,
            Some(z) => {
                self.warnings.push(diag(
                    line,
                    format!(
                        "this time is written in {} ({}) but the runbook's times are in {z}; it is kept as written",
                        zone.written, zone.iana
                    ),
                ));
                false
            }
        }
    }

    fn deadline_line(&mut self, text: &str) {
        if self.rb.rollback.deadline.is_none()
            && let Some(t) = times::find_time(text)
        {
            self.rb.rollback.deadline = Some(t);
            self.rb.rollback.deadline_day = i16::from(self.rb.window.as_ref().is_some_and(|w| t < w.start));
        }
        self.rb.rollback.deadline_notes.push(text.to_owned());
    }

    fn finish(mut self, repaired: Option<String>, mode: Mode) -> Result<Imported, ImportError> {
        if self.rb.title.is_empty() {
            let stem = std::path::Path::new(self.file)
                .file_stem()
                .map_or_else(|| "Runbook".to_owned(), |s| s.to_string_lossy().into_owned());
            self.warnings.push(diag(1, format!("no `# Title` heading; using `{stem}`")));
            self.rb.title = stem;
        }
        self.keep_unrecognised();
        let ids: std::collections::HashSet<String> = self.rb.tasks().map(|t| t.id.to_string()).collect();
        for t in self.rb.phases.iter_mut().flat_map(|p| p.tasks.iter_mut()) {
            let line = self.task_lines.get(t.id.as_str()).copied().unwrap_or(1);
            for a in &t.after {
                if !ids.contains(a.as_str()) {
                    self.problems.push(diag(line, format!("task `{}` waits for `{a}`, which is not a task id", t.id)));
                }
            }
            t.after.retain(|a| ids.contains(a.as_str()));
        }
        for p in &self.rb.phases {
            if p.tasks.is_empty() {
                self.warnings.push(diag(1, format!("phase `{}` has no tasks", p.display_name())));
            }
        }
        self.problems.sort_by_key(|p| p.line);
        if mode == Mode::Strict && !self.problems.is_empty() {
            return Err(ImportError::Invalid { file: self.file.into(), problems: self.problems });
        }
        if self.rb.tasks().next().is_none() {
            if !self.problems.is_empty() {
                return Err(ImportError::Invalid { file: self.file.into(), problems: self.problems });
            }
            // Where a timeline was looked for: the first line after the title.
            let title_at = self.blocks.iter().position(|b| matches!(b.kind, Kind::Heading { level: 1, .. }));
            let line = title_at
                .and_then(|i| self.blocks.get(i + 1))
                .map(|b| b.line)
                .or_else(|| self.blocks.iter().map(|b| b.line).find(|&l| l > 1))
                .unwrap_or(1);
            let rollback = &self.rb.rollback;
            if rollback.triggers.is_empty() && rollback.steps.is_empty() && self.rb.contacts.is_empty() {
                return Err(ImportError::NoTimeline { file: self.file.into(), line });
            }
            self.warnings.push(diag(
                line,
                format!(
                    "no timeline found: only the rollback plan ({} triggers, {} steps) and {} contacts were imported, with no tasks to run; add a table with a time and a task column, or task items under a heading, and import again",
                    rollback.triggers.len(),
                    rollback.steps.len(),
                    self.rb.contacts.len()
                ),
            ));
        }
        self.rb.phases.retain(|p| !p.tasks.is_empty());
        self.rb.id = self.runbook_id.take().unwrap_or_else(|| {
            let digest = Sha256::digest(self.text.as_bytes());
            hex::encode(&digest[..8])
        });
        let rb = self.rb;
        let mut report = ImportReport::new(self.file, repaired, self.warnings, &rb);
        report.problems = self.problems;
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
            let place = match heading.trim_start_matches('#').trim() {
                "" => "before the first heading".to_owned(),
                words => format!("under `{words}`"),
            };
            self.warnings.push(diag(line, format!("content {place} was not recognised; it is kept as written")));
            self.rb.appendix.push(RawSection { id: format!("a{n}"), heading, markdown: body.join("\n\n") });
        }
    }
}

/// An IANA zone name as written (`Asia/Ho_Chi_Minh`), if it is one.
fn known_iana(value: &str) -> Option<String> {
    let v = value.split_whitespace().next()?;
    v.parse::<chrono_tz::Tz>().ok().map(|tz| tz.name().to_owned())
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod corpus_tests;
