//! The record laid out as blocks (`document`), one function per section: the cover, the
//! summary, checkpoints and decisions, phases and tasks, rollback and incidents (in
//! `rollback.rs`), metrics, the end-of-day checklist, contacts and the event log.

use super::rollback::{self, Decided};
use super::when::{Times, displaced_days, margin, minutes_between, variance};
use super::{Block, Cell, Doc, Meta, Record};
use std::collections::BTreeMap;
use warroom_model::live::{Decision, MetricState, RunKind, RunState, Status, TaskLive, TaskStatus};
use warroom_model::{Event, Runbook};

fn strong(text: impl Into<String>, on: bool) -> Cell {
    Cell { text: text.into(), strong: on }
}

pub(super) fn table(head: &[&str], widths: &[f32], rows: Vec<Vec<Cell>>) -> Block {
    Block::Table { head: head.iter().map(|h| (*h).to_owned()).collect(), widths: widths.to_vec(), rows, keyed: false }
}

/// The laptop an event was recorded on, as the record names laptops.
fn laptop(e: &Event) -> &str {
    e.origin.get(..8).unwrap_or(&e.origin)
}

/// The import that brought the runbook in: the latest `runbook.import` or `.reimport`.
fn import_event(events: &[Event]) -> Option<&Event> {
    events.iter().filter(|e| e.kind.starts_with("runbook.")).max_by_key(|e| (e.hlc, e.origin.as_str()))
}

/// Lays the record out.
pub fn document(rec: &Record) -> Doc {
    let st = &rec.status;
    let rb = &rec.runbook;
    let v = &rec.verification;
    let t = Times::of(st);
    let displaced = displaced_days(st);
    let kind = match st.run.kind {
        RunKind::Live => "Live run",
        RunKind::Rehearsal => "Rehearsal",
    };
    let mut b = Vec::new();
    cover(&mut b, rec, kind, &t);
    summary(&mut b, rec, &t, displaced);
    checkpoints(&mut b, rec, &t);
    phases(&mut b, st, &t, displaced);
    super::removed::section(&mut b, rec, &t);
    rollback::rollback(&mut b, rec, &t);
    rollback::incidents(&mut b, rec, &t);
    metrics(&mut b, st, &t);
    end_of_day(&mut b, st, &t);
    contacts(&mut b, rb);
    event_log(&mut b, rec, &t);
    let mut authors: Vec<String> = rec.people().into_keys().collect();
    authors.sort();
    Doc {
        title: format!("{} — audit record", rb.title),
        footer: format!("{} · {kind} {} · log digest {}", rb.title, st.run.date, v.digest),
        digest: v.digest.clone(),
        meta: Meta {
            subject: format!(
                "Audit record of the {} {} of {} on {} ({}): {}",
                kind.to_lowercase(),
                st.run.id,
                rb.title,
                st.run.date,
                st.run.tz,
                rec.outcome()
            ),
            authors,
            keywords: vec![
                format!("log digest SHA-256 {}", v.digest),
                format!("run {}", st.run.id),
                "warroom audit record".to_owned(),
            ],
            created: t.local(rec.printed_at).0,
        },
        blocks: b,
    }
}

