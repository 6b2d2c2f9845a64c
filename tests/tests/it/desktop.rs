//! End to end in the real desktop window: tauri-driver with WebKitWebDriver drives the built
//! `warroom-desktop` under X (scripts/test.sh runs the tests under Xvfb). Launch on a fresh
//! database (the Welcome asks who I am; I open the demo, marked DEMO), start a run, finish a task, read it back; quit,
//! save the audit record as a PDF and open it in the print window; launch again, and the task
//! is still done.

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::Path;
use std::time::{Duration, Instant};
use warroom_tests::dbus::{NotificationServer, PrivateBus};
use warroom_tests::web::{click, fill, open_view, wait_text};
use warroom_tests::{Child, Scratch, binary, free_port, wait_for_port};

struct Driver {
    port: u16,
    /// Where the app serves its room's peers.
    peers: u16,
    _child: Child,
    _screen: Child,
}

/// The screen of a typical war-room laptop.
const SCREEN: (i64, i64) = (1366, 768);

/// A private X display of `SCREEN`'s size, and its name (`:123`).
fn laptop_screen() -> (Child, String) {
    let free = (100..600).find(|n| {
        !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
    });
    let n = free.expect("a free X display number");
    let child = std::process::Command::new("Xvfb")
        .args([&format!(":{n}"), "-screen", "0", &format!("{}x{}x24", SCREEN.0, SCREEN.1), "-nolisten", "tcp"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("Xvfb (scripts/setup.sh --test installs it)");
    let child = Child(child);
    let socket = format!("/tmp/.X11-unix/X{n}");
    let until = Instant::now() + Duration::from_secs(10);
    while !Path::new(&socket).exists() {
        assert!(Instant::now() < until, "Xvfb :{n} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, format!(":{n}"))
}

fn tauri_driver(s: &Scratch, bus: &PrivateBus) -> Driver {
    let (screen, display) = laptop_screen();
    let port = free_port();
    let native = free_port();
    let peers = free_port();
    let home = s.path("home");
    std::fs::create_dir_all(&home).unwrap();
    // Where the desktop saves the audit record: the person's Downloads folder, as xdg-user-dirs says.
    std::fs::write(home.join("user-dirs.dirs"), format!("XDG_DOWNLOAD_DIR=\"{}\"\n", s.path("downloads").display()))
        .unwrap();
    let exe = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/tauri-driver")).filter(|p| p.exists());
    let child = std::process::Command::new(exe.unwrap_or_else(|| "tauri-driver".into()))
        .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
        // The app inherits this environment through WebKitWebDriver.
        .env("WARROOM_DB", s.db())
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        // The desktop's notifications go to the test's own notification server.
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("XDG_CONFIG_HOME", &home)
        .env("XDG_CACHE_HOME", &home)
        .env("XDG_DATA_HOME", &home)
        // As shipped: the app itself keeps WebKit from compositing (`window::paint_in_software`).
        .env_remove("WEBKIT_DISABLE_COMPOSITING_MODE")
        .env("MESA_SHADER_CACHE_DISABLE", "true")
        // Where the app serves its room's peers, once it is in one.
        .env("WARROOM_PEER_BIND", format!("127.0.0.1:{peers}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("tauri-driver (scripts/setup.sh --test installs it with cargo install)");
    let child = Child(child);
    wait_for_port(port, "tauri-driver");
    Driver { port, peers, _child: child, _screen: screen }
}

async fn launch(d: &Driver) -> Client {
    let caps = serde_json::json!({
        "browserName": "wry",
        "tauri:options": { "application": binary("warroom-desktop") },
    });
    let serde_json::Value::Object(caps) = caps else { unreachable!() };
    // WebKitWebDriver now and then drops the very first session while WebKit warms up its
    // caches in a fresh folder; a second attempt is what a person would do too.
    let mut last = None;
    for _ in 0..3 {
        match ClientBuilder::native().capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{}", d.port)).await
        {
            Ok(c) => return c,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    panic!("no WebDriver session with the warroom desktop window: {last:?}");
}

#[test]
fn the_desktop_app_answers_help_and_version_without_a_display() {
    for (arg, says) in [("--help", "--now <INSTANT>"), ("--version", env!("CARGO_PKG_VERSION"))] {
        let out = std::process::Command::new(binary("warroom-desktop"))
            .arg(arg)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{arg}: {out:?}");
        assert!(text.contains(says), "{arg} says {says}: {text}");
    }
}

#[test]
fn the_desktop_window_keeps_what_was_done_across_a_restart() {
    let _turn = warroom_tests::one_window_at_a_time();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(scenario());
}

async fn scenario() {
    let s = Scratch::new();
    let bus = PrivateBus::start(&s);
    let desktop = NotificationServer::start(&bus);
    let d = tauri_driver(&s, &bus);

    let launched = Instant::now();
    let c = launch(&d).await;
    // A fresh database: the Welcome, not a runbook nobody chose.
    wait_text(&c, "#welcome h1", "the Welcome on a fresh database", |t| t.contains("Welcome")).await;
    eprintln!("desktop: launch to the Welcome on screen {} ms", launched.elapsed().as_millis());
    fill(&c, "#welcome-name", "Huy").await;
    fill(&c, "#welcome-role", "DBA").await;
    click(&c, "#welcome-demo").await;
    wait_text(&c, "header h1", "runbook title", |t| !t.is_empty()).await;
    wait_text(&c, "#demo-badge", "the DEMO mark", |t| t == "DEMO").await;
    wait_text(&c, ".banner", "demo banner", |t| t.contains("demo")).await;

    // The window fits the laptop's screen, whole.
    let (x, y, w, h) = c.get_window_rect().await.unwrap();
    let seen = c.execute("return [screen.width, screen.height, screen.availWidth, screen.availHeight]", vec![]).await;
    let seen: Vec<i64> = serde_json::from_value(seen.unwrap()).unwrap();
    assert_eq!((seen[0], seen[1]), SCREEN, "the window is on the test's screen");
    let (x, y, w, h) = (x as i64, y as i64, w as i64, h as i64);
    assert!(x >= 0 && y >= 0 && x + w <= seen[2] && y + h <= seen[3], "the window {w}×{h} at {x},{y} fits {seen:?}");
    assert!(w >= 1000 && h >= 600, "and uses the screen: {w}×{h}");

    open_view(&c, "settings").await;
    fill(&c, "#me-name", "Huy").await;
    fill(&c, "#me-role", "DBA").await;
    click(&c, "#me-save").await;
    wait_text(&c, "#notice-text", "saved", |t| t.contains("Huy")).await;

    open_view(&c, "now").await;
    // The form proposes the runbook's go-live day ("Saturday" after its date, 2026-01-25), not
    // the document's date, and this laptop's zone.
    let date = c.find(Locator::Css("#run-date")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(date.as_deref(), Some("2026-01-31"));
    let zone = c.find(Locator::Css("#run-tz")).await.unwrap().prop("value").await.unwrap().unwrap_or_default();
    assert!(!zone.is_empty(), "a zone is proposed");
    fill(&c, "#run-tz", "Asia/Ho_Chi_Minh").await;
    click(&c, "#run-live").await;
    click(&c, "#run-start").await;
    wait_text(&c, "#rollback-state", "the live picture", |t| !t.is_empty()).await;
    // A live run of a day long past (the test runs on another day than 2026-01-31, give or take
    // two): the app says so rather than showing hours of lateness as if they were real.
    wait_text(&c, "#far-from-today", "the banner of a run far from today", |t| {
        t.contains("This run was on 2026-01-31") && t.contains("start a new run or rehearse")
    })
    .await;

    // The app's own notification timer: the run's day is long past, so its deadline passed while
    // the app was not watching: one "while you were away" summary on the desktop, and clicking
    // it brings the app to what it is about (here: Now). The tasks are forecast from now on, so
    // none is overdue yet: a task is never told overdue before it is told to start.
    let shown = desktop.calls.recv_timeout(Duration::from_secs(20)).expect("a desktop notification");
    assert_eq!((shown.app.as_str(), shown.title.as_str()), ("warroom", "While you were away"));
    assert!(shown.body.contains("the rollback deadline passed"), "{}", shown.body);
    assert!(shown.actions.contains(&"default".to_owned()), "clickable: {:?}", shown.actions);
    open_view(&c, "settings").await;
    desktop.click(shown.id);
    let mut current = None;
    for _ in 0..100 {
        // Read again on the next turn if the view was redrawn under the lookup.
        current = match c.find(Locator::Css("#nav-now")).await {
            Ok(el) => el.attr("aria-current").await.ok().flatten(),
            Err(_) => None,
        };
        if current.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(current.as_deref(), Some("page"), "the click opened Now");
    // And the in-app list keeps it.
    wait_text(&c, "#bell .count", "a notification shown", |t| t == "1").await;
    click(&c, "#bell").await;
    let list = wait_text(&c, "#notifications", "the notifications list", |t| t.contains("While you were away")).await;
    assert!(list.contains("the rollback deadline passed"), "{list}");
    let png = c.screenshot().await.unwrap();
    std::fs::write(crate::browser::pictures().join("screenshot-notifications.png"), png).unwrap();
    click(&c, "#notifications li.notice button.open").await;
    wait_text(&c, "#nav-now", "back to Now", |t| t == "Now").await;
    assert!(c.find(Locator::Css("#notifications")).await.is_err(), "the list closes");
    click(&c, "#agenda-list li.task button.done").await;
    // Said as Activity says it: "finished a task → done · 1.1 Team standup call".
    let notice = wait_text(&c, "#notice-text", "task done", |t| t.contains("→ done · ")).await;
    let id = notice.split(" · ").nth(1).and_then(|a| a.split_whitespace().next()).unwrap().to_owned();
    if let Ok(Some(ms)) = c.find(Locator::Css(".app")).await.unwrap().attr("data-act-ms").await {
        eprintln!("desktop: click to updated view {ms} ms");
    }

    let png = c.screenshot().await.unwrap();
    assert!(png.len() > 10_000, "the window shows something ({} bytes)", png.len());
    std::fs::write(crate::browser::pictures().join("screenshot-desktop.png"), png).unwrap();

    open_view(&c, "timeline").await;
    let row = format!("tr#task-{}", id.replace('.', "\\."));
    wait_text(&c, &row, "the task in the timeline", |t| t.contains("done") && t.contains("Huy")).await;

    // The audit record, saved as a PDF from the Activity view, lands in Downloads.
    open_view(&c, "activity").await;
    click(&c, "#save-record").await;
    let saved = wait_text(&c, "#notice-text", "record saved", |t| t.contains("saved")).await;
    let downloads = s.path("downloads");
    let files: Vec<_> = std::fs::read_dir(&downloads).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(saved.contains(&name), "the app says where: {saved}");
    assert!(name.starts_with("audit-record-") && name.ends_with("-partial.pdf"), "{name}");
    let text = warroom_tests::pdf_text(&files[0]);
    assert!(text.contains("PARTIAL") && text.contains("Huy"), "{text}");

    // Print opens the record (not the app) in its own window, with the print dialog on it.
    let main = c.window().await.unwrap();
    click(&c, "#print-record").await;
    let mut record = None;
    for _ in 0..50 {
        if let Some(w) = c.windows().await.unwrap().into_iter().find(|w| *w != main) {
            record = Some(w);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let record = record.expect("a record window opens");
    c.switch_to_window(record).await.unwrap();
    wait_text(&c, "body", "the printable record", |t| t.contains("PARTIAL") && t.contains("Huy")).await;
    c.switch_to_window(main).await.unwrap();

    // A room: the app serves its peers in-process; another laptop joins with the join code,
    // and what it records reaches this window.
    open_view(&c, "room").await;
    click(&c, "#room-create").await;
    let at = format!("127.0.0.1:{}", d.peers);
    wait_text(&c, "#room-summary", "serving the room", |t| t.contains(&at)).await;
    click(&c, "#room-invite").await;
    let code = wait_text(&c, "#join-code-text", "a join code", |t| t.starts_with("warroom://join?")).await;
    let mai = s.path("mai.db");
    let joined = s.warroom_db(&mai, &["room", "join", &code, "--name", "Mai's laptop"]);
    assert!(joined.ok(), "{joined:?}");
    let noted = s.warroom_db(&mai, &["task", &id, "comment", "--note", "checked on the replica", "--by", "Mai"]);
    assert!(noted.ok(), "{noted:?}");
    let fp = code.split("fp=").nth(1).unwrap()[..64].to_owned();
    let gave = s.warroom_db(&mai, &["sync", "with", &format!("https://{at}"), "--fingerprint", &fp]);
    assert!(gave.ok() && gave.stdout.contains("gave it 1 event"), "{gave:?}");
    wait_text(&c, "#peers tbody", "Mai's laptop in the room", |t| t.contains("Mai's laptop")).await;
    open_view(&c, "activity").await;
    wait_text(&c, "table.activity", "Mai's comment arrived", |t| t.contains("Mai")).await;
    c.close().await.unwrap();

    // Launched again on the same database: still done, by Huy.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let c = launch(&d).await;
    wait_text(&c, "h1", "runbook title after a restart", |t| !t.is_empty()).await;
    open_view(&c, "timeline").await;
    wait_text(&c, &row, "the task after a restart", |t| t.contains("done") && t.contains("Huy")).await;
    // Still a room: the app serves its peers again as soon as it starts.
    let again = s.warroom_db(&mai, &["sync", "with", &format!("https://{at}"), "--fingerprint", &fp]);
    assert!(again.ok(), "{again:?}");
    c.close().await.unwrap();
}
