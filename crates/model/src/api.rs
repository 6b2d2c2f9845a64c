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
    /// Anything else that failed inside the backend (laying out the PDF, setting up TLS, …;
    /// HTTP 500): its log says more.
    Internal,
}

/// A failure as a backend returns it to the UI (and over HTTP, with a status code from its kind).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What kind of failure; over HTTP it picks the status code.
    pub kind: ErrorKind,
    /// In English, for logs and for clients that know no better.
    pub message: String,
    /// The rule that refused the action, when one did: the UI says it in the person's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<crate::Refusal>,
}

impl ApiError {
    /// An error of `kind` with an English `message` and no refusal.
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
    /// The runbook as it reads now, edits included.
    pub runbook: Runbook,
    /// Whether it is the bundled demo runbook (imported with `--demo`), not the team's own.
    pub is_demo: bool,
    /// What the "start a run" form proposes.
    #[serde(default)]
    pub run_defaults: RunDefaults,
}

/// What a new run of the runbook is proposed to be: on its go-live day, in its zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RunDefaults {
    /// The go-live day: the date the runbook gives it, else the weekday it names on or after
    /// the document's date, else the document's date.
    pub date: Option<chrono::NaiveDate>,
    /// The IANA zone the runbook's times are written in, else this laptop's.
    pub tz: Option<String>,
}

/// A task transition a person asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskVerb {
    /// Start the task (back-filled with `at`).
    Start,
    /// Finish the task (for a checkpoint, decide GO instead).
    Done,
    /// Pass over the task, with a reason.
    Skip,
    /// Mark the task failed, with a reason.
    Fail,
    /// Mark the task blocked, with a reason.
    Block,
    /// Take back the last thing recorded on the task.
    Undo,
}

