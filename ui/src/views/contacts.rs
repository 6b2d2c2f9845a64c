//! The Contacts and Commands screens: who to call, and every command in the runbook.

use super::format::copy;
use super::rollback::command_line;
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;

pub(crate) fn contacts() -> impl IntoView {
    let c = ctx();
    move || {
        let Some(l) = c.loaded.get() else { return ().into_any() };
        view! {
            <table class="card contacts">
                <thead><tr><th>{t("Role")}</th><th>{t("Name")}</th><th>{t("Phone")}</th><th>{t("Backup")}</th></tr></thead>
                <tbody>{l.runbook.contacts.into_iter().map(|p| {
                    let tel = format!("tel:{}", p.phone.replace(' ', ""));
                    let phone = p.phone.clone();
                    view! { <tr>
                        <td>{p.role}</td><td>{p.name}</td>
                        <td><a class="num" href=tel>{p.phone.clone()}</a>" "
                            <button class="small" on:click=move |_| copy(phone.clone())>{t("Copy")}</button></td>
                        <td>{p.backup}</td>
                    </tr> }
                }).collect_view()}</tbody>
            </table>
        }
        .into_any()
    }
}

pub(crate) fn commands() -> impl IntoView {
    let c = ctx();
    let reveal = c.reveal;
    move || {
        let Some(l) = c.loaded.get() else { return ().into_any() };
        let rb = l.runbook;
        view! {
            <p><button id="reveal-commands" class="small" on:click=move |_| c.set_reveal(!reveal.get_untracked())>{move || if reveal.get() { t("Hide") } else { t("Reveal") }}</button></p>
            <section class="card">
                <h2>{t("Commands")}</h2>
                {rb.commands.iter().map(|cmd| view! {
                    <div class="cmd-ref"><div class="muted">{cmd.label.clone()}</div>{command_line(cmd.command.clone(), reveal)}</div>
                }).collect_view()}
            </section>
            {rb.tasks().filter(|t| !t.commands.is_empty()).map(|task| view! {
                <section class="card">
                    <h3>{format!("{} · {}", task.id, task.title)}</h3>
                    {task.commands.iter().map(|cmd| command_line(cmd.clone(), reveal)).collect_view()}
                </section>
            }).collect_view()}
        }
        .into_any()
    }
}
