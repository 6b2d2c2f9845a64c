//! The bar on top of every screen: the runbook's title, the run, sync, the bell, the go-live
//! forecast (the last task's, as the Timeline says), today's date where the run is, and the clock.

use super::format::{clock_text, duration_text, hm, run_state_label, today_text, variance};
use super::room::sync_chip;
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::live::{Mode, RunKind};

pub(crate) fn top_bar() -> impl IntoView {
    let c = ctx();
    view! {
        <div class="bar">
            <div class="title">
                <h1>{move || c.loaded.get().map(|l| l.runbook.title).unwrap_or_default()}</h1>
                {move || c.session.get().is_some_and(|s| s.is_demo).then(|| view! {
                    <span class="badge demo" id="demo-badge" title=t("This is the bundled demo runbook.")>{t("DEMO")}</span>
                })}
                {move || c.status.get().map(|st| {
                    let live = st.run.kind == RunKind::Live;
                    view! {
                        <span class="badge" class:live=live>{if live { t("LIVE") } else { t("REHEARSAL") }}</span>
                        <span class="muted run-tz">{st.run.tz.clone()}</span>
                    }
                })}
            </div>
            <div class="bar-right">
                {sync_chip}
                <button id="bell" class="bell" title=move || t("Notifications") aria-label=move || t("Notifications")
                    on:click=move |_| { c.unread.set(0); c.bell.update(|b| *b = !*b); }>
                    <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true">
                        <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"/>
                    </svg>
                    {move || (c.unread.get() > 0).then(|| view! { <span class="count">{c.unread.get()}</span> })}
                    {move || {
                        let open = c.status.get().map(|st| super::alerts::count(&st)).unwrap_or(0);
                        (open > 0).then(|| view! { <span class="count problems" id="bell-problems" title=t("Open now")>{format!("!{open}")}</span> })
                    }}
                </button>
                {move || c.status.get().map(|st| match st.mode {
                    // Rolling back, the forecast that matters is the rollback's against the window.
                    Mode::RollingBack => {
                        let margin = st.rollback.margin_minutes.unwrap_or(0);
                        view! {
                            <div class="forecast" class:late={margin < 0} id="forecast-variance" data-mode="rolling_back">
                                <span class="label">{t("Rollback forecast")}" "{st.rollback.forecast_end.as_ref().map(hm).unwrap_or_default()}</span>
                                <strong>{if margin >= 0 { format!("{} {}", duration_text(margin), t("to spare")) } else { format!("{} {}", duration_text(-margin), t("past the window's end")) }}</strong>
                            </div>
                        }.into_any()
                    }
                    Mode::Ended => view! {
                        <div class="forecast" id="forecast-variance" data-mode="ended">
                            <span class="label">{t("The run is over")}</span>
                            <strong>{run_state_label(st.run.state)}</strong>
                        </div>
                    }.into_any(),
                    // The last task's forecast end, as the Timeline and `warroom status` give it.
                    Mode::GoLive | Mode::FixingForward => view! {
                        <div class="forecast" class:late={st.variance_minutes > 0} id="forecast-variance">
                            <span class="label">{t("Go-live forecast")}" "<span class="num">{hm(&st.forecast_end)}</span></span>
                            <strong>{variance(st.variance_minutes)}</strong>
                        </div>
                    }.into_any(),
                })}
                <div class="clock-box">
                    <div class="today num" id="today">{move || today_text(c.now_ms.get(), c.status.get().as_ref().map(|s| &s.now))}</div>
                    <div class="clock" aria-label="time now" id="clock">
                        {move || clock_text(c.now_ms.get(), c.status.get().as_ref().map(|s| &s.now))}
                    </div>
                </div>
            </div>
        </div>
    }
}
