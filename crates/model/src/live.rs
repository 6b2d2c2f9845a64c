//! The live picture of a run, as `warroom status --json` prints it and every screen reads it.
//! Instants are RFC 3339 with the run's offset. Keep field names stable (docs/status-schema.md).

pub use crate::agenda::NextAction;
use crate::{Instant, MatrixAction, MatrixRow};
use serde::{Deserialize, Serialize};

/// Whether a run is the real go-live or a practice of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// A practice run; its actual durations can plan a later run (`--durations-from`).
    #[default]
    Rehearsal,
    /// The real go-live.
    Live,
}

/// Where a run is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Started but nothing recorded yet: it becomes active with the first thing recorded.
    #[default]
    NotStarted,
    /// Under way: tasks, checkpoints and the rollback can be recorded.
    Active,
    /// Finished as planned.
    Completed,
    /// Ended by rolling back.
    RolledBack,
    /// Given up; nothing more is recorded in it.
    Abandoned,
}

impl RunState {
    /// Completed, rolled back or abandoned: nothing more can be recorded in it.
    pub fn is_over(self) -> bool {
        matches!(self, Self::Completed | Self::RolledBack | Self::Abandoned)
    }
}

/// Where a task of a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started.
    #[default]
    Pending,
    /// Started, not finished.
    InProgress,
    /// Finished (for a checkpoint: decided GO).
    Done,
    /// Passed over, with a reason; counts as closed.
    Skipped,
    /// Went wrong, with a reason (a checkpoint decided NO-GO); still open.
    Failed,
    /// Cannot go on for now, with a reason (a checkpoint on HOLD); still open.
    Blocked,
}

impl TaskStatus {
    /// Done or skipped: nothing more will happen to it.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Done | Self::Skipped)
    }
    /// The snake_case name used in the JSON and in stored events (`in_progress`).
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

/// A checkpoint's go/no-go decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Not decided yet.
    #[default]
    Pending,
    /// Go on: every required role has signed off.
    Go,
    /// Stop: the rollback procedure is opened. Recorded with a reason.
    NoGo,
    /// Wait before deciding. Recorded with a reason.
    Hold,
}

/// The rollback gauge: how safe a rollback still is (docs/status-schema.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    /// The implementation is forecast to end before the point of no return.
    #[default]
    Green,
    /// The implementation is forecast to end after the point of no return.
    Amber,
    /// Forecast past the point of no return with it less than 30 minutes away, or rolling back
    /// now would already end after the window.
    Red,
    /// Past the rollback deadline, or the run is over: fix forward only.
    Closed,
}

/// How bad an incident is; the decision matrix's rows are keyed by it. P1 is the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Severity {
    /// The most severe; every laptop is notified.
    #[cfg_attr(feature = "clap", value(name = "P1"))]
    P1,
    /// Severe; every laptop is notified, as for P1.
    #[cfg_attr(feature = "clap", value(name = "P2"))]
    P2,
    /// Less severe: recorded, not notified.
    #[cfg_attr(feature = "clap", value(name = "P3"))]
    P3,
    /// The least severe: recorded, not notified.
    #[cfg_attr(feature = "clap", value(name = "P4"))]
    P4,
}

/// How a metric's last reading compares with its target and alert threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MetricState {
    /// Meets its target.
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
    /// `live-` or `rehearsal-` and six random hex digits.
    pub id: crate::RunId,
    /// Live or rehearsal.
    pub kind: RunKind,
    /// The go-live day, `YYYY-MM-DD`.
    pub date: String,
    /// IANA time zone, `Asia/Ho_Chi_Minh`.
    pub tz: String,
    /// Not started, active, or how it ended.
    pub state: RunState,
    /// Rehearsal whose actual durations become this run's planned ones.
    pub durations_from: Option<crate::RunId>,
    /// When it was started (`warroom run start`), in the run's zone.
    pub created_at: Option<Instant>,
    /// When it was finished, rolled back or abandoned; `None` while not over.
    pub ended_at: Option<Instant>,
}

/// Who did something, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Stamp {
    /// The person's name, as set on their laptop.
    pub name: String,
    /// Their role at the time.
    pub role: String,
    /// The first 8 hex digits of the laptop's origin id: which laptop it was recorded on.
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

