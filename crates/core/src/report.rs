//! The audit record of a run: cover, summary, every phase and task with planned, actual and
//! variance, checkpoints with their sign-offs, the rollback section, incidents, metric
//! readings, the end-of-day checklist, contacts, and the full event log, with the log's digest
//! in the summary and in every page's footer. A record printed while the run is still going is
//! marked as partial. `document` lays the record out once as blocks; `html` renders them as a
//! printable page and `pdf` (in `pdf.rs`) as a PDF.

pub mod pdf;

use crate::live::{self, LiveError, Snapshot};
use crate::store::verify::Verification;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use warroom_model::api::{Paper, ReportFormat, Saved};
use warroom_model::live::{Decision, MetricState, RunKind, RunState, Stamp, Status, TaskLive, TaskStatus};
use warroom_model::{Event, Runbook};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
    #[error("cannot save the audit record as {path}: {source}")]
    Save { path: String, source: std::io::Error },
}

/// Everything the record shows, read once.
#[derive(Debug)]
pub struct Record {
    pub runbook: Runbook,
    pub status: Status,
    pub events: Vec<Event>,
    pub verification: Verification,
    pub printed_at: DateTime<Utc>,
}

impl Record {
    /// Reads the record of `run` (default: the current run) as of `now`.
    pub fn load(store: &Store, run: Option<&str>, now: DateTime<Utc>) -> Result<Self, ReportError> {
        let snap = Snapshot::load(store)?;
        let r = snap.run(run)?;
        let status = live::status(&snap, &r, now)?;
        let (verification, events) = store.verify_against(&snap.state)?;
        Ok(Self { runbook: snap.runbook, status, events, verification, printed_at: now })
    }

    /// Still running: what is printed is not the final record.
    pub fn partial(&self) -> bool {
        !self.status.run.state.is_over()
    }