impl TaskVerb {
    /// Its name in event kinds (`task.start`) and on the command line.
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
    /// Starts a run of the runbook (`warroom run start`).
    RunStart {
        /// Live or rehearsal.
        kind: crate::live::RunKind,
        /// The go-live day, `YYYY-MM-DD`.
        date: String,
        /// The IANA time zone the runbook's times are in (`Asia/Ho_Chi_Minh`); empty: the
        /// runbook's zone when it names one, else the laptop's.
        #[serde(default)]
        tz: String,
        /// A rehearsal whose actual durations become this run's planned ones.
        #[serde(default)]
        durations_from: Option<crate::RunId>,
    },
    /// Ends the run.
    RunEnd {
        /// How it ended: completed, rolled back or abandoned.
        state: crate::live::RunState,
    },
    /// Moves a task through its lifecycle (start, done, skip, fail, block, undo).
    Task {
        /// The task's number (`2.1`).
        task: crate::TaskId,
        /// What to do with it.
        verb: TaskVerb,
        /// The reason, for skip, fail and block; a comment for the others.
        #[serde(default)]
        note: Option<String>,
        /// A back-filled local time, HH:MM.
        #[serde(default)]
        at: Option<String>,
    },
    /// Comments on a task.
    Comment {
        /// The task's number.
        task: crate::TaskId,
        /// The comment.
        text: String,
    },
    /// Signs a checkpoint off.
    CheckpointSign {
        /// The checkpoint's task number.
        id: crate::TaskId,
        /// The role to sign for; default: the signer's own.
        #[serde(default)]
        role: Option<String>,
    },
    /// Decides a checkpoint GO, NO-GO or HOLD.
    CheckpointDecide {
        /// The checkpoint's task number.
        id: crate::TaskId,
        /// The decision; not `Pending`.
        decision: crate::live::Decision,
        /// Why: needed for NO-GO and HOLD.
        #[serde(default)]
        reason: Option<String>,
    },
    /// Approves a rollback as the person's role (the decision matrix names whose approval it needs).
    RollbackApprove,
    /// Decides to roll back or to fix forward.
    RollbackDecide {
        /// True to roll back, false to fix forward.
        rollback: bool,
        /// Why; always needed.
        reason: String,
        /// The incident it is about, whose severity picks the decision matrix's row (`inc-3fa1-2`).
        #[serde(default)]
        incident: Option<String>,
    },
    /// Allows a rollback after the deadline, recorded as an override.
    RollbackOverride {
        /// Why; always needed.
        reason: String,
    },
    /// Ticks a rollback step done; the last one ends the run as rolled back.
    RollbackStep {
        /// The step's id (`r3`).
        id: String,
    },
    /// Marks a rollback trigger as met, or not.
    RollbackTrigger {
        /// The trigger's id (`t1`).
        id: String,
        /// True when met.
        checked: bool,
    },
    /// Opens an incident.
    IncidentOpen {
        /// What went wrong, in a line.
        title: String,
        /// P1 to P4; P1 and P2 notify every laptop.
        severity: crate::live::Severity,
        /// The details; may be empty.
        #[serde(default)]
        description: String,
        /// Minutes from now until it is expected to be resolved.
        #[serde(default)]
        eta_minutes: Option<i64>,
    },
    /// Adds a note to an open incident, and may change its severity or ETA.
    IncidentUpdate {
        /// The incident's id (`inc-3fa1-2`).
        id: String,
        /// What changed.
        note: String,
        /// The new severity, if it changed.
        #[serde(default)]
        severity: Option<crate::live::Severity>,
        /// Minutes from now until it is expected to be resolved, if that changed.
        #[serde(default)]
        eta_minutes: Option<i64>,
    },
    /// Resolves an incident.
    IncidentResolve {
        /// The incident's id.
        id: String,
        /// How it was resolved.
        note: String,
    },
    /// Records a reading of a metric.
    MetricRecord {
        /// The metric's id (`m1`) or name (`Response p95`, any case).
        metric: String,
        /// The number read.
        value: f64,
        /// Its unit (`ms`), if given.
        #[serde(default)]
        unit: Option<String>,
        /// Where it was read (a dashboard, a query), if said.
        #[serde(default)]
        source: Option<String>,
    },
    /// Ticks an item of the end-of-day checklist, or unticks it.
    Checklist {
        /// The item's id (`k1`).
        id: String,
        /// True to tick.
        checked: bool,
    },
    /// Sets fields of a runbook entity (`task 2.3 owner="QA Lead"`); refused unless the runbook
    /// still reads back.
    EditSet {
        /// What is edited.
        kind: EditKind,
        /// Its id (`2.3`, `c2`); ignored for `Rollback` and `Runbook`.
        id: String,
        /// Field names and new values, as text; a value that reads as JSON (a number, `true`) is
        /// stored as such.
        fields: Vec<(String, String)>,
    },
    /// Adds a phase, contact, step, metric, trigger, matrix row, checklist item or command.
    EditAdd {
        /// What is added.
        kind: EditKind,
        /// Its fields, as for `EditSet`.
        fields: Vec<(String, String)>,
        /// The id it goes after; default: the end of its list.
        #[serde(default)]
        after: Option<String>,
    },
    /// Adds a task to a phase.
    EditAddTask {
        /// The phase's id (`p2`).
        phase: String,
        /// The planned start, `HH:MM` in the runbook's time.
        time: String,
        /// What to do.
        title: String,
        /// Who does it: a role, or several.
        owner: String,
        /// The task it goes after; default: the end of the phase.
        #[serde(default)]
        after: Option<String>,
    },
    /// Deletes a runbook entity (its history stays in the log).
    EditDelete {
        /// What is deleted; not `Rollback` or `Runbook`.
        kind: EditKind,
        /// Its id.
        id: String,
    },
    /// Moves a runbook entity within its list, or a task to another phase.
    EditMove {
        /// What is moved.
        kind: EditKind,
        /// Its id.
        id: String,
        /// The id it goes after; default: the front of its list.
        #[serde(default)]
        after: Option<String>,
        /// The phase a task moves to; default: its own.
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
    /// A task of a phase.
    Task,
    /// A phase, with its time range.
    Phase,
    /// A row of the emergency contacts.
    Contact,
    /// A rollback step.
    Step,
    /// A metric to watch.
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
    /// The run it is recorded in; default: the run in progress.
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
    /// What to record.
    #[serde(flatten)]
    pub action: Action,
}

/// What an action did: the event's summary, and the live picture after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Done {
    /// One line saying what was recorded (`2.1 done — Stop the ERP services`), in English.
    pub summary: String,
    /// The event's kind (`task.done`), its `about` and `outcome`, as `Activity` gives them, for
    /// saying it in the reader's language.
    #[serde(default)]
    pub kind: String,
    /// What the event is about, in words of no language (see `Activity::about`).
    #[serde(default)]
    pub about: String,
    /// The state it set (see `Activity::outcome`).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// The live picture after the action; `None` while no run has been started.
    pub status: Option<crate::live::Status>,
}

/// The person using this laptop, and the UI's local preferences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Me {
    /// The person's name; empty until set.
    pub name: String,
    /// Their role (`DBA`); what "my tasks" and sign-offs go by.
    pub role: String,
}

