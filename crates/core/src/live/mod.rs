//! The live run engine: a runbook executed as a run on a real date and time zone. Everything
//! a screen needs at an instant (`status`) is a pure function of the store's state and `now`;
//! the actions in `actions` turn what people do into events through the store's one write path.

pub mod actions;
pub mod schedule;

use crate::store::records::{self, RecordError};
use crate::store::state::{State, Versioned};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashMap;
use warroom_model::live::*;
use warroom_model::{Condition, Event, MatrixAction, Runbook, split_roles};

/// Identifier of the status JSON's schema (docs/status-schema.md).
pub const STATUS_SCHEMA: &str = "warroom.status/1";

/// How close the point of no return may come, with the implementation forecast past it, before
/// the rollback state turns red.
pub const RED_WITHIN_MINUTES: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("no run yet: start one with `warroom run start --live|--rehearsal --date YYYY-MM-DD`")]
    NoRun,
    #[error("no run `{0}`; `warroom run list` shows the runs")]
    UnknownRun(String),
    #[error("unknown time zone `{0}`: use an IANA name such as Asia/Ho_Chi_Minh or Europe/Berlin")]
    BadTz(String),
    #[error("`{0}` is not a date: expected YYYY-MM-DD")]
    BadDate(String),
    #[error("no {kind} `{id}` in this runbook; `warroom show` lists the ids")]
    Unknown { kind: &'static str, id: String },
    /// An action the rules do not allow, with why and what to do instead.
    #[error("{0}")]
    Refused(String),
}

type Result<T, E = LiveError> = std::result::Result<T, E>;

pub fn parse_tz(tz: &str) -> Result<Tz> {
    tz.parse().map_err(|_| LiveError::BadTz(tz.into()))
}

pub fn parse_date(date: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| LiveError::BadDate(date.into()))
}

/// The key of per-run records of `item`: `<run>/<item>`.
pub fn key(run: &str, item: &str) -> String {
    format!("{run}/{item}")
}

/// Entity names of per-run records.
pub mod entity {
    pub const RUN: &str = "run";
    pub const TASK: &str = "task_run";
    pub const CHECKPOINT: &str = "checkpoint_run";
    pub const ROLLBACK: &str = "rollback_run";
    pub const STEP: &str = "step_run";
    pub const TRIGGER: &str = "trigger_run";
    pub const INCIDENT: &str = "incident";
    pub const METRIC: &str = "metric_run";
    pub const CHECK: &str = "check_run";
}

