//! Tasks taken out of the runbook (by a re-import or an edit) after the run recorded something
//! on them: the record keeps them, marked removed, with what was recorded — who did them, when,
//! and the comments — so that nothing recorded disappears from it or lands on another task.

use super::when::Times;
use super::{Block, Record};
use crate::live::{Snapshot, entity, key};
use serde::Deserialize;
use warroom_model::live::{Comment, TaskStatus};
use warroom_model::{Phase, Task};

/// A removed task and what the run recorded on it.
#[derive(Debug, Clone)]
pub struct Removed {
    /// The task as it last read.
    pub task: Task,
    /// The name of the phase it was in.
    pub phase: String,
    /// Where it stood when it was removed.
    pub status: TaskStatus,
    /// Who started and finished it, and when.
    pub record: crate::live::TaskRecord,
    /// Its comments, oldest first.
    pub comments: Vec<Comment>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Entity {
    deleted: bool,
    phase: String,
}

/// The tasks removed from the runbook on which `run` recorded progress or comments, in id order.
pub(crate) fn removed(snap: &Snapshot, run: &str) -> Vec<Removed> {
    let mut out = Vec::new();
    for id in snap.ids("task") {
        let e: Entity = snap.record("task", &id);
        let k = key(run, &id);
        if !e.deleted || !snap.has_record(entity::TASK, &k) {
            continue;
        }
        let mut task: Task = snap.record("task", &id);
        task.id = id.as_str().into();
        let phase = snap
            .runbook
            .phases
            .iter()
            .find(|p| p.id == e.phase)
            .map_or_else(|| snap.record::<Phase>("phase", &e.phase).display_name(), Phase::display_name);
        let record = snap.task_record(run, &id);
        let comments = snap
            .members(entity::TASK, &k, "comments")
            .into_iter()
            .filter_map(|v| serde_json::from_value(v.value.clone()).ok())
            .collect();
        out.push(Removed { status: record.status, task, phase, record, comments });
    }
    out
}

/// The section listing them; nothing when there are none.
pub(super) fn section(b: &mut Vec<Block>, rec: &Record, t: &Times) {
    if rec.removed.is_empty() {
        return;
    }
    b.push(Block::Heading("Tasks removed from the runbook".into()));
    b.push(Block::Text(
        "These tasks were taken out of the runbook (a re-import or an edit) after this run recorded something on \
         them; what was recorded stays here, with the task it was recorded on."
            .into(),
    ));
    let local = |d: &Option<chrono::DateTime<chrono::Utc>>| d.map(|d| t.at(&t.local(d))).unwrap_or_default();
    let rows = rec
        .removed
        .iter()
        .map(|r| {
            let by = r.record.finished_by.as_ref().or(r.record.started_by.as_ref());
            let comments: Vec<String> =
                r.comments.iter().map(|c| format!("{} {}: {}", t.at(&c.by.at), c.by.name, c.text)).collect();
            vec![
                r.task.id.as_str().into(),
                r.phase.as_str().into(),
                r.task.title.as_str().into(),
                r.task.owner.as_str().into(),
                format!("{}–{}", local(&r.record.actual_start), local(&r.record.actual_finish)).into(),
                by.map(|s| format!("{} ({})", s.name, s.role)).unwrap_or_default().into(),
                format!("{} (removed)", r.status).into(),
                comments.join(" · ").into(),
            ]
        })
        .collect();
    b.push(super::document::table(
        &["#", "Phase", "Task", "Owner", "Actual", "Done by", "Status", "Comments"],
        &[0.05, 0.13, 0.2, 0.1, 0.13, 0.12, 0.11, 0.16],
        rows,
    ));
}
