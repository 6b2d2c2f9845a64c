//! The rollback gauge: the window, the point of no return, the deadline, and where backing out
//! now or after finishing would land; ticks labelled with their times, its key in time order,
//! one entry per moment (two marks at the same minute share it).

use super::format::{duration_text, hm, ms, rag_class, rag_label, until};
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::Instant;
use warroom_model::live::{Mode, Rag, Status};

/// One moment on the gauge with every mark that falls on it.
struct Tick {
    at: Instant,
    kinds: Vec<&'static str>,
    labels: Vec<&'static str>,
}

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
    let mut marks: Vec<(&'static str, &'static str, Instant)> = [
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
    marks.sort_by_key(|(_, _, v)| v.millis());
    let mut ticks: Vec<Tick> = Vec::new();
    for (k, label, v) in marks {
        match ticks.last_mut() {
            Some(last) if hm(&last.at) == hm(&v) => {
                last.kinds.push(k);
                last.labels.push(label);
            }
            _ => ticks.push(Tick { at: v, kinds: vec![k], labels: vec![label] }),
        }
    }
    let lo = now - 30.0 * 60_000.0;
    let hi = ticks.iter().map(|tk| ms(&tk.at)).fold(now, f64::max) + 15.0 * 60_000.0;
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
                {ticks.iter().enumerate().map(|(i, tk)| view! {
                    <span class=format!("mark {}", tk.kinds.join(" ")) style=format!("left:{}%", pct(ms(&tk.at))) title=tk.labels.join(" · ")>
                        // Near either end a centred label would run off the card.
                        <span class="tick-label num" class:low={i % 2 == 1}
                            class:at-start={pct(ms(&tk.at)) < 12.0} class:at-end={pct(ms(&tk.at)) > 88.0}>{hm(&tk.at)}</span>
                    </span>
                }).collect_view()}
            </div>
            <dl class="gauge-facts">
                {ticks.into_iter().map(|tk| {
                    let at = tk.at;
                    view! {
                        <div class=format!("fact {}", tk.kinds.join(" "))>
                            <dt>{tk.labels.join(" · ")}</dt>
                            <dd><span class="num">{hm(&tk.at)}</span><span class="muted">{move || until(&at, c.now_ms.get())}</span></dd>
                        </div>
                    }
                }).collect_view()}
            </dl>
        </section>
    }
    .into_any()
}
