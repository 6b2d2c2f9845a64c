//! The Activity screen: the audit record and everything recorded, newest first, each change
//! said in words in the reader's language.

use super::format::{hms, status_label};
use super::room::reach;
use crate::api;
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::api::{Activity, Outcome};
use warroom_model::live::{Decision, RollbackDecision};

pub(crate) fn activity() -> impl IntoView {
    let c = ctx();
    let items = RwSignal::new(Vec::<Activity>::new());
    Effect::new(move |_| {
        c.version.get();
        c.status.get();
        spawn_local(async move {
            match api::activity(300).await {
                Ok(list) => items.set(list),
                Err(e) => c.fail(e),
            }
        });
    });
    let has_run = move || c.status.get().is_some();
    view! {
        <section class="card record-bar">
            <div>
                <h2>{t("Audit record")}</h2>
                <p class="muted">{move || if c.status.get().is_some_and(|s| !s.run.state.is_over()) {
                    t("Every task, decision and event with the log's digest. Printed now, it is marked PARTIAL.")
                } else {
                    t("Every task, decision and event with the log's digest.")
                }}</p>
            </div>
            <div class="buttons">
                <button id="print-record" disabled=move || !has_run() || c.busy_record.get()
                    title=t("Print the audit record") on:click=move |_| c.print_record()>{t("Print")}</button>
                <button id="save-record" disabled=move || !has_run() || c.busy_record.get()
                    title=t("Save the audit record as PDF") on:click=move |_| c.save_record()>{t("Save as PDF")}</button>
            </div>
        </section>
        <table class="card activity">
            <thead><tr><th>{t("When")}</th><th>{t("Who")}</th><th>{t("What")}</th><th>{t("Laptop")}</th></tr></thead>
            <tbody>
                {move || items.get().into_iter().map(|a| view! {
                    <tr>
                        <td class="num">{hms(&a.at)}</td>
                        <td>{who(&a.name, &a.role)}</td>
                        <td><div class="what"><strong>{kind_words(&a.kind)}</strong>{said(a.outcome, &a.about, &a.summary)}</div>
                            {a.overwrote.iter().map(|o| view! {
                                <p class="overwrote">{format!("⚠ {} {}: {} → {} ({} {:.0} s {}) · {}",
                                    t("overwrote"), o.replaced_by, o.replaced, o.value, t("set"), o.seconds_before, t("earlier"), o.field)}</p>
                            }).collect_view()}
                            <details><summary class="muted">{t("details")}</summary>
                                <ul class="changes">{a.changes.iter().take(40).map(|ch| view! { <li><code>{ch.clone()}</code></li> }).collect_view()}</ul>
                            </details>
                        </td>
                        <td class="num muted">{format!("{}#{}", a.origin, a.seq)}{reach(c, &a)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// "Lan (Tech Lead)", or the name alone when no role was given.
fn who(name: &str, role: &str) -> String {
    match (name.trim(), role.trim()) {
        ("", _) => t("someone").to_owned(),
        (n, "") => n.to_owned(),
        (n, r) => format!("{n} ({r})"),
    }
}

/// What kind of change an event is, in the reader's language.
pub(crate) fn kind_words(kind: &str) -> &'static str {
    match kind {
        "task.start" => t("started a task"),
        "task.done" => t("finished a task"),
        "task.skip" => t("skipped a task"),
        "task.fail" => t("marked a task failed"),
        "task.block" => t("marked a task blocked"),
        "task.undo" => t("undid a task's last change"),
        "task.comment" => t("commented on a task"),
        "task.status" | "task.edit" => t("changed a task"),
        "checkpoint.sign" => t("signed a checkpoint"),
        "checkpoint.decide" => t("decided a checkpoint"),
        "rollback.approve" => t("approved the rollback"),
        "rollback.decide" => t("decided: roll back or fix forward"),
        "rollback.override" => t("overrode the rollback deadline"),
        "rollback.step" => t("finished a rollback step"),
        "rollback.trigger" => t("marked a rollback trigger"),
        "run.start" => t("started the run"),
        "run.end" => t("ended the run"),
        "incident.open" => t("opened an incident"),
        "incident.update" => t("updated an incident"),
        "incident.resolve" => t("resolved an incident"),
        "metric.record" => t("recorded a metric reading"),
        "checklist.tick" => t("ticked the end-of-day checklist"),
        "runbook.import" | "runbook.reimport" => t("imported the runbook"),
        "runbook.edit" => t("edited the runbook"),
        "room.create" | "room.invite" | "member.join" | "member.revoke" | "member.trust" => t("changed the room"),
        "me.name" | "me.role" => t("said who they are"),
        _ => t("recorded a change"),
    }
}

/// After the kind: the state it set and what it is about (` → done · 1.1 Team standup call`),
/// in the reader's language; the recorded English `summary` only for events the core does not
/// describe.
pub(crate) fn said(outcome: Option<Outcome>, about: &str, summary: &str) -> String {
    let words = outcome.map(|o| match o {
        Outcome::Task(s) => status_label(s),
        Outcome::Checkpoint(Decision::Go) => t("GO"),
        Outcome::Checkpoint(Decision::NoGo) => t("NO-GO"),
        Outcome::Checkpoint(Decision::Hold) => t("HOLD"),
        Outcome::Checkpoint(Decision::Pending) => t("not decided"),
        Outcome::Rollback(RollbackDecision::Rollback) => t("Rollback"),
        Outcome::Rollback(RollbackDecision::FixForward) => t("Fix forward"),
        Outcome::Trigger(true) => t("met"),
        Outcome::Trigger(false) => t("cleared"),
        Outcome::Check(true) => t("ticked"),
        Outcome::Check(false) => t("unticked"),
    });
    let mut out = String::new();
    if let Some(w) = words {
        out.push_str(" → ");
        out.push_str(w);
    }
    let about = if about.is_empty() && outcome.is_none() { summary } else { about };
    if !about.is_empty() {
        out.push_str(" · ");
        out.push_str(about);
    }
    out
}
