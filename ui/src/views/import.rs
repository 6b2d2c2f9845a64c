//! The Import screen: choosing or dropping a runbook file, and the import report.

use crate::api;
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::api::{ImportOutcome, ImportRequest};
use wasm_bindgen::JsCast;

pub(crate) fn import() -> impl IntoView {
    let c = ctx();
    let outcome = RwSignal::new(None::<ImportOutcome>);
    let replace = RwSignal::new(false);
    let over = RwSignal::new(false);
    let send = move |file: web_sys::File| {
        spawn_local(async move {
            let name = file.name();
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
            let Some(text) = text else {
                c.error.set(Some(format!("{name}: cannot read the file")));
                return;
            };
            match api::import(&ImportRequest { name, text, replace: replace.get_untracked() }).await {
                Ok(o) => {
                    if o.imported {
                        c.refresh();
                    }
                    outcome.set(Some(o));
                }
                Err(e) => c.fail(e),
            }
        });
    };
    view! {
        <section class="card drop" class:over=move || over.get()
            on:dragover=move |e| { e.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=move |e: web_sys::DragEvent| {
                e.prevent_default();
                over.set(false);
                if let Some(f) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) { send(f); }
            }>
            <p class="big">{t("Choose a .md runbook, or drop it here.")}</p>
            <input id="import-file" type="file" accept=".md,.markdown,.json,.txt" disabled=move || !c.can_write()
                on:change=move |e| {
                    let input: Option<web_sys::HtmlInputElement> = e.target().and_then(|t| t.dyn_into().ok());
                    if let Some(f) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) { send(f); }
                } />
            <label><input type="checkbox" bind:checked=replace />{t("Replace the current runbook")}</label>
        </section>
        {move || outcome.get().map(|o| view! {
            <section class="card report" class:error=!o.imported id="import-report">
                <h2>{if o.imported { t("Imported.") } else { t("Nothing was imported.") }}</h2>
                <p>{o.summary.clone()}</p>
                {o.repaired.clone().map(|r| view! { <p class="muted">{r}</p> })}
                <ul>
                    {o.problems.iter().map(|p| view! { <li class="danger">{format!("line {}: {}", p.line, p.message)}</li> }).collect_view()}
                    {o.warnings.iter().map(|p| view! { <li class="amber">{format!("line {}: {}", p.line, p.message)}</li> }).collect_view()}
                </ul>
            </section>
        })}
    }
}
