//! The live picture of a run at an instant (`status`), built section by section: tasks and
//! phases with their forecasts, what is due and next, checkpoints, the rollback gauge,
//! incidents, metrics, the checklist, the hypercare end and the recent changes. Also the per-run
//! records those sections read.

use super::rollback_live::rollback_live;
use super::{
    Result, STATUS_SCHEMA, Snapshot, TaskRecord, entity, key, metric_state, minutes, parse_date, parse_tz, schedule,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use warroom_model::Instant;
use warroom_model::Runbook;
use warroom_model::TaskId;
use warroom_model::live::{
    Change, ChecklistLive, CheckpointLive, Comment, Decision, FarFromToday, IncidentLive, MetricLive, MetricState,
    Mode, PhaseLive, Reading, RollbackDecision, Run, RunKind, RunState, Severity, SignOff, Stamp, Status, TaskLive,
    TaskStatus,
};

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct CheckpointRecord {
    decision: Decision,
    reason: Option<String>,
    decided_by: Option<Stamp>,
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

/// Everything a screen needs about `run` at `now`.
pub fn status(snap: &Snapshot, run: &Run, now: DateTime<Utc>) -> Result<Status> {
    let rb = &snap.runbook;
    let tz = parse_tz(&run.tz)?;
    let date = parse_date(&run.date)?;
    let formatter = schedule::Formatter::new(tz);
    let fmt = |t: DateTime<Utc>| formatter.format(t);
    let durations = run.durations_from.as_deref().map(|r| snap.actual_durations(r)).unwrap_or_default();
    let plan = schedule::plan(rb, tz, date, &durations);
    let over = run.state.is_over();

    let Timeline { mut tasks, starts, finish, phases } = timeline(snap, run, now, &plan, &formatter);
    let Queue { mut due, mut next, mut overdue, mut current_phase } = queue(&tasks, &starts, now, !over);
    let mut agenda = if over { Vec::new() } else { super::agenda::agenda(&tasks, &starts) };
    let stopped = super::matrix::stopped(&tasks, &rb.rollback.matrix);
    let checkpoints = checkpoints_live(snap, run, &finish, &formatter);
    let rollback = rollback_live(snap, run, tz, date, now, &plan, &finish)?;
    let incidents = incidents_live(snap, run, now, &formatter);
    let metrics = metrics_live(snap, run);
    let checklist = checklist_live(snap, run);

    let mut forecast_end = finish.iter().max().copied().unwrap_or(now);
    let planned_end = plan.finish.iter().max().copied().unwrap_or(now);
    let hypercare_end = hypercare_end_at(rb, tz, date, &formatter);
    let recent = recent_changes(snap, &formatter);

    let mode = if over {
        Mode::Ended
    } else {
        match rollback.decision {
            Some(RollbackDecision::Rollback) => Mode::RollingBack,
            Some(RollbackDecision::FixForward) => Mode::FixingForward,
            None => Mode::GoLive,
        }
    };
    let mut variance_minutes = minutes(forecast_end - planned_end);
    if mode == Mode::RollingBack || (mode == Mode::Ended && run.state == RunState::RolledBack) {
        // The go-live's tasks no longer fall due: the rollback's steps are the plan now, and
        // its end against the window's end is the forecast.
        due.clear();
        next.clear();
        overdue.clear();
        agenda.clear();
        current_phase = None;
        tasks.iter_mut().for_each(|t| t.overdue = false);
        if let Some(end) = rollback.forecast_end {
            forecast_end = end.to_utc();
            variance_minutes = rollback.margin_minutes.map_or(0, |m| -m);
        }
    }

    let mut st = Status {
        schema: STATUS_SCHEMA.into(),
        now: fmt(now),
        run: run.clone(),
        mode,
        current_phase,
        due,
        next,
        overdue,
        agenda,
        next_action: None,
        stopped,
        tasks,
        phases,
        checkpoints,
        rollback,
        incidents,
        metrics,
        checklist,
        forecast_end: fmt(forecast_end),
        variance_minutes,
        hypercare_end,
        recent,
        far_from_today: far_from_today(run, date, now, tz),
    };
    in_the_runs_zone(&mut st, &formatter);
    st.next_action = super::agenda::next_action(&st);
    Ok(st)
}

/// A live run still going whose day is more than two days from `now`'s day in its zone: what
/// the screens show is then about another day than the people in the room think.
fn far_from_today(run: &Run, date: NaiveDate, now: DateTime<Utc>, tz: Tz) -> Option<FarFromToday> {
    let today = now.with_timezone(&tz).date_naive();
    let live = run.kind == RunKind::Live && !run.state.is_over();
    (live && (today - date).num_days().abs() > FarFromToday::LIMIT_DAYS)
        .then_some(FarFromToday { run_date: date, today })
}

/// Who-did-what stamps are stored in UTC; every moment the picture shows is in the run's zone,
/// with the offset of that moment (a night across a daylight-saving change reads right).
fn in_the_runs_zone(st: &mut Status, f: &schedule::Formatter) {
    let at = |s: &mut Stamp| {
        s.at = f.format(s.at.to_utc());
        s.entered_at = s.entered_at.map(|e| f.format(e.to_utc()));
    };
    let opt = |s: &mut Option<Stamp>| {
        if let Some(s) = s {
            at(s);
        }
    };
    for t in &mut st.tasks {
        opt(&mut t.started_by);
        opt(&mut t.finished_by);
        t.comments.iter_mut().for_each(|c| at(&mut c.by));
    }
    for c in &mut st.checkpoints {
        opt(&mut c.decided_by);
        c.signed.iter_mut().for_each(|s| at(&mut s.by));
    }
    opt(&mut st.rollback.decided_by);
    opt(&mut st.rollback.opened_by);
    st.rollback.approvals.iter_mut().for_each(|a| at(&mut a.by));
    st.rollback.steps.iter_mut().for_each(|s| opt(&mut s.done_by));
    for i in &mut st.incidents {
        at(&mut i.opened_by);
        opt(&mut i.resolved_by);
        i.updates.iter_mut().for_each(|c| at(&mut c.by));
    }
    for m in &mut st.metrics {
        if let Some(r) = &mut m.last {
            at(&mut r.by);
        }
        m.readings.iter_mut().for_each(|r| at(&mut r.by));
    }
    st.checklist.iter_mut().for_each(|c| opt(&mut c.by));
    st.recent.iter_mut().for_each(|c| at(&mut c.by));
    for t in [&mut st.run.created_at, &mut st.run.ended_at].into_iter().flatten() {
        *t = f.format(t.to_utc());
    }
}

/// Tasks and phases as the plan meets what was recorded.
struct Timeline {
    tasks: Vec<TaskLive>,
    /// Forecast start of each task, in the runbook's task order.
    starts: Vec<DateTime<Utc>>,
    /// Forecast finish of each task, in the runbook's task order.
    finish: Vec<DateTime<Utc>>,
    phases: Vec<PhaseLive>,
}

/// The run's task records in one pass; most tasks have none yet.
fn task_records<'s>(snap: &'s Snapshot, prefix: &str) -> HashMap<&'s str, Map<String, Value>> {
    let mut records: HashMap<&str, Map<String, Value>> = HashMap::new();
    for ((_, id, field), v) in snap
        .state
        .fields
        .range((entity::TASK.to_owned(), String::new(), String::new())..)
        .take_while(|((e, _, _), _)| e == entity::TASK)
    {
        if let Some(task) = id.strip_prefix(prefix) {
            records.entry(task).or_default().insert(field.clone(), v.value.clone());
        }
    }
    records
}

