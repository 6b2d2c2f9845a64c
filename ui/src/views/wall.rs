//! Wall mode: the read-only big-screen view for a projector. One screen, no scrolling, sizes in
//! viewport units: the clock with today's date, the next action, the rollback deadline counting
//! down, the next tasks, the next checkpoint with who is missing, open incidents and alerts,
//! and the gauge. Its one control sits in the header, beside the clock, covering nothing.

use super::format::{clock_text, duration_text, hm, status_label, today_text, until, variance};
use super::gauge::gauge;
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::live::{Decision, Mode, RunKind, Status, TaskLive};

/// How many of the agenda's tasks the wall shows: what fits a 16:9 screen at its type size.
const WALL_TASKS: usize = 6;

pub(crate) fn wall() -> impl IntoView {
    let c = ctx();
    view! {
        <div class="wall-view" id="wall">
            {wall_bar}
            {move || match c.status.get() {
                None => view! { <p class="big muted">{t("No run yet")}</p> }.into_any(),
                Some(st) => wall_body(st).into_any(),
            }}
        </div>
    }
}

fn wall_bar() -> impl IntoView {
    let c = ctx();
    view! {
        <div class="wall-bar">
            <div class="wall-title">
                <h1>{move || c.loaded.get().map(|l| l.runbook.title).unwrap_or_default()}</h1>
                {move || c.session.get().is_some_and(|s| s.is_demo).then(|| view! { <span class="badge demo">{t("DEMO")}</span> })}
                {move || c.status.get().map(|st| {
                    let live = st.run.kind == RunKind::Live;
                    let forecast = (!matches!(st.mode, Mode::RollingBack | Mode::Ended)).then(|| view! {
                        <span class="wall-forecast" class:late={st.variance_minutes > 0} id="wall-forecast">
                            {t("Go-live forecast")}" "<span class="num">{hm(&st.forecast_end)}</span>" · "{variance(st.variance_minutes)}
                        </span>
                    });
                    view! {
                        <span class="badge" class:live=live>{if live { t("LIVE") } else { t("REHEARSAL") }}</span>
                        {forecast}
                    }
                })}
                {move || c.session.get().filter(|s| !s.can_write).map(|_| view! { <span class="muted">{t("Read-only wall view")}</span> })}
            </div>
            <div class="wall-clock">
                <span class="today num" id="today">{move || today_text(c.now_ms.get(), c.status.get().as_ref().map(|s| &s.now))}</span>
                <span class="clock num" id="clock">{move || clock_text(c.now_ms.get(), c.status.get().as_ref().map(|s| &s.now))}</span>
                <Show when=move || c.session.get().is_some_and(|s| s.can_write)>
                    <button id="exit-wall" class="exit-wall" title=t("Exit wall mode") aria-label=t("Exit wall mode") on:click=move |_| c.set_wall(false)>"✕"</button>
                </Show>
            </div>
        </div>
    }
}

fn wall_body(st: Status) -> impl IntoView {
    let c = ctx();
    if matches!(st.mode, Mode::RollingBack | Mode::Ended) {
        return view! {
            <div class="wall-head">{super::next::next_line(&st)}</div>
            <div class="wall-grid">
                <section class="wall-tasks">{super::mode::mode_banner(&st, false)}</section>
                <section class="wall-side">{gauge(&st)}{super::alerts::alerts(&st, "wall-alerts")}</section>
            </div>
        }
        .into_any();
    }
    let rows: Vec<TaskLive> =
        st.agenda.iter().filter_map(|id| st.tasks.iter().find(|t| &t.id == id)).take(WALL_TASKS).cloned().collect();
    let more = st.agenda.len().saturating_sub(WALL_TASKS);
    let cp = st.checkpoints.iter().find(|cp| cp.decision != Decision::Go).cloned();
    view! {
        <div class="wall-head">
            {super::next::next_line(&st)}
            {super::next::deadline_box(&st)}
        </div>
        {super::mode::mode_banner(&st, false)}
        <div class="wall-grid">
            <section class="wall-tasks">
                <ul>{rows.into_iter().map(|task| {
                    let late = task.variance_minutes > 0;
                    view! {
                        <li class:overdue=task.overdue data-task=task.id.to_string() data-status=task.status.as_str()>
                            <span class="num when">{hm(&task.forecast_start)}</span>
                            <span class="ttitle">
                                <span class="tname">{task.id.to_string()}" "{super::format::rich(&task.name())}</span>
                                <span class="owner">{task.owner.clone()}</span>
                            </span>
                            <span class=format!("chip {}", task.status.as_str())>{status_label(task.status)}</span>
                            {late.then(|| view! {
                                <span class="chip" class:late=task.overdue class:forecast-late=!task.overdue>{format!("+{}", duration_text(task.variance_minutes))}</span>
                            })}
                        </li>
                    }
                }).collect_view()}</ul>
                {(more > 0).then(|| view! { <p class="muted more">{format!("+{more} {}", t("more tasks"))}</p> })}
            </section>
            <section class="wall-side">
                {cp.map(|cp| {
                    let f = cp.forecast;
                    view! {
                        <div class="card wall-checkpoint" id="wall-checkpoint">
                            <p class="label">{t("Next checkpoint")}</p>
                            <p class="cp-name">{cp.name()}</p>
                            <p class="num">{t("decision due")}" "{hm(&cp.forecast)}" · "{move || until(&f, c.now_ms.get())}</p>
                            {(!cp.missing.is_empty()).then(|| view! { <p class="missing-roles">{t("Missing")}": "<strong>{cp.missing.join(", ")}</strong></p> })}
                        </div>
                    }
                })}
                {super::alerts::alerts(&st, "wall-alerts")}
                {gauge(&st)}
            </section>
        </div>
    }
    .into_any()
}
