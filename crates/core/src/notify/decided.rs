//! What everyone is told once the room decides. A rollback: who decided it and why, then each
//! rollback step as it falls due, planned from the decision in the steps' order (a step done
//! moves the next one to when it was done); the go-live's reminders after the decision go. Fix
//! forward: who decided it and why, and what is being fixed; the go-live goes on.

use super::text::Texts;
use chrono::Duration;
use warroom_model::Instant;
use warroom_model::live::RollbackDecision;
use warroom_model::live::Status;
use warroom_model::notify::{Notice, NoticeKind};

/// Reminders of the go-live, which stop once a rollback is decided.
fn go_live(kind: NoticeKind) -> bool {
    matches!(
        kind,
        NoticeKind::TaskDue
            | NoticeKind::TaskOverdue
            | NoticeKind::CheckpointDue
            | NoticeKind::SignoffWaiting
            | NoticeKind::RollbackDeadline
            | NoticeKind::PointOfNoReturn
    )
}

/// Adds to `out` what the decision recorded in `st` tells everyone, whatever their role.
pub(super) fn told(st: &Status, tx: &Texts, out: &mut Vec<Notice>) {
    let r = &st.rollback;
    let Some(by) = &r.decided_by else { return };
    let notice = |at: Instant, kind, key: String, (title, body): (String, String)| Notice {
        at,
        kind,
        title,
        body,
        task_id: None,
        key,
    };
    match r.decision {
        Some(RollbackDecision::Rollback) => {
            out.retain(|n| !go_live(n.kind) || n.at.0 < by.at.0);
            out.push(notice(by.at, NoticeKind::RollbackDecided, "rollback_decided".into(), tx.rollback_decided(r)));
            let mut due = by.at.0;
            for (i, step) in r.steps.iter().enumerate() {
                let end = due + Duration::minutes(i64::from(step.minutes));
                if step.done {
                    due = step.done_by.as_ref().map_or(end, |d| d.at.0);
                    continue;
                }
                let text = tx.rollback_step(step, i + 1, r.steps.len(), &Instant(end));
                out.push(notice(Instant(due), NoticeKind::RollbackStep, format!("rollback_step:{}", step.id), text));
                due = end;
            }
        }
        Some(RollbackDecision::FixForward) => {
            out.push(notice(by.at, NoticeKind::FixForwardDecided, "fix_forward_decided".into(), tx.fix_forward(st)));
        }
        None => {}
    }
}
