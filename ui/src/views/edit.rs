//! The Edit screen: changing, deleting and adding tasks.

use super::format::input_value;
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::{Action, EditKind};

pub(crate) fn edit() -> impl IntoView {
    let c = ctx();
    let selected = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
    let phase = RwSignal::new(String::new());
    Effect::new(move |_| {
        let id = selected.get();
        if let Some(task) = c.loaded.get_untracked().and_then(|l| l.runbook.tasks().find(|t| t.id == id).cloned()) {
            title.set(task.title);
            owner.set(task.owner);
            time.set(task.time.to_string());
        }
    });
    let save = move |_| {
        let id = selected.get();
        if id.is_empty() {
            return;
        }
        c.act(Action::EditSet {
            kind: EditKind::Task,
            id,
            fields: vec![("title".into(), title.get()), ("owner".into(), owner.get()), ("time".into(), time.get())],
        });
        c.refresh();
    };
    view! {
        <section class="card form">
            <label>{t("Task")}
                <select id="edit-task" on:change=move |e| selected.set(input_value(&e))>
                    <option value="">"—"</option>
                    {move || c.loaded.get().map(|l| l.runbook.tasks().map(|t| view! {
                        <option value=t.id.to_string()>{format!("{} · {} · {}", t.id, t.time, t.title)}</option>
                    }).collect_view())}
                </select>
            </label>
            <label>{t("Time")}<input id="edit-time" type="text" bind:value=time /></label>
            <label>{t("Title")}<input id="edit-title" type="text" bind:value=title /></label>
            <label>{t("Owner")}<input id="edit-owner" type="text" list="roles" bind:value=owner /></label>
            <button class="primary" on:click=save disabled=move || !c.can_write()>{t("Save")}</button>
            <button class="danger" disabled=move || !c.can_write() on:click=move |_| {
                let id = selected.get();
                if !id.is_empty() { c.act(Action::EditDelete { kind: EditKind::Task, id }); c.refresh(); }
            }>{t("Delete")}</button>
        </section>
        <section class="card form">
            <h2>{t("Add task")}</h2>
            <label>{t("Phase")}
                <select on:change=move |e| phase.set(input_value(&e))>
                    <option value="">"—"</option>
                    {move || c.loaded.get().map(|l| l.runbook.phases.into_iter().map(|p| view! { <option value=p.id.clone()>{p.display_name()}</option> }).collect_view())}
                </select>
            </label>
            <button class="primary" disabled=move || !c.can_write() on:click=move |_| {
                if phase.get().is_empty() { return; }
                c.act(Action::EditAddTask { phase: phase.get(), time: time.get(), title: title.get(), owner: owner.get(), after: None });
                c.refresh();
            }>{t("Add task")}</button>
        </section>
    }
}