/// Per-run state of a task, as stored.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TaskRecord {
    pub status: TaskStatus,
    pub reason: Option<String>,
    pub actual_start: Option<DateTime<Utc>>,
    pub actual_finish: Option<DateTime<Utc>>,
    pub backfilled: bool,
    pub started_by: Option<Stamp>,
    pub finished_by: Option<Stamp>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct CheckpointRecord {
    decision: Decision,
    reason: Option<String>,
    decided_by: Option<Stamp>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct RollbackRecord {
    decision: Option<String>,
    decided_by: Option<Stamp>,
    override_reason: Option<String>,
    opened: bool,
    opened_by: Option<Stamp>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct StepRecord {
    done: bool,
    done_by: Option<Stamp>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct IncidentRecord {
    run: String,
    title: String,
    severity: Option<Severity>,
    description: String,
    open: bool,
    opened_by: Stamp,
    resolved_by: Option<Stamp>,
    eta: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct CheckRecord {
    checked: bool,
    by: Option<Stamp>,
}

/// The store's state read once, for computing the live picture.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub runbook: Runbook,
    pub state: State,
    pub recent: Vec<Event>,
    pub event_count: u64,
    pub origin: String,
}

impl Snapshot {
    pub fn load(store: &Store) -> Result<Self> {
        let state = store.state()?;
        let runbook = records::runbook_from_fields(state.fields.iter().map(|(k, v)| (k.clone(), v.value.clone())))?
            .ok_or_else(|| StoreError::NoRunbook { path: store.path().into() })?;
        Ok(Self {
            runbook,
            state,
            recent: store.recent_changes(12)?,
            event_count: store.event_count()?,
            origin: store.origin().into(),
        })
    }

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

    pub fn runs(&self) -> Vec<Run> {
        let mut runs: Vec<Run> = self
            .ids(entity::RUN)
            .into_iter()
            .map(|id| {
                let mut r: Run = self.record(entity::RUN, &id);
                r.id = id;
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
                    (TaskStatus::Done, Some(s), Some(f)) => Some((t.id.clone(), (f - s).num_minutes())),
                    _ => None,
                }
            })
            .collect()
    }
}

fn minutes(d: Duration) -> i64 {
    d.num_seconds().div_euclid(60)
}

fn same_role(a: &str, b: &str) -> bool {
    crate::import::vocab::fold(a) == crate::import::vocab::fold(b)
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

/// Everything a screen needs about `run` at `now`.
pub fn status(snap: &Snapshot, run: &Run, now: DateTime<Utc>) -> Result<Status> {
    let rb = &snap.runbook;
    let tz = parse_tz(&run.tz)?;
    let date = parse_date(&run.date)?;
    let formatter = schedule::Formatter::new(tz);
    let fmt = |t: DateTime<Utc>| formatter.format(t);
    let stamp_of = |t: Option<DateTime<Utc>>| t.map(fmt);
    let durations = run.durations_from.as_deref().map(|r| snap.actual_durations(r)).unwrap_or_default();
    let plan = schedule::plan(rb, tz, date, &durations);
    let over = run.state.is_over();

    let mut tasks: Vec<TaskLive> = Vec::with_capacity(plan.start.len());
    let mut starts: Vec<DateTime<Utc>> = Vec::with_capacity(plan.start.len());
    // The run's task records in one pass; most tasks have none yet.
    let prefix = format!("{}/", run.id);
    let mut records: HashMap<&str, Map<String, Value>> = HashMap::new();
    for ((_, id, field), v) in snap
        .state
        .fields
        .range((entity::TASK.to_owned(), String::new(), String::new())..)
        .take_while(|((e, _, _), _)| e == entity::TASK)
    {
        if let Some(task) = id.strip_prefix(&prefix) {
            records.entry(task).or_default().insert(field.clone(), v.value.clone());
        }
    }
    // Only the tasks that have comments need a look at the comment sets.
    let commented: std::collections::HashSet<&str> = snap
        .state
        .members
        .range((entity::TASK.to_owned(), String::new(), String::new(), String::new())..)
        .take_while(|((e, _, _, _), _)| e == entity::TASK)
        .filter(|((_, _, f, _), _)| f == "comments")
        .filter_map(|((_, id, _, _), _)| id.strip_prefix(&prefix))
        .collect();
    // Positions by id, for explicit dependencies; most runbooks have none.
    let position: HashMap<&str, usize> = if rb.tasks().any(|t| !t.after.is_empty()) {
        rb.tasks().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect()
    } else {
        HashMap::new()
    };
    let mut finish: Vec<DateTime<Utc>> = Vec::with_capacity(plan.start.len());
    let mut phases: Vec<PhaseLive> = Vec::with_capacity(rb.phases.len());
    let mut prev_phase_finish: Option<DateTime<Utc>> = None;
    for phase in &rb.phases {
        let mut prev: Option<DateTime<Utc>> = None;
        let mut phase_max: Option<DateTime<Utc>> = None;
        let mut phase_done = true;
        for t in &phase.tasks {
            let rec: TaskRecord = records
                .remove(t.id.as_str())
                .and_then(|m| serde_json::from_value(Value::Object(m)).ok())
                .unwrap_or_default();
            let i = finish.len();
            let ps = plan.start.get(i).copied().unwrap_or(now);
            let pf = plan.finish.get(i).copied().unwrap_or(ps);
            let pm = pf - ps;
            let mut pred = prev.or(prev_phase_finish);
            if t.checkpoint {
                pred = pred.max(phase_max);
            }
            for a in &t.after {
                pred = pred.max(position.get(a.as_str()).and_then(|j| finish.get(*j)).copied());
            }
            let (fs, ff) = match rec.status {
                TaskStatus::Done | TaskStatus::Skipped => {
                    let f = rec.actual_finish.unwrap_or(now);
                    (rec.actual_start.unwrap_or(f), f)
                }
                TaskStatus::InProgress | TaskStatus::Failed | TaskStatus::Blocked => {
                    let s = rec.actual_start.unwrap_or(now);
                    (s, if over { s + pm } else { now.max(s + pm) })
                }
                TaskStatus::Pending => {
                    let s = if over { ps.max(pred.unwrap_or(ps)) } else { now.max(ps).max(pred.unwrap_or(ps)) };
                    (s, s + pm)
                }
            };
            finish.push(ff);
            prev = Some(ff);
            phase_max = phase_max.max(Some(ff));
            let comments = if commented.contains(t.id.as_str()) {
                snap.member_values::<Comment>(entity::TASK, &key(&run.id, &t.id), "comments")
            } else {
                Vec::new()
            };
            phase_done &= rec.status.is_closed();
            starts.push(fs);
            tasks.push(TaskLive {
                id: t.id.clone(),
                phase: phase.id.clone(),
                title: t.title.clone(),
                owner: t.owner.clone(),
                checkpoint: t.checkpoint,
                status: rec.status,
                reason: rec.reason.clone(),
                planned_start: fmt(ps),
                planned_finish: fmt(pf),
                planned_minutes: minutes(pm),
                forecast_start: fmt(fs),
                forecast_finish: fmt(ff),
                actual_start: stamp_of(rec.actual_start),
                actual_finish: stamp_of(rec.actual_finish),
                variance_minutes: minutes(ff - pf),
                overdue: !over && !rec.status.is_closed() && now > pf,
                backfilled: rec.backfilled,
                started_by: rec.started_by.clone(),
                finished_by: rec.finished_by.clone(),
                comments,
            });
        }
        let first = finish.len() - phase.tasks.len();
        let planned_start = plan.start.get(first).copied().filter(|_| !phase.tasks.is_empty()).unwrap_or(now);
        let planned_finish =
            plan.finish.get(first..finish.len()).and_then(|f| f.iter().max()).copied().unwrap_or(planned_start);
        let forecast_finish = phase_max.unwrap_or(planned_finish);
        phases.push(PhaseLive {
            id: phase.id.clone(),
            name: phase.display_name(),
            planned_start: fmt(planned_start),
            planned_finish: fmt(planned_finish),
            forecast_finish: fmt(forecast_finish),
            variance_minutes: minutes(forecast_finish - planned_finish),
            done: phase_done,
        });
        prev_phase_finish = phase_max.or(prev_phase_finish);
    }

    let active = !over;
    let open: Vec<&TaskLive> = tasks.iter().filter(|t| !t.status.is_closed()).collect();
    let due: Vec<String> = if active {
        tasks
            .iter()
            .zip(&starts)
            .filter(|(t, s)| !t.status.is_closed() && (t.status != TaskStatus::Pending || **s <= now))
            .map(|(t, _)| t.id.clone())
            .collect()
    } else {
        Vec::new()
    };
    let due_set: std::collections::HashSet<&str> = due.iter().map(String::as_str).collect();
    let next: Vec<String> =
        open.iter().filter(|t| !due_set.contains(t.id.as_str())).take(3).map(|t| t.id.clone()).collect();
    let overdue: Vec<String> = tasks.iter().filter(|t| t.overdue).map(|t| t.id.clone()).collect();
    let current_phase = if active { open.first().map(|t| t.phase.clone()) } else { None };

    let checkpoints = rb
        .tasks()
        .zip(&finish)
        .filter(|(t, _)| t.checkpoint)
        .map(|(t, ff)| {
            let k = key(&run.id, &t.id);
            let rec: CheckpointRecord = snap.record(entity::CHECKPOINT, &k);
            let required = snap.required_roles(&t.owner);
            let signed: Vec<SignOff> = snap.member_values(entity::CHECKPOINT, &k, "signoffs");
            let missing = required.iter().filter(|r| !signed.iter().any(|s| same_role(&s.role, r))).cloned().collect();
            CheckpointLive {
                id: t.id.clone(),
                title: t.title.clone(),
                decision: rec.decision,
                reason: rec.reason,
                decided_by: rec.decided_by,
                forecast: fmt(*ff),
                required,
                signed,
                missing,
            }
        })
        .collect();

    let rollback = rollback_live(snap, run, tz, date, now, &plan, &finish)?;

    let incidents = snap
        .ids(entity::INCIDENT)
        .into_iter()
        .filter_map(|id| {
            let rec: IncidentRecord = snap.record(entity::INCIDENT, &id);
            (rec.run == run.id).then_some((id, rec))
        })
        .map(|(id, rec)| {
            let row = rec.severity.and_then(|sev| {
                rb.rollback.matrix.iter().find(|m| m.severity.trim().eq_ignore_ascii_case(&format!("{sev:?}")))
            });
            let recommendation = row.map(|m| {
                match m.action {
                    MatrixAction::Rollback => "rollback",
                    MatrixAction::FixForward => "fix_forward",
                    MatrixAction::DisableFeature => "disable_feature",
                    MatrixAction::Other => "other",
                }
                .to_owned()
            });
            let eta = rec.eta.map(|e| if rec.open { e.max(now) } else { e });
            IncidentLive {
                updates: snap.member_values(entity::INCIDENT, &id, "updates"),
                id,
                title: rec.title,
                severity: rec.severity,
                description: rec.description,
                open: rec.open,
                opened_by: rec.opened_by,
                resolved_by: rec.resolved_by,
                recommendation,
                approvers: row.map(|m| m.approvers.clone()).unwrap_or_default(),
                eta: eta.map(fmt),
            }
        })
        .collect();

    let metrics = rb
        .metrics
        .iter()
        .map(|m| {
            let readings: Vec<Reading> = snap.member_values(entity::METRIC, &key(&run.id, &m.id), "readings");
            let last = readings.last().cloned();
            let state = match &last {
                None => MetricState::Unknown,
                Some(r) => metric_state(&m.target_condition, &m.alert_condition, r.value),
            };
            MetricLive {
                id: m.id.clone(),
                name: m.name.clone(),
                target: m.target.clone(),
                alert: m.alert.clone(),
                state,
                last,
                readings,
            }
        })
        .collect();

    let checklist = rb
        .checklist
        .iter()
        .map(|c| {
            let rec: CheckRecord = snap.record(entity::CHECK, &key(&run.id, &c.id));
            ChecklistLive { id: c.id.clone(), text: c.text.clone(), checked: rec.checked, by: rec.by }
        })
        .collect();

    let forecast_end = finish.iter().max().copied().unwrap_or(now);
    let planned_end = plan.finish.iter().max().copied().unwrap_or(now);
    let hypercare_end = match (&rb.window, rb.hypercare_hours) {
        (Some(w), Some(h)) => Some(fmt(schedule::instant(tz, date, w.end_minutes()) + Duration::hours(i64::from(h)))),
        _ => None,
    };
    let recent = snap
        .recent
        .iter()
        .map(|e| Change {
            kind: e.kind.clone(),
            summary: e.payload.get("summary").and_then(Value::as_str).unwrap_or_default().to_owned(),
            by: Stamp {
                name: e.author.name.clone(),
                role: e.author.role.clone(),
                device: e.origin.get(..8).unwrap_or(&e.origin).to_owned(),
                at: DateTime::<Utc>::from_timestamp_millis(e.wall_ms).map(fmt).unwrap_or_default(),
            },
        })
        .collect();

    Ok(Status {
        schema: STATUS_SCHEMA.into(),
        now: fmt(now),
        run: run.clone(),
        current_phase,
        due,
        next,
        overdue,
        tasks,
        phases,
        checkpoints,
        rollback,
        incidents,
        metrics,
        checklist,
        forecast_end: fmt(forecast_end),
        variance_minutes: minutes(forecast_end - planned_end),
        hypercare_end,
        recent,
    })
}

/// What an export fills in from a run: each task's status and local actual times.
pub fn progress(st: &Status) -> crate::export::Progress {
    let hm = |t: &Option<String>| t.as_deref().and_then(|t| t.get(11..16)).map(str::to_owned);
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

pub fn metric_state(target: &Condition, alert: &Condition, value: f64) -> MetricState {
    match (alert.holds(value), target.holds(value)) {
        (Some(true), _) => MetricState::Alert,
        (_, Some(true)) => MetricState::Ok,
        (_, Some(false)) => MetricState::Warning,
        (_, None) => MetricState::Unknown,
    }
}

/// The rollback gauge. The point of no return (`decide_by`) is the deadline, or earlier if the
/// rollback would not fit before the window ends. Green: the implementation is forecast to end
/// before it. Amber: it is not. Red: it is not and the point is less than RED_WITHIN_MINUTES
/// away, or rolling back now would already overrun the window. Closed: past the deadline (fix
/// forward only, unless overridden) or the run is over.
fn rollback_live(
    snap: &Snapshot,
    run: &Run,
    tz: Tz,
    date: NaiveDate,
    now: DateTime<Utc>,
    plan: &schedule::Plan,
    finish: &[DateTime<Utc>],
) -> Result<RollbackLive> {
    let rb = &snap.runbook;
    let fmt = |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();
    let deadline = rb.rollback.deadline.map(|d| schedule::instant(tz, date, d.on_day(rb.rollback.deadline_day)));
    let window_end = rb.window.as_ref().map(|w| schedule::instant(tz, date, w.end_minutes()));
    let durations = step_minutes(rb, deadline, window_end);
    let total: u32 = durations.iter().map(|(m, _)| m).sum();
    let total_d = Duration::minutes(i64::from(total));
    let rec: RollbackRecord = snap.record(entity::ROLLBACK, &run.id);
    let steps: Vec<RollbackStepLive> = rb
        .rollback
        .steps
        .iter()
        .zip(&durations)
        .map(|(s, (m, estimated))| {
            let sr: StepRecord = snap.record(entity::STEP, &key(&run.id, &s.id));
            RollbackStepLive {
                id: s.id.clone(),
                title: s.title.clone(),
                minutes: *m,
                estimated: *estimated,
                done: sr.done,
                done_by: sr.done_by,
            }
        })
        .collect();
    let remaining: u32 = if rec.decision.as_deref() == Some("rollback") {
        steps.iter().filter(|s| !s.done).map(|s| s.minutes).sum()
    } else {
        total
    };
    let restore_by = window_end.or(deadline.map(|d| d + total_d));
    let decide_by = match (deadline, restore_by) {
        (Some(d), Some(r)) => Some(d.min(r - total_d)),
        (None, Some(r)) => Some(r - total_d),
        (d, None) => d,
    };
    let before_deadline = |s: &&DateTime<Utc>| deadline.is_none_or(|d| **s < d);
    let implementation_end =
        plan.start.iter().zip(finish).filter(|(s, _)| before_deadline(s)).map(|(_, f)| *f).max().unwrap_or(now);
    let implementation_planned_end = plan
        .start
        .iter()
        .zip(&plan.finish)
        .filter(|(s, _)| before_deadline(s))
        .map(|(_, f)| *f)
        .max()
        .unwrap_or(implementation_end);
    let backout_now = now + Duration::minutes(i64::from(remaining));
    let backout_worst = implementation_end.max(now) + total_d;
    let slack = decide_by.map_or(0, |d| minutes(d - now));
    let fix_forward_only = deadline.is_some_and(|d| now > d);
    let late = decide_by.is_some_and(|d| implementation_end > d);
    let state = if run.state.is_over() || (fix_forward_only && rec.override_reason.is_none()) {
        Rag::Closed
    } else if restore_by.is_some_and(|r| backout_now > r) || (late && slack <= RED_WITHIN_MINUTES) {
        Rag::Red
    } else if late {
        Rag::Amber
    } else {
        Rag::Green
    };
    let triggers_checked = rb
        .rollback
        .triggers
        .iter()
        .filter(|t| snap.get(entity::TRIGGER, &key(&run.id, &t.id), "checked") == Some(&Value::Bool(true)))
        .map(|t| t.id.clone())
        .collect();
    Ok(RollbackLive {
        state,
        deadline: deadline.map(fmt),
        restore_by: restore_by.map(fmt),
        decide_by: decide_by.map(fmt),
        implementation_end: fmt(implementation_end),
        implementation_planned_end: fmt(implementation_planned_end),
        implementation_variance_minutes: minutes(implementation_end - implementation_planned_end),
        backout_now: fmt(backout_now),
        backout_worst: fmt(backout_worst),
        rollback_minutes: total,
        slack_minutes: slack,
        decision: rec.decision,
        decided_by: rec.decided_by,
        override_reason: rec.override_reason,
        opened: rec.opened,
        opened_by: rec.opened_by,
        triggers_checked,
        steps,
        fix_forward_only,
    })
}

#[cfg(test)]
mod tests;
