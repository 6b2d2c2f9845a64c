//! What crosses the boundary between the UI and a backend (Tauri commands or `warroom serve`):
//! typed results and a typed error, never a bare string.

use crate::runbook::Runbook;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure, so the UI can choose what to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request cannot be met as given (bad input, a refused import).
    Invalid,
    /// Nothing to show yet (no runbook imported).
    NotFound,
    /// The database cannot be used (read-only, corrupt, newer, disk full).
    Storage,
    /// The backend could not be reached.
    Unavailable,
    /// This browser may only look (the wall view): writes need the access token.
    Forbidden,
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// In English, for logs and for clients that know no better.
    pub message: String,
    /// The rule that refused the action, when one did: the UI says it in the person's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<crate::Refusal>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), refusal: None }
    }

    /// An action a rule refused.
    pub fn refused(refusal: crate::Refusal) -> Self {
        Self { kind: ErrorKind::Invalid, message: refusal.to_string(), refusal: Some(refusal) }
    }

    /// What the person reads, in their language.
    pub fn text(&self, lang: crate::notify::Lang) -> String {
        self.refusal.as_ref().map_or_else(|| self.message.clone(), |r| r.text(lang))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// The runbook a backend holds, and whether it is the bundled demo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loaded {
    pub runbook: Runbook,
    pub is_demo: bool,
}

/// A task transition a person asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskVerb {
    Start,
    Done,
    Skip,
    Fail,
    Block,
    Undo,
}

impl TaskVerb {
    pub fn name(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Done => "done",
            Self::Skip => "skip",
            Self::Fail => "fail",
            Self::Block => "block",
            Self::Undo => "undo",
        }
    }
}

/// Everything a person can record, as the UI sends it to a backend. Each maps onto one action
/// of the live engine (crates/core/src/live/actions.rs) and becomes one event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    RunStart {
        kind: crate::live::RunKind,
        date: String,
        tz: String,
        #[serde(default)]
        durations_from: Option<crate::RunId>,
    },
    RunEnd {
        state: crate::live::RunState,
    },
    Task {
        task: crate::TaskId,
        verb: TaskVerb,
        #[serde(default)]
        note: Option<String>,
        /// A back-filled local time, HH:MM.
        #[serde(default)]
        at: Option<String>,
    },
    Comment {
        task: crate::TaskId,
        text: String,
    },
    CheckpointSign {
        id: crate::TaskId,
        #[serde(default)]
        role: Option<String>,
    },
    CheckpointDecide {
        id: crate::TaskId,
        decision: crate::live::Decision,
        #[serde(default)]
        reason: Option<String>,
    },
    RollbackApprove,
    RollbackDecide {
        rollback: bool,
        reason: String,
        #[serde(default)]
        incident: Option<String>,
    },
    RollbackOverride {
        reason: String,
    },
    RollbackStep {
        id: String,
    },
    RollbackTrigger {
        id: String,
        checked: bool,
    },
    IncidentOpen {
        title: String,
        severity: crate::live::Severity,
        #[serde(default)]
        description: String,
        /// Minutes from now until it is expected to be resolved.
        #[serde(default)]
        eta_minutes: Option<i64>,
    },
    IncidentUpdate {
        id: String,
        note: String,
        #[serde(default)]
        severity: Option<crate::live::Severity>,
        #[serde(default)]
        eta_minutes: Option<i64>,
    },
    IncidentResolve {
        id: String,
        note: String,
    },
    MetricRecord {
        metric: String,
        value: f64,
        #[serde(default)]
        unit: Option<String>,
        #[serde(default)]
        source: Option<String>,
    },
    Checklist {
        id: String,
        checked: bool,
    },
    EditSet {
        kind: EditKind,
        id: String,
        fields: Vec<(String, String)>,
    },
    /// Adds a phase, contact, step, metric, trigger, matrix row, checklist item or command.
    EditAdd {
        kind: EditKind,
        fields: Vec<(String, String)>,
        #[serde(default)]
        after: Option<String>,
    },
    EditAddTask {
        phase: String,
        time: String,
        title: String,
        owner: String,
        #[serde(default)]
        after: Option<String>,
    },
    EditDelete {
        kind: EditKind,
        id: String,
    },
    EditMove {
        kind: EditKind,
        id: String,
        #[serde(default)]
        after: Option<String>,
        #[serde(default)]
        phase: Option<String>,
    },
}

impl Action {
    /// Whether it may be recorded as having happened earlier (`Request::at`): what happens during
    /// a run may; starting or ending the run and editing the runbook happen when they are entered.
    pub fn can_be_backfilled(&self) -> bool {
        !matches!(
            self,
            Self::RunStart { .. }
                | Self::RunEnd { .. }
                | Self::EditSet { .. }
                | Self::EditAdd { .. }
                | Self::EditAddTask { .. }
                | Self::EditDelete { .. }
                | Self::EditMove { .. }
        )
    }
}

