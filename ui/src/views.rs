//! The screens: Now (home), Timeline, Checkpoints, Rollback, Incidents, Monitoring, Contacts,
//! Commands, Activity, Settings, Edit, Import, the wall view and the command palette. Each
//! reads the shared state in `app::Ctx` and records through `Ctx::act`; none talks to the
//! backend except through `api`.

use crate::api;
use crate::app::{Ctx, View, ctx, set_pref};
use crate::i18n::{Lang, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::api::{Action, Activity, ImportOutcome, ImportRequest, Me, TaskVerb};
use warroom_model::live::{Decision, MetricState, Rag, RunKind, RunState, Severity, Status, TaskLive, TaskStatus};
use warroom_model::mask_secrets;
use warroom_model::notify::{NoticeKind, NotifySettings, Shown};
use warroom_model::peers::{Invitation, PeerView, RoomView};
use wasm_bindgen::JsValue;

// ---------------------------------------------------------------------------------------------
// Time and text helpers

/// "06:05" from an RFC 3339 instant: as written when it carries the run's offset; a UTC stamp
/// (who did what, when) is shown at the run's current offset.
pub fn hm(s: &str) -> String {
    if s.ends_with("+00:00") || s.ends_with('Z') {
        let zone = use_context::<Ctx>().and_then(|c| c.status.get_untracked()).map(|st| st.now);
        if let Some(zone) = zone.filter(|z| !z.ends_with("+00:00")) {
            let t = ms(s);
            if t.is_finite() {
                let mins = ((t / 60_000.0).floor() as i64 + offset_minutes(&zone)).rem_euclid(1440);
                return format!("{:02}:{:02}", mins / 60, mins % 60);
            }
        }
    }
    s.get(11..16).unwrap_or("—").to_owned()
}

fn ms(s: &str) -> f64 {
    js_sys::Date::parse(s)
}

/// The UTC offset, in minutes, at the end of an RFC 3339 instant.
fn offset_minutes(s: &str) -> i64 {
    let tail = s.get(s.len().saturating_sub(6)..).unwrap_or("");
    let sign = if tail.starts_with('-') { -1 } else { 1 };
    let h: i64 = tail.get(1..3).and_then(|x| x.parse().ok()).unwrap_or(0);
    let m: i64 = tail.get(4..6).and_then(|x| x.parse().ok()).unwrap_or(0);
    sign * (h * 60 + m)
}

/// This laptop's clock in the run's zone, HH:MM:SS.
fn clock_text(now_ms: f64, zone_of: Option<&str>) -> String {
    let off = zone_of.map_or_else(|| -(js_sys::Date::new_0().get_timezone_offset() as i64), offset_minutes);
    let secs = ((now_ms / 1000.0) as i64 + off * 60).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

fn duration_text(mins: i64) -> String {
    let m = mins.abs();
    if m >= 60 { format!("{} h {:02} {}", m / 60, m % 60, t("min")) } else { format!("{m} {}", t("min")) }
}

/// "in 42 min" or "5 min ago".
fn until(target: &str, now_ms: f64) -> String {
    let mins = ((ms(target) - now_ms) / 60_000.0).round() as i64;
    if mins >= 0 {
        format!("{} {}", t("in"), duration_text(mins))
    } else {
        format!("{} {}", duration_text(mins), t("ago"))
    }
}

/// "+25 min" late, "−5 min" early, or "on plan".
fn variance(m: i64) -> String {
    match m {
        0 => t("on plan").to_owned(),
        m if m > 0 => format!("+{} {}", duration_text(m), t("late")),
        m => format!("−{} {}", duration_text(m), t("early")),
    }
}

fn status_label(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Pending => t("pending"),
        TaskStatus::InProgress => t("in progress"),
        TaskStatus::Done => t("done"),
        TaskStatus::Skipped => t("skipped"),
        TaskStatus::Failed => t("failed"),
        TaskStatus::Blocked => t("blocked"),
    }
}

fn rag_label(r: Rag) -> &'static str {
    match r {
        Rag::Green => t("GREEN"),
        Rag::Amber => t("AMBER"),
        Rag::Red => t("RED"),
        Rag::Closed => t("CLOSED — fix forward only"),
    }
}

fn rag_class(r: Rag) -> &'static str {
    match r {
        Rag::Green => "green",
        Rag::Amber => "amber",
        Rag::Red => "red",
        Rag::Closed => "closed",
    }
}

fn copy(text: String) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(&text);
    }
}

fn input_value(e: &leptos::ev::Event) -> String {
    event_target_value(e)
}

fn roles(c: Ctx) -> Vec<String> {
    c.loaded.get().map(|l| l.runbook.roles()).unwrap_or_default()
}

fn is_mine(c: Ctx, owner: &str) -> bool {
    let Some(me) = c.session.get().map(|s| s.me) else { return false };
    let role = me.role.trim().to_lowercase();
    !role.is_empty() && (owner.to_lowercase().contains(&role) || owner.trim().eq_ignore_ascii_case("all"))
}

// ---------------------------------------------------------------------------------------------
// The bar on top of every screen

