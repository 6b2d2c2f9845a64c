//! Runs and tasks: creating and ending runs, the task lifecycle (with undo and back-filled
//! times) and task comments.

use super::{Actions, Result, TASK_FIELDS, TaskAction, refused};
use crate::live::{LiveError, default_run_zone, entity, key, parse_date, parse_tz};
use serde_json::{Value, json};
use warroom_model::Instant;
use warroom_model::Refusal;
use warroom_model::live::{Comment, Run, RunKind, RunState, TaskStatus};
use warroom_model::{Event, Write};

impl Actions<'_> {
    /// Creates a run of `kind` on `date` (YYYY-MM-DD) in time zone `tz`; it is not started until
    /// the first thing is recorded in it.
    pub fn run_start(&mut self, kind: RunKind, date: &str, tz: &str, durations_from: Option<&str>) -> Result<Run> {
        let snap = self.snap()?;
        parse_date(date)?;
        let zone;
        let tz = match tz.trim() {
            "" => {
                zone = default_run_zone(snap.runbook.zone.as_deref());
                zone.as_str()
            }
            given => given,
        };
        parse_tz(tz)?;
        if let Some(from) = durations_from {
            let base = snap.run(Some(from))?;
            if base.kind != RunKind::Rehearsal {
                return Err(refused(Refusal::DurationsFromLive { run: from.into() }));
            }
        }
        if let Some(active) = snap.runs().into_iter().find(|r| !r.state.is_over() && r.kind == kind) {
            return Err(refused(Refusal::RunActive { run: active.id }));
        }
        let mut b = [0u8; 3];
        // Another laptop's run must not get the same id: where the system has no randomness to
        // give, the clock's nanoseconds stand in.
        if getrandom::fill(&mut b).is_err() {
            b.copy_from_slice(&self.now().timestamp_subsec_nanos().to_le_bytes()[..3]);
        }
        let prefix = if kind == RunKind::Live { "live" } else { "rehearsal" };
        let id = format!("{prefix}-{}", hex::encode(b));
        let run = Run {
            id: id.as_str().into(),
            kind,
            date: date.into(),
            tz: tz.into(),
            state: RunState::NotStarted,
            durations_from: durations_from.map(Into::into),
            created_at: Some(Instant::utc(self.now())),
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
        if let Some(text) = at {
            let when = self.backfilled_at(Some(&r.id), text)?;
            self.happened_at(when, None);
        }
        let backfilled = self.backfilling();
        let when = self.now();
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
            return Err(refused(Refusal::CheckpointNotTicked { task: task_id.into() }));
        }
        if needs_reason && reason.is_none() {
            return Err(refused(Refusal::ReasonForTask { status: to.to_string() }));
        }
        if rec.status.is_closed() {
            return Err(refused(Refusal::TaskClosed { task: task_id.into(), status: rec.status.to_string() }));
        }
        if rec.status == to {
            return Err(refused(Refusal::TaskAlready { task: task_id.into(), status: to.to_string() }));
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
        let last = stack.pop().ok_or_else(|| refused(Refusal::NothingToUndo { task: task_id.into() }))?;
        let writes: Vec<Write> = serde_json::from_value(last.payload["undo"].clone()).unwrap_or_default();
        let summary = format!("{task_id}: undid {} by {}", last.kind, last.author.name);
        self.commit(
            "task.undo",
            summary,
            json!({ "run": r.id, "task": task_id, "undoes": { "origin": last.origin, "seq": last.seq }, "key": k }),
            writes,
        )
    }

    /// Adds a comment to a task in `run` (default: the current run).
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
}
