//! What importing a file over the runbook a database holds would do to its tasks, shown before
//! anything is written: the tasks added, changed, moved and removed, and which of the removed
//! ones hold recorded progress (whose removal needs a confirmation).

use crate::TaskId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How the file's tasks were matched to the tasks already held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Matching {
    /// Nothing was held: every task is new.
    #[default]
    FirstImport,
    /// The file numbers its tasks itself (an ID column, the JSON export): same id, same task.
    ById,
    /// The file has no ids of its own: tasks are the same when their titles, owners and times
    /// are alike enough, whatever their position.
    ByContent,
}

/// One task in a preview: its id (kept, or given when added), what it is, and what changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct TaskDiff {
    /// The task's id: the one it keeps, or the one it will get when added.
    pub id: TaskId,
    /// Its title (the new one when it changes).
    pub title: String,
    /// Its phase's name (the new one when it moves).
    pub phase: String,
    /// What changes, one item a field (`owner: DBA → QA Lead`, `07:00 → 07:15`).
    pub details: Vec<String>,
    /// For a removed task: what was recorded on it, one item a run (`done by Nguyễn Lan (Tech
    /// Lead), 1 comment`). Not empty: removing it needs a confirmation.
    pub progress: Vec<String>,
}

/// What a re-import would do to the tasks, before anything is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ImportPreview {
    /// The file's name as given.
    pub file: String,
    /// How the file's tasks were matched to those held.
    pub matching: Matching,
    /// Tasks the file adds, with the ids they will get.
    pub added: Vec<TaskDiff>,
    /// Tasks whose title, owner or other fields change (they keep their id and progress).
    pub changed: Vec<TaskDiff>,
    /// Tasks that go to another phase or time (they keep their id and progress).
    pub moved: Vec<TaskDiff>,
    /// Tasks the file no longer has.
    pub removed: Vec<TaskDiff>,
    /// Tasks that stay as they are.
    pub unchanged: usize,
}

impl ImportPreview {
    /// The removed tasks that hold recorded progress or comments.
    pub fn detached(&self) -> impl Iterator<Item = &TaskDiff> {
        self.removed.iter().filter(|t| !t.progress.is_empty())
    }

    /// Whether importing removes a task with recorded progress, and so needs a confirmation.
    pub fn needs_confirmation(&self) -> bool {
        self.detached().next().is_some()
    }

    /// `plan.md: 1 added, 2 changed, 0 moved, 1 removed, 27 unchanged`.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} added, {} changed, {} moved, {} removed, {} unchanged",
            self.file,
            self.added.len(),
            self.changed.len(),
            self.moved.len(),
            self.removed.len(),
            self.unchanged
        )
    }

    /// Whether the import changes no task.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.moved.is_empty() && self.removed.is_empty()
    }
}

/// The preview as the terminal shows it: one line per task, grouped.
impl fmt::Display for ImportPreview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self.matching {
            Matching::FirstImport => "first import: every task is new",
            Matching::ById => "tasks matched by the file's ids",
            Matching::ByContent => "tasks matched by title, owner and time (the file has no ids)",
        };
        writeln!(f, "{} ({how})", self.summary())?;
        if self.matching == Matching::FirstImport {
            return Ok(());
        }
        for (word, list) in
            [("added", &self.added), ("changed", &self.changed), ("moved", &self.moved), ("removed", &self.removed)]
        {
            for t in list {
                write!(f, "  {word:<8}{} `{}` ({})", t.id, t.title, t.phase)?;
                if !t.details.is_empty() {
                    write!(f, ": {}", t.details.join("; "))?;
                }
                writeln!(f)?;
                for p in &t.progress {
                    writeln!(f, "           holds recorded progress: {p}")?;
                }
            }
        }
        Ok(())
    }
}
