//! The live picture of a run, as `warroom status --json` prints it and every screen reads it.
//! Instants are RFC 3339 with the run's offset. Keep field names stable (docs/status-schema.md).

use crate::{Instant, MatrixAction, MatrixRow};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    #[default]
    Rehearsal,
    Live,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    #[default]
    NotStarted,
    Active,
    Completed,
    RolledBack,
    Abandoned,
}

impl RunState {
    pub fn is_over(self) -> bool {
        matches!(self, Self::Completed | Self::RolledBack | Self::Abandoned)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    #[default]
    Pending,
    InProgress,
    Done,
    Skipped,
    Failed,
    Blocked,
}

impl TaskStatus {
    /// Done or skipped: nothing more will happen to it.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Done | Self::Skipped)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
            Self::Blocked => "blocked",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    #[default]
    Pending,
    Go,
    NoGo,
    Hold,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    #[default]
    Green,
    Amber,
    Red,
    /// Past the rollback deadline, or the run is over: fix forward only.
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Severity {
    #[cfg_attr(feature = "clap", value(name = "P1"))]
    P1,
    #[cfg_attr(feature = "clap", value(name = "P2"))]
    P2,
    #[cfg_attr(feature = "clap", value(name = "P3"))]
    P3,
    #[cfg_attr(feature = "clap", value(name = "P4"))]
    P4,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MetricState {
    Ok,
    /// Missed its target.
    Warning,
    /// Crossed its alert threshold.
    Alert,
    /// No reading yet, or a condition a person must judge.
    #[default]
    Unknown,
}

/// A run as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Run {
    pub id: crate::RunId,
    pub kind: RunKind,
    /// The go-live day, `YYYY-MM-DD`.
    pub date: String,
    /// IANA time zone, `Asia/Ho_Chi_Minh`.
    pub tz: String,
    pub state: RunState,
    /// Rehearsal whose actual durations become this run's planned ones.
    pub durations_from: Option<crate::RunId>,
    pub created_at: Option<Instant>,
    pub ended_at: Option<Instant>,
}

/// Who did something, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Stamp {
    pub name: String,
    pub role: String,
    pub device: String,
    /// When it happened (for a back-filled record, the time it was said to have happened).
    pub at: Instant,
    /// A back-filled record: when it was entered, which is later than `at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_at: Option<Instant>,
    /// A back-filled record entered by someone else than who did it: the person who typed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<String>,
}

/// What a run is doing: the go-live, a rollback decided and under way, a fix forward decided,
/// or nothing any more (the run ended).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The go-live runs to its plan.
    #[default]
    GoLive,
    /// A rollback was decided: its steps are the plan now, the window's end the limit.
    RollingBack,
    /// Fix forward was decided: the go-live goes on while the open incidents are fixed.
    FixingForward,
    /// The run is over (completed, rolled back or abandoned).
    Ended,
}