/// A comment on a task, or an update on an incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Comment {
    /// What was written.
    pub text: String,
    /// Who wrote it, from which laptop, when.
    pub by: Stamp,
}

/// One task of a run, with its plan, forecast and what happened (docs/status-schema.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct TaskLive {
    /// Its number in the runbook (`2.1`).
    pub id: crate::TaskId,
    /// The id of the phase it belongs to (`p2`).
    pub phase: String,
    /// What to do, as written in the runbook.
    pub title: String,
    /// Who does it: a role, or several (for a checkpoint, the roles that sign it off).
    pub owner: String,
    /// A go/no-go checkpoint rather than work: decided, not ticked.
    pub checkpoint: bool,
    /// A checkpoint's label as the runbook writes it (`CHECKPOINT B`).
    pub checkpoint_label: Option<String>,
    /// Where it stands in this run.
    pub status: TaskStatus,
    /// Why it was skipped, failed or blocked (for a checkpoint: the NO-GO or HOLD reason).
    pub reason: Option<String>,
    /// When it is planned to start, in the run's zone.
    pub planned_start: Instant,
    /// When it is planned to finish, in the run's zone.
    pub planned_finish: Instant,
    /// Its planned duration, in minutes.
    pub planned_minutes: i64,
    /// When the work before it lets it start: its planned start, or the forecast finish of what
    /// it waits for when that is later. Until it starts, `forecast_start` is this or now.
    pub earliest_start: Instant,
    /// When it is forecast to start (its actual start once started), in the run's zone.
    pub forecast_start: Instant,
    /// When it is forecast to finish (its actual finish once closed), in the run's zone.
    pub forecast_finish: Instant,
    /// When it was started; `None` until then.
    pub actual_start: Option<Instant>,
    /// When it was finished or skipped; `None` until then.
    pub actual_finish: Option<Instant>,
    /// Minutes late (+) or early (−) against plan: actual or forecast finish minus planned finish.
    pub variance_minutes: i64,
    /// Still open, the run not over, its planned finish has passed, and it is not waiting for
    /// open work before it with its forecast start still to come: late now, not only forecast late.
    pub overdue: bool,
    /// Not started, nothing it waits for still open, and its forecast start has come: it can
    /// be started (a checkpoint: decided) now.
    pub ready: bool,
    /// Its times were given after the fact (`--at`), not recorded as it happened.
    pub backfilled: bool,
    /// Who started it, from which laptop, when.
    pub started_by: Option<Stamp>,
    /// Who finished it (or decided the checkpoint GO).
    pub finished_by: Option<Stamp>,
    /// Comments on it, oldest first.
    pub comments: Vec<Comment>,
    /// Not started, and waiting for a failed or blocked task (the nearest one before it in the
    /// schedule: its phase, the phase before, or a task it is `after`).
    pub held_by: Option<crate::TaskId>,
}

/// One phase of a run: its plan and forecast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct PhaseLive {
    /// The phase's id (`p2`).
    pub id: String,
    /// Its name as shown (`Phase 2: Data Migration`).
    pub name: String,
    /// When its first task is planned to start, in the run's zone.
    pub planned_start: Instant,
    /// When its last task is planned to finish, in the run's zone.
    pub planned_finish: Instant,
    /// When its last task is forecast to finish, in the run's zone.
    pub forecast_finish: Instant,
    /// Minutes late (+) or early (−): forecast finish minus planned finish.
    pub variance_minutes: i64,
    /// Every task in it is done or skipped.
    pub done: bool,
}

/// One sign-off of a checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SignOff {
    /// The role signed for (the signer's own, or one named with `--as-role`).
    pub role: String,
    /// Who signed, from which laptop, when.
    pub by: Stamp,
    /// How many events the signer's laptop had seen: what the sign-off was based on.
    pub seen_events: u64,
}

/// A go/no-go checkpoint of a run: who must sign, who has, and what was decided.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CheckpointLive {
    /// The checkpoint's task number (`2.5`).
    pub id: crate::TaskId,
    /// The label as the runbook writes it (`CHECKPOINT B`, `Checkpoint 2`), if it gives one.
    pub label: Option<String>,
    /// What it checks, as written in the runbook.
    pub title: String,
    /// GO, NO-GO, HOLD, or not decided yet.
    pub decision: Decision,
    /// Why, for NO-GO and HOLD.
    pub reason: Option<String>,
    /// Who decided, from which laptop, when.
    pub decided_by: Option<Stamp>,
    /// When it is forecast to be reached (its task's forecast finish), in the run's zone.
    pub forecast: Instant,
    /// The roles that must sign off before GO.
    pub required: Vec<String>,
    /// The sign-offs so far, in the order made.
    pub signed: Vec<SignOff>,
    /// The required roles that have not signed yet; empty when GO may be decided.
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

