//! What people do during a run, as events: starting and ending runs, the task lifecycle (with
//! undo and back-filled times), checkpoint sign-offs and decisions, the rollback procedure,
//! incidents, metric readings, the end-of-day checklist, and edits of the runbook. Each action
//! checks the rules against the current state, then commits through the store's one write path.

use super::{LiveError, Snapshot, entity, key, parse_date, parse_tz, schedule};
use crate::clock::Clock;
use crate::store::Store;
use crate::store::records;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use warroom_model::live::*;
use warroom_model::{Author, Event, MatrixAction, Runbook, Write};

type Result<T, E = LiveError> = std::result::Result<T, E>;

fn refused(msg: impl Into<String>) -> LiveError {
    LiveError::Refused(msg.into())
}

/// A task transition a person asks for: the same verbs the UI sends (`api::TaskVerb`).
pub use warroom_model::api::TaskVerb as TaskAction;

/// Acts on a store as one person.
pub struct Actions<'a> {
    pub store: &'a mut Store,
    pub author: Author,
    pub clock: &'a dyn Clock,
    /// A run that has not started yet and becomes active with the next recorded action.
    activate: std::cell::RefCell<Option<String>>,
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
    pub fn new(store: &'a mut Store, author: Author, clock: &'a dyn Clock) -> Self {
        Self { store, author, clock, activate: std::cell::RefCell::new(None) }
    }

    fn snap(&self) -> Result<Snapshot> {
        Snapshot::load(self.store)
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn stamp(&self, at: DateTime<Utc>) -> Stamp {
        Stamp {
            name: self.author.name.clone(),
            role: self.author.role.clone(),
            device: self.store.origin().get(..8).unwrap_or_default().to_owned(),
            at: at.to_rfc3339(),
        }
    }

    fn commit(&mut self, kind: &str, summary: String, mut payload: Value, mut writes: Vec<Write>) -> Result<Event> {
        if let Value::Object(m) = &mut payload {
            m.insert("summary".into(), json!(summary));
        }
        if let Some(run) = self.activate.borrow_mut().take() {
            // First, so that a later write to the run's state in the same event wins.
            writes.insert(0, Write::set(entity::RUN, &run, "state", json!(RunState::Active)));
            writes.insert(1, Write::set(entity::RUN, &run, "started_at", json!(self.now().to_rfc3339())));
        }
        Ok(self.store.commit(&self.author, kind, payload, writes, self.clock)?)
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
            s => Err(refused(format!(
                "run {} is {}: nothing more can be recorded in it",
                r.id,
                json!(s).as_str().unwrap_or("over")
            ))),
        }
    }

    /// Creates a run of `kind` on `date` (YYYY-MM-DD) in time zone `tz`; it is not started until
    /// the first thing is recorded in it.
    pub fn run_start(&mut self, kind: RunKind, date: &str, tz: &str, durations_from: Option<&str>) -> Result<Run> {
        let snap = self.snap()?;
        parse_date(date)?;
        parse_tz(tz)?;
        if let Some(from) = durations_from {
            let base = snap.run(Some(from))?;
            if base.kind != RunKind::Rehearsal {
                return Err(refused(format!("durations come from a rehearsal; {from} is a live run")));
            }
        }
        if let Some(active) = snap.runs().into_iter().find(|r| !r.state.is_over() && r.kind == kind) {
            return Err(refused(format!(
                "run {} is still active: finish or abandon it first (`warroom run finish --run {}`)",
                active.id, active.id
            )));
        }
        let mut b = [0u8; 3];
        let _ = getrandom::fill(&mut b);
        let prefix = if kind == RunKind::Live { "live" } else { "rehearsal" };
        let id = format!("{prefix}-{}", hex::encode(b));
        let run = Run {
            id: id.clone(),
            kind,
            date: date.into(),
            tz: tz.into(),
            state: RunState::NotStarted,
            durations_from: durations_from.map(str::to_owned),
            created_at: Some(self.now().to_rfc3339()),
            ended_at: None,
        };
        let mut writes = Vec::new();
        if let Value::Object(m) = json!(run) {
            for (k, v) in m {
                if k != "id" {
                    writes.push(Write::set(entity::RUN, &id, &k, v));
                }
            }
        }
        self.commit("run.start", format!("{prefix} run {id} started for {date} ({tz})"), json!({ "run": id }), writes)?;
        Ok(run)
    }

    /// Ends the run: completed, rolled back or abandoned.
    pub fn run_end(&mut self, run: Option<&str>, state: RunState) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let now = self.now();
        let name = json!(state);
        let writes = vec![
            Write::set(entity::RUN, &r.id, "state", name.clone()),
            Write::set(entity::RUN, &r.id, "ended_at", json!(now.to_rfc3339())),
        ];
        self.commit(
            "run.end",
            format!("run {} {}", r.id, name.as_str().unwrap_or_default()),
            json!({ "run": r.id }),
            writes,
        )
    }

    /// The instant of a back-filled `HH:MM`: that wall-clock time within 12 hours of the task's
    /// planned start (so a run across midnight, or recorded days later, lands right); never
    /// after now.
    fn backfill(&self, run: &Run, hhmm: &str, planned: DateTime<Utc>) -> Result<DateTime<Utc>> {
        let t = crate::import::times::parse_time(hhmm).map_err(|e| refused(format!("--at: {}", e.0)))?;
        let tz = parse_tz(&run.tz)?;
        let date = parse_date(&run.date)?;
        let now = self.now();
        (-1..=3)
            .map(|d| schedule::instant(tz, date + Duration::days(d), t.minutes()))
            .filter(|at| *at <= now && (*at - planned).num_hours().abs() < 12)
            .min_by_key(|at| (*at - planned).num_seconds().abs())
            .ok_or_else(|| {
                refused(format!("--at {hhmm} is later than now: a back-filled time must have happened already"))
            })
    }

    /// Moves a task through its lifecycle. `note` is the reason for skip, fail and block.
    pub fn task(
        &mut self,
        run: Option<&str>,
        task_id: &str,
        action: TaskAction,
        note: Option<&str>,
        at: Option<&str>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let task = snap
            .runbook
            .task(task_id)
            .cloned()
            .ok_or_else(|| LiveError::Unknown { kind: "task", id: task_id.into() })?;
        let k = key(&r.id, task_id);
        if action == TaskAction::Undo {
            return self.undo(&r, &k, task_id);
        }
        let rec = snap.task_record(&r.id, task_id);
        let backfilled = at.is_some();
        let planned = schedule::instant(parse_tz(&r.tz)?, parse_date(&r.date)?, task.minutes());
        let when = match at {
            Some(hhmm) => self.backfill(&r, hhmm, planned)?,
            None => self.now(),
        };
        let reason = note.map(str::trim).filter(|n| !n.is_empty());
        use TaskStatus as S;
        let (to, needs_reason) = match action {
            TaskAction::Start => (S::InProgress, false),
            TaskAction::Done => (S::Done, false),
            TaskAction::Skip => (S::Skipped, true),
            TaskAction::Fail => (S::Failed, true),
            TaskAction::Block => (S::Blocked, true),
            TaskAction::Undo => (S::Pending, false),
        };
        if task.checkpoint && matches!(action, TaskAction::Skip | TaskAction::Done) {
            return Err(refused(format!(
                "{task_id} is a checkpoint: it cannot be skipped or ticked off; decide it with `warroom checkpoint {task_id} go|no-go|hold`"
            )));
        }
        if needs_reason && reason.is_none() {
            return Err(refused(format!("say why with --note: a task is only {} with a reason", to.as_str())));
        }
        if rec.status.is_closed() {
            return Err(refused(format!(
                "{task_id} is already {}; `warroom task {task_id} undo` first",
                rec.status.as_str()
            )));
        }
        if rec.status == to {
            return Err(refused(format!("{task_id} is already {}", to.as_str())));
        }
        let stamp = self.stamp(when);
        let mut writes = vec![Write::set(entity::TASK, &k, "status", json!(to))];
        match to {
            S::InProgress => {
                writes.push(Write::set(entity::TASK, &k, "actual_start", json!(when)));
                writes.push(Write::set(entity::TASK, &k, "started_by", json!(stamp)));
                writes.push(Write::set(entity::TASK, &k, "reason", Value::Null));
            }
            _ => {
                if rec.actual_start.is_none() {
                    writes.push(Write::set(entity::TASK, &k, "actual_start", json!(when)));
                }
                writes.push(Write::set(entity::TASK, &k, "reason", json!(reason)));
                if matches!(to, S::Done | S::Skipped) {
                    writes.push(Write::set(entity::TASK, &k, "actual_finish", json!(when)));
                    writes.push(Write::set(entity::TASK, &k, "finished_by", json!(stamp)));
                }
            }
        }
        if backfilled {
            writes.push(Write::set(entity::TASK, &k, "backfilled", json!(true)));
        }
        if let Some(n) = note.filter(|_| !needs_reason) {
            writes.push(Write::add(entity::TASK, &k, "comments", json!(Comment { text: n.into(), by: stamp.clone() })));
        }
        let undo = self.before(&snap, entity::TASK, &k, &TASK_FIELDS);
        let summary =
            format!("{task_id} {} — {}{}", to.as_str(), task.title, if backfilled { " (back-filled)" } else { "" });
        self.commit(
            &format!("task.{}", action.name()),
            summary,
            json!({ "run": r.id, "task": task_id, "to": to, "reason": reason, "at": when, "backfilled": backfilled, "undo": undo }),
            writes,
        )
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

    /// Reverts the latest transition of a task that is not yet undone, as a new event.
    fn undo(&mut self, r: &Run, k: &str, task_id: &str) -> Result<Event> {
        let mut stack: Vec<Event> = Vec::new();
        for e in self.store.task_events(&r.id, task_id)? {
            if e.kind == "task.undo" {
                stack.pop();
            } else if e.payload.get("undo").is_some() {
                stack.push(e);
            }
        }
        let last = stack.pop().ok_or_else(|| refused(format!("nothing to undo on {task_id}")))?;
        let writes: Vec<Write> = serde_json::from_value(last.payload["undo"].clone()).unwrap_or_default();
        let summary = format!("{task_id}: undid {} by {}", last.kind, last.author.name);
        self.commit(
            "task.undo",
            summary,
            json!({ "run": r.id, "task": task_id, "undoes": { "origin": last.origin, "seq": last.seq }, "key": k }),
            writes,
        )
    }

    pub fn comment(&mut self, run: Option<&str>, task_id: &str, text: &str) -> Result<Event> {
        let snap = self.snap()?;
        let r = snap.run(run)?;
        snap.runbook.task(task_id).ok_or_else(|| LiveError::Unknown { kind: "task", id: task_id.into() })?;
        let c = Comment { text: text.into(), by: self.stamp(self.now()) };
        self.commit(
            "task.comment",
            format!("{task_id}: {text}"),
            json!({ "run": r.id, "task": task_id }),
            vec![Write::add(entity::TASK, &key(&r.id, task_id), "comments", json!(c))],
        )
    }

    fn checkpoint_task(snap: &Snapshot, id: &str) -> Result<warroom_model::Task> {
        let t =
            snap.runbook.task(id).cloned().ok_or_else(|| LiveError::Unknown { kind: "checkpoint", id: id.into() })?;
        if !t.checkpoint {
            return Err(refused(format!("{id} is a task, not a checkpoint")));
        }
        Ok(t)
    }

    /// Signs a checkpoint as `role` (default: the author's), recording what the signer had seen.
    pub fn checkpoint_sign(&mut self, run: Option<&str>, id: &str, role: Option<&str>) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let t = Self::checkpoint_task(&snap, id)?;
        let role = role.map(str::to_owned).unwrap_or_else(|| self.author.role.clone());
        let required = snap.required_roles(&t.owner);
        let Some(role) =
            required.iter().find(|x| crate::import::vocab::fold(x) == crate::import::vocab::fold(&role)).cloned()
        else {
            return Err(refused(format!(
                "{id} needs sign-off from {}; `{role}` is not one of them (set your role with `warroom me set NAME --role ROLE`)",
                required.join(", ")
            )));
        };
        let s = SignOff { role: role.clone(), by: self.stamp(self.now()), seen_events: snap.event_count };
        self.commit(
            "checkpoint.sign",
            format!("{id} signed by {} as {role}", self.author.name),
            json!({ "run": r.id, "checkpoint": id }),
            vec![Write::add(entity::CHECKPOINT, &key(&r.id, id), "signoffs", json!(s))],
        )
    }

    /// Decides a checkpoint. GO needs every required sign-off; NO-GO and HOLD need a reason, and
    /// NO-GO opens the rollback procedure.
    pub fn checkpoint_decide(
        &mut self,
        run: Option<&str>,
        id: &str,
        decision: Decision,
        reason: Option<&str>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let t = Self::checkpoint_task(&snap, id)?;
        let now = self.now();
        let status = super::status(&snap, &r, now)?;
        let cp = status.checkpoints.iter().find(|c| c.id == id).cloned().unwrap_or_default();
        let reason = reason.map(str::trim).filter(|s| !s.is_empty());
        match decision {
            Decision::Go if !cp.missing.is_empty() => {
                return Err(refused(format!(
                    "{id} cannot be decided GO: missing sign-off from {}",
                    cp.missing.join(", ")
                )));
            }
            Decision::NoGo | Decision::Hold if reason.is_none() => {
                return Err(refused("say why with --reason: NO-GO and HOLD are recorded with a reason"));
            }
            Decision::Pending => return Err(refused("a decision is GO, NO-GO or HOLD")),
            _ => {}
        }
        let k = key(&r.id, id);
        let tk = key(&r.id, &t.id);
        let stamp = self.stamp(now);
        let mut undo = self.before(&snap, entity::TASK, &tk, &TASK_FIELDS);
        undo.extend(self.before(
            &snap,
            entity::CHECKPOINT,
            &k,
            &[("decision", Value::Null), ("reason", Value::Null), ("decided_by", Value::Null)],
        ));
        let rec = snap.task_record(&r.id, &t.id);
        let task_status = match decision {
            Decision::Go => TaskStatus::Done,
            Decision::NoGo => TaskStatus::Failed,
            _ => TaskStatus::Blocked,
        };
        let mut writes = vec![
            Write::set(entity::CHECKPOINT, &k, "decision", json!(decision)),
            Write::set(entity::CHECKPOINT, &k, "reason", json!(reason)),
            Write::set(entity::CHECKPOINT, &k, "decided_by", json!(stamp)),
            Write::set(entity::TASK, &tk, "status", json!(task_status)),
            Write::set(entity::TASK, &tk, "reason", json!(reason)),
        ];
        if rec.actual_start.is_none() {
            writes.push(Write::set(entity::TASK, &tk, "actual_start", json!(now)));
        }
        if decision == Decision::Go {
            writes.push(Write::set(entity::TASK, &tk, "actual_finish", json!(now)));
            writes.push(Write::set(entity::TASK, &tk, "finished_by", json!(stamp)));
        }
        if decision == Decision::NoGo {
            writes.push(Write::set(entity::ROLLBACK, &r.id, "opened", json!(true)));
            writes.push(Write::set(entity::ROLLBACK, &r.id, "opened_by", json!(stamp)));
        }
        let word = match decision {
            Decision::Go => "GO",
            Decision::NoGo => "NO-GO",
            _ => "HOLD",
        };
        self.commit(
            "checkpoint.decide",
            format!("{id} {word}{}", reason.map(|r| format!(": {r}")).unwrap_or_default()),
            json!({ "run": r.id, "task": t.id, "checkpoint": id, "decision": decision, "reason": reason, "undo": undo }),
            writes,
        )
    }

    /// Approves a rollback as the author's role.
    pub fn rollback_approve(&mut self, run: Option<&str>) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let by = self.stamp(self.now());
        self.commit(
            "rollback.approve",
            format!("rollback approved by {} ({})", by.name, by.role),
            json!({ "run": r.id }),
            vec![Write::add(entity::ROLLBACK, &r.id, "approvals", json!({ "role": by.role, "by": by }))],
        )
    }

    /// Decides rollback or fix forward. Before the deadline a rollback needs the approvals of a
    /// decision-matrix row that says roll back (the incident's row with `incident`); after it,
    /// only fix forward, unless `rollback_override`.
    pub fn rollback_decide(
        &mut self,
        run: Option<&str>,
        rollback: bool,
        reason: &str,
        incident: Option<&str>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let now = self.now();
        let st = super::status(&snap, &r, now)?;
        if reason.trim().is_empty() {
            return Err(refused("say why with --reason: a rollback decision is recorded with its reason"));
        }
        if rollback {
            if st.rollback.fix_forward_only {
                return Err(refused(format!(
                    "past the rollback deadline ({}): fix forward only; to roll back anyway use `warroom rollback override --reason ...`",
                    st.rollback.deadline.unwrap_or_default()
                )));
            }
            let approvals: Vec<Value> =
                snap.members(entity::ROLLBACK, &r.id, "approvals").into_iter().map(|v| v.value.clone()).collect();
            let roles: Vec<String> =
                approvals.iter().filter_map(|a| a.get("role").and_then(Value::as_str)).map(str::to_owned).collect();
            let rows = approver_rows(&snap.runbook, &st, incident)?;
            let approved = rows.is_empty()
                || rows.iter().any(|need| {
                    need.iter()
                        .all(|n| roles.iter().any(|h| crate::import::vocab::fold(h) == crate::import::vocab::fold(n)))
                });
            if !approved {
                let options: Vec<String> = rows.iter().map(|r| r.join(" + ")).collect();
                return Err(refused(format!(
                    "a rollback needs the approval of {} (the decision matrix); approved so far: {}. Each approver runs `warroom rollback approve`",
                    options.join(" or "),
                    if roles.is_empty() { "nobody".to_owned() } else { roles.join(", ") }
                )));
            }
        }
        self.record_decision(&r, rollback, reason, None)
    }

    /// Rolls back after the deadline: allowed with a reason, and recorded as an override.
    pub fn rollback_override(&mut self, run: Option<&str>, reason: &str) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        if reason.trim().is_empty() {
            return Err(refused("an override needs a reason (--reason)"));
        }
        self.record_decision(&r, true, reason, Some(reason))
    }

    fn record_decision(
        &mut self,
        r: &Run,
        rollback: bool,
        reason: &str,
        override_reason: Option<&str>,
    ) -> Result<Event> {
        let by = self.stamp(self.now());
        let decision = if rollback { "rollback" } else { "fix_forward" };
        let mut writes = vec![
            Write::set(entity::ROLLBACK, &r.id, "decision", json!(decision)),
            Write::set(entity::ROLLBACK, &r.id, "reason", json!(reason)),
            Write::set(entity::ROLLBACK, &r.id, "decided_by", json!(by)),
        ];
        if let Some(o) = override_reason {
            writes.push(Write::set(entity::ROLLBACK, &r.id, "override_reason", json!(o)));
        }
        let kind = if override_reason.is_some() { "rollback.override" } else { "rollback.decide" };
        self.commit(
            kind,
            format!("decision: {decision} — {reason}"),
            json!({ "run": r.id, "decision": decision, "reason": reason }),
            writes,
        )
    }

    /// Ticks a rollback step; the last one ends the run as rolled back.
    pub fn rollback_step_done(&mut self, run: Option<&str>, step: &str) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let s = snap
            .runbook
            .rollback
            .steps
            .iter()
            .find(|s| s.id == step)
            .cloned()
            .ok_or_else(|| LiveError::Unknown { kind: "rollback step", id: step.into() })?;
        if snap.get(entity::ROLLBACK, &r.id, "decision") != Some(&json!("rollback")) {
            return Err(refused("no rollback was decided: `warroom rollback decide --rollback --reason ...` first"));
        }
        let now = self.now();
        let mut writes = vec![
            Write::set(entity::STEP, &key(&r.id, step), "done", json!(true)),
            Write::set(entity::STEP, &key(&r.id, step), "done_by", json!(self.stamp(now))),
        ];
        let others_done = snap
            .runbook
            .rollback
            .steps
            .iter()
            .filter(|x| x.id != step)
            .all(|x| snap.get(entity::STEP, &key(&r.id, &x.id), "done") == Some(&json!(true)));
        if others_done {
            writes.push(Write::set(entity::RUN, &r.id, "state", json!(RunState::RolledBack)));
            writes.push(Write::set(entity::RUN, &r.id, "ended_at", json!(now.to_rfc3339())));
        }
        self.commit(
            "rollback.step",
            format!("rollback step {step} done — {}", s.title),
            json!({ "run": r.id, "step": step }),
            writes,
        )
    }

    pub fn rollback_trigger(&mut self, run: Option<&str>, trigger: &str, checked: bool) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let t = snap
            .runbook
            .rollback
            .triggers
            .iter()
            .find(|t| t.id == trigger)
            .cloned()
            .ok_or_else(|| LiveError::Unknown { kind: "rollback trigger", id: trigger.into() })?;
        self.commit(
            "rollback.trigger",
            format!("trigger {} {}", t.name, if checked { "met" } else { "cleared" }),
            json!({ "run": r.id, "trigger": trigger }),
            vec![Write::set(entity::TRIGGER, &key(&r.id, trigger), "checked", json!(checked))],
        )
    }

    pub fn incident_open(
        &mut self,
        run: Option<&str>,
        title: &str,
        severity: Severity,
        description: &str,
        eta_minutes: Option<i64>,
    ) -> Result<(String, Event)> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let now = self.now();
        let id = format!(
            "inc-{}-{}",
            self.store.origin().get(..4).unwrap_or_default(),
            snap.ids(entity::INCIDENT).len() + 1
        );
        let writes = vec![
            Write::set(entity::INCIDENT, &id, "run", json!(r.id)),
            Write::set(entity::INCIDENT, &id, "title", json!(title)),
            Write::set(entity::INCIDENT, &id, "severity", json!(severity)),
            Write::set(entity::INCIDENT, &id, "description", json!(description)),
            Write::set(entity::INCIDENT, &id, "open", json!(true)),
            Write::set(entity::INCIDENT, &id, "opened_by", json!(self.stamp(now))),
            Write::set(entity::INCIDENT, &id, "eta", json!(eta_minutes.map(|m| now + Duration::minutes(m)))),
        ];
        let ev = self.commit(
            "incident.open",
            format!("{severity:?} incident: {title}"),
            json!({ "run": r.id, "incident": id, "severity": severity }),
            writes,
        )?;
        Ok((id, ev))
    }

    fn incident_exists(snap: &Snapshot, id: &str) -> Result<()> {
        if snap.ids(entity::INCIDENT).iter().any(|i| i == id) {
            Ok(())
        } else {
            Err(LiveError::Unknown { kind: "incident", id: id.into() })
        }
    }

    pub fn incident_update(
        &mut self,
        id: &str,
        note: &str,
        severity: Option<Severity>,
        eta_minutes: Option<i64>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        Self::incident_exists(&snap, id)?;
        let now = self.now();
        let mut writes = vec![Write::add(
            entity::INCIDENT,
            id,
            "updates",
            json!(Comment { text: note.into(), by: self.stamp(now) }),
        )];
        if let Some(s) = severity {
            writes.push(Write::set(entity::INCIDENT, id, "severity", json!(s)));
        }
        if let Some(m) = eta_minutes {
            writes.push(Write::set(entity::INCIDENT, id, "eta", json!(now + Duration::minutes(m))));
        }
        self.commit("incident.update", format!("{id}: {note}"), json!({ "incident": id }), writes)
    }

    pub fn incident_resolve(&mut self, id: &str, note: &str) -> Result<Event> {
        let snap = self.snap()?;
        Self::incident_exists(&snap, id)?;
        let now = self.now();
        let mut writes = vec![
            Write::set(entity::INCIDENT, id, "open", json!(false)),
            Write::set(entity::INCIDENT, id, "resolved_by", json!(self.stamp(now))),
        ];
        if !note.is_empty() {
            writes.push(Write::add(
                entity::INCIDENT,
                id,
                "updates",
                json!(Comment { text: note.into(), by: self.stamp(now) }),
            ));
        }
        self.commit("incident.resolve", format!("{id} resolved"), json!({ "incident": id }), writes)
    }

    /// Records a reading of a metric named by id or name.
    pub fn metric_record(
        &mut self,
        run: Option<&str>,
        name: &str,
        value: f64,
        unit: Option<&str>,
        source: Option<&str>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let folded = crate::import::vocab::fold(name);
        let m = snap
            .runbook
            .metrics
            .iter()
            .find(|m| m.id == name || crate::import::vocab::fold(&m.name) == folded)
            .cloned()
            .ok_or_else(|| LiveError::Unknown { kind: "metric", id: name.into() })?;
        if !value.is_finite() {
            return Err(refused("a reading must be a number"));
        }
        let reading = Reading {
            value,
            unit: unit.map(str::to_owned),
            source: source.map(str::to_owned),
            by: self.stamp(self.now()),
        };
        let state = super::metric_state(&m.target_condition, &m.alert_condition, value);
        self.commit(
            "metric.record",
            format!("{} = {value}{}", m.name, unit.unwrap_or_default()),
            json!({ "run": r.id, "metric": m.id, "value": value, "state": state }),
            vec![Write::add(entity::METRIC, &key(&r.id, &m.id), "readings", json!(reading))],
        )
    }

    pub fn checklist(&mut self, run: Option<&str>, item: &str, checked: bool) -> Result<Event> {
        let snap = self.snap()?;
        let r = snap.run(run)?;
        let c = snap
            .runbook
            .checklist
            .iter()
            .find(|c| c.id == item)
            .cloned()
            .ok_or_else(|| LiveError::Unknown { kind: "checklist item", id: item.into() })?;
        let k = key(&r.id, item);
        self.commit(
            "checklist.tick",
            format!("{} {}", if checked { "☑" } else { "☐" }, c.text),
            json!({ "run": r.id, "item": item }),
            vec![
                Write::set(entity::CHECK, &k, "checked", json!(checked)),
                Write::set(entity::CHECK, &k, "by", json!(self.stamp(self.now()))),
            ],
        )
    }

    /// Sets fields of a runbook entity (`task 2.3 owner="QA Lead"`); refused unless the runbook
    /// still reads back with the new values.
    pub fn edit_set(&mut self, kind: &str, id: &str, assignments: &[(String, String)]) -> Result<Event> {
        let snap = self.snap()?;
        let (entity, id) = edit_target(kind, id)?;
        if !exists(&snap, entity, &id) {
            return Err(LiveError::Unknown { kind: "entity", id: format!("{kind} {id}") });
        }
        let mut writes = Vec::new();
        for (field, raw) in assignments {
            if ["id", "order", "phase", "deleted", "uid"].contains(&field.as_str()) {
                return Err(refused(format!("`{field}` is not edited with set; use move or delete")));
            }
            let current = snap.get(entity, &id, field);
            let value = match current {
                Some(Value::String(_)) | None => serde_json::from_str::<Value>(raw)
                    .ok()
                    .filter(|v| !v.is_string() && current.is_none())
                    .unwrap_or_else(|| json!(raw)),
                Some(_) => serde_json::from_str(raw).unwrap_or_else(|_| json!(raw)),
            };
            if entity == "metric" && (field == "target" || field == "alert") {
                let condition = crate::import::parse_condition(value.as_str().unwrap_or_default());
                writes.push(Write::set(entity, &id, &format!("{field}_condition"), json!(condition)));
            }
            writes.push(Write::set(entity, &id, field, value));
        }
        self.validated_edit(&snap, "runbook.edit", format!("edited {kind} {id}"), writes)
    }

    /// Adds a task to a phase (after `after`, else at its end).
    pub fn edit_add_task(
        &mut self,
        phase: &str,
        time: &str,
        title: &str,
        owner: &str,
        after: Option<&str>,
    ) -> Result<(String, Event)> {
        let snap = self.snap()?;
        let rb = &snap.runbook;
        let (pi, p) = rb
            .phases
            .iter()
            .enumerate()
            .find(|(_, p)| p.id == phase)
            .ok_or_else(|| LiveError::Unknown { kind: "phase", id: phase.into() })?;
        let t = warroom_model::ClockTime::parse_hhmm(time)
            .ok_or_else(|| refused(format!("`{time}` is not a time HH:MM")))?;
        let mut n = p.tasks.len() + 1;
        let mut id = format!("{}.{n}", pi + 1);
        while rb.task(&id).is_some() || snap.get("task", &id, "title").is_some() {
            n += 1;
            id = format!("{}.{n}", pi + 1);
        }
        let after = after.or_else(|| p.tasks.last().map(|t| t.id.as_str()));
        let order = new_order(&snap, "task", p.tasks.iter().map(|t| t.id.as_str()).collect(), after)?;
        let day = p.tasks.first().map_or(p.start_day, |f| f.day);
        let writes = vec![
            Write::set("task", &id, "phase", json!(phase)),
            Write::set("task", &id, "order", json!(order)),
            Write::set("task", &id, "time", json!(t)),
            Write::set("task", &id, "day", json!(day)),
            Write::set("task", &id, "title", json!(title)),
            Write::set("task", &id, "owner", json!(owner)),
            Write::set("task", &id, "deleted", json!(false)),
        ];
        let ev = self.validated_edit(&snap, "runbook.edit", format!("added task {id} — {title}"), writes)?;
        Ok((id, ev))
    }

    /// Adds a phase, contact, rollback step, metric, trigger, matrix row, checklist item or
    /// command, after `after` (else at the end of its list), with the fields given.
    pub fn edit_add(
        &mut self,
        kind: &str,
        assignments: &[(String, String)],
        after: Option<&str>,
    ) -> Result<(String, Event)> {
        let snap = self.snap()?;
        let (entity, _) = edit_target(kind, "")?;
        let prefix = match entity {
            "phase" => "p",
            "contact" => "c",
            "step" => "r",
            "metric" => "m",
            "trigger" => "t",
            "matrix" => "d",
            "checklist" => "k",
            "command" => "x",
            _ => return Err(refused(format!("`{kind}` is not added this way; tasks with `edit add-task`"))),
        };
        let used = snap.ids(entity);
        let n = used.iter().filter_map(|i| i.strip_prefix(prefix)?.parse::<u32>().ok()).max().unwrap_or(0) + 1;
        let id = format!("{prefix}{n}");
        let siblings = list_ids(&snap.runbook, entity);
        let after = after.or(siblings.last().map(String::as_str));
        let order = new_order(&snap, entity, siblings.iter().map(String::as_str).collect(), after)?;
        let mut writes =
            vec![Write::set(entity, &id, "order", json!(order)), Write::set(entity, &id, "deleted", json!(false))];
        for (field, raw) in assignments {
            if ["id", "order", "deleted"].contains(&field.as_str()) {
                return Err(refused(format!("`{field}` is set by warroom")));
            }
            let value =
                serde_json::from_str::<Value>(raw).ok().filter(|v| !v.is_string()).unwrap_or_else(|| json!(raw));
            if entity == "metric" && (field == "target" || field == "alert") {
                let condition = crate::import::parse_condition(raw);
                writes.push(Write::set(entity, &id, &format!("{field}_condition"), json!(condition)));
            }
            writes.push(Write::set(entity, &id, field, value));
        }
        let ev = self.validated_edit(&snap, "runbook.edit", format!("added {kind} {id}"), writes)?;
        Ok((id, ev))
    }

    /// Deletes a runbook entity (a field like any other: `deleted = true`).
    pub fn edit_delete(&mut self, kind: &str, id: &str) -> Result<Event> {
        let snap = self.snap()?;
        let (entity, id) = edit_target(kind, id)?;
        if !exists(&snap, entity, &id) || ["runbook", "rollback"].contains(&entity) {
            return Err(LiveError::Unknown { kind: "entity", id: format!("{kind} {id}") });
        }
        self.validated_edit(
            &snap,
            "runbook.edit",
            format!("deleted {kind} {id}"),
            vec![Write::set(entity, &id, "deleted", json!(true))],
        )
    }

    /// Moves an entity after another of its list (to the front without `after`); a task may
    /// move to another phase.
    pub fn edit_move(&mut self, kind: &str, id: &str, after: Option<&str>, to_phase: Option<&str>) -> Result<Event> {
        let snap = self.snap()?;
        let (entity, id) = edit_target(kind, id)?;
        if !exists(&snap, entity, &id) {
            return Err(LiveError::Unknown { kind: "entity", id: format!("{kind} {id}") });
        }
        let rb = &snap.runbook;
        let mut writes = Vec::new();
        let siblings: Vec<String> = match entity {
            "task" => {
                let phase = match to_phase {
                    Some(p) => {
                        writes.push(Write::set("task", &id, "phase", json!(p)));
                        p.to_owned()
                    }
                    None => snap.get("task", &id, "phase").and_then(Value::as_str).unwrap_or_default().to_owned(),
                };
                let p = rb
                    .phases
                    .iter()
                    .find(|x| x.id == phase)
                    .ok_or_else(|| LiveError::Unknown { kind: "phase", id: phase.clone() })?;
                p.tasks.iter().map(|t| t.id.clone()).collect()
            }
            _ => list_ids(rb, entity),
        };
        let siblings: Vec<&str> = siblings.iter().map(String::as_str).filter(|s| *s != id).collect();
        let order = new_order(&snap, entity, siblings, after)?;
        writes.push(Write::set(entity, &id, "order", json!(order)));
        self.validated_edit(&snap, "runbook.edit", format!("moved {kind} {id}"), writes)
    }

    fn validated_edit(&mut self, snap: &Snapshot, kind: &str, summary: String, writes: Vec<Write>) -> Result<Event> {
        let mut fields: std::collections::BTreeMap<_, _> =
            snap.state.fields.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
        for w in &writes {
            fields.insert((w.entity.clone(), w.id.clone(), w.field.clone()), w.value.clone());
        }
        records::runbook_from_fields(fields)
            .map_err(|e| refused(format!("that edit would not leave a valid runbook: {e}")))?;
        self.commit(kind, summary, json!({}), writes)
    }
}

