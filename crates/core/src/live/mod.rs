//! The live run engine: a runbook executed as a run on a real date and time zone. Everything
//! a screen needs at an instant (`status`) is a pure function of the store's state and `now`;
//! the actions in `actions` turn what people do into events through the store's one write path.

pub mod actions;
mod agenda;
pub mod four_eyes;
pub mod matrix;
mod rollback_live;
pub mod schedule;
mod status;

use crate::store::records::{self, RecordError};
use crate::store::state::{State, Versioned};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
pub use status::status;
use std::collections::HashMap;
use warroom_model::Instant;
use warroom_model::live::*;
use warroom_model::{Condition, Event, Runbook, split_roles};

/// Identifier of the status JSON's schema (docs/status-schema.md).
pub const STATUS_SCHEMA: &str = "warroom.status/1";

/// How close the point of no return may come, with the implementation forecast past it, before
/// the rollback state turns red.
pub const RED_WITHIN_MINUTES: i64 = 30;

/// Why an action or a live picture could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The store failed (see `StoreError`).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record did not read back.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// No run has been started in this database.
    #[error("no run yet: start one with `warroom run start --live|--rehearsal --date YYYY-MM-DD`")]
    NoRun,
    /// No run has the id given.
    #[error("no run `{0}`; `warroom run list` shows the runs")]
    UnknownRun(String),
    /// The time zone given is not an IANA name.
    #[error("unknown time zone `{0}`: use an IANA name such as Asia/Ho_Chi_Minh or Europe/Berlin")]
    BadTz(String),
    /// The date given is not `YYYY-MM-DD`.
    #[error("`{0}` is not a date: expected YYYY-MM-DD")]
    BadDate(String),
    /// The runbook has no such task, checkpoint, step, incident, metric, ….
    #[error("no {kind} `{id}` in this runbook; `warroom show` lists the ids")]
    Unknown {
        /// What was looked for (`task`, `metric`, …).
        kind: &'static str,
        /// The id (or name) given.
        id: String,
    },
    /// An action the rules do not allow, and why.
    #[error("{0}")]
    Refused(warroom_model::Refusal),
    /// A snapshot read for the live picture only (`Snapshot::load_live`) cannot follow a change
    /// of the runbook: it is read again instead.
    #[error("this picture was read without the runbook's own fields and cannot follow a change of the runbook")]
    CannotFollow,
}

type Result<T, E = LiveError> = std::result::Result<T, E>;

/// The IANA time zone named (`Asia/Ho_Chi_Minh`); `BadTz` if there is none.
pub fn parse_tz(tz: &str) -> Result<Tz> {
    tz.parse().map_err(|_| LiveError::BadTz(tz.into()))
}

/// The zone a run takes when none is given: the runbook's, when it names one, else this
/// laptop's (UTC when the system does not say).
pub fn default_run_zone(runbook_zone: Option<&str>) -> String {
    runbook_zone
        .filter(|z| parse_tz(z).is_ok())
        .map(str::to_owned)
        .or_else(|| iana_time_zone::get_timezone().ok().filter(|z| parse_tz(z).is_ok()))
        .unwrap_or_else(|| "UTC".into())
}

/// A `YYYY-MM-DD` date; `BadDate` if it is not one.
pub fn parse_date(date: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| LiveError::BadDate(date.into()))
}

/// The key of per-run records of `item`: `<run>/<item>`.
pub fn key(run: &str, item: &str) -> String {
    format!("{run}/{item}")
}

/// Entity names of per-run records.
pub mod entity {
    /// A run: id as key, its fields those of `warroom_model::live::Run`.
    pub const RUN: &str = "run";
    /// A task's progress in a run (`TaskRecord`), keyed `<run>/<task>`.
    pub const TASK: &str = "task_run";
    /// A checkpoint's sign-offs and decision in a run, keyed `<run>/<checkpoint>`.
    pub const CHECKPOINT: &str = "checkpoint_run";
    /// The rollback's approvals, decision and override in a run, keyed by the run.
    pub const ROLLBACK: &str = "rollback_run";
    /// A rollback step ticked in a run, keyed `<run>/<step>`.
    pub const STEP: &str = "step_run";
    /// A rollback trigger marked met in a run, keyed `<run>/<trigger>`.
    pub const TRIGGER: &str = "trigger_run";
    /// An incident, keyed by its own id (it names its run in a field).
    pub const INCIDENT: &str = "incident";
    /// A metric's readings in a run, keyed `<run>/<metric>`.
    pub const METRIC: &str = "metric_run";
    /// A checklist item ticked in a run, keyed `<run>/<item>`.
    pub const CHECK: &str = "check_run";
}

