//! The Monitoring screen: metrics with their readings and sparklines, and the end-of-day
//! checklist.

use super::format::{happened_at, hm, need_run};
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::Action;
use warroom_model::live::MetricState;

fn sparkline(values: &[f64]) -> impl IntoView + use<> {
    let (w, h) = (160.0, 36.0);
    let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = values.len().max(2) as f64 - 1.0;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", i as f64 / n * w, h - 2.0 - (v - lo) / span * (h - 4.0)))
        .collect();
    view! {
        <svg class="spark" viewBox=format!("0 0 {w} {h}") width=w height=h role="img" aria-label="readings">
            <polyline points=points.join(" ") fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
    }
}

pub(crate) fn monitoring() -> impl IntoView {
    let c = ctx();
    let typed = RwSignal::new(std::collections::HashMap::<String, RwSignal<String>>::new());
    move || {
        let Some(st) = c.status.get() else { return need_run() };
        view! {
            <Show when=move || c.can_write()>{happened_at()}</Show>
            <table class="card metrics">
                <thead><tr><th>{t("Name")}</th><th>{t("Target")}</th><th>{t("Alert")}</th><th>{t("Last reading")}</th><th>{t("Readings")}</th><th></th></tr></thead>
                <tbody>
                    {st.metrics.into_iter().map(|m| {
                        let value = typed.try_update_untracked(|map| *map.entry(m.id.clone()).or_insert_with(|| RwSignal::new(String::new()))).unwrap_or_else(|| RwSignal::new(String::new()));
                        let name = m.id.clone();
                        let state = match m.state { MetricState::Ok => "ok", MetricState::Warning => "warning", MetricState::Alert => "alert", MetricState::Unknown => "unknown" };
                        let values: Vec<f64> = m.readings.iter().map(|r| r.value).collect();
                        let spark = (values.len() > 1).then(|| sparkline(&values));
                        view! {
                            <tr class=format!("metric {state}")>
                                <td>{m.name.clone()}</td><td>{m.target.clone()}</td><td>{m.alert.clone()}</td>
                                <td><span class=format!("chip {state}")>{m.last.as_ref().map(|r| format!("{}{}", r.value, r.unit.clone().unwrap_or_default())).unwrap_or_else(|| "—".into())}</span></td>
                                <td>{spark}</td>
                                <td><Show when=move || c.can_write()>
                                    <input class="small-input" type="number" step="any" bind:value=value aria-label=t("Value") />
                                    <button class="small" on:click={let name = name.clone(); move |_| {
                                        if let Ok(v) = value.get().trim().parse::<f64>() {
                                            c.act(Action::MetricRecord { metric: name.clone(), value: v, unit: None, source: None });
                                        }
                                    }}>{t("Record")}</button>
                                </Show></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <section class="card">
                <h2>{t("End of day")}</h2>
                <Show when=move || c.can_write()>{happened_at()}</Show>
                <ul class="checklist">
                    {st.checklist.into_iter().map(|item| {
                        let id = item.id.clone();
                        view! { <li><label>
                            <input type="checkbox" checked=item.checked disabled=move || !c.can_write()
                                on:change=move |e| c.act(Action::Checklist { id: id.clone(), checked: event_target_checked(&e) }) />
                            {item.text.clone()}
                            {item.by.map(|b| view! { <span class="muted">{format!(" — {} {}", b.name, hm(&b.at))}</span> })}
                        </label></li> }
                    }).collect_view()}
                </ul>
            </section>
        }
        .into_any()
    }
}