/// Only the tasks that have comments need a look at the comment sets.
fn commented_tasks<'s>(snap: &'s Snapshot, prefix: &str) -> HashSet<&'s str> {
    snap.state
        .members
        .range((entity::TASK.to_owned(), String::new(), String::new(), String::new())..)
        .take_while(|((e, _, _, _), _)| e == entity::TASK)
        .filter(|((_, _, f, _), _)| f == "comments")
        .filter_map(|((_, id, _, _), _)| id.strip_prefix(prefix))
        .collect()
}

/// Each task's forecast from its record, its predecessors and `now`, and each phase's.
fn timeline(
    snap: &Snapshot,
    run: &Run,
    now: DateTime<Utc>,
    plan: &schedule::Plan,
    formatter: &schedule::Formatter,
) -> Timeline {
    let rb = &snap.runbook;
    let fmt = |t: DateTime<Utc>| formatter.format(t);
    let stamp_of = |t: Option<DateTime<Utc>>| t.map(fmt);
    let over = run.state.is_over();

    let mut tasks: Vec<TaskLive> = Vec::with_capacity(plan.start.len());
    let mut starts: Vec<DateTime<Utc>> = Vec::with_capacity(plan.start.len());
    let prefix = format!("{}/", run.id);
    let mut records = task_records(snap, &prefix);
    let commented = commented_tasks(snap, &prefix);
    // Positions by id, for explicit dependencies; most runbooks have none.
    let position: HashMap<&str, usize> = if rb.tasks().any(|t| !t.after.is_empty()) {
        rb.tasks().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect()
    } else {
        HashMap::new()
    };
    let mut finish: Vec<DateTime<Utc>> = Vec::with_capacity(plan.start.len());
    let mut phases: Vec<PhaseLive> = Vec::with_capacity(rb.phases.len());
    let mut prev_phase_finish: Option<DateTime<Utc>> = None;
    // What each task passes on to those that wait for it: the position of the nearest failed or
    // blocked task it is, or waits for; along the same edges as the forecast.
    let mut holds: Vec<Option<usize>> = Vec::with_capacity(plan.start.len());
    let mut prev_phase_hold: Option<usize> = None;
    // Whether each task is still open, and whether what the next task waits for is: a task
    // waiting for open work is not late yet, whatever its forecast says (the work before it is).
    let mut open: Vec<bool> = Vec::with_capacity(plan.start.len());
    let mut prev_phase_open = false;
    for phase in &rb.phases {
        let mut prev: Option<DateTime<Utc>> = None;
        let mut prev_open = false;
        let mut phase_open = false;
        let mut prev_hold: Option<usize> = None;
        let mut phase_hold: Option<usize> = None;
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
            let mut waits = if prev.is_some() { prev_hold } else { prev_phase_hold };
            let mut waits_open = if prev.is_some() { prev_open } else { prev_phase_open };
            if t.checkpoint {
                pred = pred.max(phase_max);
                waits = waits.max(phase_hold);
                waits_open |= phase_open;
            }
            for a in &t.after {
                let j = position.get(a.as_str());
                pred = pred.max(j.and_then(|j| finish.get(*j)).copied());
                waits = waits.max(j.and_then(|j| holds.get(*j)).copied().flatten());
                waits_open |= j.and_then(|j| open.get(*j)).copied().unwrap_or(false);
            }
            let earliest = ps.max(pred.unwrap_or(ps));
            let held_by = waits.filter(|_| rec.status == TaskStatus::Pending);
            let hold = if matches!(rec.status, TaskStatus::Failed | TaskStatus::Blocked) { Some(i) } else { held_by };
            holds.push(hold);
            prev_hold = hold;
            phase_hold = phase_hold.max(hold);
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
                    let s = if over { earliest } else { now.max(earliest) };
                    (s, s + pm)
                }
            };
            finish.push(ff);
            let is_open = !rec.status.is_closed();
            open.push(is_open);
            prev_open = is_open;
            phase_open |= is_open;
            let ready = !over && rec.status == TaskStatus::Pending && !waits_open && fs <= now;
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
                checkpoint_label: t.checkpoint_name(),
                status: rec.status,
                reason: rec.reason.clone(),
                planned_start: fmt(ps),
                planned_finish: fmt(pf),
                planned_minutes: minutes(pm),
                earliest_start: fmt(earliest),
                forecast_start: fmt(fs),
                forecast_finish: fmt(ff),
                actual_start: stamp_of(rec.actual_start),
                actual_finish: stamp_of(rec.actual_finish),
                variance_minutes: minutes(ff - pf),
                overdue: !over && is_open && now > pf && (rec.status != TaskStatus::Pending || ready),
                ready,
                backfilled: rec.backfilled,
                started_by: rec.started_by.clone(),
                finished_by: rec.finished_by.clone(),
                comments,
                held_by: held_by.and_then(|h| tasks.get(h)).map(|h| h.id.clone()),
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
        if !phase.tasks.is_empty() {
            prev_phase_hold = phase_hold;
            prev_phase_open = phase_open;
        }
    }
    Timeline { tasks, starts, finish, phases }
}