/// Per-run state of a task, as stored.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TaskRecord {
    /// Where the task stands.
    pub status: TaskStatus,
    /// Why it was skipped, failed or blocked.
    pub reason: Option<String>,
    /// When it was started; `None` until then.
    pub actual_start: Option<DateTime<Utc>>,
    /// When it was done or skipped; `None` until then.
    pub actual_finish: Option<DateTime<Utc>>,
    /// Its times were given after the fact (`--at`).
    pub backfilled: bool,
    /// Who started it.
    pub started_by: Option<Stamp>,
    /// Who finished it.
    pub finished_by: Option<Stamp>,
}

/// The store's state read once, for computing the live picture; kept up to date by applying
/// each event committed after it was read (`apply`).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The runbook as it reads now, edits included.
    pub runbook: Runbook,
    /// Every field and set member, merged.
    pub state: State,
    /// The newest events (without their writes), oldest first: the status's recent changes.
    pub recent: Vec<Event>,
    /// How many events the log holds.
    pub event_count: u64,
    /// This database's origin id.
    pub origin: String,
    /// Whether `state` holds the runbook's own fields too (`load`), as acting on the runbook and
    /// following its changes need; `load_live` leaves them out.
    whole: bool,
}

impl Snapshot {
    /// Reads the store's state, runbook and recent events, all as of one moment; `NoRunbook` if
    /// nothing was imported.
    pub fn load(store: &Store) -> Result<Self> {
        Self::read(store, true)
    }

    /// What the live picture reads, read in about half the time of `load`: the state without
    /// the runbook's own fields. For reading the picture only: acting on it, or following a
    /// change of the runbook, needs `load`.
    pub fn load_live(store: &Store) -> Result<Self> {
        Self::read(store, false)
    }

    fn read(store: &Store, whole: bool) -> Result<Self> {
        store.read_at_once(|store| {
            Ok(Self {
                runbook: store.require_runbook()?,
                state: if whole { store.state()? } else { store.run_state()? },
                recent: store.recent_changes(RECENT)?,
                event_count: store.event_count()?,
                origin: store.origin().into(),
                whole,
            })
        })
    }

    /// Brings the snapshot past one more event of the store's log, new to it: the same state as
    /// reading the store again after that event was stored. Says whether the runbook changed.
    pub fn apply(&mut self, ev: &Event) -> Result<bool> {
        let runbook_changed = ev.writes.iter().any(|w| records::is_runbook_entity(&w.entity));
        if runbook_changed && !self.whole {
            return Err(LiveError::CannotFollow);
        }
        if ev.writes.iter().any(|w| has_fraction(&w.value)) {
            let mut stored = ev.clone();
            for w in &mut stored.writes {
                w.value = as_stored(&w.value)?;
            }
            self.state.apply(&stored);
        } else {
            self.state.apply(ev);
        }
        if runbook_changed {
            self.runbook = records::runbook_from_fields(self.state.fields.iter().map(|(k, v)| (k, &v.value)))?
                .ok_or_else(|| StoreError::NoRunbook { path: String::new() })?;
        }
        // The newest changes, as `Store::recent_changes` lists them: without their writes.
        let at = self.recent.partition_point(|e| log_order(e) < log_order(ev));
        let payload = as_stored(&ev.payload)?;
        let change = Event {
            origin: ev.origin.clone(),
            seq: ev.seq,
            hlc: ev.hlc,
            wall_ms: ev.wall_ms,
            author: ev.author.clone(),
            kind: ev.kind.clone(),
            payload,
            writes: Vec::new(),
            prev_hash: ev.prev_hash.clone(),
            hash: ev.hash.clone(),
            key: ev.key.clone(),
            sig: ev.sig.clone(),
        };
        if ev.kind != crate::store::witness::WITNESS {
            self.recent.insert(at, change);
        }
        if self.recent.len() > RECENT {
            self.recent.remove(0);
        }
        self.event_count += 1;
        Ok(runbook_changed)
    }