/// One step of the rollback procedure, in this run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RollbackStepLive {
    /// The step's id in the runbook (`r3`).
    pub id: String,
    /// What to do.
    pub title: String,
    /// How long it is expected to take, in minutes.
    pub minutes: u32,
    /// The duration is the default share, not the runbook's estimate.
    pub estimated: bool,
    /// Ticked off as done.
    pub done: bool,
    /// Who ticked it off.
    pub done_by: Option<Stamp>,
    /// Once a rollback is decided: when the step is forecast to start and finish (done steps:
    /// when they did), in order from the decision.
    pub forecast_start: Option<Instant>,
    /// When it is forecast to finish (done: when it was done).
    pub forecast_end: Option<Instant>,
    /// The step to work on now: the first one not done.
    pub current: bool,
}

/// The rollback gauge and procedure for a run (docs/status-schema.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RollbackLive {
    /// Green, amber, red or closed.
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
    /// Minutes late (+) or early (−): forecast minus planned implementation end.
    pub implementation_variance_minutes: i64,
    /// If we decide to roll back now, when the rollback is finished.
    pub backout_now: Instant,
    /// Finish the implementation, then roll back: when that is finished.
    pub backout_worst: Instant,
    /// The whole rollback's expected duration, in minutes (every step's).
    pub rollback_minutes: u32,
    /// Minutes left until the point of no return (negative once past).
    pub slack_minutes: i64,
    /// Rollback or fix forward, or none yet.
    pub decision: Option<RollbackDecision>,
    /// Who decided it.
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
    /// Minutes the rollback's forecast end leaves before the window's end.
    pub margin_minutes: Option<i64>,
    /// Why a rollback was allowed after the deadline; `None` unless overridden.
    pub override_reason: Option<String>,
    /// The rollback's approvals: each role, the person, the laptop it was given on, when.
    pub approvals: Vec<SignOff>,
    /// Laptops (device ids) on which more than one person approved: flagged, since two names
    /// typed at one keyboard may be one pair of eyes.
    pub shared_laptops: Vec<String>,
    /// The ids of the rollback triggers marked as met.
    pub triggers_checked: Vec<String>,
    /// The rollback steps, in order.
    pub steps: Vec<RollbackStepLive>,
    /// After the deadline: only fix forward, unless overridden with a reason.
    pub fix_forward_only: bool,
    /// A NO-GO opened the rollback procedure: a decision is awaited.
    pub opened: bool,
    /// Who decided the NO-GO that opened it.
    pub opened_by: Option<Stamp>,
}

/// An incident raised during a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct IncidentLive {
    /// `inc-`, four hex digits of the laptop that opened it, and a number (`inc-3fa1-2`).
    pub id: String,
    /// What went wrong, in a line.
    pub title: String,
    /// P1 to P4, if given.
    pub severity: Option<Severity>,
    /// The details, as written when opened; empty if none.
    pub description: String,
    /// Not resolved yet.
    pub open: bool,
    /// Who opened it, from which laptop, when.
    pub opened_by: Stamp,
    /// Who resolved it; `None` while open.
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
    /// Updates and the resolution note, oldest first.
    pub updates: Vec<Comment>,
}

/// One reading of a metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Reading {
    /// The number read.
    pub value: f64,
    /// Its unit as given (`ms`, `%`), if any.
    pub unit: Option<String>,
    /// Where it was read (a dashboard, a query), if said.
    pub source: Option<String>,
    /// Who recorded it, from which laptop, when.
    pub by: Stamp,
}

/// A metric to watch during a run, with its readings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MetricLive {
    /// The metric's id in the runbook (`m1`).
    pub id: String,
    /// Its name (`Response p95`).
    pub name: String,
    /// Its target as written in the runbook (`< 200ms`).
    pub target: String,
    /// Its alert threshold as written in the runbook (`> 500ms`).
    pub alert: String,
    /// How the last reading compares with the target and the alert threshold.
    pub state: MetricState,
    /// The newest reading, if any.
    pub last: Option<Reading>,
    /// Every reading in this run, oldest first.
    pub readings: Vec<Reading>,
}