/// What to work on: the tasks due now, the next ones, the overdue ones and the current phase.
struct Queue {
    due: Vec<TaskId>,
    next: Vec<TaskId>,
    overdue: Vec<TaskId>,
    current_phase: Option<String>,
}

/// Failed and blocked tasks are in none of these lists: they wait for a person to decide
/// (`Status::stopped`).
fn queue(tasks: &[TaskLive], starts: &[DateTime<Utc>], now: DateTime<Utc>, active: bool) -> Queue {
    let workable = |t: &TaskLive| matches!(t.status, TaskStatus::Pending | TaskStatus::InProgress);
    let open: Vec<&TaskLive> = tasks.iter().filter(|t| !t.status.is_closed()).collect();
    let due: Vec<TaskId> = if active {
        tasks
            .iter()
            .zip(starts)
            .filter(|(t, s)| workable(t) && (t.status != TaskStatus::Pending || **s <= now))
            .map(|(t, _)| t.id.clone())
            .collect()
    } else {
        Vec::new()
    };
    let due_set: HashSet<&str> = due.iter().map(TaskId::as_str).collect();
    let next: Vec<TaskId> =
        open.iter().filter(|t| workable(t) && !due_set.contains(t.id.as_str())).take(3).map(|t| t.id.clone()).collect();
    let overdue: Vec<TaskId> = tasks.iter().filter(|t| t.overdue && workable(t)).map(|t| t.id.clone()).collect();
    let current_phase = if active { open.first().map(|t| t.phase.clone()) } else { None };
    Queue { due, next, overdue, current_phase }
}