/// The cover: title, run, window, how to read the times, the importer, a partial record's
/// warning, the outcome and who took part.
fn cover(b: &mut Vec<Block>, rec: &Record, kind: &str, t: &Times) {
    let st = &rec.status;
    let rb = &rec.runbook;
    b.push(Block::Title(format!("{} — audit record", rb.title)));
    b.push(Block::Text(format!(
        "Version {} · {kind} {} · {} ({}) · window {}",
        rb.version.as_deref().unwrap_or("—"),
        st.run.id,
        st.run.date,
        st.run.tz,
        window(rec, t).unwrap_or_else(|| "—".to_owned())
    )));
    b.push(Block::Text(t.explained(&st.run.tz)));
    if let Some(e) = import_event(&rec.events) {
        let file = e.imported_file();
        b.push(Block::Text(format!(
            "Runbook {}{} by {} ({}) on laptop {}, {}.",
            if e.kind == "runbook.import" { "imported" } else { "re-imported" },
            file.map(|f| format!(" from {f}")).unwrap_or_default(),
            e.author.name,
            if e.author.role.is_empty() { "no role set" } else { &e.author.role },
            laptop(e),
            t.millis(e.wall_ms).map(|w| format!("{} {}", w.format("%Y-%m-%d"), w.hm())).unwrap_or_default()
        )));
    }
    if rec.partial() {
        b.push(Block::Alert(format!(
            "PARTIAL RECORD: printed at {} while the run is still going; it is not the final record.",
            t.at(&st.now)
        )));
    }
    let v = &rec.verification;
    if let Some(first) = v.problems.first() {
        // On the cover, where a reader starts: a record whose log does not verify is no record.
        b.push(Block::Alert(format!(
            "LOG INTEGRITY BROKEN: {} thing(s) in the event log do not follow from what was recorded \
             (first: {first}). What this record shows may have been changed after it was recorded, \
             and its digest seals nothing; `warroom verify` lists every one.",
            v.problems.len()
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

/// A task's status as the record states it: one left open when the run ended was not run.
fn status_shown(status: TaskStatus, run: RunState) -> String {
    let why = match run {
        RunState::RolledBack => "rolled back",
        RunState::Abandoned => "abandoned",
        RunState::Completed => "run completed",
        RunState::NotStarted | RunState::Active => return status.to_string(),
    };
    match status {
        TaskStatus::Pending => format!("not run ({why})"),
        TaskStatus::InProgress => format!("stopped ({why})"),
        other => other.to_string(),
    }
}

/// The whole window, `23:30 – 03:00 (21/03)`, from the runbook on the run's day.
fn window(rec: &Record, t: &Times) -> Option<String> {
    let w = rec.runbook.window.as_ref()?;
    let day = t.first_day?;
    let tz: chrono_tz::Tz = rec.status.run.tz.parse().ok()?;
    let at = |m: i32| t.local(crate::live::schedule::instant(tz, day, m));
    Some(format!("{} – {}", t.at(&at(w.start_minutes())), t.at(&at(w.end_minutes()))))
}

/// The summary: the window and the plan, times, task counts, variance, the rollback decision,
/// incidents, metrics and the log's integrity and digest.
fn summary(b: &mut Vec<Block>, rec: &Record, t: &Times, displaced: Option<i64>) {
    let st = &rec.status;
    let v = &rec.verification;
    let count = |f: &dyn Fn(&TaskLive) -> bool| st.tasks.iter().filter(|x| f(x)).count();
    let done = count(&|x| x.status == TaskStatus::Done);
    let late = count(&|x| x.status == TaskStatus::Done && x.variance_minutes > 0);
    let first_start = st.tasks.iter().filter_map(|x| x.actual_start).min();
    let last_finish = st.tasks.iter().filter_map(|x| x.actual_finish).max();
    let mut incidents: BTreeMap<String, usize> = BTreeMap::new();
    for i in &st.incidents {
        *incidents.entry(i.severity.map_or_else(|| "—".into(), |s| s.to_string())).or_default() += 1;
    }
    let r = &st.rollback;
    let mut summary: Vec<(&str, String)> = vec![
        ("Window", window(rec, t).unwrap_or_else(|| "not given by the runbook".to_owned())),
        (
            "Implementation planned",
            format!(
                "{} – {} (the tasks planned before the rollback deadline)",
                st.tasks.first().map_or_else(String::new, |x| t.at(&x.planned_start)),
                t.at(&r.implementation_planned_end)
            ),
        ),
        ("Actual start / last finish", format!("{} / {}", t.at_opt(&first_start), t.at_opt(&last_finish))),
        (
            "Tasks",
            format!(
                "{} in all: {done} done ({} on time, {late} late), {} skipped, {} failed, {} blocked, {} {}",
                st.tasks.len(),
                done - late,
                count(&|x| x.status == TaskStatus::Skipped),
                count(&|x| x.status == TaskStatus::Failed),
                count(&|x| x.status == TaskStatus::Blocked),
                count(&|x| matches!(x.status, TaskStatus::Pending | TaskStatus::InProgress)),
                if st.run.state.is_over() { "not run" } else { "open" }
            ),
        ),
    ];
    match displaced {
        Some(days) => summary.push((
            "Variance",
            format!(
                "not shown: the run was recorded {} day(s) {} its planned date, so its recorded times are when \
                 things were entered, not when they happened against the plan",
                days.abs(),
                if days > 0 { "after" } else { "before" }
            ),
        )),
        None if st.run.state == RunState::RolledBack => {
            summary.push(("Implementation variance", "not finished: the run was rolled back".to_owned()));
        }
        None => {
            let v = variance(r.implementation_variance_minutes);
            let shown =
                if v == "—" { "not shown: more than a day off the plan".to_owned() } else { format!("{v} min") };
            summary.push(("Implementation variance", shown))
        }
    }
    summary.push((
        "Rollback decision",
        match Decided::of(st) {
            Some(d) => {
                let deadline = r
                    .deadline
                    .as_ref()
                    .map(|dl| {
                        let m = minutes_between(&d.by.at, dl);
                        format!(", {} {} the {} deadline", margin(m), if m >= 0 { "before" } else { "after" }, t.at(dl))
                    })
                    .unwrap_or_default();
                format!(
                    "{} — decided {} by {} ({}){deadline}: {}",
                    d.word(),
                    t.at(&d.by.at),
                    d.by.name,
                    d.by.role,
                    d.reason
                )
            }
            None => "none".to_owned(),
        },
    ));
    summary.push((
        "Incidents",
        if incidents.is_empty() {
            "none".into()
        } else {
            incidents.iter().map(|(k, n)| format!("{k}: {n}")).collect::<Vec<_>>().join(", ")
        },
    ));
    summary.push((
        "Metrics",
        st.metrics.iter().map(|m| format!("{}: {}", m.name, m.state)).collect::<Vec<_>>().join("; "),
    ));
    summary.push((
        "Log",
        format!(
            "{} events from {} laptop(s); integrity {}",
            v.events,
            v.chains.len(),
            if v.intact() { "verified" } else { "BROKEN: see warroom verify" }
        ),
    ));
    summary.push(("Log digest (SHA-256)", v.digest.clone()));
    b.push(Block::Heading("Summary".into()));
    b.push(Block::Table {
        head: Vec::new(),
        widths: vec![0.28, 0.72],
        rows: summary.into_iter().map(|(k, val)| vec![Cell::from(k), Cell::from(val)]).collect(),
        keyed: true,
    });
}

/// Checkpoints with their decisions and sign-offs; then, when a decision was reversed, every
/// checkpoint decision in the order taken.
fn checkpoints(b: &mut Vec<Block>, rec: &Record, t: &Times) {
    let st = &rec.status;
    b.push(Block::Subheading("Checkpoints".into()));
    let cps = st
        .checkpoints
        .iter()
        .map(|cp| {
            let mut signers: Vec<String> =
                cp.signed.iter().map(|s| format!("{} — {} ({})", s.role, s.by.name, t.at(&s.by.at))).collect();
            if !cp.missing.is_empty() {
                signers.push(format!("missing: {}", cp.missing.join(", ")));
            }
            let decision =
                if cp.decision == Decision::Pending { "not decided".to_owned() } else { cp.decision.to_string() };
            vec![
                format!("{} {}", cp.id, cp.name()).into(),
                strong(decision, cp.decision == Decision::NoGo),
                t.stamp_opt(&cp.decided_by).into(),
                cp.reason.clone().unwrap_or_default().into(),
                strong(signers.join("; "), !cp.missing.is_empty()),
            ]
        })
        .collect();
    b.push(table(&["Checkpoint", "Decision", "By, when", "Reason", "Signed by"], &[0.22, 0.1, 0.2, 0.18, 0.3], cps));
    let decisions: Vec<&Event> = rec.events.iter().filter(|e| e.kind.starts_with("checkpoint.decide")).collect();
    let decided = st.checkpoints.iter().filter(|c| c.decided_by.is_some()).count();
    if decisions.len() > decided {
        let rows = decisions
            .into_iter()
            .map(|e| {
                vec![
                    t.millis(e.wall_ms).map(|w| t.at(&w)).unwrap_or_default().into(),
                    format!("{} ({})", e.author.name, e.author.role).into(),
                    e.summary().unwrap_or(&e.kind).into(),
                ]
            })
            .collect();
        b.push(Block::Subheading("Checkpoint decisions in the order taken, those reversed included".into()));
        b.push(table(&["When", "Who", "Decision"], &[0.14, 0.25, 0.61], rows));
    }
}

/// Each phase with its tasks: planned, actual, variance, who, status, and the reason and
/// comments, each once.
fn phases(b: &mut Vec<Block>, st: &Status, t: &Times, displaced: Option<i64>) {
    b.push(Block::Heading("Phases and tasks".into()));
    for p in &st.phases {
        let var = if p.done && displaced.is_none() {
            format!(" · variance {} min", variance(p.variance_minutes))
        } else if p.done {
            String::new()
        } else if st.run.state.is_over() {
            " · not finished".to_owned()
        } else if displaced.is_none() {
            format!(" · forecast {} min", variance(p.variance_minutes))
        } else {
            String::new()
        };
        b.push(Block::Subheading(format!(
            "{} · planned {} – {}{var}",
            p.name,
            t.at(&p.planned_start),
            t.at(&p.planned_finish)
        )));
        let rows = st
            .tasks
            .iter()
            .filter(|x| x.phase == p.id)
            .map(|x| {
                let actual = format!(
                    "{}–{}{}",
                    t.at_opt(&x.actual_start),
                    t.at_opt(&x.actual_finish),
                    if x.backfilled { " (back-filled)" } else { "" }
                );
                let shown = x.actual_finish.is_some() && displaced.is_none();
                let var = if shown { variance(x.variance_minutes) } else { String::new() };
                let by = x
                    .finished_by
                    .as_ref()
                    .or(x.started_by.as_ref())
                    .map(|s| format!("{} ({})", s.name, s.role))
                    .unwrap_or_default();
                // A note given with a transition is kept as its reason and as a comment: once here.
                let mut notes: Vec<String> =
                    x.reason.iter().filter(|r| !x.comments.iter().any(|c| &c.text == *r)).cloned().collect();
                notes.extend(x.comments.iter().map(|c| format!("{} {}: {}", t.at(&c.by.at), c.by.name, c.text)));
                vec![
                    x.id.as_str().into(),
                    t.at(&x.planned_start).into(),
                    actual.into(),
                    strong(var, shown && x.variance_minutes > 0),
                    x.name().into(),
                    x.owner.as_str().into(),
                    by.into(),
                    status_shown(x.status, st.run.state).into(),
                    notes.join(" · ").into(),
                ]
            })
            .collect();
        b.push(table(
            &["#", "Planned", "Actual", "Var.", "Task", "Owner", "Done by", "Status", "Notes and comments"],
            &[0.04, 0.08, 0.13, 0.05, 0.22, 0.11, 0.12, 0.08, 0.17],
            rows,
        ));
    }
}

/// Metric readings.
fn metrics(b: &mut Vec<Block>, st: &Status, t: &Times) {
    b.push(Block::Heading("Metrics".into()));
    let metrics = st
        .metrics
        .iter()
        .map(|m| {
            let readings: Vec<String> = m
                .readings
                .iter()
                .map(|x| {
                    format!("{} {}{} ({})", t.at(&x.by.at), x.value, x.unit.clone().unwrap_or_default(), x.by.name)
                })
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
fn end_of_day(b: &mut Vec<Block>, st: &Status, t: &Times) {
    b.push(Block::Heading("End of day".into()));
    let checks = st
        .checklist
        .iter()
        .map(|c| vec![(if c.checked { "☑" } else { "☐" }).into(), c.text.as_str().into(), t.stamp_opt(&c.by).into()])
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

/// The full event log, when each event was recorded in the run's zone, and how to check the
/// record against its database.
fn event_log(b: &mut Vec<Block>, rec: &Record, t: &Times) {
    let st = &rec.status;
    let v = &rec.verification;
    b.push(Block::Heading("Event log".into()));
    let run_prefix = format!("{}/", st.run.id);
    let log = rec
        .events
        .iter()
        .map(|e| {
            let when = t.millis(e.wall_ms).map(|w| t.at_seconds(&w)).unwrap_or_default();
            let changes = if e.writes.len() > 12 {
                format!("{} field changes", e.writes.len())
            } else {
                e.writes.iter().map(|w| change(w, &run_prefix, t)).collect::<Vec<_>>().join("; ")
            };
            vec![
                when.into(),
                format!("{} ({})", e.author.name, e.author.role).into(),
                format!("{}#{}", laptop(e), e.seq).into(),
                what(e).into(),
                changes.into(),
            ]
        })
        .collect();
    b.push(table(&["Recorded", "Who", "Laptop", "What", "Changes"], &[0.14, 0.15, 0.11, 0.25, 0.35], log));
    laptops(b, rec, t);
    let printed = t.local(rec.printed_at);
    b.push(Block::Text(format!(
        "Printed {} {} ({}). Check this record against its database with `warroom verify`: the log digest must read {}.",
        printed.format("%Y-%m-%d"),
        printed.hm(),
        st.run.tz,
        v.digest
    )));
}

/// Each laptop's key, the head of its chain, and which other laptops signed they held it: what
/// an auditor compares with the laptops themselves, or with another copy (`verify --against`).
fn laptops(b: &mut Vec<Block>, rec: &Record, t: &Times) {
    let v = &rec.verification;
    b.push(Block::Subheading("Laptops, keys and witnesses".into()));
    let short = |o: &str| o.get(..8).unwrap_or(o).to_owned();
    let rows = v
        .chains
        .iter()
        .map(|c| {
            let key = if c.key.is_empty() {
                "not signed".to_owned()
            } else {
                format!("Ed25519 {}", crate::keys::fingerprint(&c.key))
            };
            let unsigned = if c.unsigned > 0 {
                format!(" ({} written before signing, unsigned)", c.unsigned)
            } else {
                String::new()
            };
            let witnesses = if c.witnessed.is_empty() {
                "no other laptop yet".to_owned()
            } else {
                c.witnessed
                    .iter()
                    .map(|w| {
                        let when = t.millis(w.at_ms).map(|x| t.at_seconds(&x)).unwrap_or_default();
                        format!("{} held #{} at {when}", short(&w.by), w.seq)
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            vec![
                short(&c.origin).into(),
                format!("{key}{unsigned}").into(),
                format!("#{} {}", c.events, c.head.get(..16).unwrap_or(&c.head)).into(),
                witnesses.into(),
            ]
        })
        .collect();
    b.push(table(&["Laptop", "Signing key", "Chain head", "Witnessed by"], &[0.12, 0.33, 0.22, 0.33], rows));
    b.push(Block::Text(
        "Every event is signed by its laptop's key, and laptops sign the chain heads they hold of each other. \
         This record proves that no event was changed, removed or added after it was signed, unless by someone \
         holding that laptop's key; a laptop that rewrites its own history after another witnessed it is caught \
         by comparing with that laptop's copy (`warroom verify --against OTHER.db`). It cannot prove anything \
         against a person holding every laptop's key."
            .into(),
    ));
}

/// What an event did, in words: its summary, or for an import the file it read.
fn what(e: &Event) -> String {
    if let Some(s) = e.summary() {
        return s.to_owned();
    }
    match (e.kind.as_str(), e.imported_file()) {
        ("runbook.import", Some(f)) => format!("runbook imported from {f}"),
        ("runbook.reimport", Some(f)) => format!("runbook re-imported from {f}"),
        _ => e.kind.clone(),
    }
}

/// One field change as the event log shows it: the run's own prefix left out of ids, every
/// instant in the run's zone, and for an added entry (a comment, a reading, a sign-off) its
/// text or value without the who-and-when that the log's own columns already give.
fn change(w: &warroom_model::Write, run_prefix: &str, t: &Times) -> String {
    use serde_json::Value;
    let id = w.id.strip_prefix(run_prefix).unwrap_or(&w.id);
    let value = match &w.value {
        Value::Object(m) if w.op == warroom_model::WriteOp::Add => match m.get("text") {
            Some(text) => shown(text, t),
            None => {
                let rest: serde_json::Map<String, Value> =
                    m.iter().filter(|(k, _)| k.as_str() != "by").map(|(k, v)| (k.clone(), v.clone())).collect();
                shown(&Value::Object(rest), t)
            }
        },
        v => shown(v, t),
    };
    let op = if w.op == warroom_model::WriteOp::Add { "+=" } else { "=" };
    format!("{} {id} {} {op} {value}", w.entity, w.field)
}

/// A value as the log shows it: JSON-like, with a space after each separator so that it
/// breaks between fields rather than inside a name, and every RFC 3339 instant in the run's zone.
fn shown(v: &serde_json::Value, t: &Times) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => match warroom_model::Instant::parse(s) {
            Some(at) => t.at_seconds(&at),
            None => v.to_string(),
        },
        Value::Array(a) => format!("[{}]", a.iter().map(|x| shown(x, t)).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            format!("{{{}}}", m.iter().map(|(k, x)| format!("{k}: {}", shown(x, t))).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}
