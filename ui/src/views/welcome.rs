//! The Welcome screen, shown while this laptop holds no runbook: who you are (name and role)
//! first, since it goes on everything recorded, then three choices — import your runbook
//! (picked or dropped), open the demo to look around, or join a room with a code.

use super::import::request;
use crate::api;
use crate::app::ctx;
use crate::i18n::{Lang, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::ApiError;
use warroom_model::api::{ImportOutcome, Me};
use wasm_bindgen::JsCast;

/// What the person chose, to be done once who they are is saved.
enum Choice {
    Import(web_sys::File),
    Demo,
    Join(String),
}

pub(crate) fn welcome() -> impl IntoView {
    let c = ctx();
    let me = c.session.get_untracked().map(|s| s.me).unwrap_or_default();
    let name = RwSignal::new(me.name);
    let role = RwSignal::new(me.role);
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let over = RwSignal::new(false);
    // A file refused: what was wrong with it, by line.
    let outcome = RwSignal::new(None::<ImportOutcome>);
    let unnamed = move || name.get().trim().is_empty();
    let choose = move |choice: Choice| {
        if unnamed() {
            return;
        }
        busy.set(true);
        outcome.set(None);
        let me = Me { name: name.get_untracked(), role: role.get_untracked() };
        spawn_local(async move {
            let done = match api::set_me(&me).await {
                Err(e) => Err(e),
                Ok(_) => match choice {
                    Choice::Import(file) => match request(&file, false).await {
                        Some(req) => api::import(&req).await.map(Some),
                        None => Err(ApiError::new(
                            warroom_model::ErrorKind::Invalid,
                            format!("{}: {}", file.name(), t("cannot read the file")),
                        )),
                    },
                    Choice::Demo => api::open_demo().await.map(Some),
                    Choice::Join(text) => api::room_join(&text).await.map(|_| None),
                },
            };
            busy.set(false);
            match done {
                Ok(Some(o)) if !o.imported => outcome.set(Some(o)),
                Ok(_) => c.refresh(),
                Err(e) => c.fail(e),
            }
        });
    };
    let dropped = move |e: web_sys::DragEvent| {
        e.prevent_default();
        over.set(false);
        if let Some(f) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            choose(Choice::Import(f));
        }
    };
    view! {
        <div class="welcome" id="welcome">
            <div class="welcome-head">
                <h1>{move || t("Welcome to warroom")}</h1>
                <button id="welcome-lang" class="link" on:click=move |_| c.toggle_lang()>
                    {move || if c.lang.get() == Lang::En { "Tiếng Việt" } else { "English" }}
                </button>
            </div>
            <section class="card form" id="welcome-me">
                <h2>{move || t("1. Who are you?")}</h2>
                <p class="muted">{move || t("Your name and role go on everything you record.")}</p>
                <label>{move || t("Name")}<input id="welcome-name" type="text" autocomplete="name" bind:value=name /></label>
                <label>{move || t("Role")}<input id="welcome-role" type="text" placeholder="Tech Lead" bind:value=role /></label>
            </section>
            <h2 class="welcome-then">{move || t("2. Then choose one:")}</h2>
            {move || unnamed().then(|| view! {
                <p class="amber" id="welcome-name-first">{t("Enter your name first.")}</p>
            })}
            <div class="choices" class:locked=unnamed>
                <section class="card choice drop" id="welcome-import" class:over=move || over.get()
                    on:dragover=move |e| { e.prevent_default(); over.set(true); }
                    on:dragleave=move |_| over.set(false)
                    on:drop=dropped>
                    <h3>{move || t("Import your runbook")}</h3>
                    <p>{move || t("Pick or drop your file: Markdown, JSON, CSV, XLSX or ODS.")}</p>
                    <input id="welcome-file" type="file" accept=".md,.markdown,.json,.txt,.csv,.xlsx,.xlsm,.ods"
                        disabled=move || unnamed() || busy.get()
                        on:change=move |e| {
                            let input: Option<web_sys::HtmlInputElement> = e.target().and_then(|t| t.dyn_into().ok());
                            if let Some(f) = input.as_ref().and_then(|i| i.files()).and_then(|f| f.get(0)) { choose(Choice::Import(f)); }
                            if let Some(i) = input { i.set_value(""); }
                        } />
                </section>
                <section class="card choice" id="welcome-demo-card">
                    <h3>{move || t("Open the demo")}</h3>
                    <p>{move || t("Look around a sample go-live; it stays marked DEMO.")}</p>
                    <button id="welcome-demo" class="primary" disabled=move || unnamed() || busy.get()
                        on:click=move |_| choose(Choice::Demo)>{move || t("Open the demo")}</button>
                </section>
                <section class="card choice" id="welcome-join">
                    <h3>{move || t("Join a room")}</h3>
                    <p>{move || t("Paste the code another laptop shows.")}</p>
                    <textarea id="welcome-code" rows="2" spellcheck="false" bind:value=code></textarea>
                    <button id="welcome-join-button" class="primary"
                        disabled=move || unnamed() || busy.get() || code.get().trim().is_empty()
                        on:click=move |_| choose(Choice::Join(code.get_untracked()))>{move || t("Join")}</button>
                </section>
            </div>
            {move || outcome.get().map(|o| view! {
                <section class="card report error" id="welcome-report">
                    <h2>{t("Nothing was imported.")}</h2>
                    <p>{o.summary.clone()}</p>
                    <ul>
                        {o.problems.iter().map(|p| view! { <li class="danger">{format!("line {}: {}", p.line, p.message)}</li> }).collect_view()}
                    </ul>
                </section>
            })}
            <div class="toasts" aria-live="polite">
                {move || c.error.get().map(|e| view! { <p class="toast error" role="alert"><span id="error-text">{move || e.say()}</span></p> })}
            </div>
        </div>
    }
}