/// Checkpoints with their sign-offs, what is missing, and their decisions.
fn checkpoints_live(
    snap: &Snapshot,
    run: &Run,
    finish: &[DateTime<Utc>],
    formatter: &schedule::Formatter,
) -> Vec<CheckpointLive> {
    let fmt = |t: DateTime<Utc>| formatter.format(t);
    snap.runbook
        .tasks()
        .zip(finish)
        .filter(|(t, _)| t.checkpoint)
        .map(|(t, ff)| {
            let k = key(&run.id, &t.id);
            let rec: CheckpointRecord = snap.record(entity::CHECKPOINT, &k);
            let required = snap.required_roles(&t.owner);
            // One sign-off per role: two laptops signing the same role apart keep the first.
            let mut signed: Vec<SignOff> = Vec::new();
            for s in snap.member_values::<SignOff>(entity::CHECKPOINT, &k, "signoffs") {
                if !signed.iter().any(|x| warroom_model::same_role(&x.role, &s.role)) {
                    signed.push(s);
                }
            }
            let missing = required
                .iter()
                .filter(|r| !signed.iter().any(|s| warroom_model::same_role(&s.role, r)))
                .cloned()
                .collect();
            CheckpointLive {
                id: t.id.clone(),
                label: t.checkpoint_name(),
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
        .collect()
}

/// The run's incidents, each with what the decision matrix recommends for it (`matrix::advise`).
fn incidents_live(
    snap: &Snapshot,
    run: &Run,
    now: DateTime<Utc>,
    formatter: &schedule::Formatter,
) -> Vec<IncidentLive> {
    let rb = &snap.runbook;
    let fmt = |t: DateTime<Utc>| formatter.format(t);
    snap.ids(entity::INCIDENT)
        .into_iter()
        .filter_map(|id| {
            let rec: IncidentRecord = snap.record(entity::INCIDENT, &id);
            (rec.run == run.id).then_some((id, rec))
        })
        .map(|(id, rec)| {
            let text = format!("{} {}", rec.title, rec.description);
            let matrix = super::matrix::advise(&rb.rollback.matrix, rec.severity, &text);
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
                recommendation: matrix.action(),
                approvers: matrix.row.as_ref().map(|m| m.approvers.clone()).unwrap_or_default(),
                matrix,
                eta: eta.map(fmt),
            }
        })
        .collect()
}

/// Each metric's readings and the state of the last one.
fn metrics_live(snap: &Snapshot, run: &Run) -> Vec<MetricLive> {
    snap.runbook
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
        .collect()
}

/// The end-of-day checklist as ticked in this run.
fn checklist_live(snap: &Snapshot, run: &Run) -> Vec<ChecklistLive> {
    snap.runbook
        .checklist
        .iter()
        .map(|c| {
            let rec: CheckRecord = snap.record(entity::CHECK, &key(&run.id, &c.id));
            ChecklistLive { id: c.id.clone(), text: c.text.clone(), checked: rec.checked, by: rec.by }
        })
        .collect()
}

/// When hypercare ends: the window's end plus the hypercare hours, when both are known.
fn hypercare_end_at(rb: &Runbook, tz: Tz, date: NaiveDate, formatter: &schedule::Formatter) -> Option<Instant> {
    let fmt = |t: DateTime<Utc>| formatter.format(t);
    match (&rb.window, rb.hypercare_hours) {
        (Some(w), Some(h)) => Some(fmt(schedule::instant(tz, date, w.end_minutes()) + Duration::hours(i64::from(h)))),
        _ => None,
    }
}

/// The latest events, as changes with who made them and when.
fn recent_changes(snap: &Snapshot, formatter: &schedule::Formatter) -> Vec<Change> {
    let fmt = |t: DateTime<Utc>| formatter.format(t);
    snap.recent
        .iter()
        .map(|e| Change {
            kind: e.kind.clone(),
            summary: e.summary().unwrap_or_default().to_owned(),
            by: Stamp {
                name: e.author.name.clone(),
                role: e.author.role.clone(),
                device: e.origin.get(..8).unwrap_or(&e.origin).to_owned(),
                at: DateTime::<Utc>::from_timestamp_millis(e.wall_ms).map(fmt).unwrap_or_default(),
                entered_at: None,
                entered_by: None,
            },
        })
        .collect()
}