    /// How the run ended, in words.
    pub fn outcome(&self) -> &'static str {
        match (self.status.run.state, self.status.rollback.decision.as_deref()) {
            (RunState::RolledBack, _) | (_, Some("rollback")) => "rolled back",
            (RunState::Completed, Some("fix_forward")) => "went live (fixed forward)",
            (RunState::Completed, _) => "went live",
            (RunState::Abandoned, _) => "abandoned",
            (_, Some("fix_forward")) => "in progress (fixing forward)",
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
    Title(String),
    Text(String),
    /// Said loudly: a partial record.
    Alert(String),
    Heading(String),
    Subheading(String),
    /// Column widths are fractions of the page's width; cells marked `strong` stand out
    /// (a late task, a missing sign-off). With `keyed`, the first column names each row.
    Table {
        head: Vec<String>,
        widths: Vec<f32>,
        rows: Vec<Vec<Cell>>,
        keyed: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
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

fn strong(text: impl Into<String>, on: bool) -> Cell {
    Cell { text: text.into(), strong: on }
}

/// The record laid out once, for every format.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub title: String,
    /// What every page's footer says before its page number.
    pub footer: String,
    pub digest: String,
    pub blocks: Vec<Block>,
}

/// `HH:MM` of an RFC 3339 instant written in the run's offset.
fn hm(s: &str) -> &str {
    s.get(11..16).unwrap_or("")
}

fn hm_opt(s: &Option<String>) -> &str {
    s.as_deref().map_or("", hm)
}

/// A recorded instant (stamps are kept in UTC) in the run's zone, as `format`.
fn local(at: &str, tz: Option<chrono_tz::Tz>, format: &str) -> String {
    match (DateTime::parse_from_rfc3339(at), tz) {
        (Ok(t), Some(tz)) => t.with_timezone(&tz).format(format).to_string(),
        _ => at.get(..16).unwrap_or("").replace('T', " "),
    }
}

/// Who did something and when, in the run's zone.
fn stamp(s: &Option<Stamp>, tz: Option<chrono_tz::Tz>) -> String {
    s.as_ref().map_or_else(String::new, |s| format!("{} ({}), {}", s.name, s.role, local(&s.at, tz, "%Y-%m-%d %H:%M")))
}

fn signed(m: i64) -> String {
    if m > 0 { format!("+{m}") } else { m.to_string() }
}

fn table(head: &[&str], widths: &[f32], rows: Vec<Vec<Cell>>) -> Block {
    Block::Table { head: head.iter().map(|h| (*h).to_owned()).collect(), widths: widths.to_vec(), rows, keyed: false }
}

/// Lays the record out.
pub fn document(rec: &Record) -> Doc {
    let st = &rec.status;
    let rb = &rec.runbook;
    let v = &rec.verification;
    let tz: Option<chrono_tz::Tz> = st.run.tz.parse().ok();
    let at = |s: &str| local(s, tz, "%H:%M");
    let stamp = |s: &Option<Stamp>| stamp(s, tz);
    let kind = match st.run.kind {
        RunKind::Live => "Live run",
        RunKind::Rehearsal => "Rehearsal",
    };
    let mut b = Vec::new();
    b.push(Block::Title(format!("{} — audit record", rb.title)));
    b.push(Block::Text(format!(
        "Version {} · {kind} {} · {} ({}) · window {}",
        rb.version.as_deref().unwrap_or("—"),
        st.run.id,
        st.run.date,
        st.run.tz,
        rb.window.as_ref().map_or_else(|| "—".to_owned(), |w| format!("{} – {}", w.start, w.end))
    )));
    if rec.partial() {
        b.push(Block::Alert(format!(
            "PARTIAL RECORD: printed at {} while the run is still going; it is not the final record.",
            st.now.get(..16).unwrap_or("").replace('T', " ")
        )));
    }
    b.push(Block::Text(format!("Outcome: {}", rec.outcome())));
    b.push(Block::Heading("Who took part".into()));
    let people = rec
        .people()
        .into_iter()
        .map(|(name, (role, devices))| vec![name.into(), role.into(), devices.join(", ").into()])
        .collect();
    b.push(table(&["Name", "Role", "Laptops"], &[0.35, 0.35, 0.3], people));

    let count = |f: &dyn Fn(&TaskLive) -> bool| st.tasks.iter().filter(|t| f(t)).count();
    let done = count(&|t| t.status == TaskStatus::Done);
    let late = count(&|t| t.status == TaskStatus::Done && t.variance_minutes > 0);
    let first_start = st.tasks.iter().filter_map(|t| t.actual_start.clone()).min();
    let last_finish = st.tasks.iter().filter_map(|t| t.actual_finish.clone()).max();
    let mut incidents: BTreeMap<String, usize> = BTreeMap::new();
    for i in &st.incidents {
        *incidents.entry(i.severity.map_or_else(|| "—".into(), |s| format!("{s:?}"))).or_default() += 1;
    }
    let summary: Vec<(&str, String)> = vec![
        (
            "Planned",
            format!(
                "{} – {}",
                st.tasks.first().map_or("", |t| hm(&t.planned_start)),
                hm(&st.rollback.implementation_planned_end)
            ),
        ),
        ("Actual start / last finish", format!("{} / {}", hm_opt(&first_start), hm_opt(&last_finish))),
        (
            "Tasks",
            format!(
                "{} in all: {done} done ({} on time, {late} late), {} skipped, {} failed, {} blocked, {} open",
                st.tasks.len(),
                done - late,
                count(&|t| t.status == TaskStatus::Skipped),
                count(&|t| t.status == TaskStatus::Failed),
                count(&|t| t.status == TaskStatus::Blocked),
                count(&|t| matches!(t.status, TaskStatus::Pending | TaskStatus::InProgress))
            ),
        ),
        ("Go-live variance", format!("{} min", signed(st.rollback.implementation_variance_minutes))),
        (
            "Rollback decision",
            st.rollback
                .decision
                .clone()
                .map_or_else(|| "none".to_owned(), |d| format!("{d} — {}", stamp(&st.rollback.decided_by))),
        ),
        (
            "Incidents",
            if incidents.is_empty() {
                "none".into()
            } else {
                incidents.iter().map(|(k, n)| format!("{k}: {n}")).collect::<Vec<_>>().join(", ")
            },
        ),
        (
            "Metrics",
            st.metrics
                .iter()
                .map(|m| {
                    format!(
                        "{}: {}",
                        m.name,
                        match m.state {
                            MetricState::Ok => "ok",
                            MetricState::Warning => "warning",
                            MetricState::Alert => "ALERT",
                            MetricState::Unknown => "no reading",
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "Log",
            format!(
                "{} events from {} laptop(s); integrity {}",
                v.events,
                v.chains.len(),
                if v.intact() { "verified" } else { "BROKEN: see warroom verify" }
            ),
        ),
        ("Log digest (SHA-256)", v.digest.clone()),
    ];
    b.push(Block::Heading("Summary".into()));
    b.push(Block::Table {
        head: Vec::new(),
        widths: vec![0.28, 0.72],
        rows: summary.into_iter().map(|(k, val)| vec![Cell::from(k), Cell::from(val)]).collect(),
        keyed: true,
    });
    b.push(Block::Subheading("Checkpoints".into()));
    let cps = st
        .checkpoints
        .iter()
        .map(|cp| {
            let d = match cp.decision {
                Decision::Pending => "not decided",
                Decision::Go => "GO",
                Decision::NoGo => "NO-GO",
                Decision::Hold => "HOLD",
            };
            let mut signers: Vec<String> =
                cp.signed.iter().map(|s| format!("{} — {} ({})", s.role, s.by.name, at(&s.by.at))).collect();
            if !cp.missing.is_empty() {
                signers.push(format!("missing: {}", cp.missing.join(", ")));
            }
            vec![
                format!("{} {}", cp.id, cp.title).into(),
                strong(d, cp.decision == Decision::NoGo),
                stamp(&cp.decided_by).into(),
                cp.reason.clone().unwrap_or_default().into(),
                strong(signers.join("; "), !cp.missing.is_empty()),
            ]
        })
        .collect();
    b.push(table(&["Checkpoint", "Decision", "By, when", "Reason", "Signed by"], &[0.22, 0.1, 0.2, 0.18, 0.3], cps));
    // Every decision in the order it was taken, including those later reversed.
    let decisions: Vec<Vec<Cell>> = rec
        .events
        .iter()
        .filter(|e| e.kind.starts_with("checkpoint.decide") || e.kind.starts_with("rollback."))
        .map(|e| {
            vec![
                DateTime::<Utc>::from_timestamp_millis(e.wall_ms)
                    .map(|t| at(&t.to_rfc3339()))
                    .unwrap_or_default()
                    .into(),
                format!("{} ({})", e.author.name, e.author.role).into(),
                e.payload.get("summary").and_then(|s| s.as_str()).unwrap_or(&e.kind).into(),
            ]
        })
        .collect();
    if !decisions.is_empty() {
        b.push(Block::Subheading("Decisions, in order".into()));
        b.push(table(&["When", "Who", "Decision"], &[0.1, 0.25, 0.65], decisions));
    }

    b.push(Block::Heading("Phases and tasks".into()));
    for p in &st.phases {
        b.push(Block::Subheading(format!(
            "{} · planned {} – {} · variance {} min",
            p.name,
            hm(&p.planned_start),
            hm(&p.planned_finish),
            signed(p.variance_minutes)
        )));
        let rows = st
            .tasks
            .iter()
            .filter(|t| t.phase == p.id)
            .map(|t| {
                let actual = format!(
                    "{}–{}{}",
                    hm_opt(&t.actual_start),
                    hm_opt(&t.actual_finish),
                    if t.backfilled { " (back-filled)" } else { "" }
                );
                let var = if t.actual_finish.is_some() { signed(t.variance_minutes) } else { String::new() };
                let by = t
                    .finished_by
                    .as_ref()
                    .or(t.started_by.as_ref())
                    .map(|s| format!("{} ({})", s.name, s.role))
                    .unwrap_or_default();
                let mut notes: Vec<String> = t.reason.iter().cloned().collect();
                notes.extend(t.comments.iter().map(|c| format!("{} {}: {}", at(&c.by.at), c.by.name, c.text)));
                vec![
                    t.id.as_str().into(),
                    hm(&t.planned_start).into(),
                    actual.into(),
                    strong(var, t.variance_minutes > 0 && t.actual_finish.is_some()),
                    t.title.as_str().into(),
                    t.owner.as_str().into(),
                    by.into(),
                    t.status.as_str().into(),
                    notes.join(" · ").into(),
                ]
            })
            .collect();
        b.push(table(
            &["#", "Planned", "Actual", "Var.", "Task", "Owner", "Done by", "Status", "Notes and comments"],
            &[0.04, 0.08, 0.12, 0.05, 0.24, 0.1, 0.12, 0.08, 0.17],
            rows,
        ));
    }

    let r = &st.rollback;
    b.push(Block::Heading("Rollback".into()));
    b.push(Block::Text(format!(
        "Deadline {} · point of no return {} · state when printed: {:?}{}",
        hm_opt(&r.deadline),
        hm_opt(&r.decide_by),
        r.state,
        r.override_reason.as_ref().map_or_else(String::new, |o| format!(" · override: {o}"))
    )));
    let triggers = rb
        .rollback
        .triggers
        .iter()
        .map(|t| {
            vec![
                t.name.as_str().into(),
                t.condition.as_str().into(),
                strong(if r.triggers_checked.contains(&t.id) { "yes" } else { "" }, r.triggers_checked.contains(&t.id)),
            ]
        })
        .collect();
    b.push(table(&["Trigger", "Condition", "Checked"], &[0.35, 0.5, 0.15], triggers));
    let steps = r
        .steps
        .iter()
        .map(|s| vec![s.title.as_str().into(), s.minutes.to_string().into(), stamp(&s.done_by).into()])
        .collect();
    b.push(table(&["Step", "Minutes", "Done by"], &[0.6, 0.1, 0.3], steps));

    b.push(Block::Heading("Incidents".into()));
    if st.incidents.is_empty() {
        b.push(Block::Text("None.".into()));
    }
    for i in &st.incidents {
        b.push(Block::Subheading(format!(
            "{} {} — {}",
            i.severity.map_or_else(String::new, |s| format!("{s:?}")),
            i.title,
            if i.open { "open" } else { "resolved" }
        )));
        if !i.description.is_empty() {
            b.push(Block::Text(i.description.clone()));
        }
        let mut rows = vec![vec![Cell::from("opened"), Cell::from(stamp(&Some(i.opened_by.clone())))]];
        rows.extend(
            i.updates
                .iter()
                .map(|u| vec![Cell::from(format!("{} {}", at(&u.by.at), u.by.name)), Cell::from(u.text.as_str())]),
        );
        if let Some(res) = &i.resolved_by {
            rows.push(vec!["resolved".into(), stamp(&Some(res.clone())).into()]);
        }
        b.push(Block::Table { head: Vec::new(), widths: vec![0.25, 0.75], rows, keyed: true });
    }

    b.push(Block::Heading("Metrics".into()));
    let metrics = st
        .metrics
        .iter()
        .map(|m| {
            let readings: Vec<String> = m
                .readings
                .iter()
                .map(|x| format!("{} {}{} ({})", at(&x.by.at), x.value, x.unit.clone().unwrap_or_default(), x.by.name))
                .collect();
            vec![
                m.name.as_str().into(),
                m.target.as_str().into(),
                m.alert.as_str().into(),
                strong(readings.join("; "), m.state == MetricState::Alert),
            ]
        })
        .collect();
    b.push(table(&["Metric", "Target", "Alert", "Readings"], &[0.2, 0.15, 0.15, 0.5], metrics));
    b.push(Block::Heading("End of day".into()));
    let checks = st
        .checklist
        .iter()
        .map(|c| vec![(if c.checked { "☑" } else { "☐" }).into(), c.text.as_str().into(), stamp(&c.by).into()])
        .collect();
    b.push(table(&["", "Item", "By"], &[0.05, 0.6, 0.35], checks));
    b.push(Block::Heading("Contacts".into()));
    let contacts = rb
        .contacts
        .iter()
        .map(|c| {
            vec![c.role.as_str().into(), c.name.as_str().into(), c.phone.as_str().into(), c.backup.as_str().into()]
        })
        .collect();
    b.push(table(&["Role", "Name", "Phone", "Backup"], &[0.25, 0.25, 0.25, 0.25], contacts));

    b.push(Block::Heading("Event log".into()));
    let run_prefix = format!("{}/", st.run.id);
    let log = rec
        .events
        .iter()
        .map(|e| {
            let when = DateTime::<Utc>::from_timestamp_millis(e.wall_ms)
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default();
            let changes = if e.writes.len() > 12 {
                format!("{} field changes", e.writes.len())
            } else {
                e.writes.iter().map(|w| change(w, &run_prefix)).collect::<Vec<_>>().join("; ")
            };
            vec![
                when.into(),
                format!("{} ({})", e.author.name, e.author.role).into(),
                format!("{}#{}", e.origin.get(..8).unwrap_or(&e.origin), e.seq).into(),
                e.payload.get("summary").and_then(|s| s.as_str()).unwrap_or(&e.kind).into(),
                changes.into(),
            ]
        })
        .collect();
    b.push(table(&["When (UTC)", "Who", "Laptop", "What", "Changes"], &[0.15, 0.15, 0.11, 0.25, 0.34], log));
    b.push(Block::Text(format!(
        "Printed {} UTC. Check this record against its database with `warroom verify`: the log digest must read {}.",
        rec.printed_at.format("%Y-%m-%d %H:%M"),
        v.digest
    )));
    Doc {
        title: rb.title.clone(),
        footer: format!("{} · {kind} {} · log digest {}", rb.title, st.run.date, v.digest),
        digest: v.digest.clone(),
        blocks: b,
    }
}

/// One field change as the event log shows it: the run's own prefix left out of ids, and for an
/// added entry (a comment, a reading, a sign-off) its text or value without the who-and-when
/// that the log's own columns already give.
fn change(w: &warroom_model::Write, run_prefix: &str) -> String {
    let id = w.id.strip_prefix(run_prefix).unwrap_or(&w.id);
    let value = match &w.value {
        serde_json::Value::Object(m) if w.op == warroom_model::WriteOp::Add => match m.get("text") {
            Some(text) => text.to_string(),
            None => {
                let rest: serde_json::Map<String, serde_json::Value> =
                    m.iter().filter(|(k, _)| k.as_str() != "by").map(|(k, v)| (k.clone(), v.clone())).collect();
                serde_json::Value::Object(rest).to_string()
            }
        },
        v => v.to_string(),
    };
    let op = if w.op == warroom_model::WriteOp::Add { "+=" } else { "=" };
    format!("{} {id} {} {op} {value}", w.entity, w.field)
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
        let _ = std::fs::remove_file(&aside);
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
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}</style></head><body>",
        esc(&doc.title),
        STYLE.replace("PAPER", paper.css())
    );
    let _ = write!(h, "<footer>{}</footer>", esc(&doc.footer));
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                let _ = write!(h, "<h1>{}</h1>", esc(t));
            }
            Block::Text(t) => {
                let _ = write!(h, "<p>{}</p>", esc(t));
            }
            Block::Alert(t) => {
                let _ = write!(h, "<p class=\"alert\">{}</p>", esc(t));
            }
            Block::Heading(t) => {
                let _ = write!(h, "<h2>{}</h2>", esc(t));
            }
            Block::Subheading(t) => {
                let _ = write!(h, "<h3>{}</h3>", esc(t));
            }
            Block::Table { head, widths, rows, keyed } => {
                h.push_str("<table><colgroup>");
                for w in widths {
                    let _ = write!(h, "<col style=\"width:{:.1}%\">", w * 100.0);
                }
                h.push_str("</colgroup>");
                if !head.is_empty() {
                    h.push_str("<thead><tr>");
                    for c in head {
                        let _ = write!(h, "<th>{}</th>", esc(c));
                    }
                    h.push_str("</tr></thead>");
                }
                h.push_str("<tbody>");
                for row in rows {
                    h.push_str("<tr>");
                    for (i, c) in row.iter().enumerate() {
                        let tag = if *keyed && i == 0 { "th" } else { "td" };
                        let class = if c.strong { " class=\"strong\"" } else { "" };
                        let _ = write!(h, "<{tag}{class}>{}</{tag}>", esc(&c.text));
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
