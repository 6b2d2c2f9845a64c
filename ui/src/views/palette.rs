//! The command palette: the next action first, then go to a screen, switch mode, or start and
//! finish the next tasks; arrows move the highlighted entry, Enter runs it.

use crate::app::{Ctx, View, ctx};
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::TaskVerb;
use warroom_model::live::NextAction;

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
    if let Some(st) = c.status.get_untracked()
        && let Some(a) = &st.next_action
    {
        let label = format!("{}: {}", t("Next"), super::next::next_action_text(a));
        let run: Box<dyn Fn()> = match a.clone() {
            NextAction::Start { task, .. } if c.can_write() => Box::new(move || c.task(&task, TaskVerb::Start, None)),
            NextAction::Finish { task, .. } if c.can_write() => Box::new(move || c.task(&task, TaskVerb::Done, None)),
            NextAction::Chase { .. } | NextAction::Decide { .. } => Box::new(move || c.view.set(View::Checkpoints)),
            NextAction::RollbackStep { .. } | NextAction::DecideRollback { .. } => {
                Box::new(move || c.view.set(View::Rollback))
            }
            _ => Box::new(move || c.view.set(View::Now)),
        };
        out.insert(0, Entry { label, run });
    }
    if c.can_write()
        && let Some(st) = c.status.get_untracked()
    {
        for id in st.agenda.iter().take(6) {
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
    // The highlighted entry: arrows move it, Enter runs it.
    let active = RwSignal::new(0usize);
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
                    on:input=move |_| active.set(0)
                    on:keydown=move |e| {
                        let n = matches().len();
                        match e.key().as_str() {
                            "ArrowDown" if n > 0 => { e.prevent_default(); active.update(|a| *a = (*a + 1).min(n - 1)); }
                            "ArrowUp" => { e.prevent_default(); active.update(|a| *a = a.saturating_sub(1)); }
                            "Enter" => {
                                if let Some(entry) = matches().into_iter().nth(active.get_untracked()) { (entry.run)(); }
                                c.palette.set(false);
                            }
                            _ => {}
                        }
                    } />
                <ul id="palette-list">{move || matches().into_iter().enumerate().map(|(i, e)| {
                    let label = e.label.clone();
                    view! { <li class:active=move || active.get() == i aria-selected=move || (active.get() == i).to_string()>
                        <button on:click=move |_| { (e.run)(); c.palette.set(false); } on:mouseenter=move |_| active.set(i)>{label}</button>
                    </li> }
                }).collect_view()}</ul>
            </div>
        </div>
    }
}