    /// The value of one field, if it was ever written.
    pub fn get(&self, entity: &str, id: &str, field: &str) -> Option<&Value> {
        self.state.fields.get(&(entity.into(), id.into(), field.into())).map(|v| &v.value)
    }

    /// The fields of one entity as an object.
    fn fields_of(&self, entity: &str, id: &str) -> Map<String, Value> {
        let start = (entity.to_owned(), id.to_owned(), String::new());
        self.state
            .fields
            .range(start..)
            .take_while(|((e, i, _), _)| e == entity && i == id)
            .map(|((_, _, f), v)| (f.clone(), v.value.clone()))
            .collect()
    }

    /// One entity read into `T`; defaults where nothing was written.
    pub fn record<T: DeserializeOwned + Default>(&self, entity: &str, id: &str) -> T {
        serde_json::from_value(Value::Object(self.fields_of(entity, id))).unwrap_or_default()
    }

    /// Ids of all entities of a kind.
    pub fn ids(&self, entity: &str) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        let start = (entity.to_owned(), String::new(), String::new());
        for (_, id, _) in self.state.fields.range(start..).map(|(k, _)| k).take_while(|(e, _, _)| e == entity) {
            if ids.last() != Some(id) {
                ids.push(id.clone());
            }
        }
        ids
    }

    /// Whether anything was recorded on one entity: a field, or a member of one of its sets.
    pub fn has_record(&self, entity: &str, id: &str) -> bool {
        let field = (entity.to_owned(), id.to_owned(), String::new());
        let member = (entity.to_owned(), id.to_owned(), String::new(), String::new());
        let mine = |e: &str, i: &str| e == entity && i == id;
        self.state.fields.range(field..).next().is_some_and(|((e, i, _), _)| mine(e, i))
            || self.state.members.range(member..).next().is_some_and(|((e, i, _, _), _)| mine(e, i))
    }

    /// Members of a grow-only set, oldest first.
    pub fn members(&self, entity: &str, id: &str, field: &str) -> Vec<&Versioned> {
        let start = (entity.to_owned(), id.to_owned(), field.to_owned(), String::new());
        let mut out: Vec<&Versioned> = self
            .state
            .members
            .range(start..)
            .take_while(|((e, i, f, _), _)| e == entity && i == id && f == field)
            .map(|(_, v)| v)
            .collect();
        out.sort_by(|a, b| (a.hlc, &a.origin).cmp(&(b.hlc, &b.origin)));
        out
    }

    fn member_values<T: DeserializeOwned>(&self, entity: &str, id: &str, field: &str) -> Vec<T> {
        self.members(entity, id, field)
            .into_iter()
            .filter_map(|v| serde_json::from_value(v.value.clone()).ok())
            .collect()
    }

    /// Every run of the database, oldest first.
    pub fn runs(&self) -> Vec<Run> {
        let mut runs: Vec<Run> = self
            .ids(entity::RUN)
            .into_iter()
            .map(|id| {
                let mut r: Run = self.record(entity::RUN, &id);
                r.id = id.into();
                r
            })
            .collect();
        runs.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        runs
    }

    /// The run named, else the newest that is not over, else the newest.
    pub fn run(&self, id: Option<&str>) -> Result<Run> {
        let runs = self.runs();
        match id {
            Some(id) => runs.into_iter().find(|r| r.id == id).ok_or_else(|| LiveError::UnknownRun(id.into())),
            None => {
                let active = runs.iter().rev().find(|r| !r.state.is_over()).cloned();
                active.or_else(|| runs.last().cloned()).ok_or(LiveError::NoRun)
            }
        }
    }

    /// What is recorded of `task` in `run` (all defaults when nothing is).
    pub fn task_record(&self, run: &str, task: &str) -> TaskRecord {
        self.record(entity::TASK, &key(run, task))
    }

    /// Roles that must sign a checkpoint: every contact role for `All`, else the owner's roles.
    pub fn required_roles(&self, owner: &str) -> Vec<String> {
        let f = crate::import::vocab::fold(owner);
        if ["all", "tat ca", "everyone", "moi nguoi", "team"].contains(&f.as_str()) {
            self.runbook.roles()
        } else {
            split_roles(owner)
        }
    }

    /// Actual minutes each task took in `run`, for planning another run from a rehearsal.
    pub fn actual_durations(&self, run: &str) -> HashMap<String, i64> {
        self.runbook
            .tasks()
            .filter_map(|t| {
                let r = self.task_record(run, &t.id);
                match (r.status, r.actual_start, r.actual_finish) {
                    (TaskStatus::Done, Some(s), Some(f)) => Some((t.id.to_string(), (f - s).num_minutes())),
                    _ => None,
                }
            })
            .collect()
    }
}

