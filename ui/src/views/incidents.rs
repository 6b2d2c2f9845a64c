//! The Incidents screen: opening, updating and resolving incidents.

use super::format::{happened_at, hm, input_value, matrix_action_label, need_run};
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::Action;
use warroom_model::live::Severity;

pub(crate) fn incidents() -> impl IntoView {
    let c = ctx();
    let title = RwSignal::new(String::new());
    let desc = RwSignal::new(String::new());
    let sev = RwSignal::new(Severity::P2);
    let note = RwSignal::new(String::new());
    move || {
        let Some(st) = c.status.get() else { return need_run() };
        let list = st.incidents.clone();
        view! {
            <Show when=move || c.can_write()>
                <section class="card form">
                    <h2>{t("Open incident")}</h2>
                    <label>{t("Title")}<input id="incident-title" type="text" bind:value=title /></label>
                    <label>{t("Severity")}
                        <select id="incident-severity" on:change=move |e| sev.set(match input_value(&e).as_str() { "P1" => Severity::P1, "P3" => Severity::P3, "P4" => Severity::P4, _ => Severity::P2 })>
                            <option>"P1"</option><option selected=true>"P2"</option><option>"P3"</option><option>"P4"</option>
                        </select>
                    </label>
                    <label>{t("Description")}<input type="text" bind:value=desc /></label>
                    {happened_at()}
                    <button class="primary" on:click=move |_| {
                        c.act(Action::IncidentOpen { title: title.get(), severity: sev.get(), description: desc.get(), eta_minutes: None });
                        title.set(String::new());
                        desc.set(String::new());
                    }>{t("Open incident")}</button>
                </section>
            </Show>
            {list.is_empty().then(|| view! { <p class="muted">{t("No incidents.")}</p> })}
            {list.into_iter().map(|inc| {
                let (i1, i2) = (inc.id.clone(), inc.id.clone());
                view! {
                    <section class="card incident" class:open=inc.open>
                        <h2><span class=format!("chip {}", super::alerts::severity_class(inc.severity))>{inc.severity.map(|s| s.to_string()).unwrap_or_default()}</span>" "{inc.title.clone()}</h2>
                        <p>{inc.description.clone()}</p>
                        <p class="muted">{format!("{} ({}) {}", inc.opened_by.name, inc.opened_by.role, hm(&inc.opened_by.at))}
                            {inc.eta.map(|e| format!(" · ETA {}", hm(&e)))}</p>
                        {inc.recommendation.map(|r| view! { <p><strong>{t("Recommendation")}": "</strong>{matrix_action_label(r)}{inc.matrix.row.as_ref().map(|m| format!(" ({})", m.issue))}" · "{t("Approvers")}": "{inc.approvers.join(", ")}</p> })}
                        <ul>{inc.updates.iter().map(|u| view! { <li>{format!("{} {}: {}", hm(&u.by.at), u.by.name, u.text)}</li> }).collect_view()}</ul>
                        {inc.open.then(|| view! { <Show when=move || c.can_write()>
                            <div class="form">
                                <input type="text" bind:value=note aria-label=t("Update") />
                                {happened_at()}
                                <button on:click={let i = i1.clone(); move |_| c.act(Action::IncidentUpdate { id: i.clone(), note: note.get(), severity: None, eta_minutes: None })}>{t("Update")}</button>
                                <button class="primary" on:click={let i = i2.clone(); move |_| c.act(Action::IncidentResolve { id: i.clone(), note: note.get() })}>{t("Resolve")}</button>
                            </div>
                        </Show> })}
                    </section>
                }
            }).collect_view()}
        }
        .into_any()
    }
}
