//! What the screens lead with: every open task once in forecast order (`Status::agenda`) and the
//! one thing to do now (`Status::next_action`), decided here so every screen says the same.

use chrono::{DateTime, Utc};
use warroom_model::TaskId;
use warroom_model::live::{Mode, NextAction, Status, TaskLive, TaskStatus};

/// Open tasks that can be worked on (pending or under way; checkpoints too), each once, by
/// forecast start and then runbook order. Failed and blocked tasks wait in `stopped`.
pub(super) fn agenda(tasks: &[TaskLive], starts: &[DateTime<Utc>]) -> Vec<TaskId> {
    let mut open: Vec<(DateTime<Utc>, usize)> = tasks
        .iter()
        .zip(starts)
        .enumerate()
        .filter(|(_, (t, _))| matches!(t.status, TaskStatus::Pending | TaskStatus::InProgress))
        .map(|(i, (_, s))| (*s, i))
        .collect();
    open.sort();
    open.into_iter().filter_map(|(_, i)| tasks.get(i)).map(|t| t.id.clone()).collect()
}

/// The most urgent thing to do: the current rollback step while rolling back; the rollback
/// decision a NO-GO asked for; a stopped task; then, in forecast order, a checkpoint or task
/// that is ready; else the task under way; else the next one to come; else finishing the run.
pub(super) fn next_action(st: &Status) -> Option<NextAction> {
    match st.mode {
        Mode::Ended => return None,
        Mode::RollingBack => {
            return st
                .rollback
                .steps
                .iter()
                .find(|s| !s.done)
                .map(|s| NextAction::RollbackStep { step: s.id.clone(), title: s.title.clone() });
        }
        Mode::GoLive | Mode::FixingForward => {}
    }
    if st.rollback.opened && st.rollback.decision.is_none() {
        return Some(NextAction::DecideRollback { deadline: st.rollback.deadline });
    }
    let task = |id: &TaskId| st.tasks.iter().find(|t| &t.id == id);
    if let Some(s) = st.stopped.first() {
        let title = task(&s.task).map(|t| t.title.clone()).unwrap_or_default();
        return Some(NextAction::Unblock { task: s.task.clone(), title, status: s.status });
    }
    let agenda: Vec<&TaskLive> = st.agenda.iter().filter_map(task).collect();
    if let Some(t) = agenda.iter().find(|t| t.ready) {
        return Some(about(st, t));
    }
    if let Some(t) = agenda.iter().find(|t| t.status == TaskStatus::InProgress) {
        return Some(NextAction::Finish {
            task: t.id.clone(),
            title: t.title.clone(),
            owner: t.owner.clone(),
            at: t.forecast_finish,
        });
    }
    match agenda.first() {
        Some(t) => Some(about(st, t)),
        None => Some(NextAction::FinishRun),
    }
}

/// A checkpoint's sign-offs or decision, or a task to start.
fn about(st: &Status, t: &TaskLive) -> NextAction {
    if t.checkpoint {
        let cp = st.checkpoints.iter().find(|c| c.id == t.id);
        return match cp {
            Some(cp) if !cp.missing.is_empty() => {
                NextAction::Chase { checkpoint: t.id.clone(), name: t.name(), missing: cp.missing.clone() }
            }
            _ => NextAction::Decide { checkpoint: t.id.clone(), name: t.name() },
        };
    }
    NextAction::Start {
        task: t.id.clone(),
        title: t.title.clone(),
        owner: t.owner.clone(),
        at: t.forecast_start,
        now: t.ready,
    }
}
