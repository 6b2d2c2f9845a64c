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
    let track = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || {
        // Again at every tick of the clock: the labels' width also changes without this view
        // being drawn again (the Wall's type size applies, a font arrives, the window zooms).
        c.now_ms.track();
        if let Some(el) = track.get() {
            request_animation_frame(move || stack_labels(&el));
        }
    });
    let resized = window_event_listener(leptos::ev::resize, move |_| {
        if let Some(el) = track.get_untracked() {
            stack_labels(&el);
        }
    });
    on_cleanup(move || resized.remove());
    view! {
        <section class="card gauge" id="rollback-gauge" data-state=rag_class(state)>
            <h2 class="label">{t("Rollback gauge")}</h2>
            <p class=format!("rag {}", rag_class(state)) id="rollback-state">
                {rag_label(state)}
                {(state != Rag::Closed).then(|| view! { <span class="slack">{format!(" · {} {}", t("slack"), duration_text(rb.slack_minutes))}</span> })}
            </p>
            <div class="track" style=zones aria-hidden="true" node_ref=track>
                <span class="mark now" style=format!("left:{}%", pct(now)) title=t("now")></span>
                {ticks.iter().enumerate().map(|(i, tk)| view! {
                    <span class=format!("mark {}", tk.kinds.join(" ")) style=format!("left:{}%", pct(ms(&tk.at))) title=tk.labels.join(" · ")>
                        // Near either end a centred label would run off the card.
                        <span class="tick-label num" class:low={i % 2 == 1} data-rank=rank(&tk.kinds)
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

/// Puts each tick's label on a row where it clears the others, the most pressing moments first
/// (the deadline, then the decision, then the window's end...). Ticks close in time have labels
/// wider than the gap between them ("03:00 +1d" beside "03:15 +1d" on the Wall's narrow gauge):
/// they are measured as laid out, since their width depends on the screen and the font. A label
/// that fits no row is hidden; its time stays in the mark's tooltip and, off the Wall, in the key
/// below. Until measured, labels alternate between two rows.
fn stack_labels(track: &web_sys::HtmlDivElement) {
    const GAP_PX: f64 = 6.0;
    // The Wall has no height to spare; a laptop's gauge may grow a row.
    const WALL: &str = ".wall-view";
    let most = if track.closest(WALL).ok().flatten().is_some() { 2 } else { 3 };
    let Ok(found) = track.query_selector_all(".tick-label") else { return };
    let mut labels: Vec<(u32, web_sys::Element, f64, f64)> = (0..found.length())
        .filter_map(|i| found.item(i).and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok()))
        .map(|label| {
            let rank = label.get_attribute("data-rank").and_then(|r| r.parse().ok()).unwrap_or(u32::MAX);
            // A row moves a label down, never sideways: its measured span holds on any row.
            let r = label.get_bounding_client_rect();
            (rank, label, r.left(), r.right())
        })
        .collect();
    labels.sort_by_key(|(rank, ..)| *rank);
    let mut rows: Vec<Vec<(f64, f64)>> = Vec::new();
    for (_, label, left, right) in labels {
        let clear = |row: &Vec<(f64, f64)>| row.iter().all(|(l, r)| right + GAP_PX <= *l || left >= r + GAP_PX);
        let row = rows.iter().position(clear).or_else(|| (rows.len() < most).then_some(rows.len()));
        let place = match row {
            Some(i) => {
                if i == rows.len() {
                    rows.push(Vec::new());
                }
                if let Some(r) = rows.get_mut(i) {
                    r.push((left, right));
                }
                i.to_string()
            }
            None => "none".to_owned(),
        };
        label.set_attribute("data-row", &place).ok();
    }
    track.set_attribute("data-rows", &rows.len().max(1).to_string()).ok();
}

/// How pressing a moment is, for its label's place on a crowded gauge (lower first).
fn rank(kinds: &[&str]) -> u32 {
    const ORDER: [&str; 6] = ["deadline", "decide", "restore", "implementation", "backout-now", "backout-worst"];
    kinds.iter().filter_map(|k| ORDER.iter().position(|o| o == k)).min().map_or(u32::MAX, |p| p as u32)
}
