//! The Rollback screen: the gauge, the decision, triggers, the decision matrix and the steps,
//! and the masked command line shared with the Commands screen.

use super::format::{copy, happened_at, hm, need_run};
use super::gauge::gauge;
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::Action;
use warroom_model::live::{Mode, RollbackDecision};
use warroom_model::mask_secrets;

pub(crate) fn rollback() -> impl IntoView {
    let c = ctx();
    let reason = RwSignal::new(String::new());
    let reveal = c.reveal;
    move || {
        let Some(st) = c.status.get() else { return need_run() };
        let Some(l) = c.loaded.get() else { return need_run() };
        let rb = l.runbook.rollback.clone();
        let live = st.rollback.clone();
        let deciding = matches!(st.mode, Mode::GoLive | Mode::FixingForward);
        let banner = super::mode::mode_banner(&st, true);
        view! {
            {banner}
            {gauge(&st)}
            <Show when=move || c.can_write() && deciding>
                <section class="card form">
                    <label>{t("Reason")}<input id="rollback-reason" type="text" bind:value=reason /></label>
                    {happened_at()}
                    <button on:click=move |_| c.act(Action::RollbackApprove)>{t("Approve rollback")}</button>
                    <button class="danger" on:click=move |_| c.act(Action::RollbackDecide { rollback: true, reason: reason.get(), incident: None })>{t("Decide: roll back")}</button>
                    <button on:click=move |_| c.act(Action::RollbackDecide { rollback: false, reason: reason.get(), incident: None })>{t("Decide: fix forward")}</button>
                    {live.fix_forward_only.then(|| view! {
                        <button class="danger" on:click=move |_| c.act(Action::RollbackOverride { reason: reason.get() })>{t("Override (after the deadline)")}</button>
                    })}
                </section>
            </Show>
            {live.decision.map(|d| view! {
                <p class="card"><strong>{t("Decision")}": "</strong>{decision_words(d)}
                    {live.reason.clone().map(|r| format!(" — {r}"))}
                    {live.decided_by.clone().map(|s| format!(" — {} ({}) {}", s.name, s.role, hm(&s.at)))}
                    {live.override_reason.clone().map(|r| format!(" · override: {r}"))}
                </p>
            })}
            <section class="card">
                <h2>{t("Triggers")}</h2>
                <ul class="checklist">
                    {rb.triggers.iter().map(|tr| {
                        let checked = live.triggers_checked.contains(&tr.id);
                        let id = tr.id.clone();
                        view! { <li><label>
                            <input type="checkbox" checked=checked disabled=move || !c.can_write()
                                on:change=move |e| c.act(Action::RollbackTrigger { id: id.clone(), checked: event_target_checked(&e) }) />
                            <strong>{tr.name.clone()}</strong>" — "{tr.condition.clone()}
                        </label></li> }
                    }).collect_view()}
                </ul>
            </section>
            <section class="card">
                <h2>{t("Decision matrix")}</h2>
                <table><thead><tr><th>{t("What")}</th><th>{t("Severity")}</th><th>{t("Rollback")}</th><th>{t("Approvers")}</th></tr></thead>
                <tbody>{rb.matrix.iter().map(|m| view! {
                    <tr><td>{m.issue.clone()}</td><td>{m.severity.clone()}</td><td>{m.rollback.clone()}</td><td>{m.approver.clone()}</td></tr>
                }).collect_view()}</tbody></table>
            </section>
            <section class="card">
                <h2>{t("Steps")}
                    <button class="small" on:click=move |_| c.set_reveal(!reveal.get_untracked())>{move || if reveal.get() { t("Hide") } else { t("Reveal") }}</button>
                </h2>
                <Show when=move || c.can_write()>{happened_at()}</Show>
                <ol class="steps">
                    {rb.steps.iter().zip(live.steps.iter()).map(|(s, sl)| {
                        let id = s.id.clone();
                        let done = sl.done;
                        view! { <li class:done=done>
                            <div class="step-head">
                                <strong>{s.title.clone()}</strong>
                                <span class="muted">{format!(" · {} {}{}", sl.minutes, t("min"), if sl.estimated { format!(" {}", t("(est.)")) } else { String::new() })}</span>
                                {sl.done_by.clone().map(|b| view! { <span class="ok">{format!(" ✔ {} {}", b.name, hm(&b.at))}</span> })}
                                {(!done).then(|| view! { <Show when=move || c.can_write()>
                                    <button class="small" on:click={let id = id.clone(); move |_| c.act(Action::RollbackStep { id: id.clone() })}>{t("Done")}</button>
                                </Show> })}
                            </div>
                            {s.commands.iter().map(|cmd| command_line(cmd.clone(), reveal)).collect_view()}
                        </li> }
                    }).collect_view()}
                </ol>
            </section>
        }
        .into_any()
    }
}

pub(super) fn command_line(cmd: String, reveal: RwSignal<bool>) -> impl IntoView {
    let c = ctx();
    let raw = cmd.clone();
    let has_secret = cmd.contains("{{secret:");
    view! {
        <div class="cmd">
            <code>{move || mask_secrets(&cmd, reveal.get() && !c.wall.get())}</code>
            <Show when=move || !c.wall.get()>
                <button class="small" on:click={let raw = raw.clone(); move |_| copy(mask_secrets(&raw, true))}>{t("Copy")}</button>
            </Show>
            {has_secret.then(|| view! { <span class="muted">"🔒"</span> })}
        </div>
    }
}

/// The decision in the reader's language.
fn decision_words(d: RollbackDecision) -> &'static str {
    t(match d {
        RollbackDecision::Rollback => "Rollback",
        RollbackDecision::FixForward => "Fix forward",
    })
}