pub fn top_bar() -> impl IntoView {
    let c = ctx();
    view! {
        <div class="bar">
            <div class="title">
                <h1>{move || c.loaded.get().map(|l| l.runbook.title).unwrap_or_default()}</h1>
                {move || c.status.get().map(|st| {
                    let live = st.run.kind == RunKind::Live;
                    view! {
                        <span class="badge" class:live=live>{if live { t("LIVE") } else { t("REHEARSAL") }}</span>
                        <span class="muted">{format!("{} · {}", st.run.date, st.run.tz)}</span>
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
                </button>
                {move || c.status.get().map(|st| view! {
                    <div class="forecast" class:late={st.rollback.implementation_variance_minutes > 0} id="forecast-variance">
                        <span class="label">{t("Go-live forecast")}" "{hm(&st.rollback.implementation_end)}</span>
                        <strong>{variance(st.rollback.implementation_variance_minutes)}</strong>
                    </div>
                })}
                <div class="clock" aria-label="time now" id="clock">
                    {move || clock_text(c.now_ms.get(), c.status.get().as_ref().map(|s| s.now.as_str()))}
                </div>
            </div>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Now

pub fn now() -> impl IntoView {
    let c = ctx();
    move || match c.status.get() {
        None => start_run().into_any(),
        Some(st) => now_view(c, st).into_any(),
    }
}

fn start_run() -> impl IntoView {
    let c = ctx();
    let date = RwSignal::new(c.loaded.get_untracked().and_then(|l| l.runbook.date).unwrap_or_default());
    let tz = RwSignal::new(
        js_sys::Reflect::get(
            &js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options(),
            &"timeZone".into(),
        )
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".into()),
    );
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
                    <label>{t("Time zone")}<input id="run-tz" type="text" bind:value=tz /></label>
                    <button id="run-start" class="primary" on:click=move |_| {
                        c.act(Action::RunStart { kind: kind.get(), date: date.get(), tz: tz.get(), durations_from: None })
                    }>{t("Start run")}</button>
                </div>
            </Show>
        </section>
    }
}

use wasm_bindgen::JsCast;

fn now_view(c: Ctx, st: Status) -> impl IntoView {
    let phase = st.current_phase.as_ref().and_then(|p| st.phases.iter().find(|x| &x.id == p)).cloned();
    let by_id = |id: &String| st.tasks.iter().find(|t| &t.id == id).cloned();
    let overdue: Vec<TaskLive> = st.overdue.iter().filter_map(by_id).collect();
    let due: Vec<TaskLive> = st.due.iter().filter(|id| !st.overdue.contains(id)).filter_map(by_id).collect();
    let next: Vec<TaskLive> = st.next.iter().filter_map(by_id).collect();
    let next_cp = st.checkpoints.iter().find(|cp| cp.decision != Decision::Go).cloned();
    let rb = st.rollback.clone();
    let nothing = overdue.is_empty() && due.is_empty();
    let gauge_view = gauge(&st);
    view! {
        <div class="now-grid">
            <div class="col">
                <section class="card">
                    <h2 class="label">{t("Current phase")}</h2>
                    <p class="phase-name" id="current-phase">{phase.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "—".into())}</p>
                    {phase.map(|p| view! {
                        <p class="muted">{format!("{} – {}", hm(&p.planned_start), hm(&p.planned_finish))} " · " {t("Forecast")} " " {hm(&p.forecast_finish)} " · " {variance(p.variance_minutes)}</p>
                    })}
                </section>
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
                    let f = cp.forecast.clone();
                    view! {
                        <section class="card countdown" id="next-checkpoint">
                            <h2 class="label">{t("Next checkpoint")}</h2>
                            <p class="big">{cp.title.clone()}</p>
                            <p><strong class="num">{hm(&cp.forecast)}</strong> " · " {move || until(&f, c.now_ms.get())}</p>
                            {(!cp.missing.is_empty()).then(|| view! { <p class="muted">{t("Missing")}": "{cp.missing.join(", ")}</p> })}
                        </section>
                    }
                })}
                {rb.deadline.clone().map(|d| {
                    let d2 = d.clone();
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
            <span class="tid">{task.id.clone()}</span>
            <span class="ttitle">{task.title.clone()}<span class="owner">{task.owner.clone()}</span></span>
            <span class=format!("chip {}", task.status.as_str())>{status_label(task.status)}</span>
            {late.then(|| view! { <span class="chip late">{format!("+{}", duration_text(task.variance_minutes))}</span> })}
            {buttons}
        </li>
    }
}

fn task_buttons(c: Ctx, task: &TaskLive) -> impl IntoView + use<> {
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
pub fn gauge(st: &Status) -> impl IntoView + use<> {
    let c = ctx();
    let rb = st.rollback.clone();
    let now = ms(&st.now);
    let marks: Vec<(&'static str, &'static str, String)> = [
        ("implementation", t("Implementation end"), Some(rb.implementation_end.clone())),
        ("decide", t("Decide by"), rb.decide_by.clone()),
        ("deadline", t("Rollback deadline"), rb.deadline.clone()),
        ("restore", t("Window end"), rb.restore_by.clone()),
        ("backout-now", t("Backout now"), Some(rb.backout_now.clone())),
        ("backout-worst", t("Backout worst case"), Some(rb.backout_worst.clone())),
    ]
    .into_iter()
    .filter_map(|(k, label, v)| v.map(|v| (k, label, v)))
    .collect();
    let lo = now - 30.0 * 60_000.0;
    let hi = marks.iter().map(|(_, _, v)| ms(v)).fold(now, f64::max) + 15.0 * 60_000.0;
    let pct = move |v: f64| ((v - lo) / (hi - lo) * 100.0).clamp(0.0, 100.0);
    let decide = rb.decide_by.as_deref().map(ms).unwrap_or(hi);
    let deadline = rb.deadline.as_deref().map(ms).unwrap_or(decide);
    let restore = rb.restore_by.as_deref().map(ms).unwrap_or(hi);
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
                    let v2 = v.clone();
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
}

// ---------------------------------------------------------------------------------------------
// Timeline

pub fn timeline() -> impl IntoView {
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
            <td class="num muted">{task.id.clone()}</td>
            <td class="num">{hm(&task.planned_start)}</td>
            <td class="num" class:late={task.variance_minutes > 0}>{hm(&task.forecast_start)}</td>
            <td class="num">{actual}{task.backfilled.then(|| view! { <span class="muted" title=t("back-filled")>" *"</span> })}</td>
            <td class="ttitle">{task.title.clone()}
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
                        {p.tasks.into_iter().map(|t| view! {
                            <tr class:checkpoint=t.checkpoint>
                                <td class="num muted">{t.id}</td><td class="num">{t.time.to_string()}</td>
                                <td class="ttitle">{t.title}</td><td class="owner">{t.owner}</td>
                            </tr>
                        }).collect_view()}
                    </tbody></table>
                </section>
            }
        })
        .collect_view()
        .into_any()
}

fn need_run() -> AnyView {
    view! { <p class="muted big">{t("No run yet")}</p> }.into_any()
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

pub fn checkpoints() -> impl IntoView {
    let c = ctx();
    // Outside the list, so a refresh of the picture keeps what was typed.
    let reason = RwSignal::new(String::new());
    move || {
        let Some(st) = c.status.get() else { return need_run() };
        st.checkpoints
            .into_iter()
            .map(|cp| {
                let (i1, i2, i3, i4) = (cp.id.clone(), cp.id.clone(), cp.id.clone(), cp.id.clone());
                let decision = match cp.decision {
                    Decision::Pending => t("not decided"),
                    Decision::Go => t("GO"),
                    Decision::NoGo => t("NO-GO"),
                    Decision::Hold => t("HOLD"),
                };
                let dclass = format!("decision {:?}", cp.decision).to_lowercase();
                view! {
                    <section class="card checkpoint" id=format!("checkpoint-{}", cp.id)>
                        <h2>{cp.title.clone()}</h2>
                        <p class="muted">{t("Forecast")}" "<span class="num">{hm(&cp.forecast)}</span></p>
                        <p class=dclass><strong>{t("Decision")}": "</strong><span class="decision-text">{decision}</span>
                            {cp.reason.clone().map(|r| view! { <span class="muted">{format!(" — {r}")}</span> })}
                            {cp.decided_by.clone().map(|s| view! { <span class="muted">{format!(" ({}, {} {})", s.name, s.role, hm(&s.at))}</span> })}
                        </p>
                        <div class="signoffs">
                            <div><h3>{t("Signed")}</h3><ul class="signed">
                                {cp.signed.iter().map(|s| view! { <li class="ok">{format!("✔ {} — {} ({})", s.role, s.by.name, hm(&s.by.at))}</li> }).collect_view()}
                            </ul></div>
                            <div><h3>{t("Missing")}</h3><ul class="missing">
                                {cp.missing.iter().map(|r| view! { <li class="danger">{format!("✖ {r}")}</li> }).collect_view()}
                            </ul></div>
                        </div>
                        <Show when=move || c.can_write()>
                            <div class="form">
                                <button class="sign" on:click={let i = i1.clone(); move |_| c.act(Action::CheckpointSign { id: i.clone(), role: None })}>{t("Sign")}</button>
                                <label>{t("Reason")}<input class="reason" type="text" bind:value=reason /></label>
                                <button class="go primary" on:click={let i = i2.clone(); move |_| c.act(Action::CheckpointDecide { id: i.clone(), decision: Decision::Go, reason: Some(reason.get()).filter(|r| !r.is_empty()) })}>{t("GO")}</button>
                                <button class="nogo danger" on:click={let i = i3.clone(); move |_| c.act(Action::CheckpointDecide { id: i.clone(), decision: Decision::NoGo, reason: Some(reason.get()).filter(|r| !r.is_empty()) })}>{t("NO-GO")}</button>
                                <button class="hold" on:click={let i = i4.clone(); move |_| c.act(Action::CheckpointDecide { id: i.clone(), decision: Decision::Hold, reason: Some(reason.get()).filter(|r| !r.is_empty()) })}>{t("HOLD")}</button>
                            </div>
                        </Show>
                    </section>
                }
            })
            .collect_view()
            .into_any()
    }
}

// ---------------------------------------------------------------------------------------------
// Rollback

pub fn rollback() -> impl IntoView {
    let c = ctx();
    let reason = RwSignal::new(String::new());
    let reveal = RwSignal::new(false);
    move || {
        let Some(st) = c.status.get() else { return need_run() };
        let Some(l) = c.loaded.get() else { return need_run() };
        let rb = l.runbook.rollback.clone();
        let live = st.rollback.clone();
        view! {
            {gauge(&st)}
            <Show when=move || c.can_write()>
                <section class="card form">
                    <label>{t("Reason")}<input id="rollback-reason" type="text" bind:value=reason /></label>
                    <button on:click=move |_| c.act(Action::RollbackApprove)>{t("Approve rollback")}</button>
                    <button class="danger" on:click=move |_| c.act(Action::RollbackDecide { rollback: true, reason: reason.get(), incident: None })>{t("Decide: roll back")}</button>
                    <button on:click=move |_| c.act(Action::RollbackDecide { rollback: false, reason: reason.get(), incident: None })>{t("Decide: fix forward")}</button>
                    {live.fix_forward_only.then(|| view! {
                        <button class="danger" on:click=move |_| c.act(Action::RollbackOverride { reason: reason.get() })>{t("Override (after the deadline)")}</button>
                    })}
                </section>
            </Show>
            {live.decision.clone().map(|d| view! {
                <p class="card"><strong>{t("Decision")}": "</strong>{d}
                    {live.decided_by.clone().map(|s| format!(" — {} ({}) {}", s.name, s.role, hm(&s.at)))}
                    {live.override_reason.clone().map(|r| format!(" · override: {r}"))}
                </p>
            })}
            <section class="card">
                <h2>{t("Triggers")}</h2>
                <ul class="checklist">
                    {rb.triggers.iter().map(|tr| {
                        let checked = live.triggers_checked.contains(&tr.id);
                        let id = tr.id.clone();
                        view! { <li><label>
                            <input type="checkbox" checked=checked disabled=move || !c.can_write()
                                on:change=move |e| c.act(Action::RollbackTrigger { id: id.clone(), checked: event_target_checked(&e) }) />
                            <strong>{tr.name.clone()}</strong>" — "{tr.condition.clone()}
                        </label></li> }
                    }).collect_view()}
                </ul>
            </section>
            <section class="card">
                <h2>{t("Decision matrix")}</h2>
                <table><thead><tr><th>{t("What")}</th><th>{t("Severity")}</th><th>{t("Rollback")}</th><th>{t("Approvers")}</th></tr></thead>
                <tbody>{rb.matrix.iter().map(|m| view! {
                    <tr><td>{m.issue.clone()}</td><td>{m.severity.clone()}</td><td>{m.rollback.clone()}</td><td>{m.approver.clone()}</td></tr>
                }).collect_view()}</tbody></table>
            </section>
            <section class="card">
                <h2>{t("Steps")}
                    <button class="small" on:click=move |_| reveal.update(|r| *r = !*r)>{move || if reveal.get() { t("Hide") } else { t("Reveal") }}</button>
                </h2>
                <ol class="steps">
                    {rb.steps.iter().zip(live.steps.iter()).map(|(s, sl)| {
                        let id = s.id.clone();
                        let done = sl.done;
                        view! { <li class:done=done>
                            <div class="step-head">
                                <strong>{s.title.clone()}</strong>
                                <span class="muted">{format!(" · {} {}{}", sl.minutes, t("min"), if sl.estimated { " (est.)" } else { "" })}</span>
                                {sl.done_by.clone().map(|b| view! { <span class="ok">{format!(" ✔ {} {}", b.name, hm(&b.at))}</span> })}
                                {(!done).then(|| view! { <Show when=move || c.can_write()>
                                    <button class="small" on:click={let id = id.clone(); move |_| c.act(Action::RollbackStep { id: id.clone() })}>{t("Done")}</button>
                                </Show> })}
                            </div>
                            {s.commands.iter().map(|cmd| command_line(cmd.clone(), reveal)).collect_view()}
                        </li> }
                    }).collect_view()}
                </ol>
            </section>
        }
        .into_any()
    }
}

fn command_line(cmd: String, reveal: RwSignal<bool>) -> impl IntoView {
    let c = ctx();
    let raw = cmd.clone();
    let has_secret = cmd.contains("{{secret:");
    view! {
        <div class="cmd">
            <code>{move || mask_secrets(&cmd, reveal.get() && !c.wall.get())}</code>
            <Show when=move || !c.wall.get()>
                <button class="small" on:click={let raw = raw.clone(); move |_| copy(mask_secrets(&raw, true))}>{t("Copy")}</button>
            </Show>
            {has_secret.then(|| view! { <span class="muted">"🔒"</span> })}
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Incidents

pub fn incidents() -> impl IntoView {
    let c = ctx();
    let title = RwSignal::new(String::new());
    let desc = RwSignal::new(String::new());
    let sev = RwSignal::new(Severity::P2);
    let note = RwSignal::new(String::new());
    move || {
        let Some(st) = c.status.get() else { return need_run() };
        let list = st.incidents.clone();
        view! {
            <Show when=move || c.can_write()>
                <section class="card form">
                    <h2>{t("Open incident")}</h2>
                    <label>{t("Title")}<input id="incident-title" type="text" bind:value=title /></label>
                    <label>{t("Severity")}
                        <select id="incident-severity" on:change=move |e| sev.set(match input_value(&e).as_str() { "P1" => Severity::P1, "P3" => Severity::P3, "P4" => Severity::P4, _ => Severity::P2 })>
                            <option>"P1"</option><option selected=true>"P2"</option><option>"P3"</option><option>"P4"</option>
                        </select>
                    </label>
                    <label>{t("Description")}<input type="text" bind:value=desc /></label>
                    <button class="primary" on:click=move |_| {
                        c.act(Action::IncidentOpen { title: title.get(), severity: sev.get(), description: desc.get(), eta_minutes: None });
                        title.set(String::new());
                        desc.set(String::new());
                    }>{t("Open incident")}</button>
                </section>
            </Show>
            {list.is_empty().then(|| view! { <p class="muted">{t("No incidents.")}</p> })}
            {list.into_iter().map(|inc| {
                let (i1, i2) = (inc.id.clone(), inc.id.clone());
                view! {
                    <section class="card incident" class:open=inc.open>
                        <h2><span class="chip sev">{inc.severity.map(|s| format!("{s:?}")).unwrap_or_default()}</span>" "{inc.title.clone()}</h2>
                        <p>{inc.description.clone()}</p>
                        <p class="muted">{format!("{} ({}) {}", inc.opened_by.name, inc.opened_by.role, hm(&inc.opened_by.at))}
                            {inc.eta.clone().map(|e| format!(" · ETA {}", hm(&e)))}</p>
                        {inc.recommendation.clone().map(|r| view! { <p><strong>{t("Recommendation")}": "</strong>{r.replace('_', " ")}" · "{t("Approvers")}": "{inc.approvers.join(", ")}</p> })}
                        <ul>{inc.updates.iter().map(|u| view! { <li>{format!("{} {}: {}", hm(&u.by.at), u.by.name, u.text)}</li> }).collect_view()}</ul>
                        {inc.open.then(|| view! { <Show when=move || c.can_write()>
                            <div class="form">
                                <input type="text" bind:value=note aria-label=t("Update") />
                                <button on:click={let i = i1.clone(); move |_| c.act(Action::IncidentUpdate { id: i.clone(), note: note.get(), severity: None, eta_minutes: None })}>{t("Update")}</button>
                                <button class="primary" on:click={let i = i2.clone(); move |_| c.act(Action::IncidentResolve { id: i.clone(), note: note.get() })}>{t("Resolve")}</button>
                            </div>
                        </Show> })}
                    </section>
                }
            }).collect_view()}
        }
        .into_any()
    }
}

// ---------------------------------------------------------------------------------------------
// Monitoring

fn sparkline(values: &[f64]) -> impl IntoView + use<> {
    let (w, h) = (160.0, 36.0);
    let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = values.len().max(2) as f64 - 1.0;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", i as f64 / n * w, h - 2.0 - (v - lo) / span * (h - 4.0)))
        .collect();
    view! {
        <svg class="spark" viewBox=format!("0 0 {w} {h}") width=w height=h role="img" aria-label="readings">
            <polyline points=points.join(" ") fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
    }
}

pub fn monitoring() -> impl IntoView {
    let c = ctx();
    let typed = RwSignal::new(std::collections::HashMap::<String, RwSignal<String>>::new());
    move || {
        let Some(st) = c.status.get() else { return need_run() };
        view! {
            <table class="card metrics">
                <thead><tr><th>{t("Name")}</th><th>{t("Target")}</th><th>{t("Alert")}</th><th>{t("Last reading")}</th><th>{t("Readings")}</th><th></th></tr></thead>
                <tbody>
                    {st.metrics.into_iter().map(|m| {
                        let value = typed.try_update_untracked(|map| *map.entry(m.id.clone()).or_insert_with(|| RwSignal::new(String::new()))).unwrap_or_else(|| RwSignal::new(String::new()));
                        let name = m.id.clone();
                        let state = match m.state { MetricState::Ok => "ok", MetricState::Warning => "warning", MetricState::Alert => "alert", MetricState::Unknown => "unknown" };
                        let values: Vec<f64> = m.readings.iter().map(|r| r.value).collect();
                        let spark = (values.len() > 1).then(|| sparkline(&values));
                        view! {
                            <tr class=format!("metric {state}")>
                                <td>{m.name.clone()}</td><td>{m.target.clone()}</td><td>{m.alert.clone()}</td>
                                <td><span class=format!("chip {state}")>{m.last.as_ref().map(|r| format!("{}{}", r.value, r.unit.clone().unwrap_or_default())).unwrap_or_else(|| "—".into())}</span></td>
                                <td>{spark}</td>
                                <td><Show when=move || c.can_write()>
                                    <input class="small-input" type="number" step="any" bind:value=value aria-label=t("Value") />
                                    <button class="small" on:click={let name = name.clone(); move |_| {
                                        if let Ok(v) = value.get().trim().parse::<f64>() {
                                            c.act(Action::MetricRecord { metric: name.clone(), value: v, unit: None, source: None });
                                        }
                                    }}>{t("Record")}</button>
                                </Show></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <section class="card">
                <h2>{t("End of day")}</h2>
                <ul class="checklist">
                    {st.checklist.into_iter().map(|item| {
                        let id = item.id.clone();
                        view! { <li><label>
                            <input type="checkbox" checked=item.checked disabled=move || !c.can_write()
                                on:change=move |e| c.act(Action::Checklist { id: id.clone(), checked: event_target_checked(&e) }) />
                            {item.text.clone()}
                            {item.by.map(|b| view! { <span class="muted">{format!(" — {} {}", b.name, hm(&b.at))}</span> })}
                        </label></li> }
                    }).collect_view()}
                </ul>
            </section>
        }
        .into_any()
    }
}

// ---------------------------------------------------------------------------------------------
// Contacts and commands

pub fn contacts() -> impl IntoView {
    let c = ctx();
    move || {
        let Some(l) = c.loaded.get() else { return ().into_any() };
        view! {
            <table class="card contacts">
                <thead><tr><th>{t("Role")}</th><th>{t("Name")}</th><th>{t("Phone")}</th><th>{t("Backup")}</th></tr></thead>
                <tbody>{l.runbook.contacts.into_iter().map(|p| {
                    let tel = format!("tel:{}", p.phone.replace(' ', ""));
                    let phone = p.phone.clone();
                    view! { <tr>
                        <td>{p.role}</td><td>{p.name}</td>
                        <td><a class="num" href=tel>{p.phone.clone()}</a>" "
                            <button class="small" on:click=move |_| copy(phone.clone())>{t("Copy")}</button></td>
                        <td>{p.backup}</td>
                    </tr> }
                }).collect_view()}</tbody>
            </table>
        }
        .into_any()
    }
}

pub fn commands() -> impl IntoView {
    let c = ctx();
    let reveal = RwSignal::new(false);
    move || {
        let Some(l) = c.loaded.get() else { return ().into_any() };
        let rb = l.runbook;
        view! {
            <p><button class="small" on:click=move |_| reveal.update(|r| *r = !*r)>{move || if reveal.get() { t("Hide") } else { t("Reveal") }}</button></p>
            <section class="card">
                <h2>{t("Commands")}</h2>
                {rb.commands.iter().map(|cmd| view! {
                    <div class="cmd-ref"><div class="muted">{cmd.label.clone()}</div>{command_line(cmd.command.clone(), reveal)}</div>
                }).collect_view()}
            </section>
            {rb.tasks().filter(|t| !t.commands.is_empty()).map(|task| view! {
                <section class="card">
                    <h3>{format!("{} · {}", task.id, task.title)}</h3>
                    {task.commands.iter().map(|cmd| command_line(cmd.clone(), reveal)).collect_view()}
                </section>
            }).collect_view()}
        }
        .into_any()
    }
}

// ---------------------------------------------------------------------------------------------
// Activity

pub fn activity() -> impl IntoView {
    let c = ctx();
    let items = RwSignal::new(Vec::<Activity>::new());
    Effect::new(move |_| {
        c.version.get();
        c.status.get();
        spawn_local(async move {
            match api::activity(300).await {
                Ok(list) => items.set(list),
                Err(e) => c.error.set(Some(e.message)),
            }
        });
    });
    let has_run = move || c.status.get().is_some();
    view! {
        <section class="card record-bar">
            <div>
                <h2>{t("Audit record")}</h2>
                <p class="muted">{move || if c.status.get().is_some_and(|s| !s.run.state.is_over()) {
                    t("Every task, decision and event with the log's digest. Printed now, it is marked PARTIAL.")
                } else {
                    t("Every task, decision and event with the log's digest.")
                }}</p>
            </div>
            <div class="buttons">
                <button id="print-record" disabled=move || !has_run() || c.busy_record.get()
                    title=t("Print the audit record") on:click=move |_| c.print_record()>{t("Print")}</button>
                <button id="save-record" disabled=move || !has_run() || c.busy_record.get()
                    title=t("Save the audit record as PDF") on:click=move |_| c.save_record()>{t("Save as PDF")}</button>
            </div>
        </section>
        <table class="card activity">
            <thead><tr><th>{t("When")}</th><th>{t("Who")}</th><th>{t("What")}</th><th>{t("Laptop")}</th></tr></thead>
            <tbody>
                {move || items.get().into_iter().map(|a| view! {
                    <tr>
                        <td class="num">{a.at.get(5..19).unwrap_or_default().replace('T', " ")}</td>
                        <td>{format!("{} ({})", a.name, a.role)}</td>
                        <td><div>{a.summary.clone()}</div>
                            {a.overwrote.iter().map(|o| view! {
                                <p class="overwrote">{format!("⚠ {} {}: {} → {} ({} {:.0} s {}) · {}",
                                    t("overwrote"), o.replaced_by, o.replaced, o.value, t("set"), o.seconds_before, t("earlier"), o.field)}</p>
                            }).collect_view()}
                            <details><summary class="muted">{a.kind.clone()}</summary>
                                <ul class="changes">{a.changes.iter().take(40).map(|ch| view! { <li><code>{ch.clone()}</code></li> }).collect_view()}</ul>
                            </details>
                        </td>
                        <td class="num muted">{format!("{}#{}", a.origin, a.seq)}{reach(c, &a)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

// ---------------------------------------------------------------------------------------------
// Room: the laptops that sync with this one

pub fn room() -> impl IntoView {
    let c = ctx();
    let invitation = RwSignal::new(None::<Invitation>);
    let code = RwSignal::new(String::new());
    let joining = RwSignal::new(false);
    let create = move |_| {
        spawn_local(async move {
            match api::room_create().await {
                Ok(r) => {
                    c.room.set(Some(r));
                    c.notify(t("This runbook is now a room: invite the other laptops.").to_owned());
                }
                Err(e) => c.error.set(Some(e.message)),
            }
        });
    };
    let invite = move |_| {
        spawn_local(async move {
            match api::room_invite().await {
                Ok(i) => invitation.set(Some(i)),
                Err(e) => c.error.set(Some(e.message)),
            }
        });
    };
    let join = move |_| {
        let text = code.get_untracked();
        joining.set(true);
        spawn_local(async move {
            let joined = api::room_join(&text).await;
            joining.set(false);
            match joined {
                Ok(r) => {
                    c.room.set(Some(r));
                    c.notify(t("Joined: this laptop now holds the room's runbook and history.").to_owned());
                    c.refresh();
                }
                Err(e) => c.error.set(Some(e.message)),
            }
        });
    };
    move || {
        let Some(r) = c.room.get() else {
            return view! { <p class="muted big">{t("Peer sync is not available here.")}</p> }.into_any();
        };
        let Some(info) = r.room.clone() else {
            return view! {
                <section class="card form" id="no-room">
                    <h2>{t("This laptop is not in a room yet")}</h2>
                    <p class="muted">{t("In a room, every laptop holds the whole runbook and keeps in step with the others whenever they can reach each other.")}</p>
                    <button id="room-create" class="primary" disabled=move || !c.can_write() on:click=create>{t("Make this runbook a room")}</button>
                </section>
                <section class="card form" id="join-room">
                    <h2>{t("Join a room")}</h2>
                    <p class="muted">{t("Paste the join code another laptop shows (Room → Show a join code).")}</p>
                    <textarea id="join-code" rows="3" spellcheck="false" bind:value=code></textarea>
                    <button id="room-join" class="primary" disabled=move || joining.get() || code.get().trim().is_empty() on:click=join>
                        {move || if joining.get() { t("Joining…") } else { t("Join") }}
                    </button>
                </section>
            }
            .into_any();
        };
        let peers = r.peers.clone();
        let mine = r.my_changes;
        let members = peers.iter().filter(|p| p.member).count() + 1;
        let connected = peers.iter().filter(|p| p.connected).count();
        view! {
            <section class="card" id="room-summary">
                <h2>{info.name.clone()}</h2>
                <p class="big" class:warn=!r.online id="room-state">{room_state(&r)}</p>
                <p class="muted">{format!("{} {connected}/{} · {}: {}", t("connected"), members - 1, t("This laptop"), r.me)}</p>
                <p class="muted">{if r.addresses.is_empty() { t("Not serving peers.").to_owned() } else { format!("{} {}", t("Serving peers at"), r.addresses.join(", ")) }}</p>
            </section>
            <table class="card" id="peers">
                <thead><tr><th>{t("Laptop")}</th><th>{t("State")}</th><th>{t("In step")}</th><th>{t("My changes")}</th><th>{t("Clock")}</th></tr></thead>
                <tbody>
                    {peers.into_iter().map(|p| {
                        let name = if p.name.is_empty() { p.fingerprint.get(..8).unwrap_or_default().to_owned() } else { p.name.clone() };
                        view! {
                            <tr class:offline=!p.connected data-fingerprint=p.fingerprint.clone()>
                                <td>{name}{(!p.member).then(|| view! { " " <span class="badge">{t("not a member")}</span> })}</td>
                                <td>{peer_state(c, &p)}</td>
                                <td>{if p.behind == 0 && p.ahead == 0 { t("up to date").to_owned() } else {
                                    let mut parts = Vec::new();
                                    if p.behind > 0 { parts.push(format!("{} {}", t("lacks"), p.behind)); }
                                    if p.ahead > 0 { parts.push(format!("{} {}", t("has new"), p.ahead)); }
                                    parts.join(" · ")
                                }}</td>
                                <td class="num">{format!("{}/{mine}", p.has_mine)}</td>
                                <td class:warn=p.skew_ms.is_some()>{p.skew_ms.map(|ms| format!("⚠ {} {}", minutes_off(ms), if ms > 0 { t("fast") } else { t("slow") })).unwrap_or_else(|| "✓".into())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <section class="card" id="invite">
                <h2>{t("Invite a laptop")}</h2>
                <p class="muted">{t("On the new laptop: Room → Join a room, and paste this code; or scan it. It is good for 12 hours; keep it in the room.")}</p>
                <button id="room-invite" disabled=move || !c.can_write() on:click=invite>{move || if invitation.get().is_some() { t("Show a new join code") } else { t("Show a join code") }}</button>
                {move || invitation.get().map(|i| view! {
                    <div class="join">
                        <div class="qr" id="join-qr" inner_html=i.qr_svg.clone()></div>
                        <code id="join-code-text" class="code">{i.code.clone()}</code>
                    </div>
                })}
            </section>
        }
        .into_any()
    }
}

/// "offline — 12 changes not yet shared", or how many laptops are in step.
fn room_state(r: &RoomView) -> String {
    if r.online {
        let n = r.peers.iter().filter(|p| p.connected).count();
        format!("● {} {}", n + 1, t("laptops online"))
    } else if r.unshared > 0 {
        format!("{} — {} {}", t("offline"), r.unshared, t("changes not yet shared"))
    } else {
        t("offline").to_owned()
    }
}

fn peer_state(c: Ctx, p: &PeerView) -> String {
    if p.connected {
        return format!("● {}", t("connected"));
    }
    let seen = p.last_seen.as_deref().map(|at| {
        let ago = ((c.now_ms.get_untracked() - js_sys::Date::parse(at)) / 60_000.0).max(0.0).round();
        format!("{} {ago} {}", t("last seen"), t("min ago"))
    });
    let seen = seen.unwrap_or_else(|| t("not seen yet").to_owned());
    match &p.error {
        Some(e) => format!("{seen} · {e}"),
        None => seen,
    }
}

fn minutes_off(ms: i64) -> String {
    let s = ms.unsigned_abs() / 1000;
    if s >= 120 { format!("{} min", s / 60) } else { format!("{s} s") }
}

/// The top bar's sync state: how many laptops are in step, or that this one is offline with
/// changes not yet shared. Shown once the runbook is a room.
pub fn sync_chip() -> impl IntoView {
    let c = ctx();
    move || {
        c.room.get().filter(|r| r.room.is_some()).map(|r| {
            view! {
                <button id="sync-chip" class="chip" class:warn=!r.online title=t("Room")
                    on:click=move |_| c.view.set(View::Room)>{room_state(&r)}</button>
            }
        })
    }
}

/// On how many of the room's laptops one of this laptop's changes already is.
fn reach(c: Ctx, a: &Activity) -> Option<String> {
    let r = c.room.get()?;
    r.room.as_ref()?;
    if !r.origin.starts_with(&a.origin) {
        return None;
    }
    let members = r.peers.iter().filter(|p| p.member).count() + 1;
    let on = 1 + r.peers.iter().filter(|p| p.member && p.has_mine >= a.seq).count();
    Some(format!(" · {} {on}/{members}", t("on")))
}

// ---------------------------------------------------------------------------------------------
// Settings

pub fn settings() -> impl IntoView {
    let c = ctx();
    let me = c.session.get_untracked().map(|s| s.me).unwrap_or_default();
    let name = RwSignal::new(me.name);
    let role = RwSignal::new(me.role);
    let save = move |_| {
        let me = Me { name: name.get(), role: role.get() };
        spawn_local(async move {
            match api::set_me(&me).await {
                Ok(_) => {
                    c.notify(format!("{} ({})", me.name, me.role));
                    c.refresh();
                }
                Err(e) => c.error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="card form">
            <h2>{t("You")}</h2>
            <p class="muted">{t("Set your name and role: they go on everything you record.")}</p>
            <label>{t("Name")}<input id="me-name" type="text" bind:value=name /></label>
            <label>{t("Role")}<input id="me-role" type="text" list="roles" bind:value=role /></label>
            <datalist id="roles">{move || roles(c).into_iter().map(|r| view! { <option value=r></option> }).collect_view()}</datalist>
            <button id="me-save" class="primary" on:click=save disabled=move || !c.session.get().is_some_and(|s| s.can_write)>{t("Save")}</button>
        </section>
        <section class="card form">
            <label>{t("Language")}
                <select id="lang" on:change=move |e| c.set_lang(Lang::from_code(&input_value(&e)))>
                    <option value="en" selected=move || c.lang.get() == Lang::En>"English"</option>
                    <option value="vi" selected=move || c.lang.get() == Lang::Vi>"Tiếng Việt"</option>
                </select>
            </label>
            <label>{t("Theme")}
                <select id="theme" on:change=move |e| { let light = input_value(&e) == "light"; c.light.set(light); set_pref("warroom.theme", if light { "light" } else { "dark" }); }>
                    <option value="dark" selected=move || !c.light.get()>{t("Dark")}</option>
                    <option value="light" selected=move || c.light.get()>{t("Light")}</option>
                </select>
            </label>
        </section>
        {notify_settings}
        {move || c.status.get().map(|st| view! {
            <section class="card form">
                <h2>{t("The run")}</h2>
                <p>{format!("{} · {:?} · {} · {} · {:?}", st.run.id, st.run.kind, st.run.date, st.run.tz, st.run.state)}</p>
                <Show when=move || c.can_write() && !st.run.state.is_over()>
                    <button on:click=move |_| c.act(Action::RunEnd { state: RunState::Completed })>{t("Finish run (went live)")}</button>
                    <button class="danger" on:click=move |_| c.act(Action::RunEnd { state: RunState::Abandoned })>{t("Abandon run")}</button>
                </Show>
            </section>
        })}
        {move || c.status.get().filter(|s| s.run.state.is_over()).map(|_| start_run())}
    }
}

/// How early this laptop tells its person, and about whose tasks.
fn notify_settings() -> impl IntoView {
    let c = ctx();
    let current = RwSignal::new(None::<NotifySettings>);
    let (enabled, everyone) = (RwSignal::new(true), RwSignal::new(false));
    let (due, overdue, checkpoint, deadline) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let show = move |s: NotifySettings| {
        enabled.set(s.enabled);
        everyone.set(s.everyone);
        due.set(s.task_due_minutes.to_string());
        overdue.set(s.overdue_minutes.to_string());
        checkpoint.set(s.checkpoint_minutes.to_string());
        deadline.set(s.deadline_minutes.iter().map(u32::to_string).collect::<Vec<_>>().join(", "));
        current.set(Some(s));
    };
    spawn_local(async move {
        match api::notify_settings().await {
            Ok(s) => show(s),
            Err(e) => c.error.set(Some(e.message)),
        }
    });
    let save = move |_| {
        let Some(mut s) = current.get_untracked() else { return };
        let minutes = |text: String, what: &str| -> Result<u32, String> {
            text.trim().parse().map_err(|_| format!("{what}: {} `{text}`", t("not a number of minutes:")))
        };
        let parsed = (|| -> Result<(), String> {
            s.task_due_minutes = minutes(due.get_untracked(), t("Before my tasks"))?;
            s.overdue_minutes = minutes(overdue.get_untracked(), t("After a task is late"))?;
            s.checkpoint_minutes = minutes(checkpoint.get_untracked(), t("Before checkpoints"))?;
            s.deadline_minutes = deadline
                .get_untracked()
                .split([',', ' '])
                .filter(|p| !p.is_empty())
                .map(|p| minutes(p.to_owned(), t("Before the rollback deadline")))
                .collect::<Result<_, _>>()?;
            Ok(())
        })();
        if let Err(e) = parsed {
            c.error.set(Some(e));
            return;
        }
        s.enabled = enabled.get_untracked();
        s.everyone = everyone.get_untracked();
        spawn_local(async move {
            match api::set_notify_settings(&s).await {
                Ok(s) => {
                    show(s);
                    c.notify(t("Notification settings saved.").to_owned());
                }
                Err(e) => c.error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="card form" id="notify-settings">
            <h2>{t("Notifications")}</h2>
            <p class="muted">{t("This laptop tells you on the desktop, even offline. Times are minutes.")}</p>
            <label class="check"><input id="notify-enabled" type="checkbox" bind:checked=enabled />{t("Notify me on this laptop")}</label>
            <label>{t("Before my tasks")}<input id="notify-due" type="number" min="0" max="1440" bind:value=due /></label>
            <label>{t("After a task is late")}<input id="notify-overdue" type="number" min="0" max="1440" bind:value=overdue /></label>
            <label>{t("Before checkpoints")}<input id="notify-checkpoint" type="number" min="0" max="1440" bind:value=checkpoint /></label>
            <label>{t("Before the rollback deadline")}<input id="notify-deadline" type="text" bind:value=deadline /></label>
            <label class="check"><input id="notify-everyone" type="checkbox" bind:checked=everyone />{t("Everyone's tasks, not only my role's")}</label>
            <button id="notify-save" class="primary" on:click=save disabled=move || current.get().is_none() || !c.session.get().is_some_and(|s| s.can_write)>{t("Save")}</button>
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// Edit

pub fn edit() -> impl IntoView {
    let c = ctx();
    let selected = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
    let phase = RwSignal::new(String::new());
    Effect::new(move |_| {
        let id = selected.get();
        if let Some(task) = c.loaded.get_untracked().and_then(|l| l.runbook.tasks().find(|t| t.id == id).cloned()) {
            title.set(task.title);
            owner.set(task.owner);
            time.set(task.time.to_string());
        }
    });
    let save = move |_| {
        let id = selected.get();
        if id.is_empty() {
            return;
        }
        c.act(Action::EditSet {
            kind: "task".into(),
            id,
            fields: vec![("title".into(), title.get()), ("owner".into(), owner.get()), ("time".into(), time.get())],
        });
        c.refresh();
    };
    view! {
        <section class="card form">
            <label>{t("Task")}
                <select id="edit-task" on:change=move |e| selected.set(input_value(&e))>
                    <option value="">"—"</option>
                    {move || c.loaded.get().map(|l| l.runbook.tasks().map(|t| view! {
                        <option value=t.id.clone()>{format!("{} · {} · {}", t.id, t.time, t.title)}</option>
                    }).collect_view())}
                </select>
            </label>
            <label>{t("Time")}<input id="edit-time" type="text" bind:value=time /></label>
            <label>{t("Title")}<input id="edit-title" type="text" bind:value=title /></label>
            <label>{t("Owner")}<input id="edit-owner" type="text" list="roles" bind:value=owner /></label>
            <button class="primary" on:click=save disabled=move || !c.can_write()>{t("Save")}</button>
            <button class="danger" disabled=move || !c.can_write() on:click=move |_| {
                let id = selected.get();
                if !id.is_empty() { c.act(Action::EditDelete { kind: "task".into(), id }); c.refresh(); }
            }>{t("Delete")}</button>
        </section>
        <section class="card form">
            <h2>{t("Add task")}</h2>
            <label>{t("Phase")}
                <select on:change=move |e| phase.set(input_value(&e))>
                    <option value="">"—"</option>
                    {move || c.loaded.get().map(|l| l.runbook.phases.into_iter().map(|p| view! { <option value=p.id.clone()>{p.display_name()}</option> }).collect_view())}
                </select>
            </label>
            <button class="primary" disabled=move || !c.can_write() on:click=move |_| {
                if phase.get().is_empty() { return; }
                c.act(Action::EditAddTask { phase: phase.get(), time: time.get(), title: title.get(), owner: owner.get(), after: None });
                c.refresh();
            }>{t("Add task")}</button>
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// Import

pub fn import() -> impl IntoView {
    let c = ctx();
    let outcome = RwSignal::new(None::<ImportOutcome>);
    let replace = RwSignal::new(false);
    let over = RwSignal::new(false);
    let send = move |file: web_sys::File| {
        spawn_local(async move {
            let name = file.name();
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
            let Some(text) = text else {
                c.error.set(Some(format!("{name}: cannot read the file")));
                return;
            };
            match api::import(&ImportRequest { name, text, replace: replace.get_untracked() }).await {
                Ok(o) => {
                    if o.imported {
                        c.refresh();
                    }
                    outcome.set(Some(o));
                }
                Err(e) => c.error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="card drop" class:over=move || over.get()
            on:dragover=move |e| { e.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=move |e: web_sys::DragEvent| {
                e.prevent_default();
                over.set(false);
                if let Some(f) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) { send(f); }
            }>
            <p class="big">{t("Choose a .md runbook, or drop it here.")}</p>
            <input id="import-file" type="file" accept=".md,.markdown,.json,.txt" disabled=move || !c.can_write()
                on:change=move |e| {
                    let input: Option<web_sys::HtmlInputElement> = e.target().and_then(|t| t.dyn_into().ok());
                    if let Some(f) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) { send(f); }
                } />
            <label><input type="checkbox" bind:checked=replace />{t("Replace the current runbook")}</label>
        </section>
        {move || outcome.get().map(|o| view! {
            <section class="card report" class:error=!o.imported id="import-report">
                <h2>{if o.imported { t("Imported.") } else { t("Nothing was imported.") }}</h2>
                <p>{o.summary.clone()}</p>
                {o.repaired.clone().map(|r| view! { <p class="muted">{r}</p> })}
                <ul>
                    {o.problems.iter().map(|p| view! { <li class="danger">{format!("line {}: {}", p.line, p.message)}</li> }).collect_view()}
                    {o.warnings.iter().map(|p| view! { <li class="amber">{format!("line {}: {}", p.line, p.message)}</li> }).collect_view()}
                </ul>
            </section>
        })}
    }
}

// ---------------------------------------------------------------------------------------------
// Wall mode and the command palette

pub fn wall() -> impl IntoView {
    let c = ctx();
    view! {
        <div class="wall-view" id="wall">
            {top_bar()}
            {move || c.session.get().filter(|s| !s.can_write).map(|_| view! { <p class="muted">{t("Read-only wall view")}</p> })}
            {move || match c.status.get() {
                None => view! { <p class="big muted">{t("No run yet")}</p> }.into_any(),
                Some(st) => {
                    let phase = st.current_phase.as_ref().and_then(|p| st.phases.iter().find(|x| &x.id == p)).map(|p| p.name.clone());
                    let mut ids: Vec<String> = st.overdue.clone();
                    ids.extend(st.due.iter().filter(|d| !st.overdue.contains(d)).cloned());
                    ids.extend(st.next.iter().cloned());
                    let rows: Vec<TaskLive> = ids.iter().filter_map(|id| st.tasks.iter().find(|t| &t.id == id)).take(8).cloned().collect();
                    let cp = st.checkpoints.iter().find(|cp| cp.decision != Decision::Go).cloned();
                    view! {
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
                                    let f = cp.forecast.clone();
                                    view! { <div class="card"><h2 class="label">{t("Next checkpoint")}</h2><p class="big">{cp.title.clone()}</p>
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

struct Entry {
    label: String,
    run: Box<dyn Fn()>,
}

fn entries(c: Ctx) -> Vec<Entry> {
    let mut out: Vec<Entry> = View::ALL
        .into_iter()
        .map(|v| Entry { label: format!("{} {}", t("Go to"), v.label()), run: Box::new(move || c.view.set(v)) })
        .collect();
    out.push(Entry { label: t("Wall").into(), run: Box::new(move || c.set_wall(true)) });
    out.push(Entry { label: t("Switch language").into(), run: Box::new(move || c.toggle_lang()) });
    out.push(Entry { label: t("Toggle theme").into(), run: Box::new(move || c.toggle_theme()) });
    out.push(Entry { label: t("Print the audit record").into(), run: Box::new(move || c.print_record()) });
    out.push(Entry { label: t("Save the audit record as PDF").into(), run: Box::new(move || c.save_record()) });
    if c.can_write()
        && let Some(st) = c.status.get_untracked()
    {
        for id in st.due.iter().chain(&st.next) {
            let Some(task) = st.tasks.iter().find(|t| &t.id == id) else { continue };
            for (verb, word) in [(TaskVerb::Start, t("Start")), (TaskVerb::Done, t("Done"))] {
                let id = id.clone();
                out.push(Entry {
                    label: format!("{word} {} {}", task.id, task.title),
                    run: Box::new(move || c.task(&id, verb, None)),
                });
            }
        }
    }
    out
}

/// The notifications shown on this laptop, newest first: read a missed one, open what it is
/// about, or snooze it.
pub fn notifications() -> impl IntoView {
    let c = ctx();
    let items = RwSignal::new(None::<Vec<Shown>>);
    let load = move || {
        spawn_local(async move {
            match api::recent_notifications().await {
                Ok(list) => items.set(Some(list)),
                Err(e) => c.error.set(Some(e.message)),
            }
        })
    };
    load();
    let snooze = move |key: String, minutes: u32| {
        spawn_local(async move {
            match api::snooze(&key, minutes).await {
                Ok(n) => c.notify(format!("{} {minutes} min: {}", t("Snoozed"), n.title)),
                Err(e) => c.error.set(Some(e.message)),
            }
        })
    };
    view! {
        <div class="overlay" role="dialog" aria-modal="true" aria-label=t("Notifications") on:click=move |_| c.bell.set(false)>
            <div class="dialog notifications" id="notifications" on:click=|e| e.stop_propagation()>
                <h2>{t("Notifications")}</h2>
                {move || match items.get() {
                    None => view! { <p class="muted">"…"</p> }.into_any(),
                    Some(list) if list.is_empty() => view! {
                        <p class="muted">{t("Nothing yet. You are told before your tasks, checkpoints and the rollback deadline.")}</p>
                    }.into_any(),
                    Some(list) => view! {
                        <ul class="notices">
                            {list.into_iter().map(|s| {
                                let n = s.notice;
                                let (key5, key15) = (n.key.clone(), n.key.clone());
                                let (kind, task) = (n.kind, n.task_id.clone());
                                let snoozable = n.kind != NoticeKind::Summary;
                                view! {
                                    <li class="notice" class:urgent=n.kind.urgent()>
                                        <span class="num muted">{local_hm(&s.shown_at)}</span>
                                        <div>
                                            <strong>{n.title.clone()}</strong>
                                            <div>{n.body.clone()}</div>
                                        </div>
                                        <div class="buttons">
                                            <button class="open" on:click=move |_| c.open_notice(kind, task.clone())>{t("Open")}</button>
                                            <Show when=move || snoozable>
                                                <button class="snooze" on:click={let k = key5.clone(); move |_| snooze(k.clone(), 5)}>{t("5 min")}</button>
                                                <button on:click={let k = key15.clone(); move |_| snooze(k.clone(), 15)}>{t("15 min")}</button>
                                            </Show>
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                <p><button on:click=move |_| c.bell.set(false)>{t("close")}</button></p>
            </div>
        </div>
    }
}

/// `HH:MM` of an RFC 3339 instant in this browser's zone.
fn local_hm(at: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(at));
    if d.get_time().is_nan() {
        return at.to_owned();
    }
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

pub fn palette() -> impl IntoView {
    let c = ctx();
    let query = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let matches = move || {
        let q = query.get().to_lowercase();
        entries(c)
            .into_iter()
            .filter(|e| q.split_whitespace().all(|w| e.label.to_lowercase().contains(w)))
            .take(12)
            .collect::<Vec<_>>()
    };
    view! {
        <div class="overlay" role="dialog" aria-modal="true" aria-label=t("command palette") on:click=move |_| c.palette.set(false)>
            <div class="dialog palette" on:click=|e| e.stop_propagation()>
                <input id="palette-input" node_ref=input type="text" placeholder=t("Type a command…") bind:value=query
                    on:keydown=move |e| {
                        if e.key() == "Enter" {
                            if let Some(first) = matches().into_iter().next() { (first.run)(); }
                            c.palette.set(false);
                        }
                    } />
                <ul>{move || matches().into_iter().map(|e| {
                    let label = e.label.clone();
                    view! { <li><button class="link" on:click=move |_| { (e.run)(); c.palette.set(false); }>{label}</button></li> }
                }).collect_view()}</ul>
            </div>
        </div>
    }
}
