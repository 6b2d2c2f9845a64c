//! The Now screen (home): starting a run; then the one next action and the rollback deadline on
//! top, every open task once in forecast order, what is wrong right now, the next checkpoint with
//! who is missing, and the rollback gauge.

use super::format::{duration_text, hm, matrix_action_label, status_label, until, variance};
use super::gauge::gauge;
use crate::app::{Ctx, View, ctx};
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::{Action, TaskVerb};
use warroom_model::live::{Decision, Mode, RunKind, Status, TaskLive, TaskStatus};

pub(crate) fn now() -> impl IntoView {
    let c = ctx();
    move || match c.status.get() {
        None => start_run().into_any(),
        Some(st) => now_view(c, st).into_any(),
    }
}

pub(super) fn start_run() -> impl IntoView {
    let c = ctx();
    // Core proposes the go-live day (not the document's date) and the runbook's zone, else
    // this laptop's; the browser's own zone is the last resort.
    let defaults = c.loaded.get_untracked().map(|l| l.run_defaults).unwrap_or_default();
    let date = RwSignal::new(defaults.date.map(|d| d.to_string()).unwrap_or_default());
    let tz = RwSignal::new(defaults.tz.unwrap_or_else(|| {
        js_sys::Reflect::get(
            &js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options(),
            &"timeZone".into(),
        )
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".into())
    }));
    let zone_hint = match c.loaded.get_untracked().and_then(|l| l.runbook.zone) {
        Some(z) => format!("{} ({z})", t("the runbook's zone")),
        None => t("this laptop's zone").to_owned(),
    };
    let kind = RwSignal::new(RunKind::Rehearsal);
    view! {
        <section class="card start-run">
            <h2>{t("No run yet")}</h2>
            <p>{t("Start a run of this runbook on its go-live date.")}</p>
            <Show when=move || c.can_write()>
                <div class="form">
                    <label>{t("Rehearsal")}
                        <input type="radio" name="kind" checked=true on:change=move |_| kind.set(RunKind::Rehearsal) />
                    </label>
                    <label>{t("Live")}
                        <input id="run-live" type="radio" name="kind" on:change=move |_| kind.set(RunKind::Live) />
                    </label>
                    <label>{t("Date")}<input id="run-date" type="date" bind:value=date /></label>
                    <label>{t("Time zone")}<input id="run-tz" type="text" placeholder=zone_hint.clone() bind:value=tz /></label>
                    <button id="run-start" class="primary" on:click=move |_| {
                        c.act(Action::RunStart { kind: kind.get(), date: date.get(), tz: tz.get(), durations_from: None })
                    }>{t("Start run")}</button>
                </div>
            </Show>
        </section>
    }
}

fn now_view(c: Ctx, st: Status) -> impl IntoView {
    let phase = st.current_phase.as_ref().and_then(|p| st.phases.iter().find(|x| &x.id == p)).cloned();
    let agenda: Vec<TaskLive> =
        st.agenda.iter().filter_map(|id| st.tasks.iter().find(|t| &t.id == id)).cloned().collect();
    let next_cp = st.checkpoints.iter().find(|cp| cp.decision != Decision::Go).cloned();
    // Rolling back, the banner above already shows the rollback's progress.
    let gauge_view = (st.mode != Mode::RollingBack).then(|| gauge(&st));
    let banner = super::mode::mode_banner(&st, true);
    let going_live = matches!(st.mode, Mode::GoLive | Mode::FixingForward);
    let next_cp = next_cp.filter(|_| going_live);
    let empty = agenda.is_empty();
    view! {
        <div class="now-head">
            {super::next::next_line(&st)}
            {super::next::deadline_box(&st)}
        </div>
        {banner}
        <div class="now-grid">
            <div class="col" class:hidden=!going_live>
                {stopped_view(&st)}
                {super::alerts::alerts(&st, "alerts")}
                <section class="card" id="agenda">
                    <h2>
                        <span id="current-phase">{phase.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| t("Open tasks").to_owned())}</span>
                        {phase.map(|p| view! {
                            <span class="muted phase-times">{format!(" · {} – {}", hm(&p.planned_start), hm(&p.planned_finish))} " · " {t("forecast")} " " {hm(&p.forecast_finish)} " · " {variance(p.variance_minutes)}</span>
                        })}
                    </h2>
                    {empty.then(|| view! { <p class="muted">{t("Nothing open.")}</p> })}
                    <ul class="tasks" id="agenda-list">{agenda.into_iter().map(|t| task_item(c, t)).collect_view()}</ul>
                </section>
            </div>
            <div class="col">
                {next_cp.map(|cp| {
                    let f = cp.forecast;
                    view! {
                        <section class="card countdown" id="next-checkpoint">
                            <h2 class="label">{t("Next checkpoint")}</h2>
                            <p class="big">{cp.name()}</p>
                            <p>{t("decision due")}" "<strong class="num">{hm(&cp.forecast)}</strong> " · " {move || until(&f, c.now_ms.get())}</p>
                            {(!cp.missing.is_empty()).then(|| view! { <p class="missing-roles">{t("Missing")}": "<strong>{cp.missing.join(", ")}</strong></p> })}
                        </section>
                    }
                })}
                {gauge_view}
            </div>
        </div>
    }
}