/// Approver sets from the decision matrix: the incident's row, else every row that rolls back.
fn approver_rows(rb: &Runbook, st: &Status, incident: Option<&str>) -> Result<Vec<Vec<String>>> {
    if let Some(id) = incident {
        let inc = st
            .incidents
            .iter()
            .find(|i| i.id == id)
            .ok_or_else(|| LiveError::Unknown { kind: "incident", id: id.into() })?;
        return Ok(if inc.approvers.is_empty() { Vec::new() } else { vec![inc.approvers.clone()] });
    }
    Ok(rb
        .rollback
        .matrix
        .iter()
        .filter(|m| m.action == MatrixAction::Rollback && !m.approvers.is_empty())
        .map(|m| m.approvers.clone())
        .collect())
}

fn edit_target(kind: &str, id: &str) -> Result<(&'static str, String)> {
    let entity = match kind {
        "task" => "task",
        "phase" => "phase",
        "contact" => "contact",
        "step" => "step",
        "metric" => "metric",
        "trigger" => "trigger",
        "matrix" => "matrix",
        "checklist" => "checklist",
        "command" => "command",
        "rollback" => return Ok((records::ROLLBACK, records::MAIN.into())),
        "runbook" => return Ok((records::RUNBOOK, records::MAIN.into())),
        other => {
            return Err(refused(format!(
                "`{other}` cannot be edited; one of task, phase, contact, step, metric, trigger, matrix, checklist, command, rollback, runbook"
            )));
        }
    };
    Ok((entity, id.to_owned()))
}

