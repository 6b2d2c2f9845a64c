//! What people do during a run, as events: starting and ending runs, the task lifecycle (with
//! undo and back-filled times), checkpoint sign-offs and decisions, the rollback procedure,
//! incidents, metric readings, the end-of-day checklist, and edits of the runbook. Each action
//! checks the rules against the current state, then commits through the store's one write path.

#[cfg(test)]
mod backfill_tests;
mod checkpoints;
mod edits;
mod incidents_metrics;
mod rollback;
mod runs_tasks;

use super::{LiveError, Snapshot, entity};
use crate::clock::Clock;
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::borrow::Cow;
use warroom_model::Instant;
use warroom_model::Refusal;
use warroom_model::live::{Decision, Run, RunState, Stamp, TaskStatus};
use warroom_model::{Author, Event, Write};

type Result<T, E = LiveError> = std::result::Result<T, E>;

fn refused(why: Refusal) -> LiveError {
    LiveError::Refused(why)
}

/// A task transition a person asks for: the same verbs the UI sends (`api::TaskVerb`).
pub use warroom_model::api::TaskVerb as TaskAction;

/// Acts on a store as one person.
pub struct Actions<'a> {
    /// The database recorded in.
    pub store: &'a mut Store,
    /// Who is recorded as doing it.
    pub author: Author,
    /// The time actions are stamped with.
    pub clock: &'a dyn Clock,
    /// A run that has not started yet and becomes active with the next recorded action.
    activate: std::cell::RefCell<Option<warroom_model::RunId>>,
    /// The store's state as its owner holds it, current until this records something.
    held: Option<&'a Snapshot>,
    /// What this recorded, in order.
    committed: Vec<Event>,
    /// Back-filling: when what is recorded happened, and who typed it when that is not the
    /// author.
    happened: Option<(DateTime<Utc>, Option<String>)>,
}

const TASK_FIELDS: [(&str, Value); 7] = [
    ("status", Value::Null),
    ("reason", Value::Null),
    ("actual_start", Value::Null),
    ("actual_finish", Value::Null),
    ("backfilled", Value::Bool(false)),
    ("started_by", Value::Null),
    ("finished_by", Value::Null),
];

impl<'a> Actions<'a> {
    /// Actions on `store` as `author`, stamped by `clock`.
    pub fn new(store: &'a mut Store, author: Author, clock: &'a dyn Clock) -> Self {
        Self {
            store,
            author,
            clock,
            activate: std::cell::RefCell::new(None),
            held: None,
            committed: Vec::new(),
            happened: None,
        }
    }

    /// Checks the rules against `snap`, the store's state as the caller holds it (it must be
    /// current), instead of reading the store again.
    pub fn with_snapshot(mut self, snap: &'a Snapshot) -> Self {
        self.held = Some(snap);
        self
    }

    /// The events recorded through these actions so far, in order.
    pub fn into_committed(self) -> Vec<Event> {
        self.committed
    }