/// What part of the runbook an edit is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    Task,
    Phase,
    Contact,
    /// A rollback step.
    Step,
    Metric,
    /// A rollback trigger.
    Trigger,
    /// A row of the rollback decision matrix.
    Matrix,
    /// An item of the end-of-day checklist.
    Checklist,
    /// An entry of the commands reference.
    Command,
    /// The rollback procedure's own fields (its deadline, for one).
    Rollback,
    /// The runbook's own fields (its title, window, zone).
    Runbook,
}

impl EditKind {
    /// Its name in the log and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Task => "task",
            Self::Phase => "phase",
            Self::Contact => "contact",
            Self::Step => "step",
            Self::Metric => "metric",
            Self::Trigger => "trigger",
            Self::Matrix => "matrix",
            Self::Checklist => "checklist",
            Self::Command => "command",
            Self::Rollback => "rollback",
            Self::Runbook => "runbook",
        }
    }
}

impl fmt::Display for EditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An action, as whom, in which run (default: the current run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    #[serde(default)]
    pub run: Option<crate::RunId>,
    /// Who acts; default: the person set on this laptop.
    #[serde(default)]
    pub by: Option<crate::event::Author>,
    /// When it happened, if earlier than now (back-filling): an instant (RFC 3339, or
    /// `YYYY-MM-DDTHH:MM` in the run's zone), or `HH:MM` on the run's timeline, meaning the first
    /// such time at or after the window's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(flatten)]
    pub action: Action,
}

/// What an action did: the event's summary, and the live picture after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Done {
    pub summary: String,
    pub status: Option<crate::live::Status>,
}

/// The person using this laptop, and the UI's local preferences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Me {
    pub name: String,
    pub role: String,
}

/// One event of the log as the Activity view shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub seq: u64,
    pub origin: String,
    /// In the current run's zone (UTC without a run).
    pub at: crate::Instant,
    pub name: String,
    pub role: String,
    pub kind: String,
    pub summary: String,
    /// `entity id field = value` for each change the event made.
    pub changes: Vec<String>,
    /// Changes that overwrote another laptop's change to the same field made moments before:
    /// likely concurrent edits, where the last writer won.
    #[serde(default)]
    pub overwrote: Vec<Overwrite>,
}

/// One field a change overwrote shortly after another laptop had set it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overwrite {
    /// `entity id field`.
    pub field: String,
    /// The value this change wrote (the one that stands, unless a later change says otherwise).
    pub value: String,
    /// The value it replaced, and who had set it.
    pub replaced: String,
    pub replaced_by: String,
    /// How long before this change that one was made.
    pub seconds_before: f64,
}

/// A runbook file the person dropped or picked, to import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRequest {
    pub name: String,
    pub text: String,
    /// Replace the runbook this database holds (edits since are kept as a diff).
    #[serde(default)]
    pub replace: bool,
}

/// A problem in an imported file, at a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    pub line: usize,
    pub message: String,
}

/// What an import did, or why nothing was imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub imported: bool,
    /// One line: counts of what was read, or the reason it was refused.
    pub summary: String,
    pub repaired: Option<String>,
    pub warnings: Vec<LineProblem>,
    pub problems: Vec<LineProblem>,
}

/// What a backend says about itself: whether this browser may write, and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// False for the read-only wall view served on the LAN without the access token.
    pub can_write: bool,
    pub is_demo: bool,
    pub me: Me,
    pub device: String,
    /// Where the backend's changes stood when this was read.
    #[serde(default)]
    pub changes: Changed,
}

/// What a backend announces with each change (the `changed` event): `version` moves at every
/// change; `runbook` only when the runbook itself, or whether it is the demo, may have changed.
/// A view re-reads the runbook when `runbook` moved, the live picture otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    pub version: u64,
    pub runbook: u64,
}

/// The two forms of the audit record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// A PDF made without a browser.
    #[default]
    Pdf,
    /// A printable page (print stylesheet).
    Html,
}

/// The paper the record is laid out for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// Width and height in PostScript points.
    pub fn points(self) -> (f32, f32) {
        match self {
            Self::A4 => (595.28, 841.89),
            Self::Letter => (612.0, 792.0),
        }
    }

    /// The name CSS `@page { size }` knows it by.
    pub fn css(self) -> &'static str {
        match self {
            Self::A4 => "A4",
            Self::Letter => "letter",
        }
    }
}

/// Where the desktop app saved a copy of the audit record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub path: String,
    pub bytes: u64,
}
