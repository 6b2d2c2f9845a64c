//! Time and text helpers shared by the screens: clock and duration text, status and RAG
//! labels, the clipboard, and the "no run yet" placeholder.

use crate::app::Ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::Instant;
use warroom_model::MatrixAction;
use warroom_model::live::{Rag, RunState, TaskStatus};

/// The run's first day, for telling which moments fall on a later one.
fn run_day() -> Option<chrono::NaiveDate> {
    let st = use_context::<Ctx>().and_then(|c| c.status.get_untracked())?;
    chrono::NaiveDate::parse_from_str(&st.run.date, "%Y-%m-%d").ok()
}

/// "06:05" where the moment is shown (the backend gives every moment of a run in the run's zone,
/// at that moment's offset), with how many days it falls after the run's first day: "01:30 +1d".
pub(super) fn hm(t: &Instant) -> String {
    match run_day().map(|d| t.day_after(d)) {
        Some(days) if days > 0 => format!("{} +{days}{}", t.hm(), crate::i18n::t("d")),
        Some(days) if days < 0 => format!("{} −{}{}", t.hm(), -days, crate::i18n::t("d")),
        _ => t.hm(),
    }
}

const ISO_DATE: &str = "%Y-%m-%d";

/// Today's date where the run is (the date of `now_ms` at the offset of `zone_of`, the
/// backend's now): the header shows it, since a night crosses midnight.
pub(super) fn today_text(now_ms: f64, zone_of: Option<&Instant>) -> String {
    let off = zone_of.map_or_else(
        || -(js_sys::Date::new_0().get_timezone_offset() as i64),
        |z| i64::from(z.offset().local_minus_utc() / 60),
    );
    let local_ms = now_ms as i64 + off * 60_000;
    chrono::DateTime::from_timestamp_millis(local_ms)
        .map(|d| d.date_naive().format(ISO_DATE).to_string())
        .unwrap_or_default()
}

/// A runbook title as Markdown writes it: `inline code` between backticks shows as code.
pub(super) fn rich(text: &str) -> impl IntoView + use<> {
    text.split('`')
        .enumerate()
        .map(
            |(i, part)| {
                if i % 2 == 1 {
                    view! { <code>{part.to_owned()}</code> }.into_any()
                } else {
                    part.to_owned().into_any()
                }
            },
        )
        .collect_view()
}

/// Like `hm`, to the second (the Activity view: the order of what happened).
pub(super) fn hms(at: &Instant) -> String {
    const TIME: &str = "%H:%M:%S";
    const DAY: &str = "%d/%m";
    let time = at.format(TIME);
    match run_day() {
        Some(d) if at.date() != d => format!("{time} ({})", at.format(DAY)),
        _ => time.to_string(),
    }
}

pub(super) fn ms(t: &Instant) -> f64 {
    t.millis() as f64
}

/// This laptop's clock in the run's zone (at the offset of `zone_of`, the backend's now), HH:MM:SS.
pub(super) fn clock_text(now_ms: f64, zone_of: Option<&Instant>) -> String {
    let off = zone_of.map_or_else(
        || -(js_sys::Date::new_0().get_timezone_offset() as i64),
        |z| i64::from(z.offset().local_minus_utc() / 60),
    );
    let secs = ((now_ms / 1000.0) as i64 + off * 60).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

pub(super) fn duration_text(mins: i64) -> String {
    let m = mins.abs();
    if m >= 60 { format!("{} {} {:02} {}", m / 60, t("h"), m % 60, t("min")) } else { format!("{m} {}", t("min")) }
}

/// "in 42 min" or "5 min ago".
pub(super) fn until(target: &Instant, now_ms: f64) -> String {
    let mins = ((ms(target) - now_ms) / 60_000.0).round() as i64;
    if mins >= 0 {
        format!("{} {}", t("in"), duration_text(mins))
    } else {
        format!("{} {}", duration_text(mins), t("ago"))
    }
}

/// "+25 min" late, "−5 min" early, or "on plan".
pub(super) fn variance(m: i64) -> String {
    match m {
        0 => t("on plan").to_owned(),
        m if m > 0 => format!("+{} {}", duration_text(m), t("late")),
        m => format!("−{} {}", duration_text(m), t("early")),
    }
}

pub(super) fn status_label(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Pending => t("pending"),
        TaskStatus::InProgress => t("in progress"),
        TaskStatus::Done => t("done"),
        TaskStatus::Skipped => t("skipped"),
        TaskStatus::Failed => t("failed"),
        TaskStatus::Blocked => t("blocked"),
    }
}

pub(super) fn rag_label(r: Rag) -> &'static str {
    match r {
        Rag::Green => t("GREEN"),
        Rag::Amber => t("AMBER"),
        Rag::Red => t("RED"),
        Rag::Closed => t("CLOSED — fix forward only"),
    }
}

pub(super) fn run_state_label(s: RunState) -> &'static str {
    match s {
        RunState::NotStarted => t("not started"),
        RunState::Active => t("active"),
        RunState::Completed => t("went live"),
        RunState::RolledBack => t("rolled back"),
        RunState::Abandoned => t("abandoned"),
    }
}

pub(super) fn rag_class(r: Rag) -> &'static str {
    match r {
        Rag::Green => "green",
        Rag::Amber => "amber",
        Rag::Red => "red",
        Rag::Closed => "closed",
    }
}

pub(super) fn copy(text: String) {
    if let Some(w) = web_sys::window() {
        let copied = w.navigator().clipboard().write_text(&text);
        wasm_bindgen_futures::spawn_local(async move {
            if wasm_bindgen_futures::JsFuture::from(copied).await.is_err() {
                crate::api::warn("the browser refused to copy to the clipboard");
            }
        });
    }
}

pub(super) fn input_value(e: &leptos::ev::Event) -> String {
    event_target_value(e)
}

pub(super) fn roles(c: Ctx) -> Vec<String> {
    c.loaded.get().map(|l| l.runbook.roles()).unwrap_or_default()
}

/// Core's rule, the one the notifications follow.
pub(super) fn is_mine(c: Ctx, owner: &str) -> bool {
    let Some(me) = c.session.get().map(|s| s.me) else { return false };
    warroom_model::is_mine(owner, &me.role, &roles(c))
}

pub(super) fn need_run() -> AnyView {
    view! { <p class="muted big">{t("No run yet")}</p> }.into_any()
}

/// "It happened at": the time the next record happened, when it is entered later (back-filling):
/// HH:MM on the run's timeline. Empty means now. Every form that records shares it, and it
/// empties once a record is accepted.
pub(super) fn happened_at() -> impl IntoView {
    let c = crate::app::ctx();
    view! {
        <label class="happened-at" title=t("Leave empty for now. HH:MM on the run's timeline: after midnight is the next day.")>
            {t("It happened at")}
            <input type="time" class="happened-at-input" prop:value=move || c.at.get() on:input=move |e| c.at.set(input_value(&e)) />
        </label>
    }
}

/// What the decision matrix advises, in the reader's language.
pub(super) fn matrix_action_label(a: MatrixAction) -> &'static str {
    match a {
        MatrixAction::Rollback => t("roll back"),
        MatrixAction::FixForward => t("fix forward"),
        MatrixAction::DisableFeature => t("disable the feature"),
        MatrixAction::Other => t("see the matrix"),
    }
}
