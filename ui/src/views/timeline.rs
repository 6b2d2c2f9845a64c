//! The Timeline screen: every phase and task with planned, forecast and actual times, or the
//! runbook as planned before a run.

use super::format::{clock_text, hm, is_mine, ms, status_label, variance};
use super::now::task_buttons;
use crate::app::{Ctx, ctx};
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::live::TaskLive;

pub(crate) fn timeline() -> impl IntoView {
    let c = ctx();
    let query = RwSignal::new(String::new());
    let mine = RwSignal::new(false);
    view! {
        <div class="filters">
            <label class="search">{t("Search")}<input id="search" type="search" bind:value=query /></label>
            <label><input id="mine" type="checkbox" bind:checked=mine />{t("My tasks")}</label>
        </div>
        {move || {
            let Some(st) = c.status.get() else { return runbook_only(c).into_any() };
            let q = query.get().to_lowercase();
            let now = c.now_ms.get();
            let mut now_shown = false;
            st.phases.iter().map(|p| {
                let rows: Vec<TaskLive> = st.tasks.iter()
                    .filter(|t| t.phase == p.id)
                    .filter(|t| q.is_empty() || t.title.to_lowercase().contains(&q) || t.id.contains(&q) || t.owner.to_lowercase().contains(&q))
                    .filter(|t| !mine.get() || is_mine(c, &t.owner))
                    .cloned()
                    .collect();
                if rows.is_empty() {
                    return None;
                }
                Some(view! {
                    <section class="phase">
                        <h2><span>{p.name.clone()}</span>
                            <span class="muted num">{format!("{} – {} · {} {} · {}", hm(&p.planned_start), hm(&p.planned_finish), t("Forecast"), hm(&p.forecast_finish), variance(p.variance_minutes))}</span>
                        </h2>
                        <table>
                            <thead><tr>
                                <th>"#"</th><th>{t("Planned")}</th><th>{t("Forecast")}</th><th>{t("Actual")}</th>
                                <th>{t("Task")}</th><th>{t("Owner")}</th><th>{t("Status")}</th><th></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|task| {
                                    let line = (!now_shown && ms(&task.planned_start) > now).then(|| {
                                        now_shown = true;
                                        view! { <tr class="nowline" aria-label=t("now")><td colspan="8"><span>{t("now")}" "{clock_text(now, Some(&st.now))}</span></td></tr> }
                                    });
                                    (line, timeline_row(c, task))
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                })
            }).collect_view().into_any()
        }}
    }
}

fn timeline_row(c: Ctx, task: TaskLive) -> impl IntoView {
    let sel = task.id.clone();
    let actual = match (&task.actual_start, &task.actual_finish) {
        (Some(s), Some(f)) => format!("{}–{}", hm(s), hm(f)),
        (Some(s), None) => format!("{}–", hm(s)),
        _ => String::new(),
    };
    let buttons = task_buttons(c, &task);
    let who = task.finished_by.as_ref().or(task.started_by.as_ref()).map(|s| s.name.clone()).unwrap_or_default();
    view! {
        <tr
            id=format!("task-{}", task.id)
            class=format!("st-{}", task.status.as_str())
            class:selected=move || c.selected.get().as_deref() == Some(sel.as_str())
            class:checkpoint=task.checkpoint
            class:overdue=task.overdue
        >
            <td class="num muted">{task.id.to_string()}</td>
            <td class="num">{hm(&task.planned_start)}</td>
            <td class="num" class:late={task.variance_minutes > 0}>{hm(&task.forecast_start)}</td>
            <td class="num">{actual}{task.backfilled.then(|| view! { <span class="muted" title=t("back-filled")>" *"</span> })}</td>
            <td class="ttitle">{task.name()}
                {task.comments.iter().map(|cm| view! { <div class="comment">{format!("{}: {}", cm.by.name, cm.text)}</div> }).collect_view()}
            </td>
            <td class="owner">{task.owner.clone()}{(!who.is_empty()).then(|| view! { <div class="muted">{who}</div> })}</td>
            <td><span class=format!("chip {}", task.status.as_str())>{status_label(task.status)}</span>
                {task.reason.clone().map(|r| view! { <div class="muted">{r}</div> })}</td>
            <td>{buttons}</td>
        </tr>
    }
}

/// Before a run: the runbook's phases and tasks as planned.
fn runbook_only(c: Ctx) -> impl IntoView {
    let Some(l) = c.loaded.get() else { return ().into_any() };
    l.runbook
        .phases
        .into_iter()
        .map(|p| {
            view! {
                <section class="phase">
                    <h2><span>{p.display_name()}</span></h2>
                    <table><tbody>
                        {p.tasks.into_iter().map(|t| {
                            let title = t.checkpoint_name().map_or_else(|| t.title.clone(), |l| format!("{l}: {}", t.title));
                            view! {
                                <tr class:checkpoint=t.checkpoint>
                                    <td class="num muted">{t.id.into_string()}</td><td class="num">{t.time.to_string()}</td>
                                    <td class="ttitle">{title}</td><td class="owner">{t.owner}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody></table>
                </section>
            }
        })
        .collect_view()
        .into_any()
}
