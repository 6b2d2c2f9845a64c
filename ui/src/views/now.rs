//! The Now screen (home): starting a run, the current phase, what is due, the next
//! checkpoint, the rollback deadline, and the rollback gauge.

use super::format::{duration_text, hm, matrix_action_label, ms, rag_class, rag_label, status_label, until, variance};
use crate::app::{Ctx, View, ctx};
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::{Action, TaskVerb};
use warroom_model::live::{Decision, Mode, Rag, RunKind, Status, TaskLive, TaskStatus};
use warroom_model::{Instant, TaskId};

pub(crate) fn now() -> impl IntoView {
    let c = ctx();
    move || match c.status.get() {
        None => start_run().into_any(),
        Some(st) => now_view(c, st).into_any(),
    }
}

pub(super) fn start_run() -> impl IntoView {
    let c = ctx();
    let date = RwSignal::new(c.loaded.get_untracked().and_then(|l| l.runbook.date).unwrap_or_default());
    // Empty: the backend takes the runbook's zone, else the laptop's; the field says which.
    let tz = RwSignal::new(String::new());
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
    let by_id = |id: &TaskId| st.tasks.iter().find(|t| &t.id == id).cloned();
    let overdue: Vec<TaskLive> = st.overdue.iter().filter_map(by_id).collect();
    let due: Vec<TaskLive> = st.due.iter().filter(|id| !st.overdue.contains(id)).filter_map(by_id).collect();
    let next: Vec<TaskLive> = st.next.iter().filter_map(by_id).collect();
    let next_cp = st.checkpoints.iter().find(|cp| cp.decision != Decision::Go).cloned();
    let rb = st.rollback.clone();
    let nothing = overdue.is_empty() && due.is_empty();
    // Rolling back, the banner above already shows the rollback's progress.
    let gauge_view = (st.mode != Mode::RollingBack).then(|| gauge(&st));
    let banner = super::mode::mode_banner(&st, true);
    let going_live = matches!(st.mode, Mode::GoLive | Mode::FixingForward);
    let next_cp = next_cp.filter(|_| going_live);
    let deadline = rb.deadline.filter(|_| st.mode == Mode::GoLive);
    view! {
        {banner}
        <div class="now-grid">
            <div class="col" class:hidden=!going_live>
                <section class="card">
                    <h2 class="label">{t("Current phase")}</h2>
                    <p class="phase-name" id="current-phase">{phase.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "—".into())}</p>
                    {phase.map(|p| view! {
                        <p class="muted">{format!("{} – {}", hm(&p.planned_start), hm(&p.planned_finish))} " · " {t("Forecast")} " " {hm(&p.forecast_finish)} " · " {variance(p.variance_minutes)}</p>
                    })}
                </section>
                {stopped_view(&st)}
                <section class="card" id="due">
                    {(!overdue.is_empty()).then(|| view! {
                        <h2 class="danger">{t("Overdue")}</h2>
                        <ul class="tasks">{overdue.into_iter().map(|t| task_item(c, t)).collect_view()}</ul>
                    })}
                    <h2>{t("Due now")}</h2>
                    {nothing.then(|| view! { <p class="muted">{t("Nothing due.")}</p> })}
                    <ul class="tasks">{due.into_iter().map(|t| task_item(c, t)).collect_view()}</ul>
                    <h2>{t("Next")}</h2>
                    <ul class="tasks" id="next">{next.into_iter().map(|t| task_item(c, t)).collect_view()}</ul>
                </section>
            </div>
            <div class="col">
                {next_cp.map(|cp| {
                    let f = cp.forecast;
                    view! {
                        <section class="card countdown" id="next-checkpoint">
                            <h2 class="label">{t("Next checkpoint")}</h2>
                            <p class="big">{cp.name()}</p>
                            <p><strong class="num">{hm(&cp.forecast)}</strong> " · " {move || until(&f, c.now_ms.get())}</p>
                            {(!cp.missing.is_empty()).then(|| view! { <p class="muted">{t("Missing")}": "{cp.missing.join(", ")}</p> })}
                        </section>
                    }
                })}
                {deadline.map(|d| {
                    let d2 = d;
                    view! {
                        <section class="card countdown" id="deadline">
                            <h2 class="label">{t("Rollback deadline")}</h2>
                            <p><strong class="num big">{hm(&d)}</strong> " · " {move || until(&d2, c.now_ms.get())}</p>
                        </section>
                    }
                })}
                {gauge_view}
            </div>
        </div>
    }
}

