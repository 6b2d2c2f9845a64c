//! The screens a tired room reads, in headless Chromium against `warroom serve`, on a night
//! across midnight (00:40, a P2 incident open, checkpoint A waiting for its sign-offs): at
//! 1366×768, 1920×1080, 200% zoom (a 683×384 CSS viewport) and in Vietnamese. No task twice on
//! Now or the Wall, nothing scrolling sideways, the Wall on one screen with no text under 2.5%
//! of its height, the next action and the deadline in the first screen at 200%, GO disabled
//! while a sign-off is missing. Screenshots as `browser::screenshot` keeps them.

use super::browser::{chromium, press, screenshot};
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::time::Duration;
use warroom_tests::web::{click, open_view, wait_text};
use warroom_tests::{Scratch, Server, fixtures};

/// What the page says about itself: duplicated task ids, sideways and downwards overflow, the
/// smallest text inside `scope` and where two elements sit.
const MEASURE: &str = r#"
const scope = document.querySelector(arguments[0]) || document.body;
const ids = [...scope.querySelectorAll('[data-task]')].map(e => e.dataset.task);
const dup = ids.filter((x, i) => ids.indexOf(x) !== i);
let min = 1e9, minText = '';
for (const el of scope.querySelectorAll('*')) {
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== '');
  if (!own || el.getClientRects().length === 0) continue;
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < min) { min = size; minText = el.textContent.trim().slice(0, 40); }
}
const box = s => { const e = document.querySelector(s); if (!e) return null; const r = e.getBoundingClientRect(); return [r.top, r.bottom]; };
const tabs = [...document.querySelectorAll('nav .tab')].map(t => t.offsetTop);
const ticks = [...scope.querySelectorAll('.tick-label')].filter(e => e.getClientRects().length > 0)
  .map(e => { const r = e.getBoundingClientRect(); return { t: `${e.textContent} (row ${e.dataset.row}, ${Math.round(r.left)}–${Math.round(r.right)} × ${Math.round(r.top)}–${Math.round(r.bottom)})`, l: r.left, r: r.right, top: r.top, b: r.bottom }; });
const touching = [];
for (let i = 0; i < ticks.length; i++) for (let j = i + 1; j < ticks.length; j++) {
  const [a, b] = [ticks[i], ticks[j]];
  if (a.l < b.r + 2 && b.l < a.r + 2 && a.top < b.b && b.top < a.b) touching.push(a.t + ' / ' + b.t);
}
return { ids, dup, min, minText, w: innerWidth, h: innerHeight, touching, ticks: ticks.length,
  sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight,
  next: box('#next-action'), deadline: box('#deadline'), tabRows: new Set(tabs).size, text: scope.innerText };
"#;

async fn measure(c: &Client, scope: &str) -> Value {
    c.execute(MEASURE, vec![Value::from(scope)]).await.unwrap()
}

