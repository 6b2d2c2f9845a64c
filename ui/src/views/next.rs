//! The top of Now and the Wall: the one next action core decided, said in the reader's
//! language, and the rollback deadline as a large countdown coloured by the rollback gauge.

use super::format::{hm, rag_class, status_label, until};
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::live::{Mode, NextAction, Status};

/// "Chase DBA, QA Lead to sign CHECKPOINT 1", "Start 2.1 Export data — DBA", ….
pub(super) fn next_action_text(a: &NextAction) -> String {
    match a {
        NextAction::RollbackStep { step, title } => format!("{} {step}: {title}", t("Do rollback step")),
        NextAction::DecideRollback { deadline } => match deadline {
            Some(d) => format!("{} · {} {}", t("Decide: roll back or fix forward"), t("before"), hm(d)),
            None => t("Decide: roll back or fix forward").to_owned(),
        },
        NextAction::Unblock { task, title, status } => {
            format!("{} {task} {title} ({})", t("Resolve"), status_label(*status))
        }
        NextAction::Chase { name, missing, .. } => {
            format!("{} {} {} {name}", t("Chase"), missing.join(", "), t("to sign"))
        }
        NextAction::Decide { name, .. } => format!("{} {name}: {}", t("Decide"), t("GO, NO-GO or HOLD")),
        NextAction::Start { task, title, owner, at, now } => {
            let when = if *now { String::new() } else { format!(" · {} {}", t("at"), hm(at)) };
            format!("{} {task} {title} — {owner}{when}", t("Start"))
        }
        NextAction::Finish { task, title, owner, at } => {
            format!("{} {task} {title} — {owner} · {} {}", t("Finish"), t("forecast"), hm(at))
        }
        NextAction::FinishRun => t("Everything is done: finish the run").to_owned(),
    }
}

/// The "Next:" line; nothing once the run is over.
pub(super) fn next_line(st: &Status) -> Option<AnyView> {
    let a = st.next_action.as_ref()?;
    let kind = match a {
        NextAction::RollbackStep { .. } | NextAction::DecideRollback { .. } | NextAction::Unblock { .. } => "urgent",
        NextAction::Chase { .. } | NextAction::Decide { .. } => "checkpoint",
        _ => "work",
    };
    Some(
        view! {
            <p class="next-action" id="next-action" data-kind=kind>
                <span class="next-label">{t("Next")}":"</span>" "<strong>{next_action_text(a)}</strong>
            </p>
        }
        .into_any(),
    )
}

/// The rollback deadline, counting down, in the gauge's colour; only while going live.
pub(super) fn deadline_box(st: &Status) -> Option<AnyView> {
    let d = st.rollback.deadline.filter(|_| st.mode == Mode::GoLive)?;
    let c = ctx();
    let state = rag_class(st.rollback.state);
    Some(
        view! {
            <section class="deadline-box" id="deadline" data-state=state>
                <span class="label">{t("Rollback deadline")}</span>
                <span class="deadline-when"><strong class="num">{hm(&d)}</strong></span>
                <span class="deadline-left num">{move || until(&d, c.now_ms.get())}</span>
            </section>
        }
        .into_any(),
    )
}