    /// The state to check the rules against: the one handed in while it is current, else read.
    fn snap(&self) -> Result<Cow<'a, Snapshot>> {
        match self.held {
            Some(s) if self.committed.is_empty() => Ok(Cow::Borrowed(s)),
            _ => Snapshot::load(self.store).map(Cow::Owned),
        }
    }

    /// Records what follows as having happened at `at` (back-filling), typed by `entered_by`
    /// when that is someone else than the author: the rules apply at `at`, and each record says
    /// when it was entered. `at` comes from `backfilled_at`.
    pub fn happened_at(&mut self, at: DateTime<Utc>, entered_by: Option<String>) {
        self.happened = Some((at, entered_by));
    }

    /// Whether what is recorded is back-filled.
    fn backfilling(&self) -> bool {
        self.happened.is_some()
    }

    /// The moment the rules apply at and records are stamped with: now, or the back-filled
    /// moment.
    fn now(&self) -> DateTime<Utc> {
        self.happened.as_ref().map_or_else(|| self.clock.now(), |(at, _)| *at)
    }

    fn stamp(&self, at: DateTime<Utc>) -> Stamp {
        let (entered_at, entered_by) = match &self.happened {
            Some((_, by)) => (Some(Instant::utc(self.clock.now())), by.clone()),
            None => (None, None),
        };
        Stamp {
            name: self.author.name.clone(),
            role: self.author.role.clone(),
            device: self.store.origin().get(..8).unwrap_or_default().to_owned(),
            at: Instant::utc(at),
            entered_at,
            entered_by,
        }
    }

    /// The instant a back-filled time means in `run`: an RFC 3339 instant, `YYYY-MM-DDTHH:MM`
    /// in the run's zone, or `HH:MM` on the run's timeline (the first such time at or after the
    /// window's start, so 01:10 in a 23:30–03:00 window is the next day). Refused when it is
    /// later than now, or outside the run (before its go-live day began).
    pub fn backfilled_at(&self, run: Option<&str>, text: &str) -> Result<DateTime<Utc>> {
        let snap = self.snap()?;
        let r = snap.run(run)?;
        let tz = super::parse_tz(&r.tz)?;
        let date = super::parse_date(&r.date)?;
        let bad = || refused(Refusal::BadTime { text: text.to_owned() });
        let text = text.trim();
        let at = if let Some(t) = super::schedule::parse_instant(text, tz) {
            t
        } else {
            let t = crate::import::times::parse_time(text).map_err(|_| bad())?;
            let rb = &snap.runbook;
            let start = rb
                .window
                .as_ref()
                .map(|w| w.start_minutes())
                .or_else(|| rb.tasks().map(|t| t.minutes()).min())
                .unwrap_or(0);
            let (day, from) = (start.div_euclid(24 * 60), start.rem_euclid(24 * 60));
            let minutes = if t.on_day(0) >= from { t.on_day(0) } else { t.on_day(1) };
            super::schedule::instant(tz, date, minutes + day * 24 * 60)
        };
        // A runbook with a day-before table (T-1) begins that day.
        let first_day = snap.runbook.tasks().map(|t| t.day).min().unwrap_or(0).min(0);
        let day_began = super::schedule::instant(tz, date, i32::from(first_day) * 24 * 60);
        if at < day_began {
            let from = super::schedule::Formatter::new(tz).format(day_began).to_string();
            return Err(refused(Refusal::OutsideTheRun { text: text.to_owned(), from }));
        }
        if at > self.clock.now() {
            return Err(refused(Refusal::InTheFuture { text: text.to_owned() }));
        }
        Ok(at)
    }

    fn commit(&mut self, kind: &str, summary: String, mut payload: Value, mut writes: Vec<Write>) -> Result<Event> {
        if let Value::Object(m) = &mut payload {
            m.insert("summary".into(), json!(summary));
            if let Some((at, by)) = &self.happened {
                m.insert("backfilled_at".into(), json!(at.to_rfc3339()));
                if let Some(by) = by {
                    m.insert("entered_by".into(), json!(by));
                }
            }
        }
        if let Some(run) = self.activate.borrow_mut().take() {
            // First, so that a later write to the run's state in the same event wins.
            writes.insert(0, Write::set(entity::RUN, &run, "state", json!(RunState::Active)));
            writes.insert(1, Write::set(entity::RUN, &run, "started_at", json!(self.now().to_rfc3339())));
        }
        let ev = self.store.commit(&self.author, kind, payload, writes, self.clock)?;
        self.committed.push(ev.clone());
        Ok(ev)
    }

    /// A run that is not over, or why not. A run not started yet starts with this action.
    fn active_run(&self, snap: &Snapshot, run: Option<&str>) -> Result<Run> {
        let r = snap.run(run)?;
        match r.state {
            RunState::Active => Ok(r),
            RunState::NotStarted => {
                *self.activate.borrow_mut() = Some(r.id.clone());
                Ok(r)
            }
            s => Err(refused(Refusal::RunOver { run: r.id.clone(), state: s.to_string() })),
        }
    }

    /// The writes that put `fields` of an entity back as they are now.
    fn before(&self, snap: &Snapshot, entity: &str, id: &str, fields: &[(&str, Value)]) -> Vec<Write> {
        fields
            .iter()
            .map(|(f, default)| {
                let v = snap.get(entity, id, f).cloned().unwrap_or_else(|| match *f {
                    "status" => json!(TaskStatus::Pending),
                    "decision" => json!(Decision::Pending),
                    _ => default.clone(),
                });
                Write::set(entity, id, f, v)
            })
            .collect()
    }
}