/// `measure` once the gauge's labels are placed: they are placed as laid out, at the latest on
/// the clock's next tick, so a label may touch another for a moment after the screen changes.
async fn settled(c: &Client, scope: &str) -> Value {
    let mut m = measure(c, scope).await;
    for _ in 0..20 {
        if m["touching"] == Value::Array(vec![]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        m = measure(c, scope).await;
    }
    m
}

/// Sizes the window so that its viewport (not the window) is `w`×`h` CSS pixels.
pub(crate) async fn size(c: &Client, w: u32, h: u32) {
    c.set_window_size(w, h).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let inner = c.execute("return [innerWidth, innerHeight]", vec![]).await.unwrap();
    let (iw, ih) = (inner[0].as_u64().unwrap() as u32, inner[1].as_u64().unwrap() as u32);
    c.set_window_size(2 * w - iw.min(w), 2 * h - ih.min(h)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
}

/// Now at this size: every task once, and nothing wider than the window.
async fn check_now(c: &Client, at: &str) -> Value {
    let m = settled(c, "main").await;
    assert_eq!(m["dup"], Value::Array(vec![]), "{at}: a task twice on Now: {}", m["ids"]);
    assert!(m["ids"].as_array().is_some_and(|a| !a.is_empty()), "{at}: tasks listed");
    assert!(m["sw"].as_f64() <= m["w"].as_f64(), "{at}: Now scrolls sideways: {} > {}", m["sw"], m["w"]);
    assert_eq!(m["touching"], Value::Array(vec![]), "{at}: gauge labels that touch on Now");
    m
}

/// The Wall at this size: one screen, every task once, no text under 2.5% of the height.
async fn check_wall(c: &Client, at: &str) {
    let m = settled(c, "#wall").await;
    let (w, h) = (m["w"].as_f64().unwrap(), m["h"].as_f64().unwrap());
    assert_eq!(m["dup"], Value::Array(vec![]), "{at}: a task twice on the Wall: {}", m["ids"]);
    assert!(m["sh"].as_f64().unwrap() <= h, "{at}: the Wall is taller than the screen: {} > {h}", m["sh"]);
    assert!(m["sw"].as_f64().unwrap() <= w, "{at}: the Wall scrolls sideways");
    let min = m["min"].as_f64().unwrap();
    assert!(min >= 0.025 * h - 0.5, "{at}: text of {min}px on a {h}px screen: {}", m["minText"]);
    assert!(m["next"].is_array() && m["deadline"].is_array(), "{at}: next action and deadline on the Wall");
    assert!(m["ticks"].as_u64().unwrap_or(0) >= 2, "{at}: the gauge's ticks carry their times: {}", m["ticks"]);
    assert_eq!(m["touching"], Value::Array(vec![]), "{at}: gauge labels that touch on the Wall");
}

#[test]
fn the_night_screens_at_every_size_and_in_vietnamese() {
    let _turn = warroom_tests::one_window_at_a_time();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(night());
}

async fn night() {
    let s = Scratch::new();
    let md = fixtures().join("night-failover.md");
    s.ok(&["import", md.to_str().unwrap()]);
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    s.ok(&["run", "start", "--live", "--date", "2026-03-01", "--tz", "Asia/Ho_Chi_Minh"]);
    s.ok(&["task", "1.1", "start", "--at", "23:30"]);
    s.ok(&["task", "1.1", "done", "--at", "23:38"]);
    s.ok(&["task", "1.2", "start", "--at", "23:41"]);
    let b = chromium().await;
    let c = &b.client;
    size(c, 1366, 768).await;
    {
        // Before midnight: the run's first day in the header, 1.2 running, nothing +1d yet due.
        let early = Server::start(&s, &["--now", "2026-03-01T23:50:00+07:00"]);
        c.goto(&format!("{}/", early.url)).await.unwrap();
        wait_text(c, "#today", "the run's first day", |t| t.contains("2026-03-01")).await;
        wait_text(c, "#next-action", "the next action", |t| !t.trim().is_empty()).await;
        check_now(c, "before midnight 1366×768").await;
        screenshot(c, "screenshot-now-before-midnight.png").await;
    }
    s.ok(&["task", "1.2", "done", "--at", "00:20"]);
    s.ok(&["incident", "open", "Replica lag on DC-West", "--severity", "P2", "--at", "00:25"]);
    let server = Server::start(&s, &["--now", "2026-03-02T00:40:00+07:00"]);
    c.goto(&format!("{}/", server.url)).await.unwrap();

    // Now, after midnight: today's date, +1d on the tasks, the one next action, the incident.
    let next = wait_text(c, "#next-action", "the next action", |t| t.contains("CHECKPOINT A")).await;
    for role in ["Incident Commander", "DBA", "Network"] {
        assert!(next.contains(role), "the next action names who must sign: {next}");
    }
    wait_text(c, "#today", "today's date", |t| t.contains("2026-03-02")).await;
    let alerts = wait_text(c, "#alerts", "the open incident", |t| t.contains("Replica lag")).await;
    assert!(alerts.contains("P2"), "{alerts}");
    assert!(c.find(Locator::Css("#alerts .chip.p2")).await.is_ok(), "P2 has its own colour class");
    assert!(c.find(Locator::Css("#bell-problems")).await.is_ok(), "the bell counts what is open");
    let forecast = wait_text(c, "#forecast-variance", "the go-live forecast", |t| !t.is_empty()).await;
    let m = check_now(c, "1366×768").await;
    assert!(m["text"].as_str().unwrap().contains("+1d"), "tasks after midnight say +1d");
    let status = s.ok(&["status", "--now", "2026-03-02T00:40"]);
    let end = forecast.split_whitespace().find(|w| w.len() == 5 && w.contains(':')).unwrap().to_owned();
    assert!(
        status.contains(&format!("forecast end {end}")),
        "header {forecast} agrees with `warroom status`:\n{status}"
    );
    screenshot(c, "screenshot-now.png").await;

    // The checkpoint: GO stays disabled, saying who is missing, until every role has signed.
    open_view(c, "checkpoints").await;
    click(c, "#checkpoint-1\\.3 .sign").await;
    wait_text(c, "#checkpoint-1\\.3 .signed", "Lan's sign-off", |t| t.contains("Lan")).await;
    super::browser::wait_attr(
        c,
        "#checkpoint-1\\.3 .go",
        "disabled",
        "GO disabled while a sign-off is missing",
        |_| true,
    )
    .await;
    let waits = wait_text(c, "#go-blocked-1\\.3", "who GO waits for", |t| t.contains("DBA")).await;
    assert!(!waits.contains("Tech Lead"), "{waits}");
    screenshot(c, "screenshot-checkpoint.png").await;
    open_view(c, "now").await;
    wait_text(c, "#next-action", "one fewer to chase", |t| !t.contains("Tech Lead")).await;

    // The Wall on a projector, at both common sizes.
    press(c, "w").await;
    wait_text(c, "#wall", "wall mode", |t| t.contains("CHECKPOINT A")).await;
    check_wall(c, "wall 1366×768").await;
    size(c, 1920, 1080).await;
    check_wall(c, "wall 1920×1080").await;
    screenshot(c, "screenshot-wall.png").await;
    press(c, "\u{e00c}").await; // Escape
    wait_text(c, "#nav-now", "back from the wall", |t| t == "Now").await;

    // 200% zoom on a 1366×768 laptop: a 683×384 CSS viewport.
    size(c, 683, 384).await;
    let m = check_now(c, "200%").await;
    assert!(m["w"].as_f64().unwrap() < 720.0, "the viewport is narrow: {}", m["w"]);
    let h = m["h"].as_f64().unwrap();
    for part in ["next", "deadline"] {
        let b = m[part].as_array().unwrap_or_else(|| panic!("200%: no {part}"));
        assert!(b[1].as_f64().unwrap() <= h, "200%: the {part} is below the first screen: {b:?} in {h}");
    }
    assert_eq!(m["tabRows"], 1, "200%: the tabs stay on one row");
    screenshot(c, "screenshot-zoom200.png").await;

    // Vietnamese: the tabs on one row, the next action and units in Vietnamese.
    size(c, 1366, 768).await;
    press(c, "l").await;
    wait_text(c, "#nav-now", "Vietnamese", |t| t == "Hiện tại").await;
    let next = wait_text(c, "#next-action", "Vietnamese next action", |t| t.to_lowercase().contains("tiếp theo")).await;
    assert!(next.contains("Nhắc") && next.contains("phê duyệt"), "{next}");
    let m = check_now(c, "Vietnamese 1366×768").await;
    assert_eq!(m["tabRows"], 1, "Vietnamese: the tabs stay on one row");
    let text = m["text"].as_str().unwrap();
    assert!(!text.contains("(est.)") && !text.contains(" h "), "English left in Vietnamese: {text}");
    screenshot(c, "screenshot-now-vi.png").await;
    // Activity says each change in Vietnamese: the kind and the state in words, the task by
    // its number and title, nothing of the English summary the log recorded.
    open_view(c, "activity").await;
    let activity = wait_text(c, "table.activity tbody", "Activity in Vietnamese", |t| t.contains("mở sự cố")).await;
    assert!(activity.contains("hoàn thành một công việc → xong · 1.2"), "{activity}");
    for english in ["in_progress", "done —", "incident:", "started for"] {
        assert!(!activity.contains(english), "English `{english}` in the Vietnamese Activity: {activity}");
    }
    open_view(c, "now").await;
    press(c, "w").await;
    wait_text(c, "#wall", "Vietnamese wall", |t| t.to_lowercase().contains("tiếp theo")).await;
    check_wall(c, "Vietnamese wall 1366×768").await;
    b.client.close().await.unwrap();
}
