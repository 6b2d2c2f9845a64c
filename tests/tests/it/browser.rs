//! End to end in a real browser: headless Chromium, driven over WebDriver (chromedriver and
//! fantoccini), against `warroom serve`. A person imports the seed, says who they are, starts a
//! run, finishes a task, signs a checkpoint, watches the forecast and the rollback gauge move,
//! and switches to Vietnamese. Screenshots land in a scratch folder; with `WARROOM_SCREENSHOTS=docs`
//! they refresh docs/ (the README's pictures).

use fantoccini::{Client, ClientBuilder, Locator};
use std::time::Duration;
use warroom_tests::web::{click, fill, open_view, set_value, wait_text};
use warroom_tests::{Child, Scratch, Server, fixtures, free_port, repo, wait_for_port};

pub(crate) struct Browser {
    pub(crate) client: Client,
    _driver: Child,
    profile: tempfile::TempDir,
}

pub(crate) async fn chromium() -> Browser {
    let port = free_port();
    let profile = tempfile::tempdir().unwrap();
    let home = profile.path().to_path_buf();
    let driver = std::process::Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .env("XDG_CONFIG_HOME", &home)
        .env("XDG_CACHE_HOME", &home)
        .env("XDG_DATA_HOME", &home)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver (Debian package chromium-driver; scripts/setup.sh --test installs it)");
    let driver = Child(driver);
    wait_for_port(port, "chromedriver");
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--window-size=1400,1000", format!("--user-data-dir={}", home.join("chrome").display()),
            ],
            "prefs": {
                "download.default_directory": home.join("downloads"),
                "download.prompt_for_download": false,
            },
        }
    });
    let serde_json::Value::Object(caps) = caps else { unreachable!() };
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session with headless Chromium");
    Browser { client, _driver: driver, profile }
}

/// Saves a screenshot: into docs/ when `WARROOM_SCREENSHOTS=docs` (to refresh the README's
/// pictures), else into a scratch folder, so a test run leaves the tree as it was.
pub(crate) async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.len() > 10_000, "{name}: an empty-looking screenshot ({} bytes)", png.len());
    std::fs::write(pictures().join(name), png).unwrap();
}

