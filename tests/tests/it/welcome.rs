//! The first run in headless Chromium against `warroom serve` on an empty database: the
//! Welcome asks who I am before anything can be recorded, then offers three choices. Opening
//! the demo shows it on Now marked DEMO; on another laptop, importing a Markdown file from the
//! Welcome shows that runbook, unmarked. At 1366×768 in English and Vietnamese, and at 200%
//! zoom with nothing scrolling sideways.

use super::browser::{chromium, scratch_pictures, screenshot, wait_attr};
use super::screens::size;
use fantoccini::{Client, Locator};
use serde_json::Value;
use warroom_tests::web::{click, fill, wait_text};
use warroom_tests::{Scratch, Server, fixtures};

/// How wide the page is against its window, in CSS pixels.
async fn widths(c: &Client) -> (f64, f64) {
    let v = c.execute("return [document.documentElement.scrollWidth, innerWidth]", vec![]).await.unwrap();
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

async fn no_sideways_scroll(c: &Client, at: &str) {
    let (scroll, width) = widths(c).await;
    assert!(scroll <= width, "{at}: the Welcome scrolls sideways: {scroll} > {width}");
}

fn log_of(s: &Scratch) -> String {
    s.ok(&["log"])
}

/// Whether `css` is on the page now.
async fn present(c: &Client, css: &str) -> bool {
    c.find(Locator::Css(css)).await.is_ok()
}

#[test]
fn a_first_run_welcomes_asks_who_and_opens_the_demo_or_an_import() {
    let _turn = warroom_tests::one_window_at_a_time();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(first_run());
}

async fn first_run() {
    let s = Scratch::new();
    let server = Server::start_with(&s, &[]);
    let b = chromium().await;
    let c = &b.client;
    size(c, 1366, 768).await;
    c.goto(&format!("{}/", server.url)).await.unwrap();

    // An empty database: the Welcome, and nothing can be chosen before a name.
    wait_text(c, "#welcome h1", "the Welcome", |t| t == "Welcome to warroom").await;
    for choice in ["#welcome-demo", "#welcome-file", "#welcome-join-button"] {
        wait_attr(c, choice, "disabled", &format!("{choice} disabled without a name"), |_| true).await;
    }
    wait_text(c, "#welcome-name-first", "the name asked first", |t| t.contains("name")).await;
    assert!(!present(c, "#demo-badge").await, "no DEMO mark: nothing is open");
    assert!(!present(c, "#error-text").await, "an empty database is no error");
    no_sideways_scroll(c, "1366×768").await;
    screenshot(c, "screenshot-welcome.png").await;

    // In Vietnamese, and at 200% zoom (a 683×384 CSS viewport).
    click(c, "#welcome-lang").await;
    wait_text(c, "#welcome h1", "the Welcome in Vietnamese", |t| t == "Chào mừng đến với warroom").await;
    wait_text(c, "#welcome-demo", "the demo button in Vietnamese", |t| t == "Mở bản demo").await;
    no_sideways_scroll(c, "1366×768 vi").await;
    let png = c.screenshot().await.unwrap();
    std::fs::write(scratch_pictures().join("welcome-vi.png"), png).unwrap();
    size(c, 683, 384).await;
    no_sideways_scroll(c, "200% vi").await;
    click(c, "#welcome-lang").await;
    wait_text(c, "#welcome h1", "back in English", |t| t == "Welcome to warroom").await;
    no_sideways_scroll(c, "200%").await;
    size(c, 1366, 768).await;

    // Who I am, then the demo: Now shows it, marked DEMO, and the import is mine on the record.
    fill(c, "#welcome-name", "Lan").await;
    fill(c, "#welcome-role", "Tech Lead").await;
    click(c, "#welcome-demo").await;
    wait_text(c, "#demo-badge", "the DEMO mark", |t| t == "DEMO").await;
    let demo: Value = serde_json::from_str(&s.ok(&["export", "--format", "json"])).unwrap();
    let title = demo["title"].as_str().unwrap().to_owned();
    wait_text(c, "header h1", "the demo's title", |t| t == title).await;
    wait_text(c, "#nav-now", "Now open", |t| t == "Now").await;
    assert!(present(c, "#view-now").await, "Now is the view shown");
    let log = log_of(&s);
    assert!(log.contains("runbook.import") && log.contains("Lan (Tech Lead)"), "{log}");
    // A restart keeps the mark.
    drop(server);
    let server = Server::start_with(&s, &[]);
    c.goto(&format!("{}/", server.url)).await.unwrap();
    wait_text(c, "#demo-badge", "the DEMO mark after a restart", |t| t == "DEMO").await;

    // Another laptop: a Markdown file picked on the Welcome is the runbook, not marked DEMO.
    let other = Scratch::new();
    let server = Server::start_with(&other, &[]);
    c.goto(&format!("{}/", server.url)).await.unwrap();
    wait_text(c, "#welcome h1", "the Welcome on the other laptop", |t| t == "Welcome to warroom").await;
    fill(c, "#welcome-name", "Huy").await;
    fill(c, "#welcome-role", "DBA").await;
    let file = fixtures().join("go-live-runbook.utf8.md");
    let input = c.find(Locator::Css("#welcome-file")).await.unwrap();
    input.send_keys(&file.display().to_string()).await.unwrap();
    let shown = wait_text(c, "header h1", "the imported runbook's title", |t| !t.is_empty()).await;
    let rb: Value = serde_json::from_str(&other.ok(&["export", "--format", "json"])).unwrap();
    assert_eq!(rb["title"].as_str(), Some(shown.as_str()), "the file's runbook is the one shown");
    assert!(log_of(&other).contains("Huy (DBA)"), "the import is Huy's");
    assert!(!present(c, "#demo-badge").await, "an imported runbook is not the demo");
    assert!(!present(c, "#welcome").await, "the Welcome is gone");
}
