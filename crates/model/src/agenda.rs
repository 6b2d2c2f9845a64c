//! The one thing to do now (`Status::next_action`): core decides it from the live picture, each
//! screen says it in its reader's language.

use crate::live::TaskStatus;
use crate::{Instant, TaskId};
use serde::{Deserialize, Serialize};

/// What the room should do next, most urgent first: a rollback step, a rollback decision, a
/// stopped task, a checkpoint's sign-offs or decision, a task to start or finish, or the run to
/// finish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NextAction {
    /// Rolling back: do the current rollback step.
    RollbackStep {
        /// The step's id (`r3`).
        step: String,
        /// What to do.
        title: String,
    },
    /// A NO-GO opened the rollback procedure: decide to roll back or to fix forward.
    DecideRollback {
        /// The last moment a rollback may be decided, if the runbook gives one.
        deadline: Option<Instant>,
    },
    /// A task failed or is blocked and holds up the work after it: someone must decide.
    Unblock {
        /// The task.
        task: TaskId,
        /// Its title.
        title: String,
        /// Failed or blocked.
        status: TaskStatus,
    },
    /// Roles that must still sign a checkpoint before it can be decided.
    Chase {
        /// The checkpoint's task number.
        checkpoint: TaskId,
        /// Its name (`CHECKPOINT A: Pre-checks OK`).
        name: String,
        /// The roles still to sign, in the runbook's order.
        missing: Vec<String>,
    },
    /// Every sign-off is in: decide the checkpoint GO, NO-GO or HOLD.
    Decide {
        /// The checkpoint's task number.
        checkpoint: TaskId,
        /// Its name.
        name: String,
    },
    /// Start a task: now when `at` has come, else at `at`.
    Start {
        /// The task.
        task: TaskId,
        /// Its title.
        title: String,
        /// Who does it.
        owner: String,
        /// Its forecast start.
        at: Instant,
        /// Nothing it waits for is open and its forecast start has come.
        now: bool,
    },
    /// Nothing is ready to start: finish the task under way.
    Finish {
        /// The task.
        task: TaskId,
        /// Its title.
        title: String,
        /// Who does it.
        owner: String,
        /// Its forecast finish.
        at: Instant,
    },
    /// Every task is closed: finish the run.
    FinishRun,
}