fn task_item(c: Ctx, task: TaskLive) -> impl IntoView {
    let id = task.id.clone();
    let sel = id.clone();
    let late = task.variance_minutes > 0 && !task.status.is_closed();
    let buttons = task_buttons(c, &task);
    view! {
        <li
            id=format!("task-{id}")
            class="task"
            class:selected=move || c.selected.get().as_deref() == Some(sel.as_str())
            class:checkpoint=task.checkpoint
            data-status=task.status.as_str()
        >
            <span class="num when">{hm(&task.forecast_start)}</span>
            <span class="tid">{task.id.to_string()}</span>
            <span class="ttitle">{task.name()}<span class="owner">{task.owner.clone()}</span></span>
            <span class=format!("chip {}", task.status.as_str())>{status_label(task.status)}</span>
            {late.then(|| view! { <span class="chip late">{format!("+{}", duration_text(task.variance_minutes))}</span> })}
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

/// The rollback gauge: the window, the point of no return, the deadline, and where backing out
/// now or after finishing would land.
pub(super) fn gauge(st: &Status) -> AnyView {
    if st.mode == Mode::RollingBack {
        return view! {
            <section class="card gauge" id="rollback-gauge" data-state=rag_class(st.rollback.state)>
                <h2 class="label">{t("Rollback progress")}</h2>
                {super::mode::progress(st)}
            </section>
        }
        .into_any();
    }
    let c = ctx();
    let rb = st.rollback.clone();
    let now = ms(&st.now);
    let marks: Vec<(&'static str, &'static str, Instant)> = [
        ("implementation", t("Implementation end"), Some(rb.implementation_end)),
        ("decide", t("Decide by"), rb.decide_by),
        ("deadline", t("Rollback deadline"), rb.deadline),
        ("restore", t("Window end"), rb.restore_by),
        ("backout-now", t("Backout now"), Some(rb.backout_now)),
        ("backout-worst", t("Backout worst case"), Some(rb.backout_worst)),
    ]
    .into_iter()
    .filter_map(|(k, label, v)| v.map(|v| (k, label, v)))
    .collect();
    let lo = now - 30.0 * 60_000.0;
    let hi = marks.iter().map(|(_, _, v)| ms(v)).fold(now, f64::max) + 15.0 * 60_000.0;
    let pct = move |v: f64| ((v - lo) / (hi - lo) * 100.0).clamp(0.0, 100.0);
    let decide = rb.decide_by.as_ref().map(ms).unwrap_or(hi);
    let deadline = rb.deadline.as_ref().map(ms).unwrap_or(decide);
    let restore = rb.restore_by.as_ref().map(ms).unwrap_or(hi);
    let zones = format!(
        "background: linear-gradient(to right, var(--ok) 0% {a}%, var(--accent) {a}% {b}%, var(--danger) {b}% {r}%, var(--line) {r}% 100%)",
        a = pct(decide),
        b = pct(deadline),
        r = pct(restore)
    );
    let state = rb.state;
    view! {
        <section class="card gauge" id="rollback-gauge" data-state=rag_class(state)>
            <h2 class="label">{t("Rollback gauge")}</h2>
            <p class=format!("rag {}", rag_class(state)) id="rollback-state">
                {rag_label(state)}
                {(state != Rag::Closed).then(|| view! { <span class="slack">{format!(" · {} {}", t("slack"), duration_text(rb.slack_minutes))}</span> })}
            </p>
            <div class="track" style=zones aria-hidden="true">
                <span class="mark now" style=format!("left:{}%", pct(now)) title=t("now")></span>
                {marks.iter().map(|(k, label, v)| view! {
                    <span class=format!("mark {k}") style=format!("left:{}%", pct(ms(v))) title=*label></span>
                }).collect_view()}
            </div>
            <dl class="gauge-facts">
                {marks.into_iter().map(|(k, label, v)| {
                    let v2 = v;
                    view! {
                        <div class=format!("fact {k}")>
                            <dt>{label}</dt>
                            <dd><span class="num">{hm(&v)}</span><span class="muted">{move || until(&v2, c.now_ms.get())}</span></dd>
                        </div>
                    }
                }).collect_view()}
            </dl>
        </section>
    }
    .into_any()
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
