//! Wall mode: the read-only big-screen view of what is due, the next checkpoint and the gauge.

use super::format::{hm, status_label, until};
use super::now::gauge;
use super::top_bar::top_bar;
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::TaskId;
use warroom_model::live::{Decision, Mode, TaskLive};

pub(crate) fn wall() -> impl IntoView {
    let c = ctx();
    view! {
        <div class="wall-view" id="wall">
            {top_bar()}
            {move || c.session.get().filter(|s| !s.can_write).map(|_| view! { <p class="muted">{t("Read-only wall view")}</p> })}
            {move || match c.status.get() {
                None => view! { <p class="big muted">{t("No run yet")}</p> }.into_any(),
                Some(st) => {
                    let phase = st.current_phase.as_ref().and_then(|p| st.phases.iter().find(|x| &x.id == p)).map(|p| p.name.clone());
                    let mut ids: Vec<TaskId> = st.overdue.clone();
                    ids.extend(st.due.iter().filter(|d| !st.overdue.contains(d)).cloned());
                    ids.extend(st.next.iter().cloned());
                    let rows: Vec<TaskLive> = ids.iter().filter_map(|id| st.tasks.iter().find(|t| &t.id == id)).take(8).cloned().collect();
                    let cp = st.checkpoints.iter().find(|cp| cp.decision != Decision::Go).cloned();
                    if st.mode == Mode::RollingBack || st.mode == Mode::Ended {
                        return view! {
                            <div class="wall-grid">
                                <section class="wall-tasks">{super::mode::mode_banner(&st, false)}</section>
                                <section class="wall-side">{gauge(&st)}</section>
                            </div>
                        }
                        .into_any();
                    }
                    let banner = super::mode::mode_banner(&st, false);
                    view! {
                        {banner}
                        <div class="wall-grid">
                            <section class="wall-tasks">
                                <h2>{phase.unwrap_or_default()}</h2>
                                <ul>{rows.into_iter().map(|task| view! {
                                    <li class:overdue=task.overdue data-status=task.status.as_str()>
                                        <span class="num">{hm(&task.forecast_start)}</span>
                                        <span class="ttitle">{task.title.clone()}</span>
                                        <span class="owner">{task.owner.clone()}</span>
                                        <span class=format!("chip {}", task.status.as_str())>{status_label(task.status)}</span>
                                    </li>
                                }).collect_view()}</ul>
                            </section>
                            <section class="wall-side">
                                {cp.map(|cp| {
                                    let f = cp.forecast;
                                    view! { <div class="card"><h2 class="label">{t("Next checkpoint")}</h2><p class="big">{cp.name()}</p>
                                        <p class="num big">{hm(&cp.forecast)}" · "{move || until(&f, c.now_ms.get())}</p></div> }
                                })}
                                {gauge(&st)}
                            </section>
                        </div>
                    }.into_any()
                }
            }}
            <Show when=move || c.session.get().is_some_and(|s| s.can_write)>
                <button id="exit-wall" class="exit-wall" on:click=move |_| c.set_wall(false)>{t("Exit wall mode")}</button>
            </Show>
        </div>
    }
}