/// One open task: its planned time, its forecast when that differs, its state and its lateness
/// (red when overdue, amber when only its forecast is late).
pub(super) fn task_item(c: Ctx, task: TaskLive) -> impl IntoView {
    let id = task.id.clone();
    let sel = id.clone();
    let moved = task.forecast_start.millis() / 60_000 != task.planned_start.millis() / 60_000;
    let late = task.variance_minutes > 0 && !task.status.is_closed();
    let buttons = task_buttons(c, &task);
    view! {
        <li
            id=format!("task-{id}")
            class="task"
            class:selected=move || c.selected.get().as_deref() == Some(sel.as_str())
            class:checkpoint=task.checkpoint
            class:overdue=task.overdue
            data-task=task.id.to_string()
            data-status=task.status.as_str()
        >
            <span class="when num">
                <span class="planned">{hm(&task.planned_start)}</span>
                {moved.then(|| view! { <span class="forecast-at">"→ "{hm(&task.forecast_start)}" "{t("(est.)")}</span> })}
            </span>
            <span class="tid">{task.id.to_string()}</span>
            <span class="ttitle">{super::format::rich(&task.name())}<span class="owner">{task.owner.clone()}</span></span>
            <span class=format!("chip {}", task.status.as_str())>{status_label(task.status)}</span>
            {late.then(|| view! {
                <span class="chip" class:late=task.overdue class:forecast-late=!task.overdue>
                    {format!("+{}", duration_text(task.variance_minutes))}{(!task.overdue).then(|| format!(" {}", t("(est.)")))}
                </span>
            })}
            {buttons}
        </li>
    }
}

pub(super) fn task_buttons(c: Ctx, task: &TaskLive) -> impl IntoView + use<> {
    let status = task.status;
    let checkpoint = task.checkpoint;
    let id = task.id.clone();
    move || {
        if !c.can_write() {
            return None;
        }
        let (a, b, u) = (id.clone(), id.clone(), id.clone());
        Some(view! {
            <span class="actions">
                {(!checkpoint && matches!(status, TaskStatus::Pending | TaskStatus::Blocked | TaskStatus::Failed)).then(|| view! {
                    <button class="start" on:click=move |_| c.task(&a, TaskVerb::Start, None)>{t("Start")}</button>
                })}
                {checkpoint.then(|| view! {
                    <button class="open-checkpoint" on:click=move |_| c.view.set(View::Checkpoints)>{t("Checkpoints")}</button>
                })}
                {(!status.is_closed() && !checkpoint).then(|| view! {
                    <button class="done primary" on:click=move |_| c.task(&b, TaskVerb::Done, None)>{t("Done")}</button>
                })}
                {(status != TaskStatus::Pending).then(|| view! {
                    <button class="undo" on:click=move |_| c.task(&u, TaskVerb::Undo, None)>{t("Undo")}</button>
                })}
            </span>
        })
    }
}

/// Failed and blocked tasks: why, what they hold up, and what the decision matrix says.
fn stopped_view(st: &Status) -> Option<impl IntoView + use<>> {
    if st.stopped.is_empty() {
        return None;
    }
    let items = st
        .stopped
        .iter()
        .map(|s| {
            let title = st.tasks.iter().find(|t| t.id == s.task).map(|t| t.title.clone()).unwrap_or_default();
            let mut held: Vec<String> = s.blocks.iter().take(5).map(ToString::to_string).collect();
            if s.blocks.len() > 5 {
                held.push(format!("+{}", s.blocks.len() - 5));
            }
            let advice = match (&s.matrix.row, s.recommendation) {
                (Some(row), Some(r)) => format!("{} ({}) · {}", matrix_action_label(r), row.issue, row.approver),
                (None, Some(r)) => matrix_action_label(r).to_owned(),
                (_, None) if !s.matrix.candidates.is_empty() => {
                    s.matrix.candidates.iter().map(|c| c.issue.clone()).collect::<Vec<_>>().join(" / ")
                }
                _ => String::new(),
            };
            view! {
                <li class="task stopped" data-status=s.status.as_str()>
                    <span class="tid">{s.task.to_string()}</span>
                    <span class="ttitle">{title}</span>
                    <span class=format!("chip {}", s.status.as_str())>{status_label(s.status)}</span>
                    {s.reason.clone().map(|r| view! { <p class="muted">{r}</p> })}
                    {(!held.is_empty()).then(|| view! { <p>{t("Holds up")}": "{held.join(", ")}</p> })}
                    {(!advice.is_empty()).then(|| view! { <p><strong>{t("Decision matrix")}": "</strong>{advice}</p> })}
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <section class="card" id="stopped">
            <h2 class="danger">{t("Stopped")}</h2>
            <ul class="tasks">{items}</ul>
        </section>
    })
}