/// One event of the log as the Activity view shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// The event's sequence number on the laptop that made it.
    pub seq: u64,
    /// The first 8 hex digits of that laptop's origin id.
    pub origin: String,
    /// In the current run's zone (UTC without a run).
    pub at: crate::Instant,
    /// The author's name.
    pub name: String,
    /// The author's role.
    pub role: String,
    /// The event's kind (`task.done`, `runbook.edit`, `member.join`, …).
    pub kind: String,
    /// One line saying what changed, in English, as recorded.
    pub summary: String,
    /// What the event is about in words of no language — the task, checkpoint, step, metric or
    /// incident, and what the person wrote (a reason, a comment) — for a screen to show after
    /// the kind and `outcome` in the reader's language.
    #[serde(default)]
    pub about: String,
    /// The state the change set, where its kind alone does not say it.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// `entity id field = value` for each change the event made.
    pub changes: Vec<String>,
    /// Changes that overwrote another laptop's change to the same field made moments before:
    /// likely concurrent edits, where the last writer won.
    #[serde(default)]
    pub overwrote: Vec<Overwrite>,
}

/// The state an event set, for saying it in the reader's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "of", content = "to")]
pub enum Outcome {
    /// A task's new status.
    Task(crate::live::TaskStatus),
    /// A checkpoint's decision.
    Checkpoint(crate::live::Decision),
    /// The rollback's decision.
    Rollback(crate::live::RollbackDecision),
    /// A rollback trigger marked met (`true`) or cleared.
    Trigger(bool),
    /// An end-of-day checklist item ticked (`true`) or unticked.
    Check(bool),
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
    /// The name of the person who had set it.
    pub replaced_by: String,
    /// How long before this change that one was made.
    pub seconds_before: f64,
}

/// A runbook file the person dropped or picked, to import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportRequest {
    /// The file's name, for messages (`plan.md:38: …`).
    pub name: String,
    /// Its content, decoded to text (empty when `base64` holds it).
    #[serde(default)]
    pub text: String,
    /// Its bytes in base64, for a file that is not text (a spreadsheet).
    #[serde(default)]
    pub base64: Option<String>,
    /// Replace the runbook this database holds (edits since are kept as a diff).
    #[serde(default)]
    pub replace: bool,
    /// Remove tasks that hold recorded progress, which a replacing import otherwise refuses
    /// (their history stays in the log and the audit record).
    #[serde(default)]
    pub confirm: bool,
}

/// A problem in an imported file, at a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    /// The line, from 1.
    pub line: usize,
    /// What is wrong (or, for a warning, what was done about it).
    pub message: String,
}

/// What an import did, or why nothing was imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    /// True when the runbook was imported; false when it was refused and nothing changed.
    pub imported: bool,
    /// One line: counts of what was read, or the reason it was refused.
    pub summary: String,
    /// How the text was repaired or decoded (`decoded from UTF-16LE`); `None` when it was clean UTF-8.
    pub repaired: Option<String>,
    /// What the importer noticed but let through (an unknown table, a task without an owner).
    pub warnings: Vec<LineProblem>,
    /// Why the file was refused, every problem at once; empty when imported.
    pub problems: Vec<LineProblem>,
    /// The tasks added, changed, moved and removed (or that would be, for a preview or an import
    /// refused until confirmed); `None` when the file was not read.
    #[serde(default)]
    pub preview: Option<crate::reimport::ImportPreview>,
}

/// What a backend says about itself: whether this browser may write, and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// False for the read-only wall view served on the LAN without the access token.
    pub can_write: bool,
    /// Whether the runbook is the bundled demo.
    pub is_demo: bool,
    /// Whether the database holds a runbook yet: without one the UI opens on its Welcome.
    #[serde(default)]
    pub has_runbook: bool,
    /// The person using this laptop.
    pub me: Me,
    /// The first 8 hex digits of this laptop's origin id, as activity and stamps show it.
    pub device: String,
    /// Where the backend's changes stood when this was read.
    #[serde(default)]
    pub changes: Changed,
}

/// What Settings → About shows: the version, where the data and the logs are, and what this
/// laptop goes without.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct About {
    /// warroom's version.
    pub version: String,
    /// The database file in use.
    pub db_path: String,
    /// The folder the log files go in, when there is one.
    pub log_dir: Option<String>,
    /// What this laptop goes without (found once at start).
    pub missing: Vec<Missing>,
}

/// Something this laptop goes without; the app works on without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// No desktop notification service answers: reminders show in the app only.
    DesktopNotifications,
}

/// What a backend announces with each change (the `changed` event): `version` moves at every
/// change; `runbook` only when the runbook itself, or whether it is the demo, may have changed.
/// A view re-reads the runbook when `runbook` moved, the live picture otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    /// Moves at every change (ours, a peer's, another process's).
    pub version: u64,
    /// Moves when the runbook, or whether it is the demo, may have changed.
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
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
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
    /// Where the file was written, as a path to show the person.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
}