/// Where the tests' pictures go: docs/ when `WARROOM_SCREENSHOTS=docs`, else a scratch folder.
pub(crate) fn pictures() -> std::path::PathBuf {
    let dir = if std::env::var("WARROOM_SCREENSHOTS").is_ok_and(|v| v == "docs") {
        repo().join("docs")
    } else {
        scratch_pictures()
    };
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The scratch folder for pictures, for those the README does not show.
pub(crate) fn scratch_pictures() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("warroom-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits until `css` has attribute `name` that passes `ok`, and returns it.
pub(crate) async fn wait_attr(c: &Client, css: &str, name: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = None;
    for _ in 0..100 {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && let Ok(Some(v)) = el.attr(name).await
        {
            if ok(&v) {
                return v;
            }
            last = Some(v);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: {css}[{name}] never became right; last {last:?}");
}

/// Waits for a finished download ending in `ext` in `dir`.
async fn wait_for_file(dir: &std::path::Path, ext: &str) -> std::path::PathBuf {
    for _ in 0..100 {
        if let Ok(entries) = std::fs::read_dir(dir)
            && let Some(p) =
                entries.filter_map(|e| e.ok().map(|e| e.path())).find(|p| p.to_string_lossy().ends_with(ext))
        {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {ext} file appeared in {}", dir.display());
}

pub(crate) async fn press(c: &Client, key: &str) {
    c.find(Locator::Css("body")).await.unwrap().send_keys(key).await.unwrap();
}

#[test]
fn a_go_live_in_the_browser() {
    let _turn = warroom_tests::one_window_at_a_time();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(scenario());
}

async fn scenario() {
    let s = Scratch::new();
    // 10:20 on the seed's day, a minute a second: the rollback deadline is 11:00.
    let server = Server::start(&s, &["--now", "2026-01-31T10:20:00+07:00", "--speed", "60"]);
    let b = chromium().await;
    let c = &b.client;
    c.goto(&format!("{}/", server.url)).await.unwrap();

    // First start: the demo, with a way to import.
    wait_text(c, ".banner", "demo banner", |t| t.contains("demo")).await;
    // Who imports goes on the record: the person says who they are first.
    open_view(c, "settings").await;
    fill(c, "#me-name", "Lan").await;
    fill(c, "#me-role", "Tech Lead").await;
    click(c, "#me-save").await;
    wait_text(c, "#notice-text", "saved", |t| t.contains("Lan")).await;

    open_view(c, "import").await;
    let file = fixtures().join("go-live-runbook.seed.md");
    c.find(Locator::Css("#import-file")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    let report = wait_text(c, "#import-report", "import report", |t| t.contains("Imported")).await;
    assert!(report.contains("Mac Roman"), "the double-encoded seed is repaired and says so: {report}");
    assert!(c.find(Locator::Css(".banner")).await.is_err(), "no demo banner after an import");
    // Replacing shows first what the file changes; nothing is written until confirmed.
    click(c, "#import-replace").await;
    c.find(Locator::Css("#import-file")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    let preview = wait_text(c, "#import-report", "import preview", |t| t.contains("nothing written yet")).await;
    assert!(preview.contains("0 removed") && preview.contains("unchanged"), "{preview}");
    click(c, "#import-confirm").await;
    wait_text(c, "#import-report", "import report", |t| t.contains("Imported")).await;

    open_view(c, "now").await;
    click(c, "#run-live").await;
    set_value(c, "#run-date", "2026-01-31").await;
    fill(c, "#run-tz", "Asia/Ho_Chi_Minh").await;
    click(c, "#run-start").await;
    let state = wait_text(c, "#rollback-state", "gauge", |t| !t.is_empty()).await;
    assert!(state.contains("AMBER"), "everything still to do at 10:2x: the implementation runs past 11:00: {state}");
    // The header's forecast is the last task's (the seed's next-morning hypercare check), as the
    // Timeline and `warroom status` give it: that one still has room.
    let forecast = wait_text(c, "#forecast-variance", "forecast", |t| !t.is_empty()).await;
    assert!(forecast.contains("+1"), "the last task is the next morning: {forecast}");
    wait_text(c, "#current-phase", "current phase", |t| t.contains("Phase 1")).await;

    // Finish the first task due.
    let id = warroom_tests::web::attribute(c, "#agenda li.task", "id").await.unwrap();
    click(c, &format!("#{} button.done", id.replace('.', "\\."))).await;
    wait_text(c, "#notice-text", "task done", |t| t.contains("done")).await;
    if let Ok(Some(ms)) = c.find(Locator::Css(".app")).await.unwrap().attr("data-act-ms").await {
        eprintln!("browser: click to updated view {ms} ms");
    }
    open_view(c, "timeline").await;
    let row = format!("tr#{}", id.replace('.', "\\."));
    wait_text(c, &row, "timeline row", |t| t.contains("done") && t.contains("Lan")).await;
    screenshot(c, "screenshot-timeline.png").await;

    // Sign the first checkpoint as Tech Lead; the decision waits for the others.
    open_view(c, "checkpoints").await;
    click(c, ".checkpoint .sign").await;
    wait_text(c, ".checkpoint .signed", "sign-off", |t| t.contains("Tech Lead") && t.contains("Lan")).await;
    wait_attr(c, ".checkpoint .go", "disabled", "GO is disabled while sign-offs are missing", |_| true).await;
    wait_attr(c, ".checkpoint .sign", "disabled", "one sign-off per role: Sign is off once signed", |_| true).await;
    let waits = wait_text(c, ".checkpoint .go-blocked", "who GO waits for", |t| !t.is_empty()).await;
    assert!(waits.contains("DBA") && !waits.contains("Tech Lead"), "{waits}");

    // The audit record so far: printed from a frame holding the printable page, and saved as a PDF.
    open_view(c, "activity").await;
    click(c, "#print-record").await;
    let frame = wait_attr(c, "#print-frame", "srcdoc", "the page to print", |h| h.contains("PARTIAL")).await;
    assert!(frame.contains("@page { size: A4") && frame.contains("Lan"), "{}", &frame[..frame.len().min(2000)]);
    click(c, "#save-record").await;
    wait_text(c, "#notice-text", "downloaded", |t| t.contains("downloaded")).await;
    let pdf = wait_for_file(&b.profile.path().join("downloads"), ".pdf").await;
    let name = pdf.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.starts_with("audit-record-") && name.ends_with("-partial.pdf"), "{name}");
    let text = warroom_tests::pdf_text(&pdf);
    assert!(text.contains("Lan (Tech Lead)") || text.contains("Lan"), "{text}");

    // Time runs on: past 10:30 the point of no return is under 30 minutes away: red.
    open_view(c, "now").await;
    let red = wait_text(c, "#rollback-state", "gauge turns red", |t| t.contains("RED")).await;
    assert!(red.contains("slack"), "{red}");
    screenshot(c, "day-now.png").await;

    press(c, "w").await;
    wait_text(c, "#wall", "wall mode", |t| t.contains("RED")).await;
    // Headless Chromium's full screen is 800×600; the projector's is not.
    c.set_window_size(1400, 1000).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    screenshot(c, "day-wall.png").await;
    press(c, "\u{e00c}").await; // Escape
    wait_text(c, "#nav-now", "back from the wall", |t| t == "Now").await;

    // Vietnamese, at runtime; the runbook's own words stay as written.
    press(c, "l").await;
    wait_text(c, "#nav-now", "Vietnamese", |t| t == "Hiện tại").await;
    wait_text(c, "#rollback-state", "Vietnamese gauge", |t| t.contains("ĐỎ")).await;
    let phase = wait_text(c, "#current-phase", "phase name", |t| !t.is_empty()).await;
    assert!(phase.contains("Phase 1"), "runbook content is not translated: {phase}");

    b.client.close().await.unwrap();
}

#[test]
fn a_room_in_the_browser() {
    let _turn = warroom_tests::one_window_at_a_time();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(room_scenario());
}

/// The lead makes the runbook a room and shows a join code; a second laptop joins with it from
/// the command line; the Room view shows it connected and in step, the Activity view says on
/// how many laptops each change is, a secret in a command shows only once revealed, and when
/// the second laptop goes away the top bar says this one is offline with changes not yet shared.
async fn room_scenario() {
    let s = Scratch::new();
    let seed = fixtures().join("go-live-runbook.utf8.md");
    s.ok(&["import", seed.to_str().unwrap()]);
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    s.ok(&["run", "start", "--live", "--date", "2026-01-31", "--tz", "Asia/Ho_Chi_Minh"]);
    s.ok(&["edit", "set", "command", "x1", "command=psql -W {{secret:hunter2}}"]);
    let port = free_port();
    let server = Server::start(&s, &["--peer-bind", &format!("127.0.0.1:{port}")]);
    let b = chromium().await;
    let c = &b.client;
    c.goto(&format!("{}/", server.url)).await.unwrap();

    open_view(c, "room").await;
    wait_text(c, "#no-room", "not a room yet", |t| t.contains("not in a room")).await;
    click(c, "#room-create").await;
    wait_text(c, "#room-summary", "the room", |t| t.contains("GO-LIVE RUNBOOK")).await;
    click(c, "#room-invite").await;
    let code = wait_text(c, "#join-code-text", "a join code", |t| t.starts_with("warroom://join?")).await;
    assert!(code.contains(&format!("127.0.0.1:{port}")), "{code}");
    assert!(warroom_tests::web::attribute(c, "#join-qr svg", "viewBox").await.is_some(), "the QR code is drawn");

    let other = s.path("huy.db");
    let huy = |args: &[&str]| s.warroom_db(&other, args);
    let joined = huy(&["room", "join", &code, "--name", "Huy's laptop"]);
    assert!(joined.ok(), "{joined:?}");
    let huy_port = free_port();
    let (mut serve_huy, _) = warroom_tests::serve_db(&other, &["--peer-bind", &format!("127.0.0.1:{huy_port}")]);
    let row =
        wait_text(c, "#peers tbody", "Huy connected", |t| t.contains("Huy's laptop") && t.contains("connected")).await;
    assert!(row.contains("up to date") || row.contains("lacks"), "{row}");
    wait_text(c, "#sync-chip", "in step", |t| t.contains("2 laptops online")).await;
    s.ok(&["task", "1.1", "done", "--at", "06:08"]);
    wait_text(c, "#peers tbody", "Huy has it", |t| t.contains("up to date")).await;
    c.set_window_size(1400, 1000).await.unwrap();
    screenshot(c, "screenshot-room.png").await;
    open_view(c, "activity").await;
    // The newest change, 1.1 done, acknowledged by Huy's laptop: only then is nothing unshared.
    wait_text(c, "table.activity tbody tr:first-child", "1.1 on both laptops", |t| {
        t.contains("1.1") && t.contains("on 2/2")
    })
    .await;

    // A secret comes hidden from the server, and only a click reads it revealed.
    open_view(c, "commands").await;
    let hidden = wait_text(c, ".cmd-ref code", "a hidden secret", |t| t.contains("psql -W")).await;
    assert!(hidden.contains("••••••") && !hidden.contains("hunter2"), "{hidden}");
    click(c, "#reveal-commands").await;
    wait_text(c, ".cmd-ref code", "the secret revealed", |t| t == "psql -W hunter2").await;

    // Huy's laptop goes away: after a few seconds this one says it is offline, and counts
    // what it records meanwhile as not yet shared.
    serve_huy.0.kill().unwrap();
    serve_huy.0.wait().unwrap();
    s.ok(&["task", "1.2", "done", "--at", "06:14"]);
    let chip = wait_text(c, "#sync-chip", "offline", |t| t.contains("offline")).await;
    // The task alone: this laptop's own records (where it serves, what it witnessed) are not
    // changes anyone made.
    assert!(chip.contains("1 changes not yet shared"), "{chip}");
    b.client.close().await.unwrap();
}