fn exists(snap: &Snapshot, entity: &str, id: &str) -> bool {
    snap.state
        .fields
        .range((entity.to_owned(), id.to_owned(), String::new())..)
        .next()
        .is_some_and(|((e, i, _), _)| e == entity && i == id)
        && snap.get(entity, id, "deleted") != Some(&json!(true))
}

fn list_ids(rb: &Runbook, entity: &str) -> Vec<String> {
    match entity {
        "phase" => rb.phases.iter().map(|x| x.id.clone()).collect(),
        "contact" => rb.contacts.iter().map(|x| x.id.clone()).collect(),
        "step" => rb.rollback.steps.iter().map(|x| x.id.clone()).collect(),
        "metric" => rb.metrics.iter().map(|x| x.id.clone()).collect(),
        "trigger" => rb.rollback.triggers.iter().map(|x| x.id.clone()).collect(),
        "matrix" => rb.rollback.matrix.iter().map(|x| x.id.clone()).collect(),
        "checklist" => rb.checklist.iter().map(|x| x.id.clone()).collect(),
        "command" => rb.commands.iter().map(|x| x.id.clone()).collect(),
        _ => Vec::new(),
    }
}

/// An `order` between `after` and the sibling that follows it (first without `after`).
fn new_order(snap: &Snapshot, entity: &str, siblings: Vec<&str>, after: Option<&str>) -> Result<f64> {
    let order_of = |id: &str| snap.get(entity, id, "order").and_then(Value::as_f64).unwrap_or(0.0);
    let orders: Vec<f64> = siblings.iter().map(|s| order_of(s)).collect();
    Ok(match after {
        None => orders.iter().copied().fold(f64::INFINITY, f64::min).min(1.0) - 1.0,
        Some(a) => {
            let i = siblings
                .iter()
                .position(|s| *s == a)
                .ok_or_else(|| LiveError::Unknown { kind: "entity", id: a.into() })?;
            match orders.get(i + 1) {
                Some(next) => (orders[i] + next) / 2.0,
                None => orders[i] + 1.0,
            }
        }
    })
}