/// How many of the newest changes the live picture shows.
const RECENT: usize = 12;

/// Where an event stands in the log.
fn log_order(e: &Event) -> (u64, &str, u64) {
    (e.hlc, &e.origin, e.seq)
}

/// `v` as the store gives it back: a number that is not an integer reads back from its JSON
/// text, which may differ in the last digit from the number written.
fn as_stored(v: &Value) -> Result<Value> {
    if has_fraction(v) { Ok(serde_json::from_str(&v.to_string()).map_err(StoreError::from)?) } else { Ok(v.clone()) }
}

/// Whether `v` holds a number that is not an integer.
fn has_fraction(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_f64(),
        Value::Array(a) => a.iter().any(has_fraction),
        Value::Object(o) => o.values().any(has_fraction),
        _ => false,
    }
}

fn minutes(d: Duration) -> i64 {
    d.num_seconds().div_euclid(60)
}

/// Rollback step durations: each step's estimate, or the default share.
pub fn step_minutes(
    rb: &Runbook,
    deadline: Option<DateTime<Utc>>,
    window_end: Option<DateTime<Utc>>,
) -> Vec<(u32, bool)> {
    let steps = &rb.rollback.steps;
    let n = steps.len() as i64;
    let default_total = match (deadline, window_end) {
        (Some(d), Some(e)) if e > d => minutes(e - d),
        _ => 10 * n,
    };
    let unestimated: Vec<usize> = (0..steps.len()).filter(|i| steps[*i].duration_min.is_none()).collect();
    let k = unestimated.len() as i64;
    let explicit_default = rb.rollback.default_step_minutes;
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| match (s.duration_min, explicit_default) {
            (Some(d), _) => (d, false),
            (None, Some(d)) => (d, true),
            (None, None) => {
                // Spread the whole default over the unestimated steps, summing exactly.
                let j = unestimated.iter().position(|u| *u == i).unwrap_or(0) as i64;
                let share = default_total * (j + 1) / k.max(1) - default_total * j / k.max(1);
                (u32::try_from(share).unwrap_or(0), true)
            }
        })
        .collect()
}

/// What an export fills in from a run: each task's status and local actual times.
pub fn progress(st: &Status) -> crate::export::Progress {
    let hm = |t: &Option<Instant>| t.map(Instant::hm);
    st.tasks
        .iter()
        .map(|t| {
            let p = crate::export::TaskProgress {
                status: t.status.as_str().to_owned(),
                actual_start: hm(&t.actual_start),
                actual_finish: hm(&t.actual_finish),
            };
            (t.id.clone(), p)
        })
        .collect()
}

/// A reading's state: alert if the alert threshold holds, else ok or warning by the target,
/// unknown when the target is for a person to judge.
pub fn metric_state(target: &Condition, alert: &Condition, value: f64) -> MetricState {
    match (alert.holds(value), target.holds(value)) {
        (Some(true), _) => MetricState::Alert,
        (_, Some(true)) => MetricState::Ok,
        (_, Some(false)) => MetricState::Warning,
        (_, None) => MetricState::Unknown,
    }
}

#[cfg(test)]
mod agenda_tests;
#[cfg(test)]
mod tests;
