//! What the run is doing when it is no longer simply going live: ROLLING BACK (who decided,
//! why, the steps with their forecast and the one to do now, the rollback's end against the
//! window's), FIXING FORWARD (what is being fixed, the next check) or over. Now and the wall
//! lead with it; the gauge shows the rollback's progress in its place.

use super::format::{duration_text, hm, rag_class, rag_label};
use crate::app::{Ctx, ctx};
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::Action;
use warroom_model::live::{Decision, Mode, RollbackStepLive, Stamp, Status};

/// "decided by NAME (ROLE) at HH:MM: REASON".
fn decided(st: &Status) -> String {
    let rb = &st.rollback;
    let by = rb.decided_by.as_ref().map(|s: &Stamp| format!("{} ({}) · {}", s.name, s.role, hm(&s.at)));
    let reason = rb.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
    format!("{} {}{reason}", t("decided by"), by.unwrap_or_default())
}

/// The banner of a run rolling back, fixing forward or over; nothing while it goes live.
/// `act` offers the step buttons (not on the wall).
pub(super) fn mode_banner(st: &Status, act: bool) -> Option<AnyView> {
    let c = ctx();
    match st.mode {
        Mode::GoLive => None,
        Mode::RollingBack => Some(
            view! {
                <section class="card mode rolling-back" id="mode-banner" data-mode="rolling_back">
                    <h2 class="mode-title danger">{t("ROLLING BACK")}</h2>
                    <p class="decided">{decided(st)}</p>
                    {progress(st)}
                    {steps(c, &st.rollback.steps, act)}
                </section>
            }
            .into_any(),
        ),
        Mode::FixingForward => {
            let open: Vec<String> =
                st.incidents.iter().filter(|i| i.open).map(|i| format!("{} · {}", i.id, i.title)).collect();
            let next = st.checkpoints.iter().find(|cp| cp.decision == Decision::Pending).cloned();
            Some(
                view! {
                    <section class="card mode fixing-forward" id="mode-banner" data-mode="fixing_forward">
                        <h2 class="mode-title">{t("FIXING FORWARD")}</h2>
                        <p class="decided">{decided(st)}</p>
                        <p><strong>{t("Fixing")}": "</strong>
                            {if open.is_empty() { t("no incident open").to_owned() } else { open.join(" · ") }}</p>
                        {next.map(|cp| view! {
                            <p><strong>{t("Next check")}": "</strong>{format!("{} · {}", hm(&cp.forecast), cp.name())}</p>
                        })}
                    </section>
                }
                .into_any(),
            )
        }
        Mode::Ended => {
            let state = st.run.state;
            let ended = st.run.ended_at.as_ref().map(hm).unwrap_or_default();
            Some(
                view! {
                    <section class="card mode ended" id="mode-banner" data-mode="ended">
                        <h2 class="mode-title">{t("The run is over")}</h2>
                        <p class="big">{super::format::run_state_label(state)} " · " <span class="num">{ended}</span></p>
                        {st.rollback.decision.is_some().then(|| view! { <p class="decided">{decided(st)}</p> })}
                    </section>
                }
                .into_any(),
            )
        }
    }
}

/// The rollback's forecast end against the window's end, in place of the gauge.
pub(super) fn progress(st: &Status) -> impl IntoView + use<> {
    let rb = &st.rollback;
    let done = rb.steps.iter().filter(|s| s.done).count();
    let spare = match rb.margin_minutes {
        Some(m) if m >= 0 => format!("{} {}", duration_text(m), t("to spare")),
        Some(m) => format!("{} {}", duration_text(-m), t("past the window's end")),
        None => String::new(),
    };
    view! {
        <div class="rollback-progress" id="rollback-progress" data-state=rag_class(rb.state)>
            <p class=format!("rag {}", rag_class(rb.state))>{rag_label(rb.state)} " · " {format!("{done}/{} {}", rb.steps.len(), t("steps done"))}</p>
            <p>
                {t("Forecast end")} " " <strong class="num">{rb.forecast_end.as_ref().map(hm).unwrap_or_default()}</strong>
                " · " {t("Window end")} " " <strong class="num">{rb.restore_by.as_ref().map(hm).unwrap_or_default()}</strong>
                " · " {spare}
            </p>
        </div>
    }
}

fn steps(c: Ctx, steps: &[RollbackStepLive], act: bool) -> impl IntoView + use<> {
    let items = steps
        .iter()
        .map(|s| {
            let id = s.id.clone();
            let when = match (&s.done_by, s.done) {
                (Some(by), true) => format!("{} {} · {}", t("done"), hm(&by.at), by.name),
                _ => format!(
                    "{}–{}",
                    s.forecast_start.as_ref().map(hm).unwrap_or_default(),
                    s.forecast_end.as_ref().map(hm).unwrap_or_default()
                ),
            };
            let can = act && !s.done && c.session.get_untracked().is_some_and(|x| x.can_write);
            view! {
                <li class="step" class:done=s.done class:current=s.current data-step=s.id.clone()>
                    <span class="step-mark">{if s.done { "✓" } else if s.current { "→" } else { "·" }}</span>
                    <span class="ttitle">{s.title.clone()}</span>
                    <span class="num muted">{duration_text(i64::from(s.minutes))}</span>
                    <span class="num">{when}</span>
                    {can.then(|| view! {
                        <button class="small" on:click=move |_| c.act(Action::RollbackStep { id: id.clone() })>{t("Done")}</button>
                    })}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="rollback-steps" id="rollback-steps">{items}</ol> }
}

/// Over the whole app: a live run still going whose day is far from today ("This run was on
/// 2026-03-15 — start a new run or rehearse"), with the way to the run's settings. Core decides.
pub(crate) fn far_from_today() -> impl IntoView {
    let c = ctx();
    move || {
        c.status.get().and_then(|st| st.far_from_today).map(|far| {
            view! {
                <p class="banner alarm" role="alert" id="far-from-today">
                    {t("This run was on")} " " {far.run_date.to_string()} " — "
                    {t("start a new run or rehearse")} " "
                    <button class="link" on:click=move |_| c.view.set(crate::app::View::Settings)>{t("Settings")}</button>
                </p>
            }
        })
    }
}
