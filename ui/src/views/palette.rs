//! The command palette: go to a screen, switch mode, or start and finish due tasks.

use crate::app::{Ctx, View, ctx};
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::TaskVerb;

struct Entry {
    label: String,
    run: Box<dyn Fn()>,
}

fn entries(c: Ctx) -> Vec<Entry> {
    let mut out: Vec<Entry> = View::ALL
        .into_iter()
        .map(|v| Entry { label: format!("{} {}", t("Go to"), v.label()), run: Box::new(move || c.view.set(v)) })
        .collect();
    out.push(Entry { label: t("Wall").into(), run: Box::new(move || c.set_wall(true)) });
    out.push(Entry { label: t("Switch language").into(), run: Box::new(move || c.toggle_lang()) });
    out.push(Entry { label: t("Toggle theme").into(), run: Box::new(move || c.toggle_theme()) });
    out.push(Entry { label: t("Print the audit record").into(), run: Box::new(move || c.print_record()) });
    out.push(Entry { label: t("Save the audit record as PDF").into(), run: Box::new(move || c.save_record()) });
    if c.can_write()
        && let Some(st) = c.status.get_untracked()
    {
        for id in st.due.iter().chain(&st.next) {
            let Some(task) = st.tasks.iter().find(|t| &t.id == id) else { continue };
            for (verb, word) in [(TaskVerb::Start, t("Start")), (TaskVerb::Done, t("Done"))] {
                let id = id.clone();
                out.push(Entry {
                    label: format!("{word} {} {}", task.id, task.name()),
                    run: Box::new(move || c.task(&id, verb, None)),
                });
            }
        }
    }
    out
}

pub(crate) fn palette() -> impl IntoView {
    let c = ctx();
    let query = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            el.focus().ok();
        }
    });
    let matches = move || {
        let q = query.get().to_lowercase();
        entries(c)
            .into_iter()
            .filter(|e| q.split_whitespace().all(|w| e.label.to_lowercase().contains(w)))
            .take(12)
            .collect::<Vec<_>>()
    };
    view! {
        <div class="overlay" role="dialog" aria-modal="true" aria-label=t("command palette") on:click=move |_| c.palette.set(false)>
            <div class="dialog palette" on:click=|e| e.stop_propagation()>
                <input id="palette-input" node_ref=input type="text" placeholder=t("Type a command…") bind:value=query
                    on:keydown=move |e| {
                        if e.key() == "Enter" {
                            if let Some(first) = matches().into_iter().next() { (first.run)(); }
                            c.palette.set(false);
                        }
                    } />
                <ul>{move || matches().into_iter().map(|e| {
                    let label = e.label.clone();
                    view! { <li><button class="link" on:click=move |_| { (e.run)(); c.palette.set(false); }>{label}</button></li> }
                }).collect_view()}</ul>
            </div>
        </div>
    }
}
