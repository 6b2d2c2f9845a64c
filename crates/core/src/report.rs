//! The audit record of a run as a printable HTML page: cover, summary, every phase and task
//! with planned, actual and variance, checkpoints with their sign-offs, the rollback section,
//! incidents, metric readings, the end-of-day checklist, contacts, and the full event log, with
//! the log's digest in the summary and in every printed page's footer. A record printed while
//! the run is still going is marked as partial.

use crate::live::{self, LiveError, Snapshot};
use crate::store::verify::Verification;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use warroom_model::live::{Decision, MetricState, RunKind, RunState, Stamp, Status, TaskStatus};
use warroom_model::{Event, Runbook};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Live(#[from] LiveError),
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
        Ok(Self {
            runbook: snap.runbook,
            status,
            events: store.events()?,
            verification: store.verify()?,
            printed_at: now,
        })
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

/// `HH:MM` of an RFC 3339 instant written in the run's offset.
fn hm(s: &str) -> &str {
    s.get(11..16).unwrap_or("")
}

fn hm_opt(s: &Option<String>) -> &str {
    s.as_deref().map_or("", hm)
}

fn stamp(s: &Option<Stamp>) -> String {
    s.as_ref().map_or_else(String::new, |s| {
        format!("{} ({}), {}", s.name, s.role, &s.at.get(..16).unwrap_or("").replace('T', " "))
    })
}

fn signed(m: i64) -> String {
    if m > 0 { format!("+{m}") } else { m.to_string() }
}

const STYLE: &str = r#"
body { font-family: "Noto Sans", "DejaVu Sans", sans-serif; font-size: 10.5pt; color: #111; margin: 24px; }
h1 { font-size: 20pt; margin: 0 0 4px; } h2 { font-size: 14pt; margin: 18px 0 6px; border-bottom: 2px solid #333; }
h3 { font-size: 11.5pt; margin: 12px 0 4px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
th, td { border: 1px solid #999; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #e8e8e8; } thead { display: table-header-group; } tr { page-break-inside: avoid; }
.partial { border: 3px solid #b3261e; color: #b3261e; padding: 6px 10px; font-weight: 700; }
.digest { font-family: monospace; word-break: break-all; }
.late { color: #b3261e; font-weight: 700; } .muted { color: #555; }
footer { position: fixed; bottom: 0; left: 0; right: 0; font-size: 8pt; color: #444; border-top: 1px solid #999; padding: 2px 24px; background: #fff; }
@page { size: A4; margin: 14mm 12mm 16mm; @bottom-center { content: "page " counter(page) " of " counter(pages); font-size: 8pt; } }
@media screen { footer { position: static; margin-top: 24px; } }
"#;

/// The record as a printable page.
pub fn html(rec: &Record) -> String {
    let st = &rec.status;
    let rb = &rec.runbook;
    let v = &rec.verification;
    let mut h = String::new();
    let kind = match st.run.kind {
        RunKind::Live => "Live run",
        RunKind::Rehearsal => "Rehearsal",
    };
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Audit record: {}</title><style>{STYLE}</style></head><body>",
        esc(&rb.title)
    );
    let _ = write!(
        h,
        "<footer>{} · {} {} · log digest <span class=\"digest\">{}</span></footer>",
        esc(&rb.title),
        kind,
        esc(&st.run.date),
        v.digest
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p>Version {} · {kind} {} · {} · window {}</p>",
        esc(&rb.title),
        esc(rb.version.as_deref().unwrap_or("—")),
        esc(&st.run.id),
        esc(&format!("{} ({})", st.run.date, st.run.tz)),
        rb.window.as_ref().map_or_else(|| "—".to_owned(), |w| format!("{} – {}", w.start, w.end))
    );
    if rec.partial() {
        let _ = write!(
            h,
            "<p class=\"partial\">PARTIAL RECORD: printed at {} while the run is still going; it is not the final record.</p>",
            esc(&st.now.get(..16).unwrap_or("").replace('T', " "))
        );
    }
    let _ = write!(h, "<p><strong>Outcome:</strong> {}</p>", rec.outcome());
    h.push_str(
        "<h2>Who took part</h2><table><thead><tr><th>Name</th><th>Role</th><th>Laptops</th></tr></thead><tbody>",
    );
    for (name, (role, devices)) in rec.people() {
        let _ =
            write!(h, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", esc(&name), esc(&role), esc(&devices.join(", ")));
    }
    h.push_str("</tbody></table>");

    // Summary.
    let count = |f: &dyn Fn(&warroom_model::live::TaskLive) -> bool| st.tasks.iter().filter(|t| f(t)).count();
    let done = count(&|t| t.status == TaskStatus::Done);
    let late = count(&|t| t.status == TaskStatus::Done && t.variance_minutes > 0);
    let first_start = st.tasks.iter().filter_map(|t| t.actual_start.clone()).min();
    let last_finish = st.tasks.iter().filter_map(|t| t.actual_finish.clone()).max();
    h.push_str("<h2>Summary</h2><table><tbody>");
    let rows: Vec<(&str, String)> = vec![
        (
            "Planned",
            format!(
                "{} – {}",
                hm(&st.tasks.first().map(|t| t.planned_start.clone()).unwrap_or_default()),
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
        ("Incidents", {
            let mut by: BTreeMap<String, usize> = BTreeMap::new();
            for i in &st.incidents {
                *by.entry(i.severity.map_or_else(|| "—".into(), |s| format!("{s:?}"))).or_default() += 1;
            }
            if by.is_empty() {
                "none".into()
            } else {
                by.iter().map(|(k, n)| format!("{k}: {n}")).collect::<Vec<_>>().join(", ")
            }
        }),
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
                if v.intact() { "verified" } else { "BROKEN — see warroom verify" }
            ),
        ),
    ];
    for (k, val) in rows {
        let _ = write!(h, "<tr><th>{k}</th><td>{}</td></tr>", esc(&val));
    }
    let _ = write!(h, "<tr><th>Log digest (SHA-256)</th><td class=\"digest\">{}</td></tr></tbody></table>", v.digest);
    h.push_str("<h3>Checkpoints</h3><table><thead><tr><th>Checkpoint</th><th>Decision</th><th>By, when</th><th>Reason</th><th>Signed by</th></tr></thead><tbody>");
    for cp in &st.checkpoints {
        let d = match cp.decision {
            Decision::Pending => "not decided",
            Decision::Go => "GO",
            Decision::NoGo => "NO-GO",
            Decision::Hold => "HOLD",
        };
        let signers: Vec<String> =
            cp.signed.iter().map(|s| format!("{} — {} ({})", s.role, s.by.name, hm(&s.by.at))).collect();
        let _ = write!(
            h,
            "<tr><td>{} {}</td><td>{d}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            esc(&cp.id),
            esc(&cp.title),
            esc(&stamp(&cp.decided_by)),
            esc(cp.reason.as_deref().unwrap_or("")),
            esc(&signers.join("; ")),
            if cp.missing.is_empty() {
                String::new()
            } else {
                format!("<br><span class=\"late\">missing: {}</span>", esc(&cp.missing.join(", ")))
            }
        );
    }
    h.push_str("</tbody></table>");

    // Every phase and task.
    h.push_str("<h2>Phases and tasks</h2>");
    for p in &st.phases {
        let _ = write!(
            h,
            "<h3>{} <span class=\"muted\">planned {} – {}, variance {} min</span></h3>",
            esc(&p.name),
            hm(&p.planned_start),
            hm(&p.planned_finish),
            signed(p.variance_minutes)
        );
        h.push_str("<table><thead><tr><th>#</th><th>Planned</th><th>Actual</th><th>Var.</th><th>Task</th><th>Owner</th><th>Done by</th><th>Status</th><th>Notes and comments</th></tr></thead><tbody>");
        for t in st.tasks.iter().filter(|t| t.phase == p.id) {
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
            notes.extend(t.comments.iter().map(|c| format!("{} {}: {}", hm(&c.by.at), c.by.name, c.text)));
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&t.id),
                hm(&t.planned_start),
                esc(&actual),
                if t.variance_minutes > 0 && t.actual_finish.is_some() { " class=\"late\"" } else { "" },
                var,
                esc(&t.title),
                esc(&t.owner),
                esc(&by),
                t.status.as_str(),
                esc(&notes.join(" · "))
            );
        }
        h.push_str("</tbody></table>");
    }

    // Rollback.
    let r = &st.rollback;
    let _ = write!(
        h,
        "<h2>Rollback</h2><p>Deadline {} · point of no return {} · state at printing: {:?}{}</p>",
        hm_opt(&r.deadline),
        hm_opt(&r.decide_by),
        r.state,
        r.override_reason.as_ref().map_or_else(String::new, |o| format!(" · <strong>override:</strong> {}", esc(o)))
    );
    h.push_str("<table><thead><tr><th>Trigger</th><th>Condition</th><th>Checked</th></tr></thead><tbody>");
    for t in &rb.rollback.triggers {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.name),
            esc(&t.condition),
            if r.triggers_checked.contains(&t.id) { "yes" } else { "" }
        );
    }
    h.push_str("</tbody></table><table><thead><tr><th>Step</th><th>Minutes</th><th>Done by</th></tr></thead><tbody>");
    for s in &r.steps {
        let _ =
            write!(h, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", esc(&s.title), s.minutes, esc(&stamp(&s.done_by)));
    }
    h.push_str("</tbody></table>");

    // Incidents.
    h.push_str("<h2>Incidents</h2>");
    if st.incidents.is_empty() {
        h.push_str("<p>None.</p>");
    }
    for i in &st.incidents {
        let _ = write!(
            h,
            "<h3>{} {} — {}</h3><p>{}</p><p class=\"muted\">opened {} · {}</p><ul>",
            i.severity.map_or_else(String::new, |s| format!("{s:?}")),
            esc(&i.title),
            if i.open { "open" } else { "resolved" },
            esc(&i.description),
            esc(&stamp(&Some(i.opened_by.clone()))),
            i.resolved_by.as_ref().map_or_else(String::new, |s| format!("resolved {}", esc(&stamp(&Some(s.clone())))))
        );
        for u in &i.updates {
            let _ = write!(h, "<li>{} {}: {}</li>", hm(&u.by.at), esc(&u.by.name), esc(&u.text));
        }
        h.push_str("</ul>");
    }

    // Metrics, checklist, contacts.
    h.push_str("<h2>Metrics</h2><table><thead><tr><th>Metric</th><th>Target</th><th>Alert</th><th>Readings</th></tr></thead><tbody>");
    for m in &st.metrics {
        let readings: Vec<String> = m
            .readings
            .iter()
            .map(|x| format!("{} {}{} ({})", hm(&x.by.at), x.value, x.unit.clone().unwrap_or_default(), x.by.name))
            .collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&m.name),
            esc(&m.target),
            esc(&m.alert),
            esc(&readings.join("; "))
        );
    }
    h.push_str("</tbody></table><h2>End of day</h2><table><tbody>");
    for c in &st.checklist {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            if c.checked { "☑" } else { "☐" },
            esc(&c.text),
            esc(&stamp(&c.by))
        );
    }
    h.push_str("</tbody></table><h2>Contacts</h2><table><thead><tr><th>Role</th><th>Name</th><th>Phone</th><th>Backup</th></tr></thead><tbody>");
    for c in &rb.contacts {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.role),
            esc(&c.name),
            esc(&c.phone),
            esc(&c.backup)
        );
    }
    h.push_str("</tbody></table>");

    // The event log.
    h.push_str("<h2>Event log</h2><table><thead><tr><th>When (UTC)</th><th>Who</th><th>Laptop</th><th>What</th><th>Changes</th></tr></thead><tbody>");
    for e in &rec.events {
        let when = DateTime::<Utc>::from_timestamp_millis(e.wall_ms)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let summary = e.payload.get("summary").and_then(|s| s.as_str()).unwrap_or(&e.kind);
        let changes = if e.writes.len() > 12 {
            format!("{} field changes", e.writes.len())
        } else {
            e.writes
                .iter()
                .map(|w| format!("{} {} {} = {}", w.entity, w.id, w.field, w.value))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = write!(
            h,
            "<tr><td>{when}</td><td>{} ({})</td><td>{}#{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.author.name),
            esc(&e.author.role),
            esc(e.origin.get(..8).unwrap_or(&e.origin)),
            e.seq,
            esc(summary),
            esc(&changes)
        );
    }
    let _ = write!(
        h,
        "</tbody></table><p>Printed {} UTC. Check this record against its database with <code>warroom verify</code>: the log digest must read <span class=\"digest\">{}</span>.</p></body></html>",
        rec.printed_at.format("%Y-%m-%d %H:%M"),
        v.digest
    );
    h
}