/// What was decided when the rollback procedure was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RollbackDecision {
    /// Undo the go-live with the rollback steps.
    Rollback,
    /// Keep the go-live and fix what went wrong.
    FixForward,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Comment {
    pub text: String,
    pub by: Stamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct TaskLive {
    pub id: crate::TaskId,
    pub phase: String,
    pub title: String,
    pub owner: String,
    pub checkpoint: bool,
    /// A checkpoint's label as the runbook writes it (`CHECKPOINT B`).
    pub checkpoint_label: Option<String>,
    pub status: TaskStatus,
    pub reason: Option<String>,
    pub planned_start: Instant,
    pub planned_finish: Instant,
    pub planned_minutes: i64,
    /// When the work before it lets it start: its planned start, or the forecast finish of what
    /// it waits for when that is later. Until it starts, `forecast_start` is this or now.
    pub earliest_start: Instant,
    pub forecast_start: Instant,
    pub forecast_finish: Instant,
    pub actual_start: Option<Instant>,
    pub actual_finish: Option<Instant>,
    /// Minutes late (+) or early (−) against plan: actual or forecast finish minus planned finish.
    pub variance_minutes: i64,
    pub overdue: bool,
    pub backfilled: bool,
    pub started_by: Option<Stamp>,
    pub finished_by: Option<Stamp>,
    pub comments: Vec<Comment>,
    /// Not started, and waiting for a failed or blocked task (the nearest one before it in the
    /// schedule: its phase, the phase before, or a task it is `after`).
    pub held_by: Option<crate::TaskId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct PhaseLive {
    pub id: String,
    pub name: String,
    pub planned_start: Instant,
    pub planned_finish: Instant,
    pub forecast_finish: Instant,
    pub variance_minutes: i64,
    pub done: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SignOff {
    pub role: String,
    pub by: Stamp,
    /// How many events the signer's laptop had seen: what the sign-off was based on.
    pub seen_events: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CheckpointLive {
    pub id: crate::TaskId,
    /// The label as the runbook writes it (`CHECKPOINT B`, `Checkpoint 2`), if it gives one.
    pub label: Option<String>,
    pub title: String,
    pub decision: Decision,
    pub reason: Option<String>,
    pub decided_by: Option<Stamp>,
    pub forecast: Instant,
    pub required: Vec<String>,
    pub signed: Vec<SignOff>,
    pub missing: Vec<String>,
}

impl CheckpointLive {
    /// `CHECKPOINT B: Failover OK`, or the title alone when the runbook gives no label.
    pub fn name(&self) -> String {
        named(self.label.as_deref(), &self.title)
    }
}

impl TaskLive {
    /// `CHECKPOINT B: Failover OK` for a labelled checkpoint, else the title.
    pub fn name(&self) -> String {
        named(self.checkpoint_label.as_deref(), &self.title)
    }
}

fn named(label: Option<&str>, title: &str) -> String {
    match label {
        Some(l) if !title.is_empty() => format!("{l}: {title}"),
        Some(l) => l.to_owned(),
        None => title.to_owned(),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RollbackStepLive {
    pub id: String,
    pub title: String,
    pub minutes: u32,
    /// The duration is the default share, not the runbook's estimate.
    pub estimated: bool,
    pub done: bool,
    pub done_by: Option<Stamp>,
    /// Once a rollback is decided: when the step is forecast to start and finish (done steps:
    /// when they did), in order from the decision.
    pub forecast_start: Option<Instant>,
    pub forecast_end: Option<Instant>,
    /// The step to work on now: the first one not done.
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RollbackLive {
    pub state: Rag,
    /// The last moment a rollback may be decided.
    pub deadline: Option<Instant>,
    /// When the system must be restored by (the window's end).
    pub restore_by: Option<Instant>,
    /// The point of no return: the later of now and this is when a rollback must be decided.
    pub decide_by: Option<Instant>,
    /// Forecast end of the implementation (the tasks planned before the deadline).
    pub implementation_end: Instant,
    /// The planned end of the implementation, and how late (+) or early (−) its forecast is.
    pub implementation_planned_end: Instant,
    pub implementation_variance_minutes: i64,
    /// If we decide to roll back now, when the rollback is finished.
    pub backout_now: Instant,
    /// Finish the implementation, then roll back: when that is finished.
    pub backout_worst: Instant,
    pub rollback_minutes: u32,
    /// Minutes left until the point of no return (negative once past).
    pub slack_minutes: i64,
    /// Rollback or fix forward, or none yet.
    pub decision: Option<RollbackDecision>,
    pub decided_by: Option<Stamp>,
    /// Why it was decided.
    pub reason: Option<String>,
    /// The incident the decision followed, if it named one.
    pub incident: Option<String>,
    /// Minutes from the decision to the deadline (negative: decided after it).
    pub decided_before_deadline_minutes: Option<i64>,
    /// Rolling back: when the last step is forecast to finish, and the minutes it leaves before
    /// the window's end (`restore_by`; negative: the rollback overruns the window).
    pub forecast_end: Option<Instant>,
    pub margin_minutes: Option<i64>,
    pub override_reason: Option<String>,
    pub triggers_checked: Vec<String>,
    pub steps: Vec<RollbackStepLive>,
    /// After the deadline: only fix forward, unless overridden with a reason.
    pub fix_forward_only: bool,
    /// A NO-GO opened the rollback procedure: a decision is awaited.
    pub opened: bool,
    pub opened_by: Option<Stamp>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct IncidentLive {
    pub id: String,
    pub title: String,
    pub severity: Option<Severity>,
    pub description: String,
    pub open: bool,
    pub opened_by: Stamp,
    pub resolved_by: Option<Stamp>,
    /// What the decision matrix advises: the action of the row that fits, or of every candidate
    /// row when they agree; none when they do not.
    pub recommendation: Option<MatrixAction>,
    /// Whose approval the row that fits asks for (empty when no row fits).
    pub approvers: Vec<String>,
    /// The row of the decision matrix the incident fits, or the candidates.
    pub matrix: MatrixAdvice,
    /// Estimated resolution; never in the past while open.
    pub eta: Option<Instant>,
    pub updates: Vec<Comment>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Reading {
    pub value: f64,
    pub unit: Option<String>,
    pub source: Option<String>,
    pub by: Stamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MetricLive {
    pub id: String,
    pub name: String,
    pub target: String,
    pub alert: String,
    pub state: MetricState,
    pub last: Option<Reading>,
    pub readings: Vec<Reading>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ChecklistLive {
    pub id: String,
    pub text: String,
    pub checked: bool,
    pub by: Option<Stamp>,
}

/// What the decision matrix says about one issue (an incident, a failed or blocked task): the
/// row whose issue it matches, with the severity agreeing, or the only row of its severity;
/// when no row fits, the rows it may be (those of its severity, or every row without one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MatrixAdvice {
    pub row: Option<MatrixRow>,
    /// Empty when a row fits.
    pub candidates: Vec<MatrixRow>,
}

impl MatrixAdvice {
    /// The row's action, or the candidates' when they all say the same.
    pub fn action(&self) -> Option<MatrixAction> {
        if let Some(r) = &self.row {
            return Some(r.action);
        }
        let first = self.candidates.first()?.action;
        self.candidates.iter().all(|c| c.action == first).then_some(first)
    }
}

/// A task that failed or is blocked: what it holds up, and what the decision matrix says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct StoppedTask {
    pub task: crate::TaskId,
    /// `failed` or `blocked`.
    pub status: TaskStatus,
    pub reason: Option<String>,
    /// The tasks not yet started that wait for it (their `held_by`), in runbook order.
    pub blocks: Vec<crate::TaskId>,
    /// The action `matrix` advises, as for an incident.
    pub recommendation: Option<MatrixAction>,
    /// The matrix read for the task's title and reason.
    pub matrix: MatrixAdvice,
}

/// One recent change, for "who did the last changes".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Change {
    pub kind: String,
    pub summary: String,
    pub by: Stamp,
}

/// Everything a screen needs at one instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Status {
    pub schema: String,
    pub now: Instant,
    pub run: Run,
    /// Going live, rolling back, fixing forward, or ended: what the screens lead with.
    pub mode: Mode,
    pub current_phase: Option<String>,
    /// Tasks in progress or due to start now (not failed or blocked ones: see `stopped`).
    pub due: Vec<crate::TaskId>,
    /// The next tasks to start.
    pub next: Vec<crate::TaskId>,
    /// Open tasks past their planned finish, failed and blocked ones aside.
    pub overdue: Vec<crate::TaskId>,
    /// Failed and blocked tasks, with what they hold up and the decision matrix's advice.
    pub stopped: Vec<StoppedTask>,
    pub tasks: Vec<TaskLive>,
    pub phases: Vec<PhaseLive>,
    pub checkpoints: Vec<CheckpointLive>,
    pub rollback: RollbackLive,
    pub incidents: Vec<IncidentLive>,
    pub metrics: Vec<MetricLive>,
    pub checklist: Vec<ChecklistLive>,
    /// Forecast end of the last task, and its variance against plan. Rolling back: the
    /// rollback's forecast end, and its variance against the window's end.
    pub forecast_end: Instant,
    pub variance_minutes: i64,
    pub hypercare_end: Option<Instant>,
    pub recent: Vec<Change>,
}

/// The English words the terminal and the logs use (the UI has its own, in two languages).
macro_rules! words {
    ($ty:ty { $($v:ident => $w:literal),+ $(,)? }) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(match self { $(Self::$v => $w),+ })
            }
        }
    };
}

words!(RunKind { Rehearsal => "rehearsal", Live => "live" });
words!(Mode { GoLive => "going live", RollingBack => "ROLLING BACK", FixingForward => "FIXING FORWARD", Ended => "ended" });
words!(RollbackDecision { Rollback => "rollback", FixForward => "fix forward" });
words!(RunState {
    NotStarted => "not started",
    Active => "active",
    Completed => "completed",
    RolledBack => "rolled back",
    Abandoned => "abandoned",
});
words!(TaskStatus {
    Pending => "pending",
    InProgress => "in progress",
    Done => "done",
    Skipped => "skipped",
    Failed => "failed",
    Blocked => "blocked",
});
words!(Decision { Pending => "pending", Go => "GO", NoGo => "NO-GO", Hold => "HOLD" });
words!(Severity { P1 => "P1", P2 => "P2", P3 => "P3", P4 => "P4" });
words!(MetricState { Ok => "ok", Warning => "warning", Alert => "ALERT", Unknown => "no reading" });