/// One item of the end-of-day checklist, in this run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ChecklistLive {
    /// The item's id in the runbook (`k1`).
    pub id: String,
    /// What to check.
    pub text: String,
    /// Ticked.
    pub checked: bool,
    /// Who ticked it; `None` while not ticked.
    pub by: Option<Stamp>,
}

/// What the decision matrix says about one issue (an incident, a failed or blocked task): the
/// row whose issue it matches, with the severity agreeing, or the only row of its severity;
/// when no row fits, the rows it may be (those of its severity, or every row without one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MatrixAdvice {
    /// The row whose issue fits the incident or task, if one does.
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
    /// The task that failed or is blocked.
    pub task: crate::TaskId,
    /// `failed` or `blocked`.
    pub status: TaskStatus,
    /// Why, as the person who marked it said.
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
    /// The event's kind (`task.done`, `checkpoint.decide`, …).
    pub kind: String,
    /// One line saying what changed (`2.1 done`).
    pub summary: String,
    /// Who made it, from which laptop, when.
    pub by: Stamp,
}

/// Everything a screen needs at one instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Status {
    /// `warroom.status/1`: the name of this structure's version.
    pub schema: String,
    /// The instant the picture is for (the backend's clock, or `--now`), in the run's zone.
    pub now: Instant,
    /// The run it is about.
    pub run: Run,
    /// Going live, rolling back, fixing forward, or ended: what the screens lead with.
    pub mode: Mode,
    /// The id of the phase of the first open task, while the run is active.
    pub current_phase: Option<String>,
    /// Tasks in progress or due to start now (not failed or blocked ones: see `stopped`).
    pub due: Vec<crate::TaskId>,
    /// The next tasks to start.
    pub next: Vec<crate::TaskId>,
    /// Open tasks past their planned finish, failed and blocked ones aside.
    pub overdue: Vec<crate::TaskId>,
    /// Every open task (checkpoints too) once, in forecast order (forecast start, then runbook
    /// order); failed and blocked ones are in `stopped`. Empty while rolling back or over.
    pub agenda: Vec<crate::TaskId>,
    /// The one thing to do now; `None` once the run is over.
    pub next_action: Option<NextAction>,
    /// Failed and blocked tasks, with what they hold up and the decision matrix's advice.
    pub stopped: Vec<StoppedTask>,
    /// Every task, in runbook order.
    pub tasks: Vec<TaskLive>,
    /// Every phase, in runbook order.
    pub phases: Vec<PhaseLive>,
    /// Every checkpoint, in runbook order.
    pub checkpoints: Vec<CheckpointLive>,
    /// The rollback gauge and procedure.
    pub rollback: RollbackLive,
    /// The run's incidents, open and resolved.
    pub incidents: Vec<IncidentLive>,
    /// Every metric with its readings.
    pub metrics: Vec<MetricLive>,
    /// The end-of-day checklist as ticked.
    pub checklist: Vec<ChecklistLive>,
    /// Forecast end of the last task, and its variance against plan. Rolling back: the
    /// rollback's forecast end, and its variance against the window's end.
    pub forecast_end: Instant,
    /// Minutes late (+) or early (−): forecast end minus planned end of the last task.
    pub variance_minutes: i64,
    /// The window's end plus the hypercare hours; `None` unless the runbook gives both.
    pub hypercare_end: Option<Instant>,
    /// The last dozen changes to the database (of any run), oldest first.
    pub recent: Vec<Change>,
    /// Set when a live run still going is for a day far from the clock's: an old run left
    /// open, or a past runbook opened without `--now`; the screens say so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub far_from_today: Option<FarFromToday>,
}

/// A live run whose day lies more than [`FarFromToday::LIMIT_DAYS`] days from today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FarFromToday {
    /// The run's day (`Run::date`).
    pub run_date: chrono::NaiveDate,
    /// Today in the run's zone, by the clock the picture is for.
    pub today: chrono::NaiveDate,
}

impl FarFromToday {
    /// How many days a live run's day may be from today before the screens warn.
    pub const LIMIT_DAYS: i64 = 2;
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
