//! The record laid out as blocks (`document`), one function per section: the cover, the
//! summary, checkpoints and decisions, phases and tasks, rollback, incidents, metrics, the
//! end-of-day checklist, contacts and the event log.

use super::{Block, Cell, Doc, Record};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use warroom_model::live::{Decision, MetricState, RunKind, Stamp, Status, TaskLive, TaskStatus};
use warroom_model::{Instant, Runbook};

fn strong(text: impl Into<String>, on: bool) -> Cell {
    Cell { text: text.into(), strong: on }
}

/// `HH:MM` of an instant of the picture (in the run's zone already).
fn hm(t: &Instant) -> String {
    t.hm()
}

fn hm_opt(t: &Option<Instant>) -> String {
    t.map(Instant::hm).unwrap_or_default()
}

/// An instant in the run's zone, as `format`.
fn local(at: &Instant, tz: Option<chrono_tz::Tz>, format: &str) -> String {
    match tz {
        Some(tz) => at.with_timezone(&tz).format(format).to_string(),
        None => at.format(format).to_string(),
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
    let kind = match st.run.kind {
        RunKind::Live => "Live run",
        RunKind::Rehearsal => "Rehearsal",
    };
    let mut b = Vec::new();
    cover(&mut b, rec, kind);
    summary(&mut b, rec, tz);
    checkpoints(&mut b, rec, tz);
    phases(&mut b, st, tz);
    rollback(&mut b, rec, tz);
    incidents(&mut b, st, tz);
    metrics(&mut b, st, tz);
    end_of_day(&mut b, st, tz);
    contacts(&mut b, rb);
    event_log(&mut b, rec);
    Doc {
        title: rb.title.clone(),
        footer: format!("{} · {kind} {} · log digest {}", rb.title, st.run.date, v.digest),
        digest: v.digest.clone(),
        blocks: b,
    }
}

/// The cover: title, run, a partial record's warning, the outcome and who took part.
fn cover(b: &mut Vec<Block>, rec: &Record, kind: &str) {
    let st = &rec.status;
    let rb = &rec.runbook;
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
            st.now.format("%Y-%m-%d %H:%M")
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
}

/// The summary: times, task counts, variance, the rollback decision, incidents, metrics and the
/// log's integrity and digest.
fn summary(b: &mut Vec<Block>, rec: &Record, tz: Option<chrono_tz::Tz>) {
    let st = &rec.status;
    let v = &rec.verification;
    let stamp = |s: &Option<Stamp>| stamp(s, tz);
    let count = |f: &dyn Fn(&TaskLive) -> bool| st.tasks.iter().filter(|t| f(t)).count();
    let done = count(&|t| t.status == TaskStatus::Done);
    let late = count(&|t| t.status == TaskStatus::Done && t.variance_minutes > 0);
    let first_start = st.tasks.iter().filter_map(|t| t.actual_start).min();
    let last_finish = st.tasks.iter().filter_map(|t| t.actual_finish).max();
    let mut incidents: BTreeMap<String, usize> = BTreeMap::new();
    for i in &st.incidents {
        *incidents.entry(i.severity.map_or_else(|| "—".into(), |s| format!("{s:?}"))).or_default() += 1;
    }
    let summary: Vec<(&str, String)> = vec![
        (
            "Planned",
            format!(
                "{} – {}",
                st.tasks.first().map_or_else(String::new, |t| hm(&t.planned_start)),
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
}

/// Checkpoints with their decisions and sign-offs, then every decision in the order taken.
fn checkpoints(b: &mut Vec<Block>, rec: &Record, tz: Option<chrono_tz::Tz>) {
    let st = &rec.status;
    let at = |s: &Instant| local(s, tz, "%H:%M");
    let stamp = |s: &Option<Stamp>| stamp(s, tz);
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
                    .map(|t| at(&Instant::utc(t)))
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
}

/// Each phase with its tasks: planned, actual, variance, who, status, notes and comments.
fn phases(b: &mut Vec<Block>, st: &Status, tz: Option<chrono_tz::Tz>) {
    let at = |s: &Instant| local(s, tz, "%H:%M");
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
}

/// The rollback section: deadline and point of no return, triggers and steps.
fn rollback(b: &mut Vec<Block>, rec: &Record, tz: Option<chrono_tz::Tz>) {
    let st = &rec.status;
    let rb = &rec.runbook;
    let stamp = |s: &Option<Stamp>| stamp(s, tz);
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
}

/// Each incident with its updates and resolution.
fn incidents(b: &mut Vec<Block>, st: &Status, tz: Option<chrono_tz::Tz>) {
    let at = |s: &Instant| local(s, tz, "%H:%M");
    let stamp = |s: &Option<Stamp>| stamp(s, tz);
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
}

/// Metric readings.
fn metrics(b: &mut Vec<Block>, st: &Status, tz: Option<chrono_tz::Tz>) {
    let at = |s: &Instant| local(s, tz, "%H:%M");
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
}

/// The end-of-day checklist.
fn end_of_day(b: &mut Vec<Block>, st: &Status, tz: Option<chrono_tz::Tz>) {
    let stamp = |s: &Option<Stamp>| stamp(s, tz);
    b.push(Block::Heading("End of day".into()));
    let checks = st
        .checklist
        .iter()
        .map(|c| vec![(if c.checked { "☑" } else { "☐" }).into(), c.text.as_str().into(), stamp(&c.by).into()])
        .collect();
    b.push(table(&["", "Item", "By"], &[0.05, 0.6, 0.35], checks));
}

/// The contact list.
fn contacts(b: &mut Vec<Block>, rb: &Runbook) {
    b.push(Block::Heading("Contacts".into()));
    let contacts = rb
        .contacts
        .iter()
        .map(|c| {
            vec![c.role.as_str().into(), c.name.as_str().into(), c.phone.as_str().into(), c.backup.as_str().into()]
        })
        .collect();
    b.push(table(&["Role", "Name", "Phone", "Backup"], &[0.25, 0.25, 0.25, 0.25], contacts));
}

/// The full event log and how to check the record against its database.
fn event_log(b: &mut Vec<Block>, rec: &Record) {
    let st = &rec.status;
    let v = &rec.verification;
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
