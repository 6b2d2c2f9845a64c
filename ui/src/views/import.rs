//! The Import screen: choosing or dropping a runbook file (Markdown, JSON, or a spreadsheet),
//! the preview of what a replacing import adds, changes, moves and removes (confirmed before
//! anything is written), and the import report.

use crate::api;
use crate::app::ctx;
use crate::i18n::t;
use base64::Engine as _;
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::api::{ImportOutcome, ImportRequest};
use warroom_model::reimport::{ImportPreview, TaskDiff};
use wasm_bindgen::JsCast;

/// Files sent as bytes: the backend reads them, the browser does not decode them as text.
const BINARY: &[&str] = &[".xlsx", ".xlsm", ".xls", ".ods"];

/// The file as a request: text for text files, base64 for spreadsheets.
pub(crate) async fn request(file: &web_sys::File, replace: bool) -> Option<ImportRequest> {
    let name = file.name();
    let lower = name.to_lowercase();
    let mut req = ImportRequest { name, replace, ..ImportRequest::default() };
    if BINARY.iter().any(|ext| lower.ends_with(ext)) {
        let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.ok()?;
        let bytes = js_sys::Uint8Array::new(&buf).to_vec();
        req.base64 = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
    } else {
        req.text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok()?.as_string()?;
    }
    Some(req)
}

fn list(title: &'static str, class: &'static str, tasks: Vec<TaskDiff>) -> impl IntoView {
    (!tasks.is_empty()).then(|| {
        view! {
            <h3>{format!("{} ({})", t(title), tasks.len())}</h3>
            <ul class="preview-list">
                {tasks.into_iter().map(|d| view! {
                    <li class=class>
                        <b>{d.id.to_string()}</b>" "{d.title}" · "<span class="muted">{d.phase}</span>
                        {(!d.details.is_empty()).then(|| view! { <span>{format!(" — {}", d.details.join("; "))}</span> })}
                        {d.progress.into_iter().map(|p| view! { <div class="danger">{format!("{}: {p}", t("Recorded"))}</div> }).collect_view()}
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

fn preview_view(p: ImportPreview) -> impl IntoView {
    view! {
        <div id="import-preview">
            <p>{format!("{} {}", p.unchanged, t("tasks unchanged"))}</p>
            {list("Added", "", p.added)}
            {list("Changed", "amber", p.changed)}
            {list("Moved", "amber", p.moved)}
            {list("Removed", "danger", p.removed)}
        </div>
    }
}

pub(crate) fn import() -> impl IntoView {
    let c = ctx();
    let outcome = RwSignal::new(None::<ImportOutcome>);
    // The file previewed, waiting for the person to confirm the import.
    let pending = RwSignal::new(None::<ImportRequest>);
    let replace = RwSignal::new(false);
    let over = RwSignal::new(false);
    let run = move |req: ImportRequest| {
        spawn_local(async move {
            match api::import(&req).await {
                Ok(o) => {
                    if o.imported {
                        c.refresh();
                        pending.set(None);
                    } else if o.preview.as_ref().is_some_and(ImportPreview::needs_confirmation) {
                        pending.set(Some(req));
                    }
                    outcome.set(Some(o));
                }
                Err(e) => c.fail(e),
            }
        });
    };
    let send = move |file: web_sys::File| {
        spawn_local(async move {
            let Some(req) = request(&file, replace.get_untracked()).await else {
                let name = file.name();
                c.complain(move || format!("{name}: {}", t("cannot read the file")));
                return;
            };
            pending.set(None);
            if !req.replace {
                run(req);
                return;
            }
            // Over a runbook, see first what moves: nothing is written until confirmed.
            match api::preview_import(&req).await {
                Ok(o) => {
                    if o.preview.is_some() {
                        pending.set(Some(req));
                    }
                    outcome.set(Some(o));
                }
                Err(e) => c.fail(e),
            }
        });
    };
    let confirm = move |_| {
        if let Some(mut req) = pending.get_untracked() {
            req.confirm = outcome.get_untracked().and_then(|o| o.preview).is_some_and(|p| p.needs_confirmation());
            run(req);
        }
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
            <p class="big">{t("Choose a runbook (.md, .json, .csv, .xlsx, .ods), or drop it here.")}</p>
            <input id="import-file" type="file" accept=".md,.markdown,.json,.txt,.csv,.xlsx,.xlsm,.ods"
                disabled=move || !c.can_write()
                on:change=move |e| {
                    let input: Option<web_sys::HtmlInputElement> = e.target().and_then(|t| t.dyn_into().ok());
                    if let Some(f) = input.as_ref().and_then(|i| i.files()).and_then(|f| f.get(0)) { send(f); }
                    // The same file, edited, can be picked again (a re-import).
                    if let Some(i) = input { i.set_value(""); }
                } />
            <label><input id="import-replace" type="checkbox" bind:checked=replace />{t("Replace the current runbook")}</label>
        </section>
        {move || outcome.get().map(|o| {
            let waiting = pending.get().is_some() && !o.imported;
            let must_confirm = o.preview.as_ref().is_some_and(ImportPreview::needs_confirmation);
            let heading = if o.imported {
                t("Imported.")
            } else if waiting {
                t("Check what the import changes, then import.")
            } else {
                t("Nothing was imported.")
            };
            view! {
                <section class="card report" class:error=!o.imported && !waiting id="import-report">
                    <h2>{heading}</h2>
                    <p>{o.summary.clone()}</p>
                    {o.repaired.clone().map(|r| view! { <p class="muted">{r}</p> })}
                    <ul>
                        {o.problems.iter().map(|p| view! { <li class="danger">{format!("line {}: {}", p.line, p.message)}</li> }).collect_view()}
                        {o.warnings.iter().map(|p| view! { <li class="amber">{format!("line {}: {}", p.line, p.message)}</li> }).collect_view()}
                    </ul>
                    {o.preview.clone().filter(|p| !o.imported || !p.is_empty()).map(preview_view)}
                    {waiting.then(|| view! {
                        <button id="import-confirm" class:danger=must_confirm on:click=confirm>
                            {if must_confirm { t("Remove the tasks with recorded progress and import") } else { t("Import") }}
                        </button>
                    })}
                </section>
            }
        })}
    }
}
