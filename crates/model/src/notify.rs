//! Desktop notifications as the UI and `warroom notify plan --json` see them: what is notified,
//! to whom, and each person's settings for it.

use serde::{Deserialize, Serialize};

/// What a notification is about. The names are stable (`warroom notify plan --json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    TaskDue,
    TaskOverdue,
    CheckpointDue,
    SignoffWaiting,
    RollbackDeadline,
    PointOfNoReturn,
    MetricAlert,
    Incident,
    PeerLost,
    /// A rollback was decided: told to everyone, with who and why.
    RollbackDecided,
    /// A rollback step falls due, planned from the decision in the steps' order.
    RollbackStep,
    /// Fix forward was decided: told to everyone, with what is being fixed.
    FixForwardDecided,
    /// "While you were away": what passed while the app was closed or the laptop asleep.
    Summary,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TaskDue => "task_due",
            Self::TaskOverdue => "task_overdue",
            Self::CheckpointDue => "checkpoint_due",
            Self::SignoffWaiting => "signoff_waiting",
            Self::RollbackDeadline => "rollback_deadline",
            Self::PointOfNoReturn => "point_of_no_return",
            Self::MetricAlert => "metric_alert",
            Self::Incident => "incident",
            Self::PeerLost => "peer_lost",
            Self::RollbackDecided => "rollback_decided",
            Self::RollbackStep => "rollback_step",
            Self::FixForwardDecided => "fix_forward_decided",
            Self::Summary => "summary",
        }
    }

    /// Needs attention now rather than soon: shown as critical.
    pub fn urgent(self) -> bool {
        matches!(
            self,
            Self::PointOfNoReturn
                | Self::Incident
                | Self::MetricAlert
                | Self::TaskOverdue
                | Self::RollbackDecided
                | Self::FixForwardDecided
        )
    }
}

/// One notification: when it is due, what it says, and what clicking it opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// In the run's zone.
    pub at: crate::Instant,
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    /// The task or checkpoint it is about, if any (clicking opens it).
    pub task_id: Option<crate::TaskId>,
    /// Identifies the notification so that it fires once per laptop.
    pub key: String,
}

/// The language of notification texts (the UI's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Vi,
}

/// What this laptop's person wants to be told, and how early.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifySettings {
    pub enabled: bool,
    /// Minutes before a task's forecast start.
    pub task_due_minutes: u32,
    /// Minutes after a task should have finished: its planned finish, or later when it started
    /// (or is forecast to start) late, its planned minutes after that start.
    pub overdue_minutes: u32,
    /// Minutes before a checkpoint's forecast time.
    pub checkpoint_minutes: u32,
    /// Minutes before the rollback deadline (the point of no return), each one a notification.
    pub deadline_minutes: Vec<u32>,
    /// Tasks and checkpoints of every role, not only mine.
    pub everyone: bool,
    pub lang: Lang,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            enabled: true,
            task_due_minutes: 5,
            overdue_minutes: 5,
            checkpoint_minutes: 10,
            deadline_minutes: vec![30, 15, 5, 0],
            everyone: false,
            lang: Lang::En,
        }
    }
}

/// A notification shown on this laptop, for the in-app list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shown {
    pub notice: Notice,
    /// When it was shown.
    pub shown_at: crate::Instant,
}

/// Show notification `key` again in `minutes` (5 or 15 in the app).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snooze {
    pub key: String,
    pub minutes: u32,
}

/// What clicking a desktop notification opens: the app comes forward at what it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open {
    pub kind: NoticeKind,
    pub task_id: Option<crate::TaskId>,
}
